/**
 * DocumentDelivery (lib/constructs/document-delivery.ts): the documents bucket, the delivery
 * queue and job, SES with its bounce and complaint events, SMS receipts and inbound stop words.
 */
import type { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { loadDeliveryConfig } from '../../lambdas/adapters/delivery-wiring.js';
import { loadLetterSettings } from '../../lambdas/adapters/letters-config.js';
import { parseDeliverySettings } from '../../lib/delivery-settings.js';
import { deliveryMaxReceives, deliveryTimeout, smsReceiptEvents } from '../../lib/constructs/document-delivery.js';
import { cdkJsonContext, resourcesOfType, synthesize, type Synthesized } from './synth.js';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown; Principal?: unknown };
const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

function idOf(stack: Stack, construct: IConstruct): string {
  return stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
}

/** Every allowed action of a role with its resource (as JSON). */
function allowedTo(synthesized: Synthesized, roleId: string): { action: string; resource: string }[] {
  return Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties!.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => actionsOf(statement).map((action) => ({ action, resource: JSON.stringify(statement.Resource) })));
}

describe('DocumentDelivery', () => {
  let synthesized: Synthesized;
  let ids: Record<'bucket' | 'logs' | 'queue' | 'deadLetters' | 'deliver' | 'emailEvents' | 'smsEvents' | 'smsInbound' | 'emailTopic' | 'smsTopic' | 'inboundTopic' | 'documentsGroup', string>;
  let roles: Record<'deliver' | 'documentsGroup' | 'smsEvents', string>;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
    const { stack } = synthesized;
    const d = stack.documentDelivery;
    ids = {
      bucket: idOf(stack, d.bucket), logs: idOf(stack, d.accessLogs), queue: idOf(stack, d.queue), deadLetters: idOf(stack, d.deadLetterQueue),
      deliver: idOf(stack, d.deliverFunction.function), emailEvents: idOf(stack, d.emailEventsFunction.function),
      smsEvents: idOf(stack, d.smsEventsFunction.function), smsInbound: idOf(stack, d.smsInboundFunction.function),
      emailTopic: idOf(stack, d.emailEventsTopic), smsTopic: idOf(stack, d.smsEventsTopic), inboundTopic: idOf(stack, d.smsInboundTopic),
      documentsGroup: idOf(stack, stack.customerApi.functions.documents.function),
    };
    roles = { deliver: idOf(stack, d.deliverFunction.role), documentsGroup: idOf(stack, stack.customerApi.functions.documents.role), smsEvents: idOf(stack, d.smsEventsFunction.role) };
  });

  const variablesOf = (id: string) => (resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[id]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
  const documentObjects = () => JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/documents/*']] });

  it('keeps documents in an encrypted, private, versioned, TLS-only bucket that logs its access', () => {
    // Prepare
    const buckets = resourcesOfType(synthesized.template, 'AWS::S3::Bucket');
    const policies = Object.values(resourcesOfType(synthesized.template, 'AWS::S3::BucketPolicy'));
    const policyOf = (id: string) => JSON.stringify(policies.find((p) => JSON.stringify(p.Properties!.Bucket) === JSON.stringify({ Ref: id }))!.Properties!.PolicyDocument);
    // Act
    const bucket = buckets[ids.bucket]!;
    // Assess
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: ids.logs }, LogFilePrefix: 'documents/' },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(policyOf(ids.bucket)).toContain('"aws:SecureTransport":"false"');
    expect(policyOf(ids.bucket)).toContain('"s3:TlsVersion":1.2');
  });

  it('delivers from an encrypted queue with a dead-letter queue after the receives the job counts, reporting item failures', () => {
    // Prepare
    const queues = resourcesOfType(synthesized.template, 'AWS::SQS::Queue');
    const [mapping] = Object.values(resourcesOfType(synthesized.template, 'AWS::Lambda::EventSourceMapping')).filter((m) => JSON.stringify(m.Properties!.EventSourceArn).includes(ids.queue));
    // Assess
    expect(queues[ids.queue]!.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * deliveryTimeout.toSeconds(),
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ids.deadLetters, 'Arn'] }, maxReceiveCount: deliveryMaxReceives },
    });
    expect(mapping!.Properties).toMatchObject({ FunctionName: { Ref: ids.deliver }, BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(variablesOf(ids.deliver)).toMatchObject({
      DELIVERY_MODE: 'aws', DELIVERY_MAX_RECEIVES: String(deliveryMaxReceives), DELIVERY_CLAIM_STALE_SECONDS: String(deliveryTimeout.toSeconds()),
    });
  });

  it('sends email from the verified identity with the configuration set whose bounces and complaints reach the email-events function', () => {
    // Prepare
    const [identity] = Object.values(resourcesOfType(synthesized.template, 'AWS::SES::EmailIdentity'));
    const [destination] = Object.values(resourcesOfType(synthesized.template, 'AWS::SES::ConfigurationSetEventDestination'));
    const subscriptions = Object.values(resourcesOfType(synthesized.template, 'AWS::SNS::Subscription')).map((s) => s.Properties!);
    // Assess
    expect(identity!.Properties).toMatchObject({ EmailIdentity: (cdkJsonContext.delivery as { emailIdentity: string }).emailIdentity });
    expect(destination!.Properties!.EventDestination).toMatchObject({
      Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: { TopicARN: { Ref: ids.emailTopic } },
    });
    expect(subscriptions).toEqual(expect.arrayContaining([
      expect.objectContaining({ Protocol: 'lambda', TopicArn: { Ref: ids.emailTopic }, Endpoint: { 'Fn::GetAtt': [ids.emailEvents, 'Arn'] } }),
      expect.objectContaining({ Protocol: 'lambda', TopicArn: { Ref: ids.smsTopic }, Endpoint: { 'Fn::GetAtt': [ids.smsEvents, 'Arn'] } }),
      expect.objectContaining({ Protocol: 'lambda', TopicArn: { Ref: ids.inboundTopic }, Endpoint: { 'Fn::GetAtt': [ids.smsInbound, 'Arn'] } }),
    ]));
    const ses = allowedTo(synthesized, roles.deliver).filter((g) => g.action.startsWith('ses:'));
    expect([...new Set(ses.map((g) => g.action))].sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    const resources = ses.map((g) => g.resource).join(' ');
    expect(resources).toContain('configuration-set');
    expect(resources).toContain('identity/');
  });

  it('publishes SMS receipts of the final kinds to the receipts topic, on encrypted SSL-only topics', () => {
    // Prepare
    const [smsSet] = Object.values(resourcesOfType(synthesized.template, 'AWS::SMSVOICE::ConfigurationSet'));
    const topics = resourcesOfType(synthesized.template, 'AWS::SNS::Topic');
    // Assess
    expect(smsSet!.Properties!.EventDestinations).toEqual([
      { EventDestinationName: 'receipts', Enabled: true, MatchingEventTypes: smsReceiptEvents, SnsDestination: { TopicArn: { Ref: ids.smsTopic } } },
    ]);
    for (const id of [ids.emailTopic, ids.smsTopic, ids.inboundTopic]) expect(topics[id]!.Properties!.KmsMasterKeyId).toBeDefined();
    const policies = JSON.stringify(resourcesOfType(synthesized.template, 'AWS::SNS::TopicPolicy'));
    expect(policies).toContain('"aws:SecureTransport":"false"');
  });

  it('grants least privilege: documents under documents/ only, the provider secrets read only, no S3 for the receipt functions', () => {
    // Act
    const s3 = (role: string) => allowedTo(synthesized, role).filter((g) => g.action.startsWith('s3:'));
    const secrets = allowedTo(synthesized, roles.deliver).filter((g) => g.action.startsWith('secretsmanager:'));
    // Assess
    expect(s3(roles.deliver).map((g) => g.resource)).toEqual([documentObjects(), documentObjects()]);
    expect(s3(roles.documentsGroup)).toEqual([{ action: 's3:GetObject', resource: documentObjects() }]);
    expect(s3(roles.smsEvents)).toEqual([]);
    expect(secrets.map((g) => g.action).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(secrets[0]!.resource).toContain('utility/print-service');
    expect(secrets[0]!.resource).toContain('utility/einvoice-operator');
  });

  it('gives the delivery job and the documents route group a configuration that passes their cold-start check', () => {
    // Prepare
    const deployed = (variables: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : name.endsWith('_URL') ? 'https://sqs.eu-north-1.amazonaws.com/123456789012/q' : 'resolved-name']));
    // Act
    const configs = [ids.deliver, ids.documentsGroup, ids.emailEvents].map((id) => loadDeliveryConfig(deployed(variablesOf(id))));
    // Assess
    for (const config of configs) {
      expect(config).toMatchObject({ DELIVERY_MODE: 'aws', PRINT_API_URL: 'https://print.example.se/v1', EINVOICE_API_URL: 'https://einvoice.example.se/v1', EMAIL_FROM_ADDRESS: 'faktura@arvika.se' });
    }
  });

  it('gives the delivery job the letterhead its documents name, and it passes the cold-start check (issue 12)', () => {
    // Act
    const variables = variablesOf(ids.deliver);
    const letters = loadLetterSettings({ UTILITY_LETTERS_JSON: variables.UTILITY_LETTERS_JSON as string });
    // Assess
    expect(variables.UTILITY_COUNTRY).toBe('SE');
    expect(letters).toMatchObject({ sender: { name: 'Arvika Vatten', payment: { kind: 'bankgiro' } }, socialServices: { name: expect.stringContaining('Socialförvaltningen') } });
  });

  it('lets the functions that order documents (billing pages, dunning tasks) send to the delivery queue, and nothing of delivery else', () => {
    // Prepare
    const { stack } = synthesized;
    const orderers = [stack.billing.segmentFunction, stack.dunning.taskFunction];
    for (const fn of orderers) {
      // Act
      const variables = variablesOf(idOf(stack, fn.function));
      const allowed = allowedTo(synthesized, idOf(stack, fn.role));
      // Assess
      expect(variables.DELIVERY_QUEUE_URL).toEqual({ Ref: ids.queue });
      expect(allowed).toContainEqual({ action: 'sqs:SendMessage', resource: JSON.stringify({ 'Fn::GetAtt': [ids.queue, 'Arn'] }) });
      expect(allowed.filter((a) => a.action.startsWith('s3:') || a.action.startsWith('ses:') || a.action.startsWith('secretsmanager:'))).toEqual([]);
    }
  });

  it('refuses delivery settings that would not work, naming the field', () => {
    // Prepare
    const good = cdkJsonContext.delivery as Record<string, unknown>;
    // Act // Assess
    expect(() => parseDeliverySettings(undefined)).toThrow(/"delivery" is missing/);
    expect(() => parseDeliverySettings({ ...good, emailFromAddress: 'faktura@other.se' })).toThrow(/emailFromAddress must be an address of the identity arvika\.se/);
    expect(() => parseDeliverySettings({ ...good, printService: { apiUrl: 'http://print.example.se', apiSecretName: 'x' } })).toThrow(/printService\.apiUrl must be an https URL/);
    expect(() => parseDeliverySettings({ ...good, colour: 'blue' })).toThrow(/unknown colour/);
    expect(() => parseDeliverySettings({ ...good, letters: undefined })).toThrow(/letters/);
    expect(parseDeliverySettings({ ...good, eInvoiceOperator: null }).eInvoiceOperator).toBeNull();
  });
});
