import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { defaultThrottle, routeGroups, routeKey, routes, type RouteDefinition } from '../../lambdas/http/routes.js';
import { CustomerApi, mergeGroupEnvironments } from '../../lib/constructs/customer-api.js';
import { DataTable } from '../../lib/constructs/data-table.js';
import { UserDirectory } from '../../lib/constructs/user-directory.js';
import { corsPolicy } from '../../lib/cors.js';
import { cdkJsonContext, onlyResource, resourcesOfType, synthesize, type Synthesized } from './synth.js';

type Properties = Record<string, unknown>;

function deployedRoutes(template: Template): Properties[] {
  return Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties!);
}

/** A CustomerApi on its own, with a route table of the test's choosing. */
function customerApiWith(routeTable: readonly RouteDefinition[]): Stack {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
  const data = new DataTable(stack);
  const users = new UserDirectory(stack, 'Users');
  new CustomerApi(stack, 'Api', {
    table: data.table,
    userPool: users.userPool,
    userPoolClient: users.client,
    corsOrigins: ['https://test.example.se'],
    routes: routeTable,
  });
  return stack;
}

describe('CustomerApi', () => {
  let synthesized: Synthesized;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
  });

  it('deploys exactly the route keys of the route table: none missing, none extra, none under /_local/', () => {
    // Prepare
    const expected = routes.map(routeKey).sort();

    // Act
    const deployed = deployedRoutes(synthesized.template).map((route) => route.RouteKey as string).sort();

    // Assess
    expect(deployed).toEqual(expected);
    expect(new Set(deployed).size).toBe(deployed.length);
    expect(deployed.filter((key) => key.split(' ')[1]!.startsWith('/_local'))).toEqual([]);
  });

  it('puts the Cognito JWT authorizer on every non-public route and none on public ones', () => {
    // Prepare
    const [authorizerId, authorizer] = onlyResource(synthesized.template, 'AWS::ApiGatewayV2::Authorizer');
    const [userPoolId] = onlyResource(synthesized.template, 'AWS::Cognito::UserPool');
    const [clientId] = onlyResource(synthesized.template, 'AWS::Cognito::UserPoolClient');
    const byKey = new Map(deployedRoutes(synthesized.template).map((route) => [route.RouteKey as string, route]));

    // Assess
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: clientId }] },
    });
    expect(JSON.stringify(authorizer.Properties?.JwtConfiguration)).toContain(userPoolId);
    for (const route of routes) {
      const deployed = byKey.get(routeKey(route));
      if (route.access === 'public') {
        expect(deployed?.AuthorizationType ?? 'NONE').toBe('NONE');
        expect(deployed?.AuthorizerId).toBeUndefined();
      } else {
        expect(deployed).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      }
    }
  });

  it('integrates every route with the Lambda of its group (payload format 2.0)', () => {
    // Prepare
    const integrations = Object.entries(resourcesOfType(synthesized.template, 'AWS::ApiGatewayV2::Integration'));
    const routeByKey = new Map(routes.map((route) => [routeKey(route), route]));
    // Assess: one integration per group, each pointing at that group's function
    expect(integrations).toHaveLength(Object.keys(routeGroups).length);
    for (const [, integration] of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
    for (const deployed of deployedRoutes(synthesized.template)) {
      const group = routeByKey.get(deployed.RouteKey as string)!.group;
      const [, integration] = integrations.find(([id]) => JSON.stringify(deployed.Target).includes(id))!;
      expect(JSON.stringify(integration.Properties?.IntegrationUri)).toContain(`${group}Function`);
    }
  });

  it('throttles the default stage and each route with its own (or the default) throttle', () => {
    // Prepare
    const expected = Object.fromEntries(
      routes.map((route) => {
        const throttle = route.throttle ?? defaultThrottle;
        return [routeKey(route), { ThrottlingRateLimit: throttle.rate, ThrottlingBurstLimit: throttle.burst }];
      }),
    );

    // Act
    const [, stage] = onlyResource(synthesized.template, 'AWS::ApiGatewayV2::Stage');

    // Assess
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: defaultThrottle.rate, ThrottlingBurstLimit: defaultThrottle.burst },
    });
    expect(stage.Properties?.RouteSettings).toEqual(expected);
    expect(expected['POST /v1/customers']).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
  });

  it('creates the stage after the routes its RouteSettings name', () => {
    // Prepare
    const template = synthesized.template.toJSON() as { Resources: Record<string, { Type: string; DependsOn?: string[] }> };
    const routeIds = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map(([id]) => id);

    // Act
    const [stageId] = onlyResource(synthesized.template, 'AWS::ApiGatewayV2::Stage');

    // Assess
    expect(template.Resources[stageId]?.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('writes JSON access logs with the request id to a log group with a retention', () => {
    // Prepare
    const [logGroupId] = Object.entries(resourcesOfType(synthesized.template, 'AWS::Logs::LogGroup')).find(([id]) =>
      id.includes('AccessLogs'),
    )!;

    // Act
    const [, stage] = onlyResource(synthesized.template, 'AWS::ApiGatewayV2::Stage');
    const settings = stage.Properties?.AccessLogSettings as { DestinationArn: unknown; Format: string };

    // Assess
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    expect(format.routeKey).toBe('$context.routeKey');
    // No path values (customer ids) in the access log.
    expect(Object.values(format)).not.toContain('$context.path');
  });

  it('answers CORS preflight for the origins of the context with the shared policy', () => {
    // Prepare
    const origins = ['https://test-minasidor.example.se', 'http://localhost:5173'];

    // Act
    const { template } = synthesize({ corsOrigins: origins });
    const [, api] = onlyResource(template, 'AWS::ApiGatewayV2::Api');

    // Assess
    expect(api.Properties?.CorsConfiguration).toEqual({
      AllowOrigins: origins,
      AllowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
      AllowMethods: [...corsPolicy.allowMethods],
      ExposeHeaders: [...corsPolicy.exposeHeaders],
      MaxAge: 3600,
    });
    expect([...corsPolicy.allowMethods].sort()).toEqual([...new Set(routes.map((route) => route.method))].sort());
  });

  it('takes the CORS origins from cdk.json by default', () => {
    // Assess
    const [, api] = onlyResource(synthesized.template, 'AWS::ApiGatewayV2::Api');
    expect((api.Properties?.CorsConfiguration as Properties).AllowOrigins).toEqual(cdkJsonContext.corsOrigins);
  });

  it('refuses to synthesize without CORS origins', () => {
    // Act // Assess
    expect(() => synthesize({ corsOrigins: [] })).toThrow(/corsOrigins/);
    expect(() => synthesize({ corsOrigins: ['https://*.example.se'] })).toThrow(/wildcard/);
  });

  it('never creates a route under /_local/, even if the route table had one', () => {
    // Prepare
    const local = { ...routes[0]!, method: 'POST', path: '/_local/token', operationId: 'localToken' } as const;

    // Act // Assess
    expect(() => customerApiWith([...routes, local])).toThrow(/\/_local\/.*POST \/_local\/token/);
  });

  it('merges the route-group environments of several capabilities, refusing a variable set twice differently', () => {
    // Prepare
    const alerts = { alerts: { UTILITY_COUNTRY: 'SE', MESSAGING: 'sns' }, outages: { UTILITY_COUNTRY: 'SE' } };
    const billing = { billing: { UTILITY_COUNTRY: 'SE', BILLING_QUEUE_URL: 'q' }, outages: { UTILITY_COUNTRY: 'SE', EXTRA: '1' } };

    // Act
    const merged = mergeGroupEnvironments(alerts, billing);

    // Assess
    expect(merged).toEqual({
      alerts: { UTILITY_COUNTRY: 'SE', MESSAGING: 'sns' },
      outages: { UTILITY_COUNTRY: 'SE', EXTRA: '1' },
      billing: { UTILITY_COUNTRY: 'SE', BILLING_QUEUE_URL: 'q' },
    });
    expect(() => mergeGroupEnvironments(alerts, { outages: { UTILITY_COUNTRY: 'FI' } })).toThrow(/"outages": UTILITY_COUNTRY is set twice/);
  });

  it('gives a public route no authorizer', () => {
    // Prepare
    const health: RouteDefinition = {
      method: 'GET', path: '/v1/health', group: 'customers', operationId: 'health', summary: 'Health',
      access: 'public', successStatus: 200,
    };

    // Act
    const template = Template.fromStack(customerApiWith([health, ...routes]));

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /v1/health',
      AuthorizationType: 'NONE',
      AuthorizerId: Match.absent(),
    });
  });
});
