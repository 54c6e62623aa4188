/**
 * The sweeper of background jobs (lambdas/jobs/sweep-jobs.ts): EventBridge Scheduler runs it
 * every five minutes; it re-queues the unfinished segments of stalled billing runs and the
 * unbooked chunks of stalled payment imports. An alarm fires when it had to re-queue anything
 * (a message was lost or dead-lettered, or a worker died past its queue's redelivery).
 */
import { Duration, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionSettings } from '../function-settings.js';
import { acknowledgeTableIndexAccess } from './data-table.js';
import { ServiceFunction } from './service-function.js';

/** How often the sweeper looks. */
export const sweepEvery = Duration.minutes(5);
export const requeuedMetric = { namespace: 'NordicUtility/Jobs', name: 'StalledJobsRequeued' } as const;

export interface JobSweeperProps {
  readonly table: TableV2;
  /** The environments of the job kinds it resumes (billing-wiring's and payment-import-wiring's). */
  readonly environment: Readonly<Record<string, string>>;
  /** The queues it puts work on again. */
  readonly queues: readonly IQueue[];
  readonly alarmAction: IAlarmAction;
}

export class JobSweeper extends Construct {
  readonly function: ServiceFunction;
  readonly schedule: Schedule;
  readonly requeuedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: JobSweeperProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.function = new ServiceFunction(this, 'Function', {
      entry: 'lambdas/jobs/sweep-jobs.ts',
      memoryMb: functionSettings.jobSweeper.memoryMb,
      description: 'Jobs: re-queues the unfinished work of stalled billing runs and payment imports (schedule)',
      timeout: Duration.seconds(functionSettings.jobSweeper.timeoutSeconds),
      environment: { ...props.environment, TABLE_NAME: props.table.tableName },
    });
    props.table.grantReadWriteData(this.function.function);
    for (const queue of props.queues) queue.grantSendMessages(this.function.function);
    acknowledgeTableIndexAccess(this, props.table);

    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'EventBridge Scheduler: invokes the job sweeper',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.rate(sweepEvery),
      description: 'Jobs: look for stalled billing runs and payment imports and queue their unfinished work again',
      target: new LambdaInvoke(this.function.function, { role, retryAttempts: 0 }),
    });
    const functionLogicalId: string = stack.resolve((this.function.function.node.defaultChild as CfnResource).logicalId);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
      reason: 'LambdaInvoke grants lambda:InvokeFunction with grantInvoke: the sweeper and its versions/aliases ("<arn>:*"), no other function.',
    });

    const filter = new MetricFilter(this, 'RequeuedFilter', {
      logGroup: this.function.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', 'stalled jobs re-queued'),
      metricNamespace: requeuedMetric.namespace,
      metricName: requeuedMetric.name,
      metricValue: '$.jobs',
      defaultValue: 0,
    });
    this.requeuedAlarm = new Alarm(this, 'RequeuedAlarm', {
      alarmDescription:
        'The job sweeper re-queued the unfinished work of a stalled billing run or payment import (a message was lost or dead-lettered, or a worker died): the job goes on by itself; read the sweeper\'s log for the ids and the dead-letter queues for the cause.',
      metric: filter.metric({ statistic: 'Sum', period: Duration.minutes(15) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.requeuedAlarm.addAlarmAction(props.alarmAction);
  }
}
