/**
 * Dunning in AWS (docs/DUNNING.md): the Standard state machine of
 * statemachines/dunning.asl.json, the task function every Task state invokes, the daily
 * overdue scan (EventBridge Scheduler, in the utility's zone) that starts one execution per
 * overdue invoice, the `dunning` route group's permission to resume the owner-contact
 * callback, a dashboard and the alarms operations need (on the service's one alarm topic).
 *
 * The ASL file is the single source of truth: it is read here as a string (so the infra
 * tests see the definition and its placeholders), the embedded stack runs the same file.
 *
 * The state machine ↔ task function cycle: the state machine's definition names the task
 * function (the substitution `DunningTaskFunctionArn`), and the task function's cold start
 * needs DUNNING_STATE_MACHINE_ARN (lambdas/adapters/dunning-wiring.ts builds a workflow port
 * from it, though no task ever starts or resumes an execution). The state machine therefore
 * gets a fixed name and every function gets its ARN built from that name (Stack.formatArn):
 * a string CloudFormation resolves without a reference to the state machine resource.
 */
import { readFileSync } from 'node:fs';
import { ArnFormat, Duration, RemovalPolicy, Stack, TimeZone, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IAlarmAction,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stuckLogMessage } from '../../lambdas/domain/dunning/case.js';
import { overdueScanCron } from '../../lambdas/domain/dunning/schedule.js';
import type { RouteGroup } from '../../lambdas/http/routes.js';
import { fromRepoRoot } from '../paths.js';
import { dunningPolicyJson, type UtilitySettings } from '../utility-settings.js';
import type { GroupEnvironment } from './customer-api.js';
import { acknowledgeTableIndexAccess } from './data-table.js';
import { logRetention, ServiceFunction } from './service-function.js';
import { functionSettings } from '../function-settings.js';

/** The dunning workflow's definition, relative to the repository root (local/workflows runs the same file). */
export const dunningDefinitionPath = 'statemachines/dunning.asl.json';

/**
 * Route groups whose handlers build the dunning use-cases (lambdas/http/dunning.ts). Of all
 * the workflow's operations they only resume the owner-contact callback (POST
 * .../owner-contact → SendTaskSuccess); the billing group's payment ledger needs no workflow.
 */
export const dunningRouteGroups = ['dunning'] as const satisfies readonly RouteGroup[];

/**
 * The task function's own limit, below the Task states' TimeoutSeconds (60): a slow
 * invocation ends as the function's error, which the ASL retries, instead of running on
 * beside the retry Step Functions starts after its own timeout.
 */
export const taskFunctionTimeout = Duration.seconds(functionSettings.dunningTasks.timeoutSeconds);
/** The scan starts executions one after the other: thousands of overdue invoices take minutes. */
export const overdueScanTimeout = Duration.seconds(functionSettings.overdueScan.timeoutSeconds);
/** The scan runs once a day: no invocation in this long means it was not run (schedule or function broken). */
export const overdueScanSilence = Duration.hours(26);
/** Task and scan function errors are counted over this period. */
export const functionErrorsPeriod = Duration.minutes(15);

/** Where the owner-contact metric filter puts its counts (one metric, dimension `Event`). */
export const dunningMetricsNamespace = 'UtilityService/Dunning';
export const ownerContactEventsMetric = 'OwnerContactTaskEvents';
export const casesStuckMetric = 'CasesStuck';
/**
 * Step Functions logs the Task events of `lambda:invoke.waitForTaskToken` with
 * `details.resourceType = "lambda"` and `details.resource = "invoke.waitForTaskToken"`;
 * AwaitOwnerContact is the one state of the ASL with that resource (test/infra checks it).
 */
export const ownerContactResource = 'invoke.waitForTaskToken';
/** TaskScheduled: a wait began (a retry after a failed invoke begins another); the others end one. */
export const ownerContactEvents = ['TaskScheduled', 'TaskSucceeded', 'TaskTimedOut', 'TaskFailed'] as const;

/** The state machine's fixed name (see the module comment): `<stack name>-dunning`. */
export function dunningStateMachineName(stack: Stack): string {
  const name = `${stack.stackName}-dunning`;
  // Step Functions: 1-80 characters; logging to CloudWatch needs letters, digits, - and _ only.
  if (Token.isUnresolved(name) || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw new Error(`The dunning state machine name "${name}" must be 1-80 letters, digits, - or _ (a shorter stack name).`);
  }
  return name;
}

export interface DunningWorkflowProps {
  readonly table: TableV2;
  /** The utility's country (policies, banking days) and zone (the scan's schedule): context `utility`. */
  readonly utility: UtilitySettings;
  /** Where the alarms go (the operations topic of OutageAlerts). */
  readonly alarmAction: IAlarmAction;
}

export interface DunningAlarms {
  /** An execution ended failed (a task kept failing: the case is marked failed) or timed out (one year). */
  readonly executionsFailed: Alarm;
  readonly taskErrors: Alarm;
  readonly scanErrors: Alarm;
  /** The daily scan did not run in 26 hours: no overdue invoice was taken up. */
  readonly scanNotRun: Alarm;
  /** A case waits for a payment file longer than DUNNING_STUCK_AFTER_BANKING_DAYS (the task logs "dunning case stuck"). */
  readonly casesStuck: Alarm;
}

export class DunningWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  /** The state machine's execution log (level ALL): `/aws/vendedlogs/states/<name>`. */
  readonly logGroup: LogGroup;
  readonly taskFunction: ServiceFunction;
  readonly overdueScan: ServiceFunction;
  readonly scanSchedule: Schedule;
  readonly ownerContactMetricFilter: MetricFilter;
  readonly dashboard: Dashboard;
  readonly alarms: DunningAlarms;
  /** The state machine's ARN, from its fixed name (no reference to the resource: no cycle). */
  readonly stateMachineArn: string;
  /** UTILITY_COUNTRY and DUNNING_STATE_MACHINE_ARN (lambdas/adapters/dunning-wiring.ts), without TABLE_NAME. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: DunningWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { table, utility } = props;

    const stateMachineName = dunningStateMachineName(stack);
    this.stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // The utility's policy file (context `utility`.dunningPolicy), validated here at synth time.
    const policyJson = dunningPolicyJson(utility);
    this.environment = {
      UTILITY_COUNTRY: utility.country,
      DUNNING_STATE_MACHINE_ARN: this.stateMachineArn,
      ...(policyJson ? { DUNNING_POLICY_JSON: policyJson } : {}),
    };
    const jobEnvironment = { ...this.environment, TABLE_NAME: table.tableName };

    // Every Task state invokes it; it reads and writes cases, invoices, work orders (and their
    // indexes) in the table. Its one Step Functions permission: ContinueAsNew starts the case's
    // next execution (on the ARN from the fixed name: a Ref would close a cycle).
    this.taskFunction = new ServiceFunction(this, 'TaskFunction', {
      entry: 'lambdas/tasks/dunning.ts',
      memoryMb: functionSettings.dunningTasks.memoryMb,
      description: 'Dunning: the task function of the dunning state machine (every Task state)',
      timeout: taskFunctionTimeout,
      environment: jobEnvironment,
    });
    table.grantReadWriteData(this.taskFunction.function);
    this.taskFunction.function.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachineArn] }));

    this.overdueScan = new ServiceFunction(this, 'OverdueScan', {
      entry: 'lambdas/jobs/overdue-scan.ts',
      memoryMb: functionSettings.overdueScan.memoryMb,
      description: 'Dunning: starts one execution per overdue invoice, closes paid disconnected cases (daily)',
      timeout: overdueScanTimeout,
      environment: jobEnvironment,
    });
    table.grantReadWriteData(this.overdueScan.function);
    acknowledgeTableIndexAccess(this, table);

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = this.createStateMachine(stack, stateMachineName));
    this.stateMachine.grantStartExecution(this.overdueScan.function);

    this.scanSchedule = this.createScanSchedule(stack, utility);
    this.ownerContactMetricFilter = this.createOwnerContactMetricFilter();
    this.alarms = this.createAlarms(props.alarmAction);
    this.dashboard = this.createDashboard(stack, stateMachineName);
  }

  /** The environment of the dunning route group, for CustomerApi's `groupEnvironment`. */
  get routeGroupEnvironment(): GroupEnvironment {
    return Object.fromEntries(dunningRouteGroups.map((group) => [group, this.environment]));
  }

  /**
   * Lets the dunning route group resume the owner-contact callback: states:SendTaskSuccess
   * on this state machine, nothing else (no SendTaskFailure/Heartbeat, no StartExecution).
   * SendTaskSuccess is authorized against the state machine that issued the task token.
   */
  connectRouteGroups(functions: Readonly<Record<RouteGroup, ServiceFunction>>): void {
    for (const group of dunningRouteGroups) this.stateMachine.grant(functions[group].function, 'states:SendTaskSuccess');
  }

  private createStateMachine(stack: Stack, stateMachineName: string): { stateMachine: StateMachine; logGroup: LogGroup } {
    // The /aws/vendedlogs/ prefix is what AWS recommends for vended logs: CloudWatch Logs'
    // resource policy for the log delivery then stays one statement however many log groups.
    // Retained (the default): the execution log is the operational trail of reminders,
    // collection and disconnection orders.
    const logGroup = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: logRetention,
    });

    const stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Dunning of one overdue invoice (statemachines/dunning.asl.json)',
      definitionBody: DefinitionBody.fromString(readDunningDefinition()),
      definitionSubstitutions: { DunningTaskFunctionArn: this.taskFunction.function.functionArn },
      // Level ALL: the dashboard reads TaskScheduled/TaskSucceeded and TaskStateEntered events,
      // which level ERROR does not log (and cdk-nag AwsSolutions-SF1 asks for ALL). With the
      // execution data: the payloads are case and invoice ids, stages, dates and statuses
      // (WorkflowState), a failed task's error, and the owner-contact task token, which only
      // a principal allowed states:SendTaskSuccess on this state machine can use. Names,
      // national ids, phones and addresses never enter an execution: the task function
      // reads them from the table.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      // The executions are the open cases, each waiting weeks or months for its next date:
      // neither a stack deletion nor a replacement may take them away. (With the fixed name
      // CloudFormation cannot replace it anyway; a change that needs a replacement fails.)
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The only function the definition names: the task function and its versions.
    this.taskFunction.function.grantInvoke(stateMachine);

    const taskFunctionLogicalId: string = stack.resolve((this.taskFunction.function.node.defaultChild as CfnResource).logicalId);
    Validations.of(stateMachine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${taskFunctionLogicalId}.Arn>:*]`,
      reason:
        'grantInvoke on the task function: lambda:InvokeFunction on the function and its versions/aliases ("<arn>:*"), no other function.',
    });
    Validations.of(stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by tracingEnabled and the logging configuration: xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets and the CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) support no resource-level permissions, so AWS requires Resource "*".',
    });
    return { stateMachine, logGroup };
  }

  /** 06:00 every day in the utility's zone: overdueScanCron, the expression the embedded stack fires too. */
  private createScanSchedule(stack: Stack, utility: UtilitySettings): Schedule {
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler: invokes the dunning overdue scan',
    });
    const schedule = new Schedule(this, 'OverdueScanSchedule', {
      schedule: ScheduleExpression.expression(overdueScanCron.eventBridge, TimeZone.of(utility.zone)),
      description: `Dunning: the daily overdue scan (${overdueScanCron.eventBridge} ${utility.zone})`,
      // Asynchronous invocation: the retries cover a failed hand-over to Lambda (throttling).
      // A second scan the same day starts nothing new (executions are named after the invoice).
      target: new LambdaInvoke(this.overdueScan.function, { role, retryAttempts: 2 }),
    });
    const scanLogicalId: string = stack.resolve((this.overdueScan.function.node.defaultChild as CfnResource).logicalId);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${scanLogicalId}.Arn>:*]`,
      reason:
        'LambdaInvoke grants lambda:InvokeFunction with grantInvoke: the overdue scan and its versions/aliases ("<arn>:*"), no other function.',
    });
    return schedule;
  }

  /**
   * Owner contacts from the execution log: one metric, `Event` = the history event type, for
   * the Task events of the callback resource (AwaitOwnerContact). TaskScheduled counts the
   * waits begun, TaskSucceeded the contacts recorded (SendTaskSuccess), TaskTimedOut the
   * waits that ran out (48 hours), TaskFailed a failed invoke of the task function.
   */
  private createOwnerContactMetricFilter(): MetricFilter {
    return new MetricFilter(this, 'OwnerContactEvents', {
      logGroup: this.logGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.details.resourceType', '=', 'lambda'),
        FilterPattern.stringValue('$.details.resource', '=', ownerContactResource),
        FilterPattern.any(...ownerContactEvents.map((event) => FilterPattern.stringValue('$.type', '=', event))),
      ),
      metricNamespace: dunningMetricsNamespace,
      metricName: ownerContactEventsMetric,
      metricValue: '1',
      dimensions: { Event: '$.type' },
    });
  }

  private ownerContactMetric(event: (typeof ownerContactEvents)[number], period: Duration): Metric {
    return new Metric({
      namespace: dunningMetricsNamespace,
      metricName: ownerContactEventsMetric,
      dimensionsMap: { Event: event },
      statistic: 'Sum',
      period,
    });
  }

  private createAlarms(action: IAlarmAction): DunningAlarms {
    const fiveMinutes = Duration.minutes(5);
    const executionsFailed = new Alarm(this, 'ExecutionsFailedAlarm', {
      alarmDescription:
        'A dunning execution failed (a task kept failing: the case is marked failed and nothing more is done for it) or timed out (a Standard execution runs at most a year). See docs/DEPLOY.md, section 8 (Dunning workflow).',
      metric: new MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: 'Sum', period: fiveMinutes }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum', period: fiveMinutes }),
        },
        label: 'Executions failed or timed out',
        period: fiveMinutes,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const taskErrors = new Alarm(this, 'TaskErrorsAlarm', {
      alarmDescription:
        'The dunning task function failed in the last 15 minutes (a transient error the state machine retries counts too); the executions-failed alarm says whether a case stopped.',
      metric: this.taskFunction.function.metricErrors({ statistic: 'Sum', period: functionErrorsPeriod }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const scanErrors = new Alarm(this, 'ScanErrorsAlarm', {
      alarmDescription:
        'The daily overdue scan failed: overdue invoices may not have been taken up today (run it again: the scan is idempotent).',
      metric: this.overdueScan.function.metricErrors({ statistic: 'Sum', period: functionErrorsPeriod }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // 26 hourly periods, all without an invocation (Lambda publishes no datapoint then:
    // missing counts as breaching). Hourly, because an alarm whose periods are shorter than
    // an hour may look back one day at most.
    const hours = overdueScanSilence.toHours();
    const scanNotRun = new Alarm(this, 'ScanNotRunAlarm', {
      alarmDescription: `The daily overdue scan has not run for ${hours} hours: the schedule or the function is broken, and no overdue invoice is taken up.`,
      metric: this.overdueScan.function.metricInvocations({ statistic: 'Sum', period: Duration.hours(1) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: hours,
      datapointsToAlarm: hours,
      treatMissingData: TreatMissingData.BREACHING,
    });

    // The task function logs "dunning case stuck" (case id and dates only, no PII) on every check
    // of a stuck case: counted from its log, an alarm while any case is stuck.
    const stuckFilter = new MetricFilter(this, 'CasesStuckFilter', {
      logGroup: this.taskFunction.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', stuckLogMessage),
      metricNamespace: dunningMetricsNamespace,
      metricName: casesStuckMetric,
      metricValue: '1',
    });
    const casesStuck = new Alarm(this, 'CasesStuckAlarm', {
      alarmDescription:
        'A dunning case has waited for a payment file ("no payment file booked since …", R-FI-10, R-SE-13) longer than DUNNING_STUCK_AFTER_BANKING_DAYS: the bank file feed is not current. GET /v1/dunning-cases?status=stuck lists them.',
      metric: stuckFilter.metric({ statistic: 'Sum', period: Duration.days(1) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const alarms = { executionsFailed, taskErrors, scanErrors, scanNotRun, casesStuck };
    for (const alarm of Object.values(alarms)) alarm.addAlarmAction(action);
    return alarms;
  }

  private createDashboard(stack: Stack, stateMachineName: string): Dashboard {
    const hour = Duration.hours(1);
    const day = Duration.days(1);
    const sm = this.stateMachine;
    const logGroupNames = [this.logGroup.logGroupName];
    const sum = { statistic: 'Sum', period: hour };

    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-dunning`,
      // At least three days: the owner-contact table needs each waiting case's last wait to
      // have begun in the range (one wait lasts at most 48 hours before it is retried).
      defaultInterval: Duration.days(7),
    });

    dashboard.addWidgets(
      new TextWidget({
        markdown: [
          '## Dunning workflow',
          `State machine \`${stateMachineName}\` (Standard), its task function, and the overdue scan (${overdueScanCron.eventBridge}, daily).`,
          'Open cases by status: `GET /v1/dunning-cases?status=…`. Executions: the Step Functions console, or',
          '`aws stepfunctions list-executions --state-machine-arn <DunningStateMachineArn> --status-filter RUNNING`.',
        ].join('\n'),
        width: 24,
        height: 3,
      }),
    );

    const executions: IMetric[] = [
      sm.metricStarted(sum),
      sm.metricSucceeded(sum),
      sm.metricFailed(sum),
      sm.metricTimedOut(sum),
      sm.metricAborted(sum),
    ];
    dashboard.addWidgets(
      new GraphWidget({ title: 'Executions (per hour)', left: executions, width: 12, height: 6 }),
      new GraphWidget({
        title: 'Throttling: ExecutionThrottled (state transitions) and task function throttles',
        left: [sm.metricThrottled(sum), this.taskFunction.function.metricThrottles(sum)],
        width: 12,
        height: 6,
      }),
    );

    dashboard.addWidgets(
      new GraphWidget({
        title: 'Owner contacts (AwaitOwnerContact, per day): asked, recorded, timed out, failed',
        left: ownerContactEvents.map((event) =>
          this.ownerContactMetric(event, day).with({
            label: { TaskScheduled: 'asked (TaskScheduled)', TaskSucceeded: 'recorded (TaskSucceeded)', TaskTimedOut: 'timed out: escalated (TaskTimedOut)', TaskFailed: 'invoke failed (TaskFailed)' }[event],
          }),
        ),
        width: 12,
        height: 6,
      }),
      // Waiting now: per execution, the last Task event of the callback resource (or the
      // execution's end). TaskScheduled/TaskStarted/TaskSubmitted last = the callback is
      // waiting for POST .../owner-contact; TaskSucceeded, TaskTimedOut, TaskFailed or an
      // Execution* end event last = it is not.
      new LogQueryWidget({
        title: 'Waiting owner contacts (executions whose AwaitOwnerContact is waiting now)',
        logGroupNames,
        view: LogQueryVisualizationType.TABLE,
        queryLines: [
          `filter (details.resourceType = "lambda" and details.resource = "${ownerContactResource}") or type in ["ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"]`,
          'stats latest(type) as lastEvent, max(@timestamp) as since by execution_arn',
          'filter lastEvent in ["TaskScheduled", "TaskStarted", "TaskSubmitted"]',
          'sort since asc',
        ],
        width: 12,
        height: 6,
      }),
    );

    dashboard.addWidgets(
      // Cases by stage: the task states entered in the range (a reminder sent is one
      // SendReminder, a disconnection ordered one OrderDisconnection, ...).
      new LogQueryWidget({
        title: 'Dunning steps taken in the range (task states entered)',
        logGroupNames,
        view: LogQueryVisualizationType.TABLE,
        queryLines: ['filter type = "TaskStateEntered"', 'stats count(*) as entered by details.name', 'sort entered desc'],
        width: 12,
        height: 6,
      }),
      new GraphWidget({
        title: 'Task function and overdue scan (per hour)',
        left: [
          this.taskFunction.function.metricInvocations({ ...sum, label: 'task invocations' }),
          this.taskFunction.function.metricErrors({ ...sum, label: 'task errors' }),
          this.overdueScan.function.metricInvocations({ ...sum, label: 'scan invocations' }),
          this.overdueScan.function.metricErrors({ ...sum, label: 'scan errors' }),
        ],
        right: [this.overdueScan.function.metricDuration({ statistic: 'Maximum', period: hour, label: 'scan duration (max)' })],
        width: 12,
        height: 6,
      }),
    );
    return dashboard;
  }
}

/** The ASL text CDK deploys, as it is in the file. */
export function readDunningDefinition(): string {
  return readFileSync(fromRepoRoot(dunningDefinitionPath), 'utf8');
}
