/**
 * cdk-nag 3 runs as a CDK policy validation plugin (Validations.of(app).addPlugins, see
 * lib/app.ts): during synthesis every violation that is not acknowledged fails the
 * synthesis (in a test, `app.synth()` throws the report) and is written to
 * validation-report.json in the cloud assembly.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Template } from 'aws-cdk-lib/assertions';
import { routes, type RouteDefinition } from '../../lambdas/http/routes.js';
import { buildApp } from '../../lib/app.js';
import { testApp } from './synth.js';

interface ValidationReport {
  pluginReports: Array<{
    summary: { pluginName: string; status: string };
    violations: Array<{ ruleName: string; severity?: string; violatingConstructs?: unknown[] }>;
  }>;
}

function readReport(directory: string): ValidationReport {
  const file = path.join(directory, 'validation-report.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ValidationReport) : { pluginReports: [] };
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged errors for the app', () => {
    // Prepare
    const { app, nag } = buildApp({ app: testApp() });

    // Act
    const assembly = app.synth(); // throws the validation report on any unacknowledged violation
    const report = readReport(assembly.directory);
    const direct = nag!.validateScope(app);

    // Assess
    const errors = report.pluginReports
      .filter((plugin) => plugin.summary.pluginName === 'AwsSolutions')
      .flatMap((plugin) => plugin.violations)
      .filter((violation) => violation.severity === 'error');
    expect(errors).toEqual([]);
    expect(direct.violations.filter((violation) => violation.severity === 'error')).toEqual([]);
    expect(direct.success).toBe(true);
  });

  it('fails synthesis when a resource breaks a rule nobody acknowledged (the check can fail)', () => {
    // Prepare
    const { app, stack, nag } = buildApp({ app: testApp() });
    new Role(stack, 'Offender', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });

    // Act
    const direct = nag!.validateScope(app);

    // Assess
    expect(direct.violations.map((violation) => violation.ruleName)).toContain(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM4/);
  });

  it('accepts a public route only through its AwsSolutions-APIG4 acknowledgement', () => {
    // Prepare
    const health: RouteDefinition = {
      method: 'GET', path: '/v1/health', group: 'customers', operationId: 'health', summary: 'Health',
      access: 'public', successStatus: 200,
    };
    const { app, stack, nag } = buildApp({ app: testApp(), routes: [health, ...routes] });

    // Act
    const template = Template.fromStack(stack); // synthesizes: throws on an unacknowledged violation
    const publicRoute = stack.customerApi.routes.get('GET /v1/health')!;

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/health', AuthorizationType: 'NONE' });
    expect(nag!.validateScope(app).violations).toEqual([]);
    expect(publicRoute.node.metadata.map((entry) => JSON.stringify(entry.data))).toEqual(
      expect.arrayContaining([expect.stringContaining('AwsSolutions-APIG4')]),
    );
  });

  it('checks the dunning state machine itself: without tracing and ALL logging it fails AwsSolutions-SF1 and SF2', () => {
    // Prepare
    const { app, stack, nag } = buildApp({ app: testApp() });
    const cfn = stack.dunning.stateMachine.node.defaultChild as CfnStateMachine;

    // Act
    cfn.tracingConfiguration = { enabled: false };
    cfn.loggingConfiguration = { level: 'ERROR', includeExecutionData: false, destinations: [] };
    const rules = nag!.validateScope(app).violations.map((violation) => violation.ruleName);

    // Assess: only IAM5 findings are acknowledged on it, so these surface
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SF1', 'AwsSolutions-SF2']));
    const acknowledged = stack.dunning.stateMachine.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .map((entry) => JSON.stringify(entry.data))
      .filter((data) => data.includes('AwsSolutions-'));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const data of acknowledged) expect(data).toMatch(/AwsSolutions-IAM5\[Resource::/);
  });
});
