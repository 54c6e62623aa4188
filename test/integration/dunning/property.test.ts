/**
 * Property-based: the dunning ASL (the real file, on aws-local-stepfunctions with the local
 * clock) driven by the real task code over in-memory adapters, under random sequences of
 * payments, holds, bank files, clock moves and owner answers. Whatever happens:
 * - no step, fee or work order ever happens on a paid debt,
 * - no work order without every guard evaluated and allowing on that day,
 * - no customer gets a third Finnish reminder (R-FI-5), and waste is never disconnected (R-SE-22),
 * - rental water is never cut in Sweden (R-SE-21).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { lineAmounts } from '../../../lambdas/domain/billing/money.js';
import type { Invoice } from '../../../lambdas/domain/billing/model.js';
import type { Customer, Facility } from '../../../lambdas/domain/customers/model.js';
import type { Service } from '../../../lambdas/domain/customers/schemas.js';
import { builtInPolicies } from '../../../lambdas/domain/dunning/index.js';
import { Dunning } from '../../../lambdas/domain/dunning/process.js';
import { dunningTaskHandler, type DunningTaskEvent } from '../../../lambdas/tasks/dunning-task.js';
import { ConflictError, NotFoundError } from '../../../lambdas/domain/errors.js';
import { dunningDefinitionFile, lambdaInvokeHandlers, localDunningDefinition } from '../../../local/workflows/definitions.js';
import { executionArnOf, InMemoryExecutionStore, LocalWorkflows } from '../../../local/workflows/runner.js';
import { Clock, World } from './memory.js';

type Step =
  | { kind: 'advance'; hours: number }
  | { kind: 'pay'; permille: number }
  | { kind: 'hold'; days: number }
  | { kind: 'bankFile' }
  | { kind: 'owner'; outcome: 'proceed' | 'postpone' | 'cancel' }
  | { kind: 'scan' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 24 * 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), permille: fc.integer({ min: 1, max: 1000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hold' as const), days: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'bankFile' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('owner' as const), outcome: fc.constantFrom('proceed' as const, 'postpone' as const, 'cancel' as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'scan' as const }) },
);

const scenarioFields = {
  country: fc.constantFrom('SE' as const, 'FI' as const),
  service: fc.constantFrom<Service>('fiber', 'electricity_grid', 'water', 'waste', 'district_heating'),
  rental: fc.boolean(),
  net: fc.integer({ min: 5_000, max: 40_000 }),
  dueDate: fc.constantFrom('2027-01-29', '2027-03-31', '2027-06-30', '2027-10-29', '2027-12-30'),
  steps: fc.array(stepArb, { minLength: 3, maxLength: 14 }),
};
const scenarioArb = fc.record(scenarioFields);
/** The services that must never be cut in Sweden (rental water, R-SE-21; waste, R-SE-22), drawn every time, not one run in twenty. */
const neverCutArb = fc.record({ ...scenarioFields, country: fc.constant('SE' as const), service: fc.constantFrom<Service>('water', 'waste'), rental: fc.constant(true) });

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

async function run(scenario: Scenario): Promise<string[]> {
  const service: Service = scenario.country === 'FI' ? 'water' : scenario.service;
  const clock = new Clock(Date.parse(`${scenario.dueDate}T12:00:00Z`));
  const policy = builtInPolicies.find((p) => p.country === scenario.country)!;
  const dunningToday = () => new Intl.DateTimeFormat('sv-SE', { timeZone: policy.timeZone }).format(clock.now());
  const amounts = lineAmounts(scenario.net, 25);
  const invoice: Invoice = {
    invoiceId: 'inv_prop_2027-01', invoiceNumber: 1, customerId: 'cus_prop', runId: 'r', runMonth: '2027-01', issueDate: '2027-01-01', dueDate: scenario.dueDate,
    currency: scenario.country === 'FI' ? 'EUR' : 'SEK',
    lines: [{ facilityId: 'F1', service, kind: 'fixed', description: service, ...amounts, vatRate: 25 }],
    net: amounts.net, vat: amounts.vat, total: amounts.gross, openAmount: amounts.gross, status: 'open', reference: '1', referenceType: 'ocr',
    delivery: { channel: 'paper', address: null }, finalInvoiceFacilities: [], appliedPayments: [], deferrals: [], stateAfter: {}, createdAt: '', version: 1,
  };
  const customer = { customerId: 'cus_prop', category: 'consumer' } as Customer;
  const facility = { facilityNumber: 'F1', customerId: 'cus_prop', propertyType: scenario.rental ? 'rental' : 'owner_occupied', services: [] } as unknown as Facility;
  const world = new World(invoice, customer, facility, dunningToday);
  const workflows = new LocalWorkflows({ clock, store: new InMemoryExecutionStore(), retryIntervalMs: 1 });
  const dunning = new Dunning({
    repo: world,
    workflow: {
      startExecution: (name, input) => workflows.startExecution('dunning', name, input),
      sendTaskSuccess: (token, output) => workflows.sendTaskSuccess(token, output),
      executionArnFor: (name) => executionArnOf('dunning', name),
    },
    policies: builtInPolicies,
    country: scenario.country,
    now: clock.now,
    newId: (prefix) => `${prefix}_${Math.random().toString(36).slice(2)}`,
  });
  const handler = dunningTaskHandler(dunning);
  const tasks = async (event: DunningTaskEvent) => {
    if (event.task === 'MarkCaseFailed') world.violations.push(`case failed: ${event.error} ${event.cause}`);
    return handler(event);
  };
  workflows.register('dunning', localDunningDefinition(), lambdaInvokeHandlers(dunningDefinitionFile, tasks as never));
  const settle = async () => {
    await workflows.tick();
    await workflows.idle();
  };
  const advance = async (ms: number) => {
    const target = clock.at + ms;
    for (;;) {
      const next = workflows.nextDueAt();
      if (next === undefined || next > target) break;
      clock.at = Math.max(clock.at, next);
      await settle();
    }
    clock.at = target;
    await settle();
  };
  await dunning.scanOverdue();
  await settle();
  for (const step of scenario.steps) {
    if (step.kind === 'advance') await advance(step.hours * 3_600_000);
    else if (step.kind === 'pay') world.pay(Math.ceil((world.invoice.total * step.permille) / 1000));
    else if (step.kind === 'bankFile') await dunning.paymentFileBooked();
    else if (step.kind === 'scan') await dunning.scanOverdue();
    else if (step.kind === 'hold') {
      // The hold is dated in the utility's own zone, as a desk would: a UTC date is yesterday there after 23:00 Stockholm time.
      const until = new Date(Date.parse(`${dunning.today()}T00:00:00Z`) + step.days * 86_400_000).toISOString().slice(0, 10);
      await dunning.addHold({ subject: 'agent', role: 'agent' }, 'dun_prop_2027-01', { reason: 'payment_difficulty', until }).catch((e: Error) => {
        if (!(e instanceof ConflictError) && !(e instanceof NotFoundError)) throw e;
      });
    } else if (step.kind === 'owner') {
      await dunning
        .recordOwnerContact({ subject: 'ops', role: 'ops' }, 'dun_prop_2027-01', {
          outcome: step.outcome,
          note: 'property test',
          ...(step.outcome === 'postpone' ? { until: new Date(Date.parse(`${dunning.today()}T00:00:00Z`) + 5 * 86_400_000).toISOString().slice(0, 10) } : {}),
        })
        .catch((e: Error) => {
          if (!(e instanceof ConflictError) && !(e instanceof NotFoundError)) throw e;
        });
    }
    await settle();
  }
  await workflows.close();
  return world.violations;
}

describe('dunning under random payments, holds, bank files, clock moves and owner answers', () => {
  it('never acts on a paid debt, never skips a guard, never sends a third Finnish reminder', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        expect(await run(scenario)).toEqual([]);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40) },
    );
  }, 240_000);

  it('never cuts Swedish rental water or waste, whatever happens (R-SE-21, R-SE-22)', async () => {
    await fc.assert(
      fc.asyncProperty(neverCutArb, async (scenario) => {
        expect(await run(scenario)).toEqual([]);
      }),
      {
        numRuns: Number(process.env.PROPERTY_RUNS ?? 40) / 2,
        // Found by CI: a same-day hold placed after 23:00 UTC, when Stockholm's date is already the next day.
        examples: [
          [
            {
              country: 'SE',
              service: 'water',
              rental: true,
              net: 5000,
              dueDate: '2027-01-29',
              steps: [
                { kind: 'advance', hours: 254 },
                { kind: 'advance', hours: 35 },
                { kind: 'advance', hours: 226 },
                { kind: 'hold', days: 0 },
              ],
            },
          ],
        ],
      },
    );
  }, 240_000);
});
