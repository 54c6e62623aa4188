/** Walks every route of the route table with every role (and none). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { roles, routes, type Role } from '../../lambdas/http/routes.js';
import { buildBgMaxFile } from '../../lambdas/domain/payments/bgmax.js';
import { startTestStack, swedishPerson, type TestStack } from './support.js';

let t: TestStack;
const ids: Record<string, string> = {};
const tokens = {} as Record<Role, string>;
const phone = '+46701234567';
const address = { street: 'Storgatan', number: '1', postalCode: '671 31', city: 'Arvika' };

/** Recreates what a DELETE may have removed, so each role meets the same resources. */
async function resources(admin: string) {
  const subscription = await t.call('POST', '/v1/alert-subscriptions', { token: admin, body: { phone, address } });
  ids.subscriptionId = subscription.body.subscriptionId;
  await t.call('POST', '/v1/alert-opt-outs', { token: admin, body: { phone } });
}

beforeAll(async () => {
  t = await startTestStack();
  const admin = await t.token({ role: 'admin' });
  ids.customerId = (await t.call('POST', '/v1/customers', { token: admin, body: swedishPerson() })).body.customerId;
  const outage = (await t.call('POST', '/v1/outages', {
    token: admin,
    body: { category: 'leak', title: 'Vattenläcka', message: 'Vattnet är avstängt.', area: { streets: [{ street: 'Storgatan', city: 'Arvika' }] } },
  })).body;
  ids.outageId = outage.outageId;
  ids.jobId = outage.jobId;
  ids.phone = encodeURIComponent(phone);
  // Billing: a tariff, a facility and a run give an invoice of this customer.
  ids.service = 'water';
  await t.call('POST', '/_local/clock', { body: { set: '2026-12-05T08:00:00Z' } });
  await t.call('PUT', '/v1/tariffs/water', {
    token: admin, body: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 10_000, unitPrice: 2_500, unit: 'm3', connectionFee: 0 },
  });
  await t.call('POST', `/v1/customers/${ids.customerId}/facilities`, {
    token: admin,
    body: { propertyDesignation: 'Arvika Sågen 1:23', propertyType: 'owner_occupied', deliveryAddress: address, services: [{ service: 'water', startDate: '2026-09-01', billingCycle: 'monthly' }] },
  });
  ids.runId = (await t.call('POST', '/v1/billing-runs', { token: admin, body: { runMonth: '2026-12' } })).body.runId;
  await t.stack.billingQueue.idle();
  ids.invoiceId = (await t.call('GET', `/v1/customers/${ids.customerId}/invoices`, { token: admin })).body.items[0].invoiceId;
  ids.paymentId = 'pay_unknown';
  // A document of this customer (its invoice PDF), delivered.
  const invoicePdf = await fetch(`${t.stack.url}/v1/invoices/${ids.invoiceId}/document`, { headers: { authorization: `Bearer ${admin}` } });
  ids.documentId = (await t.stack.delivery.service.submit({
    kind: 'invoice', customerId: ids.customerId!, sourceKey: ids.invoiceId!, invoiceId: ids.invoiceId!,
    document: { contentType: 'application/pdf', bytes: new Uint8Array(await invoicePdf.arrayBuffer()), filename: 'invoice.pdf', title: 'Invoice' },
  })).document.documentId;
  // Dunning: the invoice goes unpaid through the Swedish ladder to a work order.
  await t.call('POST', '/_local/clock', { body: { set: '2027-02-16T07:00:00Z' } });
  const bankFile = buildBgMaxFile([{ reference: '99999999999', amountOre: 100 }], { bankgiro: '5050-1055', date: '2027-02-16' });
  await t.call('POST', '/v1/payment-files', { token: admin, raw: bankFile as unknown as string, headers: { 'content-type': 'text/plain' } });
  await t.call('POST', '/_local/clock', { body: { advance: 'P2D' } });
  ids.caseId = (await t.call('GET', '/v1/dunning-cases', { token: admin })).body.items[0].caseId;
  ids.workOrderId = (await t.call('GET', '/v1/work-orders', { token: admin })).body.items[0].workOrderId;
  // A payment import (an empty BgMax file, uploaded to its URL) to read the progress of.
  const upload = (await t.call('POST', '/v1/payment-files/uploads', { token: admin })).body;
  await fetch(upload.uploadUrl, { method: 'PUT', body: buildBgMaxFile([], { bankgiro: '5050-1055', date: '2026-12-01' }) });
  ids.importId = (await t.call('POST', '/v1/payment-files/imports', { token: admin, body: { uploadId: upload.uploadId } })).body.importId;
  for (const role of roles) tokens[role] = await t.token({ role, ...(role === 'customer' ? { customerId: ids.customerId, phone } : {}) });
});
afterAll(async () => t.stop());

const concretePath = (path: string, values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? name);

describe.each(routes.filter((route) => route.access !== 'public'))('$method $path', (route) => {
  beforeEach(async () => resources(tokens.admin));

  it('refuses a request without a token with 401', async () => {
    const response = await t.call(route.method, concretePath(route.path, ids), route.body ? { body: {} } : {});
    expect(response.status).toBe(401);
  });

  it.each([...roles])('role %s: allowed only as the route table says', async (role) => {
    // Act
    const response = await t.call(route.method, concretePath(route.path, ids), {
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
      const response = await t.call(route.method, concretePath(route.path, { ...ids, customerId: 'cus_0000000000000000' }), {
        token: tokens.customer,
        ...(route.body ? { body: {} } : {}),
      });
      expect(response.status).toBe(404);
    });
  }
});

describe.each(routes.filter((route) => route.access === 'public'))('public $method $path', (route) => {
  it('answers without a token', async () => {
    const response = await t.call(route.method, route.path, route.body ? { body: {} } : {});
    expect([401, 403]).not.toContain(response.status);
  });
});
