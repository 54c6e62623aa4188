/**
 * The one source of each function's timeout and memory and of the queues' message size
 * (lib/function-settings.ts): what CDK deploys is what the embedded stack enforces (docs/LIMITS.md).
 */
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { awsLimits, functionSettings, httpFunctionSettings, type FunctionName } from '../../lib/function-settings.js';
import type { ServiceFunction } from '../../lib/constructs/service-function.js';
import type { RouteGroup } from '../../lambdas/http/routes.js';
import { resourcesOfType, synthesize, type Synthesized } from './synth.js';

describe('lib/function-settings.ts is what CDK deploys', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesize();
  });

  function deployed(stack: Stack, fn: ServiceFunction) {
    const id = stack.resolve((fn.function.node.defaultChild as CfnResource).logicalId) as string;
    return resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[id]!.Properties as { Timeout: number; MemorySize: number };
  }

  it('every job, schedule and task function has the timeout and memory the embedded stack runs it with', () => {
    const { stack } = synthesized;
    const functions: Record<FunctionName, ServiceFunction> = {
      sendAlerts: stack.outageAlerts.sender,
      dispatchAlerts: stack.outageAlerts.dispatcher,
      billingSegment: stack.billing.segmentFunction,
      billingRun: stack.billing.runStarter,
      paymentImportChunk: stack.paymentImports.chunkFunction,
      dunningTasks: stack.dunning.taskFunction,
      overdueScan: stack.dunning.overdueScan,
      jobSweeper: stack.jobSweeper.function,
      deliverDocuments: stack.documentDelivery.deliverFunction,
    };
    for (const [name, fn] of Object.entries(functions) as [FunctionName, ServiceFunction][]) {
      expect([name, deployed(stack, fn)]).toEqual([name, { ...deployed(stack, fn), Timeout: functionSettings[name].timeoutSeconds, MemorySize: functionSettings[name].memoryMb }]);
    }
  });

  it('every HTTP route group function has the timeout and memory the local server runs it with', () => {
    const { stack } = synthesized;
    for (const [group, fn] of Object.entries(stack.customerApi.functions) as [RouteGroup, ServiceFunction][]) {
      const settings = httpFunctionSettings(group);
      expect([group, deployed(stack, fn)]).toEqual([group, { ...deployed(stack, fn), Timeout: settings.timeoutSeconds, MemorySize: settings.memoryMb }]);
      expect(settings.timeoutSeconds * 1000).toBeLessThan(awsLimits.httpApiIntegrationTimeoutMs);
    }
  });

  it('every queue a function consumes refuses messages over the size the in-process queue refuses', () => {
    const queues = resourcesOfType(synthesized.template, 'AWS::SQS::Queue');
    const consumed = Object.values(queues).filter((queue) => queue.Properties?.RedrivePolicy !== undefined);
    expect(consumed).toHaveLength(4); // send-alerts, billing segments, payment-import chunks, document delivery
    for (const queue of consumed) expect(queue.Properties?.MaximumMessageSize).toBe(awsLimits.sqsMaxMessageBytes);
  });
});
