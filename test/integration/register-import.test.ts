/**
 * The address register import as a job (R-SMS-2; issue 11 item 1, issue 15): a large file
 * answers at once and is written in chunks by the background worker, the register switches
 * only when every chunk is written, a retried request finds the same job, a chunk lost with
 * its worker is queued again by the sweeper, and an import that finishes after a later one
 * does not undo it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { arvikaAlertSettings, startAlertsTable, type AlertsTable } from './alerts-table.js';
import { DynamoAlertRepository } from '../../lambdas/adapters/dynamo/alert-repository.js';
import { DynamoJobRepository } from '../../lambdas/adapters/dynamo/job-repository.js';
import { randomIds } from '../../lambdas/adapters/ids.js';
import { normaliseStreet } from '../../lambdas/domain/alerts/address.js';
import { ResumableRegisterImports } from '../../lambdas/domain/alerts/outage-jobs.js';
import type { AlertJobMessage, RegisterFileStore } from '../../lambdas/domain/alerts/ports.js';
import { OutageAlerts, registerChunkRows, rejectedLinesKept } from '../../lambdas/domain/alerts/service.js';
import { JobSweeper } from '../../lambdas/domain/jobs/sweeper.js';
import { canReceiveSms } from '../../lambdas/domain/phone.js';

let repo: DynamoAlertRepository;
let jobRepo: DynamoJobRepository;

const settings = arvikaAlertSettings;
const admin = { subject: 'admin-1', role: 'admin' as const };

let table: AlertsTable;

beforeAll(async () => {
  table = await startAlertsTable('register-it');
  ({ repo, jobRepo } = table);
});
afterAll(() => table.close());

/** Register uploads in memory: what S3 (or the embedded stack's file store) is to the service. */
function memoryFiles(): RegisterFileStore & { objects: Map<string, Buffer>; reads: number } {
  const objects = new Map<string, Buffer>();
  const etagOf = (bytes: Buffer) => `"${bytes.byteLength}-${bytes.subarray(0, 8).toString('hex')}-${bytes.subarray(-8).toString('hex')}"`;
  const store = {
    objects,
    reads: 0,
    uploadUrl: async (objectKey: string, seconds: number) => ({ url: `memory://${objectKey}`, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() }),
    head: async (objectKey: string) => {
      const bytes = objects.get(objectKey);
      return bytes ? { found: true as const, size: bytes.byteLength, etag: etagOf(bytes) } : { found: false as const };
    },
    read: async (objectKey: string, options: { ifMatch?: string; maxBytes: number }) => {
      store.reads++;
      const bytes = objects.get(objectKey);
      if (!bytes) return { found: false as const, reason: 'missing' as const };
      if (options.ifMatch && options.ifMatch !== etagOf(bytes)) return { found: false as const, reason: 'changed' as const };
      return { found: true as const, bytes: new Uint8Array(bytes), etag: etagOf(bytes) };
    },
  };
  return store;
}

function alertsWith(queued: AlertJobMessage[], now = () => new Date(), registerFiles: RegisterFileStore = memoryFiles()) {
  return new OutageAlerts({
    repo, sms: { send: async () => ({ providerMessageId: 'p' }) }, voice: { call: async () => ({ providerMessageId: 'v' }) },
    queue: { enqueue: async () => undefined }, jobs: jobRepo, jobQueue: { enqueueJob: async (job) => void queued.push(job) },
    inlineRegisterRows: 100, now, newId: (p) => randomIds.newId(p), settings, canReceiveSms, registerFiles,
  });
}

/** An upload URL asked for and the file "PUT" to it. */
async function uploaded(alerts: OutageAlerts, files: ReturnType<typeof memoryFiles>, bytes: Buffer): Promise<string> {
  const upload = await alerts.createRegisterUpload(admin);
  files.objects.set(upload.uploadUrl.slice('memory://'.length), bytes);
  return upload.uploadId;
}

/** A register file of `rows` phones on a street of its own, with one bad line. */
function registerFile(rows: number, street = `Gata${randomIds.newId('s').slice(2, 8)}`) {
  const phones = Array.from({ length: rows }, (_, i) => `+4673${String(i).padStart(7, '0')}`);
  const lines = ['phone,street,number,postalCode,city', ...phones.map((phone, i) => `${phone},${street},${i + 1},67131,Arvika`), 'not a phone,Storgatan,1,67131,Arvika'];
  return { csv: Buffer.from(lines.join('\n')), phones, street };
}

const registered = async (alerts: OutageAlerts, street: string) =>
  (await alerts.resolveRecipients({ streets: [{ street, postalCode: '67131' }] })).phones.length;

describe('a register import too large for its request', () => {
  it('answers queued with the rejected lines, is written chunk by chunk in the background, and counts only when every chunk is written', async () => {
    // Prepare: 2,500 rows (three chunks), an inline limit of 100
    const queued: { jobId: string; chunk?: number }[] = [];
    const alerts = alertsWith(queued);
    const { csv, street } = registerFile(2_500);

    // Act
    const answer = await alerts.importRegister(csv, { actor: admin });
    const before = await registered(alerts, street);
    const jobs = queued.splice(0);
    for (const job of jobs.slice(0, -1)) await alerts.runJob(job);
    const partway = await alerts.getJob(answer.jobId);
    const notYet = await registered(alerts, street);
    await alerts.runJob(jobs.at(-1)!);
    await alerts.runJob(jobs[0]!); // a chunk delivered twice

    // Assess
    expect(answer).toMatchObject({ status: 'queued', imported: 2_500, rejected: [{ line: 2_502, reason: expect.any(String) }] });
    expect(jobs).toEqual([0, 1, 2].map((chunk) => ({ jobId: answer.jobId, chunk })));
    expect(Math.ceil(2_500 / registerChunkRows)).toBe(3);
    expect(before).toBe(0);
    expect(partway).toMatchObject({ status: 'running', progress: { chunksDone: 2, rowsWritten: 2_000 } });
    expect(notYet).toBe(0);
    expect(await alerts.getJob(answer.jobId)).toMatchObject({
      kind: 'register-import', status: 'completed', progress: { chunksDone: 3, rowsWritten: 2_500 }, result: { imported: 2_500, rejected: 1 },
    });
    expect(await registered(alerts, street)).toBe(2_500);
  });

  it('keeps every chunk item far under DynamoDB\'s 400 KB, however long the addresses', async () => {
    // Prepare: 1,500 rows whose street names are 300 characters long
    const queued: { jobId: string; chunk?: number }[] = [];
    const alerts = alertsWith(queued);
    const street = `L${'å'.repeat(299)}`;
    const lines = ['phone,street,number,postalCode,city', ...Array.from({ length: 1_500 }, (_, i) => `+4677${String(1_000_000 + i)},${street},${i + 1},67131,Arvika`)];

    // Act
    const answer = await alerts.importRegister(Buffer.from(lines.join('\n')), { actor: admin });
    const sizes = await Promise.all(queued.map(async (job) => Buffer.byteLength((await repo.getRegisterChunk(answer.jobId, job.chunk!)) ?? '', 'utf8')));

    // Assess: more chunks than 1,000 rows each would make, each at most 200 KB
    expect(queued.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200_000);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
  });

  it('a retry with the same Idempotency-Key finds the first job: one import', async () => {
    // Prepare
    const queued: { jobId: string; chunk?: number }[] = [];
    const alerts = alertsWith(queued);
    const { csv } = registerFile(300);
    const key = `key-${randomIds.newId('k')}`;

    // Act
    const first = await alerts.importRegister(csv, { actor: admin, idempotencyKey: key });
    const again = await alerts.importRegister(csv, { actor: admin, idempotencyKey: key });

    // Assess
    expect(again).toMatchObject({ jobId: first.jobId, generation: first.generation });
    expect(queued).toHaveLength(1);
  });

  it('a chunk lost with its worker is queued again by the sweeper once the job is stalled, and the import completes', async () => {
    // Prepare: the message of chunk 1 is lost
    const queued: { jobId: string; chunk?: number }[] = [];
    let now = new Date('2026-12-04T08:00:00Z');
    const alerts = alertsWith(queued, () => now);
    const { csv, street } = registerFile(2_200);
    const answer = await alerts.importRegister(csv, { actor: admin });
    for (const job of queued.splice(0).filter((job) => job.chunk !== 1)) await alerts.runJob(job);
    const sweeper = new JobSweeper([new ResumableRegisterImports(jobRepo, { enqueueJob: async (job) => void queued.push(job) }, 15 * 60_000)]);

    // Act
    now = new Date('2026-12-04T08:05:00Z');
    const early = await sweeper.sweep(now);
    now = new Date('2026-12-04T08:30:00Z');
    const late = await sweeper.sweep(now);
    for (const job of queued.splice(0)) await alerts.runJob(job);

    // Assess
    expect(early.resumed.filter((r) => r.jobId === answer.jobId)).toEqual([]);
    expect(late.resumed.filter((r) => r.jobId === answer.jobId)).toEqual([{ kind: 'register-import', jobId: answer.jobId, requeued: 3 }]);
    expect(await alerts.getJob(answer.jobId)).toMatchObject({ status: 'completed', progress: { chunksDone: 3, rowsWritten: 2_200 } });
    expect(await registered(alerts, street)).toBe(2_200);
  });

  it('an import that finishes after a later one does not undo it', async () => {
    // Prepare: a large import queued, then a small one (inline) of another street
    const queued: { jobId: string; chunk?: number }[] = [];
    const alerts = alertsWith(queued);
    const large = registerFile(1_500);
    const small = registerFile(10);
    const slow = await alerts.importRegister(large.csv, { actor: admin });
    const fast = await alerts.importRegister(small.csv, { actor: admin });

    // Act: the large one's chunks run last
    for (const job of queued.splice(0)) await alerts.runJob(job);

    // Assess: the register is the later file
    expect(fast.status).toBe('completed');
    expect((await alerts.getJob(slow.jobId))?.status).toBe('completed');
    expect(await registered(alerts, small.street)).toBe(10);
    expect(await registered(alerts, large.street)).toBe(0);
  });
});

/** Counts the items BatchWriteItem puts, by partition key, for keys beginning with `prefix`, until `stop()`. */
async function countBatchPuts(prefix: string): Promise<{ writes: Map<string, number>; stop: () => void }> {
  const writes = new Map<string, number>();
  const { observeDynamoCalls } = await import('../../lambdas/adapters/dynamo/client.js');
  const stop = observeDynamoCalls((call) => {
    if (call.command !== 'BatchWriteItemCommand') return;
    for (const request of Object.values(call.input.RequestItems as Record<string, { PutRequest?: { Item: { pk: string } } }[]>).flat()) {
      const pk = request.PutRequest?.Item.pk ?? '';
      if (pk.startsWith(prefix)) writes.set(pk, (writes.get(pk) ?? 0) + 1);
    }
  });
  return { writes, stop: () => void stop() };
}

describe('the address index a register import writes', () => {
  it('spreads one street over 16 partitions, and an outage area by street finds every address on it (and only there)', async () => {
    // Prepare: 400 addresses on one street of their own, in two postal codes
    const queued: { jobId: string; chunk?: number }[] = [];
    const alerts = alertsWith(queued);
    const street = `Långgatan${Math.floor(Math.random() * 1_000_000)}`;
    const lines = ['phone,street,number,postalCode,city', ...Array.from({ length: 400 }, (_, i) => `+4677${String(1_000_000 + i)},${street},${i + 1},${i < 300 ? '67131' : '67132'},Arvika`)];
    const { writes, stop } = await countBatchPuts(`STREET#${normaliseStreet(street)}#`);

    // Act
    await alerts.importRegister(Buffer.from(lines.join('\n')), { actor: admin });
    for (const job of queued.splice(0)) await alerts.runJob(job);
    stop();
    const whole = await alerts.resolveRecipients({ streets: [{ street, city: 'Arvika' }] });
    const onePostalCode = await alerts.resolveRecipients({ streets: [{ street, postalCode: '67132' }] });

    // Assess
    expect(writes.size).toBe(16);
    expect(Math.max(...writes.values())).toBeLessThan(400 / 8);
    expect(whole.phones).toHaveLength(400);
    expect(onePostalCode.phones).toHaveLength(100);
  });

  it('spreads one postal code over 16 partitions, and an outage area by postal code finds every address in them', async () => {
    // Prepare: 400 addresses in one postal code of their own
    const queued: { jobId: string; chunk?: number }[] = [];
    const alerts = alertsWith(queued);
    const postal = `9${String(Math.floor(Math.random() * 9_000) + 1_000)}`;
    const lines = ['phone,street,number,postalCode,city', ...Array.from({ length: 400 }, (_, i) => `+4676${String(1_000_000 + i)},Postgatan ${i % 7},${i + 1},${postal},Arvika`)];
    const { writes, stop } = await countBatchPuts(`POSTAL#${postal}`);

    // Act
    await alerts.importRegister(Buffer.from(lines.join('\n')), { actor: admin });
    for (const job of queued.splice(0)) await alerts.runJob(job);
    stop();
    const found = await alerts.resolveRecipients({ postalCodes: [postal] });

    // Assess
    expect(writes.size).toBe(16);
    expect(Math.max(...writes.values())).toBeLessThan(400 / 8);
    expect(found.phones).toHaveLength(400);
  });
});

describe('a register imported from an upload (issue 11: no bulk work inside a request)', () => {
  it('answers queued without reading the file; the worker parses it, records the rejected lines, queues the chunks, and they complete it', async () => {
    // Prepare: 2,500 rows and one bad line
    const queued: AlertJobMessage[] = [];
    const files = memoryFiles();
    const alerts = alertsWith(queued, () => new Date(), files);
    const { csv, street } = registerFile(2_500);
    const uploadId = await uploaded(alerts, files, csv);

    // Act
    const answer = await alerts.importRegisterUpload(uploadId, { actor: admin });
    const readsInRequest = files.reads;
    const [parse] = queued.splice(0);
    await alerts.runJob(parse!);
    const parsed = await alerts.getJob(answer.jobId);
    const chunks = queued.splice(0);
    for (const job of chunks) await alerts.runJob(job);

    // Assess
    expect(answer).toEqual({ jobId: answer.jobId, status: 'queued' });
    expect(readsInRequest).toBe(0);
    expect(parse).toEqual({ jobId: answer.jobId, parse: true });
    expect(parsed).toMatchObject({ status: 'queued', progress: { rows: 2_500, chunks: 3, chunksDone: 0 }, errors: [{ line: 2_502, message: expect.stringMatching(/^line 2502: /) }], result: { rejected: 1 } });
    expect(chunks).toEqual([0, 1, 2].map((chunk) => ({ jobId: answer.jobId, chunk })));
    expect(await alerts.getJob(answer.jobId)).toMatchObject({
      status: 'completed', progress: { chunksDone: 3, rowsWritten: 2_500 }, result: { imported: 2_500, rejected: 1 },
    });
    expect(await registered(alerts, street)).toBe(2_500);
  });

  it('a parse delivered twice (one after the other, or both at once) makes one set of chunks and one generation, and completes once', async () => {
    // Prepare
    const queued: AlertJobMessage[] = [];
    const files = memoryFiles();
    const alerts = alertsWith(queued, () => new Date(), files);
    const { csv, street } = registerFile(2_200);
    const answer = await alerts.importRegisterUpload(await uploaded(alerts, files, csv), { actor: admin });
    const parse = queued.splice(0)[0]!;
    const generation = ((await jobRepo.getJob<{ generation: string }>(answer.jobId))!.input).generation;

    // Act: twice at once, then once more after
    await Promise.all([alerts.runJob(parse), alerts.runJob(parse)]);
    await alerts.runJob(parse);
    const chunks = queued.splice(0);
    for (const job of chunks) await alerts.runJob(job);
    await alerts.runJob(parse); // after completion: nothing
    const completed = await jobRepo.getJob<{ generation: string; chunks: number }>(answer.jobId);

    // Assess
    expect(chunks).toEqual([0, 1, 2].map((chunk) => ({ jobId: answer.jobId, chunk })));
    expect(queued).toEqual([]);
    expect(completed).toMatchObject({
      status: 'completed', progress: { rows: 2_200, chunks: 3, chunksDone: 3, rowsWritten: 2_200 }, result: { imported: 2_200, rejected: 1, generation },
    });
    expect(completed!.input).toMatchObject({ generation, chunks: 3 });
    expect(await repo.registerGeneration()).toBe(generation);
    expect(await repo.getRegisterChunk(answer.jobId, 3)).toBeUndefined();
    expect(await registered(alerts, street)).toBe(2_200);
  });

  it('the same Idempotency-Key again finds the same job and queues nothing more', async () => {
    // Prepare
    const queued: AlertJobMessage[] = [];
    const files = memoryFiles();
    const alerts = alertsWith(queued, () => new Date(), files);
    const uploadId = await uploaded(alerts, files, registerFile(300).csv);
    const key = `key-${randomIds.newId('k')}`;

    // Act
    const first = await alerts.importRegisterUpload(uploadId, { actor: admin, idempotencyKey: key });
    const again = await alerts.importRegisterUpload(uploadId, { actor: admin, idempotencyKey: key });

    // Assess
    expect(again.jobId).toBe(first.jobId);
    expect(queued).toEqual([{ jobId: first.jobId, parse: true }]);
  });

  it('a parse lost with its worker is queued again by the sweeper once the job is stalled', async () => {
    // Prepare: the parse message is lost
    const queued: AlertJobMessage[] = [];
    let now = new Date('2026-12-04T08:00:00Z');
    const files = memoryFiles();
    const alerts = alertsWith(queued, () => now, files);
    const { csv, street } = registerFile(1_200);
    const answer = await alerts.importRegisterUpload(await uploaded(alerts, files, csv), { actor: admin });
    queued.splice(0);
    const sweeper = new JobSweeper([new ResumableRegisterImports(jobRepo, { enqueueJob: async (job) => void queued.push(job) }, 15 * 60_000)]);

    // Act
    now = new Date('2026-12-04T08:30:00Z');
    const swept = await sweeper.sweep(now);
    for (let job = queued.shift(); job; job = queued.shift()) await alerts.runJob(job);

    // Assess
    expect(swept.resumed.filter((r) => r.jobId === answer.jobId)).toEqual([{ kind: 'register-import', jobId: answer.jobId, requeued: 1 }]);
    expect(await alerts.getJob(answer.jobId)).toMatchObject({ status: 'completed', progress: { chunksDone: 2, rowsWritten: 1_200 } });
    expect(await registered(alerts, street)).toBe(1_200);
  });

  it('keeps the first rejected lines on the job and counts the rest; a file replaced after the request, or a bad header, fails the job', async () => {
    // Prepare
    const queued: AlertJobMessage[] = [];
    const files = memoryFiles();
    const alerts = alertsWith(queued, () => new Date(), files);
    const bad = ['phone,street,number,postalCode,city', '+46701112233,Storgatan,1,67131,Arvika', ...Array.from({ length: 500 }, (_, i) => `nope${i},${'Gata'.repeat(200)},1,67131,Arvika`)].join('\n');
    const allBad = ['phone,street,number,postalCode,city', ...Array.from({ length: 30 }, (_, i) => `nope${i},Storgatan,1,67131,Arvika`)].join('\n');
    const manyRejected = await alerts.importRegisterUpload(await uploaded(alerts, files, Buffer.from(bad)), { actor: admin });
    const replacedUpload = await uploaded(alerts, files, registerFile(10).csv);
    const replaced = await alerts.importRegisterUpload(replacedUpload, { actor: admin });
    files.objects.set(`register-uploads/${replacedUpload}`, registerFile(11).csv);
    const header = await alerts.importRegisterUpload(await uploaded(alerts, files, Buffer.from('phone;gata\n+46701234567;Storgatan\n')), { actor: admin });
    const nothingValid = await alerts.importRegisterUpload(await uploaded(alerts, files, Buffer.from(allBad)), { actor: admin });

    // Act
    for (let job = queued.shift(); job; job = queued.shift()) await alerts.runJob(job);
    const [rejectedJob, replacedJob, headerJob, nothingValidJob] = await Promise.all([manyRejected, replaced, header, nothingValid].map((j) => alerts.getJob(j.jobId)));

    // Assess
    expect(rejectedJob).toMatchObject({ status: 'completed', result: { imported: 1, rejected: 500 } });
    // A file with no valid line would empty the register: the job fails and the register stays.
    expect(nothingValidJob).toMatchObject({ status: 'failed', errors: expect.arrayContaining([{ message: expect.stringMatching(/^csv: none of the file's 30 lines is valid/) }]) });
    expect(rejectedJob!.errors).toHaveLength(rejectedLinesKept + 1);
    expect(rejectedJob!.errors.at(-1)!.message).toMatch(/^and 400 more rejected lines/);
    expect(Buffer.byteLength(JSON.stringify(rejectedJob), 'utf8')).toBeLessThan(60_000);
    expect(replacedJob).toMatchObject({ status: 'failed', errors: [{ message: expect.stringMatching(/^uploadId: the uploaded file was replaced/) }] });
    expect(headerJob).toMatchObject({ status: 'failed' });
    expect(headerJob!.errors.length).toBeGreaterThan(0);
  });

  it('refuses an unknown uploadId, an upload with nothing PUT yet, and a file over the limit, naming uploadId', async () => {
    // Prepare
    const queued: AlertJobMessage[] = [];
    const files = memoryFiles();
    const alerts = alertsWith(queued, () => new Date(), files);
    const nothing = (await alerts.createRegisterUpload(admin)).uploadId;
    const large = await alerts.createRegisterUpload(admin);
    files.objects.set(large.uploadUrl.slice('memory://'.length), Buffer.alloc(large.maxBytes + 1, 0x41));

    // Act
    const outcomes = await Promise.all(['upl_0000000000000000', nothing, large.uploadId].map((id) => alerts.importRegisterUpload(id, { actor: admin }).then(() => undefined, (error: Error & { kind?: string; errors?: { path: string }[] }) => error)));

    // Assess
    expect(outcomes.map((e) => e?.kind)).toEqual(['not_found', 'conflict', 'validation']);
    for (const error of outcomes) expect(error?.errors?.map((e) => e.path)).toEqual(['uploadId']);
    expect(queued).toEqual([]);
  });
});
