/**
 * `npm run bench:scale -- --parts payments [--payments 100000]`: a bank file of N payments through
 * the HTTP API of a fresh embedded stack, as a client sends a large one (POST
 * /v1/payment-files/uploads, PUT the bytes, POST /v1/payment-files/imports {uploadId}, then GET
 * the import until it is completed), against a floor measured in the same run on the same
 * stack's DynamoDB.
 *
 * The N invoices it pays are written first, straight into the stack's DynamoDB with the product's
 * own repository (the items DynamoBillingRepository writes for an invoice, and setBillingStates
 * with each invoice's reference: its `REF#<reference>` lookup item, as a billing run leaves them),
 * in BatchWriteItem calls: a billing run of N customers through the API would take longer than
 * the import measured. The file (`buildBgMaxFile`, one deposit) is section 4's mix: most pay in
 * full, 4 % half, 2 % over the total (credit), 2 % an OCR no invoice has; every other payment
 * with a name record.
 *
 * The floor is the writes a booked payment needs: one conditional PutItem of its payment item
 * (under a key of its own) and, for a payment that finds its invoice, one UpdateItem of that
 * invoice, from this process with as many at once as the import books (2 chunks at once, 8
 * booking lanes each). Then the same file again, from a new upload: it books nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut, inPool } from '../lambdas/adapters/dynamo/batch.js';
import { DynamoBillingRepository } from '../lambdas/adapters/dynamo/billing-repository.js';
import { documentClient } from '../lambdas/adapters/dynamo/client.js';
import { lineAmounts } from '../lambdas/domain/billing/money.js';
import type { Invoice, InvoiceLine } from '../lambdas/domain/billing/model.js';
import { defaultBookingLanes } from '../lambdas/domain/billing/payment-booking.js';
import { invoiceReference, normaliseReference } from '../lambdas/domain/billing/references.js';
import { buildBgMaxFile, type BgMaxBuildPayment } from '../lambdas/domain/payments/bgmax.js';
import { parsePaymentFile } from '../lambdas/domain/payments/payment-file.js';
import { importConcurrency } from '../lib/constructs/payment-imports.js';
import { devKeys } from '../local/dev-auth.js';
import { localRegion, localTableName } from '../local/stack.js';
import { spawnStack, type SpawnedStack } from '../test/integration/support.js';
import { ms, n, sleep, usageIn, waitBar, writeMarkedSection, type Usage } from './scale-support.js';

/** A small deterministic generator (mulberry32): every run builds the same file. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const firstNames = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Per', 'Eva', 'Nils', 'Sara', 'Johan'];
const lastNames = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson'];

export interface PaymentsResult {
  payments: number;
  seed: { invoices: number; items: number; wallMs: number };
  file: { bytes: number; exact: number; partial: number; over: number; unknown: number };
  upload: { uploadMs: number };
  import: {
    status: number; answerMs: number; completedMs: number; paymentsPerSecond: number; outcome: string;
    counts: Record<string, unknown>;
    dynamodb: { calls: number; callsPer: number; hottestPartition: string; hottestWritesPerSecond: number };
    polls: number;
  };
  again: { status: number; answerStatus?: string; answerMs: number; completedMs: number; bookedBefore: number; bookedAfter: number; newlyBooked: number; dynamodb: { calls: number; callsPer: number } };
  floor: { concurrency: number; puts: number; updates: number; calls: number; wallMs: number; paymentsPerSecond: number };
  ratio: { wall: number; calls: number };
  at: string;
}

export async function paymentsPart(options: { payments: number; log: (line: string) => void }): Promise<PaymentsResult> {
  const { log } = options;
  const total = options.payments;
  const dataDir = mkdtempSync(join(tmpdir(), 'utility-scale-payments-'));
  const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
  const admin = await keys.sign({ role: 'admin', subject: 'bench-admin' });
  const usageFile = join(dataDir, 'dynamodb-usage.json');
  const stack: SpawnedStack = await spawnStack(dataDir, { POWERTOOLS_LOG_LEVEL: 'ERROR', DYNAMODB_USAGE_FILE: usageFile });
  let stopped = false;
  try {
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    const db = documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: stack.stack.dynamoEndpoint });
    const repo = new DynamoBillingRepository(db, localTableName);

    // 1. N open invoices, due in three weeks on the stack's clock: the items a billing run writes.
    const clock = await stack.call('GET', '/_local/clock');
    if (clock.status !== 200) throw new Error(`GET /_local/clock: ${clock.status} ${JSON.stringify(clock.body)}`);
    const today = String(clock.body.now).slice(0, 10);
    const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
    const runMonth = day(-10).slice(0, 7);
    const rng = seeded(20270120);
    const line = (facilityId: string, service: InvoiceLine['service'], kind: InvoiceLine['kind'], net: number): InvoiceLine => ({
      facilityId, service, kind, description: `${service} ${kind}`, ...lineAmounts(net, 25), vatRate: 25,
    });
    const invoices: Invoice[] = Array.from({ length: total }, (_, i) => {
      const invoiceNumber = 100_001 + i;
      const customerId = `cus_scale${String(i).padStart(7, '0')}`;
      const facilityId = `fac_scale${String(i).padStart(7, '0')}`;
      const lines = [
        line(facilityId, 'water', 'fixed', 20_000),
        line(facilityId, 'water', 'usage', 5_000 + Math.round(rng() * 40_000)),
        line(facilityId, 'waste', 'fixed', 40_000),
      ];
      const gross = lines.reduce((sum, l) => sum + l.gross, 0);
      return {
        invoiceId: `inv_scale${String(i).padStart(7, '0')}`, invoiceNumber, customerId, runId: `run_scale_${runMonth}`, runMonth,
        issueDate: day(-10), dueDate: day(20), currency: 'SEK', lines,
        net: lines.reduce((sum, l) => sum + l.net, 0), vat: lines.reduce((sum, l) => sum + l.vat, 0), total: gross, openAmount: gross,
        status: 'open', reference: invoiceReference('SE', invoiceNumber), referenceType: 'ocr', delivery: { channel: 'paper', address: null },
        finalInvoiceFacilities: [], appliedPayments: [], deferrals: [], stateAfter: {}, createdAt: new Date().toISOString(), version: 1,
      };
    });
    const seedStarted = performance.now();
    const slice = 5_000;
    for (let from = 0; from < total; from += slice) {
      const part = invoices.slice(from, from + slice);
      await batchPut(db, localTableName, part.map((invoice) => repo['invoiceItem'](invoice)));
      await repo.setBillingStates(part.map((invoice) => ({ customerId: invoice.customerId, invoiceId: invoice.invoiceId, state: {}, reference: invoice.reference })));
      if ((from / slice) % 4 === 3 || from + slice >= total) log(`payments: seeded ${n(Math.min(total, from + slice))} invoices (${(ms(seedStarted) / 1000).toFixed(0)} s)`);
    }
    const seed = { invoices: total, items: total * 3, wallMs: ms(seedStarted) };

    // 2. The bank file: section 4's mix.
    const mix = { exact: 0, partial: 0, over: 0, unknown: 0 };
    const list: BgMaxBuildPayment[] = invoices.map((invoice, i) => {
      const r = rng();
      const named = i % 2 === 0 ? { payerName: `${firstNames[i % firstNames.length]} ${lastNames[(i * 7) % lastNames.length]}` } : {};
      if (r < 0.02) {
        mix.unknown++;
        return { reference: invoiceReference('SE', 900_000_000 + invoice.invoiceNumber), amountOre: invoice.total, ...named };
      }
      if (r < 0.06) {
        mix.partial++;
        return { reference: invoice.reference, amountOre: Math.round(invoice.total / 2), ...named };
      }
      if (r < 0.08) {
        mix.over++;
        return { reference: invoice.reference, amountOre: invoice.total + 10_000, ...named };
      }
      mix.exact++;
      return { reference: invoice.reference, amountOre: invoice.total, ...named };
    });
    const bytes = buildBgMaxFile(list, { bankgiro: '5050-1055', date: today });
    log(`payments: a BgMax file of ${n(total)} payments, ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB`);

    // 3. Through the API: an upload URL, PUT, the import by uploadId, polled until completed.
    const uploadOf = async () => {
      const created = await stack.call('POST', '/v1/payment-files/uploads', { token: admin });
      if (created.status !== 201) throw new Error(`POST /v1/payment-files/uploads: ${created.status} ${JSON.stringify(created.body)}`);
      const put = await fetch(created.body.uploadUrl, { method: created.body.method, body: bytes });
      if (put.status !== 200) throw new Error(`the upload was refused: ${put.status} ${await put.text()}`);
      return created.body.uploadId as string;
    };
    const poll = async (importId: string, started: number) => {
      let polls = 0;
      // Payments booked of the file's (off a terminal: a line at most every 10 s).
      const bar = waitBar('payments: import', 'payments');
      const standing = (body: Record<string, number | undefined>) => [body.booked ?? 0, body.payments, `${body.chunksDone ?? 0}/${body.chunks ?? '?'} chunks`] as const;
      for (;;) {
        const progress = await stack.call('GET', `/v1/payment-files/imports/${importId}`, { token: admin });
        polls++;
        if (progress.status !== 200) throw new Error(`GET /v1/payment-files/imports/${importId}: ${progress.status} ${JSON.stringify(progress.body)}`);
        if (progress.body.status === 'completed' || progress.body.status === 'failed') {
          const done = { record: progress.body as Record<string, unknown>, polls, doneMs: ms(started) };
          // An import found completed at the first read (the same file again) has no progress to show.
          if (polls > 1) bar.finish(...standing(progress.body));
          return done;
        }
        bar.update(...standing(progress.body));
        await sleep(500);
      }
    };
    let started = performance.now();
    const uploadId = await uploadOf();
    const uploadMs = ms(started);
    const importWindow = { from: Date.now(), to: 0 };
    started = performance.now();
    const imported = await stack.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId } });
    const answerMs = ms(started);
    if (imported.status !== 202 && imported.status !== 200) throw new Error(`the import was refused: ${imported.status} ${JSON.stringify(imported.body)}`);
    const importId = imported.body.importId as string;
    const first = await poll(importId, started);
    importWindow.to = Date.now();
    log(`payments: import ${first.record.status} after ${(first.doneMs / 1000).toFixed(1)} s: ${JSON.stringify(first.record)}`);
    if (first.record.status !== 'completed') throw new Error(`the import ${importId} ended ${String(first.record.status)}: ${JSON.stringify(first.record.errors)}`);

    // 4. The same file again, from a new upload: the same import, nothing booked twice.
    const againUpload = await uploadOf();
    const againWindow = { from: Date.now(), to: 0 };
    started = performance.now();
    const again = await stack.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId: againUpload } });
    const againAnswerMs = ms(started);
    if (again.status !== 202 && again.status !== 200) throw new Error(`the second import was refused: ${again.status} ${JSON.stringify(again.body)}`);
    const second = await poll(again.body.importId as string, started);
    againWindow.to = Date.now();

    // 5. The floor: per payment its payment item put once, and its invoice updated once, as many at once as the import books.
    const parsed = parsePaymentFile(bytes);
    if (parsed.errors.length > 0) throw new Error(`the file does not parse: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
    const invoiceOf = new Map(invoices.map((invoice) => [normaliseReference(invoice.reference), invoice]));
    const concurrency = importConcurrency * defaultBookingLanes;
    const importedAt = new Date().toISOString();
    let puts = 0;
    let updates = 0;
    const floorStarted = performance.now();
    await inPool(parsed.payments, concurrency, async (payment) => {
      const invoice = payment.reference ? invoiceOf.get(normaliseReference(payment.reference)) : undefined;
      if (invoice) {
        await db.send(new UpdateCommand({
          TableName: localTableName,
          Key: { pk: `INV#${invoice.invoiceId}`, sk: 'INVOICE' },
          UpdateExpression: 'SET floorApplied = :amount ADD floorPayments :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':amount': Math.min(payment.amount.amount, invoice.total), ':one': 1 },
        }));
        updates++;
      }
      await db.send(new PutCommand({
        TableName: localTableName,
        Item: {
          pk: `FLOOR#PAYMENT#${payment.paymentId}`, sk: 'PAYMENT', entity: 'floorPayment', ...payment,
          status: invoice ? 'matched' : 'unmatched', ...(invoice ? { invoiceId: invoice.invoiceId } : {}),
          applied: invoice ? Math.min(payment.amount.amount, invoice.total) : 0, credited: 0, importedAt, importId,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      puts++;
    });
    const floorMs = ms(floorStarted);
    log(`payments: floor ${n(puts)} puts + ${n(updates)} updates in ${(floorMs / 1000).toFixed(1)} s`);

    await stack.stop();
    stopped = true;
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as Usage;
    const importUsage = usageIn(usage, importWindow, total);
    const againUsage = usageIn(usage, againWindow, total);
    const bookedBefore = Number(first.record.booked ?? 0);
    const bookedAfter = Number(second.record.booked ?? 0);
    const floorCalls = puts + updates;
    return {
      payments: total,
      seed,
      file: { bytes: bytes.byteLength, ...mix },
      upload: { uploadMs },
      import: {
        status: imported.status, answerMs, completedMs: first.doneMs, paymentsPerSecond: Math.round(total / (first.doneMs / 1000)),
        outcome: String(first.record.status), counts: first.record, dynamodb: importUsage, polls: first.polls,
      },
      again: {
        status: again.status, ...(typeof again.body?.status === 'string' ? { answerStatus: again.body.status as string } : {}), answerMs: againAnswerMs, completedMs: second.doneMs,
        bookedBefore, bookedAfter, newlyBooked: bookedAfter - bookedBefore, dynamodb: { calls: againUsage.calls, callsPer: againUsage.callsPer },
      },
      floor: { concurrency, puts, updates, calls: floorCalls, wallMs: floorMs, paymentsPerSecond: Math.round(total / (floorMs / 1000)) },
      ratio: { wall: +(first.doneMs / floorMs).toFixed(2), calls: +(importUsage.calls / floorCalls).toFixed(2) },
      at: new Date().toISOString(),
    };
  } finally {
    if (!stopped) await stack.stop();
  }
}

export function writePaymentsSection(r: PaymentsResult): void {
  const c = r.import.counts as Record<string, number>;
  const body = `
## Scale: a bank file of ${n(r.payments)} payments through a fresh \`npm start\` (\`npm run bench:scale -- --parts payments\`)

Measured ${r.at.slice(0, 10)} on this machine (the embedded stack: dynalite on disk, in-process queues; AWS is faster per call). ${n(r.payments)} open invoices were written first, straight into the stack's DynamoDB with the billing repository's own items (each invoice, its billing state and its \`REF#<reference>\` lookup item, as a billing run leaves them; ${n(r.seed.items)} items in ${(r.seed.wallMs / 1000).toFixed(1)} s of BatchWriteItem). The file (\`buildBgMaxFile\`, one deposit, ${(r.file.bytes / 1024 / 1024).toFixed(1)} MB) is section 4's mix: ${n(r.file.exact)} in full, ${n(r.file.partial)} half, ${n(r.file.over)} over the total, ${n(r.file.unknown)} with an OCR no invoice has. It goes as a client sends it: POST /v1/payment-files/uploads, PUT of the bytes (${r.upload.uploadMs} ms), POST /v1/payment-files/imports {uploadId}, then GET of the import every 500 ms until it is completed.

| step | HTTP answer | done | payments/s | DynamoDB calls | per payment | hottest partition | its writes in one second |
|---|---|---|--:|--:|--:|---|--:|
| import (validated whole, then booked in chunks of 500, ${c.chunks ?? '?'} chunks, 2 at once) | ${r.import.status} in ${r.import.answerMs} ms | ${r.import.outcome} after ${(r.import.completedMs / 1000).toFixed(1)} s | ${n(r.import.paymentsPerSecond)} | ${n(r.import.dynamodb.calls)} | ${r.import.dynamodb.callsPer} | \`${r.import.dynamodb.hottestPartition}\` | ${r.import.dynamodb.hottestWritesPerSecond} |
| floor: per payment one conditional PutItem of a payment item, and one UpdateItem of its invoice when it has one, ${r.floor.concurrency} at once | | ${(r.floor.wallMs / 1000).toFixed(1)} s | ${n(r.floor.paymentsPerSecond)} | ${n(r.floor.calls)} | ${(r.floor.calls / r.payments).toFixed(2)} | | |
| **import / floor** | | **${r.ratio.wall}×** | | **${r.ratio.calls}×** | | | |
| the same file again, from a new upload | ${r.again.status} in ${r.again.answerMs} ms (${r.again.answerStatus ?? '?'}) | ${(r.again.completedMs / 1000).toFixed(1)} s | | ${n(r.again.dynamodb.calls)} | ${r.again.dynamodb.callsPer} | | |

The import: ${n(c.payments ?? 0)} payments, ${n(c.booked ?? 0)} booked, ${n(c.matched ?? 0)} matched, ${n(c.unmatched ?? 0)} unmatched, ${n(c.overpaid ?? 0)} overpaid (credit), ${n(c.alreadyImported ?? 0)} already imported, ${Array.isArray(c.errors) ? (c.errors as unknown[]).length : 0} errors. The same file again is the same import (its id is the file's SHA-256): it books ${r.again.newlyBooked === 0 ? 'nothing: 0 booked' : `${n(r.again.newlyBooked)} more (it should book none)`} (booked ${n(r.again.bookedBefore)} before, ${n(r.again.bookedAfter)} after).

DynamoDB calls are every call of the stack in the import's window (local/dynamo-usage.ts; the ${r.import.polls} polls of the import are in them, one GetItem each). The floor runs after the import, from the bench's process (not the stack's: it does not share the stack's event loop) against the same dynalite, with as many writes at once as the import books (2 chunks at once × 8 booking lanes); the machine's other load (other benchmarks) is in both. The import's calls beyond the floor's: the batched reads (the payments recorded before and the invoices by their \`REF#\` items, 100 keys a BatchGetItem), a Query of the reference index for each reference with no lookup item (the 2 % unknown), the credit item of each overpayment, the import's own record, and the polls.
`;
  writeMarkedSection('scale-payments', body, ['scale']);
}
