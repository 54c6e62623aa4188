/**
 * AlertRepository on the single table (docs/DATA.md, "Outage alerts"). Addresses are
 * written with index entries by street, postal code and geohash that carry the register's
 * phones at the address, so an outage's recipients are read with its area's index entries,
 * never by scanning the register or reading each address.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import { geohash } from '../../domain/alerts/area.js';
import { normalisePostalCode, normaliseStreet } from '../../domain/alerts/address.js';
import type {
  AddressRecord,
  AlertRepository,
  CrowdReportRecord,
  Outage,
  OutageMessage,
  Recipient,
  RecipientStatus,
  RegisterUpload,
  SendChunk,
  Subscription,
} from '../../domain/alerts/ports.js';
import type { Language } from '../../domain/alerts/types.js';
import { batchGet, batchPut, inPool } from './batch.js';
import { ADDRESS_INDEX_SHARDS, OPT_OUT_SHARDS, shardKey, shardKeys } from './shards.js';
import { fromItem, isConditionFailure, Table, type Item } from './table.js';




/** A send chunk's number in a sort key: fixed width, so a chunk's recipients sort together. */
const chunkKey = (chunk: number) => String(chunk).padStart(5, '0');

/** Geohash cells are stored under their first four characters (about 20 × 40 km). */
const geoPartitionLength = 4;

export class DynamoAlertRepository implements AlertRepository {
  private readonly table: Table;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new Table(db, tableName);
  }



  // ---- register, addresses, subscriptions ------------------------------------------------

  async registerGeneration(): Promise<string | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'REGISTER', sk: 'META' }, ConsistentRead: true }));
    return result.Item?.generation as string | undefined;
  }

  async setRegisterGeneration(generation: string): Promise<void> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: 'REGISTER', sk: 'META', entity: 'register', generation },
        // Generations begin with their import's time: an import that finishes after a later one does not undo it.
        ConditionExpression: 'attribute_not_exists(generation) OR generation <= :generation',
        ExpressionAttributeValues: { ':generation': generation },
      }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async putRegisterChunks(jobId: string, chunks: readonly string[]): Promise<void> {
    const ttl = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
    await batchPut(this.db, this.tableName, chunks.map((rows, chunk) => ({ pk: `REGIMPORT#${jobId}`, sk: `CHUNK#${chunkKey(chunk)}`, entity: 'registerChunk', rows, ttl })));
  }

  async putRegisterUpload(upload: RegisterUpload): Promise<void> {
    // Expires with the object (the bucket's lifecycle: 7 days), and the record goes a day later.
    const ttl = Math.floor(Date.parse(upload.createdAt) / 1000) + 8 * 24 * 3600;
    await this.table.putIfAbsent({ pk: `REGUPLOAD#${upload.uploadId}`, sk: 'UPLOAD', entity: 'registerUpload', ...upload, ttl });
  }

  async getRegisterUpload(uploadId: string): Promise<RegisterUpload | undefined> {
    const upload = await this.table.get<RegisterUpload & { ttl?: number }>(`REGUPLOAD#${uploadId}`, 'UPLOAD');
    if (!upload) return undefined;
    const { ttl: _ttl, ...rest } = upload;
    return rest;
  }

  async getRegisterChunk(jobId: string, chunk: number): Promise<string | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `REGIMPORT#${jobId}`, sk: `CHUNK#${chunkKey(chunk)}` }, ConsistentRead: true }));
    return result.Item?.rows as string | undefined;
  }

  /** An address's item and its index entries (street, postal code, geo cell), each carrying the whole record. */
  private addressItems(record: AddressRecord): Item[] {
    const street = normaliseStreet(record.address.street);
    const postal = normalisePostalCode(record.address.postalCode);
    const items: Item[] = [{ pk: `ADDR#${record.addressKey}`, sk: 'ADDRESS', entity: 'address', ...record }];
    // Write-sharded (a street name, a postal code or a geo cell holds a whole town: docs/DATA.md "Hot partitions").
    items.push({ pk: shardKey(`STREET#${street}`, record.addressKey, ADDRESS_INDEX_SHARDS), sk: `${postal}#${record.addressKey}`, entity: 'addressIndex', ...record });
    items.push({ pk: shardKey(`POSTAL#${postal}`, record.addressKey, ADDRESS_INDEX_SHARDS), sk: record.addressKey, entity: 'addressIndex', ...record });
    if (record.location) {
      const cell = geohash(record.location, 9);
      items.push({ pk: shardKey(`GEO#${cell.slice(0, geoPartitionLength)}`, record.addressKey, ADDRESS_INDEX_SHARDS), sk: `${cell}#${record.addressKey}`, entity: 'addressIndex', ...record });
    }
    return items;
  }

  async putRegisterAddresses(addresses: AddressRecord[]): Promise<void> {
    await batchPut(this.db, this.tableName, addresses.flatMap((record) => this.addressItems(record)));
  }

  async ensureAddresses(addresses: AddressRecord[]): Promise<void> {
    // Conditional, one item at a time: an address the register wrote keeps its phones.
    await inPool(addresses.flatMap((record) => this.addressItems(record)), 4, (item) => this.table.putIfAbsent(item));
  }

  private subscriptionItem(s: Subscription): Item {
    return {
      pk: `ADDR#${s.addressKey}`,
      sk: `SUB#${s.phone}#${s.source}`,
      entity: 'subscription',
      gsi1pk: `SUB#${s.subscriptionId}`,
      gsi1sk: 'SUB',
      gsi2pk: `PHONE#${s.phone}`,
      gsi2sk: `SUB#${s.addressKey}#${s.source}`,
      // A self-added subscription is also listed by its postal code: an outage reads the few of
      // its area's postal codes (the register's phones are in the address index entries).
      ...(s.source === 'self' ? { gsi3pk: `SELFSUB#${normalisePostalCode(s.address.postalCode)}`, gsi3sk: `${s.addressKey}#${s.phone}` } : {}),
      ...s,
    };
  }

  async selfSubscriptionsIn(postalCodes: readonly string[]): Promise<Subscription[]> {
    const lists = await inPool([...new Set(postalCodes.map(normalisePostalCode))], 8, (code) =>
      this.table.queryAll({ IndexName: 'gsi3', KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': `SELFSUB#${code}` } }),
    );
    return lists.flat().map((item) => fromItem<Subscription>(item));
  }

  async putSubscriptions(subscriptions: Subscription[]): Promise<void> {
    await batchPut(this.db, this.tableName, subscriptions.map((s) => this.subscriptionItem(s)));
  }

  async getSubscription(subscriptionId: string): Promise<Subscription | undefined> {
    const [item] = await this.table.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `SUB#${subscriptionId}` },
    });
    return item ? fromItem<Subscription>(item) : undefined;
  }

  async deleteSubscription(s: Subscription): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `ADDR#${s.addressKey}`, sk: `SUB#${s.phone}#${s.source}` } }));
  }

  async subscriptionsOfPhone(phone: string): Promise<Subscription[]> {
    const items = await this.table.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :sub)',
      ExpressionAttributeValues: { ':pk': `PHONE#${phone}`, ':sub': 'SUB#' },
    });
    return items.map((item) => fromItem<Subscription>(item));
  }

  /** Every page of a query, or (with `limit`) pages until at least `limit` items: a bounded probe. */
  private async query(input: Omit<QueryCommandInput, 'TableName'>, limit?: number): Promise<Item[]> {
    if (limit === undefined) return this.table.queryAll(input);
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const result = await this.db.send(new QueryCommand({ TableName: this.tableName, ...input, Limit: limit, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }));
      items.push(...(result.Items ?? []));
      ExclusiveStartKey = result.LastEvaluatedKey;
    } while (ExclusiveStartKey && items.length < limit);
    return items;
  }

  /** Every shard (and the unsharded partition of older imports); with `limit`, a probe of each. */
  async addressesOnStreet(street: string, postalCode?: string, limit?: number): Promise<AddressRecord[]> {
    const partitions = shardKeys(`STREET#${normaliseStreet(street)}`, ADDRESS_INDEX_SHARDS, { legacy: true });
    const items = await inPool(partitions, 8, (pk) => this.query({
      KeyConditionExpression: postalCode ? 'pk = :pk AND begins_with(sk, :postal)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk, ...(postalCode ? { ':postal': `${normalisePostalCode(postalCode)}#` } : {}) },
    }, limit));
    return items.flat().map((item) => fromItem<AddressRecord>(item));
  }

  /** Every shard (and the unsharded partition of older imports); with `limit`, a probe of each. */
  async addressesInPostalCode(postalCode: string, limit?: number): Promise<AddressRecord[]> {
    const partitions = shardKeys(`POSTAL#${normalisePostalCode(postalCode)}`, ADDRESS_INDEX_SHARDS, { legacy: true });
    const items = await inPool(partitions, 8, (pk) => this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }, limit));
    return items.flat().map((item) => fromItem<AddressRecord>(item));
  }

  async addressesInGeoCell(cell: string, limit?: number): Promise<AddressRecord[]> {
    if (cell.length < geoPartitionLength) {
      // A coarse cell spans several partitions: one query per 4-character child cell.
      const base32 = '0123456789bcdefghjkmnpqrstuvwxyz';
      const children = [...base32].map((c) => cell + c);
      return (await inPool(children, 8, (child) => this.addressesInGeoCell(child, limit))).flat();
    }
    const partitions = shardKeys(`GEO#${cell.slice(0, geoPartitionLength)}`, ADDRESS_INDEX_SHARDS, { legacy: true });
    const items = await inPool(partitions, 8, (pk) => this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :cell)',
      ExpressionAttributeValues: { ':pk': pk, ':cell': cell },
    }, limit));
    return items.flat().map((item) => fromItem<AddressRecord>(item));
  }

  async getAddresses(addressKeys: readonly string[]): Promise<AddressRecord[]> {
    if (addressKeys.length === 0) return [];
    const unique = [...new Set(addressKeys)];
    const items = await batchGet(this.db, this.tableName, unique.map((key) => ({ pk: `ADDR#${key}`, sk: 'ADDRESS' })));
    return items.map((item) => fromItem<AddressRecord>(item));
  }

  // ---- opt-outs and languages -----------------------------------------------------------

  async putOptOut(phone: string, at: string): Promise<void> {
    // Also listed under `OPTOUTS#<0–3>`: an outage reads every opt-out once, not one key per phone.
    await this.table.putIfAbsent({
      pk: `OPTOUT#${phone}`, sk: 'OPTOUT', entity: 'optOut', phone, at, gsi1pk: shardKey('OPTOUTS', phone, OPT_OUT_SHARDS), gsi1sk: phone,
    });
  }

  async allOptedOut(): Promise<Set<string>> {
    const lists = await inPool(shardKeys('OPTOUTS', OPT_OUT_SHARDS), 4, (pk) =>
      this.table.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'phone' }),
    );
    return new Set(lists.flat().map((item) => item.phone as string));
  }

  async deleteOptOut(phone: string): Promise<boolean> {
    const result = await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: `OPTOUT#${phone}`, sk: 'OPTOUT' }, ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes !== undefined;
  }

  async optedOut(phones: readonly string[]): Promise<Set<string>> {
    if (phones.length === 0) return new Set();
    const items = await batchGet(this.db, this.tableName, [...new Set(phones)].map((phone) => ({ pk: `OPTOUT#${phone}`, sk: 'OPTOUT' })));
    return new Set(items.map((item) => item.phone as string));
  }

  async languageOfPhone(phone: string): Promise<Language | undefined> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': `PHONE#${phone}` },
        Limit: 5,
      }),
    );
    const withLanguage = (result.Items ?? []).find((item) => typeof item.language === 'string');
    return withLanguage?.language as Language | undefined;
  }

  // ---- outages, messages, recipients ----------------------------------------------------

  async putResolvedPages(outageId: string, attempt: string, pages: readonly string[]): Promise<void> {
    const ttl = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
    await batchPut(this.db, this.tableName, pages.map((phones, page) => ({
      pk: `OUTAGE#${outageId}`, sk: `RESOLVED#${attempt}#${chunkKey(page)}`, entity: 'resolvedPage', phones, ttl,
    })));
  }

  async getResolvedPage(outageId: string, attempt: string, page: number): Promise<string | undefined> {
    const result = await this.db.send(new GetCommand({
      TableName: this.tableName, Key: { pk: `OUTAGE#${outageId}`, sk: `RESOLVED#${attempt}#${chunkKey(page)}` }, ConsistentRead: true,
    }));
    return result.Item?.phones as string | undefined;
  }

  private outageItem(outage: Outage): Item {
    return { pk: `OUTAGE#${outage.outageId}`, sk: 'META', entity: 'outage', gsi1pk: 'FEED', gsi1sk: `${outage.createdAt}#${outage.outageId}`, ...outage };
  }

  async insertOutage(outage: Outage): Promise<void> {
    if (!(await this.table.putIfAbsent(this.outageItem(outage)))) throw new ConflictError('An outage with this id exists.');
  }

  async getOutage(outageId: string): Promise<Outage | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `OUTAGE#${outageId}`, sk: 'META' }, ConsistentRead: true }));
    return result.Item ? fromItem<Outage>(result.Item) : undefined;
  }

  async replaceOutage(outage: Outage, expectedVersion: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.outageItem(outage),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError('The outage was changed by someone else; read it again.');
      throw error;
    }
  }

  async listFeedOutages(): Promise<Outage[]> {
    const items = await this.table.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :feed', ExpressionAttributeValues: { ':feed': 'FEED' } });
    return items.map((item) => fromItem<Outage>(item));
  }

  putMessage(message: OutageMessage): Promise<boolean> {
    return this.table.putIfAbsent({ pk: `OUTAGE#${message.outageId}`, sk: `MSG#${message.messageKey}`, entity: 'outageMessage', ...message });
  }

  async getMessage(outageId: string, messageKey: string): Promise<OutageMessage | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `OUTAGE#${outageId}`, sk: `MSG#${messageKey}` } }));
    return result.Item ? fromItem<OutageMessage>(result.Item) : undefined;
  }

  async listMessages(outageId: string): Promise<OutageMessage[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
      ExpressionAttributeValues: { ':pk': `OUTAGE#${outageId}`, ':msg': 'MSG#' },
    });
    return items.map((item) => fromItem<OutageMessage>(item));
  }

  /**
   * A send chunk's recipients have a partition of their own (`OUTAGE#<id>#<chunk>`): the chunks
   * sent at once write to as many partitions, each well under DynamoDB's 1,000 writes a second.
   */
  private recipientKey(r: Pick<Recipient, 'outageId' | 'messageKey' | 'phone' | 'chunk'>) {
    return { pk: `OUTAGE#${r.outageId}#${chunkKey(r.chunk)}`, sk: `RCPT#${r.messageKey}#${r.phone}` };
  }

  async putRecipients(recipients: Recipient[]): Promise<void> {
    await inPool(recipients, 16, (r) => this.table.putIfAbsent({ ...this.recipientKey(r), entity: 'recipient', ...r }));
  }

  async listRecipients(outageId: string, messageKey: string, chunk: number): Promise<Recipient[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rcpt)',
      ExpressionAttributeValues: { ':pk': `OUTAGE#${outageId}#${chunkKey(chunk)}`, ':rcpt': `RCPT#${messageKey}#` },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem<Recipient>(item));
  }

  async putSendChunk(chunk: SendChunk): Promise<void> {
    await this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { pk: `OUTAGE#${chunk.outageId}`, sk: `CHUNK#${chunk.messageKey}#${chunkKey(chunk.chunk)}`, entity: 'sendChunk', ...chunk },
    }));
  }

  async countRefusedAfterSent(of: Pick<Recipient, 'outageId' | 'messageKey' | 'chunk'>, at: string): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: `OUTAGE#${of.outageId}`, sk: `CHUNK#${of.messageKey}#${chunkKey(of.chunk)}` },
      UpdateExpression: 'ADD sent :minus, failed :one SET updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':minus': -1, ':one': 1, ':at': at },
    })).catch((error: unknown) => {
      // No counter item (a chunk never counted): nothing to move; the next count reads the recipient as it is.
      if (!isConditionFailure(error)) throw error;
    });
  }

  async listSendChunks(outageId: string): Promise<SendChunk[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
      ExpressionAttributeValues: { ':pk': `OUTAGE#${outageId}`, ':chunk': 'CHUNK#' },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem<SendChunk>(item));
  }

  async reserveParts(identity: string, second: number, parts: number, limit: number): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        // One item a second of one origination identity; gone an hour later (TTL).
        Key: { pk: `SMSPACE#${identity}`, sk: String(second) },
        UpdateExpression: 'ADD parts :parts SET #ttl = :ttl',
        // A message longer than the whole budget takes an empty second of its own.
        ConditionExpression: 'attribute_not_exists(parts) OR parts <= :room',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':parts': parts, ':room': Math.max(-1, limit - parts), ':ttl': second + 3600 },
      }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async transitionRecipient(recipient: Recipient, from: RecipientStatus, to: Partial<Recipient> & { status: RecipientStatus }): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':from': from };
    const sets: string[] = [];
    for (const [field, value] of Object.entries(to)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (to.providerMessageId) {
      // The delivery receipt finds the recipient by the provider's message id (gsi3, recipientByProviderMessageId).
      sets.push('gsi3pk = :receiptPk', 'gsi3sk = :receiptSk');
      values[':receiptPk'] = `SMSMSG#${to.providerMessageId}`;
      values[':receiptSk'] = 'RCPT';
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.recipientKey(recipient),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The recipient an SMS with this provider message id went to (set when it was marked sent). */
  async recipientByProviderMessageId(providerMessageId: string): Promise<Recipient | undefined> {
    const [item] = await this.table.queryAll({
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': `SMSMSG#${providerMessageId}` },
    });
    return item ? fromItem<Recipient>(item) : undefined;
  }

  // ---- held sends (R-SMS-6) --------------------------------------------------------------

  async scheduleSend(outageId: string, messageKey: string, sendAt: string): Promise<void> {
    await this.table.putIfAbsent({ pk: 'SENDQ', sk: `${sendAt}#${outageId}#${messageKey}`, entity: 'scheduledSend', outageId, messageKey, sendAt });
  }

  async dueSends(now: string): Promise<{ outageId: string; messageKey: string; sendAt: string }[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk <= :now',
      ExpressionAttributeValues: { ':pk': 'SENDQ', ':now': `${now}~` },
    });
    return items.map((item) => ({ outageId: item.outageId as string, messageKey: item.messageKey as string, sendAt: item.sendAt as string }));
  }

  async clearScheduledSend(outageId: string, messageKey: string, sendAt: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: 'SENDQ', sk: `${sendAt}#${outageId}#${messageKey}` } }));
  }

  // ---- crowd reports (R-COM-1) -----------------------------------------------------------

  async putReport(report: CrowdReportRecord): Promise<void> {
    await this.table.putIfAbsent({ pk: `REPORTS#${report.at.slice(0, 10)}`, sk: `${report.at}#${report.reportId}`, entity: 'crowdReport', ...report });
  }

  async reportsSince(since: string, until: string): Promise<CrowdReportRecord[]> {
    const days: string[] = [];
    for (let day = new Date(`${since.slice(0, 10)}T00:00:00Z`); day.toISOString() <= until; day = new Date(day.getTime() + 86_400_000)) {
      days.push(day.toISOString().slice(0, 10));
    }
    const lists = await inPool(days, 4, (day) =>
      this.table.queryAll({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :since AND :until',
        ExpressionAttributeValues: { ':pk': `REPORTS#${day}`, ':since': since, ':until': `${until}~` },
      }),
    );
    return lists.flat().map((item) => fromItem<CrowdReportRecord>(item));
  }

  async markReportAcknowledged(report: CrowdReportRecord, outageId: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `REPORTS#${report.at.slice(0, 10)}`, sk: `${report.at}#${report.reportId}` },
          UpdateExpression: 'SET acknowledgedBy = :outage',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(acknowledgedBy)',
          ExpressionAttributeValues: { ':outage': outageId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async takeRateToken(client: string, window: string, limit: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${client}#${window}`, sk: 'RATE' },
          UpdateExpression: 'ADD requests :one',
          ConditionExpression: 'attribute_not_exists(requests) OR requests < :limit',
          ExpressionAttributeValues: { ':one': 1, ':limit': limit },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
