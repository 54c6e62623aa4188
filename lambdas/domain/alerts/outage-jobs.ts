/**
 * The outage jobs for the stalled-job sweeper (the ResumableJobs interface of
 * lambdas/domain/jobs/): an outage job with no change for longer than `stalledAfterMs` goes
 * on the queue again. Running it again is safe: runOutageJob writes nothing twice and sends
 * each recipient once.
 */
import type { JobRepository } from '../jobs/job.js';
import type { AlertJobQueue } from './ports.js';

export class ResumableOutageJobs {
  readonly kind = 'outage';

  constructor(
    private readonly jobs: JobRepository,
    private readonly queue: AlertJobQueue,
  ) {}

  async resumeStalled(now: Date, stalledAfterMs: number): Promise<number> {
    const stalled = await this.jobs.openJobsUntouchedSince(this.kind, new Date(now.getTime() - stalledAfterMs).toISOString());
    for (const jobId of stalled) await this.queue.enqueueJob({ jobId });
    return stalled.length;
  }
}
