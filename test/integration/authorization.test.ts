/** Walks every route of the route table with every role (and none). */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { roles, routes, type Role } from '../../lambdas/http/routes.js';
import { startTestStack, swedishPerson, type TestStack } from './support.js';

let t: TestStack;
let customerId: string;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  t = await startTestStack();
  const admin = await t.token({ role: 'admin' });
  const created = await t.call('POST', '/v1/customers', { token: admin, body: swedishPerson() });
  customerId = created.body.customerId;
  for (const role of roles) tokens[role] = await t.token({ role, ...(role === 'customer' ? { customerId } : {}) });
});
afterAll(async () => t.stop());

const concretePath = (path: string, id: string) => path.replace('{customerId}', id);

describe.each(routes.filter((route) => route.access !== 'public'))('$method $path', (route) => {
  it('refuses a request without a token with 401', async () => {
    const response = await t.call(route.method, concretePath(route.path, customerId), route.body ? { body: {} } : {});
    expect(response.status).toBe(401);
  });

  it.each([...roles])('role %s: allowed only as the route table says', async (role) => {
    // Act
    const response = await t.call(route.method, concretePath(route.path, customerId), {
      token: tokens[role],
      ...(route.body ? { body: {} } : {}),
    });
    // Assess
    const allowed = (route.access as readonly Role[]).includes(role);
    if (!allowed) expect(response.status).toBe(403);
    else expect([401, 403, 404]).not.toContain(response.status);
  });

  if ((route.access as readonly Role[]).includes('customer') && route.customerOwnOnly) {
    it("role customer: someone else's record is 404", async () => {
      const response = await t.call(route.method, concretePath(route.path, 'cus_0000000000000000'), {
        token: tokens.customer,
        ...(route.body ? { body: {} } : {}),
      });
      expect(response.status).toBe(404);
    });
  }
});
