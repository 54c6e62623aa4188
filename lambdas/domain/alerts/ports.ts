/** What outage alerts need from storage and from the outside world. */
import type { Language, OutageArea, OutageCategory, Position, PropertyAddress } from './types.js';

/** One phone registered at one address: from the address register or added by the person (R-SMS-2/3). */
export interface Subscription {
  subscriptionId: string;
  phone: string;
  address: PropertyAddress;
  addressKey: string;
  source: 'register' | 'self';
  /** Register entries belong to one import; only the current import's entries count. */
  generation?: string;
  createdAt: string;
}

/** A known property address with what the indexes need (street, postal code, location). */
export interface AddressRecord {
  addressKey: string;
  address: PropertyAddress;
  location?: Position;
  /**
   * The phones the address register has at this address, of the import `generation` that
   * wrote them (register imports write them with every index entry of the address, so an
   * outage's area query finds its phones with no read per address).
   */
  phones?: string[];
  generation?: string;
}

/** `sent`: the provider accepted it; `delivered` / `failed` after it: the delivery receipt (lambdas/jobs/sms-events.ts). */
export type RecipientStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'opted_out';

export interface Recipient {
  outageId: string;
  /** Which message of the outage: 0 the first, 1.. updates, `ack` answers to crowd reports. */
  messageKey: string;
  phone: string;
  /** The send chunk it belongs to (0..chunks-1): one queue message sends one chunk. */
  chunk: number;
  channel: 'sms' | 'voice';
  language: Language;
  status: RecipientStatus;
  reason?: string;
  providerMessageId?: string;
  updatedAt: string;
}

export interface OutageMessage {
  outageId: string;
  messageKey: string;
  kind: 'initial' | 'update' | 'resolved' | 'ack';
  /** Who wrote it (the token subject); the system for acknowledgements of crowd reports. */
  createdBy: string;
  /** The text per language, as sent. */
  bodies: Partial<Record<Language, string>>;
  voiceBodies: Partial<Record<Language, string>>;
  createdAt: string;
  sendAt: string;
  held: boolean;
  /**
   * How many send chunks it has. An update has the first message's chunks: each chunk's
   * recipients are written from the first message's by the worker that sends it.
   */
  chunks: number;
}

/**
 * One send chunk of one message and its counters: what GET /v1/outages/{id} reads, never
 * every recipient. The worker that sends the chunk sets them from the chunk's recipients.
 */
export interface SendChunk {
  outageId: string;
  messageKey: string;
  chunk: number;
  /** Recipients in the chunk. */
  size: number;
  /** The languages its recipients read (what the outage's segment count is taken over). */
  languages?: Language[];
  queued: number;
  sent: number;
  failed: number;
  optedOut: number;
  /** The chunk's recipients are written (an update's are written by its first send). */
  written: boolean;
  updatedAt: string;
}

export interface Outage {
  outageId: string;
  category: OutageCategory;
  title: string;
  message: string;
  area: OutageArea;
  areaDescription: string;
  startsAt?: string;
  endsAt?: string;
  status: 'active' | 'resolved';
  createdAt: string;
  updatedAt: string;
  resolvedAt?: string;
  createdBy: string;
  messageCount: number;
  /** Latest message text, for the public feed. */
  latestMessage: string;
  version: number;
}

export interface CrowdReportRecord {
  reportId: string;
  address: PropertyAddress;
  addressKey: string;
  location?: Position;
  kind: 'no_water' | 'low_pressure' | 'discoloured_water' | 'leak_seen';
  phone?: string;
  at: string;
  acknowledgedBy?: string;
}

export interface AlertRepository {
  // register and self-service (R-SMS-2/3/4)
  registerGeneration(): Promise<string | undefined>;
  /** Makes `generation` current unless a newer one (a later import) already is. */
  setRegisterGeneration(generation: string): Promise<void>;
  /** A register import's rows, one JSON string a chunk (expire after 30 days). */
  putRegisterChunks(jobId: string, chunks: readonly string[]): Promise<void>;
  getRegisterChunk(jobId: string, chunk: number): Promise<string | undefined>;
  /** An upload URL handed out for a register file (POST /v1/address-register/uploads). */
  putRegisterUpload(upload: RegisterUpload): Promise<void>;
  getRegisterUpload(uploadId: string): Promise<RegisterUpload | undefined>;
  /** Writes addresses (and their index entries) that are new; an existing one is left as it is. */
  ensureAddresses(addresses: AddressRecord[]): Promise<void>;
  /** Writes register addresses with their phones, every index entry replaced (a register import's chunk). */
  putRegisterAddresses(addresses: AddressRecord[]): Promise<void>;
  /** The self-added subscriptions at addresses in these postal codes. */
  selfSubscriptionsIn(postalCodes: readonly string[]): Promise<Subscription[]>;
  putSubscriptions(subscriptions: Subscription[]): Promise<void>;
  getSubscription(subscriptionId: string): Promise<Subscription | undefined>;
  deleteSubscription(subscription: Subscription): Promise<void>;
  subscriptionsOfPhone(phone: string): Promise<Subscription[]>;
  /** `limit`: stop after about this many (a probe of the area's size); all without it. */
  addressesOnStreet(street: string, postalCode?: string, limit?: number): Promise<AddressRecord[]>;
  addressesInPostalCode(postalCode: string, limit?: number): Promise<AddressRecord[]>;
  addressesInGeoCell(cell: string, limit?: number): Promise<AddressRecord[]>;
  getAddresses(addressKeys: readonly string[]): Promise<AddressRecord[]>;
  // opt-outs
  putOptOut(phone: string, at: string): Promise<void>;
  deleteOptOut(phone: string): Promise<boolean>;
  optedOut(phones: readonly string[]): Promise<Set<string>>;
  /** Every opted-out phone (one read of the opt-out list: it grows with opt-outs, not with the register). */
  allOptedOut(): Promise<Set<string>>;
  /** The language of a customer registered with this phone, if any. */
  languageOfPhone(phone: string): Promise<Language | undefined>;
  // outages
  /** An outage job's resolved recipients, in pages (JSON): what its page workers write from. */
  putResolvedPages(outageId: string, attempt: string, pages: readonly string[]): Promise<void>;
  getResolvedPage(outageId: string, attempt: string, page: number): Promise<string | undefined>;
  insertOutage(outage: Outage): Promise<void>;
  getOutage(outageId: string): Promise<Outage | undefined>;
  replaceOutage(outage: Outage, expectedVersion: number): Promise<void>;
  listFeedOutages(): Promise<Outage[]>;
  putMessage(message: OutageMessage): Promise<boolean>;
  getMessage(outageId: string, messageKey: string): Promise<OutageMessage | undefined>;
  listMessages(outageId: string): Promise<OutageMessage[]>;
  /** Idempotent: a recipient already written keeps its status. */
  putRecipients(recipients: Recipient[]): Promise<void>;
  /** One send chunk's recipients of a message (one Query of the chunk's partition). */
  listRecipients(outageId: string, messageKey: string, chunk: number): Promise<Recipient[]>;
  /** Writes a chunk's counters (the whole item: the last write wins). */
  putSendChunk(chunk: SendChunk): Promise<void>;
  /**
   * One recipient of the chunk counted `sent` before now counts `failed` (its delivery receipt
   * refused it): one atomic update of the chunk's counters, no read of its recipients.
   */
  countRefusedAfterSent(of: Pick<Recipient, 'outageId' | 'messageKey' | 'chunk'>, at: string): Promise<void>;
  /** Every chunk item of the outage (one Query): its counters. */
  listSendChunks(outageId: string): Promise<SendChunk[]>;
  /**
   * Takes `parts` of an origination identity's budget for the second `second` (epoch
   * seconds) when at most `limit` are taken then; false when that second is full.
   */
  reserveParts(identity: string, second: number, parts: number, limit: number): Promise<boolean>;
  /** Conditional status change; false when the recipient is not in `from`. */
  transitionRecipient(recipient: Recipient, from: RecipientStatus, to: Partial<Recipient> & { status: RecipientStatus }): Promise<boolean>;
  // held messages (R-SMS-6)
  scheduleSend(outageId: string, messageKey: string, sendAt: string): Promise<void>;
  dueSends(now: string): Promise<{ outageId: string; messageKey: string; sendAt: string }[]>;
  clearScheduledSend(outageId: string, messageKey: string, sendAt: string): Promise<void>;
  // crowd reports (R-COM-1)
  putReport(report: CrowdReportRecord): Promise<void>;
  reportsSince(since: string, until: string): Promise<CrowdReportRecord[]>;
  markReportAcknowledged(report: CrowdReportRecord, outageId: string): Promise<boolean>;
  /** Counts a request from a client in a window; false over the limit. */
  takeRateToken(client: string, window: string, limit: number): Promise<boolean>;
}

export interface SmsSender {
  /** Sends one SMS. Throws SendFailure for a permanent refusal. */
  send(message: { to: string; body: string; outageId: string; messageKey: string }): Promise<{ providerMessageId: string }>;
}

export interface VoiceSender {
  /** A voice call reading the text (R-SMS-8). */
  call(message: { to: string; text: string; languageCode: string; outageId: string; messageKey: string }): Promise<{ providerMessageId: string }>;
}

/** A permanent failure to deliver to one recipient (bad number, opted out at the carrier). */
export class SendFailure extends Error {}

/**
 * The provider certainly did not take the message (throttled to the last attempt): safe to
 * send again later. Any other error leaves it uncertain whether the message went out, and
 * such a recipient is not sent again (never twice).
 */
export class RetryableSendError extends Error {}

/** Hands a message's sending to the sending function (SQS in AWS, in-process locally). */
export interface SendQueue {
  enqueue(job: { outageId: string; messageKey: string; chunk?: number }): Promise<void>;
}

/**
 * Hands an alert job (an outage's recipient resolution and release) to a background
 * function: the same SQS queue and sending function in AWS, a background in-process queue locally.
 */
export interface AlertJobQueue {
  /**
   * `chunk`: one chunk of a chunked job (a register import); `parse`: read and parse the
   * uploaded file of a register import, write its chunks and queue them.
   */
  enqueueJob(job: AlertJobMessage): Promise<void>;
}

/** A message of the alert job queue (lambdas/jobs/send-alerts.ts runs it with OutageAlerts.runJob). */
export type AlertJobMessage = { jobId: string; chunk?: number; parse?: true; page?: number };

/** Where register files land in the upload bucket: the only prefix the alert functions may sign or read. */
export const registerUploadPrefix = 'register-uploads/';

/** A register file upload URL handed out: the file lands at `objectKey` (`register-uploads/<uploadId>`). */
export interface RegisterUpload {
  uploadId: string;
  objectKey: string;
  createdBy: string;
  createdAt: string;
  /** The URL's end; the object stays until the bucket's lifecycle removes it. */
  expiresAt: string;
}

/**
 * Where register files are uploaded to (S3 in AWS, files under the data folder locally): the
 * same store as payment files, another prefix (lambdas/adapters/alerts-wiring.ts).
 */
export interface RegisterFileStore {
  /** A URL to PUT the file to, valid for `seconds`. */
  uploadUrl(objectKey: string, seconds: number): Promise<{ url: string; expiresAt: string }>;
  /** Whether something was uploaded, its size and version tag, without reading it. */
  head(objectKey: string): Promise<{ found: true; size: number; etag: string } | { found: false }>;
  /** The bytes; `ifMatch`: only that version (else `changed`); `maxBytes`: larger is not read. */
  read(
    objectKey: string,
    options: { ifMatch?: string; maxBytes: number },
  ): Promise<{ found: true; bytes: Uint8Array; etag: string } | { found: false; reason: 'missing' | 'changed' | 'too_large'; size?: number }>;
}
