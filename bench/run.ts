/**
 * `npm run bench [-- --only cold-start,api,alerts,billing]`: cold start per Lambda bundle, the
 * API on the embedded stack, outage alerts and billing, each against its floor, written to
 * BENCHMARKS.md. Without `--only` every section runs; with it, the sections not named keep
 * their last results (bench/.out/results). It reports; it never fails on a number.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fromRepoRoot } from '../lib/paths.js';
import { measureAlerts } from './alerts.js';
import type { AlertsSettings } from './alerts-driver.js';
import { measureApi } from './api.js';
import { measureBilling } from './billing.js';
import type { BillingSettings } from './billing-driver.js';
import { measureColdStart } from './cold-start.js';
import { dunningSettings, measureDunning } from './dunning.js';
import { renderReport, sectionKeys, type Measured, type SectionKey, type Sections } from './report.js';
import type { BillingBefore, BillingSizes } from './report-usecases.js';
import { loadResult, saveResult } from './results.js';

// `--render`: write BENCHMARKS.md from the last saved results (bench/.out/results), measuring nothing.
const { values } = parseArgs({ options: { only: { type: 'string' }, render: { type: 'boolean' } }, strict: true });
const only = values.render
  ? []
  : values.only
    ? values.only.split(',').map((name) => name.trim()).filter((name) => name !== '')
    : [...sectionKeys];
const unknown = only.filter((name) => !(sectionKeys as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`Unknown section ${unknown.join(', ')}; the sections are ${sectionKeys.join(', ')}.`);
  process.exit(2);
}
const measured = sectionKeys.filter((key) => only.includes(key));

/** The outage-alert scenario, at full size. */
const alertsSettings: AlertsSettings = {
  addresses: 100_000,
  outageAddresses: 20_000,
  sharedPhoneShare: 0.05,
  optOuts: 300,
  fastPace: 200,
  slowPace: 50,
  providerLatencyMs: 40,
  addedLatencyMs: 6,
};

/**
 * Billing at the size: 100,000 customers with 160,000 facilities, and a BgMax file
 * paying every invoice (100,000 payments). bench/billing-before.json keeps the billing run of
 * the code before the run's DynamoDB calls were cut (~9.5 per invoice), measured on the same
 * data at the same size, for the report to compare with.
 */
const billingBefore = existsSync(fromRepoRoot('bench/billing-before.json'))
  ? (JSON.parse(readFileSync(fromRepoRoot('bench/billing-before.json'), 'utf8')) as BillingBefore)
  : undefined;
const billingSizes: BillingSizes = {
  fullCustomers: 100_000, fullFacilities: 160_000, fullPayments: 100_000, budgetMinutes: 25, ...(billingBefore ? { before: billingBefore } : {}),
};
const billingSettings: BillingSettings = {
  customers: billingSizes.fullCustomers,
  facilities: billingSizes.fullFacilities,
  pageSize: 200,
  runMonth: '2027-01',
  parseRuns: 5,
  fullPayments: billingSizes.fullPayments,
};

const started = performance.now();
const loadBefore = os.loadavg();

/** Runs a section; a failure is reported in BENCHMARKS.md, and the others go on. */
async function section<T>(key: SectionKey, intro: string, measure: () => Promise<T>): Promise<Measured<T | Error>> {
  console.log(intro);
  const from = performance.now();
  const value = await measure().catch((error: unknown) => {
    console.error(error);
    return error instanceof Error ? error : new Error(String(error));
  });
  const result = { value, measuredAt: new Date().toISOString(), seconds: (performance.now() - from) / 1000 };
  saveResult(key, result);
  return result;
}

const sections: Record<string, Measured<unknown> | undefined> = {};
for (const key of sectionKeys) {
  if (!measured.includes(key)) {
    sections[key] = loadResult(key);
    continue;
  }
  switch (key) {
    case 'cold-start': {
      // Without cold-start numbers there is nothing to render for section 1: a failure here ends the bench.
      console.log('Cold start: bundling and importing each bundle in fresh processes ...');
      const from = performance.now();
      const value = await measureColdStart(20, 2, 10);
      sections[key] = { value, measuredAt: new Date().toISOString(), seconds: (performance.now() - from) / 1000 };
      saveResult(key, sections[key]);
      break;
    }
    case 'api':
      sections[key] = await section(key, 'API: the embedded stack under autocannon, then the DynamoDB floor ...', () =>
        measureApi({ connections: 50, seconds: 10, warmupSeconds: 2, seedCustomers: 500, profileSeconds: 4 }),
      );
      break;
    case 'alerts':
      sections[key] = await section(key, 'Outage alerts: register import, recipient resolution, paced sending ...', () => measureAlerts(alertsSettings));
      break;
    case 'billing':
      sections[key] = await section(key, 'Billing: a billing run, then a BgMax file imported twice ...', () => measureBilling(billingSettings));
      break;
    case 'dunning':
      sections[key] = await section(key, 'Dunning: each path on the embedded stack, then many open cases moved one month ...', () => measureDunning(dunningSettings()));
      break;
  }
}

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
    measured,
  },
  sections as Sections,
  billingSizes,
);
// A section neither measured now nor saved before (a fresh clone keeps no bench/.out) would lose the
// numbers BENCHMARKS.md has for it: the report goes beside it instead, for a person to merge.
const lost = sectionKeys.filter((key) => sections[key] === undefined);
if (lost.length > 0 && existsSync(fromRepoRoot('BENCHMARKS.md'))) {
  writeFileSync(fromRepoRoot('bench/.out/BENCHMARKS.partial.md'), report);
  console.log(
    `bench/.out/BENCHMARKS.partial.md written (${((performance.now() - started) / 1000).toFixed(0)} s); BENCHMARKS.md left as it is: ` +
      `no saved results for ${lost.join(', ')} (bench/.out/results), so writing it would drop those sections. Copy the measured sections over, or run them too.`,
  );
} else {
  const previous = existsSync(fromRepoRoot('BENCHMARKS.md')) ? readFileSync(fromRepoRoot('BENCHMARKS.md'), 'utf8') : '';
  writeFileSync(fromRepoRoot('BENCHMARKS.md'), withKeptBlocks(report, previous));
  console.log(`BENCHMARKS.md written (${((performance.now() - started) / 1000).toFixed(0)} s).`);
}

/**
 * The blocks other commands wrote into BENCHMARKS.md (`<!-- name:begin -->` … `<!-- name:end -->`:
 * `npm run bench:scale`'s sections, notes written beside a run) are kept, after the report.
 */
function withKeptBlocks(report: string, previous: string): string {
  const kept: string[] = [];
  for (const match of previous.matchAll(/<!-- ([\w-]+):begin -->[\s\S]*?<!-- \1:end -->/g)) {
    if (!report.includes(`<!-- ${match[1]}:begin -->`)) kept.push(match[0]);
  }
  return kept.length === 0 ? report : `${report.trimEnd()}\n\n${kept.join('\n\n')}\n`;
}
