/**
 * The service in one stack: the table, the user directory, the customer API and outage
 * alerts. Later capabilities (Billing, DunningWorkflow) are further constructs here.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RouteDefinition } from '../lambdas/http/routes.js';
import { alertSettingsFromContext, type OutageAlertSettings } from './alert-settings.js';
import { CustomerApi } from './constructs/customer-api.js';
import { DataTable } from './constructs/data-table.js';
import { OutageAlerts } from './constructs/outage-alerts.js';
import { UserDirectory } from './constructs/user-directory.js';
import { corsOriginsFromContext } from './cors.js';

export interface UtilityServiceStackProps extends StackProps {
  /** @default the context key `corsOrigins` */
  readonly corsOrigins?: readonly string[];
  /** @default every entry of lambdas/http/routes.ts (other tables are for tests) */
  readonly routes?: readonly RouteDefinition[];
  /** @default the context key `alerts` (lib/alert-settings.ts) */
  readonly alerts?: OutageAlertSettings;
}

export class UtilityServiceStack extends Stack {
  readonly data: DataTable;
  readonly users: UserDirectory;
  readonly customerApi: CustomerApi;
  readonly outageAlerts: OutageAlerts;

  constructor(scope: Construct, id: string, props: UtilityServiceStackProps = {}) {
    super(scope, id, props);

    this.data = new DataTable(this);
    this.users = new UserDirectory(this, 'Users');
    // Before the API: the `alerts` and `outages` route groups need its environment (queue URL, settings).
    this.outageAlerts = new OutageAlerts(this, 'OutageAlerts', {
      table: this.data.table,
      settings: props.alerts ?? alertSettingsFromContext(this),
    });
    this.customerApi = new CustomerApi(this, 'CustomerApi', {
      table: this.data.table,
      userPool: this.users.userPool,
      userPoolClient: this.users.client,
      corsOrigins: props.corsOrigins ?? corsOriginsFromContext(this),
      routes: props.routes,
      groupEnvironment: this.outageAlerts.routeGroupEnvironment,
    });
    this.outageAlerts.connectRouteGroups(this.customerApi.functions);

    new CfnOutput(this, 'ApiUrl', { value: this.customerApi.url, description: 'Base URL of the customer API' });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.outageAlerts.alarmTopic.topicArn,
      description: 'Operations alarms of outage alerts: subscribe the on-call address',
    });
  }
}
