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
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { installClock } from '../lambdas/adapters/clock.js';
import { createTableInput } from '../lambdas/adapters/table-schema.js';
import { routeGroups, type RouteGroup } from '../lambdas/http/routes.js';
import { corsPolicy, parseCorsOrigins } from '../lib/cors.js';
import { LocalClock } from './clock.js';
import { devKeys } from './dev-auth.js';
import { createLocalServer, type GroupHandler } from './server.js';

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
  /** Extra allowed CORS origins beside cdk.json's `corsOrigins`. */
  readonly extraCorsOrigins?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface EmbeddedStack {
  readonly url: string;
  readonly dynamoEndpoint: string;
  readonly clock: LocalClock;
  readonly signingKeyFile: string;
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
  try {
    await client.send(new DescribeTableCommand({ TableName: localTableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(localTableName)));
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: localTableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  client.destroy();
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

  // The handlers read their configuration at cold start, as in Lambda: set it first.
  process.env.TABLE_NAME = localTableName;
  process.env.DYNAMODB_ENDPOINT = dynamoEndpoint;
  process.env.AWS_REGION = localRegion;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.POWERTOOLS_DEV ??= 'true';

  const clock = new LocalClock(options.dataDir ? join(options.dataDir, 'clock.json') : undefined);
  installClock(clock);
  const signingKeyFile = join(options.dataDir ?? join(process.cwd(), '.data'), 'dev-signing-key.json');
  const keys = await devKeys(signingKeyFile);

  const handlers = {} as Record<RouteGroup, GroupHandler>;
  for (const [group, { entry }] of Object.entries(routeGroups)) {
    const module = (await import(`../${entry.replace(/\.ts$/, '.js')}`)) as { handler: GroupHandler };
    handlers[group as RouteGroup] = module.handler;
  }

  const server = createLocalServer({
    handlers,
    keys,
    clock,
    cors: { ...corsPolicy, allowOrigins: [...cdkCorsOrigins(), ...(options.extraCorsOrigins ?? [])] },
    ...(options.log ? { log: options.log } : {}),
  });
  const port = await listen(server, options.port ?? 0, host);

  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    dynamoEndpoint,
    clock,
    signingKeyFile,
    async close() {
      await close(server);
      await close(dynamo);
    },
  };
}
