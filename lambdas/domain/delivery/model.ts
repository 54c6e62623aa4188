/**
 * Documents the utility sends and their delivery (R-SE-8, R-SE-4; docs/DELIVERY.md).
 *
 * A document is rendered elsewhere (lambdas/domain/documents/, lambdas/domain/einvoice/,
 * today's invoice PDF): delivery takes the bytes as they are, stores them, and hands them
 * over to exactly one channel, in the order R-SE-8 gives, falling back to the next channel
 * when one fails.
 */
import type { BillingAddress } from '../customers/model.js';
import { documentKinds, type DocumentKind } from '../documents/kinds.js';

/** What a document is: the letters and invoices of billing and dunning, and price notices (one list, documents/kinds.ts). */
export { documentKinds, type DocumentKind };

/** Every kind of outbound item the local outbox shows: documents and outage alerts. */
export const outboundKinds = [...documentKinds, 'outage_alert'] as const;
export type OutboundKind = (typeof outboundKinds)[number];

/** The channels a document can take (R-SE-8), in no particular order: the order is channelOrder's. */
export const documentChannels = ['e_invoice', 'email', 'digital_mailbox', 'paper'] as const;
export type DocumentChannel = (typeof documentChannels)[number];

/** Every channel of the outbox: documents' and outage alerts' (SMS, voice). */
export const outboundChannels = [...documentChannels, 'sms', 'voice'] as const;
export type OutboundChannel = (typeof outboundChannels)[number];

export type DocumentLanguage = 'sv' | 'fi' | 'nb' | 'en';

/** The stored document and what links it to a customer, a dunning case and an invoice. */
export interface DocumentRecord {
  /** `doc_` + 24 hex of SHA-256(kind, sourceKey): the same source renders into the same document once. */
  documentId: string;
  kind: DocumentKind;
  customerId: string;
  caseId?: string;
  invoiceId?: string;
  language: DocumentLanguage;
  title: string;
  filename: string;
  /** Where the bytes are (S3 key in AWS, a file under the data folder locally). */
  storageKey: string;
  contentType: string;
  size: number;
  sha256: string;
  /** The e-invoice form of an invoice (Finvoice in Finland, PEPPOL BIS in Sweden and Norway), when there is one. */
  eInvoice?: { storageKey: string; contentType: string; size: number };
  /** The customer was a protected identity when the document was made (R-SE-4): only agents and admins may read it. */
  protectedIdentity: boolean;
  /** A letter about the customer to someone else (social services, the property owner): posted to them, never on the customer's channels. */
  addressedTo?: ThirdParty;
  createdAt: string;
}

/** Whom a letter about a customer is addressed to when it is not the customer: an office, a property owner. */
export interface ThirdParty {
  name: string;
  address: BillingAddress;
}

export type DeliveryStatus = 'queued' | 'handed_over' | 'failed';

/** One channel tried for a document. */
export interface DeliveryAttempt {
  channel: DocumentChannel;
  outcome: 'handed_over' | 'failed' | 'skipped';
  /** Why it failed or was skipped (never personal data). */
  reason?: string;
  /** The channel's own id of what it took (SES message id, operator or print-service id, outbox id). */
  providerReference?: string;
  at: string;
}

/**
 * The delivery of one document: queued → handed_over (with the channel and when) or failed.
 * A channel that failed and the next one taken are both in `attempts`; `fallbacks` counts them.
 */
export interface DeliveryRecord {
  documentId: string;
  customerId: string;
  kind: DocumentKind;
  status: DeliveryStatus;
  /** The channels in the order they were to be tried (R-SE-8, R-SE-4), fixed when the job first ran. */
  plan?: DocumentChannel[];
  channel?: DocumentChannel;
  handedOverAt?: string;
  attempts: DeliveryAttempt[];
  fallbacks: number;
  /** Why it failed in the end (every channel failed, or no channel can take it). */
  reason?: string;
  queuedAt: string;
  updatedAt: string;
  version: number;
}

/** What the caller hands over: a rendered document (and an invoice's e-invoice XML, if any). */
export interface DocumentSubmission {
  kind: DocumentKind;
  customerId: string;
  /**
   * What the document is of, unique per kind: e.g. the invoice id for an invoice, `<caseId>#<stage>`
   * for a dunning letter. The document id comes from it, so submitting the same source twice
   * stores and sends it once.
   */
  sourceKey: string;
  caseId?: string;
  invoiceId?: string;
  language?: DocumentLanguage;
  document: { contentType: string; bytes: Uint8Array; filename: string; title: string };
  /** The e-invoice message (from lambdas/domain/einvoice/): makes the e_invoice channel possible. */
  eInvoiceXml?: string;
  /** A letter to a third party about the customer (social services, the owner): paper to that address only. */
  addressedTo?: ThirdParty;
}

/** The customer as delivery needs them: who, where, which channels they chose. */
export interface Addressee {
  customerId: string;
  name: string;
  country: 'SE' | 'FI' | 'NO';
  nationalId: string;
  language?: DocumentLanguage;
  protectedIdentity: boolean;
  billingAddress: BillingAddress;
  email?: string;
  deliveryChannel?: 'e_invoice' | 'digital_mailbox' | 'email' | 'paper';
  eInvoice?: { operator: string; address: string };
}

/** The last bounce or complaint for a customer's email address (SES events). */
export interface EmailStatus {
  customerId: string;
  email: string;
  status: 'bouncing' | 'complained';
  reason: string;
  at: string;
}
