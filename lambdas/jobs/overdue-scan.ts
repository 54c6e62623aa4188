/**
 * The daily overdue scan (EventBridge Scheduler in AWS, the local scheduler off the local
 * clock in the embedded stack): one dunning execution per open invoice past its due date,
 * named after the invoice, so a second start is a no-op (R-SE-16, R-FI-6). It also closes
 * disconnected cases whose debt has been paid since, with a reconnection order (R-SE-18).
 */
import { buildDunning } from '../adapters/dunning-wiring.js';
import { observed } from '../adapters/observability.js';

const { dunning } = buildDunning();

async function handle(): Promise<{ started: number; alreadyStarted: number; reconnected: number }> {
  return dunning.scanOverdue();
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
