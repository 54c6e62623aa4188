/**
 * Fired by the region's schedule (EventBridge Scheduler in AWS, the local scheduler in the
 * embedded stack) with `{ region }`: starts that region's run for the current month.
 * Starting it twice finds the same run.
 */
import { buildBilling } from '../adapters/billing-wiring.js';
import { observed } from '../adapters/observability.js';

const billing = buildBilling();

async function handle(event: { region?: string; runMonth?: string }): Promise<{ runId: string }> {
  const run = await billing.startRun({ ...(event.region ? { region: event.region } : {}), ...(event.runMonth ? { runMonth: event.runMonth } : {}) });
  return { runId: run.runId };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
