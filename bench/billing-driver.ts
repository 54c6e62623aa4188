/**
 * The billing benchmark's driver, run as its own process by bench/billing.ts against a
 * DynamoDB of its own: seeds customers (sharded as the customer repository shards them) and
 * their facilities with BatchWriteItem, in the items the customer repository itself builds
 * (its `customerItem` / `facilityItem`), meter readings as the billing repository stores them
 * (`readingItem`, `meterMarkerItem`), and tariffs with the billing repository. Then:
 * - a billing run (`Billing.startRun`, every segment through the embedded stack's in-process
 *   queue, `processSegment` per page) against its floor: the same paged read of the customers
 *   and one PutItem of each invoice, with the run's concurrency;
 * - a BgMax file paying half of those invoices (every other one), imported with
 *   `Billing.importPayments` twice, against the floor of parsing it (`parsePaymentFile` on the
 *   same bytes);
 * - a second file paying the other half, through the chunked import of large files
 *   (`PaymentImports`: validated whole, then 500 payments a message through the embedded
 *   stack's in-process queue, two chunks at once as the chunk function runs in AWS).
 * Prints a BillingResult as JSON.
 *
 *   node --import tsx bench/billing-driver.ts '<DriverArgs<BillingSettings> as JSON>'
 */
import { readFileSync } from 'node:fs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../lambdas/adapters/config.js';
import { batchPut, inPool } from '../lambdas/adapters/dynamo/batch.js';
import { DynamoBillingRepository } from '../lambdas/adapters/dynamo/billing-repository.js';
import { customerShards, DynamoCustomerRepository } from '../lambdas/adapters/dynamo/customer-repository.js';
import { randomIds } from '../lambdas/adapters/ids.js';
import type { Invoice, MeterReading, TariffVersion } from '../lambdas/domain/billing/model.js';
import { profileFor } from '../lambdas/domain/billing/profile.js';
import { invoiceReference } from '../lambdas/domain/billing/references.js';
import { Billing, type SegmentJob } from '../lambdas/domain/billing/service.js';
import type { Customer, Facility, FacilityService } from '../lambdas/domain/customers/model.js';
import { buildBgMaxFile, type BgMaxBuildPayment } from '../lambdas/domain/payments/bgmax.js';
import { parsePaymentFile } from '../lambdas/domain/payments/payment-file.js';
import { DynamoPaymentImportRepository } from '../lambdas/adapters/dynamo/payment-import-repository.js';
import { maxPaymentFileBytes } from '../lambdas/adapters/payment-import-wiring.js';
import { PaymentImports, type PaymentChunkJob, type PaymentFileStore, type PaymentImport } from '../lambdas/domain/billing/payment-imports.js';
import { importChunkSize, importConcurrency } from '../lib/constructs/payment-imports.js';
import { fromRepoRoot } from '../lib/paths.js';
import { InProcessQueue } from '../local/jobs.js';
import { atMost } from '../local/payment-uploads.js';
import { benchTable, finish, random, startDriver, type Phase } from './driver-support.js';
import { personnummers } from './personnummer.js';
import { median } from './stats.js';
import { memoryActiveJobs } from '../lambdas/domain/jobs/sweeper.js';

export interface BillingSettings {
  readonly customers: number;
  readonly facilities: number;
  readonly pageSize: number;
  readonly runMonth: string;
  /** How many times the parse-only floor is timed (the median counts). */
  readonly parseRuns: number;
  /** The file size: parsed too (references repeat), when more than the invoices written. */
  readonly fullPayments: number;
}

export interface ImportResult {
  readonly payments: number;
  readonly matched: number;
  readonly unmatched: number;
  readonly overpaid: number;
  readonly alreadyImported: number;
  readonly deductions: number;
}

export interface BillingResult {
  readonly settings: BillingSettings;
  readonly seed: { customers: number; facilities: number; byMix: Record<string, number>; services: Record<string, number>; tariffs: number; readings: number; items: number; wallMs: number };
  readonly run: Phase & { readonly invoices: number; readonly customersDone: number; readonly errors: number; readonly status: string; readonly deadLetters: number; readonly pages: number };
  readonly floor: Phase & { readonly invoices: number; readonly pages: number };
  /** Sizes as the meter saw them: an invoice item's table WCU. */
  readonly invoiceLines: { mean: number; max: number };
  readonly file: { bytes: number; payments: number; exact: number; partial: number; over: number; unknown: number };
  readonly parse: { runsMs: number[]; medianMs: number; payments: number; errors: number };
  /** The parse-only floor of a file of `settings.fullPayments` payments. */
  readonly fullParse?: { bytes: number; payments: number; medianMs: number; errors: number };
  /** The largest request body the HTTP handlers accept (lambdas/adapters/config.ts, its default). */
  readonly maxBodyBytes: number;
  /** ServiceFunction's default timeout in seconds, read from lib/constructs/service-function.ts; undefined if not found. */
  readonly httpTimeoutSeconds?: number;
  readonly firstImport: Phase & { readonly counts: ImportResult };
  readonly secondImport: Phase & { readonly counts: ImportResult };
  /** The other half of the invoices paid by a second file, through the chunked import (upload, validate, chunks). */
  readonly chunkedFile?: { bytes: number; payments: number; exact: number; partial: number; over: number; unknown: number };
  readonly chunkedImport?: Phase & { readonly validateMs: number; readonly record: PaymentImport; readonly chunkConcurrency: number };
}

const driver = await startDriver<BillingSettings>();
const { settings } = driver;
const rng = random(20270105);
const now = () => new Date(`${settings.runMonth}-05T08:00:00Z`);
const createdAt = '2026-10-15T09:00:00.000Z';

// ---- seed ----------------------------------------------------------------------------------

const customerRepo = new DynamoCustomerRepository(driver.db, benchTable);
const firstNames = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Anders', 'Eva', 'Johan', 'Sara', 'Per', 'Lena', 'Nils', 'Ingrid', 'Olof', 'Astrid', 'Gustav'];
const lastNames = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Lindberg', 'Berg'];
const streets = ['Storgatan', 'Kyrkogatan', 'Sågvägen', 'Järnvägsgatan', 'Strandvägen', 'Skolgatan', 'Björkvägen', 'Östra Esplanaden'];
const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
const base32 = '0123456789abcdefghjkmnpqrstvwxyz';
/** A customer id of the product's shape (`cus_` and 16 base-32 characters): 10 scrambled, then the number. */
const customerId = (n: number) => {
  let id = '';
  for (let i = 0, v = (n * 2654435761) % 2 ** 50; i < 10; i++, v = Math.floor(v / 32)) id += base32[v % 32];
  for (let i = 0, v = n; i < 6; i++, v = Math.floor(v / 32)) id += base32[v % 32];
  return `cus_${id}`;
};

/** Facility service mixes: water, sewage and waste (VA), waste only, grid, or all four. */
const mixes: { name: string; share: number; services: (start: string) => FacilityService[] }[] = [
  {
    name: 'water + sewage + waste', share: 0.45, services: (start) => [
      { service: 'water', startDate: start, expectedAnnualUse: 150, meter: { meterId: 'VM', readingMode: 'mechanical' } },
      { service: 'sewage', startDate: start },
      { service: 'waste', startDate: start },
    ],
  },
  { name: 'waste', share: 0.2, services: (start) => [{ service: 'waste', startDate: start }] },
  { name: 'electricity grid', share: 0.25, services: (start) => [{ service: 'electricity_grid', startDate: start, meter: { meterId: 'EM', readingMode: 'remote' } }] },
  {
    name: 'water + sewage + waste + grid', share: 0.1, services: (start) => [
      { service: 'water', startDate: start, expectedAnnualUse: 180, meter: { meterId: 'VM', readingMode: 'mechanical' } },
      { service: 'sewage', startDate: start },
      { service: 'waste', startDate: start },
      { service: 'electricity_grid', startDate: start, meter: { meterId: 'EM', readingMode: 'remote' } },
    ],
  },
];

const tariffs: Omit<TariffVersion, 'createdAt' | 'createdBy'>[] = [
  { service: 'water', effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 10_000, unitPrice: 2_500, unit: 'm3', connectionFee: 0 },
  { service: 'sewage', effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 8_000, unitPrice: 0, unit: 'none', connectionFee: 0 },
  { service: 'waste', effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 20_000, unitPrice: 0, unit: 'none', connectionFee: 0 },
  { service: 'electricity_grid', effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 15_000, unitPrice: 45.5, unit: 'kWh', connectionFee: 0 },
  // A price change during the year, so the run picks a version by date.
  { service: 'waste', effectiveFrom: '2026-07-01', currency: 'SEK', fixedPerMonth: 21_000, unitPrice: 0, unit: 'none', connectionFee: 0 },
];

const seedStarted = performance.now();
const billingRepo = new DynamoBillingRepository(driver.db, benchTable);
for (const tariff of tariffs) await billingRepo.putTariffVersion({ ...tariff, createdAt, createdBy: 'bench' });

const ids = personnummers(new Date('2026-10-15T00:00:00Z'));
const byMix: Record<string, number> = {};
const services: Record<string, number> = {};
// Facilities per customer: 1, 2 or 3, in the proportions that give `facilities` in all.
const extra = settings.facilities / settings.customers - 1; // 0.6 for 160,000 over 100,000
const threeShare = Math.max(0, extra - 0.5);
let facilityNumber = 0;
let seededItems = 0;
let readings = 0;
const chunk = 5000;
for (let from = 0; from < settings.customers; from += chunk) {
  const items: Record<string, unknown>[] = [];
  for (let n = from; n < Math.min(settings.customers, from + chunk); n++) {
    const first = pick(firstNames);
    const last = pick(lastNames);
    const national = ids.next().value as string;
    const business = rng() < 0.05;
    const id = customerId(n);
    const channel = rng();
    const customer: Customer = {
      customerId: id,
      name: business ? `${last}s Bygg AB` : `${first} ${last}`,
      kind: business ? 'organisation' : 'person',
      country: 'SE',
      nationalId: national.replace('-', ''),
      nationalIdType: 'personnummer',
      category: business ? 'business' : 'consumer',
      billingAddress: { line1: `${pick(streets)} ${1 + Math.floor(rng() * 60)}`, postalCode: `671 ${String(Math.floor(rng() * 100)).padStart(2, '0')}`, city: 'Arvika', country: 'SE' },
      ...(rng() < 0.7 ? { phone: `+4670${String(5_000_000 + n).padStart(7, '0')}` } : {}),
      ...(rng() < 0.6 ? { email: `${first.toLowerCase()}.${last.toLowerCase()}${n}@example.se` } : {}),
      foreign: false,
      protectedIdentity: rng() < 0.005,
      language: 'sv',
      knownBadPayer: false,
      billingRegion: rng() < 0.3 ? 'Eda' : 'Arvika',
      ...(channel < 0.4 ? { deliveryChannel: 'e_invoice' as const } : channel < 0.6 ? { deliveryChannel: 'digital_mailbox' as const } : {}),
      createdAt,
      updatedAt: createdAt,
      version: 1,
    };
    items.push(customerRepo['customerItem'](customer));
    const r = rng();
    const count = r < threeShare ? 3 : r < threeShare + (extra - 2 * threeShare) ? 2 : 1;
    for (let f = 0; f < count; f++) {
      const u = rng();
      let acc = 0;
      const mix = mixes.find((m) => (acc += m.share) > u) ?? mixes[0]!;
      const start = rng() < 0.9 ? '2026-11-01' : '2026-11-16';
      const facility: Facility = {
        facilityNumber: `F${String(++facilityNumber).padStart(8, '0')}`,
        customerId: id,
        propertyDesignation: `Arvika ${pick(['Sågen', 'Kyrkan', 'Torget', 'Viken', 'Berget'])} ${1 + Math.floor(rng() * 30)}:${1 + Math.floor(rng() * 200)}`,
        deliveryAddress: { street: pick(streets), number: String(1 + Math.floor(rng() * 60)), postalCode: `671 ${String(Math.floor(rng() * 100)).padStart(2, '0')}`, city: 'Arvika' },
        propertyType: business ? 'business' : pick(['owner_occupied', 'owner_occupied', 'rental', 'holiday_home'] as const),
        services: mix.services(start).map((s) => (s.meter ? { ...s, meter: { ...s.meter, meterId: `${s.meter.meterId}-${facilityNumber}` } } : s)),
        createdAt,
        updatedAt: createdAt,
        version: 1,
      };
      byMix[mix.name] = (byMix[mix.name] ?? 0) + 1;
      for (const s of facility.services) services[s.service] = (services[s.service] ?? 0) + 1;
      items.push(customerRepo['facilityItem'](facility));
      // Readings: remote meters are read at the end of every month; 1 in 10 water meters was read by its customer in
      // December. In the items `putReading` writes: the reading, and the meter's newest reading time in the customer's partition.
      for (const s of facility.services) {
        if (!s.meter) continue;
        const remote = s.meter.readingMode === 'remote';
        const readAts = remote ? ['2026-11-30T23:00:00.000Z', '2026-12-31T23:00:00.000Z'] : rng() < 0.1 ? ['2026-12-14T10:00:00.000Z'] : [];
        let value = Math.floor(rng() * 50_000);
        for (const readAt of readAts) {
          value += remote ? 300 + Math.floor(rng() * 900) : 20 + Math.floor(rng() * 30);
          const reading: MeterReading = { facilityId: facility.facilityNumber, meterId: s.meter.meterId, value, readAt, source: remote ? 'remote' : 'customer', recordedAt: readAt };
          items.push(billingRepo['readingItem'](reading));
          readings++;
        }
        if (readAts.length > 0) items.push(billingRepo['meterMarkerItem'](id, facility.facilityNumber, s.meter.meterId, readAts.at(-1)!));
      }
    }
  }
  await batchPut(driver.db, benchTable, items);
  seededItems += items.length;
  driver.count('customers seeded', Math.min(settings.customers, from + chunk), settings.customers);
}
const seed = {
  customers: settings.customers, facilities: facilityNumber, byMix, services, tariffs: tariffs.length, readings, items: seededItems,
  wallMs: performance.now() - seedStarted,
};

// ---- the billing run -------------------------------------------------------------------------

/** The billing repository, recording each invoice it writes (for the payment file and the floor). */
class RecordingBillingRepository extends DynamoBillingRepository {
  readonly written: Invoice[] = [];
  override async insertInvoice(invoice: Invoice): Promise<boolean> {
    const inserted = await super.insertInvoice(invoice);
    if (inserted) this.written.push(invoice);
    return inserted;
  }
}
const repo = new RecordingBillingRepository(driver.db, benchTable);
// The embedded stack's queue (local/jobs.ts): every segment's pages run in this process.
const queue = new InProcessQueue<SegmentJob>('billing-segments', 'background', (line) => driver.progress(line));
let pages = 0;
const billing = new Billing({
  repo, queue, now, profile: profileFor('SE'), segments: customerShards, pageSize: settings.pageSize,
  appendLog: async () => undefined, newId: (prefix) => randomIds.newId(prefix), activeJobs: memoryActiveJobs(), stalledAfterMs: 2_100_000,
});
queue.attach(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  for (const record of event.Records) {
    await billing.processSegment(JSON.parse(record.body) as SegmentJob);
    pages++;
  }
  return { batchItemFailures: [] };
});
const ticker = setInterval(() => driver.count('invoices written', repo.written.length, settings.customers), 1_000);
const run = await driver.phase('billing run', async () => {
  const started = await billing.startRun({ runMonth: settings.runMonth });
  await queue.idle();
  clearInterval(ticker);
  driver.count('invoices written', repo.written.length, settings.customers);
  return billing.getRun(started.runId);
});
clearInterval(ticker);

// The floor: the same paged read of every shard and one PutItem of each invoice (under a key
// of its own, index keys prefixed so nothing else finds it), with the run's concurrency.
const invoiceOf = new Map(repo.written.map((invoice) => [invoice.customerId, invoice]));
const floor = await driver.phase('floor: paged read of the customers, one write per invoice', async () => {
  let invoices = 0;
  let floorPages = 0;
  await inPool(Array.from({ length: customerShards }, (_, s) => s), customerShards, async (segment) => {
    let cursor: string | undefined;
    do {
      const page = await repo.customerPage(segment, settings.pageSize, cursor);
      floorPages++;
      for (const customer of page.customers) {
        const invoice = invoiceOf.get(customer.customerId);
        if (!invoice) continue;
        const item = repo['invoiceItem'](invoice);
        for (const gsi of ['gsi1pk', 'gsi2pk', 'gsi3pk']) if (typeof item[gsi] === 'string') item[gsi] = `FLOOR${item[gsi] as string}`;
        await driver.db.send(new PutCommand({ TableName: benchTable, Item: { ...item, pk: `FLOOR#${item.pk as string}` }, ConditionExpression: 'attribute_not_exists(pk)' }));
        invoices++;
      }
      cursor = page.nextCursor;
    } while (cursor);
  });
  return { invoices, pages: floorPages };
});

// ---- payments ---------------------------------------------------------------------------------

// Most pay the invoice in full; some pay half, some pay too much (credit), a few give a reference no invoice has.
// Every other invoice is paid by the file `importPayments` books, the rest by the file of the chunked import.
function paymentFile(invoices: readonly Invoice[]) {
  const mix = { exact: 0, partial: 0, over: 0, unknown: 0 };
  const list: BgMaxBuildPayment[] = invoices.map((invoice, i) => {
    const r = rng();
    const payerName = i % 2 === 0 ? `${pick(firstNames)} ${pick(lastNames)}` : undefined;
    const named = payerName ? { payerName } : {};
    if (r < 0.02) {
      mix.unknown++;
      return { reference: invoiceReference('SE', 900_000_000 + invoice.invoiceNumber), amountOre: Math.max(100, invoice.total), ...named };
    }
    if (r < 0.06) {
      mix.partial++;
      return { reference: invoice.reference, amountOre: Math.max(100, Math.round(invoice.total / 2)), ...named };
    }
    if (r < 0.08) {
      mix.over++;
      return { reference: invoice.reference, amountOre: Math.max(100, invoice.total) + 10_000, ...named };
    }
    mix.exact++;
    return { reference: invoice.reference, amountOre: Math.max(100, invoice.total), ...named };
  });
  return { mix, list };
}
const { mix: file, list: payments } = paymentFile(repo.written.filter((_, i) => i % 2 === 0));
const chunkedPayments = paymentFile(repo.written.filter((_, i) => i % 2 === 1));
const bytes = buildBgMaxFile(payments, { bankgiro: '5050-1055', date: `${settings.runMonth}-20` });

driver.progress(`parse floor: ${settings.parseRuns} × parsePaymentFile of ${(bytes.length / 1e6).toFixed(1)} MB`);

function timeParse(file: Buffer): { runsMs: number[]; medianMs: number; payments: number; errors: number } {
  const runsMs: number[] = [];
  let report = parsePaymentFile(file); // once untimed: warm
  for (let i = 0; i < settings.parseRuns; i++) {
    const started = performance.now();
    report = parsePaymentFile(file);
    runsMs.push(performance.now() - started);
  }
  return { runsMs, medianMs: median(runsMs), payments: report.payments.length, errors: report.errors.length };
}
const parse = timeParse(bytes);
let fullParse: BillingResult['fullParse'];
if (settings.fullPayments > payments.length) {
  const full = buildBgMaxFile(
    Array.from({ length: settings.fullPayments }, (_, i) => payments[i % payments.length]!),
    { bankgiro: '5050-1055', date: `${settings.runMonth}-20` },
  );
  driver.progress(`parse floor of a ${settings.fullPayments}-payment file (${(full.length / 1e6).toFixed(1)} MB)`);
  const timed = timeParse(full);
  fullParse = { bytes: full.length, payments: timed.payments, medianMs: timed.medianMs, errors: timed.errors };
}

const ticker2 = setInterval(() => driver.progress('importing ...'), 60_000);
const firstImport = await driver.phase('importPayments', () => billing.importPayments(bytes));
const secondImport = await driver.phase('importPayments again (the same file)', () => billing.importPayments(bytes));
clearInterval(ticker2);

// The chunked import (POST /v1/payment-files/uploads, PUT, POST /v1/payment-files/imports) of the
// other half: the object store in memory (S3 in AWS), the chunks through the in-process queue.
const chunkedBytes = buildBgMaxFile(chunkedPayments.list, { bankgiro: '5050-1055', date: `${settings.runMonth}-21` });
const objects = new Map<string, Uint8Array>();
const memoryStore: PaymentFileStore = {
  uploadUrl: async (objectKey) => ({ url: `memory://${objectKey}`, expiresAt: now().toISOString() }),
  read: async (objectKey) => {
    const stored = objects.get(objectKey);
    return stored ? { found: true, bytes: stored, etag: '"bench"' } : { found: false, reason: 'missing' };
  },
  put: async (objectKey, bytes) => void objects.set(objectKey, bytes),
};
const chunkQueue = new InProcessQueue<PaymentChunkJob>('payment-import-chunks', 'background', (line) => driver.progress(line));
const paymentImports = new PaymentImports({
  repo: new DynamoPaymentImportRepository(driver.db, benchTable),
  store: memoryStore,
  queue: { enqueue: async (jobs) => void (await Promise.all(jobs.map((job) => chunkQueue.enqueue(job)))) },
  book: (entries, importId) => billing.bookEntries(entries, importId),
  fileBooked: async () => undefined,
  now,
  newId: (prefix) => randomIds.newId(prefix),
  chunkSize: importChunkSize,
  activeJobs: memoryActiveJobs(),
  uploadUrlSeconds: 900,
  maxFileBytes: maxPaymentFileBytes,
  inlineEntries: 500,
});
chunkQueue.attach(atMost(importConcurrency, async (event: SQSEvent): Promise<SQSBatchResponse> => {
  for (const record of event.Records) await paymentImports.processChunk(JSON.parse(record.body) as PaymentChunkJob, { lastAttempt: false });
  return { batchItemFailures: [] };
}));
const bench = { subject: 'bench', role: 'admin' as const };
const ticker3 = setInterval(() => driver.progress('chunked import ...'), 60_000);
const chunked = await driver.phase('chunked import (upload, validate, chunks)', async () => {
  const { uploadId } = await paymentImports.createUpload(bench);
  objects.set(`uploads/${uploadId}`, chunkedBytes);
  const validating = performance.now();
  const started = await paymentImports.startImport(bench, uploadId);
  const validateMs = performance.now() - validating;
  await chunkQueue.idle();
  return { validateMs, record: await paymentImports.getImport(started.importId) };
});
clearInterval(ticker3);

/** The default in `timeout: props.timeout ?? Duration.seconds(N)`; the source is read, not the CDK app built. */
function httpTimeout(): { httpTimeoutSeconds?: number } {
  try {
    const source = readFileSync(fromRepoRoot('lib/constructs/service-function.ts'), 'utf8');
    const seconds = /timeout:\s*props\.timeout\s*\?\?\s*Duration\.seconds\((\d+)\)/.exec(source)?.[1];
    return seconds ? { httpTimeoutSeconds: Number(seconds) } : {};
  } catch {
    return {};
  }
}

const lineCounts = repo.written.map((invoice) => invoice.lines.length);
finish({
  settings,
  seed,
  run: {
    ...run.phase, invoices: repo.written.length, customersDone: run.result.customersDone, errors: run.result.errors, status: run.result.status,
    deadLetters: queue.deadLetters.length, pages,
  },
  floor: { ...floor.phase, ...floor.result },
  invoiceLines: { mean: lineCounts.reduce((s, n) => s + n, 0) / Math.max(1, lineCounts.length), max: Math.max(0, ...lineCounts) },
  file: { bytes: bytes.length, payments: payments.length, ...file },
  parse,
  ...(fullParse ? { fullParse } : {}),
  maxBodyBytes: loadConfig({ TABLE_NAME: benchTable, AWS_REGION: 'eu-north-1' }).MAX_BODY_BYTES,
  ...httpTimeout(),
  firstImport: { ...firstImport.phase, counts: firstImport.result },
  secondImport: { ...secondImport.phase, counts: secondImport.result },
  chunkedFile: { bytes: chunkedBytes.length, payments: chunkedPayments.list.length, ...chunkedPayments.mix },
  chunkedImport: { ...chunked.phase, ...chunked.result, chunkConcurrency: importConcurrency },
} satisfies BillingResult);
