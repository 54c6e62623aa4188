/**
 * Queues and schedules of the embedded stack. The SQS queue that feeds the sending
 * function becomes an in-process queue calling the same handler with an SQS-shaped event;
 * EventBridge schedules become jobs run off the local clock.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsLimits } from '../lib/function-settings.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/**
 * An SQS queue in the process. `before-return` delivers each job before `enqueue`
 * returns, so a request that sends SMS has filled the outbox when it answers;
 * `background` delivers after it (a billing run answers 202 and goes on). Failed
 * deliveries are retried as SQS would (three receives), then reported as dead-lettered. The
 * attached handler is the function as local/lambda-runtime.ts runs it: a timeout throws, which
 * counts as a failed receive. A body over SQS's message size is refused at `enqueue`.
 */
export class InProcessQueue<Job> {
  private handler: SqsHandler | undefined;
  private pending = new Set<Promise<void>>();
  readonly deadLetters: { body: string; at: string }[] = [];

  constructor(
    private readonly name: string,
    private readonly delivery: 'before-return' | 'background',
    private readonly log: (line: string) => void,
  ) {}

  attach(handler: SqsHandler): void {
    this.handler = handler;
  }

  async enqueue(job: Job): Promise<void> {
    if (!this.handler) throw new Error(`no handler attached to ${this.name}`);
    const body = JSON.stringify(job);
    // SendMessage refuses a body over the queue's MaximumMessageSize (CDK sets it: lib/function-settings.ts).
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes > awsLimits.sqsMaxMessageBytes) {
      throw Object.assign(new Error(`One or more parameters are invalid. Reason: Message must be shorter than ${awsLimits.sqsMaxMessageBytes} bytes (${this.name}: ${bytes} bytes).`), { name: 'InvalidParameterValue' });
    }
    const delivering = this.deliver(body);
    if (this.delivery === 'before-return') return delivering;
    this.pending.add(delivering);
    void delivering.finally(() => this.pending.delete(delivering));
  }

  /** Resolves when every job enqueued so far, and every job those enqueued, is delivered. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async deliver(body: string): Promise<void> {
    // Background jobs start after the current request has answered, as with a real queue.
    if (this.delivery === 'background') await new Promise((resolve) => setImmediate(resolve));
    const messageId = randomUUID();
    for (let receive = 1; receive <= 3; receive++) {
      const event = {
        Records: [{
          messageId, receiptHandle: messageId, body, attributes: { ApproximateReceiveCount: String(receive) },
          messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`, awsRegion: 'local',
        }],
      } as unknown as SQSEvent;
      try {
        const result = await this.handler!(event);
        if (result.batchItemFailures.length === 0) return;
      } catch {
        // a throwing handler counts as a failed receive
      }
    }
    this.deadLetters.push({ body, at: new Date().toISOString() });
    this.log(`${this.name}: a message was dead-lettered after 3 receives`);
  }
}

export type ScheduledJob = () => Promise<unknown>;

/**
 * Scheduled jobs of the embedded stack: each runs every minute of real time and after
 * every move of the local clock, and `POST /_local/schedules/{name}/fire` runs one now.
 */
export class LocalScheduler {
  private readonly jobs = new Map<string, { job: ScheduledJob; fireNow?: ScheduledJob }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly log: (line: string) => void) {}

  /** `job` runs on every tick; `fireNow`, if given, is what `fire` runs (e.g. every region's run, due or not). */
  register(name: string, job: ScheduledJob, options: { fireNow?: ScheduledJob } = {}): void {
    this.jobs.set(name, { job, ...(options.fireNow ? { fireNow: options.fireNow } : {}) });
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  async fire(name: string): Promise<{ found: boolean; result?: unknown }> {
    const entry = this.jobs.get(name);
    if (!entry) return { found: false };
    return { found: true, result: await (entry.fireNow ?? entry.job)() };
  }

  /** Runs one job as its schedule does (not its `fireNow`): what a tick runs of it. */
  async run(name: string): Promise<unknown> {
    const entry = this.jobs.get(name);
    if (!entry) throw new Error(`no scheduled job ${name}`);
    return entry.job();
  }

  /** Runs every job once, one run at a time. */
  tick(): Promise<void> {
    this.running = this.running.then(async () => {
      for (const [name, { job }] of this.jobs) {
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
