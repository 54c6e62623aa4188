import type { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { loadAlertConfig } from '../../lambdas/adapters/alerts-config.js';
import { alertSettingsFields, type OutageAlertSettings } from '../../lib/alert-settings.js';
import type { UtilitySettings } from '../../lib/utility-settings.js';
import { senderTimeout, smsFailuresAlarmThreshold } from '../../lib/constructs/outage-alerts.js';
import { cdkJsonContext, onlyResource, resourcesOfType, synthesize, type Synthesized, onlyResourceNamed } from './synth.js';

type Properties = Record<string, unknown>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown; Principal?: unknown };

const settings = cdkJsonContext.alerts as OutageAlertSettings;
const utility = cdkJsonContext.utility as UtilitySettings;

function idOf(stack: Stack, construct: IConstruct): string {
  return stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Every IAM policy granting `action`, with the roles it is attached to. */
function grantsOf(synthesized: Synthesized, action: string): { roles: string[]; statements: Statement[] }[] {
  return Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy'))
    .map((policy) => ({
      roles: (policy.Properties!.Roles as { Ref: string }[]).map((role) => role.Ref),
      statements: ((policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement).filter((statement) =>
        actionsOf(statement).includes(action),
      ),
    }))
    .filter((grant) => grant.statements.length > 0);
}

describe('OutageAlerts', () => {
  let synthesized: Synthesized;
  let ids: Record<'queue' | 'deadLetters' | 'sender' | 'dispatcher' | 'alerts' | 'outages' | 'customers', string>;
  let roles: Record<'sender' | 'dispatcher' | 'alerts' | 'outages', string>;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
    const { stack } = synthesized;
    const alerts = stack.outageAlerts;
    const groups = stack.customerApi.functions;
    ids = {
      queue: idOf(stack, alerts.queue),
      deadLetters: idOf(stack, alerts.deadLetterQueue),
      sender: idOf(stack, alerts.sender.function),
      dispatcher: idOf(stack, alerts.dispatcher.function),
      alerts: idOf(stack, groups.alerts.function),
      outages: idOf(stack, groups.outages.function),
      customers: idOf(stack, groups.customers.function),
    };
    roles = {
      sender: idOf(stack, alerts.sender.role),
      dispatcher: idOf(stack, alerts.dispatcher.role),
      alerts: idOf(stack, groups.alerts.role),
      outages: idOf(stack, groups.outages.role),
    };
  });

  function lambda(id: string): Properties {
    return resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[id]!.Properties!;
  }

  function variablesOf(id: string): Properties {
    return (lambda(id).Environment as { Variables: Properties }).Variables;
  }

  it('sends through an encrypted, SSL-only queue whose dead-letter queue takes a message after 3 receives', () => {
    // Prepare
    const queues = resourcesOfType(synthesized.template, 'AWS::SQS::Queue');
    const policies = Object.values(resourcesOfType(synthesized.template, 'AWS::SQS::QueuePolicy'));

    // Act
    const queue = queues[ids.queue]!.Properties!;
    const deadLetters = queues[ids.deadLetters]!.Properties!;

    // Assess: the outage alerts' two queues (Billing has its own, billing.test.ts)
    expect(Object.keys(queues).filter((id) => id.startsWith('OutageAlerts')).sort()).toEqual([ids.deadLetters, ids.queue].sort());
    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ids.deadLetters, 'Arn'] }, maxReceiveCount: 3 },
    });
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (lambda(ids.sender).Timeout as number));
    expect(deadLetters).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(deadLetters.RedrivePolicy).toBeUndefined();
    for (const queueId of [ids.queue, ids.deadLetters]) {
      const policy = policies.find((candidate) => JSON.stringify(candidate.Properties!.Queues).includes(queueId))!;
      expect(policy.Properties!.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      });
    }
  });

  it('runs up to ten senders at once (chunks in parallel under the shared pace) for up to 15 minutes per chunk', () => {
    // Act
    const sender = lambda(ids.sender);

    // Assess
    expect(sender.ReservedConcurrentExecutions).toBe(10);
    expect(sender.Timeout).toBe(senderTimeout.toSeconds());
    expect(sender.Timeout).toBe(900);
  });

  it('feeds the sender from the queue, one message per invocation, reporting partial batch failures', () => {
    // Act
    const mappings = Object.values(resourcesOfType(synthesized.template, 'AWS::Lambda::EventSourceMapping')).filter(
      (candidate) => JSON.stringify(candidate.Properties!.EventSourceArn).includes(ids.queue),
    );

    // Assess: the sender is the queue's one consumer
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
      FunctionName: { Ref: ids.sender },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('gives the sender, the dispatcher and the alerts and outages route groups the alert environment of the context', () => {
    // Prepare
    const expected = {
      MESSAGING: 'sns',
      SEND_QUEUE_URL: { Ref: ids.queue },
      ALERT_DEPARTMENT: settings.department,
      ALERT_INFO_URL: settings.infoUrl,
      ALERT_CONTACT: settings.contact,
      ALERT_CAP_SENDER: settings.capSender,
      UTILITY_COUNTRY: utility.country,
      UTILITY_ZONE: utility.zone,
      UTILITY_LANGUAGE: settings.language,
      SMS_MAX_SEGMENTS: String(settings.maxSegments),
      SMS_RATE_PER_SECOND: String(settings.ratePerSecond),
      SMS_PRICE_PER_SEGMENT: String(settings.pricePerSegment),
      SMS_PRICE_CURRENCY: settings.priceCurrency,
      REPORTS_PER_CLIENT_PER_HOUR: String(settings.reportsPerClientPerHour),
      SMS_SENDER_ID: settings.smsSenderId,
      VOICE_ORIGINATION_IDENTITY: settings.voiceOriginationIdentity,
    };

    // Act
    const environments = [ids.sender, ids.dispatcher, ids.alerts, ids.outages].map(variablesOf);

    // Assess
    for (const variables of environments) expect(variables).toMatchObject(expected);
    expect(Object.keys(variablesOf(ids.customers))).not.toContain('MESSAGING');
    expect(Object.keys(variablesOf(ids.customers))).not.toContain('SEND_QUEUE_URL');
  });

  it('passes the cold-start check of the Lambdas (alerts-config.ts) with that environment', () => {
    // Prepare: the values CloudFormation fills in at deployment
    const deployed = (variables: Properties) =>
      Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : name === 'SEND_QUEUE_URL' ? 'https://sqs.eu-north-1.amazonaws.com/123456789012/q' : 'resolved',
        ]),
      );

    // Act
    const configs = [ids.sender, ids.dispatcher, ids.alerts, ids.outages].map((id) => loadAlertConfig(deployed(variablesOf(id))));

    // Assess
    for (const config of configs) {
      expect(config).toMatchObject({ MESSAGING: 'sns', SMS_SENDER_ID: settings.smsSenderId, SMS_RATE_PER_SECOND: settings.ratePerSecond });
    }
  });

  it('invokes the dispatcher every minute through EventBridge Scheduler', () => {
    // Prepare: the one schedule of the outage alerts (Billing's run schedules: billing.test.ts)
    const schedules = Object.values(resourcesOfType(synthesized.template, 'AWS::Scheduler::Schedule')).filter((candidate) =>
      JSON.stringify(candidate.Properties!.Target).includes(ids.dispatcher),
    );
    const [schedule] = schedules;
    const roleId = (schedule!.Properties!.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn['Fn::GetAtt'][0];

    // Act
    const invokes = grantsOf(synthesized, 'lambda:InvokeFunction').filter((grant) =>
      grant.statements.some((statement) => JSON.stringify(statement.Resource).includes(ids.dispatcher)),
    );

    // Assess
    expect(schedules).toHaveLength(1);
    expect(schedule!.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: { Arn: { 'Fn::GetAtt': [ids.dispatcher, 'Arn'] } },
    });
    expect(resourcesOfType(synthesized.template, 'AWS::IAM::Role')[roleId]!.Properties!.AssumeRolePolicyDocument).toMatchObject({
      Statement: [expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' } })],
    });
    expect(invokes).toEqual([{ roles: [roleId], statements: [expect.objectContaining({ Effect: 'Allow' })] }]);
    expect(JSON.stringify(invokes[0]!.statements[0]!.Resource)).not.toContain(ids.sender);
  });

  it('lets the dispatcher, the sender (outage jobs release their message), the outages route group and the alerts group (register-import chunks) put messages on the queue', () => {
    // Act: every grant to send to the send queue (Billing's queue has its own senders, billing.test.ts)
    const senders = grantsOf(synthesized, 'sqs:SendMessage')
      .map((grant) => ({ ...grant, statements: grant.statements.filter((statement) => JSON.stringify(statement.Resource).includes(ids.queue)) }))
      .filter((grant) => grant.statements.length > 0);

    // Assess
    // The job sweeper puts stalled outage jobs on it again.
    expect(senders.flatMap((grant) => grant.roles).sort()).toEqual([roles.alerts, roles.dispatcher, roles.outages, roles.sender, synthesized.stack.getLogicalId(synthesized.stack.jobSweeper.function.role.node.defaultChild as never)].sort());
    for (const grant of senders) {
      // The sweeper's statement names its three queues; every other grant is this queue alone.
      for (const statement of grant.statements) expect([statement.Resource].flat()).toContainEqual({ 'Fn::GetAtt': [ids.queue, 'Arn'] });
    }
  });

  it('allows SMS (sns:Publish) and voice calls (sms-voice:SendVoiceMessage) for the sending function only', () => {
    // Act
    const sms = grantsOf(synthesized, 'sns:Publish');
    const voice = grantsOf(synthesized, 'sms-voice:SendVoiceMessage');

    // Assess
    expect(sms.map((grant) => grant.roles)).toEqual([[roles.sender]]);
    expect(voice.map((grant) => grant.roles)).toEqual([[roles.sender]]);
    expect(sms[0]!.statements).toEqual([
      expect.objectContaining({ Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } } }),
    ]);
    // A pool id is configured: the grant is that one pool.
    expect(JSON.stringify(voice[0]!.statements[0]!.Resource)).toContain(`:pool/${settings.voiceOriginationIdentity}`);
  });

  it('widens voice calls to the origination numbers of the account only when an E.164 number is configured', () => {
    // Prepare
    const alerts = { ...settings, voiceOriginationIdentity: '+46570816000' };

    // Act
    const withNumber = synthesize({ alerts }); // cdk-nag runs: the widening is acknowledged

    // Assess
    const [grant] = grantsOf(withNumber, 'sms-voice:SendVoiceMessage');
    expect(JSON.stringify(grant!.statements[0]!.Resource)).toMatch(/:phone-number\/\*"/);
    expect(withNumber.stack.outageAlerts.environment.VOICE_ORIGINATION_IDENTITY).toBe('+46570816000');
  });

  it('sets the SNS SMS account settings on create and update: Transactional, the sender id, the spend limit', () => {
    // Prepare
    const [, resource] = onlyResource(synthesized.template, 'Custom::SnsSmsAttributes');
    const expected = {
      service: 'SNS',
      action: 'setSMSAttributes',
      parameters: {
        attributes: {
          DefaultSMSType: 'Transactional',
          DefaultSenderID: settings.smsSenderId,
          MonthlySpendLimit: String(settings.monthlySmsSpendLimitUsd),
        },
      },
    };

    // Act
    const onCreate = JSON.parse(resource.Properties!.Create as string) as unknown;
    const onUpdate = JSON.parse(resource.Properties!.Update as string) as unknown;

    // Assess
    expect(onCreate).toMatchObject(expected);
    expect(onUpdate).toMatchObject(expected);
    expect(resource.Properties!.Delete).toBeUndefined();
    expect(grantsOf(synthesized, 'sns:SetSMSAttributes')).toHaveLength(1);
  });

  it('alarms on SMS spend, dead letters, sender errors and SMS failures, notifying an encrypted SSL-only topic', () => {
    // Prepare
    const [topicId, topic] = onlyResourceNamed(synthesized.template, 'AWS::SNS::Topic', 'AlarmTopic');
    const [keyId, key] = onlyResourceNamed(synthesized.template, 'AWS::KMS::Key', 'AlarmTopicKey');
    const [, topicPolicy] = onlyResourceNamed(synthesized.template, 'AWS::SNS::TopicPolicy', 'AlarmTopic');
    // The outage alerts' alarms (Billing's go to the same topic: billing.test.ts)
    const alarms = Object.entries(resourcesOfType(synthesized.template, 'AWS::CloudWatch::Alarm'))
      .filter(([id]) => id.startsWith('OutageAlerts'))
      .map(([, alarm]) => alarm.Properties!);
    const byMetric = (name: string) =>
      alarms.filter((alarm) => alarm.MetricName === name || JSON.stringify(alarm.Metrics ?? []).includes(`"MetricName":"${name}"`));

    // Assess
    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(byMetric('SMSMonthToDateSpentUSD')).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/SNS',
        Threshold: 0.8 * settings.monthlySmsSpendLimitUsd,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    ]);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.deadLetters, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]);
    expect(byMetric('Errors')).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.sender } }],
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]);
    const [failures] = byMetric('NumberOfNotificationsFailed');
    expect(failures).toMatchObject({ Threshold: smsFailuresAlarmThreshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(JSON.stringify(failures!.Metrics)).toContain('"Namespace":"AWS/SNS"');
    // A customer managed key: CloudWatch cannot use the AWS managed aws/sns key.
    expect(topic.Properties).toMatchObject({ KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(JSON.stringify(key.Properties!.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    expect(topicPolicy.Properties!.PolicyDocument).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
      ]),
    });
  });

  it('refuses to synthesize without the alerts context, naming what is missing or wrong', () => {
    // Prepare
    const { department: _department, infoUrl: _infoUrl, ...incomplete } = settings;

    // Act // Assess
    expect(() => synthesize({ alerts: undefined })).toThrow(/Context "alerts" is missing/);
    expect(() => synthesize({ alerts: undefined })).toThrow(new RegExp(alertSettingsFields.join(', ')));
    expect(() => synthesize({ alerts: incomplete })).toThrow(/Context "alerts" is invalid: missing department, infoUrl/);
    expect(() => synthesize({ alerts: { ...settings, smsSenderId: 'ArvikaVattenverk' } })).toThrow(/smsSenderId must be 1 to 11 letters/);
    expect(() => synthesize({ alerts: { ...settings, voiceOriginationIdentity: '0570-816 00' } })).toThrow(/voiceOriginationIdentity/);
    expect(() => synthesize({ alerts: { ...settings, sendersId: 'x' } })).toThrow(/unknown sendersId/);
    // Country and zone are the utility's (context `utility`, utility-settings.test.ts), not the alerts'.
    expect(() => synthesize({ alerts: { ...settings, ...utility } })).toThrow(/country, zone moved to the context "utility"/);
  });

  it('takes the alerts context from the command line as a JSON string', () => {
    // Act
    const fromCli = synthesize({ alerts: JSON.stringify({ ...settings, department: 'Säffle Vatten' }) });

    // Assess
    expect(fromCli.stack.outageAlerts.environment.ALERT_DEPARTMENT).toBe('Säffle Vatten');
  });
});
