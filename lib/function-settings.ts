/**
 * Each Lambda function's timeout and memory, and the AWS service limits the embedded stack
 * enforces: one place that CDK (lib/constructs/*) deploys from and the embedded stack
 * (local/) enforces from, so that a test cannot pass on a path AWS would kill.
 * docs/LIMITS.md lists every limit, where CDK sets it and the test that proves it locally.
 *
 * No aws-cdk-lib import here: the embedded stack imports this module at run time.
 */
import { routeGroups, type RouteGroup } from '../lambdas/http/routes.js';

export interface FunctionSettings {
  /** Lambda's timeout: the invocation ends with `Sandbox.Timedout` when it passes. */
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

/** Every HTTP route group's function: an HTTP API integration gives up after 30 s anyway. */
export const httpFunctionTimeoutSeconds = 10;

export function httpFunctionSettings(group: RouteGroup): FunctionSettings {
  return { timeoutSeconds: httpFunctionTimeoutSeconds, memoryMb: routeGroups[group].memoryMb };
}

/** The functions that are not behind the HTTP API: queue consumers, schedules, workflow tasks. */
export const functionSettings = {
  /** Outage alerts: one message to every recipient of an outage, paced at the SMS rate. */
  sendAlerts: { timeoutSeconds: 15 * 60, memoryMb: 512 },
  /** Every minute (EventBridge Scheduler): finished quiet hours and scheduled messages. */
  dispatchAlerts: { timeoutSeconds: 50, memoryMb: 512 },
  /** One page of a billing run (R-SE-12). */
  billingSegment: { timeoutSeconds: 5 * 60, memoryMb: 1024 },
  /** A region's billing schedule: starts its run, queues the segments. */
  billingRun: { timeoutSeconds: 60, memoryMb: 512 },
  /** 500 payments of an imported payment file. */
  paymentImportChunk: { timeoutSeconds: 2 * 60, memoryMb: 1024 },
  /** The dunning workflow's Task states. */
  dunningTasks: { timeoutSeconds: 30, memoryMb: 512 },
  /** Each morning: starts a dunning case for every overdue invoice. */
  overdueScan: { timeoutSeconds: 15 * 60, memoryMb: 512 },
  /** Every 5 minutes: queues the unfinished work of stalled jobs again (lambdas/jobs/sweep-jobs.ts). */
  jobSweeper: { timeoutSeconds: 2 * 60, memoryMb: 512 },
  /**
   * One document: renders an order (invoice, letter, notice) or hands a stored document to its
   * channel (three provider attempts of 10 s with backoff, and the stores around them); sweeps
   * stalled deliveries on its schedule (lambdas/jobs/deliver-documents.ts).
   */
  deliverDocuments: { timeoutSeconds: 90, memoryMb: 1024 },
} as const satisfies Record<string, FunctionSettings>;

export type FunctionName = keyof typeof functionSettings;

/** AWS's limits (fixed by AWS, or set so by CDK where a resource can choose). */
export const awsLimits = {
  /** API Gateway HTTP API: the integration gives up after 30 s (503 Service Unavailable). */
  httpApiIntegrationTimeoutMs: 30_000,
  /** API Gateway HTTP API: the request payload (10 MB); larger bodies get 413. */
  httpApiMaxRequestBytes: 10 * 1024 * 1024,
  /** Lambda: a synchronous invocation's request (the event) and its response: 6 MB each. */
  lambdaSyncPayloadBytes: 6 * 1024 * 1024,
  /**
   * SQS: the largest message body the service's queues accept. SQS allows up to 1 MiB since
   * 2025, but the queue attribute (MaximumMessageSize) decides; CDK sets it to this on every
   * queue (lib/constructs/*), so the embedded queues refuse exactly what AWS would.
   */
  sqsMaxMessageBytes: 262_144,
  /** Step Functions (Standard): a state's input or output, and an execution's input. */
  stepFunctionsPayloadBytes: 262_144,
} as const;
