/**
 * Every letter leaves the building (issue 12), Sweden, on the embedded stack: a billing run
 * delivers each invoice on its customer's channel (R-SE-8: e-invoice as Peppol BIS that
 * validates, email with the PDF, the digital mailbox, paper; a protected identity through the
 * Tax Agency's forwarding service, R-SE-4), the final invoice at move-out (R-SE-7), price-change
 * notices (R-SE-10), and the dunning ladder's letters (R-SE-16, R-SE-17): each step's letter on
 * the customer's channel, waited for before the next stage; a consumer's electricity case writes
 * to social services before the disconnection date. Ordered twice, handed over once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateUblInvoice } from '../unit/einvoice/xsd.js';
import { startTestStack, swedishPerson, type TestStack } from './support.js';
import { nextPersonnummer, seedCase } from './dunning/support.js';
import { orderDocumentId } from '../../lambdas/domain/delivery/orders.js';

let t: TestStack;
let admin: string;
let agent: string;

type Outbound = { id: string; channel: string; kind: string; customerId: string | null; caseId?: string; invoiceId?: string; to: string; contentType: string; createdAt: string };

async function outbox(query = ''): Promise<Outbound[]> {
  const items: Outbound[] = [];
  let cursor: string | undefined;
  do {
    const page = await t.call('GET', `/_local/outbox?limit=500${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    items.push(...(page.body.items as Outbound[]));
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

const content = async (id: string) => {
  const response = await fetch(`${t.stack.url}/_local/outbox/${id}/content`);
  return { type: response.headers.get('content-type'), text: Buffer.from(await response.arrayBuffer()).toString('latin1') };
};

let house = 0;
async function customer(overrides: Record<string, unknown>, services: { service: string; startDate: string }[] = [{ service: 'waste', startDate: '2026-11-01' }], propertyType = 'owner_occupied') {
  const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: nextPersonnummer(), ...overrides }) });
  expect(created.status).toBe(201);
  const customerId = created.body.customerId as string;
  const facility = await t.call('POST', `/v1/customers/${customerId}/facilities`, {
    token: agent,
    body: {
      propertyDesignation: `Arvika Sågen 1:${++house}`, propertyType,
      deliveryAddress: { street: 'Storgatan', number: String(house), postalCode: '671 31', city: 'Arvika' },
      services,
    },
  });
  expect([facility.status, facility.body.errors]).toEqual([201, undefined]);
  return { customerId, facilityId: facility.body.facilityNumber as string };
}

const moveClock = async (body: { set?: string; advance?: string }) => expect((await t.call('POST', '/_local/clock', { body })).status).toBe(200);

const who = {} as Record<'email' | 'eInvoice' | 'mailbox' | 'paper' | 'protected' | 'movedOut' | 'grid', { customerId: string; facilityId: string }>;
const seen = {} as Record<string, any>;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.token({ role: 'admin' });
  agent = await t.token({ role: 'agent', subject: 'agent-karin' });
  await moveClock({ set: '2026-11-02T08:00:00Z' });
  for (const [service, body] of [
    ['waste', { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 20_000, unitPrice: 0, unit: 'none' }],
    ['electricity_grid', { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 15_000, unitPrice: 0, unit: 'none' }],
  ] as const) {
    expect((await t.call('PUT', `/v1/tariffs/${service}`, { token: admin, body })).status).toBe(200);
  }
  who.email = await customer({ name: 'Eva Epost', email: 'eva@example.se', deliveryChannel: 'email' });
  who.eInvoice = await customer({ name: 'Bo Bank', deliveryChannel: 'e_invoice', eInvoice: { operator: 'PEPPOL', address: '0007:5560000001' } });
  who.mailbox = await customer({ name: 'Kim Kivra', deliveryChannel: 'digital_mailbox' });
  who.paper = await customer({ name: 'Per Papper', deliveryChannel: 'paper' });
  who.protected = await customer({ name: 'Hemlig Person', protectedIdentity: true, email: 'hemlig@example.se', deliveryChannel: 'email' });
  who.movedOut = await customer({ name: 'Flytt Fredriksson', deliveryChannel: 'paper' });
  who.grid = await customer({ name: 'Greta Nät', deliveryChannel: 'email', email: 'greta@example.se', category: 'consumer' }, [{ service: 'electricity_grid', startDate: '2026-11-01' }]);
  expect((await t.call('POST', `/v1/customers/${who.movedOut.customerId}/move-out`, { token: agent, body: { facilityId: who.movedOut.facilityId, date: '2026-11-30' } })).status).toBeLessThan(300);

  // The January runs (the regions' schedules, off the local clock, R-SE-12) bill November and
  // December; the delivery job renders and hands over each invoice in the background.
  await moveClock({ set: '2027-01-05T08:00:00Z' });
  const run = await t.call('POST', '/v1/billing-runs', { token: admin, body: { runMonth: '2027-01' } });
  expect(run.status).toBe(202);
  await t.stack.billingQueue.idle();
  await t.stack.delivery.queue.idle();
  seen.invoices = await outbox('&kind=invoice');
  seen.finalInvoices = await outbox('&kind=final_invoice');
}, 120_000);
afterAll(async () => t?.stop());

const invoiceOf = (key: keyof typeof who) => seen.invoices.concat(seen.finalInvoices).filter((o: Outbound) => o.customerId === who[key].customerId);

describe('a billing run delivers every invoice on its customer\'s channel (R-SE-8)', () => {
  it('email with the PDF attached, to the address the customer chose', async () => {
    const [item] = invoiceOf('email');
    expect(item).toMatchObject({ channel: 'email', to: 'eva@example.se', contentType: 'message/rfc822' });
    const mail = await content(item!.id);
    expect(mail.text).toMatch(/Content-Type: application\/pdf/);
    expect(mail.text).toMatch(/To: eva@example\.se/);
  });

  it('e-invoice as Peppol BIS Billing 3.0 that the official UBL 2.1 schema accepts', async () => {
    const [item] = invoiceOf('eInvoice');
    expect(item).toMatchObject({ channel: 'e_invoice', contentType: 'application/xml' });
    const xml = (await content(item!.id)).text;
    expect(xml).toContain('urn:fdc:peppol.eu:2017:poacc:billing:01:1.0');
    expect(xml).toContain('<cbc:EndpointID schemeID="0007">5560000001</cbc:EndpointID>');
    expect(await validateUblInvoice(Buffer.from(xml, 'latin1').toString('utf8'))).toEqual({ valid: true, errors: [] });
  });

  it('the digital mailbox and paper through the print service', () => {
    expect(invoiceOf('mailbox')).toEqual([expect.objectContaining({ channel: 'digital_mailbox', contentType: 'application/pdf' })]);
    expect(invoiceOf('paper')).toEqual([expect.objectContaining({ channel: 'paper', contentType: 'application/pdf', to: expect.stringContaining('Arvika') })]);
  });

  it('a protected identity on paper only, the envelope to the Tax Agency\'s forwarding service (R-SE-4)', () => {
    expect(invoiceOf('protected')).toEqual([expect.objectContaining({ channel: 'paper', to: expect.stringContaining('Skatteverket, Förmedlingsuppdrag, Box 2820, 403 20 Göteborg') })]);
  });

  it('the final invoice at move-out (R-SE-7)', () => {
    expect(invoiceOf('movedOut')).toEqual([expect.objectContaining({ kind: 'final_invoice', channel: 'paper' })]);
  });

  it('each invoice is linked to its document, which the customer may fetch; a protected identity\'s only staff', async () => {
    const item = invoiceOf('paper')[0]!;
    const invoice = await t.call('GET', `/v1/invoices/${item.invoiceId}`, { token: agent });
    expect(invoice.body.documents).toEqual([expect.objectContaining({ kind: 'invoice', href: expect.stringMatching(/^\/v1\/documents\/doc_/) })]);
    const own = await t.token({ role: 'customer', customerId: who.paper.customerId });
    const pdf = await fetch(`${t.stack.url}${invoice.body.documents[0].href}/content`, { headers: { authorization: `Bearer ${own}` } });
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

    const hidden = invoiceOf('protected')[0]!;
    const theirs = await t.token({ role: 'customer', customerId: who.protected.customerId });
    expect((await t.call('GET', `/v1/invoices/${hidden.invoiceId}`, { token: theirs })).body.documents).toEqual([]);
    expect((await t.call('GET', `/v1/invoices/${hidden.invoiceId}`, { token: agent })).body.documents).toHaveLength(1);
  });

  it('ordered again (a page delivered twice, a job run twice), nothing is handed over twice', async () => {
    const before = (await outbox()).length;
    const invoiceId = invoiceOf('email')[0]!.invoiceId!;
    await t.stack.delivery.queue.enqueue({ order: { kind: 'invoice', invoiceId } });
    await t.stack.delivery.queue.enqueue({ order: { kind: 'invoice', invoiceId } });
    await t.stack.delivery.queue.enqueue({ documentId: orderDocumentId({ kind: 'invoice', invoiceId }) });
    await t.stack.delivery.queue.idle();
    expect((await outbox()).length).toBe(before);
    // The run started again finds its invoices and orders nothing new either.
    await t.call('POST', '/v1/billing-runs', { token: admin, body: { runMonth: '2027-01' } });
    await t.stack.billingQueue.idle();
    await t.stack.delivery.queue.idle();
    expect((await outbox()).length).toBe(before);
  });
});

describe('price-change notices (R-SE-10)', () => {
  it('each customer on the notice list gets the letter on their channel', async () => {
    const changed = await t.call('PUT', '/v1/tariffs/electricity_grid', { token: admin, body: { effectiveFrom: '2027-02-01', currency: 'SEK', fixedPerMonth: 16_500, unitPrice: 0, unit: 'none' } });
    expect(changed.status).toBe(200);
    await t.stack.billingQueue.idle();
    await t.stack.delivery.queue.idle();
    const notices = await outbox('&kind=price_notice');
    expect(notices).toEqual([expect.objectContaining({ customerId: who.grid.customerId, channel: 'email', to: 'greta@example.se' })]);
  });
});

describe('the dunning ladder\'s letters (R-SE-16, R-SE-17)', () => {
  let caseId: string;
  beforeAll(async () => {
    // Nobody pays: due 2027-01-29 (the last weekday of January); the reminder on 8 February,
    // collection on the 18th, the disconnection letter on 1 March announcing the 15th (R-SE-16, R-SE-17).
    await moveClock({ set: '2027-02-09T09:00:00Z' });
    seen.afterReminder = await outbox('&kind=reminder');
    const invoiceId = invoiceOf('grid')[0]!.invoiceId!;
    caseId = (await t.call('GET', '/v1/dunning-cases?limit=100', { token: agent })).body.items.find((c: { invoiceId: string }) => c.invoiceId === invoiceId).caseId;
    seen.gridCaseAfterReminder = (await t.call('GET', `/v1/dunning-cases/${caseId}`, { token: agent })).body;
    await moveClock({ set: '2027-03-16T12:00:00Z' });
    seen.gridCase = (await t.call('GET', `/v1/dunning-cases/${caseId}`, { token: agent })).body;
    seen.all = await outbox();
  }, 120_000);

  it('the reminder goes to each customer on their channel, and the case links it', () => {
    const reminders = seen.afterReminder as Outbound[];
    expect(reminders.find((r) => r.customerId === who.email.customerId)).toMatchObject({ channel: 'email', to: 'eva@example.se' });
    expect(reminders.find((r) => r.customerId === who.paper.customerId)).toMatchObject({ channel: 'paper' });
    expect(reminders.find((r) => r.customerId === who.protected.customerId)).toMatchObject({ channel: 'paper', to: expect.stringContaining('Skatteverket') });
    const letter = seen.gridCaseAfterReminder.letters.find((l: { stage: string }) => l.stage === 'reminder_1');
    expect(letter).toMatchObject({ kind: 'reminder', awaited: true, handedOverAt: expect.any(String) });
    expect(seen.gridCaseAfterReminder.history.map((e: { event: string }) => e.event)).toEqual(expect.arrayContaining(['reminder_1_sent', 'letter_ordered', 'letters_handed_over']));
  });

  it('collection and the disconnection letter follow, each on the channel; social services are told in writing before the date', () => {
    const mine = (seen.all as Outbound[]).filter((o) => o.caseId === caseId);
    expect(mine.filter((o) => o.kind !== 'owner_notice').map((o) => `${o.kind} ${o.channel}`).sort()).toEqual([
      'collection_notice email',
      'disconnection_notice email',
      'reminder email',
      'social_services_notice paper',
    ]);
    const social = mine.find((o) => o.kind === 'social_services_notice')!;
    expect(social).toMatchObject({ channel: 'paper', to: expect.stringContaining('Socialförvaltningen') });
    expect(seen.gridCase.announcedDisconnectionDate).toBe('2027-03-15');
    expect(social.createdAt.slice(0, 10) < seen.gridCase.announcedDisconnectionDate).toBe(true);
  });

  it('winter: the property owner (here the customer) gets a written notice while ops must call (R-SE-18)', () => {
    expect(seen.gridCase.status).toBe('awaiting_owner_contact');
    const owner = (seen.all as Outbound[]).filter((o) => o.caseId === caseId && o.kind === 'owner_notice');
    expect(owner).toEqual([expect.objectContaining({ channel: 'email', to: 'greta@example.se' })]);
  });

  it('the notice to social services states the consumer, the service and the date', async () => {
    const social = (seen.all as Outbound[]).find((o) => o.caseId === caseId && o.kind === 'social_services_notice')!;
    const documentId = orderDocumentId({ kind: 'social_services_notice', caseId, stage: 'disconnection_notice' });
    const meta = await t.call('GET', `/v1/documents/${documentId}`, { token: agent });
    expect(meta.body).toMatchObject({ kind: 'social_services_notice', caseId, delivery: { status: 'handed_over', channel: 'paper' } });
    expect(social.customerId).toBe(who.grid.customerId);
  });

  it('a step run twice (a retried task) orders its letter once and hands it over once', async () => {
    const before = (await outbox()).length;
    const dunningTask = (await import('../../lambdas/tasks/dunning.js')) as { handler: (event: unknown) => Promise<unknown> };
    await dunningTask.handler({ task: 'SendReminder', caseId, stage: 'reminder_1' });
    await dunningTask.handler({ task: 'SendReminder', caseId, stage: 'reminder_1' });
    await t.stack.delivery.queue.idle();
    expect((await outbox()).length).toBe(before);
  });
});

describe('a step waits for its letter', () => {
  it('a letter no channel takes stops the case before the next stage (LetterNotDelivered)', async () => {
    // An invoice of its own, due 31 March (written as a billing run writes it); the case opens on 1 April.
    const late = await seedCase(t, agent, { name: 'Ola Olycka', lines: [{ service: 'waste', net: 30_000 }], dueDate: '2027-03-31' });
    await moveClock({ set: '2027-04-01T09:00:00Z' });
    t.stack.delivery.failing.set('paper', 'refuse');
    try {
      // Reminder 12 April: no channel takes it.
      await moveClock({ set: '2027-04-14T09:00:00Z' });
    } finally {
      t.stack.delivery.failing.delete('paper');
    }
    const cases = (await t.call('GET', '/v1/dunning-cases?limit=100', { token: agent })).body.items as { customerId: string; caseId: string }[];
    const mine = cases.find((c) => c.customerId === late.customerId)!;
    const c = (await t.call('GET', `/v1/dunning-cases/${mine.caseId}`, { token: agent })).body;
    expect(c.status).toBe('failed');
    expect(c.failure).toMatchObject({ error: 'LetterNotDelivered' });
    expect(c.completed.map((s: { stage: string }) => s.stage)).toEqual(['reminder_1']);
  });
});
