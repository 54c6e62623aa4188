/**
 * The sending function: one SQS message per send chunk of an outage message
 * (`{ outageId, messageKey, chunk }`), per message to fan out into its chunks (no `chunk`), or
 * per outage job (`{ jobId }`: an outage too large to resolve inside its request), per
 * chunk of a register import (`{ jobId, chunk }`), per page of an outage job's recipients
 * (`{ jobId, page }`), or per uploaded register file to read and
 * parse (`{ jobId, parse: true }`). Several
 * instances send chunks at once under one shared pace (OutageAlerts.send). Partial batch
 * failures go back to the queue (and to its dead-letter queue after the last retry).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildOutageAlerts } from '../adapters/alerts-wiring.js';
import { observed } from '../adapters/observability.js';
import type { AlertJobMessage } from '../domain/alerts/ports.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const alerts = buildOutageAlerts();

async function handle(event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  // The function's end: a chunk stops claiming before it and queues its rest again.
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() : undefined;
  for (const record of event.Records) {
    try {
      const job = JSON.parse(record.body) as { outageId: string; messageKey: string; chunk?: number } | AlertJobMessage;
      if ('jobId' in job) {
        // An outage too large for its request (resolve, write and release its recipients), one
        // chunk of a register import too large for its request, or the parse of an uploaded register.
        const done = await alerts.runJob(job);
        logger.info('alert job ran', { jobId: job.jobId, ...(job.chunk !== undefined ? { chunk: job.chunk } : {}), ...(job.page !== undefined ? { page: job.page } : {}), ...(job.parse ? { parse: true } : {}), status: done?.status, ...done?.progress });
        continue;
      }
      const result = await alerts.send(job, deadline !== undefined ? { deadline } : {});
      logger.info('outage message sent', { outageId: job.outageId, messageKey: job.messageKey, ...(job.chunk !== undefined ? { chunk: job.chunk } : {}), ...result });
    } catch (error) {
      logger.warn('outage message will be retried', { messageId: record.messageId, error: (error as Error).name });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
