/** Starts the embedded stack in this test process, on free ports and a fresh data folder. */
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
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(stack.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: response.status, headers: response.headers, body: parsed as any };
    },
    async stop() {
      await stack.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A valid Swedish person (Skatteverket's test personnummer) with a billing address. */
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
