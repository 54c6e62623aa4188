/** `npm start` as a user runs it: a real process, stopped and started again on the same data folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { devKeys } from '../../local/dev-auth.js';
import { spawnStack, swedishPerson, waterFacility } from './support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'utility-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('keeps customers, facilities, the log and the clock across a restart', async () => {
    // Prepare
    const first = await spawnStack(dataDir);
    const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
    const token = await keys.sign({ role: 'agent' });
    await first.call('POST', '/_local/clock', { token, body: { set: '2030-03-01T10:00:00Z' } });
    const created = (await first.call('POST', '/v1/customers', { token, body: swedishPerson() })).body as { customerId: string };
    await first.call('POST', `/v1/customers/${created.customerId}/facilities`, { token, body: waterFacility() });
    expect(first.lines.join('')).toContain(dataDir);
    expect(await first.stop()).toBe(0);

    // Act
    const second = await spawnStack(dataDir);
    const customer = await second.call('GET', `/v1/customers/${created.customerId}`, { token });
    const facilities = (await second.call('GET', `/v1/customers/${created.customerId}/facilities`, { token })).body as { items: unknown[] };
    const clock = (await second.call('GET', '/_local/clock')).body as { now: string };
    await second.stop();

    // Assess
    expect(customer.status).toBe(200);
    expect((customer.body as { name: string }).name).toBe('Anna Andersson');
    expect(facilities.items).toHaveLength(1);
    expect(clock.now.startsWith('2030-03-01T10:0')).toBe(true);
    expect(second.lines.join('')).toMatch(/POST \/v1\/customers 201|GET \/v1\/customers\/cus_\w+ 200/);
  }, 240_000); // a clock move of three years (every daily scan and monthly run on the way) and two starts
});
