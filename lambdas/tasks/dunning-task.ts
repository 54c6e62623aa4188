/**
 * What the dunning workflow's task function does with each Task state's event
 * (statemachines/dunning.asl.json): `{ task, caseId, ... }` routed to the Dunning process, and
 * its errors sorted. Domain errors (a missing invoice, a broken policy) fail the task for good —
 * the ASL catches them and marks the case failed; anything else (throttling, a network error,
 * a conflict that kept losing) is a TransientTaskError, which the ASL retries with backoff.
 * Builds nothing when imported: lambdas/tasks/dunning.ts wires it to the table.
 */
import { DomainError } from '../domain/errors.js';
import type { WorkflowState } from '../domain/dunning/case.js';
import type { DunningStage } from '../domain/dunning/policy.js';
import { LetterNotDelivered, type Dunning } from '../domain/dunning/process.js';

export type DunningTaskEvent =
  | { task: 'OpenCase'; caseId?: string; invoiceId: string; executionName?: string; executionArn?: string }
  | { task: 'AwaitOwnerContact'; caseId: string; taskToken: string }
  /** The step's letters must be handed over before the next stage's clock starts. */
  | { task: 'CheckLetters'; caseId: string; stage: DunningStage }
  | { task: 'MarkCaseFailed'; caseId: string; error?: string; cause?: string }
  | { task: 'ContinueAsNew'; caseId: string; executionName: string }
  /** `stage` names the step the execution means; executions started on an older definition send none. */
  | { task: 'SendReminder' | 'HandToCollection' | 'SendDisconnectionNotice' | 'HandToEnforcement'; caseId: string; stage?: DunningStage }
  | { task: 'ReReadDebt' | 'CheckGuards' | 'OrderDisconnection' | 'EscalateOwnerContact' | 'EndCase'; caseId: string };

export class TransientTaskError extends Error {
  override readonly name = 'TransientTaskError';
}

export class DunningTaskError extends Error {
  override readonly name = 'DunningTaskError';
}

async function run(dunning: Dunning, event: DunningTaskEvent): Promise<WorkflowState | null> {
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
    case 'CheckLetters':
      return dunning.checkLetters(event.caseId, event.stage);
    case 'EscalateOwnerContact':
      return dunning.escalateOwnerContact(event.caseId);
    case 'EndCase':
      return dunning.endCase(event.caseId);
    case 'ContinueAsNew':
      return dunning.continueAsNew(event.caseId, event.executionName);
    case 'MarkCaseFailed':
      return dunning.markFailed(event.caseId, event);
    default:
      throw new DunningTaskError(`Unknown task ${(event as { task?: unknown }).task as string}`);
  }
}

/** The task function's handler over a Dunning: routes each task, and sorts its errors for the ASL's Retry and Catch. */
export function dunningTaskHandler(dunning: Dunning): (event: DunningTaskEvent) => Promise<WorkflowState | null> {
  return async (event) => {
    try {
      return await run(dunning, event);
    } catch (error) {
      // A letter no channel took: the ASL's Catch stops the case under this name (no retry).
      if (error instanceof LetterNotDelivered) throw error;
      if (error instanceof DomainError && error.kind !== 'conflict') throw new DunningTaskError(`${error.name}: ${error.message}`);
      // Concurrent writers that kept winning, throttling, network: worth another try.
      throw new TransientTaskError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  };
}
