/**
 * The sending function: one SQS message per outage message to send, or per outage job
 * (`{ jobId }`: an outage too large to resolve inside its request). Partial batch
 * failures go back to the queue (and to its dead-letter queue after the last retry).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildOutageAlerts } from '../adapters/alerts-wiring.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const alerts = buildOutageAlerts();

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const job = JSON.parse(record.body) as { outageId: string; messageKey: string } | { jobId: string };
      if ('jobId' in job) {
        // An outage too large for its request: resolve, write and release its recipients here.
        const done = await alerts.runOutageJob(job.jobId);
        logger.info('outage job ran', { jobId: job.jobId, status: done.status, ...done.progress });
        continue;
      }
      const result = await alerts.send(job);
      logger.info('outage message sent', { outageId: job.outageId, messageKey: job.messageKey, ...result });
    } catch (error) {
      logger.warn('outage message will be retried', { messageId: record.messageId, error: (error as Error).name });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
