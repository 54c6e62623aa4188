/**
 * What the utility must tell its customers, as data (issue 12; docs/DOCUMENTS.md).
 *
 * A `DocumentRequest` is everything one letter states; `renderDocument` (render.ts) turns it
 * into a PDF in the customer's language. The `kind` values are the outbox's `kind` values.
 * Field names follow the records the callers hold: `Invoice` (billing/model.ts), `Customer`
 * and `Facility` (customers/model.ts), `TariffVersion`, the dunning case's dates
 * (dunning/case.ts, dunning/policy.ts). Amounts are integer minor units (billing/money.ts);
 * dates are local calendar dates `YYYY-MM-DD`.
 */
import type { Invoice, InvoiceLine, TariffVersion } from '../billing/model.js';
import type { Currency } from '../billing/money.js';
import type { Country } from '../billing/calendar.js';
import type { BillingAddress, PropertyAddress } from '../customers/model.js';
import type { Service } from '../customers/schemas.js';

export const documentKinds = [
  'invoice',
  'final_invoice',
  'reminder',
  'collection_notice',
  'disconnection_notice',
  'social_services_notice',
  'owner_notice',
  'price_notice',
] as const;
export type DocumentKind = (typeof documentKinds)[number];

export const documentLanguages = ['sv', 'fi', 'nb', 'en'] as const;
/** `Customer.language`. */
export type Language = (typeof documentLanguages)[number];

export type { Country, Currency, Service, BillingAddress, PropertyAddress };

/** A name and a postal address (a customer's `name` and `billingAddress`, an office, an owner). */
export interface Addressee {
  name: string;
  address: BillingAddress;
}

/** How the customer pays: Swedish bankgiro, Finnish IBAN (+BIC), Norwegian account number. */
export type PaymentAccount =
  | { kind: 'bankgiro'; number: string }
  | { kind: 'iban'; iban: string; bic?: string }
  | { kind: 'bank_account'; number: string };

/** The utility that writes the letter: who it is, whom to call, where to pay. */
export interface UtilitySender {
  name: string;
  address: BillingAddress;
  /** Customer service: the number every letter tells the customer to call. */
  phone: string;
  email?: string;
  website?: string;
  organisationNumber?: string;
  payment: PaymentAccount;
}

/** The invoice as the invoice documents show it: a subset of `Invoice`, so an `Invoice` fits. */
export type InvoiceData = Pick<
  Invoice,
  'invoiceNumber' | 'customerId' | 'issueDate' | 'dueDate' | 'currency' | 'net' | 'vat' | 'total' | 'openAmount' | 'reference' | 'referenceType'
> & {
  lines: Pick<InvoiceLine, 'facilityId' | 'service' | 'description' | 'periodStart' | 'periodEnd' | 'net' | 'vatRate' | 'vat' | 'gross'>[];
};

/** The unpaid invoice a dunning letter is about (from `Invoice`). */
export type InvoiceDebt = Pick<Invoice, 'invoiceNumber' | 'dueDate' | 'openAmount' | 'currency' | 'reference' | 'referenceType'>;

interface LetterBase {
  language: Language;
  /** The utility's country: its conventions (payment, dates in the law's sense). */
  country: Country;
  sender: UtilitySender;
  /** Whom the letter is addressed to: the customer, or the office/owner for the notices to third parties. */
  recipient: Addressee;
  /** The letter's date. */
  date: string;
  customerId?: string;
}

export interface InvoiceRequest extends LetterBase {
  kind: 'invoice';
  invoice: InvoiceData;
}

/** R-SE-7: the final invoice at move-out goes with the next billing run. */
export interface FinalInvoiceRequest extends LetterBase {
  kind: 'final_invoice';
  invoice: InvoiceData;
  moveOut: { date: string; facilities: { facilityId: string; address: PropertyAddress }[] };
}

/**
 * Reminder 1 or 2 (R-FI-5/6/9, R-SE-16/17).
 * Finland: both state the disconnection date (`disconnectionDate` required, R-FI-6, R-FI-9); a
 * fee is the price list's (R-FI-5). Sweden: the reminder states the next step of the ladder,
 * the handover to collection (`collectionFrom`, R-SE-16, R-SE-17).
 */
export interface ReminderRequest extends LetterBase {
  kind: 'reminder';
  stage: 'reminder_1' | 'reminder_2';
  invoice: InvoiceDebt;
  /** The last day to pay. */
  payBy: string;
  /** Reminder fee in minor units of the invoice currency (R-FI-5: 500 = 5.00 EUR). */
  fee?: number;
  /** R-FI-6, R-FI-9: the day on or after which the services may be cut off. */
  disconnectionDate?: string;
  /** The services the disconnection concerns (R-FI-6). */
  services?: Service[];
  /** R-SE-16/17: the day the debt goes to collection if still unpaid. */
  collectionFrom?: string;
}

/** R-SE-16, R-SE-17: the debt is handed to the collection agency. */
export interface CollectionNoticeRequest extends LetterBase {
  kind: 'collection_notice';
  invoice: InvoiceDebt;
  agency: { name: string; phone: string };
  handoverDate: string;
}

/**
 * The disconnection letter (R-SE-17 to R-SE-21, R-FI-6/9): the date, how to pay, whom to call.
 * `throttleInstead`: water is throttled with a flow-limiting washer (R-SE-21).
 */
export interface DisconnectionNoticeRequest extends LetterBase {
  kind: 'disconnection_notice';
  invoice: InvoiceDebt;
  disconnectionDate: string;
  /** Pay by this day to avoid it (defaults to the day before `disconnectionDate`). */
  payBy?: string;
  services: Service[];
  facilityAddress: PropertyAddress;
  throttleInstead?: boolean;
  /** R-SE-17: the letter goes via the collection agency; its name is stated when it does. */
  viaAgency?: string;
}

/**
 * The written notice to social services of a consumer's planned disconnection of electricity
 * or district heating (R-SE-17; docs/DUNNING.md "Social services"). `recipient` is the office.
 */
export interface SocialServicesNoticeRequest extends LetterBase {
  kind: 'social_services_notice';
  consumer: Addressee;
  services: Service[];
  facilityAddress: PropertyAddress;
  plannedDate: string;
  /** The unpaid amount, when the utility states it. */
  debt?: { amount: number; currency: Currency };
}

/**
 * To the property owner or manager (R-SE-18, R-SE-20 winter owner contact before a disconnection
 * with risk of damage; a rental property's owner, R-SE-7, R-SE-21). `recipient` is the owner.
 */
export interface OwnerNoticeRequest extends LetterBase {
  kind: 'owner_notice';
  reason: 'winter_damage_risk' | 'rental_property';
  /** The customer (tenant or occupant) whose service it is. */
  customerName: string;
  facilityAddress: PropertyAddress;
  propertyDesignation?: string;
  services: Service[];
  plannedDate: string;
  /** Ask the owner to get in touch by this day. */
  replyBy?: string;
}

/** The prices a notice compares: a subset of `TariffVersion`. */
export type TariffPrices = Pick<TariffVersion, 'fixedPerMonth' | 'unitPrice' | 'unit' | 'currency'>;

/** R-SE-10: new prices, told 15 days before they apply for the electricity grid (R-FI-1: to the address on file). */
export interface PriceNoticeRequest extends LetterBase {
  kind: 'price_notice';
  service: Service;
  effectiveFrom: string;
  oldPrices: TariffPrices;
  newPrices: TariffPrices;
}

export type DocumentRequest =
  | InvoiceRequest
  | FinalInvoiceRequest
  | ReminderRequest
  | CollectionNoticeRequest
  | DisconnectionNoticeRequest
  | SocialServicesNoticeRequest
  | OwnerNoticeRequest
  | PriceNoticeRequest;

export interface RenderedDocument {
  contentType: 'application/pdf';
  bytes: Uint8Array;
  filename: string;
  title: string;
}

/** R-SE-10: the electricity grid must tell customers of new prices at least this many days before. */
export const GRID_PRICE_NOTICE_DAYS = 15;
