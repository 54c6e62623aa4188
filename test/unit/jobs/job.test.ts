import { describe, expect, it } from '@jest/globals';
import { jobIdFor, type Job } from '../../../lambdas/domain/jobs/job.js';
import { JobResource } from '../../../lambdas/domain/jobs/resource.js';
import { NotFoundError } from '../../../lambdas/domain/errors.js';

let counter = 0;
const newId = (prefix: string) => `${prefix}_${++counter}`;

describe('job ids', () => {
  it('are the same for the same caller and Idempotency-Key (a retry finds the first job)', () => {
    // Act
    const first = jobIdFor('outage', 'ops-1', 'key-1', newId);
    const retry = jobIdFor('outage', 'ops-1', 'key-1', newId);
    // Assess
    expect(retry).toBe(first);
  });

  it('differ for another caller, another key or another kind, and are new without a key', () => {
    // Act
    const ids = [
      jobIdFor('outage', 'ops-1', 'key-1', newId),
      jobIdFor('outage', 'ops-2', 'key-1', newId),
      jobIdFor('outage', 'ops-1', 'key-2', newId),
      jobIdFor('register-import', 'ops-1', 'key-1', newId),
      jobIdFor('outage', 'ops-1', undefined, newId),
      jobIdFor('outage', 'ops-1', undefined, newId),
    ];
    // Assess
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the job resource', () => {
  const job: Job = {
    jobId: 'job_1', kind: 'outage', status: 'running', progress: { resolved: 3 }, errors: [], result: { outageId: 'out_1' },
    input: { secret: 'the request' }, createdBy: 'ops-1', createdAt: '2026-11-24T10:00:00.000Z', updatedAt: '2026-11-24T10:00:01.000Z',
  };
  const resource = new JobResource({ outage: ['ops', 'admin'] }, async (id) => (id === job.jobId ? job : undefined));

  it('shows a starter the status, progress and result, not the stored request', async () => {
    // Act
    const view = await resource.view({ subject: 'ops-2', role: 'ops' }, 'job_1');
    // Assess
    expect(view).toEqual({
      jobId: 'job_1', kind: 'outage', status: 'running', progress: { resolved: 3 }, errors: [], result: { outageId: 'out_1' },
      createdAt: job.createdAt, updatedAt: job.updatedAt,
    });
  });

  it('reads as absent to a role that may not start its kind', async () => {
    // Act
    const reading = resource.view({ subject: 'agent-1', role: 'agent' }, 'job_1');
    // Assess
    await expect(reading).rejects.toBeInstanceOf(NotFoundError);
  });
});
