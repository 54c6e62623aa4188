/**
 * dynalite writes an item's index entries and then the item itself, as separate writes (DynamoDB
 * updates its indexes atomically with the item). A process killed between them leaves an index
 * out of step with the table: an entry for an item never written or since changed (a "phantom":
 * a dunning case listed twice, once under the opening time of a write that never landed), or no
 * entry for an item whose old entry was deleted first. After a stop that was not clean (the data
 * folder's marker is still there), the embedded stack compares every index with the table before
 * anything runs and puts each item's entries right through dynalite itself (issue 15).
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

type Raw = Record<string, AttributeValue>;

const keyOf = (item: Raw) => `${JSON.stringify(item.pk)}|${JSON.stringify(item.sk)}`;
const value = (attribute: AttributeValue | undefined) => (attribute === undefined ? undefined : JSON.stringify(attribute));

async function scanAll(client: DynamoDBClient, tableName: string, indexName?: string): Promise<Raw[]> {
  const items: Raw[] = [];
  let ExclusiveStartKey: Raw | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ...(indexName ? { IndexName: indexName } : {}), ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * Makes every global secondary index match the table: returns how many items were repaired. Run
 * before any handler uses the table (nothing else writes meanwhile).
 */
export async function repairIndexes(client: DynamoDBClient, tableName: string): Promise<number> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
    name: index.IndexName!,
    keys: (index.KeySchema ?? []).map((key) => key.AttributeName!),
  }));
  const items = new Map((await scanAll(client, tableName)).map((item) => [keyOf(item), item]));
  /** Entries of items not as the table holds them, by item. */
  const phantoms = new Map<string, Raw[]>();
  /** Items an index lacks an entry for. */
  const missing = new Set<string>();
  for (const index of indexes) {
    const indexed = new Set<string>();
    for (const entry of await scanAll(client, tableName, index.name)) {
      const key = keyOf(entry);
      const item = items.get(key);
      if (item && index.keys.every((name) => value(item[name]) === value(entry[name]))) {
        indexed.add(key);
      } else {
        phantoms.set(key, [...(phantoms.get(key) ?? []), entry]);
      }
    }
    for (const [key, item] of items) {
      if (index.keys.every((name) => item[name] !== undefined) && !indexed.has(key)) missing.add(key);
    }
  }
  // dynalite drops the entries of the item a write replaces: writing the phantom's version makes
  // its entries the item's, and writing the table's version back (or deleting) removes them.
  for (const [key, entries] of phantoms) {
    for (const entry of entries) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: entry }));
      const item = items.get(key);
      if (item) await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
      else await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: entry.pk!, sk: entry.sk! } }));
    }
  }
  for (const key of missing) {
    if (phantoms.has(key)) continue; // written back above
    await client.send(new PutItemCommand({ TableName: tableName, Item: items.get(key)! }));
  }
  return new Set([...phantoms.keys(), ...missing]).size;
}

/**
 * The marker of a running stack in its data folder: still there at the next start means the last
 * process did not stop cleanly (killed, crashed). `begin` says whether it was there.
 */
export function runMarker(dataDir: string): { begin(): boolean; end(): void } {
  const file = join(dataDir, 'running');
  return {
    begin() {
      const unclean = existsSync(file);
      writeFileSync(file, String(process.pid));
      return unclean;
    },
    end() {
      rmSync(file, { force: true });
    },
  };
}
