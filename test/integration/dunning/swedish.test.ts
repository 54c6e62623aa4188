/**
 * The Swedish ladder (R-SE-16..22) end to end: the ASL on the embedded stack, months passing
 * with the local clock. Invoices due 2027-04-30 (spring: no winter owner contact).
 * Ladder: reminder 2027-05-10, collection 2027-05-20, letter 2027-05-31, cut 2027-06-14
 * (+1 banking day for the ledger, R-SE-13).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestStack, type TestStack } from '../support.js';
import { bookBankFile, caseOf, events, moveClock, pay, seedCase, type Scenario } from './support.js';

let t: TestStack;
let agent: string;
let ops: string;
let admin: string;
const s = {} as Record<'fiber' | 'rental' | 'waste' | 'paidDayBefore' | 'partial' | 'hold', Scenario>;
const cases = {} as Record<keyof typeof s, any>;
const snapshots = {} as Record<string, any>;

beforeAll(async () => {
  t = await startTestStack();
  agent = await t.token({ role: 'agent', subject: 'agent-karin' });
  ops = await t.token({ role: 'ops', subject: 'ops-olle' });
  admin = await t.token({ role: 'admin' });
  await moveClock(t, { set: '2027-04-01T08:00:00Z' });
  const dueDate = '2027-04-30';
  s.fiber = await seedCase(t, agent, { lines: [{ service: 'fiber', net: 39_900 }], dueDate });
  s.rental = await seedCase(t, agent, { propertyType: 'rental', lines: [{ service: 'water', net: 50_000 }, { service: 'sewage', net: 40_000 }], dueDate });
  s.waste = await seedCase(t, agent, { lines: [{ service: 'waste', net: 30_000 }, { service: 'fiber', net: 39_900 }], dueDate });
  s.paidDayBefore = await seedCase(t, agent, { lines: [{ service: 'fiber', net: 20_000 }], dueDate });
  s.partial = await seedCase(t, agent, { lines: [{ service: 'fiber', net: 20_000 }], dueDate });
  s.hold = await seedCase(t, agent, { lines: [{ service: 'fiber', net: 20_000 }], dueDate });
  // The day after the due date: the morning scan opens the cases.
  await moveClock(t, { set: '2027-05-01T08:00:00Z' });
  snapshots.opened = (await caseOf(t, agent, s.fiber.invoice.invoiceId)).body;
  snapshots.openedScan = await t.call('POST', '/_local/schedules/overdue-scan/fire');
  // A hold for payment difficulty over the collection date (R-FI-11 / R-SE-15).
  snapshots.hold = await t.call('POST', `/v1/dunning-cases/${snapshots.opened.caseId.replace(s.fiber.customerId.slice(4), s.hold.customerId.slice(4))}/holds`, {
    token: agent,
    body: { reason: 'payment_difficulty', until: '2027-06-10', note: 'Sjukskriven, ringer efter semestern.' },
  });
  await moveClock(t, { set: '2027-05-25T09:00:00Z' });
  await pay(s.partial.invoice.invoiceId, 10_000, 'pay-partial-1', '2027-05-25');
  await moveClock(t, { set: '2027-06-13T09:00:00Z' });
  // The day before the cut: paid in full.
  await pay(s.paidDayBefore.invoice.invoiceId, s.paidDayBefore.invoice.total, 'pay-day-before', '2027-06-13');
  await moveClock(t, { set: '2027-06-15T09:00:00Z' });
  await bookBankFile(t, admin, '2027-06-15');
  await moveClock(t, { set: '2027-07-15T09:00:00Z' });
  await bookBankFile(t, admin, '2027-07-15');
  await moveClock(t, { set: '2027-07-20T09:00:00Z' });
  await bookBankFile(t, admin, '2027-07-20');
  await moveClock(t, { set: '2027-07-25T09:00:00Z' });
  for (const key of Object.keys(s) as (keyof typeof s)[]) cases[key] = (await caseOf(t, agent, s[key].invoice.invoiceId)).body;
  snapshots.orders = (await t.call('GET', '/v1/work-orders?limit=100', { token: ops })).body.items;
}, 120_000);
afterAll(async () => t.stop());

const ordersOf = (key: keyof typeof s) => snapshots.orders.filter((o: { caseId: string }) => o.caseId === cases[key].caseId);

describe('the overdue scan', () => {
  it('opens one case per overdue invoice, named after it; firing it again starts nothing new', () => {
    expect(snapshots.opened).toMatchObject({ status: 'open', stage: 'overdue', next: { stage: 'reminder_1', date: '2027-05-10' }, executionArn: expect.stringContaining(`:execution:dunning:${s.fiber.invoice.invoiceId}`) });
    expect(snapshots.openedScan.body.result).toMatchObject({ started: 0 });
  });
});

describe('Swedish fiber (R-SE-19)', () => {
  it('goes reminder → collection → disconnection letter → work order, each on its date', () => {
    // Every letter on its planned date; the cut waits one banking day for the ledger (R-SE-13 booking delay).
    expect(cases.fiber.completed.map((c: { stage: string; takenOn: string }) => [c.stage, c.takenOn])).toEqual([
      ['reminder_1', '2027-05-10'],
      ['collection', '2027-05-20'],
      ['disconnection_notice', '2027-05-31'],
      ['disconnection', '2027-06-16'],
    ]);
    expect(cases.fiber.status).toBe('disconnected');
    expect(cases.fiber.announcedDisconnectionDate).toBe('2027-06-14');
    expect(events(cases.fiber)).toEqual(expect.arrayContaining(['reminder_1_sent', 'collection_sent', 'disconnection_notice_sent', 'guards_checked', 'work_order_created']));
    expect(cases.fiber.guardDecisions).toContainEqual(expect.objectContaining({ at: '2027-06-14', verdict: 'wait', decisions: expect.arrayContaining([expect.objectContaining({ guard: 'BookingDelayGuard', rule: 'R-SE-13', outcome: 'wait' })]) }));
    expect(ordersOf('fiber')).toEqual([expect.objectContaining({ service: 'fiber', type: 'disconnection', status: 'open', rule: 'R-SE-19' })]);
  });
});

describe('Swedish rental water (R-SE-21)', () => {
  it('is never cut off or throttled; the refusal and its reason are on the case', () => {
    expect(cases.rental.status).toBe('closed');
    expect(cases.rental.targets).toEqual([expect.objectContaining({ service: 'water', state: 'refused', reason: expect.stringContaining('rental property is never cut off') })]);
    expect(cases.rental.guardDecisions).toContainEqual(expect.objectContaining({ service: 'water', verdict: 'refuse', decisions: expect.arrayContaining([expect.objectContaining({ guard: 'RentalWaterGuard', rule: 'R-SE-21', outcome: 'refuse' })]) }));
    expect(ordersOf('rental')).toEqual([]);
  });
});

describe('waste (R-SE-22)', () => {
  it('is never stopped: unpaid waste cuts nothing; only sludge emptying and bin exchange may be refused', () => {
    const waste = cases.waste.targets.find((x: { service: string }) => x.service === 'waste');
    expect(waste).toMatchObject({ state: 'refused', reason: expect.stringContaining('Waste collection is never stopped') });
    expect(waste.reason).toContain('sludge emptying and bin exchange may be refused');
    expect(cases.waste.guardDecisions).toContainEqual(expect.objectContaining({ service: 'waste', action: 'refuse_bin_exchange', decisions: expect.arrayContaining([expect.objectContaining({ guard: 'WasteNeverStoppedGuard', outcome: 'allow' })]) }));
    expect(ordersOf('waste').map((o: { service: string }) => o.service)).toEqual(['fiber']);
  });
});

describe('a payment', () => {
  it('the day before the cut ends the case: no work order, nothing after the payment', () => {
    expect(cases.paidDayBefore.status).toBe('paid');
    expect(cases.paidDayBefore.completed.map((c: { stage: string }) => c.stage)).toEqual(['reminder_1', 'collection', 'disconnection_notice']);
    expect(events(cases.paidDayBefore).at(-1)).toBe('payment_seen');
    expect(ordersOf('paidDayBefore')).toEqual([]);
  });

  it('in part recomputes the open amount and goes on for what is left', () => {
    expect(events(cases.partial)).toContain('partial_payment');
    expect(cases.partial.openAmount).toBe(s.partial.invoice.total - 10_000);
    expect(ordersOf('partial')).toEqual([expect.objectContaining({ reason: expect.stringContaining(`${s.partial.invoice.total - 10_000} SEK`) })]);
  });
});

describe('a hold (R-FI-11, R-SE-15)', () => {
  it('pauses the case until the day after it ends, then the ladder continues from where it was', () => {
    expect(snapshots.hold.status).toBe(201);
    // Held from the reminder's date (05-10) to the day after the hold (06-11): 32 days; every later step moves by them.
    expect(cases.hold.completed.map((c: { stage: string; takenOn: string }) => [c.stage, c.takenOn])).toEqual([
      ['reminder_1', '2027-06-11'],
      ['collection', '2027-06-21'],
      ['disconnection_notice', '2027-07-02'],
      ['disconnection', '2027-07-21'],
    ]);
    expect(cases.hold.announcedDisconnectionDate).toBe('2027-07-16');
    expect(events(cases.hold)).toEqual(expect.arrayContaining(['hold_added', 'on_hold', 'hold_ended']));
  });

  it('refuses a hold that ends before it starts, one over six months ahead, and one on a closed case', async () => {
    const backwards = await t.call('POST', `/v1/dunning-cases/${cases.fiber.caseId}/holds`, { token: agent, body: { reason: 'dispute', from: '2027-08-10', until: '2027-08-01' } });
    // Today is 2027-07-25: a hold ends by 2028-01-25 at the latest (R-FI-11, R-SE-15; bounded pauses).
    const tooLong = await t.call('POST', `/v1/dunning-cases/${cases.hold.caseId}/holds`, { token: agent, body: { reason: 'payment_difficulty', until: '2028-01-26' } });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors).toEqual([expect.objectContaining({ path: 'until', message: expect.stringContaining('2028-01-25') })]);
    const closed = await t.call('POST', `/v1/dunning-cases/${cases.rental.caseId}/holds`, { token: agent, body: { reason: 'dispute', until: '2027-09-01' } });
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors).toEqual([expect.objectContaining({ path: 'until' })]);
    expect(closed.status).toBe(409);
  });
});

describe('work orders (R-SE-18)', () => {
  it('completing a disconnection records it; a full payment afterwards orders a reconnection with an appointment', async () => {
    const [order] = ordersOf('fiber');
    const done = await t.call('POST', `/v1/work-orders/${order.workOrderId}/complete`, { token: ops, body: { note: 'Porten plomberad.' } });
    const twice = await t.call('POST', `/v1/work-orders/${order.workOrderId}/complete`, { token: ops, body: {} });
    await pay(s.fiber.invoice.invoiceId, s.fiber.invoice.total, 'pay-fiber-late', '2027-07-26');
    await moveClock(t, { advance: 'P1D' });
    const after = (await caseOf(t, agent, s.fiber.invoice.invoiceId)).body;
    const reconnections = (await t.call('GET', '/v1/work-orders?type=reconnection', { token: ops })).body.items;
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', completedBy: 'ops-olle' });
    expect(twice.status).toBe(409);
    expect(after.status).toBe('paid');
    expect(events(after)).toEqual(expect.arrayContaining(['disconnected', 'payment_seen', 'work_order_created']));
    expect(reconnections).toEqual([expect.objectContaining({ caseId: after.caseId, service: 'fiber', appointmentRequired: true, status: 'open' })]);
  });

  it('a disconnection is never done on a paid debt: completing it then cancels it', async () => {
    const [order] = ordersOf('partial');
    await pay(s.partial.invoice.invoiceId, s.partial.invoice.total, 'pay-partial-2', '2027-07-27');
    const res = await t.call('POST', `/v1/work-orders/${order.workOrderId}/complete`, { token: ops, body: {} });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('paid');
  });
});
