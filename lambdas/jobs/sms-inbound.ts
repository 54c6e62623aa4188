/**
 * Inbound SMS (two-way SMS on the alert number → SNS → this function): a stop word opts the
 * sender's number out of every alert message (R-SMS-3), in the same opt-out store as
 * `POST /v1/alert-opt-outs`. Idempotent: an opt-out is written once (a conditional put).
 * Other messages are logged by id only and left for the staff's inbox.
 */
import type { SNSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { clock } from '../adapters/clock.js';
import { loadConfig } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamo/client.js';
import { DynamoAlertRepository } from '../adapters/dynamo/alert-repository.js';
import { InboundSms, isStopRequest } from '../domain/alerts/receipts.js';
import { observed } from '../adapters/observability.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const config = loadConfig();
const repo = new DynamoAlertRepository(documentClient(config), config.TABLE_NAME);

async function handle(event: SNSEvent): Promise<{ optedOut: number; ignored: number }> {
  let optedOut = 0;
  let ignored = 0;
  for (const record of event.Records) {
    let parsed;
    try {
      parsed = InboundSms.safeParse(JSON.parse(record.Sns.Message));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success || !/^\+[1-9]\d{6,14}$/.test(parsed.data.originationNumber)) {
      logger.warn('an inbound SMS that is not End User Messaging JSON was dropped', { snsMessageId: record.Sns.MessageId });
      ignored++;
      continue;
    }
    const message = parsed.data;
    if (!isStopRequest(message)) {
      logger.info('an inbound SMS that is no stop word', { inboundMessageId: message.inboundMessageId });
      ignored++;
      continue;
    }
    await repo.putOptOut(message.originationNumber, clock().now().toISOString());
    logger.info('a number opted out by SMS', { inboundMessageId: message.inboundMessageId });
    optedOut++;
  }
  return { optedOut, ignored };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
