/** Which channels a document takes, in order (R-SE-8), and a protected identity's paper (R-SE-4). */
import { describe, expect, it } from '@jest/globals';
import { channelOrder } from '../../../lambdas/domain/delivery/channels.js';
import type { Addressee, EmailStatus } from '../../../lambdas/domain/delivery/model.js';

const anna: Addressee = {
  customerId: 'cus_1', name: 'Anna Andersson', country: 'SE', nationalId: '191212121212', protectedIdentity: false,
  billingAddress: { line1: 'Storgatan 1', postalCode: '671 31', city: 'Arvika', country: 'SE' },
};
const bounce = (email: string): EmailStatus => ({ customerId: 'cus_1', email, status: 'bouncing', reason: 'Permanent', at: '2026-11-20T10:00:00Z' });

describe('channelOrder (R-SE-8)', () => {
  it('puts e-invoice first when the customer has an address and the document an e-invoice form, paper always last', () => {
    // Act
    const { plan } = channelOrder({ ...anna, eInvoice: { operator: 'NDEAFIHH', address: 'FI7912345600000785' }, deliveryChannel: 'digital_mailbox' }, { hasEInvoice: true });
    // Assess
    expect(plan).toEqual(['e_invoice', 'digital_mailbox', 'paper']);
  });

  it('skips e-invoice for a letter (no e-invoice form) and says why', () => {
    // Act
    const result = channelOrder({ ...anna, eInvoice: { operator: 'NDEAFIHH', address: 'FI79' }, deliveryChannel: 'email', email: 'anna@example.se' }, { hasEInvoice: false });
    // Assess
    expect(result.plan).toEqual(['email', 'paper']);
    expect(result.skipped).toEqual([{ channel: 'e_invoice', reason: 'the document has no e-invoice form' }]);
  });

  it('passes over an email address that bounced, but not a new address given since', () => {
    // Act
    const bounced = channelOrder({ ...anna, deliveryChannel: 'email', email: 'anna@example.se' }, { hasEInvoice: false }, bounce('anna@example.se'));
    const changed = channelOrder({ ...anna, deliveryChannel: 'email', email: 'anna.new@example.se' }, { hasEInvoice: false }, bounce('anna@example.se'));
    // Assess
    expect(bounced.plan).toEqual(['paper']);
    expect(bounced.skipped[0]).toMatchObject({ channel: 'email', reason: expect.stringMatching(/bounced on 2026-11-20/) });
    expect(changed.plan).toEqual(['email', 'paper']);
  });

  it('sends a protected identity paper only, whatever else is on file (R-SE-4); none where no forwarding service exists', () => {
    // Prepare
    const hidden = { ...anna, protectedIdentity: true, deliveryChannel: 'email' as const, email: 'x@example.se', eInvoice: { operator: 'X', address: 'Y' } };
    // Act
    const swedish = channelOrder(hidden, { hasEInvoice: true });
    const finnish = channelOrder({ ...hidden, country: 'FI' }, { hasEInvoice: true });
    // Assess
    expect(swedish.plan).toEqual(['paper']);
    expect(finnish.plan).toEqual([]);
    expect(finnish.skipped[0]!.reason).toMatch(/manual handling/);
  });

  it('posts a letter to a third party (social services, the owner) on paper to them, never on the customer\'s own channels', () => {
    // Act
    const result = channelOrder({ ...anna, deliveryChannel: 'email', email: 'anna@example.se', eInvoice: { operator: 'X', address: 'Y' } }, { hasEInvoice: false, toThirdParty: true });
    // Assess
    expect(result).toEqual({ plan: ['paper'], skipped: [] });
  });
});
