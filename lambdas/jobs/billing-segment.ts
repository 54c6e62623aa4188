/** Consumes billing-run segments and notice-list pages (one page of one customer shard per message); partial batch failures are retried. */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildBilling } from '../adapters/billing-wiring.js';
import type { NoticePageJob, SegmentJob } from '../domain/billing/service.js';
import { observed } from '../adapters/observability.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const billing = buildBilling();

async function handle(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const job = JSON.parse(record.body) as SegmentJob | NoticePageJob;
      // The same queue carries the pages of price-change notice lists (R-SE-10).
      if ('noticeJobId' in job) await billing.processNoticePage(job);
      else await billing.processSegment(job);
    } catch (error) {
      logger.warn('billing segment will be retried', { messageId: record.messageId, error: (error as Error).name });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
