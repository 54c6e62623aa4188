/** Renders BENCHMARKS.md from the measurements: method, tables, and what they say. */
import type { AlertsResult } from './alerts-driver.js';
import type { ApiReport, ScenarioReport } from './api.js';
import type { BillingResult } from './billing-driver.js';
import type { ColdStartReport, ColdStartResult } from './cold-start.js';
import type { DunningResult } from './dunning.js';
import { dunningFindings, dunningSection } from './dunning-report.js';
import { table, verdict } from './markdown.js';
import { alertsFindings, alertsSection, billingFindings, billingSection, useCaseMethod, type BillingSizes } from './report-usecases.js';
import { fixed } from './stats.js';

export interface MachineFacts {
  readonly date: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly os: string;
  readonly memoryGb: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly benchSeconds: number;
  /** The sections this run measured (`--only`); the others come from earlier runs, if any. */
  readonly measured: readonly SectionKey[];
}

export const sectionKeys = ['cold-start', 'api', 'alerts', 'billing', 'dunning'] as const;
export type SectionKey = (typeof sectionKeys)[number];

/** One section's result, from this run or an earlier one (bench/.out/results). */
export interface Measured<T> {
  readonly value: T;
  readonly measuredAt: string;
  readonly seconds: number;
}

export interface Sections {
  readonly 'cold-start'?: Measured<ColdStartReport>;
  readonly api?: Measured<ApiReport | Error>;
  readonly alerts?: Measured<AlertsResult | Error>;
  readonly billing?: Measured<BillingResult | Error>;
  readonly dunning?: Measured<DunningResult | Error>;
}

const coldTarget = 1.2;
const apiTarget = 1.5;

const kb = (bytes: number) => fixed(bytes / 1024, 0);

// ---- cold start -------------------------------------------------------------------------

const coldRatio = (bundle: ColdStartResult, floor: ColdStartResult) => bundle.median / floor.median;

/** A profile bucket in milliseconds of the unprofiled median: its share of the profiled run. */
function apportioned(result: ColdStartResult): Map<string, number> {
  const total = [...result.profileMs.values()].reduce((sum, ms) => sum + ms, 0);
  return new Map([...result.profileMs].map(([bucket, ms]) => [bucket, (ms / total) * result.median]));
}

function coldStartSection(cold: ColdStartReport): string {
  const { floor, bundles } = cold;
  const all = [floor, ...bundles];
  const main = table(
    ['Bundle', 'Entry', 'Size (KB)', 'Init median (ms)', 'Init p90 (ms)', 'Median / floor', `Target ≤ ${coldTarget}`],
    ['---', '---', '--:', '--:', '--:', '--:', '---'],
    all.map((result) => {
      if (result.error) return [result.name, `\`${result.entry}\``, kb(result.bundleBytes), 'n/a', 'n/a', 'n/a', result.error.replace(/\|/g, '\\|')];
      const ratio = coldRatio(result, floor);
      return [
        result.name,
        `\`${result.entry}\``,
        kb(result.bundleBytes),
        fixed(result.median),
        fixed(result.p90),
        fixed(ratio, 2),
        result === floor ? '(the floor)' : verdict(ratio <= coldTarget),
      ];
    }),
  );

  const measured = all.filter((result) => !result.error);
  const split = measured.map(apportioned);
  const buckets = [...new Set(split.flatMap((map) => [...map.keys()]))]
    .map((bucket) => ({ bucket, max: Math.max(...split.map((map) => map.get(bucket) ?? 0)) }))
    .sort((a, b) => b.max - a.max);
  const shown = buckets.filter(({ max }) => max >= 0.5).map(({ bucket }) => bucket);
  const rest = (map: Map<string, number>) => [...map].filter(([bucket]) => !shown.includes(bucket)).reduce((sum, [, ms]) => sum + ms, 0);
  const profile = table(
    ['Where the init time goes (≈ ms)', ...measured.map((result) => result.name)],
    ['---', ...measured.map(() => '--:')],
    [
      ...shown.map((bucket) => [bucket, ...split.map((map) => fixed(map.get(bucket) ?? 0))]),
      ['everything else', ...split.map((map) => fixed(rest(map)))],
      ['**init median (unprofiled)**', ...measured.map((result) => `**${fixed(result.median)}**`)],
      ['(profiled run, mean total)', ...measured.map((result) => fixed([...result.profileMs.values()].reduce((s, ms) => s + ms, 0)))],
    ],
  );

  const packages = [...new Set(all.flatMap((result) => [...result.bytesByPackage.keys()]))]
    .map((name) => ({ name, max: Math.max(...all.map((result) => result.bytesByPackage.get(name) ?? 0)) }))
    .sort((a, b) => b.max - a.max)
    .slice(0, 12)
    .map(({ name }) => name);
  const other = (result: ColdStartResult) =>
    [...result.bytesByPackage].filter(([name]) => !packages.includes(name)).reduce((sum, [, bytes]) => sum + bytes, 0);
  const sizes = table(
    ['In the bundle (KB)', ...all.map((result) => result.name)],
    ['---', ...all.map(() => '--:')],
    [
      ...packages.map((name) => [name, ...all.map((result) => kb(result.bytesByPackage.get(name) ?? 0))]),
      ['everything else', ...all.map((result) => kb(other(result)))],
    ],
  );

  return `## 1. Cold start per Lambda bundle

Median and p90 of ${cold.runs} fresh \`node\` processes per bundle, interleaved (after 2 discarded rounds).

${main}

The split below comes from a second series of ${cold.profiledRuns} processes per bundle run with \`--cpu-prof\`
(100 µs sampling), cut to the import window. Profiling slows a run down, so each bucket is shown as
its share of the profiled run times the unprofiled median. "V8 parse + compile" is the engine
reading the whole bundle; "run: <package>" is that package's module code running at import
(functions only: code at the top level of the bundle cannot be told apart by package, it is
"top-level statements").

${profile}

${sizes}
`;
}

// ---- API --------------------------------------------------------------------------------

const apiRatio = (scenario: ScenarioReport) => scenario.api.latencyMs.p99 / scenario.floor.latencyMs.p99;
const apiMet = (scenario: ScenarioReport) => apiRatio(scenario) <= apiTarget && scenario.api.errors === 0;

function callsText(calls: Readonly<Record<string, number>>): string {
  const entries = Object.entries(calls).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return 'n/a';
  return entries
    .map(([call, perRequest]) => {
      const [operation, status] = call.split(' ');
      return `${operation} ${status === '200' ? 'ok' : `failed (${status})`} ×${fixed(perRequest, 2)}`;
    })
    .join(', ');
}

/** When the API could not be measured: why, in a few lines. */
function apiFailure(error: Error): string {
  const [summary, ...details] = error.message.split('\n');
  const shown = details.filter((line) => line.trim() !== '').slice(0, 12);
  return `## 2. API on the embedded stack

No numbers this run: ${summary}
${shown.length > 0 ? `\n\`\`\`\n${shown.join('\n')}\n\`\`\`\n` : ''}`;
}

function apiSection(api: ApiReport): string {
  const { settings, scenarios } = api;
  const main = table(
    ['Scenario', 'Requests', 'req/s', 'p50 (ms)', 'p99 (ms)', 'Errors', 'Floor', 'Floor calls/s', 'Floor p50', 'Floor p99', 'p99 API / floor', `Target ≤ ${apiTarget}, 0 errors`],
    ['---', '--:', '--:', '--:', '--:', '--:', '---', '--:', '--:', '--:', '--:', '---'],
    scenarios.map((scenario) => [
      scenario.name,
      String(scenario.api.requests),
      fixed(scenario.api.requestsPerSecond, 0),
      fixed(scenario.api.latencyMs.p50),
      fixed(scenario.api.latencyMs.p99),
      String(scenario.api.errors),
      `${scenario.floor.calls} × ${scenario.floor.op}`,
      fixed(scenario.floor.callsPerSecond, 0),
      fixed(scenario.floor.latencyMs.p50),
      fixed(scenario.floor.latencyMs.p99),
      fixed(apiRatio(scenario), 2),
      verdict(apiMet(scenario)),
    ]),
  );
  const perRequest = table(
    [
      'Scenario',
      'DynamoDB calls per request (code, on DynamoDB)',
      'DynamoDB calls per request (measured here)',
      'In-server p50 / p99 (ms)',
      'Stack CPU per request (ms)',
      'Floor: stack / client CPU per call (ms)',
    ],
    ['---', '---', '---', '--:', '--:', '--:'],
    scenarios.map((scenario) => [
      scenario.name,
      scenario.dynamoCallsByCode,
      callsText(scenario.api.dynamoCallsPerRequest),
      `${fixed(scenario.api.serverMs.p50)} / ${fixed(scenario.api.serverMs.p99)}`,
      fixed(scenario.api.serverCpuMsPerRequest, 2),
      `${fixed(scenario.floor.serverCpuMsPerCall, 2)} / ${fixed(scenario.floor.clientCpuMsPerCall, 2)} (${scenario.floor.op})`,
    ]),
  );
  const components = [...new Set(scenarios.flatMap((scenario) => [...scenario.profileMsPerRequest.keys()]))]
    .map((name) => ({ name, max: Math.max(...scenarios.map((scenario) => scenario.profileMsPerRequest.get(name) ?? 0)) }))
    .sort((a, b) => b.max - a.max)
    .map(({ name }) => name);
  const total = (scenario: ScenarioReport) => [...scenario.profileMsPerRequest.values()].reduce((sum, ms) => sum + ms, 0);
  const profile = table(
    ['Stack main-thread CPU per request (ms)', ...scenarios.map((scenario) => scenario.name)],
    ['---', ...scenarios.map(() => '--:')],
    [
      ...components.map((name) => [name, ...scenarios.map((scenario) => fixed(scenario.profileMsPerRequest.get(name) ?? 0, 3))]),
      ['**total**', ...scenarios.map((scenario) => `**${fixed(total(scenario), 3)}**`)],
    ],
  );

  return `## 2. API on the embedded stack

${settings.connections} concurrent connections, ${settings.seconds} s per scenario after a ${settings.warmupSeconds} s warm-up,
${settings.seedCustomers} customers created first (GETs cycle over them). Latency is as autocannon saw
each response; the floor is the same number of raw calls at the same concurrency.

${main}

Per request, measured from the outside of the stack process: the DynamoDB calls its SDK made
(counted with a preloaded diagnostics-channel hook, by operation and HTTP status), the time
inside the server (its own request log), and its CPU time (user + system, all threads, from
\`/proc\`). The last column is the CPU per raw floor call of the same stack process (only
dynalite works in it then) and of the floor's client process (the SDK's share).

${perRequest}

A separate pass (same scenarios, ${settings.profileSeconds} s each, stack run with \`--cpu-prof\`) splits the stack's
main-thread CPU by component. Each sample counts to the innermost frame that belongs to a
package or to the service; Node's own frames (sockets, HTTP parsing, streams) count to their
caller when there is one. Work on libuv's thread pool (ECDSA verification, LevelDB) is not in it.

${profile}
`;
}

// ---- what the numbers say ------------------------------------------------------------------

function coldFindings(cold: ColdStartReport): string[] {
  const { floor } = cold;
  const lines: string[] = [];
  const floorSplit = apportioned(floor);
  for (const bundle of cold.bundles) {
    if (bundle.error) {
      lines.push(`- **${bundle.name}**: no numbers this run, ${bundle.error}.`);
      continue;
    }
    const ratio = coldRatio(bundle, floor);
    const extra = bundle.median - floor.median;
    const split = apportioned(bundle);
    const deltas = [...split]
      .map(([bucket, ms]) => ({ bucket, ms: ms - (floorSplit.get(bucket) ?? 0) }))
      .filter(({ ms }) => ms >= 1)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 4)
      .map(({ bucket, ms }) => `${bucket} +${fixed(ms)} ms`);
    const heavy = [...bundle.bytesByPackage]
      .filter(([name]) => !/^@(aws-sdk|smithy|aws-crypto)\//.test(name) && (floor.bytesByPackage.get(name) ?? 0) === 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, bytes]) => `${name} ${kb(bytes)} KB`);
    lines.push(
      ratio <= coldTarget
        ? `- **${bundle.name}**: target met, ${fixed(ratio, 2)}× the floor (${fixed(bundle.median)} vs ${fixed(floor.median)} ms).`
        : `- **${bundle.name}**: target missed, ${fixed(ratio, 2)}× the floor: ${fixed(bundle.median)} vs ${fixed(floor.median)} ms, ` +
            `${fixed(extra)} ms more. The bundle is ${kb(bundle.bundleBytes)} KB against the floor's ${kb(floor.bundleBytes)} KB; ` +
            `the extra time is mostly ${deltas.join(', ')}. Beyond the SDK it carries ${heavy.join(', ')}.`,
    );
  }
  const locales = Math.max(0, ...cold.bundles.map((bundle) => bundle.bytesByPackage.get('zod/v4/locales') ?? 0));
  if (locales > 0) {
    lines.push(
      `- zod's locales (${kb(locales)} KB; no handler uses them) are in every bundle that uses zod: \`import { z } from 'zod'\` ` +
        "hands esbuild zod's whole namespace object, which it cannot tree-shake; \`import * as z from 'zod'\` lets it drop what is unused.",
    );
  }
  return lines;
}

/** The three largest components of a CPU split, e.g. `AWS SDK 1.56, dynalite 0.62, ...`. */
function largest(split: ReadonlyMap<string, number>): string {
  return [...split]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, ms]) => `${name} ${fixed(ms, 2)}`)
    .join(', ');
}

function apiFindings(api: ApiReport): string[] {
  const lines: string[] = [];
  for (const scenario of api.scenarios) {
    const { api: result, floor } = scenario;
    const ratio = apiRatio(scenario);
    const errors = result.errors === 0 ? 'no errors' : `${result.errors} errors (${JSON.stringify(result.statuses)})`;
    lines.push(
      `- **${scenario.name}**: target ${apiMet(scenario) ? 'met' : 'missed'}: p99 ${fixed(result.latencyMs.p99)} ms against the floor's ` +
        `${fixed(floor.latencyMs.p99)} ms (${fixed(ratio, 2)}×), ${errors}, ${fixed(result.requestsPerSecond, 0)} req/s against ` +
        `${fixed(floor.callsPerSecond, 0)} raw ${floor.op} calls/s. The stack spends ${fixed(result.serverCpuMsPerRequest, 2)} ms CPU per request ` +
        `against ${fixed(floor.serverCpuMsPerCall, 2)} ms per raw call.`,
    );
  }
  const [asIs, settled, post] = api.scenarios;
  const failedCalls = (scenario: ScenarioReport | undefined) =>
    Object.entries(scenario?.api.dynamoCallsPerRequest ?? {})
      .filter(([call]) => !call.endsWith(' 200'))
      .reduce((sum, [, perRequest]) => sum + perRequest, 0);
  if (asIs && settled && failedCalls(asIs) > 0.5) {
    lines.push(
      `- The plain GET makes ${callsText(asIs.api.dynamoCallsPerRequest)} DynamoDB calls per request here, not the one GetItem it makes on ` +
        'DynamoDB. The repository clears a record\'s `pendingLog` with `ConditionExpression: pendingLog = :entries`; dynalite compares ' +
        'lists element by element with `indexOf` (object identity), so that condition never holds on the embedded stack, the entry ' +
        'stays, and every read of the customer retries the flush: a conditional PutItem of the log entry and the UpdateItem, both ' +
        'failing with ConditionalCheckFailedException, which the SDK turns into exceptions at a measurable CPU cost. With the ' +
        `entries removed (the second row, the state DynamoDB would have) the same GET does ${fixed(settled.api.requestsPerSecond, 0)} req/s ` +
        `instead of ${fixed(asIs.api.requestsPerSecond, 0)}, with p99 ${fixed(settled.api.latencyMs.p99)} ms (${fixed(apiRatio(settled), 2)}× the floor).`,
    );
  }
  if (post) {
    const failsHere = failedCalls(post) > 0.5 ? ' (the last one fails here for the reason above)' : '';
    lines.push(
      `- POST makes ${callsText(post.api.dynamoCallsPerRequest)} DynamoDB calls per request here${failsHere}; on DynamoDB: ` +
        `${post.dynamoCallsByCode}. Four writes in sequence against a floor of one: with no other overhead at all, an unloaded ` +
        'POST still waits for four round trips, so 1.5× one PutItem is out of reach by design; a budget for this endpoint ' +
        `needs a four-call floor. Under load the stack spends ${fixed(post.api.serverCpuMsPerRequest, 2)} ms CPU per POST against ` +
        `${fixed(post.floor.serverCpuMsPerCall, 2)} ms per raw PutItem.`,
    );
  }
  const saturatedFloors = [...new Map(api.scenarios.map((scenario) => [scenario.floor.op, scenario.floor])).values()].filter(
    (floor) => (floor.clientCpuMsPerCall * floor.callsPerSecond) / 1000 > 0.8,
  );
  if (saturatedFloors.length > 0) {
    const cores = (msPerCall: number, perSecond: number) => `${fixed((msPerCall * perSecond) / 1000, 2)} cores`;
    lines.push(
      '- The floor is limited by its own client, not by dynalite: ' +
        saturatedFloors
          .map(
            (floor) =>
              `${floor.op}'s client process used ${cores(floor.clientCpuMsPerCall, floor.callsPerSecond)} ` +
              `(${fixed(floor.clientCpuMsPerCall, 2)} ms CPU per call), dynalite ${cores(floor.serverCpuMsPerCall, floor.callsPerSecond)}`,
          )
          .join('; ') +
        '. So the floor is what one SDK client process can drive at this concurrency, and a ratio below 1 means ' +
        'the stack kept pace with it, not that the API beats DynamoDB.',
    );
  }
  const littles = api.scenarios.map(
    (scenario) => `${scenario.name}: ${fixed((api.settings.connections / scenario.api.requestsPerSecond) * 1000)} ms expected, p50 ${fixed(scenario.api.latencyMs.p50)} ms`,
  );
  lines.push(
    `- With ${api.settings.connections} connections always busy, latency is connections ÷ throughput (Little's law): ${littles.join('; ')}. ` +
      'So latency here is queueing behind one saturated event loop, and the p99 ratio is in effect a ratio of CPU per request: ' +
      'the stack process runs the HTTP server, the JWT check, the handler, its SDK client and dynalite on one thread, while in the ' +
      'floor that process runs dynalite alone and the SDK client sits in another process. Where that CPU goes (profile, ms per ' +
        `request): ${api.scenarios.map((scenario) => `${scenario.name}: ${largest(scenario.profileMsPerRequest)}`).join('; ')}.`,
  );
  return lines;
}

const sectionTitles: Record<SectionKey, string> = {
  'cold-start': '1. Cold start per Lambda bundle',
  api: '2. API on the embedded stack',
  alerts: '3. Outage alerts',
  billing: '4. Billing and payments',
  dunning: '5. Dunning',
};

/** A section that could not be measured, or not rendered: why, in a few lines. */
function failure(key: SectionKey, error: Error): string {
  const [summary, ...details] = error.message.split('\n');
  const shown = details.filter((line) => line.trim() !== '').slice(0, 12);
  return `## ${sectionTitles[key]}

No numbers this run: ${summary}
${shown.length > 0 ? `\n\`\`\`\n${shown.join('\n')}\n\`\`\`\n` : ''}`;
}

/** Renders one section; a result an older bench stored, that this code cannot read, is said so. */
function guarded(key: SectionKey, render: () => string): string {
  try {
    return render();
  } catch (error) {
    return failure(key, new Error(`the stored result could not be rendered (${(error as Error).message}); run \`npm run bench -- --only ${key}\`.`));
  }
}

function provenance(key: SectionKey, machine: MachineFacts, section: Measured<unknown> | undefined): string {
  if (!section) return `- ${sectionTitles[key]}: not measured (run \`npm run bench -- --only ${key}\`).`;
  const when = machine.measured.includes(key) ? 'this run' : `an earlier run, ${section.measuredAt}`;
  return `- ${sectionTitles[key]}: ${when}, ${fixed(section.seconds, 0)} s.`;
}

export function renderReport(machine: MachineFacts, sections: Sections, billingSizes: BillingSizes): string {
  const load = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  const cold = sections['cold-start']?.value;
  const api = sections.api?.value;
  const alerts = sections.alerts?.value;
  const billing = sections.billing?.value;
  const only = machine.measured.length < sectionKeys.length ? ` (\`--only ${machine.measured.join(',')}\`)` : '';
  const body: string[] = [];
  if (cold) body.push(guarded('cold-start', () => coldStartSection(cold)));
  if (api) body.push(api instanceof Error ? apiFailure(api) : guarded('api', () => apiSection(api)));
  if (alerts) body.push(alerts instanceof Error ? failure('alerts', alerts) : guarded('alerts', () => alertsSection(alerts)));
  if (billing) body.push(billing instanceof Error ? failure('billing', billing) : guarded('billing', () => billingSection(billing, billingSizes, sections.billing?.seconds)));
  const dunning = sections.dunning?.value;
  if (dunning) body.push(dunning instanceof Error ? failure('dunning', dunning) : guarded('dunning', () => dunningSection(dunning)));

  const findings: string[] = [];
  if (cold) {
    findings.push(`Cold start (target: median init ≤ ${coldTarget}× the floor):\n\n${guarded('cold-start', () => coldFindings(cold).join('\n'))}`);
  }
  if (api) {
    findings.push(
      `API (target: p99 ≤ ${apiTarget}× the floor's, zero errors):\n\n${api instanceof Error ? '- No API numbers this run (section 2 says why).' : guarded('api', () => apiFindings(api).join('\n'))}`,
    );
  }
  if (alerts) {
    findings.push(
      `Outage alerts (recipient resolution beside its floor; sending: the achieved rate within ±5 % of the pace, no duplicates):\n\n${
        alerts instanceof Error ? '- No alert numbers this run (section 3 says why).' : guarded('alerts', () => alertsFindings(alerts).join('\n'))
      }`,
    );
  }
  if (billing) {
    findings.push(
      `Billing and payments (the run and the import beside their floors; a second import books nothing):\n\n${
        billing instanceof Error ? '- No billing numbers this run (section 4 says why).' : guarded('billing', () => billingFindings(billing, billingSizes, sections.billing?.seconds).join('\n'))
      }`,
    );
  }

  if (dunning) {
    findings.push(`Dunning (transitions per path, the monthly cost, many cases moved one month beside two floors):\n\n${
      dunning instanceof Error ? '- No dunning numbers this run (section 5 says why).' : guarded('dunning', () => dunningFindings(dunning).join('\n'))
    }`);
  }

  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${machine.date}; every run overwrites this file.
The bench reports only: no number here fails a build. \`npm run bench -- --only alerts,billing\` measures
some sections (${sectionKeys.join(', ')}) and keeps the others' last results (bench/.out/results).

- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${fixed(machine.memoryGb, 0)} GB, ${machine.os}
- Node.js ${machine.node} (the \`node\` devDependency)
- Load average (1/5/15 min) at start ${load(machine.loadBefore)}, at end ${load(machine.loadAfter)}; this run${only} took ${fixed(machine.benchSeconds, 0)} s.
  Other processes on the machine show up in these numbers; compare ratios, not absolute times.
${sectionKeys.map((key) => provenance(key, machine, sections[key])).join('\n')}

## Method

**Cold start.** Each route group's \`entry\` (lambdas/http/routes.ts) is bundled with esbuild
as CDK's NodejsFunction bundles it for ServiceFunction (lib/constructs/service-function.ts):
ESM, minified, linked source map without sources content, platform node, target node22,
main fields module,main, the require banner, the AWS SDK bundled. The floor
(bench/floor-handler.ts) creates only the same SDK clients at module scope and exports a
trivial handler. Each bundle is imported by fresh \`node\` processes running
bench/init-runner.mjs, which times \`await import(bundle)\` with \`performance.now()\`. The
environment is what the handlers read at module init (bench/lambda-env.ts), with
\`NODE_OPTIONS=--enable-source-maps\` as ServiceFunction sets it. This is module init only:
Lambda's runtime bootstrap and the download of the code are not in it, and Lambda runs arm64.

**API.** The embedded stack runs as a child process (\`node --import tsx local/main.ts\`, free
ports, a temporary data folder), so autocannon, in the bench's process, does not share its
event loop. Tokens are dev tokens (\`role: agent\`) signed with the stack's key. POST bodies are
\`swedishPerson()\` (test/integration/support.ts), each with a fresh personnummer with a valid
Luhn digit, checked with \`parseNationalId\`. The floor runs raw \`GetItem\` / \`PutItem\` calls
(SDK DynamoDBClient, a consistent read / a conditional put of a customer-sized item) from
another child process (bench/floor-dynamo.ts) against the stack's DynamoDB, with a promise pool
of the same concurrency, timing each call with \`performance.now()\`. Percentiles are nearest-rank.
The machine has ${machine.cores} cores for the load generator, the stack and anything else running.

${useCaseMethod}

${body.join('\n')}
## What the numbers say

${findings.join('\n\n')}

What the embedded stack and dynalite cannot say: API Gateway, Lambda and DynamoDB run on separate
machines in AWS, with network round trips of a few milliseconds each instead of a shared CPU.
These numbers rank costs inside the service; they do not predict latency in AWS. Capacity units
are DynamoDB's own measure and carry over; times do not.
`;
}
