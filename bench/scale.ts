/**
 * `npm run bench:scale [-- --phones 30000] [--outage 30000] [--rate 1000] [--upload] [--no-report]`:
 * the done-when of issue 11 on a fresh embedded stack (`npm start` in a child process, its own
 * data folder, loopback): an address register of `phones` rows imported and an outage to
 * `outage` of them (default: all), through the HTTP API. A register larger than a request body
 * may carry (`bodyLimitBytes`) goes the upload path (POST /v1/address-register/uploads, PUT,
 * import by uploadId), as a client must; `--upload` takes that path at any size. It measures
 * how fast each request answers, when each job completes, when the last SMS is in the outbox
 * against the floor the configured pace allows (N × parts ÷ parts a second, measured in the
 * same run as the ratio's denominator), and whether the outbox holds N distinct numbers, each
 * once. Writes bench/.out/scale.json and (unless `--no-report`) the "Scale" section of
 * BENCHMARKS.md. It reports; it never fails on a number.
 *
 * Issue 11's size: `npm run bench:scale -- --phones 150000 --outage 100000`.
 *
 * `--parts register,outage,payments,winter` (default: all) picks what runs, each on a fresh stack of
 * its own: `register` and `outage` are the part above (either name runs it); `payments` a bank
 * file of `--payments` (100,000) payments through the upload API (bench/scale-payments.ts);
 * `winter` a Swedish dunning case through a whole winter, its largest item in bytes
 * (bench/scale-winter.ts). Each part keeps its own key in bench/.out/scale.json (the part above:
 * the top-level keys it always wrote) and its own marked section of BENCHMARKS.md; a run of
 * some parts keeps the others' results.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { devKeys } from '../local/dev-auth.js';
import { fromRepoRoot } from '../lib/paths.js';
import { spawnStack } from '../test/integration/support.js';
import { paymentsPart, writePaymentsSection } from './scale-payments.js';
import { ms, readScaleResults, sleep, usageIn, waitBar, writeScaleResults, type Usage } from './scale-support.js';
import { winterPart, writeWinterSection } from './scale-winter.js';

const { values } = parseArgs({
  options: {
    phones: { type: 'string' }, outage: { type: 'string' }, rate: { type: 'string' }, upload: { type: 'boolean' }, 'no-report': { type: 'boolean' },
    parts: { type: 'string' }, payments: { type: 'string' },
  },
  strict: true,
});
/** Rows in the register. */
const registerRows = Number(values.phones ?? 30_000);
/** Numbers in the outage's area (the first rows of the register; the rest in another postal code). */
const phones = Math.min(registerRows, Number(values.outage ?? registerRows));
const rate = Number(values.rate ?? 1_000);
/**
 * The largest CSV sent as a request body: a raw body reaches the function base64-encoded, and
 * Lambda takes at most 6 MB of event (docs/LIMITS.md: about 4.5 MB of CSV fits); larger goes
 * through an upload URL.
 */
const bodyLimitBytes = 4 * 1024 * 1024;

const allParts = ['register', 'outage', 'payments', 'winter'] as const;
const parts = new Set((values.parts ?? allParts.join(',')).split(',').map((part) => part.trim()).filter((part) => part !== ''));
for (const part of parts) {
  if (!(allParts as readonly string[]).includes(part)) throw new Error(`--parts: unknown part "${part}" (the parts: ${allParts.join(', ')})`);
}
const payments = Number(values.payments ?? 100_000);
if (!Number.isInteger(payments) || payments < 1) throw new Error(`--payments: a whole number of at least 1, not ${values.payments}`);
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main() {
  if (parts.has('register') || parts.has('outage')) await registerAndOutage();
  if (parts.has('payments')) {
    const result = await paymentsPart({ payments, log });
    writeScaleResults({ ...readScaleResults(), payments: result });
    if (values['no-report'] !== true) writePaymentsSection(result);
    console.log(JSON.stringify({ payments: result }, null, 2));
  }
  if (parts.has('winter')) {
    const result = await winterPart({ log });
    writeScaleResults({ ...readScaleResults(), winter: result });
    if (values['no-report'] !== true) writeWinterSection(result);
    console.log(JSON.stringify({ winter: result }, null, 2));
  }
}

/** The register and the outage to it (issue 11's first done-when). */
async function registerAndOutage() {
  const dataDir = mkdtempSync(join(tmpdir(), 'utility-scale-'));
  const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
  const admin = await keys.sign({ role: 'admin', subject: 'bench-admin' });
  const ops = await keys.sign({ role: 'ops', subject: 'bench-ops' });
  const usageFile = join(dataDir, 'dynamodb-usage.json');
  const stack = await spawnStack(dataDir, { SMS_RATE_PER_SECOND: String(rate), POWERTOOLS_LOG_LEVEL: 'ERROR', DYNAMODB_USAGE_FILE: usageFile });
  let stopped = false;
  try {
    // 1. The register: the outage's phones on 300 streets of one postal code, the rest in another
    const lines = ['phone,street,number,postalCode,city'];
    for (let i = 0; i < registerRows; i++) {
      const [street, postalCode] = i < phones ? ['Skalgatan', '67131'] : ['Skalvägen', '67132'];
      lines.push(`+4670${String(1_000_000 + i).padStart(7, '0')},${street} ${i % 300},${Math.floor(i / 300) + 1},${postalCode},Arvika`);
    }
    const csv = Buffer.from(lines.join('\n'));
    const viaUpload = values.upload === true || csv.byteLength > bodyLimitBytes;
    let started = performance.now();
    const importWindow = { from: Date.now(), to: 0 };
    let uploadMs: number | undefined;
    let imported;
    if (viaUpload) {
      // The upload path: an upload URL, the file PUT to it (no token: the URL is the permission), the import by uploadId.
      const upload = (await stack.call('POST', '/v1/address-register/uploads', { token: admin })).body;
      const put = await fetch(upload.uploadUrl, { method: upload.method, body: csv });
      if (put.status !== 200) throw new Error(`the upload was refused: ${put.status} ${await put.text()}`);
      uploadMs = ms(started);
      started = performance.now();
      imported = await stack.call('POST', '/v1/address-register/imports', { token: admin, body: { uploadId: upload.uploadId } });
    } else {
      imported = await stack.call('POST', '/v1/address-register/imports', { token: admin, raw: csv.toString('utf8'), headers: { 'content-type': 'text/csv' } });
    }
    const importAnswerMs = ms(started);
    if (imported.status !== 200 && imported.status !== 202) throw new Error(`the import was refused: ${imported.status} ${JSON.stringify(imported.body)}`);
    const importJob = imported.body.jobId as string;
    let importStatus = '';
    const importBar = waitBar('register import', 'rows');
    let importProgress: { rows?: number; rowsWritten?: number } = {};
    for (;;) {
      const job = (await stack.call('GET', `/v1/jobs/${importJob}`, { token: admin })).body;
      importStatus = job.status;
      importProgress = job.progress ?? {};
      if (job.status === 'completed' || job.status === 'failed') break;
      importBar.update(importProgress.rowsWritten ?? 0, importProgress.rows);
      await sleep(200);
    }
    const importDoneMs = ms(started);
    importWindow.to = Date.now();
    importBar.finish(importProgress.rowsWritten ?? 0, importProgress.rows, importStatus);
    if (importStatus !== 'completed') throw new Error(`the register import ${importJob} ended ${importStatus}`);

    // 2. The outage to all of them (a leak: urgent, never held by quiet hours)
    started = performance.now();
    const outageWindow = { from: Date.now(), to: 0 };
    const outage = await stack.call('POST', '/v1/outages', {
      token: ops, body: { category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt i hela Skalområdet.', area: { postalCodes: ['67131'] } },
    });
    const outageAnswerMs = ms(started);
    const outageId = outage.body.outageId as string;
    // The job's steps as they show: recipients found, written, the message released (completed).
    const steps: Record<string, number> = {};
    // Recipients written of recipients found (the job's two steps).
    const jobBar = waitBar('outage job', 'recipients');
    let progress: { resolved?: number; written?: number } = {};
    if (outage.status === 202) {
      for (;;) {
        const job = (await stack.call('GET', `/v1/jobs/${outage.body.jobId}`, { token: ops })).body;
        progress = job.progress ?? {};
        if (job.progress?.resolved !== undefined) steps.resolved ??= ms(started);
        // Written: every page of recipients (a page worker each, in parallel) counted.
        if (job.progress?.pages !== undefined && (job.progress?.pagesWritten ?? 0) >= job.progress.pages) steps.written ??= ms(started);
        if (job.status === 'completed' || job.status === 'failed') break;
        jobBar.update(progress.written ?? 0, progress.resolved);
        await sleep(100);
      }
    }
    const jobDoneMs = ms(started);
    if (outage.status === 202) jobBar.finish(progress.written ?? 0, progress.resolved);
    let status: Record<string, number> = {};
    const sentBar = waitBar('outage sent', 'numbers');
    const settled = () => status.sent! + status.failed! + status.optedOut!;
    for (;;) {
      status = (await stack.call('GET', `/v1/outages/${outageId}`, { token: ops })).body;
      if (settled() >= phones) break;
      sentBar.update(settled(), phones, `${status.failed} failed`);
      await sleep(500);
    }
    const allSentMs = ms(started);
    outageWindow.to = Date.now();
    sentBar.finish(settled(), phones, `${status.failed} failed`);
    const outbox = (await stack.call('GET', '/_local/sms')).body.items as { to: string; outageId?: string }[];
    const ours = outbox.filter((item) => item.outageId === undefined || item.outageId === outageId);
    const distinct = new Set(ours.map((item) => item.to)).size;
    const segments = outage.body.segments ?? (await stack.call('GET', `/v1/jobs/${outage.body.jobId}`, { token: ops })).body.result?.segments ?? 1;
    const floorMs = Math.round((phones * segments * 1000) / rate);
    await stack.stop();
    stopped = true;
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as Usage;
    const result = {
      phones, registerRows, rate, segments,
      registerImport: {
        via: viaUpload ? ('upload' as const) : ('body' as const), bytes: csv.byteLength, ...(uploadMs !== undefined ? { uploadMs } : {}),
        status: imported.status, answerMs: importAnswerMs, completedMs: importDoneMs,
      },
      outage: { status: outage.status, answerMs: outageAnswerMs, resolvedMs: steps.resolved ?? jobDoneMs, writtenMs: steps.written ?? jobDoneMs, releasedMs: jobDoneMs, allSentMs, floorMs, ratio: +(allSentMs / floorMs).toFixed(2) },
      outbox: { messages: ours.length, distinct, sent: status.sent, failed: status.failed },
      dynamodb: { registerImport: usageIn(usage, importWindow, registerRows), outage: usageIn(usage, outageWindow, phones) },
      at: new Date().toISOString(),
    };
    // Its keys at the top level, as before; the other parts' keys kept.
    writeScaleResults({ ...readScaleResults(), ...result });
    if (values['no-report'] !== true) writeSection(result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    if (!stopped) await stack.stop();
  }
}

function writeSection(r: {
  phones: number; registerRows: number; rate: number; segments: number;
  registerImport: { via: 'upload' | 'body'; bytes: number; uploadMs?: number; status: number; answerMs: number; completedMs: number };
  outage: { status: number; answerMs: number; resolvedMs: number; writtenMs: number; releasedMs: number; allSentMs: number; floorMs: number; ratio: number };
  outbox: { messages: number; distinct: number; sent?: number; failed?: number }; at: string;
  dynamodb: Record<'registerImport' | 'outage', { calls: number; callsPer: number; hottestPartition: string; hottestWritesPerSecond: number }>;
}) {
  const file = fromRepoRoot('BENCHMARKS.md');
  // The issue's two sizes keep a section each: 30,000 (the default) and e.g. `scale-100k`.
  const name = r.phones === 30_000 && r.registerRows === 30_000 ? 'scale' : `scale-${Math.round(r.phones / 1000)}k`;
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const command = name === 'scale' ? 'npm run bench:scale' : `npm run bench:scale -- --phones ${r.registerRows} --outage ${r.phones} --parts register,outage`;
  const section = `${begin}
## Scale: a register of ${r.registerRows.toLocaleString('en')} phones, an outage to ${r.phones.toLocaleString('en')}, through a fresh \`npm start\` (\`${command}\`)

Measured ${r.at.slice(0, 10)} on this machine (the embedded stack: dynalite, in-process queues; AWS is faster per call). Pace: ${r.rate} message parts a second, one origination identity.

| step | HTTP answer | done | note |
|---|---|---|---|
| register import (${r.registerRows.toLocaleString('en')} rows, ${(r.registerImport.bytes / 1024 / 1024).toFixed(1)} MB, ${r.registerImport.via === 'upload' ? 'by upload URL' : 'as the request body'}) | ${r.registerImport.status} in ${r.registerImport.answerMs} ms${r.registerImport.uploadMs !== undefined ? ` (after the upload: ${r.registerImport.uploadMs} ms)` : ''} | ${(r.registerImport.completedMs / 1000).toFixed(1)} s | ${r.registerImport.via === 'upload' ? 'read and parsed by the alert job worker, then ' : ''}written in chunks of 1,000 by the background worker |
| outage to all (${r.segments} part${r.segments > 1 ? 's' : ''} each) | ${r.outage.status} in ${r.outage.answerMs} ms | recipients found after ${(r.outage.resolvedMs / 1000).toFixed(1)} s, written after ${(r.outage.writtenMs / 1000).toFixed(1)} s, released after ${(r.outage.releasedMs / 1000).toFixed(1)} s; all sent after ${(r.outage.allSentMs / 1000).toFixed(1)} s | floor (the pace allows no faster): ${(r.outage.floorMs / 1000).toFixed(1)} s; **ratio ${r.outage.ratio}** |

The outbox holds ${r.outbox.messages.toLocaleString('en')} messages to ${r.outbox.distinct.toLocaleString('en')} distinct numbers (sent ${r.outbox.sent}, failed ${r.outbox.failed}): each number once.

DynamoDB (every call of the stack, counted by local/dynamo-usage.ts; a write is at least 1 WCU, and DynamoDB serves about 1,000 WCU a second per partition; the local outbox's partition, which AWS does not have, left out):

| step | calls | per row (${r.registerRows.toLocaleString('en')}) / recipient (${r.phones.toLocaleString('en')}) | hottest partition | its writes in one second |
|---|---|---|---|---|
| register import | ${r.dynamodb.registerImport.calls.toLocaleString('en')} | ${r.dynamodb.registerImport.callsPer} | \`${r.dynamodb.registerImport.hottestPartition}\` | ${r.dynamodb.registerImport.hottestWritesPerSecond} |
| outage, resolution to the last SMS | ${r.dynamodb.outage.calls.toLocaleString('en')} | ${r.dynamodb.outage.callsPer} | \`${r.dynamodb.outage.hottestPartition}\` | ${r.dynamodb.outage.hottestWritesPerSecond} |

The embedded DynamoDB answers one call at a time, so these rates are this machine's, not AWS's: in AWS the pace (${r.rate} parts a second) bounds the send partitions' writes — about four writes per SMS (the budget, the claim, the send's settle, the chunk counters every 50) on \`OUTAGE#…\` and one on \`SMSPACE#…\` — and the same calls per recipient hold.
${end}`;
  const current = readFileSync(file, 'utf8');
  const next = current.includes(begin) ? current.replace(new RegExp(`${begin}[\\s\\S]*${end}`), section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

await main();
