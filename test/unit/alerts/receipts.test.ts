/** SMS receipts and inbound stop words (lambdas/domain/alerts/receipts.ts). */
import { describe, expect, it } from '@jest/globals';
import { isStopRequest, receiptOutcome } from '../../../lambdas/domain/alerts/receipts.js';

describe('receiptOutcome', () => {
  it('settles delivered and failed receipts and ignores those on the way', () => {
    expect(receiptOutcome('TEXT_DELIVERED')).toBe('delivered');
    expect(receiptOutcome('TEXT_CARRIER_UNREACHABLE')).toBe('failed');
    expect(receiptOutcome('TEXT_PENDING')).toBeUndefined();
    expect(receiptOutcome('TEXT_SENT')).toBeUndefined();
  });
});

describe('isStopRequest (R-SMS-3)', () => {
  it('knows stop words in Swedish, Finnish, Norwegian and English, in any case, with trailing words', () => {
    for (const body of ['STOP', 'stopp', 'Sluta tack', 'lopeta', 'AVSLUTT', ' Stop. ']) expect(isStopRequest({ messageBody: body })).toBe(true);
  });

  it('does not take ordinary messages, or a stop word later in the text, as a stop', () => {
    for (const body of ['Tack för infon', 'När kommer vattnet tillbaka? stop', 'stoppa inte']) expect(isStopRequest({ messageBody: body })).toBe(false);
  });

  it("takes the provider's matched keyword", () => {
    expect(isStopRequest({ messageBody: 'whatever', messageKeyword: 'STOP' })).toBe(true);
  });
});
