/**
 * How the embedded stack invokes a handler: as Lambda would, with the function's timeout and
 * memory from lib/function-settings.ts (what CDK deploys), a context whose
 * getRemainingTimeInMillis() counts down to that timeout, and Lambda's 6 MB limit on a
 * synchronous invocation's event and response.
 *
 * Lambda ends a timed-out invocation by freezing its sandbox; here the handler's promise cannot be
 * stopped, so the invocation fails at its timeout (as Lambda reports it: `Sandbox.Timedout`) and
 * whatever the handler still does afterwards is ignored by its caller.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { awsLimits, type FunctionSettings } from '../lib/function-settings.js';

/** The error type Lambda reports for an invocation that ran past its timeout (Node.js 22 runtime). */
export const lambdaTimeoutErrorName = 'Sandbox.Timedout';

export class LambdaTimeoutError extends Error {
  constructor(functionName: string, timeoutSeconds: number) {
    super(`${functionName}: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    this.name = lambdaTimeoutErrorName;
  }
}

/** A synchronous invocation whose event or response is over Lambda's 6 MB. */
export class LambdaPayloadTooLargeError extends Error {
  constructor(
    readonly which: 'request' | 'response',
    readonly bytes: number,
  ) {
    super(
      which === 'request'
        ? `Request must be smaller than ${awsLimits.lambdaSyncPayloadBytes} bytes for the InvokeFunction operation (${bytes} bytes)`
        : `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${awsLimits.lambdaSyncPayloadBytes} bytes).`,
    );
    this.name = which === 'request' ? 'RequestEntityTooLargeException' : 'Function.ResponseSizeTooLarge';
  }
}

export interface LocalFunction {
  readonly name: string;
  readonly settings: FunctionSettings;
}

export function lambdaContext(fn: LocalFunction, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${fn.name}`,
    memoryLimitInMB: String(fn.settings.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The size Lambda counts: the JSON of the event or of the result. */
export function payloadBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * Invokes `handler` as Lambda would: fails with LambdaTimeoutError when the function's timeout
 * passes first. `sync`: a synchronous invocation (API Gateway, Step Functions), whose event and
 * response are held to 6 MB.
 */
export async function invokeLocal<Event, Result>(
  fn: LocalFunction,
  handler: (event: Event, context: Context) => Promise<Result>,
  event: Event,
  options: { sync?: boolean } = {},
): Promise<Result> {
  if (options.sync) {
    const bytes = payloadBytes(event);
    if (bytes > awsLimits.lambdaSyncPayloadBytes) throw new LambdaPayloadTooLargeError('request', bytes);
  }
  const timeoutMs = fn.settings.timeoutSeconds * 1000;
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new LambdaTimeoutError(fn.name, fn.settings.timeoutSeconds)), timeoutMs);
  });
  try {
    const result = await Promise.race([handler(event, lambdaContext(fn, deadline)), timedOut]);
    if (options.sync) {
      const bytes = payloadBytes(result);
      if (bytes > awsLimits.lambdaSyncPayloadBytes) throw new LambdaPayloadTooLargeError('response', bytes);
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** `handler` as the function CDK deploys: every call is one invocation (see invokeLocal). */
export function asLambda<Event, Result>(
  fn: LocalFunction,
  handler: (event: Event, context: Context) => Promise<Result>,
  options: { sync?: boolean } = {},
): (event: Event) => Promise<Result> {
  return (event) => invokeLocal(fn, handler, event, options);
}
