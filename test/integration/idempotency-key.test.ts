/** `Idempotency-Key` on creating POSTs (API.md; issue 15 item 5): a client retry never creates twice. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { personnummers } from '../../bench/personnummer.js';
import { startTestStack, swedishPerson, type TestStack } from './support.js';

let t: TestStack;
let agent: string;
beforeAll(async () => {
  t = await startTestStack();
  agent = await t.token({ role: 'agent', subject: 'agent-karin' });
});
afterAll(async () => t.stop());

describe('Idempotency-Key', () => {
  it('answers a retry with the same key and body with the first response, and creates one customer', async () => {
    // Prepare
    const body = swedishPerson({ nationalId: '19870422-2382', name: 'Cecilia Ceder' });
    const headers = { 'idempotency-key': 'create-cecilia-1' };
    // Act
    const first = await t.call('POST', '/v1/customers', { token: agent, body, headers });
    const retry = await t.call('POST', '/v1/customers', { token: agent, body, headers });
    const found = await t.call('GET', '/v1/customers?nationalId=19870422-2382', { token: agent });
    // Assess
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(found.body.items).toHaveLength(1);
  });

  it('refuses the same key with another body (422 naming the header)', async () => {
    const headers = { 'idempotency-key': 'create-dan-1' };
    await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '811218-9876', name: 'Dan' }), headers });
    const other = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '811218-9876', name: 'Daniel' }), headers });
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);
  });

  it('without a key, a second identical POST is a new request (here: 409, the national id exists)', async () => {
    const body = swedishPerson({ nationalId: '19121212-1212' });
    expect((await t.call('POST', '/v1/customers', { token: agent, body })).status).toBe(201);
    expect((await t.call('POST', '/v1/customers', { token: agent, body })).status).toBe(409);
  });

  it('a note posted twice with one key is written once; another caller with the same key is another request', async () => {
    const customerId = (await t.call('GET', '/v1/customers?nationalId=19121212-1212', { token: agent })).body.items[0].customerId as string;
    const headers = { 'idempotency-key': 'note-1' };
    await t.call('POST', `/v1/customers/${customerId}/notes`, { token: agent, body: { text: 'Ringde om fakturan' }, headers });
    await t.call('POST', `/v1/customers/${customerId}/notes`, { token: agent, body: { text: 'Ringde om fakturan' }, headers });
    const other = await t.token({ role: 'agent', subject: 'agent-olle' });
    await t.call('POST', `/v1/customers/${customerId}/notes`, { token: other, body: { text: 'Ringde om fakturan' }, headers });
    const notes = (await t.call('GET', `/v1/customers/${customerId}/notes`, { token: agent })).body.items as { text: string }[];
    expect(notes.filter((note) => note.text === 'Ringde om fakturan')).toHaveLength(2);
  });

  it('a failed request does not keep the key: the corrected retry with it runs', async () => {
    const headers = { 'idempotency-key': 'create-eva-1' };
    const bad = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19121212-1213' }), headers });
    expect(bad.status).toBe(422);
    // A changed body with the same key after a failure: the key was released, so no mismatch.
    const ids = personnummers(new Date('2027-01-01'));
    for (let i = 0; i < 500; i++) ids.next();
    const good = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: ids.next().value, name: 'Eva' }), headers });
    expect(good.status).toBe(201);
  });
});
