/** Batched and pooled DynamoDB calls: BatchWriteItem/BatchGetItem with their unprocessed remainder retried. */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function inPool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));

/** Puts items, 25 a call, several calls at once; unprocessed items are retried with backoff. */
export async function batchPut(db: DynamoDBDocumentClient, tableName: string, items: readonly Item[], concurrency = 8): Promise<void> {
  await inPool(chunks(items, 25), concurrency, async (chunk) => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  });
}

/** Gets items by key, 100 a call; returns those found. `consistent`: strongly consistent reads (twice the RCU). */
export async function batchGet(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  concurrency = 8,
  options: { consistent?: boolean } = {},
): Promise<Item[]> {
  const found: Item[] = [];
  await inPool(chunks(keys, 100), concurrency, async (chunk) => {
    let pending: Item[] = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const result = await db.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ...(options.consistent ? { ConsistentRead: true } : {}) } } }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
    }
  });
  return found;
}
