/**
 * The billing run on dynalite, below HTTP: one read of each customer's partition, invoice
 * numbers reserved per page, readings read only for meters read since they were billed, and
 * a page that is cut short, delivered twice or run twice at once writing each invoice once.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lambdas/adapters/dynamo/client.js';
import { DynamoBillingRepository } from '../../lambdas/adapters/dynamo/billing-repository.js';
import { customerShardKey, customerShards, DynamoCustomerRepository } from '../../lambdas/adapters/dynamo/customer-repository.js';
import { createTableInput } from '../../lambdas/adapters/table-schema.js';
import type { BillingState, MeterReading, TariffVersion } from '../../lambdas/domain/billing/model.js';
import { swedishProfile } from '../../lambdas/domain/billing/profile.js';
import { Billing, type SegmentJob } from '../../lambdas/domain/billing/service.js';
import type { Customer, Facility, FacilityService } from '../../lambdas/domain/customers/model.js';
import { JobSweeper, memoryActiveJobs } from '../../lambdas/domain/jobs/sweeper.js';
import type { BusinessMetrics } from '../../lambdas/domain/metrics.js';
import { captureEmf } from '../emf.js';

let tables = 0;
let table = '';
let server: Server;
let raw: DynamoDBClient;
let db: ReturnType<typeof documentClient>;
let repo: TestRepository;
let customers: DynamoCustomerRepository;
/** DynamoDB calls since the last reset, by command and the prefix of the key they touch (`QueryCommand CUS`). */
const calls = new Map<string, number>();

/** The real repository, with a crash to inject once and the meters a run asked readings of. */
class TestRepository extends DynamoBillingRepository {
  readonly readingRequests: { facilityId: string; meterId: string; after?: string }[] = [];
  readonly readingKeyRequests: { facilityId: string; meterId: string; readAt: string }[] = [];
  crashOnce?: { method: 'addCredit' | 'setBillingState'; customerId: string };
  /** A worker killed after it queued the next page of `segment`, before it recorded `page`. */
  crashRecordOnce?: { segment: number; page: number };

  override async recordSegmentPage(runId: string, segment: number, page: number, counts: Parameters<DynamoBillingRepository['recordSegmentPage']>[3]): Promise<boolean> {
    if (this.crashRecordOnce?.segment === segment && this.crashRecordOnce.page === page) {
      this.crashRecordOnce = undefined;
      throw new Error('the function stopped before it recorded the page');
    }
    return super.recordSegmentPage(runId, segment, page, counts);
  }

  override readingsAfter(meters: readonly { facilityId: string; meterId: string; after?: string }[]) {
    this.readingRequests.push(...meters);
    return super.readingsAfter(meters);
  }

  override readingsAt(keys: readonly { facilityId: string; meterId: string; readAt: string }[]) {
    this.readingKeyRequests.push(...keys);
    return super.readingsAt(keys);
  }

  override async addCredit(customerId: string, sourceId: string, amount: number, currency: string): Promise<void> {
    this.crash('addCredit', customerId);
    return super.addCredit(customerId, sourceId, amount, currency);
  }

  override async setBillingState(customerId: string, invoiceId: string, state: BillingState): Promise<void> {
    this.crash('setBillingState', customerId);
    return super.setBillingState(customerId, invoiceId, state);
  }

  override async setBillingStates(states: readonly { customerId: string; invoiceId: string; state: BillingState }[]): Promise<void> {
    for (const { customerId } of states) this.crash('setBillingState', customerId);
    return super.setBillingStates(states);
  }

  private crash(method: 'addCredit' | 'setBillingState', customerId: string): void {
    if (this.crashOnce?.method !== method || this.crashOnce.customerId !== customerId) return;
    this.crashOnce = undefined;
    throw new Error(`the function stopped before ${method}`);
  }
}

const jobs: SegmentJob[] = [];
let today = '2027-01-05T08:00:00Z';
let activeJobs = memoryActiveJobs();
/** Where the billing use-cases count (a test sets an EMF capture's port). */
let metrics: BusinessMetrics | undefined;
const billing = (pageSize = 200) =>
  new Billing({
    repo, queue: { enqueue: async (job) => void jobs.push(job as SegmentJob) }, now: () => new Date(today), profile: swedishProfile,
    segments: customerShards, pageSize, appendLog: async () => undefined, newId: (prefix) => `${prefix}_1`, activeJobs, stalledAfterMs: 35 * 60_000,
    ...(metrics ? { metrics } : {}),
  });

/** Delivers every queued page, a failed one again (as SQS would, up to three receives). */
async function drain(b: Billing): Promise<number> {
  let failures = 0;
  const receives = new Map<string, number>();
  for (let job = jobs.shift(); job; job = jobs.shift()) {
    try {
      await b.processSegment(job);
    } catch {
      failures++;
      const key = JSON.stringify(job);
      receives.set(key, (receives.get(key) ?? 0) + 1);
      if (receives.get(key)! < 3) jobs.push(job);
    }
  }
  return failures;
}

async function run(runMonth: string) {
  today = `${runMonth}-05T08:00:00Z`;
  const b = billing();
  const started = await b.startRun({ runMonth });
  const failures = await drain(b);
  return { run: await b.getRun(started.runId), failures };
}

/** Every page of a run delivered again, as a second start of it on another day would not (it finds the run). */
async function deliverAgain(runMonth: string, on: string): Promise<void> {
  today = on;
  for (let segment = 0; segment < customerShards; segment++) jobs.push({ runId: `run_${runMonth}_all`, segment, page: 0 });
  await drain(billing());
}

const customer = (id: string): Customer => ({
  customerId: id, name: 'Anna Andersson', kind: 'person', country: 'SE', nationalId: '191212121212', nationalIdType: 'personnummer',
  category: 'consumer', billingAddress: { line1: 'Storgatan 1', postalCode: '671 31', city: 'Arvika', country: 'SE' },
  email: 'anna@example.se', foreign: false, protectedIdentity: false, knownBadPayer: false,
  createdAt: '2026-10-01T09:00:00.000Z', updatedAt: '2026-10-01T09:00:00.000Z', version: 1,
});
const facility = (customerId: string, facilityNumber: string, services: FacilityService[]): Facility => ({
  facilityNumber, customerId, propertyDesignation: 'Arvika Sågen 1:23', propertyType: 'owner_occupied',
  deliveryAddress: { street: 'Storgatan', number: '1', postalCode: '67131', city: 'Arvika' }, services,
  createdAt: '2026-10-01T09:00:00.000Z', updatedAt: '2026-10-01T09:00:00.000Z', version: 1,
});
const waste: FacilityService = { service: 'waste', startDate: '2026-11-01' };
const grid = (meterId: string): FacilityService => ({ service: 'electricity_grid', startDate: '2026-11-01', meter: { meterId, readingMode: 'remote' } });
const water = (meterId: string): FacilityService => ({ service: 'water', startDate: '2026-11-01', expectedAnnualUse: 150, meter: { meterId, readingMode: 'mechanical' } });
const reading = (facilityId: string, meterId: string, value: number, readAt: string): MeterReading => ({
  facilityId, meterId, value, readAt, source: 'remote', recordedAt: readAt,
});
const tariffs: TariffVersion[] = [
  { service: 'waste', effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 20_000, unitPrice: 0, unit: 'none', connectionFee: 0, createdAt: '', createdBy: 'it' },
  { service: 'water', effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 10_000, unitPrice: 2_500, unit: 'm3', connectionFee: 0, createdAt: '', createdBy: 'it' },
  { service: 'electricity_grid', effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 15_000, unitPrice: 50, unit: 'kWh', connectionFee: 0, createdAt: '', createdBy: 'it' },
];

async function addCustomer(id: string, facilities: FacilityService[][]): Promise<void> {
  await customers.insertCustomer(customer(id), []);
  for (const [i, services] of facilities.entries()) await customers.insertFacility(facility(id, `F${id.slice(-4)}${String(i).padStart(4, '0')}`, services), []);
}

const stateItem = async (customerId: string) =>
  (await db.send(new GetCommand({ TableName: table, Key: { pk: `CUS#${customerId}`, sk: 'BILLSTATE' }, ConsistentRead: true }))).Item;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID ??= 'x';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'x';
  raw = new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  db = documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: endpoint });
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        Key?: { pk?: string }; Item?: { pk?: string }; ExpressionAttributeValues?: Record<string, unknown>;
        RequestItems?: Record<string, { Keys?: { pk: string }[] } | { PutRequest?: { Item: { pk: string } } }[]>;
      };
      const batch = Object.values(input.RequestItems ?? {})[0];
      const batchKey = Array.isArray(batch) ? batch[0]?.PutRequest?.Item.pk : batch?.Keys?.[0]?.pk;
      const key = input.Key?.pk ?? input.Item?.pk ?? batchKey ?? Object.values(input.ExpressionAttributeValues ?? {})[0];
      const label = `${String(context.commandName)} ${String(key).split('#')[0]}`;
      calls.set(label, (calls.get(label) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
});
afterAll(async () => {
  raw.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(async () => {
  // A table of its own for every test: runs of the same month must not find another test's.
  table = `billing-run-${++tables}`;
  await raw.send(new CreateTableCommand(createTableInput(table)));
  repo = new TestRepository(db, table);
  customers = new DynamoCustomerRepository(db, table);
  for (const tariff of tariffs) await repo.putTariffVersion(tariff);
  jobs.length = 0;
  calls.clear();
  activeJobs = memoryActiveJobs();
});

describe("a customer's billing data", () => {
  it('comes from one Query of its partition: facilities, deposits, credit, state and meters, not its log or credit checks', async () => {
    // Prepare
    await addCustomer('cus_0000000000000001', [[waste, water('VM-1')]]);
    await customers.insertDeposit({
      depositId: 'dep_1', customerId: 'cus_0000000000000001', service: 'water', amount: { amount: 100_000, currency: 'SEK' },
      requestedAt: '2026-11-02T09:00:00.000Z', heldUntil: '2027-11-02', requestedBy: 'agent-1',
    }, []);
    await customers.insertCreditCheck({
      checkId: 'chk_1', customerId: 'cus_0000000000000001', provider: 'UC', reference: 'r-1', outcome: 'approved', reason: 'other', at: '2026-11-02T09:00:00.000Z', by: 'agent-1',
    }, []);
    await customers.appendLog({ entryId: 'log_1', customerId: 'cus_0000000000000001', at: '2026-11-02T09:00:00.000Z', author: { subject: 'agent-1', role: 'agent' }, type: 'note', text: 'hi' });
    await repo.addCredit('cus_0000000000000001', 'pay-1', 7_000, 'SEK');
    await repo.addCredit('cus_0000000000000001', 'use-inv_x', -2_000, 'SEK');
    await repo.setBillingState('cus_0000000000000001', 'inv_0000000000000001_2026-11', { 'F00010000|waste': { billedThrough: '2026-10-31' } });
    await repo.putReading(reading('F00010000', 'VM-1', 120, '2026-12-14T10:00:00.000Z'), 'cus_0000000000000001');
    calls.clear();
    // Act
    const data = (await repo.billingDataOf(['cus_0000000000000001', 'cus_0000000000000404'])).get('cus_0000000000000001')!;
    const nobody = (await repo.billingDataOf(['cus_0000000000000404'])).get('cus_0000000000000404');
    // Assess
    expect(data.facilities.map((f) => f.facilityNumber)).toEqual(['F00010000']);
    expect(data.facilities[0]).not.toHaveProperty('pk');
    expect(data.deposits.map((d) => d.depositId)).toEqual(['dep_1']);
    expect(data.creditBalance).toBe(5_000);
    expect(data.state).toEqual({ 'F00010000|waste': { billedThrough: '2026-10-31' } });
    expect(data.stateInvoiceId).toBe('inv_0000000000000001_2026-11');
    expect(data.lastReadAt).toEqual({ 'F00010000|VM-1': '2026-12-14T10:00:00.000Z' });
    expect(Object.fromEntries(calls)).toEqual({ 'QueryCommand CUS': 3 });
    expect(nobody).toEqual({ facilities: [], deposits: [], state: {}, creditBalance: 0, lastReadAt: {}, fees: [] });
  });

  it("keeps a meter's newest reading time when an older reading is recorded after it", async () => {
    // Act
    await repo.putReading(reading('F00010000', 'EM-1', 900, '2027-01-31T23:00:00.000Z'), 'cus_0000000000000001');
    await repo.putReading(reading('F00010000', 'EM-1', 800, '2026-12-31T23:00:00.000Z'), 'cus_0000000000000001');
    const again = await repo.putReading(reading('F00010000', 'EM-1', 800, '2026-12-31T23:00:00.000Z'), 'cus_0000000000000001');
    // Assess
    const data = (await repo.billingDataOf(['cus_0000000000000001'])).get('cus_0000000000000001')!;
    expect(data.lastReadAt).toEqual({ 'F00010000|EM-1': '2027-01-31T23:00:00.000Z' });
    expect(again).toBe(false);
    expect((await repo.readingsOf('F00010000', 'EM-1')).map((r) => r.value)).toEqual([800, 900]);
  });
});

describe('invoice numbers', () => {
  it('are reserved in blocks with one write each: unique and consecutive within a block, also when pages reserve at once', async () => {
    // Act
    const sizes = [3, 5, 1, 200, 2];
    const firsts = await Promise.all(sizes.map((n) => repo.reserveInvoiceNumbers(n)));
    const single = await repo.reserveInvoiceNumbers(1);
    // Assess
    const numbers = [...firsts.flatMap((first, i) => Array.from({ length: sizes[i]! }, (_, k) => first + k)), single].sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, k) => 100_001 + k));
    expect(Object.fromEntries(calls)).toEqual({ 'UpdateItemCommand COUNTER': sizes.length + 1 });
    await expect(repo.reserveInvoiceNumbers(0)).rejects.toThrow(RangeError);
  });
});

describe('a billing run', () => {
  it('reads each customer once, only the readings it bills, numbers once per page, and writes the states in batches', async () => {
    // Prepare: a grid meter read at the end of every month; a water meter whose marker has no reading (a crash between them); waste
    await addCustomer('cus_000000000000000a', [[grid('EM-1')], [waste]]);
    await addCustomer('cus_000000000000000b', [[water('VM-2'), waste]]);
    await repo.putReading(reading('F000a0000', 'EM-1', 1_000, '2026-11-30T23:00:00.000Z'), 'cus_000000000000000a');
    await repo.putReading(reading('F000a0000', 'EM-1', 1_400, '2026-12-31T23:00:00.000Z'), 'cus_000000000000000a');
    await db.send(new PutCommand({ TableName: table, Item: repo['meterMarkerItem']('cus_000000000000000b', 'F000b0000', 'VM-2', '2026-12-20T10:00:00.000Z') }));
    const pages = new Set(['cus_000000000000000a', 'cus_000000000000000b'].map(customerShardKey)).size;
    calls.clear();
    // Act
    const january = await run('2027-01');
    const januaryCalls = Object.fromEntries(calls);
    const inJanuary = { byKey: repo.readingKeyRequests.splice(0), ranged: repo.readingRequests.splice(0) };
    // Readings after the January invoice; the newest is after the March run's window (January–February)
    await repo.putReading(reading('F000a0000', 'EM-1', 1_700, '2027-01-31T23:00:00.000Z'), 'cus_000000000000000a');
    await repo.putReading(reading('F000a0000', 'EM-1', 2_000, '2027-02-28T23:00:00.000Z'), 'cus_000000000000000a');
    await repo.putReading(reading('F000a0000', 'EM-1', 2_040, '2027-03-02T23:00:00.000Z'), 'cus_000000000000000a');
    const march = await run('2027-03');
    // Assess
    expect(january.run).toMatchObject({ status: 'completed', customersDone: 2, invoicesWritten: 2, errors: 0 });
    // Per customer one Query of its partition and per invoice one conditional put; per page one read of the
    // meters' newest readings by key, one block of numbers and one batch of states; no invoice is looked up.
    expect(januaryCalls).toMatchObject({
      'QueryCommand CUS': 2, 'PutItemCommand INV': 2, 'BatchGetItemCommand READING': pages, 'UpdateItemCommand COUNTER': pages, 'BatchWriteItemCommand CUS': pages,
      'QueryCommand READING': 1, // the marker without its reading
    });
    expect(Object.keys(januaryCalls).sort()).toEqual([
      'BatchGetItemCommand READING', 'BatchWriteItemCommand CUS', 'GetItemCommand RUN', 'PutItemCommand INV', 'PutItemCommand RUN', 'QueryCommand CUS',
      'QueryCommand CUSTSHARD', 'QueryCommand READING', 'QueryCommand TARIFF', 'UpdateItemCommand COUNTER', 'UpdateItemCommand RUN',
    ]);
    expect(inJanuary.byKey.sort((x, y) => x.meterId.localeCompare(y.meterId))).toEqual([
      { facilityId: 'F000a0000', meterId: 'EM-1', readAt: '2026-12-31T23:00:00.000Z' },
      { facilityId: 'F000b0000', meterId: 'VM-2', readAt: '2026-12-20T10:00:00.000Z' },
    ]);
    expect(inJanuary.ranged).toEqual([{ facilityId: 'F000b0000', meterId: 'VM-2' }]);
    const [januaryA] = await repo.invoicesOf('cus_000000000000000a');
    expect(januaryA!.stateAfter['F000a0000|electricity_grid']?.lastReading).toEqual({ value: 1_400, readAt: '2026-12-31T23:00:00.000Z' });
    // March: the grid meter's newest reading is after the window, so its readings after the billed one are queried.
    expect(repo.readingRequests).toContainEqual({ facilityId: 'F000a0000', meterId: 'EM-1', after: '2026-12-31T23:00:00.000Z' });
    expect(repo.readingKeyRequests.map((k) => k.meterId)).toEqual(['VM-2']);
    const marchA = (await repo.invoicesOf('cus_000000000000000a')).find((i) => i.runMonth === '2027-03');
    expect(marchA!.lines.find((l) => l.kind === 'usage')).toMatchObject({ quantity: 600, net: 30_000, periodEnd: '2027-02-28' });
    expect(march.run).toMatchObject({ invoicesWritten: 2, errors: 0 });
  });

  it('counts each invoice issued once (InvoicesIssued, EMF), also when every page is delivered twice at once and once more', async () => {
    // Prepare
    const ids = Array.from({ length: 30 }, (_, i) => `cus_${String(i).padStart(16, '0')}`);
    for (const id of ids) await addCustomer(id, [[waste]]);
    const emf = captureEmf();
    metrics = emf.port;
    try {
      const b = billing();
      await b.startRun({ runMonth: '2027-01' });
      const pages = jobs.splice(0);

      // Act
      await Promise.all(pages.flatMap((job) => [b.processSegment(job), billing().processSegment(job)]));
      for (const job of pages) await b.processSegment(job);

      // Assess
      expect(emf.sum('InvoicesIssued')).toBe(30);
      expect(emf.flush().every((line) => line._aws.CloudWatchMetrics.every((m) => m.Namespace === 'NordicUtility/test'))).toBe(true);
    } finally {
      metrics = undefined;
      emf.restore();
    }
  });

  it('numbers the invoices uniquely, and a second run of the month at once writes no invoice twice', async () => {
    // Prepare
    const ids = Array.from({ length: 40 }, (_, i) => `cus_${String(i).padStart(16, '0')}`);
    for (const id of ids) await addCustomer(id, [[waste]]);
    const b = billing();
    const started = await b.startRun({ runMonth: '2027-01' });
    const pages = jobs.splice(0);
    // Act: every page delivered twice at the same time, and once more afterwards
    await Promise.all(pages.flatMap((job) => [b.processSegment(job), billing().processSegment(job)]));
    for (const job of pages) await b.processSegment(job);
    // Assess
    const invoices = (await Promise.all(ids.map((id) => repo.invoicesOf(id)))).flat();
    expect(invoices).toHaveLength(40);
    expect(new Set(invoices.map((i) => i.invoiceNumber)).size).toBe(40);
    expect(new Set(invoices.map((i) => i.reference)).size).toBe(40);
    expect((await b.getRun(started.runId)).status).toBe('completed');
    for (const id of ids) expect((await stateItem(id))?.invoiceId).toBe(`inv_${id.slice(4)}_2027-01`);
  });

  it('a run whose pages were lost is queued again by the sweeper from each segment\'s last counted page, and completes: one invoice each', async () => {
    // Prepare: 40 customers, one a page; the pages after the first ten delivered are lost
    const ids = Array.from({ length: 40 }, (_, i) => `cus_${String(i).padStart(16, '0')}`);
    for (const id of ids) await addCustomer(id, [[waste]]);
    today = '2027-01-05T08:00:00Z';
    const b = billing(1);
    const started = await b.startRun({ runMonth: '2027-01' });
    for (let delivered = 0; delivered < 10; delivered++) await b.processSegment(jobs.shift()!);
    jobs.length = 0;
    const sweeper = new JobSweeper([b.resumable]);

    // Act: a sweep before the run counts as stalled, one after, then the queue delivers
    today = '2027-01-05T08:30:00Z';
    const early = await sweeper.sweep(new Date(today));
    today = '2027-01-05T08:40:00Z';
    const late = await sweeper.sweep(new Date(today));
    const requeued = [...jobs];
    await drain(b);
    const after = await sweeper.sweep(new Date('2027-01-06T08:00:00Z'));

    // Assess
    expect(early.resumed).toEqual([]);
    expect(late.resumed).toEqual([{ kind: 'billing-run', jobId: started.runId, requeued: requeued.length }]);
    // Pages already counted are not queued again: a segment goes on after its last one, from its cursor.
    expect(requeued.some((job) => job.page > 0 && job.cursor !== undefined)).toBe(true);
    const invoices = (await Promise.all(ids.map((id) => repo.invoicesOf(id)))).flat().filter((i) => i.invoiceId.endsWith('_2027-01'));
    expect(invoices).toHaveLength(40);
    expect(await b.getRun(started.runId)).toMatchObject({ status: 'completed', segmentsDone: customerShards, customersDone: 40, invoicesWritten: 40, requeues: 1 });
    expect(after.resumed).toEqual([]);
    expect(await activeJobs.list('billing-run')).toEqual([]);
  });

  it('counts a page once when the process died between its record and the count (the redelivery counts it)', async () => {
    // Prepare: a run, and page 0 of segment 3 recorded by a worker killed before it counted it
    await addCustomer('cus_0000000000000001', [[waste]]);
    const started = await billing().startRun({ runMonth: '2027-01' });
    await db.send(new PutCommand({ TableName: table, Item: { pk: `RUN#${started.runId}`, sk: 'PAGE#0003#000000', entity: 'runPage', customersDone: 1, lastPage: true } }));
    const page = { customersDone: 1, invoicesWritten: 1, errors: 0, lastPage: true, errorSamples: [], at: '2027-01-05T08:01:00Z' };
    // Act: the redelivery, and one more
    const first = await repo.recordSegmentPage(started.runId, 3, 0, page);
    const second = await repo.recordSegmentPage(started.runId, 3, 0, page);
    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await billing().getRun(started.runId)).toMatchObject({ segmentsDone: 1, customersDone: 1, invoicesWritten: 1, updatedAt: '2027-01-05T08:01:00Z' });
    expect(await billing().getRun(started.runId)).not.toHaveProperty('countedPages');
  });

  it('does not complete before a page redelivered after its segment\'s last page is counted (a kill between queuing the next page and the record)', async () => {
    // Prepare: two customers of one segment, one a page; the worker of its page 0 dies after it queued page 1
    const ids: string[] = [];
    for (let i = 0; ids.length < 2; i++) {
      const id = `cus_${String(i).padStart(16, '0')}`;
      if (customerShardKey(id) === customerShardKey('cus_0000000000000000')) ids.push(id);
    }
    for (const id of ids) await addCustomer(id, [[waste]]);
    const segment = Number(customerShardKey(ids[0]!).split('#')[1]);
    const b = billing(1);
    const started = await b.startRun({ runMonth: '2027-01' });
    repo.crashRecordOnce = { segment, page: 0 };
    const crashed = jobs.find((job) => job.segment === segment)!;
    jobs.splice(jobs.indexOf(crashed), 1);
    await expect(b.processSegment(crashed)).rejects.toThrow('recorded the page');

    // Act: every other page first (the segment's last among them), then the redelivery
    await drain(b);
    const before = await b.getRun(started.runId);
    jobs.push(crashed);
    await drain(b);

    // Assess
    expect(before).toMatchObject({ status: 'running', segmentsDone: customerShards, customersDone: 1 });
    expect(await b.getRun(started.runId)).toMatchObject({ status: 'completed', customersDone: 2, invoicesWritten: 2, errors: 0 });
  });

  it('a sweep queues a page lost before its segment\'s last page from the cursor of the page before it', async () => {
    // Prepare: three customers of one segment, one a page; the message of page 1 is lost after page 2 was queued
    const ids: string[] = [];
    for (let i = 0; ids.length < 3; i++) {
      const id = `cus_${String(i).padStart(16, '0')}`;
      if (customerShardKey(id) === customerShardKey('cus_0000000000000000')) ids.push(id);
    }
    for (const id of ids) await addCustomer(id, [[waste]]);
    const segment = Number(customerShardKey(ids[0]!).split('#')[1]);
    today = '2027-01-05T08:00:00Z';
    const b = billing(1);
    const started = await b.startRun({ runMonth: '2027-01' });
    repo.crashRecordOnce = { segment, page: 1 };
    let lost: SegmentJob | undefined;
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      try {
        await b.processSegment(job);
      } catch {
        lost = job; // dead-lettered: never delivered again
      }
    }
    const sweeper = new JobSweeper([b.resumable]);

    // Act: a sweep after the stall window, then the queue delivers
    today = '2027-01-05T08:40:00Z';
    const swept = await sweeper.sweep(new Date(today));
    const requeued = [...jobs];
    await drain(b);

    // Assess
    expect(lost).toMatchObject({ segment, page: 1 });
    expect(swept.resumed).toEqual([{ kind: 'billing-run', jobId: started.runId, requeued: 1 }]);
    expect(requeued).toEqual([lost]);
    expect(await b.getRun(started.runId)).toMatchObject({ status: 'completed', customersDone: 3, invoicesWritten: 3 });
  });

  it('starting a stalled run again queues its unfinished segments instead of answering `running` and doing nothing', async () => {
    // Prepare: every page lost
    for (const id of ['cus_0000000000000001', 'cus_0000000000000002']) await addCustomer(id, [[waste]]);
    today = '2027-01-05T08:00:00Z';
    const started = await billing().startRun({ runMonth: '2027-01' });
    jobs.length = 0;
    // Act: the same start within the stall window, then after it
    today = '2027-01-05T08:10:00Z';
    await billing().startRun({ runMonth: '2027-01' });
    const queuedEarly = jobs.length;
    today = '2027-01-05T09:00:00Z';
    await billing().startRun({ runMonth: '2027-01' });
    const queuedLate = jobs.length;
    await drain(billing());
    // Assess
    expect(queuedEarly).toBe(0);
    expect(queuedLate).toBe(customerShards);
    expect(await billing().getRun(started.runId)).toMatchObject({ status: 'completed', customersDone: 2, invoicesWritten: 2 });
  });

  it('a page cut short between the invoice and its state is finished by its redelivery: one invoice, the state handed on', async () => {
    // Prepare
    await addCustomer('cus_000000000000000c', [[waste]]);
    repo.crashOnce = { method: 'setBillingState', customerId: 'cus_000000000000000c' };
    // Act
    const { failures } = await run('2027-01');
    // Assess
    expect(failures).toBe(1);
    const invoices = await repo.invoicesOf('cus_000000000000000c');
    expect(invoices).toHaveLength(1);
    expect(await stateItem('cus_000000000000000c')).toMatchObject({ invoiceId: invoices[0]!.invoiceId, state: invoices[0]!.stateAfter });
  });

  it('a page cut short between the invoice and the credit it used records the use once on redelivery', async () => {
    // Prepare: 70 kr of credit from an overpayment; the invoice (500 kr) uses all of it
    await addCustomer('cus_000000000000000d', [[waste]]);
    await repo.addCredit('cus_000000000000000d', 'pay-1', 7_000, 'SEK');
    repo.crashOnce = { method: 'addCredit', customerId: 'cus_000000000000000d' };
    // Act
    const { failures } = await run('2027-01');
    await deliverAgain('2027-01', '2027-01-06T08:00:00Z');
    // Assess
    expect(failures).toBe(1);
    const [invoice, ...more] = await repo.invoicesOf('cus_000000000000000d');
    expect(more).toEqual([]);
    expect(invoice!.lines.find((l) => l.kind === 'prepayment')).toMatchObject({ gross: -7_000 });
    expect(await repo.creditBalance('cus_000000000000000d')).toBe(0);
    expect((await stateItem('cus_000000000000000d'))?.invoiceId).toBe(invoice!.invoiceId);
  });

  it('an invoice an interrupted attempt wrote is finished even when the customer has nothing to bill by the redelivery', async () => {
    // Prepare: the first attempt writes the invoice and stops; then the facility's service is moved past the period
    await addCustomer('cus_000000000000000f', [[waste]]);
    repo.crashOnce = { method: 'setBillingState', customerId: 'cus_000000000000000f' };
    today = '2027-01-05T08:00:00Z';
    const b = billing();
    await b.startRun({ runMonth: '2027-01' });
    const pages = jobs.splice(0);
    const failed = await Promise.allSettled(pages.map((job) => b.processSegment(job)));
    await customers.replaceFacility(facility('cus_000000000000000f', 'F000f0000', [{ ...waste, startDate: '2027-02-01' }]), 1, []);
    // Act: the failed page delivered again
    for (const [i, result] of failed.entries()) if (result.status === 'rejected') await b.processSegment(pages[i]!);
    // Assess
    expect(failed.filter((r) => r.status === 'rejected')).toHaveLength(1);
    const invoices = await repo.invoicesOf('cus_000000000000000f');
    expect(invoices).toHaveLength(1);
    expect(await stateItem('cus_000000000000000f')).toMatchObject({ invoiceId: invoices[0]!.invoiceId, state: invoices[0]!.stateAfter });
    expect((await b.getRun('run_2027-01_all')).errors).toBe(0);
  });

  it('running an earlier month again after a later one leaves the later state', async () => {
    // Prepare
    await addCustomer('cus_000000000000000e', [[waste]]);
    await run('2027-01');
    await run('2027-03');
    // Act
    await deliverAgain('2027-01', '2027-03-06T08:00:00Z');
    // Assess
    expect(await repo.invoicesOf('cus_000000000000000e')).toHaveLength(2);
    expect((await stateItem('cus_000000000000000e'))?.invoiceId).toBe('inv_000000000000000e_2027-03');
  });
});
