/** Scheduled every minute: held alert messages whose time has come go to the sending queue (R-SMS-6). */
import { Logger } from '@aws-lambda-powertools/logger';
import { buildOutageAlerts } from '../adapters/alerts-wiring.js';
import { observed } from '../adapters/observability.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const alerts = buildOutageAlerts();

async function handle(): Promise<{ dispatched: number }> {
  const dispatched = await alerts.dispatchDue();
  if (dispatched > 0) logger.info('held alert messages released', { dispatched });
  return { dispatched };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
