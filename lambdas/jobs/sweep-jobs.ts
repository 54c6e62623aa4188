/**
 * The sweeper (lambdas/domain/jobs/sweeper.ts), fired every few minutes by EventBridge
 * Scheduler: a billing run, payment import or outage job with no progress for longer than its kind allows
 * gets its unfinished segments or chunks queued again. A re-queue is logged as a warning with
 * the job ids and counts (a metric filter counts them for the alarm); a quiet sweep logs nothing.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { buildBilling } from '../adapters/billing-wiring.js';
import { clock } from '../adapters/clock.js';
import { buildPaymentImports } from '../adapters/payment-import-wiring.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { JobSweeper, type SweepReport } from '../domain/jobs/sweeper.js';
import { ResumableOutageJobs, ResumableRegisterImports } from '../domain/alerts/outage-jobs.js';
import { loadConfig } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamo/client.js';
import { DynamoJobRepository } from '../adapters/dynamo/job-repository.js';
import { SqsSendQueue } from '../adapters/messaging/send-queue.js';
import { observed, traced } from '../adapters/observability.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const billing = buildBilling();
const config = loadConfig();
const sendQueueUrl = process.env.SEND_QUEUE_URL;
const sweeper = new JobSweeper([
  billing.resumable,
  billing.resumableNotices,
  buildPaymentImports(billing).resumable,
  // Outage jobs and register-import chunks travel on the alert send queue (lambdas/jobs/send-alerts.ts tells them apart).
  ...(sendQueueUrl ? alertJobs(sendQueueUrl) : []),
]);

function alertJobs(queueUrl: string) {
  const jobs = new DynamoJobRepository(documentClient(config), config.TABLE_NAME);
  const queue = new SqsSendQueue(traced(new SQSClient({ region: config.AWS_REGION })), queueUrl);
  return [new ResumableOutageJobs(jobs, queue), new ResumableRegisterImports(jobs, queue)];
}

/** The log message the alarm's metric filter matches. */
export const requeuedMessage = 'stalled jobs re-queued';

async function handle(): Promise<SweepReport & { failed: string[] }> {
  const report = await sweeper.sweep(clock().now());
  if (report.resumed.length > 0) {
    logger.warn(requeuedMessage, { jobs: report.resumed.length, resumed: report.resumed });
  }
  if (report.failed.length > 0) {
    logger.error('sweep failed for some kinds of job', { failed: report.failed });
    throw new Error(`sweep failed for ${report.failed.join(', ')}`);
  }
  return report;
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
