/** Consumes billing-run segments (one page of one customer shard per message); partial batch failures are retried. */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildBilling } from '../adapters/billing-wiring.js';
import type { SegmentJob } from '../domain/billing/service.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const billing = buildBilling();

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await billing.processSegment(JSON.parse(record.body) as SegmentJob);
    } catch (error) {
      logger.warn('billing segment will be retried', { messageId: record.messageId, error: (error as Error).name });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
