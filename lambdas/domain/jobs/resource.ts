/** GET /v1/jobs/{jobId}: a job as its starters see it. */
import type { Actor } from '../actor.js';
import { NotFoundError } from '../errors.js';
import type { Role } from '../roles.js';
import { jobView, mayReadJob, type Job } from './job.js';

export class JobResource {
  constructor(
    /** Per job kind, the roles that may start it (and so read it). */
    private readonly startersByKind: Readonly<Record<string, readonly Role[]>>,
    private readonly read: (jobId: string) => Promise<Job | undefined>,
  ) {}

  async view(actor: Actor, jobId: string) {
    const job = await this.read(jobId);
    // Another kind's job reads as absent: its existence is not told to those who may not start it.
    if (!job || !mayReadJob(job.kind, actor.role, this.startersByKind)) throw new NotFoundError('No such job.');
    return jobView(job);
  }
}
