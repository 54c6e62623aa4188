/**
 * What an operator watches for the whole service (issue 14, observability): an errors and a
 * throttles alarm on every function of the stack, API Gateway 5xx, and one place the alarms
 * go — every alarm of the stack, those of the capability constructs included, sends to the
 * one operations topic (an aspect adds the action to any alarm that has none). The alarms'
 * state and the business metrics the functions emit (lambdas/domain/metrics.ts, in the
 * stack's namespace) are shown on the dashboard the stack already has.
 */
import { Aspects, Duration, Stack, type IAspect } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  CfnAlarm,
  ComparisonOperator,
  GraphWidget,
  Metric,
  TreatMissingData,
  type Dashboard,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { dunningStages } from '../../lambdas/domain/dunning/policy.js';
import { workOrderTypes } from '../../lambdas/domain/dunning/case.js';
import { businessMetricNames } from '../../lambdas/domain/metrics.js';
import { serviceName } from '../../lambdas/adapters/service-name.js';
import { metricsNamespace, ServiceFunction } from './service-function.js';

export interface OperationsProps {
  /** The topic an operator subscribes to (docs/DEPLOY.md). */
  readonly alarmTopic: ITopic;
  readonly api: HttpApi;
  /** The stack's dashboard: the alarms' state and the API's health go on it. */
  readonly dashboard: Dashboard;
}

const fiveMinutes = Duration.minutes(5);

/** Adds the operations topic to every CloudWatch alarm that has no alarm action. */
class AlarmsToTopic implements IAspect {
  constructor(private readonly topicArn: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnAlarm)) return;
    // An L2 alarm keeps its actions behind a lazy value: resolve it to see whether there are any.
    const actions: unknown = Stack.of(node).resolve(node.alarmActions);
    if (actions === undefined || (Array.isArray(actions) && actions.length === 0)) node.alarmActions = [this.topicArn];
  }
}

/** A readable alarm name part from a construct path: `Billing/SegmentWorker` → `Billing-SegmentWorker`. */
function functionLabel(fn: ServiceFunction, stack: Stack): string {
  return fn.node.path.slice(stack.node.path.length + 1).replace(/\//g, '-');
}

export class Operations extends Construct {
  /**
   * Per function (by construct path below the stack): its throttles alarm, and its errors alarm
   * unless its capability has its own on the same metric.
   */
  readonly functionAlarms: ReadonlyMap<string, { errors?: Alarm; throttles: Alarm }>;
  readonly apiServerErrors: Alarm;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Every function built so far (the Operations construct is made last in the stack).
    const functions = stack.node.findAll().filter((node): node is ServiceFunction => node instanceof ServiceFunction);
    // A capability's own alarm on a function's errors (with its runbook text) stands; the others get one here.
    const watched = new Set(
      stack.node.findAll().flatMap((node) => {
        if (!(node instanceof Alarm) || !(node.metric instanceof Metric)) return [];
        const name = node.metric.dimensions?.FunctionName;
        return node.metric.metricName === 'Errors' && typeof name === 'string' ? [`${node.metric.namespace}:${name}`] : [];
      }),
    );
    const alarms = new Map<string, { errors?: Alarm; throttles: Alarm }>();
    for (const fn of functions) {
      const label = functionLabel(fn, stack);
      const errorsMetric = fn.function.metricErrors({ statistic: 'Sum', period: fiveMinutes });
      const errors = watched.has(`${errorsMetric.namespace}:${fn.function.functionName}`)
        ? undefined
        : new Alarm(this, `${label}-Errors`, {
        alarmDescription: `${label}: the function failed (an error, a timeout or out of memory) in the last 5 minutes. Its log group: ${fn.node.path}/Logs.`,
        metric: errorsMetric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      const throttles = new Alarm(this, `${label}-Throttles`, {
        alarmDescription: `${label}: invocations were throttled in the last 5 minutes (reserved concurrency or the account's limit reached).`,
        metric: fn.function.metricThrottles({ statistic: 'Sum', period: fiveMinutes }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarms.set(label, { ...(errors ? { errors } : {}), throttles });
    }
    this.functionAlarms = alarms;

    this.apiServerErrors = new Alarm(this, 'ApiServerErrors', {
      alarmDescription: 'The HTTP API answered 5xx (a function failed or timed out behind a route) in the last 5 minutes.',
      metric: props.api.metricServerError({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    Aspects.of(stack).add(new AlarmsToTopic(props.alarmTopic.topicArn));

    const allAlarms = [this.apiServerErrors, ...[...alarms.values()].flatMap(({ errors, throttles }) => (errors ? [errors, throttles] : [throttles]))];
    props.dashboard.addWidgets(
      new GraphWidget({
        title: 'HTTP API: requests, 4xx, 5xx (per 5 minutes)',
        left: [
          props.api.metricCount({ statistic: 'Sum', period: fiveMinutes }),
          props.api.metricClientError({ statistic: 'Sum', period: fiveMinutes }),
          props.api.metricServerError({ statistic: 'Sum', period: fiveMinutes }),
        ],
        width: 12,
        height: 6,
      }),
      new GraphWidget({
        title: 'HTTP API latency p99 (ms)',
        left: [props.api.metricLatency({ statistic: 'p99', period: fiveMinutes })],
        width: 12,
        height: 6,
      }),
      new AlarmStatusWidget({ title: 'Service alarms (all go to the operations topic)', alarms: allAlarms, width: 24, height: 8 }),
    );
    props.dashboard.addWidgets(...businessWidgets(metricsNamespace(stack)));
  }
}

/** The business metrics (lambdas/adapters/observability.ts writes them as EMF), summed per period. */
function businessWidgets(namespace: string): GraphWidget[] {
  const hour = Duration.hours(1);
  const day = Duration.days(1);
  const metric = (metricName: string, period: Duration, extra: Record<string, string> = {}, label?: string) =>
    new Metric({ namespace, metricName, dimensionsMap: { service: serviceName, ...extra }, statistic: 'Sum', period, ...(label ? { label } : {}) });
  const n = businessMetricNames;
  return [
    new GraphWidget({
      title: 'Outage alerts (per hour)',
      left: [metric(n.outagesCreated, hour), metric(n.smsFailed, hour), metric(n.voiceCallsFailed, hour)],
      right: [metric(n.outageRecipients, hour), metric(n.smsSent, hour), metric(n.voiceCallsSent, hour)],
      width: 8,
      height: 6,
    }),
    new GraphWidget({
      title: 'Invoices and payments (per day)',
      left: [metric(n.invoicesIssued, day), metric(n.paymentsBooked, day), metric(n.paymentsUnmatched, day)],
      width: 8,
      height: 6,
    }),
    new GraphWidget({
      title: 'Dunning stages entered and work orders (per day)',
      left: (['overdue', ...dunningStages] as const).map((stage) => metric(n.dunningStageEntered, day, { stage }, stage)),
      right: workOrderTypes.map((type) => metric(n.workOrdersCreated, day, { type }, `work order: ${type}`)),
      width: 8,
      height: 6,
    }),
  ];
}
