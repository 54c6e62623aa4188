/**
 * The service in one stack: the table, the user directory, the customer API, outage
 * alerts, billing, payment-file imports and the dunning workflow, one construct per capability.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Construct } from 'constructs';
import { registerUploadPrefix } from '../lambdas/domain/alerts/ports.js';
import type { RouteDefinition } from '../lambdas/http/routes.js';
import { alertSettingsFromContext, type OutageAlertSettings } from './alert-settings.js';
import { Billing } from './constructs/billing.js';
import { CustomerApi, mergeGroupEnvironments } from './constructs/customer-api.js';
import { DataTable } from './constructs/data-table.js';
import { DocumentDelivery } from './constructs/document-delivery.js';
import { deliverySettingsFromContext, type DeliverySettings } from './delivery-settings.js';
import { DunningWorkflow } from './constructs/dunning-workflow.js';
import { JobSweeper } from './constructs/job-sweeper.js';
import { Operations } from './constructs/operations.js';
import { OutageAlerts } from './constructs/outage-alerts.js';
import { PaymentImports } from './constructs/payment-imports.js';
import { UserDirectory } from './constructs/user-directory.js';
import { corsOriginsFromContext } from './cors.js';
import { utilitySettingsFromContext, type UtilitySettings } from './utility-settings.js';

export interface UtilityServiceStackProps extends StackProps {
  /** @default the context key `corsOrigins` */
  readonly corsOrigins?: readonly string[];
  /** @default every entry of lambdas/http/routes.ts (other tables are for tests) */
  readonly routes?: readonly RouteDefinition[];
  /** @default the context key `alerts` (lib/alert-settings.ts) */
  readonly alerts?: OutageAlertSettings;
  /** @default the context key `utility` (lib/utility-settings.ts) */
  readonly utility?: UtilitySettings;
  /** @default the context key `delivery` (lib/delivery-settings.ts) */
  readonly delivery?: DeliverySettings;
}

export class UtilityServiceStack extends Stack {
  readonly data: DataTable;
  readonly users: UserDirectory;
  readonly customerApi: CustomerApi;
  readonly outageAlerts: OutageAlerts;
  readonly billing: Billing;
  readonly dunning: DunningWorkflow;
  readonly paymentImports: PaymentImports;
  readonly jobSweeper: JobSweeper;
  readonly operations: Operations;
  readonly documentDelivery: DocumentDelivery;

  constructor(scope: Construct, id: string, props: UtilityServiceStackProps = {}) {
    super(scope, id, props);

    this.data = new DataTable(this);
    this.users = new UserDirectory(this, 'Users');
    const utility = props.utility ?? utilitySettingsFromContext(this);
    const corsOrigins = props.corsOrigins ?? corsOriginsFromContext(this);
    // Before the API: the `alerts` and `outages` route groups need its environment (queue URL, settings).
    this.outageAlerts = new OutageAlerts(this, 'OutageAlerts', {
      table: this.data.table,
      settings: props.alerts ?? alertSettingsFromContext(this),
      utility,
    });
    // The table's throttling alarms go to the one operations topic too.
    this.data.addAlarmAction(new SnsAction(this.outageAlerts.alarmTopic));
    // Before the API too (the `billing` route group's queue); its alarms go to the one operations topic.
    this.billing = new Billing(this, 'Billing', {
      table: this.data.table,
      utility,
      alarmAction: new SnsAction(this.outageAlerts.alarmTopic),
    });
    // Before the API too: the `dunning` route group needs the state machine's ARN.
    this.dunning = new DunningWorkflow(this, 'Dunning', {
      table: this.data.table,
      utility,
      alarmAction: new SnsAction(this.outageAlerts.alarmTopic),
    });
    // Large payment files: the upload bucket, the chunk queue and its worker (the `billing` route group's too).
    this.paymentImports = new PaymentImports(this, 'PaymentImports', {
      table: this.data.table,
      billingEnvironment: this.billing.environment,
      corsOrigins,
      alarmAction: new SnsAction(this.outageAlerts.alarmTopic),
    });
    // Documents: their bucket, the delivery queue and job, email and SMS events (the `documents` route group's too).
    this.documentDelivery = new DocumentDelivery(this, 'DocumentDelivery', {
      table: this.data.table,
      settings: props.delivery ?? deliverySettingsFromContext(this),
      alarmAction: new SnsAction(this.outageAlerts.alarmTopic),
      country: utility.country,
    });
    // Issue 12: billing pages and notice lists order invoices and price notices, dunning tasks their
    // letters, on the delivery queue (the tasks read the letters' deliveries from the table).
    this.documentDelivery.grantOrders(this.billing.segmentFunction);
    this.documentDelivery.grantOrders(this.dunning.taskFunction);
    this.customerApi = new CustomerApi(this, 'CustomerApi', {
      table: this.data.table,
      userPool: this.users.userPool,
      userPoolClient: this.users.client,
      corsOrigins,
      routes: props.routes,
      groupEnvironment: mergeGroupEnvironments(
        this.outageAlerts.routeGroupEnvironment,
        this.billing.routeGroupEnvironment,
        this.dunning.routeGroupEnvironment,
        this.paymentImports.routeGroupEnvironment,
        this.documentDelivery.routeGroupEnvironment,
        { alerts: { REGISTER_UPLOAD_BUCKET: this.paymentImports.bucket.bucketName } },
      ),
    });
    this.outageAlerts.connectRouteGroups(this.customerApi.functions);
    this.billing.connectRouteGroups(this.customerApi.functions);
    this.dunning.connectRouteGroups(this.customerApi.functions);
    this.paymentImports.connectRouteGroups(this.customerApi.functions);
    // Large address registers (issue 11): uploaded to the payment-file bucket under
    // register-uploads/; the `alerts` route group signs the URL and checks the upload, the
    // sending function (the alert job worker) reads and parses the file.
    this.paymentImports.shareUploads(registerUploadPrefix, {
      signers: [this.customerApi.functions.alerts],
      readers: [this.outageAlerts.sender],
      purpose: 'address register uploads',
    });
    this.outageAlerts.sender.function.addEnvironment('REGISTER_UPLOAD_BUCKET', this.paymentImports.bucket.bucketName);
    this.documentDelivery.connectRouteGroups(this.customerApi.functions);
    // Background jobs resume: stalled billing runs and payment imports get their unfinished work queued again.
    this.jobSweeper = new JobSweeper(this, 'JobSweeper', {
      table: this.data.table,
      environment: { ...this.billing.environment, ...this.paymentImports.environment, SEND_QUEUE_URL: this.outageAlerts.queue.queueUrl },
      queues: [this.billing.queue, this.paymentImports.queue, this.outageAlerts.queue],
      alarmAction: new SnsAction(this.outageAlerts.alarmTopic),
    });
    // Last: it alarms on every function built above and sends every alarm of the stack to the one topic.
    this.operations = new Operations(this, 'Operations', {
      alarmTopic: this.outageAlerts.alarmTopic,
      api: this.customerApi.api,
      dashboard: this.dunning.dashboard,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.customerApi.url, description: 'Base URL of the customer API' });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.outageAlerts.alarmTopic.topicArn,
      description: 'Operations alarms (outage alerts, billing, dunning): subscribe the on-call address',
    });
    new CfnOutput(this, 'DunningStateMachineArn', {
      value: this.dunning.stateMachine.stateMachineArn,
      description: 'The dunning state machine: aws stepfunctions list-executions --state-machine-arn <this>',
    });
    new CfnOutput(this, 'SmsInboundTopicArn', {
      value: this.documentDelivery.smsInboundTopic.topicArn,
      description: "Set as the alert number's two-way SMS channel: inbound stop words opt numbers out",
    });
    new CfnOutput(this, 'SmsConfigurationSetName', {
      value: this.documentDelivery.smsConfigurationSet.ref,
      description: 'Send alert SMS with this End User Messaging configuration set: its receipts settle the recipients',
    });
  }
}
