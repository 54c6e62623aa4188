/** BillingRepository on the single table (docs/DATA.md, "Billing and payments"). */
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import type { Customer, Deposit, Facility } from '../../domain/customers/model.js';
import type { BillingRun, BillingState, Invoice, MeterReading, PendingFee, TariffVersion } from '../../domain/billing/model.js';
import {
  meterKey, type BillingRepository, type CustomerBillingData, type RecordedPayment, type Refund, type SegmentPageCounts, type SegmentPageRecord,
} from '../../domain/billing/ports.js';
import { normaliseReference } from '../../domain/billing/references.js';
import { batchGet, batchPut, inPool } from './batch.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { OPEN_INVOICE_SHARDS, shardKey, shardKeys, UNMATCHED_SHARDS } from './shards.js';
import { fromItem, isConditionFailure, Table, type Item } from './table.js';

/** Reference look-ups in the index at once, while a chunk's invoices are found. */
const referenceQueriesAtOnce = 8;
/** A run keeps at most this many error samples (the item stays far below DynamoDB's 400 KB); `errors` counts them all. */
export const maxErrorSamples = 50;
/** A run's page record: `PAGE#<segment>#<page>`, zero-padded so they sort. */
const pageKey = (segment: number, page: number) => `PAGE#${String(segment).padStart(4, '0')}#${String(page).padStart(6, '0')}`;

/**
 * A customer's partition, sorted: `BILLMETER#…` (a meter's newest reading time), `BILLSTATE`,
 * `CHK#…`, `CREDIT#…`, `DEP#…`, `DUNFEE#…` (reminder fees), `FAC#…`, then `LOG#…`, `PROFILE`,
 * `REFUND#…`. A billing run reads the first kinds with one Query over this range (the log,
 * which grows, is after it).
 */
const billingRange = { from: 'BILLMETER#', to: 'FAC$' } as const;

/** Calls at once when a page's customers or meters are read one Query each. */
const readConcurrency = 16;

export class DynamoBillingRepository implements BillingRepository {
  private readonly table: Table;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new Table(db, tableName);
  }

  // ---- tariffs -----------------------------------------------------------------------------

  async tariffVersions(service: string): Promise<TariffVersion[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `TARIFF#${service}` } });
    return items.map((item) => fromItem<TariffVersion>(item));
  }

  async putTariffVersion(version: TariffVersion): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `TARIFF#${version.service}`, sk: version.effectiveFrom, entity: 'tariff', ...version } }));
  }

  // ---- runs --------------------------------------------------------------------------------

  createRun(run: BillingRun): Promise<boolean> {
    return this.table.putIfAbsent({ pk: `RUN#${run.runId}`, sk: 'META', entity: 'billingRun', ...run });
  }

  getRun(runId: string): Promise<BillingRun | undefined> {
    return this.table.get<BillingRun>(`RUN#${runId}`, 'META');
  }

  /**
   * The page's record first (its cursor, for a resumed segment; rewritten the same on a
   * redelivery), then ONE conditional update counts it on the run: the run keeps the keys of
   * the pages it counted (`countedPages`, a set of a few bytes a page, removed when the run
   * completes), so a page counts once even when a crash came between the two writes. The
   * completion is checked on every delivery, counted now or before.
   */
  async recordSegmentPage(runId: string, segment: number, page: number, counts: SegmentPageCounts): Promise<boolean> {
    const { at, ...pageCounts } = counts;
    const key = pageKey(segment, page);
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `RUN#${runId}`, sk: key, entity: 'runPage', segment, page, ...pageCounts, at } }));
    let run: BillingRun | undefined;
    let counted = true;
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RUN#${runId}`, sk: 'META' },
          UpdateExpression:
            'ADD customersDone :customers, invoicesWritten :invoices, errors :errors, segmentsDone :segmentDone, pagesCounted :one, pagesExpected :pagesInSegment, countedPages :page SET errorSamples = list_append(if_not_exists(errorSamples, :none), :samples), updatedAt = :at',
          // Running: a late duplicate of a page after the run completed (its set is gone then) counts nothing.
          ConditionExpression: 'attribute_exists(pk) AND #status = :running AND NOT contains(countedPages, :pageKey)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':running': 'running',
            ':customers': counts.customersDone,
            ':invoices': counts.invoicesWritten,
            ':errors': counts.errors,
            ':segmentDone': counts.lastPage ? 1 : 0,
            // A segment's last page tells how many pages it has (they are numbered from 0): the run
            // completes when every segment's last page is counted and so are all pages before them
            // (a page redelivered after a crash may come after its segment's last one).
            ':one': 1,
            ':pagesInSegment': counts.lastPage ? page + 1 : 0,
            ':page': new Set([key]),
            ':pageKey': key,
            // At most five samples a page, and never more than 50 in all: the run item stays small (400 KB limit).
            ':samples': counts.errorSamples.slice(0, 5),
            ':none': [],
            ':at': at,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      run = fromItem<BillingRun>(result.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      counted = false;
      run = await this.getRun(runId);
    }
    if (counted && run && run.errorSamples.length > maxErrorSamples) {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `RUN#${runId}`, sk: 'META' },
        UpdateExpression: `REMOVE ${Array.from({ length: run.errorSamples.length - maxErrorSamples }, (_, i) => `errorSamples[${maxErrorSamples + i}]`).join(', ')}`,
      }));
    }
    if (run && run.status === 'running' && run.segmentsDone >= run.segments && (run.pagesCounted ?? 0) >= (run.pagesExpected ?? 0)) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RUN#${runId}`, sk: 'META' },
          UpdateExpression: 'SET #status = :completed, completedAt = :at REMOVE countedPages',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':completed': 'completed', ':running': 'running', ':at': at },
        }),
      ).catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
    }
    return counted;
  }

  async putNoticeEntries(jobId: string, customerIds: readonly string[]): Promise<void> {
    await batchPut(this.db, this.tableName, customerIds.map((customerId) => ({ pk: `NOTICE#${jobId}`, sk: customerId, entity: 'priceNotice', customerId })));
  }

  async noticeEntries(jobId: string): Promise<string[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `NOTICE#${jobId}` }, ProjectionExpression: 'sk' });
    return items.map((item) => item.sk as string);
  }

  async segmentPages(runId: string): Promise<SegmentPageRecord[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :page)',
      ExpressionAttributeValues: { ':pk': `RUN#${runId}`, ':page': 'PAGE#' },
      ProjectionExpression: 'sk, lastPage, nextCursor',
    });
    return items.map((item) => {
      const [, segment, page] = (item.sk as string).split('#');
      return { segment: Number(segment), page: Number(page), lastPage: item.lastPage === true, ...(typeof item.nextCursor === 'string' ? { nextCursor: item.nextCursor } : {}) };
    });
  }

  async markRequeued(runId: string, at: string): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: `RUN#${runId}`, sk: 'META' },
      UpdateExpression: 'SET updatedAt = :at ADD requeues :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at, ':one': 1 },
    }));
  }

  async customerPage(segment: number, limit: number, cursor?: string): Promise<{ customers: Customer[]; nextCursor?: string }> {
    const startKey = decodeCursor(cursor);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :shard',
        ExpressionAttributeValues: { ':shard': `CUSTSHARD#${segment}` },
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const next = encodeCursor(result.LastEvaluatedKey);
    return { customers: (result.Items ?? []).map((item) => fromItem<Customer>(item)), ...(next ? { nextCursor: next } : {}) };
  }

  // ---- invoices ----------------------------------------------------------------------------

  async reserveInvoiceNumbers(count: number): Promise<number> {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`reserve at least one invoice number, not ${count}`);
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: 'COUNTER#invoice', sk: 'COUNTER' },
        UpdateExpression: 'ADD #value :count',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':count': count },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    // The counter holds the last number reserved: this block is the `count` numbers up to it.
    return 100_000 + Number(result.Attributes?.value) - count + 1;
  }

  private invoiceItem(invoice: Invoice): Item {
    return {
      pk: `INV#${invoice.invoiceId}`,
      sk: 'INVOICE',
      entity: 'invoice',
      gsi1pk: `REF#${normaliseReference(invoice.reference)}`,
      gsi1sk: 'INVOICE',
      gsi2pk: `CUSINV#${invoice.customerId}`,
      gsi2sk: `${invoice.issueDate}#${invoice.invoiceId}`,
      // Open invoices by due date: the overdue scan of dunning reads this; an invoice with a
      // dunning case moves to its own partition so the daily scan no longer sees it.
      ...(invoice.status === 'open'
        ? {
          // Write-sharded (docs/DATA.md "Hot partitions"): a billing run writes thousands a second.
          gsi3pk: shardKey((invoice as { dunningCaseId?: string }).dunningCaseId ? 'DUNNING_INVOICES' : 'OPEN_INVOICES', invoice.invoiceId, OPEN_INVOICE_SHARDS),
          gsi3sk: `${invoice.dueDate}#${invoice.invoiceId}`,
        }
        : {}),
      ...invoice,
    };
  }

  insertInvoice(invoice: Invoice): Promise<boolean> {
    return this.table.putIfAbsent(this.invoiceItem(invoice));
  }

  getInvoice(invoiceId: string): Promise<Invoice | undefined> {
    return this.table.get<Invoice>(`INV#${invoiceId}`, 'INVOICE');
  }

  async replaceInvoice(invoice: Invoice, expectedVersion: number): Promise<void> {
    const ids = invoice.appliedPayments.map((p) => p.paymentId);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.invoiceItem(invoice), ...(ids.length > 0 ? { appliedPaymentIds: new Set(ids) } : {}) },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError('The invoice was changed by someone else; read it again.');
      throw error;
    }
  }

  async invoicesOf(customerId: string): Promise<Invoice[]> {
    const items = await this.table.queryAll({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': `CUSINV#${customerId}` } });
    return items.map((item) => fromItem<Invoice>(item));
  }

  private billingStateItem(customerId: string, invoiceId: string, state: BillingState): Item {
    return { pk: `CUS#${customerId}`, sk: 'BILLSTATE', entity: 'billingState', invoiceId, state };
  }

  async setBillingState(customerId: string, invoiceId: string, state: BillingState): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.billingStateItem(customerId, invoiceId, state) }));
  }

  async setBillingStates(states: readonly { customerId: string; invoiceId: string; state: BillingState; reference?: string }[]): Promise<void> {
    await batchPut(this.db, this.tableName, states.flatMap(({ customerId, invoiceId, state, reference }) => [
      this.billingStateItem(customerId, invoiceId, state),
      ...(reference === undefined ? [] : [this.referenceItem(reference, invoiceId)]),
    ]));
  }

  /** A payment reference's invoice, by key (`REF#<reference>`): what a payment file looks up, 100 in one BatchGetItem. */
  private referenceItem(reference: string, invoiceId: string): Item {
    return { pk: `REF#${normaliseReference(reference)}`, sk: 'REF', entity: 'invoiceReference', invoiceId };
  }

  async applyPayment(invoice: Invoice, payment: { paymentId: string; amount: number; bookedAt: string }): Promise<boolean> {
    const open = invoice.openAmount - payment.amount;
    const paid = open <= 0;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INV#${invoice.invoiceId}`, sk: 'INVOICE' },
          UpdateExpression: `SET openAmount = :open, #status = :status, appliedPayments = list_append(appliedPayments, :payment), version = :next ADD appliedPaymentIds :ids${paid ? ' REMOVE gsi3pk, gsi3sk' : ''}`,
          ConditionExpression: 'version = :version AND (attribute_not_exists(appliedPaymentIds) OR NOT contains(appliedPaymentIds, :paymentId))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':open': Math.max(0, open),
            ':status': paid ? 'paid' : 'open',
            ':payment': [payment],
            ':next': invoice.version + 1,
            ':version': invoice.version,
            ':ids': new Set([payment.paymentId]),
            ':paymentId': payment.paymentId,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  // ---- a customer's billing data --------------------------------------------------------------

  async billingDataOf(customerIds: readonly string[]): Promise<Map<string, CustomerBillingData>> {
    const data = await inPool(customerIds, readConcurrency, (customerId) => this.billingDataOfOne(customerId));
    return new Map(customerIds.map((customerId, i) => [customerId, data[i]!]));
  }

  private async billingDataOfOne(customerId: string): Promise<CustomerBillingData> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': `CUS#${customerId}`, ':from': billingRange.from, ':to': billingRange.to },
      // The state and the credit must be the latest written: the invoice starts from them.
      ConsistentRead: true,
    });
    const data: CustomerBillingData = { facilities: [], deposits: [], state: {}, creditBalance: 0, lastReadAt: {}, fees: [] };
    for (const item of items) {
      const sk = String(item.sk);
      if (sk.startsWith('FAC#')) data.facilities.push(fromItem<Facility>(item));
      else if (sk.startsWith('DEP#')) data.deposits.push(fromItem<Deposit>(item));
      else if (sk.startsWith('CREDIT#')) data.creditBalance += Number(item.amount);
      else if (sk.startsWith('DUNFEE#')) data.fees.push(fromItem<PendingFee>(item));
      else if (sk.startsWith('BILLMETER#')) data.lastReadAt[meterKey(String(item.facilityId), String(item.meterId))] = String(item.lastReadAt);
      else if (sk === 'BILLSTATE') {
        data.state = (item.state as BillingState | undefined) ?? {};
        if (typeof item.invoiceId === 'string') data.stateInvoiceId = item.invoiceId;
      }
      // CHK# (credit checks) are in the range and not billing's.
    }
    return data;
  }

  // ---- facilities and readings ---------------------------------------------------------------

  async facilitiesOf(customerId: string): Promise<Facility[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :fac)',
      ExpressionAttributeValues: { ':pk': `CUS#${customerId}`, ':fac': 'FAC#' },
    });
    return items.map((item) => fromItem<Facility>(item));
  }

  async facilityById(facilityId: string): Promise<Facility | undefined> {
    const [item] = await this.table.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `FAC#${facilityId}` } });
    return item ? fromItem<Facility>(item) : undefined;
  }

  async readingsOf(facilityId: string, meterId: string): Promise<MeterReading[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `READING#${facilityId}#${meterId}` } });
    return items.map((item) => fromItem<MeterReading>(item));
  }

  async readingsAt(keys: readonly { facilityId: string; meterId: string; readAt: string }[]): Promise<Map<string, MeterReading>> {
    const unique = new Map(keys.map(({ facilityId, meterId, readAt }) => [`${meterKey(facilityId, meterId)}|${readAt}`, { pk: `READING#${facilityId}#${meterId}`, sk: readAt }]));
    const items = await batchGet(this.db, this.tableName, [...unique.values()]);
    return new Map(items.map((item) => {
      const reading = fromItem<MeterReading>(item);
      return [meterKey(reading.facilityId, reading.meterId), reading];
    }));
  }

  async readingsAfter(meters: readonly { facilityId: string; meterId: string; after?: string }[]): Promise<Map<string, MeterReading[]>> {
    const lists = await inPool(meters, readConcurrency, ({ facilityId, meterId, after }) =>
      this.table.queryAll({
        KeyConditionExpression: after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `READING#${facilityId}#${meterId}`, ...(after ? { ':after': after } : {}) },
      }),
    );
    return new Map(meters.map((meter, i) => [meterKey(meter.facilityId, meter.meterId), lists[i]!.map((item) => fromItem<MeterReading>(item))]));
  }

  private readingItem(reading: MeterReading): Item {
    return { pk: `READING#${reading.facilityId}#${reading.meterId}`, sk: reading.readAt, entity: 'meterReading', ...reading };
  }

  /** The newest reading time of a meter, in its customer's partition: a billing run queries a meter's readings only when it is newer than what was billed. */
  private meterMarkerItem(customerId: string, facilityId: string, meterId: string, lastReadAt: string): Item {
    return { pk: `CUS#${customerId}`, sk: `BILLMETER#${facilityId}#${meterId}`, entity: 'meterMarker', facilityId, meterId, lastReadAt };
  }

  async putReading(reading: MeterReading, customerId: string): Promise<boolean> {
    // The marker first: a marker whose reading was never written costs a run one Query that
    // finds nothing; a reading without its marker would not be billed.
    const marker = this.meterMarkerItem(customerId, reading.facilityId, reading.meterId, reading.readAt);
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: marker.pk, sk: marker.sk },
          UpdateExpression: 'SET entity = :entity, facilityId = :facilityId, meterId = :meterId, lastReadAt = :at',
          ConditionExpression: 'attribute_not_exists(lastReadAt) OR lastReadAt < :at',
          ExpressionAttributeValues: { ':entity': marker.entity, ':facilityId': reading.facilityId, ':meterId': reading.meterId, ':at': reading.readAt },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error; // a newer reading is marked already
      });
    return this.table.putIfAbsent(this.readingItem(reading));
  }

  // ---- payments and credit -----------------------------------------------------------------

  private paymentItem(payment: RecordedPayment): Item {
    return {
      pk: `PAYMENT#${payment.paymentId}`,
      sk: 'PAYMENT',
      entity: 'payment',
      ...(payment.status === 'unmatched' ? { gsi1pk: shardKey('UNMATCHED', payment.paymentId, UNMATCHED_SHARDS), gsi1sk: `${payment.bookingDate}#${payment.paymentId}` } : {}),
      ...payment,
    };
  }

  async recordPayment(payment: RecordedPayment): Promise<RecordedPayment | undefined> {
    if (await this.table.putIfAbsent(this.paymentItem(payment))) return undefined;
    return this.getPayment(payment.paymentId);
  }

  getPayment(paymentId: string): Promise<RecordedPayment | undefined> {
    return this.table.get<RecordedPayment>(`PAYMENT#${paymentId}`, 'PAYMENT');
  }

  async paymentsByIds(paymentIds: readonly string[]): Promise<Map<string, RecordedPayment>> {
    const unique = [...new Set(paymentIds)];
    const items = await batchGet(this.db, this.tableName, unique.map((id) => ({ pk: `PAYMENT#${id}`, sk: 'PAYMENT' })), 4, { consistent: true });
    return new Map(items.map((item) => [item.paymentId as string, fromItem<RecordedPayment>(item)]));
  }

  async invoicesByIds(invoiceIds: readonly string[]): Promise<Map<string, Invoice>> {
    const unique = [...new Set(invoiceIds)];
    const items = await batchGet(this.db, this.tableName, unique.map((id) => ({ pk: `INV#${id}`, sk: 'INVOICE' })), 4, { consistent: true });
    return new Map(items.map((item) => [item.invoiceId as string, fromItem<Invoice>(item)]));
  }

  /**
   * The invoices of these references: by their lookup items first (batched, written with a billing
   * run's invoices), then, for a reference with none (an invoice written otherwise, or none at
   * all), by the reference index (one Query each).
   */
  async invoicesByReferences(references: readonly string[]): Promise<Map<string, Invoice>> {
    const unique = [...new Set(references)];
    const keyed = await batchGet(this.db, this.tableName, unique.map((reference) => ({ pk: `REF#${reference}`, sk: 'REF' })), 4, { consistent: true });
    const byKey = new Map(keyed.map((item) => [String(item.pk).slice('REF#'.length), item.invoiceId as string]));
    const rest = unique.filter((reference) => !byKey.has(reference));
    const queried = await inPool(rest, referenceQueriesAtOnce, async (reference) => {
      const [item] = await this.table.queryAll({
        IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `REF#${reference}` },
      });
      return item ? { reference, invoiceId: item.invoiceId as string } : undefined;
    });
    const hits = [...[...byKey].map(([reference, invoiceId]) => ({ reference, invoiceId })), ...queried.filter((hit) => hit !== undefined)];
    // The index is eventually consistent: the invoices themselves, read consistently in batches.
    const items = await batchGet(this.db, this.tableName, [...new Set(hits.map((hit) => hit.invoiceId))].map((id) => ({ pk: `INV#${id}`, sk: 'INVOICE' })), 4, { consistent: true });
    const byId = new Map(items.map((item) => [item.invoiceId as string, fromItem<Invoice>(item)]));
    return new Map(hits.flatMap((hit) => (byId.has(hit.invoiceId) ? [[hit.reference, byId.get(hit.invoiceId)!] as const] : [])));
  }

  async updatePayment(payment: RecordedPayment): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.paymentItem(payment) }));
  }

  /** Every shard (and the unsharded partition of older items), merged in booking-date order. */
  async unmatchedPayments(): Promise<RecordedPayment[]> {
    const shards = await Promise.all(shardKeys('UNMATCHED', UNMATCHED_SHARDS, { legacy: true }).map((partition) =>
      this.table.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': partition } })));
    return shards.flat()
      .sort((a, b) => String(a.gsi1sk).localeCompare(String(b.gsi1sk)))
      .map((item) => fromItem<RecordedPayment>(item));
  }

  async addCredit(customerId: string, sourceId: string, amount: number, currency: string): Promise<void> {
    await this.table.putIfAbsent({ pk: `CUS#${customerId}`, sk: `CREDIT#${sourceId}`, entity: 'credit', customerId, sourceId, amount, currency, at: new Date().toISOString() });
  }

  insertRefund(refund: Refund): Promise<boolean> {
    return this.table.putIfAbsent({ pk: `CUS#${refund.customerId}`, sk: `REFUND#${refund.refundId}`, entity: 'refund', ...refund });
  }

  async creditBalance(customerId: string): Promise<number> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :credit)',
      ExpressionAttributeValues: { ':pk': `CUS#${customerId}`, ':credit': 'CREDIT#' },
      ConsistentRead: true,
    });
    return items.reduce((sum, item) => sum + Number(item.amount), 0);
  }
}
