/**
 * `npm run bench:scale [-- --phones 30000]`: the done-when of issue 11 on a fresh embedded
 * stack (`npm start` in a child process, its own data folder, loopback): an address register
 * of N phones imported and an outage to all of them, through the HTTP API. It measures how fast
 * each request answers, when each job completes, when the last SMS is in the outbox against
 * the floor the configured pace allows (N × parts ÷ parts a second, measured in the same run
 * as the ratio's denominator), and whether the outbox holds N distinct numbers, each once.
 * Writes bench/.out/scale.json and the "Scale" section of BENCHMARKS.md. It reports; it never
 * fails on a number.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { devKeys } from '../local/dev-auth.js';
import { fromRepoRoot } from '../lib/paths.js';
import { spawnStack } from '../test/integration/support.js';

const { values } = parseArgs({ options: { phones: { type: 'string' }, rate: { type: 'string' } }, strict: true });
const phones = Number(values.phones ?? 30_000);
const rate = Number(values.rate ?? 1_000);

const ms = (from: number) => Math.round(performance.now() - from);
const sleep = (delay: number) => new Promise((resolve) => setTimeout(resolve, delay));

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'utility-scale-'));
  const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
  const admin = await keys.sign({ role: 'admin', subject: 'bench-admin' });
  const ops = await keys.sign({ role: 'ops', subject: 'bench-ops' });
  const usageFile = join(dataDir, 'dynamodb-usage.json');
  const stack = await spawnStack(dataDir, { SMS_RATE_PER_SECOND: String(rate), POWERTOOLS_LOG_LEVEL: 'ERROR', DYNAMODB_USAGE_FILE: usageFile });
  let stopped = false;
  try {
    // 1. The register: N phones on 300 streets of one postal code
    const lines = ['phone,street,number,postalCode,city'];
    for (let i = 0; i < phones; i++) lines.push(`+4670${String(1_000_000 + i).padStart(7, '0')},Skalgatan ${i % 300},${Math.floor(i / 300) + 1},67131,Arvika`);
    const csv = lines.join('\n');
    let started = performance.now();
    const importWindow = { from: Date.now(), to: 0 };
    const imported = await stack.call('POST', '/v1/address-register/imports', { token: admin, raw: csv, headers: { 'content-type': 'text/csv' } });
    const importAnswerMs = ms(started);
    const importJob = imported.body.jobId as string;
    for (;;) {
      const job = (await stack.call('GET', `/v1/jobs/${importJob}`, { token: admin })).body;
      if (job.status === 'completed' || job.status === 'failed') break;
      await sleep(200);
    }
    const importDoneMs = ms(started);
    importWindow.to = Date.now();

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
    if (outage.status === 202) {
      for (;;) {
        const job = (await stack.call('GET', `/v1/jobs/${outage.body.jobId}`, { token: ops })).body;
        if (job.progress?.resolved !== undefined) steps.resolved ??= ms(started);
        if (job.progress?.written !== undefined) steps.written ??= ms(started);
        if (job.status === 'completed' || job.status === 'failed') break;
        await sleep(100);
      }
    }
    const jobDoneMs = ms(started);
    let status: Record<string, number> = {};
    for (;;) {
      status = (await stack.call('GET', `/v1/outages/${outageId}`, { token: ops })).body;
      if (status.sent! + status.failed! + status.optedOut! >= phones) break;
      await sleep(500);
    }
    const allSentMs = ms(started);
    outageWindow.to = Date.now();
    const outbox = (await stack.call('GET', '/_local/sms')).body.items as { to: string; outageId?: string }[];
    const ours = outbox.filter((item) => item.outageId === undefined || item.outageId === outageId);
    const distinct = new Set(ours.map((item) => item.to)).size;
    const segments = outage.body.segments ?? (await stack.call('GET', `/v1/jobs/${outage.body.jobId}`, { token: ops })).body.result?.segments ?? 1;
    const floorMs = Math.round((phones * segments * 1000) / rate);
    await stack.stop();
    stopped = true;
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as Usage;
    const result = {
      phones, rate, segments,
      registerImport: { status: imported.status, answerMs: importAnswerMs, completedMs: importDoneMs },
      outage: { status: outage.status, answerMs: outageAnswerMs, resolvedMs: steps.resolved ?? jobDoneMs, writtenMs: steps.written ?? jobDoneMs, releasedMs: jobDoneMs, allSentMs, floorMs, ratio: +(allSentMs / floorMs).toFixed(2) },
      outbox: { messages: ours.length, distinct, sent: status.sent, failed: status.failed },
      dynamodb: { registerImport: usageIn(usage, importWindow, phones), outage: usageIn(usage, outageWindow, phones) },
      at: new Date().toISOString(),
    };
    mkdirSync(fromRepoRoot('bench/.out'), { recursive: true });
    writeFileSync(fromRepoRoot('bench/.out/scale.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeSection(result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    if (!stopped) await stack.stop();
  }
}

type Usage = { seconds: Record<string, { calls: number; writes: Record<string, number> }> };

/** A partition with its ids elided: `OUTAGE#out_1a2b` → `OUTAGE#…`, shard numbers kept (`OPEN_INVOICES#3`). */
const partitionName = (key: string) => key.replace(/#(?!\d+$)[^#]+/g, '#…');

/** Calls in a window (per row or recipient), and its hottest partition's writes in one second. */
function usageIn(usage: Usage, window: { from: number; to: number }, per: number) {
  let calls = 0;
  let hottest = { partition: '', writes: 0, second: 0 };
  for (const [second, bucket] of Object.entries(usage.seconds)) {
    const at = Number(second) * 1000;
    if (at + 1000 <= window.from || at > window.to) continue;
    calls += bucket.calls;
    for (const [partition, writes] of Object.entries(bucket.writes)) {
      // The outbox is the embedded stack's stand-in for SNS: no such partition in AWS.
      if (partition === 'OUTBOX') continue;
      if (writes > hottest.writes) hottest = { partition: partitionName(partition), writes, second: Number(second) };
    }
  }
  return { calls, callsPer: +(calls / per).toFixed(2), hottestPartition: hottest.partition, hottestWritesPerSecond: hottest.writes };
}

function writeSection(r: {
  phones: number; rate: number; segments: number;
  registerImport: { status: number; answerMs: number; completedMs: number };
  outage: { status: number; answerMs: number; resolvedMs: number; writtenMs: number; releasedMs: number; allSentMs: number; floorMs: number; ratio: number };
  outbox: { messages: number; distinct: number; sent?: number; failed?: number }; at: string;
  dynamodb: Record<'registerImport' | 'outage', { calls: number; callsPer: number; hottestPartition: string; hottestWritesPerSecond: number }>;
}) {
  const file = fromRepoRoot('BENCHMARKS.md');
  const begin = '<!-- scale:begin -->';
  const end = '<!-- scale:end -->';
  const section = `${begin}
## Scale: ${r.phones.toLocaleString('en')} phones through a fresh \`npm start\` (\`npm run bench:scale\`)

Measured ${r.at.slice(0, 10)} on this machine (the embedded stack: dynalite, in-process queues; AWS is faster per call). Pace: ${r.rate} message parts a second, one origination identity.

| step | HTTP answer | done | note |
|---|---|---|---|
| register import (${r.phones.toLocaleString('en')} rows) | ${r.registerImport.status} in ${r.registerImport.answerMs} ms | ${(r.registerImport.completedMs / 1000).toFixed(1)} s | written in chunks of 1,000 by the background worker |
| outage to all (${r.segments} part${r.segments > 1 ? 's' : ''} each) | ${r.outage.status} in ${r.outage.answerMs} ms | recipients found after ${(r.outage.resolvedMs / 1000).toFixed(1)} s, written after ${(r.outage.writtenMs / 1000).toFixed(1)} s, released after ${(r.outage.releasedMs / 1000).toFixed(1)} s; all sent after ${(r.outage.allSentMs / 1000).toFixed(1)} s | floor (the pace allows no faster): ${(r.outage.floorMs / 1000).toFixed(1)} s; **ratio ${r.outage.ratio}** |

The outbox holds ${r.outbox.messages.toLocaleString('en')} messages to ${r.outbox.distinct.toLocaleString('en')} distinct numbers (sent ${r.outbox.sent}, failed ${r.outbox.failed}): each number once.

DynamoDB (every call of the stack, counted by local/dynamo-usage.ts; a write is at least 1 WCU, and DynamoDB serves about 1,000 WCU a second per partition; the local outbox's partition, which AWS does not have, left out):

| step | calls | per ${r.phones.toLocaleString('en')} rows / recipients | hottest partition | its writes in one second |
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
