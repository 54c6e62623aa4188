/**
 * Billing runs in AWS (docs/DATA.md, Billing): one EventBridge Scheduler schedule per
 * region of the utility's billing profile starts that region's run on its day of the month
 * (the run starter); a run puts one message per customer shard on the segment queue; the
 * segment function bills one page of a shard per message and queues the next page. The
 * `billing` route group (POST /v1/billing-runs) starts runs on the same queue.
 *
 * The schedules fire the expressions of cronForRegion, in the utility's zone: the embedded
 * stack's scheduler fires the same expressions off the local clock (local/stack.ts).
 */
import { Duration, Stack, TimeZone, Validations, type CfnResource } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { cronForRegion } from '../../lambdas/domain/billing/calendar.js';
import { profileFor } from '../../lambdas/domain/billing/profile.js';
import type { RouteGroup } from '../../lambdas/http/routes.js';
import type { UtilitySettings } from '../utility-settings.js';
import type { GroupEnvironment } from './customer-api.js';
import { acknowledgeTableIndexAccess } from './data-table.js';
import { ServiceFunction } from './service-function.js';
import { awsLimits, functionSettings } from '../function-settings.js';

/**
 * Route groups whose handlers build the billing use-cases (lambdas/http/billing.ts): they
 * need the environment and may enqueue segments (POST /v1/billing-runs starts a run).
 */
export const billingRouteGroups = ['billing'] as const satisfies readonly RouteGroup[];

/** Customers per segment message (BILLING_PAGE_SIZE): what one invocation of the segment function bills. */
export const billingPageSize = 200;
/** A page of 200 customers, each a handful of DynamoDB reads and a conditional invoice write. */
export const segmentTimeout = Duration.seconds(functionSettings.billingSegment.timeoutSeconds);
/** At least six times the function timeout (AWS's guidance for SQS event sources): 30 minutes. */
export const segmentQueueVisibilityTimeout = Duration.seconds(segmentTimeout.toSeconds() * 6);
export const segmentMaxReceiveCount = 3;
/**
 * Segment functions running at once. A run has at most one message per customer shard in
 * flight (32: each page queues the next page of its shard), so uncapped a run starts 32
 * invocations against the table the API also serves. An invocation bills its page customer
 * by customer (a dozen small reads, a few of them at once, and a few writes each): by
 * estimate at most some 300 reads and 100 writes a second. 8 stay below about 2,500 reads
 * and 1,000 writes a second: well inside what an on-demand table serves from its first day
 * (4,000 writes and 12,000 reads a second) without throttling, with room left for the API.
 * 20,000 customers are 100 pages, billed in minutes; above 32 nothing is gained.
 */
export const segmentConcurrency = 8;
/** Segment function errors (crash, timeout, configuration) are counted over this period. */
export const segmentErrorsPeriod = Duration.minutes(15);

export interface BillingProps {
  readonly table: TableV2;
  /** The utility's country (billing profile, regions) and zone (schedules): context `utility`. */
  readonly utility: UtilitySettings;
  /** Where the alarms go (the operations topic of OutageAlerts). */
  readonly alarmAction: IAlarmAction;
}

export interface BillingAlarms {
  /** Segments given up after 3 receives: customers of the run were not billed. */
  readonly deadLetters: Alarm;
  readonly segmentErrors: Alarm;
  /** A scheduled run did not start (the run starter failed). */
  readonly runStarterErrors: Alarm;
}

export class Billing extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly segmentFunction: ServiceFunction;
  readonly runStarter: ServiceFunction;
  /** By region of the billing profile, e.g. `Eda`. */
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly alarms: BillingAlarms;
  /** UTILITY_COUNTRY and BILLING_QUEUE_URL (lambdas/adapters/billing-wiring.ts), without TABLE_NAME. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: BillingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { table, utility } = props;

    this.deadLetterQueue = new Queue(this, 'SegmentDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'SegmentQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: segmentQueueVisibilityTimeout,
      maxMessageSizeBytes: awsLimits.sqsMaxMessageBytes,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: segmentMaxReceiveCount },
    });

    this.environment = { UTILITY_COUNTRY: utility.country, BILLING_QUEUE_URL: this.queue.queueUrl };
    const jobEnvironment = { ...this.environment, TABLE_NAME: table.tableName };

    this.segmentFunction = new ServiceFunction(this, 'SegmentFunction', {
      entry: 'lambdas/jobs/billing-segment.ts',
      memoryMb: functionSettings.billingSegment.memoryMb,
      description: 'Billing: bills one page of one customer shard of a run and queues the next page (SQS)',
      timeout: segmentTimeout,
      reservedConcurrentExecutions: segmentConcurrency,
      environment: { ...jobEnvironment, BILLING_PAGE_SIZE: String(billingPageSize) },
    });
    // maxConcurrency as well as the reservation: without it the event source polls with more
    // invocations than the reservation allows, and each throttled message counts a receive
    // towards the dead-letter queue.
    this.segmentFunction.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: segmentConcurrency }),
    );
    table.grantReadWriteData(this.segmentFunction.function);
    this.queue.grantSendMessages(this.segmentFunction.function); // the next page of the shard

    this.runStarter = new ServiceFunction(this, 'RunStarter', {
      entry: 'lambdas/jobs/billing-run.ts',
      memoryMb: functionSettings.billingRun.memoryMb,
      description: "Billing: starts a region's run of the month, one segment message per customer shard (schedule)",
      timeout: Duration.seconds(functionSettings.billingRun.timeoutSeconds),
      environment: jobEnvironment,
    });
    table.grantReadWriteData(this.runStarter.function);
    this.queue.grantSendMessages(this.runStarter.function);
    acknowledgeTableIndexAccess(this, table);

    this.schedules = this.createSchedules(stack, utility);
    this.alarms = this.createAlarms(props.alarmAction);
  }

  /** The environment of the billing route group, for CustomerApi's `groupEnvironment`. */
  get routeGroupEnvironment(): GroupEnvironment {
    return Object.fromEntries(billingRouteGroups.map((group) => [group, this.environment]));
  }

  /** Lets the billing route group start runs: put segments on the queue. */
  connectRouteGroups(functions: Readonly<Record<RouteGroup, ServiceFunction>>): void {
    for (const group of billingRouteGroups) this.queue.grantSendMessages(functions[group].function);
  }

  /** One schedule per region of the profile (R-SE-12): cronForRegion's expression in the utility's zone. */
  private createSchedules(stack: Stack, utility: UtilitySettings): ReadonlyMap<string, Schedule> {
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler: invokes the billing run starter',
    });
    const schedules = new Map<string, Schedule>();
    for (const region of profileFor(utility.country).regions) {
      const cron = cronForRegion(region);
      schedules.set(
        region.region,
        new Schedule(this, `RunSchedule-${region.region}`, {
          schedule: ScheduleExpression.expression(cron.eventBridge, TimeZone.of(utility.zone)),
          description: `Billing: start the ${region.region} run of the month (day ${region.dayOfMonth}, ${cron.eventBridge} ${utility.zone})`,
          // Invocation is asynchronous: the retries cover a failed hand-over to Lambda
          // (throttling); within the default 24 hours of event age. Starting a run twice finds the first.
          target: new LambdaInvoke(this.runStarter.function, {
            role,
            input: ScheduleTargetInput.fromObject({ region: region.region }),
            retryAttempts: 2,
          }),
        }),
      );
    }
    const runStarterLogicalId: string = stack.resolve((this.runStarter.function.node.defaultChild as CfnResource).logicalId);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${runStarterLogicalId}.Arn>:*]`,
      reason:
        'LambdaInvoke grants lambda:InvokeFunction with grantInvoke: the billing run starter and its versions/aliases ("<arn>:*"), no other function.',
    });
    return schedules;
  }

  private createAlarms(action: IAlarmAction): BillingAlarms {
    const deadLetters = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Billing segments were given up after ${segmentMaxReceiveCount} attempts and are in the dead-letter queue: the customers of those pages (and the rest of their shard) were not billed.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const segmentErrors = new Alarm(this, 'SegmentErrorsAlarm', {
      alarmDescription: 'The billing segment function failed (crash, timeout or configuration) in the last 15 minutes; the queue retries the page.',
      metric: this.segmentFunction.function.metricErrors({ statistic: 'Sum', period: segmentErrorsPeriod }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const runStarterErrors = new Alarm(this, 'RunStarterErrorsAlarm', {
      alarmDescription: "The billing run starter failed: a region's scheduled run may not have started this month (start it with POST /v1/billing-runs).",
      metric: this.runStarter.function.metricErrors({ statistic: 'Sum', period: segmentErrorsPeriod }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const alarms = { deadLetters, segmentErrors, runStarterErrors };
    for (const alarm of Object.values(alarms)) alarm.addAlarmAction(action);
    return alarms;
  }
}
