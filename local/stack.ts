/**
 * The embedded stack: dynalite (persisted in the data folder, on a port the AWS CLI can
 * use), the table from the shared schema, the local clock, and the HTTP server calling
 * the same handlers CDK deploys.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  type AttributeValue,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { installClock } from '../lambdas/adapters/clock.js';
import { createTableInput } from '../lambdas/adapters/table-schema.js';
import { routeGroups, type RouteGroup } from '../lambdas/http/routes.js';
import { corsPolicy, parseCorsOrigins } from '../lib/cors.js';
import { LocalClock } from './clock.js';
import { devKeys } from './dev-auth.js';
import { createLocalServer, type GroupHandler } from './server.js';
import { InProcessQueue, LocalScheduler, type SqsHandler } from './jobs.js';
import { buildBilling, installBillingQueue } from '../lambdas/adapters/billing-wiring.js';
import { buildPaymentImports } from '../lambdas/adapters/payment-import-wiring.js';
import { JobSweeper } from '../lambdas/domain/jobs/sweeper.js';
import { ResumableOutageJobs, ResumableRegisterImports } from '../lambdas/domain/alerts/outage-jobs.js';
import type { AlertJobMessage } from '../lambdas/domain/alerts/ports.js';
import { DynamoJobRepository } from '../lambdas/adapters/dynamo/job-repository.js';
import { paymentImportJobKind } from '../lambdas/domain/billing/payment-imports.js';
import { billingRunJobKind, priceNoticeJobKind, type NoticePageJob, type SegmentJob } from '../lambdas/domain/billing/service.js';
import { profileFor } from '../lambdas/domain/billing/profile.js';
import { cronForRegion } from '../lambdas/domain/billing/calendar.js';
import { LocalWorkflows } from './workflows/runner.js';
import { DynamoExecutionStore } from './workflows/store.js';
import { createStepFunctionsEndpoint } from './workflows/sfn-endpoint.js';
import { Cron } from 'croner';
import { installAlertJobQueue, installSendQueue } from '../lambdas/adapters/messaging/send-queue.js';
import { Outbox } from '../lambdas/adapters/messaging/outbox.js';
import { documentClient } from '../lambdas/adapters/dynamo/client.js';
import { installDunningWorkflow } from '../lambdas/adapters/dunning-wiring.js';
import { ConflictError } from '../lambdas/domain/errors.js';
import { overdueScanCron } from '../lambdas/domain/dunning/schedule.js';
import { executionArnOf, WorkflowApiError } from './workflows/runner.js';
import { dunningDefinitionFile, lambdaInvokeHandlers, localDunningDefinition } from './workflows/definitions.js';
import { startLocalPaymentUploads, type LocalPaymentUploads } from './payment-uploads.js';
import { startLocalDelivery, type LocalDelivery } from './delivery.js';
import { functionSettings } from '../lib/function-settings.js';
import { asLambda } from './lambda-runtime.js';
import { repairIndexes, runMarker } from './index-repair.js';

export const localTableName = 'utility-main';
export const localRegion = 'eu-north-1';

export interface EmbeddedStackOptions {
  /** Where DynamoDB data, the clock and the dev signing key live; undefined: in memory. */
  readonly dataDir?: string;
  readonly host?: string;
  /** HTTP port; 0 picks a free one. */
  readonly port?: number;
  /** Embedded DynamoDB port; 0 picks a free one. */
  readonly dynamoPort?: number;
  /** The Step Functions API for the AWS CLI (`aws stepfunctions ... --endpoint-url`); 0 picks a free one. */
  readonly stepFunctionsPort?: number;
  /** Extra allowed CORS origins beside cdk.json's `corsOrigins`. */
  readonly extraCorsOrigins?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface EmbeddedStack {
  readonly url: string;
  readonly dynamoEndpoint: string;
  readonly stepFunctionsEndpoint: string;
  readonly workflows: LocalWorkflows;
  readonly clock: LocalClock;
  readonly signingKeyFile: string;
  readonly scheduler: LocalScheduler;
  readonly billingQueue: InProcessQueue<SegmentJob | NoticePageJob>;
  /** Outage jobs too large for their request (delivered in the background, to the sending handler). */
  readonly alertJobQueue: InProcessQueue<{ jobId: string; chunk?: number }>;
  /** Outage messages and their send chunks (the sending handler). */
  readonly sendQueue: InProcessQueue<{ outageId: string; messageKey: string; chunk?: number }>;
  /** Upload URLs, the file store and the import-chunk queue of large payment files. */
  readonly paymentUploads: LocalPaymentUploads;
  /** Document delivery: the outbox channels, the delivery queue and the use-cases (local/delivery.ts). */
  readonly delivery: LocalDelivery;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

async function ensureTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: localRegion, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const wanted = createTableInput(localTableName);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: localTableName }));
    const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const missing = (wanted.GlobalSecondaryIndexes ?? []).filter((index) => !existing.has(index.IndexName));
    if (missing.length > 0) await rebuildTable(client, wanted, missing.map((index) => index.IndexName!));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(wanted));
  }
  await waitActive(client);
  client.destroy();
}

/**
 * A data folder from an older version lacks indexes the schema has gained since. dynalite
 * cannot add an index to a table, so the table is copied out, made anew and filled again.
 */
async function rebuildTable(client: DynamoDBClient, wanted: CreateTableCommandInput, missing: string[]): Promise<void> {
  console.log(`Upgrading the local table: adding ${missing.join(', ')} (copying its items) ...`);
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: localTableName, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  await client.send(new DeleteTableCommand({ TableName: localTableName }));
  await client.send(new CreateTableCommand(wanted));
  await waitActive(client);
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [localTableName]: requests } }));
      requests = (result.UnprocessedItems?.[localTableName] ?? []) as typeof requests;
    }
  }
}

async function waitActive(client: DynamoDBClient): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: localTableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function cdkCorsOrigins(): string[] {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context?: Record<string, unknown> };
  return parseCorsOrigins(cdkJson.context?.corsOrigins);
}

export async function startEmbeddedStack(options: EmbeddedStackOptions = {}): Promise<EmbeddedStack> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const dynamo = dynalite({
    ...(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  }) as Server;
  const dynamoPort = await listen(dynamo, options.dynamoPort ?? 0, host);
  const dynamoEndpoint = `http://${host}:${dynamoPort}`;
  await ensureTable(dynamoEndpoint);
  // A process killed mid-write may have left dynalite's indexes out of step with the table: put
  // them right before anything reads them (local/index-repair.ts).
  const marker = options.dataDir ? runMarker(options.dataDir) : undefined;
  if (marker?.begin()) {
    const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: localRegion, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const repaired = await repairIndexes(client, localTableName);
    client.destroy();
    (options.log ?? console.log)(`The last stop was not clean: ${repaired ? `repaired the index entries of ${repaired} item(s)` : 'the indexes match the table'}.`);
  }

  // The handlers read their configuration at cold start, as in Lambda: set it first.
  process.env.TABLE_NAME = localTableName;
  process.env.DYNAMODB_ENDPOINT = dynamoEndpoint;
  process.env.AWS_REGION = localRegion;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.POWERTOOLS_DEV ??= 'true';
  // Outage alerts: the embedded stack's sender is the outbox (GET /_local/sms).
  const alertDefaults: Record<string, string> = {
    MESSAGING: 'outbox',
    ALERT_DEPARTMENT: 'Arvika Vatten',
    ALERT_INFO_URL: 'https://www.arvika.se/driftinfo',
    ALERT_CONTACT: 'Kundservice 0570-816 00',
    ALERT_CAP_SENDER: 'driftinfo@arvika.se',
    UTILITY_COUNTRY: 'SE',
    UTILITY_ZONE: 'Europe/Stockholm',
    UTILITY_LANGUAGE: 'sv',
    SMS_MAX_SEGMENTS: '3',
    SMS_RATE_PER_SECOND: '200',
    SMS_PRICE_PER_SEGMENT: '45',
    SMS_PRICE_CURRENCY: 'SEK',
    REPORTS_PER_CLIENT_PER_HOUR: '20',
  };
  for (const [name, value] of Object.entries(alertDefaults)) process.env[name] ??= value;
  const log = options.log ?? ((line: string) => console.log(line));
  // Durable with a data folder: each message is a file until it is delivered, as SQS keeps it,
  // so a killed process's work is delivered again at the next start.
  const queueDir = (name: string) => (options.dataDir ? { dir: join(options.dataDir, 'queues', name) } : {});
  // A request that sends a small message (one chunk, sent by the fan-out itself) has filled the
  // outbox when it answers; the chunks of a large message go on in the background, as SQS delivers them.
  const sendQueue = new InProcessQueue<{ outageId: string; messageKey: string; chunk?: number }>('send-alerts', 'before-return', log, {
    ...queueDir('send-alerts'),
    inBackground: (job) => (job as { chunk?: number }).chunk !== undefined,
  });
  installSendQueue(sendQueue);
  // Outage jobs too large for their request run after it answers, on the same sending handler.
  const alertJobQueue = new InProcessQueue<AlertJobMessage>('alert-jobs', 'background', log, queueDir('alert-jobs'));
  installAlertJobQueue({ enqueueJob: (job) => alertJobQueue.enqueue(job) });
  const billingQueue = new InProcessQueue<SegmentJob | NoticePageJob>('billing-segments', 'background', log, queueDir('billing-segments'));
  installBillingQueue(billingQueue);
  const paymentUploads = await startLocalPaymentUploads({ dataDir: options.dataDir, log, queueOptions: queueDir('payment-import-chunks') });

  const clock = new LocalClock(options.dataDir ? join(options.dataDir, 'clock.json') : undefined);
  installClock(clock);
  const localDb = documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: dynamoEndpoint });
  const delivery = await startLocalDelivery({ dataDir: options.dataDir, db: localDb, tableName: localTableName, now: () => clock.now(), log, queueOptions: queueDir('deliver-documents') });
  // Workflows: the state machines run on aws-local-stepfunctions with their waits on the
  // local clock; executions live in the table and continue after a restart.
  const workflows = new LocalWorkflows({ clock, store: new DynamoExecutionStore(localDb, localTableName), log });
  // Dunning: the same ASL file as CDK deploys, its Task states answered by the same task function.
  installDunningWorkflow({
    startExecution: (name, input) => workflows.startExecution('dunning', name, input),
    sendTaskSuccess: async (token, output) => {
      try {
        await workflows.sendTaskSuccess(token, output);
        // As a Lambda-backed task would be by now: the case has moved on when the answer returns.
        await workflows.tick();
        await workflows.idle();
      } catch (error) {
        if (error instanceof WorkflowApiError) throw new ConflictError('The case stopped waiting for this answer; read it again.');
        throw error;
      }
    },
    executionArnFor: (name) => executionArnOf('dunning', name),
  });
  const signingKeyFile = join(options.dataDir ?? join(process.cwd(), '.data'), 'dev-signing-key.json');
  const keys = await devKeys(signingKeyFile);

  const handlers = {} as Record<RouteGroup, GroupHandler>;
  for (const [group, { entry }] of Object.entries(routeGroups)) {
    const module = (await import(`../${entry.replace(/\.ts$/, '.js')}`)) as { handler: GroupHandler };
    handlers[group as RouteGroup] = module.handler;
  }

  const sendAlerts = (await import('../lambdas/jobs/send-alerts.js')) as { handler: SqsHandler };
  // Every job below runs as its function would in AWS: with the timeout CDK gives it (lib/function-settings.ts).
  const sendAlertsFunction = asLambda({ name: 'send-alerts', settings: functionSettings.sendAlerts }, sendAlerts.handler);
  sendQueue.attach(sendAlertsFunction);
  alertJobQueue.attach(sendAlertsFunction);
  // The sweeper of AWS (lambdas/jobs/sweep-jobs.ts) over the same jobs: a run or import with no
  // progress for longer than its kind allows gets its unfinished work queued again. A kind whose
  // local queue still holds messages is busy, not stalled (its clock may just have been moved on).
  const localBilling = buildBilling();
  const alertJobs = { enqueueJob: (job: AlertJobMessage) => alertJobQueue.enqueue(job) };
  const outageJobs = new ResumableOutageJobs(new DynamoJobRepository(localDb, localTableName), alertJobs);
  const registerImports = new ResumableRegisterImports(new DynamoJobRepository(localDb, localTableName), alertJobs);
  const sweeper = new JobSweeper([localBilling.resumable, localBilling.resumableNotices, buildPaymentImports(localBilling).resumable, outageJobs, registerImports]);
  const busyQueues = {
    [billingRunJobKind]: billingQueue, [priceNoticeJobKind]: billingQueue, [paymentImportJobKind]: paymentUploads.queue,
    [outageJobs.kind]: alertJobQueue, [registerImports.kind]: alertJobQueue,
  };
  const sweepStalledJobs = async () => {
    const skip = new Set(Object.entries(busyQueues).filter(([, queue]) => queue.backlog() > 0).map(([kind]) => kind));
    const report = await sweeper.sweep(clock.now(), { skip });
    for (const { kind, jobId, requeued } of report.resumed) log(`job sweeper: ${kind} ${jobId} made no progress; queued ${requeued} unfinished part(s) again`);
    return report;
  };
  const scheduler = new LocalScheduler(log);
  const dispatchAlerts = (await import('../lambdas/jobs/dispatch-alerts.js')) as { handler: () => Promise<unknown> };
  const dispatchAlertsFunction = asLambda({ name: 'dispatch-alerts', settings: functionSettings.dispatchAlerts }, () => dispatchAlerts.handler());
  scheduler.register('dispatch-alerts', () => dispatchAlertsFunction({}));
  const billingSegment = (await import('../lambdas/jobs/billing-segment.js')) as { handler: SqsHandler };
  billingQueue.attach(asLambda({ name: 'billing-segment', settings: functionSettings.billingSegment }, billingSegment.handler));
  const billingRun = {
    handler: asLambda(
      { name: 'billing-run', settings: functionSettings.billingRun },
      ((await import('../lambdas/jobs/billing-run.js')) as { handler: (event: { region?: string }) => Promise<{ runId: string }> }).handler,
    ),
  };
  // The regions' billing schedules (R-SE-12), the same cron expressions as in AWS, off the local clock:
  // each tick starts the run of every region whose time this month has come (a run starts once).
  const profile = profileFor(process.env.UTILITY_COUNTRY as 'SE' | 'FI' | 'NO');
  scheduler.register('billing-run', async () => {
    const now = clock.now();
    const started: string[] = [];
    for (const region of profile.regions) {
      const cron = new Cron(cronForRegion(region).unix, { timezone: process.env.UTILITY_ZONE! });
      // The last fire time at or before now (previousRuns excludes the instant itself; a clock move stops exactly on it).
      const last = cron.previousRuns(1, new Date(now.getTime() + 1))[0];
      if (last && last.toISOString().slice(0, 7) === now.toISOString().slice(0, 7)) {
        started.push((await billingRun.handler({ region: region.region })).runId);
      }
    }
    return { started };
  }, { fireNow: () => Promise.all(profile.regions.map((r) => billingRun.handler({ region: r.region }))) });
  scheduler.start();
  const outbox = new Outbox(localDb, localTableName, () => clock.now());

  const dunningTask = (await import('../lambdas/tasks/dunning.js')) as { handler: (event: never) => Promise<unknown> };
  // A Task state's invocation is synchronous (6 MB each way); a timeout fails it with Sandbox.Timedout, as on AWS.
  const dunningTaskFunction = asLambda({ name: 'dunning-tasks', settings: functionSettings.dunningTasks }, dunningTask.handler, { sync: true });
  workflows.register('dunning', localDunningDefinition(), lambdaInvokeHandlers(dunningDefinitionFile, dunningTaskFunction));
  const overdueScan = (await import('../lambdas/jobs/overdue-scan.js')) as { handler: () => Promise<unknown> };
  const overdueScanFunction = asLambda({ name: 'overdue-scan', settings: functionSettings.overdueScan }, () => overdueScan.handler());
  scheduler.register('overdue-scan', () => overdueScanFunction({}));
  const jobSweeperFunction = asLambda({ name: 'job-sweeper', settings: functionSettings.jobSweeper }, () => sweepStalledJobs());
  scheduler.register('job-sweeper', () => jobSweeperFunction({}));
  await workflows.resumeOpenExecutions();
  workflows.start();
  // What a killed process left: its queued messages first, then the sweeper for what no queue holds.
  billingQueue.recover();
  paymentUploads.queue.recover();
  sendQueue.recover();
  alertJobQueue.recover();
  await delivery.start();
  await sweepStalledJobs();
  // The workflows settled, and the documents they and the billing runs ordered delivered: the
  // clock moves on only once the letters are out, as minutes would pass in AWS before a dunning
  // step looks at its letters again (CheckLetters).
  const settle = async () => {
    for (let round = 0; round < 50; round++) {
      await workflows.tick();
      await workflows.idle();
      if (delivery.queue.backlog() === 0) return;
      await delivery.queue.idle();
    }
  };
  // A move forward: every due wait, each morning's overdue scan and each region's billing run
  // (its invoices written before the next scan reads them), each at its own time, in order. The
  // clock's file names the target until the move has finished (a restart finishes it first).
  const moveClockTo = async (target: Date) => {
    clock.beginMove(target);
    try {
    const dailyScan = new Cron(overdueScanCron.unix, { timezone: process.env.UTILITY_ZONE! });
    const billingRuns = profile.regions.map((region) => new Cron(cronForRegion(region).unix, { timezone: process.env.UTILITY_ZONE! }));
    for (;;) {
      const now = clock.now().getTime();
      const nextWait = workflows.nextDueAt() ?? Infinity;
      const nextScan = dailyScan.nextRun(new Date(now))?.getTime() ?? Infinity;
      const nextRun = Math.min(...billingRuns.map((cron) => cron.nextRun(new Date(now))?.getTime() ?? Infinity));
      const step = Math.min(nextWait, nextScan, nextRun);
      if (step > target.getTime()) break;
      if (step > now) clock.set(new Date(step));
      if (step === nextRun) {
        await scheduler.run('billing-run');
        await billingQueue.idle();
      }
      if (step === nextScan) await scheduler.fire('overdue-scan');
      await settle();
    }
    clock.set(target);
    await scheduler.tick();
    await settle();
    } finally {
      clock.endMove();
    }
  };

  const stepFunctions = createStepFunctionsEndpoint(workflows, { log: () => undefined });
  const stepFunctionsPort = await listen(stepFunctions, options.stepFunctionsPort ?? 0, host);

  const server = createLocalServer({
    handlers,
    controls: {
      outbox: (since) => outbox.list(since),
      fireSchedule: (name) => scheduler.fire(name),
      clockMoved: async () => {
        await scheduler.tick();
        await settle();
      },
      moveClockTo,
      executions: async () => (await workflows.listExecutions()).executions,
      execution: async (name) => {
        const found = (await workflows.listExecutions()).executions.find((e) => e.name === name);
        if (!found) return undefined;
        return { ...(await workflows.describeExecution(found.executionArn)), history: (await workflows.getExecutionHistory(found.executionArn)).events };
      },
      upload: paymentUploads.handleUpload,
      outboxRoute: delivery.route,
    },
    keys,
    tokenHint: `The token was signed with another key than this stack's (its data folder is ${options.dataDir ?? 'in memory'}): make one for this stack with ${options.dataDir ? `DATA_DIR=${options.dataDir} ` : ''}npm run --silent token -- --role <role>.`,
    clock,
    cors: { ...corsPolicy, allowOrigins: [...cdkCorsOrigins(), ...(options.extraCorsOrigins ?? [])] },
    log,
  });
  const port = await listen(server, options.port ?? 0, host);
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  paymentUploads.store.setBaseUrl(url);
  if (clock.interruptedMove) {
    // The last stop cut a clock move short: the clock is at the step it had reached; finish it.
    log(`local clock: finishing the move to ${clock.interruptedMove.toISOString()} that the last stop cut short ...`);
    await moveClockTo(clock.interruptedMove);
  }

  return {
    url,
    dynamoEndpoint,
    clock,
    signingKeyFile,
    scheduler,
    billingQueue,
    alertJobQueue,
    sendQueue,
    paymentUploads,
    delivery,
    workflows,
    stepFunctionsEndpoint: `http://${host}:${stepFunctionsPort}`,
    async close() {
      scheduler.stop();
      // Durable queues keep what is not delivered for the next start; what is running finishes.
      if (options.dataDir) {
        billingQueue.close();
        alertJobQueue.close();
        sendQueue.close();
      }
      await billingQueue.idle();
      await alertJobQueue.idle();
      await sendQueue.idle();
      await paymentUploads.close();
      await delivery.close();
      await workflows.close();
      await close(stepFunctions);
      await close(server);
      await close(dynamo);
      marker?.end();
    },
  };
}
