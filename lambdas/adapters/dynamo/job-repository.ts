/** Jobs in the one table: `JOB#<jobId>` / `JOB` (docs/DATA.md). */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Job, JobRepository } from '../../domain/jobs/job.js';
import { Table } from './table.js';

export class DynamoJobRepository implements JobRepository {
  private readonly table: Table;

  constructor(db: DynamoDBDocumentClient, private readonly tableName: string) {
    this.table = new Table(db, tableName);
  }

  createJob(job: Job): Promise<boolean> {
    return this.table.putIfAbsent({ pk: `JOB#${job.jobId}`, sk: 'JOB', entity: 'job', ...job });
  }

  getJob<Input = unknown>(jobId: string): Promise<Job<Input> | undefined> {
    return this.table.get<Job<Input>>(`JOB#${jobId}`, 'JOB');
  }

  async updateJob(jobId: string, change: Partial<Pick<Job, 'status' | 'progress' | 'errors' | 'result'>>, at: string): Promise<void> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': at };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [field, value] of Object.entries(change)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    await this.table.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `JOB#${jobId}`, sk: 'JOB' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
