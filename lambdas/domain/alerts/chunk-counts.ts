/**
 * A send chunk's counters (`GET /v1/outages/{id}` sums them, never reading recipients), counted
 * from the chunk's recipients as they are, as the sending worker counts its chunk while it goes.
 * A delivery receipt that refuses a message after it was accepted moves one count from sent to
 * failed with one update (lambdas/jobs/sms-events.ts, `countRefusedAfterSent`).
 */
import type { Recipient, SendChunk } from './ports.js';
import type { Language } from './types.js';

/** Where a recipient counts: `sending` is still queued (it may yet be sent or released). */
export function bucketOf(recipient: Pick<Recipient, 'status'>): 'queued' | 'sent' | 'failed' | 'optedOut' {
  // A delivered message (its receipt came) was sent first: it counts as sent.
  return recipient.status === 'opted_out' ? 'optedOut' : recipient.status === 'sending' ? 'queued' : recipient.status === 'delivered' ? 'sent' : recipient.status;
}

export function countSendChunk(
  of: Pick<Recipient, 'outageId' | 'messageKey' | 'chunk'>,
  recipients: readonly (Pick<Recipient, 'status'> & Partial<Pick<Recipient, 'language'>>)[],
  at: string,
): SendChunk {
  const counts = { queued: 0, sent: 0, failed: 0, optedOut: 0 };
  const languages = new Set<Language>();
  for (const recipient of recipients) {
    counts[bucketOf(recipient)]++;
    if (recipient.language && recipient.status !== 'opted_out') languages.add(recipient.language);
  }
  return {
    outageId: of.outageId, messageKey: of.messageKey, chunk: of.chunk, size: recipients.length, ...counts,
    ...(languages.size > 0 ? { languages: [...languages].sort() } : {}), written: true, updatedAt: at,
  };
}
