/**
 * local/index-repair.ts: dynalite writes an item's index entries before the item, so a kill in
 * between leaves an index out of step with the table (issue 15: a dunning case listed twice after
 * a kill during the overdue scan). The state a kill leaves is made here with dynalite's own index
 * update (db/index.js `updateIndexes`) without the item write that follows it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../lambdas/adapters/table-schema.js';
import { repairIndexes, runMarker } from '../../local/index-repair.js';

type Raw = Record<string, AttributeValue>;
interface Store {
  getTable(name: string, checkStatus: boolean, cb: (err: unknown, table: unknown) => void): void;
  db: { close(cb: (err: unknown) => void): void };
}
const dynaliteDb = createRequire(import.meta.url)('dynalite/db/index.js') as {
  create(options: { path: string }): Store;
  updateIndexes(store: Store, table: unknown, existing: Raw | undefined, item: Raw, cb: (err: unknown) => void): void;
};

const dir = mkdtempSync(join(tmpdir(), 'utility-index-repair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tableName = 'utility-main';

async function serve(): Promise<{ server: Server; client: DynamoDBClient }> {
  const server = dynalite({ path: join(dir, 'dynamodb'), createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, client: new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }) };
}

async function stop({ server, client }: { server: Server; client: DynamoDBClient }): Promise<void> {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const query = async (client: DynamoDBClient, index: string, pk: string) =>
  ((await client.send(new QueryCommand({ TableName: tableName, IndexName: index, KeyConditionExpression: `${index}pk = :pk`, ExpressionAttributeValues: { ':pk': { S: pk } } }))).Items ?? [])
    .map((item) => `${item.pk!.S} ${item[`${index}sk`]!.S}`);

describe('the index repair after a kill', () => {
  it('drops the entries of writes that never landed and restores those deleted before them', async () => {
    // Prepare: a case (listed by opening, gsi2) and an item whose gsi1 key a killed update was changing
    const first = await serve();
    await first.client.send(new CreateTableCommand(createTableInput(tableName)));
    const kept: Raw = { pk: { S: 'DCASE#a' }, sk: { S: 'CASE' }, gsi2pk: { S: 'DCASES#1' }, gsi2sk: { S: '2027-04-01T04:00:00Z#a' } };
    const changing: Raw = { pk: { S: 'JOB#b' }, sk: { S: 'JOB' }, gsi1pk: { S: 'JOBS' }, gsi1sk: { S: 'running#b' } };
    for (const Item of [kept, changing]) await first.client.send(new PutItemCommand({ TableName: tableName, Item }));
    await stop(first);
    const store = dynaliteDb.create({ path: join(dir, 'dynamodb') });
    const table = await new Promise((resolve, reject) => store.getTable(tableName, false, (err, found) => (err ? reject(err) : resolve(found))));
    const plant = (existing: Raw | undefined, item: Raw) => new Promise<void>((resolve, reject) => dynaliteDb.updateIndexes(store, table, existing, item, (err) => (err ? reject(err) : resolve())));
    // The case opened again by a process killed before the item write (another opening time) ...
    await plant(undefined, { pk: { S: 'DCASE#c' }, sk: { S: 'CASE' }, gsi2pk: { S: 'DCASES#1' }, gsi2sk: { S: '2027-04-01T04:00:01Z#c' } });
    // ... and an update of the job killed after its old entry was deleted and its new one written.
    await plant(changing, { ...changing, gsi1sk: { S: 'completed#b' } });
    await new Promise<void>((resolve, reject) => store.db.close((err) => (err ? reject(err) : resolve())));
    const second = await serve();
    try {
      expect(await query(second.client, 'gsi2', 'DCASES#1')).toHaveLength(2);
      expect(await query(second.client, 'gsi1', 'JOBS')).toEqual(['JOB#b completed#b']);

      // Act
      const repaired = await repairIndexes(second.client, tableName);
      const again = await repairIndexes(second.client, tableName);

      // Assess
      expect(repaired).toBe(2);
      expect(again).toBe(0);
      expect(await query(second.client, 'gsi2', 'DCASES#1')).toEqual(['DCASE#a 2027-04-01T04:00:00Z#a']);
      expect(await query(second.client, 'gsi1', 'JOBS')).toEqual(['JOB#b running#b']);
    } finally {
      await stop(second);
    }
  });

  it('knows a stop was not clean by the marker left in the data folder', () => {
    // Prepare
    const folder = mkdtempSync(join(dir, 'marker-'));
    // Act
    const firstStart = runMarker(folder).begin();
    const afterKill = runMarker(folder).begin();
    runMarker(folder).end();
    const afterCleanStop = runMarker(folder).begin();
    // Assess
    expect([firstStart, afterKill, afterCleanStop]).toEqual([false, true, false]);
  });
});
