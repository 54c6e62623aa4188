/**
 * Long work as a job (shared ARCHITECTURE "Long work: jobs"): the request records a job and
 * answers with it; the work runs from a queue and records its status, progress and result
 * here. `GET /v1/jobs/{jobId}` reads it.
 */
import { createHash } from 'node:crypto';
import type { Role } from '../roles.js';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface Job<Input = unknown> {
  jobId: string;
  kind: string;
  status: JobStatus;
  progress: Record<string, number>;
  errors: { message: string }[];
  result: Record<string, unknown>;
  /** What the job needs to run (the validated request); not shown on the job resource. */
  input: Input;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface JobRepository {
  /** Writes the job unless one with its id exists; false when it exists (a retried request). */
  createJob(job: Job): Promise<boolean>;
  getJob<Input = unknown>(jobId: string): Promise<Job<Input> | undefined>;
  updateJob(jobId: string, change: Partial<Pick<Job, 'status' | 'progress' | 'errors' | 'result'>>, at: string): Promise<void>;
  /**
   * Adds `add` to the job's progress once for `partKey` (a page, a chunk), however often it is
   * delivered, and marks the job running: the job after it, or undefined when that part was
   * counted before or the job has ended.
   */
  countOnce(jobId: string, partKey: string, add: Record<string, number>, at: string): Promise<Job | undefined>;
  /**
   * Sets `change` once for `partKey` (a step such as parsing a file), while the job is queued
   * or running: true for the one write that did it, false when the step was recorded before
   * (or at the same moment by another worker) or the job has ended. The status is left as is.
   */
  setOnce(jobId: string, partKey: string, change: Partial<Pick<Job, 'progress' | 'errors' | 'result' | 'input'>>, at: string): Promise<boolean>;
  /** The part keys counted (countOnce) or set (setOnce) on a running job; empty once it has ended. */
  countedParts(jobId: string): Promise<Set<string>>;
  /** Jobs of a kind still queued or running whose last change is before `before`. */
  openJobsUntouchedSince(kind: string, before: string): Promise<string[]>;
}

/**
 * The id of a job: derived from the caller and its `Idempotency-Key` when one is sent, so a
 * client retrying after a timeout finds the job it started instead of starting a second.
 */
export function jobIdFor(kind: string, caller: string, idempotencyKey: string | undefined, newId: (prefix: string) => string): string {
  if (!idempotencyKey) return newId('job');
  return `job_${createHash('sha256').update(`${kind}|${caller}|${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

/** The job resource as clients see it. */
export function jobView(job: Job) {
  const { input: _input, createdBy: _createdBy, ...view } = job;
  return view;
}

/** Who may read a job: those who may start that kind of job. */
export function mayReadJob(kind: string, role: Role, startersByKind: Readonly<Record<string, readonly Role[]>>): boolean {
  return (startersByKind[kind] ?? []).includes(role);
}
