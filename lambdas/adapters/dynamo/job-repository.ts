/**
 * Jobs in the one table: `JOB#<jobId>` / `JOB` (docs/DATA.md). A job still queued or running
 * is also in gsi1 under `JOBS#OPEN#<kind>` by its last change, for the stalled-job sweep; it
 * leaves the index when it completes or fails (only open jobs are there: a few at a time).
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Job, JobRepository } from '../../domain/jobs/job.js';
import { fromItem, isConditionFailure, Table } from './table.js';

export class DynamoJobRepository implements JobRepository {
  private readonly table: Table;

  constructor(db: DynamoDBDocumentClient, private readonly tableName: string) {
    this.table = new Table(db, tableName);
  }

  createJob(job: Job): Promise<boolean> {
    return this.table.putIfAbsent({
      pk: `JOB#${job.jobId}`, sk: 'JOB', entity: 'job', gsi1pk: `JOBS#OPEN#${job.kind}`, gsi1sk: `${job.updatedAt}#${job.jobId}`, ...job,
    });
  }

  getJob<Input = unknown>(jobId: string): Promise<Job<Input> | undefined> {
    return this.table.get<Job<Input>>(`JOB#${jobId}`, 'JOB');
  }

  async updateJob(jobId: string, change: Partial<Pick<Job, 'status' | 'progress' | 'errors' | 'result'>>, at: string): Promise<void> {
    const finished = change.status === 'completed' || change.status === 'failed';
    const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#gsi1sk': 'gsi1sk' };
    const values: Record<string, unknown> = { ':updatedAt': at };
    const sets = ['#updatedAt = :updatedAt'];
    if (!finished) {
      sets.push('#gsi1sk = :gsi1sk');
      values[':gsi1sk'] = `${at}#${jobId}`;
    }
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
        UpdateExpression: `SET ${sets.join(', ')}${finished ? ' REMOVE gsi1pk, #gsi1sk, countedParts' : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async countOnce(jobId: string, partKey: string, add: Record<string, number>, at: string): Promise<Job | undefined> {
    const names: Record<string, string> = { '#progress': 'progress', '#status': 'status', '#updatedAt': 'updatedAt', '#gsi1sk': 'gsi1sk' };
    const values: Record<string, unknown> = { ':part': new Set([partKey]), ':partKey': partKey, ':running': 'running', ':queued': 'queued', ':at': at, ':gsi1sk': `${at}#${jobId}` };
    const adds = Object.entries(add).map(([field, value], i) => {
      names[`#p${i}`] = field;
      values[`:p${i}`] = value;
      return `#progress.#p${i} :p${i}`;
    });
    try {
      const result = await this.table.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `JOB#${jobId}`, sk: 'JOB' },
        UpdateExpression: `ADD countedParts :part, ${adds.join(', ')} SET #status = :running, #updatedAt = :at, #gsi1sk = :gsi1sk`,
        ConditionExpression: '(#status = :queued OR #status = :running) AND NOT contains(countedParts, :partKey)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }));
      return fromItem<Job>(result.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async setOnce(jobId: string, partKey: string, change: Partial<Pick<Job, 'progress' | 'errors' | 'result' | 'input'>>, at: string): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt', '#gsi1sk': 'gsi1sk' };
    const values: Record<string, unknown> = { ':part': new Set([partKey]), ':partKey': partKey, ':running': 'running', ':queued': 'queued', ':at': at, ':gsi1sk': `${at}#${jobId}` };
    const sets = ['#updatedAt = :at', '#gsi1sk = :gsi1sk'];
    for (const [field, value] of Object.entries(change)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    try {
      await this.table.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `JOB#${jobId}`, sk: 'JOB' },
        UpdateExpression: `ADD countedParts :part SET ${sets.join(', ')}`,
        ConditionExpression: '(#status = :queued OR #status = :running) AND NOT contains(countedParts, :partKey)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async countedParts(jobId: string): Promise<Set<string>> {
    const item = await this.table.db.send(new GetCommand({
      TableName: this.tableName, Key: { pk: `JOB#${jobId}`, sk: 'JOB' }, ConsistentRead: true, ProjectionExpression: 'countedParts',
    }));
    return new Set((item.Item?.countedParts as Set<string> | undefined) ?? []);
  }

  async openJobsUntouchedSince(kind: string, before: string): Promise<string[]> {
    const items = await this.table.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :open AND gsi1sk < :before',
      ExpressionAttributeValues: { ':open': `JOBS#OPEN#${kind}`, ':before': before },
    });
    return items.map((item) => item.jobId as string);
  }
}
