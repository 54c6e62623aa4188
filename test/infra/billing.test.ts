import type { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { buildBilling } from '../../lambdas/adapters/billing-wiring.js';
import { cronForRegion } from '../../lambdas/domain/billing/calendar.js';
import { Billing as BillingService } from '../../lambdas/domain/billing/service.js';
import { profileFor } from '../../lambdas/domain/billing/profile.js';
import {
  billingPageSize,
  segmentConcurrency,
  segmentErrorsPeriod,
  segmentMaxReceiveCount,
  segmentTimeout,
} from '../../lib/constructs/billing.js';
import type { UtilitySettings } from '../../lib/utility-settings.js';
import { cdkJsonContext, onlyResource, resourcesOfType, synthesize, type Synthesized, onlyResourceNamed } from './synth.js';

type Properties = Record<string, unknown>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const utility = cdkJsonContext.utility as UtilitySettings;

function idOf(stack: Stack, construct: IConstruct): string {
  return stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The roles of every IAM policy with a statement allowing `action` on a resource that mentions `resourceId`. */
function rolesGranted(synthesized: Synthesized, action: string, resourceId: string): string[] {
  return Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.some(
        (statement) =>
          statement.Effect === 'Allow' && actionsOf(statement).includes(action) && JSON.stringify(statement.Resource).includes(resourceId),
      ),
    )
    .flatMap((policy) => (policy.Properties!.Roles as { Ref: string }[]).map((role) => role.Ref))
    .sort();
}

function schedulesOf(synthesized: Synthesized, targetId: string): Properties[] {
  return Object.values(resourcesOfType(synthesized.template, 'AWS::Scheduler::Schedule'))
    .map((schedule) => schedule.Properties!)
    .filter((properties) => JSON.stringify(properties.Target).includes(targetId));
}

describe('Billing', () => {
  let synthesized: Synthesized;
  let ids: Record<'queue' | 'deadLetters' | 'segment' | 'runStarter' | 'billingGroup', string>;
  let roles: Record<'segment' | 'runStarter' | 'billingGroup' | 'sweeper', string>;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
    const { stack } = synthesized;
    const billing = stack.billing;
    const group = stack.customerApi.functions.billing;
    ids = {
      queue: idOf(stack, billing.queue),
      deadLetters: idOf(stack, billing.deadLetterQueue),
      segment: idOf(stack, billing.segmentFunction.function),
      runStarter: idOf(stack, billing.runStarter.function),
      billingGroup: idOf(stack, group.function),
    };
    roles = {
      segment: idOf(stack, billing.segmentFunction.role),
      runStarter: idOf(stack, billing.runStarter.role),
      billingGroup: idOf(stack, group.role),
      sweeper: idOf(stack, stack.jobSweeper.function.role),
    };
  });

  function lambda(id: string): Properties {
    return resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[id]!.Properties!;
  }

  function variablesOf(id: string): Properties {
    return (lambda(id).Environment as { Variables: Properties }).Variables;
  }

  it('queues segments on an encrypted, SSL-only queue whose dead-letter queue keeps a segment for 14 days after 3 receives', () => {
    // Prepare
    const queues = resourcesOfType(synthesized.template, 'AWS::SQS::Queue');
    const policies = Object.values(resourcesOfType(synthesized.template, 'AWS::SQS::QueuePolicy'));

    // Act
    const queue = queues[ids.queue]!.Properties!;
    const deadLetters = queues[ids.deadLetters]!.Properties!;

    // Assess
    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ids.deadLetters, 'Arn'] }, maxReceiveCount: segmentMaxReceiveCount },
    });
    expect(segmentMaxReceiveCount).toBe(3);
    expect(queue.VisibilityTimeout).toBe(6 * (lambda(ids.segment).Timeout as number));
    expect(queue.VisibilityTimeout).toBe(1800);
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

  it('bills a page of 200 customers per invocation for up to 5 minutes, at most 8 at once', () => {
    // Act
    const segment = lambda(ids.segment);

    // Assess
    expect(segment).toMatchObject({ Timeout: 300, MemorySize: 1024, ReservedConcurrentExecutions: 8 });
    expect(segment.Timeout).toBe(segmentTimeout.toSeconds());
    expect(segment.ReservedConcurrentExecutions).toBe(segmentConcurrency);
    expect(variablesOf(ids.segment).BILLING_PAGE_SIZE).toBe(String(billingPageSize));
    expect(billingPageSize).toBe(200);
  });

  it('feeds the segment function from the queue, one message per invocation, reporting partial batch failures', () => {
    // Act
    const mappings = Object.values(resourcesOfType(synthesized.template, 'AWS::Lambda::EventSourceMapping')).filter((mapping) =>
      JSON.stringify(mapping.Properties!.EventSourceArn).includes(ids.queue),
    );

    // Assess
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
      FunctionName: { Ref: ids.segment },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // No more pollers than the reservation: a throttled message would count a receive towards the DLQ.
      ScalingConfig: { MaximumConcurrency: segmentConcurrency },
    });
  });

  it('starts each region of the billing profile on its day with the cron of cronForRegion, in the utility zone', () => {
    // Prepare
    const regions = profileFor(utility.country).regions;
    const roleIds = new Set<string>();

    // Act
    const schedules = schedulesOf(synthesized, ids.runStarter);

    // Assess
    expect(regions.map((region) => region.region)).toEqual(['Eda', 'Arvika']);
    expect(schedules).toHaveLength(regions.length);
    // The outage-alert dispatcher's, the dunning overdue scan's, the job sweeper's and the delivery sweeper's are the only other ones.
    expect(Object.keys(resourcesOfType(synthesized.template, 'AWS::Scheduler::Schedule'))).toHaveLength(regions.length + 4);
    for (const region of regions) {
      const schedule = schedules.find((candidate) => JSON.parse((candidate.Target as { Input: string }).Input).region === region.region);
      expect(schedule).toMatchObject({
        ScheduleExpression: cronForRegion(region).eventBridge,
        ScheduleExpressionTimezone: utility.zone,
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { 'Fn::GetAtt': [ids.runStarter, 'Arn'] },
          RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 2 }),
        },
      });
      expect(JSON.parse((schedule!.Target as { Input: string }).Input)).toEqual({ region: region.region });
      roleIds.add((schedule!.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn['Fn::GetAtt'][0]);
    }
    expect(schedules.map((schedule) => schedule.ScheduleExpression)).toEqual(['cron(0 5 1 * ? *)', 'cron(0 5 4 * ? *)']);
    // One scheduler role, the only one that may invoke the run starter.
    const [roleId] = [...roleIds];
    expect(roleIds.size).toBe(1);
    expect(resourcesOfType(synthesized.template, 'AWS::IAM::Role')[roleId!]!.Properties!.AssumeRolePolicyDocument).toMatchObject({
      Statement: [expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' } })],
    });
    expect(rolesGranted(synthesized, 'lambda:InvokeFunction', ids.runStarter)).toEqual([roleId]);
  });

  it("schedules the regions of the utility's profile: one Finnish region in Helsinki time", () => {
    // Prepare
    const finnish: UtilitySettings = { country: 'FI', zone: 'Europe/Helsinki' };

    // Act
    const fi = synthesize({ utility: finnish });
    const schedules = schedulesOf(fi, idOf(fi.stack, fi.stack.billing.runStarter.function));

    // Assess
    expect(schedules).toEqual([
      expect.objectContaining({
        ScheduleExpression: cronForRegion({ region: 'Keuruu', dayOfMonth: 1 }).eventBridge,
        ScheduleExpressionTimezone: 'Europe/Helsinki',
        Target: expect.objectContaining({ Input: JSON.stringify({ region: 'Keuruu' }) }),
      }),
    ]);
    expect([...fi.stack.billing.schedules.keys()]).toEqual(['Keuruu']);
    const segment = resourcesOfType(fi.template, 'AWS::Lambda::Function')[idOf(fi.stack, fi.stack.billing.segmentFunction.function)]!;
    expect((segment.Properties!.Environment as { Variables: Properties }).Variables.UTILITY_COUNTRY).toBe('FI');
  });

  it('gives the billing route group, the run starter and the segment function the country and the queue', () => {
    // Prepare
    const expected = { UTILITY_COUNTRY: utility.country, BILLING_QUEUE_URL: { Ref: ids.queue } };

    // Act
    const environments = [ids.billingGroup, ids.runStarter, ids.segment].map(variablesOf);

    // Assess
    for (const variables of environments) expect(variables).toMatchObject(expected);
    const { customers, alerts, outages } = synthesized.stack.customerApi.functions;
    for (const other of [customers, alerts, outages]) {
      expect(Object.keys(variablesOf(idOf(synthesized.stack, other.function)))).not.toContain('BILLING_QUEUE_URL');
    }
  });

  it('passes the cold-start check of the billing Lambdas (billing-wiring.ts) with that environment', () => {
    // Prepare: the values CloudFormation fills in at deployment
    const deployed = (variables: Properties) =>
      Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [
          name,
          typeof value === 'string'
            ? value
            : name === 'BILLING_QUEUE_URL' || name === 'DELIVERY_QUEUE_URL'
              ? `https://sqs.eu-north-1.amazonaws.com/123456789012/${name === 'BILLING_QUEUE_URL' ? 'billing' : 'delivery'}`
              : 'resolved',
        ]),
      );
    const saved = process.env;

    // Act
    const started = [ids.billingGroup, ids.runStarter, ids.segment].map((id) => {
      process.env = { AWS_REGION: 'eu-north-1', ...deployed(variablesOf(id)) };
      try {
        return buildBilling();
      } finally {
        process.env = saved;
      }
    });

    // Assess: buildBilling throws on an environment billing-wiring.ts refuses
    expect(started).toEqual([expect.any(BillingService), expect.any(BillingService), expect.any(BillingService)]);
  });

  it('lets only the billing route group, the run starter, the segment function and the job sweeper send to the billing queue', () => {
    // Act
    const senders = rolesGranted(synthesized, 'sqs:SendMessage', ids.queue);

    // Assess
    expect(senders).toEqual([roles.billingGroup, roles.runStarter, roles.segment, roles.sweeper].sort());
    expect(rolesGranted(synthesized, 'sqs:SendMessage', ids.deadLetters)).toEqual([]);
    // The segment function's is the queue itself, beside what its event source needs.
    expect(rolesGranted(synthesized, 'sqs:ReceiveMessage', ids.queue)).toEqual([roles.segment]);
  });

  it('alarms on dead-lettered segments and on segment and run-starter errors, notifying the operations topic', () => {
    // Prepare
    const [topicId] = onlyResourceNamed(synthesized.template, 'AWS::SNS::Topic', 'AlarmTopic');
    const alarms = Object.entries(resourcesOfType(synthesized.template, 'AWS::CloudWatch::Alarm'))
      .filter(([id]) => id.startsWith('Billing'))
      .map(([, alarm]) => alarm.Properties!);
    const onDimension = (value: unknown) => alarms.filter((alarm) => JSON.stringify(alarm.Dimensions).includes(JSON.stringify(value)));

    // Assess
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(onDimension({ 'Fn::GetAtt': [ids.deadLetters, 'QueueName'] })).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]);
    expect(onDimension({ Ref: ids.segment })).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 15 * 60,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]);
    expect(segmentErrorsPeriod.toSeconds()).toBe(900);
    expect(onDimension({ Ref: ids.runStarter })).toEqual([
      expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }),
    ]);
  });
});
