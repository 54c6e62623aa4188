/**
 * SES events (the configuration set's event destination → SNS → this function): a permanent
 * bounce or a complaint marks the customer's email address, so their next document takes the
 * next channel (R-SE-8; lambdas/domain/delivery/channels.ts); every bounce and complaint is
 * recorded on the customer, once per event. The customer and the document come from the tags
 * the sender set (lambdas/adapters/delivery/ses-email-sender.ts).
 */
import type { SNSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { buildDocumentDelivery } from '../adapters/delivery-wiring.js';
import { observed } from '../adapters/observability.js';

const logger = new Logger({ serviceName: 'nordic-utility-service' });
const delivery = buildDocumentDelivery();

const recipients = z.array(z.looseObject({ emailAddress: z.string().min(3), diagnosticCode: z.string().optional(), status: z.string().optional() })).min(1);
const SesEvent = z.looseObject({
  eventType: z.string(),
  mail: z.looseObject({ messageId: z.string(), tags: z.record(z.string(), z.array(z.string())).optional() }),
  bounce: z.looseObject({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: recipients, timestamp: z.string(), feedbackId: z.string() }).optional(),
  complaint: z.looseObject({ complainedRecipients: recipients, timestamp: z.string(), feedbackId: z.string(), complaintFeedbackType: z.string().optional() }).optional(),
});

async function handle(event: SNSEvent): Promise<{ recorded: number; ignored: number }> {
  let recorded = 0;
  let ignored = 0;
  for (const record of event.Records) {
    let parsed;
    try {
      parsed = SesEvent.safeParse(JSON.parse(record.Sns.Message));
    } catch {
      parsed = undefined;
    }
    const ses = parsed?.success ? parsed.data : undefined;
    const customerId = ses?.mail.tags?.customerId?.[0];
    const documentId = ses?.mail.tags?.documentId?.[0];
    const detail = ses?.eventType === 'Bounce' ? ses.bounce : ses?.eventType === 'Complaint' ? ses.complaint : undefined;
    if (!ses || !detail || !customerId) {
      // Deliveries, opens and malformed events: nothing to record.
      ignored++;
      continue;
    }
    const list = ses.eventType === 'Bounce' ? ses.bounce!.bouncedRecipients : ses.complaint!.complainedRecipients;
    for (const [index, recipient] of list.entries()) {
      const permanent = ses.eventType === 'Bounce' && ses.bounce!.bounceType === 'Permanent';
      await delivery.emailEvent({
        eventId: `${detail.feedbackId}#${index}`,
        type: ses.eventType as 'Bounce' | 'Complaint',
        permanent,
        email: recipient.emailAddress,
        customerId,
        ...(documentId ? { documentId } : {}),
        at: new Date(detail.timestamp).toISOString(),
        reason: ses.eventType === 'Bounce'
          ? `${ses.bounce!.bounceType}/${ses.bounce!.bounceSubType ?? ''} ${recipient.status ?? ''}`.trim()
          : `complaint ${ses.complaint!.complaintFeedbackType ?? ''}`.trim(),
      });
      recorded++;
    }
    logger.info('email event', { eventType: ses.eventType, documentId, customerId, sesMessageId: ses.mail.messageId });
  }
  return { recorded, ignored };
}

/** In Lambda: traced, and the business metrics it counted flushed after each invocation. */
export const handler = observed(handle);
