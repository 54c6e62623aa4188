/**
 * Document delivery in AWS (docs/DELIVERY.md): the documents' bucket, the delivery queue and
 * its job, the email identity and the configuration set whose bounces and complaints come back,
 * and the SMS receipts and inbound stop words of outage alerts.
 *
 * - Documents: an S3 bucket (SSE-S3, TLS 1.2+ only, private, versioned, access-logged), kept
 *   (accounting records: no expiry), moved to Infrequent Access after 90 days.
 * - The delivery job (lambdas/jobs/deliver-documents.ts): SQS with a dead-letter queue after
 *   `deliveryMaxReceives`; the last receive falls back from a channel still unavailable. Every
 *   15 minutes the same function sweeps deliveries a lost message left queued.
 * - Email: a verified SES identity (a domain, with Easy DKIM, or one address) from the context,
 *   a configuration set whose event destination publishes bounces and complaints to an SNS
 *   topic → lambdas/jobs/email-events.ts (the address is marked; the next document falls back).
 * - The e-invoice operator and the print service: HTTPS APIs, their keys in Secrets Manager.
 * - SMS: an End User Messaging SMS configuration set whose event destination publishes the
 *   receipts to a topic → lambdas/jobs/sms-events.ts; a topic for the number's two-way channel
 *   → lambdas/jobs/sms-inbound.ts (stop words). The number is set up outside the stack
 *   (docs/DEPLOY.md): its two-way channel is the inbound topic, its sends use the configuration set.
 *
 * Grants, least privilege: objects under `documents/` only; SES sending from the identity with
 * the configuration set only; the two secrets read only.
 */
import { Duration, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EmailIdentity, EmailSendingEvent, EventDestination, Identity } from 'aws-cdk-lib/aws-ses';
import { CfnConfigurationSet as CfnSmsConfigurationSet } from 'aws-cdk-lib/aws-smsvoice';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { accessLogBucket } from './access-logs.js';
import type { RouteGroup } from '../../lambdas/http/routes.js';
import type { DeliverySettings } from '../delivery-settings.js';
import type { GroupEnvironment } from './customer-api.js';
import { acknowledgeTableIndexAccess } from './data-table.js';
import { ServiceFunction } from './service-function.js';
import { awsLimits, functionSettings } from '../function-settings.js';

/** Where documents are in the bucket: the only prefix any function may read or write. */
export const documentPrefix = 'documents/';
/** The delivery function's timeout: three provider attempts of 10 s with backoff, and the stores around them. */
export const deliveryTimeout = Duration.seconds(functionSettings.deliverDocuments.timeoutSeconds);
export const deliveryQueueVisibilityTimeout = Duration.seconds(deliveryTimeout.toSeconds() * 6);
export const deliveryMaxReceives = 3;
/** Deliveries at once: what the print service and the operator are asked to take in parallel. */
export const deliveryConcurrency = 10;
/** The receipts that settle an SMS (lambdas/domain/alerts/receipts.ts). */
export const smsReceiptEvents = [
  'TEXT_DELIVERED', 'TEXT_SUCCESSFUL', 'TEXT_BLOCKED', 'TEXT_TTL_EXPIRED', 'TEXT_CARRIER_UNREACHABLE', 'TEXT_INVALID', 'TEXT_INVALID_MESSAGE',
  'TEXT_CARRIER_BLOCKED', 'TEXT_UNREACHABLE', 'TEXT_SPAM', 'TEXT_UNKNOWN',
];

export interface DocumentDeliveryProps {
  readonly table: TableV2;
  readonly settings: DeliverySettings;
  readonly alarmAction: IAlarmAction;
  /** The utility's country: the e-invoice format (Finvoice in FI, Peppol BIS in SE and NO) and the letters' calendar. */
  readonly country: 'SE' | 'FI' | 'NO';
}

export interface DocumentDeliveryAlarms {
  /** Delivery jobs given up after `deliveryMaxReceives`: their documents stay queued until the sweeper. */
  readonly deadLetters: Alarm;
}

export class DocumentDelivery extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deliverFunction: ServiceFunction;
  readonly emailEventsFunction: ServiceFunction;
  readonly smsEventsFunction: ServiceFunction;
  readonly smsInboundFunction: ServiceFunction;
  readonly emailIdentity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly eventsKey: Key;
  readonly emailEventsTopic: Topic;
  readonly smsEventsTopic: Topic;
  readonly smsInboundTopic: Topic;
  readonly smsConfigurationSet: CfnSmsConfigurationSet;
  readonly sweepSchedule: Schedule;
  readonly alarms: DocumentDeliveryAlarms;
  /** What lambdas/adapters/delivery-wiring.ts reads (DELIVERY_MODE=aws and its settings). */
  readonly environment: Readonly<Record<string, string>>;
  private readonly secrets: ISecret[];

  constructor(scope: Construct, id: string, props: DocumentDeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { settings } = props;
    this.accessLogs = accessLogBucket(this, 'the documents bucket');
    this.bucket = new Bucket(this, 'Documents', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: documentPrefix,
      lifecycleRules: [{ id: 'infrequent-access', prefix: documentPrefix, transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) }] }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new Queue(this, 'DeliveryDeadLetterQueue', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.queue = new Queue(this, 'DeliveryQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: deliveryQueueVisibilityTimeout,
      maxMessageSizeBytes: awsLimits.sqsMaxMessageBytes,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: deliveryMaxReceives },
    });

    // Email: the identity, and the configuration set that reports bounces and complaints.
    this.eventsKey = new Key(this, 'EventTopicsKey', { description: 'Encrypts the email and SMS event topics of document delivery', enableKeyRotation: true });
    for (const service of ['ses.amazonaws.com', 'sms-voice.amazonaws.com']) {
      this.eventsKey.addToResourcePolicy(
        new PolicyStatement({ principals: [new ServicePrincipal(service)], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'] }),
      );
    }
    this.emailEventsTopic = this.eventTopic('EmailEventsTopic', 'Document delivery: SES bounces and complaints', 'ses.amazonaws.com');
    this.smsEventsTopic = this.eventTopic('SmsEventsTopic', 'Outage alerts: SMS delivery receipts', 'sms-voice.amazonaws.com');
    this.smsInboundTopic = this.eventTopic('SmsInboundTopic', 'Outage alerts: inbound SMS (stop words)', 'sms-voice.amazonaws.com');

    this.configurationSet = new ConfigurationSet(this, 'EmailConfigurationSet', { reputationMetrics: true, sendingEnabled: true });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.emailEventsTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    this.emailIdentity = new EmailIdentity(this, 'EmailIdentity', {
      identity: settings.emailIdentity.includes('@') ? Identity.email(settings.emailIdentity) : Identity.domain(settings.emailIdentity),
      configurationSet: this.configurationSet,
    });

    this.smsConfigurationSet = new CfnSmsConfigurationSet(this, 'SmsConfigurationSet', {
      eventDestinations: [{
        eventDestinationName: 'receipts',
        enabled: true,
        matchingEventTypes: smsReceiptEvents,
        snsDestination: { topicArn: this.smsEventsTopic.topicArn },
      }],
    });

    this.secrets = [];
    const secretOf = (name: string, secretName: string) => {
      const secret = Secret.fromSecretNameV2(this, name, secretName);
      this.secrets.push(secret);
      return secret.secretName;
    };
    this.environment = {
      DELIVERY_MODE: 'aws',
      DOCUMENT_BUCKET: this.bucket.bucketName,
      DELIVERY_QUEUE_URL: this.queue.queueUrl,
      SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
      EMAIL_FROM_ADDRESS: settings.emailFromAddress,
      EMAIL_FROM_NAME: settings.emailFromName,
      PRINT_API_URL: settings.printService.apiUrl,
      PRINT_API_SECRET_ID: secretOf('PrintServiceSecret', settings.printService.apiSecretName),
      ...(settings.eInvoiceOperator
        ? { EINVOICE_API_URL: settings.eInvoiceOperator.apiUrl, EINVOICE_API_SECRET_ID: secretOf('EInvoiceOperatorSecret', settings.eInvoiceOperator.apiSecretName) }
        : {}),
      DELIVERY_MAX_RECEIVES: String(deliveryMaxReceives),
      DELIVERY_CLAIM_STALE_SECONDS: String(deliveryTimeout.toSeconds()),
    };

    this.deliverFunction = new ServiceFunction(this, 'DeliverFunction', {
      entry: 'lambdas/jobs/deliver-documents.ts',
      memoryMb: functionSettings.deliverDocuments.memoryMb,
      description: 'Document delivery: hands one document to its channel (e-invoice, email, digital mailbox, paper), falls back (SQS); sweeps stalled deliveries (schedule)',
      timeout: deliveryTimeout,
      // It also composes the documents ordered on its queue: the letterhead and parties they name.
      environment: { ...this.environment, TABLE_NAME: props.table.tableName, UTILITY_COUNTRY: props.country, UTILITY_LETTERS_JSON: JSON.stringify(settings.letters) },
    });
    this.deliverFunction.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: deliveryConcurrency }),
    );
    props.table.grantReadWriteData(this.deliverFunction.function);
    this.queue.grantSendMessages(this.deliverFunction.function);
    this.grantDocuments(this.deliverFunction, ['s3:GetObject', 's3:PutObject'], 'the delivery job reads the documents it sends (and the sweeper nothing else)');
    this.emailIdentity.grantSendEmail(this.deliverFunction.function);
    this.deliverFunction.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName })],
      }),
    );
    for (const secret of this.secrets) secret.grantRead(this.deliverFunction.function);

    this.emailEventsFunction = new ServiceFunction(this, 'EmailEventsFunction', {
      entry: 'lambdas/jobs/email-events.ts',
      memoryMb: 512,
      description: 'Document delivery: records SES bounces and complaints, marks the address (SNS)',
      environment: { ...this.environment, TABLE_NAME: props.table.tableName },
    });
    this.smsEventsFunction = new ServiceFunction(this, 'SmsEventsFunction', {
      entry: 'lambdas/jobs/sms-events.ts',
      memoryMb: 512,
      description: 'Outage alerts: SMS delivery receipts move recipients from sent to delivered or failed (SNS)',
      environment: { TABLE_NAME: props.table.tableName },
    });
    this.smsInboundFunction = new ServiceFunction(this, 'SmsInboundFunction', {
      entry: 'lambdas/jobs/sms-inbound.ts',
      memoryMb: 512,
      description: 'Outage alerts: an inbound stop word opts the number out (SNS, R-SMS-3)',
      environment: { TABLE_NAME: props.table.tableName },
    });
    for (const [fn, topic] of [
      [this.emailEventsFunction, this.emailEventsTopic],
      [this.smsEventsFunction, this.smsEventsTopic],
      [this.smsInboundFunction, this.smsInboundTopic],
    ] as const) {
      props.table.grantReadWriteData(fn.function);
      topic.addSubscription(new LambdaSubscription(fn.function));
    }
    acknowledgeTableIndexAccess(this, props.table);

    this.sweepSchedule = this.createSweepSchedule(stack);
    this.alarms = this.createAlarms(props.alarmAction);
  }

  /** The environment of the `documents` route group, for CustomerApi's `groupEnvironment`. */
  get routeGroupEnvironment(): GroupEnvironment {
    return { documents: this.environment };
  }

  /** The `documents` route group reads documents (s3:GetObject under documents/). */
  connectRouteGroups(functions: Readonly<Record<RouteGroup, ServiceFunction>>): void {
    this.grantDocuments(functions.documents, ['s3:GetObject'], 'the documents route group reads the documents it serves');
  }

  /**
   * A function that orders documents (a billing page, a dunning task): the delivery queue's URL
   * and SendMessage on it, nothing else (it renders and stores nothing: the delivery job does).
   */
  grantOrders(fn: ServiceFunction): void {
    fn.function.addEnvironment('DELIVERY_QUEUE_URL', this.queue.queueUrl);
    this.queue.grantSendMessages(fn.function);
  }

  /**
   * What a function that submits documents needs (the integration step that renders letters):
   * store them under documents/ and queue their delivery. The table grant is its own.
   */
  grantSubmit(fn: ServiceFunction): void {
    this.grantDocuments(fn, ['s3:PutObject', 's3:GetObject'], 'it stores the documents it submits for delivery');
    this.queue.grantSendMessages(fn.function);
  }

  private grantDocuments(fn: ServiceFunction, actions: string[], reason: string): void {
    fn.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [this.bucket.arnForObjects(`${documentPrefix}*`)] }));
    const bucketLogicalId: string = Stack.of(this).resolve((this.bucket.node.defaultChild as CfnResource).logicalId);
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${documentPrefix}*]`,
      reason: `Object keys are document ids made when a document is stored: ${reason}, under documents/ only.`,
    });
  }

  private eventTopic(id: string, displayName: string, publisher: string): Topic {
    const topic = new Topic(this, id, { displayName, masterKey: this.eventsKey, enforceSSL: true });
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(publisher)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    return topic;
  }

  private createSweepSchedule(stack: Stack): Schedule {
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'EventBridge Scheduler: invokes the delivery sweeper',
    });
    const schedule = new Schedule(this, 'SweepSchedule', {
      schedule: ScheduleExpression.rate(Duration.minutes(15)),
      description: 'Document delivery: queue again the deliveries a lost message left queued',
      target: new LambdaInvoke(this.deliverFunction.function, { role, input: ScheduleTargetInput.fromObject({ sweep: true }), retryAttempts: 2 }),
    });
    const fnLogicalId: string = stack.resolve((this.deliverFunction.function.node.defaultChild as CfnResource).logicalId);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: 'LambdaInvoke grants lambda:InvokeFunction with grantInvoke: the delivery function and its versions/aliases ("<arn>:*"), no other function.',
    });
    return schedule;
  }

  private createAlarms(action: IAlarmAction): DocumentDeliveryAlarms {
    const deadLetters = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Document deliveries were given up after ${deliveryMaxReceives} attempts: the documents stay queued (GET /v1/documents/{id}) and the sweeper queues them again within 15 minutes; look at the delivery function's logs.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    deadLetters.addAlarmAction(action);
    return { deadLetters };
  }
}

