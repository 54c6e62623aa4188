/**
 * Sending under at-least-once delivery: the same job twice, a provider that throttles,
 * a provider that fails uncertainly, and a sender process that died mid-send. Never twice.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../lambdas/adapters/dynamo/client.js';
import { DynamoAlertRepository } from '../../lambdas/adapters/dynamo/alert-repository.js';
import { DynamoJobRepository } from '../../lambdas/adapters/dynamo/job-repository.js';
import { randomIds } from '../../lambdas/adapters/ids.js';
import { createTableInput } from '../../lambdas/adapters/table-schema.js';
import { RetryableSendError, type SmsSender } from '../../lambdas/domain/alerts/ports.js';
import { OutageAlerts, type AlertSettings } from '../../lambdas/domain/alerts/service.js';
import { ResumableOutageJobs } from '../../lambdas/domain/alerts/outage-jobs.js';
import { canReceiveSms } from '../../lambdas/domain/phone.js';

let server: Server;
let repo: DynamoAlertRepository;
let jobRepo: DynamoJobRepository;

const settings: AlertSettings = {
  department: 'Arvika Vatten', infoUrl: 'https://www.arvika.se/driftinfo', contact: '0570-816 00', capSender: 'driftinfo@arvika.se',
  country: 'SE', zone: 'Europe/Stockholm', defaultLanguage: 'sv', maxSegments: 3, sendRatePerSecond: 1000,
  pricePerSegment: { amount: 45, currency: 'SEK' }, reportsPerClientPerHour: 10,
};

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await raw.send(new CreateTableCommand(createTableInput('alerts-it')));
  process.env.AWS_ACCESS_KEY_ID ??= 'x';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'x';
  repo = new DynamoAlertRepository(documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: endpoint }), 'alerts-it');
  jobRepo = new DynamoJobRepository(documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: endpoint }), 'alerts-it');
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

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

async function outageWith(phones: string[], sms: SmsSender) {
  const jobs: { outageId: string; messageKey: string }[] = [];
  const alerts = new OutageAlerts({
    repo, sms, voice: { call: async () => ({ providerMessageId: 'v' }) }, queue: { enqueue: async (job) => void jobs.push(job) },
    jobs: jobRepo, jobQueue: { enqueueJob: async () => undefined },
    now: () => new Date('2026-11-24T10:00:00Z'), newId: (p) => randomIds.newId(p), settings, canReceiveSms,
  });
  const street = `Gata${randomIds.newId('s').slice(2, 8)}`;
  const csv = ['phone,street,number,postalCode,city', ...phones.map((phone, i) => `${phone},${street},${i + 1},67131,Arvika`)].join('\n');
  await alerts.importRegister(Buffer.from(csv));
  const created = await alerts.createOutage({ subject: 'ops-1', role: 'ops' }, {
    category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt.', area: { streets: [{ street, postalCode: '67131' }] },
  });
  return { alerts, job: jobs[0]!, created };
}

const phones = ['+46701000011', '+46701000012', '+46701000013', '+46701000014'];

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
    const [crashed] = await repo.listRecipients(created.outageId, '0');
    await repo.transitionRecipient(crashed!, 'queued', { status: 'sending', updatedAt: new Date(Date.now() - 10 * 60_000).toISOString() });
    // Act
    await alerts.send(job);
    const after = await repo.listRecipients(created.outageId, '0');
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
