/**
 * Outage alerts end to end on the embedded stack: register import → self-service →
 * outage → outbox, follow-ups, the public feed, crowd reports, quiet hours (R-SMS-*, R-COM-1).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SQSEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { startTestStack, type TestStack } from './support.js';

const capSchema = readFileSync(new URL('../fixtures/cap/CAP-v1.2.xsd', import.meta.url), 'utf8');
/** Validates against the OASIS CAP 1.2 XML schema. */
const validateCap = (xml: string) =>
  validateXML({ xml: [{ fileName: 'alert.xml', contents: xml }], schema: [{ fileName: 'CAP-v1.2.xsd', contents: capSchema }] });

let t: TestStack;
let admin: string;
let ops: string;

// Mobile numbers (Swedish 070-...) and one Arvika landline (0570-...).
const anna = '+46701000001';
const bo = '+46701000002';
const cilla = '+46701000003';
const dan = '+46701000004';
const eva = '+46701000005';
const landline = '+4657012345';

// Latin-1 bytes, `;`-separated, columns in their own order, one broken row.
const registerCsv = Buffer.from(
  [
    'postalCode;street;number;letter;city;phone;other',
    '671 31;Storgatan;1;;Arvika;070-100 00 01;x',
    '671 31;Storgatan;3;;Arvika;0701000002;x',
    '671 31;Storgatan;2;B;Arvika;+46 70 100 00 03;x',
    '671 31;Storgatan;5;;Arvika;0570-123 45;x',
    '671 32;Kungsgatan;10;;Arvika;070-100 00 05;x',
    '671 32;Kungsgatan;12;;Arvika;not a phone;x',
    '671 31;Älvgatan;7;;Arvika;070-100 00 04;x',
  ].join('\r\n'),
  'latin1',
);

const outbox = async (since?: string) => (await t.call('GET', `/_local/sms${since ? `?since=${encodeURIComponent(since)}` : ''}`)).body.items as {
  to: string; body: string; channel: string; outageId?: string; messageKey?: string; encoding: string; segments: number;
}[];

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.token({ role: 'admin' });
  ops = await t.token({ role: 'ops' });
  // A Tuesday, 11:00 in Stockholm: no quiet hours.
  await t.call('POST', '/_local/clock', { body: { set: '2026-11-24T10:00:00Z' } });
});
afterAll(async () => t.stop());

describe('an outage from register to outbox', () => {
  let outageId: string;

  it('imports the register (Latin-1, `;`), reporting the broken row by line', async () => {
    // Act
    const response = await t.call('POST', '/v1/address-register/imports', { token: admin, raw: registerCsv as unknown as string, headers: { 'content-type': 'text/csv' } });
    // Assess
    expect(response.status).toBe(200);
    expect(response.body.imported).toBe(6);
    expect(response.body.rejected).toEqual([{ line: 7, reason: expect.stringMatching(/phone/) }]);
  });

  it('lets a resident add a workplace address and another opt out (R-SMS-3)', async () => {
    // Prepare
    const evasToken = await t.token({ role: 'customer', customerId: 'cus_0000000000000001', phone: eva });
    // Act
    const added = await t.call('POST', '/v1/alert-subscriptions', {
      token: evasToken, body: { phone: '070-100 00 05', address: { street: 'storgatan', number: '4', postalCode: '67131', city: 'ARVIKA' } },
    });
    const notHers = await t.call('POST', '/v1/alert-subscriptions', {
      token: evasToken, body: { phone: bo, address: { street: 'Storgatan', number: '4', postalCode: '67131', city: 'Arvika' } },
    });
    const optOut = await t.call('POST', '/v1/alert-opt-outs', { token: admin, body: { phone: '0701000002' } });
    const list = await t.call('GET', `/v1/alert-subscriptions?phone=${encodeURIComponent(eva)}`, { token: evasToken });
    // Assess
    expect(added.status).toBe(201);
    expect(notHers.status).toBe(403);
    expect(optOut.status).toBe(201);
    expect(list.body.items.map((s: { source: string }) => s.source).sort()).toEqual(['register', 'self']);
  });

  it('alerts everyone on the street once, by SMS or voice, except the opted-out (R-SMS-2, R-SMS-8)', async () => {
    // Act
    const created = await t.call('POST', '/v1/outages', {
      token: ops,
      body: {
        category: 'leak', title: 'Vattenläcka på Storgatan', message: 'Vattnet är avstängt till kl 16. Tappa upp vatten innan.',
        area: { streets: [{ street: 'Storgatan', city: 'Arvika' }] },
      },
    });
    outageId = created.body.outageId;
    const items = (await outbox()).filter((item) => item.outageId === outageId);
    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ recipients: 4, optedOut: 1, encoding: 'GSM-7', held: false });
    expect(items.map((item) => item.to).sort()).toEqual([anna, cilla, eva, landline].sort());
    expect(items.find((item) => item.to === landline)?.channel).toBe('voice');
    for (const sms of items.filter((item) => item.channel === 'sms')) {
      expect(sms.body).toContain('Arvika Vatten'); // R-SMS-7: who sends
      expect(sms.body).toContain('https://www.arvika.se/driftinfo'); // and where to read more
    }
  });

  it('sends nothing twice when the same job is delivered again', async () => {
    // Prepare
    const before = (await outbox()).length;
    const { handler } = (await import('../../lambdas/jobs/send-alerts.js')) as { handler: (e: SQSEvent) => Promise<unknown> };
    const job = { Records: [{ messageId: 'again', body: JSON.stringify({ outageId, messageKey: '0' }) }] } as unknown as SQSEvent;
    // Act
    await handler(job);
    await handler(job);
    // Assess
    expect((await outbox()).length).toBe(before);
  });

  it('sends the update to the same people and shows it in the feed (JSON and CAP)', async () => {
    // Act
    const update = await t.call('POST', `/v1/outages/${outageId}/updates`, { token: ops, body: { message: 'Läckan är lagad. Vattnet kan vara missfärgat en stund.' } });
    const items = (await outbox()).filter((item) => item.outageId === outageId && item.messageKey === '1');
    const feed = await t.call('GET', '/v1/public/ongoing-works');
    const cap = await fetch(`${t.stack.url}/v1/public/ongoing-works.cap`);
    const xml = await cap.text();
    const status = await t.call('GET', `/v1/outages/${outageId}`, { token: ops });
    // Assess
    expect(update.status).toBe(201);
    expect(items.map((item) => item.to).sort()).toEqual([anna, cilla, eva, landline].sort());
    expect(feed.body.items).toEqual([expect.objectContaining({ outageId, title: 'Vattenläcka på Storgatan' })]);
    // The feed is Atom; the entry links to the outage's own CAP 1.2 document.
    expect(cap.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    const href = new RegExp(`href="(alerts/${outageId}-1\\.cap)"`).exec(xml)?.[1];
    expect(href).toBeDefined();
    const alertResponse = await fetch(new URL(href!, `${t.stack.url}/v1/public/ongoing-works.cap`));
    const alertXml = await alertResponse.text();
    expect(alertResponse.status).toBe(200);
    expect(alertResponse.headers.get('content-type')).toMatch(/^application\/cap\+xml/);
    expect(alertXml).toContain('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">');
    expect(alertXml).toContain(`<identifier>${outageId}-1</identifier>`);
    expect(alertXml).toContain('<msgType>Update</msgType>');
    expect(alertXml).toMatch(new RegExp(`<references>[^,<]+,${outageId},[^ <]+</references>`));
    expect(alertXml.match(/<language>(sv-SE|fi-FI|nb-NO|en-GB)<\/language>/g)).toHaveLength(4);
    expect((await validateCap(alertXml)).errors).toEqual([]);
    expect(status.body).toMatchObject({ sent: 8, optedOut: 2, failed: 0, queued: 0 });
    expect(status.body.messages.map((m: { kind: string; createdBy: string }) => `${m.kind}:${m.createdBy}`)).toEqual(['initial:local-ops', 'update:local-ops']);
  });

  it('a resolved outage leaves the JSON feed and is a Cancel in CAP', async () => {
    // Act
    await t.call('POST', `/v1/outages/${outageId}/updates`, { token: ops, body: { message: 'Allt är klart.', resolved: true } });
    const feed = await t.call('GET', '/v1/public/ongoing-works');
    const xml = await (await fetch(`${t.stack.url}/v1/public/ongoing-works.cap`)).text();
    const cancel = await fetch(`${t.stack.url}/v1/public/alerts/${outageId}-2.cap`);
    const cancelXml = await cancel.text();
    const superseded = await fetch(`${t.stack.url}/v1/public/alerts/${outageId}-1.cap`);
    // Assess
    expect(feed.body.items).toEqual([]);
    expect(xml).toContain(`href="alerts/${outageId}-2.cap"`);
    expect(cancelXml).toContain('<msgType>Cancel</msgType>');
    // The Cancel names every earlier message of the outage, not only the first.
    const references = /<references>([^<]*)<\/references>/.exec(cancelXml)?.[1]?.split(' ') ?? [];
    expect(references.map((triple) => triple.split(',')[1])).toEqual([outageId, `${outageId}-1`]);
    expect((await validateCap(cancelXml)).valid).toBe(true);
    expect(superseded.status).toBe(404);
    expect((await fetch(`${t.stack.url}/v1/public/alerts/out_nosuch.cap`)).status).toBe(404);
  });
});

describe('quiet hours (R-SMS-6)', () => {
  it('holds planned works created on a Saturday until Monday morning, sends a leak at once', async () => {
    // Prepare: Saturday 28 November 2026, 20:00 in Stockholm
    await t.call('POST', '/_local/clock', { body: { set: '2026-11-28T19:00:00Z' } });
    // Act
    const planned = await t.call('POST', '/v1/outages', {
      token: ops,
      body: { category: 'planned_shutoff', title: 'Planerat avbrott', message: 'Vattnet stängs av måndag 9-12.', area: { postalCodes: ['671 32'] } },
    });
    const heldItems = (await outbox()).filter((item) => item.outageId === planned.body.outageId);
    await t.call('POST', '/_local/clock', { body: { set: '2026-11-30T06:05:00Z' } }); // Monday 07:05 local
    const released = (await outbox()).filter((item) => item.outageId === planned.body.outageId);
    // Assess
    expect(planned.body.held).toBe(true);
    expect(planned.body.sendAt).toBe('2026-11-30T06:00:00.000Z');
    expect(heldItems).toEqual([]);
    expect(released.map((item) => item.to)).toEqual([eva]);
  });
});

describe('crowd reports (R-COM-1)', () => {
  it('clusters reports close in place and time, and tells the reporter when an outage covers it', async () => {
    // Prepare
    await t.call('POST', '/_local/clock', { body: { set: '2026-12-01T09:00:00Z' } });
    const near = (number: string, phone?: string) => ({
      address: { street: 'Älvgatan', number, postalCode: '671 31', city: 'Arvika' }, kind: 'no_water', ...(phone ? { phone } : {}),
    });
    // Act
    const reports = [
      await t.call('POST', '/v1/public/reports', { body: near('7', '070-999 00 01') }),
      await t.call('POST', '/v1/public/reports', { body: near('9') }),
      await t.call('POST', '/v1/public/reports', { body: { ...near('11'), kind: 'low_pressure' } }),
    ];
    const clusters = await t.call('GET', '/v1/reports/clusters', { token: ops });
    const outage = await t.call('POST', '/v1/outages', {
      token: ops,
      body: { category: 'leak', title: 'Läcka Älvgatan', message: 'Vi lagar en läcka.', area: { streets: [{ street: 'Älvgatan', postalCode: '67131' }] } },
    });
    const items = (await outbox()).filter((item) => item.outageId === outage.body.outageId);
    // Assess
    expect(reports.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(clusters.body.items).toHaveLength(1);
    expect(clusters.body.items[0].reportIds).toHaveLength(3);
    expect(clusters.body.items[0].suggestedArea.streets[0]).toMatchObject({ from: 7, to: 11 });
    expect(items.filter((item) => item.messageKey === 'ack').map((item) => item.to)).toEqual(['+46709990001']);
    expect(items.filter((item) => item.messageKey === '0').map((item) => item.to)).toEqual([dan]);
  });
});

describe('bad outage input writes nothing', () => {
  it.each([
    [{ category: 'meteor' }, 'category'],
    [{ area: {} }, 'area'],
    [{ area: { polygon: { type: 'Polygon', coordinates: [[[13, 59], [13.1, 59], [13.1, 59.1]]] } } }, 'area.polygon'],
    [{ message: 'Vatten! '.repeat(80) }, 'message'],
    [{ message: '💧'.repeat(300) }, 'message'],
  ])('%j → 422 naming %s', async (change, path) => {
    // Prepare
    const before = await t.call('GET', '/v1/public/ongoing-works');
    // Act
    const response = await t.call('POST', '/v1/outages', {
      token: ops,
      body: { category: 'leak', title: 'Läcka', message: 'Kort text.', area: { streets: [{ street: 'Storgatan', city: 'Arvika' }] }, ...change },
    });
    const after = await t.call('GET', '/v1/public/ongoing-works');
    // Assess
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain(path);
    expect(after.body.items.length).toBe(before.body.items.length);
  });
});

// Over the inline budget (500 addresses in the area): the outage answers 202 and runs as a job.
describe('a large outage runs as a job (600 numbers)', () => {
  const count = 600;
  const numbers = Array.from({ length: count }, (_, i) => `+467020${String(i).padStart(5, '0')}`);
  const area = { streets: [{ street: 'Långgatan', postalCode: '67140' }] };
  const create = (key: string) =>
    t.call('POST', '/v1/outages', {
      token: ops, headers: { 'idempotency-key': key },
      body: { category: 'leak', title: 'Läcka på Långgatan', message: 'Vattnet är avstängt.', area },
    });
  const sentTo = async (outageId: string) => (await outbox()).filter((m) => m.outageId === outageId).map((m) => m.to);

  beforeAll(async () => {
    const csv = ['phone,street,number,postalCode,city', ...numbers.map((phone, i) => `${phone},Långgatan,${i + 1},67140,Arvika`)].join('\n');
    const imported = await t.call('POST', '/v1/address-register/imports', { token: admin, raw: csv, headers: { 'content-type': 'text/csv' } });
    expect(imported.body.imported).toBe(count);
  }, 180_000);

  it('answers 202 with the outage id and the job; the job completes and every number gets the message once', async () => {
    // Act
    const response = await create('outage-langgatan-1');
    const early = await t.call('GET', `/v1/outages/${response.body.outageId}`, { token: ops });
    await t.stack.alertJobQueue.idle();
    await t.stack.sendQueue.idle(); // the chunks go out after the job (as from SQS)
    const job = await t.call('GET', response.headers.get('location')!, { token: ops });
    // Assess
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ jobId: expect.stringMatching(/^job_/), outageId: expect.stringMatching(/^out_/), status: 'queued' });
    expect(response.headers.get('location')).toBe(`/v1/jobs/${response.body.jobId}`);
    expect(early.status).toBe(200); // the ops console can link to the outage at once
    expect(job.body).toMatchObject({ jobId: response.body.jobId, kind: 'outage', status: 'completed', result: { outageId: response.body.outageId, recipients: count } });
    expect(job.body.input).toBeUndefined();
    const to = await sentTo(response.body.outageId);
    expect(to).toHaveLength(count);
    expect(new Set(to).size).toBe(count);
  }, 180_000);

  it('a retry with the same Idempotency-Key, and the job delivered again, make no second outage and send nothing twice', async () => {
    // Prepare
    const first = await create('outage-langgatan-2');
    await t.stack.alertJobQueue.idle();
    // Act
    const retry = await create('outage-langgatan-2');
    await t.stack.alertJobQueue.enqueue({ jobId: first.body.jobId });
    await t.stack.alertJobQueue.idle();
    await t.stack.sendQueue.idle();
    // Assess
    expect(retry.body.jobId).toBe(first.body.jobId);
    expect(retry.body.outageId).toBe(first.body.outageId);
    // The first answer again (API.md: a retry with the key answers the first response); the job tells the rest.
    expect(retry.status).toBe(first.status);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const job = await t.call('GET', `/v1/jobs/${first.body.jobId}`, { token: ops });
    expect(job.body).toMatchObject({ status: 'completed', result: { outageId: first.body.outageId, recipients: count } });
    const feed = await t.call('GET', '/v1/public/ongoing-works');
    expect(feed.body.items.filter((item: { title: string }) => item.title === 'Läcka på Långgatan')).toHaveLength(2);
    expect(await sentTo(first.body.outageId)).toHaveLength(count);
  }, 180_000);

  it('another role may not read the job', async () => {
    // Prepare
    const started = await create('outage-langgatan-1');
    const agent = await t.token({ role: 'agent' });
    // Act
    const response = await t.call('GET', `/v1/jobs/${started.body.jobId}`, { token: agent });
    // Assess
    expect(response.status).toBe(403);
  });
});
