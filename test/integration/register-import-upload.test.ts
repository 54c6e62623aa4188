/**
 * A large address register through an upload on the embedded stack (issue 11: no bulk work
 * inside a request): an upload URL (the local stand-in for an S3 presigned PUT), the file PUT
 * to it, the import by uploadId answered 202 at once, the file read and parsed by the alert job
 * worker in the background, its chunks written, the job polled to completed, and an outage
 * reaching every phone of it. The same Idempotency-Key again finds the same job.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestStack, type TestStack } from './support.js';

let t: TestStack;
let admin: string;
let ops: string;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.token({ role: 'admin', subject: 'register-admin' });
  ops = await t.token({ role: 'ops', subject: 'register-ops' });
});
afterAll(async () => t.stop());

/** POST /uploads, then PUT the bytes to the URL as a client would (no token: the URL is the permission). */
async function upload(bytes: Buffer): Promise<string> {
  const created = await t.call('POST', '/v1/address-register/uploads', { token: admin });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ uploadId: expect.stringMatching(/^upl_/), method: 'PUT', maxBytes: 12 * 1024 * 1024, expiresAt: expect.any(String) });
  expect(new URL(created.body.uploadUrl).hostname).toBe('127.0.0.1');
  const put = await fetch(created.body.uploadUrl, { method: created.body.method, body: bytes });
  expect(put.status).toBe(200);
  return created.body.uploadId;
}

async function jobDone(jobId: string, token = admin) {
  for (let attempt = 0; attempt < 600; attempt++) {
    const job = (await t.call('GET', `/v1/jobs/${jobId}`, { token })).body;
    if (job.status === 'completed' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not end`);
}

describe('an address register uploaded by URL', () => {
  it('is imported by uploadId in the background: 202 at once, the job completes, and an outage reaches every phone', async () => {
    // Prepare: 1,200 phones on a street of their own (two chunks), one bad line
    const street = 'Uppladdningsgatan';
    const lines = ['phone;street;number;postalCode;city', ...Array.from({ length: 1_200 }, (_, i) => `+4670${String(5_000_000 + i)};${street};${i + 1};67141;Arvika`), 'inte ett nummer;Storgatan;1;67131;Arvika'];
    const uploadId = await upload(Buffer.from(lines.join('\n')));
    const key = `register-${Date.now()}`;

    // Act
    const answer = await t.call('POST', '/v1/address-register/imports', { token: admin, body: { uploadId }, headers: { 'idempotency-key': key } });
    const job = await jobDone(answer.body.jobId);
    const again = await t.call('POST', '/v1/address-register/imports', { token: admin, body: { uploadId }, headers: { 'idempotency-key': key } });
    const outage = await t.call('POST', '/v1/outages', {
      token: ops,
      body: { category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt på Uppladdningsgatan.', area: { streets: [{ street, postalCode: '67141' }] } },
    });
    const outageJob = outage.status === 202 ? await jobDone(outage.body.jobId, ops) : undefined;
    const status = (await t.call('GET', `/v1/outages/${outage.body.outageId}`, { token: ops })).body;

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(`/v1/jobs/${answer.body.jobId}`);
    expect(answer.body).toEqual({ jobId: expect.stringMatching(/^job_/), status: 'queued' });
    expect(job).toMatchObject({
      kind: 'register-import', status: 'completed', progress: { rows: 1_200, chunks: 2, chunksDone: 2, rowsWritten: 1_200 },
      result: { imported: 1_200, rejected: 1 }, errors: [{ line: 1_202, message: expect.stringMatching(/^line 1202: /) }],
    });
    expect(again.status).toBe(202);
    expect(again.body.jobId).toBe(answer.body.jobId);
    expect(outage.status).toBe(202);
    expect(outageJob).toMatchObject({ status: 'completed', result: { recipients: 1_200 } });
    expect(status.queued + status.sent + status.failed + status.optedOut).toBe(1_200);
  });

  it('names the uploadId when it is unknown (404), nothing was PUT (409) or it is missing (422); a CSV body still imports', async () => {
    // Prepare
    const empty = (await t.call('POST', '/v1/address-register/uploads', { token: admin })).body.uploadId;

    // Act
    const unknown = await t.call('POST', '/v1/address-register/imports', { token: admin, body: { uploadId: 'upl_0000000000000000' } });
    const nothing = await t.call('POST', '/v1/address-register/imports', { token: admin, body: { uploadId: empty } });
    const missing = await t.call('POST', '/v1/address-register/imports', { token: admin, body: {} });
    const asOps = await t.call('POST', '/v1/address-register/uploads', { token: ops });
    const csv = await t.call('POST', '/v1/address-register/imports', {
      token: admin, raw: 'phone,street,number,postalCode,city\n+46705550000,Csvgatan,1,67131,Arvika\n', headers: { 'content-type': 'text/csv' },
    });

    // Assess
    for (const [answer, status] of [[unknown, 404], [nothing, 409], [missing, 422]] as const) {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body.errors.map((e: { path: string }) => e.path)).toEqual(['uploadId']);
    }
    expect(nothing.body.detail).toMatch(/PUT the file to its uploadUrl/);
    expect(asOps.status).toBe(403);
    expect(csv.status).toBe(200);
    expect(csv.body).toMatchObject({ imported: 1, status: 'completed' });
  });

  it('refuses a file with no valid line (422 naming csv and its lines) and keeps the register as it was', async () => {
    // Prepare: a register with one number on Kvarstående gatan
    const kept = await t.call('POST', '/v1/address-register/imports', {
      token: admin, raw: 'phone,street,number,postalCode,city\n+46705551111,Kvarstaende gatan,1,67131,Arvika\n', headers: { 'content-type': 'text/csv' },
    });
    expect(kept.status).toBe(200);

    // Act: a file in which every phone is wrong
    const wrong = await t.call('POST', '/v1/address-register/imports', {
      token: admin, raw: 'phone,street,number,postalCode,city\n0000,Nygatan,1,67131,Arvika\n1111,Nygatan,2,67131,Arvika\n', headers: { 'content-type': 'text/csv' },
    });
    const outage = await t.call('POST', '/v1/outages', {
      token: ops, body: { category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt.', area: { streets: [{ street: 'Kvarstaende gatan', city: 'Arvika' }] } },
    });

    const resolved = outage.status === 202 ? await jobDone(outage.body.jobId, ops) : { result: outage.body };

    // Assess
    expect(wrong.status).toBe(422);
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
    expect(wrong.body.errors.map((e: { path: string }) => e.path)).toEqual(['csv', 'csv.line 2', 'csv.line 3']);
    expect(resolved).toMatchObject({ result: { recipients: 1 } });
  });
});
