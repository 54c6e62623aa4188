/**
 * Queues and schedules of the embedded stack. The SQS queues that feed the job functions
 * become in-process queues calling the same handlers with SQS-shaped events; EventBridge
 * schedules become jobs run off the local clock.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsLimits } from '../lib/function-settings.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface InProcessQueueOptions {
  /**
   * With `before-return`: the jobs delivered after `enqueue` returns instead (as from SQS), e.g.
   * every send chunk but the first, so a fan-out waits for one chunk, not for thousands of sends.
   */
  readonly inBackground?: (job: unknown) => boolean;
  /**
   * A folder (in the data folder) that keeps every message until it is delivered or
   * dead-lettered, as SQS keeps it until it is deleted: a message whose process was killed
   * is delivered again when the stack starts (`recover`). Undefined: in memory only.
   */
  readonly dir?: string;
}

/** A message file: written whole (a temporary file renamed), so a kill never leaves half of one. */
interface StoredMessage {
  readonly body: string;
  readonly enqueuedAt: string;
}

/**
 * An SQS queue in the process. `before-return` delivers each job before `enqueue`
 * returns, so a request that sends SMS has filled the outbox when it answers;
 * `background` delivers after it (a billing run answers 202 and goes on). Failed
 * deliveries are retried as SQS would (three receives), then reported as dead-lettered.
 * With `dir`, the queue is durable: at-least-once across a kill, as SQS is. The attached
 * handler is the function as local/lambda-runtime.ts runs it: a timeout throws, which counts
 * as a failed receive. A body over SQS's message size is refused at `enqueue`.
 */
export class InProcessQueue<Job> {
  private handler: SqsHandler | undefined;
  private pending = new Set<Promise<void>>();
  private closed = false;
  readonly deadLetters: { body: string; at: string }[] = [];
  private readonly dir: string | undefined;
  private readonly inBackground: ((job: unknown) => boolean) | undefined;
  /** Orders the messages queued in one millisecond. */
  private sequence = 0;

  constructor(
    private readonly name: string,
    private readonly delivery: 'before-return' | 'background',
    private readonly log: (line: string) => void,
    options: InProcessQueueOptions = {},
  ) {
    this.dir = options.dir;
    this.inBackground = options.inBackground;
    if (this.dir) mkdirSync(this.dir, { recursive: true });
  }

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
    const file = this.store(body);
    const background = this.delivery === 'background' || (this.inBackground?.(job) ?? false);
    const delivering = this.deliver(body, file, background);
    if (!background) return delivering;
    this.track(delivering);
  }

  /**
   * Delivers again, in the background, every message a killed process left in the queue's
   * folder (oldest first); returns how many. Called once at start-up, after `attach`.
   */
  recover(): number {
    if (!this.dir || !this.handler) return 0;
    const files = readdirSync(this.dir).filter((name) => name.endsWith('.json')).sort();
    for (const name of files) {
      const file = join(this.dir, name);
      let message: StoredMessage;
      try {
        message = JSON.parse(readFileSync(file, 'utf8')) as StoredMessage;
      } catch {
        rmSync(file, { force: true }); // cannot happen with write-then-rename; never loop on it
        continue;
      }
      this.track(this.deliver(message.body, file, true));
    }
    if (files.length > 0) this.log(`${this.name}: delivering ${files.length} message(s) left from the last run again`);
    return files.length;
  }

  /** Messages stored and not yet delivered or dead-lettered (durable queues only). */
  backlog(): number {
    return this.dir ? readdirSync(this.dir).filter((name) => name.endsWith('.json')).length : this.pending.size;
  }

  /** Resolves when every job enqueued so far, and every job those enqueued, is delivered. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops delivering: what is stored stays for the next start, as a stopped process leaves SQS. */
  close(): void {
    this.closed = true;
  }

  private track(delivering: Promise<void>): void {
    this.pending.add(delivering);
    void delivering.finally(() => this.pending.delete(delivering));
  }

  private store(body: string): string | undefined {
    if (!this.dir) return undefined;
    // Time first: `recover` delivers in the order they were queued.
    const name = `${Date.now().toString().padStart(15, '0')}-${String(this.sequence++).padStart(9, '0')}-${randomUUID()}.json`;
    const file = join(this.dir, name);
    const message: StoredMessage = { body, enqueuedAt: new Date().toISOString() };
    writeFileSync(`${file}.tmp`, JSON.stringify(message));
    renameSync(`${file}.tmp`, file);
    return file;
  }

  private async deliver(body: string, file: string | undefined, background: boolean): Promise<void> {
    // Background jobs start after the current request has answered, as with a real queue.
    if (background) await new Promise((resolve) => setImmediate(resolve));
    const messageId = randomUUID();
    for (let receive = 1; receive <= 3; receive++) {
      if (this.closed) return; // stays stored: delivered at the next start
      const event = {
        Records: [{
          messageId, receiptHandle: messageId, body, attributes: { ApproximateReceiveCount: String(receive) },
          messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`, awsRegion: 'local',
        }],
      } as unknown as SQSEvent;
      try {
        const result = await this.handler!(event);
        if (result.batchItemFailures.length === 0) {
          if (file) rmSync(file, { force: true });
          return;
        }
      } catch {
        // a throwing handler counts as a failed receive
      }
    }
    if (this.closed) return;
    this.deadLetters.push({ body, at: new Date().toISOString() });
    if (file) {
      // As a dead-letter queue: kept for a person to read, never delivered again by itself.
      const deadDir = join(this.dir!, 'dead-letters');
      mkdirSync(deadDir, { recursive: true });
      renameSync(file, join(deadDir, file.slice(this.dir!.length + 1)));
    }
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
