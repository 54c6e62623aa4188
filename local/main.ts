/**
 * `npm start`: the embedded stack on this machine, no AWS account needed.
 * Settings (environment): PORT (3000), HOST (127.0.0.1), DATA_DIR (.data),
 * DYNAMODB_PORT (8000), STEPFUNCTIONS_PORT (8083), CORS_ORIGINS (extra origins, comma-separated),
 * DYNAMODB_USAGE_FILE (optional: where the DynamoDB usage meter writes, local/dynamo-usage.ts).
 */
import { resolve } from 'node:path';
import * as z from 'zod';
import { meterDynamoUsage } from './dynamo-usage.js';
import { startEmbeddedStack } from './stack.js';
import { registerStack, unregisterStack } from './stack-registry.js';

const settings = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('.data'),
    DYNAMODB_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
    STEPFUNCTIONS_PORT: z.coerce.number().int().min(0).max(65535).default(8083),
    CORS_ORIGINS: z.string().optional(),
    DYNAMODB_USAGE_FILE: z.string().min(1).optional(),
  })
  .parse(process.env);

const dataDir = resolve(settings.DATA_DIR);
const usage = settings.DYNAMODB_USAGE_FILE ? meterDynamoUsage(resolve(settings.DYNAMODB_USAGE_FILE)) : undefined;
const stack = await startEmbeddedStack({
  dataDir,
  host: settings.HOST,
  port: settings.PORT,
  dynamoPort: settings.DYNAMODB_PORT,
  stepFunctionsPort: settings.STEPFUNCTIONS_PORT,
  extraCorsOrigins: settings.CORS_ORIGINS ? settings.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : [],
});

const port = Number(new URL(stack.url).port);
registerStack(port, dataDir);
console.log(`Embedded stack ready
  HTTP API        ${stack.url}   (local controls under ${stack.url}/_local/)
  DynamoDB        ${stack.dynamoEndpoint}   (aws dynamodb list-tables --endpoint-url ${stack.dynamoEndpoint})
  Step Functions  ${stack.stepFunctionsEndpoint}   (aws stepfunctions list-state-machines --endpoint-url ${stack.stepFunctionsEndpoint})
  data folder     ${dataDir}
  local clock     ${stack.clock.now().toISOString()}
  tokens          npm run --silent token -- --role agent
Ctrl-C stops it; the data folder keeps everything for the next start.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping the embedded stack ...');
    unregisterStack(port);
    stack.close().finally(() => usage?.stop()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
