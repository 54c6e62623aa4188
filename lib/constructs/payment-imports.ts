/**
 * Large bank payment files (lambdas/domain/billing/payment-imports.ts; docs/DATA.md, Billing):
 * the billing route group hands out presigned PUT URLs to the upload bucket
 * (`POST /v1/payment-files/uploads`), validates an uploaded file whole and puts one message per
 * chunk of 500 payments on the import queue (`POST /v1/payment-files/imports`); the chunk
 * function books a chunk per message, at most two at once.
 *
 * Grants, least privilege: the billing route group may put and get objects under `uploads/`
 * (the put only to sign upload URLs: it never writes itself; the get to read a file it
 * validates) and send to the import queue; the chunk function may get objects under
 * `uploads/` (nothing else in the bucket) and consume the queue. Nothing may delete: the
 * bucket's lifecycle removes uploads after 7 days.
 *
 * The bucket takes large address registers too (`shareUploads`, under `register-uploads/`):
 * one upload bucket with one set of policies (encryption, TLS, no public access, access logs,
 * CORS for the staff UI, lifecycle), each function granted its own prefix only. A second bucket
 * would repeat all of that for a file of the same kind (an admin's upload read once by a job).
 */
import { Duration, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { accessLogBucket } from './access-logs.js';
import type { RouteGroup } from '../../lambdas/http/routes.js';
import type { GroupEnvironment } from './customer-api.js';
import { acknowledgeTableIndexAccess } from './data-table.js';
import { ServiceFunction } from './service-function.js';
import { awsLimits, functionSettings } from '../function-settings.js';

/** Where uploads land in the bucket: the only prefix any function may read or sign. */
export const uploadPrefix = 'uploads/';
/** Payments (and BgMax deductions) per chunk message: a 100,000-payment file is 200 messages. */
export const importChunkSize = 500;
/** How long an upload URL is valid. */
export const uploadUrlSeconds = 15 * 60;
/** Uploads are removed after this many days (an import reads its file within minutes). */
export const uploadExpiryDays = 7;
/** Access logs of the upload bucket are kept this long. */
/**
 * A chunk is 500 payments, each about four DynamoDB calls, eight payments at once
 * (Billing's booking lanes): a few seconds. Two minutes leave room for throttling retries.
 */
export const chunkTimeout = Duration.seconds(functionSettings.paymentImportChunk.timeoutSeconds);
/** At least six times the function timeout (AWS's guidance for SQS event sources). */
export const importQueueVisibilityTimeout = Duration.seconds(chunkTimeout.toSeconds() * 6);
export const importMaxReceiveCount = 3;
/**
 * Chunk functions running at once. Booking a payment writes about 9 WCU (the invoice item and
 * its three full index copies, ~8, and the payment, 1): 2 functions × 8 lanes at ~25 ms a
 * payment are some 640 payments and 5,800 WCU a second at the very most, 4,000 in practice,
 * what a new on-demand table serves without throttling (4,000 writes a second), leaving the
 * API its own capacity as the table scales. A 100,000-payment file then books in about 5
 * minutes, instead of 42 one call at a time. 2 is also the event source's smallest maximum.
 */
export const importConcurrency = 2;
export const importErrorsPeriod = Duration.minutes(15);

export interface PaymentImportsProps {
  readonly table: TableV2;
  /** The billing use-cases' environment (Billing.environment): the chunk function books through them. */
  readonly billingEnvironment: Readonly<Record<string, string>>;
  /** Browser origins that may PUT to an upload URL (the API's CORS origins). */
  readonly corsOrigins: readonly string[];
  readonly alarmAction: IAlarmAction;
}

export interface PaymentImportAlarms {
  /** Chunks given up after 3 receives: their payments are not booked (the import shows `failed`). */
  readonly deadLetters: Alarm;
  readonly chunkErrors: Alarm;
}

export class PaymentImports extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly chunkFunction: ServiceFunction;
  readonly alarms: PaymentImportAlarms;
  /** PAYMENT_FILE_BUCKET, PAYMENT_IMPORT_QUEUE_URL and the import settings (lambdas/adapters/payment-import-wiring.ts). */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PaymentImportsProps) {
    super(scope, id);
    this.accessLogs = accessLogBucket(this, 'the payment-file uploads');

    this.bucket = new Bucket(this, 'Uploads', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: uploadPrefix,
      lifecycleRules: [
        {
          id: 'expire-uploads',
          prefix: uploadPrefix,
          expiration: Duration.days(uploadExpiryDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // A browser (the staff UI) may PUT a file to its presigned URL; nothing else crosses origins.
      ...(props.corsOrigins.length > 0
        ? { cors: [{ allowedMethods: [HttpMethods.PUT], allowedOrigins: [...props.corsOrigins], allowedHeaders: ['content-type'], maxAge: 3000 }] }
        : {}),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new Queue(this, 'ChunkDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'ChunkQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: importQueueVisibilityTimeout,
      maxMessageSizeBytes: awsLimits.sqsMaxMessageBytes,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: importMaxReceiveCount },
    });

    this.environment = {
      PAYMENT_FILE_BUCKET: this.bucket.bucketName,
      PAYMENT_IMPORT_QUEUE_URL: this.queue.queueUrl,
      PAYMENT_IMPORT_CHUNK_SIZE: String(importChunkSize),
      PAYMENT_UPLOAD_URL_SECONDS: String(uploadUrlSeconds),
      PAYMENT_IMPORT_MAX_RECEIVES: String(importMaxReceiveCount),
    };

    this.chunkFunction = new ServiceFunction(this, 'ChunkFunction', {
      entry: 'lambdas/jobs/payment-import-chunk.ts',
      memoryMb: functionSettings.paymentImportChunk.memoryMb,
      description: 'Billing: books one chunk (500 payments) of an imported bank payment file (SQS)',
      timeout: chunkTimeout,
      reservedConcurrentExecutions: importConcurrency,
      environment: { ...props.billingEnvironment, ...this.environment, TABLE_NAME: props.table.tableName },
    });
    // maxConcurrency as well as the reservation: no more pollers than the function may run,
    // or throttled messages count receives towards the dead-letter queue.
    this.chunkFunction.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: importConcurrency }),
    );
    props.table.grantReadWriteData(this.chunkFunction.function);
    this.chunkFunction.role.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject'], resources: [this.uploads()] }),
    );
    acknowledgeTableIndexAccess(this, props.table);
    this.acknowledgeUploadPrefix(this.chunkFunction, 'the chunk function reads (s3:GetObject) the uploaded files, under uploads/ only');

    this.alarms = this.createAlarms(props.alarmAction);
  }

  /**
   * Lets other functions use the upload bucket under a prefix of their own (e.g. `register-uploads/`):
   * `signers` hand out upload URLs and check what was uploaded (s3:PutObject to sign, s3:GetObject
   * for HeadObject), `readers` read the files (s3:GetObject). Uploads there expire as under `uploads/`.
   */
  shareUploads(prefix: string, grants: { signers: readonly ServiceFunction[]; readers: readonly ServiceFunction[]; purpose: string }): void {
    if (!/^[a-z0-9-]+\/$/.test(prefix) || prefix === uploadPrefix) throw new Error(`shareUploads: ${prefix} is not a prefix of its own`);
    this.bucket.addLifecycleRule({
      id: `expire-${prefix.slice(0, -1)}`,
      prefix,
      expiration: Duration.days(uploadExpiryDays),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    });
    const objects = this.bucket.arnForObjects(`${prefix}*`);
    for (const fn of grants.signers) {
      fn.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:PutObject', 's3:GetObject'], resources: [objects] }));
      this.acknowledgeUploadPrefix(fn, `${grants.purpose}: signs upload URLs (s3:PutObject) and checks the uploaded file (s3:GetObject, HeadObject), under ${prefix} only`, prefix);
    }
    for (const fn of grants.readers) {
      fn.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject'], resources: [objects] }));
      this.acknowledgeUploadPrefix(fn, `${grants.purpose}: reads (s3:GetObject) the uploaded files, under ${prefix} only`, prefix);
    }
  }

  /** The environment of the billing route group, for CustomerApi's `groupEnvironment`. */
  get routeGroupEnvironment(): GroupEnvironment {
    return { billing: this.environment };
  }

  /**
   * The billing route group signs upload URLs (s3:PutObject: a presigned URL carries the
   * signer's permission), stores a large file that came in a request body (s3:PutObject, then
   * imported like an upload), reads a file to validate it (s3:GetObject), and queues its chunks.
   */
  connectRouteGroups(functions: Readonly<Record<RouteGroup, ServiceFunction>>): void {
    const billing = functions.billing;
    billing.role.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:PutObject', 's3:GetObject'], resources: [this.uploads()] }),
    );
    this.queue.grantSendMessages(billing.function);
    this.acknowledgeUploadPrefix(
      billing,
      'the billing route group signs upload URLs and stores a large request body (s3:PutObject) and reads the uploaded file it validates (s3:GetObject), under uploads/ only',
    );
  }

  private uploads(): string {
    return this.bucket.arnForObjects(`${uploadPrefix}*`);
  }

  private acknowledgeUploadPrefix(fn: ServiceFunction, reason: string, prefix = uploadPrefix): void {
    const bucketLogicalId: string = Stack.of(this).resolve((this.bucket.node.defaultChild as CfnResource).logicalId);
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`,
      reason: `Object keys are upload ids made at upload time: ${reason}.`,
    });
  }

  private createAlarms(action: IAlarmAction): PaymentImportAlarms {
    const deadLetters = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Payment-import chunks were given up after ${importMaxReceiveCount} attempts: their payments are not booked and the import shows failed (import the file again to book the chunks left).`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const chunkErrors = new Alarm(this, 'ChunkErrorsAlarm', {
      alarmDescription: 'The payment-import chunk function failed (crash, timeout or configuration) in the last 15 minutes; the queue retries the chunk.',
      metric: this.chunkFunction.function.metricErrors({ statistic: 'Sum', period: importErrorsPeriod }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [deadLetters, chunkErrors]) alarm.addAlarmAction(action);
    return { deadLetters, chunkErrors };
  }
}
