import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { SQSEvent } from 'aws-lambda';
import { InProcessQueue } from '../../../local/jobs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const queueDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'queue-'));
  dirs.push(dir);
  return dir;
};
const bodies = (event: SQSEvent) => event.Records.map((record) => JSON.parse(record.body) as { n: number });
const messageFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.json'));

describe('the durable local queue (as SQS keeps a message until it is deleted)', () => {
  it('delivers again, at the next start, what a killed process had queued and not finished', async () => {
    // Prepare: the first process's worker never finishes (killed mid-delivery)
    const dir = queueDir();
    const first = new InProcessQueue<{ n: number }>('segments', 'background', () => undefined, { dir });
    first.attach(() => new Promise(() => undefined));
    await first.enqueue({ n: 1 });
    await first.enqueue({ n: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(messageFiles(dir)).toHaveLength(2);

    // Act: the next start on the same folder
    const delivered: number[] = [];
    const second = new InProcessQueue<{ n: number }>('segments', 'background', () => undefined, { dir });
    second.attach(async (event) => {
      delivered.push(...bodies(event).map((body) => body.n));
      return { batchItemFailures: [] };
    });
    const recovered = second.recover();
    await second.idle();

    // Assess: both, in the order they were queued, then gone from the folder
    expect(recovered).toBe(2);
    expect(delivered).toEqual([1, 2]);
    expect(messageFiles(dir)).toEqual([]);
  });

  it('keeps a message that failed three receives as a dead letter, never delivered again by itself', async () => {
    const dir = queueDir();
    const lines: string[] = [];
    let receives = 0;
    const queue = new InProcessQueue<{ n: number }>('segments', 'background', (line) => lines.push(line), { dir });
    queue.attach(async (event) => {
      receives++;
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    await queue.enqueue({ n: 1 });
    await queue.idle();
    const restarted = new InProcessQueue<{ n: number }>('segments', 'background', () => undefined, { dir });
    restarted.attach(async () => ({ batchItemFailures: [] }));

    expect(receives).toBe(3);
    expect(restarted.recover()).toBe(0);
    expect(readdirSync(join(dir, 'dead-letters'))).toHaveLength(1);
    expect(lines.join('\n')).toContain('dead-lettered after 3 receives');
  });

  it('after close, keeps what is not delivered for the next start', async () => {
    const dir = queueDir();
    const queue = new InProcessQueue<{ n: number }>('segments', 'background', () => undefined, { dir });
    let calls = 0;
    queue.attach(async () => {
      calls++;
      return { batchItemFailures: [] };
    });
    queue.close();
    await queue.enqueue({ n: 1 });
    await queue.idle();
    expect(calls).toBe(0);
    expect(messageFiles(dir)).toHaveLength(1);
  });
});

describe('a before-return queue with jobs it delivers in the background', () => {
  it('answers enqueue after delivering a job it keeps, and before the ones it hands to the background, which it delivers afterwards', async () => {
    // Prepare
    const delivered: number[] = [];
    const queue = new InProcessQueue<{ chunk: number }>('send-alerts', 'before-return', () => undefined, {
      inBackground: (job) => (job as { chunk: number }).chunk > 0,
    });
    queue.attach(async (event) => {
      delivered.push(...event.Records.map((record) => (JSON.parse(record.body) as { chunk: number }).chunk));
      return { batchItemFailures: [] };
    });

    // Act
    await queue.enqueue({ chunk: 0 });
    await queue.enqueue({ chunk: 1 });
    const atReturn = [...delivered];
    await queue.idle();

    // Assess
    expect(atReturn).toEqual([0]);
    expect(delivered).toEqual([0, 1]);
  });
});
