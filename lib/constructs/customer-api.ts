/**
 * The customer-service HTTP API, generated from the one route table
 * (lambdas/http/routes.ts): one ServiceFunction per route group, one route per entry,
 * a Cognito JWT authorizer on every route that is not public, per-route throttling and
 * access logs on the `$default` stage, and the shared CORS policy (lib/cors.ts).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  defaultThrottle,
  routeGroups,
  routeKey,
  routes,
  type RouteDefinition,
  type RouteGroup,
  type Throttle,
} from '../../lambdas/http/routes.js';
import { corsPolicy } from '../cors.js';
import { acknowledgeTableIndexAccess } from './data-table.js';
import { logRetention, ServiceFunction } from './service-function.js';
import { httpFunctionSettings } from '../function-settings.js';

/** Paths only the embedded stack serves (dev tokens, resets): never deployed. */
export const localOnlyPathPrefix = '/_local/';

export function isLocalOnlyPath(path: string): boolean {
  return path === localOnlyPathPrefix.slice(0, -1) || path.startsWith(localOnlyPathPrefix);
}

export interface CustomerApiProps {
  readonly table: TableV2;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  readonly corsOrigins: readonly string[];
  /** @default every entry of lambdas/http/routes.ts */
  readonly routes?: readonly RouteDefinition[];
  /**
   * Further environment variables of a route group's function, e.g. the outage-alert
   * settings for `alerts` and `outages` (OutageAlerts.routeGroupEnvironment), the billing
   * queue for `billing` (Billing.routeGroupEnvironment); see mergeGroupEnvironments.
   * TABLE_NAME is always the table's.
   * @default TABLE_NAME only
   */
  readonly groupEnvironment?: GroupEnvironment;
}

export type GroupEnvironment = Partial<Record<RouteGroup, Readonly<Record<string, string>>>>;

/**
 * The `groupEnvironment` of several capabilities (OutageAlerts, Billing) as one: a group
 * may get variables from more than one; a variable two of them set differently throws.
 */
export function mergeGroupEnvironments(...environments: readonly GroupEnvironment[]): GroupEnvironment {
  const merged: Partial<Record<RouteGroup, Record<string, string>>> = {};
  for (const environment of environments) {
    for (const [group, variables] of Object.entries(environment) as [RouteGroup, Readonly<Record<string, string>>][]) {
      const target = (merged[group] ??= {});
      for (const [name, value] of Object.entries(variables)) {
        if (target[name] !== undefined && target[name] !== value) {
          throw new Error(`Route group "${group}": ${name} is set twice, to different values.`);
        }
        target[name] = value;
      }
    }
  }
  return merged;
}

/** The access log line: ids, route template, status and timings; never paths, queries or bodies. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    errorMessage: '$context.error.message',
  }),
);

function stageThrottle(throttle: Throttle) {
  return { ThrottlingRateLimit: throttle.rate, ThrottlingBurstLimit: throttle.burst };
}

export class CustomerApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Readonly<Record<RouteGroup, ServiceFunction>>;
  /** By route key, e.g. `GET /v1/customers/{customerId}`. */
  readonly routes: ReadonlyMap<string, HttpRoute>;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: CustomerApiProps) {
    super(scope, id);
    const routeTable = props.routes ?? routes;

    const local = routeTable.filter((route) => isLocalOnlyPath(route.path));
    if (local.length > 0) {
      throw new Error(`Routes under ${localOnlyPathPrefix} are never deployed: ${local.map(routeKey).join(', ')}`);
    }

    const functions = {} as Record<RouteGroup, ServiceFunction>;
    const integrations = new Map<RouteGroup, HttpLambdaIntegration>();
    for (const group of Object.keys(routeGroups) as RouteGroup[]) {
      const settings = routeGroups[group];
      const fn = new ServiceFunction(this, `${group}Function`, {
        entry: settings.entry,
        memoryMb: httpFunctionSettings(group).memoryMb,
        timeout: Duration.seconds(httpFunctionSettings(group).timeoutSeconds),
        description: `HTTP route group "${group}"`,
        environment: { ...props.groupEnvironment?.[group], TABLE_NAME: props.table.tableName },
      });
      props.table.grantReadWriteData(fn.function);
      functions[group] = fn;
      integrations.set(group, new HttpLambdaIntegration(`${group}Integration`, fn.function));
    }
    this.functions = functions;

    acknowledgeTableIndexAccess(this, props.table);

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `${Stack.of(this).stackName}-customer-api`,
      description: 'Nordic utility customer service API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.corsOrigins],
        allowHeaders: [...corsPolicy.allowHeaders],
        allowMethods: corsPolicy.allowMethods.map((method) => CorsHttpMethod[method]),
        exposeHeaders: [...corsPolicy.exposeHeaders],
        maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
      },
    });

    const jwt = new HttpUserPoolAuthorizer('CognitoJwt', props.userPool, {
      userPoolClients: [props.userPoolClient],
    });
    const none = new HttpNoneAuthorizer();

    const created = new Map<string, HttpRoute>();
    for (const route of routeTable) {
      const key = routeKey(route);
      if (created.has(key)) throw new Error(`Route ${key} appears twice in the route table.`);
      const integration = integrations.get(route.group);
      if (!integration) throw new Error(`Route ${key}: unknown group "${route.group}".`);
      const authorizer: IHttpRouteAuthorizer = route.access === 'public' ? none : jwt;
      const httpRoute = new HttpRoute(this, `Route-${route.operationId}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
        authorizer,
      });
      if (route.access === 'public') {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${key} is public in the route table (access: 'public'): it takes no token by design.`,
        });
      }
      created.set(key, httpRoute);
    }
    this.routes = created;

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: defaultThrottle.rate, burstLimit: defaultThrottle.burst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat,
      },
    });

    // Route-level throttling is not in the L2 stage: set RouteSettings on the L1, keyed by
    // route key. API Gateway rejects settings for a route key it does not know yet, so
    // the stage is created after the routes.
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      routeTable.map((route) => [routeKey(route), stageThrottle(route.throttle ?? defaultThrottle)]),
    );
    for (const httpRoute of created.values()) cfnStage.node.addDependency(httpRoute);
  }

  get url(): string {
    // `$default` stage: the API's own endpoint with a trailing slash.
    return this.stage.url;
  }
}
