/** `npm start` as a user runs it: a real process, stopped and started again on the same data folder. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { devKeys } from '../../local/dev-auth.js';
import { swedishPerson, waterFacility } from './support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'utility-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start(): Promise<{ child: ChildProcess; url: string; output: string[] }> {
  const child = spawn('node_modules/.bin/tsx', ['local/main.ts'], {
    env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', STEPFUNCTIONS_PORT: '0', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up banner: ${output.join('')}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /HTTP API\s+(http:\/\/\S+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output.join('')}`)));
  });
  return { child, url, output };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('npm start', () => {
  it('keeps customers, facilities, the log and the clock across a restart', async () => {
    // Prepare
    const first = await start();
    const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
    const token = await keys.sign({ role: 'agent' });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await fetch(`${first.url}/_local/clock`, { method: 'POST', headers, body: JSON.stringify({ set: '2030-03-01T10:00:00Z' }) });
    const created = (await (await fetch(`${first.url}/v1/customers`, { method: 'POST', headers, body: JSON.stringify(swedishPerson()) })).json()) as { customerId: string };
    await fetch(`${first.url}/v1/customers/${created.customerId}/facilities`, { method: 'POST', headers, body: JSON.stringify(waterFacility()) });
    expect(first.output.join('')).toContain(dataDir);
    expect(await stop(first.child)).toBe(0);

    // Act
    const second = await start();
    const customer = await fetch(`${second.url}/v1/customers/${created.customerId}`, { headers });
    const facilities = (await (await fetch(`${second.url}/v1/customers/${created.customerId}/facilities`, { headers })).json()) as { items: unknown[] };
    const clock = (await (await fetch(`${second.url}/_local/clock`)).json()) as { now: string };
    await stop(second.child);

    // Assess
    expect(customer.status).toBe(200);
    expect(((await customer.json()) as { name: string }).name).toBe('Anna Andersson');
    expect(facilities.items).toHaveLength(1);
    expect(clock.now.startsWith('2030-03-01T10:0')).toBe(true);
    expect(second.output.join('')).toMatch(/POST \/v1\/customers 201|GET \/v1\/customers\/cus_\w+ 200/);
  });
});
