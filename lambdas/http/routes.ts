/**
 * The one route table. The CDK stack creates an API Gateway route (and its Lambda per
 * group) from each entry; the embedded stack matches requests against the same entries
 * and calls the same group handler. openapi.json is generated from it.
 */
import type { z } from 'zod';
import {
  CreateCustomerRequest,
  CreateFacilityRequest,
  CreditCheckRequest,
  CustomerSearchQuery,
  DepositRequest,
  ListQuery,
  MoveOutRequest,
  NoteRequest,
  PatchCustomerRequest,
} from '../domain/customers/schemas.js';

import { roles, type Role } from '../domain/roles.js';

export { roles, type Role };

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One Lambda function per group; `entry` is the file CDK bundles with esbuild. */
export const routeGroups = {
  customers: { entry: 'lambdas/http/customers.ts', memoryMb: 512 },
} as const;
export type RouteGroup = keyof typeof routeGroups;

export interface Throttle {
  /** Steady-state requests per second for this route (API Gateway route settings). */
  readonly rate: number;
  readonly burst: number;
}

export interface RouteDefinition {
  readonly method: Method;
  /** API Gateway path template, e.g. `/v1/customers/{customerId}`. */
  readonly path: string;
  readonly group: RouteGroup;
  readonly operationId: string;
  readonly summary: string;
  /** `public` routes take no token; otherwise the roles allowed in `cognito:groups`. */
  readonly access: 'public' | readonly Role[];
  /**
   * A `customer` token may use this route only for its own customer id (the path
   * parameter `customerId` must equal its `custom:customerId` claim).
   */
  readonly customerOwnOnly?: boolean;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly successStatus: 200 | 201 | 202 | 204;
  readonly throttle?: Throttle;
}

export const defaultThrottle: Throttle = { rate: 200, burst: 400 };

const staff: readonly Role[] = ['agent', 'admin'];
const staffAndOwner: readonly Role[] = ['agent', 'admin', 'customer'];

export const routes: readonly RouteDefinition[] = [
  {
    method: 'POST', path: '/v1/customers', group: 'customers', operationId: 'createCustomer',
    summary: 'Register a customer (R-SE-3)', access: staff, body: CreateCustomerRequest, successStatus: 201,
    throttle: { rate: 50, burst: 100 },
  },
  {
    method: 'GET', path: '/v1/customers', group: 'customers', operationId: 'searchCustomers',
    summary: 'Find customers by national id or name', access: staff, query: CustomerSearchQuery, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/customers/{customerId}', group: 'customers', operationId: 'getCustomer',
    summary: 'Read a customer record', access: staffAndOwner, customerOwnOnly: true, successStatus: 200,
  },
  {
    method: 'PATCH', path: '/v1/customers/{customerId}', group: 'customers', operationId: 'updateCustomer',
    summary: 'Change a customer record (a customer token: contact fields only)', access: staffAndOwner,
    customerOwnOnly: true, body: PatchCustomerRequest, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/customers/{customerId}/notes', group: 'customers', operationId: 'listCustomerLog',
    summary: 'The customer log, newest first (R-SE-2)', access: staff, query: ListQuery, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/customers/{customerId}/notes', group: 'customers', operationId: 'addCustomerNote',
    summary: 'Add a note to the customer log (R-SE-2)', access: staff, body: NoteRequest, successStatus: 201,
  },
  {
    method: 'POST', path: '/v1/customers/{customerId}/facilities', group: 'customers', operationId: 'addFacility',
    summary: 'Add a facility with its services (R-SE-3)', access: staff, body: CreateFacilityRequest, successStatus: 201,
  },
  {
    method: 'GET', path: '/v1/customers/{customerId}/facilities', group: 'customers', operationId: 'listFacilities',
    summary: "A customer's facilities", access: staffAndOwner, customerOwnOnly: true, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/customers/{customerId}/move-out', group: 'customers', operationId: 'moveOut',
    summary: 'End the services of a facility at a move-out (R-SE-7)', access: staff, body: MoveOutRequest, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/customers/{customerId}/deposits', group: 'customers', operationId: 'requireDeposit',
    summary: 'Require a deposit from a known bad payer (R-SE-6)', access: staff, body: DepositRequest, successStatus: 201,
  },
  {
    method: 'POST', path: '/v1/customers/{customerId}/credit-checks', group: 'customers', operationId: 'recordCreditCheck',
    summary: 'Record a credit check (R-SE-5)', access: staff, body: CreditCheckRequest, successStatus: 201,
  },
];

/** `POST /v1/customers/{customerId}`: the API Gateway route key. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function routesOfGroup(group: RouteGroup): readonly RouteDefinition[] {
  return routes.filter((route) => route.group === group);
}
