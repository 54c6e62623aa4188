/**
 * The Swedish ladder (R-SE-16..22) end to end: the ASL on the embedded stack, months passing
 * with the local clock.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestStack, type TestStack } from '../support.js';
import { bookBankFile, caseOf, events, moveClock, seedCase } from './support.js';

let t: TestStack;
let agent: string;
let ops: string;
let admin: string;

beforeAll(async () => {
  t = await startTestStack();
  agent = await t.token({ role: 'agent', subject: 'agent-karin' });
  ops = await t.token({ role: 'ops', subject: 'ops-olle' });
  admin = await t.token({ role: 'admin' });
  await moveClock(t, { set: '2027-04-01T08:00:00Z' });
});
afterAll(async () => t.stop());

describe('Swedish fiber (R-SE-19)', () => {
  it('goes reminder → collection → disconnection letter → work order, each on its date', async () => {
    // Prepare
    const s = await seedCase(t, agent, { lines: [{ service: 'fiber', net: 39_900 }], dueDate: '2027-04-30' });
    // Act
    await moveClock(t, { set: '2027-05-01T08:00:00Z' });
    const opened = await caseOf(t, agent, s.invoice.invoiceId);
    await moveClock(t, { set: '2027-06-15T09:00:00Z' });
    const waiting = (await caseOf(t, agent, s.invoice.invoiceId)).body;
    await bookBankFile(t, admin, '2027-06-15');
    await moveClock(t, { advance: 'P1D' });
    const done = (await caseOf(t, agent, s.invoice.invoiceId)).body;
    const orders = await t.call('GET', '/v1/work-orders?type=disconnection', { token: ops });
    // Assess
    expect(opened.status).toBe(200);
    expect(opened.body.next).toMatchObject({ stage: 'reminder_1', date: '2027-05-10' });
    expect(waiting.targets).toEqual([expect.objectContaining({ service: 'fiber', state: 'waiting' })]);
    expect(waiting.guardDecisions.at(-1).decisions).toContainEqual(expect.objectContaining({ guard: 'BookingDelayGuard', outcome: 'wait' }));
    // Every letter on its planned date; the cut waits one banking day for the ledger (R-SE-13 booking delay).
    expect(done.completed.map((c: { stage: string; takenOn: string }) => [c.stage, c.takenOn])).toEqual([
      ['reminder_1', '2027-05-10'],
      ['collection', '2027-05-20'],
      ['disconnection_notice', '2027-05-31'],
      ['disconnection', '2027-06-16'],
    ]);
    expect(done.status).toBe('disconnected');
    expect(events(done)).toEqual(expect.arrayContaining(['reminder_1_sent', 'collection_sent', 'disconnection_notice_sent', 'work_order_created']));
    expect(orders.body.items).toEqual([expect.objectContaining({ caseId: done.caseId, service: 'fiber', type: 'disconnection', status: 'open' })]);
  });
});
