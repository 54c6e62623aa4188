/**
 * The delivery queue as billing, dunning and the notice lists see it: they only enqueue
 * document orders (ids, never content; lambdas/domain/delivery/orders.ts). SQS in AWS
 * (DELIVERY_QUEUE_URL, set by lib/constructs/document-delivery.ts `grantOrders`), the embedded
 * stack's durable in-process queue locally (installed by local/delivery.ts).
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { DeliveryJob } from '../domain/delivery/ports.js';
import type { DocumentOrder, DocumentOrderQueue } from '../domain/delivery/orders.js';
import { loadConfig } from './config.js';
import { traced } from './observability.js';

const schema = z.object({ DELIVERY_QUEUE_URL: z.url().optional() });

let installed: { enqueue(job: DeliveryJob): Promise<void> } | undefined;

/** The embedded stack installs its delivery queue here; handlers never call it. */
export function installDocumentOrderQueue(queue: { enqueue(job: DeliveryJob): Promise<void> }): void {
  installed = queue;
}

class SqsOrderQueue implements DocumentOrderQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  async order(order: DocumentOrder): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: JSON.stringify({ order } satisfies DeliveryJob) }));
  }
}

/** The queue documents are ordered on, or undefined where no delivery is set up (a function that orders nothing). */
export function documentOrderQueue(env: NodeJS.ProcessEnv = process.env): DocumentOrderQueue | undefined {
  const { DELIVERY_QUEUE_URL } = schema.parse(env);
  if (DELIVERY_QUEUE_URL) return new SqsOrderQueue(traced(new SQSClient({ region: loadConfig().AWS_REGION })), DELIVERY_QUEUE_URL);
  const queue = installed;
  return queue ? { order: (order) => queue.enqueue({ order }) } : undefined;
}
