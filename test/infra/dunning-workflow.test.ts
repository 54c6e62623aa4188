import { readFileSync } from 'node:fs';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { buildDunning, buildPaymentLedger } from '../../lambdas/adapters/dunning-wiring.js';
import { overdueScanCron } from '../../lambdas/domain/dunning/schedule.js';
import { stuckLogMessage } from '../../lambdas/domain/dunning/case.js';
import {
  dunningDefinitionPath,
  dunningMetricsNamespace,
  dunningStateMachineName,
  overdueScanTimeout,
  ownerContactEventsMetric,
  ownerContactResource,
  taskFunctionTimeout,
} from '../../lib/constructs/dunning-workflow.js';
import { logRetention } from '../../lib/constructs/service-function.js';
import { fromRepoRoot } from '../../lib/paths.js';
import { placeholdersOf } from '../../local/workflows/definitions.js';
import type { UtilitySettings } from '../../lib/utility-settings.js';
import { cdkJsonContext, onlyResource, resourcesOfType, synthesize, type Synthesized, onlyResourceNamed } from './synth.js';

type Properties = Record<string, unknown>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type AslState = {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number; IntervalSeconds?: number }[];
};

const utility = cdkJsonContext.utility as UtilitySettings;
const aslText = readFileSync(fromRepoRoot(dunningDefinitionPath), 'utf8');
const asl = JSON.parse(aslText) as { States: Record<string, AslState> };
const taskStates = Object.entries(asl.States).filter(([, state]) => state.Type === 'Task');

/** The CloudFormation values the pseudo parameters take in these tests' "deployment". */
const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-north-1', 'AWS::AccountId': '123456789012' };

function idOf(stack: Stack, construct: IConstruct): string {
  return stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** A string built with Fn::Join from literals and pseudo parameters, as CloudFormation resolves it. */
function resolvePseudo(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(resolvePseudo).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref && pseudo[ref]) return pseudo[ref];
  throw new Error(`Not resolvable without deploying: ${JSON.stringify(value)}`);
}

describe('DunningWorkflow', () => {
  let synthesized: Synthesized;
  let ids: Record<'stateMachine' | 'logGroup' | 'task' | 'scan' | 'dunningGroup' | 'billingGroup' | 'table', string>;
  let roles: Record<'stateMachine' | 'task' | 'scan' | 'scheduler' | 'dunningGroup', string>;
  let stateMachine: Properties;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
    const { stack } = synthesized;
    const dunning = stack.dunning;
    const groups = stack.customerApi.functions;
    ids = {
      stateMachine: idOf(stack, dunning.stateMachine),
      logGroup: idOf(stack, dunning.logGroup),
      task: idOf(stack, dunning.taskFunction.function),
      scan: idOf(stack, dunning.overdueScan.function),
      dunningGroup: idOf(stack, groups.dunning.function),
      billingGroup: idOf(stack, groups.billing.function),
      table: idOf(stack, stack.data.table),
    };
    roles = {
      stateMachine: idOf(stack, dunning.stateMachine.role),
      task: idOf(stack, dunning.taskFunction.role),
      scan: idOf(stack, dunning.overdueScan.role),
      scheduler: (
        Object.values(resourcesOfType(synthesized.template, 'AWS::Scheduler::Schedule')).find((schedule) =>
          JSON.stringify(schedule.Properties!.Target).includes(ids.scan),
        )!.Properties!.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }
      ).RoleArn['Fn::GetAtt'][0],
      dunningGroup: idOf(stack, groups.dunning.role),
    };
    stateMachine = resourcesOfType(synthesized.template, 'AWS::StepFunctions::StateMachine')[ids.stateMachine]!.Properties!;
  });

  function variablesOf(id: string): Properties {
    const fn = resourcesOfType(synthesized.template, 'AWS::Lambda::Function')[id]!.Properties!;
    return (fn.Environment as { Variables: Properties }).Variables;
  }

  /** Every statement of the IAM policies attached to `role`. */
  function statementsOf(role: string): Statement[] {
    return Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties!.Roles as { Ref: string }[]).some((candidate) => candidate.Ref === role))
      .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
  }

  /** Every allowed statement in the template with an action matching `action`, with the roles it applies to. */
  function grants(match: (action: string) => boolean): { roles: string[]; actions: string[]; resources: unknown[] }[] {
    return Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.filter(
        (statement) => statement.Effect === 'Allow' && actionsOf(statement).some(match),
      ).map((statement) => ({
        roles: (policy.Properties!.Roles as { Ref: string }[]).map((role) => role.Ref),
        actions: actionsOf(statement),
        resources: resourcesOf(statement),
      })),
    );
  }

  describe('the definition', () => {
    it('deploys the ASL file as it is, with exactly one substitution per ${Placeholder} of the file', () => {
      // Prepare
      const placeholders = placeholdersOf(aslText);

      // Act
      const substitutions = stateMachine.DefinitionSubstitutions as Record<string, unknown>;

      // Assess: a placeholder added to the file, or a substitution added or renamed in CDK, fails here
      expect(stateMachine.DefinitionString).toBe(aslText);
      expect(Object.keys(substitutions).sort()).toEqual(placeholders);
      expect(placeholders).toEqual(['DunningTaskFunctionArn']);
      expect(substitutions.DunningTaskFunctionArn).toEqual({ 'Fn::GetAtt': [ids.task, 'Arn'] });
    });

    it('continues a case in a new execution from every routing Choice before a wait, and ends the old one', () => {
      // Act
      const states = asl.States as Record<string, { Type: string; Choices?: { And?: { Variable: string }[]; Next: string }[]; Next?: string; Parameters?: { Payload?: Record<string, string> } }>;
      // LettersOut waits minutes for a step's letters (WaitForLetters), never near the execution's year.
      const routing = Object.entries(states).filter(([name, state]) => name !== 'LettersOut' && state.Type === 'Choice' && state.Choices!.some((choice) => choice.Next.startsWith('Wait')));
      const continues = (name: string) => states[name]!.Choices!.some((choice) => choice.Next === 'ContinueAsNew' && choice.And?.some((c) => c.Variable === '$.continueAsNew'));

      // Assess
      expect(routing.map(([name]) => name).sort()).toEqual(['GuardVerdict', 'IsStillUnpaid', 'RouteNextStep']);
      for (const [name] of routing) expect(continues(name)).toBe(true);
      expect(states.ContinueAsNew!.Parameters!.Payload).toEqual({ task: 'ContinueAsNew', 'caseId.$': '$.caseId', 'executionName.$': '$$.Execution.Name' });
      expect(states[states.ContinueAsNew!.Next!]!.Type).toBe('Succeed');
    });

    it('gives every Task state a Retry for transient errors and a timeout, and invokes only the task function', () => {
      // Act: what each Task state lacks
      const problems = taskStates.flatMap(([name, state]) => {
        const found: string[] = [];
        if (!/^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.test(state.Resource ?? '')) found.push('not a lambda:invoke');
        if (state.Parameters?.FunctionName !== '${DunningTaskFunctionArn}') found.push('invokes another function');
        // A function timeout or out-of-memory arrives as Lambda.Unknown / Sandbox.Timedout (States.Timeout is only
        // the state's own TimeoutSeconds): each retried with backoff, beside the transient service errors.
        const required = [
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
          'Lambda.Unknown',
          'Sandbox.Timedout',
          'TransientTaskError',
        ];
        for (const error of required) {
          const retrier = (state.Retry ?? []).find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
          if (!retrier) found.push(`no Retry on ${error}`);
          else if (!((retrier.MaxAttempts ?? 3) >= 2 && (retrier.BackoffRate ?? 2) > 1 && (retrier.IntervalSeconds ?? 1) >= 1)) found.push(`no backoff on ${error}`);
        }
        const limit = state.TimeoutSeconds ?? state.HeartbeatSeconds;
        if (!Number.isInteger(limit) || (limit as number) <= 0) found.push('no TimeoutSeconds/HeartbeatSeconds');
        // A Lambda task's own timeout ends it before its state's (the function's error is what the ASL retries).
        if (!state.Resource?.endsWith('.waitForTaskToken') && (state.TimeoutSeconds ?? 0) <= taskFunctionTimeout.toSeconds()) {
          found.push(`TimeoutSeconds not above the task function's ${taskFunctionTimeout.toSeconds()} s`);
        }
        return found.map((problem) => `${name}: ${problem}`);
      });

      // Assess
      expect(taskStates.length).toBeGreaterThan(1);
      expect(problems).toEqual([]);
    });

    it('has one callback state, AwaitOwnerContact: the owner-contact metric filter and query count it by its resource', () => {
      // Act
      const callbacks = taskStates.filter(([, state]) => state.Resource!.endsWith('.waitForTaskToken')).map(([name]) => name);

      // Assess
      expect(callbacks).toEqual(['AwaitOwnerContact']);
      expect(asl.States.AwaitOwnerContact!.Resource!.split(':::lambda:')[1]).toBe(ownerContactResource);
    });
  });

  describe('the state machine', () => {
    it('is a Standard state machine with a fixed name, X-Ray tracing and ALL logging with execution data to its own log group', () => {
      // Prepare
      const [, logGroup] = Object.entries(resourcesOfType(synthesized.template, 'AWS::Logs::LogGroup')).find(([id]) => id === ids.logGroup)!;
      const resource = resourcesOfType(synthesized.template, 'AWS::StepFunctions::StateMachine')[ids.stateMachine]!;

      // Assess
      expect(Object.keys(resourcesOfType(synthesized.template, 'AWS::StepFunctions::StateMachine'))).toEqual([ids.stateMachine]);
      expect(stateMachine).toMatchObject({
        StateMachineName: 'UtilityServiceStack-dunning',
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: true,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [ids.logGroup, 'Arn'] } } }],
        },
      });
      expect(stateMachine.StateMachineName).toBe(dunningStateMachineName(synthesized.stack));
      // The open cases are its executions: retained on stack deletion and replacement.
      expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(logGroup).toMatchObject({
        Properties: { LogGroupName: '/aws/vendedlogs/states/UtilityServiceStack-dunning', RetentionInDays: 90 },
        DeletionPolicy: 'Retain',
      });
      expect(logRetention).toBe(90);
    });

    it("gives the functions the state machine's ARN from its fixed name, which is the deployed state machine's ARN", () => {
      // Act
      const arns = [ids.task, ids.scan, ids.dunningGroup].map((id) => resolvePseudo(variablesOf(id).DUNNING_STATE_MACHINE_ARN));

      // Assess: no Ref to the state machine in the task function (it would close a cycle through the substitution)
      expect(arns).toEqual(Array(3).fill(`arn:aws:states:eu-north-1:123456789012:stateMachine:${stateMachine.StateMachineName as string}`));
      expect(JSON.stringify(variablesOf(ids.task))).not.toContain(ids.stateMachine);
    });

    it('gives the task function, the scan and the dunning route group the country, the state machine and the table', () => {
      // Act
      const environments = [ids.task, ids.scan, ids.dunningGroup].map(variablesOf);

      // Assess
      for (const variables of environments) {
        expect(variables).toMatchObject({ UTILITY_COUNTRY: utility.country, TABLE_NAME: { Ref: ids.table }, DUNNING_STATE_MACHINE_ARN: expect.anything() });
      }
      const functions = resourcesOfType(synthesized.template, 'AWS::Lambda::Function');
      expect(functions[ids.task]!.Properties).toMatchObject({ Timeout: taskFunctionTimeout.toSeconds(), Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      expect(functions[ids.scan]!.Properties).toMatchObject({ Timeout: overdueScanTimeout.toSeconds() });
      // The billing group's payment ledger needs no workflow: no state machine there.
      expect(Object.keys(variablesOf(ids.billingGroup))).not.toContain('DUNNING_STATE_MACHINE_ARN');
    });

    it('passes the cold-start checks of dunning-wiring.ts with those environments (and the billing group its payment ledger)', () => {
      // Prepare: the values CloudFormation fills in at deployment
      const deployed = (variables: Properties) =>
        Object.fromEntries(
          Object.entries(variables).map(([name, value]) => [
            name,
            typeof value === 'string' ? value : name === 'DUNNING_STATE_MACHINE_ARN' ? resolvePseudo(value) : name === 'DELIVERY_QUEUE_URL' ? 'https://sqs.eu-north-1.amazonaws.com/123456789012/delivery' : 'resolved',
          ]),
        );
      const saved = process.env;
      const withEnvironment = <T>(id: string, build: () => T): T => {
        process.env = { AWS_REGION: 'eu-north-1', ...deployed(variablesOf(id)) };
        try {
          return build();
        } finally {
          process.env = saved;
        }
      };

      // Act
      const built = [ids.task, ids.scan, ids.dunningGroup].map((id) => withEnvironment(id, buildDunning));
      const ledger = withEnvironment(ids.billingGroup, buildPaymentLedger);

      // Assess: both throw on an environment dunning-wiring.ts refuses
      for (const { dunning } of built) expect(typeof dunning.scanOverdue).toBe('function');
      expect(typeof ledger.fileBooked).toBe('function');
    });
  });

  describe('IAM', () => {
    const deliveryAndTracing = [
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ];

    it('lets the state machine invoke the task function and its versions, nothing else (beyond log delivery and X-Ray)', () => {
      // Act
      const statements = statementsOf(roles.stateMachine);

      // Assess
      expect(statements).toEqual([
        { Effect: 'Allow', Action: deliveryAndTracing, Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [{ 'Fn::GetAtt': [ids.task, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.task, 'Arn'] }, ':*']] }],
        },
      ]);
      const invokers = grants((action) => action === 'lambda:InvokeFunction').filter((grant) => JSON.stringify(grant.resources).includes(ids.task));
      expect(invokers.flatMap((grant) => grant.roles)).toEqual([roles.stateMachine]);
    });

    it('allows Step Functions actions to exactly three roles: StartExecution to the task function (ContinueAsNew) and the scan, SendTaskSuccess to the dunning route group', () => {
      // Act
      const stepFunctions = grants((action) => action.startsWith('states:'));
      const [continueAsNew] = stepFunctions.filter((grant) => grant.roles.includes(roles.task));

      // Assess: the task function's grant is on the ARN from the fixed name (a Ref would close a cycle)
      expect(continueAsNew).toMatchObject({ roles: [roles.task], actions: ['states:StartExecution'] });
      expect(resolvePseudo(continueAsNew!.resources[0])).toBe(`arn:aws:states:eu-north-1:123456789012:stateMachine:${stateMachine.StateMachineName as string}`);
      expect(stepFunctions.filter((grant) => !grant.roles.includes(roles.task))).toEqual([
        { roles: [roles.scan], actions: ['states:StartExecution'], resources: [{ Ref: ids.stateMachine }] },
        { roles: [roles.dunningGroup], actions: ['states:SendTaskSuccess'], resources: [{ Ref: ids.stateMachine }] },
      ]);
    });

    it('gives the task function its log group, X-Ray, the table, StartExecution only (ContinueAsNew) and sending to the delivery queue (its letters)', () => {
      // Act
      const actions = statementsOf(roles.task).flatMap(actionsOf);
      const send = statementsOf(roles.task).find((statement) => actionsOf(statement).includes('sqs:SendMessage'))!;

      // Assess
      expect(actions.filter((action) => !action.startsWith('dynamodb:')).sort()).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'states:StartExecution',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
      expect(JSON.stringify(send.Resource)).toContain('DocumentDeliveryDeliveryQueue');
      const table = statementsOf(roles.task).find((statement) => actionsOf(statement).includes('dynamodb:Query'))!;
      expect(table.Resource).toEqual([
        { 'Fn::GetAtt': [ids.table, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.table, 'Arn'] }, '/index/*']] },
      ]);
    });

    it('uses Resource "*" in the dunning roles only for X-Ray and log delivery, which have no resource-level permissions', () => {
      // Act
      const wildcards = Object.values(roles)
        .flatMap(statementsOf)
        .filter((statement) => resourcesOf(statement).includes('*'))
        .flatMap(actionsOf);

      // Assess
      expect(wildcards.length).toBeGreaterThan(0);
      for (const action of wildcards) expect(deliveryAndTracing).toContain(action);
      expect(statementsOf(roles.scheduler)).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [{ 'Fn::GetAtt': [ids.scan, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.scan, 'Arn'] }, ':*']] }],
        },
      ]);
    });
  });

  describe('the overdue scan schedule', () => {
    function scanSchedules(target: Synthesized, scanId: string): Properties[] {
      return Object.values(resourcesOfType(target.template, 'AWS::Scheduler::Schedule'))
        .map((schedule) => schedule.Properties!)
        .filter((properties) => JSON.stringify(properties.Target).includes(scanId));
    }

    it("runs the scan daily at overdueScanCron's expression in the utility's zone", () => {
      // Act
      const schedules = scanSchedules(synthesized, ids.scan);

      // Assess
      expect(schedules).toEqual([
        expect.objectContaining({
          ScheduleExpression: overdueScanCron.eventBridge,
          ScheduleExpressionTimezone: utility.zone,
          State: 'ENABLED',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: expect.objectContaining({
            Arn: { 'Fn::GetAtt': [ids.scan, 'Arn'] },
            RoleArn: { 'Fn::GetAtt': [roles.scheduler, 'Arn'] },
            RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 2 }),
          }),
        }),
      ]);
      expect(overdueScanCron.eventBridge).toBe('cron(0 6 * * ? *)');
      expect(resourcesOfType(synthesized.template, 'AWS::IAM::Role')[roles.scheduler]!.Properties!.AssumeRolePolicyDocument).toMatchObject({
        Statement: [expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      });
    });

    it('follows the utility: Helsinki time for a Finnish utility', () => {
      // Act
      const fi = synthesize({ utility: { country: 'FI', zone: 'Europe/Helsinki' } });
      const scanId = idOf(fi.stack, fi.stack.dunning.overdueScan.function);

      // Assess
      expect(scanSchedules(fi, scanId)).toEqual([
        expect.objectContaining({ ScheduleExpression: overdueScanCron.eventBridge, ScheduleExpressionTimezone: 'Europe/Helsinki' }),
      ]);
      const variables = (resourcesOfType(fi.template, 'AWS::Lambda::Function')[scanId]!.Properties!.Environment as { Variables: Properties }).Variables;
      expect(variables.UTILITY_COUNTRY).toBe('FI');
    });
  });

  describe('monitoring', () => {
    it('counts the owner-contact Task events from the execution log by event type', () => {
      // Act
      const filters = Object.values(resourcesOfType(synthesized.template, 'AWS::Logs::MetricFilter')).filter(
        (filter) => JSON.stringify(filter.Properties!.LogGroupName) === JSON.stringify({ Ref: ids.logGroup }),
      );

      // Assess
      expect(filters).toHaveLength(1);
      const properties = filters[0]!.Properties!;
      expect(properties.FilterPattern).toBe(
        '{ ($.details.resourceType = "lambda") && ($.details.resource = "invoke.waitForTaskToken") && ' +
          '(($.type = "TaskScheduled") || ($.type = "TaskSucceeded") || ($.type = "TaskTimedOut") || ($.type = "TaskFailed")) }',
      );
      expect(properties.MetricTransformations).toEqual([
        {
          MetricNamespace: dunningMetricsNamespace,
          MetricName: ownerContactEventsMetric,
          MetricValue: '1',
          Dimensions: [{ Key: 'Event', Value: '$.type' }],
        },
      ]);
    });

    it('has a dashboard with the execution metrics, throttling, owner contacts and the steps taken', () => {
      // Prepare
      const [, dashboard] = onlyResource(synthesized.template, 'AWS::CloudWatch::Dashboard');

      // Act
      const body = JSON.stringify(dashboard.Properties!.DashboardBody);

      // Assess
      expect(dashboard.Properties!.DashboardName).toBe('UtilityServiceStack-dunning');
      for (const metric of ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted', 'ExecutionThrottled']) {
        expect(body).toContain(`\\"AWS/States\\",\\"${metric}\\",\\"StateMachineArn\\"`);
      }
      for (const event of ['TaskScheduled', 'TaskSucceeded', 'TaskTimedOut']) {
        expect(body).toContain(`\\"${dunningMetricsNamespace}\\",\\"${ownerContactEventsMetric}\\",\\"Event\\",\\"${event}\\"`);
      }
      // The two Logs Insights tables read the state machine's log group.
      expect(body.match(/SOURCE '/g)).toHaveLength(2);
      expect(body).toContain(`details.resource = \\\\\\"${ownerContactResource}\\\\\\"`);
      expect(body).toContain('filter type = \\\\\\"TaskStateEntered\\\\\\"');
      expect(JSON.stringify(dashboard.Properties!.DashboardBody).split(JSON.stringify({ Ref: ids.logGroup })).length - 1).toBe(2);
    });

    it('alarms on failed or timed-out executions, task and scan errors and a scan that did not run, to the operations topic', () => {
      // Prepare
      const [topicId] = onlyResourceNamed(synthesized.template, 'AWS::SNS::Topic', 'AlarmTopic');
      const alarms = Object.entries(resourcesOfType(synthesized.template, 'AWS::CloudWatch::Alarm'))
        .filter(([id]) => id.startsWith('Dunning'))
        .map(([, alarm]) => alarm.Properties!);
      const onFunction = (id: string, metric: string) =>
        alarms.filter((alarm) => alarm.MetricName === metric && JSON.stringify(alarm.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: id } }]));

      // Assess
      // Four here; the fifth (stuck cases) is asserted below.
      expect(alarms).toHaveLength(5);
      for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      const executions = alarms.filter((alarm) => alarm.Metrics !== undefined);
      expect(executions).toEqual([
        expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' }),
      ]);
      const metrics = executions[0]!.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: Properties; Stat: string } }[];
      expect(metrics.find((metric) => metric.Expression)!.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0)');
      expect(metrics.filter((metric) => metric.MetricStat).map((metric) => [metric.MetricStat!.Metric.MetricName, metric.MetricStat!.Stat])).toEqual([
        ['ExecutionsFailed', 'Sum'],
        ['ExecutionsTimedOut', 'Sum'],
      ]);
      for (const metric of metrics.filter((candidate) => candidate.MetricStat)) {
        expect(metric.MetricStat!.Metric.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: ids.stateMachine } }]);
      }
      for (const id of [ids.task, ids.scan]) {
        expect(onFunction(id, 'Errors')).toEqual([
          expect.objectContaining({ Statistic: 'Sum', Period: 900, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }),
        ]);
      }
      expect(onFunction(ids.scan, 'Invocations')).toEqual([
        expect.objectContaining({
          Statistic: 'Sum',
          Period: 3600,
          EvaluationPeriods: 26,
          DatapointsToAlarm: 26,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          TreatMissingData: 'breaching',
        }),
      ]);
    });

    it('alarms when a case is stuck: a metric filter on the task function log line "dunning case stuck", to the operations topic', () => {
      // Act
      const { stack } = synthesized;
      const taskLogGroup = idOf(stack, stack.dunning.taskFunction.logGroup);
      const filters = Object.values(resourcesOfType(synthesized.template, 'AWS::Logs::MetricFilter')).map((f) => f.Properties!);
      const stuckFilter = filters.find((f) => JSON.stringify(f.FilterPattern).includes(stuckLogMessage));
      const alarm = Object.values(resourcesOfType(synthesized.template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!).find((a) => a.MetricName === 'CasesStuck');

      // Assess
      expect(stuckFilter).toMatchObject({ LogGroupName: { Ref: taskLogGroup }, MetricTransformations: [expect.objectContaining({ MetricName: 'CasesStuck', MetricValue: '1' })] });
      expect(stuckFilter!.FilterPattern).toBe(`{ $.message = "${stuckLogMessage}" }`);
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: onlyResourceNamed(synthesized.template, 'AWS::SNS::Topic', 'AlarmTopic')[0] }] });
    });

    it('outputs the state machine ARN for the CLI', () => {
      // Act
      const outputs = synthesized.template.toJSON().Outputs as Record<string, { Value: unknown }>;

      // Assess
      expect(outputs.DunningStateMachineArn!.Value).toEqual({ Ref: ids.stateMachine });
    });
  });

  it('deploys nothing of the embedded stack: /_local/ appears nowhere in the template', () => {
    // Act
    const template = JSON.stringify(synthesized.template.toJSON());

    // Assess
    expect(template).not.toContain('/_local/');
    expect(template).not.toMatch(/localhost|000000000000/);
  });
});
