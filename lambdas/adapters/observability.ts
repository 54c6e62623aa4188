/**
 * Metrics and traces (issue 14), one module for every function.
 *
 * Metrics: Powertools Metrics writes CloudWatch EMF lines to stdout in the namespace CDK sets on
 * every function (POWERTOOLS_METRICS_NAMESPACE, one per stack) with the `service` dimension
 * (POWERTOOLS_SERVICE_NAME); the domain counts through the BusinessMetrics port
 * (lambdas/domain/metrics.ts). Without a namespace (the embedded stack, tests) the port counts
 * nothing.
 *
 * Traces: Powertools Tracer (X-Ray) only inside Lambda. The X-Ray SDK it loads turns on an
 * async hook for the whole process at import, a cost on every await, so outside Lambda
 * (AWS_EXECUTION_ENV unset: `npm start`, tests) or with POWERTOOLS_TRACE_ENABLED=false it is
 * never imported: `tracer` is undefined and `traced` returns the client as it is. The import
 * is dynamic, so the bundle still carries it (esbuild inlines it, evaluated on first use).
 *
 * Neither ever carries a value a person could be found by: the port takes counts and closed
 * labels only, handler responses and error messages are not put on traces
 * (POWERTOOLS_TRACER_CAPTURE_RESPONSE / _ERROR false, set by CDK; `captureResponse: false`
 * below), and nothing here adds an annotation.
 */
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { businessMetricNames as names, noBusinessMetrics, type BusinessMetrics } from '../domain/metrics.js';
import { serviceName } from './service-name.js';

const settings = z
  .object({
    /** Set by CDK on every function (lib/constructs/service-function.ts); unset locally. */
    POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).optional(),
    /** Set by the Lambda runtime; unset in the embedded stack and in tests. */
    AWS_EXECUTION_ENV: z.string().optional(),
    POWERTOOLS_TRACE_ENABLED: z.enum(['true', 'false', '1', '0']).optional(),
  })
  .parse(process.env);

const tracingWanted = Boolean(settings.AWS_EXECUTION_ENV) && settings.POWERTOOLS_TRACE_ENABLED !== 'false' && settings.POWERTOOLS_TRACE_ENABLED !== '0';

/** The function's X-Ray tracer; undefined outside Lambda (see above). */
export const tracer: Tracer | undefined = tracingWanted
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName })
  : undefined;

/** An AWS SDK v3 client whose calls become X-Ray subsegments in Lambda; the same client elsewhere. */
export function traced<T>(client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/** BusinessMetrics as Powertools EMF: counts buffered until the invocation's flush; labelled ones at once. */
export class PowertoolsBusinessMetrics implements BusinessMetrics {
  constructor(private readonly metrics: Metrics) {}

  outageCreated(recipients: number): void {
    this.metrics.addMetric(names.outagesCreated, MetricUnit.Count, 1);
    this.metrics.addMetric(names.outageRecipients, MetricUnit.Count, recipients);
  }

  alertsSent(channel: 'sms' | 'voice', outcome: { sent: number; failed: number }): void {
    const [sent, failed] = channel === 'sms' ? [names.smsSent, names.smsFailed] : [names.voiceCallsSent, names.voiceCallsFailed];
    if (outcome.sent > 0) this.metrics.addMetric(sent, MetricUnit.Count, outcome.sent);
    if (outcome.failed > 0) this.metrics.addMetric(failed, MetricUnit.Count, outcome.failed);
  }

  invoicesIssued(count: number): void {
    if (count > 0) this.metrics.addMetric(names.invoicesIssued, MetricUnit.Count, count);
  }

  paymentsBooked(counts: { booked: number; unmatched: number }): void {
    if (counts.booked > 0) this.metrics.addMetric(names.paymentsBooked, MetricUnit.Count, counts.booked);
    if (counts.unmatched > 0) this.metrics.addMetric(names.paymentsUnmatched, MetricUnit.Count, counts.unmatched);
  }

  dunningStageEntered(stage: string): void {
    // Its own EMF line: the stage dimension must not land on the invocation's other metrics.
    this.metrics.singleMetric().addDimension('stage', stage).addMetric(names.dunningStageEntered, MetricUnit.Count, 1);
  }

  workOrderCreated(type: string): void {
    this.metrics.singleMetric().addDimension('type', type).addMetric(names.workOrdersCreated, MetricUnit.Count, 1);
  }
}

/** The process's Powertools Metrics, when there is a namespace to write to. */
export const metrics: Metrics | undefined = settings.POWERTOOLS_METRICS_NAMESPACE
  ? new Metrics({ namespace: settings.POWERTOOLS_METRICS_NAMESPACE, serviceName })
  : undefined;

/** The port every use-case gets from its wiring. */
export const businessMetrics: BusinessMetrics = metrics ? new PowertoolsBusinessMetrics(metrics) : noBusinessMetrics;

/**
 * Writes the invocation's buffered metrics (and empties the buffer). Nothing when none were
 * counted: Powertools' own `logMetrics` would warn "No application metrics to publish" on
 * every request that counted nothing, which is most of them.
 */
export function flushMetrics(target: Metrics | undefined = metrics): void {
  if (target?.hasStoredMetrics()) target.publishStoredMetrics();
}

/** Powertools' middy middleware for the handler's X-Ray subsegment, loaded only where tracing is on. */
const captureLambdaHandler: ((tracer: Tracer) => MiddlewareObj) | undefined = tracer
  ? await import('@aws-lambda-powertools/tracer/middleware').then(({ captureLambdaHandler }) => (t: Tracer) => captureLambdaHandler(t, { captureResponse: false }))
  : undefined;

/**
 * The middy middlewares of a handler: the X-Ray subsegment of the invocation, and the metrics
 * flush after it answered or failed. None outside Lambda. The options replace the process's
 * tracer and metrics (tests).
 */
export function observabilityMiddlewares(
  options: { tracer?: Tracer | undefined; metrics?: Metrics | undefined; captureLambdaHandler?: ((tracer: Tracer) => MiddlewareObj) | undefined } = {},
): MiddlewareObj[] {
  const target = 'metrics' in options ? options.metrics : metrics;
  const withTracer = 'tracer' in options ? options.tracer : tracer;
  const capture = 'captureLambdaHandler' in options ? options.captureLambdaHandler : captureLambdaHandler;
  const flush = { after: async () => flushMetrics(target), onError: async () => flushMetrics(target) } satisfies MiddlewareObj;
  return [...(withTracer && capture ? [capture(withTracer)] : []), ...(target ? [flush] : [])];
}

/**
 * A job handler (queue consumer, schedule, workflow task) with its trace and its metrics flush.
 * Outside Lambda, with nothing to trace or flush, the handler itself: the embedded stack calls
 * it exactly as before.
 */
export function observed<H extends (event: any, context?: any) => Promise<unknown>>(handler: H): H {
  const middlewares = observabilityMiddlewares();
  if (middlewares.length === 0) return handler;
  const wrapped = middy<Parameters<H>[0], Awaited<ReturnType<H>>, Error, Context>().handler((event, context) => handler(event, context) as Promise<Awaited<ReturnType<H>>>);
  for (const middleware of middlewares) wrapped.use(middleware as MiddlewareObj<Parameters<H>[0], Awaited<ReturnType<H>>, Error, Context>);
  return ((event: Parameters<H>[0], context?: Context) => wrapped(event, context ?? ({} as Context))) as H;
}
