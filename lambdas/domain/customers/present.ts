/**
 * What each role sees of a customer. R-SE-4: a protected identity's name and addresses
 * are shown to agents and admins only, and letters go to the Tax Agency's forwarding
 * service instead of the customer's address.
 */
import { maskNationalId } from '../ids/index.js';
import type { Role } from '../roles.js';
import type { BillingAddress, Customer, Facility } from './model.js';

/** R-SE-4: Skatteverket, Förmedlingsuppdrag, Box 2820, 403 20 Göteborg. */
export const swedishForwardingAddress: BillingAddress = {
  line1: 'Skatteverket, Förmedlingsuppdrag',
  line2: 'Box 2820',
  postalCode: '403 20',
  city: 'Göteborg',
  country: 'SE',
};

export function seesProtectedIdentity(role: Role): boolean {
  return role === 'agent' || role === 'admin';
}

/**
 * Where letters to this customer go. A protected Swedish identity: the forwarding service
 * (R-SE-4). The sources name no such service for Finland or Norway, so there the address
 * is withheld (`null`) and letters need manual handling (docs/DOMAIN-DECISIONS.md).
 */
export function mailingAddress(customer: Pick<Customer, 'protectedIdentity' | 'country' | 'billingAddress'>): BillingAddress | null {
  if (!customer.protectedIdentity) return customer.billingAddress;
  return customer.country === 'SE' ? swedishForwardingAddress : null;
}

export function presentCustomer(customer: Customer, role: Role) {
  const full = seesProtectedIdentity(role);
  const hidden = customer.protectedIdentity && !full;
  return {
    customerId: customer.customerId,
    name: hidden ? null : customer.name,
    kind: customer.kind,
    country: customer.country,
    nationalId: full ? customer.nationalId : maskNationalId(customer.nationalId, customer.nationalIdType),
    nationalIdType: customer.nationalIdType,
    category: customer.category,
    billingAddress: hidden ? null : customer.billingAddress,
    mailingAddress: mailingAddress(customer),
    phone: customer.phone ?? null,
    email: customer.email ?? null,
    foreign: customer.foreign,
    industryCode: customer.industryCode ?? null,
    protectedIdentity: customer.protectedIdentity,
    language: customer.language ?? null,
    knownBadPayer: customer.knownBadPayer,
    billingRegion: customer.billingRegion ?? null,
    deliveryChannel: customer.deliveryChannel ?? null,
    eInvoice: hidden ? null : customer.eInvoice ?? null,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
    version: customer.version,
  };
}

export function presentFacility(facility: Facility, customer: Customer, role: Role) {
  const hidden = customer.protectedIdentity && !seesProtectedIdentity(role);
  return {
    facilityId: facility.facilityNumber,
    facilityNumber: facility.facilityNumber,
    customerId: facility.customerId,
    propertyDesignation: hidden ? null : facility.propertyDesignation,
    deliveryAddress: hidden ? null : facility.deliveryAddress,
    propertyType: facility.propertyType,
    services: facility.services,
    // The landlord points to where a protected identity lives (R-SE-4): hidden with the address.
    owner: hidden ? null : facility.owner ?? null,
    moveOut: facility.moveOut ?? null,
    createdAt: facility.createdAt,
    updatedAt: facility.updatedAt,
  };
}
