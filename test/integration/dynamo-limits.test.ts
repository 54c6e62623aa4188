/**
 * DynamoDB's limits in the embedded stack (docs/LIMITS.md): dynalite enforces them itself, so the
 * embedded stack adds nothing; these tests keep it so (a dynalite upgrade or another local
 * DynamoDB that dropped one would fail here) and show that the batch helpers stay inside them.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import dynalite from 'dynalite';
import { BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { batchGet, batchPut } from '../../lambdas/adapters/dynamo/batch.js';
import { documentClient } from '../../lambdas/adapters/dynamo/client.js';
import { createTableInput } from '../../lambdas/adapters/table-schema.js';

const table = 'limits-it';
let server: Server;
let raw: DynamoDBClient;
let db: ReturnType<typeof documentClient>;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  raw = new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await raw.send(new CreateTableCommand(createTableInput(table)));
  process.env.AWS_ACCESS_KEY_ID ??= 'x';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'x';
  db = documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: endpoint });
});
afterAll(async () => {
  raw.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const KB = 1024;
const key = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });

describe('DynamoDB limits in the embedded stack (dynalite)', () => {
  it('an item over 400 KB is refused; one under it is written', async () => {
    await expect(raw.send(new PutItemCommand({ TableName: table, Item: { ...key('big', '1'), data: { S: 'x'.repeat(401 * KB) } } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
    });
    await raw.send(new PutItemCommand({ TableName: table, Item: { ...key('big', '2'), data: { S: 'x'.repeat(399 * KB) } } }));
  });

  it('BatchWriteItem takes at most 25 requests, BatchGetItem at most 100 keys', async () => {
    const puts = (n: number) => Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: key('batch', String(i)) } }));
    await expect(raw.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts(26) } }))).rejects.toMatchObject({ name: 'ValidationException' });
    await raw.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts(25) } }));
    const keys = (n: number) => Array.from({ length: n }, (_, i) => key('batch', String(i)));
    await expect(raw.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys(101) } } }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect((await raw.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys(100) } } }))).Responses?.[table]).toHaveLength(25);
  });

  it('the batch helpers split larger sets into calls AWS accepts', async () => {
    const items = Array.from({ length: 260 }, (_, i) => ({ pk: 'helpers', sk: String(i).padStart(3, '0') }));
    await batchPut(db, table, items);
    expect(await batchGet(db, table, items)).toHaveLength(260);
  });

  it('a Query without a Limit returns one page of about 1 MB and the key to go on from', async () => {
    for (let i = 0; i < 30; i++) {
      await raw.send(new PutItemCommand({ TableName: table, Item: { ...key('page', String(i).padStart(3, '0')), data: { S: 'y'.repeat(100 * KB) } } }));
    }
    const page = await raw.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'page' } } }));
    expect(page.Items!.length).toBeLessThan(30);
    expect(page.Items!.length * 100 * KB).toBeLessThanOrEqual(1.1 * 1024 * KB);
    expect(page.LastEvaluatedKey).toEqual(key('page', String(page.Items!.length - 1).padStart(3, '0')));
  });

  it('transactions do not exist locally (the service uses none: a write that needs one fails here first)', async () => {
    await expect(
      raw.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: table, Item: key('tx', '1') } }] })),
    ).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });
});
