/**
 * The delivery job (docs/DELIVERY.md): one SQS message per document (SQS with a dead-letter
 * queue in AWS, a durable in-process queue locally). A message is either
 * - `{ order }`: a document ordered by a billing run, a dunning step or a price notice list:
 *   composed from the records, stored, its hand-over queued (DocumentOrders.fulfil), or
 * - `{ documentId }`: the hand-over of a stored document to its channel, with fallback.
 * Partial batch failures go back to the queue; the last receive (DELIVERY_MAX_RECEIVES) falls
 * back from a channel still unavailable. Invoked by the schedule instead (no `Records`), it
 * queues again the deliveries a lost message left queued.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { buildDocumentDelivery, buildDocumentOrders, loadDeliveryConfig } from '../adapters/delivery-wiring.js';
import { NotFoundError } from '../domain/errors.js';
import { documentIdPattern, HandOverInProgress } from '../domain/delivery/service.js';
import { dunningStages } from '../domain/dunning/policy.js';
import { observed } from '../adapters/observability.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const settings = loadDeliveryConfig();
const delivery = buildDocumentDelivery();
const orders = buildDocumentOrders(delivery);

const id = z.string().regex(/^[A-Za-z0-9_#:.-]{1,200}$/);
const Order = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('invoice'), invoiceId: id }),
  z.strictObject({ kind: z.enum(['reminder', 'collection_notice', 'disconnection_notice', 'social_services_notice', 'owner_notice']), caseId: id, stage: z.enum(dunningStages) }),
  z.strictObject({ kind: z.literal('price_notice'), noticeJobId: id, customerId: id }),
]);
const Job = z.union([z.strictObject({ documentId: z.string().regex(documentIdPattern) }), z.strictObject({ order: Order })]);

async function handle(event: SQSEvent | { sweep: true }): Promise<SQSBatchResponse | { requeued: number }> {
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
      if ('order' in job) {
        const result = await orders.fulfil(job.order);
        if (result.refused) logger.error('a document order was refused', { order: job.order, documentId: result.documentId, reason: result.refused });
        else if (result.nothing) logger.info('a document order had nothing to send', { order: job.order, reason: result.nothing });
        else logger.info('document ordered', { kind: job.order.kind, documentId: result.documentId });
        continue;
      }
      const result = await delivery.deliver(job.documentId, { finalAttempt: receives >= settings.DELIVERY_MAX_RECEIVES });
      logger.info('document delivery', { documentId: job.documentId, status: result.status, channel: result.channel, fallbacks: result.fallbacks });
    } catch (error) {
      if (error instanceof NotFoundError) {
        logger.error('a delivery job for no known document was dropped', { job });
        continue;
      }
      if (error instanceof HandOverInProgress) {
        // Another run is handing this document over (a second message for it: a redelivery beside
        // the sweeper's, or one of a restart). That run finishes it; should it die, the delivery
        // stays queued and the sweeper queues it again. Retrying here would only end in the
        // dead-letter queue while the other run is still at work.
        logger.info('a delivery another run is handing over: this message is not needed', { documentId: (job as { documentId?: string }).documentId });
        continue;
      }
      logger.warn('document delivery will be retried', { receives, error: (error as Error).name });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
