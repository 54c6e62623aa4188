/**
 * AWS's limits in the embedded stack (docs/LIMITS.md): Lambda timeouts and the 6 MB synchronous
 * payload (local/lambda-runtime.ts), the in-process SQS queue's message size and failed receives
 * (local/jobs.ts), and API Gateway's answers (local/server.ts). Each test fails when its check is
 * taken out: a handler that never answers hangs the test, an oversize payload gets through.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsLimits, functionSettings, httpFunctionTimeoutSeconds, type FunctionSettings } from '../../../lib/function-settings.js';
import { routeGroups, type RouteGroup } from '../../../lambdas/http/routes.js';
import { asLambda, invokeLocal, lambdaTimeoutErrorName } from '../../../local/lambda-runtime.js';
import { InProcessQueue } from '../../../local/jobs.js';
import { createLocalServer, type GroupHandler } from '../../../local/server.js';
import { devKeys } from '../../../local/dev-auth.js';
import { LocalClock } from '../../../local/clock.js';

/** A handler that never answers until the test run ends (then resolves, so nothing dangles). */
const releases: (() => void)[] = [];
const never = <T>(value: T) => new Promise<T>((resolve) => releases.push(() => resolve(value)));
afterAll(() => releases.splice(0).forEach((release) => release()));

/** A short timeout for the tests of what happens at a timeout (the values CDK deploys are tested below). */
const short: FunctionSettings = { timeoutSeconds: 0.05, memoryMb: 128 };
const overSixMb = 'x'.repeat(awsLimits.lambdaSyncPayloadBytes + 1);

describe('Lambda invocations (local/lambda-runtime.ts)', () => {
  it('an invocation past its timeout fails with Sandbox.Timedout, as Lambda reports it', async () => {
    const invocation = invokeLocal({ name: 'slow', settings: short }, () => never('late'), {});
    await expect(invocation).rejects.toMatchObject({ name: lambdaTimeoutErrorName, message: expect.stringContaining('timed out after 0.05 seconds') });
    expect(lambdaTimeoutErrorName).toBe('Sandbox.Timedout');
  }, 10_000);

  it('the context counts down from the timeout CDK deploys, with its memory', async () => {
    jest.useFakeTimers({ now: new Date('2027-01-15T08:00:00Z') });
    try {
      const seen = await invokeLocal({ name: 'dispatch-alerts', settings: functionSettings.dispatchAlerts }, async (_event: unknown, context: Context) => {
        const first = context.getRemainingTimeInMillis();
        jest.advanceTimersByTime(1_000);
        return { first, second: context.getRemainingTimeInMillis(), memory: context.memoryLimitInMB };
      }, {});
      expect(seen).toEqual({
        first: functionSettings.dispatchAlerts.timeoutSeconds * 1000,
        second: functionSettings.dispatchAlerts.timeoutSeconds * 1000 - 1_000,
        memory: String(functionSettings.dispatchAlerts.memoryMb),
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('a synchronous event over 6 MB never reaches the function', async () => {
    let called = false;
    const fn = asLambda({ name: 'tasks', settings: functionSettings.dunningTasks }, async () => (called = true), { sync: true });
    await expect(fn({ payload: overSixMb })).rejects.toMatchObject({ name: 'RequestEntityTooLargeException' });
    expect(called).toBe(false);
  });

  it('a synchronous response over 6 MB fails the invocation', async () => {
    const fn = asLambda({ name: 'tasks', settings: functionSettings.dunningTasks }, async () => ({ payload: overSixMb }), { sync: true });
    await expect(fn({})).rejects.toMatchObject({ name: 'Function.ResponseSizeTooLarge' });
  });
});

describe('the in-process SQS queue (local/jobs.ts)', () => {
  const event = (body: unknown): string => JSON.stringify(body);

  it('a receive that times out counts as failed: the message comes again and is then handled', async () => {
    const receives: string[] = [];
    const queue = new InProcessQueue<{ n: number }>('timeouts', 'before-return', () => undefined);
    queue.attach(
      asLambda({ name: 'consumer', settings: short }, async (sqs: SQSEvent): Promise<SQSBatchResponse> => {
        const receive = sqs.Records[0]!.attributes.ApproximateReceiveCount;
        receives.push(receive);
        return receive === '1' ? never({ batchItemFailures: [] }) : { batchItemFailures: [] };
      }),
    );
    await queue.enqueue({ n: 1 });
    expect(receives).toEqual(['1', '2']);
    expect(queue.deadLetters).toEqual([]);
  }, 10_000);

  it('a consumer that always times out dead-letters the message after three receives', async () => {
    const queue = new InProcessQueue<{ n: number }>('timeouts', 'before-return', () => undefined);
    queue.attach(asLambda({ name: 'consumer', settings: short }, () => never({ batchItemFailures: [] })));
    await queue.enqueue({ n: 2 });
    expect(queue.deadLetters.map((letter) => letter.body)).toEqual([event({ n: 2 })]);
  }, 10_000);

  it(`refuses a message over ${awsLimits.sqsMaxMessageBytes} bytes at enqueue, as SendMessage does`, async () => {
    let delivered = 0;
    const queue = new InProcessQueue<{ text: string }>('sizes', 'before-return', () => undefined);
    queue.attach(async () => {
      delivered++;
      return { batchItemFailures: [] };
    });
    const envelope = Buffer.byteLength(event({ text: '' }));
    await queue.enqueue({ text: 'a'.repeat(awsLimits.sqsMaxMessageBytes - envelope) }); // exactly the limit
    await expect(queue.enqueue({ text: 'a'.repeat(awsLimits.sqsMaxMessageBytes - envelope + 1) })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    expect(delivered).toBe(1);
  });
});

describe('the HTTP front door (local/server.ts) answers as API Gateway would', () => {
  const path = '/v1/public/ongoing-works'; // a public route of the outages group: no token needed
  let dir: string;
  let keysFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'limits-'));
    keysFile = join(dir, 'key.json');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(
    outages: GroupHandler,
    options: { functionSettings?: (group: RouteGroup) => FunctionSettings; integrationTimeoutMs?: number } = {},
  ): Promise<{ url: string; server: Server; lines: string[] }> {
    const handlers = Object.fromEntries(
      Object.keys(routeGroups).map((group) => [group, async () => ({ statusCode: 418 })]),
    ) as unknown as Record<RouteGroup, GroupHandler>;
    handlers.outages = outages;
    const lines: string[] = [];
    const server = createLocalServer({
      handlers,
      controls: { outbox: async () => [], fireSchedule: async () => ({ found: false }), clockMoved: async () => undefined, executions: async () => [], execution: async () => undefined },
      keys: await devKeys(keysFile),
      clock: new LocalClock(),
      cors: { allowOrigins: [], allowHeaders: [], allowMethods: [], exposeHeaders: [], maxAgeSeconds: 0 },
      log: (line) => lines.push(line),
      ...options,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, lines };
  }
  const closing = (server: Server) => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  const ok = (body: unknown): APIGatewayProxyStructuredResultV2 => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('a function past its timeout (under the 30 s integration timeout) is a 500', async () => {
    const { url, server } = await serve(() => never(ok({})), { functionSettings: () => short });
    const response = await fetch(url + path);
    await closing(server);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  }, 10_000);

  it('a function whose timeout is longer than the integration timeout gets a 503 when the integration gives up', async () => {
    const { url, server } = await serve(() => never(ok({})), {
      functionSettings: () => ({ timeoutSeconds: 60, memoryMb: 512 }),
      integrationTimeoutMs: 50,
    });
    const response = await fetch(url + path);
    await closing(server);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 503 });
  }, 10_000);

  it('the 30 s integration timeout and each group function timeout are the deployed ones', () => {
    expect(awsLimits.httpApiIntegrationTimeoutMs).toBe(30_000);
    expect(httpFunctionTimeoutSeconds * 1000).toBeLessThan(awsLimits.httpApiIntegrationTimeoutMs);
  });

  it('handlers see the remaining time of the deployed timeout, not a constant', async () => {
    const { url, server } = await serve(async (_event, context) => ok({ remaining: context.getRemainingTimeInMillis(), memory: context.memoryLimitInMB }));
    const body = (await (await fetch(url + path)).json()) as { remaining: number; memory: string };
    await closing(server);
    expect(body.remaining).toBeGreaterThan(0);
    expect(body.remaining).toBeLessThanOrEqual(httpFunctionTimeoutSeconds * 1000);
    expect(body.memory).toBe(String(routeGroups.outages.memoryMb));
  });

  it('a request whose event is over 6 MB is a 413 and never reaches the function', async () => {
    let called = false;
    const { url, server } = await serve(async () => {
      called = true;
      return ok({});
    });
    // 5 MB of text/plain: API Gateway's 10 MB allows it, but the event carries it base64-encoded (6.7 MB).
    const response = await fetch(url + '/v1/public/reports', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a'.repeat(5 * 1024 * 1024) });
    await closing(server);
    expect(response.status).toBe(413);
    expect(called).toBe(false);
  });

  it('a body over API Gateway\'s 10 MB is a 413', async () => {
    let called = false;
    const { url, server } = await serve(async () => {
      called = true;
      return ok({});
    });
    const response = await fetch(url + '/v1/public/reports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'a'.repeat(awsLimits.httpApiMaxRequestBytes) }),
    });
    await closing(server);
    expect(response.status).toBe(413);
    // API Gateway's own limit: the body is not read to its end (Lambda's 6 MB would read it all first).
    expect(response.headers.get('connection')).toBe('close');
    expect(called).toBe(false);
  });

  it('a response over 6 MB fails the invocation: 500', async () => {
    const { url, server } = await serve(async () => ok({ text: overSixMb }));
    const response = await fetch(url + path);
    await closing(server);
    expect(response.status).toBe(500);
  });
});
