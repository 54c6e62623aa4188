/**
 * Bounded case items (docs/DATA.md "Dunning"): a Swedish case that waits all winter keeps its
 * case item small — history events and guard records are their own items, and a re-check that
 * changes nothing is a counter, not another record. A case waiting for a payment file longer
 * than DUNNING_STUCK_AFTER_BANKING_DAYS (default 5) is stuck (R-SE-13, R-FI-10): listed and
 * logged. A case written by the older version (history inside the item) still reads.
 *
 * Due 2026-10-30: reminder 11-09, collection 11-19, letter 11-30, cut 12-14. No bank file is
 * booked until April, so the fiber case waits on "no payment file booked since 2026-12-15" every
 * banking day; the grid case waits for the winter owner contact (R-SE-18) and escalates every
 * two days.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../../lambdas/adapters/dynamo/client.js';
import { localRegion, localTableName } from '../../../local/stack.js';
import { startTestStack, type TestStack } from '../support.js';
import { bookBankFile, caseOf, events, moveClock, seedCase, type Scenario } from './support.js';
import { itemSize } from '../../dynamo-item-size.js';

let t: TestStack;
let agent: string;
let ops: string;
let admin: string;
const s = {} as Record<'fiber' | 'grid' | 'legacy' | 'long', Scenario>;
const snap = {} as Record<string, any>;

const db = () => documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT! });
const caseItem = async (caseId: string) => (await db().send(new GetCommand({ TableName: localTableName, Key: { pk: `DCASE#${caseId}`, sk: 'CASE' } }))).Item!;

// The task function's structured log line (Powertools): the one the CDK metric filter counts.
const logged: string[] = [];
const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, ...args: unknown[]) {
  if (args[0] === 'dunning case stuck') logged.push(JSON.stringify(args));
});

beforeAll(async () => {
  t = await startTestStack();
  agent = await t.token({ role: 'agent', subject: 'agent-karin' });
  ops = await t.token({ role: 'ops', subject: 'ops-olle' });
  admin = await t.token({ role: 'admin' });
  await moveClock(t, { set: '2026-10-15T08:00:00Z' });
  const dueDate = '2026-10-30';
  s.fiber = await seedCase(t, agent, { lines: [{ service: 'fiber', net: 39_900 }], dueDate });
  s.grid = await seedCase(t, agent, { lines: [{ service: 'electricity_grid', net: 80_000 }], dueDate });
  s.legacy = await seedCase(t, agent, { lines: [{ service: 'fiber', net: 20_000 }], dueDate: '2027-03-31' });
  s.long = await seedCase(t, agent, { lines: [{ service: 'fiber', net: 25_000 }], dueDate });
  await moveClock(t, { set: '2026-11-05T12:00:00Z' });
  snap.longHold = await t.call('POST', `/v1/dunning-cases/dun_${s.long.invoice.invoiceId.replace(/^inv_/, '')}/holds`, { token: agent, body: { reason: 'payment_difficulty', until: '2027-05-04' } });
  await moveClock(t, { set: '2026-12-14T12:00:00Z' });
  snap.atCut = (await caseOf(t, agent, s.fiber.invoice.invoiceId)).body;
  await moveClock(t, { set: '2026-12-22T12:00:00Z' });
  snap.stuckListBefore = (await t.call('GET', '/v1/dunning-cases?status=stuck', { token: ops })).body;
  await moveClock(t, { set: '2026-12-23T12:00:00Z' });
  snap.stuckList = (await t.call('GET', '/v1/dunning-cases?status=stuck', { token: ops })).body;
  snap.openList = (await t.call('GET', '/v1/dunning-cases?status=open', { token: ops })).body;
  // The rest of the winter, no bank file booked.
  await moveClock(t, { set: '2027-04-06T12:00:00Z' });
  for (const key of ['fiber', 'grid'] as const) {
    snap[key] = (await caseOf(t, agent, s[key].invoice.invoiceId)).body;
    snap[`${key}Item`] = await caseItem(snap[key].caseId);
  }
  snap.lines = [...logged];
  // The bank file feed is back: the fiber case proceeds and is no longer stuck.
  await bookBankFile(t, admin, '2027-04-06');
  await moveClock(t, { set: '2027-04-07T12:00:00Z' });
  snap.fiberAfterFile = (await caseOf(t, agent, s.fiber.invoice.invoiceId)).body;
  snap.stuckListAfter = (await t.call('GET', '/v1/dunning-cases?status=stuck', { token: ops })).body;
}, 300_000);
afterAll(async () => {
  warn.mockRestore();
  await t.stop();
});

describe('a winter-long Swedish case', () => {
  it('keeps its case item under 10 KB while guards and owner contacts re-check from December to April', () => {
    for (const key of ['fiber', 'grid'] as const) {
      const size = itemSize(snap[`${key}Item`]);
      expect(size).toBeLessThan(10 * 1024);
      expect(snap[`${key}Item`].history).toBeUndefined();
      expect(snap[`${key}Item`].pendingHistory).toBeUndefined();
    }
    // The grid case escalated all winter: many events, all still shown (from their own items).
    expect(events(snap.grid).filter((e: string) => e === 'owner_contact_escalated').length).toBeGreaterThan(30);
    expect(snap.grid.history.length).toBe(snap.gridItem.historyCount);
  });

  it('counts the daily booking-delay re-check on the target instead of adding a record each day', () => {
    const waits = snap.fiber.guardDecisions.filter((r: { decisions: { guard: string; outcome: string; reason: string }[] }) =>
      r.decisions.some((d) => d.guard === 'BookingDelayGuard' && d.reason.startsWith('No payments valued on or after')),
    );
    expect(waits).toHaveLength(1);
    expect(snap.fiber.targets).toEqual([expect.objectContaining({ state: 'waiting', awaitingPaymentFileSince: '2026-12-15', rechecks: expect.any(Number) })]);
    expect(snap.fiber.targets[0].rechecks).toBeGreaterThan(60);
    expect(events(snap.fiber).filter((e: string) => e === 'guards_checked').length).toBeLessThan(5);
  });

  it('shows a case stuck after more than five banking days without a payment file, and logs it without personal data', () => {
    // 12-15 → 12-22 is five banking days (16, 17, 18, 21, 22): not yet; 12-23 is the sixth.
    expect(snap.stuckListBefore.items).toEqual([]);
    expect(snap.stuckList.items).toEqual([expect.objectContaining({ caseId: snap.atCut.caseId, stuck: true, stuckSince: '2026-12-15', status: 'open' })]);
    expect(snap.openList.items).toContainEqual(expect.objectContaining({ caseId: snap.atCut.caseId, stuck: true }));
    expect(snap.fiber).toMatchObject({ stuck: true, stuckSince: '2026-12-15' });
    expect(events(snap.fiber)).toContain('case_stuck');
    expect(snap.lines.length).toBeGreaterThan(0);
    for (const line of snap.lines) {
      expect(line).toContain(snap.atCut.caseId);
      expect(line).not.toMatch(/\d{6,8}-?\d{4}/);
    }
  });

  it('is no longer stuck once a payment file is booked, and the disconnection proceeds', () => {
    expect(snap.fiberAfterFile.stuck).toBeUndefined();
    expect(events(snap.fiberAfterFile)).toContain('case_unstuck');
    expect(snap.fiberAfterFile.targets).toEqual([expect.objectContaining({ state: 'ordered' })]);
    expect(snap.stuckListAfter.items).toEqual([]);
  });
});

describe('a case written by the older version (history inside the item)', () => {
  it('still reads, and its next change moves the history to its own items', async () => {
    const current = (await caseOf(t, agent, s.legacy.invoice.invoiceId)).body;
    const item = await caseItem(current.caseId);
    const legacyHistory = [...current.history, { at: '2026-12-01T08:00:00.000Z', event: 'note', detail: 'Written by the older version.' }];
    const { historyCount: _h, guardCount: _g, pendingHistory: _p, pendingGuards: _q, ...rest } = item;
    await db().send(new PutCommand({ TableName: localTableName, Item: { ...rest, history: legacyHistory, guardDecisions: [] } }));
    const read = (await caseOf(t, agent, s.legacy.invoice.invoiceId)).body;
    const held = await t.call('POST', `/v1/dunning-cases/${current.caseId}/holds`, { token: agent, body: { reason: 'dispute', until: '2027-05-01' } });
    const after = (await caseOf(t, agent, s.legacy.invoice.invoiceId)).body;
    const itemAfter = await caseItem(current.caseId);
    expect(read.history).toEqual(legacyHistory);
    expect(held.status).toBe(201);
    expect(after.history.slice(0, legacyHistory.length)).toEqual(legacyHistory);
    expect(events(after).at(-1)).toBe('hold_added');
    expect(itemAfter.history).toBeUndefined();
    expect(itemAfter.historyCount).toBe(after.history.length);
  });
});

describe('a case held past its execution year (a Standard execution ends after one year)', () => {
  it('continues in a new execution <invoice>-2 before then, and its ladder goes on there', async () => {
    const invoiceId = s.long.invoice.invoiceId;
    const caseId = `dun_${invoiceId.replace(/^inv_/, '')}`;
    // Today 2027-04-07: a second hold of at most six months; its end (10-07) is beyond 11 months from the start (2026-10-31).
    const second = await t.call('POST', `/v1/dunning-cases/${caseId}/holds`, { token: agent, body: { reason: 'payment_difficulty', until: '2027-10-06' } });
    await moveClock(t, { set: '2027-10-12T12:00:00Z' });
    const first = (await t.call('GET', `/_local/executions/${invoiceId}`)).body;
    const next = (await t.call('GET', `/_local/executions/${invoiceId}-2`)).body;
    const c = (await caseOf(t, agent, invoiceId)).body;

    expect(snap.longHold.status).toBe(201);
    expect(second.status).toBe(201);
    expect(first.status).toBe('SUCCEEDED');
    expect(next.status).toBe('RUNNING');
    expect(c.executionName).toBe(`${invoiceId}-2`);
    expect(events(c).filter((e: string) => e === 'execution_continued')).toHaveLength(1);
    expect(c.completed.map((step: { stage: string; takenOn: string }) => [step.stage, step.takenOn >= '2027-10-07'])).toEqual([['reminder_1', true]]);
  });
});
