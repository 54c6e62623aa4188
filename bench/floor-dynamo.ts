/**
 * The API floor, run as its own process: raw GetItem or PutItem calls with the SDK's
 * DynamoDBClient against the embedded stack's DynamoDB, `concurrency` in flight, each
 * call timed with performance.now(). Prints a JSON FloorResult on stdout.
 *
 *   node --import tsx bench/floor-dynamo.ts '<FloorJob as JSON>'
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { pool, summarize, type LatencySummary } from './stats.js';

export interface FloorJob {
  readonly endpoint: string;
  readonly region: string;
  readonly table: string;
  readonly op: 'GetItem' | 'PutItem';
  readonly count: number;
  readonly warmup: number;
  readonly concurrency: number;
  /** GetItem reads these customers' PROFILE items, in turn. */
  readonly customerIds: readonly string[];
}

export interface FloorResult {
  readonly op: FloorJob['op'];
  readonly calls: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly errors: number;
  /** CPU time of this (client) process per call: the SDK's share of the floor. */
  readonly clientCpuMsPerCall: number;
}

const S = (value: string) => ({ S: value });

/** About the size and shape of a customer item as the repository writes it. */
function customerItem(customerId: string) {
  return {
    pk: S(`CUS#${customerId}`),
    sk: S('PROFILE'),
    entity: S('customer'),
    gsi1pk: S('NAME#a'),
    gsi1sk: S(`anna andersson#${customerId}`),
    gsi2pk: S('NAME#a'),
    gsi2sk: S(`andersson anna#${customerId}`),
    customerId: S(customerId),
    name: S('Anna Andersson'),
    kind: S('person'),
    country: S('SE'),
    nationalId: S('191212121212'),
    nationalIdType: S('personnummer'),
    category: S('consumer'),
    billingAddress: { M: { line1: S('Storgatan 1'), postalCode: S('671 31'), city: S('Arvika'), country: S('SE') } },
    phone: S('+46701234567'),
    email: S('anna.andersson@example.se'),
    foreign: { BOOL: false },
    protectedIdentity: { BOOL: false },
    language: S('sv'),
    knownBadPayer: { BOOL: false },
    createdAt: S(new Date().toISOString()),
    updatedAt: S(new Date().toISOString()),
    version: { N: '1' },
  };
}

async function runFloor(job: FloorJob): Promise<FloorResult> {
  const client = new DynamoDBClient({
    endpoint: job.endpoint,
    region: job.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // The same calls the repository makes: a consistent GetItem, a conditional PutItem.
  const call = (index: number) =>
    job.op === 'GetItem'
      ? client.send(
          new GetItemCommand({
            TableName: job.table,
            Key: { pk: S(`CUS#${job.customerIds[index % job.customerIds.length]}`), sk: S('PROFILE') },
            ConsistentRead: true,
          }),
        )
      : client.send(
          new PutItemCommand({
            TableName: job.table,
            Item: customerItem(`floor_${randomUUID()}`),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );

  await pool(job.warmup, job.concurrency, async (index) => void (await call(index)));
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await pool(job.count, job.concurrency, async (index) => {
    const before = performance.now();
    try {
      const result = await call(index);
      if (job.op === 'GetItem' && !('Item' in result && result.Item)) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - before);
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  client.destroy();
  return {
    op: job.op,
    calls: job.count,
    seconds,
    callsPerSecond: job.count / seconds,
    latencyMs: summarize(latencies),
    errors,
    clientCpuMsPerCall: (cpu.user + cpu.system) / 1000 / job.count,
  };
}

const job = JSON.parse(process.argv[2] ?? '') as FloorJob;
process.stdout.write(JSON.stringify(await runFloor(job)));
