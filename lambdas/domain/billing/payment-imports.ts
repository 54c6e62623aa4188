/**
 * Large bank payment files (R-SE-13): a 100,000-payment BgMax file is some 12 MB, more than an
 * HTTP request may carry and far more than one request can book. So the file goes to object
 * storage first (a signed upload URL), and an import then
 *
 * 1. reads it and validates it whole, as `POST /v1/payment-files` does: a file with any error
 *    is refused with every line named, and nothing is written;
 * 2. records the import under an id made from the file's SHA-256 (`imp_` + 32 hex digits):
 *    the same bytes imported again, from any upload, find the same import;
 * 3. puts one message per chunk of `chunkSize` entries on a queue (status `validating` until
 *    they are all queued, then `booking`);
 * 4. books each chunk in a worker (`processChunk`): the chunk's slice of the same parse of the
 *    same bytes, booked with `Billing.bookEntries` (each payment once, however often the chunk
 *    comes), then counted in the import once (a conditional update on the set of chunks done).
 *    The last chunk counted completes it.
 *
 * A chunk that fails on its last delivery marks the import `failed` with the chunk named;
 * importing the file again (a new upload of the same bytes, or the same upload) queues the
 * chunks not done yet, as it does for an import that made no progress for 15 minutes. The file read by the chunks is pinned by its ETag and checked against
 * the import's SHA-256: a file overwritten at the upload URL after the import began is
 * refused, never booked in part from other bytes.
 */
import type { ActiveJobs, Resumed, ResumableJobs } from '../jobs/sweeper.js';
import { createHash } from 'node:crypto';
import type { Actor } from '../actor.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../errors.js';
import { parsePaymentFile, type PaymentFileFormat } from '../payments/payment-file.js';
import { bookingEntries, latestValueDate, wholePaymentFile, type BookingCounts, type BookingEntry } from './payment-booking.js';

export type PaymentImportStatus = 'validating' | 'booking' | 'completed' | 'failed';

/** An upload URL handed out (POST /v1/payment-files/uploads). */
export interface PaymentUpload {
  uploadId: string;
  /** Where the file lands in the object store: `uploads/<uploadId>`. */
  objectKey: string;
  createdAt: string;
  createdBy: string;
  /** The URL's end; the object itself stays until the store's lifecycle removes it. */
  expiresAt: string;
}

export interface PaymentImport {
  importId: string;
  sha256: string;
  /** The upload read last (a restart from another upload of the same bytes moves these). */
  uploadId: string;
  objectKey: string;
  /** The object's version tag when it was validated: chunks read exactly those bytes. */
  etag: string;
  bytes: number;
  format: PaymentFileFormat;
  fileId: string;
  status: PaymentImportStatus;
  /** Payments in the file (deductions not counted). */
  payments: number;
  /** BgMax deductions in the file. */
  deductions: number;
  chunkSize: number;
  chunks: number;
  chunksDone: number;
  /** Chunk numbers counted (0-based); what a restart skips. */
  doneChunks: number[];
  /** Payments handled by the chunks done: matched + unmatched + already imported. */
  booked: number;
  matched: number;
  unmatched: number;
  overpaid: number;
  alreadyImported: number;
  deductionsRecorded: number;
  /** Payments in a currency the utility does not invoice, put in the unmatched queue (counted in `unmatched` too). */
  otherCurrency: number;
  /** The latest value date of the file's payments: the ledger's date once every chunk is booked (R-FI-10). */
  latestValueDate?: string;
  errors: FieldError[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  completedAt?: string;
}

/** What GET /v1/payment-files/imports/{importId} shows (no internals of the chunk bookkeeping). */
export type PaymentImportView = Omit<PaymentImport, 'doneChunks' | 'objectKey' | 'etag'>;

export interface PaymentChunkJob {
  importId: string;
  chunk: number;
}

export type StoredFile =
  | { found: true; bytes: Uint8Array; etag: string }
  | { found: false; reason: 'missing' | 'changed' | 'too_large'; size?: number };

/** The object store the files are uploaded to (S3 in AWS, files under the data folder locally). */
export interface PaymentFileStore {
  /** A URL to PUT the file to, valid for `seconds`. */
  uploadUrl(objectKey: string, seconds: number): Promise<{ url: string; expiresAt: string }>;
  /**
   * The object's bytes and version tag. `ifMatch`: only that version (else `changed`);
   * `maxBytes`: a larger object is not read (`too_large`, with its size).
   */
  read(objectKey: string, options: { ifMatch?: string; maxBytes: number }): Promise<StoredFile>;
  /** Stores bytes under the key (a file that came in a request body, imported like an upload). */
  put(objectKey: string, bytes: Uint8Array): Promise<void>;
}

export interface PaymentImportQueue {
  /** Queues the chunks (SQS: in batches of ten). */
  enqueue(jobs: readonly PaymentChunkJob[]): Promise<void>;
}

export interface PaymentImportRepository {
  putUpload(upload: PaymentUpload): Promise<void>;
  getUpload(uploadId: string): Promise<PaymentUpload | undefined>;
  getImport(importId: string): Promise<PaymentImport | undefined>;
  /** Conditional on the id being new: false when the import exists. */
  createImport(record: PaymentImport): Promise<boolean>;
  /**
   * A failed or stalled import starts again from this upload: status `validating`, errors
   * cleared, the chunks done kept. False unless it was failed, or validating or booking with
   * no change since `stalledBefore` (onImportAgain's rule, checked again by the write).
   */
  restartImport(
    importId: string,
    from: { uploadId: string; objectKey: string; etag: string; at: string },
    stalledBefore: { validating: string; booking: string },
  ): Promise<boolean>;
  /** `validating` → `booking` once every chunk is queued; false when it is no longer validating. */
  markBooking(importId: string, at: string): Promise<boolean>;
  /**
   * Counts a chunk once, however often it is delivered (conditional on the set of chunks
   * done): the import after it, or undefined when the chunk was counted before.
   */
  recordChunk(importId: string, chunk: number, counts: BookingCounts, at: string): Promise<PaymentImport | undefined>;
  /** → `completed` when every chunk is counted and it is validating or booking; false otherwise. */
  completeImport(importId: string, at: string): Promise<boolean>;
  /** → `failed` with the error added (unless it completed). */
  failImport(importId: string, error: FieldError, at: string): Promise<void>;
}

export interface PaymentImportDeps {
  readonly repo: PaymentImportRepository;
  readonly store: PaymentFileStore;
  readonly queue: PaymentImportQueue;
  /** Books entries once each (Billing.bookEntries). */
  readonly book: (entries: readonly BookingEntry[], importId: string) => Promise<BookingCounts>;
  /**
   * Called when every chunk of a file is booked, before the import is marked completed, with
   * the file's latest value date: the ledger holds the money valued up to it (dunning's
   * booking-delay guard, R-FI-10), as after `POST /v1/payment-files`. Safe to call twice.
   */
  readonly fileBooked: (valueDate?: string) => Promise<void>;
  readonly now: () => Date;
  readonly newId: (prefix: string) => string;
  /** Entries (payments and deductions) per chunk message. */
  readonly chunkSize: number;
  /** How long an upload URL is valid. */
  readonly uploadUrlSeconds: number;
  /** The largest file accepted (read, hashed and parsed inside one request). */
  readonly maxFileBytes: number;
  /**
   * `POST /v1/payment-files`: a file of at most this many entries is booked inside the request;
   * a larger one is stored and imported like an upload (202, booked in chunks in the background).
   */
  readonly inlineEntries: number;
  /** The running jobs the sweeper looks at (lambdas/domain/jobs/sweeper.ts). */
  readonly activeJobs: ActiveJobs;
}

/** The kind of job a payment import is, for the sweeper. */
export const paymentImportJobKind = 'payment-import';

/** The import id of these bytes: `imp_` and the first 32 hex digits (128 bits) of their SHA-256. */
export function importIdOf(sha256: string): string {
  return `imp_${sha256.slice(0, 32)}`;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function chunkCount(entries: number, chunkSize: number): number {
  return Math.ceil(entries / chunkSize);
}

/** Chunk `chunk` (0-based) of the entries. */
export function chunkOf<T>(entries: readonly T[], chunk: number, chunkSize: number): T[] {
  return entries.slice(chunk * chunkSize, (chunk + 1) * chunkSize);
}

/** Chunks not counted yet, in order. */
export function chunksToQueue(record: Pick<PaymentImport, 'chunks' | 'doneChunks'>): number[] {
  const done = new Set(record.doneChunks);
  return Array.from({ length: record.chunks }, (_, chunk) => chunk).filter((chunk) => !done.has(chunk));
}

/**
 * How long an import may go without progress before a second import of the same bytes queues
 * its chunks again: a request that died while queuing (validating), or chunks lost (booking:
 * an in-process queue when `npm start` stopped; in AWS longer than a redelivery takes).
 * Queuing a chunk again is always safe, only not free.
 */
export const stalledAfterMs = { validating: 60_000, booking: 15 * 60_000 } as const;

/** The `updatedAt` before which an import in each state counts as stalled. */
export function stalledBefore(now: Date): { validating: string; booking: string } {
  return {
    validating: new Date(now.getTime() - stalledAfterMs.validating).toISOString(),
    booking: new Date(now.getTime() - stalledAfterMs.booking).toISOString(),
  };
}

/** What a second import of the same bytes does: answer with the import as it is, or queue what is left (again). */
export function onImportAgain(record: Pick<PaymentImport, 'status' | 'updatedAt'>, now: Date): 'answer' | 'restart' {
  if (record.status === 'failed') return 'restart';
  if (record.status === 'completed') return 'answer';
  return record.updatedAt < stalledBefore(now)[record.status] ? 'restart' : 'answer';
}

export function isDone(record: Pick<PaymentImport, 'status' | 'chunks' | 'chunksDone'>): boolean {
  return (record.status === 'validating' || record.status === 'booking') && record.chunksDone >= record.chunks;
}

export function viewOf(record: PaymentImport): PaymentImportView {
  const { doneChunks: _done, objectKey: _key, etag: _etag, ...view } = record;
  return view;
}

export class PaymentImports {
  /** The last file chunks read (a warm worker books the next chunk of it without reading it again). */
  private parsed: { importId: string; entries: Promise<BookingEntry[] | undefined> } | undefined;

  constructor(private readonly deps: PaymentImportDeps) {}

  async createUpload(actor: Actor): Promise<{ uploadId: string; uploadUrl: string; expiresAt: string; method: 'PUT'; maxBytes: number }> {
    const uploadId = this.deps.newId('upl');
    const objectKey = `uploads/${uploadId}`;
    const { url, expiresAt } = await this.deps.store.uploadUrl(objectKey, this.deps.uploadUrlSeconds);
    await this.deps.repo.putUpload({ uploadId, objectKey, createdAt: this.deps.now().toISOString(), createdBy: actor.subject, expiresAt });
    return { uploadId, uploadUrl: url, expiresAt, method: 'PUT', maxBytes: this.deps.maxFileBytes };
  }

  /**
   * `POST /v1/payment-files` with a file in the body: validated whole (a ValidationError names
   * every bad line, nothing written); `inline` when it is small enough to book inside the request
   * (the caller books it with `Billing.importPayments`, the same booking as the chunks); otherwise
   * stored as an upload and imported like one, in chunks in the background: the same bytes
   * again, by body or by upload, find the same import.
   */
  async importBody(actor: Actor, bytes: Uint8Array): Promise<{ inline: true } | { inline: false; started: PaymentImport }> {
    if (bookingEntries(wholePaymentFile(parsePaymentFile(bytes))).length <= this.deps.inlineEntries) return { inline: true };
    const uploadId = this.deps.newId('upl');
    const objectKey = `uploads/${uploadId}`;
    await this.deps.store.put(objectKey, bytes);
    await this.deps.repo.putUpload({ uploadId, objectKey, createdAt: this.deps.now().toISOString(), createdBy: actor.subject, expiresAt: this.deps.now().toISOString() });
    return { inline: false, started: await this.startImport(actor, uploadId) };
  }

  /**
   * Validates the uploaded file whole and queues its chunks; the same bytes again find the
   * import they started (and queue what a failed one left undone).
   */
  async startImport(actor: Actor, uploadId: string): Promise<PaymentImport> {
    const upload = await this.deps.repo.getUpload(uploadId);
    if (!upload) throw new NotFoundError('No upload with this uploadId.', [{ path: 'uploadId', message: 'no such upload' }]);
    const file = await this.deps.store.read(upload.objectKey, { maxBytes: this.deps.maxFileBytes });
    if (!file.found) {
      if (file.reason === 'too_large') {
        throw new ValidationError(
          [{ path: 'uploadId', message: `the file is ${file.size ?? 'more than'} bytes; at most ${this.deps.maxFileBytes}` }],
          'The uploaded file is too large to import.',
        );
      }
      throw new ConflictError(
        `Nothing has been uploaded for this uploadId: PUT the file to its uploadUrl (valid until ${upload.expiresAt}) first, or ask for a new one.`,
        [{ path: 'uploadId', message: 'no file uploaded' }],
      );
    }
    const sha256 = sha256Of(file.bytes);
    const importId = importIdOf(sha256);
    const at = this.deps.now().toISOString();
    const existing = await this.deps.repo.getImport(importId);
    if (existing) return this.again(existing, { uploadId, objectKey: upload.objectKey, etag: file.etag, at });

    const report = wholePaymentFile(parsePaymentFile(file.bytes));
    const entries = bookingEntries(report);
    const latest = latestValueDate(report);
    const record: PaymentImport = {
      importId, sha256, uploadId, objectKey: upload.objectKey, etag: file.etag, bytes: file.bytes.byteLength,
      format: report.format as PaymentFileFormat, fileId: report.fileId, status: 'validating',
      payments: report.payments.length, deductions: report.deductions?.length ?? 0,
      chunkSize: this.deps.chunkSize, chunks: chunkCount(entries.length, this.deps.chunkSize), chunksDone: 0, doneChunks: [],
      booked: 0, matched: 0, unmatched: 0, overpaid: 0, alreadyImported: 0, deductionsRecorded: 0, otherCurrency: 0, errors: [],
      createdAt: at, createdBy: actor.subject, updatedAt: at, ...(latest ? { latestValueDate: latest } : {}),
    };
    if (!(await this.deps.repo.createImport(record))) {
      // The same bytes imported at the same moment: the other request queues them.
      return (await this.deps.repo.getImport(importId)) ?? record;
    }
    await this.deps.activeJobs.add(paymentImportJobKind, importId, at);
    return this.queueChunks(record);
  }

  /** The sweeper's view of payment imports (lambdas/domain/jobs/sweeper.ts). */
  get resumable(): ResumableJobs {
    return { kind: paymentImportJobKind, stalledAfterMs: stalledAfterMs.booking, resumeStalled: (now) => this.resumeStalled(now) };
  }

  /**
   * Every import validating or booking with no progress for longer than its state allows
   * (`stalledAfterMs`) queues the chunks not yet booked again, from the file it validated,
   * as importing the same file again would; ended imports leave the active list. A failed
   * import stays failed: a person decides (its errors say why), by importing it again.
   */
  async resumeStalled(now: Date): Promise<Resumed[]> {
    const resumed: Resumed[] = [];
    for (const importId of await this.deps.activeJobs.list(paymentImportJobKind)) {
      const record = await this.deps.repo.getImport(importId);
      if (!record || record.status === 'completed' || record.status === 'failed') {
        await this.deps.activeJobs.remove(paymentImportJobKind, importId);
        continue;
      }
      if (onImportAgain(record, now) !== 'restart') continue;
      const again = await this.again(record, { uploadId: record.uploadId, objectKey: record.objectKey, etag: record.etag, at: now.toISOString() });
      resumed.push({ kind: paymentImportJobKind, jobId: importId, requeued: chunksToQueue(again).length });
    }
    return resumed;
  }

  private async again(existing: PaymentImport, from: { uploadId: string; objectKey: string; etag: string; at: string }): Promise<PaymentImport> {
    const now = this.deps.now();
    if (onImportAgain(existing, now) === 'answer') return existing;
    if (!(await this.deps.repo.restartImport(existing.importId, from, stalledBefore(now)))) {
      return (await this.deps.repo.getImport(existing.importId)) ?? existing;
    }
    // A failed import imported again is running again.
    await this.deps.activeJobs.add(paymentImportJobKind, existing.importId, from.at);
    return this.queueChunks({ ...existing, ...from, status: 'validating', errors: [] });
  }

  private async queueChunks(record: PaymentImport): Promise<PaymentImport> {
    const chunks = chunksToQueue(record);
    await this.deps.queue.enqueue(chunks.map((chunk) => ({ importId: record.importId, chunk })));
    const at = this.deps.now().toISOString();
    if (isDone(record)) {
      // Nothing left to book (an empty file, or every chunk done before a restart).
      await this.complete(record);
    } else {
      await this.deps.repo.markBooking(record.importId, at);
    }
    return (await this.deps.repo.getImport(record.importId)) ?? record;
  }

  /** Every chunk is booked: the ledger is current, then the import is completed (a crash between them repeats both). */
  private async complete(record: Pick<PaymentImport, 'importId' | 'latestValueDate'>): Promise<void> {
    await this.deps.fileBooked(record.latestValueDate);
    await this.deps.repo.completeImport(record.importId, this.deps.now().toISOString());
  }

  async getImport(importId: string): Promise<PaymentImport> {
    const record = await this.deps.repo.getImport(importId);
    if (!record) throw new NotFoundError('No such payment import.');
    return record;
  }

  /**
   * Books one chunk; safe to deliver twice (or twice at once). `lastAttempt`: the queue gives
   * up after this delivery, so a failure marks the import failed before it is thrown.
   */
  async processChunk(job: PaymentChunkJob, options: { lastAttempt: boolean }): Promise<void> {
    const record = await this.deps.repo.getImport(job.importId);
    // Nothing to book for an import that does not exist; a failed one books no more chunks
    // until it is imported again (which queues the chunks not done).
    if (!record || record.status === 'failed') return;
    if (record.doneChunks.includes(job.chunk)) {
      // Counted before (a crash may have come between counting the last chunk and completing).
      if (isDone(record)) await this.complete(record);
      return;
    }
    try {
      const entries = await this.entriesOf(record);
      if (!entries) return;
      const counts = await this.deps.book(chunkOf(entries, job.chunk, record.chunkSize), record.importId);
      const after = await this.deps.repo.recordChunk(record.importId, job.chunk, counts, this.deps.now().toISOString());
      const latest = after ?? (await this.deps.repo.getImport(record.importId));
      if (latest && isDone(latest)) await this.complete(latest);
    } catch (error) {
      if (options.lastAttempt) {
        await this.deps.repo.failImport(record.importId, {
          path: `chunk ${job.chunk}`,
          message: `could not be booked (${(error as Error)?.name ?? 'error'}), not even after retries; import the file again to book the chunks left`,
        }, this.deps.now().toISOString());
      }
      throw error;
    }
  }

  /** The import's entries: the same bytes it validated (pinned by ETag, checked by SHA-256), parsed once per warm worker. */
  private entriesOf(record: PaymentImport): Promise<BookingEntry[] | undefined> {
    if (this.parsed?.importId !== record.importId) {
      const entries = this.readEntries(record);
      this.parsed = { importId: record.importId, entries };
      // Not kept when it failed: the next chunk reads again.
      const forget = () => {
        if (this.parsed?.entries === entries) this.parsed = undefined;
      };
      entries.then((found) => {
        if (!found) forget();
      }, forget);
    }
    return this.parsed.entries;
  }

  private async readEntries(record: PaymentImport): Promise<BookingEntry[] | undefined> {
    const file = await this.deps.store.read(record.objectKey, { ifMatch: record.etag, maxBytes: this.deps.maxFileBytes });
    if (!file.found || sha256Of(file.bytes) !== record.sha256) {
      // Not the bytes that were validated: book nothing from them (a retry would not help).
      await this.deps.repo.failImport(record.importId, {
        path: 'uploadId',
        message: file.found || file.reason === 'changed'
          ? 'the uploaded file was replaced after the import began; upload the file again and import it'
          : 'the uploaded file is gone (uploads expire); upload the file again and import it',
      }, this.deps.now().toISOString());
      return undefined;
    }
    const report = parsePaymentFile(file.bytes);
    if (report.errors.length > 0) throw new Error('a validated payment file no longer parses');
    return bookingEntries(report);
  }
}
