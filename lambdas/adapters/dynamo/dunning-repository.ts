/**
 * Dunning cases, work orders and reminder fees in the one table (docs/DATA.md "Dunning"):
 * - case        pk DCASE#<caseId> / CASE; gsi1 DCASES#<status> by next action date; gsi2 DCASES by opening
 * - work order  pk WO#<id> / WORKORDER; gsi1 WORKORDERS#<type> by status and time; gsi2 WORKORDERS
 * - fee         pk CUS#<customerId> / DUNFEE#<feeId> (the next billing run puts it on the invoice)
 * - the ledger  pk LEDGER / PAYMENT_FILES: the date the last bank file was booked (R-FI-10)
 * Every write is a single conditional item write (no transactions: dynalite has none).
 */
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Invoice } from '../../domain/billing/model.js';
import type { Customer, Facility } from '../../domain/customers/model.js';
import type { CaseStatus, DunningFee, WorkOrder, WorkOrderType } from '../../domain/dunning/case.js';
import type { DunningRepository, Page, StoredCase } from '../../domain/dunning/process.js';
import { ConflictError } from '../../domain/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { fromItem, isConditionFailure, Table, type Item } from './table.js';

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

  private caseItem(c: StoredCase): Item {
    return {
      pk: `DCASE#${c.caseId}`,
      sk: 'CASE',
      entity: 'dunning_case',
      gsi1pk: `DCASES#${c.status}`,
      gsi1sk: `${c.next?.date ?? c.closedAt ?? c.updatedAt}#${c.caseId}`,
      gsi2pk: 'DCASES',
      gsi2sk: `${c.openedAt}#${c.caseId}`,
      ...c,
    };
  }

  getCase(caseId: string): Promise<StoredCase | undefined> {
    return this.table.get<StoredCase>(`DCASE#${caseId}`, 'CASE');
  }

  createCase(c: StoredCase): Promise<boolean> {
    return this.table.putIfAbsent(this.caseItem(c));
  }

  async saveCase(c: StoredCase, expectedVersion: number): Promise<void> {
    await this.conditionalPut(this.caseItem(c), expectedVersion, `Case ${c.caseId} was changed by someone else; read it again.`);
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

  private async page<T>(index: 'gsi1' | 'gsi2', pk: string, limit: number, cursor: string | undefined, prefix?: string): Promise<Page<T>> {
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

  async listCases(query: { status?: CaseStatus; limit: number; cursor?: string }): Promise<Page<StoredCase>> {
    return query.status ? this.page('gsi1', `DCASES#${query.status}`, query.limit, query.cursor) : this.page('gsi2', 'DCASES', query.limit, query.cursor);
  }

  private workOrderItem(order: WorkOrder): Item {
    return {
      pk: `WO#${order.workOrderId}`,
      sk: 'WORKORDER',
      entity: 'work_order',
      gsi1pk: `WORKORDERS#${order.type}`,
      gsi1sk: `${order.status}#${order.createdAt}#${order.workOrderId}`,
      gsi2pk: 'WORKORDERS',
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
      ? this.page('gsi1', `WORKORDERS#${query.type}`, query.limit, query.cursor, prefix)
      : this.page('gsi2', 'WORKORDERS', query.limit, query.cursor, prefix);
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

  async overdueInvoices(before: string): Promise<{ invoiceId: string; dueDate: string }[]> {
    const items = await this.table.queryAll({
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
      ExpressionAttributeValues: { ':pk': 'OPEN_INVOICES', ':before': before },
      ProjectionExpression: 'invoiceId, dueDate',
    });
    return items.map((item) => ({ invoiceId: String(item.invoiceId), dueDate: String(item.dueDate) }));
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
          ExpressionAttributeValues: { ':case': caseId, ':dunning': 'DUNNING_INVOICES' },
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
