/**
 * Background jobs resume after a crash (docs/ARCHITECTURE.md, "Long work: jobs"). Each job
 * keeps its progress in DynamoDB and is listed among the active jobs while it runs; a queue
 * redelivers what a dead worker left (SQS in AWS, the durable local queue in the data
 * folder), and the sweeper re-queues the unfinished work of any job that made no progress for
 * longer than its kind allows: a message lost or dead-lettered never stalls a job for good.
 * The same sweeper runs on AWS (a scheduled function) and in the embedded stack (at start-up,
 * every minute and after every move of the local clock).
 */

/** The jobs that are running, by kind: written when a job starts, removed when it ends. */
export interface ActiveJobs {
  add(kind: string, jobId: string, at: string): Promise<void>;
  remove(kind: string, jobId: string): Promise<void>;
  list(kind: string): Promise<string[]>;
}

/** What a kind of job re-queued for one stalled job. */
export interface Resumed {
  readonly kind: string;
  readonly jobId: string;
  /** Messages put on the queue again (segments, chunks ...). */
  readonly requeued: number;
}

/** A kind of job the sweeper looks after. */
export interface ResumableJobs {
  readonly kind: string;
  /** No progress for this long (on the clock the handlers read) counts as stalled. */
  readonly stalledAfterMs: number;
  /**
   * Re-queues the unfinished work of each of its jobs that has made no progress since
   * `now - stalledAfterMs`, drops ended jobs from the active list, and returns what it re-queued.
   */
  resumeStalled(now: Date): Promise<Resumed[]>;
}

export interface SweepReport {
  readonly at: string;
  readonly resumed: readonly Resumed[];
}

export class JobSweeper {
  constructor(private readonly kinds: readonly ResumableJobs[]) {}

  /** Every kind but those in `skip`, one after another; a kind that fails does not stop the others. */
  async sweep(now: Date, options: { skip?: ReadonlySet<string> } = {}): Promise<SweepReport & { failed: string[] }> {
    const resumed: Resumed[] = [];
    const failed: string[] = [];
    for (const kind of this.kinds) {
      if (options.skip?.has(kind.kind)) continue;
      try {
        resumed.push(...(await kind.resumeStalled(now)));
      } catch {
        failed.push(kind.kind);
      }
    }
    return { at: now.toISOString(), resumed, failed };
  }
}

/** The active-jobs list in memory: for tests and benchmarks that run a job without the table. */
export function memoryActiveJobs(): ActiveJobs & { readonly entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    add: async (kind, jobId, at) => void entries.set(`${kind}#${jobId}`, at),
    remove: async (kind, jobId) => void entries.delete(`${kind}#${jobId}`),
    list: async (kind) => [...entries.keys()].filter((key) => key.startsWith(`${kind}#`)).map((key) => key.slice(kind.length + 1)),
  };
}
