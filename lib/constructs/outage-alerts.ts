/**
 * Outage alerts in AWS: the send queue (and its dead-letter queue) feeding the sending
 * function, the dispatcher EventBridge Scheduler runs every minute, the account's SNS SMS
 * settings, and the alarms operations need (on the service's one alarm topic). The settings
 * come from the CDK context keys `alerts` (lib/alert-settings.ts) and `utility` (country,
 * zone: lib/utility-settings.ts); `environment` is what every function that builds the
 * outage-alert use-cases (lambdas/adapters/alerts-wiring.ts) needs at cold start, the HTTP
 * route groups `alerts` and `outages` included (routeGroupEnvironment, connectRouteGroups).
 */
import { Arn, ArnFormat, Duration, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IAlarmAction,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { RouteGroup } from '../../lambdas/http/routes.js';
import { alertEnvironment, checkAlertEnvironment, type OutageAlertSettings } from '../alert-settings.js';
import type { UtilitySettings } from '../utility-settings.js';
import type { GroupEnvironment } from './customer-api.js';
import { acknowledgeTableIndexAccess } from './data-table.js';
import { logRetention, ServiceFunction } from './service-function.js';
import { awsLimits, functionSettings } from '../function-settings.js';

/** Route groups whose handlers build the outage-alert use-cases at cold start (lambdas/http/alerts.ts, outages.ts). */
export const alertRouteGroups = ['alerts', 'outages'] as const satisfies readonly RouteGroup[];
/**
 * Of those, the groups that put messages on the queue: createOutage, postUpdate and the
 * acknowledgement of crowd reports (outages); the chunks of a large register import (alerts).
 */
export const enqueueingRouteGroups = ['alerts', 'outages'] as const satisfies readonly RouteGroup[];

/** One invocation sends one outage message to all its recipients at the configured pace: 18,000 SMS at 20/s. */
export const senderTimeout = Duration.seconds(functionSettings.sendAlerts.timeoutSeconds);
/**
 * AWS: at least six times the function timeout, so that a batch the event source could not
 * hand over (the single sender is busy: throttled) is retried before it becomes visible again.
 */
export const sendQueueVisibilityTimeout = Duration.seconds(senderTimeout.toSeconds() * 6);
export const sendMaxReceiveCount = 3;
/**
 * Sending instances at once: chunks of one or several outages in parallel under the shared
 * pace (the pace, not this, limits the rate; this bounds the DynamoDB budget writes a second).
 */
export const senderConcurrency = 10;
/** Single failures (a switched-off phone, a number that cannot take SMS) are normal and recorded per recipient. */
export const smsFailuresAlarmThreshold = 10;

export interface OutageAlertsProps {
  readonly table: TableV2;
  readonly settings: OutageAlertSettings;
  /** The utility's country and zone (context `utility`). */
  readonly utility: UtilitySettings;
}

export interface OutageAlertAlarms {
  readonly smsSpend: Alarm;
  readonly deadLetters: Alarm;
  readonly senderErrors: Alarm;
  readonly smsFailures: Alarm;
}

export class OutageAlerts extends Construct {
  readonly settings: OutageAlertSettings;
  readonly utility: UtilitySettings;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly sender: ServiceFunction;
  readonly dispatcher: ServiceFunction;
  readonly dispatchSchedule: Schedule;
  /** SNS account settings of the region: Transactional, the sender id, the monthly spend limit. */
  readonly smsAccountSettings: AwsCustomResource;
  /**
   * Where the alarms go: subscribe the on-call address or chat integration (docs/DEPLOY.md).
   * The service's one operations topic: other capabilities (Billing, DunningWorkflow) send their alarms here too.
   */
  readonly alarmTopic: Topic;
  readonly alarms: OutageAlertAlarms;
  /** The alert environment (MESSAGING=sns, SEND_QUEUE_URL, ALERT_*, SMS_*, ...) without TABLE_NAME. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: OutageAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { settings, table, utility } = props;
    this.settings = settings;
    this.utility = utility;
    checkAlertEnvironment(settings, utility);

    this.deadLetterQueue = new Queue(this, 'SendDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'SendQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: sendQueueVisibilityTimeout,
      maxMessageSizeBytes: awsLimits.sqsMaxMessageBytes,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: sendMaxReceiveCount },
    });

    this.environment = alertEnvironment(settings, utility, this.queue.queueUrl);
    const jobEnvironment = { ...this.environment, TABLE_NAME: table.tableName };

    // The sending function. An outage message is sent in chunks of 250 recipients, one SQS
    // message each, by up to `senderConcurrency` instances at once; every send first takes
    // its message parts from the origination identity's budget for the current second in
    // DynamoDB (SMS_RATE_PER_SECOND parts a second, as End User Messaging SMS counts its
    // throughput), so two outages at once share the pace instead of doubling it.
    this.sender = new ServiceFunction(this, 'Sender', {
      entry: 'lambdas/jobs/send-alerts.ts',
      memoryMb: functionSettings.sendAlerts.memoryMb,
      description: 'Outage alerts: sends one outage message to its recipients, or runs one outage job (SQS)',
      timeout: senderTimeout,
      reservedConcurrentExecutions: senderConcurrency,
      environment: jobEnvironment,
    });
    this.sender.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: senderConcurrency }),
    );
    table.grantReadWriteData(this.sender.function);
    // An outage job (`{ jobId }`: an area too large for its request) runs here and puts the
    // message it releases back on this queue.
    this.queue.grantSendMessages(this.sender.function);
    this.grantMessaging(stack);

    // Held messages (R-SMS-6) whose time has come go to the queue, every minute.
    this.dispatcher = new ServiceFunction(this, 'Dispatcher', {
      entry: 'lambdas/jobs/dispatch-alerts.ts',
      memoryMb: functionSettings.dispatchAlerts.memoryMb,
      description: 'Outage alerts: releases held messages to the send queue (every minute)',
      timeout: Duration.seconds(functionSettings.dispatchAlerts.timeoutSeconds),
      environment: jobEnvironment,
    });
    table.grantReadWriteData(this.dispatcher.function);
    this.queue.grantSendMessages(this.dispatcher.function);
    acknowledgeTableIndexAccess(this, table);

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler: invokes the outage-alert dispatcher',
    });
    this.dispatchSchedule = new Schedule(this, 'DispatchSchedule', {
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      description: 'Outage alerts: release held messages whose time has come',
      // A missed run is not retried for long: the next minute's run does the same work.
      target: new LambdaInvoke(this.dispatcher.function, {
        role: schedulerRole,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(1),
      }),
    });
    const dispatcherLogicalId: string = stack.resolve((this.dispatcher.function.node.defaultChild as CfnResource).logicalId);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${dispatcherLogicalId}.Arn>:*]`,
      reason:
        'LambdaInvoke grants lambda:InvokeFunction with grantInvoke: the dispatcher function and its versions/aliases ("<arn>:*"), no other function.',
    });

    this.smsAccountSettings = this.createSmsAccountSettings(stack);
    this.alarmTopic = this.createAlarmTopic(stack);
    this.alarms = this.createAlarms(new SnsAction(this.alarmTopic));
  }

  /**
   * The environment of the HTTP route groups that build the outage-alert use-cases, for
   * CustomerApi's `groupEnvironment`.
   */
  get routeGroupEnvironment(): GroupEnvironment {
    return Object.fromEntries(alertRouteGroups.map((group) => [group, this.environment]));
  }

  /** Lets the route groups that enqueue sends (enqueueingRouteGroups) put messages on the queue. */
  connectRouteGroups(functions: Readonly<Record<RouteGroup, ServiceFunction>>): void {
    for (const group of enqueueingRouteGroups) this.queue.grantSendMessages(functions[group].function);
  }

  /** SMS through SNS, voice calls through End User Messaging: the sending function only. */
  private grantMessaging(stack: Stack): void {
    const voice = voiceOriginationResource(stack, this.settings.voiceOriginationIdentity);
    const policy = new Policy(this, 'MessagingPolicy', {
      roles: [this.sender.role],
      statements: [
        new PolicyStatement({
          sid: 'SmsToPhoneNumbers',
          effect: Effect.ALLOW,
          actions: ['sns:Publish'],
          // Publishing to a phone number has no resource ARN: IAM requires "*". SNS has no
          // condition key for the destination of a Publish; what can be bound is the region,
          // so every SMS goes through this region's account settings (spend limit, sender id,
          // Transactional) and shows in its metrics and alarms.
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
        }),
        new PolicyStatement({
          sid: 'VoiceCalls',
          effect: Effect.ALLOW,
          actions: ['sms-voice:SendVoiceMessage'],
          resources: [voice.arn],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'sns:Publish to a phone number (PhoneNumber, not a topic) has no resource ARN, so IAM requires Resource "*"; the statement is bound to this region (aws:RequestedRegion), whose SNS spend limit and alarms apply, and is attached to the sending function only.',
    });
    if (!voice.exact) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:<AWS::Region>:<AWS::AccountId>:phone-number/*]',
        reason:
          'The voice origination identity is configured as an E.164 number, whose phone-number id (the ARN suffix) is unknown at synth time: the grant covers the origination numbers of this account and region. Configure the phone-number id, pool id or ARN to narrow it to one resource.',
      });
    }
  }

  /** SNS `SetSMSAttributes` on create and update: account-wide for the region, so one stack per account and region owns them. */
  private createSmsAccountSettings(stack: Stack): AwsCustomResource {
    const logGroup = new LogGroup(this, 'SmsAccountSettingsLogs', { retention: logRetention });
    // An own role instead of the default (AWSLambdaBasicExecutionRole, every log group).
    const role = new Role(this, 'SmsAccountSettingsRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom resource: sets the SNS SMS account settings of the region',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const call = {
      service: 'SNS',
      action: 'setSMSAttributes',
      parameters: {
        attributes: {
          DefaultSMSType: 'Transactional',
          DefaultSenderID: this.settings.smsSenderId,
          MonthlySpendLimit: String(this.settings.monthlySmsSpendLimitUsd),
        },
      },
      physicalResourceId: PhysicalResourceId.of(`${stack.stackName}-sns-sms-attributes`),
    };
    const resource = new AwsCustomResource(this, 'SmsAccountSettings', {
      resourceType: 'Custom::SnsSmsAttributes',
      onCreate: call,
      onUpdate: call,
      // No onDelete: removing the stack leaves the account's SMS settings as they are.
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
      ]),
      role,
      logGroup,
      // The SDK of the runtime: no download from npm at deploy time.
      installLatestAwsSdk: false,
    });
    // The policy AwsCustomResource attaches to the role (its CustomResourcePolicy).
    Validations.of(resource).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'sns:SetSMSAttributes sets account-level SMS settings and supports no resource-level permissions, so IAM requires Resource "*"; the policy belongs to this custom resource, which calls only this action.',
    });
    return resource;
  }

  private createAlarmTopic(stack: Stack): Topic {
    // CloudWatch cannot publish to a topic encrypted with the AWS managed key (aws/sns):
    // a customer managed key whose policy lets CloudWatch use it (AWS's documented
    // statement, without conditions: which alarms may publish is the topic policy's job).
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the operations alarm topic (outage alerts, billing)',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Utility service: operations alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL replaces the default topic policy: allow this account's alarms explicitly.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    return topic;
  }

  private createAlarms(action: IAlarmAction): OutageAlertAlarms {
    const fiveMinutes = Duration.minutes(5);
    const spendLimit = this.settings.monthlySmsSpendLimitUsd;

    const smsSpend = new Alarm(this, 'SmsSpendAlarm', {
      alarmDescription: `SNS SMS spend this month reached 80 % of the monthly limit (${spendLimit} USD); at the limit SNS stops sending SMS.`,
      metric: new Metric({
        namespace: 'AWS/SNS',
        metricName: 'SMSMonthToDateSpentUSD',
        statistic: 'Maximum',
        period: fiveMinutes,
      }),
      threshold: 0.8 * spendLimit,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const deadLetters = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Outage messages were given up after ${sendMaxReceiveCount} attempts and are in the dead-letter queue: their recipients may not have been alerted.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const senderErrors = new Alarm(this, 'SenderErrorsAlarm', {
      alarmDescription: 'The outage-alert sending function failed (crash, timeout or configuration) in the last 5 minutes.',
      metric: this.sender.function.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // SNS publishes SMS delivery metrics per dimension set, not per account. Which set
    // carries NumberOfNotificationsFailed for Publish-to-phone-number was not verified
    // against an account: the alarm sums the two candidates (PhoneNumber=PhoneNumberDirect,
    // and Country+SMSType as used by SMSSuccessRate), each missing one counting as 0.
    const failed = (dimensionsMap: Record<string, string>) =>
      new Metric({ namespace: 'AWS/SNS', metricName: 'NumberOfNotificationsFailed', dimensionsMap, statistic: 'Sum', period: fiveMinutes });
    const smsFailures = new Alarm(this, 'SmsFailuresAlarm', {
      alarmDescription: `At least ${smsFailuresAlarmThreshold} SMS failed in 5 minutes: sender id refused, spend limit reached or a carrier problem (see the SNS SMS delivery logs).`,
      metric: new MathExpression({
        expression: 'FILL(direct, 0) + FILL(bytype, 0)',
        usingMetrics: {
          direct: failed({ PhoneNumber: 'PhoneNumberDirect' }),
          bytype: failed({ Country: this.utility.country, SMSType: 'Transactional' }),
        },
        label: 'Failed SMS',
        period: fiveMinutes,
      }),
      threshold: smsFailuresAlarmThreshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const alarms = { smsSpend, deadLetters, senderErrors, smsFailures };
    for (const alarm of Object.values(alarms)) alarm.addAlarmAction(action);
    return alarms;
  }
}

/**
 * The IAM resource of SendVoiceMessage for the configured origination identity: a pool or
 * phone-number id or ARN is one resource; an E.164 number has an id we cannot know at
 * synth time, so it becomes every origination number of the account and region.
 */
export function voiceOriginationResource(stack: Stack, identity: string): { arn: string; exact: boolean } {
  if (identity.startsWith('arn:')) return { arn: identity, exact: true };
  const arn = (resource: string, resourceName: string) =>
    Arn.format({ service: 'sms-voice', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack);
  if (identity.startsWith('pool-')) return { arn: arn('pool', identity), exact: true };
  if (identity.startsWith('phone-')) return { arn: arn('phone-number', identity), exact: true };
  return { arn: arn('phone-number', '*'), exact: false };
}
