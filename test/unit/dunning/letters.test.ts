/**
 * The dunning ladder's letters (issue 12; docs/DUNNING.md "Letters"): each step that writes to
 * the customer orders its letter once, the case links it, and the next stage's clock starts
 * only once it is handed over (CheckLetters); social services are told in writing of a
 * consumer's planned electricity disconnection (R-SE-17, R-SE-18).
 */
import { describe, expect, it } from '@jest/globals';
import { lineAmounts } from '../../../lambdas/domain/billing/money.js';
import type { Invoice } from '../../../lambdas/domain/billing/model.js';
import type { Customer, Facility } from '../../../lambdas/domain/customers/model.js';
import type { Service } from '../../../lambdas/domain/customers/schemas.js';
import { orderDocumentId, type DocumentOrder } from '../../../lambdas/domain/delivery/orders.js';
import { builtInPolicies } from '../../../lambdas/domain/dunning/index.js';
import { Dunning, LETTER_CHECK_INTERVAL_MS, LetterNotDelivered, type LetterDelivery } from '../../../lambdas/domain/dunning/process.js';
import type { BusinessMetrics } from '../../../lambdas/domain/metrics.js';
import { Clock, World } from '../../integration/dunning/memory.js';
import { captureEmf } from '../../emf.js';

function setup(options: { service?: Service; category?: 'consumer' | 'business'; metrics?: BusinessMetrics } = {}) {
  const service = options.service ?? 'fiber';
  const clock = new Clock(Date.parse('2027-04-30T12:00:00Z'));
  const amounts = lineAmounts(20_000, 25);
  const invoice: Invoice = {
    invoiceId: 'inv_letters_2027-04', invoiceNumber: 7, customerId: 'cus_letters', runId: 'r', runMonth: '2027-04', issueDate: '2027-04-01', dueDate: '2027-04-30',
    currency: 'SEK', lines: [{ facilityId: 'F1', service, kind: 'fixed', description: service, ...amounts, vatRate: 25 }],
    net: amounts.net, vat: amounts.vat, total: amounts.gross, openAmount: amounts.gross, status: 'open', reference: '1', referenceType: 'ocr',
    delivery: { channel: 'paper', address: null }, finalInvoiceFacilities: [], appliedPayments: [], deferrals: [], stateAfter: {}, createdAt: '', version: 1,
  };
  const policy = builtInPolicies.find((p) => p.country === 'SE')!;
  const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: policy.timeZone }).format(clock.now());
  const world = new World(invoice, { customerId: 'cus_letters', category: options.category ?? 'consumer' } as Customer, { facilityNumber: 'F1', propertyType: 'owner_occupied', services: [] } as unknown as Facility, today);
  const orders: DocumentOrder[] = [];
  const deliveries = new Map<string, LetterDelivery>();
  const dunning = new Dunning({
    repo: world,
    workflow: { startExecution: async (name) => ({ executionArn: `arn:${name}`, alreadyStarted: false }), sendTaskSuccess: async () => {}, executionArnFor: (n) => `arn:${n}` },
    policies: builtInPolicies,
    country: 'SE',
    now: clock.now,
    newId: (p) => `${p}_1`,
    letters: {
      order: async (order) => {
        orders.push(order);
      },
      deliveries: async (ids) => ids.map((id) => deliveries.get(id)),
    },
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const caseId = 'dun_letters_2027-04';
  const at = (iso: string) => (clock.at = Date.parse(iso));
  return { clock, world, dunning, caseId, orders, deliveries, at };
}

describe('a step that writes to the customer', () => {
  it('orders its letter once however often the task runs, links it on the case and waits for it', async () => {
    // Prepare
    const { dunning, caseId, orders, world, at } = setup();
    await dunning.openCase({ invoiceId: 'inv_letters_2027-04', caseId, executionName: 'inv_letters_2027-04' });
    at('2027-05-10T06:00:00Z');
    // Act
    const first = await dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1');
    const second = await dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1');
    // Assess: the same order (one document), one link, the same answer for the workflow
    const documentId = orderDocumentId({ kind: 'reminder', caseId, stage: 'reminder_1' });
    expect(orders).toEqual([{ kind: 'reminder', caseId, stage: 'reminder_1' }, { kind: 'reminder', caseId, stage: 'reminder_1' }]);
    expect(first.letter).toEqual({ stage: 'reminder_1', documentIds: [documentId] });
    expect(second).toEqual(first);
    expect((await world.getCase(caseId))!.letters).toEqual([expect.objectContaining({ stage: 'reminder_1', kind: 'reminder', documentId, awaited: true })]);
  });

  it('the hand-over to collection writes the collection notice', async () => {
    const { dunning, caseId, at } = setup();
    await dunning.openCase({ invoiceId: 'inv_letters_2027-04', caseId });
    at('2027-05-10T06:00:00Z');
    await dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1');
    at('2027-05-20T06:00:00Z');
    const collection = await dunning.takeStep(caseId, ['collection'], 'collection');
    expect(collection.letter?.documentIds).toEqual([orderDocumentId({ kind: 'collection_notice', caseId, stage: 'collection' })]);
  });
});

describe('business metrics (EMF)', () => {
  it('counts each stage a case enters once (DunningStageEntered by stage), however often the task runs', async () => {
    // Prepare
    const emf = captureEmf();
    try {
      const { dunning, caseId, at } = setup({ metrics: emf.port });

      // Act
      await dunning.openCase({ invoiceId: 'inv_letters_2027-04', caseId });
      await dunning.openCase({ invoiceId: 'inv_letters_2027-04', caseId });
      at('2027-05-10T06:00:00Z');
      await dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1');
      await dunning.takeStep(caseId, ['reminder_1', 'reminder_2'], 'reminder_1');

      // Assess
      const lines = emf.flush();
      expect(lines.map((line) => [line.stage, line.DunningStageEntered])).toEqual([['overdue', 1], ['reminder_1', 1]]);
      expect(lines[1]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'stage']]);
      // Only the stage and the service: no case, invoice or customer id.
      expect(JSON.stringify(lines)).not.toMatch(/cus_|inv_|dun_/);
    } finally {
      emf.restore();
    }
  });
});

describe('CheckLetters: the next stage waits for the hand-over', () => {
  async function reminded() {
    const s = setup();
    await s.dunning.openCase({ invoiceId: 'inv_letters_2027-04', caseId: s.caseId });
    s.at('2027-05-10T06:00:00Z');
    const state = await s.dunning.takeStep(s.caseId, ['reminder_1', 'reminder_2'], 'reminder_1');
    return { ...s, documentId: state.letter!.documentIds[0]! };
  }

  it('not out yet: looks again a few minutes later, the case unchanged', async () => {
    const { dunning, caseId, clock, world } = await reminded();
    const before = await world.getCase(caseId);
    const state = await dunning.checkLetters(caseId, 'reminder_1');
    expect(state.letter?.lookAgainAt).toBe(new Date(clock.at + LETTER_CHECK_INTERVAL_MS).toISOString());
    expect(await world.getCase(caseId)).toEqual(before);
  });

  it('handed over the same day: recorded, and the next step keeps its date', async () => {
    const { dunning, caseId, deliveries, documentId, world } = await reminded();
    deliveries.set(documentId, { documentId, kind: 'reminder', status: 'handed_over', channel: 'email', handedOverAt: '2027-05-10T06:00:05Z' });
    const state = await dunning.checkLetters(caseId, 'reminder_1');
    const c = (await world.getCase(caseId))!;
    expect(state.letter).toBeUndefined();
    expect(state.next).toMatchObject({ stage: 'collection' });
    expect(c.next?.date).toBe('2027-05-20');
    expect(c.letters![0]!.handedOverAt).toBe('2027-05-10T06:00:05Z');
    expect(c.history.at(-1)).toMatchObject({ event: 'letters_handed_over', detail: expect.stringContaining('reminder by email') });
  });

  it('handed over two days late: the steps to come move by as much (the customer keeps the time between letters)', async () => {
    const { dunning, caseId, deliveries, documentId, world, at } = await reminded();
    at('2027-05-12T06:00:00Z');
    deliveries.set(documentId, { documentId, kind: 'reminder', status: 'handed_over', channel: 'paper', handedOverAt: '2027-05-12T05:00:00Z' });
    await dunning.checkLetters(caseId, 'reminder_1');
    const c = (await world.getCase(caseId))!;
    // 2027-05-20 + 2 days = Saturday 22nd → Monday 24th (a banking day)
    expect(c.next).toMatchObject({ stage: 'collection', date: '2027-05-24' });
  });

  it('never stored days after it was ordered: the case stops instead of looking for ever', async () => {
    const { dunning, caseId, at } = await reminded();
    at('2027-05-12T06:00:00Z');
    await expect(dunning.checkLetters(caseId, 'reminder_1')).resolves.toMatchObject({ letter: expect.objectContaining({ lookAgainAt: expect.any(String) }) });
    at('2027-05-13T06:00:01Z');
    await expect(dunning.checkLetters(caseId, 'reminder_1')).rejects.toThrow(/never stored/);
  });

  it('no channel took it: the case stops (LetterNotDelivered), no later step', async () => {
    const { dunning, caseId, deliveries, documentId, world } = await reminded();
    deliveries.set(documentId, { documentId, kind: 'reminder', status: 'failed', reason: 'every channel failed' });
    await expect(dunning.checkLetters(caseId, 'reminder_1')).rejects.toThrow(LetterNotDelivered);
    expect((await world.getCase(caseId))!.completed.map((s) => s.stage)).toEqual(['reminder_1']);
  });
});

describe('social services (R-SE-17, R-SE-18)', () => {
  async function toNotice(options: { service: Service; category: 'consumer' | 'business' }) {
    const s = setup(options);
    await s.dunning.openCase({ invoiceId: 'inv_letters_2027-04', caseId: s.caseId });
    let state;
    for (const [date, stage] of [['2027-05-10', 'reminder_1'], ['2027-05-20', 'collection'], ['2027-05-31', 'disconnection_notice']] as const) {
      s.at(`${date}T06:00:00Z`);
      state = await s.dunning.takeStep(s.caseId, [stage], stage);
    }
    return { ...s, state: state! };
  }

  it('a consumer owing for the electricity grid: a written notice with the disconnection letter, waited for too', async () => {
    const { orders, caseId, world, state } = await toNotice({ service: 'electricity_grid', category: 'consumer' });
    expect(orders.filter((o) => o.kind === 'social_services_notice')).toEqual([{ kind: 'social_services_notice', caseId, stage: 'disconnection_notice' }]);
    expect(state.letter?.documentIds).toEqual([
      orderDocumentId({ kind: 'disconnection_notice', caseId, stage: 'disconnection_notice' }),
      orderDocumentId({ kind: 'social_services_notice', caseId, stage: 'disconnection_notice' }),
    ]);
    expect((await world.getCase(caseId))!.history.map((e) => e.event)).toContain('social_services_notified');
  });

  it('a business, or a consumer owing for fiber: no notice to social services', async () => {
    for (const options of [{ service: 'electricity_grid', category: 'business' }, { service: 'fiber', category: 'consumer' }] as const) {
      const { orders } = await toNotice(options);
      expect(orders.map((o) => o.kind)).toEqual(['reminder', 'collection_notice', 'disconnection_notice']);
    }
  });
});
