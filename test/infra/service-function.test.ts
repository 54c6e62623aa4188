import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { mainTable } from '../../lambdas/adapters/table-schema.js';
import { routeGroups } from '../../lambdas/http/routes.js';
import { resourcesOfType, synthesize, type Synthesized } from './synth.js';

describe('ServiceFunction (one per route group)', () => {
  let synthesized: Synthesized;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
  });

  it('creates one function per route group of the route table', () => {
    // Assess
    expect(Object.keys(resourcesOfType(synthesized.template, 'AWS::Lambda::Function'))).toHaveLength(
      Object.keys(routeGroups).length,
    );
    for (const [group, fn] of Object.entries(synthesized.stack.customerApi.functions)) {
      const logicalId: string = synthesized.stack.resolve((fn.function.node.defaultChild as CfnResource).logicalId);
      const properties = resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[logicalId]?.Properties;
      expect(properties?.MemorySize).toBe(routeGroups[group as keyof typeof routeGroups].memoryMb);
    }
  });

  it('runs Node.js 22 on arm64 with active tracing, source maps and the table name', () => {
    // Assess
    for (const fn of Object.values(resourcesOfType(synthesized.template, 'AWS::Lambda::Function'))) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { TABLE_NAME: { Ref: mainTable.id }, NODE_OPTIONS: '--enable-source-maps' } },
      });
      expect(fn.Properties?.Timeout).toBeLessThanOrEqual(29);
    }
  });

  it('passes no local-only configuration to the Lambdas', () => {
    // Assess
    for (const fn of Object.values(resourcesOfType(synthesized.template, 'AWS::Lambda::Function'))) {
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).sort()).toEqual(['NODE_OPTIONS', 'TABLE_NAME']);
      expect(JSON.stringify(variables)).not.toMatch(/_local|localhost|DYNAMODB_ENDPOINT/);
    }
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
