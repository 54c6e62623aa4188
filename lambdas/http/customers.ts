/**
 * The `customers` route group: one Lambda in AWS, the same module in the embedded stack.
 * Thin: the route table's zod schemas parse, CustomerRegistry decides, present*() shape.
 */
import { clock } from '../adapters/clock.js';
import { loadConfig } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamo/client.js';
import { DynamoCustomerRepository } from '../adapters/dynamo/customer-repository.js';
import { randomIds } from '../adapters/ids.js';
import type { Actor } from '../domain/customers/model.js';
import { presentCustomer, presentFacility } from '../domain/customers/present.js';
import { CustomerRegistry } from '../domain/customers/registry.js';
import type {
  CreateCustomerRequest,
  CreateFacilityRequest,
  PatchCustomerRequest,
} from '../domain/customers/schemas.js';
import type { Country } from '../domain/ids/index.js';
import { groupHandler, type OperationInput } from './handler.js';

const config = loadConfig();
const registry = new CustomerRegistry({
  repo: new DynamoCustomerRepository(documentClient(config), config.TABLE_NAME),
  now: () => clock().now(),
  ids: randomIds,
});

/** Non-public routes always carry a principal (the handler has authorised it). */
const actor = (input: OperationInput): Actor => input.principal!;
const customerId = (input: OperationInput): string => input.params.customerId ?? '';

export const handler = groupHandler(
  'customers',
  {
    async createCustomer(input) {
      const customer = await registry.create(actor(input), input.body as CreateCustomerRequest);
      return {
        body: presentCustomer(customer, actor(input).role),
        headers: { location: `/v1/customers/${customer.customerId}` },
      };
    },
    async searchCustomers(input) {
      const query = input.query as { nationalId?: string; country?: Country; q?: string; limit: number; cursor?: string };
      const page = await registry.search(query);
      return { body: { items: page.items.map((c) => presentCustomer(c, actor(input).role)), nextCursor: page.nextCursor } };
    },
    async getCustomer(input) {
      return { body: presentCustomer(await registry.get(customerId(input)), actor(input).role) };
    },
    async updateCustomer(input) {
      const customer = await registry.update(actor(input), customerId(input), input.body as PatchCustomerRequest);
      return { body: presentCustomer(customer, actor(input).role) };
    },
    async listCustomerLog(input) {
      const query = input.query as { limit: number; cursor?: string };
      return { body: await registry.listLog(customerId(input), query.limit, query.cursor) };
    },
    async addCustomerNote(input) {
      return { body: await registry.addNote(actor(input), customerId(input), (input.body as { text: string }).text) };
    },
    async addFacility(input) {
      const facility = await registry.addFacility(actor(input), customerId(input), input.body as CreateFacilityRequest);
      const customer = await registry.get(customerId(input));
      return {
        body: presentFacility(facility, customer, actor(input).role),
        headers: { location: `/v1/customers/${customerId(input)}/facilities` },
      };
    },
    async listFacilities(input) {
      const customer = await registry.get(customerId(input));
      const facilities = await registry.listFacilities(customerId(input));
      return { body: { items: facilities.map((f) => presentFacility(f, customer, actor(input).role)), nextCursor: null } };
    },
    async moveOut(input) {
      const facility = await registry.moveOut(actor(input), customerId(input), input.body as { facilityId: string; date: string });
      const customer = await registry.get(customerId(input));
      return { body: presentFacility(facility, customer, actor(input).role) };
    },
    async requireDeposit(input) {
      const body = input.body as Parameters<CustomerRegistry['requireDeposit']>[2];
      return { body: await registry.requireDeposit(actor(input), customerId(input), body) };
    },
    async recordCreditCheck(input) {
      const body = input.body as Parameters<CustomerRegistry['recordCreditCheck']>[2];
      return { body: await registry.recordCreditCheck(actor(input), customerId(input), body) };
    },
  },
  { maxBodyBytes: config.MAX_BODY_BYTES },
);
