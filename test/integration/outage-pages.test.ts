/**
 * An outage's recipients at scale (issue 11 item 1, issue 14's recipient resolution): resolved
 * with a few reads of the area's index (the register's phones are in its entries, the opt-outs
 * are read once), stored in pages, and written by one worker per page, each page counted once,
 * so a job cut off anywhere continues where it stopped and nobody is written or sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { arvikaAlertSettings, startAlertsTable, type AlertsTable } from './alerts-table.js';
import { observeDynamoCalls } from '../../lambdas/adapters/dynamo/client.js';
import { DynamoAlertRepository } from '../../lambdas/adapters/dynamo/alert-repository.js';
import { DynamoJobRepository } from '../../lambdas/adapters/dynamo/job-repository.js';
import { randomIds } from '../../lambdas/adapters/ids.js';
import type { AlertJobMessage } from '../../lambdas/domain/alerts/ports.js';
import { OutageAlerts, resolvedPageChunks } from '../../lambdas/domain/alerts/service.js';
import { canReceiveSms } from '../../lambdas/domain/phone.js';

let repo: DynamoAlertRepository;
let jobRepo: DynamoJobRepository;

const settings = arvikaAlertSettings;
const ops = { subject: 'ops-1', role: 'ops' as const };

let table: AlertsTable;

beforeAll(async () => {
  table = await startAlertsTable('pages-it');
  ({ repo, jobRepo } = table);
});
afterAll(() => table.close());

/** An alert service whose job queue and send queue are lists the test runs by hand. */
function service(sendChunkSize: number) {
  const jobMessages: AlertJobMessage[] = [];
  const releases: { outageId: string; messageKey: string }[] = [];
  const alerts = new OutageAlerts({
    repo, sms: { send: async () => ({ providerMessageId: 'p' }) }, voice: { call: async () => ({ providerMessageId: 'v' }) },
    queue: { enqueue: async (job) => void releases.push(job) },
    jobs: jobRepo, jobQueue: { enqueueJob: async (job) => void jobMessages.push(job) },
    now: () => new Date('2026-11-24T10:00:00Z'), newId: (p) => randomIds.newId(p), settings, canReceiveSms,
    sendChunkSize, inlineAddressBudget: 5,
  });
  return { alerts, jobMessages, releases };
}

/** A register of `addresses` addresses on one street, two phones each (one of them also at a second address on the street). */
function registerCsv(street: string, postalCode: string, addresses: number, prefix: string): string {
  const rows = ['phone,street,number,postalCode,city'];
  for (let i = 0; i < addresses; i++) {
    rows.push(`${prefix}${String(2 * i).padStart(4, '0')},${street},${i + 1},${postalCode},Arvika`);
    rows.push(`${prefix}${String(2 * i + 1).padStart(4, '0')},${street},${i + 1},${postalCode},Arvika`);
  }
  // The first phone is registered at the last address too: it is one recipient, not two.
  rows.push(`${prefix}0000,${street},${addresses},${postalCode},Arvika`);
  return rows.join('\n');
}

describe('an outage job in pages', () => {
  it('resolves once, writes each page once however often its message comes, and releases the message once', async () => {
    // Prepare: 60 addresses, 120 phones; 2 of them opted out, one more phone self-added at an address.
    const { alerts, jobMessages, releases } = service(2);
    const street = `Sidgatan${randomIds.newId('s').slice(2, 8)}`;
    await alerts.importRegister(Buffer.from(registerCsv(street, '67150', 60, '+4670150')));
    await alerts.optOut(ops, '+46701500003');
    await alerts.optOut(ops, '+46701500117');
    await alerts.subscribe(ops, { phone: '+46709990001', address: { street, number: '7', postalCode: '67150', city: 'Arvika' } });

    // Act: the request answers with the job; the job resolves and hands out its pages.
    const created = await alerts.createOutage(ops, { category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt.', area: { streets: [{ street, postalCode: '67150' }] } });
    expect(created.status).toBe('queued');
    await alerts.runJob(jobMessages.shift()!);
    const pages = jobMessages.splice(0);
    // Every page's message twice (at-least-once delivery), the second time after the first.
    for (const message of pages) await alerts.runJob(message);
    for (const message of pages) await alerts.runJob(message);
    // And the whole job again, as the sweeper would send it.
    await alerts.runOutageJob(created.jobId);

    // Assess
    const perPage = 2 * resolvedPageChunks;
    expect(pages.map((m) => m.page)).toEqual(Array.from({ length: Math.ceil(121 / perPage) }, (_, page) => page));
    const job = (await alerts.getJob(created.jobId))!;
    expect(job).toMatchObject({
      status: 'completed',
      progress: { resolved: 121, written: 121, pages: pages.length, pagesWritten: pages.length },
      result: { outageId: created.outageId, recipients: 119, optedOut: 2 },
    });
    expect(releases).toEqual([{ outageId: created.outageId, messageKey: '0' }]);
    const outage = await alerts.getOutage(created.outageId);
    expect(outage).toMatchObject({ queued: 119, optedOut: 2, sent: 0 });
    const recipients = (await Promise.all(Array.from({ length: 61 }, (_, chunk) => repo.listRecipients(created.outageId, '0', chunk)))).flat();
    expect(recipients).toHaveLength(121);
    expect(new Set(recipients.map((r) => r.phone)).size).toBe(121);
    expect(recipients.find((r) => r.phone === '+46709990001')).toMatchObject({ status: 'queued' });
    expect(recipients.filter((r) => r.status === 'opted_out').map((r) => r.phone).sort()).toEqual(['+46701500003', '+46701500117']);
    // Chunks in phone order across pages: chunk n holds the phones n*2 and n*2+1 of the sorted list.
    const sorted = recipients.map((r) => r.phone).sort();
    for (const r of recipients) expect(Math.floor(sorted.indexOf(r.phone) / 2)).toBe(r.chunk);
  });

  it('a job cut off after some pages continues with the pages not written, and writes none twice', async () => {
    // Prepare
    const { alerts, jobMessages, releases } = service(1);
    const street = `Avbrottsgatan${randomIds.newId('s').slice(2, 8)}`;
    await alerts.importRegister(Buffer.from(registerCsv(street, '67151', 40, '+4670151')));
    const created = await alerts.createOutage(ops, { category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt.', area: { streets: [{ street, postalCode: '67151' }] } });
    await alerts.runJob(jobMessages.shift()!);
    const pages = jobMessages.splice(0);
    expect(pages).toHaveLength(Math.ceil(80 / resolvedPageChunks));

    // Act: two pages written, then the worker dies and every page message is lost; the sweeper's retry.
    await alerts.runJob(pages[0]!);
    await alerts.runJob(pages[2]!);
    const writes: string[] = [];
    const stop = observeDynamoCalls((call) => {
      if (call.command === 'PutItemCommand' && String((call.input.Item as { sk?: string }).sk).startsWith('RCPT#')) writes.push(String((call.input.Item as { sk: string }).sk));
    });
    try {
      await alerts.runOutageJob(created.jobId);
      const again = jobMessages.splice(0);
      expect(again.map((m) => m.page)).toEqual([1, 3, 4]);
      for (const message of again) await alerts.runJob(message);
    } finally {
      stop();
    }

    // Assess: only the three pages not written before were written; all 80 are there, once.
    expect(writes).toHaveLength(80 - 2 * resolvedPageChunks);
    expect((await alerts.getJob(created.jobId))!).toMatchObject({ status: 'completed', result: { recipients: 80 } });
    expect(releases).toEqual([{ outageId: created.outageId, messageKey: '0' }]);
    expect(await alerts.getOutage(created.outageId)).toMatchObject({ queued: 80 });
  });
});

describe('recipient resolution reads the area, not each address or phone', () => {
  it('an area of 200 addresses costs the same DynamoDB calls as one of 20', async () => {
    // Prepare
    const { alerts } = service(250);
    const small = `Lillgatan${randomIds.newId('s').slice(2, 8)}`;
    const large = `Storgatan${randomIds.newId('s').slice(2, 8)}`;
    await alerts.importRegister(Buffer.from(registerCsv(small, '67152', 20, '+4670152')));
    await alerts.importRegister(Buffer.from(registerCsv(large, '67153', 200, '+4670153')));
    const callsOf = async (street: string, postalCode: string) => {
      const calls: string[] = [];
      const stop = observeDynamoCalls((call) => calls.push(call.command));
      try {
        return { resolved: await alerts.resolveRecipients({ streets: [{ street, postalCode }] }), calls };
      } finally {
        stop();
      }
    };

    // Act
    const twenty = await callsOf(small, '67152');
    const twoHundred = await callsOf(large, '67153');

    // Assess: the latest import is the register, so only its street has phones.
    expect(twenty.resolved.phones).toEqual([]);
    expect(twoHundred.resolved.phones).toHaveLength(400);
    expect(twoHundred.calls.length).toBe(twenty.calls.length);
    expect(twoHundred.calls.filter((c) => c === 'QueryCommand').length).toBeLessThan(30);
  });

  it('keeps every phone of an address whose rows are far apart in a file of several chunks, and refuses rows past a chunk at one address', async () => {
    // Prepare: 1,200 addresses; the first address again at the file's end, and one address with 1,005 rows.
    const { alerts, jobMessages } = service(250);
    const street = `Långgatan${randomIds.newId('s').slice(2, 8)}`;
    const rows = ['phone,street,number,postalCode,city'];
    for (let i = 0; i < 1_200; i++) rows.push(`+4670154${String(i).padStart(4, '0')},${street},${i + 1},67154,Arvika`);
    rows.push(`+46701549999,${street},1,67154,Arvika`);
    for (let i = 0; i < 1_005; i++) rows.push(`+467016${String(i).padStart(5, '0')},${street},9999,67154,Arvika`);

    // Act
    const imported = await alerts.importRegister(Buffer.from(rows.join('\n')));
    for (let message = jobMessages.shift(); message; message = jobMessages.shift()) await alerts.runJob(message);
    const first = await alerts.resolveRecipients({ addresses: [{ street, number: '1', postalCode: '67154', city: 'Arvika' }] });
    const crowded = await alerts.resolveRecipients({ addresses: [{ street, number: '9999', postalCode: '67154', city: 'Arvika' }] });

    // Assess
    expect(first.phones).toEqual(['+46701540000', '+46701549999']);
    expect(crowded.phones).toHaveLength(1_000);
    expect(imported.rejected).toHaveLength(5);
    expect(imported.rejected[0]!.reason).toMatch(/more than 1000 phones registered at one address/);
  });
});
