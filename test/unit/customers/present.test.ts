import { describe, expect, it } from '@jest/globals';
import type { Customer } from '../../../lambdas/domain/customers/model.js';
import { presentCustomer, swedishForwardingAddress } from '../../../lambdas/domain/customers/present.js';
import { roles } from '../../../lambdas/domain/roles.js';

const customer: Customer = {
  customerId: 'cus_0000000000000001',
  name: 'Ingrid Skyddad',
  kind: 'person',
  country: 'SE',
  nationalId: '191212121212',
  nationalIdType: 'personnummer',
  category: 'consumer',
  billingAddress: { line1: 'Hemliga vägen 2', postalCode: '671 31', city: 'Arvika', country: 'SE' },
  foreign: false,
  protectedIdentity: true,
  knownBadPayer: false,
  createdAt: '2026-11-23T09:00:00.000Z',
  updatedAt: '2026-11-23T09:00:00.000Z',
  version: 1,
};

describe('R-SE-4 protected identity', () => {
  it.each([...roles])('role %s sees name and address only if agent or admin', (role) => {
    // Act
    const shown = presentCustomer(customer, role);
    // Assess
    const sees = role === 'agent' || role === 'admin';
    expect(shown.name).toBe(sees ? 'Ingrid Skyddad' : null);
    expect(shown.billingAddress).toEqual(sees ? customer.billingAddress : null);
    expect(JSON.stringify(shown).includes('Hemliga')).toBe(sees);
    expect(shown.nationalId).toBe(sees ? '191212121212' : '19121212-****');
  });

  it('sends letters to the forwarding service, never to the home address', () => {
    expect(presentCustomer(customer, 'agent').mailingAddress).toEqual(swedishForwardingAddress);
    expect(presentCustomer({ ...customer, country: 'FI' }, 'agent').mailingAddress).toBeNull();
  });

  it('shows an unprotected customer as is, with the mailing address = billing address', () => {
    const open = presentCustomer({ ...customer, protectedIdentity: false }, 'customer');
    expect(open.name).toBe('Ingrid Skyddad');
    expect(open.mailingAddress).toEqual(customer.billingAddress);
  });
});
