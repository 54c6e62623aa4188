/**
 * Failures on the real ASL: a task that fails transiently is retried and the case goes on;
 * one that keeps failing stops the case visibly (case `failed`, execution FAILED for the
 * alarm), and never skips a guard or a step. An invalid policy fails the start naming the field.
 */
import { describe, expect, it } from '@jest/globals';
import { lineAmounts } from '../../../lambdas/domain/billing/money.js';
import type { Invoice } from '../../../lambdas/domain/billing/model.js';
import type { Customer, Facility } from '../../../lambdas/domain/customers/model.js';
import { builtInPolicies } from '../../../lambdas/domain/dunning/index.js';
import { dunningTaskHandler, DunningTaskError, TransientTaskError, type DunningTaskEvent } from '../../../lambdas/tasks/dunning-task.js';
import { Dunning } from '../../../lambdas/domain/dunning/process.js';
import { dunningPolicies } from '../../../lambdas/adapters/dunning-wiring.js';
import { dunningDefinitionFile, lambdaInvokeHandlers, localDunningDefinition } from '../../../local/workflows/definitions.js';
import { executionArnOf, InMemoryExecutionStore, LocalWorkflows } from '../../../local/workflows/runner.js';
import { Clock, World } from './memory.js';


async function runWith(failing: { task: string; times: number; error: () => Error }) {
  const clock = new Clock(Date.parse('2027-04-30T12:00:00Z'));
  const amounts = lineAmounts(20_000, 25);
  const invoice: Invoice = {
    invoiceId: 'inv_fail_2027-04', invoiceNumber: 9, customerId: 'cus_fail', runId: 'r', runMonth: '2027-04', issueDate: '2027-04-01', dueDate: '2027-04-30', currency: 'SEK',
    lines: [{ facilityId: 'F1', service: 'fiber', kind: 'fixed', description: 'fiber', ...amounts, vatRate: 25 }],
    net: amounts.net, vat: amounts.vat, total: amounts.gross, openAmount: amounts.gross, status: 'open', reference: '1', referenceType: 'ocr',
    delivery: { channel: 'paper', address: null }, finalInvoiceFacilities: [], appliedPayments: [], deferrals: [], stateAfter: {}, createdAt: '', version: 1,
  };
  const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(clock.now());
  const world = new World(invoice, { customerId: 'cus_fail', category: 'consumer' } as Customer, { facilityNumber: 'F1', propertyType: 'owner_occupied', services: [] } as unknown as Facility, today);
  const workflows = new LocalWorkflows({ clock, store: new InMemoryExecutionStore(), retryIntervalMs: 1 });
  const dunning = new Dunning({
    repo: world,
    workflow: { startExecution: (name, input) => workflows.startExecution('dunning', name, input), sendTaskSuccess: (t, o) => workflows.sendTaskSuccess(t, o), executionArnFor: (n) => executionArnOf('dunning', n) },
    policies: builtInPolicies,
    country: 'SE',
    now: clock.now,
    newId: (p) => `${p}_1`,
  });
  let failures = 0;
  const calls: string[] = [];
  const handler = dunningTaskHandler(dunning);
  // The task function, failing first as the test says.
  const tasks = async (event: DunningTaskEvent) => {
    calls.push(event.task);
    if (event.task === failing.task && failures < failing.times) {
      failures++;
      throw failing.error();
    }
    return handler(event);
  };
  workflows.register('dunning', localDunningDefinition(), lambdaInvokeHandlers(dunningDefinitionFile, tasks as never));
  const settle = async () => {
    await workflows.tick();
    await workflows.idle();
  };
  clock.at = Date.parse('2027-05-01T04:00:00Z');
  await dunning.scanOverdue();
  await settle();
  for (const iso of ['2027-05-10T07:00:00Z', '2027-05-20T07:00:00Z', '2027-05-31T07:00:00Z']) {
    clock.at = Date.parse(iso);
    await settle();
  }
  const execution = (await workflows.listExecutions('dunning')).executions[0];
  await workflows.close();
  return { c: await world.getCase('dun_fail_2027-04'), calls, execution, violations: world.violations };
}

describe('a dunning task that fails', () => {
  it('transiently is retried, and the case goes on as if nothing happened', async () => {
    const { c, calls, execution } = await runWith({ task: 'SendReminder', times: 2, error: () => new TransientTaskError('ProvisionedThroughputExceededException') });
    expect(calls.filter((t) => t === 'SendReminder')).toHaveLength(3);
    expect(c!.completed.map((s) => s.stage)).toEqual(['reminder_1', 'collection', 'disconnection_notice']);
    expect(execution?.status).toBe('RUNNING');
  });

  it('for good stops the case visibly: marked failed, the execution FAILED, no later step taken', async () => {
    const { c, calls, execution, violations } = await runWith({ task: 'HandToCollection', times: 100, error: () => new DunningTaskError('NotFoundError: invoice gone') });
    expect(calls.filter((t) => t === 'HandToCollection')).toHaveLength(1);
    expect(c!.status).toBe('failed');
    expect(c!.failure).toMatchObject({ error: 'DunningTaskError', cause: expect.stringContaining('invoice gone') });
    expect(c!.completed.map((s) => s.stage)).toEqual(['reminder_1']);
    expect(execution?.status).toBe('FAILED');
    expect(violations).toEqual([]);
  });

  it('that keeps failing transiently gives up after its retries and fails the case the same way', async () => {
    const { c, calls, execution } = await runWith({ task: 'SendReminder', times: 100, error: () => new TransientTaskError('network') });
    expect(calls.filter((t) => t === 'SendReminder')).toHaveLength(7); // the first try and 6 retries (ASL MaxAttempts)
    expect(c!.status).toBe('failed');
    expect(c!.completed).toEqual([]);
    expect(execution?.status).toBe('FAILED');
  });
});

describe('an invalid policy file', () => {
  it('fails the start, naming the field; the built-in policies stay', () => {
    expect(() => dunningPolicies(JSON.stringify({ ...builtInPolicies[1], maxReminders: 3 }))).toThrow(/maxReminders/);
    expect(dunningPolicies(undefined)).toBe(builtInPolicies);
  });
});
