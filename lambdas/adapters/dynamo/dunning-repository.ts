/**
 * Dunning cases, work orders and reminder fees in the one table (docs/DATA.md "Dunning"):
 * - case        pk DCASE#<caseId> / CASE; gsi1 DCASES#<status>#<shard> by next action date; gsi2 DCASES#<shard> by opening;
 *               gsi3 DSTUCK by stuckSince while stuck
 * - its history  pk DCASE#<caseId> / HIST#<seq, 6 digits>; its guard records GUARD#<seq>: own items, so the
 *               case item stays a few KB however long the case lives. A save carries the entries it adds
 *               in `pendingHistory` / `pendingGuards` (one conditional write with the case), then copies
 *               them to their items (conditional puts on deterministic keys: a retry writes each once) and
 *               drops them; a read that finds them left (a crash in between) finishes the copy.
 * - work order  pk WO#<id> / WORKORDER; gsi1 WORKORDERS#<type>#<shard> by status and time; gsi2 WORKORDERS#<shard>
 *               (shards: shards.ts, INDEX_SHARDS; lists read every shard and the unsharded partition of older items)
 * - fee         pk CUS#<customerId> / DUNFEE#<feeId> (the next billing run puts it on the invoice)
 * - the ledger  pk LEDGER / PAYMENT_FILES: the date the last bank file was booked (R-FI-10)
 * Every write is a single conditional item write (no transactions: dynalite has none).
 */
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Invoice } from '../../domain/billing/model.js';
import type { Customer, Facility } from '../../domain/customers/model.js';
import type { CaseEvent, CaseStatus, DunningFee, GuardRecord, WorkOrder, WorkOrderType } from '../../domain/dunning/case.js';
import type { DunningRepository, Page, StoredCase } from '../../domain/dunning/process.js';
import { ConflictError } from '../../domain/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { OPEN_INVOICE_SHARDS, queryShards, shardKey, shardKeys } from './shards.js';
import { fromItem, isConditionFailure, Table, type Item } from './table.js';

/**
 * Shards of the constant index partitions (cases by status and by opening, work orders by type and
 * in all): 16 × 1,000 WCU a second of index writes, far above the morning's burst of case writes.
 */
export const INDEX_SHARDS = 16;

export interface DunningReadPorts {
  getInvoice(invoiceId: string): Promise<Invoice | undefined>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  facilitiesOf(customerId: string): Promise<Facility[]>;
}

export class DynamoDunningRepository implements DunningRepository {
  private readonly table: Table;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly reads: DunningReadPorts,
  ) {
    this.table = new Table(db, tableName);
  }

  /**
   * The case item: everything but the history and guard records, which have their own items.
   * `storedHistory` / `storedGuards` (from the read) say how many are stored already; the rest
   * are this write's and ride along as pending until copied.
   */
  private caseItem(c: StoredCase): Item {
    const { history, guardDecisions, storedHistory, storedGuards, ...rest } = c;
    const item: Item = {
      pk: `DCASE#${c.caseId}`,
      sk: 'CASE',
      entity: 'dunning_case',
      gsi1pk: shardKey(`DCASES#${c.status}`, c.caseId, INDEX_SHARDS),
      gsi1sk: `${c.next?.date ?? c.closedAt ?? c.updatedAt}#${c.caseId}`,
      gsi2pk: shardKey('DCASES', c.caseId, INDEX_SHARDS),
      gsi2sk: `${c.openedAt}#${c.caseId}`,
      ...(c.stuckSince ? { gsi3pk: 'DSTUCK', gsi3sk: `${c.stuckSince}#${c.caseId}` } : {}),
      ...rest,
      historyCount: history.length,
      guardCount: guardDecisions.length,
    };
    const pendingHistory = history.slice(Math.min(storedHistory ?? 0, history.length));
    const pendingGuards = guardDecisions.slice(Math.min(storedGuards ?? 0, guardDecisions.length));
    if (pendingHistory.length > 0) item.pendingHistory = pendingHistory;
    if (pendingGuards.length > 0) item.pendingGuards = pendingGuards;
    return item;
  }

  private static seq(n: number): string {
    return String(n).padStart(6, '0');
  }

  /** Copies the pending entries of a case item to their own items (each written once), then drops them from the item. */
  private async settle(item: Item): Promise<void> {
    const pk = String(item.pk);
    const pendingHistory = (item.pendingHistory as CaseEvent[] | undefined) ?? [];
    const pendingGuards = (item.pendingGuards as GuardRecord[] | undefined) ?? [];
    if (pendingHistory.length === 0 && pendingGuards.length === 0) return;
    const firstHistory = Number(item.historyCount) - pendingHistory.length;
    const firstGuard = Number(item.guardCount) - pendingGuards.length;
    const puts = [
      ...pendingHistory.map((e, i) => ({ pk, sk: `HIST#${DynamoDunningRepository.seq(firstHistory + i)}`, entity: 'dunning_case_event', ...e })),
      ...pendingGuards.map((g, i) => ({ pk, sk: `GUARD#${DynamoDunningRepository.seq(firstGuard + i)}`, entity: 'dunning_guard_record', ...g })),
    ];
    for (let i = 0; i < puts.length; i += 8) await Promise.all(puts.slice(i, i + 8).map((put) => this.table.putIfAbsent(put)));
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: 'CASE' },
          UpdateExpression: 'REMOVE pendingHistory, pendingGuards',
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': item.version },
        }),
      );
    } catch (error) {
      // A newer write replaced the item (and its pending entries) meanwhile: nothing to drop.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The case with its whole history and guard records: one query of its partition, in key order
   * (CASE, GUARD#…, HIST#…). Cases written before the split (history inside the item, no
   * `historyCount`) read as they are; their next save moves the entries to their own items.
   */
  async getCase(caseId: string): Promise<StoredCase | undefined> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `DCASE#${caseId}` }, ConsistentRead: true });
    const caseItem = items.find((item) => item.sk === 'CASE');
    if (!caseItem) return undefined;
    const { pendingHistory, pendingGuards, historyCount, guardCount, ...stored } = caseItem as Item & { pendingHistory?: CaseEvent[]; pendingGuards?: GuardRecord[] };
    const c = fromItem<StoredCase>(stored);
    if (historyCount === undefined) {
      // Written by the older version: everything is still in the item.
      c.history ??= [];
      c.guardDecisions ??= [];
      c.storedHistory = 0;
      c.storedGuards = 0;
      return c;
    }
    await this.settle(caseItem);
    const entries = (prefix: string, count: number, pending: unknown[] | undefined) => {
      const byIndex = new Map<number, unknown>();
      for (const item of items) if (String(item.sk).startsWith(prefix)) byIndex.set(Number(String(item.sk).slice(prefix.length)), fromItem(item));
      const first = count - (pending?.length ?? 0);
      pending?.forEach((entry, i) => byIndex.set(first + i, entry));
      return [...byIndex.entries()].filter(([i]) => i < count).sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
    };
    c.history = entries('HIST#', Number(historyCount), pendingHistory) as CaseEvent[];
    c.guardDecisions = entries('GUARD#', Number(guardCount), pendingGuards) as GuardRecord[];
    c.storedHistory = c.history.length;
    c.storedGuards = c.guardDecisions.length;
    return c;
  }

  async createCase(c: StoredCase): Promise<boolean> {
    const item = this.caseItem(c);
    if (!(await this.table.putIfAbsent(item))) return false;
    await this.settle(item);
    return true;
  }

  async saveCase(c: StoredCase, expectedVersion: number): Promise<void> {
    const item = this.caseItem(c);
    await this.conditionalPut(item, expectedVersion, `Case ${c.caseId} was changed by someone else; read it again.`);
    await this.settle(item);
  }

  private async conditionalPut(item: Item, expectedVersion: number, message: string): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(message);
      throw error;
    }
  }

  private async page<T>(index: 'gsi1' | 'gsi2' | 'gsi3', pk: string, limit: number, cursor: string | undefined, prefix?: string): Promise<Page<T>> {
    const startKey = decodeCursor(cursor);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: prefix ? `${index}pk = :pk AND begins_with(${index}sk, :prefix)` : `${index}pk = :pk`,
        ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return { items: (result.Items ?? []).map((item) => fromItem<T>(item)), nextCursor: encodeCursor(result.LastEvaluatedKey) };
  }

  /**
   * A page of cases (the summary: history and guard records are read with the case). `stuck`:
   * the cases stuck waiting for a payment file (sparse gsi3 `DSTUCK`, longest stuck first).
   */
  /** Every shard of `base` and, for items written before sharding, `base` itself (docs/DATA.md "Hot partitions"). */
  private async sharded<T>(index: 'gsi1' | 'gsi2', base: string, limit: number, cursor: string | undefined, prefix?: string): Promise<Page<T>> {
    const page = await queryShards(this.db, {
      tableName: this.tableName,
      indexName: index,
      partitionKeyName: `${index}pk`,
      sortKeyName: `${index}sk`,
      partitions: shardKeys(base, INDEX_SHARDS, { legacy: true }),
      ...(prefix ? { sortKeyPrefix: prefix } : {}),
      limit,
      ...(cursor ? { cursor } : {}),
    });
    return { items: page.items.map((item) => fromItem<T>(item)), nextCursor: page.nextCursor };
  }

  async listCases(query: { status?: CaseStatus | 'stuck'; limit: number; cursor?: string }): Promise<Page<StoredCase>> {
    const page: Page<Item> =
      query.status === 'stuck'
        ? await this.page('gsi3', 'DSTUCK', query.limit, query.cursor)
        : query.status
          ? await this.sharded('gsi1', `DCASES#${query.status}`, query.limit, query.cursor)
          : await this.sharded('gsi2', 'DCASES', query.limit, query.cursor);
    return { items: page.items.map((item) => summaryOf(item)), nextCursor: page.nextCursor };
  }

  private workOrderItem(order: WorkOrder): Item {
    return {
      pk: `WO#${order.workOrderId}`,
      sk: 'WORKORDER',
      entity: 'work_order',
      gsi1pk: shardKey(`WORKORDERS#${order.type}`, order.workOrderId, INDEX_SHARDS),
      gsi1sk: `${order.status}#${order.createdAt}#${order.workOrderId}`,
      gsi2pk: shardKey('WORKORDERS', order.workOrderId, INDEX_SHARDS),
      gsi2sk: `${order.status}#${order.createdAt}#${order.workOrderId}`,
      ...order,
    };
  }

  createWorkOrder(order: WorkOrder): Promise<boolean> {
    return this.table.putIfAbsent(this.workOrderItem(order));
  }

  getWorkOrder(workOrderId: string): Promise<WorkOrder | undefined> {
    return this.table.get<WorkOrder>(`WO#${workOrderId}`, 'WORKORDER');
  }

  async saveWorkOrder(order: WorkOrder, expectedVersion: number): Promise<void> {
    await this.conditionalPut(this.workOrderItem(order), expectedVersion, `Work order ${order.workOrderId} was changed by someone else; read it again.`);
  }

  listWorkOrders(query: { type?: WorkOrderType; status?: WorkOrder['status']; limit: number; cursor?: string }): Promise<Page<WorkOrder>> {
    const prefix = query.status ? `${query.status}#` : undefined;
    return query.type
      ? this.sharded('gsi1', `WORKORDERS#${query.type}`, query.limit, query.cursor, prefix)
      : this.sharded('gsi2', 'WORKORDERS', query.limit, query.cursor, prefix);
  }

  createFee(fee: DunningFee): Promise<boolean> {
    return this.table.putIfAbsent({ pk: `CUS#${fee.customerId}`, sk: `DUNFEE#${fee.feeId}`, entity: 'dunning_fee', ...fee });
  }

  async lastPaymentFileDate(): Promise<string | undefined> {
    return (await this.table.get<{ lastBookedOn?: string }>('LEDGER', 'PAYMENT_FILES'))?.lastBookedOn;
  }

  /** Written by the payment import: the later of what is stored and `date` (a late redelivery never moves it back). */
  async recordPaymentFileBooked(date: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: 'LEDGER', sk: 'PAYMENT_FILES' },
          UpdateExpression: 'SET lastBookedOn = :date',
          ConditionExpression: 'attribute_not_exists(lastBookedOn) OR lastBookedOn < :date',
          ExpressionAttributeValues: { ':date': date },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Every shard of the open invoices (and the unsharded partition of older items), in due-date order. */
  async overdueInvoices(before: string): Promise<{ invoiceId: string; dueDate: string }[]> {
    const shards = await Promise.all(shardKeys('OPEN_INVOICES', OPEN_INVOICE_SHARDS, { legacy: true }).map((partition) =>
      this.table.queryAll({
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
        ExpressionAttributeValues: { ':pk': partition, ':before': before },
        ProjectionExpression: 'invoiceId, dueDate',
      })));
    return shards.flat()
      .map((item) => ({ invoiceId: String(item.invoiceId), dueDate: String(item.dueDate) }))
      .sort((a, b) => `${a.dueDate}#${a.invoiceId}`.localeCompare(`${b.dueDate}#${b.invoiceId}`));
  }

  async markInvoiceDunned(invoiceId: string, caseId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INV#${invoiceId}`, sk: 'INVOICE' },
          // Still open: it leaves the overdue scan's partition. Paid meanwhile: only the case id.
          UpdateExpression: 'SET dunningCaseId = :case, gsi3pk = :dunning',
          ConditionExpression: 'attribute_exists(gsi3pk)',
          ExpressionAttributeValues: { ':case': caseId, ':dunning': shardKey('DUNNING_INVOICES', invoiceId, OPEN_INVOICE_SHARDS) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await this.db.send(
        new UpdateCommand({ TableName: this.tableName, Key: { pk: `INV#${invoiceId}`, sk: 'INVOICE' }, UpdateExpression: 'SET dunningCaseId = :case', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':case': caseId } }),
      );
    }
  }

  getInvoice(invoiceId: string): Promise<Invoice | undefined> {
    return this.reads.getInvoice(invoiceId);
  }

  getCustomer(customerId: string): Promise<Customer | undefined> {
    return this.reads.getCustomer(customerId);
  }

  facilitiesOf(customerId: string): Promise<Facility[]> {
    return this.reads.facilitiesOf(customerId);
  }
}

/** A listed case: its history and guard records are not in the item (older items may still hold them). */
function summaryOf(item: Item): StoredCase {
  const { pendingHistory: _h, pendingGuards: _g, historyCount: _hc, guardCount: _gc, ...rest } = item;
  const c = fromItem<StoredCase>(rest);
  return { ...c, history: c.history ?? [], guardDecisions: c.guardDecisions ?? [] };
}
