/**
 * Large payment files (and address registers, under `register-uploads/`) in the embedded
 * stack: what S3 and the chunk queue are in AWS.
 *
 * - The file store keeps objects as files under `<data folder>/objects/` and hands out upload
 *   URLs on the stack's own server, `PUT /_local/uploads/<uploadId>?expires=…&signature=…`:
 *   HMAC-SHA256-signed with a key kept in the data folder, expiring on the local clock, like
 *   an S3 presigned URL. Only the embedded stack serves `/_local/` (CDK never creates it).
 * - The chunk queue is an in-process queue delivering in the background, as SQS would, to the
 *   same worker handler CDK deploys (lambdas/jobs/payment-import-chunk.ts).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { clock } from '../lambdas/adapters/clock.js';
import { installRegisterFiles } from '../lambdas/adapters/alerts-wiring.js';
import { installPaymentImports } from '../lambdas/adapters/payment-import-wiring.js';
import type { PaymentChunkJob, PaymentFileStore, StoredFile } from '../lambdas/domain/billing/payment-imports.js';
import { problemResponse, problemTypeBase } from '../lambdas/http/problem.js';
import { InProcessQueue, type InProcessQueueOptions, type SqsHandler } from './jobs.js';
import { functionSettings } from '../lib/function-settings.js';
import { asLambda } from './lambda-runtime.js';

/** S3 takes up to 5 GB in one PUT; the local store stops well before (imports read at most 32 MiB). */
const localMaxUploadBytes = 256 * 1024 * 1024;
/** Payment files under `uploads/`, register files under `register-uploads/` (as the prefixes of the one bucket in AWS). */
const objectKeyPattern = /^(?:register-)?uploads\/[A-Za-z0-9_.-]{1,100}$/;

const problem = (status: number, slug: string, title: string, detail: string) =>
  problemResponse({ type: problemTypeBase + slug, title, status, detail });

class TooLarge extends Error {}

/** Where a new upload URL for this key comes from. */
const uploadsRouteOf = (objectKey: string) => (objectKey.startsWith('register-uploads/') ? 'POST /v1/address-register/uploads' : 'POST /v1/payment-files/uploads');

/** PaymentFileStore on files: ETags are the MD5 of the bytes in quotes, as S3's for a single PUT. */
export class LocalPaymentFileStore implements PaymentFileStore {
  private baseUrl = 'http://127.0.0.1';

  constructor(
    private readonly directory: string,
    private readonly key: Buffer,
  ) {
    mkdirSync(join(directory, 'uploads'), { recursive: true });
    mkdirSync(join(directory, 'register-uploads'), { recursive: true });
  }

  /** The stack's URL, known once its server listens. */
  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  private signature(objectKey: string, expires: number): string {
    return createHmac('sha256', this.key).update(`PUT\n${objectKey}\n${expires}`).digest('hex');
  }

  async uploadUrl(objectKey: string, seconds: number): Promise<{ url: string; expiresAt: string }> {
    if (!objectKeyPattern.test(objectKey)) throw new Error('not an upload key');
    const expires = Math.floor(clock().now().getTime() / 1000) + seconds;
    return {
      url: `${this.baseUrl}/_local/${objectKey}?expires=${expires}&signature=${this.signature(objectKey, expires)}`,
      expiresAt: new Date(expires * 1000).toISOString(),
    };
  }

  /** Size and ETag without the bytes (as S3's HeadObject; the ETag is computed, as `read` does). */
  async head(objectKey: string): Promise<{ found: true; size: number; etag: string } | { found: false }> {
    if (!objectKeyPattern.test(objectKey)) return { found: false };
    const file = await this.read(objectKey, { maxBytes: Number.MAX_SAFE_INTEGER });
    return file.found ? { found: true, size: file.bytes.byteLength, etag: file.etag } : { found: false };
  }

  /** As S3's PutObject: written aside and renamed, so a reader never sees half a file. */
  async put(objectKey: string, bytes: Uint8Array): Promise<void> {
    if (!objectKeyPattern.test(objectKey)) throw new Error('not an upload key');
    const target = join(this.directory, objectKey);
    const partial = `${target}.${randomBytes(6).toString('hex')}.part`;
    await writeFile(partial, bytes);
    await rename(partial, target);
  }

  async read(objectKey: string, options: { ifMatch?: string; maxBytes: number }): Promise<StoredFile> {
    if (!objectKeyPattern.test(objectKey)) return { found: false, reason: 'missing' };
    const file = join(this.directory, objectKey);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      return { found: false, reason: 'missing' };
    }
    if (size > options.maxBytes) return { found: false, reason: 'too_large', size };
    const bytes = new Uint8Array(await readFile(file));
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    if (options.ifMatch && options.ifMatch !== etag) return { found: false, reason: 'changed' };
    return { found: true, bytes, etag };
  }

  /** `PUT /_local/uploads/<name>?expires=…&signature=…` (or `/_local/register-uploads/…`): what S3 does with a presigned PUT. */
  async handleUpload(method: string, url: URL, req: IncomingMessage): Promise<APIGatewayProxyStructuredResultV2> {
    if (method !== 'PUT') return problem(405, 'method-not-allowed', 'Method not allowed', 'An upload URL takes PUT only.');
    const objectKey = url.pathname.slice('/_local/'.length);
    const expires = Number(url.searchParams.get('expires'));
    const given = Buffer.from(url.searchParams.get('signature') ?? '', 'hex');
    const wanted = objectKeyPattern.test(objectKey) && Number.isSafeInteger(expires) ? Buffer.from(this.signature(objectKey, expires), 'hex') : undefined;
    if (!wanted || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return problem(403, 'forbidden', 'Forbidden', `The upload URL is not valid: ask for a new one (${uploadsRouteOf(objectKey)}).`);
    }
    if (expires * 1000 < clock().now().getTime()) {
      return problem(403, 'forbidden', 'Forbidden', `The upload URL has expired: ask for a new one (${uploadsRouteOf(objectKey)}).`);
    }
    // Written aside and renamed: a reader never sees half a file, and a broken upload leaves none.
    const target = join(this.directory, objectKey);
    const partial = `${target}.${randomBytes(6).toString('hex')}.part`;
    const md5 = createHash('md5');
    let size = 0;
    try {
      await pipeline(
        req,
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            size += chunk.length;
            if (size > localMaxUploadBytes) return done(new TooLarge());
            md5.update(chunk);
            done(null, chunk);
          },
        }),
        createWriteStream(partial),
      );
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      if (error instanceof TooLarge) {
        return { ...problem(413, 'payload-too-large', 'Payload too large', `The local store takes at most ${localMaxUploadBytes} bytes.`), headers: { 'content-type': 'application/problem+json', connection: 'close' } };
      }
      throw error;
    }
    return { statusCode: 200, headers: { etag: `"${md5.digest('hex')}"` }, body: '' };
  }
}

/** Chunks booked at once, as the chunk function's reserved concurrency in AWS (lib/constructs/payment-imports.ts). */
export const localChunkConcurrency = 2;

/**
 * The worker behind a limit of `concurrency` deliveries at once (the in-process queue starts
 * every message at once; SQS's event source polls only as many as the function may run).
 * After `close()` the deliveries still waiting fail (the durable queue keeps their messages
 * for the next start; an in-memory one drops them, and the sweeper queues their chunks again).
 */
export function atMost(concurrency: number, handler: SqsHandler): SqsHandler & { close(): void } {
  let running = 0;
  let closed = false;
  const waiting: ((go: boolean) => void)[] = [];
  const limited = async (event: Parameters<SqsHandler>[0]) => {
    const notDelivered = { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    if (closed) return notDelivered;
    if (running < concurrency) running++;
    else if (!(await new Promise<boolean>((resolve) => waiting.push(resolve)))) return notDelivered;
    try {
      return await handler(event);
    } finally {
      // The slot goes to the next waiting delivery, or is given back.
      const next = waiting.shift();
      if (next) next(true);
      else running--;
    }
  };
  return Object.assign(limited, {
    close() {
      closed = true;
      for (const next of waiting.splice(0)) next(false);
    },
  });
}

export interface LocalPaymentUploads {
  readonly store: LocalPaymentFileStore;
  readonly queue: InProcessQueue<PaymentChunkJob>;
  /** The worker as the queue calls it: at most `localChunkConcurrency` chunks at once. */
  readonly worker: SqsHandler;
  /** The `/_local/uploads/` route of the local server. */
  readonly handleUpload: LocalPaymentFileStore['handleUpload'];
  /** Lets the chunks being booked finish; drops those still waiting. */
  close(): Promise<void>;
}

/**
 * Installs the store and the queue for the handlers (before they are imported) and attaches
 * the chunk worker. `dataDir` undefined: a temporary folder.
 */
export async function startLocalPaymentUploads(options: { dataDir?: string; log: (line: string) => void; queueOptions?: InProcessQueueOptions }): Promise<LocalPaymentUploads> {
  const directory = options.dataDir ? join(options.dataDir, 'objects') : mkdtempSync(join(tmpdir(), 'utility-objects-'));
  const keyFile = options.dataDir ? join(options.dataDir, 'upload-signing-key') : undefined;
  let key: Buffer;
  if (keyFile && existsSync(keyFile)) key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
  else {
    key = randomBytes(32);
    if (keyFile) writeFileSync(keyFile, key.toString('hex'), { mode: 0o600 });
  }
  const store = new LocalPaymentFileStore(directory, key);
  const queue = new InProcessQueue<PaymentChunkJob>('payment-import-chunks', 'background', options.log, options.queueOptions);
  installPaymentImports({ store, queue: { enqueue: async (jobs) => void (await Promise.all(jobs.map((job) => queue.enqueue(job)))) } });
  // Register files go to the same store, under register-uploads/ (as to the same bucket in AWS).
  installRegisterFiles(store);
  const job = (await import('../lambdas/jobs/payment-import-chunk.js')) as { handler: SqsHandler };
  // The chunk function's timeout is the one CDK deploys (lib/function-settings.ts).
  const worker = atMost(localChunkConcurrency, asLambda({ name: 'payment-import-chunk', settings: functionSettings.paymentImportChunk }, job.handler));
  queue.attach(worker);
  return {
    store,
    queue,
    worker,
    handleUpload: (method, url, req) => store.handleUpload(method, url, req),
    async close() {
      queue.close();
      worker.close();
      await queue.idle();
    },
  };
}
