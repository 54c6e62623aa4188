/**
 * What the e-invoice generators read: the invoice (a subset of `Invoice`, billing/model.ts, so an
 * `Invoice` fits), the seller (the utility) and the buyer (the customer). Amounts are integer
 * minor units; the generators write them in each format's notation.
 */
import type { Invoice, InvoiceLine } from '../billing/model.js';
import type { BillingAddress } from '../customers/model.js';
import { ValidationError, type FieldError } from '../errors.js';

export type EInvoiceLine = Pick<InvoiceLine, 'facilityId' | 'service' | 'description' | 'periodStart' | 'periodEnd' | 'quantity' | 'unit' | 'unitPrice' | 'net' | 'vatRate' | 'vat' | 'gross'>;

export type EInvoice = Pick<
  Invoice,
  'invoiceNumber' | 'customerId' | 'issueDate' | 'dueDate' | 'currency' | 'net' | 'vat' | 'total' | 'openAmount' | 'reference' | 'referenceType'
> & { lines: EInvoiceLine[] };

export interface EInvoiceSeller {
  name: string;
  /** Organisation number as registered: SE "556526-6740", NO "923609016", FI Y-tunnus "1234567-8". */
  organisationNumber: string;
  /** VAT number, e.g. SE556526674001, NO923609016MVA, FI12345678. */
  vatNumber?: string;
  address: BillingAddress;
  phone?: string;
  email?: string;
  /** Where the customer pays: IBAN (+BIC) in Finland, bankgiro in Sweden, account number (or IBAN) in Norway. */
  payment: { iban?: string; bic?: string; bankgiro?: string; accountNumber?: string };
  /** SE: "Godkänd för F-skatt"; NO: "Foretaksregisteret" (the seller's tax registration text). */
  taxRegistrationText?: string;
}

export interface EInvoiceBuyer {
  name: string;
  /** The utility's customer number (R-FI-2: the e-invoice is ordered with it). */
  customerId: string;
  organisationNumber?: string;
  address: BillingAddress;
  email?: string;
}

/** Throws a ValidationError naming every missing or malformed field. */
export function checkInput(invoice: EInvoice, seller: EInvoiceSeller, buyer: EInvoiceBuyer, extra: FieldError[] = []): void {
  const errors: FieldError[] = [...extra];
  const need = (ok: unknown, path: string, message = 'required') => {
    if (!ok) errors.push({ path, message });
  };
  need(seller?.name?.trim(), 'seller.name');
  need(seller?.organisationNumber?.trim(), 'seller.organisationNumber');
  need(seller?.address?.city?.trim(), 'seller.address.city');
  need(buyer?.name?.trim(), 'buyer.name');
  need(buyer?.address?.line1?.trim() && buyer.address.city?.trim() && buyer.address.postalCode?.trim(), 'buyer.address', 'line1, postalCode and city are required');
  need(invoice?.lines?.length > 0, 'invoice.lines', 'at least one line');
  need(invoice?.reference?.trim(), 'invoice.reference');
  for (const [field, value] of [['net', invoice?.net], ['vat', invoice?.vat], ['total', invoice?.total]] as const) {
    need(Number.isSafeInteger(value), `invoice.${field}`, 'must be an integer amount in minor units');
  }
  if (errors.length === 0) {
    const sum = (pick: (l: EInvoiceLine) => number) => invoice.lines.reduce((acc, l) => acc + pick(l), 0);
    need(sum((l) => l.net) === invoice.net, 'invoice.net', 'must be the sum of the lines');
    need(sum((l) => l.vat) === invoice.vat, 'invoice.vat', 'must be the sum of the lines');
    need(invoice.net + invoice.vat === invoice.total, 'invoice.total', 'must be net + vat');
  }
  if (errors.length > 0) throw new ValidationError(errors, 'The e-invoice cannot be made from this invoice.');
}

/** VAT per rate: the breakdown both formats carry (sums of the lines, no re-rounding: billing/money.ts). */
export function vatBreakdown(lines: readonly EInvoiceLine[]): { rate: number; base: number; vat: number }[] {
  const byRate = new Map<number, { rate: number; base: number; vat: number }>();
  for (const line of lines) {
    const entry = byRate.get(line.vatRate) ?? { rate: line.vatRate, base: 0, vat: 0 };
    entry.base += line.net;
    entry.vat += line.vat;
    byRate.set(line.vatRate, entry);
  }
  return [...byRate.values()].sort((a, b) => b.rate - a.rate);
}

/** Minor units as "1234.50" (or with `,` as decimal separator). */
export function majorUnits(minor: number, separator: '.' | ',' = '.'): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}${separator}${String(abs % 100).padStart(2, '0')}`;
}

/** A rate or a price without trailing zeros: 25.5 -> "25.5", 24 -> "24". */
export function decimal(value: number, separator: '.' | ',' = '.', maxDigits = 6): string {
  const text = value.toFixed(maxDigits).replace(/\.?0+$/, '');
  return separator === ',' ? text.replace('.', ',') : text;
}

export const digitsOnly = (text: string) => text.replace(/[^0-9]/g, '');
