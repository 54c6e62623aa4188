/**
 * Queues and schedules of the embedded stack. The SQS queue that feeds the sending
 * function becomes an in-process queue calling the same handler with an SQS-shaped event;
 * EventBridge schedules become jobs run off the local clock.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SendQueue } from '../lambdas/domain/alerts/ports.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/**
 * Delivers each job to the attached handler before `enqueue` returns, so a request that
 * sends SMS has filled the outbox when it answers. Failed deliveries are retried as SQS
 * would (three receives), then reported as dead-lettered.
 */
export class InProcessSendQueue implements SendQueue {
  private handler: SqsHandler | undefined;
  readonly deadLetters: { body: string; at: string }[] = [];

  constructor(private readonly log: (line: string) => void) {}

  attach(handler: SqsHandler): void {
    this.handler = handler;
  }

  async enqueue(job: { outageId: string; messageKey: string }): Promise<void> {
    if (!this.handler) throw new Error('no sending handler attached');
    const body = JSON.stringify(job);
    const messageId = randomUUID();
    for (let receive = 1; receive <= 3; receive++) {
      const event = {
        Records: [{
          messageId, receiptHandle: messageId, body, attributes: { ApproximateReceiveCount: String(receive) },
          messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:local:000000000000:send-alerts', awsRegion: 'local',
        }],
      } as unknown as SQSEvent;
      const result = await this.handler(event);
      if (result.batchItemFailures.length === 0) return;
    }
    this.deadLetters.push({ body, at: new Date().toISOString() });
    this.log(`send-alerts: job for outage ${job.outageId} message ${job.messageKey} dead-lettered after 3 receives`);
  }
}

export type ScheduledJob = () => Promise<unknown>;

/**
 * Scheduled jobs of the embedded stack: each runs every minute of real time and after
 * every move of the local clock, and `POST /_local/schedules/{name}/fire` runs one now.
 */
export class LocalScheduler {
  private readonly jobs = new Map<string, ScheduledJob>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly log: (line: string) => void) {}

  register(name: string, job: ScheduledJob): void {
    this.jobs.set(name, job);
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  async fire(name: string): Promise<{ found: boolean; result?: unknown }> {
    const job = this.jobs.get(name);
    if (!job) return { found: false };
    return { found: true, result: await job() };
  }

  /** Runs every job once, one run at a time. */
  tick(): Promise<void> {
    this.running = this.running.then(async () => {
      for (const [name, job] of this.jobs) {
        try {
          await job();
        } catch (error) {
          this.log(`schedule ${name} failed: ${(error as Error).name}`);
        }
      }
    });
    return this.running;
  }

  start(intervalMs = 60_000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
