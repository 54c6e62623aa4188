/** The group handler's parsing and error mapping, with an operation that records calls. */
import { describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { groupHandler } from '../../../lambdas/http/handler.js';
import { routes } from '../../../lambdas/http/routes.js';

const calls: unknown[] = [];
const operations = Object.fromEntries(
  routes.filter((r) => r.group === 'customers').map((r) => [r.operationId, async (input: { body: unknown }) => {
    calls.push(input.body);
    return { body: { ok: true } };
  }]),
);
const handler = groupHandler('customers', operations, { maxBodyBytes: 1000 });

function post(body: string | undefined, contentType = 'application/json'): APIGatewayProxyEventV2 {
  return {
    routeKey: 'POST /v1/customers/{customerId}/notes',
    pathParameters: { customerId: 'cus_a' },
    headers: { 'content-type': contentType },
    body,
    isBase64Encoded: false,
    requestContext: { authorizer: { jwt: { claims: { sub: 'x', 'cognito:groups': '[agent]', token_use: 'id', exp: '1893456000' } } } },
  } as unknown as APIGatewayProxyEventV2;
}

const invoke = async (event: APIGatewayProxyEventV2) => {
  const result = await handler(event, {} as Context);
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}'), headers: result.headers };
};

describe('group handler', () => {
  it('passes a valid body to the operation and answers with the route status', async () => {
    // Act
    const result = await invoke(post('{"text":"hello"}'));
    // Assess
    expect(result.status).toBe(201);
    expect(calls.at(-1)).toEqual({ text: 'hello' });
  });

  it.each([
    ['{"text":', 'application/json', 400, '(body)'],
    ['{"text":"a","extra":1}', 'application/json', 422, 'extra'],
    ['{"text":5}', 'application/json', 422, 'text'],
    [`{"text":"${'x'.repeat(2000)}"}`, 'application/json', 413, undefined],
    ['text=hi', 'text/plain', 415, undefined],
    [undefined, 'application/json', 422, '(body)'],
  ])('%s (%s) is %i naming %s, and the operation is not called', async (body, type, status, path) => {
    // Prepare
    const before = calls.length;
    // Act
    const result = await invoke(post(body, type));
    // Assess
    expect(result.status).toBe(status);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    if (path) expect(result.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(calls.length).toBe(before);
  });

  it('maps an unexpected failure to a bare 500', async () => {
    // Prepare
    const failing = groupHandler('customers', { ...operations, addCustomerNote: async () => { throw new Error('secret internals'); } }, { maxBodyBytes: 1000 });
    // Act
    const result = await failing(post('{"text":"x"}'), {} as Context);
    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret');
  });
});

describe('a route that takes a file body or a JSON body (POST /v1/address-register/imports)', () => {
  const seen: { body: unknown; bytes?: Buffer }[] = [];
  const alertsOperations = Object.fromEntries(
    routes.filter((r) => r.group === 'alerts').map((r) => [r.operationId, async (input: { body: unknown; bytes?: Buffer }) => {
      seen.push({ body: input.body, ...(input.bytes ? { bytes: input.bytes } : {}) });
      return { body: { ok: true } };
    }]),
  );
  const alerts = groupHandler('alerts', alertsOperations, { maxBodyBytes: 1000 });
  const importRegister = (body: string | undefined, contentType: string): APIGatewayProxyEventV2 =>
    ({
      routeKey: 'POST /v1/address-register/imports',
      headers: { 'content-type': contentType },
      body,
      isBase64Encoded: false,
      requestContext: { authorizer: { jwt: { claims: { sub: 'x', 'cognito:groups': '[admin]', token_use: 'id', exp: '1893456000' } } } },
    }) as unknown as APIGatewayProxyEventV2;
  const call = async (event: APIGatewayProxyEventV2) => {
    const result = await alerts(event, {} as Context);
    return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') };
  };

  it('hands application/json to the operation validated, and text/csv as bytes', async () => {
    // Act
    const json = await call(importRegister('{"uploadId":"upl_0123456789abcdef"}', 'application/json; charset=utf-8'));
    const csv = await call(importRegister('phone,street\n', 'text/csv'));

    // Assess
    expect(json.status).toBe(200);
    expect(csv.status).toBe(200);
    expect(seen.slice(-2)).toEqual([{ body: { uploadId: 'upl_0123456789abcdef' } }, { body: undefined, bytes: Buffer.from('phone,street\n') }]);
  });

  it.each([
    ['{}', 'application/json', 422, 'uploadId'],
    ['{"uploadId":"../etc/passwd"}', 'application/json', 422, 'uploadId'],
    ['{"uploadId":"upl_0123456789abcdef","csv":"x"}', 'application/json', 422, 'csv'],
    ['{"uploadId":', 'application/json', 400, '(body)'],
    ['phone,street', 'text/plain', 415, undefined],
  ])('%s (%s) is %i naming %s, and the operation is not called', async (body, type, status, path) => {
    // Prepare
    const before = seen.length;

    // Act
    const result = await call(importRegister(body, type));

    // Assess
    expect(result.status).toBe(status);
    if (path) expect(result.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    if (status === 415) expect(result.body.detail).toMatch(/text\/csv.*application\/json/);
    expect(seen.length).toBe(before);
  });
});
