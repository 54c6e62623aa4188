/** Builds the billing use-cases from configuration: SQS segments in AWS, an in-process queue locally. */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { Billing, type BillingQueue, type NoticePageJob, type SegmentJob } from '../domain/billing/service.js';
import { profileFor } from '../domain/billing/profile.js';
import { clock } from './clock.js';
import { loadConfig } from './config.js';
import { documentClient } from './dynamo/client.js';
import { DynamoBillingRepository } from './dynamo/billing-repository.js';
import { DynamoActiveJobs } from './dynamo/active-jobs.js';
import { DynamoJobRepository } from './dynamo/job-repository.js';
import { customerShards, DynamoCustomerRepository } from './dynamo/customer-repository.js';
import { randomIds } from './ids.js';
import { documentOrderQueue } from './document-order-queue.js';
import { businessMetrics, traced } from './observability.js';

const schema = z.object({
  UTILITY_COUNTRY: z.enum(['SE', 'FI', 'NO']),
  /** Set in AWS: the queue of billing-run segments. Locally the embedded stack installs its queue. */
  BILLING_QUEUE_URL: z.url().optional(),
  BILLING_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  /**
   * A run with no page counted for this long is re-queued by the sweeper (and by a second
   * start): longer than the segment queue's visibility timeout (30 min) plus one function
   * timeout (5 min, lib/constructs/billing.ts), so a page SQS will redeliver is not queued twice.
   */
  BILLING_STALLED_AFTER_SECONDS: z.coerce.number().int().min(1).default(2100),
});

let installedQueue: BillingQueue | undefined;

/** The embedded stack installs its in-process queue here; handlers never call it. */
export function installBillingQueue(queue: BillingQueue): void {
  installedQueue = queue;
}

class SqsBillingQueue implements BillingQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  async enqueue(job: SegmentJob | NoticePageJob): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: JSON.stringify(job) }));
  }
}

export function buildBilling(): Billing {
  const config = loadConfig();
  const env = schema.parse(process.env);
  const db = documentClient(config);
  const queue = env.BILLING_QUEUE_URL ? new SqsBillingQueue(traced(new SQSClient({ region: config.AWS_REGION })), env.BILLING_QUEUE_URL) : installedQueue;
  if (!queue) throw new Error('BILLING_QUEUE_URL is required outside the embedded stack');
  const customers = new DynamoCustomerRepository(db, config.TABLE_NAME);
  const documents = documentOrderQueue();
  return new Billing({
    repo: new DynamoBillingRepository(db, config.TABLE_NAME),
    queue,
    now: () => clock().now(),
    profile: profileFor(env.UTILITY_COUNTRY),
    segments: customerShards,
    pageSize: env.BILLING_PAGE_SIZE,
    appendLog: (entry) => customers.appendLog(entry),
    newId: (prefix) => randomIds.newId(prefix),
    activeJobs: new DynamoActiveJobs(db, config.TABLE_NAME),
    jobs: new DynamoJobRepository(db, config.TABLE_NAME),
    stalledAfterMs: env.BILLING_STALLED_AFTER_SECONDS * 1000,
    ...(documents ? { documents } : {}),
    metrics: businessMetrics,
  });
}
