/**
 * Builds the payment-file imports (lambdas/domain/billing/payment-imports.ts) from
 * configuration: an S3 bucket and an SQS queue of chunks in AWS; locally the embedded stack
 * installs its file store (under the data folder) and its in-process queue.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { Billing } from '../domain/billing/service.js';
import { PaymentImports, type PaymentChunkJob, type PaymentFileStore, type PaymentImportQueue } from '../domain/billing/payment-imports.js';
import { clock } from './clock.js';
import { loadConfig } from './config.js';
import { buildPaymentLedger } from './dunning-wiring.js';
import { documentClient } from './dynamo/client.js';
import { DynamoActiveJobs } from './dynamo/active-jobs.js';
import { DynamoPaymentImportRepository } from './dynamo/payment-import-repository.js';
import { randomIds } from './ids.js';
import { traced } from './observability.js';

/** The largest payment file imported: read, hashed and parsed whole inside the import request (100,000 payments are 12.3 MB). */
export const maxPaymentFileBytes = 32 * 1024 * 1024;

const schema = z.object({
  /** Set in AWS: the bucket uploads go to. Locally the embedded stack installs its store. */
  PAYMENT_FILE_BUCKET: z.string().min(3).optional(),
  /** Set in AWS: the queue of import chunks. */
  PAYMENT_IMPORT_QUEUE_URL: z.url().optional(),
  PAYMENT_IMPORT_CHUNK_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** POST /v1/payment-files books at most this many entries inside the request (about 2 s); a larger file is a background import (202). */
  PAYMENT_FILE_INLINE_ENTRIES: z.coerce.number().int().min(0).max(5000).default(500),
  PAYMENT_UPLOAD_URL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /** The queue's maxReceiveCount: the delivery that is the last attempt. */
  PAYMENT_IMPORT_MAX_RECEIVES: z.coerce.number().int().min(1).max(100).default(3),
});

export type PaymentImportSettings = z.infer<typeof schema>;

let installed: { store: PaymentFileStore; queue: PaymentImportQueue } | undefined;

/** The embedded stack installs its file store and queue here; handlers never call it. */
export function installPaymentImports(local: { store: PaymentFileStore; queue: PaymentImportQueue }): void {
  installed = local;
}

class SqsPaymentImportQueue implements PaymentImportQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  async enqueue(jobs: readonly PaymentChunkJob[]): Promise<void> {
    const batches: PaymentChunkJob[][] = [];
    for (let i = 0; i < jobs.length; i += 10) batches.push(jobs.slice(i, i + 10));
    // Ten a call (SQS's limit), a few calls at once: 200 chunks are 20 calls.
    for (let i = 0; i < batches.length; i += 4) {
      await Promise.all(batches.slice(i, i + 4).map((batch) => this.send(batch)));
    }
  }

  private async send(batch: PaymentChunkJob[]): Promise<void> {
    let entries = batch.map((job) => ({ Id: String(job.chunk), MessageBody: JSON.stringify(job) }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      if (attempt >= 3) throw new Error(`SQS refused ${entries.length} chunk messages`);
      const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.url, Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  }
}

/**
 * The S3 store, loaded on its first use: most requests of the billing routes (invoices, runs)
 * never touch a file, and the S3 client would add to every cold start (as pdf-lib would).
 */
function lazyS3Store(bucket: string, region: string, now: () => Date): PaymentFileStore {
  let loaded: Promise<PaymentFileStore> | undefined;
  const store = () =>
    (loaded ??= import('./storage/s3-payment-file-store.js').then(
      ({ S3PaymentFileStore }) => new S3PaymentFileStore(traced(S3PaymentFileStore.client(region)), bucket, now),
    ));
  return {
    uploadUrl: async (objectKey, seconds) => (await store()).uploadUrl(objectKey, seconds),
    read: async (objectKey, options) => (await store()).read(objectKey, options),
    put: async (objectKey, bytes) => (await store()).put(objectKey, bytes),
  };
}

export function paymentImportSettings(): PaymentImportSettings {
  return schema.parse(process.env);
}

/** `ledger`: the route group's own, when it has one (one Dunning built per cold start, not two). */
export function buildPaymentImports(billing: Billing, ledger: { fileBooked(valueDate?: string): Promise<void> } = buildPaymentLedger()): PaymentImports {
  const config = loadConfig();
  const env = paymentImportSettings();
  const now = () => clock().now();
  let store: PaymentFileStore | undefined = installed?.store;
  let queue: PaymentImportQueue | undefined = installed?.queue;
  if (env.PAYMENT_FILE_BUCKET) store = lazyS3Store(env.PAYMENT_FILE_BUCKET, config.AWS_REGION, now);
  if (env.PAYMENT_IMPORT_QUEUE_URL) queue = new SqsPaymentImportQueue(traced(new SQSClient({ region: config.AWS_REGION })), env.PAYMENT_IMPORT_QUEUE_URL);
  if (!store || !queue) throw new Error('PAYMENT_FILE_BUCKET and PAYMENT_IMPORT_QUEUE_URL are required outside the embedded stack');
  return new PaymentImports({
    repo: new DynamoPaymentImportRepository(documentClient(config), config.TABLE_NAME),
    store,
    queue,
    book: (entries, importId) => billing.bookEntries(entries, importId),
    fileBooked: (valueDate) => ledger.fileBooked(valueDate),
    now,
    newId: (prefix) => randomIds.newId(prefix),
    chunkSize: env.PAYMENT_IMPORT_CHUNK_SIZE,
    uploadUrlSeconds: env.PAYMENT_UPLOAD_URL_SECONDS,
    maxFileBytes: maxPaymentFileBytes,
    inlineEntries: env.PAYMENT_FILE_INLINE_ENTRIES,
    activeJobs: new DynamoActiveJobs(documentClient(config), config.TABLE_NAME),
  });
}
