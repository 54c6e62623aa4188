/**
 * The customer registry through the embedded stack: real HTTP, the local JWT check, the
 * same handler CDK deploys, dynalite underneath.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestStack, swedishPerson, waterFacility, type TestStack } from './support.js';

let t: TestStack;
let agent: string;

beforeAll(async () => {
  t = await startTestStack();
  agent = await t.token({ role: 'agent', subject: 'agent-karin' });
});
afterAll(async () => t.stop());

describe('registering a customer (R-SE-3)', () => {
  it('creates a customer with E.164 phone and canonical id, and reads it back', async () => {
    // Prepare
    await t.call('POST', '/_local/clock', { body: { set: '2026-11-23T09:00:00Z' } });
    // Act
    const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson() });
    const read = await t.call('GET', `/v1/customers/${created.body.customerId}`, { token: agent });
    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/customers/${created.body.customerId}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      name: 'Anna Andersson',
      nationalId: '191212121212',
      nationalIdType: 'personnummer',
      phone: '+46701234567',
      email: 'anna.andersson@example.se',
      protectedIdentity: false,
      mailingAddress: { line1: 'Storgatan 1', city: 'Arvika' },
    });
    expect(read.body.createdAt.startsWith('2026-11-23T09:0')).toBe(true); // read from the local clock
  });

  it('refuses the same national id twice with 409, in any notation', async () => {
    // Prepare
    const person = swedishPerson({ nationalId: '811218-9876', name: 'Bertil Berg' });
    await t.call('POST', '/v1/customers', { token: agent, body: person });
    // Act
    const again = await t.call('POST', '/v1/customers', { token: agent, body: { ...person, nationalId: '198112189876' } });
    // Assess
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('answers a bad personnummer checksum with 422 naming nationalId, and writes nothing', async () => {
    // Act
    const bad = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19121212-1213', name: 'Cecilia Checksum' }) });
    const search = await t.call('GET', '/v1/customers?q=cecilia', { token: agent });
    // Assess
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'nationalId' })]);
    expect(search.body.items).toEqual([]);
  });

  it('validates Finnish and Norwegian ids and organisation numbers by country', async () => {
    // Act
    const hetu = await t.call('POST', '/v1/customers', {
      token: agent,
      body: swedishPerson({ country: 'FI', nationalId: '131052-308T', name: 'Matti Meikäläinen', phone: '040 123 4567', language: 'fi' }),
    });
    const ytunnus = await t.call('POST', '/v1/customers', {
      token: agent,
      body: swedishPerson({ country: 'FI', kind: 'organisation', category: 'business', nationalId: '0737546-2', name: 'Keuruun Testi Oy', phone: undefined }),
    });
    const orgAsPerson = await t.call('POST', '/v1/customers', {
      token: agent,
      body: swedishPerson({ country: 'NO', nationalId: '974760673', name: 'Ola Nordmann', phone: undefined }),
    });
    // Assess
    expect(hetu.status).toBe(201);
    expect(hetu.body.phone).toBe('+358401234567');
    expect(ytunnus.status).toBe(201);
    expect(ytunnus.body.nationalIdType).toBe('y-tunnus');
    expect(orgAsPerson.status).toBe(422);
    expect(orgAsPerson.body.errors[0].path).toBe('nationalId');
  });

  it('names every bad field and writes nothing', async () => {
    // Act
    const response = await t.call('POST', '/v1/customers', {
      token: agent,
      body: swedishPerson({ nationalId: '19121212-1212', phone: 'not a phone', email: 'nope', shoeSize: 44, category: 'vip' }),
    });
    // Assess
    expect(response.status).toBe(422);
    const paths = response.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['category', 'email', 'shoeSize']));
  });
});

describe('bad input never reaches a 5xx', () => {
  it('malformed JSON is 400', async () => {
    const response = await t.call('POST', '/v1/customers', { token: agent, raw: '{"name": "Anna",' });
    expect(response.status).toBe(400);
    expect(response.body.type).toMatch(/malformed-json/);
  });

  it('a 1 MB body is 413', async () => {
    const response = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ name: 'x'.repeat(1024 * 1024) }) });
    expect(response.status).toBe(413);
  });

  it('wrong types name the field', async () => {
    const response = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ foreign: 'yes', billingAddress: { line1: 5 } }) });
    expect(response.status).toBe(422);
    const paths = response.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['foreign', 'billingAddress.line1', 'billingAddress.postalCode']));
  });

  it('a missing token is 401 and a forged one too', async () => {
    // Prepare
    const [header, payload] = agent.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), 'cognito:groups': ['admin'] })).toString('base64url');
    const forged = `${header}.${forgedPayload}.${agent.split('.')[2]}`;
    // Act
    const missing = await t.call('GET', '/v1/customers?q=anna');
    const tampered = await t.call('GET', '/v1/customers?q=anna', { token: forged });
    const unsigned = await t.call('GET', '/v1/customers?q=anna', { token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${forgedPayload}.` });
    // Assess
    expect([missing.status, tampered.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(missing.body.type).toMatch(/unauthorized/);
  });

  it('a body that is not JSON is 415', async () => {
    const response = await t.call('POST', '/v1/customers', { token: agent, raw: 'name=Anna', headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(415);
  });
});

describe('changes, notes and the customer log (R-SE-2)', () => {
  it('logs who changed which field; personal values are not copied into the log', async () => {
    // Prepare
    const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19870422-2382', name: 'Doris Dahl' }) });
    const id = created.body.customerId;
    // Act
    const patched = await t.call('PATCH', `/v1/customers/${id}`, { token: agent, body: { phone: '+46 8 123 456 78', category: 'business' } });
    await t.call('POST', `/v1/customers/${id}/notes`, { token: agent, body: { text: 'Called about the move in March.' } });
    const log = await t.call('GET', `/v1/customers/${id}/notes`, { token: agent });
    // Assess
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ phone: '+46812345678', category: 'business', version: 2 });
    expect(log.body.items[0]).toMatchObject({ type: 'note', text: 'Called about the move in March.', author: { subject: 'agent-karin', role: 'agent' } });
    const changes = log.body.items.filter((e: { type: string }) => e.type === 'changed');
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'phone', author: { subject: 'agent-karin', role: 'agent' } }),
        expect.objectContaining({ field: 'category', from: 'consumer', to: 'business' }),
      ]),
    );
    expect(changes.find((e: { field: string }) => e.field === 'phone')).not.toHaveProperty('to');
    expect(log.body.items.at(-1).type).toBe('created');
  });
});

describe('facilities and move-out (R-SE-3, R-SE-7)', () => {
  it('adds a facility with a facility number and lists it', async () => {
    // Prepare
    const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19900101-0017', name: 'Erik Ek' }) });
    const id = created.body.customerId;
    // Act
    const facility = await t.call('POST', `/v1/customers/${id}/facilities`, { token: agent, body: waterFacility() });
    const list = await t.call('GET', `/v1/customers/${id}/facilities`, { token: agent });
    // Assess
    expect(facility.status).toBe(201);
    expect(facility.body.facilityNumber).toMatch(/^F\d{8}$/);
    expect(list.body.items).toEqual([expect.objectContaining({ facilityNumber: facility.body.facilityNumber, propertyType: 'owner_occupied' })]);
  });

  it("keeps a rental's owner for the winter owner notice, and names a bad owner field (R-SE-18, R-SE-20)", async () => {
    // Prepare
    const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19900505-0027', name: 'Hugo Hyresgäst' }) });
    const id = created.body.customerId;
    const owner = { name: 'Arvikahem AB', address: { line1: 'Box 12', postalCode: '671 21', city: 'Arvika', country: 'SE' } };
    // Act
    const rental = await t.call('POST', `/v1/customers/${id}/facilities`, { token: agent, body: waterFacility({ propertyType: 'rental', owner }) });
    const bad = await t.call('POST', `/v1/customers/${id}/facilities`, { token: agent, body: waterFacility({ propertyType: 'rental', owner: { name: 'Arvikahem AB' } }) });
    const list = await t.call('GET', `/v1/customers/${id}/facilities`, { token: agent });
    // Assess
    expect(rental.status).toBe(201);
    expect(rental.body.owner).toEqual(owner);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('owner.address');
    expect(list.body.items).toHaveLength(1);
  });

  it('ends the services at move-out, once, and refuses a date before the start', async () => {
    // Prepare
    const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19900202-0015', name: 'Frida Fors' }) });
    const id = created.body.customerId;
    const facility = await t.call('POST', `/v1/customers/${id}/facilities`, { token: agent, body: waterFacility() });
    const facilityId = facility.body.facilityId;
    // Act
    const early = await t.call('POST', `/v1/customers/${id}/move-out`, { token: agent, body: { facilityId, date: '2025-06-30' } });
    const first = await t.call('POST', `/v1/customers/${id}/move-out`, { token: agent, body: { facilityId, date: '2026-12-31' } });
    const second = await t.call('POST', `/v1/customers/${id}/move-out`, { token: agent, body: { facilityId, date: '2026-12-31' } });
    const log = await t.call('GET', `/v1/customers/${id}/notes`, { token: agent });
    // Assess
    expect(early.status).toBe(422);
    expect(early.body.errors[0].path).toBe('date');
    expect(first.status).toBe(200);
    expect(first.body.services.every((s: { endDate: string }) => s.endDate === '2026-12-31')).toBe(true);
    expect(first.body.moveOut).toEqual({ date: '2026-12-31', finalInvoicePending: true });
    expect(second.status).toBe(200);
    expect(log.body.items.filter((e: { type: string }) => e.type === 'moved_out')).toHaveLength(1);
  });

  it('fiber needs an approved credit check first (R-SE-5)', async () => {
    // Prepare
    const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19900303-0013', name: 'Gösta Gran' }) });
    const id = created.body.customerId;
    const fiber = waterFacility({ services: [{ service: 'fiber', startDate: '2026-12-01' }] });
    // Act
    const before = await t.call('POST', `/v1/customers/${id}/facilities`, { token: agent, body: fiber });
    const check = await t.call('POST', `/v1/customers/${id}/credit-checks`, {
      token: agent, body: { provider: 'Creditsafe', reference: 'CS-1', outcome: 'approved', reason: 'fiber_order' },
    });
    const after = await t.call('POST', `/v1/customers/${id}/facilities`, { token: agent, body: fiber });
    // Assess
    expect(before.status).toBe(422);
    expect(before.body.rule).toBe('R-SE-5');
    expect(check.status).toBe(201);
    expect(after.status).toBe(201);
  });
});

describe('deposits (R-SE-6)', () => {
  it('are taken only from known bad payers, not for water, half a year at least 1,000 SEK', async () => {
    // Prepare
    const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19900404-0011', name: 'Hilda Holm' }) });
    const id = created.body.customerId;
    const grid = { service: 'electricity_grid', expectedAnnualCost: { amount: 120_000, currency: 'SEK' } };
    // Act
    const notBad = await t.call('POST', `/v1/customers/${id}/deposits`, { token: agent, body: grid });
    await t.call('POST', `/v1/customers/${id}/credit-checks`, {
      token: agent, body: { provider: 'Creditsafe', reference: 'CS-2', outcome: 'declined', reason: 'known_bad_payer' },
    });
    const water = await t.call('POST', `/v1/customers/${id}/deposits`, { token: agent, body: { ...grid, service: 'water' } });
    const deposit = await t.call('POST', `/v1/customers/${id}/deposits`, { token: agent, body: grid });
    const again = await t.call('POST', `/v1/customers/${id}/deposits`, { token: agent, body: grid });
    const customer = await t.call('GET', `/v1/customers/${id}`, { token: agent });
    // Assess
    expect(notBad.status).toBe(422);
    expect(notBad.body.rule).toBe('R-SE-6');
    expect(water.status).toBe(422);
    expect(customer.body.knownBadPayer).toBe(true);
    expect(deposit.status).toBe(201);
    expect(deposit.body.amount).toEqual({ amount: 100_000, currency: 'SEK' }); // 600 SEK half-year, raised to 1,000
    expect(again.status).toBe(409);
  });
});

describe('protected identity (R-SE-4) and the customer token', () => {
  it('hides name and addresses from the customer role; agents see them; letters go via Skatteverket', async () => {
    // Prepare
    const created = await t.call('POST', '/v1/customers', {
      token: agent, body: swedishPerson({ nationalId: '19900505-0019', name: 'Ingrid Skyddad', protectedIdentity: true }),
    });
    const id = created.body.customerId;
    const own = await t.token({ role: 'customer', customerId: id });
    // Act
    const asAgent = await t.call('GET', `/v1/customers/${id}`, { token: agent });
    const asCustomer = await t.call('GET', `/v1/customers/${id}`, { token: own });
    // Assess
    expect(asAgent.body.name).toBe('Ingrid Skyddad');
    expect(asAgent.body.mailingAddress).toMatchObject({ line1: 'Skatteverket, Förmedlingsuppdrag', line2: 'Box 2820', postalCode: '403 20', city: 'Göteborg' });
    expect(asCustomer.status).toBe(200);
    expect(asCustomer.body.name).toBeNull();
    expect(asCustomer.body.billingAddress).toBeNull();
    expect(asCustomer.body.nationalId).not.toContain('0019');
    expect(t.lines.join('\n')).not.toContain('Skyddad');
  });

  it('a customer sees only its own record and edits only contact fields', async () => {
    // Prepare
    const mine = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19900606-0017', name: 'Jonas Jern' }) });
    const other = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19900707-0015', name: 'Karl Kvist' }) });
    const own = await t.token({ role: 'customer', customerId: mine.body.customerId });
    // Act
    const readOther = await t.call('GET', `/v1/customers/${other.body.customerId}`, { token: own });
    const patchContact = await t.call('PATCH', `/v1/customers/${mine.body.customerId}`, { token: own, body: { email: 'jonas@example.se', language: 'en' } });
    const patchName = await t.call('PATCH', `/v1/customers/${mine.body.customerId}`, { token: own, body: { name: 'Jonas J', phone: '0701111111' } });
    const notes = await t.call('GET', `/v1/customers/${mine.body.customerId}/notes`, { token: own });
    const after = await t.call('GET', `/v1/customers/${mine.body.customerId}`, { token: own });
    // Assess
    expect(readOther.status).toBe(404);
    expect(patchContact.status).toBe(200);
    expect(patchName.status).toBe(403);
    expect(patchName.body.errors).toEqual([{ path: 'name', message: 'not a contact field' }]);
    expect(notes.status).toBe(403);
    expect(after.body).toMatchObject({ name: 'Jonas Jern', email: 'jonas@example.se', language: 'en', phone: '+46701234567' });
  });
});

describe('search', () => {
  it('finds by surname prefix and by national id in another notation', async () => {
    // Prepare
    await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: '19900808-0013', name: 'Lena Lindqvist' }) });
    // Act
    const bySurname = await t.call('GET', '/v1/customers?q=lindq', { token: agent });
    const byFirst = await t.call('GET', '/v1/customers?q=Lena%20L', { token: agent });
    const byId = await t.call('GET', '/v1/customers?nationalId=900808-0013', { token: agent });
    // Assess
    expect(bySurname.body.items.map((c: { name: string }) => c.name)).toEqual(['Lena Lindqvist']);
    expect(byFirst.body.items.map((c: { name: string }) => c.name)).toEqual(['Lena Lindqvist']);
    expect(byId.body.items).toHaveLength(1);
  });
});

describe('the embedded stack itself', () => {
  it('answers CORS preflight for configured origins only', async () => {
    // Act
    const allowed = await fetch(`${t.stack.url}/v1/customers`, {
      method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    const other = await fetch(`${t.stack.url}/v1/customers`, {
      method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    // Assess
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('moves the local clock by set and advance', async () => {
    // Act
    await t.call('POST', '/_local/clock', { body: { set: '2027-01-31T08:00:00Z' } });
    const advanced = await t.call('POST', '/_local/clock', { body: { advance: 'P14D' } });
    const bad = await t.call('POST', '/_local/clock', { body: { advance: 'two weeks' } });
    // Assess
    expect(advanced.body.now.startsWith('2027-02-14T08:00')).toBe(true);
    expect(bad.status).toBe(422);
  });

  it('logs one line per request without query strings or personal data', async () => {
    // Act
    await t.call('GET', '/v1/customers?nationalId=19121212-1212', { token: agent });
    // Assess
    const line = t.lines.find((l) => l.startsWith('GET /v1/customers '));
    expect(line).toMatch(/^GET \/v1\/customers 200 \d+\.\dms$/);
    expect(t.lines.join('\n')).not.toMatch(/1212/);
  });
});
