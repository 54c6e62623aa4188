/**
 * SMS delivery receipts: End User Messaging SMS's event destination publishes to an SNS topic
 * that invokes this function (lib/constructs/document-delivery.ts). Each final receipt moves
 * the outage recipient from `sent` (accepted) to `delivered` or `failed`, once (a conditional
 * update: a receipt delivered twice changes nothing the second time); a refused one moves one
 * count of its send chunk from sent to failed, so the outage's counts show it.
 *
 * The recipient is found by the message's `context` (outageId, messageKey) when the sender set
 * it, otherwise by the provider message id recorded when it was marked sent.
 */
import type { SNSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { clock } from '../adapters/clock.js';
import { loadConfig } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamo/client.js';
import { DynamoAlertRepository } from '../adapters/dynamo/alert-repository.js';
import type { Recipient } from '../domain/alerts/ports.js';
import { receiptOutcome, SmsEvent } from '../domain/alerts/receipts.js';
import { observed } from '../adapters/observability.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const config = loadConfig();
const repo = new DynamoAlertRepository(documentClient(config), config.TABLE_NAME);

async function handle(event: SNSEvent): Promise<{ settled: number; ignored: number }> {
  let settled = 0;
  let ignored = 0;
  for (const record of event.Records) {
    let parsed;
    try {
      parsed = SmsEvent.safeParse(JSON.parse(record.Sns.Message));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      // Retrying cannot fix a malformed event: logged (its SNS id only) and dropped.
      logger.warn('an SMS event that is not End User Messaging JSON was dropped', { snsMessageId: record.Sns.MessageId });
      ignored++;
      continue;
    }
    const receipt = parsed.data;
    const outcome = receiptOutcome(receipt.eventType);
    if (!outcome) {
      ignored++;
      continue;
    }
    const context = receipt.context;
    // Recipients live in their send chunk's partition: the context finds one only when it names the chunk.
    const chunk = context?.chunk !== undefined && /^\d{1,6}$/.test(String(context.chunk)) ? Number(context.chunk) : undefined;
    const recipient: Pick<Recipient, 'outageId' | 'messageKey' | 'phone' | 'chunk'> | undefined =
      context?.outageId && context.messageKey && receipt.destinationPhoneNumber && chunk !== undefined
        ? { outageId: context.outageId, messageKey: context.messageKey, phone: receipt.destinationPhoneNumber, chunk }
        : await repo.recipientByProviderMessageId(receipt.messageId);
    if (!recipient) {
      logger.info('a receipt for a message no recipient was sent', { messageId: receipt.messageId, eventType: receipt.eventType });
      ignored++;
      continue;
    }
    const moved = await repo.transitionRecipient(recipient as Recipient, 'sent', {
      status: outcome,
      ...(outcome === 'failed' ? { reason: `receipt ${receipt.eventType}` } : {}),
      updatedAt: clock().now().toISOString(),
    });
    if (moved) {
      settled++;
      // The chunk's counters follow (GET /v1/outages/{id} reads them): a refused message counts as
      // failed, not sent (a delivered one stays counted as sent). One update, once per recipient
      // (the transition above happened once): no read of the chunk's 250 recipients per receipt.
      if (outcome === 'failed') await repo.countRefusedAfterSent(recipient, clock().now().toISOString());
    } else ignored++;
    logger.info('SMS receipt', { outageId: recipient.outageId, messageKey: recipient.messageKey, outcome, applied: moved });
  }
  return { settled, ignored };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
