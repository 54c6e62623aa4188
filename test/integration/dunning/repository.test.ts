/**
 * The dunning repository on dynalite: write-sharded lists (shards.ts) that page through every
 * shard and the unsharded partition of older items without skipping or repeating one, and the
 * case's history items written once however often a save is retried or cut short.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../../lambdas/adapters/dynamo/client.js';
import { DynamoDunningRepository, INDEX_SHARDS } from '../../../lambdas/adapters/dynamo/dunning-repository.js';
import { queryShards, shardKey, shardKeys, shardOf } from '../../../lambdas/adapters/dynamo/shards.js';
import { createTableInput } from '../../../lambdas/adapters/table-schema.js';
import type { StoredCase } from '../../../lambdas/domain/dunning/process.js';
import type { WorkOrder } from '../../../lambdas/domain/dunning/case.js';

const tableName = 'dunning-it';
let server: Server;
let db: ReturnType<typeof documentClient>;
let repo: DynamoDunningRepository;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
  process.env.AWS_ACCESS_KEY_ID ??= 'x';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'x';
  db = documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: endpoint });
  repo = new DynamoDunningRepository(db, tableName, { getInvoice: async () => undefined, getCustomer: async () => undefined, facilitiesOf: async () => [] });
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

const order = (n: number, status: WorkOrder['status'] = 'open'): WorkOrder => ({
  workOrderId: `wo_c${String(n).padStart(3, '0')}_F1_water_disconnection`, type: 'disconnection', status, caseId: `dun_c${n}`, invoiceId: `inv_c${n}`,
  customerId: `cus_${n}`, facilityId: 'F1', service: 'water', appointmentRequired: false, reason: 'r', rule: 'R-SE-21',
  createdAt: `2027-06-${String(1 + (n % 28)).padStart(2, '0')}T08:00:00.000Z`, version: 1,
});

const storedCase = (caseId: string, history: StoredCase['history']): StoredCase => ({
  caseId, invoiceId: 'inv_x', invoiceNumber: 1, customerId: 'cus_x', policyId: 'se-teknik-i-vast', country: 'SE', currency: 'SEK', dueDate: '2027-04-30',
  openAmountAtStart: 100, openAmount: 100, status: 'open', stage: 'overdue', schedule: [], completed: [], targets: [], guardDecisions: [], holds: [], history,
  executionName: 'inv_x', executionArn: 'arn', openedAt: '2027-05-01T08:00:00.000Z', updatedAt: '2027-05-01T08:00:00.000Z', version: 1,
});

describe('shards.ts', () => {
  it('puts an id always in the same shard, and spreads many ids over all shards', () => {
    const ids = Array.from({ length: 1600 }, (_, i) => `dun_c${i}_2027-01`);
    const counts = new Array(16).fill(0);
    for (const id of ids) counts[shardOf(id, 16)]++;
    expect(shardKey('DCASES', 'dun_c1_2027-01', 16)).toBe(shardKey('DCASES', 'dun_c1_2027-01', 16));
    expect(shardKeys('DCASES', 3, { legacy: true })).toEqual(['DCASES', 'DCASES#0', 'DCASES#1', 'DCASES#2']);
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });

  it('rejects a cursor it did not make, naming the field', async () => {
    await expect(queryShards(db, { tableName, indexName: 'gsi2', partitionKeyName: 'gsi2pk', sortKeyName: 'gsi2sk', partitions: ['X'], limit: 5, cursor: 'bm90IGpzb24' })).rejects.toMatchObject({
      kind: 'validation',
      errors: [expect.objectContaining({ path: 'cursor' })],
    });
  });
});

describe('sharded work-order lists', () => {
  it('page through every shard and the older unsharded partition in sort order, each order once', async () => {
    for (let n = 0; n < 60; n++) await repo.createWorkOrder(order(n, n % 5 === 0 ? 'completed' : 'open'));
    // Two orders written by the older version: the constant partitions, no shard suffix.
    for (const n of [100, 101]) {
      const o = order(n);
      await db.send(new PutCommand({ TableName: tableName, Item: { pk: `WO#${o.workOrderId}`, sk: 'WORKORDER', gsi1pk: 'WORKORDERS#disconnection', gsi1sk: `open#${o.createdAt}#${o.workOrderId}`, gsi2pk: 'WORKORDERS', gsi2sk: `open#${o.createdAt}#${o.workOrderId}`, ...o } }));
    }
    const partitions = new Set((await db.send(new QueryCommand({ TableName: tableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': 'WORKORDERS' } }))).Items?.map((i) => i.gsi2pk));

    const seen: WorkOrder[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await repo.listWorkOrders({ status: 'open', limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 50);
    const byType = await repo.listWorkOrders({ type: 'disconnection', limit: 100 });

    expect(partitions).toEqual(new Set(['WORKORDERS']));
    const expected = [...Array.from({ length: 60 }, (_, n) => n).filter((n) => n % 5 !== 0), 100, 101].map((n) => order(n));
    const key = (o: WorkOrder) => `${o.createdAt}#${o.workOrderId}`;
    expect(seen.map((o) => o.workOrderId)).toEqual(expected.sort((a, b) => (key(a) < key(b) ? -1 : 1)).map((o) => o.workOrderId));
    expect(pages).toBe(Math.ceil(expected.length / 7));
    expect(byType.items).toHaveLength(62);
    expect(byType.nextCursor).toBeNull();
  });
});

describe('a case with its history in items of its own', () => {
  it('copies the pending entries once, however often the read that finishes the copy runs', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ({ at: `2027-05-0${i + 1}T08:00:00.000Z`, event: `e${i}`, detail: `event ${i}` }));
    expect(await repo.createCase(storedCase('dun_hist', events.slice(0, 2)))).toBe(true);
    const read = (await repo.getCase('dun_hist'))!;
    await repo.saveCase({ ...read, history: events, version: 2 }, 1);
    // A save cut short after the case write (before the copy): the entries ride in the item.
    const now = (await repo.getCase('dun_hist'))!;
    const moreEvents = [...events, { at: '2027-05-09T08:00:00.000Z', event: 'e5', detail: 'event 5' }];
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: 'DCASE#dun_hist', sk: 'CASE', ...storedItem(now), version: 3, historyCount: 6, guardCount: 0, pendingHistory: moreEvents.slice(5) } }));
    const [a, b] = await Promise.all([repo.getCase('dun_hist'), repo.getCase('dun_hist')]);
    const again = await repo.getCase('dun_hist');
    const items = (await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'DCASE#dun_hist' } }))).Items!;

    expect(a!.history).toEqual(moreEvents);
    expect(b!.history).toEqual(moreEvents);
    expect(again!.history).toEqual(moreEvents);
    expect(items.filter((i) => String(i.sk).startsWith('HIST#')).map((i) => i.event)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(items.find((i) => i.sk === 'CASE')!.pendingHistory).toBeUndefined();
    // A stale save (the version moved on) writes nothing.
    await expect(repo.saveCase({ ...now, history: [...events, { at: 'x', event: 'stale', detail: '' }] }, 2)).rejects.toMatchObject({ kind: 'conflict' });
    expect((await repo.getCase('dun_hist'))!.history.map((e) => e.event)).not.toContain('stale');
  });

  it('writes its list index keys to a shard of DCASES', async () => {
    await repo.createCase(storedCase('dun_shard', []));
    const [item] = (await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND sk = :sk', ExpressionAttributeValues: { ':pk': 'DCASE#dun_shard', ':sk': 'CASE' } }))).Items!;
    expect(item!.gsi2pk).toBe(`DCASES#${shardOf('dun_shard', INDEX_SHARDS)}`);
    expect(item!.gsi1pk).toBe(`DCASES#open#${shardOf('dun_shard', INDEX_SHARDS)}`);
    expect((await repo.listCases({ status: 'open', limit: 10 })).items.map((c) => c.caseId)).toContain('dun_shard');
  });
});

function storedItem(c: StoredCase): Record<string, unknown> {
  const { history: _h, guardDecisions: _g, storedHistory: _s, storedGuards: _t, ...rest } = c;
  return rest;
}

describe('open invoices by due date (the overdue scan)', () => {
  it('are written to 16 shards and read from all of them, older unsharded items too, in due-date order; a dunned invoice leaves the scan', async () => {
    // Prepare: 40 open invoices through the billing repository, one older unsharded item
    const { DynamoBillingRepository } = await import('../../../lambdas/adapters/dynamo/billing-repository.js');
    const { OPEN_INVOICE_SHARDS } = await import('../../../lambdas/adapters/dynamo/shards.js');
    const billing = new DynamoBillingRepository(db, tableName);
    for (let n = 0; n < 40; n++) {
      await billing.insertInvoice({
        invoiceId: `inv_open_${n}`, customerId: `cus_${n}`, status: 'open', dueDate: `2027-05-${String(1 + (n % 28)).padStart(2, '0')}`, reference: `1${String(n).padStart(5, '0')}7`,
      } as never);
    }
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: 'INV#inv_old', sk: 'INVOICE', invoiceId: 'inv_old', dueDate: '2027-04-01', gsi3pk: 'OPEN_INVOICES', gsi3sk: '2027-04-01#inv_old' } }));

    // Act
    await repo.markInvoiceDunned('inv_open_3', 'dun_3');
    const overdue = await repo.overdueInvoices('2027-06-01');
    const partitions = new Set<string>();
    for (let n = 0; n < 40; n++) {
      const [item] = (await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `INV#inv_open_${n}` } }))).Items!;
      partitions.add(String(item!.gsi3pk).replace(/#\d+$/, '#n'));
      if (n !== 3) expect(item!.gsi3pk).toBe(shardKey('OPEN_INVOICES', `inv_open_${n}`, OPEN_INVOICE_SHARDS));
    }

    // Assess
    expect(overdue).toHaveLength(40);
    expect(overdue[0]).toEqual({ invoiceId: 'inv_old', dueDate: '2027-04-01' });
    expect(overdue.map((i) => i.dueDate)).toEqual([...overdue.map((i) => i.dueDate)].sort());
    expect(overdue.map((i) => i.invoiceId)).not.toContain('inv_open_3');
    expect(partitions).toEqual(new Set(['OPEN_INVOICES#n', 'DUNNING_INVOICES#n']));
    expect(new Set(overdue.map((i) => shardOf(i.invoiceId, OPEN_INVOICE_SHARDS))).size).toBeGreaterThan(8);
  });
});
