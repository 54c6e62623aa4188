/**
 * The active-jobs list (lambdas/domain/jobs/sweeper.ts): one small item per running job,
 * `pk = JOBS#ACTIVE#<kind>`, `sk = <jobId>`. A partition per kind takes one write when a job
 * starts and one when it ends (billing runs, imports: a few a day), far below a partition's
 * 1,000 writes a second, and the sweeper reads it with one Query.
 */
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ActiveJobs } from '../../domain/jobs/sweeper.js';
import { Table } from './table.js';

export class DynamoActiveJobs implements ActiveJobs {
  private readonly table: Table;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new Table(db, tableName);
  }

  async add(kind: string, jobId: string, at: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `JOBS#ACTIVE#${kind}`, sk: jobId, entity: 'activeJob', kind, jobId, since: at } }));
  }

  async remove(kind: string, jobId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `JOBS#ACTIVE#${kind}`, sk: jobId } }));
  }

  async list(kind: string): Promise<string[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `JOBS#ACTIVE#${kind}` },
      ProjectionExpression: 'sk',
    });
    return items.map((item) => item.sk as string);
  }
}
