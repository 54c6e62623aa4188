/**
 * Books one chunk of a payment-file import per message (lambdas/domain/billing/payment-imports.ts).
 * A failure is reported for that message only and retried by the queue; on its last delivery
 * the import is marked failed first.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildBilling } from '../adapters/billing-wiring.js';
import { buildPaymentImports, paymentImportSettings } from '../adapters/payment-import-wiring.js';
import type { PaymentChunkJob } from '../domain/billing/payment-imports.js';
import { observed } from '../adapters/observability.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const imports = buildPaymentImports(buildBilling());
const { PAYMENT_IMPORT_MAX_RECEIVES: maxReceives } = paymentImportSettings();

async function handle(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    try {
      await imports.processChunk(JSON.parse(record.body) as PaymentChunkJob, { lastAttempt: receives >= maxReceives });
    } catch (error) {
      // Ids and the error class only: the payments' names and references stay out of the logs.
      logger.warn('payment import chunk will be retried', { messageId: record.messageId, receives, error: (error as Error)?.name });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
