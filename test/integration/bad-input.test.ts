/** No request reaches a 5xx by its content: random bodies, queries and cursors against the real stack. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startTestStack, swedishPerson, type TestStack } from './support.js';

let t: TestStack;
let agent: string;
let customerId: string;

beforeAll(async () => {
  t = await startTestStack();
  agent = await t.token({ role: 'agent' });
  customerId = (await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson() })).body.customerId;
});
afterAll(async () => t.stop());

const mutatedCustomer = fc.record({
  field: fc.constantFrom(...Object.keys(swedishPerson()), 'extra'),
  value: fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.constant(null), fc.constant('19121212-1212')),
});

describe('arbitrary input', () => {
  it('POST /v1/customers answers 4xx problem+json or 201 for any mutation of a valid body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutatedCustomer, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const body: Record<string, unknown> = swedishPerson({ nationalId: '811218-9876' });
        for (const { field, value } of mutations) body[field] = value;
        const response = await t.call('POST', '/v1/customers', { token: agent, body });
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) expect(response.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 60 },
    );
  });

  it('any JSON body on every write route of a customer is below 500', async () => {
    const paths = ['', '/notes', '/facilities', '/move-out', '/deposits', '/credit-checks'].map((p) => `/v1/customers/${customerId}${p}`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.json(), async (path, raw) => {
        const method = path.endsWith(customerId) ? 'PATCH' : 'POST';
        const response = await t.call(method, path, { token: agent, raw });
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
  });

  it('any query string, including forged cursors, is below 500', async () => {
    const forged = [
      Buffer.from('{"pk":5}').toString('base64url'),
      Buffer.from('{"nope":"x"}').toString('base64url'),
      Buffer.from('{"first":{"pk":"x"},"done":["zzz"]}').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
      '%%%',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(`/v1/customers/${customerId}/notes`, '/v1/customers'),
        fc.dictionary(fc.constantFrom('q', 'nationalId', 'limit', 'cursor', 'country', 'x'), fc.oneof(fc.string(), fc.constantFrom(...forged))),
        async (path, params) => {
          const query = new URLSearchParams(params).toString();
          const response = await t.call('GET', `${path}?${query}`, { token: agent });
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('text and charsets (issue 15: never stored as replacement characters)', () => {
  const post = (path: string, body: Buffer, contentType: string) =>
    fetch(`${t.stack.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${agent}`, 'content-type': contentType }, body });

  it('refuses bytes that are not UTF-8 in a text field with 422 naming the field, and stores nothing', async () => {
    // Prepare: "Ann\xE5" (Latin-1 å) inside a body sent as UTF-8
    const bytes = Buffer.concat([Buffer.from('{"text":"Ring Ann'), Buffer.from([0xe5]), Buffer.from(' tillbaka"}')]);
    const before = (await t.call('GET', `/v1/customers/${customerId}/notes`, { token: agent })).body.items.length;
    // Act
    const response = await post(`/v1/customers/${customerId}/notes`, bytes, 'application/json');
    const problem = (await response.json()) as { errors: { path: string }[] };
    const after = (await t.call('GET', `/v1/customers/${customerId}/notes`, { token: agent })).body.items.length;
    // Assess
    expect(response.status).toBe(422);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'text' })]);
    expect(after).toBe(before);
  });

  it('refuses a lone surrogate ("\\ud800") with 422 naming the field', async () => {
    const response = await t.call('POST', '/v1/customers', { token: agent, raw: JSON.stringify(swedishPerson({ nationalId: '19870422-2382' })).replace('Anna Andersson', 'Anna \\ud800') });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'name' })]);
  });

  it('decodes a body by the charset its content-type names (ISO-8859-1)', async () => {
    const response = await post(`/v1/customers/${customerId}/notes`, Buffer.from('{"text":"Åsa ringde om fakturan"}', 'latin1'), 'application/json; charset=ISO-8859-1');
    expect(response.status).toBe(201);
    const notes = (await t.call('GET', `/v1/customers/${customerId}/notes`, { token: agent })).body.items as { text: string }[];
    expect(notes.map((note) => note.text)).toContain('Åsa ringde om fakturan');
  });

  it('answers 415 for a charset it cannot decode', async () => {
    const response = await post(`/v1/customers/${customerId}/notes`, Buffer.from('{"text":"x"}'), 'application/json; charset=x-klingon');
    expect(response.status).toBe(415);
  });
});
