/**
 * Which channels a document takes, in order (R-SE-8, R-SE-4):
 *
 * 1. e-invoice, when the customer has an e-invoice address and the document has an e-invoice
 *    form (invoices; letters have none);
 * 2. email, when the customer chose it, has an address and that address has not bounced;
 * 3. the print service: the digital mailbox (Kivra) when the customer chose it;
 * 4. paper, always last: every document can be printed and posted.
 *
 * A letter to a third party (social services, the property owner) goes on paper to them.
 *
 * A protected identity (R-SE-4) gets paper only, in an inner envelope inside one addressed to
 * the Tax Agency's forwarding service; where the sources name no such service (Finland,
 * Norway) no channel may take it and the delivery fails for manual handling
 * (docs/DOMAIN-DECISIONS.md).
 */
import { mailingAddress } from '../customers/present.js';
import type { Addressee, DocumentChannel, EmailStatus } from './model.js';

export interface ChannelPlan {
  readonly plan: DocumentChannel[];
  /** Channels the customer's settings name but that cannot take this document, and why. */
  readonly skipped: { channel: DocumentChannel; reason: string }[];
}

export function channelOrder(addressee: Addressee, document: { hasEInvoice: boolean; toThirdParty?: boolean }, emailStatus?: EmailStatus): ChannelPlan {
  const skipped: ChannelPlan['skipped'] = [];
  // A letter about the customer to social services or the property owner is posted to them:
  // the customer's own channels (their e-mail, their digital mailbox) are not theirs.
  if (document.toThirdParty) return { plan: ['paper'], skipped: [] };
  if (addressee.protectedIdentity) {
    if (!mailingAddress(addressee)) {
      return { plan: [], skipped: [{ channel: 'paper', reason: 'protected identity without a forwarding service in this country (R-SE-4): manual handling' }] };
    }
    return { plan: ['paper'], skipped: [] };
  }
  const plan: DocumentChannel[] = [];
  if (addressee.eInvoice) {
    if (document.hasEInvoice) plan.push('e_invoice');
    else skipped.push({ channel: 'e_invoice', reason: 'the document has no e-invoice form' });
  } else if (addressee.deliveryChannel === 'e_invoice') {
    skipped.push({ channel: 'e_invoice', reason: 'no e-invoice address on file' });
  }
  if (addressee.deliveryChannel === 'email') {
    const bounced = emailStatus && addressee.email && emailStatus.email === addressee.email.toLowerCase();
    if (!addressee.email) skipped.push({ channel: 'email', reason: 'no email address on file' });
    else if (bounced) skipped.push({ channel: 'email', reason: `the email address ${emailStatus.status === 'complained' ? 'complained' : 'bounced'} on ${emailStatus.at.slice(0, 10)}` });
    else plan.push('email');
  }
  if (addressee.deliveryChannel === 'digital_mailbox') plan.push('digital_mailbox');
  plan.push('paper');
  return { plan, skipped };
}
