/**
 * Persistence for local workflow executions: one record per execution plus its event history.
 * DynamoDB layout (single table): pk = EXEC#<executionArn>, sk = META (the record) and
 * sk = EVENT#<000001> (a chunk of history events, keyed by its first event's id: the events the
 * runner recorded between two saves).
 *
 * The runner saves at the points that matter for a restart (before a task runs, before it waits
 * on the clock or a callback, when the execution ends): one BatchWriteItem of the record and the
 * chunk of events since the previous save, not one write per event.
 */
import { GetCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '../../lambdas/adapters/dynamo/batch.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  /** ISO timestamps from the local clock. */
  startDate: string;
  stopDate?: string;
  /** The execution input (JSON value). */
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Top-level state the execution is in (or last entered), and its raw input when entered. */
  currentState?: string;
  currentInput?: unknown;
  /** A clock-driven wait in progress: when it is due (ISO). */
  pendingWait?: { stateName: string; dueAt: string };
  /** A callback task in progress: the token the product holds. */
  pendingTask?: { stateName: string; token: string; /** When it was scheduled (ISO): its TimeoutSeconds count from here. */ since?: string };
  /** Tokens already answered (sendTaskSuccess/Failure) or abandoned. */
  closedTokens?: string[];
  /** Number of events stored (the next event id is eventCount + 1). */
  eventCount: number;
}

export interface StoredEvent {
  id: number;
  previousEventId: number;
  type: string;
  timestamp: string;
  stateName?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** Kept small on purpose: a record with its new events saved together, get/list, and the event list. */
export interface ExecutionStore {
  /** Stores the record and the history events recorded since the previous save (consecutive ids, oldest first). */
  save(record: ExecutionRecord, newEvents: readonly StoredEvent[]): Promise<void>;
  get(executionArn: string): Promise<ExecutionRecord | undefined>;
  list(): Promise<ExecutionRecord[]>;
  events(executionArn: string): Promise<StoredEvent[]>;
}

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

export class InMemoryExecutionStore implements ExecutionStore {
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly eventLists = new Map<string, StoredEvent[]>();

  async save(record: ExecutionRecord, newEvents: readonly StoredEvent[]): Promise<void> {
    const list = this.eventLists.get(record.executionArn) ?? [];
    for (const event of newEvents) if (!list.some((e) => e.id === event.id)) list.push(clone(event));
    list.sort((a, b) => a.id - b.id);
    this.eventLists.set(record.executionArn, list);
    this.records.set(record.executionArn, clone(record));
  }
  async get(executionArn: string): Promise<ExecutionRecord | undefined> {
    return clone(this.records.get(executionArn));
  }
  async list(): Promise<ExecutionRecord[]> {
    return [...this.records.values()].map(clone);
  }
  async events(executionArn: string): Promise<StoredEvent[]> {
    return clone(this.eventLists.get(executionArn) ?? []);
  }
}

const pk = (executionArn: string) => `EXEC#${executionArn}`;
const eventSk = (id: number) => `EVENT#${String(id).padStart(6, '0')}`;
/** A chunk stays well under DynamoDB's 400 KB item limit. */
const CHUNK_BYTES = 300_000;

/** Consecutive runs of events whose JSON stays under CHUNK_BYTES (an event larger than that is a chunk of its own). */
function chunksOf(events: readonly StoredEvent[]): StoredEvent[][] {
  const chunks: StoredEvent[][] = [];
  let current: StoredEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event));
    if (current.length > 0 && bytes + size > CHUNK_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * DynamoDB implementation. Values are stored as JSON strings (`recordJson`, `eventsJson`) so any
 * JSON shape (nulls, empty strings, nested arrays) round-trips unchanged.
 * list() scans for META items: fine for the local stack's handful of executions.
 */
export class DynamoExecutionStore implements ExecutionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(record: ExecutionRecord, newEvents: readonly StoredEvent[]): Promise<void> {
    const events = chunksOf(newEvents).map((chunk) => ({ pk: pk(record.executionArn), sk: eventSk(chunk[0]!.id), eventsJson: JSON.stringify(chunk) }));
    const meta = {
      pk: pk(record.executionArn),
      sk: 'META',
      kind: 'workflowExecution',
      status: record.status,
      stateMachineName: record.stateMachineName,
      recordJson: JSON.stringify(record),
    };
    // One call as a rule; the record last, so it never counts events a crash left unwritten.
    await batchPut(this.db, this.tableName, [...events, meta], 1);
  }

  async get(executionArn: string): Promise<ExecutionRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(executionArn), sk: 'META' }, ConsistentRead: true }));
    const json = out.Item?.recordJson;
    return typeof json === 'string' ? (JSON.parse(json) as ExecutionRecord) : undefined;
  }

  async list(): Promise<ExecutionRecord[]> {
    const records: ExecutionRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :meta AND begins_with(pk, :exec)',
          ExpressionAttributeValues: { ':meta': 'META', ':exec': 'EXEC#' },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        if (typeof item.recordJson === 'string') records.push(JSON.parse(item.recordJson) as ExecutionRecord);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  async events(executionArn: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
          ExpressionAttributeValues: { ':pk': pk(executionArn), ':event': 'EVENT#' },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        if (typeof item.eventsJson === 'string') events.push(...(JSON.parse(item.eventsJson) as StoredEvent[]));
        // One event per item: how histories were stored before chunks (a .data directory from then).
        else if (typeof item.eventJson === 'string') events.push(JSON.parse(item.eventJson) as StoredEvent);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    // A chunk written again after a restart replaces the one with the same first id; keep each id once, in order.
    const byId = new Map<number, StoredEvent>();
    for (const event of events) byId.set(event.id, event);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }
}
