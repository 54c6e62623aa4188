/**
 * Write-sharded index partitions (docs/DATA.md "Hot partitions"). An index partition keyed by a
 * constant (every case, every work order) takes every write of its items: one DynamoDB partition
 * serves at most 1,000 WCU a second. Sharded, an item's index key is `<base>#<n>`, n from a hash
 * of the item's id (stable: an item never moves between shards), and a list reads every shard in
 * parallel and merges them in sort-key order (scatter-gather), with a cursor that carries each
 * shard's position.
 *
 * - `shardKey(base, id, count)` — the partition key to write.
 * - `shardKeys(base, count, { legacy })` — every partition to read (with `legacy`, the unsharded
 *   `base` too: items written before sharding are found until rewritten).
 * - `queryShards(db, input)` — one merged page: `{ items, nextCursor }`, items in index sort order
 *   (ascending, ties by table key), raw (with their keys; strip with `fromItem`).
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../domain/errors.js';
import type { Item } from './table.js';

/** FNV-1a, 32 bits: cheap, stable across runtimes, spreads similar ids (`dun_c1_2027-01`, `dun_c2_2027-01`). */
export function shardOf(id: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

/** Open invoices by due date (gsi3 `OPEN_INVOICES#n`, `DUNNING_INVOICES#n`): a billing run writes 4,000 a second. */
export const OPEN_INVOICE_SHARDS = 16;
/**
 * The address register's postal-code and geo-cell index items (`POSTAL#<code>#n`, `GEO#<cell>#n`):
 * one postal code or 20 × 40 km cell holds a whole town, which a register import writes at once.
 */
export const ADDRESS_INDEX_SHARDS = 16;
/** Opt-outs (gsi1 `OPTOUTS#n`): a burst of STOP replies after an outage to 100,000 numbers. */
export const OPT_OUT_SHARDS = 4;
/** Unmatched payments (gsi1 `UNMATCHED#n`): a bank day of 100,000 payments may leave thousands. */
export const UNMATCHED_SHARDS = 8;

export function shardKey(base: string, id: string, count: number): string {
  return `${base}#${shardOf(id, count)}`;
}

export function shardKeys(base: string, count: number, options: { legacy?: boolean } = {}): string[] {
  return [...(options.legacy ? [base] : []), ...Array.from({ length: count }, (_, n) => `${base}#${n}`)];
}

export interface ShardQueryInput {
  tableName: string;
  /** The index and its key attribute names (e.g. gsi2, gsi2pk, gsi2sk). */
  indexName: string;
  partitionKeyName: string;
  sortKeyName: string;
  /** Every partition to read (shardKeys). */
  partitions: readonly string[];
  /** Optional: only sort keys beginning with this. */
  sortKeyPrefix?: string;
  limit: number;
  cursor?: string;
}

/**
 * Per partition: the sort key and table key of the last item returned from it, or `0` when it
 * has nothing more. A partition missing from the cursor starts from its beginning.
 */
type Position = [sortKey: string, pk: string, sk: string] | 0;

const invalid = () => new ValidationError([{ path: 'cursor', message: 'not a cursor from this API' }]);

function decode(cursor: string | undefined, partitions: readonly string[]): Map<string, Position> {
  const positions = new Map<string, Position>();
  if (cursor === undefined) return positions;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  for (const [index, position] of Object.entries(value)) {
    const partition = partitions[Number(index)];
    const ok = position === 0 || (Array.isArray(position) && position.length === 3 && position.every((part) => typeof part === 'string'));
    if (partition === undefined || !/^\d+$/.test(index) || !ok) throw invalid();
    positions.set(partition, position as Position);
  }
  return positions;
}

function encode(positions: Map<string, Position>, partitions: readonly string[]): string | null {
  if (partitions.every((p) => positions.get(p) === 0)) return null;
  const value: Record<number, Position> = {};
  partitions.forEach((p, i) => {
    const position = positions.get(p);
    if (position !== undefined) value[i] = position;
  });
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** DynamoDB's order of string keys: by UTF-8 bytes. */
const byBytes = (a: unknown, b: unknown) => Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
const order = (sortKeyName: string) => (a: Item, b: Item) => byBytes(a[sortKeyName], b[sortKeyName]) || byBytes(a.pk, b.pk) || byBytes(a.sk, b.sk);

/**
 * One page over every partition: each is queried from its position for up to `limit` items (in
 * parallel), the results merged in sort order, and the first `limit` kept. Every item not kept
 * sorts after every kept one, so the next page continues each partition after the last item it
 * gave, and no item is skipped or repeated.
 */
export async function queryShards(db: DynamoDBDocumentClient, input: ShardQueryInput): Promise<{ items: Item[]; nextCursor: string | null }> {
  const { indexName, partitionKeyName: pkName, sortKeyName: skName } = input;
  const positions = decode(input.cursor, input.partitions);
  const results = await Promise.all(
    input.partitions.map(async (partition) => {
      const position = positions.get(partition);
      if (position === 0) return { partition, items: [] as Item[], more: false };
      const result = await db.send(
        new QueryCommand({
          TableName: input.tableName,
          IndexName: indexName,
          KeyConditionExpression: input.sortKeyPrefix ? `${pkName} = :pk AND begins_with(${skName}, :prefix)` : `${pkName} = :pk`,
          ExpressionAttributeValues: { ':pk': partition, ...(input.sortKeyPrefix ? { ':prefix': input.sortKeyPrefix } : {}) },
          Limit: input.limit,
          ...(position ? { ExclusiveStartKey: { [pkName]: partition, [skName]: position[0], pk: position[1], sk: position[2] } } : {}),
        }),
      );
      return { partition, items: result.Items ?? [], more: result.LastEvaluatedKey !== undefined };
    }),
  );
  const merged = results.flatMap((r) => r.items.map((item) => ({ item, partition: r.partition }))).sort((a, b) => order(skName)(a.item, b.item));
  const kept = merged.slice(0, input.limit);
  for (const r of results) {
    if (positions.get(r.partition) === 0) continue;
    const taken = kept.filter((k) => k.partition === r.partition);
    const last = taken.at(-1)?.item;
    if (last) positions.set(r.partition, [String(last[skName]), String(last.pk), String(last.sk)]);
    if (!r.more && taken.length === r.items.length) positions.set(r.partition, 0);
  }
  return { items: kept.map((k) => k.item), nextCursor: encode(positions, input.partitions) };
}
