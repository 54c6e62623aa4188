/**
 * What comes back from the SMS provider (AWS End User Messaging SMS, through SNS): delivery
 * receipts for sent messages, and inbound messages. A receipt moves a recipient from `sent`
 * (accepted) to `delivered` or `failed`; an inbound stop word opts the number out of every
 * alert (R-SMS-3), as `POST /v1/alert-opt-outs` does.
 */
import * as z from 'zod';

/** End User Messaging SMS event (event destination → SNS); fields we do not use pass. */
export const SmsEvent = z.looseObject({
  eventType: z.string().min(1),
  messageId: z.string().min(1),
  destinationPhoneNumber: z.string().optional(),
  messageStatus: z.string().optional(),
  isFinal: z.boolean().optional(),
  /** Set by a sender that passes `Context` with SendTextMessage: the recipient's key. */
  context: z.record(z.string(), z.string()).optional(),
});
export type SmsEvent = z.infer<typeof SmsEvent>;

/** A two-way SMS (the number's two-way channel → SNS). */
export const InboundSms = z.looseObject({
  originationNumber: z.string().min(3),
  destinationNumber: z.string().optional(),
  messageKeyword: z.string().optional(),
  messageBody: z.string(),
  inboundMessageId: z.string().min(1),
});
export type InboundSms = z.infer<typeof InboundSms>;

const delivered = new Set(['TEXT_DELIVERED', 'TEXT_SUCCESSFUL']);
const failed = new Set([
  'TEXT_BLOCKED', 'TEXT_TTL_EXPIRED', 'TEXT_CARRIER_UNREACHABLE', 'TEXT_INVALID', 'TEXT_INVALID_MESSAGE', 'TEXT_CARRIER_BLOCKED',
  'TEXT_UNREACHABLE', 'TEXT_SPAM', 'TEXT_UNKNOWN', 'TEXT_OPTED_OUT', 'TEXT_PROTECT_BLOCKED', 'TEXT_DESTINATION_NOT_ALLOWED',
]);

/** The final outcome a receipt reports; undefined for events on the way (queued, pending, sent to the carrier). */
export function receiptOutcome(eventType: string): 'delivered' | 'failed' | undefined {
  if (delivered.has(eventType)) return 'delivered';
  if (failed.has(eventType)) return 'failed';
  return undefined;
}

/** Stop words in the utility's languages and English (compared without case or diacritics). */
export const stopWords = ['STOP', 'STOPP', 'SLUTA', 'AVSLUTA', 'LOPETA', 'LOPPU', 'AVSLUTT', 'AVMELD', 'UNSUBSCRIBE', 'END', 'QUIT', 'CANCEL', 'OPTOUT', 'STOPALL'] as const;

const fold = (text: string) => text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').trim().toUpperCase();

/** Whether an inbound message asks to stop: the provider's matched keyword or the message's first word. */
export function isStopRequest(message: Pick<InboundSms, 'messageKeyword' | 'messageBody'>): boolean {
  const firstWord = fold(message.messageBody).split(/[\s.,!]+/)[0] ?? '';
  const keyword = fold(message.messageKeyword ?? '');
  return (stopWords as readonly string[]).includes(firstWord) || (stopWords as readonly string[]).includes(keyword);
}
