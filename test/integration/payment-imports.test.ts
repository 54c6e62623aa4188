/**
 * Large payment files on the embedded stack: an upload URL (the local stand-in for an S3
 * presigned PUT), the import validated whole and booked in chunks through the in-process
 * queue, polled until completed. Chunks of 2 entries here, so a small file has several.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lambdas/adapters/dynamo/client.js';
import { buildBgMaxFile } from '../../lambdas/domain/payments/bgmax.js';
import { importIdOf, sha256Of } from '../../lambdas/domain/billing/payment-imports.js';
import { normaliseReference } from '../../lambdas/domain/billing/references.js';
import type { SqsHandler } from '../../local/jobs.js';
import { startTestStack, swedishPerson, waterFacility, type TestStack } from './support.js';

let t: TestStack;
let admin: string;
let agent: string;
const invoices: Record<'anna' | 'bertil' | 'cecilia', { invoiceId: string; reference: string; total: number }> = {} as never;

const payFile = (payments: { reference: string; amountOre: number; payerName?: string }[], date = '2027-01-20') =>
  buildBgMaxFile(payments, { bankgiro: '5050-1055', date });

async function invoice(invoiceId: string) {
  return (await t.call('GET', `/v1/invoices/${invoiceId}`, { token: agent })).body;
}

/** POST /uploads, then PUT the bytes to the URL as a client would (no token: the URL is the permission). */
async function upload(bytes: Buffer): Promise<string> {
  const created = await t.call('POST', '/v1/payment-files/uploads', { token: admin });
  expect(created.status).toBe(201);
  const put = await fetch(created.body.uploadUrl, { method: created.body.method, body: bytes });
  expect(put.status).toBe(200);
  return created.body.uploadId;
}

async function poll(importId: string) {
  for (let attempt = 0; attempt < 400; attempt++) {
    const progress = await t.call('GET', `/v1/payment-files/imports/${importId}`, { token: agent });
    if (progress.body.status === 'completed' || progress.body.status === 'failed') return progress.body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the import did not finish');
}

beforeAll(async () => {
  process.env.PAYMENT_IMPORT_CHUNK_SIZE = '2';
  // POST /v1/payment-files books up to 5 entries inside the request; a larger body is a background import.
  process.env.PAYMENT_FILE_INLINE_ENTRIES = '5';
  t = await startTestStack();
  admin = await t.token({ role: 'admin' });
  agent = await t.token({ role: 'agent' });
  await t.call('POST', '/_local/clock', { body: { set: '2026-12-05T08:00:00Z' } });
  await t.call('PUT', '/v1/tariffs/water', {
    token: admin, body: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 10_000, unitPrice: 2_500, unit: 'm3', connectionFee: 0 },
  });
  const people = [
    ['anna', '19121212-1212'],
    ['bertil', '811218-9876'],
    ['cecilia', '19870422-2382'],
  ] as const;
  const customers: Partial<Record<(typeof people)[number][0], string>> = {};
  for (const [name, nationalId] of people) {
    const customerId = (await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ name: `${name} Test`, nationalId }) })).body.customerId;
    await t.call('POST', `/v1/customers/${customerId}/facilities`, {
      token: agent, body: waterFacility({ services: [{ service: 'water', startDate: '2026-09-01', billingCycle: 'monthly' }] }),
    });
    customers[name] = customerId;
  }
  await t.call('POST', '/v1/billing-runs', { token: admin, body: { runMonth: '2026-12' } });
  await t.stack.billingQueue.idle();
  for (const [name] of people) {
    invoices[name] = (await t.call('GET', `/v1/customers/${customers[name]}/invoices`, { token: agent })).body.items[0];
  }
});
afterAll(async () => t.stop());

describe('a large payment file: upload, import, progress', () => {
  let importId: string;
  let file: Buffer;

  it('books an uploaded file in chunks through the queue; the progress ends completed with the balances right', async () => {
    // Prepare
    expect(Object.keys(invoices).sort()).toEqual(['anna', 'bertil', 'cecilia']);
    for (const invoice of Object.values(invoices)) expect(invoice).toMatchObject({ invoiceId: expect.any(String), reference: expect.any(String), total: expect.any(Number) });
    const { anna, bertil, cecilia } = invoices;
    file = payFile([
      { reference: anna.reference, amountOre: anna.total, payerName: 'Anna Test' },
      { reference: bertil.reference, amountOre: 10_000 },
      { reference: bertil.reference, amountOre: 5_000 },
      { reference: cecilia.reference, amountOre: cecilia.total + 2_500 },
      { reference: '99999999999', amountOre: 5_000, payerName: 'Åsa Okänd' },
    ]);
    const uploadId = await upload(file);

    // Act
    const started = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId } });
    importId = started.body.importId;
    const done = await poll(importId);

    // Assess
    expect(started.status).toBe(202);
    expect(importId).toBe(importIdOf(sha256Of(file)));
    expect(started.headers.get('location')).toBe(`/v1/payment-files/imports/${importId}`);
    expect(done).toMatchObject({
      importId, status: 'completed', format: 'bgmax', payments: 5, booked: 5, matched: 4, unmatched: 1, overpaid: 1, alreadyImported: 0,
      chunks: 3, chunksDone: 3, errors: [],
    });
    expect(done.doneChunks).toBeUndefined();
    expect(await invoice(anna.invoiceId)).toMatchObject({ status: 'paid', openAmount: 0 });
    expect(await invoice(bertil.invoiceId)).toMatchObject({ status: 'open', openAmount: bertil.total - 15_000 });
    expect(await invoice(cecilia.invoiceId)).toMatchObject({ status: 'paid', openAmount: 0 });
    const unmatched = (await t.call('GET', '/v1/payments/unmatched', { token: agent })).body.items;
    expect(unmatched).toEqual([expect.objectContaining({ payerName: 'Åsa Okänd', importId })]);
    // The whole file is booked: dunning's ledger holds the money valued up to the file's payment date, never after today (R-FI-10), as after POST /v1/payment-files.
    const db = documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint });
    const ledger = await db.send(new GetCommand({ TableName: 'utility-main', Key: { pk: 'LEDGER', sk: 'PAYMENT_FILES' } }));
    expect(ledger.Item?.lastBookedOn).toBe('2026-12-05');
  });

  it('the same file again, from a new upload, is the same import and books nothing twice', async () => {
    // Prepare
    const before = await Promise.all(Object.values(invoices).map((i) => invoice(i.invoiceId)));
    const uploadId = await upload(file);

    // Act
    const again = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId } });
    await t.stack.paymentUploads.queue.idle();
    const progress = await poll(importId);

    // Assess
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ importId, status: 'completed' });
    expect(progress).toMatchObject({ booked: 5, matched: 4, unmatched: 1, chunksDone: 3 });
    expect(await Promise.all(Object.values(invoices).map((i) => invoice(i.invoiceId)))).toEqual(before);
  });

  it('a chunk delivered again, even twice at once, books nothing twice and is counted once', async () => {
    // Prepare
    const before = await Promise.all(Object.values(invoices).map((i) => invoice(i.invoiceId)));

    // Act
    await Promise.all([0, 1, 1, 2].map((chunk) => t.stack.paymentUploads.queue.enqueue({ importId, chunk })));
    await t.stack.paymentUploads.queue.idle();
    const progress = await poll(importId);

    // Assess
    expect(progress).toMatchObject({ status: 'completed', booked: 5, matched: 4, unmatched: 1, overpaid: 1, chunksDone: 3 });
    expect(await Promise.all(Object.values(invoices).map((i) => invoice(i.invoiceId)))).toEqual(before);
    expect(t.stack.paymentUploads.queue.deadLetters).toEqual([]);
  });

  it('every chunk of a new import delivered three times, two of them at once, books each payment once', async () => {
    // Prepare: the queue hands each message to the worker twice at once, then once more
    const worker = (await import('../../lambdas/jobs/payment-import-chunk.js')) as { handler: SqsHandler };
    t.stack.paymentUploads.queue.attach(async (event) => {
      const [first] = await Promise.all([worker.handler(event), worker.handler(event)]);
      await worker.handler(event);
      return first;
    });
    const { bertil, cecilia } = invoices;
    const open = (await invoice(bertil.invoiceId)).openAmount;
    const second = payFile([
      { reference: bertil.reference, amountOre: 1_000 },
      { reference: bertil.reference, amountOre: open - 1_000 + 700 },
      { reference: cecilia.reference, amountOre: 300 },
    ], '2027-01-27');

    // Act
    const started = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId: await upload(second) } });
    const done = await poll(started.body.importId);
    await t.stack.paymentUploads.queue.idle();
    t.stack.paymentUploads.queue.attach(t.stack.paymentUploads.worker);

    // Assess
    expect(done).toMatchObject({ status: 'completed', payments: 3, booked: 3, matched: 3, unmatched: 0, overpaid: 2, alreadyImported: 0, chunksDone: 2 });
    const after = await invoice(bertil.invoiceId);
    expect(after).toMatchObject({ status: 'paid', openAmount: 0 });
    // Chunks are booked two at once: the first file's two payments to Bertil may land in either order.
    const amounts = after.appliedPayments.map((p: { amount: number }) => p.amount);
    expect(amounts.slice(2)).toEqual([1_000, open - 1_000]);
    expect(amounts.slice(0, 2).sort()).toEqual([10_000, 5_000].sort());
    const refund = await t.call('POST', `/v1/customers/${after.customerId}/refunds`, { token: agent, body: {} });
    expect(refund.body).toMatchObject({ amount: 700 }); // the overpayment's credit, once
  });

  it('the synchronous path finds the payments booked by the import', async () => {
    // Act
    const response = await t.call('POST', '/v1/payment-files', { token: admin, raw: file as unknown as string, headers: { 'content-type': 'text/plain' } });

    // Assess
    expect(response.body).toMatchObject({ payments: 5, alreadyImported: 5, matched: 0, unmatched: 0 });
  });

  it('a file in the request body larger than a request books is imported in the background: 202 with its Location, then completed', async () => {
    // Prepare: six payments (more than the five booked inside a request here), three of them to unknown references
    const { bertil } = invoices;
    const body = payFile([
      { reference: bertil.reference, amountOre: 100 }, { reference: bertil.reference, amountOre: 200 }, { reference: bertil.reference, amountOre: 300 },
      { reference: '77777777777', amountOre: 400 }, { reference: '77777777777', amountOre: 500 }, { reference: '66666666666', amountOre: 600 },
    ], '2027-01-23');

    // Act
    const answer = await t.call('POST', '/v1/payment-files', { token: admin, raw: body as unknown as string, headers: { 'content-type': 'text/plain' } });
    const done = await poll(answer.body.importId);
    const again = await t.call('POST', '/v1/payment-files', { token: admin, raw: body as unknown as string, headers: { 'content-type': 'text/plain' } });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ importId: importIdOf(sha256Of(body)), status: 'booking', payments: 6 });
    expect(answer.headers.get('location')).toBe(`/v1/payment-files/imports/${answer.body.importId}`);
    expect(done).toMatchObject({ status: 'completed', payments: 6, booked: 6, matched: 3, unmatched: 3, errors: [] });
    expect(again.status).toBe(202);
    expect(again.body.importId).toBe(answer.body.importId);
    expect(again.body.status).toBe('completed');
  });

  it("finds a billing run's invoices by their reference's key item; only a reference no invoice has is looked up in the index", async () => {
    // Prepare: a new file paying bertil's invoice (the run wrote its reference item) and one unknown reference
    const { bertil } = invoices;
    const more = payFile([{ reference: bertil.reference, amountOre: 1_000 }, { reference: '88888888888', amountOre: 2_000 }], '2027-01-21');
    const indexQueries: string[] = [];
    const { observeDynamoCalls } = await import('../../lambdas/adapters/dynamo/client.js');
    const stop = observeDynamoCalls((call) => {
      const input = call.input as { IndexName?: string; ExpressionAttributeValues?: Record<string, unknown> };
      if (call.command === 'QueryCommand' && input.IndexName === 'gsi1') indexQueries.push(String(input.ExpressionAttributeValues?.[':pk']));
    });

    // Act
    const response = await t.call('POST', '/v1/payment-files', { token: admin, raw: more as unknown as string, headers: { 'content-type': 'text/plain' } });
    stop();

    // Assess
    expect(response.body).toMatchObject({ payments: 2, matched: 1, unmatched: 1 });
    expect(indexQueries).toEqual(['REF#88888888888']);
  });

  it('still finds an invoice with no reference item (written before them) through the reference index', async () => {
    // Prepare: bertil's reference item gone, as for an invoice written before reference items existed
    const { bertil } = invoices;
    const db = documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint });
    const key = { pk: `REF#${normaliseReference(bertil.reference)}`, sk: 'REF' };
    expect((await db.send(new GetCommand({ TableName: 'utility-main', Key: key }))).Item?.invoiceId).toBe(bertil.invoiceId);
    await db.send(new DeleteCommand({ TableName: 'utility-main', Key: key }));

    // Act
    const response = await t.call('POST', '/v1/payment-files', {
      token: admin, raw: payFile([{ reference: bertil.reference, amountOre: 700 }], '2027-01-22') as unknown as string, headers: { 'content-type': 'text/plain' },
    });

    // Assess: matched to the invoice (unmatched if it were not found)
    expect(response.body).toMatchObject({ payments: 1, matched: 1, unmatched: 0 });
  });
});

describe('bad input', () => {
  it('a truncated file is refused whole with its lines named; nothing is booked and no import exists', async () => {
    // Prepare
    const { bertil } = invoices;
    const before = await invoice(bertil.invoiceId);
    const whole = payFile([{ reference: bertil.reference, amountOre: 1_000 }, { reference: bertil.reference, amountOre: 2_000 }], '2027-01-21').toString('latin1');
    const truncated = Buffer.from(whole.split('\r\n').slice(0, -2).join('\r\n'), 'latin1');
    const uploadId = await upload(truncated);

    // Act
    const response = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId } });
    const progress = await t.call('GET', `/v1/payment-files/imports/${importIdOf(sha256Of(truncated))}`, { token: agent });

    // Assess
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.detail).toMatch(/nothing was booked/);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^line \d+$/) })]));
    expect(progress.status).toBe(404);
    expect(await invoice(bertil.invoiceId)).toEqual(before);
  });

  it('an unknown uploadId is 404, a malformed one 422, an upload never PUT 409: each names uploadId', async () => {
    // Prepare
    const empty = (await t.call('POST', '/v1/payment-files/uploads', { token: admin })).body.uploadId;

    // Act
    const unknown = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId: 'upl_0000000000000000' } });
    const malformed = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId: '../etc/passwd' } });
    const extra = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId: empty, force: true } });
    const nothing = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId: empty } });
    const noImport = await t.call('GET', '/v1/payment-files/imports/imp_nope', { token: agent });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([{ path: 'uploadId', message: 'no such upload' }]);
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors[0].path).toBe('uploadId');
    expect(extra.status).toBe(422);
    expect(extra.body.errors[0].path).toBe('force');
    expect(nothing.status).toBe(409);
    expect(nothing.body.errors).toEqual([{ path: 'uploadId', message: 'no file uploaded' }]);
    expect(nothing.body.detail).toMatch(/PUT the file to its uploadUrl/);
    expect(noImport.status).toBe(404);
  });

  it('an upload URL works only as signed and only until it expires (on the local clock)', async () => {
    // Prepare
    const created = (await t.call('POST', '/v1/payment-files/uploads', { token: admin })).body;
    const forged = created.uploadUrl.replace(/signature=[0-9a-f]{4}/, 'signature=0000');
    const otherKey = created.uploadUrl.replace(created.uploadId, 'upl_zzzzzzzzzzzzzzzz');

    // Act
    const badSignature = await fetch(forged, { method: 'PUT', body: 'x' });
    const wrongObject = await fetch(otherKey, { method: 'PUT', body: 'x' });
    const get = await fetch(created.uploadUrl);
    await t.call('POST', '/_local/clock', { body: { advance: 'PT16M' } });
    const late = await fetch(created.uploadUrl, { method: 'PUT', body: 'x' });

    // Assess
    expect(created).toMatchObject({ method: 'PUT', maxBytes: 32 * 1024 * 1024 });
    expect(Date.parse(created.expiresAt) - Date.parse('2026-12-05T08:00:00Z')).toBeGreaterThanOrEqual(15 * 60_000);
    expect(badSignature.status).toBe(403);
    expect(wrongObject.status).toBe(403);
    expect(get.status).toBe(405);
    expect(late.status).toBe(403);
    expect(((await late.json()) as { detail: string }).detail).toMatch(/expired/);
  });

  it('any body, any uploaded bytes (random, or a valid file with characters changed), any import id: never a 5xx', async () => {
    // Prepare
    const valid = payFile([{ reference: invoices.anna.reference, amountOre: 100 }, { reference: '12345', amountOre: 200 }], '2027-02-01').toString('latin1');
    const mutated = fc
      .array(fc.record({ at: fc.nat({ max: valid.length - 1 }), to: fc.constantFrom(' ', '0', '9', 'X', '\n', 'Å', '\u0000') }), { minLength: 1, maxLength: 3 })
      .map((changes) => Buffer.from(changes.reduce((text, { at, to }) => text.slice(0, at) + to + text.slice(at + 1), valid), 'latin1'));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), mutated, fc.constant(Buffer.alloc(0)));

    // Act // Assess
    await fc.assert(
      fc.asyncProperty(fc.json(), async (raw) => {
        expect((await t.call('POST', '/v1/payment-files/imports', { token: admin, raw })).status).toBeLessThan(500);
      }),
      { numRuns: 30 },
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (file) => {
        const uploadId = await upload(file);
        const response = await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId } });
        expect(response.status).toBeLessThan(500);
        if (response.status !== 202) expect(response.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 25 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), async (id) => {
        expect((await t.call('GET', `/v1/payment-files/imports/${encodeURIComponent(id)}`, { token: agent })).status).toBeLessThan(500);
      }),
      { numRuns: 30 },
    );
    await t.stack.paymentUploads.queue.idle();
    expect(t.stack.paymentUploads.queue.deadLetters).toEqual([]);
  });

  it('only an admin uploads and imports; an agent may follow the progress', async () => {
    // Act
    const upload = await t.call('POST', '/v1/payment-files/uploads', { token: agent });
    const start = await t.call('POST', '/v1/payment-files/imports', { token: agent, body: { uploadId: 'upl_0000000000000000' } });

    // Assess
    expect(upload.status).toBe(403);
    expect(start.status).toBe(403);
  });
});
