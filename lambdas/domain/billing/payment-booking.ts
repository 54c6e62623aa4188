/**
 * What booking a bank payment file is made of, shared by the synchronous path (POST
 * /v1/payment-files, `Billing.importPayments`) and the chunks of an asynchronous import
 * (payment-imports.ts): the file refused unless whole, its payments and deductions as one
 * list that chunks cut into slices, and what a booking counts. Pure.
 */
import { ValidationError } from '../errors.js';
import type { BankDeduction, BankPayment, PaymentFileReport } from '../payments/payment-file.js';
import type { Invoice } from './model.js';

/**
 * One thing to book: a payment, or a BgMax deduction (TK21). A deduction is booked against
 * the invoice its reference names: the payer set off credit we owed them (a credit note; in
 * this ledger, the customer's credit balance, R-SE-14), so the deposit is that much smaller
 * and the customer's credit is reduced by the deduction (`credited` negative). The invoice's
 * open amount is not touched: the payments of the deposit pay the invoices they name. A
 * deduction whose reference names no invoice in the utility's currency waits in the
 * unmatched queue for an agent, as an unmatched payment does.
 */
export type BookingEntry = { kind: 'payment'; payment: BankPayment } | { kind: 'deduction'; deduction: BankDeduction };

export interface BookingCounts {
  /** Payments (not deductions) among the entries booked. */
  payments: number;
  matched: number;
  unmatched: number;
  /** Paid more than the invoice owed: the rest became credit (R-SE-14). */
  overpaid: number;
  /** Payments and deductions recorded before (by an earlier import of the same file, or another file). */
  alreadyImported: number;
  /** Deductions among the entries booked (matched or not). */
  deductions: number;
  /**
   * Payments in a currency the utility does not invoice (e.g. a EUR deposit in a Swedish BgMax
   * file): put in the unmatched queue with their currency and amount, also counted in `unmatched`.
   */
  otherCurrency: number;
}

export const defaultBookingLanes = 8;

/**
 * The report of a whole file, or a ValidationError naming every line that is wrong (the
 * same problem whichever path the file came by): nothing of a broken file is booked.
 */
export function wholePaymentFile(report: PaymentFileReport): PaymentFileReport {
  if (report.errors.length > 0) {
    throw new ValidationError(
      report.errors.map((e) => ({ path: e.line > 0 ? `line ${e.line}` : 'file', message: e.message })),
      'The payment file is not whole; nothing was booked.',
    );
  }
  return report;
}

/**
 * The latest value date among a file's payments and deductions (camt ValDt, BgMax payment
 * date): what the ledger holds money up to once the file is booked, the date dunning's
 * booking-delay guard (R-FI-10, R-SE-13) reads. Undefined for a file with no payments.
 */
export function latestValueDate(report: PaymentFileReport): string | undefined {
  let latest: string | undefined;
  for (const entry of [...report.payments, ...(report.deductions ?? [])]) if (!latest || entry.valueDate > latest) latest = entry.valueDate;
  return latest;
}

/** Deductions first, then payments, in file order: the one list chunks are cut from. */
export function bookingEntries(report: PaymentFileReport): BookingEntry[] {
  return [
    ...(report.deductions ?? []).map((deduction): BookingEntry => ({ kind: 'deduction', deduction })),
    ...report.payments.map((payment): BookingEntry => ({ kind: 'payment', payment })),
  ];
}

export const entryId = (entry: BookingEntry): string => (entry.kind === 'payment' ? entry.payment.paymentId : entry.deduction.deductionId);

/**
 * The invoice after a payment was applied to it, as the repository's conditional update
 * leaves it: the next payment to the same invoice starts from this version without reading it again.
 */
export function afterPayment(invoice: Invoice, applied: { paymentId: string; amount: number; bookedAt: string }): Invoice {
  const open = invoice.openAmount - applied.amount;
  return {
    ...invoice,
    openAmount: Math.max(0, open),
    status: open <= 0 ? 'paid' : 'open',
    appliedPayments: [...invoice.appliedPayments, applied],
    version: invoice.version + 1,
  };
}

/**
 * Runs `task` over `items`, at most `lanes` at once. After a failure no new item starts; the
 * first error is thrown once the running ones have finished (nothing goes on in the background).
 */
export async function eachAtOnce<T>(items: readonly T[], lanes: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, lanes), items.length) }, lane));
  if (failure) throw failure.error;
}
