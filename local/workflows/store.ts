/**
 * Persistence for local workflow executions: one record per execution plus its event history.
 * DynamoDB layout (single table): pk = EXEC#<executionArn>, sk = META (the record) and
 * sk = EVENT#<000001> (one item per history event).
 */
import { GetCommand, PutCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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

/** Kept small on purpose: a record put/get/list and an append-only event list. */
export interface ExecutionStore {
  put(record: ExecutionRecord): Promise<void>;
  get(executionArn: string): Promise<ExecutionRecord | undefined>;
  list(): Promise<ExecutionRecord[]>;
  appendEvent(executionArn: string, event: StoredEvent): Promise<void>;
  events(executionArn: string): Promise<StoredEvent[]>;
}

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

export class InMemoryExecutionStore implements ExecutionStore {
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly eventLists = new Map<string, StoredEvent[]>();

  async put(record: ExecutionRecord): Promise<void> {
    this.records.set(record.executionArn, clone(record));
  }
  async get(executionArn: string): Promise<ExecutionRecord | undefined> {
    return clone(this.records.get(executionArn));
  }
  async list(): Promise<ExecutionRecord[]> {
    return [...this.records.values()].map(clone);
  }
  async appendEvent(executionArn: string, event: StoredEvent): Promise<void> {
    const list = this.eventLists.get(executionArn) ?? [];
    if (!list.some((e) => e.id === event.id)) list.push(clone(event));
    list.sort((a, b) => a.id - b.id);
    this.eventLists.set(executionArn, list);
  }
  async events(executionArn: string): Promise<StoredEvent[]> {
    return clone(this.eventLists.get(executionArn) ?? []);
  }
}

const pk = (executionArn: string) => `EXEC#${executionArn}`;
const eventSk = (id: number) => `EVENT#${String(id).padStart(6, '0')}`;

/**
 * DynamoDB implementation. Values are stored as JSON strings (`recordJson`, `eventJson`) so any
 * JSON shape (nulls, empty strings, nested arrays) round-trips unchanged.
 * list() scans for META items: fine for the local stack's handful of executions.
 */
export class DynamoExecutionStore implements ExecutionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(record: ExecutionRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: pk(record.executionArn),
          sk: 'META',
          kind: 'workflowExecution',
          status: record.status,
          stateMachineName: record.stateMachineName,
          recordJson: JSON.stringify(record),
        },
      }),
    );
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

  async appendEvent(executionArn: string, event: StoredEvent): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: pk(executionArn), sk: eventSk(event.id), eventJson: JSON.stringify(event) },
      }),
    );
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
        if (typeof item.eventJson === 'string') events.push(JSON.parse(item.eventJson) as StoredEvent);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return events;
  }
}
