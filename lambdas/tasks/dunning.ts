/**
 * The dunning workflow's task function (statemachines/dunning.asl.json): every Task state
 * invokes it with `{ task, caseId, ... }` and routes on what it returns. Domain errors
 * (a missing invoice, a broken policy) fail the task for good — the ASL catches them and marks
 * the case failed; anything else (throttling, a network error) is a TransientTaskError,
 * which the ASL retries with backoff.
 */
import { buildDunning } from '../adapters/dunning-wiring.js';
import { DomainError } from '../domain/errors.js';
import type { WorkflowState } from '../domain/dunning/case.js';
import type { DunningStage } from '../domain/dunning/policy.js';

const { dunning } = buildDunning();

export type DunningTaskEvent =
  | { task: 'OpenCase'; caseId?: string; invoiceId: string; executionName?: string; executionArn?: string }
  | { task: 'AwaitOwnerContact'; caseId: string; taskToken: string }
  | { task: 'MarkCaseFailed'; caseId: string; error?: string; cause?: string }
  | { task: 'SendReminder' | 'HandToCollection' | 'SendDisconnectionNotice' | 'HandToEnforcement'; caseId: string; stage: DunningStage }
  | { task: 'ReReadDebt' | 'CheckGuards' | 'OrderDisconnection' | 'EscalateOwnerContact' | 'EndCase'; caseId: string };

export class TransientTaskError extends Error {
  override readonly name = 'TransientTaskError';
}

export class DunningTaskError extends Error {
  override readonly name = 'DunningTaskError';
}

async function run(event: DunningTaskEvent): Promise<WorkflowState | null> {
  switch (event.task) {
    case 'OpenCase':
      return dunning.openCase(event);
    case 'ReReadDebt':
      return dunning.reReadDebt(event.caseId);
    case 'SendReminder':
      return dunning.takeStep(event.caseId, ['reminder_1', 'reminder_2'], event.stage);
    case 'HandToCollection':
      return dunning.takeStep(event.caseId, ['collection'], event.stage);
    case 'SendDisconnectionNotice':
      return dunning.takeStep(event.caseId, ['disconnection_notice'], event.stage);
    case 'HandToEnforcement':
      return dunning.takeStep(event.caseId, ['enforcement'], event.stage);
    case 'CheckGuards':
      return dunning.checkGuards(event.caseId);
    case 'OrderDisconnection':
      return dunning.orderDisconnection(event.caseId);
    case 'AwaitOwnerContact':
      await dunning.awaitOwnerContact(event.caseId, event.taskToken);
      return null;
    case 'EscalateOwnerContact':
      return dunning.escalateOwnerContact(event.caseId);
    case 'EndCase':
      return dunning.endCase(event.caseId);
    case 'MarkCaseFailed':
      return dunning.markFailed(event.caseId, event);
    default:
      throw new DunningTaskError(`Unknown task ${(event as { task?: unknown }).task as string}`);
  }
}

export async function handler(event: DunningTaskEvent): Promise<WorkflowState | null> {
  try {
    return await run(event);
  } catch (error) {
    if (error instanceof DomainError && error.kind !== 'conflict') throw new DunningTaskError(`${error.name}: ${error.message}`);
    // Concurrent writers that kept winning, throttling, network: worth another try.
    throw new TransientTaskError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
}
