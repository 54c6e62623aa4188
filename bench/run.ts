/**
 * `npm run bench`: cold start per Lambda bundle and the API on the embedded stack, each
 * against its floor, written to BENCHMARKS.md. It reports; it never fails on a number.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fromRepoRoot } from '../lib/paths.js';
import { measureApi } from './api.js';
import { measureColdStart } from './cold-start.js';
import { renderReport } from './report.js';

const started = performance.now();
const loadBefore = os.loadavg();

console.log('Cold start: bundling and importing each bundle in fresh processes ...');
const cold = await measureColdStart(20, 2, 10);
console.log('API: the embedded stack under autocannon, then the DynamoDB floor ...');
const api = await measureApi({ connections: 50, seconds: 10, warmupSeconds: 2, seedCustomers: 500, profileSeconds: 4 }).catch(
  (error: unknown) => {
    console.error(error);
    return error instanceof Error ? error : new Error(String(error)); // reported in BENCHMARKS.md
  },
);

const report = renderReport(
  {
    date: new Date().toISOString(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGb: os.totalmem() / 1024 ** 3,
    loadBefore,
    loadAfter: os.loadavg(),
    benchSeconds: (performance.now() - started) / 1000,
  },
  cold,
  api,
);
writeFileSync(fromRepoRoot('BENCHMARKS.md'), report);
console.log(`BENCHMARKS.md written (${((performance.now() - started) / 1000).toFixed(0)} s).`);
