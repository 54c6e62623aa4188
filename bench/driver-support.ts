/**
 * What the alert and billing drivers share: the table on their own DynamoDB, the product's
 * document client with the meter on it, timed phases (wall, CPU of both processes, calls),
 * and a seeded random generator so every run builds the same data.
 */
import { readFileSync } from 'node:fs';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../lambdas/adapters/dynamo/client.js';
import { createTableInput } from '../lambdas/adapters/table-schema.js';
import { DynamoMeter, type MeterSnapshot } from './dynamo-meter.js';
import type { DriverArgs } from './scenario-process.js';

export const benchTable = 'utility-bench';

export interface Phase {
  readonly wallMs: number;
  /** CPU (user + system) of the driver process: the product code, its SDK client, the bench's own work. */
  readonly driverCpuMs: number;
  /** CPU of the DynamoDB process (dynalite); NaN where /proc is missing. */
  readonly dynamoCpuMs: number;
  /** DynamoDB calls and capacity by what they touched. */
  readonly calls: MeterSnapshot;
  /** Of `driverCpuMs`: the meter's own bookkeeping. */
  readonly meterMs: number;
}

export interface Driver<Settings> {
  readonly settings: Settings;
  readonly db: DynamoDBDocumentClient;
  readonly meter: DynamoMeter;
  /** Added before every DynamoDB call while set: a round trip as long as in AWS, for an experiment. */
  addedLatencyMs: number;
  progress(message: string): void;
  /** `done` of `total` `what` so far: the bench shows it as a progress bar (counts, rate, ETA), not a line each time. */
  count(what: string, done: number, total?: number): void;
  /** Runs `work` as a measured phase. */
  phase<T>(name: string, work: () => Promise<T>): Promise<{ result: T; phase: Phase }>;
}

function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

export async function startDriver<Settings>(): Promise<Driver<Settings>> {
  const args = JSON.parse(process.argv[2] ?? '') as DriverArgs<Settings>;
  const raw = new DynamoDBClient({ endpoint: args.endpoint, region: 'eu-north-1' });
  await raw.send(new CreateTableCommand(createTableInput(benchTable)));
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: benchTable }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  raw.destroy();
  // The product's own client factory (lambdas/adapters/dynamo/client.ts), as the handlers build it.
  const db = documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: args.endpoint });
  const meter = new DynamoMeter(db);
  const started = performance.now();
  const self = { addedLatencyMs: 0 };
  db.middlewareStack.add(
    (next) => async (args) => {
      if (self.addedLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, self.addedLatencyMs));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchAddedLatency' },
  );
  const progress = (message: string) => process.stderr.write(`progress ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s  ${message}\n`);
  const driver: Driver<Settings> = Object.assign(self, {
    settings: args.settings,
    db,
    meter,
    progress,
    count: (what: string, done: number, total?: number) => process.stderr.write(`count\t${what}\t${done}\t${total ?? ''}\n`),
    async phase<T>(name: string, work: () => Promise<T>) {
      progress(`${name} ...`);
      const before = { wall: performance.now(), own: ownCpuMs(), dynamo: processCpuMs(args.dynamoPid), calls: meter.snapshot(), meter: meter.overheadMs };
      const result = await work();
      const phase: Phase = {
        wallMs: performance.now() - before.wall,
        driverCpuMs: ownCpuMs() - before.own,
        dynamoCpuMs: processCpuMs(args.dynamoPid) - before.dynamo,
        calls: DynamoMeter.since(before.calls, meter.snapshot()),
        meterMs: meter.overheadMs - before.meter,
      };
      progress(`${name}: ${(phase.wallMs / 1000).toFixed(1)} s`);
      return { result, phase };
    },
  });
  return driver;
}

/** Prints the driver's result for the parent (bench/scenario-process.ts) and ends the process. */
export function finish(result: unknown): never {
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

/** mulberry32: a small seeded generator, so every run builds the same data. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
