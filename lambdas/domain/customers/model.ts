/** The customer registry's records (R-SE-3) and the customer log (R-SE-2). */
import type { PropertyAddress } from '../alerts/types.js';
import type { Country, NationalIdType } from '../ids/index.js';
import type { Role } from '../roles.js';
import type { Service } from './schemas.js';

export interface BillingAddress {
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
  country: string;
}

/** API.md's property address, shared with outage alerts. */
export type { PropertyAddress } from '../alerts/types.js';

export interface Customer {
  customerId: string;
  name: string;
  kind: 'person' | 'organisation';
  country: Country;
  /** Canonical form of the personal or organisation number. */
  nationalId: string;
  nationalIdType: NationalIdType;
  category: 'consumer' | 'business';
  billingAddress: BillingAddress;
  phone?: string;
  email?: string;
  foreign: boolean;
  industryCode?: string;
  /** R-SE-4: name and addresses shown only to agents and admins; letters go via the forwarding service. */
  protectedIdentity: boolean;
  language?: 'sv' | 'fi' | 'nb' | 'en';
  /** R-SE-5/6: set by a declined credit check or by an agent. */
  knownBadPayer: boolean;
  /** R-SE-12: the billing run this customer belongs to (e.g. Eda, Arvika). */
  billingRegion?: string;
  /** R-SE-8: how invoices reach the customer. */
  deliveryChannel?: 'e_invoice' | 'digital_mailbox' | 'email' | 'paper';
  /** R-SE-8, R-FI-2: the e-invoice address ordered via the customer's bank; e-invoice goes first when set. */
  eInvoice?: { operator: string; address: string };
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type { Actor } from '../actor.js';

export type LogEntryType =
  | 'created'
  | 'changed'
  | 'note'
  | 'facility_added'
  | 'moved_out'
  | 'deposit_required'
  | 'credit_check';

/** One entry of the append-only customer log (R-SE-2): who, when, what. */
export interface CustomerLogEntry {
  entryId: string;
  customerId: string;
  at: string;
  author: { subject: string; role: Role };
  type: LogEntryType;
  /** For `changed`: the field that changed. */
  field?: string;
  /** Values only for fields that are not personal data (see registry.ts). */
  from?: string | number | boolean | null;
  to?: string | number | boolean | null;
  text?: string;
}

export interface FacilityService {
  service: Service;
  startDate: string;
  endDate?: string;
  meter?: { meterId: string; readingMode: 'remote' | 'mechanical' };
  expectedAnnualUse?: number;
  largeConsumer?: boolean;
  billingCycle?: 'monthly' | 'bimonthly' | 'quarterly' | 'seasonal' | 'finnish_quarterly';
}

export interface Facility {
  facilityNumber: string;
  customerId: string;
  propertyDesignation: string;
  deliveryAddress: PropertyAddress;
  propertyType: 'owner_occupied' | 'rental' | 'business' | 'holiday_home';
  services: FacilityService[];
  /** The owner or property manager when not the customer: the winter owner notice goes to them (R-SE-18, R-SE-20). */
  owner?: { name: string; address: BillingAddress };
  /** R-SE-7: a move-out's final invoice goes with the next billing run. */
  moveOut?: { date: string; finalInvoicePending: boolean };
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Money {
  amount: number;
  currency: 'SEK' | 'EUR' | 'NOK';
}

export interface Deposit {
  depositId: string;
  customerId: string;
  service: Service;
  amount: Money;
  requestedAt: string;
  heldUntil: string;
  requestedBy: string;
}

export interface CreditCheck {
  checkId: string;
  customerId: string;
  provider: string;
  reference: string;
  outcome: 'approved' | 'declined';
  reason: 'fiber_order' | 'known_bad_payer' | 'other';
  note?: string;
  at: string;
  by: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
