/**
 * Sending under at-least-once delivery: the same job twice, a provider that throttles,
 * a provider that fails uncertainly, and a sender process that died mid-send. Never twice.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { arvikaAlertSettings, startAlertsTable, type AlertsTable } from './alerts-table.js';
import { DynamoAlertRepository } from '../../lambdas/adapters/dynamo/alert-repository.js';
import { DynamoJobRepository } from '../../lambdas/adapters/dynamo/job-repository.js';
import { randomIds } from '../../lambdas/adapters/ids.js';
import { RetryableSendError, type SmsSender } from '../../lambdas/domain/alerts/ports.js';
import { OutageAlerts } from '../../lambdas/domain/alerts/service.js';
import { ResumableOutageJobs } from '../../lambdas/domain/alerts/outage-jobs.js';
import { canReceiveSms } from '../../lambdas/domain/phone.js';
import type { BusinessMetrics } from '../../lambdas/domain/metrics.js';
import { captureEmf } from '../emf.js';

let repo: DynamoAlertRepository;
let jobRepo: DynamoJobRepository;

const settings = arvikaAlertSettings;

let table: AlertsTable;

beforeAll(async () => {
  table = await startAlertsTable('alerts-it');
  ({ repo, jobRepo } = table);
});
afterAll(() => table.close());

/** A provider that records every message it took, and can be told to misbehave. */
function recordingSender(behave: (to: string, call: number) => 'ok' | 'throttle' | 'timeout' = () => 'ok') {
  const delivered: string[] = [];
  let calls = 0;
  const sender: SmsSender = {
    async send(message) {
      const outcome = behave(message.to, ++calls);
      if (outcome === 'throttle') throw new RetryableSendError('throttled');
      delivered.push(message.to);
      if (outcome === 'timeout') throw new Error('socket hang up'); // taken, but we never heard back
      return { providerMessageId: `p-${calls}` };
    },
  };
  return { sender, delivered };
}

async function outageWith(phones: string[], sms: SmsSender, metrics?: BusinessMetrics) {
  const jobs: { outageId: string; messageKey: string }[] = [];
  const alerts = new OutageAlerts({
    repo, sms, voice: { call: async () => ({ providerMessageId: 'v' }) }, queue: { enqueue: async (job) => void jobs.push(job) },
    jobs: jobRepo, jobQueue: { enqueueJob: async () => undefined },
    now: () => new Date('2026-11-24T10:00:00Z'), newId: (p) => randomIds.newId(p), settings, canReceiveSms,
    ...(metrics ? { metrics } : {}),
  });
  const street = `Gata${randomIds.newId('s').slice(2, 8)}`;
  const csv = ['phone,street,number,postalCode,city', ...phones.map((phone, i) => `${phone},${street},${i + 1},67131,Arvika`)].join('\n');
  await alerts.importRegister(Buffer.from(csv));
  const created = await alerts.createOutage({ subject: 'ops-1', role: 'ops' }, {
    category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt.', area: { streets: [{ street, postalCode: '67131' }] },
  });
  // The release: one job for the message, which sends its only chunk itself (four phones).
  return { alerts, job: jobs[0]!, created };
}

const phones = ['+46701000011', '+46701000012', '+46701000013', '+46701000014'];

describe('business metrics (EMF)', () => {
  it('an outage for four phones counts one outage with four recipients and four SMS sent; the same job again counts nothing', async () => {
    // Prepare
    const emf = captureEmf();
    const { sender, delivered } = recordingSender();

    try {
      // Act
      const { alerts, job, created } = await outageWith(phones, sender, emf.port);
      await alerts.send(job);
      const first = emf.flush();
      await alerts.runOutageJob(created.jobId);
      await alerts.send(job);

      // Assess
      expect(created.recipients).toBe(4);
      expect(delivered).toHaveLength(4);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ service: 'nordic-utility-service', OutagesCreated: 1, OutageRecipients: 4, SmsSent: 4 });
      expect(emf.sum('OutagesCreated')).toBe(1);
      expect(emf.sum('OutageRecipients')).toBe(4);
      expect(emf.sum('SmsSent')).toBe(4);
      expect(emf.sum('SmsFailed')).toBe(0);
      // No phone number anywhere in what goes to CloudWatch.
      expect(JSON.stringify(emf.flush())).not.toMatch(/\+4670/);
    } finally {
      emf.restore();
    }
  });
});

describe('sending at least once, delivering at most once', () => {
  it('the same job run twice sends each phone once', async () => {
    // Prepare
    const { sender, delivered } = recordingSender();
    const { alerts, job } = await outageWith(phones, sender);
    // Act
    await alerts.send(job);
    await alerts.send(job);
    // Assess
    expect(delivered.sort()).toEqual(phones);
  });

  it('a throttled recipient is released, the job fails for a retry, and the retry sends only it', async () => {
    // Prepare
    const { sender, delivered } = recordingSender((to, call) => (to === phones[1] && call <= 2 ? 'throttle' : 'ok'));
    const { alerts, job } = await outageWith(phones, sender);
    // Act
    const first = alerts.send(job);
    await expect(first).rejects.toThrow(/retried/);
    const second = await alerts.send(job);
    // Assess
    expect(second).toEqual({ sent: 1, failed: 0, retry: 0 });
    expect(delivered.sort()).toEqual(phones);
  });

  it('an uncertain failure is never sent again', async () => {
    // Prepare
    const { sender, delivered } = recordingSender((to) => (to === phones[2] ? 'timeout' : 'ok'));
    const { alerts, job, created } = await outageWith(phones, sender);
    // Act
    await alerts.send(job);
    await alerts.send(job);
    const status = await alerts.getOutage(created.outageId);
    // Assess
    expect(delivered.filter((to) => to === phones[2])).toHaveLength(1);
    expect(status).toMatchObject({ sent: 3, failed: 1, queued: 0 });
  });

  it('a recipient left mid-send by a crashed sender is not sent again by the re-run', async () => {
    // Prepare: the state a crash leaves: one recipient claimed long ago, never settled
    const { sender, delivered } = recordingSender();
    const { alerts, job, created } = await outageWith(phones, sender);
    const [crashed] = await repo.listRecipients(created.outageId, '0', 0);
    await repo.transitionRecipient(crashed!, 'queued', { status: 'sending', updatedAt: new Date(Date.now() - 10 * 60_000).toISOString() });
    // Act
    await alerts.send(job);
    const after = await repo.listRecipients(created.outageId, '0', 0);
    // Assess
    expect(delivered).not.toContain(crashed!.phone);
    expect(delivered).toHaveLength(3);
    expect(after.find((r) => r.phone === crashed!.phone)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/interrupted/) });
  });
});

describe('an outage job cut off by a crash', () => {
  it('is re-queued by the sweep once stalled, runs twice without a second send, and leaves the sweep when done', async () => {
    // Prepare: an outage over the inline budget whose queued job never ran (the function died)
    const { sender, delivered } = recordingSender();
    const sends: { outageId: string; messageKey: string }[] = [];
    const requeued: string[] = [];
    const jobQueue = { enqueueJob: async (job: { jobId: string }) => void requeued.push(job.jobId) };
    const alerts = new OutageAlerts({
      repo, sms: sender, voice: { call: async () => ({ providerMessageId: 'v' }) }, queue: { enqueue: async (job) => void sends.push(job) },
      jobs: jobRepo, jobQueue, inlineAddressBudget: 1,
      now: () => new Date('2026-11-24T10:00:00Z'), newId: (p) => randomIds.newId(p), settings, canReceiveSms,
    });
    const street = `Gata${randomIds.newId('s').slice(2, 8)}`;
    const csv = ['phone,street,number,postalCode,city', ...phones.map((phone, i) => `${phone},${street},${i + 1},67131,Arvika`)].join('\n');
    await alerts.importRegister(Buffer.from(csv));
    const started = await alerts.createOutage({ subject: 'ops-1', role: 'ops' }, {
      category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt.', area: { streets: [{ street, postalCode: '67131' }] },
    }, { idempotencyKey: `crash-${street}` });
    requeued.length = 0;
    const sweep = new ResumableOutageJobs(jobRepo, jobQueue, 15 * 60_000);

    // Act
    const early = (await sweep.resumeStalled(new Date('2026-11-24T10:05:00Z'))).length;
    const late = (await sweep.resumeStalled(new Date('2026-11-24T10:20:00Z'))).length;
    const resumed = requeued.filter((id) => id === started.jobId);
    await alerts.runOutageJob(started.jobId);
    await alerts.runOutageJob(started.jobId);
    for (const job of sends) await alerts.send(job);
    const afterwards = (await sweep.resumeStalled(new Date('2026-11-25T10:00:00Z'))).length;
    const job = await jobRepo.getJob(started.jobId);

    // Assess
    expect(started.status).toBe('queued');
    expect(early).toBe(0);
    expect(late).toBeGreaterThanOrEqual(1);
    expect(resumed).toHaveLength(1);
    expect(job).toMatchObject({ status: 'completed', result: { outageId: started.outageId, recipients: phones.length } });
    expect(delivered.sort()).toEqual(phones);
    expect(requeued.filter((id) => id === started.jobId)).toHaveLength(1);
    expect(afterwards).toBe(0);
  });
});

describe('an outage area larger than a request handles', () => {
  it('goes to the background job when a street read stopped at the budget, though fewer of the numbers read were in the range', async () => {
    // Prepare: 400 numbers on one street, the area its numbers 1–12, a budget of 10 addresses a request
    const { sender } = recordingSender();
    const queuedJobs: string[] = [];
    const alerts = new OutageAlerts({
      repo, sms: sender, voice: { call: async () => ({ providerMessageId: 'v' }) }, queue: { enqueue: async () => undefined },
      jobs: jobRepo, jobQueue: { enqueueJob: async (job: { jobId: string }) => void queuedJobs.push(job.jobId) }, inlineAddressBudget: 10,
      now: () => new Date('2026-11-24T10:00:00Z'), newId: (p) => randomIds.newId(p), settings, canReceiveSms,
    });
    const street = `Intervallgatan${randomIds.newId('s').slice(2, 8)}`;
    const many = Array.from({ length: 400 }, (_, i) => `+4673${String(2_000_000 + i)}`);
    await alerts.importRegister(Buffer.from(['phone,street,number,postalCode,city', ...many.map((phone, i) => `${phone},${street},${i + 1},67131,Arvika`)].join('\n')));

    // Act
    const ranged = await alerts.createOutage({ subject: 'ops-1', role: 'ops' }, {
      category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt.', area: { streets: [{ street, postalCode: '67131', from: 1, to: 12 }] },
    });

    // Assess: 12 addresses, more than the budget: not resolved inside the request (the probe's
    // first 11 of each street partition hold only some of numbers 1–12)
    expect(ranged.status).toBe('queued');
    expect(queuedJobs).toEqual([ranged.jobId]);
  });
});

describe('sending at scale: chunks in parallel under one pace', () => {
  /** A clock for the pace that sleeping moves on (shared by every worker, as real time is). */
  function fakeWallClock(start = Date.now()) {
    let now = start;
    return {
      wallClock: () => now,
      sleep: async (ms: number) => {
        const until = now + ms;
        await new Promise((resolve) => setImmediate(resolve));
        now = Math.max(now, until);
      },
    };
  }

  async function chunkedOutage(count: number, options: { chunkSize: number; rate: number; message?: string; sender: SmsSender }) {
    const queued: { outageId: string; messageKey: string; chunk?: number }[] = [];
    const pace = fakeWallClock();
    const identity = `id-${randomIds.newId('x')}`;
    const make = () => new OutageAlerts({
      repo, sms: options.sender, voice: { call: async () => ({ providerMessageId: 'v' }) }, queue: { enqueue: async (job) => void queued.push(job) },
      jobs: jobRepo, jobQueue: { enqueueJob: async () => undefined }, sendChunkSize: options.chunkSize, ...pace,
      now: () => new Date('2026-11-24T10:00:00Z'), newId: (p) => randomIds.newId(p),
      settings: { ...settings, sendRatePerSecond: options.rate, originationIdentity: identity }, canReceiveSms,
    });
    const alerts = make();
    const street = `Gata${randomIds.newId('s').slice(2, 8)}`;
    const many = Array.from({ length: count }, (_, i) => `+467020${String(i).padStart(5, '0')}`);
    const csv = ['phone,street,number,postalCode,city', ...many.map((phone, i) => `${phone},${street},${i + 1},67131,Arvika`)].join('\n');
    await alerts.importRegister(Buffer.from(csv));
    const created = await alerts.createOutage({ subject: 'ops-1', role: 'ops' }, {
      category: 'leak', title: 'Läcka', message: options.message ?? 'Vattnet är avstängt.', area: { streets: [{ street, postalCode: '67131' }] },
    });
    return { alerts, make, queued, created, phones: many, identity };
  }

  /** Parts taken from the identity's budget, per second (the SMSPACE items). */
  async function partsPerSecond(identity: string): Promise<number[]> {
    const db = table.db;
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const result = await db.send(new QueryCommand({ TableName: 'alerts-it', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `SMSPACE#${identity}` } }));
    return (result.Items ?? []).map((item) => item.parts as number);
  }

  it('splits the message into chunks that two workers send at once, each phone once, never over the parts a second (a 2-part SMS costs 2)', async () => {
    // Prepare: 24 phones in chunks of 5, a message of two parts, 6 parts a second
    const { sender, delivered } = recordingSender();
    const long = 'Vattnet är avstängt på grund av en läcka i huvudledningen. Vi arbetar med att laga den och räknar med att vattnet kommer tillbaka under eftermiddagen. Koka vattnet innan du dricker det.';
    const { alerts, make, queued, created, phones: many, identity } = await chunkedOutage(24, { chunkSize: 5, rate: 6, message: long, sender });
    expect(created.segments).toBe(2);
    await alerts.send(queued.shift()!); // the release fans out

    // Act: two workers (two function instances) take the chunk messages at once
    const chunks = queued.splice(0);
    const workers = [alerts, make()];
    await Promise.all(workers.map(async (worker, w) => {
      for (const job of chunks.filter((_, i) => i % 2 === w)) await worker.send(job);
    }));
    const status = await alerts.getOutage(created.outageId);

    // Assess
    expect(chunks.map((job) => job.chunk)).toEqual([0, 1, 2, 3, 4]);
    expect(delivered.sort()).toEqual(many);
    const seconds = await partsPerSecond(identity);
    // Every send took its two parts (a worker takes several messages' parts at once, and may leave some unused).
    expect(seconds.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 2);
    expect(seconds.length).toBeGreaterThanOrEqual(Math.ceil((24 * 2) / 6));
    expect(Math.max(...seconds)).toBeLessThanOrEqual(6);
    expect(status).toMatchObject({ sent: 24, queued: 0, failed: 0 });
  });

  it('a chunk near its function\'s deadline stops claiming and queues its rest again: the unsent stay queued, never failed', async () => {
    // Prepare
    const { sender, delivered } = recordingSender();
    const { alerts, queued, created } = await chunkedOutage(6, { chunkSize: 3, rate: 1000, sender });
    await alerts.send(queued.shift()!);
    const chunk = queued.shift()!;
    queued.length = 0;

    // Act: a deadline already inside the margin, then the requeued job with time to spare
    const cut = await alerts.send(chunk, { deadline: Date.now() + 10_000 });
    const during = await alerts.getOutage(created.outageId);
    const requeued = queued.splice(0);
    const rest = await alerts.send(requeued[0]!, { deadline: Date.now() + 3_600_000 });

    // Assess
    expect(cut).toMatchObject({ sent: 0, continued: true });
    expect(during).toMatchObject({ queued: 6, failed: 0, sent: 0 });
    expect(requeued).toEqual([chunk]);
    expect(rest).toMatchObject({ sent: 3 });
    expect(delivered).toHaveLength(3);
  });

  it('GET of an outage reads the chunks\' counters, not its recipients', async () => {
    // Prepare
    const { sender } = recordingSender();
    const { alerts, queued, created } = await chunkedOutage(12, { chunkSize: 4, rate: 1000, sender });
    await alerts.send(queued.shift()!);
    for (const job of queued.splice(0)) await alerts.send(job);
    const listRecipients = jest.spyOn(repo, 'listRecipients');

    // Act
    const status = await alerts.getOutage(created.outageId);

    // Assess
    expect(listRecipients).not.toHaveBeenCalled();
    expect(status).toMatchObject({ sent: 12, queued: 0, messages: [expect.objectContaining({ messageKey: '0', sent: 12 })] });
    listRecipients.mockRestore();
  });

  it('an update writes no recipient in its request: each chunk\'s worker writes them from the first message\'s, with the opt-outs of then, and sends each once', async () => {
    // Prepare: an outage sent to 9 phones in chunks of 4
    const { sender, delivered } = recordingSender();
    const { alerts, queued, created, phones: many } = await chunkedOutage(9, { chunkSize: 4, rate: 1000, sender });
    await alerts.send(queued.shift()!);
    for (const job of queued.splice(0)) await alerts.send(job);
    delivered.length = 0;
    const putRecipients = jest.spyOn(repo, 'putRecipients');

    // Act: the update, one phone opting out before it is sent, its chunks delivered twice
    const update = await alerts.postUpdate({ subject: 'ops-1', role: 'ops' }, created.outageId, { message: 'Vattnet är tillbaka.', resolved: true });
    const writesInRequest = putRecipients.mock.calls.length;
    await alerts.optOut({ subject: 'ops-1', role: 'ops' }, many[5]!);
    await alerts.send(queued.shift()!);
    const chunks = queued.splice(0);
    for (const job of [...chunks, ...chunks]) await alerts.send(job);
    const status = await alerts.getOutage(created.outageId);

    // Assess
    expect(writesInRequest).toBe(0);
    expect(update).toMatchObject({ recipients: 9, kind: 'resolved' });
    expect(chunks).toHaveLength(3);
    expect(delivered.sort()).toEqual(many.filter((phone) => phone !== many[5]));
    expect(status.messages[1]).toMatchObject({ messageKey: '1', sent: 8, optedOut: 1, queued: 0 });
    putRecipients.mockRestore();
  });
});
