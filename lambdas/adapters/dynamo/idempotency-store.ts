/**
 * `Idempotency-Key` records (API.md: every creating POST takes the header). One item per key,
 * caller and request path, `pk = IDEM#<sha256 of scope>`, `sk = IDEM`: written with a
 * conditional put before the operation runs (`in_progress`, locked for the function's timeout),
 * completed with the response, kept 24 hours (`ttl`, epoch seconds: the table's TTL attribute in AWS; an
 * expired record counts as absent, since dynalite never deletes by TTL).
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isConditionFailure } from './table.js';

export const idempotencyTtlSeconds = 24 * 60 * 60;
/** A response larger than this is not kept (the item must stay far below 400 KB): the key is released instead. */
const maxStoredResponseBytes = 300_000;

export type IdempotencyBegin =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: APIGatewayProxyStructuredResultV2 }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in_progress' };

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

export class IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(scope: string) {
    return { pk: `IDEM#${sha256(scope)}`, sk: 'IDEM' };
  }

  /** Claims the key for this request (`new`), or says what the first request with it left. */
  async begin(scope: string, request: string | Buffer, nowMs: number, lockMs: number): Promise<IdempotencyBegin> {
    const requestHash = sha256(request);
    const now = Math.floor(nowMs / 1000);
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...this.key(scope), entity: 'idempotency', status: 'in_progress', requestHash, ttl: now + idempotencyTtlSeconds, lockedUntil: nowMs + lockMs },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now OR (#status = :inProgress AND lockedUntil < :nowMs)',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': now, ':nowMs': nowMs, ':inProgress': 'in_progress' },
      }));
      return { kind: 'new' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key(scope), ConsistentRead: true }));
    if (!Item) return this.begin(scope, request, nowMs, lockMs); // released meanwhile
    if (Item.requestHash !== requestHash) return { kind: 'mismatch' };
    if (Item.status === 'completed' && typeof Item.response === 'string') {
      return { kind: 'replay', response: JSON.parse(Item.response) as APIGatewayProxyStructuredResultV2 };
    }
    return { kind: 'in_progress' };
  }

  /** Keeps the response for replays; a response too large to keep releases the key. */
  async complete(scope: string, response: APIGatewayProxyStructuredResultV2): Promise<void> {
    const stored = JSON.stringify(response);
    if (Buffer.byteLength(stored) > maxStoredResponseBytes) return this.release(scope);
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: this.key(scope),
      UpdateExpression: 'SET #status = :completed, #response = :response REMOVE lockedUntil',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: { ':completed': 'completed', ':response': stored },
    }));
  }

  /** The operation failed: a retry with the key runs it again. */
  async release(scope: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(scope) }));
  }
}
