/**
 * The delivery job (docs/DELIVERY.md): one SQS message per document to hand over (SQS with a
 * dead-letter queue in AWS, an in-process queue locally). Partial batch failures go back to the
 * queue; the last receive (DELIVERY_MAX_RECEIVES) falls back from a channel still unavailable.
 * Invoked by the schedule instead (no `Records`), it queues again the deliveries a lost
 * message left queued.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { buildDocumentDelivery, loadDeliveryConfig } from '../adapters/delivery-wiring.js';
import { NotFoundError } from '../domain/errors.js';
import { documentIdPattern } from '../domain/delivery/service.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const settings = loadDeliveryConfig();
const delivery = buildDocumentDelivery();

const Job = z.strictObject({ documentId: z.string().regex(documentIdPattern) });

export async function handler(event: SQSEvent | { sweep: true }): Promise<SQSBatchResponse | { requeued: number }> {
  if (!('Records' in event)) {
    const requeued = await delivery.requeueStalled();
    if (requeued > 0) logger.warn('deliveries left queued were queued again', { requeued });
    return { requeued };
  }
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let job;
    try {
      job = Job.parse(JSON.parse(record.body));
    } catch {
      logger.error('a delivery message that is not a job was dropped', { messageId: record.messageId });
      continue;
    }
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    try {
      const result = await delivery.deliver(job.documentId, { finalAttempt: receives >= settings.DELIVERY_MAX_RECEIVES });
      logger.info('document delivery', { documentId: job.documentId, status: result.status, channel: result.channel, fallbacks: result.fallbacks });
    } catch (error) {
      if (error instanceof NotFoundError) {
        logger.error('a delivery job for no known document was dropped', { documentId: job.documentId });
        continue;
      }
      logger.warn('document delivery will be retried', { documentId: job.documentId, receives, error: (error as Error).name });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
