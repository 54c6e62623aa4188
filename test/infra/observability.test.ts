/**
 * Issue 14: every function of the service is traced (X-Ray, Powertools Tracer) and writes its
 * business metrics to the stack's namespace; the dashboard shows them.
 */
import { describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { businessMetricNames } from '../../lambdas/domain/metrics.js';
import { resourcesOfType, synthesize } from './synth.js';

describe('Observability: traces and business metrics on every function', () => {
  // Prepare
  const { template, stack } = synthesize();
  // The service's functions: all but aws-cdk-lib's own singleton behind AwsCustomResource (the SNS SMS settings), AWS679f53….
  const functions = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).filter(([id]) => !id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'));
  const namespace = `NordicUtility/${stack.stackName}`;

  it('traces every function actively (X-Ray)', () => {
    // Assess
    expect(functions.length).toBeGreaterThan(10);
    for (const [id, fn] of functions) expect([id, fn.Properties?.TracingConfig]).toEqual([id, { Mode: 'Active' }]);
  });

  it("gives every function the stack's metrics namespace, the service dimension, and no response or error on traces", () => {
    // Assess
    for (const [id] of functions) {
      template.hasResource('AWS::Lambda::Function', {
        Properties: Match.objectLike({
          TracingConfig: { Mode: 'Active' },
          Environment: {
            Variables: Match.objectLike({
              POWERTOOLS_METRICS_NAMESPACE: namespace,
              POWERTOOLS_SERVICE_NAME: 'nordic-utility-service',
              POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
              POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
            }),
          },
        }),
      });
      const variables = (functions.find(([other]) => other === id)![1].Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect([id, variables.POWERTOOLS_METRICS_NAMESPACE]).toEqual([id, namespace]);
      // The local switches never reach AWS: metrics and traces stay on there.
      expect(Object.keys(variables).filter((name) => ['POWERTOOLS_DEV', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_TRACE_ENABLED'].includes(name))).toEqual([]);
    }
  });

  it('lets every function write its trace segments', () => {
    // Assess: Tracing.ACTIVE grants xray:PutTraceSegments to each function's role
    const policies = JSON.stringify(resourcesOfType(template, 'AWS::IAM::Policy'));
    expect(policies).toContain('xray:PutTraceSegments');
  });

  it('shows every business metric on the stack dashboard, in the namespace the functions write to', () => {
    // Prepare
    const body = JSON.stringify(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'));

    // Assess
    for (const name of Object.values(businessMetricNames)) expect(body).toContain(`\\"${name}\\"`);
    expect(body).toContain(namespace);
    expect(body).toContain('\\"stage\\",\\"reminder_1\\"');
  });
});
