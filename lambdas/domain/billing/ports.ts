/** What billing and payments need from storage. */
import type { Customer, Deposit, Facility } from '../customers/model.js';
import type { BillingRun, BillingState, Invoice, MeterReading, PendingFee, TariffVersion } from './model.js';
import type { BankPayment } from '../payments/payment-file.js';

export interface RecordedPayment extends BankPayment {
  status: 'received' | 'matched' | 'unmatched' | 'allocated';
  /**
   * A BgMax deduction (TK21): the payer set a credit invoice off against the deposit. It is
   * not money received: booked against the invoice its reference names, it reduces that
   * customer's credit (`credited` negative); with no such invoice it waits in the unmatched queue.
   */
  deduction?: boolean;
  /** Why it is unmatched when not for want of an invoice: `currency`, a currency the utility does not invoice. */
  unmatchedReason?: 'currency';
  invoiceId?: string;
  /** Minor units applied to invoices; the rest is credit. */
  applied: number;
  credited: number;
  importedAt: string;
  /**
   * The asynchronous import (payment-imports.ts) that recorded it: a chunk delivered again
   * counts the payments it booked the first time as its own, not as imported before.
   */
  importId?: string;
}

/**
 * What a billing run needs of one customer, all from the customer's own partition (one
 * Query): facilities, deposits, the billing state and the invoice that handed it on, the
 * credit balance, and the newest reading recorded of each meter.
 */
export interface CustomerBillingData {
  facilities: Facility[];
  deposits: Deposit[];
  state: BillingState;
  /** The invoice whose `stateAfter` the state is; none before the customer's first invoice. */
  stateInvoiceId?: string;
  creditBalance: number;
  /** `readAt` of the newest reading recorded of each meter, by `meterKey(facilityId, meterId)`. */
  lastReadAt: Record<string, string>;
  /** Reminder fees charged by dunning (`DUNFEE#`), invoiced once each (R-FI-5). */
  fees: PendingFee[];
}

export const meterKey = (facilityId: string, meterId: string) => `${facilityId}|${meterId}`;

export interface SegmentPageCounts {
  customersDone: number;
  invoicesWritten: number;
  errors: number;
  lastPage: boolean;
  /** The cursor of the segment's next page (none on its last page). */
  nextCursor?: string;
  errorSamples: { customerId: string; reason: string }[];
  /** When the page was done (the run's `updatedAt`). */
  at: string;
}

export interface SegmentPageRecord {
  segment: number;
  page: number;
  lastPage: boolean;
  nextCursor?: string;
}

export interface BillingRepository {
  // tariffs (R-SE-10)
  tariffVersions(service: string): Promise<TariffVersion[]>;
  putTariffVersion(version: TariffVersion): Promise<void>;
  // runs
  createRun(run: BillingRun): Promise<boolean>;
  getRun(runId: string): Promise<BillingRun | undefined>;
  /**
   * Counts a segment page once, however often it is delivered, with the cursor of the page
   * after it (where a resumed segment goes on) and the time of this progress (`updatedAt` of
   * the run); false when counted before.
   */
  recordSegmentPage(runId: string, segment: number, page: number, counts: SegmentPageCounts): Promise<boolean>;
  /** A notice list's customers (`NOTICE#<jobId>` / `<customerId>`), written idempotently. */
  putNoticeEntries(jobId: string, customerIds: readonly string[]): Promise<void>;
  noticeEntries(jobId: string): Promise<string[]>;
  /** The pages counted so far, each segment's in page order. */
  segmentPages(runId: string): Promise<SegmentPageRecord[]>;
  /** A stalled run was re-queued: `updatedAt` moves on (so the next sweep waits again) and `requeues` counts it. */
  markRequeued(runId: string, at: string): Promise<void>;
  customerPage(segment: number, limit: number, cursor?: string): Promise<{ customers: Customer[]; nextCursor?: string }>;
  /** One read of each customer's partition (consistent), several customers at a time. */
  billingDataOf(customerIds: readonly string[]): Promise<Map<string, CustomerBillingData>>;
  // invoices
  /**
   * Reserves `count` consecutive invoice numbers with one write and returns the first.
   * Numbers are unique; one reserved and not used (its invoice existed) leaves a gap.
   */
  reserveInvoiceNumbers(count: number): Promise<number>;
  /** Conditional on the id being new: false when it exists (a re-run). */
  insertInvoice(invoice: Invoice): Promise<boolean>;
  getInvoice(invoiceId: string): Promise<Invoice | undefined>;
  /** The invoices with these ids that exist (consistent reads, batched). */
  invoicesByIds(invoiceIds: readonly string[]): Promise<Map<string, Invoice>>;
  replaceInvoice(invoice: Invoice, expectedVersion: number): Promise<void>;
  invoicesOf(customerId: string): Promise<Invoice[]>;
  setBillingState(customerId: string, invoiceId: string, state: BillingState): Promise<void>;
  /**
   * Many customers' states at once (batched, unconditional: each as `setBillingState`); with a
   * `reference`, also the reference's lookup item for its invoice (`invoicesByReferences` reads
   * it by key; an invoice without one is found through the reference index).
   */
  setBillingStates(states: readonly { customerId: string; invoiceId: string; state: BillingState; reference?: string }[]): Promise<void>;
  // facilities, deposits and readings
  facilitiesOf(customerId: string): Promise<Facility[]>;
  facilityById(facilityId: string): Promise<Facility | undefined>;
  readingsOf(facilityId: string, meterId: string): Promise<MeterReading[]>;
  /** The readings at these times, by `meterKey` (those that exist), read in batches. */
  readingsAt(keys: readonly { facilityId: string; meterId: string; readAt: string }[]): Promise<Map<string, MeterReading>>;
  /** Readings of each meter after `after` (all when none), oldest first, by `meterKey`; several meters at a time. */
  readingsAfter(meters: readonly { facilityId: string; meterId: string; after?: string }[]): Promise<Map<string, MeterReading[]>>;
  /** Conditional on the meter and time; also records the reading's time in the customer's partition for billing runs. */
  putReading(reading: MeterReading, customerId: string): Promise<boolean>;
  // payments and credit (R-SE-13, R-SE-14)
  /** Conditional on the payment id: the existing record when it was imported before. */
  recordPayment(payment: RecordedPayment): Promise<RecordedPayment | undefined>;
  getPayment(paymentId: string): Promise<RecordedPayment | undefined>;
  /** Many payments by id at once (consistent reads): those recorded, by id. */
  paymentsByIds(paymentIds: readonly string[]): Promise<Map<string, RecordedPayment>>;
  /** Invoices by normalised payment reference (the invoice itself read consistently): those found, by reference. */
  invoicesByReferences(references: readonly string[]): Promise<Map<string, Invoice>>;
  updatePayment(payment: RecordedPayment): Promise<void>;
  unmatchedPayments(): Promise<RecordedPayment[]>;
  /**
   * Applies a payment to an invoice once: conditional on the payment not applied yet and
   * on the invoice's version; false when either condition fails (read it again).
   */
  applyPayment(invoice: Invoice, payment: { paymentId: string; amount: number; bookedAt: string }): Promise<boolean>;
  /** Idempotent by source id: a credit from a payment, or a use of credit by an invoice (negative). */
  addCredit(customerId: string, sourceId: string, amount: number, currency: string): Promise<void>;
  creditBalance(customerId: string): Promise<number>;
  /** Conditional on the refund id. */
  insertRefund(refund: Refund): Promise<boolean>;
}

/** R-SE-14: credit paid back (Arvika via the bank's payout service, Eda to the customer's account). */
export interface Refund {
  refundId: string;
  customerId: string;
  amount: number;
  currency: string;
  method: 'payout_service' | 'bank_account';
  bankAccount?: string;
  status: 'ordered';
  orderedAt: string;
  orderedBy: string;
}
