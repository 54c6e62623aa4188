/**
 * The outbox: SmsSender and VoiceSender for the embedded stack, and its e-invoice operator,
 * email sender and print service (lambdas/domain/delivery/ports.ts). Every message is written
 * to the table (`pk = OUTBOX`), where `GET /_local/sms`, `GET /_local/outbox` and the tests
 * read it. A document's bytes (the XML, the email as message/rfc822, the letter's PDF) go to
 * the installed content store (`<data folder>/outbox/<id>`), never into the item.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SmsSender, VoiceSender } from '../../domain/alerts/ports.js';
import { measureSms } from '../../domain/alerts/sms-encoding.js';
import type { BillingAddress } from '../../domain/customers/model.js';
import type { OutboundChannel, OutboundKind } from '../../domain/delivery/model.js';
import {
  ChannelRefused,
  ChannelUnavailable,
  type EInvoiceSender,
  type EmailSender,
  type HandOver,
  type HandedOver,
  type Letter,
  type PrintService,
} from '../../domain/delivery/ports.js';
import { ValidationError } from '../../domain/errors.js';

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

/** One outbound item as `GET /_local/outbox` lists it. */
export interface OutboundItem {
  id: string;
  channel: OutboundChannel;
  kind: OutboundKind;
  /** null for outage alerts: they go to phones, not to customers. */
  customerId: string | null;
  caseId?: string;
  invoiceId?: string;
  outageId?: string;
  to: string;
  contentType: string;
  createdAt: string;
}

/** Where the outbox keeps documents' bytes (the embedded stack: files in the data folder). */
export interface OutboxContentStore {
  put(id: string, bytes: Uint8Array): Promise<void>;
  get(id: string): Promise<Uint8Array | undefined>;
}

/** What the embedded stack installs: the content store, and channels told to fail (tests, trying fallbacks). */
export interface OutboxSettings {
  readonly content: OutboxContentStore;
  /** A channel here refuses (`refuse`) or cannot be reached (`unavailable`) until removed. */
  readonly failing: Map<OutboundChannel, 'refuse' | 'unavailable'>;
}

let installedSettings: OutboxSettings | undefined;

/** The embedded stack installs its content store here; handlers never call it. */
export function installOutboxSettings(settings: OutboxSettings): void {
  installedSettings = settings;
}

export interface OutboxQuery {
  since?: string;
  channel?: OutboundChannel;
  kind?: OutboundKind;
  limit: number;
  cursor?: string;
}

const textType = 'text/plain; charset=utf-8';

/** One line for an envelope: `Name, line1, line2, postal code city` (the country when not the sender's). */
export function envelopeLine(address: BillingAddress, name?: string): string {
  return [name, address.line1, address.line2, `${address.postalCode} ${address.city}`].filter(Boolean).join(', ');
}

export class Outbox implements SmsSender, VoiceSender, EInvoiceSender, EmailSender, PrintService {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date,
    private readonly settings: OutboxSettings | undefined = installedSettings,
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

  /** The SMS and voice messages (`GET /_local/sms`), oldest first. */
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
        if (item.entity === 'outboxDocument') continue;
        const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
        items.push(rest as OutboxItem);
      }
      ExclusiveStartKey = result.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  // ---- documents: e-invoice operator, email, print service --------------------------------

  private settingsOrThrow(): OutboxSettings {
    if (!this.settings) throw new Error('the outbox has no content store: the embedded stack installs one (installOutboxSettings)');
    return this.settings;
  }

  /**
   * Writes a document once per idempotency key: the id comes from the key, the content goes to
   * the store first, then the pointer (conditional) and the listed item.
   */
  private async writeDocument(
    handOver: HandOver,
    channel: OutboundChannel,
    to: string,
    content: { bytes: Uint8Array; contentType: string },
    extra: Record<string, unknown> = {},
  ): Promise<HandedOver> {
    const settings = this.settingsOrThrow();
    const failure = settings.failing.get(channel);
    if (failure === 'refuse') throw new ChannelRefused(`the local ${channel} channel is set to refuse`);
    if (failure === 'unavailable') throw new ChannelUnavailable(`the local ${channel} channel is set to be unavailable`);
    const id = `out_${createHash('sha256').update(handOver.idempotencyKey).digest('hex').slice(0, 20)}`;
    const pointer = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `OUTBOXID#${id}`, sk: 'OUTBOXID' }, ConsistentRead: true }));
    let entry = pointer.Item as (OutboundItem & Record<string, unknown>) | undefined;
    if (!entry) {
      await settings.content.put(id, content.bytes);
      const candidate = {
        id, channel, kind: handOver.kind, customerId: handOver.customerId,
        ...(handOver.caseId ? { caseId: handOver.caseId } : {}),
        ...(handOver.invoiceId ? { invoiceId: handOver.invoiceId } : {}),
        documentId: handOver.documentId, to, contentType: content.contentType, size: content.bytes.byteLength,
        createdAt: this.now().toISOString(), idempotencyKey: handOver.idempotencyKey, ...extra,
      };
      try {
        await this.db.send(new PutCommand({
          TableName: this.tableName, Item: { pk: `OUTBOXID#${id}`, sk: 'OUTBOXID', entity: 'outboxPointer', ...candidate },
          ConditionExpression: 'attribute_not_exists(pk)',
        }));
        entry = candidate;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        entry = (await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `OUTBOXID#${id}`, sk: 'OUTBOXID' }, ConsistentRead: true }))).Item as typeof entry;
      }
    }
    const { pk: _pk, sk: _sk, entity: _entity, ...fields } = entry as Record<string, unknown>;
    // The listed item (written again by a repeat: same key, same values).
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: 'OUTBOX', sk: `${String(fields.createdAt)}#${id}`, entity: 'outboxDocument', ...fields } }));
    return { providerReference: id };
  }

  sendEInvoice(message: HandOver & { operator: string; address: string; xml: string; contentType: string }): Promise<HandedOver> {
    return this.writeDocument(message, 'e_invoice', `${message.address} via ${message.operator}`, {
      bytes: Buffer.from(message.xml, 'utf8'), contentType: message.contentType,
    });
  }

  sendEmail(message: HandOver & { from: string; to: string; raw: Uint8Array }): Promise<HandedOver> {
    return this.writeDocument(message, 'email', message.to, { bytes: message.raw, contentType: 'message/rfc822' });
  }

  /**
   * The print service: `to` is what the outer envelope says. R-SE-4: for a protected identity the
   * forwarding service's address; the customer's name and address are only inside.
   */
  sendLetter(letter: Letter): Promise<HandedOver> {
    const to = letter.innerEnvelope ? envelopeLine(letter.envelope) : envelopeLine(letter.envelope, letter.recipient.name);
    return this.writeDocument(letter, letter.mode, to, { bytes: letter.pdf, contentType: 'application/pdf' }, { innerEnvelope: letter.innerEnvelope });
  }

  // ---- the whole outbox: GET /_local/outbox ----------------------------------------------

  private static outbound(item: Record<string, unknown>): OutboundItem {
    if (item.entity === 'outboxDocument') {
      const { pk: _pk, sk: _sk, entity: _entity, idempotencyKey: _key, size: _size, ...rest } = item;
      return rest as unknown as OutboundItem;
    }
    // SMS and voice (outage alerts): the provider message id is their id, the text their content.
    return {
      id: String(item.providerMessageId),
      channel: item.channel as 'sms' | 'voice',
      kind: 'outage_alert',
      customerId: null,
      ...(item.outageId ? { outageId: String(item.outageId) } : {}),
      to: String(item.to),
      contentType: textType,
      createdAt: String(item.at),
    };
  }

  /** Every outbound item, oldest first, filtered and paged (`nextCursor` continues after the last item given). */
  async listOutbound(query: OutboxQuery): Promise<{ items: OutboundItem[]; nextCursor: string | null }> {
    let startSk: string | undefined;
    if (query.cursor !== undefined) {
      try {
        startSk = Buffer.from(query.cursor, 'base64url').toString('utf8');
      } catch {
        startSk = undefined;
      }
      if (!startSk || !/^\d{4}-\d{2}-\d{2}T[^#]+#\S+$/.test(startSk)) throw new ValidationError([{ path: 'cursor', message: 'not a cursor from this list' }]);
    }
    const items: OutboundItem[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined = startSk ? { pk: 'OUTBOX', sk: startSk } : undefined;
    let lastSk: string | undefined;
    do {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: query.since ? 'pk = :pk AND sk >= :since' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'OUTBOX', ...(query.since ? { ':since': query.since } : {}) },
          Limit: 200,
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      for (const raw of result.Items ?? []) {
        const item = Outbox.outbound(raw);
        if ((query.channel && item.channel !== query.channel) || (query.kind && item.kind !== query.kind)) continue;
        if (items.length === query.limit) return { items, nextCursor: Buffer.from(lastSk!, 'utf8').toString('base64url') };
        items.push(item);
        lastSk = String(raw.sk);
      }
      ExclusiveStartKey = result.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return { items, nextCursor: null };
  }

  /** The item itself: the document (XML, message/rfc822, PDF) or an SMS's or call's text; undefined when there is none. */
  async content(id: string): Promise<{ contentType: string; bytes: Uint8Array } | undefined> {
    if (/^out_[0-9a-f]{20}$/.test(id)) {
      const pointer = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `OUTBOXID#${id}`, sk: 'OUTBOXID' }, ConsistentRead: true }));
      if (!pointer.Item) return undefined;
      const bytes = await this.settingsOrThrow().content.get(id);
      return bytes ? { contentType: String(pointer.Item.contentType), bytes } : undefined;
    }
    // An SMS or call: found in the outbox partition by its provider message id (the embedded stack's outbox is small).
    const found = (await this.list()).find((item) => item.providerMessageId === id);
    return found ? { contentType: textType, bytes: Buffer.from(found.body, 'utf8') } : undefined;
  }
}
