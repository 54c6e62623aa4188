/**
 * The outbox: SmsSender and VoiceSender for the embedded stack. Every message is written
 * to the table (`pk = OUTBOX`), where `GET /_local/sms` and the tests read it.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SmsSender, VoiceSender } from '../../domain/alerts/ports.js';
import { measureSms } from '../../domain/alerts/sms-encoding.js';

export interface OutboxItem {
  to: string;
  body: string;
  channel: 'sms' | 'voice';
  encoding?: string;
  segments?: number;
  languageCode?: string;
  outageId?: string;
  messageKey?: string;
  at: string;
  providerMessageId: string;
}

export class Outbox implements SmsSender, VoiceSender {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date,
  ) {}

  private async write(item: OutboxItem): Promise<{ providerMessageId: string }> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: 'OUTBOX', sk: `${item.at}#${item.providerMessageId}`, entity: 'outbox', ...item } }),
    );
    return { providerMessageId: item.providerMessageId };
  }

  send(message: { to: string; body: string; outageId: string; messageKey: string }) {
    const { encoding, segments } = measureSms(message.body);
    return this.write({
      ...message, channel: 'sms', encoding, segments, at: this.now().toISOString(), providerMessageId: `outbox-${randomUUID()}`,
    });
  }

  call(message: { to: string; text: string; languageCode: string; outageId: string; messageKey: string }) {
    return this.write({
      to: message.to, body: message.text, channel: 'voice', languageCode: message.languageCode, outageId: message.outageId,
      messageKey: message.messageKey, at: this.now().toISOString(), providerMessageId: `outbox-${randomUUID()}`,
    });
  }

  async list(since?: string): Promise<OutboxItem[]> {
    const items: OutboxItem[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: since ? 'pk = :pk AND sk >= :since' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'OUTBOX', ...(since ? { ':since': since } : {}) },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      for (const item of result.Items ?? []) {
        const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
        items.push(rest as OutboxItem);
      }
      ExclusiveStartKey = result.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
}
