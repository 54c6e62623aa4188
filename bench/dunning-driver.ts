/**
 * The dunning benchmark's driver (section 5), one process per run, started by bench/dunning.ts.
 * It runs the embedded stack in this process, as `npm start` does (dynalite on a temporary data
 * folder, the runner on aws-local-stepfunctions, the handlers), with the utility's country
 * from the environment (UTILITY_COUNTRY, UTILITY_ZONE). Before the stack starts, every
 * DynamoDB document client is metered by component (bench/dunning-meter.ts); after it starts,
 * the dunning machine is registered again with the same ASL and the same task function,
 * wrapped to time each invocation and to mark its DynamoDB calls as the task's, and the
 * overdue scan likewise. The real-time schedule (every minute) is stopped and the billing run
 * job replaced by a no-op: the clock moves only when the bench moves it, and no billing run
 * starts in the middle of a measurement.
 *
 * Modes:
 * - `paths`: each path's invoice is seeded as test/integration/dunning does (customer and
 *   facility through the API, the invoice with `insertInvoice`); then the clock moves to 07:00
 *   on every banking day, where the day's payments are booked and a bank file is imported
 *   (the ledger is current, R-FI-10 / R-SE-13), until every execution has ended. Per path: the
 *   execution history (AWS shapes), the task invocations and their time, DynamoDB calls of
 *   the task function and of the runner; per overdue scan: its calls.
 * - `scale`: N customers, facilities and open invoices written with BatchWriteItem, the
 *   overdue scan fired (N executions start), then ONE `POST /_local/clock {advance: "P1M"}`,
 *   timed, with memory sampled; then the floors (bench/dunning.ts explains them).
 * Prints a PathsResult or ScaleResult as JSON on stdout; progress lines on stderr.
 *
 *   node --import tsx bench/dunning-driver.ts '<DunningDriverArgs as JSON>'
 */
import { INDEX_SHARDS } from '../lambdas/adapters/dynamo/dunning-repository.js';
import { shardKeys } from '../lambdas/adapters/dynamo/shards.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Session } from 'node:inspector/promises';
import { getHeapStatistics } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ComponentMeters, installComponentMeters, type Component } from './dunning-meter.js';
import { bucketProfile, packageOf, runtimeBucket, type CallFrame } from './cpu-profile.js';
import { DynamoMeter, type MeterSnapshot } from './dynamo-meter.js';

// The meters must be in place before the stack builds its clients: everything of the product is imported below.
const args = JSON.parse(process.argv[2] ?? '{}') as DunningDriverArgs;
const meters = installComponentMeters(args.mode === 'paths');

const { startEmbeddedStack, localTableName, localRegion } = await import('../local/stack.js');
const { devKeys } = await import('../local/dev-auth.js');
const { dunningDefinitionFile, lambdaInvokeHandlers, localDunningDefinition } = await import('../local/workflows/definitions.js');
const { documentClient } = await import('../lambdas/adapters/dynamo/client.js');
const { batchPut } = await import('../lambdas/adapters/dynamo/batch.js');
const { DynamoBillingRepository } = await import('../lambdas/adapters/dynamo/billing-repository.js');
const { DynamoCustomerRepository } = await import('../lambdas/adapters/dynamo/customer-repository.js');
const { addDays, isBankingDay } = await import('../lambdas/domain/billing/calendar.js');
const { lineAmounts } = await import('../lambdas/domain/billing/money.js');
const { zonedTimeToUtc } = await import('../lambdas/domain/alerts/quiet-hours.js');
const { caseIdFor } = await import('../lambdas/domain/dunning/case.js');
const { LocalWorkflows, InMemoryExecutionStore } = await import('../local/workflows/runner.js');
const { overdueScanCron } = await import('../lambdas/domain/dunning/schedule.js');
const { Cron } = await import('croner');
const support = await import('../test/integration/dunning/support.js');
import type { Invoice, InvoiceLine } from '../lambdas/domain/billing/model.js';
import type { Customer, Facility } from '../lambdas/domain/customers/model.js';
import type { Service } from '../lambdas/domain/customers/schemas.js';

// ---- arguments and results -------------------------------------------------------------------

export interface PathPlan {
  readonly key: string;
  readonly label: string;
  readonly lines: { service: Service; net: number; vatRate?: number }[];
  readonly currency: 'SEK' | 'EUR';
  readonly dueDate: string;
  /** The local date the whole invoice is paid (booked before that morning's bank file); none: never. */
  readonly paidOn?: string;
  readonly propertyType?: 'owner_occupied' | 'rental' | 'business' | 'holiday_home';
}

export interface PathsArgs {
  readonly mode: 'paths';
  readonly country: 'SE' | 'FI';
  readonly zone: string;
  /** The local date the clock starts on (the invoices are seeded then). */
  readonly start: string;
  /** The first local date a bank file comes in. */
  readonly firstFile: string;
  /** After every execution has ended, the days the clock still moves (the daily scan with closed and disconnected cases). */
  readonly extraDays: number;
  /** At the latest. */
  readonly until: string;
  readonly paths: PathPlan[];
}

export interface ScaleArgs {
  readonly mode: 'scale';
  readonly cases: number;
  /** The invoices' due date; the clock starts the next day at 05:00 local, before the 06:00 scan. */
  readonly dueDate: string;
  /** The one clock move. */
  readonly advance: string;
  /** Memory is sampled this often during the move. */
  readonly sampleMs: number;
  /** Profile the move (V8 CPU profile, 1 ms sampling) into this file. */
  readonly profileFile?: string;
  /** Skip the floors (a profiling pass). */
  readonly noFloors?: boolean;
}

/**
 * The experiment: the same cases and month, on a second LocalWorkflows with the runner's own
 * InMemoryExecutionStore (local/workflows/store.ts) instead of the table, stepped through the
 * month exactly as the stack's `moveClockTo` steps it (every due wait, each morning's scan).
 * What the runner's persistence costs is the difference.
 */
export interface ExperimentArgs {
  readonly mode: 'store-experiment';
  readonly cases: number;
  readonly dueDate: string;
  readonly advance: string;
  readonly sampleMs: number;
}

export interface ExperimentResult {
  readonly mode: 'store-experiment';
  readonly args: ExperimentArgs;
  readonly start: MovePhase;
  readonly move: MovePhase;
  readonly outcome: { byStage: Record<string, number> };
}

export type DunningDriverArgs = PathsArgs | ScaleArgs | ExperimentArgs;

export interface TaskTimes {
  /** Per task (the payload's `task`), the handler's wall time of each invocation (ms). */
  readonly [task: string]: number[];
}

export interface HistoryCount {
  /** Events by type, as getExecutionHistory returns them. */
  readonly byType: Record<string, number>;
  readonly events: number;
  /** `*StateEntered` events: one per state the execution entered. */
  readonly stateEntered: number;
  /** Task attempts beyond the first (TaskScheduled beyond TaskStateEntered): billed as transitions too. */
  readonly retries: number;
  /** The states entered, in order. */
  readonly states: string[];
  /** JSON bytes of the history events with their data (what ALL logging with execution data sends). */
  readonly bytes: number;
}

export interface PathResult {
  readonly plan: PathPlan;
  readonly invoiceId: string;
  readonly invoiceTotal: number;
  /** Executions named after the invoice: 0 (never overdue) or 1. */
  readonly executions: number;
  readonly executionStatus?: string;
  readonly caseStatus?: string;
  readonly completed: [stage: string, takenOn: string][];
  readonly workOrders: number;
  readonly history?: HistoryCount;
  readonly taskMs: TaskTimes;
  /** DynamoDB calls of the task function for this case, and of the runner for its execution. */
  readonly taskCalls: MeterSnapshot;
  readonly runnerCalls: MeterSnapshot;
}

export interface ScanRecord {
  readonly at: string;
  readonly ms: number;
  readonly result: { started: number; alreadyStarted: number; reconnected: number };
  readonly calls: MeterSnapshot;
  /** Cases in status disconnected when it ran. */
  readonly disconnected: number;
  /** When it started (performance.now() of the driver), and the states entered and task invocations so far (all executions). */
  readonly atMs?: number;
  readonly enteredSoFar?: number;
  readonly tasksSoFar?: number;
}

export interface PathsResult {
  readonly mode: 'paths';
  readonly country: 'SE' | 'FI';
  readonly paths: PathResult[];
  readonly scans: ScanRecord[];
  readonly fileDays: number;
  readonly wallMs: number;
  readonly meterOverheadMs: number;
}

export interface MemorySample {
  readonly ms: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

export interface MovePhase {
  /** performance.now() of the driver when the phase started. */
  readonly startedAtMs?: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly events: Record<string, number>;
  readonly calls: Record<Component, MeterSnapshot>;
  readonly taskMs: TaskTimes;
  readonly memory: MemorySample[];
}

export interface ScaleResult {
  readonly mode: 'scale';
  readonly args: ScaleArgs;
  readonly seed: { items: number; wallMs: number };
  /** Firing the overdue scan until every execution waits for its first date. */
  readonly start: MovePhase & { readonly scan: ScanRecord | undefined };
  /** The one clock move. */
  readonly move: MovePhase & { readonly from: string; readonly to: string; readonly scans: ScanRecord[] };
  /** After the move: the cases by status and stage, and the executions started, succeeded and failed (all so far). */
  readonly outcome: { byStage: Record<string, number>; executions: Record<string, number> };
  readonly caseItemBytes: number;
  /** Floor 1: one consistent GetItem and one conditional PutItem of a case-sized item per task invocation of the move, one at a time. */
  readonly dynamoFloor: { pairs: number; wallMs: number; cpuMs: number; calls: MeterSnapshot };
  /** Floor 2: the runner with a one-Wait ASL, the same number of executions, released by one clock move. */
  readonly runnerFloor: { executions: number; startMs: number; move: MovePhase };
  readonly heapLimitMb: number;
  readonly maxRssMb: number;
  readonly meterOverheadMs: number;
  /** With `profileFile`: the move's main-thread CPU by component (ms), from the V8 profile. */
  readonly profileMs?: Record<string, number>;
}

// ---- the stack -----------------------------------------------------------------------------

const progressStarted = performance.now();
const progress = (message: string) => process.stderr.write(`progress ${((performance.now() - progressStarted) / 1000).toFixed(0).padStart(4)} s  ${message}\n`);
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const dataDir = mkdtempSync(join(tmpdir(), 'dunning-bench-'));
let logLines = 0;
const stack = await startEmbeddedStack({ dataDir, log: () => void logLines++ });
stack.scheduler.stop();
stack.scheduler.register('billing-run', async () => ({ started: [] }));
const zone = process.env.UTILITY_ZONE ?? 'Europe/Stockholm';

const taskMs = new Map<string, Map<string, number[]>>();
const recordTask = (group: string, task: string, ms: number) => {
  let byTask = taskMs.get(group);
  if (!byTask) taskMs.set(group, (byTask = new Map()));
  const list = byTask.get(task) ?? [];
  list.push(ms);
  byTask.set(task, list);
};
const perCase = args.mode === 'paths';
const dunningTask = (await import('../lambdas/tasks/dunning.js')) as { handler: (event: { task: string; caseId?: string; invoiceId?: string }) => Promise<unknown> };
const timedTask = (payload: { task: string; caseId?: string; invoiceId?: string }) => {
  const caseId = payload.caseId ?? caseIdFor(payload.invoiceId ?? '');
  const group = perCase ? `task:${caseId}` : 'task';
  return meters.run(group, async () => {
    const started = performance.now();
    try {
      return await dunningTask.handler(payload);
    } finally {
      recordTask(group, payload.task, performance.now() - started);
    }
  });
};
stack.workflows.register('dunning', localDunningDefinition(), lambdaInvokeHandlers(dunningDefinitionFile, timedTask as never));

const scans: ScanRecord[] = [];
const overdueScan = (await import('../lambdas/jobs/overdue-scan.js')) as { handler: () => Promise<ScanRecord['result']> };
let disconnectedNow: () => Promise<number> = async () => 0;
stack.scheduler.register('overdue-scan', () =>
  meters.run('scan', async () => {
    const disconnected = await disconnectedNow();
    const atMs = performance.now();
    const events = meters.eventSnapshot();
    const enteredSoFar = Object.entries(events).filter(([type]) => type.endsWith('StateEntered')).reduce((sum, [, n]) => sum + n, 0);
    const tasksSoFar = [...taskMs.values()].flatMap((byTask) => [...byTask.values()]).reduce((sum, list) => sum + list.length, 0);
    const before = meters.snapshot().scan ?? {};
    const started = performance.now();
    const result = await overdueScan.handler();
    scans.push({ at: stack.clock.now().toISOString(), ms: performance.now() - started, result, calls: DynamoMeter.since(before, meters.snapshot().scan ?? {}), disconnected, atMs, enteredSoFar, tasksSoFar });
    return result;
  }),
);

const keys = await devKeys(stack.signingKeyFile);
const admin = await keys.sign({ role: 'admin' });
const agent = await keys.sign({ role: 'agent', subject: 'bench-agent' });

/**
 * An HTTP call to the stack, with node:http and no client timeout: a clock move over thousands
 * of open cases answers only when it is done (fetch gives up after 5 minutes without headers).
 */
function call(method: string, path: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, stack.url), { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON
        }
        resolve({ status: response.statusCode ?? 0, body: parsed });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

const api = { call, lines: [] as string[], stack: { dynamoEndpoint: stack.dynamoEndpoint } };
const db = documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: stack.dynamoEndpoint });
const setup = <T>(work: () => Promise<T>) => meters.run('setup', work);

const localInstant = (date: string, hour: number) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return zonedTimeToUtc({ year, month, day, hour, minute: 0, second: 0 }, zone);
};

const moveClock = (body: { set?: string; advance?: string }): Promise<string> => support.moveClock(api as never, body);

function taskTimes(group: string): TaskTimes {
  return Object.fromEntries(taskMs.get(group) ?? []);
}

function finish(result: unknown): never {
  process.stdout.write(JSON.stringify(result));
  void stack.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
  // process.exit runs once the stack has closed; keep the type checker content.
  return undefined as never;
}

// ---- paths ---------------------------------------------------------------------------------

async function history(executionArn: string): Promise<HistoryCount> {
  const { events } = await stack.workflows.getExecutionHistory(executionArn);
  const byType: Record<string, number> = {};
  const states: string[] = [];
  let bytes = 0;
  for (const event of events) {
    byType[event.type] = (byType[event.type] ?? 0) + 1;
    const entered = (event as { stateEnteredEventDetails?: { name?: string } }).stateEnteredEventDetails;
    if (event.type.endsWith('StateEntered') && entered?.name) states.push(entered.name);
    bytes += Buffer.byteLength(JSON.stringify(event));
  }
  const stateEntered = Object.entries(byType).filter(([type]) => type.endsWith('StateEntered')).reduce((sum, [, n]) => sum + n, 0);
  const retries = Math.max(0, (byType.TaskScheduled ?? 0) - (byType.TaskStateEntered ?? 0));
  return { byType, events: events.length, stateEntered, retries, states, bytes };
}

/** A valid Finnish personal identity code (HETU) per call: born 1 January 1980, serial 100, 101, ... */
let hetuSerial = 100;
function nextHetu(): string {
  const serial = String(hetuSerial++).padStart(3, '0');
  return `010180-${serial}${'0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(`010180${serial}`) % 31]}`;
}

async function runPaths(plan: PathsArgs): Promise<PathsResult> {
  const started = performance.now();
  stack.clock.set(localInstant(plan.start, 9));
  disconnectedNow = async () => {
    const page = await meters.run('setup', () => call('GET', '/v1/dunning-cases?status=disconnected&limit=100', { token: agent }));
    return (page.body?.items ?? []).length;
  };
  const seeded = new Map<string, { invoiceId: string; total: number }>();
  for (const path of plan.paths) {
    const scenario = await setup(() =>
      support.seedCase(api as never, agent, {
        ...(plan.country === 'FI' ? { country: 'FI' as const, nationalId: nextHetu() } : {}),
        lines: path.lines,
        dueDate: path.dueDate,
        currency: path.currency,
        ...(path.propertyType ? { propertyType: path.propertyType } : {}),
      }),
    );
    seeded.set(path.key, { invoiceId: scenario.invoice.invoiceId, total: scenario.invoice.total });
  }
  progress(`${plan.country}: seeded ${plan.paths.length} invoices`);
  let fileDays = 0;
  let endedOn: string | undefined;
  const paid = new Set<string>();
  // Nothing can have ended before the last payment, nor before the first morning after the last due date.
  const lastPayment = plan.paths.flatMap((p) => [p.paidOn ?? '', addDays(p.dueDate, 1)]).reduce((a, b) => (a > b ? a : b), '');
  for (let day = plan.firstFile; day <= plan.until; day = addDays(day, 1)) {
    if (!isBankingDay(day, plan.country)) continue;
    await moveClock({ set: localInstant(day, 7).toISOString() });
    // A payment made on a closed day is booked on the next banking day.
    for (const path of plan.paths.filter((p) => p.paidOn !== undefined && p.paidOn <= day && !paid.has(p.key))) {
      const { invoiceId, total } = seeded.get(path.key)!;
      await setup(() => support.pay(invoiceId, total, `pay-${path.key}`, day));
      paid.add(path.key);
    }
    await support.bookBankFile(api as never, admin, day);
    fileDays++;
    if (!endedOn && day >= lastPayment) {
      const running = (await stack.workflows.listExecutions('dunning', 'RUNNING')).executions.length;
      if (running === 0) {
        endedOn = day;
        progress(`${plan.country}: every execution ended by ${day}`);
      }
    }
    if (endedOn && day >= addDays(endedOn, plan.extraDays)) break;
  }
  if (!endedOn) throw new Error(`${plan.country}: executions still running on ${plan.until}`);

  const executions = (await stack.workflows.listExecutions('dunning')).executions;
  const snapshot = meters.snapshot();
  const orders = (await call('GET', '/v1/work-orders?limit=100', { token: admin })).body.items as { caseId: string }[];
  const paths: PathResult[] = [];
  for (const path of plan.paths) {
    const { invoiceId, total } = seeded.get(path.key)!;
    const caseId = caseIdFor(invoiceId);
    const execution = executions.find((e) => e.name === invoiceId);
    const found = execution ? await call('GET', `/v1/dunning-cases/${caseId}`, { token: agent }) : undefined;
    paths.push({
      plan: path,
      invoiceId,
      invoiceTotal: total,
      executions: executions.filter((e) => e.name === invoiceId).length,
      ...(execution ? { executionStatus: execution.status } : {}),
      ...(found?.status === 200 ? { caseStatus: found.body.status as string } : {}),
      completed: found?.status === 200 ? (found.body.completed as { stage: string; takenOn: string }[]).map((s) => [s.stage, s.takenOn] as [string, string]) : [],
      workOrders: orders.filter((o) => o.caseId === caseId).length,
      ...(execution ? { history: await history(execution.executionArn) } : {}),
      taskMs: taskTimes(`task:${caseId}`),
      taskCalls: snapshot[`task:${caseId}`] ?? {},
      runnerCalls: snapshot[`runner:${invoiceId}`] ?? {},
    });
  }
  return { mode: 'paths', country: plan.country, paths, scans, fileDays, wallMs: performance.now() - started, meterOverheadMs: meters.overheadMs() };
}

// ---- scale ---------------------------------------------------------------------------------

const base32 = '0123456789abcdefghjkmnpqrstvwxyz';
/** An id of the product's shape (`cus_` and 16 base-32 characters), from a number. */
const idOf = (prefix: string, n: number) => {
  let id = '';
  for (let i = 0, v = (n * 2654435761) % 2 ** 50; i < 10; i++, v = Math.floor(v / 32)) id += base32[v % 32];
  for (let i = 0, v = n; i < 6; i++, v = Math.floor(v / 32)) id += base32[v % 32];
  return `${prefix}_${id}`;
};

async function seedScale(settings: ScaleArgs): Promise<{ items: number; wallMs: number }> {
  const started = performance.now();
  const customers = new DynamoCustomerRepository(db, localTableName);
  const billing = new DynamoBillingRepository(db, localTableName);
  const createdAt = '2027-03-01T09:00:00.000Z';
  const month = settings.dueDate.slice(0, 7);
  let items = 0;
  const chunk = 1000;
  for (let from = 0; from < settings.cases; from += chunk) {
    const batch: Record<string, unknown>[] = [];
    for (let n = from; n < Math.min(settings.cases, from + chunk); n++) {
      const customerId = idOf('cus', n + 1);
      const facilityNumber = `F${String(n + 1).padStart(8, '0')}`;
      const customer: Customer = {
        customerId,
        name: `Kund ${n + 1}`,
        kind: 'person',
        country: 'SE',
        nationalId: `19800101${String(n % 10_000).padStart(4, '0')}`,
        nationalIdType: 'personnummer',
        category: 'consumer',
        billingAddress: { line1: `Storgatan ${1 + (n % 60)}`, postalCode: '671 31', city: 'Arvika', country: 'SE' },
        foreign: false,
        protectedIdentity: false,
        language: 'sv',
        knownBadPayer: false,
        billingRegion: 'Arvika',
        createdAt,
        updatedAt: createdAt,
        version: 1,
      };
      const facility: Facility = {
        facilityNumber,
        customerId,
        propertyDesignation: `Arvika Sågen ${1 + (n % 30)}:${1 + (n % 200)}`,
        deliveryAddress: { street: 'Storgatan', number: String(1 + (n % 60)), postalCode: '671 31', city: 'Arvika' },
        propertyType: 'owner_occupied',
        services: (['water', 'sewage', 'waste'] as const).map((service) => ({ service, startDate: '2026-01-01' })),
        createdAt,
        updatedAt: createdAt,
        version: 1,
      };
      const lines: InvoiceLine[] = ([['water', 30_000], ['sewage', 24_000], ['waste', 20_000]] as const).map(([service, net]) => {
        const amounts = lineAmounts(net, 25);
        return { facilityId: facilityNumber, service, kind: 'fixed', description: service, ...amounts, vatRate: 25 };
      });
      const total = lines.reduce((sum, line) => sum + line.gross, 0);
      const invoiceNumber = 700_000 + n;
      const invoice: Invoice = {
        invoiceId: `inv_${customerId.slice(4)}_${month}`,
        invoiceNumber,
        customerId,
        runId: `run_bench_${month}`,
        runMonth: month,
        issueDate: `${month}-01`,
        dueDate: settings.dueDate,
        currency: 'SEK',
        lines,
        net: lines.reduce((sum, line) => sum + line.net, 0),
        vat: lines.reduce((sum, line) => sum + line.vat, 0),
        total,
        openAmount: total,
        status: 'open',
        reference: String(invoiceNumber),
        referenceType: 'ocr',
        delivery: { channel: 'paper', address: null },
        finalInvoiceFacilities: [],
        appliedPayments: [],
        deferrals: [],
        stateAfter: {},
        createdAt,
        version: 1,
      };
      batch.push(customers['customerItem'](customer), customers['facilityItem'](facility), billing['invoiceItem'](invoice));
    }
    await setup(() => batchPut(db, localTableName, batch));
    items += batch.length;
  }
  return { items, wallMs: performance.now() - started };
}

/**
 * A profile sample's component: the innermost frame that belongs to a package or to this
 * repository decides; Node's own frames (sockets, HTTP parsing, streams) count to their caller
 * when there is one.
 */
function component(stack: CallFrame[]): string {
  for (const frame of stack) {
    const pkg = packageOf(frame.url);
    if (pkg) {
      if (/^@(aws-sdk|smithy|aws-crypto)\//.test(pkg) || pkg === 'tslib' || pkg === 'fast-xml-parser') return 'AWS SDK (the DynamoDB clients of the tasks, the scan and the runner)';
      if (/^(dynalite|classic-level|abstract-level|level|leveldown|memdown|lazy|big\.js|lock|once|subleveldown|levelup|encoding-down|deferred-leveldown|level-.*|module-error|buffer|queue-microtask|catering|maybe-combine-errors|node-gyp-build|napi-macros)$/.test(pkg)) return 'dynalite (the embedded DynamoDB, LevelDB)';
      if (/^(aws-local-stepfunctions|jsonpath-plus|asl-validator|lodash|p-limit|ajv|jsonpath)/.test(pkg)) return 'runner: aws-local-stepfunctions';
      return `package ${pkg}`;
    }
    const repo = /\/(local|lambdas|bench|lib)\/([^?]*)/.exec(frame.url);
    if (repo && !frame.url.includes('node_modules')) {
      if (repo[1] === 'local' && repo[2]!.startsWith('workflows/')) return 'runner: local/workflows (execution store, waits, history)';
      if (repo[1] === 'local') return 'embedded stack (local/: HTTP server, clock, scheduler)';
      if (repo[1] === 'lambdas') return 'service code (lambdas/: the dunning tasks, the scan, the handlers)';
      if (repo[1] === 'bench') return "the bench's meters";
      return `${repo[1]}/`;
    }
  }
  return runtimeBucket(stack[0], 'Node.js (http, net, streams, timers)');
}

/** A V8 CPU profile of this process (the stack, dynalite, the runner, the tasks), 1 ms sampling. */
async function startProfiler(): Promise<{ stop(): Promise<unknown> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

function sampler(sampleMs: number) {
  const samples: MemorySample[] = [];
  const started = performance.now();
  const take = () => {
    const memory = process.memoryUsage();
    samples.push({ ms: performance.now() - started, rssMb: memory.rss / 2 ** 20, heapUsedMb: memory.heapUsed / 2 ** 20 });
  };
  take();
  const timer = setInterval(take, sampleMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

async function phase(name: string, sampleMs: number, group: string, work: () => Promise<void>): Promise<MovePhase> {
  const eventsBefore = meters.eventSnapshot();
  const callsBefore = meters.snapshot();
  const tasksBefore = new Map([...(taskMs.get(group) ?? [])].map(([task, list]) => [task, list.length]));
  const cpuBefore = cpuMs();
  const memory = sampler(sampleMs);
  const ticker = setInterval(() => {
    const now = meters.eventSnapshot();
    const entered = Object.entries(now).filter(([type]) => type.endsWith('StateEntered')).reduce((sum, [type, n]) => sum + n - (eventsBefore[type] ?? 0), 0);
    const rss = process.memoryUsage().rss / 2 ** 20;
    progress(`${name}: ${entered.toLocaleString('en-US')} states entered, clock ${stack.clock.now().toISOString().slice(0, 16)}, rss ${rss.toFixed(0)} MB`);
  }, 15_000);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(ticker);
  }
  const wallMs = performance.now() - started;
  const eventsAfter = meters.eventSnapshot();
  const events = Object.fromEntries(Object.entries(eventsAfter).map(([type, n]) => [type, n - (eventsBefore[type] ?? 0)]).filter(([, n]) => (n as number) > 0));
  const tasks = Object.fromEntries([...(taskMs.get(group) ?? [])].map(([task, list]) => [task, list.slice(tasksBefore.get(task) ?? 0)]).filter(([, list]) => (list as number[]).length > 0));
  progress(`${name}: ${(wallMs / 1000).toFixed(1)} s`);
  return { startedAtMs: started, wallMs, cpuMs: cpuMs() - cpuBefore, events, calls: ComponentMeters.since(callsBefore, meters.snapshot()), taskMs: tasks, memory: memory.stop() };
}

/** Every case by status and stage (gsi2 holds every case by opening), and the mean size of a case item. */
async function caseCensus(): Promise<{ byStage: Record<string, number>; caseItemBytes: number; caseItems: number }> {
  const byStage: Record<string, number> = {};
  let caseItemBytes = 0;
  let caseItems = 0;
  await setup(async () => {
    // gsi2 is write-sharded (docs/DATA.md "Hot partitions"): every shard, and the unsharded partition of older items.
    for (const partition of shardKeys('DCASES', INDEX_SHARDS, { legacy: true })) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({ TableName: localTableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :cases', ExpressionAttributeValues: { ':cases': partition }, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
        );
        for (const item of page.Items ?? []) {
          const key = `${String(item.status)} at ${String(item.stage)}`;
          byStage[key] = (byStage[key] ?? 0) + 1;
          caseItemBytes += Buffer.byteLength(JSON.stringify(item));
          caseItems++;
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
  });
  return { byStage, caseItemBytes, caseItems };
}

async function runExperiment(settings: ExperimentArgs): Promise<ExperimentResult> {
  stack.clock.set(localInstant(addDays(settings.dueDate, 1), 5));
  progress(`experiment: seeding ${settings.cases.toLocaleString('en-US')} customers, facilities and invoices ...`);
  await seedScale({ mode: 'scale', cases: settings.cases, dueDate: settings.dueDate, advance: settings.advance, sampleMs: settings.sampleMs });
  const store = new InMemoryExecutionStore();
  const save = store.save.bind(store);
  // The history events, counted as the table's are (bench/dunning-meter.ts taps those).
  store.save = (record, events) => {
    for (const event of events) meters.events.set(event.type, (meters.events.get(event.type) ?? 0) + 1);
    return save(record, events);
  };
  const workflows = new LocalWorkflows({ clock: stack.clock, store });
  workflows.register('dunning', localDunningDefinition(), lambdaInvokeHandlers(dunningDefinitionFile, timedTask as never));
  workflows.start();
  const month = settings.dueDate.slice(0, 7);
  const start = await phase('experiment start', settings.sampleMs, 'task', async () => {
    // What the scan does for each overdue invoice: start the execution named after it.
    for (let n = 0; n < settings.cases; n++) {
      const invoiceId = `inv_${idOf('cus', n + 1).slice(4)}_${month}`;
      await workflows.startExecution('dunning', invoiceId, { invoiceId, caseId: caseIdFor(invoiceId) });
    }
    await workflows.idle();
  });
  const move = await phase(`experiment clock ${settings.advance}`, settings.sampleMs, 'task', async () => {
    // local/stack.ts moveClockTo, on this runner.
    const target = new Date(stack.clock.now());
    target.setUTCMonth(target.getUTCMonth() + Number(/^P(\d+)M$/.exec(settings.advance)?.[1] ?? 1));
    const dailyScan = new Cron(overdueScanCron.unix, { timezone: zone });
    for (;;) {
      const now = stack.clock.now().getTime();
      const nextWait = workflows.nextDueAt() ?? Infinity;
      const nextScan = dailyScan.nextRun(new Date(now))?.getTime() ?? Infinity;
      const step = Math.min(nextWait, nextScan);
      if (step > target.getTime()) break;
      if (step > now) stack.clock.set(new Date(step));
      if (step === nextScan) await stack.scheduler.fire('overdue-scan');
      await workflows.tick();
      await workflows.idle();
    }
    stack.clock.set(target);
    await workflows.tick();
    await workflows.idle();
  });
  workflows.stop();
  const { byStage } = await caseCensus();
  progress(`experiment: cases ${JSON.stringify(byStage)}`);
  return { mode: 'store-experiment', args: settings, start, move, outcome: { byStage } };
}

async function runScale(settings: ScaleArgs): Promise<ScaleResult> {
  const firstDay = addDays(settings.dueDate, 1);
  stack.clock.set(localInstant(firstDay, 5));
  progress(`scale: seeding ${settings.cases.toLocaleString('en-US')} customers, facilities and invoices ...`);
  const seed = await seedScale(settings);
  progress(`scale: seeded ${seed.items.toLocaleString('en-US')} items in ${(seed.wallMs / 1000).toFixed(1)} s`);

  const scansBefore = scans.length;
  const start = await phase('start (overdue scan)', settings.sampleMs, 'task', async () => {
    const fired = await call('POST', '/_local/schedules/overdue-scan/fire');
    if (fired.status !== 200) throw new Error(`scan: ${fired.status} ${JSON.stringify(fired.body)}`);
    await stack.workflows.idle();
  });
  const startScan = scans[scansBefore];

  const from = stack.clock.now().toISOString();
  const scansBeforeMove = scans.length;
  const profiler = settings.profileFile ? await startProfiler() : undefined;
  const move = await phase(`clock ${settings.advance}`, settings.sampleMs, 'task', async () => {
    await moveClock({ advance: settings.advance });
  });
  let profileMs: Record<string, number> | undefined;
  if (profiler && settings.profileFile) {
    writeFileSync(settings.profileFile, JSON.stringify(await profiler.stop()));
    profileMs = Object.fromEntries([...bucketProfile(settings.profileFile, component)].map(([bucket, us]) => [bucket, us / 1000]));
  }
  const to = stack.clock.now().toISOString();
  const scansAfterMove = scans.length;

  // After the move: where the cases are (gsi2 holds every case by opening), and the executions (the runner's own events).
  const { byStage, caseItemBytes, caseItems } = await caseCensus();
  const events = meters.eventSnapshot();
  const executions: Record<string, number> = {
    started: events.ExecutionStarted ?? 0,
    succeeded: events.ExecutionSucceeded ?? 0,
    failed: events.ExecutionFailed ?? 0,
  };
  progress(`scale: cases ${JSON.stringify(byStage)}, executions ${JSON.stringify(executions)}`);

  if (settings.noFloors) {
    return {
      mode: 'scale', args: settings, seed, start: { ...start, scan: startScan }, move: { ...move, from, to, scans: scans.slice(scansBeforeMove, scansAfterMove) },
      outcome: { byStage, executions }, caseItemBytes: caseItems > 0 ? caseItemBytes / caseItems : 0,
      dynamoFloor: { pairs: 0, wallMs: 0, cpuMs: 0, calls: {} }, runnerFloor: { executions: 0, startMs: 0, move: { wallMs: 0, cpuMs: 0, events: {}, calls: {}, taskMs: {}, memory: [] } },
      heapLimitMb: getHeapStatistics().heap_size_limit / 2 ** 20, maxRssMb: process.resourceUsage().maxRSS / 1024, meterOverheadMs: meters.overheadMs(),
      ...(profileMs ? { profileMs } : {}),
    };
  }

  // Floor 1: per task invocation of the move, the read-modify-write every task does at least.
  const invocations = Object.values(move.taskMs).reduce((sum, list) => sum + list.length, 0);
  const meanCaseBytes = caseItems > 0 ? caseItemBytes / caseItems : 2000;
  const padding = 'x'.repeat(Math.max(0, Math.round(meanCaseBytes) - 120));
  const floorKeys = Math.min(settings.cases, 10_000);
  await setup(() => batchPut(db, localTableName, Array.from({ length: floorKeys }, (_, i) => ({ pk: `FLOOR#${i}`, sk: 'CASE', version: 1, padding }))));
  const floorBefore = meters.snapshot().floor ?? {};
  const floorCpu = cpuMs();
  const floorStarted = performance.now();
  await meters.run('floor', async () => {
    for (let i = 0; i < invocations; i++) {
      const key = { pk: `FLOOR#${i % floorKeys}`, sk: 'CASE' };
      const found = await db.send(new GetCommand({ TableName: localTableName, Key: key, ConsistentRead: true }));
      const version = Number(found.Item?.version ?? 1);
      await db.send(
        new PutCommand({ TableName: localTableName, Item: { ...key, version: version + 1, padding }, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } }),
      );
    }
  });
  const dynamoFloor = { pairs: invocations, wallMs: performance.now() - floorStarted, cpuMs: cpuMs() - floorCpu, calls: DynamoMeter.since(floorBefore, meters.snapshot().floor ?? {}) };
  progress(`floor 1: ${invocations.toLocaleString('en-US')} GetItem + PutItem pairs in ${(dynamoFloor.wallMs / 1000).toFixed(1)} s`);

  // Floor 2: the runner alone: a one-Wait ASL, as many executions, all due at one time, released by one move.
  stack.workflows.register('bench-floor', {
    Comment: 'The runner floor: one Wait until a timestamp, then Succeed.',
    StartAt: 'WaitUntil',
    States: { WaitUntil: { Type: 'Wait', TimestampPath: '$.at', Next: 'Done' }, Done: { Type: 'Succeed' } },
  });
  const floorDay = addDays(stack.clock.now().toISOString().slice(0, 10), 1);
  const at = localInstant(floorDay, 8).toISOString();
  const floorStart = performance.now();
  for (let i = 0; i < settings.cases; i++) await stack.workflows.startExecution('bench-floor', `floor-${i}`, { at });
  await stack.workflows.idle();
  const floorStartMs = performance.now() - floorStart;
  progress(`floor 2: ${settings.cases.toLocaleString('en-US')} one-Wait executions started in ${(floorStartMs / 1000).toFixed(1)} s`);
  const floorMove = await phase('floor 2 clock move', settings.sampleMs, 'none', async () => {
    await moveClock({ set: localInstant(floorDay, 9).toISOString() });
  });

  return {
    mode: 'scale',
    args: settings,
    seed,
    start: { ...start, scan: startScan },
    move: { ...move, from, to, scans: scans.slice(scansBeforeMove, scansAfterMove) },
    outcome: { byStage, executions },
    caseItemBytes: meanCaseBytes,
    dynamoFloor,
    runnerFloor: { executions: settings.cases, startMs: floorStartMs, move: floorMove },
    heapLimitMb: getHeapStatistics().heap_size_limit / 2 ** 20,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    meterOverheadMs: meters.overheadMs(),
    ...(profileMs ? { profileMs } : {}),
  };
}

try {
  finish(args.mode === 'paths' ? await runPaths(args) : args.mode === 'scale' ? await runScale(args) : await runExperiment(args));
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
