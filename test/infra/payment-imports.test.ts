import type { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { buildBilling } from '../../lambdas/adapters/billing-wiring.js';
import { buildPaymentImports } from '../../lambdas/adapters/payment-import-wiring.js';
import { PaymentImports as PaymentImportsService } from '../../lambdas/domain/billing/payment-imports.js';
import {
  chunkTimeout,
  importChunkSize,
  importConcurrency,
  importMaxReceiveCount,
  uploadExpiryDays,
  uploadUrlSeconds,
} from '../../lib/constructs/payment-imports.js';
import { cdkJsonContext, onlyResource, resourcesOfType, synthesize, type Synthesized, onlyResourceNamed } from './synth.js';

type Properties = Record<string, unknown>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: unknown };

function idOf(stack: Stack, construct: IConstruct): string {
  return stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
}

const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

/** Every action allowed to a role, with the resources (as JSON) it is allowed on. */
function allowedTo(synthesized: Synthesized, roleId: string): { action: string; resource: string }[] {
  return Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties!.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => actionsOf(statement).map((action) => ({ action, resource: JSON.stringify(statement.Resource) })));
}

describe('PaymentImports', () => {
  let synthesized: Synthesized;
  let ids: Record<'bucket' | 'logs' | 'queue' | 'deadLetters' | 'chunk' | 'billingGroup', string>;
  let roles: Record<'chunk' | 'billingGroup' | 'sweeper' | 'alertsGroup' | 'sender', string>;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
    const { stack } = synthesized;
    const imports = stack.paymentImports;
    ids = {
      bucket: idOf(stack, imports.bucket),
      logs: idOf(stack, imports.accessLogs),
      queue: idOf(stack, imports.queue),
      deadLetters: idOf(stack, imports.deadLetterQueue),
      chunk: idOf(stack, imports.chunkFunction.function),
      billingGroup: idOf(stack, stack.customerApi.functions.billing.function),
    };
    roles = {
      chunk: idOf(stack, imports.chunkFunction.role),
      billingGroup: idOf(stack, stack.customerApi.functions.billing.role),
      sweeper: idOf(stack, stack.jobSweeper.function.role),
      alertsGroup: idOf(stack, stack.customerApi.functions.alerts.role),
      sender: idOf(stack, stack.outageAlerts.sender.role),
    };
  });

  const lambda = (id: string) => resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[id]!.Properties!;
  const variablesOf = (id: string) => (lambda(id).Environment as { Variables: Properties }).Variables;
  const uploadObjects = () => JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/uploads/*']] });
  const registerObjects = () => JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/register-uploads/*']] });

  it('keeps uploads in an encrypted, private, SSL-only bucket that expires them after 7 days and logs its access', () => {
    // Prepare
    const buckets = resourcesOfType(synthesized.template, 'AWS::S3::Bucket');
    const policies = Object.values(resourcesOfType(synthesized.template, 'AWS::S3::BucketPolicy'));
    const policyOf = (id: string) => policies.find((p) => JSON.stringify(p.Properties!.Bucket) === JSON.stringify({ Ref: id }))!.Properties!.PolicyDocument as { Statement: Statement[] };

    // Act
    const bucket = buckets[ids.bucket]!;
    const logs = buckets[ids.logs]!;

    // Assess
    expect(Object.keys(buckets).filter((id) => id.startsWith('PaymentImports')).sort()).toEqual([ids.logs, ids.bucket].sort());
    const privateEncrypted = {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    };
    expect(bucket.Properties).toMatchObject({
      ...privateEncrypted,
      LifecycleConfiguration: {
        Rules: [
          { Status: 'Enabled', Prefix: 'uploads/', ExpirationInDays: uploadExpiryDays, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
          { Status: 'Enabled', Prefix: 'register-uploads/', ExpirationInDays: uploadExpiryDays, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
        ],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: ids.logs }, LogFilePrefix: 'uploads/' },
      CorsConfiguration: { CorsRules: [{ AllowedMethods: ['PUT'], AllowedOrigins: cdkJsonContext.corsOrigins }] },
    });
    expect(uploadExpiryDays).toBe(7);
    expect(bucket.Properties!.VersioningConfiguration).toBeUndefined();
    expect(logs.Properties).toMatchObject(privateEncrypted);
    expect(logs.Properties!.AccessControl).toBeUndefined(); // log delivery by bucket policy, no ACL
    for (const id of [ids.bucket, ids.logs]) {
      expect(synthesized.template.toJSON().Resources[id].DeletionPolicy).toBe('Retain');
      expect(policyOf(id).Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
    expect(policyOf(ids.bucket).Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } })]),
    );
    // Only S3 log delivery may write to the log bucket, and only for the upload bucket.
    expect(policyOf(ids.logs).Statement.filter((s) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Action: 's3:PutObject',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: expect.objectContaining({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.bucket, 'Arn'] } } }),
      }),
    ]);
  });

  it('queues chunks on an encrypted, SSL-only queue with a dead-letter queue after 3 receives', () => {
    // Prepare
    const queues = resourcesOfType(synthesized.template, 'AWS::SQS::Queue');
    const policies = Object.values(resourcesOfType(synthesized.template, 'AWS::SQS::QueuePolicy'));

    // Assess
    expect(queues[ids.queue]!.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * chunkTimeout.toSeconds(),
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ids.deadLetters, 'Arn'] }, maxReceiveCount: importMaxReceiveCount },
    });
    expect(importMaxReceiveCount).toBe(3);
    expect(queues[ids.deadLetters]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    for (const queueId of [ids.queue, ids.deadLetters]) {
      const policy = policies.find((candidate) => JSON.stringify(candidate.Properties!.Queues).includes(queueId))!;
      expect(JSON.stringify(policy.Properties!.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('books at most two chunks at once: a reservation of 2 and an event source of at most 2, one message each', () => {
    // Act
    const mappings = Object.values(resourcesOfType(synthesized.template, 'AWS::Lambda::EventSourceMapping')).filter((mapping) =>
      JSON.stringify(mapping.Properties!.EventSourceArn).includes(ids.queue),
    );

    // Assess
    expect(lambda(ids.chunk)).toMatchObject({ ReservedConcurrentExecutions: importConcurrency, Timeout: chunkTimeout.toSeconds(), MemorySize: 1024 });
    expect(importConcurrency).toBe(2);
    expect(mappings.map((mapping) => mapping.Properties)).toEqual([
      {
        EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
        FunctionName: { Ref: ids.chunk },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: importConcurrency },
      },
    ]);
  });

  it('grants least privilege: the chunk function gets objects under uploads/ only, the billing group puts (to sign) and gets them', () => {
    // Act
    const s3Of = (roleId: string) => allowedTo(synthesized, roleId).filter((grant) => grant.action.startsWith('s3:'));
    const sendersTo = (queueId: string) =>
      Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy'))
        .filter((policy) =>
          (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.some(
            (s) => s.Effect === 'Allow' && actionsOf(s).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(queueId),
          ),
        )
        .flatMap((policy) => (policy.Properties!.Roles as { Ref: string }[]).map((role) => role.Ref));

    // Assess
    expect(s3Of(roles.chunk)).toEqual([{ action: 's3:GetObject', resource: uploadObjects() }]);
    expect(s3Of(roles.billingGroup).sort((a, b) => a.action.localeCompare(b.action))).toEqual([
      { action: 's3:GetObject', resource: uploadObjects() },
      { action: 's3:PutObject', resource: uploadObjects() },
    ]);
    // Address register uploads (issue 11): the alerts group signs and checks, the sending function (the alert job worker) reads, under register-uploads/ only.
    expect(s3Of(roles.alertsGroup).sort((a, b) => a.action.localeCompare(b.action))).toEqual([
      { action: 's3:GetObject', resource: registerObjects() },
      { action: 's3:PutObject', resource: registerObjects() },
    ]);
    expect(s3Of(roles.sender)).toEqual([{ action: 's3:GetObject', resource: registerObjects() }]);
    // Nobody else has any S3 action on the bucket; nobody may delete or list.
    const everyS3Grant = Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')) && JSON.stringify(s.Resource).includes(ids.bucket)),
    );
    expect(everyS3Grant).toHaveLength(4);
    expect(everyS3Grant.flatMap(actionsOf).filter((a) => /Delete|List|\*/.test(a))).toEqual([]);
    // The billing group queues an import's chunks; the job sweeper queues a stalled one's again.
    expect(sendersTo(ids.queue)).toEqual([roles.billingGroup, roles.sweeper].sort());
    expect(allowedTo(synthesized, roles.chunk).filter((g) => g.action === 'sqs:SendMessage')).toEqual([]);
  });

  it('gives the billing group and the chunk function the bucket, the queue and the import settings, and both pass their cold-start check', () => {
    // Prepare
    const expected = {
      PAYMENT_FILE_BUCKET: { Ref: ids.bucket },
      PAYMENT_IMPORT_QUEUE_URL: { Ref: ids.queue },
      PAYMENT_IMPORT_CHUNK_SIZE: String(importChunkSize),
      PAYMENT_UPLOAD_URL_SECONDS: String(uploadUrlSeconds),
      PAYMENT_IMPORT_MAX_RECEIVES: String(importMaxReceiveCount),
    };
    const deployed = (variables: Properties) =>
      Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : name.endsWith('_URL') ? 'https://sqs.eu-north-1.amazonaws.com/123456789012/q' : 'resolved-name',
        ]),
      );
    const saved = process.env;

    // Act
    const started = [ids.billingGroup, ids.chunk].map((id) => {
      process.env = { AWS_REGION: 'eu-north-1', ...deployed(variablesOf(id)) };
      try {
        return buildPaymentImports(buildBilling());
      } finally {
        process.env = saved;
      }
    });

    // Assess
    for (const id of [ids.billingGroup, ids.chunk]) expect(variablesOf(id)).toMatchObject(expected);
    expect(importChunkSize).toBe(500);
    expect(started).toEqual([expect.any(PaymentImportsService), expect.any(PaymentImportsService)]);
    const { customers, alerts, outages } = synthesized.stack.customerApi.functions;
    for (const other of [customers, alerts, outages]) {
      expect(Object.keys(variablesOf(idOf(synthesized.stack, other.function)))).not.toContain('PAYMENT_FILE_BUCKET');
    }
  });

  it('tells the alerts group and the sending function where register files are uploaded (the same bucket), and no one else', () => {
    // Prepare
    const { stack } = synthesized;
    const withVariable = Object.entries(resourcesOfType(synthesized.template, 'AWS::Lambda::Function'))
      .filter(([, fn]) => ((fn.Properties!.Environment as { Variables?: Properties } | undefined)?.Variables ?? {}).REGISTER_UPLOAD_BUCKET !== undefined)
      .map(([id]) => id);

    // Assess
    expect(withVariable.sort()).toEqual([idOf(stack, stack.customerApi.functions.alerts.function), idOf(stack, stack.outageAlerts.sender.function)].sort());
    for (const id of withVariable) expect(variablesOf(id).REGISTER_UPLOAD_BUCKET).toEqual({ Ref: ids.bucket });
  });

  it('creates no /_local/ route: upload URLs are presigned S3 URLs in AWS', () => {
    // Act
    const routeKeys = Object.values(resourcesOfType(synthesized.template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties!.RouteKey as string);

    // Assess
    expect(routeKeys).toEqual(expect.arrayContaining(['POST /v1/payment-files/uploads', 'POST /v1/payment-files/imports', 'GET /v1/payment-files/imports/{importId}']));
    expect(routeKeys.filter((key) => key.includes('/_local/'))).toEqual([]);
  });

  it('alarms on dead-lettered chunks and on chunk function errors, notifying the operations topic', () => {
    // Prepare
    const [topicId] = onlyResourceNamed(synthesized.template, 'AWS::SNS::Topic', 'AlarmTopic');
    const alarms = Object.entries(resourcesOfType(synthesized.template, 'AWS::CloudWatch::Alarm'))
      .filter(([id]) => id.startsWith('PaymentImports'))
      .map(([, alarm]) => alarm.Properties!);

    // Assess
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) expect(alarm).toMatchObject({ AlarmActions: [{ Ref: topicId }], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarms.map((alarm) => alarm.MetricName).sort()).toEqual(['ApproximateNumberOfMessagesVisible', 'Errors']);
    expect(JSON.stringify(alarms)).toContain(ids.deadLetters);
    expect(JSON.stringify(alarms)).toContain(ids.chunk);
  });
});
