/**
 * DeliveryRepository on the single table (docs/DATA.md, "Documents and delivery"): the
 * document record with an index entry per customer, case and invoice; the delivery record
 * (optimistic, `version`); one hand-over item per document and channel, the idempotency key,
 * claimed by a conditional write before the send; the customer's email status and events.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, DocumentRecord, EmailStatus } from '../../domain/delivery/model.js';
import type { DeliveryRepository, EmailEvent, HandOverRecord } from '../../domain/delivery/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { fromItem, isConditionFailure, Table, type Item } from './table.js';

/** Queued deliveries are indexed over this many partitions: a billing run queues a million at once. */
export const queuedShards = 16;

function queuedShard(documentId: string): number {
  return createHash('sha256').update(documentId).digest()[0]! % queuedShards;
}

export class DynamoDeliveryRepository implements DeliveryRepository {
  private readonly table: Table;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new Table(db, tableName);
  }

  // ---- documents -------------------------------------------------------------------------

  async insertDocument(document: DocumentRecord): Promise<boolean> {
    const order = `${document.createdAt}#${document.documentId}`;
    return this.table.putIfAbsent({
      pk: `DOC#${document.documentId}`,
      sk: 'DOCUMENT',
      entity: 'document',
      gsi1pk: `CUSDOC#${document.customerId}`,
      gsi1sk: order,
      ...(document.caseId ? { gsi2pk: `CASEDOC#${document.caseId}`, gsi2sk: order } : {}),
      ...(document.invoiceId ? { gsi3pk: `INVDOC#${document.invoiceId}`, gsi3sk: order } : {}),
      ...document,
    });
  }

  getDocument(documentId: string): Promise<DocumentRecord | undefined> {
    return this.table.get<DocumentRecord>(`DOC#${documentId}`, 'DOCUMENT');
  }

  async documentsOfCustomer(customerId: string, limit: number, cursor?: string): Promise<{ items: DocumentRecord[]; nextCursor: string | null }> {
    const start = decodeCursor(cursor);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `CUSDOC#${customerId}` },
        ScanIndexForward: false,
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    return { items: (result.Items ?? []).map((item) => fromItem<DocumentRecord>(item)), nextCursor: encodeCursor(result.LastEvaluatedKey) };
  }

  async documentsOfCase(caseId: string): Promise<DocumentRecord[]> {
    const items = await this.table.queryAll({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': `CASEDOC#${caseId}` } });
    return items.map((item) => fromItem<DocumentRecord>(item));
  }

  async documentsOfInvoice(invoiceId: string): Promise<DocumentRecord[]> {
    const items = await this.table.queryAll({ IndexName: 'gsi3', KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': `INVDOC#${invoiceId}` } });
    return items.map((item) => fromItem<DocumentRecord>(item));
  }

  // ---- deliveries ------------------------------------------------------------------------

  private deliveryItem(delivery: DeliveryRecord): Item {
    return {
      pk: `DOC#${delivery.documentId}`,
      sk: 'DELIVERY',
      entity: 'delivery',
      // Indexed only while queued: the sweeper finds what a lost message left behind.
      ...(delivery.status === 'queued'
        ? { gsi1pk: `DELIVERIES#queued#${queuedShard(delivery.documentId)}`, gsi1sk: `${delivery.queuedAt}#${delivery.documentId}` }
        : {}),
      ...delivery,
    };
  }

  insertDelivery(delivery: DeliveryRecord): Promise<boolean> {
    return this.table.putIfAbsent(this.deliveryItem(delivery));
  }

  getDelivery(documentId: string): Promise<DeliveryRecord | undefined> {
    return this.table.get<DeliveryRecord>(`DOC#${documentId}`, 'DELIVERY');
  }

  async replaceDelivery(delivery: DeliveryRecord, expectedVersion: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.deliveryItem(delivery),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async queuedBefore(before: string, limit: number): Promise<{ documentId: string; queuedAt: string }[]> {
    const found: { documentId: string; queuedAt: string }[] = [];
    for (let shard = 0; shard < queuedShards && found.length < limit; shard++) {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
          ExpressionAttributeValues: { ':pk': `DELIVERIES#queued#${shard}`, ':before': before },
          Limit: limit - found.length,
        }),
      );
      for (const item of result.Items ?? []) found.push({ documentId: String(item.documentId), queuedAt: String(item.queuedAt) });
    }
    return found;
  }

  // ---- hand-overs (idempotency keys) -----------------------------------------------------

  async claimHandOver(claim: HandOverRecord, staleBefore: string): Promise<{ claimed: true } | { claimed: false; existing: HandOverRecord }> {
    const key = { pk: `DOC#${claim.documentId}`, sk: `SEND#${claim.channel}` };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, entity: 'handOver', ...claim },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :unavailable OR (#status = :sending AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':unavailable': 'unavailable', ':sending': 'sending', ':stale': staleBefore },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.table.get<HandOverRecord>(key.pk, key.sk);
    if (!existing) return this.claimHandOver(claim, staleBefore);
    return { claimed: false, existing };
  }

  async settleHandOver(claim: HandOverRecord, outcome: Pick<HandOverRecord, 'status' | 'providerReference' | 'reason'>): Promise<void> {
    const sets = ['#status = :status', 'settledAt = :at'];
    const values: Record<string, unknown> = { ':status': outcome.status, ':claim': claim.claimId, ':at': new Date().toISOString() };
    if (outcome.providerReference !== undefined) {
      sets.push('providerReference = :ref');
      values[':ref'] = outcome.providerReference;
    }
    if (outcome.reason !== undefined) {
      sets.push('reason = :reason');
      values[':reason'] = outcome.reason;
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `DOC#${claim.documentId}`, sk: `SEND#${claim.channel}` },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // Another run took the claim over (ours had gone stale): its outcome stands.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async releaseSendingClaim(documentId: string, channel: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `DOC#${documentId}`, sk: `SEND#${channel}` },
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  // ---- email status ----------------------------------------------------------------------

  async emailStatus(customerId: string): Promise<EmailStatus | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `CUS#${customerId}`, sk: 'MAILSTATUS' }, ConsistentRead: true }));
    return result.Item ? fromItem<EmailStatus>(result.Item) : undefined;
  }

  async recordEmailEvent(event: EmailEvent, mark: EmailStatus | undefined): Promise<void> {
    await this.table.putIfAbsent({ pk: `CUS#${event.customerId}`, sk: `MAILEVENT#${event.at}#${event.eventId}`, entity: 'emailEvent', ...event });
    if (!mark) return;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `CUS#${mark.customerId}`, sk: 'MAILSTATUS', entity: 'emailStatus', ...mark },
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': mark.at },
        }),
      );
    } catch (error) {
      // A newer event marked the address already.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
