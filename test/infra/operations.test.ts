import { describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { resourcesOfType, synthesize } from './synth.js';

describe('Operations: alarms on every function and the API, all to one topic', () => {
  // Prepare
  const { template, stack } = synthesize();
  const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
  // The service's functions (CDK's own deploy-time singleton of AwsCustomResource, AWS679f53…, is not one).
  const functionNames = Object.keys(resourcesOfType(template, 'AWS::Lambda::Function')).filter((id) => !id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'));
  const [topicId] = Object.keys(resourcesOfType(template, 'AWS::SNS::Topic')).filter((id) => id.includes('AlarmTopic'));
  const alarmsOn = (metricName: string, functionId: string) =>
    alarms.filter((alarm) => {
      const p = alarm.Properties as { MetricName?: string; Dimensions?: { Name: string; Value: unknown }[]; Metrics?: unknown };
      if (p.MetricName === metricName) return JSON.stringify(p.Dimensions ?? []).includes(`"${functionId}"`);
      return false;
    });

  it('alarms on the errors and the throttles of every function of the stack', () => {
    // Assess: each Lambda function has at least one Errors alarm and one Throttles alarm
    expect(functionNames.length).toBeGreaterThan(5);
    const missing = functionNames.filter((id) => alarmsOn('Errors', id).length === 0 || alarmsOn('Throttles', id).length === 0);
    expect(missing).toEqual([]);
  });

  it('has no two errors alarms on one function (a capability keeps its own)', () => {
    const doubled = functionNames.filter((id) => alarmsOn('Errors', id).length > 1);
    expect(doubled).toEqual([]);
  });

  it('alarms on API Gateway 5xx', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'ApiId' })]),
    });
  });

  it('sends every alarm of the stack to the one operations topic', () => {
    expect(topicId).toBeDefined();
    const withoutTopic = alarms.filter((alarm) => !JSON.stringify((alarm.Properties as { AlarmActions?: unknown }).AlarmActions ?? []).includes(topicId!));
    expect(withoutTopic.map((alarm) => (alarm.Properties as { AlarmDescription?: string }).AlarmDescription)).toEqual([]);
  });

  it('shows the alarms on the stack dashboard', () => {
    const body = JSON.stringify(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Service alarms');
    expect(stack.operations.apiServerErrors).toBeDefined();
  });
});
