/**
 * The outage jobs for the stalled-job sweeper (lambdas/domain/jobs/sweeper.ts): an outage job
 * with no change for longer than `stalledAfterMs` goes on the queue again. Running it again is
 * safe: runOutageJob writes nothing twice and sends each recipient once.
 */
import type { JobRepository } from '../jobs/job.js';
import type { Resumed, ResumableJobs } from '../jobs/sweeper.js';
import type { AlertJobQueue } from './ports.js';
import { registerImportJobKind, registerImportWork, type RegisterImportInput } from './service.js';

/** Longer than the sending function's timeout: a job still running is not queued twice. */
export const outageJobStalledAfterMs = 15 * 60_000;

export class ResumableOutageJobs implements ResumableJobs {
  readonly kind = 'outage';

  constructor(
    private readonly jobs: JobRepository,
    private readonly queue: AlertJobQueue,
    readonly stalledAfterMs = outageJobStalledAfterMs,
  ) {}

  async resumeStalled(now: Date): Promise<Resumed[]> {
    const stalled = await this.jobs.openJobsUntouchedSince(this.kind, new Date(now.getTime() - this.stalledAfterMs).toISOString());
    for (const jobId of stalled) await this.queue.enqueueJob({ jobId });
    return stalled.map((jobId) => ({ kind: this.kind, jobId, requeued: 1 }));
  }
}

/**
 * Register imports for the sweeper: one untouched for longer than `stalledAfterMs` gets every
 * chunk queued again, or, an uploaded file not parsed yet, its parse (registerImportWork). A
 * chunk counted before writes the same items again and is not counted twice
 * (JobRepository.countOnce); the last one counted completes the import. A parse done before
 * is recorded once (JobRepository.setOnce).
 */
export class ResumableRegisterImports implements ResumableJobs {
  readonly kind = registerImportJobKind;

  constructor(
    private readonly jobs: JobRepository,
    private readonly queue: AlertJobQueue,
    readonly stalledAfterMs = outageJobStalledAfterMs,
  ) {}

  async resumeStalled(now: Date): Promise<Resumed[]> {
    const stalled = await this.jobs.openJobsUntouchedSince(this.kind, new Date(now.getTime() - this.stalledAfterMs).toISOString());
    const resumed: Resumed[] = [];
    for (const jobId of stalled) {
      const job = await this.jobs.getJob<RegisterImportInput>(jobId);
      if (!job) continue;
      const work = registerImportWork(jobId, job.input);
      for (const message of work) await this.queue.enqueueJob(message);
      resumed.push({ kind: this.kind, jobId, requeued: work.length });
    }
    return resumed;
  }
}
