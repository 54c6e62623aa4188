// Large payment files (R-SE-13): chunking, the import's states, and chunks delivered more than once.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { BookingCounts, BookingEntry } from '../../../lambdas/domain/billing/payment-booking.js';
import {
  chunkCount,
  chunkOf,
  chunksToQueue,
  importIdOf,
  isDone,
  onImportAgain,
  PaymentImports,
  sha256Of,
  type PaymentChunkJob,
  type PaymentFileStore,
  type PaymentImport,
  type PaymentImportRepository,
  type PaymentUpload,
  type StoredFile,
} from '../../../lambdas/domain/billing/payment-imports.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../../lambdas/domain/errors.js';
import { buildBgMaxFile } from '../../../lambdas/domain/payments/bgmax.js';
import { JobSweeper, memoryActiveJobs } from '../../../lambdas/domain/jobs/sweeper.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/payments/${name}`, import.meta.url));
const admin = { subject: 'admin-1', role: 'admin' as const };
const file = (count: number, date = '2027-01-20') =>
  buildBgMaxFile(Array.from({ length: count }, (_, i) => ({ reference: String(1_000_000 + i), amountOre: 100 + i })), { bankgiro: '5050-1055', date });

/** The repository's conditions, in memory. */
class MemoryImports implements PaymentImportRepository {
  readonly uploads = new Map<string, PaymentUpload>();
  readonly imports = new Map<string, PaymentImport>();
  async putUpload(upload: PaymentUpload) {
    this.uploads.set(upload.uploadId, upload);
  }
  async getUpload(uploadId: string) {
    return this.uploads.get(uploadId);
  }
  async getImport(importId: string) {
    const record = this.imports.get(importId);
    return record && structuredClone(record);
  }
  async createImport(record: PaymentImport) {
    if (this.imports.has(record.importId)) return false;
    this.imports.set(record.importId, structuredClone(record));
    return true;
  }
  private update(importId: string, when: (r: PaymentImport) => boolean, change: (r: PaymentImport) => void) {
    const record = this.imports.get(importId);
    if (!record || !when(record)) return false;
    change(record);
    return true;
  }
  async restartImport(importId: string, from: { uploadId: string; objectKey: string; etag: string; at: string }, before: { validating: string; booking: string }) {
    const stalled = (r: PaymentImport) =>
      r.status === 'failed' || (r.status === 'validating' && r.updatedAt < before.validating) || (r.status === 'booking' && r.updatedAt < before.booking);
    return this.update(importId, stalled, (r) => {
      Object.assign(r, { status: 'validating', errors: [], uploadId: from.uploadId, objectKey: from.objectKey, etag: from.etag, updatedAt: from.at });
    });
  }
  async markBooking(importId: string, at: string) {
    return this.update(importId, (r) => r.status === 'validating', (r) => Object.assign(r, { status: 'booking', updatedAt: at }));
  }
  async recordChunk(importId: string, chunk: number, counts: BookingCounts, at: string) {
    const counted = this.update(importId, (r) => !r.doneChunks.includes(chunk), (r) => {
      r.updatedAt = at;
      r.doneChunks.push(chunk);
      r.chunksDone++;
      r.booked += counts.payments;
      r.matched += counts.matched;
      r.unmatched += counts.unmatched;
      r.overpaid += counts.overpaid;
      r.alreadyImported += counts.alreadyImported;
      r.deductionsRecorded += counts.deductions;
      r.otherCurrency += counts.otherCurrency;
    });
    return counted ? this.getImport(importId) : undefined;
  }
  async completeImport(importId: string) {
    return this.update(importId, isDone, (r) => void (r.status = 'completed'));
  }
  async failImport(importId: string, error: FieldError) {
    this.update(importId, (r) => r.status !== 'completed', (r) => {
      r.status = 'failed';
      r.errors.push(error);
    });
  }
}

class MemoryStore implements PaymentFileStore {
  readonly objects = new Map<string, Uint8Array>();
  etagOf = (bytes: Uint8Array) => `"${sha256Of(bytes).slice(0, 8)}"`;
  async uploadUrl(objectKey: string, seconds: number) {
    return { url: `memory://${objectKey}`, expiresAt: new Date(Date.parse('2027-01-20T08:00:00Z') + seconds * 1000).toISOString() };
  }
  async read(objectKey: string, options: { ifMatch?: string; maxBytes: number }): Promise<StoredFile> {
    const bytes = this.objects.get(objectKey);
    if (!bytes) return { found: false, reason: 'missing' };
    if (bytes.byteLength > options.maxBytes) return { found: false, reason: 'too_large', size: bytes.byteLength };
    if (options.ifMatch && options.ifMatch !== this.etagOf(bytes)) return { found: false, reason: 'changed' };
    return { found: true, bytes, etag: this.etagOf(bytes) };
  }
  async put(objectKey: string, bytes: Uint8Array) {
    this.objects.set(objectKey, bytes);
  }
}

function setUp(options: { chunkSize?: number; inlineEntries?: number; failChunk?: (chunk: BookingEntry[]) => boolean } = {}) {
  const repo = new MemoryImports();
  const store = new MemoryStore();
  const queued: PaymentChunkJob[] = [];
  const booked: { entries: readonly BookingEntry[]; importId: string }[] = [];
  const ledgerDates: string[] = [];
  let id = 0;
  const clock = { now: new Date('2027-01-20T08:00:00Z') };
  const activeJobs = memoryActiveJobs();
  const imports = new PaymentImports({
    repo,
    store,
    queue: { enqueue: async (jobs) => void queued.push(...jobs) },
    book: async (entries, importId) => {
      if (options.failChunk?.([...entries])) throw new Error('DynamoDB is down');
      booked.push({ entries, importId });
      return { payments: entries.filter((e) => e.kind === 'payment').length, matched: entries.length, unmatched: 0, overpaid: 0, alreadyImported: 0, deductions: 0, otherCurrency: 0 };
    },
    fileBooked: async () => void ledgerDates.push(clock.now.toISOString().slice(0, 10)),
    now: () => clock.now,
    newId: (prefix) => `${prefix}_${String(++id).padStart(16, '0')}`,
    chunkSize: options.chunkSize ?? 2,
    uploadUrlSeconds: 900,
    maxFileBytes: 64 * 1024,
    inlineEntries: options.inlineEntries ?? 3,
    activeJobs,
  });
  const upload = async (bytes: Uint8Array) => {
    const { uploadId } = await imports.createUpload(admin);
    store.objects.set(`uploads/${uploadId}`, bytes);
    return uploadId;
  };
  /** Delivers every queued job once, in order, as the queue would (the last attempt each time). */
  const drain = async (lastAttempt = false) => {
    while (queued.length > 0) {
      const job = queued.shift()!;
      await imports.processChunk(job, { lastAttempt }).catch(() => undefined);
    }
  };
  return { repo, store, queued, booked, imports, upload, drain, clock, ledgerDates, activeJobs };
}

describe('chunking', () => {
  it('cuts every entry into exactly one chunk, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 1, max: 600 }), (entries, size) => {
        const all = Array.from({ length: entries }, (_, i) => i);
        const chunks = Array.from({ length: chunkCount(entries, size) }, (_, c) => chunkOf(all, c, size));
        expect(chunks.flat()).toEqual(all);
        expect(chunks.every((chunk) => chunk.length >= 1 && chunk.length <= size)).toBe(true);
      }),
    );
  });

  it('queues again only the chunks not done', () => {
    expect(chunksToQueue({ chunks: 5, doneChunks: [0, 3] })).toEqual([1, 2, 4]);
    expect(chunksToQueue({ chunks: 0, doneChunks: [] })).toEqual([]);
  });

  it('derives the import id from the bytes alone', () => {
    const bytes = file(3);
    expect(importIdOf(sha256Of(bytes))).toBe(importIdOf(sha256Of(Buffer.from(bytes))));
    expect(importIdOf(sha256Of(bytes))).toMatch(/^imp_[0-9a-f]{32}$/);
    expect(importIdOf(sha256Of(file(3, '2027-01-21')))).not.toBe(importIdOf(sha256Of(bytes)));
  });

  it('answers a second import of a completed or progressing import, and restarts a failed or stalled one', () => {
    const now = new Date('2027-01-20T12:00:00Z');
    const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
    expect(onImportAgain({ status: 'completed', updatedAt: ago(600) }, now)).toBe('answer');
    expect(onImportAgain({ status: 'booking', updatedAt: ago(14) }, now)).toBe('answer');
    expect(onImportAgain({ status: 'booking', updatedAt: ago(16) }, now)).toBe('restart');
    expect(onImportAgain({ status: 'validating', updatedAt: ago(0.5) }, now)).toBe('answer');
    expect(onImportAgain({ status: 'validating', updatedAt: ago(2) }, now)).toBe('restart');
    expect(onImportAgain({ status: 'failed', updatedAt: ago(0) }, now)).toBe('restart');
    expect(isDone({ status: 'booking', chunks: 2, chunksDone: 2 })).toBe(true);
    expect(isDone({ status: 'failed', chunks: 2, chunksDone: 2 })).toBe(false);
    expect(isDone({ status: 'booking', chunks: 2, chunksDone: 1 })).toBe(false);
  });
});

describe('PaymentImports', () => {
  it('validates the whole file, records the import and queues one message per chunk', async () => {
    // Prepare
    const { imports, upload, queued, repo } = setUp({ chunkSize: 2 });
    const bytes = file(5);

    // Act
    const started = await imports.startImport(admin, await upload(bytes));

    // Assess
    expect(started).toMatchObject({ importId: importIdOf(sha256Of(bytes)), status: 'booking', payments: 5, chunks: 3, chunksDone: 0, format: 'bgmax' });
    expect(queued).toEqual([0, 1, 2].map((chunk) => ({ importId: started.importId, chunk })));
    expect(repo.imports.size).toBe(1);
  });

  it('books each chunk once and completes with the last one (the ledger is then current); a chunk delivered again books nothing', async () => {
    // Prepare
    const { imports, upload, queued, booked, drain, ledgerDates } = setUp({ chunkSize: 2 });
    const started = await imports.startImport(admin, await upload(file(5)));
    const again = [...queued];

    // Act
    await drain();
    for (const job of again) await imports.processChunk(job, { lastAttempt: false });
    const done = await imports.getImport(started.importId);

    // Assess
    expect(booked.map((b) => b.entries.length)).toEqual([2, 2, 1]);
    expect(booked.every((b) => b.importId === started.importId)).toBe(true);
    expect(done).toMatchObject({ status: 'completed', booked: 5, chunksDone: 3, doneChunks: [0, 1, 2] });
    expect(ledgerDates).toEqual(['2027-01-20']);
  });

  it('counts a chunk booked twice at once (both before either counted) once', async () => {
    // Prepare
    const { imports, upload, queued, booked } = setUp({ chunkSize: 10 });
    const started = await imports.startImport(admin, await upload(file(4)));

    // Act
    await Promise.all([imports.processChunk(queued[0]!, { lastAttempt: false }), imports.processChunk(queued[0]!, { lastAttempt: false })]);

    // Assess: booked twice (the booking itself is idempotent), counted once
    expect(booked).toHaveLength(2);
    expect(await imports.getImport(started.importId)).toMatchObject({ status: 'completed', booked: 4, chunksDone: 1 });
  });

  it('the same bytes from another upload are the same import; nothing is queued twice', async () => {
    // Prepare
    const { imports, upload, queued, drain } = setUp();
    const bytes = file(3);
    const first = await imports.startImport(admin, await upload(bytes));
    await drain();

    // Act
    const second = await imports.startImport(admin, await upload(Buffer.from(bytes)));

    // Assess
    expect(second.importId).toBe(first.importId);
    expect(second.status).toBe('completed');
    expect(queued).toEqual([]);
  });

  it('a file in a request body: booked inside the request when small, imported in chunks when larger (the same import as an upload of the same bytes)', async () => {
    // Prepare
    const { imports, upload, queued, drain, repo } = setUp({ chunkSize: 2, inlineEntries: 3 });
    const large = file(5);

    // Act
    const small = await imports.importBody(admin, file(3));
    const body = await imports.importBody(admin, large);
    const bodyAgain = await imports.importBody(admin, large);
    const byUpload = await imports.startImport(admin, await upload(large));
    await drain();

    // Assess
    expect(small).toEqual({ inline: true });
    expect(body).toMatchObject({ inline: false, started: { importId: importIdOf(sha256Of(large)), status: 'booking', payments: 5, chunks: 3 } });
    expect(bodyAgain).toMatchObject({ inline: false, started: { importId: importIdOf(sha256Of(large)) } });
    expect(byUpload.importId).toBe(importIdOf(sha256Of(large)));
    expect(queued).toEqual([]);
    expect(repo.imports.size).toBe(1);
    expect(await imports.getImport(byUpload.importId)).toMatchObject({ status: 'completed', booked: 5 });
  });

  it('refuses a broken file in a request body whole, naming its lines, and stores nothing', async () => {
    // Prepare
    const { imports, store, repo } = setUp({ inlineEntries: 0 });

    // Act
    const refused = await imports.importBody(admin, fixture('bgmax-truncated.txt')).catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).errors.some((e) => /^line \d+$/.test(e.path))).toBe(true);
    expect(store.objects.size).toBe(0);
    expect(repo.imports.size).toBe(0);
  });

  it('refuses a broken file whole, naming its lines, and records nothing', async () => {
    // Prepare
    const { imports, upload, queued, repo } = setUp();

    // Act
    const refused = await imports.startImport(admin, await upload(fixture('bgmax-truncated.txt'))).catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).message).toMatch(/nothing was booked/);
    expect((refused as ValidationError).errors.some((e) => /^line \d+$/.test(e.path))).toBe(true);
    expect(repo.imports.size).toBe(0);
    expect(queued).toEqual([]);
  });

  it('names uploadId: unknown (404), nothing uploaded (409), too large (422)', async () => {
    // Prepare
    const { imports, store } = setUp();
    const { uploadId } = await imports.createUpload(admin);

    // Act
    const unknown = await imports.startImport(admin, 'upl_9999999999999999').catch((error: unknown) => error);
    const empty = await imports.startImport(admin, uploadId).catch((error: unknown) => error);
    store.objects.set(`uploads/${uploadId}`, new Uint8Array(64 * 1024 + 1));
    const large = await imports.startImport(admin, uploadId).catch((error: unknown) => error);

    // Assess
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as NotFoundError).errors[0]?.path).toBe('uploadId');
    expect(empty).toBeInstanceOf(ConflictError);
    expect((empty as ConflictError).errors[0]?.path).toBe('uploadId');
    expect(large).toBeInstanceOf(ValidationError);
    expect((large as ValidationError).errors[0]?.message).toMatch(/65537 bytes; at most 65536/);
  });

  it('a chunk that fails on its last delivery fails the import (no more chunks are booked); importing again books the chunks left', async () => {
    // Prepare: the chunk holding payment 3 fails until the "database" is back
    let down = true;
    const holds3 = (chunk: BookingEntry[]) => down && chunk.some((e) => e.kind === 'payment' && e.payment.reference === '1000002');
    const { imports, upload, queued, booked, drain } = setUp({ chunkSize: 2, failChunk: holds3 });
    const bytes = file(5);
    const started = await imports.startImport(admin, await upload(bytes));

    // Act
    await drain(true);
    const failed = await imports.getImport(started.importId);
    down = false;
    const again = await imports.startImport(admin, await upload(bytes));
    const requeued = [...queued];
    await drain();
    const done = await imports.getImport(started.importId);

    // Assess
    expect(failed).toMatchObject({ status: 'failed', chunksDone: 1, doneChunks: [0], errors: [expect.objectContaining({ path: 'chunk 1' })] });
    expect(again.importId).toBe(started.importId);
    expect(requeued).toEqual([1, 2].map((chunk) => ({ importId: started.importId, chunk })));
    expect(done).toMatchObject({ status: 'completed', booked: 5, chunksDone: 3, errors: [] });
    expect(booked.map((b) => b.entries.length)).toEqual([2, 2, 1]);
  });

  it('chunks lost (an in-process queue stopped with npm start): the same file again queues them once 15 minutes passed without progress', async () => {
    // Prepare
    const { imports, upload, queued, drain, clock } = setUp({ chunkSize: 2 });
    const bytes = file(5);
    const started = await imports.startImport(admin, await upload(bytes));
    await imports.processChunk(queued.shift()!, { lastAttempt: false });
    queued.length = 0; // the rest are lost

    // Act
    clock.now = new Date('2027-01-20T08:14:00Z');
    const early = await imports.startImport(admin, await upload(bytes));
    const queuedEarly = queued.length;
    clock.now = new Date('2027-01-20T08:16:00Z');
    const late = await imports.startImport(admin, await upload(bytes));
    const requeued = [...queued];
    await drain();

    // Assess
    expect(early).toMatchObject({ status: 'booking', chunksDone: 1 });
    expect(queuedEarly).toBe(0);
    expect(late.importId).toBe(started.importId);
    expect(requeued).toEqual([1, 2].map((chunk) => ({ importId: started.importId, chunk })));
    expect(await imports.getImport(started.importId)).toMatchObject({ status: 'completed', booked: 5, chunksDone: 3 });
  });

  it('chunks lost: the sweeper queues them again once the import made no progress for 15 minutes, with no request from anyone', async () => {
    // Prepare
    const { imports, upload, queued, drain, clock, activeJobs } = setUp({ chunkSize: 2 });
    const started = await imports.startImport(admin, await upload(file(5)));
    await imports.processChunk(queued.shift()!, { lastAttempt: false });
    queued.length = 0; // the rest are lost
    const sweeper = new JobSweeper([imports.resumable]);

    // Act
    clock.now = new Date('2027-01-20T08:14:00Z');
    const early = await sweeper.sweep(clock.now);
    clock.now = new Date('2027-01-20T08:16:00Z');
    const late = await sweeper.sweep(clock.now);
    const requeued = [...queued];
    await drain();
    const after = await sweeper.sweep(new Date('2027-01-21T08:00:00Z'));

    // Assess
    expect(early.resumed).toEqual([]);
    expect(late.resumed).toEqual([{ kind: 'payment-import', jobId: started.importId, requeued: 2 }]);
    expect(requeued).toEqual([1, 2].map((chunk) => ({ importId: started.importId, chunk })));
    expect(await imports.getImport(started.importId)).toMatchObject({ status: 'completed', booked: 5, chunksDone: 3 });
    // Completed: off the active list, never queued again.
    expect(after.resumed).toEqual([]);
    expect(await activeJobs.list('payment-import')).toEqual([]);
  });

  it('the sweeper leaves a failed import to a person (its errors say why)', async () => {
    // Prepare: a chunk that fails on its last delivery
    const { imports, upload, drain, clock, queued } = setUp({ chunkSize: 2, failChunk: (chunk) => chunk.length === 1 });
    const started = await imports.startImport(admin, await upload(file(5)));
    await drain(true);
    // Act
    clock.now = new Date('2027-01-21T08:00:00Z');
    const swept = await new JobSweeper([imports.resumable]).sweep(clock.now);
    // Assess
    expect(swept.resumed).toEqual([]);
    expect(queued).toEqual([]);
    expect(await imports.getImport(started.importId)).toMatchObject({ status: 'failed' });
  });

  it('books nothing from a file replaced after the import began (pinned by its ETag)', async () => {
    // Prepare
    const { imports, upload, store, booked, drain } = setUp();
    const uploadId = await upload(file(3));
    const started = await imports.startImport(admin, uploadId);
    store.objects.set(`uploads/${uploadId}`, file(3, '2027-02-01'));

    // Act
    await drain();

    // Assess
    expect(booked).toEqual([]);
    expect(await imports.getImport(started.importId)).toMatchObject({
      status: 'failed', chunksDone: 0, errors: [expect.objectContaining({ path: 'uploadId', message: expect.stringMatching(/replaced/) })],
    });
  });

  it('an empty file completes at once', async () => {
    // Prepare
    const { imports, upload, queued } = setUp();

    // Act
    const started = await imports.startImport(admin, await upload(file(0)));

    // Assess
    expect(started).toMatchObject({ status: 'completed', payments: 0, chunks: 0 });
    expect(queued).toEqual([]);
  });
});
