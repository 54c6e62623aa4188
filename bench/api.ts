/**
 * The API on the embedded stack, run as a child process (`local/main.ts`) so the load
 * generator does not share its event loop: autocannon against GET /v1/customers/{id} and
 * POST /v1/customers; then the floor, raw GetItem / PutItem calls from another child
 * process against the same embedded DynamoDB. Also measured from the outside: the
 * stack's request log (time inside the server), its CPU time (/proc), the DynamoDB
 * calls its SDK makes (a preloaded diagnostics-channel counter), and a separate,
 * profiled pass that splits the stack's CPU time by component.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import autocannon, { type Request } from 'autocannon';
import { repoRoot } from '../lib/paths.js';
import { devKeys } from '../local/dev-auth.js';
import { localRegion, localTableName } from '../local/stack.js';
import { swedishPerson } from '../test/integration/support.js';
import { outDir } from './cold-start.js';
import { bucketProfile, packageOf, runtimeBucket, type CallFrame, type Window } from './cpu-profile.js';
import type { FloorJob, FloorResult } from './floor-dynamo.js';
import { personnummers } from './personnummer.js';
import { pool, summarize, type LatencySummary } from './stats.js';

const run = promisify(execFile);

export interface ApiSettings {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly seedCustomers: number;
  /** Length of each scenario in the profiled pass. */
  readonly profileSeconds: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** As autocannon saw each response. */
  readonly latencyMs: LatencySummary;
  /** Socket errors, timeouts and every non-2xx response. */
  readonly errors: number;
  readonly statuses: Readonly<Record<string, number>>;
  /** From the stack's request log: request in to response written, inside the server. */
  readonly serverMs: LatencySummary;
  /** CPU time of the stack process (all threads) per request, from /proc; NaN elsewhere. */
  readonly serverCpuMsPerRequest: number;
  /** DynamoDB calls the stack made per request, by `Operation status`. */
  readonly dynamoCallsPerRequest: Readonly<Record<string, number>>;
}

export type FloorReport = FloorResult & {
  /** CPU time of the stack process (only dynalite works in it then) per call. */
  readonly serverCpuMsPerCall: number;
};

export interface ScenarioReport {
  readonly name: string;
  readonly note: string;
  /** DynamoDB calls one request makes on DynamoDB, read from the repository code. */
  readonly dynamoCallsByCode: string;
  readonly api: LoadResult;
  readonly floor: FloorReport;
  /** Main-thread CPU of the stack per request by component (profiled pass), ms. */
  readonly profileMsPerRequest: ReadonlyMap<string, number>;
}

export interface ApiReport {
  readonly settings: ApiSettings;
  readonly scenarios: readonly ScenarioReport[];
}

// ---- the embedded stack as a child process ---------------------------------------------

interface StackChild {
  readonly pid: number;
  readonly url: string;
  readonly dynamoEndpoint: string;
  readonly signingKeyFile: string;
  /** Server-side durations (ms) from the request log since the last call. */
  takeServerTimes(): number[];
  /** The DynamoDB calls made so far, by `Operation status`. */
  dynamoCalls(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

const callCounter = join(repoRoot, 'bench/count-dynamo-calls.mjs');

async function startStack(nodeFlags: string[] = []): Promise<StackChild> {
  const dataDir = mkdtempSync(join(tmpdir(), 'utility-bench-'));
  const child = spawn(process.execPath, [...nodeFlags, '--import', callCounter, '--import', 'tsx', 'local/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let serverTimes: number[] = [];
  const countWaiters: ((counts: Record<string, number>) => void)[] = [];
  const urls = await new Promise<{ url: string; dynamo: string }>((resolve, reject) => {
    let url: string | undefined;
    let dynamo: string | undefined;
    // Read every line, always: an unread request log would fill the pipe and block the server.
    createInterface({ input: child.stdout }).on('line', (line) => {
      const timed = /^[A-Z]+ \S+ \d{3} ([\d.]+)ms/.exec(line);
      if (timed) return void serverTimes.push(Number(timed[1]));
      if (line.startsWith('dynamo-calls ')) return countWaiters.shift()?.(JSON.parse(line.slice(13)) as Record<string, number>);
      url ??= /^\s*HTTP API\s+(http:\/\/\S+)/.exec(line)?.[1];
      dynamo ??= /^\s*DynamoDB\s+(http:\/\/\S+)/.exec(line)?.[1];
      if (url && dynamo) resolve({ url, dynamo });
    });
    child.once('exit', (code) => reject(new Error(`the embedded stack exited (${code}) before its banner:\n${stderr}`)));
  });
  return {
    pid: child.pid!,
    url: urls.url,
    dynamoEndpoint: urls.dynamo,
    signingKeyFile: join(dataDir, 'dev-signing-key.json'),
    takeServerTimes() {
      const taken = serverTimes;
      serverTimes = [];
      return taken;
    },
    dynamoCalls() {
      const counts = new Promise<Record<string, number>>((resolve) => countWaiters.push(resolve));
      child.kill('SIGUSR2');
      return counts;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** User + system CPU milliseconds of a process so far (Linux /proc, USER_HZ 100); NaN elsewhere. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

// ---- load ------------------------------------------------------------------------------

async function load(stack: StackChild, token: string, connections: number, seconds: number, request: Request): Promise<LoadResult> {
  await sleep(100);
  stack.takeServerTimes();
  const callsBefore = await stack.dynamoCalls();
  const cpuBefore = cpuMs(stack.pid);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const instance = autocannon({ url: stack.url, connections, duration: seconds, headers: { authorization: `Bearer ${token}` }, requests: [request] });
  instance.on('response', (_client, status, _bytes, ms) => {
    latencies.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  const result = await instance;
  const elapsed = (performance.now() - started) / 1000;
  // The requests still in flight when autocannon stopped finish in the server: wait for
  // them, then count per request the server handled (its request log).
  await sleep(500);
  const cpu = cpuMs(stack.pid) - cpuBefore;
  const callsAfter = await stack.dynamoCalls();
  const served = stack.takeServerTimes();
  const non2xx = Object.entries(statuses).reduce((sum, [status, count]) => (status.startsWith('2') ? sum : sum + count), 0);
  return {
    requests: latencies.length,
    seconds: elapsed,
    requestsPerSecond: latencies.length / elapsed,
    latencyMs: summarize(latencies),
    errors: result.errors + non2xx,
    statuses,
    serverMs: summarize(served),
    serverCpuMsPerRequest: cpu / served.length,
    dynamoCallsPerRequest: Object.fromEntries(
      Object.entries(callsAfter)
        .map(([call, count]) => [call, (count - (callsBefore[call] ?? 0)) / served.length] as const)
        .filter(([, perRequest]) => perRequest > 0),
    ),
  };
}

/** GET /v1/customers/{id}, cycling over `customerIds`. */
function getCustomer(customerIds: readonly string[]): Request {
  let next = 0;
  return { method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/customers/${customerIds[next++ % customerIds.length]}` }) };
}

/** POST /v1/customers, each with a fresh personnummer. */
function createCustomer(ids: Iterator<string>): Request {
  return {
    method: 'POST',
    path: '/v1/customers',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => ({ ...request, body: JSON.stringify(swedishPerson({ nationalId: ids.next().value })) }),
  };
}

async function seed(stack: StackChild, token: string, count: number, ids: Iterator<string>): Promise<string[]> {
  const customerIds: string[] = [];
  await pool(count, 10, async () => {
    const response = await fetch(`${stack.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(swedishPerson({ nationalId: ids.next().value })),
    });
    const body = (await response.json()) as { customerId?: string };
    if (response.status !== 201 || !body.customerId) throw new Error(`seeding failed: ${response.status} ${JSON.stringify(body)}`);
    customerIds.push(body.customerId);
  });
  return customerIds;
}

/**
 * What the repository's last step does on DynamoDB: dynalite compares lists by element
 * identity, so its `pendingLog = :entries` condition never holds and the pending entry
 * stays (every read then retries the flush). Removing it leaves the state DynamoDB has.
 */
async function clearPendingLogs(stack: StackChild, customerIds: readonly string[]): Promise<void> {
  const client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: localRegion, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await pool(customerIds.length, 10, async (index) => {
    await client.send(
      new UpdateItemCommand({
        TableName: localTableName,
        Key: { pk: { S: `CUS#${customerIds[index]}` }, sk: { S: 'PROFILE' } },
        UpdateExpression: 'REMOVE pendingLog',
      }),
    );
  });
  client.destroy();
}

async function floor(stack: StackChild, job: Omit<FloorJob, 'endpoint' | 'region' | 'table'>): Promise<FloorReport> {
  const full: FloorJob = { ...job, endpoint: stack.dynamoEndpoint, region: localRegion, table: localTableName };
  const cpuBefore = cpuMs(stack.pid);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/floor-dynamo.ts', JSON.stringify(full)], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  const cpu = cpuMs(stack.pid) - cpuBefore;
  return { ...(JSON.parse(stdout) as FloorResult), serverCpuMsPerCall: cpu / (job.count + job.warmup) };
}

// ---- the scenarios -----------------------------------------------------------------------

interface Scenario {
  readonly key: 'get' | 'get-settled' | 'post';
  readonly name: string;
  readonly note: string;
  readonly dynamoCallsByCode: string;
  readonly floorOp: FloorJob['op'];
  before?(): Promise<void>;
  request(): Request;
}

function scenarios(stack: StackChild, customerIds: readonly string[], ids: Iterator<string>): Scenario[] {
  const get = { floorOp: 'GetItem', dynamoCallsByCode: '1: GetItem (consistent read)', request: () => getCustomer(customerIds) } as const;
  return [
    { key: 'get', name: 'GET /v1/customers/{id}', note: 'as the embedded stack is', ...get },
    {
      key: 'get-settled',
      name: 'GET /v1/customers/{id}, pending log cleared',
      note: 'the same customers after the bench removed their leftover `pendingLog`, as DynamoDB would have',
      ...get,
      before: () => clearPendingLogs(stack, customerIds),
    },
    {
      key: 'post',
      name: 'POST /v1/customers',
      note: 'a fresh personnummer per request',
      dynamoCallsByCode:
        '4, one after another: PutItem (national-id claim), PutItem (customer carrying its pending log entry), PutItem (log entry), UpdateItem (clear the pending entry)',
      floorOp: 'PutItem',
      request: () => createCustomer(ids),
    },
  ];
}

// ---- where the stack's CPU goes (a separate, profiled pass) --------------------------------

const dynaliteParts = new Set([
  'dynalite', 'level', 'classic-level', 'abstract-level', 'memory-level', 'level-transcoder', 'level-supports',
  'module-error', 'lazy', 'big.js', 'async', 'lock', 'buffer-crc32', 'once', 'maybe-combine-errors',
]);

/** The innermost frame that names a component decides; Node's own frames count to their caller. */
function component(stack: CallFrame[]): string {
  for (const frame of stack) {
    const name = packageOf(frame.url);
    if (name === 'jose') return 'JWT verification (jose)';
    if (name && dynaliteParts.has(name)) return 'dynalite (the embedded DynamoDB)';
    if (name && /^@(aws-sdk|smithy|aws-crypto)\//.test(name)) return "AWS SDK (the handler's DynamoDB client)";
    if (name === 'zod') return 'zod (request validation)';
    if (name === 'libphonenumber-js') return 'libphonenumber-js (phone normalisation)';
    if (name === '@middy/core' || name?.startsWith('@aws-lambda-powertools/')) return 'middy + powertools';
    if (name) return `other package: ${name}`;
    if (frame.url.includes('/lambdas/')) return 'service code (lambdas/)';
    if (frame.url.includes('/local/')) return 'embedded HTTP server (local/server.ts)';
  }
  return runtimeBucket(stack[0], 'Node.js http/net/streams (both servers, SDK sockets)');
}

async function profiledPass(settings: ApiSettings, ids: Iterator<string>): Promise<Map<Scenario['key'], Map<string, number>>> {
  const dir = join(outDir, 'profiles', 'api');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const stack = await startStack(['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', dir]);
  const windows: { key: Scenario['key']; window: Window; requests: number }[] = [];
  try {
    const token = await (await devKeys(stack.signingKeyFile)).sign({ role: 'agent' });
    const customerIds = await seed(stack, token, settings.seedCustomers, ids);
    for (const scenario of scenarios(stack, customerIds, ids)) {
      await scenario.before?.();
      await load(stack, token, settings.connections, settings.warmupSeconds, scenario.request());
      const fromUs = monotonicUs();
      const { requests } = await load(stack, token, settings.connections, settings.profileSeconds, scenario.request());
      windows.push({ key: scenario.key, window: { fromUs, toUs: monotonicUs() }, requests });
    }
  } finally {
    await stack.stop(); // the profile is written as the process exits
  }
  // The main thread's profile: CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile
  const file = join(dir, readdirSync(dir).find((name) => name.includes(`.${stack.pid}.0.`)) ?? readdirSync(dir)[0]!);
  return new Map(
    windows.map(({ key, window, requests }) => {
      const buckets = bucketProfile(file, component, window);
      buckets.delete('idle');
      return [key, new Map([...buckets].map(([bucket, us]) => [bucket, us / 1000 / requests]))];
    }),
  );
}

// ---- the whole API benchmark -----------------------------------------------------------

export async function measureApi(settings: ApiSettings): Promise<ApiReport> {
  const { connections, seconds, warmupSeconds } = settings;
  const ids = personnummers();
  const measured: { scenario: Scenario; api: LoadResult }[] = [];
  const floors = new Map<FloorJob['op'], FloorReport>();
  const stack = await startStack();
  try {
    const token = await (await devKeys(stack.signingKeyFile)).sign({ role: 'agent' });
    const customerIds = await seed(stack, token, settings.seedCustomers, ids);
    for (const scenario of scenarios(stack, customerIds, ids)) {
      await scenario.before?.();
      await load(stack, token, connections, warmupSeconds, scenario.request());
      measured.push({ scenario, api: await load(stack, token, connections, seconds, scenario.request()) });
    }
    // The floor: as many raw calls as the first API run of its kind made requests.
    for (const op of ['GetItem', 'PutItem'] as const) {
      const count = measured.find(({ scenario }) => scenario.floorOp === op)!.api.requests;
      floors.set(op, await floor(stack, { op, count, warmup: 1000, concurrency: connections, customerIds }));
    }
  } finally {
    await stack.stop();
  }
  const profiles = await profiledPass(settings, ids);
  return {
    settings,
    scenarios: measured.map(({ scenario, api }) => ({
      name: scenario.name,
      note: scenario.note,
      dynamoCallsByCode: scenario.dynamoCallsByCode,
      api,
      floor: floors.get(scenario.floorOp)!,
      profileMsPerRequest: profiles.get(scenario.key) ?? new Map(),
    })),
  };
}
