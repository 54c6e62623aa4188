/**
 * Outage alerts (R-SMS-1..8, R-COM-1..2): the address register, self-service
 * subscriptions and opt-outs, outages with their recipients, paced idempotent sending,
 * follow-ups, the public feed and crowd reports.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../actor.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../errors.js';
import { toE164 } from '../phone.js';
import { addressKey } from './address.js';
import { areaIndexKeys, addressInArea, validateArea } from './area.js';
import { countSendChunk } from './chunk-counts.js';
import { renderCapAlert, renderCapAtomFeed, defaultCapSeverity, defaultCapUrgency, type CapAlertInput } from './cap.js';
import { clusterReports, type ReportCluster } from './clusters.js';
import { checkSegmentLimit, composeAlert, composeVoice, categoryLabel, languageTags } from './compose.js';
import { jobIdFor, type Job, type JobRepository } from '../jobs/job.js';
import type { SendChunk } from './ports.js';
import type {
  AddressRecord,
  AlertJobMessage,
  AlertJobQueue,
  AlertRepository,
  CrowdReportRecord,
  Outage,
  OutageMessage,
  Recipient,
  RegisterFileStore,
  SendQueue,
  SmsSender,
  Subscription,
  VoiceSender,
} from './ports.js';
import { registerUploadPrefix, RetryableSendError, SendFailure } from './ports.js';
import { sendTimeFor } from './quiet-hours.js';
import { parseAddressRegisterCsv } from './register-csv.js';
import { estimateCost, measureSms } from './sms-encoding.js';
import type { CreateOutageRequest } from './schemas.js';
import { urgentCategories, type Language, type OutageArea, type Position, type PropertyAddress } from './types.js';
import { noBusinessMetrics, type BusinessMetrics } from '../metrics.js';

export interface AlertSettings {
  /** R-SMS-7: who sends, and where to read more. */
  readonly department: string;
  readonly infoUrl: string;
  readonly contact: string;
  readonly capSender: string;
  readonly country: 'SE' | 'FI' | 'NO';
  readonly zone: string;
  readonly defaultLanguage: Language;
  readonly maxSegments: number;
  /**
   * Message parts per second per origination identity, shared by every worker sending at
   * once (a 2-part SMS costs 2; a voice call 1 of the voice identity's), as End User
   * Messaging SMS counts its throughput.
   */
  readonly sendRatePerSecond: number;
  /** The origination identity the SMS go out from (the budget's key); `sms` when unnamed. */
  readonly originationIdentity?: string;
  readonly pricePerSegment: { amount: number; currency: 'SEK' | 'EUR' | 'NOK' };
  /** R-COM-1: crowd reports per client and hour. */
  readonly reportsPerClientPerHour: number;
}

export interface AlertDeps {
  readonly repo: AlertRepository;
  readonly sms: SmsSender;
  readonly voice: VoiceSender;
  readonly queue: SendQueue;
  /** Jobs (GET /v1/jobs/{jobId}) and the background queue that runs the large ones. */
  readonly jobs: JobRepository;
  readonly jobQueue: AlertJobQueue;
  /** Areas with at most this many addresses run inline (default inlineAddressBudget). */
  readonly inlineAddressBudget?: number;
  /** Register files with at most this many rows are written inline (default inlineRegisterRows). */
  readonly inlineRegisterRows?: number;
  readonly now: () => Date;
  readonly newId: (prefix: string) => string;
  readonly settings: AlertSettings;
  /** Tells mobile numbers from fixed lines (R-SMS-8). */
  readonly canReceiveSms: (e164: string) => boolean;
  /** Waits between sends to keep the pace; real time in both runtimes. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Real time in ms (the pace's clock; the local clock does not pace sending). */
  readonly wallClock?: () => number;
  /** Recipients per send chunk (one queue message each; default sendChunkSize). */
  readonly sendChunkSize?: number;
  /**
   * Where register files are uploaded (POST /v1/address-register/uploads); only the functions
   * that hand out upload URLs or import an upload are given one.
   */
  readonly registerFiles?: RegisterFileStore;
  /** How long a register upload URL is valid (default registerUploadUrlSeconds). */
  readonly registerUploadUrlSeconds?: number;
  /** Outages created and messages sent, counted (default: nothing counted). */
  readonly metrics?: BusinessMetrics;
}

/**
 * Recipients per send chunk. A chunk at the slowest pace (1 part a second, 3-part messages)
 * takes 750 s, inside the sending function's 15 minutes; at real paces a few seconds.
 */
export const sendChunkSize = 250;

/** A chunk worker stops claiming this long before its function's deadline and queues the rest again. */
const deadlineMarginMs = 30_000;

/** Messages whose parts a sending worker takes from the pace's budget with one write. */
const reserveMessagesAtOnce = 10;

/** A chunk's counters are written after every this many sends (and at its end). */
const countersEvery = 50;

const languages: readonly Language[] = ['sv', 'fi', 'nb', 'en'];

/** The voice service has no Finnish text-to-speech voice; Finnish voice calls are read in English. */
const voiceLanguage = (language: Language): Language => (language === 'fi' ? 'en' : language);

/** A `sending` claim older than this was cut off by a crash: it is not sent again (never twice). */
const interruptedAfterMs = 5 * 60_000;

/**
 * An outage whose area holds at most this many register addresses is resolved and released
 * inside its request (201); a larger one answers 202 and runs in the background function.
 * Both run the same job code (runOutageJob).
 */
export const inlineAddressBudget = 500;

/** A queued or running job untouched this long is handed to the queue again when its request is retried. */
const jobStalledAfterMs = 15 * 60_000;

export const registerImportJobKind = 'register-import';

let generationSequence = 0;

/** A file of at most this many rows is written inside its request (through the same chunks). */
export const inlineRegisterRows = 2_000;

/** Rows per register chunk: 1,000 rows of some 150 bytes, far under DynamoDB's 400 KB item. */
export const registerChunkRows = 1_000;
/** …and at most this many bytes of JSON (a chunk item's rows). */
export const registerChunkBytes = 200_000;

/**
 * The largest register file imported from an upload (some 280,000 rows): read and parsed whole,
 * in memory, by the alert job worker, the 512 MB sending function. Measured (the parse and the
 * chunks' JSON, on top of the function's own ~100 MB): 150,000 rows (6.2 MB) take some 150 MB
 * and 5 s, 700,000 rows (29.5 MB) some 600 MB, more than the function has. A larger register
 * needs a streaming parse (or more memory), not a larger number here.
 */
export const maxRegisterFileBytes = 12 * 1024 * 1024;
/** How long a register upload URL is valid. */
export const registerUploadUrlSeconds = 15 * 60;
/**
 * An uploaded file's rejected lines kept on its job (`errors`): the first this many, then one
 * line counting the rest (`result.rejected` counts them all), so the job item stays far under
 * DynamoDB's 400 KB however bad the file.
 */
export const rejectedLinesKept = 100;
/** A rejected line's reason is cut to this many characters on the job. */
const rejectedReasonChars = 300;

/** A register row as a chunk stores it: [phone, addressKey, address, location?]. */
type StoredRegisterRow = [string, string, PropertyAddress, Position?];

export interface RegisterImportInput {
  generation: string;
  chunks: number;
  rows: number;
  rejected: number;
  /**
   * An uploaded file (`POST /v1/address-register/imports` `{ uploadId }`): the alert job worker
   * reads it (that version only: `etag`) and parses it; until then chunks, rows and rejected are 0.
   */
  upload?: { uploadId: string; objectKey: string; etag: string; bytes: number };
  /** The uploaded file is parsed, its chunks written and counted in `chunks`, `rows`, `rejected`. */
  parsed?: boolean;
}

/**
 * The messages that carry a register import on: the parse of its uploaded file while that has
 * not been recorded, else every chunk (a chunk counted before is not counted again).
 */
export function registerImportWork(jobId: string, input: RegisterImportInput): AlertJobMessage[] {
  if (input.upload && !input.parsed) return [{ jobId, parse: true }];
  return Array.from({ length: input.chunks }, (_, chunk) => ({ jobId, chunk }));
}

/** The rejected lines as job errors: the first `rejectedLinesKept`, then a count of the rest. */
function rejectedLineErrors(rejected: readonly { line: number; reason: string }[]): { line?: number; message: string }[] {
  const kept = rejected.slice(0, rejectedLinesKept).map(({ line, reason }) => ({
    line, message: `line ${line}: ${reason.length > rejectedReasonChars ? `${reason.slice(0, rejectedReasonChars - 1)}…` : reason}`,
  }));
  const more = rejected.length - kept.length;
  return more > 0 ? [...kept, { message: `and ${more} more rejected lines (result.rejected counts them all)` }] : kept;
}

type RegisterRow = { line: number; phone: string; key: string; address: PropertyAddress; location?: Position };

/**
 * The rows in chunks, every address's rows in one chunk (its index entries carry all its
 * phones: a chunk writes them whole). At most `registerChunkRows` rows and `registerChunkBytes`
 * a chunk, so no chunk item comes near DynamoDB's 400 KB; an address with more rows than one
 * chunk holds has the rest refused (`overflow`).
 */
function registerChunks(rows: readonly RegisterRow[]): { chunks: StoredRegisterRow[][]; kept: number; overflow: { line: number; reason: string }[] } {
  const byAddress = new Map<string, RegisterRow[]>();
  for (const row of rows) {
    const group = byAddress.get(row.key);
    if (group) group.push(row);
    else byAddress.set(row.key, [row]);
  }
  const chunks: StoredRegisterRow[][] = [];
  const overflow: { line: number; reason: string }[] = [];
  let chunk: StoredRegisterRow[] = [];
  let bytes = 0;
  let kept = 0;
  for (const group of byAddress.values()) {
    const stored: StoredRegisterRow[] = [];
    let groupBytes = 0;
    for (const row of group) {
      const entry: StoredRegisterRow = row.location ? [row.phone, row.key, row.address, row.location] : [row.phone, row.key, row.address];
      const size = Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;
      if (stored.length >= registerChunkRows || groupBytes + size > registerChunkBytes) {
        overflow.push({ line: row.line, reason: `more than ${stored.length} phones registered at one address (${row.address.street} ${row.address.number}); the rest of its rows are not imported` });
        continue;
      }
      stored.push(entry);
      groupBytes += size;
    }
    if (chunk.length > 0 && (chunk.length + stored.length > registerChunkRows || bytes + groupBytes > registerChunkBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(...stored);
    bytes += groupBytes;
    kept += stored.length;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return { chunks, kept, overflow };
}

/** What an outage job needs: the validated request, the id given at once, who and when. */
export interface OutageJobInput {
  request: CreateOutageRequest;
  outageId: string;
  createdBy: string;
  createdAt: string;
  /** Its recipients, once resolved (recorded once): where their pages are and how many. */
  resolution?: OutageResolution;
}

/** An outage job's resolved recipients: `pages` items of `RESOLVED#<attempt>#<page>`. */
export interface OutageResolution {
  attempt: string;
  pages: number;
  recipients: number;
  optedOut: number;
}

/**
 * Send chunks in one page of an outage job's resolved recipients: one page worker looks up
 * 4,000 phones' languages and writes their recipients (some 8,000 DynamoDB calls, well inside
 * a function's 15 minutes), and the page item (phones as JSON, ~80 KB) stays far under 400 KB.
 */
export const resolvedPageChunks = 16;

const pagePart = (page: number) => `page#${page}`;

export interface OutageCreated {
  outageId: string;
  recipients: number;
  optedOut: number;
  segments: number;
  encoding: string;
  estimatedCost: { amount: number; currency: string };
  sendAt: string;
  held: boolean;
  heldReason?: string;
}

export function subscriptionId(phone: string, key: string, source: 'register' | 'self'): string {
  return `sub_${createHash('sha256').update(`${phone}|${key}|${source}`).digest('hex').slice(0, 20)}`;
}

function describeArea(area: OutageArea): string {
  const parts: string[] = [];
  for (const street of area.streets ?? []) {
    const range = street.from !== undefined || street.to !== undefined ? ` ${street.from ?? ''}–${street.to ?? ''}` : '';
    parts.push(`${street.street}${range}${street.side ? ` (${street.side})` : ''}${street.city ? `, ${street.city}` : ''}`);
  }
  for (const address of area.addresses ?? []) parts.push(`${address.street} ${address.number}${address.letter ?? ''}, ${address.city}`);
  for (const code of area.postalCodes ?? []) parts.push(code);
  if (area.polygon) parts.push('marked area');
  return parts.slice(0, 10).join('; ') + (parts.length > 10 ? ` and ${parts.length - 10} more` : '');
}

export class OutageAlerts {
  constructor(private readonly deps: AlertDeps) {}

  private get metrics(): BusinessMetrics {
    return this.deps.metrics ?? noBusinessMetrics;
  }

  private nowIso(): string {
    return this.deps.now().toISOString();
  }

  private phone(input: string, path = 'phone'): string {
    return toE164(input, this.deps.settings.country, path);
  }

  /** A `customer` token acts only for its own verified phone number. */
  private assertActsFor(actor: Actor, phone: string): void {
    if (actor.role === 'customer' && actor.verifiedPhone !== phone) {
      throw new ForbiddenError('A customer may act only for its own verified phone number.', [
        { path: 'phone', message: 'not your verified phone number' },
      ]);
    }
  }

  // ---- the address register (R-SMS-2) ------------------------------------------------

  /**
   * Replaces the register's entries with this file's; self-added entries stay. The request
   * reads and checks the whole file (the rejected lines are its answer), stores the good rows
   * in chunks (`REGIMPORT#<jobId>` items, each well under 400 KB) and records the job; then
   * each chunk is written by a worker (`importRegisterChunk`, on the alert job queue), and the
   * last chunk counted switches the register to the new generation. A file of at most
   * `inlineRegisterRows` rows is written inside the request, through the same chunks; a larger
   * one answers `queued` with the job (GET /v1/jobs/{jobId}). The same `Idempotency-Key` again
   * finds the same job: never a second import.
   */
  async importRegister(
    file: Uint8Array,
    options: { actor?: Actor; idempotencyKey?: string } = {},
  ): Promise<{ jobId: string; status: Job['status']; imported: number; rejected: { line: number; reason: string }[]; generation: string }> {
    const parsed = parseAddressRegisterCsv(file, this.deps.settings.country);
    const { chunks, kept, overflow } = registerChunks(parsed.rows);
    const rejected = [...parsed.rejected, ...overflow].sort((a, b) => a.line - b.line);
    const by = options.actor?.subject ?? 'system';
    const jobId = jobIdFor(registerImportJobKind, by, options.idempotencyKey, this.deps.newId);
    const existing = await this.deps.jobs.getJob<RegisterImportInput>(jobId);
    if (existing) {
      await this.resumeIfStalled(existing);
      return { jobId, status: existing.status, imported: existing.input.rows, rejected, generation: existing.input.generation };
    }
    // Ordered by when the import was asked for (real time, then this process's count): the
    // later import is the register, whichever finishes last.
    const wall = new Date((this.deps.wallClock ?? Date.now)()).toISOString();
    const generation = `gen_${wall}_${String(++generationSequence).padStart(9, '0')}_${this.deps.newId('imp')}`;
    // The chunks first: a job never exists without them (a crash before the job leaves
    // unreferenced chunk items, which expire).
    await this.deps.repo.putRegisterChunks(jobId, chunks.map((chunk) => JSON.stringify(chunk)));
    const at = this.nowIso();
    const job: Job<RegisterImportInput> = {
      jobId, kind: registerImportJobKind, status: 'queued',
      progress: { rows: kept, chunks: chunks.length, chunksDone: 0, rowsWritten: 0 },
      errors: [], result: { rejected: rejected.length },
      input: { generation, chunks: chunks.length, rows: kept, rejected: rejected.length }, createdBy: by, createdAt: at, updatedAt: at,
    };
    await this.deps.jobs.createJob(job);
    if (kept <= (this.deps.inlineRegisterRows ?? inlineRegisterRows)) {
      for (let chunk = 0; chunk < chunks.length; chunk++) await this.importRegisterChunk(jobId, chunk);
      if (chunks.length === 0) await this.completeRegisterImport(jobId, job.input);
      const done = await this.deps.jobs.getJob(jobId);
      return { jobId, status: done?.status ?? 'completed', imported: kept, rejected, generation };
    }
    await this.queueRegisterChunks(jobId, chunks.length);
    return { jobId, status: 'queued', imported: kept, rejected, generation };
  }

  /** A register import retried or redelivered: queued again when it has made no progress for `jobStalledAfterMs`. */
  private async resumeIfStalled(job: Job<RegisterImportInput>): Promise<boolean> {
    if (job.status === 'completed' || job.status === 'failed') return false;
    if (Date.parse(job.updatedAt) >= this.deps.now().getTime() - jobStalledAfterMs) return false;
    await Promise.all(registerImportWork(job.jobId, job.input).map((message) => this.deps.jobQueue.enqueueJob(message)));
    return true;
  }

  private registerFiles(): RegisterFileStore {
    if (!this.deps.registerFiles) throw new Error('no register file store configured (REGISTER_UPLOAD_BUCKET)');
    return this.deps.registerFiles;
  }

  /**
   * A URL to PUT a register file to (presigned; a file of any size up to `maxRegisterFileBytes`,
   * past the HTTP request's limit), then `importRegisterUpload` with its uploadId.
   */
  async createRegisterUpload(actor: Actor): Promise<{ uploadId: string; uploadUrl: string; method: 'PUT'; maxBytes: number; expiresAt: string }> {
    const uploadId = this.deps.newId('upl');
    const objectKey = `${registerUploadPrefix}${uploadId}`;
    const { url, expiresAt } = await this.registerFiles().uploadUrl(objectKey, this.deps.registerUploadUrlSeconds ?? registerUploadUrlSeconds);
    await this.deps.repo.putRegisterUpload({ uploadId, objectKey, createdBy: actor.subject, createdAt: this.nowIso(), expiresAt });
    return { uploadId, uploadUrl: url, method: 'PUT', maxBytes: maxRegisterFileBytes, expiresAt };
  }

  /**
   * Imports an uploaded register file as a job, at once: the request only checks that the file
   * is there (its size and version, not its bytes) and records the job with its generation (the
   * time it was asked for, as `importRegister`); the alert job worker reads and parses it
   * (`parseRegisterUpload`), then its chunks are written as a CSV body's are. The same
   * `Idempotency-Key` again finds the same job.
   */
  async importRegisterUpload(uploadId: string, options: { actor?: Actor; idempotencyKey?: string } = {}): Promise<{ jobId: string; status: Job['status'] }> {
    const by = options.actor?.subject ?? 'system';
    const jobId = jobIdFor(registerImportJobKind, by, options.idempotencyKey, this.deps.newId);
    const existing = await this.deps.jobs.getJob<RegisterImportInput>(jobId);
    if (existing) {
      await this.resumeIfStalled(existing);
      return { jobId, status: existing.status };
    }
    const upload = await this.deps.repo.getRegisterUpload(uploadId);
    if (!upload) throw new NotFoundError('No register upload with this uploadId.', [{ path: 'uploadId', message: 'no such upload (POST /v1/address-register/uploads)' }]);
    const file = await this.registerFiles().head(upload.objectKey);
    if (!file.found) {
      throw new ConflictError(
        `Nothing has been uploaded for this uploadId: PUT the file to its uploadUrl (valid until ${upload.expiresAt}) first, or ask for a new one.`,
        [{ path: 'uploadId', message: 'no file uploaded' }],
      );
    }
    if (file.size > maxRegisterFileBytes) {
      throw new ValidationError([{ path: 'uploadId', message: `the file is ${file.size} bytes; at most ${maxRegisterFileBytes}` }], 'The uploaded file is too large to import.');
    }
    if (file.size === 0) throw new ValidationError([{ path: 'uploadId', message: 'the uploaded file is empty' }]);
    const wall = new Date((this.deps.wallClock ?? Date.now)()).toISOString();
    const generation = `gen_${wall}_${String(++generationSequence).padStart(9, '0')}_${this.deps.newId('imp')}`;
    const at = this.nowIso();
    const job: Job<RegisterImportInput> = {
      jobId, kind: registerImportJobKind, status: 'queued', progress: { bytes: file.size }, errors: [], result: {},
      input: { generation, chunks: 0, rows: 0, rejected: 0, upload: { uploadId, objectKey: upload.objectKey, etag: file.etag, bytes: file.size }, parsed: false },
      createdBy: by, createdAt: at, updatedAt: at,
    };
    if (!(await this.deps.jobs.createJob(job))) {
      // The same key at the same moment: the other request queued it.
      return { jobId, status: (await this.deps.jobs.getJob(jobId))?.status ?? 'queued' };
    }
    await this.deps.jobQueue.enqueueJob({ jobId, parse: true });
    return { jobId, status: 'queued' };
  }

  /**
   * The alert job worker's part of an uploaded register (`{ jobId, parse: true }`): reads the
   * file (the version the request saw), parses it as `importRegister` does, writes its chunk
   * items, records rows, rejected lines and chunks on the job once, and queues the chunks.
   * Safe to deliver twice, or twice at once: the same bytes make the same chunk items under the
   * same keys, only one delivery records the parse (JobRepository.setOnce) and queues them,
   * and the generation is the job's, fixed by the request.
   */
  async parseRegisterUpload(jobId: string): Promise<void> {
    const job = await this.deps.jobs.getJob<RegisterImportInput>(jobId);
    if (!job) throw new NotFoundError('No such job.');
    const upload = job.input.upload;
    if (job.status === 'completed' || job.status === 'failed' || !upload) return;
    if (job.input.parsed) {
      // Parsed before: a duplicate delivery, or a redelivery after a worker stopped before
      // queuing every chunk (then the job has made no progress since, and its chunks go again).
      await this.resumeIfStalled(job);
      return;
    }
    const file = await this.registerFiles().read(upload.objectKey, { ifMatch: upload.etag, maxBytes: maxRegisterFileBytes });
    if (!file.found) {
      const message = file.reason === 'changed'
        ? 'uploadId: the uploaded file was replaced after the import began; upload the file again and import it'
        : file.reason === 'too_large'
          ? `uploadId: the file is ${file.size ?? 'more than'} bytes; at most ${maxRegisterFileBytes}`
          : 'uploadId: the uploaded file is gone (uploads expire); upload the file again and import it';
      await this.deps.jobs.updateJob(jobId, { status: 'failed', errors: [{ message }] }, this.nowIso());
      return;
    }
    let parsed: ReturnType<typeof parseAddressRegisterCsv>;
    try {
      parsed = parseAddressRegisterCsv(file.bytes, this.deps.settings.country);
    } catch (error) {
      // A header without a required column: the whole file is refused, as a CSV body is (422).
      if (!(error instanceof ValidationError)) throw error;
      await this.deps.jobs.updateJob(jobId, {
        status: 'failed', errors: [{ message: error.message }, ...error.errors.map((e) => ({ message: `${e.path}: ${e.message}` }))],
      }, this.nowIso());
      return;
    }
    const { chunks, kept, overflow } = registerChunks(parsed.rows);
    const rejected = [...parsed.rejected, ...overflow].sort((a, b) => a.line - b.line);
    await this.deps.repo.putRegisterChunks(jobId, chunks.map((chunk) => JSON.stringify(chunk)));
    const input: RegisterImportInput = { ...job.input, chunks: chunks.length, rows: kept, rejected: rejected.length, parsed: true };
    const recorded = await this.deps.jobs.setOnce(jobId, 'parse', {
      input,
      progress: { bytes: upload.bytes, rows: kept, chunks: chunks.length, chunksDone: 0, rowsWritten: 0 },
      errors: rejectedLineErrors(rejected),
      result: { rejected: rejected.length },
    }, this.nowIso());
    // Another delivery recorded the same parse first: it queues the chunks.
    if (!recorded) return;
    if (chunks.length === 0) await this.completeRegisterImport(jobId, input);
    else await this.queueRegisterChunks(jobId, chunks.length);
  }

  private async queueRegisterChunks(jobId: string, chunks: number): Promise<void> {
    await Promise.all(Array.from({ length: chunks }, (_, chunk) => this.deps.jobQueue.enqueueJob({ jobId, chunk })));
  }

  /**
   * Writes one chunk of a register import: its addresses and subscriptions (idempotent puts),
   * then counts it once on the job; the last chunk counted completes the import.
   */
  async importRegisterChunk(jobId: string, chunk: number): Promise<void> {
    const job = await this.deps.jobs.getJob<RegisterImportInput>(jobId);
    if (!job) throw new NotFoundError('No such job.');
    if (job.status === 'completed' || job.status === 'failed') return;
    const stored = await this.deps.repo.getRegisterChunk(jobId, chunk);
    if (stored === undefined) throw new Error(`register import ${jobId}: chunk ${chunk} is missing`);
    const rows = JSON.parse(stored) as StoredRegisterRow[];
    const at = job.createdAt;
    // Every row of an address is in this chunk (registerChunks): its index entries get all its phones.
    const addresses = new Map<string, AddressRecord & { phones: string[] }>();
    for (const [phone, key, address, location] of rows) {
      const record = addresses.get(key) ?? { addressKey: key, address, ...(location ? { location } : {}), phones: [], generation: job.input.generation };
      if (!record.phones.includes(phone)) record.phones.push(phone);
      addresses.set(key, record);
    }
    await this.deps.repo.putRegisterAddresses([...addresses.values()]);
    await this.deps.repo.putSubscriptions(
      rows.map(([phone, key, address]) => ({
        subscriptionId: subscriptionId(phone, key, 'register'), phone, address, addressKey: key, source: 'register', generation: job.input.generation, createdAt: at,
      })),
    );
    const after = await this.deps.jobs.countOnce(jobId, `chunk#${chunk}`, { chunksDone: 1, rowsWritten: rows.length }, this.nowIso());
    const progress = after?.progress ?? (await this.deps.jobs.getJob(jobId))?.progress ?? {};
    if ((progress.chunksDone ?? 0) >= job.input.chunks) await this.completeRegisterImport(jobId, job.input);
  }

  /** Every chunk is written: the register switches to this generation (unless a newer one is current). */
  private async completeRegisterImport(jobId: string, input: RegisterImportInput): Promise<void> {
    await this.deps.repo.setRegisterGeneration(input.generation);
    await this.deps.jobs.updateJob(jobId, {
      status: 'completed', result: { imported: input.rows, rejected: input.rejected, generation: input.generation },
    }, this.nowIso());
  }

  private async current(subscriptions: Subscription[]): Promise<Subscription[]> {
    const generation = await this.deps.repo.registerGeneration();
    return subscriptions.filter((s) => s.source === 'self' || s.generation === generation);
  }

  // ---- self-service (R-SMS-3, R-SMS-4) -------------------------------------------------

  async subscribe(actor: Actor, input: { phone: string; address: PropertyAddress }): Promise<Subscription> {
    const phone = this.phone(input.phone);
    this.assertActsFor(actor, phone);
    const key = addressKey(input.address);
    await this.deps.repo.ensureAddresses([{ addressKey: key, address: input.address }]);
    const subscription: Subscription = {
      subscriptionId: subscriptionId(phone, key, 'self'),
      phone,
      address: input.address,
      addressKey: key,
      source: 'self',
      createdAt: this.nowIso(),
    };
    const existing = await this.deps.repo.getSubscription(subscription.subscriptionId);
    if (existing) return existing;
    await this.deps.repo.putSubscriptions([subscription]);
    return subscription;
  }

  async subscriptionsOf(actor: Actor, phoneInput: string): Promise<{ phone: string; optedOut: boolean; items: Subscription[] }> {
    const phone = this.phone(phoneInput);
    this.assertActsFor(actor, phone);
    const [items, optedOut] = await Promise.all([
      this.deps.repo.subscriptionsOfPhone(phone).then((all) => this.current(all)),
      this.deps.repo.optedOut([phone]),
    ]);
    return { phone, optedOut: optedOut.has(phone), items };
  }

  async unsubscribe(actor: Actor, id: string): Promise<void> {
    const subscription = await this.deps.repo.getSubscription(id);
    if (!subscription || (actor.role === 'customer' && actor.verifiedPhone !== subscription.phone)) {
      throw new NotFoundError('No such alert subscription.');
    }
    if (subscription.source === 'register') {
      throw new ConflictError('This address comes from the address register; opt out to stop all messages (R-SMS-3).');
    }
    await this.deps.repo.deleteSubscription(subscription);
  }

  async optOut(actor: Actor, phoneInput: string): Promise<{ phone: string; optedOutAt: string }> {
    const phone = this.phone(phoneInput);
    this.assertActsFor(actor, phone);
    const at = this.nowIso();
    await this.deps.repo.putOptOut(phone, at);
    return { phone, optedOutAt: at };
  }

  async optIn(actor: Actor, phoneInput: string): Promise<void> {
    const phone = this.phone(phoneInput);
    this.assertActsFor(actor, phone);
    if (!(await this.deps.repo.deleteOptOut(phone))) throw new NotFoundError('This number has not opted out.');
  }

  // ---- recipients ----------------------------------------------------------------------

  /** Address records in the area, read by index: cost follows the area, not the register. */
  private async addressesIn(area: OutageArea): Promise<AddressRecord[]> {
    return (await this.areaCandidates(area)).addresses;
  }

  /**
   * The area's addresses, and whether a read stopped at `limit`: a probe that stopped may have
   * missed addresses in the area (a street's numbers `from`–`to` are filtered after the read).
   */
  private async areaCandidates(area: OutageArea, limit?: number): Promise<{ addresses: AddressRecord[]; truncated: boolean }> {
    const keys = areaIndexKeys(area);
    const found = new Map<string, AddressRecord>();
    const candidates: AddressRecord[][] = await Promise.all([
      this.deps.repo.getAddresses(keys.addressKeys),
      ...keys.streetKeys.map((s) => this.deps.repo.addressesOnStreet(s.street, s.postalCode, limit)),
      ...keys.postalCodes.map((code) => this.deps.repo.addressesInPostalCode(code, limit)),
      ...keys.geoCells.map((cell) => this.deps.repo.addressesInGeoCell(cell, limit)),
    ]);
    for (const record of candidates.flat()) {
      if (!found.has(record.addressKey) && addressInArea(record, area)) found.set(record.addressKey, record);
    }
    return { addresses: [...found.values()], truncated: limit !== undefined && candidates.some((list) => list.length >= limit) };
  }

  /**
   * Everyone registered or self-subscribed in the area, each phone once (R-SMS-2). The reads
   * follow the area, not the register: the area's index entries (they carry the register's
   * phones of their import), the self-added subscriptions of the area's postal codes, and the
   * opt-out list once.
   */
  async resolveRecipients(area: OutageArea): Promise<{ phones: string[]; optedOut: Set<string>; addresses: number }> {
    const [addresses, generation, allOptedOut] = await Promise.all([this.addressesIn(area), this.deps.repo.registerGeneration(), this.deps.repo.allOptedOut()]);
    const phones = new Set<string>();
    for (const address of addresses) {
      // The current import's phones, or a later one's still being written (generations sort by
      // when their import was asked for); an older import's are replaced.
      if (generation !== undefined && address.generation !== undefined && address.generation >= generation) {
        for (const phone of address.phones ?? []) phones.add(phone);
      }
    }
    const keys = new Set(addresses.map((a) => a.addressKey));
    const self = await this.deps.repo.selfSubscriptionsIn([...new Set(addresses.map((a) => a.address.postalCode))]);
    for (const subscription of self) if (keys.has(subscription.addressKey)) phones.add(subscription.phone);
    const sorted = [...phones].sort();
    return { phones: sorted, optedOut: new Set(sorted.filter((phone) => allOptedOut.has(phone))), addresses: addresses.length };
  }

  private async languagesOf(phones: readonly string[]): Promise<Map<string, Language>> {
    const result = new Map<string, Language>();
    const queue = [...phones];
    const worker = async () => {
      for (let phone = queue.shift(); phone !== undefined; phone = queue.shift()) {
        result.set(phone, (await this.deps.repo.languageOfPhone(phone)) ?? this.deps.settings.defaultLanguage);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return result;
  }

  private composeAll(outage: Pick<Outage, 'category' | 'title'>, text: string, kind: 'initial' | 'update' | 'resolved', needed: Iterable<Language>) {
    const sender = { department: this.deps.settings.department, infoUrl: this.deps.settings.infoUrl };
    const bodies: Partial<Record<Language, string>> = {};
    const voiceBodies: Partial<Record<Language, string>> = {};
    const measures: ReturnType<typeof measureSms>[] = [];
    for (const language of new Set([this.deps.settings.defaultLanguage, ...needed])) {
      const body = composeAlert({ category: outage.category, kind, title: outage.title, message: text, language, sender });
      measures.push(checkSegmentLimit(body, this.deps.settings.maxSegments));
      bodies[language] = body;
    }
    for (const language of languages) {
      voiceBodies[language] = composeVoice({ category: outage.category, kind, title: outage.title, message: text, language, sender }).text;
    }
    const segments = Math.max(...measures.map((m) => m.segments));
    const encoding = measures.some((m) => m.encoding === 'UCS-2') ? 'UCS-2' : 'GSM-7';
    return { bodies, voiceBodies, segments, encoding };
  }

  // ---- outages --------------------------------------------------------------------------

  /**
   * Records the outage and its job (a deterministic job and outage id from the caller's
   * `Idempotency-Key`: a retried request finds the first job, never a second outage), then
   * runs the job inline when the area is small (inlineAddressBudget) or hands it to the
   * background queue. `status` says which: `completed` carries the result.
   */
  async createOutage(actor: Actor, input: CreateOutageRequest, options: { idempotencyKey?: string } = {}) {
    const errors: FieldError[] = validateArea(input.area);
    if (input.startsAt && input.endsAt && input.endsAt < input.startsAt) {
      errors.push({ path: 'endsAt', message: 'before startsAt' });
    }
    if (errors.length > 0) throw new ValidationError(errors);
    // Compose in every language first: a message over the segment limit is refused before anything is written.
    this.composeAll(input, input.message, 'initial', languages);

    const jobId = jobIdFor('outage', actor.subject, options.idempotencyKey, this.deps.newId);
    const outageId = options.idempotencyKey ? `out_${jobId.slice('job_'.length)}` : this.deps.newId('out');
    const at = this.nowIso();
    const job: Job<OutageJobInput> = {
      jobId, kind: 'outage', status: 'queued', progress: {}, errors: [], result: { outageId },
      input: { request: input, outageId, createdBy: actor.subject, createdAt: at }, createdBy: actor.subject, createdAt: at, updatedAt: at,
    };
    if (!(await this.deps.jobs.createJob(job))) {
      // A retry of a request that was answered (or timed out): the first job, never a second outage.
      const existing = (await this.deps.jobs.getJob<OutageJobInput>(jobId))!;
      if (existing.status !== 'completed' && existing.status !== 'failed' && Date.parse(existing.updatedAt) < this.deps.now().getTime() - jobStalledAfterMs) {
        await this.deps.jobQueue.enqueueJob({ jobId });
      }
      return this.outageJobAnswer(existing);
    }
    await this.deps.repo.insertOutage(this.outageRecord(job.input));
    // A bounded probe: reads at most budget + 1 candidates per index key, whatever the area's size.
    const budget = this.deps.inlineAddressBudget ?? inlineAddressBudget;
    const probe = await this.areaCandidates(input.area, budget + 1);
    if (!probe.truncated && probe.addresses.length <= budget) return this.outageJobAnswer(await this.runOutageJob(jobId, { inline: true }));
    await this.deps.jobQueue.enqueueJob({ jobId });
    return this.outageJobAnswer(job);
  }

  private outageJobAnswer(job: Job<OutageJobInput>) {
    const result = job.result as Partial<OutageCreated>;
    return { jobId: job.jobId, status: job.status, ...result, outageId: job.input.outageId };
  }

  private outageRecord(input: OutageJobInput): Outage {
    const request = input.request;
    return {
      outageId: input.outageId,
      category: request.category,
      title: request.title,
      message: request.message,
      area: request.area,
      areaDescription: describeArea(request.area),
      ...(request.startsAt ? { startsAt: new Date(request.startsAt).toISOString() } : {}),
      ...(request.endsAt ? { endsAt: new Date(request.endsAt).toISOString() } : {}),
      status: 'active',
      createdAt: input.createdAt,
      updatedAt: input.createdAt,
      createdBy: input.createdBy,
      messageCount: 1,
      latestMessage: request.message,
      version: 1,
    };
  }

  /**
   * The outage job (inline or from the queue), in steps that each run again safely:
   * 1. resolve the recipients once (resolveRecipients: a few paged reads of the area's index),
   *    store them in pages of `resolvedPageChunks` send chunks, and record that resolution on
   *    the job (JobRepository.setOnce: of two runs at once, one resolution counts);
   * 2. write the message, then each page's recipients (writeRecipientPage: a page worker each
   *    from the queue, or all here inside a request), each page counted once;
   * 3. the page counted last releases the message (completeOutageJob).
   * A run after a crash continues from what the job records: a page written and counted
   * before is not written again, and every write is conditional, so nobody gets it twice.
   */
  async runOutageJob(jobId: string, options: { inline?: boolean } = {}): Promise<Job<OutageJobInput>> {
    let job = await this.deps.jobs.getJob<OutageJobInput>(jobId);
    if (!job) throw new NotFoundError('No such job.');
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (!job.input.resolution) {
      await this.deps.jobs.updateJob(jobId, { status: 'running' }, this.nowIso());
      const { phones, optedOut } = await this.resolveRecipients(job.input.request.area);
      const perPage = (this.deps.sendChunkSize ?? sendChunkSize) * resolvedPageChunks;
      const pages: string[] = [];
      for (let i = 0; i < phones.length; i += perPage) {
        pages.push(JSON.stringify(phones.slice(i, i + perPage).map((phone) => (optedOut.has(phone) ? [phone, 1] : [phone]))));
      }
      const resolution: OutageResolution = { attempt: this.deps.newId('res'), pages: pages.length, recipients: phones.length, optedOut: optedOut.size };
      await this.deps.repo.putResolvedPages(job.input.outageId, resolution.attempt, pages);
      // Of two runs at once, the one recorded first counts; the other's pages are never read (and expire).
      await this.deps.jobs.setOnce(jobId, 'resolve', { input: { ...job.input, resolution }, progress: { resolved: phones.length, pages: pages.length } }, this.nowIso());
      job = (await this.deps.jobs.getJob<OutageJobInput>(jobId))!;
      if (job.status === 'completed' || job.status === 'failed' || !job.input.resolution) return job;
    }
    const resolution = job.input.resolution;
    await this.putFirstMessage(job.input, resolution);
    const counted = await this.deps.jobs.countedParts(jobId);
    const remaining = Array.from({ length: resolution.pages }, (_, page) => page).filter((page) => !counted.has(pagePart(page)));
    if (remaining.length === 0) return this.completeOutageJob(jobId);
    if (options.inline || remaining.length === 1) {
      for (const page of remaining) await this.writeRecipientPage(jobId, page);
    } else {
      await Promise.all(remaining.map((page) => this.deps.jobQueue.enqueueJob({ jobId, page })));
    }
    return (await this.deps.jobs.getJob<OutageJobInput>(jobId))!;
  }

  /** The outage's first message (idempotent): its text in every language, its send time, its chunks. */
  private async putFirstMessage(input: OutageJobInput, resolution: OutageResolution): Promise<OutageMessage> {
    const existing = await this.deps.repo.getMessage(input.outageId, '0');
    if (existing) return existing;
    const request = input.request;
    const composed = this.composeAll(request, request.message, 'initial', languages);
    const timing = this.firstMessageTiming(input);
    const message: OutageMessage = {
      outageId: input.outageId,
      messageKey: '0',
      kind: 'initial',
      createdBy: input.createdBy,
      bodies: composed.bodies,
      voiceBodies: composed.voiceBodies,
      createdAt: input.createdAt,
      sendAt: timing.sendAt.toISOString(),
      held: timing.held,
      chunks: this.chunkCount(resolution.recipients),
    };
    if (!(await this.deps.repo.getOutage(input.outageId))) await this.deps.repo.insertOutage(this.outageRecord(input));
    await this.deps.repo.putMessage(message);
    return message;
  }

  private firstMessageTiming(input: OutageJobInput) {
    return sendTimeFor({
      category: input.request.category,
      createdAt: new Date(input.createdAt),
      ...(input.request.sendAt ? { sendAt: new Date(input.request.sendAt) } : {}),
      zone: this.deps.settings.zone,
      country: this.deps.settings.country,
    });
  }

  /**
   * One page of an outage job's resolved recipients (`resolvedPageChunks` send chunks): each
   * phone's language, the recipients and their chunks' counters written (conditional: a
   * recipient written before keeps its status), then the page counted once on the job; the
   * page counted last completes the job.
   */
  async writeRecipientPage(jobId: string, page: number): Promise<void> {
    const job = await this.deps.jobs.getJob<OutageJobInput>(jobId);
    if (!job || job.status === 'completed' || job.status === 'failed' || !job.input.resolution) return;
    const { outageId } = job.input;
    const resolution = job.input.resolution;
    if ((await this.deps.jobs.countedParts(jobId)).has(pagePart(page))) return;
    const stored = await this.deps.repo.getResolvedPage(outageId, resolution.attempt, page);
    if (stored === undefined) throw new Error(`outage job ${jobId}: resolved page ${page} is missing`);
    const entries = JSON.parse(stored) as [string, 1?][];
    const phones = entries.map(([phone]) => phone);
    const optedOut = new Set(entries.filter(([, opted]) => opted === 1).map(([phone]) => phone));
    const languageByPhone = await this.languagesOf(phones);
    const size = this.deps.sendChunkSize ?? sendChunkSize;
    await this.writeRecipients(this.recipients(outageId, '0', phones, languageByPhone, optedOut, page * resolvedPageChunks * size));
    const after = await this.deps.jobs.countOnce(jobId, pagePart(page), { written: phones.length, pagesWritten: 1 }, this.nowIso());
    if (after && (after.progress.pagesWritten ?? 0) >= resolution.pages) await this.completeOutageJob(jobId);
  }

  /** Every page is written: the message goes out (or waits for its time), and the job completes with its result. */
  private async completeOutageJob(jobId: string): Promise<Job<OutageJobInput>> {
    const job = (await this.deps.jobs.getJob<OutageJobInput>(jobId))!;
    if (job.status === 'completed' || job.status === 'failed' || !job.input.resolution) return job;
    const { request: input, outageId, resolution } = { ...job.input, resolution: job.input.resolution };
    const message = await this.putFirstMessage(job.input, resolution);
    // The segments of the languages its recipients read (each chunk's counters name them).
    const used = (await this.deps.repo.listSendChunks(outageId)).filter((c) => c.messageKey === '0').flatMap((c) => c.languages ?? []);
    const composed = this.composeAll(input, input.message, 'initial', used);
    await this.release(message);
    await this.acknowledgeReports(this.outageRecord(job.input));
    const timing = this.firstMessageTiming(job.input);
    const sendable = resolution.recipients - resolution.optedOut;
    const result: OutageCreated = {
      outageId,
      recipients: sendable,
      optedOut: resolution.optedOut,
      segments: composed.segments,
      encoding: composed.encoding,
      estimatedCost: estimateCost(composed.segments, sendable, this.deps.settings.pricePerSegment),
      sendAt: message.sendAt,
      held: message.held,
      ...(timing.reason ? { heldReason: timing.reason } : {}),
    };
    // Once per outage: of two runs completing at once (the last page and the sweeper's retry), one counts it.
    if (await this.deps.jobs.setOnce(jobId, 'released', {}, this.nowIso())) this.metrics.outageCreated(sendable);
    const done = { status: 'completed' as const, progress: { resolved: resolution.recipients, written: resolution.recipients, pages: resolution.pages, pagesWritten: resolution.pages }, result: { ...result } };
    await this.deps.jobs.updateJob(jobId, done, this.nowIso());
    return { ...job, ...done, updatedAt: this.nowIso() };
  }

  /** A job message of the alert job queue: an outage's resolution or one page of its recipients, or a register import's parse or chunk. */
  async runJob(message: AlertJobMessage): Promise<Job | undefined> {
    if (message.parse) await this.parseRegisterUpload(message.jobId);
    else if (message.chunk !== undefined) await this.importRegisterChunk(message.jobId, message.chunk);
    else if (message.page !== undefined) await this.writeRecipientPage(message.jobId, message.page);
    else await this.runOutageJob(message.jobId);
    return this.deps.jobs.getJob(message.jobId);
  }

  /** GET /v1/jobs/{jobId}: the job of an outage or a register import. */
  async getJob(jobId: string): Promise<Job | undefined> {
    return this.deps.jobs.getJob(jobId);
  }

  private chunkCount(recipients: number): number {
    return Math.ceil(recipients / (this.deps.sendChunkSize ?? sendChunkSize));
  }

  /** Recipients in chunk order (`first`: the index of the first phone among the message's, sorted: a re-run makes the same chunks). */
  private recipients(outageId: string, messageKey: string, phones: readonly string[], languageByPhone: Map<string, Language>, optedOut: Set<string>, first = 0): Recipient[] {
    const at = this.nowIso();
    const size = this.deps.sendChunkSize ?? sendChunkSize;
    return [...phones].sort().map((phone, i) => ({
      outageId,
      messageKey,
      phone,
      chunk: Math.floor((first + i) / size),
      channel: this.deps.canReceiveSms(phone) ? 'sms' : 'voice',
      language: languageByPhone.get(phone) ?? this.deps.settings.defaultLanguage,
      status: optedOut.has(phone) ? 'opted_out' : 'queued',
      updatedAt: at,
    }));
  }

  /** Writes recipients (idempotent) and their chunks' counters. */
  private async writeRecipients(recipients: readonly Recipient[]): Promise<void> {
    await this.deps.repo.putRecipients([...recipients]);
    const chunks = new Map<number, Recipient[]>();
    for (const recipient of recipients) chunks.set(recipient.chunk, [...(chunks.get(recipient.chunk) ?? []), recipient]);
    for (const [, members] of chunks) await this.deps.repo.putSendChunk(this.countChunk(members[0]!, members));
  }

  private countChunk(of: Pick<Recipient, 'outageId' | 'messageKey' | 'chunk'>, recipients: readonly Recipient[]): SendChunk {
    return countSendChunk(of, recipients, this.nowIso());
  }

  /** Due now: hand to the sender; held (R-SMS-6): wait in the schedule until its time. */
  private async release(message: OutageMessage): Promise<void> {
    if (message.sendAt <= this.nowIso()) await this.deps.queue.enqueue({ outageId: message.outageId, messageKey: message.messageKey });
    else await this.deps.repo.scheduleSend(message.outageId, message.messageKey, message.sendAt);
  }

  /**
   * The outage and its counts, from the send chunks' counters (one Query), never every
   * recipient. An update's chunk not yet sent counts its first-message chunk's recipients as queued.
   */
  async getOutage(outageId: string) {
    const outage = await this.deps.repo.getOutage(outageId);
    if (!outage) throw new NotFoundError('No such outage.');
    const [messages, chunks] = await Promise.all([this.deps.repo.listMessages(outageId), this.deps.repo.listSendChunks(outageId)]);
    const chunkOf = new Map(chunks.map((chunk) => [`${chunk.messageKey}#${chunk.chunk}`, chunk] as const));
    const counts = { queued: 0, sent: 0, failed: 0, optedOut: 0 };
    const perMessage = [];
    for (const message of messages) {
      const own = { queued: 0, sent: 0, failed: 0, optedOut: 0 };
      for (let chunk = 0; chunk < (message.chunks ?? 0); chunk++) {
        const counted = chunkOf.get(`${message.messageKey}#${chunk}`);
        if (counted) {
          own.queued += counted.queued;
          own.sent += counted.sent;
          own.failed += counted.failed;
          own.optedOut += counted.optedOut;
        } else {
          const first = chunkOf.get(`0#${chunk}`);
          own.queued += first ? first.size - first.optedOut : 0;
          own.optedOut += first?.optedOut ?? 0;
        }
      }
      for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] += own[key];
      perMessage.push({ messageKey: message.messageKey, kind: message.kind, createdBy: message.createdBy, sendAt: message.sendAt, held: message.held, ...own });
    }
    return { ...outage, ...counts, messages: perMessage };
  }

  /** R-SMS: updates and the "resolved" message go to the recipients of the first message. */
  async postUpdate(actor: Actor, outageId: string, input: { message: string; resolved?: boolean }) {
    const outage = await this.deps.repo.getOutage(outageId);
    if (!outage) throw new NotFoundError('No such outage.');
    if (outage.status === 'resolved') throw new ConflictError('This outage is already resolved.');
    const kind = input.resolved ? 'resolved' : 'update';
    // The first message's chunks and their counters (one Query): the update's recipients are
    // those of the first message, written chunk by chunk by the workers that send them, so
    // this request does the same work for 30 recipients as for 30,000.
    const [firstMessage, chunks] = await Promise.all([this.deps.repo.getMessage(outageId, '0'), this.deps.repo.listSendChunks(outageId)]);
    const firstChunks = chunks.filter((chunk) => chunk.messageKey === '0');
    const languagesNeeded = languages.filter((language) => firstMessage?.bodies[language] !== undefined);
    const composed = this.composeAll(outage, input.message, kind, languagesNeeded);
    const messageKey = String(outage.messageCount);
    const now = this.deps.now();
    const timing = sendTimeFor({ category: outage.category, createdAt: now, zone: this.deps.settings.zone, country: this.deps.settings.country });
    const message: OutageMessage = {
      outageId,
      messageKey,
      kind,
      createdBy: actor.subject,
      bodies: composed.bodies,
      voiceBodies: composed.voiceBodies,
      createdAt: now.toISOString(),
      // A "resolved" message or an update to an urgent alert is never held.
      sendAt: (input.resolved || urgentCategories.includes(outage.category) ? now : timing.sendAt).toISOString(),
      held: !input.resolved && !urgentCategories.includes(outage.category) && timing.held,
      chunks: firstMessage?.chunks ?? 0,
    };
    const next: Outage = {
      ...outage,
      messageCount: outage.messageCount + 1,
      latestMessage: input.message,
      updatedAt: now.toISOString(),
      version: outage.version + 1,
      ...(input.resolved ? { status: 'resolved' as const, resolvedAt: now.toISOString() } : {}),
    };
    await this.deps.repo.replaceOutage(next, outage.version);
    await this.deps.repo.putMessage(message);
    await this.release(message);
    // Opt-outs are read again when each chunk is written: a phone that opted out since is skipped then.
    const recipients = firstChunks.reduce((sum, chunk) => sum + chunk.size - chunk.optedOut, 0);
    return { outageId, messageKey, kind, recipients, segments: composed.segments, encoding: composed.encoding, sendAt: message.sendAt };
  }

  // ---- sending --------------------------------------------------------------------------

  /**
   * Sends one chunk of one message (`{ outageId, messageKey, chunk }`); a job without a chunk
   * (a release, a held message whose time came) queues one job per chunk, which the sending
   * function's instances run in parallel, or sends the only chunk of a small message itself. Every send first takes its parts from the origination
   * identity's budget for the current second (shared by all instances, in DynamoDB), so the
   * pace holds however many chunks run at once. Each recipient is claimed (queued → sending)
   * before the call and settled after it, so a re-run, or a second delivery of the same job,
   * never sends twice. A provider that certainly did not take the message (RetryableSendError)
   * releases the claim and fails the job, so the queue retries it (and dead-letters it at
   * last); an uncertain failure is not retried. With `deadline` (the function's end, epoch ms)
   * the worker stops claiming in time and queues the chunk again: its unsent recipients stay
   * `queued`, never `failed`.
   */
  async send(
    job: { outageId: string; messageKey: string; chunk?: number },
    options: { deadline?: number } = {},
  ): Promise<{ sent: number; failed: number; retry: number; chunks?: number; continued?: boolean }> {
    const message = await this.deps.repo.getMessage(job.outageId, job.messageKey);
    if (!message) throw new NotFoundError('No such outage message.');
    const chunks = message.chunks ?? 0;
    if (job.chunk === undefined && chunks > 1) {
      await Promise.all(Array.from({ length: chunks }, (_, chunk) => this.deps.queue.enqueue({ outageId: job.outageId, messageKey: job.messageKey, chunk })));
      return { sent: 0, failed: 0, retry: 0, chunks };
    }
    // One chunk (most outages): sent here, without a second trip through the queue.
    if (chunks === 0) return { sent: 0, failed: 0, retry: 0 };
    const chunk = job.chunk ?? 0;
    const wall = this.deps.wallClock ?? Date.now;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const recipients = await this.chunkRecipients(message, chunk);
    const counts = { sent: 0, failed: 0, retry: 0 };
    const byChannel = { sms: { sent: 0, failed: 0 }, voice: { sent: 0, failed: 0 } };
    const inFlight = new Set<Promise<void>>();
    const settle = async () => this.deps.repo.putSendChunk(this.countChunk({ ...job, chunk }, await this.deps.repo.listRecipients(job.outageId, job.messageKey, chunk)));
    let sinceCounted = 0;
    let continued = false;
    // Parts this worker took for the current second and has not used yet, per identity.
    const allowances = new Map<string, { second: number; parts: number }>();
    for (const recipient of recipients) {
      if (recipient.status === 'sending' && Date.parse(recipient.updatedAt) < wall() - interruptedAfterMs) {
        await this.deps.repo.transitionRecipient(recipient, 'sending', {
          status: 'failed', reason: 'interrupted while sending; not sent again to avoid a duplicate', updatedAt: new Date(wall()).toISOString(),
        });
        continue;
      }
      if (recipient.status !== 'queued') continue;
      if (options.deadline !== undefined && wall() > options.deadline - deadlineMarginMs) {
        continued = true;
        break;
      }
      await this.takeBudget(recipient, message, wall, sleep, allowances);
      // The claim runs with the send, off the pacing loop, so a slow write does not slow the pace.
      const task = this.claimAndDeliver(recipient, message).then((outcome) => {
        if (outcome) counts[outcome]++;
        if (outcome === 'sent' || outcome === 'failed') byChannel[recipient.channel][outcome]++;
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (inFlight.size >= Math.max(4, Math.min(64, this.deps.settings.sendRatePerSecond))) await Promise.race(inFlight);
      if (++sinceCounted >= countersEvery) {
        sinceCounted = 0;
        await Promise.all(inFlight);
        await settle();
      }
    }
    await Promise.all(inFlight);
    this.metrics.alertsSent('sms', byChannel.sms);
    this.metrics.alertsSent('voice', byChannel.voice);
    await settle();
    if (counts.retry > 0) throw new Error(`${counts.retry} recipients hit a transient failure; the job will be retried`);
    // Cut off by the deadline: the rest of the chunk goes back on the queue (not a failure).
    if (continued) await this.deps.queue.enqueue({ outageId: job.outageId, messageKey: job.messageKey, chunk });
    return { ...counts, ...(continued ? { continued } : {}) };
  }

  /**
   * The chunk's recipients. An update's (or resolved message's) are written here from the
   * first message's chunk the first time it is sent: the same phones and languages, with the
   * opt-outs of now.
   */
  private async chunkRecipients(message: OutageMessage, chunk: number): Promise<Recipient[]> {
    const own = await this.deps.repo.listRecipients(message.outageId, message.messageKey, chunk);
    if (message.messageKey === '0' || message.kind === 'ack') return own;
    const first = await this.deps.repo.listRecipients(message.outageId, '0', chunk);
    if (own.length >= first.length) return own;
    const optedOut = await this.deps.repo.optedOut(first.map((r) => r.phone));
    const at = this.nowIso();
    await this.deps.repo.putRecipients(first.map((r) => ({
      outageId: message.outageId, messageKey: message.messageKey, phone: r.phone, chunk, channel: r.channel, language: r.language,
      status: optedOut.has(r.phone) ? 'opted_out' : 'queued', updatedAt: at,
    })));
    return this.deps.repo.listRecipients(message.outageId, message.messageKey, chunk);
  }

  /**
   * Waits until the origination identity's budget for a second has room for this message's
   * parts. A worker takes the parts of up to `reserveMessagesAtOnce` messages with one write and
   * uses them within that second (what it does not use is lost to the pace, never added to it):
   * at a pace of 1,000 parts a second the budget item takes about 100 writes a second, not 1,000.
   */
  private async takeBudget(
    recipient: Recipient, message: OutageMessage, wall: () => number, sleep: (ms: number) => Promise<void>,
    allowances: Map<string, { second: number; parts: number }>,
  ): Promise<void> {
    const sms = recipient.channel === 'sms';
    const identity = sms ? (this.deps.settings.originationIdentity ?? 'sms') : 'voice';
    const parts = sms ? measureSms(message.bodies[recipient.language] ?? message.bodies[this.deps.settings.defaultLanguage] ?? '').segments : 1;
    const limit = Math.max(1, Math.floor(this.deps.settings.sendRatePerSecond));
    for (;;) {
      const now = wall();
      const second = Math.floor(now / 1000);
      const allowance = allowances.get(identity);
      if (allowance?.second === second && allowance.parts >= parts) {
        allowance.parts -= parts;
        return;
      }
      const want = Math.max(parts, Math.min(limit, parts * reserveMessagesAtOnce));
      if (await this.deps.repo.reserveParts(identity, second, want, limit)) {
        allowances.set(identity, { second, parts: want - parts });
        return;
      }
      // Less room than a batch: this one message, if it fits.
      if (want > parts && (await this.deps.repo.reserveParts(identity, second, parts, limit))) {
        allowances.set(identity, { second, parts: 0 });
        return;
      }
      // This second is full: wait for the next one (a little spread, so workers do not all wake at once).
      await sleep((second + 1) * 1000 - now + Math.floor(Math.random() * 20));
    }
  }


  /** Claims the recipient (queued → sending) and sends; undefined when someone else claimed it first. */
  private async claimAndDeliver(recipient: Recipient, message: OutageMessage): Promise<'sent' | 'failed' | 'retry' | undefined> {
    if (!(await this.deps.repo.transitionRecipient(recipient, 'queued', { status: 'sending', updatedAt: new Date().toISOString() }))) return undefined;
    return this.deliver(recipient, message);
  }

  private async deliver(recipient: Recipient, message: OutageMessage): Promise<'sent' | 'failed' | 'retry'> {
    const claimed: Recipient = { ...recipient, status: 'sending' };
    try {
      const language = recipient.language;
      const result =
        recipient.channel === 'sms'
          ? await this.deps.sms.send({
              to: recipient.phone,
              body: message.bodies[language] ?? message.bodies[this.deps.settings.defaultLanguage]!,
              outageId: message.outageId,
              messageKey: message.messageKey,
            })
          : await this.deps.voice.call({
              to: recipient.phone,
              text: message.voiceBodies[voiceLanguage(language)]!,
              languageCode: languageTags[voiceLanguage(language)],
              outageId: message.outageId,
              messageKey: message.messageKey,
            });
      await this.deps.repo.transitionRecipient(claimed, 'sending', { status: 'sent', providerMessageId: result.providerMessageId, updatedAt: new Date().toISOString() });
      return 'sent';
    } catch (error) {
      if (error instanceof RetryableSendError) {
        await this.deps.repo.transitionRecipient(claimed, 'sending', { status: 'queued', updatedAt: new Date().toISOString() });
        return 'retry';
      }
      const reason = error instanceof SendFailure ? error.message : 'uncertain whether it was delivered; not sent again to avoid a duplicate';
      await this.deps.repo.transitionRecipient(claimed, 'sending', { status: 'failed', reason, updatedAt: new Date().toISOString() });
      return 'failed';
    }
  }

  /** The scheduled job: held messages whose time has come go to the sender (R-SMS-6). */
  async dispatchDue(): Promise<number> {
    const due = await this.deps.repo.dueSends(this.nowIso());
    for (const entry of due) {
      await this.deps.queue.enqueue({ outageId: entry.outageId, messageKey: entry.messageKey });
      await this.deps.repo.clearScheduledSend(entry.outageId, entry.messageKey, entry.sendAt);
    }
    return due.length;
  }

  // ---- the public feed (R-SMS-6, R-COM-2) -------------------------------------------------

  async ongoingWorks() {
    const outages = await this.deps.repo.listFeedOutages();
    return {
      items: outages
        .filter((o) => o.status === 'active')
        .map((o) => ({
          outageId: o.outageId,
          category: o.category,
          categoryLabel: categoryLabel(o.category, this.deps.settings.defaultLanguage),
          title: o.title,
          message: o.latestMessage,
          area: o.areaDescription,
          startsAt: o.startsAt ?? o.createdAt,
          endsAt: o.endsAt ?? null,
          updatedAt: o.updatedAt,
          sender: this.deps.settings.department,
          web: this.deps.settings.infoUrl,
        })),
      nextCursor: null,
    };
  }

  /**
   * The public CAP index (R-COM-2): an Atom feed with one entry per outage in the feed (active,
   * or resolved: a Cancel), each linking to the outage's latest CAP document (cap.ts).
   */
  async ongoingWorksCap(): Promise<string> {
    const outages = await this.deps.repo.listFeedOutages();
    const alerts = await Promise.all(outages.map((o) => this.capAlertOf(o)));
    const sender = this.deps.settings.capSender;
    const latest = alerts.reduce<Date | undefined>((at, alert) => (!at || alert.sent > at ? alert.sent : at), undefined);
    return renderCapAtomFeed({
      id: `urn:cap:${sender}:ongoing-works`,
      title: this.deps.settings.department,
      author: this.deps.settings.department,
      updated: latest ?? this.deps.now(),
      web: this.deps.settings.infoUrl,
      entries: alerts.map((alert, index) => ({
        identifier: alert.identifier,
        sender,
        title: `${alert.msgType === 'Cancel' ? '[Cancel] ' : ''}${outages[index]!.title}`,
        summary: outages[index]!.latestMessage,
        updated: alert.sent,
      })),
    });
  }

  /**
   * One CAP 1.2 document (GET /v1/public/alerts/{identifier}.cap): the latest message of an
   * outage in the public feed. An earlier identifier of the outage answers with where the
   * current one is (its content was replaced by the update that references it).
   */
  async capAlert(identifier: string): Promise<{ xml: string } | { supersededBy: string }> {
    const match = /^(.+?)(?:-(\d+))?$/.exec(identifier);
    const outageId = match?.[1] ?? '';
    const outage = outageId ? await this.deps.repo.getOutage(outageId) : undefined;
    const inFeed = outage && (await this.deps.repo.listFeedOutages()).some((o) => o.outageId === outage.outageId);
    if (!outage || !inFeed) throw new NotFoundError('No such public alert.');
    const alert = await this.capAlertOf(outage);
    if (alert.identifier === identifier) return { xml: renderCapAlert(alert) };
    if (alert.references?.some((r) => r.identifier === identifier)) return { supersededBy: alert.identifier };
    throw new NotFoundError('No such public alert.');
  }

  /**
   * An outage's latest CAP message: Alert for the first, Update (Cancel when resolved) after,
   * referencing every earlier message of the outage by its identifier and the time it was sent.
   */
  private async capAlertOf(o: Outage): Promise<CapAlertInput> {
    const now = this.deps.now();
    const sender = this.deps.settings.capSender;
    // Messages 0..messageCount-1 (the crowd-report acknowledgement is no CAP message).
    const sentAt = new Map((await this.deps.repo.listMessages(o.outageId)).filter((m) => /^\d+$/.test(m.messageKey)).map((m) => [Number(m.messageKey), m.createdAt]));
    const identifierOf = (n: number) => (n === 0 ? o.outageId : `${o.outageId}-${n}`);
    const sentOf = (n: number) => new Date(n === 0 ? o.createdAt : (sentAt.get(n) ?? o.updatedAt));
    const last = o.messageCount - 1;
    const msgType = o.status === 'resolved' ? 'Cancel' : last > 0 ? 'Update' : 'Alert';
    const references = Array.from({ length: Math.max(0, last) }, (_, n) => ({ sender, identifier: identifierOf(n), sent: sentOf(n) }));
    return {
      identifier: identifierOf(Math.max(0, last)),
      sender,
      sent: sentOf(Math.max(0, last)),
      msgType,
      ...(references.length > 0 ? { references } : {}),
      category: o.category,
      // One info per language: the event in that language; headline and text as ops wrote them.
      infos: [this.deps.settings.defaultLanguage, ...languages.filter((l) => l !== this.deps.settings.defaultLanguage)].map((language) => ({
        language,
        event: categoryLabel(o.category, language),
        headline: o.title,
        description: o.latestMessage,
        urgency: defaultCapUrgency(o.category, o.startsAt ? new Date(o.startsAt) : undefined, now),
        severity: defaultCapSeverity(o.category),
        certainty: 'Observed' as const,
        ...(o.startsAt ? { onset: new Date(o.startsAt) } : {}),
        ...(o.endsAt ? { expires: new Date(o.endsAt) } : {}),
        web: this.deps.settings.infoUrl,
        contact: this.deps.settings.contact,
      })),
      area: { areaDesc: o.areaDescription, ...(o.area.polygon ? { polygon: o.area.polygon } : {}) },
    };
  }

  // ---- crowd reports (R-COM-1) ------------------------------------------------------------

  async report(client: string, input: { address: PropertyAddress; kind: CrowdReportRecord['kind']; phone?: string }) {
    const now = this.deps.now();
    const phone = input.phone === undefined ? undefined : this.phone(input.phone);
    const window = now.toISOString().slice(0, 13);
    if (!(await this.deps.repo.takeRateToken(client, window, this.deps.settings.reportsPerClientPerHour))) {
      return { limited: true as const };
    }
    const key = addressKey(input.address);
    const [known] = await this.deps.repo.getAddresses([key]);
    const report: CrowdReportRecord = {
      reportId: this.deps.newId('rep'),
      address: input.address,
      addressKey: key,
      ...(known?.location ? { location: known.location } : {}),
      kind: input.kind,
      ...(phone ? { phone } : {}),
      at: now.toISOString(),
    };
    await this.deps.repo.putReport(report);
    return { limited: false as const, reportId: report.reportId };
  }

  async clusters(): Promise<ReportCluster[]> {
    const now = this.deps.now();
    const since = new Date(now.getTime() - 24 * 3600_000).toISOString();
    const reports = await this.deps.repo.reportsSince(since, now.toISOString());
    return clusterReports(reports, { radiusMeters: 500, windowMinutes: 180, minReports: 2 });
  }

  /** R-COM-1: reporters inside a new outage's area get one SMS that the problem is known. */
  private async acknowledgeReports(outage: Outage): Promise<void> {
    const now = this.deps.now();
    const reports = await this.deps.repo.reportsSince(new Date(now.getTime() - 24 * 3600_000).toISOString(), now.toISOString());
    const covered = reports.filter((r) => r.phone && !r.acknowledgedBy && addressInArea(r, outage.area));
    if (covered.length === 0) return;
    const bodies: Partial<Record<Language, string>> = {};
    const voiceBodies: Partial<Record<Language, string>> = {};
    const sender = { department: this.deps.settings.department, infoUrl: this.deps.settings.infoUrl };
    for (const language of languages) {
      const input = { category: outage.category, kind: 'update' as const, title: outage.title, message: acknowledgement[language], language, sender };
      bodies[language] = composeAlert(input);
      voiceBodies[language] = composeVoice(input).text;
    }
    const message: OutageMessage = {
      outageId: outage.outageId, messageKey: 'ack', kind: 'ack', createdBy: 'system', bodies, voiceBodies,
      createdAt: now.toISOString(), sendAt: now.toISOString(), held: false, chunks: 1,
    };
    await this.deps.repo.putMessage(message);
    const phones: string[] = [];
    for (const report of covered) {
      if (await this.deps.repo.markReportAcknowledged(report, outage.outageId)) phones.push(report.phone!);
    }
    const unique = [...new Set(phones)];
    const optedOut = await this.deps.repo.optedOut(unique);
    const languageByPhone = await this.languagesOf(unique);
    // Few (the reports of one day in one area): one chunk.
    await this.writeRecipients(this.recipients(outage.outageId, 'ack', unique, languageByPhone, optedOut).map((r) => ({ ...r, chunk: 0 })));
    await this.deps.queue.enqueue({ outageId: outage.outageId, messageKey: 'ack' });
  }
}

const acknowledgement: Record<Language, string> = {
  sv: 'Tack för din felanmälan. Vi vet om problemet och arbetar med att åtgärda det.',
  fi: 'Kiitos ilmoituksestasi. Tiedämme ongelmasta ja korjaamme sitä.',
  nb: 'Takk for meldingen. Vi kjenner til problemet og jobber med å rette det.',
  en: 'Thank you for your report. We know about the problem and are fixing it.',
};
