import { describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authorize, parseGroups } from '../../../lambdas/http/principal.js';
import type { RouteDefinition } from '../../../lambdas/http/routes.js';

const route: RouteDefinition = {
  method: 'GET', path: '/v1/customers/{customerId}', group: 'customers', operationId: 'getCustomer',
  summary: '', access: ['agent', 'admin', 'customer'], customerOwnOnly: true, successStatus: 200,
};

function event(claims: Record<string, string> | undefined, customerId = 'cus_a'): APIGatewayProxyEventV2 {
  return {
    routeKey: 'GET /v1/customers/{customerId}',
    pathParameters: { customerId },
    requestContext: claims ? { authorizer: { jwt: { claims } } } : {},
  } as unknown as APIGatewayProxyEventV2;
}

describe('cognito:groups as API Gateway passes it', () => {
  it.each([
    ['[agent]', ['agent']],
    ['[agent admin]', ['agent', 'admin']],
    ['["ops","admin"]', ['ops', 'admin']],
    ['customer', ['customer']],
    ['[superuser]', []],
  ])('%s', (claim, expected) => {
    expect(parseGroups(claim)).toEqual(expected);
  });
});

describe('authorize', () => {
  it('acts in the most privileged allowed role', () => {
    expect(authorize(event({ sub: 's', 'cognito:groups': '[customer admin]' }), route)?.role).toBe('admin');
  });

  it('is 401 without claims, 403 for a role the route does not allow', () => {
    expect(() => authorize(event(undefined), route)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => authorize(event({ sub: 's', 'cognito:groups': '[ops]' }), route)).toThrow(expect.objectContaining({ status: 403 }));
  });

  it("gives a customer 404 for someone else's record", () => {
    const claims = { sub: 's', 'cognito:groups': '[customer]', 'custom:customerId': 'cus_a' };
    expect(authorize(event(claims, 'cus_a'), route)?.customerId).toBe('cus_a');
    expect(() => authorize(event(claims, 'cus_b'), route)).toThrow(expect.objectContaining({ status: 404 }));
  });
});
