/**
 * Document delivery (R-SE-8, R-SE-4; docs/DELIVERY.md): store a rendered document, link it to
 * its customer, case and invoice, and hand it over to exactly one channel.
 *
 * At least once, never twice:
 * - `submit` is idempotent: the document id comes from (kind, sourceKey); a second submit finds
 *   the stored document and its delivery and only queues the job again while it is queued.
 * - `deliver` (the queue's job) claims each hand-over with a conditional write of its
 *   idempotency key (`<documentId>:<channel>`) BEFORE sending and settles it after: a job run
 *   again finds the hand-over `sent` and records it without sending; a claim a crashed run left
 *   `sending` is taken again only after `claimStaleMs` (the function's timeout), and the
 *   channel gets the same idempotency key, so the operator and the print service take it once.
 * - A channel that refuses the document, or is still unavailable on the job's last receive,
 *   is recorded as failed and the next channel in the plan is tried (a fallback).
 * - The delivery record goes queued → handed_over (channel, at) or failed; `deliveryStatus`
 *   tells a caller (e.g. the dunning step that needs a letter) when the hand-over happened.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../actor.js';
import { mailingAddress, seesProtectedIdentity } from '../customers/present.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { channelOrder } from './channels.js';
import { buildMimeMessage, InvalidMimeInput } from './mime.js';
import type { Addressee, DeliveryAttempt, EmailStatus, DeliveryRecord, DocumentChannel, DocumentLanguage, DocumentRecord, DocumentSubmission } from './model.js';
import {
  ChannelRefused,
  ChannelUnavailable,
  type AddresseeDirectory,
  type DeliveryQueue,
  type DeliveryRepository,
  type DocumentStore,
  type EInvoiceSender,
  type EmailEvent,
  type EmailSender,
  type HandOver,
  type HandOverRecord,
  type PrintService,
} from './ports.js';
import type { DocumentKind } from './model.js';

export interface DeliverySettings {
  /** The sender of document emails (a verified SES identity in AWS). */
  readonly emailFrom: { readonly name: string; readonly address: string };
  /** A `sending` claim older than this is taken as a crashed send: at least the delivery function's timeout. */
  readonly claimStaleMs: number;
  /** A delivery queued longer than this is queued again by the sweeper (a lost message). */
  readonly requeueAfterMs: number;
  /** Largest document accepted (bytes). */
  readonly maxDocumentBytes: number;
}

export interface DeliveryDeps {
  readonly repo: DeliveryRepository;
  readonly store: DocumentStore;
  readonly queue: DeliveryQueue;
  readonly directory: AddresseeDirectory;
  readonly eInvoice: EInvoiceSender;
  readonly email: EmailSender;
  readonly print: PrintService;
  readonly now: () => Date;
  readonly newId: (prefix: string) => string;
  readonly settings: DeliverySettings;
}

/** What a caller sees of a delivery. */
export type DeliveryView = Pick<DeliveryRecord, 'documentId' | 'status' | 'channel' | 'handedOverAt' | 'attempts' | 'fallbacks' | 'reason' | 'queuedAt'>;

/** The job found a hand-over being sent by another run right now: retry later. */
export class HandOverInProgress extends Error {
  override readonly name = 'HandOverInProgress';
}

export function documentIdFor(kind: string, sourceKey: string): string {
  return `doc_${createHash('sha256').update(`${kind}\n${sourceKey}`).digest('hex').slice(0, 24)}`;
}

export const documentIdPattern = /^doc_[0-9a-f]{24}$/;

const emailTexts: Record<DocumentLanguage, (title: string, sender: string) => string> = {
  sv: (title, sender) => `Hej!\n\nHär kommer ${title} från ${sender}. Dokumentet finns som PDF i bilagan.\n\nMed vänliga hälsningar\n${sender}\n`,
  fi: (title, sender) => `Hei!\n\nOhessa ${title} (${sender}). Asiakirja on liitteenä PDF-tiedostona.\n\nYstävällisin terveisin\n${sender}\n`,
  nb: (title, sender) => `Hei!\n\nHer er ${title} fra ${sender}. Dokumentet ligger ved som PDF.\n\nMed vennlig hilsen\n${sender}\n`,
  en: (title, sender) => `Hello,\n\nHere is ${title} from ${sender}. The document is attached as a PDF.\n\nKind regards\n${sender}\n`,
};

const extension: Record<string, string> = { 'application/pdf': 'pdf', 'application/xml': 'xml', 'text/xml': 'xml' };

export class DocumentDelivery {
  constructor(private readonly deps: DeliveryDeps) {}

  private nowIso(): string {
    return this.deps.now().toISOString();
  }

  // ---- storing and queueing --------------------------------------------------------------

  /** Stores the document (once per kind and source) and queues its delivery (once). */
  async submit(submission: DocumentSubmission): Promise<{ document: DocumentRecord; delivery: DeliveryRecord }> {
    this.validate(submission);
    const documentId = documentIdFor(submission.kind, submission.sourceKey);
    let document = await this.deps.repo.getDocument(documentId);
    if (!document) {
      const addressee = await this.deps.directory.addressee(submission.customerId);
      if (!addressee) throw new NotFoundError('No such customer.', [{ path: 'customerId', message: 'no such customer' }]);
      const bytes = submission.document.bytes;
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // The hash in the key: a second render of the same source never overwrites the bytes of the first.
      const base = `documents/${documentId}/${sha256.slice(0, 16)}`;
      const storageKey = `${base}.${extension[submission.document.contentType] ?? 'bin'}`;
      await this.deps.store.put(storageKey, bytes, submission.document.contentType);
      let eInvoice: DocumentRecord['eInvoice'];
      if (submission.eInvoiceXml !== undefined) {
        const xml = Buffer.from(submission.eInvoiceXml, 'utf8');
        eInvoice = { storageKey: `${base}.einvoice.xml`, contentType: 'application/xml', size: xml.byteLength };
        await this.deps.store.put(eInvoice.storageKey, xml, eInvoice.contentType);
      }
      const candidate: DocumentRecord = {
        documentId,
        kind: submission.kind,
        customerId: submission.customerId,
        ...(submission.caseId ? { caseId: submission.caseId } : {}),
        ...(submission.invoiceId ? { invoiceId: submission.invoiceId } : {}),
        language: submission.language ?? addressee.language ?? 'sv',
        title: submission.document.title,
        filename: submission.document.filename,
        storageKey,
        contentType: submission.document.contentType,
        size: bytes.byteLength,
        sha256,
        ...(eInvoice ? { eInvoice } : {}),
        protectedIdentity: addressee.protectedIdentity,
        ...(submission.addressedTo ? { addressedTo: submission.addressedTo } : {}),
        createdAt: this.nowIso(),
      };
      document = (await this.deps.repo.insertDocument(candidate)) ? candidate : (await this.deps.repo.getDocument(documentId))!;
    }
    let delivery = await this.deps.repo.getDelivery(documentId);
    if (!delivery) {
      const at = this.nowIso();
      const queued: DeliveryRecord = {
        documentId, customerId: document.customerId, kind: document.kind, status: 'queued', attempts: [], fallbacks: 0,
        queuedAt: at, updatedAt: at, version: 1,
      };
      delivery = (await this.deps.repo.insertDelivery(queued)) ? queued : (await this.deps.repo.getDelivery(documentId))!;
    }
    if (delivery.status === 'queued') await this.deps.queue.enqueue({ documentId });
    return { document, delivery };
  }

  private validate(submission: DocumentSubmission): void {
    const errors: { path: string; message: string }[] = [];
    if (!submission.sourceKey || submission.sourceKey.length > 200) errors.push({ path: 'sourceKey', message: '1 to 200 characters' });
    if (submission.document.contentType !== 'application/pdf') errors.push({ path: 'document.contentType', message: 'a document to print or attach must be application/pdf' });
    if (submission.document.bytes.byteLength === 0) errors.push({ path: 'document.bytes', message: 'the document is empty' });
    if (submission.document.bytes.byteLength > this.deps.settings.maxDocumentBytes) {
      errors.push({ path: 'document.bytes', message: `at most ${this.deps.settings.maxDocumentBytes} bytes` });
    }
    if (!/^[^\\/\r\n\0]{1,120}$/.test(submission.document.filename)) errors.push({ path: 'document.filename', message: 'a file name (no path, no line breaks)' });
    if (!submission.document.title.trim() || /[\r\n]/.test(submission.document.title)) errors.push({ path: 'document.title', message: 'one line of text' });
    if (submission.eInvoiceXml !== undefined && !submission.eInvoiceXml.trimStart().startsWith('<')) errors.push({ path: 'eInvoiceXml', message: 'not XML' });
    if (errors.length > 0) throw new ValidationError(errors);
  }

  /** Queues again the deliveries queued long ago and never settled (a lost message, a crashed job). */
  async requeueStalled(limit = 500): Promise<number> {
    const before = new Date(this.deps.now().getTime() - this.deps.settings.requeueAfterMs).toISOString();
    const stalled = await this.deps.repo.queuedBefore(before, limit);
    for (const { documentId } of stalled) await this.deps.queue.enqueue({ documentId });
    return stalled.length;
  }

  /**
   * Releases the hand-over claims left `sending` by runs that are known to have ended, so the
   * next run takes them at once (and sends with the same idempotency key) instead of after
   * `claimStaleMs`. Only for a runtime in which no other run can be alive: the embedded stack at
   * start-up, which alone holds its data folder. Its durable queue delivers a killed process's
   * messages again at once, three receives in a row, where SQS waits its visibility timeout
   * (540 s, past the 90 s of `claimStaleMs`): without this a fresh claim of the dead process
   * would turn every receive into HandOverInProgress and dead-letter the message, leaving the
   * document `queued` (issue 15). Looks at up to `limit` queued deliveries; returns the claims released.
   */
  async releaseClaimsOfEndedRuns(limit = 10_000): Promise<number> {
    let released = 0;
    for (const { documentId } of await this.deps.repo.queuedBefore('9999', limit)) {
      const delivery = await this.deps.repo.getDelivery(documentId);
      for (const channel of delivery?.status === 'queued' ? (delivery.plan ?? []) : []) {
        if (await this.deps.repo.releaseSendingClaim(documentId, channel)) released++;
      }
    }
    return released;
  }

  // ---- the delivery job ------------------------------------------------------------------

  /**
   * Hands the document over to the first channel of its plan that takes it. `finalAttempt`: the
   * queue will not deliver this job again, so an unavailable channel counts as failed now.
   */
  async deliver(documentId: string, options: { finalAttempt: boolean }): Promise<DeliveryRecord> {
    let delivery = await this.deps.repo.getDelivery(documentId);
    if (!delivery) throw new NotFoundError('No such delivery.');
    if (delivery.status !== 'queued') return delivery;
    const document = await this.deps.repo.getDocument(documentId);
    const addressee = document && (await this.deps.directory.addressee(document.customerId));
    if (!document || !addressee) {
      return this.settle(delivery, (d) => ({ ...d, status: 'failed', reason: document ? 'the customer no longer exists' : 'the document is missing' }));
    }
    if (!delivery.plan) {
      const emailStatus = await this.deps.repo.emailStatus(document.customerId);
      const { plan, skipped } = channelOrder(addressee, { hasEInvoice: document.eInvoice !== undefined, toThirdParty: document.addressedTo !== undefined }, emailStatus);
      const at = this.nowIso();
      delivery = await this.settle(delivery, (d) => ({
        ...d,
        plan,
        attempts: [...d.attempts, ...skipped.map((s): DeliveryAttempt => ({ channel: s.channel, outcome: 'skipped', reason: s.reason, at }))],
      }));
      if (delivery.status !== 'queued') return delivery;
    }
    const plan = delivery.plan ?? [];
    for (const channel of plan) {
      if (delivery.attempts.some((a) => a.channel === channel && a.outcome === 'failed')) continue;
      const result = await this.handOver(channel, document, addressee, options.finalAttempt);
      const attempt: DeliveryAttempt = { channel, outcome: result.outcome, at: this.nowIso(), ...(result.reason ? { reason: result.reason } : {}), ...(result.providerReference ? { providerReference: result.providerReference } : {}) };
      if (result.outcome === 'handed_over') {
        return this.settle(delivery, (d) => ({ ...d, status: 'handed_over', channel, handedOverAt: attempt.at, attempts: [...d.attempts, attempt] }));
      }
      const isLast = plan.indexOf(channel) === plan.length - 1;
      delivery = await this.settle(delivery, (d) => ({ ...d, attempts: [...d.attempts, attempt], fallbacks: d.fallbacks + (isLast ? 0 : 1) }));
      if (delivery.status !== 'queued') return delivery;
    }
    const reason = plan.length === 0 ? (delivery.attempts.at(-1)?.reason ?? 'no channel can take this document') : 'every channel failed';
    return this.settle(delivery, (d) => ({ ...d, status: 'failed', reason }));
  }

  /** Applies a change to the delivery record (optimistic; re-read and re-applied on a concurrent change). */
  private async settle(current: DeliveryRecord, change: (d: DeliveryRecord) => DeliveryRecord): Promise<DeliveryRecord> {
    for (;;) {
      const next = { ...change(current), updatedAt: this.nowIso(), version: current.version + 1 };
      if (await this.deps.repo.replaceDelivery(next, current.version)) return next;
      const fresh = await this.deps.repo.getDelivery(current.documentId);
      if (!fresh) throw new NotFoundError('No such delivery.');
      // Another run of the job settled it meanwhile: its outcome stands.
      if (fresh.status !== 'queued') return fresh;
      current = fresh;
    }
  }

  private async handOver(
    channel: DocumentChannel,
    document: DocumentRecord,
    addressee: Addressee,
    finalAttempt: boolean,
  ): Promise<{ outcome: 'handed_over' | 'failed'; reason?: string; providerReference?: string }> {
    const now = this.deps.now();
    const claim: HandOverRecord = {
      documentId: document.documentId, channel, status: 'sending', claimId: this.deps.newId('claim'), claimedAt: now.toISOString(),
    };
    const claimed = await this.deps.repo.claimHandOver(claim, new Date(now.getTime() - this.deps.settings.claimStaleMs).toISOString());
    if (!claimed.claimed) {
      const found = claimed.existing;
      // A run before this one sent it and stopped before recording the delivery: record it, do not send.
      if (found.status === 'sent') return { outcome: 'handed_over', ...(found.providerReference ? { providerReference: found.providerReference } : {}) };
      if (found.status === 'failed') return { outcome: 'failed', reason: found.reason ?? 'failed' };
      throw new HandOverInProgress(`${document.documentId} is being handed over to ${channel} by another run`);
    }
    try {
      const { providerReference } = await this.send(channel, document, addressee);
      await this.deps.repo.settleHandOver(claim, { status: 'sent', providerReference });
      return { outcome: 'handed_over', providerReference };
    } catch (error) {
      const refused = error instanceof ChannelRefused || error instanceof InvalidMimeInput;
      if (refused || (error instanceof ChannelUnavailable && finalAttempt)) {
        const reason = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300);
        await this.deps.repo.settleHandOver(claim, { status: 'failed', reason });
        return { outcome: 'failed', reason };
      }
      if (error instanceof ChannelUnavailable) await this.deps.repo.settleHandOver(claim, { status: 'unavailable', reason: error.message.slice(0, 300) });
      // Anything else leaves the claim `sending`: taken again once stale, with the same idempotency key.
      throw error;
    }
  }

  private async send(channel: DocumentChannel, document: DocumentRecord, addressee: Addressee): Promise<{ providerReference: string }> {
    const handOver: HandOver = {
      idempotencyKey: `${document.documentId}:${channel}`,
      documentId: document.documentId,
      kind: document.kind,
      customerId: document.customerId,
      ...(document.caseId ? { caseId: document.caseId } : {}),
      ...(document.invoiceId ? { invoiceId: document.invoiceId } : {}),
    };
    if (channel === 'e_invoice') {
      const stored = document.eInvoice && (await this.deps.store.get(document.eInvoice.storageKey));
      if (!stored || !addressee.eInvoice) throw new ChannelRefused('no e-invoice form or address');
      return this.deps.eInvoice.sendEInvoice({
        ...handOver, operator: addressee.eInvoice.operator, address: addressee.eInvoice.address,
        xml: Buffer.from(stored).toString('utf8'), contentType: document.eInvoice!.contentType,
      });
    }
    const pdf = await this.deps.store.get(document.storageKey);
    if (!pdf) throw new Error(`the stored document ${document.documentId} is missing`);
    if (channel === 'email') {
      if (!addressee.email) throw new ChannelRefused('no email address');
      const from = this.deps.settings.emailFrom;
      const raw = buildMimeMessage({
        from,
        to: addressee.email,
        subject: document.title,
        text: emailTexts[document.language](document.title, from.name),
        attachment: { filename: document.filename, contentType: document.contentType, bytes: pdf },
        date: this.deps.now(),
        messageId: `${document.documentId}.email@${from.address.split('@')[1]}`,
      });
      return this.deps.email.sendEmail({ ...handOver, from: from.address, to: addressee.email, raw });
    }
    if (document.addressedTo) {
      // A letter about the customer to an office or an owner: posted to them, no inner envelope.
      const to = document.addressedTo;
      return this.deps.print.sendLetter({
        ...handOver, mode: 'paper', envelope: to.address, recipient: { name: to.name, nationalId: '', address: to.address, country: to.address.country }, innerEnvelope: false, pdf, filename: document.filename,
      });
    }
    // The print service: the digital mailbox or paper. R-SE-4: a protected identity's outer
    // envelope goes to the forwarding service; name and address are only inside.
    const envelope = mailingAddress(addressee);
    if (!envelope) throw new ChannelRefused('no address to post to (protected identity without a forwarding service)');
    return this.deps.print.sendLetter({
      ...handOver,
      mode: channel,
      envelope,
      recipient: { name: addressee.name, nationalId: addressee.nationalId, address: addressee.billingAddress, country: addressee.country },
      innerEnvelope: addressee.protectedIdentity,
      pdf,
      filename: document.filename,
    });
  }

  // ---- orders that could not be rendered ---------------------------------------------------

  /**
   * An order the documents module refused (a rule it would break, a fact missing): recorded as a
   * failed delivery of the document it would have been, so the case waiting for it sees it and
   * the reason shows (`GET /v1/documents/{id}` has no document, the delivery says why).
   */
  async recordRefusedOrder(input: { documentId: string; customerId: string; kind: DocumentKind; reason: string }): Promise<void> {
    const at = this.nowIso();
    await this.deps.repo.insertDelivery({
      documentId: input.documentId, customerId: input.customerId, kind: input.kind, status: 'failed', attempts: [], fallbacks: 0,
      reason: input.reason.slice(0, 300), queuedAt: at, updatedAt: at, version: 1,
    });
  }

  // ---- reading ---------------------------------------------------------------------------

  /** The delivery's state, or undefined when no such document was submitted. */
  async deliveryStatus(documentId: string): Promise<DeliveryView | undefined> {
    const delivery = await this.deps.repo.getDelivery(documentId);
    return delivery && viewOf(delivery);
  }

  /** A document and its delivery, as the actor may see it (R-SE-4: a protected identity's only to agents and admins). */
  async getDocument(actor: Actor, documentId: string): Promise<{ document: DocumentRecord; delivery: DeliveryView | undefined }> {
    const document = documentIdPattern.test(documentId) ? await this.deps.repo.getDocument(documentId) : undefined;
    if (!document || !(await this.mayRead(actor, document))) throw new NotFoundError('No such document.');
    return { document, delivery: await this.deliveryStatus(documentId) };
  }

  async documentContent(actor: Actor, documentId: string): Promise<{ bytes: Uint8Array; contentType: string; filename: string }> {
    const { document } = await this.getDocument(actor, documentId);
    const bytes = await this.deps.store.get(document.storageKey);
    if (!bytes) throw new Error(`the stored document ${documentId} is missing`);
    return { bytes, contentType: document.contentType, filename: document.filename };
  }

  async documentsOfCustomer(actor: Actor, customerId: string, limit: number, cursor?: string): Promise<{ items: DocumentRecord[]; nextCursor: string | null }> {
    const addressee = await this.deps.directory.addressee(customerId);
    if (!addressee) throw new NotFoundError('No such customer.');
    if (addressee.protectedIdentity && !seesProtectedIdentity(actor.role)) return { items: [], nextCursor: null };
    const page = await this.deps.repo.documentsOfCustomer(customerId, limit, cursor);
    return { items: page.items.filter((d) => !d.protectedIdentity || seesProtectedIdentity(actor.role)), nextCursor: page.nextCursor };
  }

  private async mayRead(actor: Actor, document: DocumentRecord): Promise<boolean> {
    if (actor.role === 'customer' && actor.customerId !== document.customerId) return false;
    if (seesProtectedIdentity(actor.role)) return true;
    if (document.protectedIdentity) return false;
    // Protected since the document was made: its address must not show either.
    return !(await this.deps.directory.addressee(document.customerId))?.protectedIdentity;
  }

  // ---- email events (SES) ----------------------------------------------------------------

  /**
   * A bounce or complaint from SES: a permanent bounce or a complaint marks the customer's
   * address, so the next document takes the next channel (channelOrder); every event is recorded.
   */
  async emailEvent(event: EmailEvent): Promise<void> {
    const marks = event.type === 'Complaint' || event.permanent;
    const mark: EmailStatus | undefined = marks
      ? { customerId: event.customerId, email: event.email.toLowerCase(), status: event.type === 'Complaint' ? 'complained' : 'bouncing', reason: event.reason.slice(0, 300), at: event.at }
      : undefined;
    await this.deps.repo.recordEmailEvent({ ...event, email: event.email.toLowerCase(), reason: event.reason.slice(0, 300) }, mark);
  }
}

export function viewOf(delivery: DeliveryRecord): DeliveryView {
  return {
    documentId: delivery.documentId,
    status: delivery.status,
    ...(delivery.channel ? { channel: delivery.channel } : {}),
    ...(delivery.handedOverAt ? { handedOverAt: delivery.handedOverAt } : {}),
    attempts: delivery.attempts,
    fallbacks: delivery.fallbacks,
    ...(delivery.reason ? { reason: delivery.reason } : {}),
    queuedAt: delivery.queuedAt,
  };
}

