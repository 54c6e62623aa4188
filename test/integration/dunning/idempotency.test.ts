/**
 * At-least-once delivery: every dunning task may run twice (a Lambda retry, a redelivered
 * callback). Run each one twice in a row and the second run changes nothing: one step, one
 * fee, one work order, one decision record, the same state for the ASL.
 */
import { describe, expect, it } from '@jest/globals';
import { lineAmounts } from '../../../lambdas/domain/billing/money.js';
import type { Invoice } from '../../../lambdas/domain/billing/model.js';
import type { Customer, Facility } from '../../../lambdas/domain/customers/model.js';
import { builtInPolicies } from '../../../lambdas/domain/dunning/index.js';
import { Dunning } from '../../../lambdas/domain/dunning/process.js';
import { Clock, World } from './memory.js';

function setup(country: 'SE' | 'FI', service: 'fiber' | 'water', dueDate: string) {
  const clock = new Clock(Date.parse(`${dueDate}T12:00:00Z`));
  const amounts = lineAmounts(20_000, 25);
  const invoice: Invoice = {
    invoiceId: 'inv_twice_2027-01', invoiceNumber: 7, customerId: 'cus_twice', runId: 'r', runMonth: '2027-01', issueDate: '2027-01-01', dueDate,
    currency: country === 'FI' ? 'EUR' : 'SEK', lines: [{ facilityId: 'F1', service, kind: 'fixed', description: service, ...amounts, vatRate: 25 }],
    net: amounts.net, vat: amounts.vat, total: amounts.gross, openAmount: amounts.gross, status: 'open', reference: '1', referenceType: 'ocr',
    delivery: { channel: 'paper', address: null }, finalInvoiceFacilities: [], appliedPayments: [], deferrals: [], stateAfter: {}, createdAt: '', version: 1,
  };
  const policy = builtInPolicies.find((p) => p.country === country)!;
  const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: policy.timeZone }).format(clock.now());
  const world = new World(invoice, { customerId: 'cus_twice', category: 'consumer' } as Customer, { facilityNumber: 'F1', propertyType: 'owner_occupied', services: [] } as unknown as Facility, today);
  const started = new Set<string>();
  const starts: string[] = [];
  const dunning = new Dunning({
    repo: world,
    workflow: {
      startExecution: async (name) => {
        starts.push(name);
        const alreadyStarted = started.has(name);
        started.add(name);
        return { executionArn: `arn:${name}`, alreadyStarted };
      },
      sendTaskSuccess: async () => {},
      executionArnFor: (n) => `arn:${n}`,
    },
    policies: builtInPolicies,
    country,
    now: clock.now,
    newId: (p) => `${p}_1`,
  });
  return { clock, world, dunning, caseId: 'dun_twice_2027-01', started };
}

const twice = async <T>(run: () => Promise<T>) => [await run(), await run()] as const;

describe('every dunning task run twice', () => {
  it('Swedish ladder: the second run of each task changes nothing', async () => {
    const { clock, world, dunning, caseId } = setup('SE', 'fiber', '2027-04-30');
    const at = (iso: string) => (clock.at = Date.parse(iso));

    const [opened, openedAgain] = await twice(() => dunning.openCase({ invoiceId: 'inv_twice_2027-01', caseId, executionName: 'inv_twice_2027-01' }));
    at('2027-05-10T06:00:00Z');
    const [reread, rereadAgain] = await twice(() => dunning.reReadDebt(caseId));
    const [reminded, remindedAgain] = await twice(() => dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1'));
    at('2027-05-20T06:00:00Z');
    await twice(() => dunning.takeStep(caseId, ['collection'], 'collection'));
    at('2027-05-31T06:00:00Z');
    await twice(() => dunning.takeStep(caseId, ['disconnection_notice'], 'disconnection_notice'));
    await dunning.paymentFileBooked();
    at('2027-06-15T06:00:00Z');
    await dunning.paymentFileBooked();
    const [checked, checkedAgain] = await twice(() => dunning.checkGuards(caseId));
    const [ordered, orderedAgain] = await twice(() => dunning.orderDisconnection(caseId));
    const [done, doneAgain] = await twice(() => dunning.checkGuards(caseId));
    const [ended, endedAgain] = await twice(() => dunning.endCase(caseId));

    const c = await world.getCase(caseId);
    expect(openedAgain).toEqual(opened);
    expect(rereadAgain).toEqual(reread);
    expect(remindedAgain).toEqual(reminded);
    expect(checkedAgain).toEqual(checked);
    expect(orderedAgain).toEqual(ordered);
    expect(done.guards).toEqual({ decision: 'done' });
    expect(doneAgain).toEqual(done);
    expect(endedAgain).toEqual(ended);
    expect(c!.completed.map((s) => s.stage)).toEqual(['reminder_1', 'collection', 'disconnection_notice', 'disconnection']);
    expect(c!.history.filter((e) => e.event === 'reminder_1_sent')).toHaveLength(1);
    expect(c!.history.filter((e) => e.event === 'work_order_created')).toHaveLength(1);
    expect(c!.guardDecisions.filter((r) => r.verdict === 'proceed')).toHaveLength(1);
    expect([...world.orders.values()]).toHaveLength(1);
    expect(world.violations).toEqual([]);
  });

  it('Finnish reminders: one fee per reminder, however often the task runs', async () => {
    const { clock, world, dunning, caseId } = setup('FI', 'water', '2027-03-31');
    await dunning.openCase({ invoiceId: 'inv_twice_2027-01', caseId });
    clock.at = Date.parse('2027-04-14T06:00:00Z');
    await twice(() => dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1'));
    const c = await world.getCase(caseId);
    clock.at = Date.parse(`${c!.next!.date}T06:00:00Z`);
    // A late duplicate of reminder 1 arrives when reminder 2 is due: it must not send reminder 2.
    await dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1');
    expect((await world.getCase(caseId))!.completed.map((s) => s.stage)).toEqual(['reminder_1']);
    await twice(() => dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_2'));
    await twice(() => dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_2'));
    expect([...world.fees.values()].map((f) => [f.stage, f.amount])).toEqual([
      ['reminder_1', 500],
      ['reminder_2', 500],
    ]);
    expect(world.violations).toEqual([]);
  });

  it('an owner contact answered twice: the second answer is refused and nothing changes', async () => {
    const { clock, dunning, caseId, world } = setup('SE', 'fiber', '2027-01-29');
    await dunning.openCase({ invoiceId: 'inv_twice_2027-01', caseId });
    clock.at = Date.parse('2027-03-15T07:00:00Z');
    await dunning.awaitOwnerContact(caseId, 'token-1');
    await dunning.awaitOwnerContact(caseId, 'token-1');
    const first = await dunning.recordOwnerContact({ subject: 'ops', role: 'ops' }, caseId, { outcome: 'proceed', note: 'ok' });
    const before = await world.getCase(caseId);
    await expect(dunning.recordOwnerContact({ subject: 'ops', role: 'ops' }, caseId, { outcome: 'cancel', note: 'again' })).rejects.toMatchObject({ kind: 'conflict' });
    expect(first.ownerContact?.outcome).toBe('proceed');
    expect(await world.getCase(caseId)).toEqual(before);
  });

  it('a step task without a stage (an execution started on an older definition) takes the step due, once, and a stale stage nothing', async () => {
    const { clock, world, dunning, caseId } = setup('SE', 'fiber', '2027-04-30');
    await dunning.openCase({ invoiceId: 'inv_twice_2027-01', caseId });
    clock.at = Date.parse('2027-05-10T06:00:00Z');
    await twice(() => dunning.takeStep(caseId, ['reminder_1', 'reminder_2']));
    await dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1');
    const c = await world.getCase(caseId);
    expect(c!.completed.map((s) => s.stage)).toEqual(['reminder_1']);
    expect(c!.next?.stage).toBe('collection');
  });

  it('a case held past its execution year continues in one new execution <invoice>-2, however often ContinueAsNew runs', async () => {
    const { clock, world, dunning, caseId, started } = setup('SE', 'fiber', '2027-04-30');
    const desk = { subject: 'agent', role: 'agent' as const };
    await dunning.openCase({ invoiceId: 'inv_twice_2027-01', caseId, executionName: 'inv_twice_2027-01' });
    clock.at = Date.parse('2027-05-10T06:00:00Z');
    // Holds of at most six months each (R-FI-11, R-SE-15), one after the other.
    await dunning.addHold(desk, caseId, { reason: 'payment_difficulty', until: '2027-11-09' });
    const firstHold = await dunning.reReadDebt(caseId);
    clock.at = Date.parse('2027-11-01T06:00:00Z');
    await dunning.addHold(desk, caseId, { reason: 'payment_difficulty', until: '2028-04-28' });
    const secondHold = await dunning.reReadDebt(caseId);
    const [continued, continuedAgain] = await twice(() => dunning.continueAsNew(caseId, 'inv_twice_2027-01'));
    // A late retry of the old execution's ContinueAsNew after the new one began: nothing new.
    const opened = await dunning.openCase({ invoiceId: 'inv_twice_2027-01', caseId, executionName: 'inv_twice_2027-01-2' });
    const c = await world.getCase(caseId);

    expect(firstHold).toMatchObject({ outcome: 'hold' });
    expect(firstHold.continueAsNew).toBeUndefined();
    expect(secondHold).toMatchObject({ outcome: 'hold', continueAsNew: true });
    expect(continuedAgain).toEqual(continued);
    expect([...started]).toEqual(['inv_twice_2027-01-2']);
    expect(c!.executionName).toBe('inv_twice_2027-01-2');
    expect(c!.history.filter((e) => e.event === 'execution_continued')).toHaveLength(1);
    expect(opened.continueAsNew).toBeUndefined();
    expect(world.violations).toEqual([]);
  });
});
