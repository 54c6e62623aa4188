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
    // An ID token's expiry and token_use, unless the test names its own.
    requestContext: claims ? { authorizer: { jwt: { claims: { exp: '1893456000', token_use: 'id', ...claims } } } } : {},
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

describe('which token (issue 15: ID tokens with an expiry only)', () => {
  // Claims as API Gateway's JWT authorizer hands a real Cognito ID token to Lambda: all strings,
  // cognito:groups as "[a b]".
  const cognitoIdToken = {
    sub: '7d8ca528-4931-4254-9273-ea5ee853f271',
    'cognito:groups': '[customer]',
    email_verified: 'true',
    iss: 'https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_aBcDeFgHi',
    'cognito:username': '7d8ca528-4931-4254-9273-ea5ee853f271',
    'custom:customerId': 'cus_a',
    origin_jti: 'b6e0c3f2-1b8e-4a9a-9d8b-0c2f9b7a1e11',
    aud: '5pblcg1k3l8rgl8jq1v0mbh6pk',
    event_id: '2d1f3c44-9a3e-4d6f-8b1c-7e2f0a9c5d33',
    token_use: 'id',
    auth_time: '1796354672',
    phone_number: '+46701234567',
    phone_number_verified: 'true',
    exp: '1796358272',
    iat: '1796354672',
    jti: '0c5a7e31-6f2d-4b8e-a1c9-3d4e5f6a7b8c',
  };
  const cognitoAccessToken = {
    sub: '7d8ca528-4931-4254-9273-ea5ee853f271',
    'cognito:groups': '[customer]',
    iss: 'https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_aBcDeFgHi',
    client_id: '5pblcg1k3l8rgl8jq1v0mbh6pk',
    origin_jti: 'b6e0c3f2-1b8e-4a9a-9d8b-0c2f9b7a1e11',
    event_id: '2d1f3c44-9a3e-4d6f-8b1c-7e2f0a9c5d33',
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: '1796354672',
    exp: '1796358272',
    iat: '1796354672',
    jti: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
    username: '7d8ca528-4931-4254-9273-ea5ee853f271',
  };
  const raw = (claims: Record<string, string>, customerId = 'cus_a') =>
    ({ routeKey: route.method, pathParameters: { customerId }, requestContext: { authorizer: { jwt: { claims } } } }) as unknown as APIGatewayProxyEventV2;

  it('maps a Cognito ID token: role, customer and verified phone', () => {
    expect(authorize(raw(cognitoIdToken), route)).toEqual({
      subject: cognitoIdToken.sub, role: 'customer', customerId: 'cus_a', verifiedPhone: '+46701234567',
    });
  });

  it('refuses a Cognito access token with a 401 saying to send the ID token', () => {
    expect(() => authorize(raw(cognitoAccessToken), route)).toThrow(
      expect.objectContaining({ status: 401, detail: expect.stringContaining('send the ID token') }),
    );
  });

  it('refuses a token without exp (401)', () => {
    const { exp: _exp, ...noExpiry } = cognitoIdToken;
    expect(() => authorize(raw(noExpiry), route)).toThrow(expect.objectContaining({ status: 401, detail: expect.stringContaining('exp') }));
  });
});
