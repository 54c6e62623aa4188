/**
 * The service in one stack: the table, the user directory and the customer API. Later
 * capabilities (OutageAlerts, Billing, DunningWorkflow) are further constructs here.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RouteDefinition } from '../lambdas/http/routes.js';
import { CustomerApi } from './constructs/customer-api.js';
import { DataTable } from './constructs/data-table.js';
import { UserDirectory } from './constructs/user-directory.js';
import { corsOriginsFromContext } from './cors.js';

export interface UtilityServiceStackProps extends StackProps {
  /** @default the context key `corsOrigins` */
  readonly corsOrigins?: readonly string[];
  /** @default every entry of lambdas/http/routes.ts (other tables are for tests) */
  readonly routes?: readonly RouteDefinition[];
}

export class UtilityServiceStack extends Stack {
  readonly data: DataTable;
  readonly users: UserDirectory;
  readonly customerApi: CustomerApi;

  constructor(scope: Construct, id: string, props: UtilityServiceStackProps = {}) {
    super(scope, id, props);

    this.data = new DataTable(this);
    this.users = new UserDirectory(this, 'Users');
    this.customerApi = new CustomerApi(this, 'CustomerApi', {
      table: this.data.table,
      userPool: this.users.userPool,
      userPoolClient: this.users.client,
      corsOrigins: props.corsOrigins ?? corsOriginsFromContext(this),
      routes: props.routes,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.customerApi.url, description: 'Base URL of the customer API' });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
  }
}
