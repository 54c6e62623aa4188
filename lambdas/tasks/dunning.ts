/**
 * The dunning workflow's task function (statemachines/dunning.asl.json): every Task state
 * invokes it with `{ task, caseId, ... }` and routes on what it returns
 * (lambdas/tasks/dunning-task.ts routes the tasks and sorts their errors).
 */
import { buildDunning } from '../adapters/dunning-wiring.js';
import { observed } from '../adapters/observability.js';
import { dunningTaskHandler } from './dunning-task.js';

export { DunningTaskError, TransientTaskError, type DunningTaskEvent } from './dunning-task.js';

/** In Lambda: traced, and the business metrics a task counted flushed after each invocation. */
export const handler = observed(dunningTaskHandler(buildDunning().dunning));
