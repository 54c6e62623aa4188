import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { mainTable } from '../../lambdas/adapters/table-schema.js';
import { routeGroups } from '../../lambdas/http/routes.js';
import { ServiceFunction } from '../../lib/constructs/service-function.js';
import { resourcesOfType, synthesize, type Synthesized } from './synth.js';

type Variables = Record<string, unknown>;

function logicalId(stack: Stack, fn: ServiceFunction): string {
  return stack.resolve((fn.function.node.defaultChild as CfnResource).logicalId) as string;
}

describe('ServiceFunction (one per route group, plus the job and task functions)', () => {
  let synthesized: Synthesized;
  let serviceFunctionIds: string[];
  let httpFunctionIds: string[];

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
    const { stack } = synthesized;
    serviceFunctionIds = stack.node
      .findAll()
      .filter((construct): construct is ServiceFunction => construct instanceof ServiceFunction)
      .map((fn) => logicalId(stack, fn));
    httpFunctionIds = Object.values(stack.customerApi.functions).map((fn) => logicalId(stack, fn));
  });

  function functionsById(ids: readonly string[]) {
    const all = resourcesOfType(synthesized.template, 'AWS::Lambda::Function');
    return ids.map((id) => [id, all[id]!] as const);
  }

  it('creates one function per route group of the route table, the outage-alert and billing jobs, the dunning task function and scan, and the payment-import chunk function', () => {
    // Prepare
    const { stack } = synthesized;
    const jobs = [
      stack.outageAlerts.sender,
      stack.outageAlerts.dispatcher,
      stack.billing.segmentFunction,
      stack.billing.runStarter,
      stack.dunning.taskFunction,
      stack.dunning.overdueScan,
      stack.paymentImports.chunkFunction,
      stack.documentDelivery.deliverFunction,
      stack.documentDelivery.emailEventsFunction,
      stack.documentDelivery.smsEventsFunction,
      stack.documentDelivery.smsInboundFunction,
      stack.jobSweeper.function,
    ].map((fn) => logicalId(stack, fn));

    // Assess
    expect(httpFunctionIds).toHaveLength(Object.keys(routeGroups).length);
    expect(serviceFunctionIds.sort()).toEqual([...httpFunctionIds, ...jobs].sort());
    // The only other Lambda: the provider of the SNS SMS settings custom resource (aws-cdk-lib's).
    expect(Object.keys(resourcesOfType(synthesized.template, 'AWS::Lambda::Function'))).toHaveLength(serviceFunctionIds.length + 1);
    for (const [group, fn] of Object.entries(stack.customerApi.functions)) {
      const properties = resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[logicalId(stack, fn)]?.Properties;
      expect(properties?.MemorySize).toBe(routeGroups[group as keyof typeof routeGroups].memoryMb);
    }
  });

  it('runs Node.js 22 on arm64 with active tracing, source maps and the table name', () => {
    // Assess
    for (const [, fn] of functionsById(serviceFunctionIds)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { TABLE_NAME: { Ref: mainTable.id }, NODE_OPTIONS: '--enable-source-maps' } },
      });
    }
  });

  it('gives the HTTP route groups a timeout below the 30 seconds of an HTTP API integration', () => {
    // Assess
    for (const [, fn] of functionsById(httpFunctionIds)) expect(fn.Properties?.Timeout).toBeLessThanOrEqual(29);
  });

  it('passes no local-only configuration to the Lambdas', () => {
    // Prepare
    const { stack } = synthesized;
    const customers = resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[logicalId(stack, stack.customerApi.functions.customers)]!;

    // Assess
    for (const [, fn] of functionsById(serviceFunctionIds)) {
      const variables = (fn.Properties?.Environment as { Variables: Variables }).Variables;
      expect(Object.keys(variables)).not.toContain('DYNAMODB_ENDPOINT');
      expect(JSON.stringify(variables)).not.toMatch(/_local|localhost|outbox/);
    }
    // A group that does not build the outage alerts gets the table name and the metrics and traces settings only.
    expect(Object.keys((customers.Properties?.Environment as { Variables: Variables }).Variables).sort()).toEqual([
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_TRACER_CAPTURE_ERROR',
      'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
      'TABLE_NAME',
    ]);
  });

  it('logs to its own log group with a retention, not the deprecated logRetention resource', () => {
    // Assess
    const template = synthesized.template;
    template.allResourcesProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: RetentionDays.THREE_MONTHS });
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  it('uses a role without AWS managed policies, writing only to its own log group', () => {
    // Assess
    const template = synthesized.template;
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('customersFunctionLogs'), 'Arn'] },
          }),
        ]),
      },
    });
  });
});
