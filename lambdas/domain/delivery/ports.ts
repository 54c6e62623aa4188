/**
 * What delivery needs from the outside (STYLE.md 1). Each channel is one port with an AWS
 * adapter and a local one (the outbox):
 *
 * | port | AWS | embedded stack |
 * | --- | --- | --- |
 * | EInvoiceSender | the e-invoice operator's HTTP API (adapters/delivery/einvoice-operator.ts) | the outbox |
 * | EmailSender | Amazon SES v2 SendEmail, raw MIME (adapters/delivery/ses-email-sender.ts) | the outbox |
 * | PrintService | the print service's HTTP API: Kivra or print and post (adapters/delivery/print-service.ts) | the outbox |
 * | DocumentStore | S3 (adapters/storage/s3-document-store.ts) | files in the data folder |
 * | DeliveryQueue | SQS | an in-process queue |
 *
 * Every hand-over carries an idempotency key (one per document and channel): the HTTP APIs
 * take it as `Idempotency-Key`, the outbox writes once per key; SES has none (docs/DELIVERY.md).
 */
import type { BillingAddress } from '../customers/model.js';
import type { DocumentOrder } from './orders.js';
import type {
  Addressee,
  DeliveryRecord,
  DocumentChannel,
  DocumentKind,
  DocumentRecord,
  EmailStatus,
} from './model.js';

/** What every hand-over says about itself (the outbox lists it; providers may log it). */
export interface HandOver {
  /** `<documentId>:<channel>`: a channel given the same key twice takes the document once. */
  readonly idempotencyKey: string;
  readonly documentId: string;
  readonly kind: DocumentKind;
  readonly customerId: string;
  readonly caseId?: string;
  readonly invoiceId?: string;
}

export interface HandedOver {
  /** The channel's id of what it took. */
  readonly providerReference: string;
}

/** The channel refused this document for good (bad address, unknown recipient): try the next channel. */
export class ChannelRefused extends Error {
  override readonly name = 'ChannelRefused';
}

/** The channel could not be reached or was busy (after the adapter's own retries): try again later. */
export class ChannelUnavailable extends Error {
  override readonly name = 'ChannelUnavailable';
}

export interface EInvoiceSender {
  sendEInvoice(message: HandOver & { operator: string; address: string; xml: string; contentType: string }): Promise<HandedOver>;
}

export interface EmailSender {
  /** `raw` is a complete RFC 5322 message (lambdas/domain/delivery/mime.ts). */
  sendEmail(message: HandOver & { from: string; to: string; raw: Uint8Array }): Promise<HandedOver>;
}

/** A letter for the print service: it routes to the digital mailbox (Kivra) or prints and posts. */
export interface Letter extends HandOver {
  readonly mode: 'digital_mailbox' | 'paper';
  /** What the outer envelope says: the customer's address, or for a protected identity the forwarding service's (R-SE-4). */
  readonly envelope: BillingAddress;
  /** Who the letter is for: on the letter (and, for a protected identity, on the inner envelope only). */
  readonly recipient: { readonly name: string; readonly nationalId: string; readonly address: BillingAddress; readonly country: string };
  /** R-SE-4: an inner envelope with name and personal number inside the outer one. */
  readonly innerEnvelope: boolean;
  readonly pdf: Uint8Array;
  readonly filename: string;
}

export interface PrintService {
  sendLetter(letter: Letter): Promise<HandedOver>;
}

export interface DocumentStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** undefined when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
}

export interface DeliveryQueue {
  enqueue(job: DeliveryJob): Promise<void>;
}

/**
 * One message of the delivery queue: hand a stored document over (`documentId`), or render
 * and submit a document first (`order`: an invoice of a billing run, a dunning letter, a price
 * notice; lambdas/domain/delivery/orders.ts). Both are small: ids, never content.
 */
export type DeliveryJob = { readonly documentId: string } | { readonly order: DocumentOrder };


/** A hand-over's own record: the idempotency key, written before the send and settled after it. */
export interface HandOverRecord {
  documentId: string;
  channel: DocumentChannel;
  status: 'sending' | 'sent' | 'failed' | 'unavailable';
  claimId: string;
  claimedAt: string;
  providerReference?: string;
  reason?: string;
}

export interface DeliveryRepository {
  /** Conditional on the id being new; false when the document was stored before. */
  insertDocument(document: DocumentRecord): Promise<boolean>;
  getDocument(documentId: string): Promise<DocumentRecord | undefined>;
  documentsOfCustomer(customerId: string, limit: number, cursor?: string): Promise<{ items: DocumentRecord[]; nextCursor: string | null }>;
  documentsOfCase(caseId: string): Promise<DocumentRecord[]>;
  documentsOfInvoice(invoiceId: string): Promise<DocumentRecord[]>;

  /** Conditional on the id being new; false when the delivery exists. */
  insertDelivery(delivery: DeliveryRecord): Promise<boolean>;
  getDelivery(documentId: string): Promise<DeliveryRecord | undefined>;
  /** Conditional on `expectedVersion`; false when someone else changed it first. */
  replaceDelivery(delivery: DeliveryRecord, expectedVersion: number): Promise<boolean>;
  /** Deliveries still queued since before `before` (a lost queue message, a crashed job): the sweeper re-queues them. */
  queuedBefore(before: string, limit: number): Promise<{ documentId: string; queuedAt: string }[]>;

  /**
   * Claims the hand-over of a document to a channel (conditional write): when there is no record,
   * when the record is `unavailable` (a transient failure), or when a `sending` claim is older than
   * `staleBefore` (the process died mid-send). Otherwise returns the record found.
   */
  claimHandOver(claim: HandOverRecord, staleBefore: string): Promise<{ claimed: true } | { claimed: false; existing: HandOverRecord }>;
  /** Settles a claim (conditional on its claimId). */
  settleHandOver(claim: HandOverRecord, outcome: Pick<HandOverRecord, 'status' | 'providerReference' | 'reason'>): Promise<void>;
  /**
   * Removes a claim still `sending` (conditional on that): only for a claim whose run is known to
   * be gone (DocumentDelivery.releaseClaimsOfEndedRuns). True when one was removed.
   */
  releaseSendingClaim(documentId: string, channel: string): Promise<boolean>;

  emailStatus(customerId: string): Promise<EmailStatus | undefined>;
  /**
   * Records an email event once per event id and, with `mark`, marks the customer's address as
   * bouncing or complained (the newest mark wins).
   */
  recordEmailEvent(event: EmailEvent, mark: EmailStatus | undefined): Promise<void>;
}

export interface EmailEvent {
  eventId: string;
  type: 'Bounce' | 'Complaint';
  permanent: boolean;
  email: string;
  customerId: string;
  documentId?: string;
  at: string;
  reason: string;
}

/** The customer as delivery sees them (adapters: the customer repository). */
export interface AddresseeDirectory {
  addressee(customerId: string): Promise<Addressee | undefined>;
}
