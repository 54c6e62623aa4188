/**
 * BENCHMARKS.md section 5 (dunning): transitions per path, the monthly AWS cost per 10,000
 * customers computed from the counted calls, many open cases moved one month against two
 * floors, and what the numbers say. The cost model is here (pure functions of the stored
 * result), so a stored result renders with the assumptions it was measured with.
 */
import type { CountryAssumptions, DunningResult, Prices } from './dunning.js';
import type { ExperimentResult, MovePhase, PathResult, PathsResult, ScaleResult, ScanRecord } from './dunning-driver.js';
import { DynamoMeter, type CallStats, type MeterSnapshot } from './dynamo-meter.js';
import { amount, count, seconds, table, times } from './markdown.js';
import { fixed } from './stats.js';
import { functionSettings } from '../lib/function-settings.js';
import { defaultReleaseConcurrency } from '../local/workflows/runner.js';

/** The overdue scan function's timeout (lib/function-settings.ts, what the CDK construct deploys). */
function scanTimeoutMinutes(): number {
  return functionSettings.overdueScan.timeoutSeconds / 60;
}

const code = (label: string) => `\`${label}\``;
const usd = (value: number) => (value >= 1 ? `$${value.toFixed(2)}` : value >= 0.01 ? `$${value.toFixed(3)}` : `$${value.toFixed(4)}`);
const percent = (fraction: number, digits = 0) => `${(fraction * 100).toFixed(digits)} %`;
const sumOf = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0);
const wru = (stats: CallStats) => stats.wcuTable + stats.wcuIndex;
const mb = (value: number) => `${value.toFixed(0)} MB`;

/** What each call is, by the meter's label. */
const described: Readonly<Record<string, string>> = {
  'GetItem DCASE#·CASE': 'the case, read (consistent) before every change and by every task',
  'GetItem INV#·INVOICE': 'the invoice, read again (consistent) before every action',
  'PutItem DCASE#·CASE (conditional)': 'the case written whole (conditional on its version), with its two index entries (gsi1 by status, gsi2 by opening)',
  'UpdateItem INV#·INVOICE (conditional)': "the invoice marked dunned: it leaves the scan's index partition (gsi3)",
  'GetItem CUS#·PROFILE': 'the customer: a consumer? (social services are told with the letter that states the cut)',
  'Query CUS#·FAC#': "the customer's facilities: the property type, for the guards",
  'GetItem LEDGER·PAYMENT_FILES': 'the day the last bank file was booked (booking-delay guard, R-SE-13 / R-FI-10)',
  'PutItem WO#·WORKORDER (conditional)': 'the disconnection work order, with its two index entries',
  'PutItem CUS#·DUNFEE# (conditional)': 'the reminder fee (Finland, 5.00 EUR, R-FI-5)',
  'Query gsi3 OPEN_INVOICES·range': 'open invoices due before today that have no case (gsi3)',
  'Query gsi1 DCASES#': 'disconnected cases, to close the ones paid since (gsi1)',
  'BatchWriteItem EXEC#·META': 'a save: the execution record and, in the same call, the history events recorded since the last save (before each task, when it waits, when it ends)',
  'PutItem EXEC#·EVENT#': 'one history event of the execution (the runner before its saves were batched)',
  'PutItem EXEC#·META': 'the whole execution record, written after every event (the runner before its saves were batched)',
  'GetItem EXEC#·META': 'the execution record, when an execution starts (is the name taken?)',
};

// ---- counting per path --------------------------------------------------------------------------

export interface PathCount {
  readonly key: string;
  readonly label: string;
  readonly executions: number;
  readonly transitions: number;
  readonly retries: number;
  readonly invocations: number;
  readonly calls: CallStats;
  readonly localMs: number;
  readonly runnerCalls: number;
  readonly historyBytes: number;
  readonly stages: string;
  readonly ends: string;
}

export function countPath(path: PathResult): PathCount {
  const history = path.history;
  const calls = DynamoMeter.total(path.taskCalls);
  const invocations = history?.byType.TaskScheduled ?? 0;
  const stages = path.completed.length > 0 ? path.completed.map(([stage, on]) => `${stage} ${on.slice(5)}`).join(', ') : '—';
  const ends =
    path.executions === 0
      ? 'no execution (never overdue)'
      : `${path.caseStatus ?? '?'}${path.workOrders > 0 ? `, ${path.workOrders} work order` : ''} (${path.executionStatus?.toLowerCase() ?? '?'})`;
  return {
    key: path.plan.key,
    label: path.plan.label,
    executions: path.executions,
    transitions: (history?.stateEntered ?? 0) + (history?.retries ?? 0),
    retries: history?.retries ?? 0,
    invocations,
    calls,
    localMs: sumOf(Object.values(path.taskMs).flat()),
    runnerCalls: DynamoMeter.total(path.runnerCalls).calls,
    historyBytes: history?.bytes ?? 0,
    stages,
    ends,
  };
}

// ---- the cost model -----------------------------------------------------------------------------

export interface Usage {
  transitions: number;
  requests: number;
  gbSeconds: number;
  rru: number;
  wru: number;
}

const emptyUsage = (): Usage => ({ transitions: 0, requests: 0, gbSeconds: 0, rru: 0, wru: 0 });

export interface Dollars {
  readonly stepFunctions: number;
  readonly lambda: number;
  readonly dynamo: number;
  readonly total: number;
}

export function dollars(usage: Usage, prices: Prices): Dollars {
  const stepFunctions = (usage.transitions / 1000) * prices.stepFunctionsPer1000Transitions;
  const lambda = (usage.requests / 1e6) * prices.lambdaPerMillionRequests + usage.gbSeconds * prices.lambdaPerGbSecond;
  const dynamo = (usage.rru / 1e6) * prices.dynamoPerMillionRru + (usage.wru / 1e6) * prices.dynamoPerMillionWru;
  return { stepFunctions, lambda, dynamo, total: stepFunctions + lambda + dynamo };
}

/** Billed Lambda time of a path: its measured local time, or its DynamoDB calls one after another at a round trip each, whichever is longer. */
const billedMs = (path: PathCount, roundTripMs: number) => Math.max(path.localMs, path.calls.calls * roundTripMs);

export interface ScanModel {
  /** Per scan with nothing overdue and no disconnected case. */
  readonly baseRru: number;
  readonly baseCalls: number;
  /** Per newly overdue invoice (the scan's Query reads its index entry). */
  readonly perInvoiceRru: number;
  /** Per disconnected case, per scan (its invoice read again). */
  readonly perDisconnectedRru: number;
  readonly perDisconnectedCalls: number;
  readonly scansSeen: number;
}

export function scanModel(paths: PathsResult, scale: ScaleResult): ScanModel {
  const rruOf = (scan: ScanRecord) => DynamoMeter.total(scan.calls).rcu;
  const callsOf = (scan: ScanRecord) => DynamoMeter.total(scan.calls).calls;
  const idle = paths.scans.filter((scan) => scan.result.started === 0 && scan.disconnected === 0 && scan.result.reconnected === 0);
  const baseRru = idle.length > 0 ? sumOf(idle.map(rruOf)) / idle.length : 1;
  const baseCalls = idle.length > 0 ? sumOf(idle.map(callsOf)) / idle.length : 2;
  const withDisconnected = paths.scans.filter((scan) => scan.disconnected > 0 && scan.result.started === 0);
  const perDisconnectedRru = withDisconnected.length > 0 ? sumOf(withDisconnected.map((scan) => (rruOf(scan) - baseRru) / scan.disconnected)) / withDisconnected.length : 0;
  const perDisconnectedCalls = withDisconnected.length > 0 ? sumOf(withDisconnected.map((scan) => (callsOf(scan) - baseCalls) / scan.disconnected)) / withDisconnected.length : 0;
  const start = scale.start.scan;
  const perInvoiceRru = start && start.result.started > 0 ? (rruOf(start) - baseRru) / start.result.started : 0;
  return { baseRru, baseCalls, perInvoiceRru, perDisconnectedRru, perDisconnectedCalls, scansSeen: paths.scans.length };
}

export interface CostLine {
  readonly name: string;
  readonly perMonth: number;
  readonly unit: string;
  readonly usage: Usage;
  readonly dollars: Dollars;
  readonly transitionsEach?: number;
}

export interface CountryCost {
  readonly assumptions: CountryAssumptions;
  readonly invoices: number;
  readonly overdue: number;
  readonly lines: CostLine[];
  readonly total: Dollars;
  readonly usage: Usage;
  /** The total at other overdue shares (everything but the scan's fixed part scales with it). */
  readonly sensitivity: { share: number; total: number }[];
  readonly disconnectedPool: number;
}

const scansPerMonth = 365 / 12;

export function countryCost(result: DunningResult, paths: PathsResult, assumptions: CountryAssumptions, overdueShare = assumptions.overdueShare): CountryCost {
  const { cost } = result.settings;
  const { prices } = cost;
  const invoices = cost.customers * assumptions.invoicesPerCustomerMonth;
  const overdue = invoices * overdueShare;
  const counted = new Map(paths.paths.map((path) => [path.plan.key, countPath(path)]));
  const lines: CostLine[] = [];
  const onTime = counted.get('on-time');
  if (onTime) {
    lines.push({ name: onTime.label, perMonth: invoices - overdue, unit: 'invoices', usage: emptyUsage(), dollars: dollars(emptyUsage(), prices), transitionsEach: onTime.transitions });
  }
  for (const [key, share] of Object.entries(assumptions.funnel)) {
    const path = counted.get(key);
    if (!path) continue;
    const cases = overdue * share;
    const usage: Usage = {
      transitions: cases * path.transitions,
      requests: cases * path.invocations,
      gbSeconds: (cases * billedMs(path, cost.roundTripMs) * cost.taskMemoryMb) / 1024 / 1000,
      rru: cases * path.calls.rcu,
      wru: cases * wru(path.calls),
    };
    lines.push({ name: `${path.label} (${percent(share)} of the overdue)`, perMonth: cases, unit: 'cases', usage, dollars: dollars(usage, prices), transitionsEach: path.transitions });
  }
  const model = scanModel(paths, result.scale);
  const disconnectedPool = overdue * (assumptions.funnel.full ?? 0) * assumptions.disconnectedMonths;
  const scanMs = scansPerMonth * (model.baseCalls * cost.roundTripMs + disconnectedPool * model.perDisconnectedCalls * cost.roundTripMs) + overdue * cost.startExecutionMs;
  const scanUsage: Usage = {
    transitions: 0,
    requests: scansPerMonth,
    gbSeconds: (scanMs * cost.scanMemoryMb) / 1024 / 1000,
    rru: scansPerMonth * (model.baseRru + disconnectedPool * model.perDisconnectedRru) + overdue * model.perInvoiceRru,
    wru: 0,
  };
  lines.push({ name: `the daily overdue scan (${fixed(scansPerMonth, 1)} a month; ${count(disconnectedPool)} disconnected cases in its list)`, perMonth: scansPerMonth, unit: 'runs', usage: scanUsage, dollars: dollars(scanUsage, prices) });
  const usage = lines.reduce<Usage>(
    (sum, line) => ({
      transitions: sum.transitions + line.usage.transitions,
      requests: sum.requests + line.usage.requests,
      gbSeconds: sum.gbSeconds + line.usage.gbSeconds,
      rru: sum.rru + line.usage.rru,
      wru: sum.wru + line.usage.wru,
    }),
    emptyUsage(),
  );
  const total = dollars(usage, prices);
  const sensitivity = overdueShare === assumptions.overdueShare ? [0.02, 0.1].map((share) => ({ share, total: countryCost(result, paths, assumptions, share).total.total })) : [];
  return { assumptions, invoices, overdue, lines, total, usage, sensitivity, disconnectedPool };
}

// ---- tables ---------------------------------------------------------------------------------

function pathTable(paths: PathsResult): string {
  const rows = paths.paths.map((path) => {
    const c = countPath(path);
    return [
      c.label,
      c.stages,
      c.ends,
      String(c.executions),
      `**${count(c.transitions)}**${c.retries > 0 ? ` (${c.retries} retries)` : ''}`,
      count(c.invocations),
      count(c.calls.calls),
      amount(c.calls.rcu, 1),
      `${amount(c.calls.wcuTable, 0)} + ${amount(c.calls.wcuIndex, 0)}`,
      fixed(c.localMs, 0),
      count(c.runnerCalls),
    ];
  });
  return table(
    ['Path', 'Stages taken (date)', 'Ends', 'Executions', 'State transitions', 'Lambda invocations', 'DynamoDB calls (task function)', 'RRU', 'WRU, table + indexes', 'Task time here (ms)', "Runner's store calls (local only)"],
    ['---', '---', '---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
    rows,
  );
}

function callTable(columns: { name: string; calls: MeterSnapshot }[]): string {
  const labels = [...new Set(columns.flatMap((column) => Object.keys(column.calls)))].sort(
    (a, b) => Math.max(...columns.map((c) => c.calls[b]?.calls ?? 0)) - Math.max(...columns.map((c) => c.calls[a]?.calls ?? 0)),
  );
  const cell = (stats: CallStats | undefined) => (stats ? [count(stats.calls), amount(stats.rcu, 1), `${amount(stats.wcuTable, 0)} + ${amount(stats.wcuIndex, 0)}`] : ['', '', '']);
  const rows = labels.map((label) => [code(label), described[label] ?? '', ...columns.flatMap((column) => cell(column.calls[label]))]);
  rows.push(['**all**', '', ...columns.flatMap((column) => cell(DynamoMeter.total(column.calls)).map((value) => `**${value}**`))]);
  return table(
    ['Call', 'What it reads or writes', ...columns.flatMap((column) => [`Calls (${column.name})`, `RRU (${column.name})`, `WRU, table + indexes (${column.name})`])],
    ['---', '---', ...columns.flatMap(() => ['--:', '--:', '--:'])],
    rows,
  );
}

function costTable(cost: CountryCost): string {
  const rows = cost.lines.map((line) => [
    line.name,
    `${amount(line.perMonth, line.perMonth < 100 ? 1 : 0)} ${line.unit}`,
    line.transitionsEach === undefined ? '' : count(line.transitionsEach),
    count(line.usage.transitions),
    amount(line.usage.requests, 0),
    amount(line.usage.gbSeconds, 1),
    amount(line.usage.rru, 0),
    amount(line.usage.wru, 0),
    usd(line.dollars.stepFunctions),
    usd(line.dollars.lambda),
    usd(line.dollars.dynamo),
    `**${usd(line.dollars.total)}**`,
  ]);
  rows.push([
    '**a month, per 10,000 customers**', '', '',
    `**${count(cost.usage.transitions)}**`, `**${amount(cost.usage.requests, 0)}**`, `**${amount(cost.usage.gbSeconds, 1)}**`, `**${amount(cost.usage.rru, 0)}**`, `**${amount(cost.usage.wru, 0)}**`,
    `**${usd(cost.total.stepFunctions)}**`, `**${usd(cost.total.lambda)}**`, `**${usd(cost.total.dynamo)}**`, `**${usd(cost.total.total)}**`,
  ]);
  return table(
    ['', 'A month', 'Transitions each', 'State transitions', 'Lambda requests', 'Lambda GB-s', 'RRU', 'WRU', 'Step Functions', 'Lambda', 'DynamoDB', 'Total'],
    ['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
    rows,
  );
}

const enteredOf = (events: Record<string, number>) => sumOf(Object.entries(events).filter(([type]) => type.endsWith('StateEntered')).map(([, n]) => n));
const invocationsOf = (phase: MovePhase) => sumOf(Object.values(phase.taskMs).map((list) => list.length));
const callsOf = (phase: MovePhase, component: string) => DynamoMeter.total(phase.calls[component] ?? {}).calls;
const peak = (phase: MovePhase, field: 'rssMb' | 'heapUsedMb') => Math.max(...phase.memory.map((sample) => sample[field]));

/** The move's waves: the stretch between two morning scans in which tasks ran (a step date). */
export function waves(scale: ScaleResult): { day: string; ms: number; entered: number; tasks: number }[] {
  const scans = scale.move.scans.filter((scan) => scan.atMs !== undefined && scan.enteredSoFar !== undefined);
  const out: { day: string; ms: number; entered: number; tasks: number }[] = [];
  for (let i = 1; i < scans.length; i++) {
    const before = scans[i - 1]!;
    const after = scans[i]!;
    const entered = after.enteredSoFar! - before.enteredSoFar!;
    if (entered === 0) continue;
    out.push({ day: before.at.slice(0, 10), ms: after.atMs! - before.atMs!, entered, tasks: (after.tasksSoFar ?? 0) - (before.tasksSoFar ?? 0) });
  }
  return out;
}

/** A case step: a released wait, i.e. ReReadDebt and then the step's own task (two invocations in the first month). */
const stepsOf = (phase: MovePhase) => phase.taskMs.ReReadDebt?.length ?? 0;
const perStep = (phase: MovePhase) => phase.wallMs / Math.max(1, stepsOf(phase));

function scaleRows(scale: ScaleResult, label: string, experiment?: ExperimentResult): string[][] {
  const { move, dynamoFloor, runnerFloor } = scale;
  const entered = enteredOf(move.events);
  const mainStep = perStep(move);
  const memory = (phase: MovePhase) => (phase.memory.length > 0 ? `${mb(peak(phase, 'rssMb'))} / ${mb(peak(phase, 'heapUsedMb'))}` : '');
  const rows: string[][] = [
    [
      `${label}: ONE \`POST /_local/clock {advance: "${scale.args.advance}"}\``, count(scale.args.cases),
      seconds(move.wallMs), count(entered), fixed((entered / move.wallMs) * 1000, 0), count(invocationsOf(move)), fixed(mainStep, 1),
      `${count(callsOf(move, 'task'))} + ${count(callsOf(move, 'runner'))}`, seconds(move.cpuMs), memory(move), '1.0×',
    ],
  ];
  if (dynamoFloor.pairs > 0) {
    const floorStep = dynamoFloor.wallMs / (dynamoFloor.pairs / 2);
    rows.push([
      `floor 1: ${count(dynamoFloor.pairs)} × (consistent GetItem + conditional PutItem of a ${amount(scale.caseItemBytes / 1024, 1)} KB case-sized item), one after another`, count(scale.args.cases),
      seconds(dynamoFloor.wallMs), '', '', '', fixed(floorStep, 1), `${count(DynamoMeter.total(dynamoFloor.calls).calls)} + 0`, seconds(dynamoFloor.cpuMs), '', times(mainStep / floorStep, 1),
    ]);
  }
  if (runnerFloor.executions > 0) {
    const floorEntered = enteredOf(runnerFloor.move.events);
    const floorStep = runnerFloor.move.wallMs / runnerFloor.executions;
    rows.push([
      'floor 2: the runner alone, a one-Wait ASL, every execution released by one clock move', count(runnerFloor.executions),
      seconds(runnerFloor.move.wallMs), count(floorEntered), fixed((floorEntered / runnerFloor.move.wallMs) * 1000, 0), '0', fixed(floorStep, 1),
      `0 + ${count(callsOf(runnerFloor.move, 'runner'))}`, seconds(runnerFloor.move.cpuMs), memory(runnerFloor.move), times(mainStep / floorStep, 1),
    ]);
  }
  if (experiment) {
    const experimentEntered = enteredOf(experiment.move.events);
    rows.push([
      "experiment: the same month on a second runner with local/workflows' InMemoryExecutionStore", count(experiment.args.cases),
      seconds(experiment.move.wallMs), count(experimentEntered), fixed((experimentEntered / experiment.move.wallMs) * 1000, 0), count(invocationsOf(experiment.move)),
      fixed(perStep(experiment.move), 1), `${count(callsOf(experiment.move, 'task'))} + 0`, seconds(experiment.move.cpuMs), memory(experiment.move), times(mainStep / perStep(experiment.move), 1),
    ]);
  }
  return rows;
}

const scaleHeader = ['', 'Cases', 'Wall (s)', 'States entered', 'States / s', 'Task invocations', 'ms per case step', 'DynamoDB calls: tasks + runner', 'CPU (s)', 'Peak RSS / heap', 'Move / this, per case step'];
const scaleAlign = ['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'];

function profileTable(profile: ScaleResult): string | undefined {
  if (!profile.profileMs) return undefined;
  const total = sumOf(Object.values(profile.profileMs));
  const steps = stepsOf(profile.move);
  const rows = Object.entries(profile.profileMs)
    .sort((a, b) => b[1] - a[1])
    .filter(([, ms]) => ms / total >= 0.005)
    .map(([name, ms]) => [name, seconds(ms), percent(ms / total, 1), fixed(ms / steps, 2)]);
  rows.push(['**all samples**', `**${seconds(total)}**`, '**100 %**', `**${fixed(total / steps, 2)}**`]);
  return table(['Main thread during the move (V8 profile)', 's', 'Share', 'ms per case step'], ['---', '--:', '--:', '--:'], rows);
}

// ---- the section ----------------------------------------------------------------------------

/** How many task retries the paths saw (they count as transitions). */
function retriesText(...countries: PathsResult[]): string {
  const retries = sumOf(countries.flatMap((paths) => paths.paths.map((path) => countPath(path).retries)));
  return retries === 0 ? 'none happened' : `${count(retries)} happened, counted in the tables`;
}

const labelOf = (paths: PathsResult, key: string) => paths.paths.find((path) => path.plan.key === key)?.plan.label ?? key;

export function dunningSection(result: DunningResult): string {
  const { settings, se, fi, scale, profile, full, experiment } = result;
  const prices = settings.cost.prices;
  const seFull = se.paths.find((path) => path.plan.key === 'full');
  const fiFull = fi.paths.find((path) => path.plan.key === 'full');
  const costs = settings.cost.countries.map((assumptions) => countryCost(result, assumptions.country === 'FI' ? fi : se, assumptions));
  const model = scanModel(se, scale);
  const wavesTable = waves(scale);
  const rows = scaleRows(scale, 'this run', experiment);
  if (full && full.value.args.cases > scale.args.cases) rows.push(...scaleRows(full.value, `${full.measuredAt.slice(0, 10)}, an earlier run at full size`));
  const profileSplit = profile ? profileTable(profile) : undefined;
  const atFull = scale.args.cases >= settings.issueCases;

  const size = atFull
    ? `Full size: the issue's ${count(settings.issueCases)} cases.`
    : `**Not full size**: ${count(scale.args.cases)} cases of the issue's ${count(settings.issueCases)} (${percent(scale.args.cases / settings.issueCases)}), ` +
      'as DUNNING_SCALE_CASES asked; ' +
      `this one took ${fixed(result.scaleSeconds / 60, 1)} min (the experiment and the profiled pass come on top). ` +
      `\`DUNNING_SCALE_CASES=${settings.issueCases} npm run bench -- --only dunning\` runs it at full size` +
      (full ? ` (the last such run is in the rows dated ${full.measuredAt.slice(0, 10)}, ${fixed(full.seconds / 60, 0)} min for the scenario).` : '.');

  const waveText =
    wavesTable.length > 0
      ? table(
          ['Wave (step date)', 'Wall (s)', 'States entered', 'Task invocations', 'Case steps / s'],
          ['---', '--:', '--:', '--:', '--:'],
          wavesTable.map((wave) => [wave.day, seconds(wave.ms), count(wave.entered), count(wave.tasks), fixed((wave.tasks / 2 / wave.ms) * 1000, 1)]),
        )
      : '';

  return `## 5. Dunning

**Method.** Each part runs the embedded stack in a child process of its own (bench/dunning-driver.ts), as \`npm start\`
runs it: dynalite on a temporary data folder, the dunning ASL (statemachines/dunning.asl.json) on
aws-local-stepfunctions through local/workflows/runner.ts with its waits on the local clock, the same task function
and overdue scan; the country (\`UTILITY_COUNTRY\` SE or FI) is in the process's environment, as in AWS. The bench
registers the dunning machine again with the same ASL and the same handler, wrapped only to time each invocation and to
mark its DynamoDB calls; the real-time minute schedule is stopped and the billing-run job replaced by a no-op, so the clock
moves only when the bench moves it. DynamoDB calls and capacity are counted by bench/dynamo-meter.ts (section 3 and 4's
rules) on every client the stack builds, by component (bench/dunning-meter.ts): the task function (per case), the overdue
scan, and the runner's own execution store (keys \`EXEC#\`), which exists only locally: in AWS, Step Functions keeps the
history and bills it as state transitions.

**Paths.** Each invoice is written as test/integration/dunning does (customer and facility through the API, the invoice
with \`insertInvoice\`). The clock then moves to 07:00 on every banking day (\`POST /_local/clock {set}\`: every due wait and
each morning's 06:00 scan on the way); that morning's payments are booked and a bank file is imported (\`POST
/v1/payment-files\`), so the ledger is current for the booking-delay guard as with Bankgirot's daily file (R-SE-13), until
every execution has ended and ${settings.se.extraDays} days more. **State transitions** are counted from each execution's history
(\`getExecutionHistory\`, AWS shapes) as Step Functions bills them, "each time a step of your workflow is executed ...
including retries": one per \`*StateEntered\` event (Task, Choice, Wait, Succeed), plus one per task retry (\`TaskScheduled\`
beyond \`TaskStateEntered\`; ${retriesText(se, fi)}). \`ExecutionStarted\` / \`ExecutionSucceeded\` are not counted; if AWS counted the
start and the end as transitions too, add 2 per execution. **Lambda invocations** are the Task states' \`TaskScheduled\`
events (the task function once each).

Sweden (Teknik i Väst): fiber, 399.00 SEK + VAT, due ${settings.se.paths[0]?.dueDate ?? ''}, paid at each point of the ladder or never:

${pathTable(se)}

Finland (Keuruun Vesi): water, 170.00 EUR (the R-FI-7 threshold: disconnection 5 weeks after reminder 1), due ${settings.fi.paths[0]?.dueDate ?? ''}:

${pathTable(fi)}

Every case, paid or not, ends its execution on the next step date after the payment (ReReadDebt → \`CasePaid\`). DynamoDB
calls of the task function over the whole never-paid ladder:

${callTable([
  ...(seFull ? [{ name: 'SE full ladder', calls: seFull.taskCalls }] : []),
  ...(fiFull ? [{ name: 'FI full ladder', calls: fiFull.taskCalls }] : []),
])}

The overdue scan (one a day in AWS; here at 06:00 and after every clock move, ${count(model.scansSeen)} runs in the Swedish
paths): ${amount(model.baseCalls, 1)} calls and ${amount(model.baseRru, 1)} RRU when nothing is overdue, ${amount(model.perInvoiceRru, 3)} RRU more per newly
overdue invoice (its gsi3 entry; measured on the scale run's first scan), and ${amount(model.perDisconnectedRru, 2)} RRU and
${amount(model.perDisconnectedCalls, 1)} calls more per disconnected case, every day, until the case is paid (its invoice is read again).

**Monthly AWS cost per ${count(settings.cost.customers)} customers**, at list prices, computed from the counts above:
cases a month × (transitions, invocations, task time, RRU and WRU of their path), plus the scan.

- Prices: ${prices.sources.join('; ')}.
- Lambda: the task function and the scan have ${settings.cost.taskMemoryMb} MB / ${settings.cost.scanMemoryMb} MB (lib/constructs/dunning-workflow.ts),
  arm64. A task's billed time is the larger of its time measured here (one case at a time) and its DynamoDB calls one after
  another at ${settings.cost.roundTripMs} ms a round trip; the scan's is ${settings.cost.roundTripMs} ms per call plus ${settings.cost.startExecutionMs} ms per StartExecution
  (an assumed API round trip). Cold starts are not in it.
- Overdue: ${settings.cost.overdueBasis}. Funnel: ${settings.cost.funnelBasis}.
${settings.cost.countries.map((c) => `- ${c.country} (${c.utility}): ${fixed(c.invoicesPerCustomerMonth, 2)} invoices per customer a month (${c.invoicesBasis}); of the overdue cases ${Object.entries(c.funnel).map(([key, share]) => `${percent(share)} ${labelOf(c.country === 'FI' ? fi : se, key)}`).join(', ')}; a disconnected case stays unpaid (in the scan's list) ${c.disconnectedMonths} months.`).join('\n')}
- Not in it: the runner's store (local only), CloudWatch Logs of the state machine (logging level ALL with execution data:
  the history above is ${seFull?.history ? amount(seFull.history.bytes / 1024, 0) : '?'} KB of JSON for the Swedish full ladder), X-Ray traces, the payment import.

${costs.map((c) => `${c.assumptions.country}, ${count(c.invoices)} invoices a month, ${count(c.overdue)} of them overdue:\n\n${costTable(c)}`).join('\n\n')}

**${count(scale.args.cases)} open cases, one month in one clock move.** ${size} ${count(scale.args.cases)} customers (one facility, water + sewage + waste),
and their open invoices (due ${scale.args.dueDate}, three lines) written with BatchWriteItem in ${seconds(scale.seed.wallMs)} s. At 05:00 the next
day the overdue scan is fired (\`POST /_local/schedules/overdue-scan/fire\`): ${count(scale.start.scan?.result.started ?? 0)} executions start and open their
cases (${seconds(scale.start.wallMs)} s until every one waits for its reminder date). Then ONE \`POST /_local/clock {advance: "${scale.args.advance}"}\`:
the stack's \`moveClockTo\` releases every due wait and runs each morning's scan on the way; the cases take their reminder,
collection and disconnection-letter steps (${Object.entries(scale.outcome.byStage).map(([stage, n]) => `${count(n)} ${stage}`).join(', ')} after the move).
Memory is the process's (the stack, dynalite, the runner, the bench), sampled every ${fixed(scale.args.sampleMs / 1000, 0)} s.
Floor 1 is the least DynamoDB work the tasks of the move must do: per task invocation, one consistent GetItem and one
conditional PutItem of a case-sized item (every task reads the case and writes it), one after another, in the same process
against the same dynalite, after the move (the move itself runs the executions due at one instant ${defaultReleaseConcurrency} at a time). Floor 2 is the runner without the
tasks: as many executions of a one-Wait ASL (Wait until a timestamp, then Succeed), all due at one time, released by one
clock move in the same stack after the move; it shows what the runner itself costs per execution step. The experiment
(its own process, the same cases and month, seeded the same way) runs the executions on a second LocalWorkflows with the
runner's InMemoryExecutionStore instead of the table, stepped through the month as \`moveClockTo\` steps it: the difference
is what the runner's persistence costs. "ms per case step" is the wall time per released wait (ReReadDebt, then the step's
task); the last column compares the move's with each row's, so rows of another size compare too.

${table(scaleHeader, scaleAlign, rows)}

${waveText}

${profileSplit ? `A separate, smaller pass (${count(profile!.args.cases)} cases, the same move, a V8 CPU profile of the stack's process at 1 ms) splits the main thread by component: the innermost frame of a package or of this repository decides; Node's own frames count to their caller. "idle" is the main thread waiting (LevelDB works on libuv's thread pool; up to ${defaultReleaseConcurrency} executions advance at once).\n\n${profileSplit}\n` : ''}
DynamoDB calls of the move by kind (all cases):

${callTable([
  { name: 'tasks', calls: scale.move.calls.task ?? {} },
  { name: 'runner (local only)', calls: scale.move.calls.runner ?? {} },
  { name: 'scan', calls: scale.move.calls.scan ?? {} },
])}
`;
}

// ---- what the numbers say ---------------------------------------------------------------------

export function dunningFindings(result: DunningResult): string[] {
  const { settings, se, fi, scale, profile, full } = result;
  const lines: string[] = [];
  const describePaths = (paths: PathsResult) =>
    paths.paths.map((path) => countPath(path)).map((c) => `${c.label} **${count(c.transitions)}**`).join(', ');
  lines.push(
    `- **State transitions per case**, Sweden: ${describePaths(se)}. Finland: ${describePaths(fi)}. A paid-on-time invoice starts no execution at all ` +
      '(the scan only reads open invoices past their due date); every other case costs 6 transitions per step taken plus its start and end, and the cut ' +
      'more (the guards, the booking-delay wait, the work order).',
  );

  const costs = settings.cost.countries.map((assumptions) => countryCost(result, assumptions.country === 'FI' ? fi : se, assumptions));
  for (const c of costs) {
    const parts = [
      ['Step Functions', c.total.stepFunctions],
      ['DynamoDB', c.total.dynamo],
      ['Lambda', c.total.lambda],
    ] as const;
    const largest = [...parts].sort((a, b) => b[1] - a[1])[0]!;
    lines.push(
      `- **Cost, ${c.assumptions.country}**: ${usd(c.total.total)} a month per ${count(settings.cost.customers)} customers at ${percent(c.assumptions.overdueShare)} overdue ` +
        `(${count(c.overdue)} cases a month): Step Functions ${usd(c.total.stepFunctions)}, DynamoDB ${usd(c.total.dynamo)}, Lambda ${usd(c.total.lambda)}; ` +
        `${percent(largest[1] / c.total.total)} of it is ${largest[0]}. ${c.sensitivity.map((s, i) => `${i === 0 ? 'At' : 'at'} ${percent(s.share)} overdue it is ${usd(s.total)}`).join(', ')}. ` +
        `Per overdue case: ${usd((c.total.total - (c.lines.at(-1)?.dollars.total ?? 0)) / Math.max(1, c.overdue))}; a year: ${usd(c.total.total * 12)}.`,
    );
  }

  const seFull = se.paths.find((path) => path.plan.key === 'full');
  if (seFull?.history) {
    const history = seFull.history;
    const choices = history.byType.ChoiceStateEntered ?? 0;
    lines.push(
      `- **Where the transitions go**: of the Swedish full ladder's ${count(history.stateEntered)} transitions, ${count(choices)} are Choice states ` +
        `(RouteNextStep, IsStillUnpaid, RouteAction, GuardVerdict), ${count(history.byType.TaskStateEntered ?? 0)} Task states and ${count(history.byType.WaitStateEntered ?? 0)} Wait states. ` +
        'Each step costs nine: Wait, ReReadDebt, IsStillUnpaid, RouteAction, the step, then NeedsLetters, CheckLetters and LettersOut (the next stage waits until ' +
        "the step's letters are handed over), and RouteNextStep. Step Functions is most of the cost, so a definition that routes " +
        'with fewer Choice states is the lever. What it would take to reach the targets (≤ 20, paid after the reminder ≤ 10): one Task per step that re-reads the debt, ' +
        "acts only while it is unpaid, checks its letters and returns where to go (ReReadDebt, IsStillUnpaid, RouteAction and the letter check folded into the step, a Wait only while letters are out), routed by RouteNextStep alone: three " +
        'transitions a step (Wait, the step, RouteNextStep), about 20 for the full ladder and 8 for paid after the reminder. Every Task\'s contract changes with it ' +
        '(statemachines/dunning.asl.json, lambdas/tasks), and the restart-mid-case tests with them; at these amounts (the cost lines above) it is not done in this round.',
    );
  }
  if (seFull) {
    const calls = DynamoMeter.total(seFull.taskCalls);
    const casePuts = seFull.taskCalls['PutItem DCASE#·CASE (conditional)'];
    if (casePuts && casePuts.calls > 0) {
      lines.push(
        `- **Writes**: over the Swedish full ladder the task function writes ${amount(wru(calls), 0)} WRU, ${percent(calls.wcuIndex / wru(calls))} of it index entries. ` +
          `The case is written whole at every change (${count(casePuts.calls)} times, ${fixed(casePuts.wcuTable / casePuts.calls, 1)} WRU on the table each: it carries ` +
          `its schedule, history and guard decisions, and grows with them), and both its index entries (gsi1, gsi2) project ALL, as every index of the table does, so each write is paid three times ` +
          `(${fixed(wru(casePuts) / casePuts.calls, 1)} WRU a write, twice when the next date moves its gsi1 entry). The case item's size and its index copies are what a case write costs; ` +
          'the amounts stay small (the cost table), but they grow with the history a case carries.',
      );
    }
  }

  const { move, dynamoFloor, runnerFloor } = scale;
  const experiment = result.experiment;
  const entered = enteredOf(move.events);
  const invocations = invocationsOf(move);
  const steps = stepsOf(move);
  const taskCalls = callsOf(move, 'task');
  const runnerCalls = callsOf(move, 'runner');
  const mainStep = perStep(move);
  const atFull = scale.args.cases >= settings.issueCases;
  const projection = (settings.issueCases / scale.args.cases) * move.wallMs;
  const fullMove = full && full.value.args.cases >= settings.issueCases ? full.value.move : undefined;
  lines.push(
    `- **One month in one clock move**: ${count(scale.args.cases)} cases, ${seconds(move.wallMs)} s (${fixed(move.wallMs / 60_000, 1)} min) for ${count(entered)} state transitions ` +
      `(${fixed((entered / move.wallMs) * 1000, 0)} a second) and ${count(invocations)} task invocations: ${fixed(mainStep, 0)} ms per case step (a released wait: ReReadDebt, then the step's task), ` +
      `up to ${defaultReleaseConcurrency} executions at a time. ` +
      (dynamoFloor.pairs > 0 ? `Floor 1 (the tasks' least DynamoDB work, one call after another) took ${seconds(dynamoFloor.wallMs)} s: the move is ${times(move.wallMs / dynamoFloor.wallMs, 1)} it. ` : '') +
      (runnerFloor.executions > 0 ? `Floor 2 (the runner with a one-Wait ASL) took ${fixed(runnerFloor.move.wallMs / runnerFloor.executions, 1)} ms per released wait: the move is ${times(mainStep / (runnerFloor.move.wallMs / runnerFloor.executions), 1)} it per case step. ` : '') +
      (atFull
        ? ''
        : fullMove
          ? `At the issue's ${count(settings.issueCases)} cases (measured ${full!.measuredAt.slice(0, 10)}): ${fixed(fullMove.wallMs / 60_000, 1)} min for the move, ${fixed(perStep(fullMove), 0)} ms per case step; at this run's rate ${fixed(projection / 60_000, 0)} min.`
          : `At this run's rate the issue's ${count(settings.issueCases)} cases would take about ${fixed(projection / 60_000, 0)} min for the move alone` +
            '.'),
  );
  const share = runnerCalls / Math.max(1, runnerCalls + taskCalls);
  const profileMs = profile?.profileMs;
  const profileTotal = profileMs ? sumOf(Object.values(profileMs)) : 0;
  const bucket = (prefix: string) => (profileMs ? sumOf(Object.entries(profileMs).filter(([name]) => name.startsWith(prefix)).map(([, ms]) => ms)) : 0);
  const saves = (move.calls.runner?.['BatchWriteItem EXEC#·META']?.calls ?? 0) / Math.max(1, steps);
  lines.push(
    `- **Where the move's time goes.** Per case step the runner makes ${fixed(runnerCalls / Math.max(1, steps), 1)} DynamoDB calls ` +
      `(${percent(share)} of the move's calls) against the task function's ${fixed(taskCalls / Math.max(1, steps), 1)}: local/workflows/runner.ts keeps the history events in memory ` +
      `as they happen and saves where a restart needs it, before each task runs, when the execution waits and when it ends, with one BatchWriteItem of the record ` +
      `and the events since the last save (${fixed(saves, 1)} saves a step). ` +
      (profileMs
        ? `In the profile the AWS SDK clients take ${percent(bucket('AWS SDK') / profileTotal)} of the main thread and dynalite ${percent(bucket('dynalite') / profileTotal)}; ` +
          `the runner's own code ${percent(bucket('runner: local/workflows') / profileTotal)}, aws-local-stepfunctions ${percent(bucket('runner: aws-local') / profileTotal)}, the dunning tasks, scan and handlers ${percent(bucket('service code') / profileTotal)}; ` +
          `${percent(bucket('idle') / profileTotal)} is idle. `
        : '') +
      `The executions whose waits are due at one instant advance ${defaultReleaseConcurrency} at a time (\`releaseConcurrency\`; on 300 cases at commit 3bb8fdf, 2026-11-23, 1 and 32 took 15.1 s and 11.0 s for the move against 11.1 s at 8); ` +
      `the stack's process used ${fixed(move.cpuMs / move.wallMs, 2)} cores on average during the move (CPU / wall), on a machine with 2: the main thread is busy, LevelDB has the rest. ` +
      (experiment
        ? `The same month on a runner with its in-memory store (the experiment row: ${count(experiment.args.cases)} cases, in a process of its own) takes ${fixed(perStep(experiment.move), 0)} ms per case step against ${fixed(mainStep, 0)} ` +
          `(${times(mainStep / perStep(experiment.move), 1)})` +
          (experiment.args.cases === scale.args.cases ? `: the runner's persistence costs ${percent(Math.max(0, 1 - perStep(experiment.move) / mainStep))} of the move. ` : `; with ${count(scale.args.cases)} cases open instead of ${count(experiment.args.cases)} the move also carries more executions, so ${percent(Math.max(0, 1 - perStep(experiment.move) / mainStep))} is an upper bound on what the persistence costs. `)
        : '') +
      'Before the saves were batched (BENCHMARKS.md of commit 7b96663, 100 cases) the runner wrote every event and then the whole record after it, 38 puts a step ' +
      'awaited in turn, and released due waits one execution at a time: 86 ms per case step, 13.8× floor 1, about 43 min projected for 10,000 cases.',
  );
  const rssPeak = peak(move, 'rssMb');
  const before = scale.start.memory[0];
  const heapPeak = peak(move, 'heapUsedMb');
  lines.push(
    `- **Memory**: the stack's process peaked at ${mb(rssPeak)} RSS and ${mb(heapPeak)} heap during the move with ${count(scale.args.cases)} executions open` +
      (before ? `, from ${mb(before.rssMb)} RSS and ${mb(before.heapUsedMb)} heap before they started` : '') +
      (before && scale.args.cases >= 1000 ? ` (about ${fixed(((heapPeak - before.heapUsedMb) * 1024) / scale.args.cases, 0)} KB of heap per open execution: the runner keeps each execution's runtime, its derived definition and a StateMachine of its own in memory, finished ones too, while dynalite's LevelDB is on disk and its cache outside the heap)` : '') +
      `; its maximum RSS over the scenario, floors included, was ${mb(scale.maxRssMb)}.`,
  );
  const timeout = scanTimeoutMinutes();
  lines.push(
    `- **The scan starts executions one at a time.** At ${settings.cost.startExecutionMs} ms a StartExecution call in AWS, ${count(settings.issueCases)} newly overdue invoices take ` +
      `${fixed((settings.issueCases * settings.cost.startExecutionMs) / 1000, 0)} s of the scan function's ${timeout}-minute timeout; about ${count((timeout * 60_000) / settings.cost.startExecutionMs)} a morning fit. ` +
      `Disconnected cases stay in its list until paid, and each costs a consistent read of its invoice every day.`,
  );
  lines.push(
    '- Not measured: the eu-north-1 prices of Lambda and DynamoDB (us-east-1 used), the share of invoices that go overdue and how far they get (assumptions above), ' +
      'CloudWatch Logs and X-Ray of the state machine. The local runner is not Step Functions: its times say what the embedded stack can do on this machine, not what AWS does; ' +
      'the transitions, invocations and capacity units carry over.',
  );
  return lines;
}
