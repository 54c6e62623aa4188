/** Billing records: tariffs, runs, invoices and the state one invoice hands to the next (R-SE-7..14, R-FI-3). */
import type { Service } from '../customers/schemas.js';

import type { Currency } from './money.js';

export type { Currency, Money } from './money.js';

/** One version of a service's price list (R-SE-10: prices live in the system). */
export interface TariffVersion {
  service: Service;
  effectiveFrom: string;
  currency: Currency;
  /** Per facility and month, in minor units; prorated by days. */
  fixedPerMonth: number;
  /** Minor units per unit of use (may have decimals: 45.23 öre/kWh); line amounts are rounded. */
  unitPrice: number;
  unit: 'm3' | 'kWh' | 'MWh' | 'emptying' | 'none';
  /** R-SE-11: invoiced once, when the connection is made. */
  connectionFee: number;
  /** R-SE-10: when customers were told of this price (grid: at least 15 days before). */
  customersNotifiedAt?: string;
  createdAt: string;
  createdBy: string;
}

export interface InvoiceLine {
  facilityId: string;
  service: Service;
  kind: 'fixed' | 'usage' | 'preliminary_usage' | 'usage_settlement' | 'connection_fee' | 'deposit' | 'prepayment' | 'reminder_fee';
  description: string;
  periodStart?: string;
  periodEnd?: string;
  quantity?: number;
  unit?: string;
  unitPrice?: number;
  net: number;
  vatRate: number;
  vat: number;
  gross: number;
}

/** Per facility and service: how far it is billed, and the water meter's settlement state (R-SE-9). */
export interface ServiceBillingState {
  billedThrough?: string;
  connectionFeeInvoiced?: boolean;
  /** The last meter reading billed on actual values. */
  lastReading?: { value: number; readAt: string };
  /** Units billed on preliminary values since that reading. */
  preliminaryUnits?: number;
}

/** Keyed by `stateKey` for services, and `deposit|<depositId>` for deposits already invoiced. */
export type BillingState = Record<string, ServiceBillingState>;

export const stateKey = (facilityId: string, service: Service) => `${facilityId}|${service}`;
export const feeStateKey = (feeId: string) => `fee|${feeId}`;

/** A reminder fee the dunning workflow charged (R-FI-5), waiting for the customer's next invoice. */
export interface PendingFee {
  feeId: string;
  amount: number;
  currency: Currency;
  description: string;
  /** The service of the invoice the reminder was for (fees are no service's debt: debt.ts). */
  service: Service;
  rule: string;
}
export const depositStateKey = (depositId: string) => `deposit|${depositId}`;

export interface Invoice {
  invoiceId: string;
  invoiceNumber: number;
  customerId: string;
  runId: string;
  runMonth: string;
  issueDate: string;
  dueDate: string;
  currency: Currency;
  lines: InvoiceLine[];
  net: number;
  vat: number;
  total: number;
  /** What is still to pay; 0 when paid. */
  openAmount: number;
  status: 'open' | 'paid' | 'credited';
  reference: string;
  referenceType: 'ocr' | 'fi_reference' | 'kid';
  delivery: {
    channel: 'e_invoice' | 'digital_mailbox' | 'email' | 'paper';
    /** R-SE-4: protected identities' post goes via the forwarding service. */
    address: { line1: string; line2?: string; postalCode: string; city: string; country: string } | null;
    email?: string;
  };
  finalInvoiceFacilities: string[];
  /** Payments applied to this invoice, each once. */
  appliedPayments: { paymentId: string; amount: number; bookedAt: string }[];
  deferrals: { until: string; reason: string; by: string; at: string }[];
  stateAfter: BillingState;
  createdAt: string;
  version: number;
}

export interface BillingRun {
  runId: string;
  runMonth: string;
  region: string;
  status: 'running' | 'completed';
  segments: number;
  segmentsDone: number;
  /** Pages counted, and the pages the segments have (known from each segment's last page): done when equal. */
  pagesCounted?: number;
  pagesExpected?: number;
  customersDone: number;
  invoicesWritten: number;
  errors: number;
  errorSamples: { customerId: string; reason: string }[];
  startedAt: string;
  /** The last progress (a page counted, or a re-queue of a stalled run). */
  updatedAt?: string;
  /** How often the sweeper or a second start re-queued the run's unfinished segments. */
  requeues?: number;
  completedAt?: string;
}

export interface MeterReading {
  facilityId: string;
  meterId: string;
  value: number;
  readAt: string;
  source: 'customer' | 'staff' | 'remote';
  recordedAt: string;
}
