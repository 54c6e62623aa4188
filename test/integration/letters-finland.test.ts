/**
 * Every letter leaves the building (issue 12), Finland, on `npm start` as a user runs it (a
 * child process, configured for Keuruun Vesi): the quarterly run's invoices on their channels,
 * the e-invoice as Finvoice 3.0 that the official schema accepts (R-FI-2), and reminder 1 stating
 * the disconnection date (R-FI-6, R-FI-9) on each customer's channel before the next stage. A
 * delivery a killed process left in the durable queue is finished by the next start.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKeys } from '../../local/dev-auth.js';
import { validateFinvoice } from '../unit/einvoice/xsd.js';
import { moveClock, seedCase, spawnStack } from './dunning/support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'utility-letters-fi-'));
const finnishUtility = { UTILITY_COUNTRY: 'FI', UTILITY_ZONE: 'Europe/Helsinki', UTILITY_LANGUAGE: 'fi' };
let t: Awaited<ReturnType<typeof spawnStack>>;
let agent: string;
let admin: string;

type Outbound = { id: string; channel: string; kind: string; customerId: string | null; caseId?: string; invoiceId?: string; to: string; contentType: string; createdAt: string };
const outbox = async (query = ''): Promise<Outbound[]> => (await t.call('GET', `/_local/outbox?limit=500${query}`)).body.items as Outbound[];
const content = async (id: string) => Buffer.from(await (await fetch(`${t.url}/_local/outbox/${id}/content`)).arrayBuffer()).toString('utf8');

const who = {} as Record<'eInvoice' | 'email' | 'paper', string>;
const seen = {} as Record<string, any>;

async function finn(name: string, nationalId: string, extra: Record<string, unknown>, street: string): Promise<string> {
  const created = await t.call('POST', '/v1/customers', {
    token: agent,
    body: {
      name, kind: 'person', country: 'FI', nationalId, category: 'consumer', language: 'fi',
      billingAddress: { line1: `${street} 1`, postalCode: '42700', city: 'Keuruu', country: 'FI' }, ...extra,
    },
  });
  expect([created.status, created.body.errors]).toEqual([201, undefined]);
  const facility = await t.call('POST', `/v1/customers/${created.body.customerId}/facilities`, {
    token: agent,
    body: {
      propertyDesignation: `Keuruu 249-1-2-${nationalId.slice(0, 2)}`, propertyType: 'owner_occupied',
      deliveryAddress: { street, number: '1', postalCode: '42700', city: 'Keuruu' },
      services: [{ service: 'water', startDate: '2027-01-01', expectedAnnualUse: 120, meter: { meterId: `VM-${nationalId.slice(0, 4)}`, readingMode: 'remote' } }],
    },
  });
  expect(facility.status).toBe(201);
  return created.body.customerId as string;
}

beforeAll(async () => {
  t = await spawnStack(dataDir, finnishUtility);
  const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
  agent = await keys.sign({ role: 'agent', subject: 'agent-aino' });
  admin = await keys.sign({ role: 'admin' });
  await moveClock(t, { set: '2027-01-02T08:00:00Z' });
  expect((await t.call('PUT', '/v1/tariffs/water', { token: admin, body: { effectiveFrom: '2027-01-01', currency: 'EUR', fixedPerMonth: 2500, unitPrice: 450, unit: 'm3' } })).status).toBe(200);
  who.eInvoice = await finn('Matti Meikäläinen', '131052-308T', { deliveryChannel: 'e_invoice', eInvoice: { operator: 'NDEAFIHH', address: 'FI4819503000000010' } }, 'Kauppakatu');
  who.email = await finn('Liisa Virtanen', '010101-123N', { deliveryChannel: 'email', email: 'liisa@example.fi' }, 'Multiantie');
  who.paper = await finn('Pekka Korhonen', '311280-888Y', { deliveryChannel: 'paper' }, 'Keskustie');
  // Week 14: the Q1 run (the schedule, off the local clock, R-FI-3); each invoice ordered for delivery.
  await moveClock(t, { set: '2027-04-06T08:00:00Z' });
  seen.invoices = await outbox('&kind=invoice');
  // Nobody pays: due 2027-05-17; reminder 1 fourteen days later (R-FI-6).
  await moveClock(t, { set: '2027-06-01T09:00:00Z' });
  seen.reminders = await outbox('&kind=reminder');
  seen.cases = (await t.call('GET', '/v1/dunning-cases?limit=100', { token: agent })).body.items;
}, 180_000);
afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const of = (items: Outbound[], key: keyof typeof who) => items.filter((o) => o.customerId === who[key]);

describe('a Finnish billing run delivers every invoice on its customer\'s channel', () => {
  it('the e-invoice as Finvoice 3.0 that the official schema accepts, to the address the bank gave (R-FI-2)', async () => {
    const [item] = of(seen.invoices, 'eInvoice');
    expect(item).toMatchObject({ channel: 'e_invoice', contentType: 'application/xml' });
    const xml = await content(item!.id);
    expect(xml).toContain('<ToIdentifier>FI4819503000000010</ToIdentifier>');
    expect(await validateFinvoice(xml)).toEqual({ valid: true, errors: [] });
  });

  it('email with the PDF, and paper through the print service', () => {
    expect(of(seen.invoices, 'email')).toEqual([expect.objectContaining({ channel: 'email', to: 'liisa@example.fi', contentType: 'message/rfc822' })]);
    expect(of(seen.invoices, 'paper')).toEqual([expect.objectContaining({ channel: 'paper', contentType: 'application/pdf', to: expect.stringContaining('Keuruu') })]);
  });
});

describe('reminder 1 (R-FI-5, R-FI-6, R-FI-9)', () => {
  it('goes to each customer on a channel that takes letters; the e-invoice customer on paper (a letter has no e-invoice form)', () => {
    expect(of(seen.reminders, 'email')).toEqual([expect.objectContaining({ channel: 'email', to: 'liisa@example.fi' })]);
    expect(of(seen.reminders, 'paper')).toEqual([expect.objectContaining({ channel: 'paper' })]);
    expect(of(seen.reminders, 'eInvoice')).toEqual([expect.objectContaining({ channel: 'paper' })]);
  });

  it('is handed over before the case waits for the next stage, and states the disconnection date the case announces', async () => {
    const summary = (seen.cases as { caseId: string; customerId: string }[]).find((c) => c.customerId === who.email)!;
    const c = (await t.call('GET', `/v1/dunning-cases/${summary.caseId}`, { token: agent })).body;
    const letter = c.letters.find((l: { stage: string }) => l.stage === 'reminder_1');
    expect(letter).toMatchObject({ kind: 'reminder', handedOverAt: expect.any(String) });
    expect(c.announcedDisconnectionDate).toEqual(c.completed.find((s: { stage: string }) => s.stage === 'reminder_1').statesDisconnectionDate);
    expect(c.next.stage).toBe('reminder_2');
    const document = await t.call('GET', `/v1/documents/${letter.documentId}`, { token: agent });
    expect(document.body).toMatchObject({ kind: 'reminder', caseId: c.caseId, language: 'fi', delivery: { status: 'handed_over', channel: 'email' } });
  });
});

describe('a delivery a killed process left queued', () => {
  it('is handed over by the next start (the durable queue), once', async () => {
    // Prepare: an invoice written as the billing run writes it, whose order message is in the
    // queue's folder when the process dies (as a kill between the page and the delivery job leaves it).
    const s = await seedCase(t, agent, { name: 'Kaisa Kesken', country: 'FI', nationalId: '250624-4688', currency: 'EUR', lines: [{ service: 'water', net: 10_000, vatRate: 25.5 }], dueDate: '2027-07-15', month: '2027-06' });
    await t.kill();
    const queueDir = join(dataDir, 'queues', 'deliver-documents');
    writeFileSync(join(queueDir, `${String(Date.now()).padStart(15, '0')}-000000000-killed.json`), JSON.stringify({ body: JSON.stringify({ order: { kind: 'invoice', invoiceId: s.invoice.invoiceId } }), enqueuedAt: new Date().toISOString() }));

    // Act: start again on the same data folder
    t = await spawnStack(dataDir, finnishUtility);
    let delivered: Outbound[] = [];
    for (let i = 0; i < 100 && delivered.length === 0; i++) {
      delivered = (await outbox('&kind=invoice')).filter((o) => o.invoiceId === s.invoice.invoiceId);
      if (delivered.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The same message again (a second recovery) hands nothing over twice.
    await t.stop();
    writeFileSync(join(queueDir, `${String(Date.now()).padStart(15, '0')}-000000000-again.json`), JSON.stringify({ body: JSON.stringify({ order: { kind: 'invoice', invoiceId: s.invoice.invoiceId } }), enqueuedAt: new Date().toISOString() }));
    t = await spawnStack(dataDir, finnishUtility);
    for (let i = 0; i < 100 && readdirSync(queueDir).some((name) => name.endsWith('.json')); i++) await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(delivered).toEqual([expect.objectContaining({ kind: 'invoice', channel: 'paper', customerId: s.customerId })]);
    expect((await outbox('&kind=invoice')).filter((o) => o.invoiceId === s.invoice.invoiceId)).toHaveLength(1);
    expect(readdirSync(queueDir).filter((name) => name.endsWith('.json'))).toEqual([]);
  });
});
