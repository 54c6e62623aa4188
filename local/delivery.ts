/**
 * Document delivery in the embedded stack: what S3, SQS, SES, the e-invoice operator and the
 * print service are in AWS.
 *
 * - Documents are files under `<data folder>/documents/` (the S3 bucket's keys as paths).
 * - Every channel is the outbox: `GET /_local/outbox` lists every outbound item (SMS and voice
 *   included), `GET /_local/outbox/{id}/content` returns the document itself; the bytes are
 *   files under `<data folder>/outbox/<id>`, never in the table.
 * - The delivery queue is an in-process queue delivering in the background, as SQS would, to
 *   the same job handler CDK deploys (lambdas/jobs/deliver-documents.ts). At start-up the
 *   hand-over claims a killed process left `sending` are released, its messages delivered
 *   again, and the sweeper queues again what a stop left queued.
 * - `failing` makes a channel refuse or be unavailable (tests; trying the fallbacks by hand).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { buildDocumentDelivery, installLocalDelivery } from '../lambdas/adapters/delivery-wiring.js';
import { installOutboxSettings, Outbox, type OutboxContentStore } from '../lambdas/adapters/messaging/outbox.js';
import { outboundChannels, outboundKinds, type OutboundChannel } from '../lambdas/domain/delivery/model.js';
import type { DeliveryJob, DocumentStore } from '../lambdas/domain/delivery/ports.js';
import type { DocumentDelivery } from '../lambdas/domain/delivery/service.js';
import { ValidationError } from '../lambdas/domain/errors.js';
import { zodErrors } from '../lambdas/http/handler.js';
import { problemResponse, problemTypeBase } from '../lambdas/http/problem.js';
import { InProcessQueue, type InProcessQueueOptions, type SqsHandler } from './jobs.js';
import { asLambda } from './lambda-runtime.js';
import { functionSettings } from '../lib/function-settings.js';
import { installDocumentOrderQueue } from '../lambdas/adapters/document-order-queue.js';
import { localLetterSettings } from '../lambdas/adapters/letters-config.js';

const documentKeyPattern = /^documents\/doc_[0-9a-f]{24}\/[0-9a-f]{16}\.[a-z.]{2,12}$/;
const outboxIdPattern = /^out_[0-9a-f]{20}$/;

/** Written aside and renamed: a reader never sees half a file. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${randomBytes(6).toString('hex')}.part`;
  await writeFile(partial, bytes);
  await rename(partial, file);
}

async function readIfThere(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** DocumentStore on files: S3 keys as paths under the folder. */
export class LocalDocumentStore implements DocumentStore {
  constructor(private readonly directory: string) {}

  private file(key: string): string {
    if (!documentKeyPattern.test(key)) throw new Error('not a document key');
    return join(this.directory, key);
  }

  put(key: string, bytes: Uint8Array): Promise<void> {
    return writeAtomically(this.file(key), bytes);
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return readIfThere(this.file(key));
  }
}

class LocalOutboxContent implements OutboxContentStore {
  constructor(private readonly directory: string) {}

  private file(id: string): string {
    if (!outboxIdPattern.test(id)) throw new Error('not an outbox id');
    return join(this.directory, id);
  }

  put(id: string, bytes: Uint8Array): Promise<void> {
    return writeAtomically(this.file(id), bytes);
  }

  get(id: string): Promise<Uint8Array | undefined> {
    return readIfThere(this.file(id));
  }
}

const OutboxListQuery = z.strictObject({
  since: z.string().refine((value) => /^\d{4}-\d{2}-\d{2}(T|$)/.test(value) && !Number.isNaN(Date.parse(value)), 'an ISO-8601 time').optional(),
  channel: z.enum(outboundChannels).optional(),
  kind: z.enum(outboundKinds).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(1024).optional(),
});

const problem = (status: number, slug: string, title: string, detail: string, errors?: { path: string; message: string }[]) =>
  problemResponse({ type: problemTypeBase + slug, title, status, detail, ...(errors ? { errors } : {}) });

export interface LocalDelivery {
  readonly queue: InProcessQueue<DeliveryJob>;
  readonly outbox: Outbox;
  /** Channels told to refuse or to be unavailable until removed. */
  readonly failing: Map<OutboundChannel, 'refuse' | 'unavailable'>;
  /** The delivery use-cases as the handlers build them: submit documents, read their delivery. */
  readonly service: DocumentDelivery;
  /** `GET /_local/outbox` and `GET /_local/outbox/{id}/content`; undefined for other paths. */
  route(method: string, path: string, url: URL): Promise<APIGatewayProxyStructuredResultV2 | undefined>;
  /** Releases a killed process's claims, delivers again what it left in the queue's folder, and sweeps what no message holds. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Installs the store, the outbox settings and the queue for the handlers (before they are
 * imported), attaches the delivery job and sweeps once. `dataDir` undefined: a temporary folder.
 */
export async function startLocalDelivery(options: {
  dataDir?: string;
  db: DynamoDBDocumentClient;
  tableName: string;
  now: () => Date;
  log: (line: string) => void;
  /** With a folder: durable, as SQS keeps a message until it is deleted (local/jobs.ts). */
  queueOptions?: InProcessQueueOptions;
}): Promise<LocalDelivery> {
  const country = (process.env.UTILITY_COUNTRY ?? 'SE') as 'SE' | 'FI' | 'NO';
  const letters = localLetterSettings[country];
  const defaults: Record<string, string> = {
    DELIVERY_MODE: 'outbox', EMAIL_FROM_ADDRESS: letters.sender.email ?? 'faktura@arvika.se', EMAIL_FROM_NAME: letters.sender.name,
    UTILITY_LETTERS_JSON: JSON.stringify(letters),
  };
  for (const [name, value] of Object.entries(defaults)) process.env[name] ??= value;
  const base = options.dataDir ?? mkdtempSync(join(tmpdir(), 'utility-delivery-'));
  const failing = new Map<OutboundChannel, 'refuse' | 'unavailable'>();
  installOutboxSettings({ content: new LocalOutboxContent(join(base, 'outbox')), failing });
  const queue = new InProcessQueue<DeliveryJob>('deliver-documents', 'background', options.log, options.queueOptions ?? {});
  installLocalDelivery({ store: new LocalDocumentStore(join(base, 'documents')), queue });
  installDocumentOrderQueue(queue);
  const job = (await import('../lambdas/jobs/deliver-documents.js')) as { handler: SqsHandler & ((event: { sweep: true }) => Promise<unknown>) };
  // As the function CDK deploys runs: its timeout and memory (lib/function-settings.ts).
  const deliverFunction = asLambda({ name: 'deliver-documents', settings: functionSettings.deliverDocuments }, job.handler as SqsHandler);
  queue.attach(deliverFunction);
  const outbox = new Outbox(options.db, options.tableName, options.now);

  const service = buildDocumentDelivery();
  return {
    queue,
    outbox,
    failing,
    service,
    async route(method, path, url) {
      if (path === '/_local/outbox' && method === 'GET') {
        const parsed = OutboxListQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!parsed.success) return problem(422, 'validation-error', 'Invalid request', 'The query has invalid fields.', zodErrors(parsed.error));
        const { since, ...rest } = parsed.data;
        try {
          return json(await outbox.listOutbound({ ...rest, ...(since ? { since: new Date(since).toISOString() } : {}) }));
        } catch (error) {
          if (error instanceof ValidationError) return problem(422, 'validation-error', 'Invalid request', error.message, [...error.errors]);
          throw error;
        }
      }
      const content = /^\/_local\/outbox\/([^/]+)\/content$/.exec(path);
      if (content && method === 'GET') {
        const found = await outbox.content(decodeURIComponent(content[1]!));
        if (!found) return problem(404, 'not-found', 'Not found', 'No such outbox item.');
        return { statusCode: 200, headers: { 'content-type': found.contentType }, body: Buffer.from(found.bytes).toString('base64'), isBase64Encoded: true };
      }
      return undefined;
    },
    async start() {
      // No run of the last process is alive: its `sending` claims are released before its
      // messages are delivered again (they would otherwise wait out claimStaleMs, and be dead-lettered).
      const released = await service.releaseClaimsOfEndedRuns();
      if (released > 0) options.log(`deliver-documents: released ${released} hand-over claim(s) the last run left sending`);
      queue.recover();
      await job.handler({ sweep: true });
    },
    async close() {
      // Durable: what is not delivered stays in the folder for the next start.
      if (options.queueOptions?.dir) queue.close();
      await queue.idle();
    },
  };
}

function json(body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
