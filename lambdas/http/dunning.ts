/** The `dunning` route group: cases, holds, owner contacts and work orders (API.md "Dunning"). */
import { buildDunning } from '../adapters/dunning-wiring.js';
import { loadConfig } from '../adapters/config.js';
import type { Actor } from '../domain/actor.js';
import { presentCase, type CaseStatus, type HoldReason, type OwnerContactOutcome, type WorkOrder, type WorkOrderType } from '../domain/dunning/case.js';
import { groupHandler, type OperationInput } from './handler.js';

const config = loadConfig();
const { dunning } = buildDunning();
const actor = (input: OperationInput): Actor => input.principal!;

export const handler = groupHandler('dunning', {
  async listDunningCases(input) {
    const query = input.query as { status?: CaseStatus | 'stuck'; limit: number; cursor?: string };
    const page = await dunning.listCases(query);
    return { body: { items: page.items.map(presentCase), nextCursor: page.nextCursor } };
  },
  async getDunningCase(input) {
    return { body: presentCase(await dunning.getCase(input.params.caseId ?? '')) };
  },
  async recordOwnerContact(input) {
    const body = input.body as { outcome: OwnerContactOutcome; note: string; until?: string };
    return { body: presentCase(await dunning.recordOwnerContact(actor(input), input.params.caseId ?? '', body)) };
  },
  async addDunningHold(input) {
    const body = input.body as { reason: HoldReason; until: string; from?: string; note?: string };
    return { body: presentCase(await dunning.addHold(actor(input), input.params.caseId ?? '', body)) };
  },
  async listWorkOrders(input) {
    const query = input.query as { type?: WorkOrderType; status?: WorkOrder['status']; limit: number; cursor?: string };
    return { body: await dunning.listWorkOrders(query) };
  },
  async completeWorkOrder(input) {
    return { body: await dunning.completeWorkOrder(actor(input), input.params.workOrderId ?? '', input.body as { note?: string }) };
  },
}, { maxBodyBytes: config.MAX_BODY_BYTES });
