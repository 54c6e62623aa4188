/**
 * A send chunk's counters (`GET /v1/outages/{id}` sums them, never reading recipients), counted
 * from the chunk's recipients as they are, as the sending worker counts its chunk while it goes.
 * A delivery receipt that refuses a message after it was accepted moves one count from sent to
 * failed with one update (lambdas/jobs/sms-events.ts, `countRefusedAfterSent`).
 */
import type { Recipient, SendChunk } from './ports.js';

/** Where a recipient counts: `sending` is still queued (it may yet be sent or released). */
export function bucketOf(recipient: Pick<Recipient, 'status'>): 'queued' | 'sent' | 'failed' | 'optedOut' {
  // A delivered message (its receipt came) was sent first: it counts as sent.
  return recipient.status === 'opted_out' ? 'optedOut' : recipient.status === 'sending' ? 'queued' : recipient.status === 'delivered' ? 'sent' : recipient.status;
}

export function countSendChunk(of: Pick<Recipient, 'outageId' | 'messageKey' | 'chunk'>, recipients: readonly Pick<Recipient, 'status'>[], at: string): SendChunk {
  const counts = { queued: 0, sent: 0, failed: 0, optedOut: 0 };
  for (const recipient of recipients) counts[bucketOf(recipient)]++;
  return { outageId: of.outageId, messageKey: of.messageKey, chunk: of.chunk, size: recipients.length, ...counts, written: true, updatedAt: at };
}
