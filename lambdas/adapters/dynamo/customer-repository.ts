/**
 * CustomerRepository on the single table (key layout: docs/DATA.md). Conditional
 * single-item writes only: no transactions, so it runs the same on dynalite.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import type { CreditCheck, Customer, CustomerLogEntry, Deposit, Facility, Page } from '../../domain/customers/model.js';
import type { CustomerRepository } from '../../domain/customers/ports.js';
import { normaliseName } from '../../domain/customers/registry.js';
import { decodeCompositeCursor, decodeCursor, encodeCursor } from './cursor.js';
import { fromItem, isConditionFailure, type Item } from './table.js';


const customerPk = (customerId: string) => `CUS#${customerId}`;

/** Billing runs read customers in this many shards, one segment each. */
export const customerShards = 32;

export function customerShardKey(customerId: string): string {
  let hash = 0;
  for (const char of customerId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `CUSTSHARD#${hash % customerShards}`;
}

/** Name-search keys: GSI1 on the name from its first word, GSI2 from its last word. */
function nameKeys(customer: Customer): Item {
  const name = normaliseName(customer.name);
  const words = name.split(' ');
  const last = words.at(-1) ?? name;
  const fromLast = [last, ...words.slice(0, -1)].join(' ');
  return {
    gsi1pk: `NAME#${[...name][0] ?? '_'}`,
    gsi1sk: `${name}#${customer.customerId}`,
    gsi2pk: `NAME#${[...fromLast][0] ?? '_'}`,
    gsi2sk: `${fromLast}#${customer.customerId}`,
  };
}

export class DynamoCustomerRepository implements CustomerRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  // ---- customer log (R-SE-2) -------------------------------------------------------

  private logItem(entry: CustomerLogEntry): Item {
    return { pk: customerPk(entry.customerId), sk: `LOG#${entry.at}#${entry.entryId}`, entity: 'log', ...entry };
  }

  async appendLog(entry: CustomerLogEntry): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: this.logItem(entry), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // already written: append-only, idempotent
    }
  }

  /** Copies a record's pending log entries to the log, then clears them from the record. */
  private async flushLog(key: { pk: string; sk: string }, entries: CustomerLogEntry[]): Promise<void> {
    for (const entry of entries) await this.appendLog(entry);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE pendingLog',
          // The entries are this change's when the first one is (a newer change brings new ids).
          ConditionExpression: 'pendingLog[0].entryId = :first',
          ExpressionAttributeValues: { ':first': entries[0]!.entryId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // a newer change carries its own entries
    }
  }

  /** Repairs a record read after a crash between its write and its log entries. */
  private async settled<T>(item: Item | undefined): Promise<T | undefined> {
    if (!item) return undefined;
    const pending = item.pendingLog as CustomerLogEntry[] | undefined;
    if (pending && pending.length > 0) await this.flushLog({ pk: item.pk as string, sk: item.sk as string }, pending);
    return fromItem<T>(item);
  }

  /** Writes a record carrying its log entries; returns false when the condition fails. */
  private async putWithLog(item: Item, condition: string, log: CustomerLogEntry[], values?: Item): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: log.length > 0 ? { ...item, pendingLog: log } : item,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    if (log.length > 0) await this.flushLog({ pk: item.pk as string, sk: item.sk as string }, log);
    return true;
  }

  async listLog(customerId: string, limit: number, cursor?: string): Promise<Page<CustomerLogEntry>> {
    const startKey = decodeCursor(cursor);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :log)',
        ExpressionAttributeValues: { ':pk': customerPk(customerId), ':log': 'LOG#' },
        ScanIndexForward: false,
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return { items: (result.Items ?? []).map((item) => fromItem<CustomerLogEntry>(item)), nextCursor: encodeCursor(result.LastEvaluatedKey) };
  }

  // ---- national id uniqueness ------------------------------------------------------

  async claimNationalId(key: string, customerId: string): Promise<string | undefined> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `NATID#${key}`, sk: 'NATID', entity: 'nationalIdClaim', customerId, claimedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    return (await this.findCustomerIdByNationalId(key)) ?? '';
  }

  async takeOverNationalId(key: string, fromCustomerId: string, toCustomerId: string, claimedBefore: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `NATID#${key}`, sk: 'NATID' },
          UpdateExpression: 'SET customerId = :to, claimedAt = :now',
          ConditionExpression: 'customerId = :from AND claimedAt < :before',
          ExpressionAttributeValues: { ':to': toCustomerId, ':from': fromCustomerId, ':before': claimedBefore, ':now': new Date().toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async findCustomerIdByNationalId(key: string): Promise<string | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `NATID#${key}`, sk: 'NATID' } }));
    return result.Item?.customerId as string | undefined;
  }

  // ---- customers -------------------------------------------------------------------

  private customerItem(customer: Customer): Item {
    return {
      pk: customerPk(customer.customerId),
      sk: 'PROFILE',
      entity: 'customer',
      ...nameKeys(customer),
      // By phone: an outage alert is written in the language of the customer with that number.
      ...(customer.phone ? { gsi3pk: `PHONE#${customer.phone}`, gsi3sk: `CUS#${customer.customerId}` } : {}),
      // Billing runs page through customers by shard (docs/DATA.md).
      gsi4pk: customerShardKey(customer.customerId),
      gsi4sk: customer.customerId,
      ...customer,
    };
  }

  async insertCustomer(customer: Customer, log: CustomerLogEntry[]): Promise<void> {
    if (!(await this.putWithLog(this.customerItem(customer), 'attribute_not_exists(pk)', log))) {
      throw new ConflictError('A customer with this id exists.');
    }
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: customerPk(customerId), sk: 'PROFILE' }, ConsistentRead: true }),
    );
    return this.settled<Customer>(result.Item);
  }

  async replaceCustomer(customer: Customer, expectedVersion: number, log: CustomerLogEntry[]): Promise<void> {
    if (!(await this.putWithLog(this.customerItem(customer), 'version = :expected', log, { ':expected': expectedVersion }))) {
      throw new ConflictError('The customer was changed by someone else; read it again.');
    }
  }

  async searchByName(prefix: string, limit: number, cursor?: string): Promise<Page<Customer>> {
    // One cursor for both indexes: the last key read in each.
    const start = decodeCompositeCursor(cursor, ['first', 'last']);
    const first = [...prefix][0] ?? '_';
    const read = async (index: 'gsi1' | 'gsi2', startKey: Item | undefined) =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index,
          KeyConditionExpression: `${index}pk = :pk AND begins_with(${index}sk, :prefix)`,
          ExpressionAttributeValues: { ':pk': `NAME#${first}`, ':prefix': prefix },
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
    const done = new Set<string>(start?.done?.map((name) => (name === 'first' ? 'gsi1' : 'gsi2')) ?? []);
    const [byFirst, byLast] = await Promise.all([
      done.has('gsi1') ? undefined : read('gsi1', start?.first),
      done.has('gsi2') ? undefined : read('gsi2', start?.last),
    ]);
    const seen = new Set<string>();
    const items: Customer[] = [];
    for (const item of [...(byFirst?.Items ?? []), ...(byLast?.Items ?? [])]) {
      const customer = fromItem<Customer>(item);
      if (seen.has(customer.customerId)) continue;
      seen.add(customer.customerId);
      items.push(customer);
    }
    items.sort((a, b) => normaliseName(a.name).localeCompare(normaliseName(b.name), 'sv'));
    const nextDone = [
      ...(done.has('gsi1') || !byFirst?.LastEvaluatedKey ? ['first'] : []),
      ...(done.has('gsi2') || !byLast?.LastEvaluatedKey ? ['last'] : []),
    ];
    const more = nextDone.length < 2;
    return {
      items,
      nextCursor: more
        ? encodeCursor({ first: byFirst?.LastEvaluatedKey, last: byLast?.LastEvaluatedKey, done: nextDone })
        : null,
    };
  }

  // ---- facilities ------------------------------------------------------------------

  async nextFacilityNumber(): Promise<string> {
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: 'COUNTER#facility', sk: 'COUNTER' },
        UpdateExpression: 'ADD #value :one',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const value = Number(result.Attributes?.value);
    return `F${String(value).padStart(8, '0')}`;
  }

  private facilityItem(facility: Facility): Item {
    return {
      pk: customerPk(facility.customerId),
      sk: `FAC#${facility.facilityNumber}`,
      entity: 'facility',
      gsi1pk: `FAC#${facility.facilityNumber}`,
      gsi1sk: 'FACILITY',
      ...facility,
    };
  }

  async insertFacility(facility: Facility, log: CustomerLogEntry[]): Promise<void> {
    if (!(await this.putWithLog(this.facilityItem(facility), 'attribute_not_exists(pk)', log))) {
      throw new ConflictError('A facility with this number exists.');
    }
  }

  async getFacility(customerId: string, facilityNumber: string): Promise<Facility | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: customerPk(customerId), sk: `FAC#${facilityNumber}` }, ConsistentRead: true }),
    );
    return this.settled<Facility>(result.Item);
  }

  private async listBySortPrefix<T>(customerId: string, prefix: string): Promise<T[]> {
    const items: T[] = [];
    let startKey: Item | undefined;
    do {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': customerPk(customerId), ':prefix': prefix },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of result.Items ?? []) items.push((await this.settled<T>(item))!);
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  listFacilities(customerId: string): Promise<Facility[]> {
    return this.listBySortPrefix<Facility>(customerId, 'FAC#');
  }

  async replaceFacility(facility: Facility, expectedVersion: number, log: CustomerLogEntry[]): Promise<void> {
    if (!(await this.putWithLog(this.facilityItem(facility), 'version = :expected', log, { ':expected': expectedVersion }))) {
      throw new ConflictError('The facility was changed by someone else; read it again.');
    }
  }

  // ---- deposits and credit checks (R-SE-5, R-SE-6) ---------------------------------

  insertDeposit(deposit: Deposit, log: CustomerLogEntry[]): Promise<boolean> {
    const item = { pk: customerPk(deposit.customerId), sk: `DEP#${deposit.depositId}`, entity: 'deposit', ...deposit };
    return this.putWithLog(item, 'attribute_not_exists(pk)', log);
  }

  listDeposits(customerId: string): Promise<Deposit[]> {
    return this.listBySortPrefix<Deposit>(customerId, 'DEP#');
  }

  insertCreditCheck(check: CreditCheck, log: CustomerLogEntry[]): Promise<boolean> {
    const item = { pk: customerPk(check.customerId), sk: `CHK#${check.checkId}`, entity: 'creditCheck', ...check };
    return this.putWithLog(item, 'attribute_not_exists(pk)', log);
  }

  listCreditChecks(customerId: string): Promise<CreditCheck[]> {
    return this.listBySortPrefix<CreditCheck>(customerId, 'CHK#');
  }
}
