/** Starts the embedded stack in this test process, on free ports and a fresh data folder. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKeys, type DevClaims } from '../../local/dev-auth.js';
import { startEmbeddedStack, type EmbeddedStack } from '../../local/stack.js';

export interface TestStack {
  stack: EmbeddedStack;
  dataDir: string;
  lines: string[];
  token(claims: DevClaims): Promise<string>;
  call(method: string, path: string, options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{
    status: number;
    headers: Headers;
    body: any;
  }>;
  stop(): Promise<void>;
}

export async function startTestStack(): Promise<TestStack> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const dataDir = mkdtempSync(join(tmpdir(), 'utility-it-'));
  const lines: string[] = [];
  const stack = await startEmbeddedStack({ dataDir, log: (line) => lines.push(line), extraCorsOrigins: ['http://localhost:5173'] });
  const keys = await devKeys(stack.signingKeyFile);
  return {
    stack,
    dataDir,
    lines,
    token: (claims) => keys.sign(claims),
    call: httpCaller(stack.url),
    async stop() {
      await stack.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `call` against a running stack's HTTP API: JSON in and out (the raw text when the answer is not JSON). */
export function httpCaller(baseUrl: string): TestStack['call'] {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body = options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(baseUrl + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: response.status, headers: response.headers, body: parsed as any };
  };
}

/** A stack started as `npm start` starts it, in a child process. */
export type SpawnedStack = Pick<TestStack, 'call' | 'lines'> & {
  url: string;
  stack: { dynamoEndpoint: string };
  stop(): Promise<number | null>;
  /** SIGKILL to the whole process group (tsx and the node it runs): a crash, no clean-up. */
  kill(): Promise<void>;
};

/**
 * `npm start` as a user runs it (a child process on free ports), so a restart is a real one:
 * stop() ends the process, and start again on the same data folder continues.
 */
export async function spawnStack(dataDir: string, env: Record<string, string> = {}): Promise<SpawnedStack> {
  const child = spawn('node_modules/.bin/tsx', ['local/main.ts'], {
    env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', STEPFUNCTIONS_PORT: '0', DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: kill() reaches tsx's child too, as a crash of the machine would.
    detached: true,
  });
  const lines: string[] = [];
  const banner = await new Promise<{ url: string; dynamo: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up banner: ${lines.join('')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      lines.push(chunk.toString());
      const all = lines.join('');
      const http = /HTTP API\s+(http:\/\/\S+)/.exec(all);
      const dynamo = /DynamoDB\s+(http:\/\/\S+)/.exec(all);
      if (http && dynamo) {
        clearTimeout(timer);
        resolve({ url: http[1]!, dynamo: dynamo[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${lines.join('')}`)));
  });
  return {
    url: banner.url,
    lines,
    stack: { dynamoEndpoint: banner.dynamo },
    call: httpCaller(banner.url),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGKILL');
      }),
  };
}

/** A valid Swedish person (Skatteverket's test personnummer) with a billing address. */
/** Polls `read` until `done` holds, at most `limitMs` (a clear error names `what` and the last value). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, limitMs = 60_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${limitMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function swedishPerson(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Anna Andersson',
    kind: 'person',
    country: 'SE',
    nationalId: '19121212-1212',
    category: 'consumer',
    billingAddress: { line1: 'Storgatan 1', postalCode: '671 31', city: 'Arvika', country: 'SE' },
    phone: '070-123 45 67',
    email: 'Anna.Andersson@example.se',
    language: 'sv',
    ...overrides,
  };
}

export function waterFacility(overrides: Record<string, unknown> = {}) {
  return {
    propertyDesignation: 'Arvika Sågen 1:23',
    deliveryAddress: { street: 'Storgatan', number: '1', postalCode: '67131', city: 'Arvika' },
    propertyType: 'owner_occupied',
    services: [
      { service: 'water', startDate: '2026-01-01', meter: { meterId: 'VM-1001', readingMode: 'remote' } },
      { service: 'waste', startDate: '2026-01-01' },
    ],
    ...overrides,
  };
}
