import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { resourcesOfType, synthesize, type Synthesized } from './synth.js';

describe('JobSweeper: stalled background jobs are queued again on AWS', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesize();
  });

  it('runs the sweeper every five minutes with both job kinds\' settings', () => {
    // Assess
    const { stack, template } = synthesized;
    const fnId = stack.getLogicalId(stack.jobSweeper.function.function.node.defaultChild as never);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } }),
    });
    const variables = (resourcesOfType(template, 'AWS::Lambda::Function')[fnId]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['TABLE_NAME', 'BILLING_QUEUE_URL', 'PAYMENT_IMPORT_QUEUE_URL', 'UTILITY_COUNTRY']));
  });

  it('alarms when it had to queue anything again, counted from its warning', () => {
    const { template } = synthesized;
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "stalled jobs re-queued" }',
      MetricTransformations: [Match.objectLike({ MetricName: 'StalledJobsRequeued', MetricValue: '$.jobs' })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'StalledJobsRequeued', Threshold: 1 });
  });
});
