/**
 * Counts the DynamoDB calls a document client makes and the capacity they would consume on
 * DynamoDB, by operation and by what they touch (`Query CUS#·FAC#`: a Query of a customer's
 * facilities). A middleware on the client's stack, so the product code runs unchanged.
 *
 * Capacity follows DynamoDB's rules (Developer Guide, "Read/write capacity unit consumption"):
 * - Reads: per GetItem, per BatchGetItem item and per Query page, the bytes read rounded up
 *   to 4 KB; 1 RCU per 4 KB consistent, 0.5 eventually consistent (every GSI read is). A read
 *   that finds nothing still costs that minimum.
 * - Writes: per item, the larger of its size before and after, rounded up to 1 KB, is 1 WCU
 *   per KB on the table, and the same again for every global secondary index whose entry the
 *   write puts, changes or removes (twice when it moves the entry to another index key).
 * - A write whose condition fails writes nothing and is counted as 1 WCU (DynamoDB charges at
 *   least that, more for items over 1 KB).
 * The item sizes come from DynamoDB's own rule as dynalite implements it: the meter asks for
 * `ReturnConsumedCapacity: 'TOTAL'` on every call (DynamoDB supports it at no cost) and reads
 * the table's units off the answer; dynalite does not count index writes or empty Queries,
 * so those two are added here, from the items and keys the calls carry.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface CallStats {
  /** Calls that succeeded or failed. */
  calls: number;
  /** Calls that failed (a condition that did not hold, or any other error). */
  failed: number;
  /** Items returned (reads) or written (writes). */
  items: number;
  /** Keys asked for by BatchGetItem, items sent by BatchWriteItem. */
  requested: number;
  rcu: number;
  wcuTable: number;
  wcuIndex: number;
}

export type MeterSnapshot = Record<string, CallStats>;

type Item = Record<string, unknown>;

const gsiNames = ['gsi1', 'gsi2', 'gsi3', 'gsi4'] as const;

/** The global secondary indexes an item has an entry in (both key attributes present). */
function indexesOf(item: Item | undefined): Set<string> {
  const found = new Set<string>();
  if (!item) return found;
  for (const gsi of gsiNames) if (item[`${gsi}pk`] !== undefined && item[`${gsi}sk`] !== undefined) found.add(gsi);
  return found;
}

const indexKey = (item: Item, gsi: string) => `${String(item[`${gsi}pk`])}\u0000${String(item[`${gsi}sk`])}`;

/**
 * The constant part of a key: `CUS#` of `CUS#cus_123`, `PROFILE`; `…` for a value with no
 * upper-case prefix (an address key, a geohash, a date).
 */
function prefixOf(value: unknown): string {
  if (typeof value !== 'string') return '?';
  const cut = value.indexOf('#');
  const head = cut < 0 ? value : value.slice(0, cut);
  if (!/^[A-Z][A-Z0-9_]*$/.test(head)) return '…';
  return cut < 0 ? head : `${head}#`;
}

function keyLabel(key: Item | undefined): string {
  if (!key) return '?';
  return `${prefixOf(key.pk)}·${prefixOf(key.sk)}`;
}

/** `Query gsi4 CUSTSHARD#`, `Query CUS#·FAC#`: the partition key's prefix and the sort-key condition's. */
function queryLabel(input: Item): string {
  const condition = String(input.KeyConditionExpression ?? '');
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  const partition = /^\s*(\w+)\s*=\s*(:\w+)/.exec(condition);
  const sortPrefix = /begins_with\s*\(\s*\w+\s*,\s*(:\w+)\s*\)/.exec(condition);
  const range = /\b(BETWEEN|<=|>=|<|>)\b|[<>]=?/.exec(condition.slice(partition?.[0].length ?? 0));
  const pk = partition ? prefixOf(values[partition[2]!]) : '?';
  const sk = sortPrefix ? prefixOf(values[sortPrefix[1]!]) : range ? 'range' : '';
  const index = typeof input.IndexName === 'string' ? `${input.IndexName} ` : '';
  return `${index}${pk}${sk ? `·${sk}` : ''}`;
}

function firstOf<T>(record: Record<string, T> | undefined): T | undefined {
  return record ? Object.values(record)[0] : undefined;
}

function labelOf(operation: string, input: Item): string {
  const label = baseLabel(operation, input);
  return typeof input.ConditionExpression === 'string' ? `${label} (conditional)` : label;
}

function baseLabel(operation: string, input: Item): string {
  switch (operation) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return `${operation} ${keyLabel(input.Key as Item)}`;
    case 'PutItem':
      return `${operation} ${keyLabel(input.Item as Item)}`;
    case 'Query':
      return `${operation} ${queryLabel(input)}`;
    case 'BatchGetItem':
      return `${operation} ${keyLabel((firstOf(input.RequestItems as Record<string, { Keys: Item[] }>)?.Keys ?? [])[0])}`;
    case 'BatchWriteItem': {
      const first = (firstOf(input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>) ?? [])[0];
      return `${operation} ${keyLabel(first?.PutRequest?.Item ?? first?.DeleteRequest?.Key)}`;
    }
    default:
      return operation;
  }
}

const capacityOf = (consumed: unknown): number =>
  (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0), 0);

const isConditionFailure = (error: unknown) => (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/** The attributes an update expression names after REMOVE, and after SET. */
function updatedAttributes(expression: string): { removed: Set<string>; set: Set<string> } {
  const clauses = expression.split(/\b(SET|REMOVE|ADD|DELETE)\b/i);
  const removed = new Set<string>();
  const set = new Set<string>();
  for (let i = 1; i < clauses.length; i += 2) {
    const verb = clauses[i]!.toUpperCase();
    const names = (clauses[i + 1] ?? '').split(',').map((part) => part.trim().split(/[\s=]/)[0]!);
    for (const name of names) (verb === 'REMOVE' ? removed : set).add(name);
  }
  return { removed, set };
}

export class DynamoMeter {
  private readonly stats = new Map<string, CallStats>();
  /** Index entries (`gsi` → index key) of items seen, for the index writes of later updates. */
  private readonly entries = new Map<string, Map<string, string>>();
  /** Milliseconds spent in the meter's own bookkeeping. */
  overheadMs = 0;

  constructor(client: DynamoDBDocumentClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const input = { ...(args.input as Item), ReturnConsumedCapacity: 'TOTAL' };
        const label = labelOf(operation, input);
        try {
          const result = await next({ ...args, input });
          const started = performance.now();
          this.record(operation, label, input, result.output as Item);
          this.overheadMs += performance.now() - started;
          return result;
        } catch (error) {
          const stats = this.statsOf(label);
          stats.calls++;
          stats.failed++;
          if (isConditionFailure(error)) stats.wcuTable += 1;
          throw error;
        }
      },
      { step: 'initialize', priority: 'high', name: 'benchDynamoMeter' },
    );
  }

  private statsOf(label: string): CallStats {
    let stats = this.stats.get(label);
    if (!stats) {
      stats = { calls: 0, failed: 0, items: 0, requested: 0, rcu: 0, wcuTable: 0, wcuIndex: 0 };
      this.stats.set(label, stats);
    }
    return stats;
  }

  private remember(item: Item): void {
    const indexes = indexesOf(item);
    const key = `${String(item.pk)}\u0000${String(item.sk)}`;
    if (indexes.size === 0) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, new Map([...indexes].map((gsi) => [gsi, indexKey(item, gsi)])));
  }

  /** Index writes of replacing the item at `key` (entries known from earlier) by `item`. */
  private indexWrites(key: Item, item: Item, units: number): number {
    const before = this.entries.get(`${String(key.pk)}\u0000${String(key.sk)}`) ?? new Map<string, string>();
    let writes = 0;
    for (const gsi of gsiNames) {
      const had = before.get(gsi);
      const has = indexesOf(item).has(gsi) ? indexKey(item, gsi) : undefined;
      if (had === undefined && has === undefined) continue;
      writes += had !== undefined && has !== undefined && had !== has ? 2 * units : units;
    }
    return writes;
  }

  private record(operation: string, label: string, input: Item, output: Item): void {
    const stats = this.statsOf(label);
    stats.calls++;
    const units = capacityOf(output.ConsumedCapacity);
    switch (operation) {
      case 'GetItem': {
        stats.rcu += units;
        if (output.Item) {
          stats.items++;
          this.remember(output.Item as Item);
        }
        break;
      }
      case 'Query':
      case 'Scan': {
        const items = (output.Items ?? []) as Item[];
        const minimum = input.ConsistentRead ? 1 : 0.5;
        stats.rcu += Math.max(units, minimum);
        stats.items += items.length;
        for (const item of items) this.remember(item);
        break;
      }
      case 'BatchGetItem': {
        stats.rcu += units;
        for (const table of Object.values((input.RequestItems ?? {}) as Record<string, { Keys: Item[] }>)) stats.requested += table.Keys.length;
        for (const items of Object.values((output.Responses ?? {}) as Record<string, Item[]>)) {
          stats.items += items.length;
          for (const item of items) this.remember(item);
        }
        break;
      }
      case 'PutItem': {
        const item = input.Item as Item;
        stats.wcuTable += units;
        stats.wcuIndex += this.indexWrites(item, item, units);
        stats.items++;
        this.remember(item);
        break;
      }
      case 'UpdateItem': {
        const key = input.Key as Item;
        stats.wcuTable += units;
        const known = this.entries.get(`${String(key.pk)}\u0000${String(key.sk)}`) ?? new Map<string, string>();
        const { removed, set } = updatedAttributes(String(input.UpdateExpression ?? ''));
        const after = new Map(known);
        for (const gsi of gsiNames) if (removed.has(`${gsi}pk`) || removed.has(`${gsi}sk`)) after.delete(gsi);
        // An update that sets an index key moves the entry: counted as a put of a new entry.
        const moved: string[] = gsiNames.filter((gsi) => set.has(`${gsi}pk`) || set.has(`${gsi}sk`));
        const touched = new Set([...known.keys(), ...moved]);
        stats.wcuIndex += [...touched].reduce((sum, gsi) => sum + (known.has(gsi) && moved.includes(gsi) ? 2 : 1) * units, 0);
        stats.items++;
        const keyString = `${String(key.pk)}\u0000${String(key.sk)}`;
        if (moved.length === 0 && after.size > 0) this.entries.set(keyString, after);
        else if (after.size === 0 && moved.length === 0) this.entries.delete(keyString);
        break;
      }
      case 'DeleteItem': {
        const key = input.Key as Item;
        const keyString = `${String(key.pk)}\u0000${String(key.sk)}`;
        stats.wcuTable += units;
        stats.wcuIndex += (this.entries.get(keyString)?.size ?? 0) * units;
        stats.items++;
        this.entries.delete(keyString);
        break;
      }
      case 'BatchWriteItem': {
        const requests = Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Item } }[]>).flat();
        const unprocessed = Object.values((output.UnprocessedItems ?? {}) as Record<string, unknown[]>).flat().length;
        const written = requests.length - unprocessed;
        stats.requested += requests.length;
        stats.items += written;
        stats.wcuTable += units;
        // Units per item: the batch's total spread evenly (one batch holds items of one kind).
        const perItem = written > 0 ? units / written : 0;
        for (const request of requests) {
          const item = request.PutRequest?.Item;
          if (!item) continue;
          stats.wcuIndex += this.indexWrites(item, item, perItem);
          this.remember(item);
        }
        break;
      }
      default:
        stats.rcu += units;
    }
  }

  snapshot(): MeterSnapshot {
    return Object.fromEntries([...this.stats].map(([label, stats]) => [label, { ...stats }]));
  }

  /** What happened between two snapshots. */
  static since(before: MeterSnapshot, after: MeterSnapshot): MeterSnapshot {
    const out: MeterSnapshot = {};
    for (const [label, stats] of Object.entries(after)) {
      const earlier = before[label];
      const delta: CallStats = {
        calls: stats.calls - (earlier?.calls ?? 0),
        failed: stats.failed - (earlier?.failed ?? 0),
        items: stats.items - (earlier?.items ?? 0),
        requested: stats.requested - (earlier?.requested ?? 0),
        rcu: stats.rcu - (earlier?.rcu ?? 0),
        wcuTable: stats.wcuTable - (earlier?.wcuTable ?? 0),
        wcuIndex: stats.wcuIndex - (earlier?.wcuIndex ?? 0),
      };
      if (delta.calls > 0) out[label] = delta;
    }
    return out;
  }

  static total(snapshot: MeterSnapshot): CallStats {
    const sum: CallStats = { calls: 0, failed: 0, items: 0, requested: 0, rcu: 0, wcuTable: 0, wcuIndex: 0 };
    for (const stats of Object.values(snapshot)) {
      for (const field of Object.keys(sum) as (keyof CallStats)[]) sum[field] += stats[field];
    }
    return sum;
  }
}
