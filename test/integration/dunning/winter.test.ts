/**
 * Winter (R-SE-18, R-SE-20): electricity grid and district heating wait for ops to record a
 * contact with the property owner (a task token, resumed by POST .../owner-contact), and
 * escalate when nobody answers in two days. Invoices due 2027-01-29: reminder 02-08,
 * collection 02-18, letter 03-01, cut 03-15 (winter season 11-01..03-31).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestStack, type TestStack } from '../support.js';
import { bookBankFile, caseOf, events, moveClock, seedCase, type Scenario } from './support.js';

let t: TestStack;
let agent: string;
let ops: string;
let admin: string;
const s = {} as Record<'proceed' | 'postpone' | 'cancel' | 'heating', Scenario>;
const waiting = {} as Record<keyof typeof s, any>;

const contact = (key: keyof typeof s, body: unknown) => t.call('POST', `/v1/dunning-cases/${waiting[key].caseId}/owner-contact`, { token: ops, body });
const refresh = async (key: keyof typeof s) => (await caseOf(t, agent, s[key].invoice.invoiceId)).body;

beforeAll(async () => {
  t = await startTestStack();
  agent = await t.token({ role: 'agent', subject: 'agent-karin' });
  ops = await t.token({ role: 'ops', subject: 'ops-olle' });
  admin = await t.token({ role: 'admin' });
  await moveClock(t, { set: '2027-01-10T08:00:00Z' });
  const dueDate = '2027-01-29';
  s.proceed = await seedCase(t, agent, { lines: [{ service: 'electricity_grid', net: 80_000 }], dueDate });
  s.postpone = await seedCase(t, agent, { lines: [{ service: 'electricity_grid', net: 80_000 }], dueDate });
  s.cancel = await seedCase(t, agent, { lines: [{ service: 'electricity_grid', net: 80_000 }], dueDate });
  s.heating = await seedCase(t, agent, { category: 'business', lines: [{ service: 'district_heating', net: 120_000 }], dueDate });
  await moveClock(t, { set: '2027-03-15T07:00:00Z' });
  await bookBankFile(t, admin, '2027-03-15');
  await moveClock(t, { set: '2027-03-15T10:00:00Z' });
  for (const key of Object.keys(s) as (keyof typeof s)[]) waiting[key] = await refresh(key);
}, 120_000);
afterAll(async () => t.stop());

describe('winter grid and heating', () => {
  it('wait for an owner contact on the cut date instead of ordering the work', async () => {
    const list = await t.call('GET', '/v1/dunning-cases?status=awaiting_owner_contact', { token: ops });
    for (const key of Object.keys(s) as (keyof typeof s)[]) {
      expect(waiting[key]).toMatchObject({ status: 'awaiting_owner_contact', stage: 'disconnection_notice' });
      expect(waiting[key].ownerContactToken).toBeUndefined();
    }
    expect(waiting.proceed.guardDecisions.at(-1).decisions).toContainEqual(expect.objectContaining({ guard: 'WinterOwnerContactGuard', rule: 'R-SE-18', outcome: 'wait' }));
    expect(waiting.heating.guardDecisions.at(-1).decisions).toContainEqual(expect.objectContaining({ guard: 'WinterOwnerContactGuard', rule: 'R-SE-20', outcome: 'wait' }));
    expect(list.body.items.map((c: { caseId: string }) => c.caseId).sort()).toEqual(Object.values(waiting).map((c) => c.caseId).sort());
    expect((await t.call('GET', '/v1/work-orders', { token: ops })).body.items).toEqual([]);
  });

  it('told social services of consumers’ electricity with the disconnection letter, not of a business’s heating', () => {
    expect(events(waiting.proceed)).toContain('social_services_notified');
    expect(events(waiting.heating)).not.toContain('social_services_notified');
  });

  it('proceed: the work is ordered; a second answer is a conflict', async () => {
    const res = await contact('proceed', { outcome: 'proceed', note: 'Ägaren nådd, huset står tomt, ingen frysrisk.' });
    const again = await contact('proceed', { outcome: 'proceed', note: 'Igen.' });
    // The answer resumes the workflow at once: the guards are checked again before the answer returns.
    const ledgerWait = await refresh('proceed');
    // The next morning's bank file makes the ledger current for the cut date (R-SE-13).
    await moveClock(t, { set: '2027-03-16T06:00:00Z' });
    await bookBankFile(t, admin, '2027-03-16');
    await moveClock(t, { set: '2027-03-16T10:00:00Z' });
    const after = await refresh('proceed');
    expect(res.status).toBe(200);
    expect(again.status).toBe(409);
    expect(ledgerWait.targets).toEqual([expect.objectContaining({ state: 'waiting', reason: expect.stringContaining('ledger') })]);
    expect(after.ownerContact).toMatchObject({ outcome: 'proceed', by: 'ops-olle' });
    expect(after.status).toBe('disconnected');
    expect(after.targets).toEqual([expect.objectContaining({ service: 'electricity_grid', state: 'ordered' })]);
  });

  it('cancel: the disconnection is refused for good and the case closes', async () => {
    const res = await contact('cancel', { outcome: 'cancel', note: 'Ägaren: risk för frysskador, betalar via socialtjänsten.' });
    await moveClock(t, { advance: 'PT1H' });
    const after = await refresh('cancel');
    expect(res.status).toBe(200);
    expect(after.status).toBe('closed');
    expect(after.targets).toEqual([expect.objectContaining({ state: 'refused', reason: expect.stringContaining('cancelled') })]);
  });

  it('postpone: waits until the date, then asks ops again', async () => {
    const missingDate = await contact('postpone', { outcome: 'postpone', note: 'Ringer tillbaka.' });
    // At most six months ahead (R-SE-18, R-SE-20; a bounded wait): today is 2027-03-16, the limit 2027-09-16.
    const tooFar = await contact('postpone', { outcome: 'postpone', note: 'Ägaren utomlands.', until: '2027-09-17' });
    const res = await contact('postpone', { outcome: 'postpone', note: 'Ägaren på resa, åter 22 mars.', until: '2027-03-22' });
    await moveClock(t, { set: '2027-03-20T10:00:00Z' });
    const during = await refresh('postpone');
    await moveClock(t, { set: '2027-03-22T10:00:00Z' });
    const after = await refresh('postpone');
    expect(missingDate.status).toBe(422);
    expect(missingDate.body.errors).toEqual([expect.objectContaining({ path: 'until' })]);
    expect(tooFar.status).toBe(422);
    expect(tooFar.body.errors).toEqual([expect.objectContaining({ path: 'until', message: expect.stringContaining('2027-09-16') })]);
    expect(res.status).toBe(200);
    expect(during).toMatchObject({ status: 'open', targets: [expect.objectContaining({ state: 'waiting', until: '2027-03-22' })] });
    expect(after.status).toBe('awaiting_owner_contact');
  });

  it('nobody answers in two days: the case escalates and keeps waiting; it never proceeds on its own', async () => {
    await moveClock(t, { set: '2027-03-26T10:00:00Z' });
    const after = await refresh('heating');
    expect(events(after)).toContain('owner_contact_escalated');
    expect(after.ownerContactWait.escalations).toBeGreaterThanOrEqual(2);
    expect(after.status).toBe('awaiting_owner_contact');
    expect(after.targets).toEqual([expect.objectContaining({ state: 'awaiting_owner_contact' })]);
  });

  it('refuses an owner contact for a case that is not waiting', async () => {
    const res = await contact('cancel', { outcome: 'proceed', note: 'Fel ärende.' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
