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
import {
  CreateOutageRequest,
  CrowdReportRequest,
  OptOutRequest,
  OutageUpdateRequest,
  RegisterImportRequest,
  SubscriptionQuery,
  SubscriptionRequest,
} from '../domain/alerts/schemas.js';
import {
  AllocationRequest,
  BillingRunRequest,
  DeferralRequest,
  MeterReadingRequest,
  PaymentImportRequest,
  RefundRequest,
  TariffRequest,
} from '../domain/billing/schemas.js';
import { CaseListQuery, CompleteWorkOrderRequest, HoldRequest, OwnerContactRequest, WorkOrderListQuery } from '../domain/dunning/schemas.js';
import { DocumentListQuery } from '../domain/delivery/schemas.js';

import { roles, type Role } from '../domain/roles.js';

export { roles, type Role };

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One Lambda function per group; `entry` is the file CDK bundles with esbuild. */
export const routeGroups = {
  customers: { entry: 'lambdas/http/customers.ts', memoryMb: 512 },
  alerts: { entry: 'lambdas/http/alerts.ts', memoryMb: 1024 },
  outages: { entry: 'lambdas/http/outages.ts', memoryMb: 1024 },
  billing: { entry: 'lambdas/http/billing.ts', memoryMb: 1024 },
  dunning: { entry: 'lambdas/http/dunning.ts', memoryMb: 512 },
  documents: { entry: 'lambdas/http/documents.ts', memoryMb: 512 },
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
  /**
   * A body that is not JSON (e.g. a CSV file): accepted media types and size, handed over as
   * bytes. With `body` as well, the route takes either: `application/json` is validated with
   * `body`, the media types here are handed over as bytes (lambdas/http/handler.ts).
   */
  readonly rawBody?: { readonly mediaTypes: readonly string[]; readonly maxBytes: number };
  readonly query?: z.ZodType;
  readonly successStatus: 200 | 201 | 202 | 204;
  /** Other success statuses the operation answers with (openapi.json), e.g. 202 for a job. */
  readonly alsoSucceedsWith?: readonly (200 | 201 | 202)[];
  readonly throttle?: Throttle;
}

export const defaultThrottle: Throttle = { rate: 200, burst: 400 };

const staff: readonly Role[] = ['agent', 'admin'];
const staffAndOwner: readonly Role[] = ['agent', 'admin', 'customer'];
const operations: readonly Role[] = ['ops', 'admin'];
const deskAndOps: readonly Role[] = ['agent', 'ops', 'admin'];

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
  {
    method: 'POST', path: '/v1/address-register/uploads', group: 'alerts', operationId: 'createAddressRegisterUpload',
    summary: 'A URL to PUT a large address register file to (S3 presigned; up to 12 MiB, some 280,000 rows), for an import by uploadId', access: ['admin'],
    successStatus: 201, throttle: { rate: 2, burst: 5 },
  },
  {
    method: 'POST', path: '/v1/address-register/imports', group: 'alerts', operationId: 'importAddressRegister',
    summary:
      'Replace the address register (phone ↔ address CSV) (R-SMS-2): the CSV as the body (about 4.5 MB at most; 202 with a job when it has more than 2,000 rows), or `{ uploadId }` of an uploaded file (202 with a job at once; read and parsed in the background)',
    access: ['admin'],
    rawBody: { mediaTypes: ['text/csv', 'application/octet-stream'], maxBytes: 5 * 1024 * 1024 }, body: RegisterImportRequest,
    successStatus: 200, alsoSucceedsWith: [202], throttle: { rate: 1, burst: 2 },
  },
  {
    method: 'POST', path: '/v1/alert-subscriptions', group: 'alerts', operationId: 'addAlertSubscription',
    summary: 'Be alerted about one more address (R-SMS-3)', access: staffAndOwner, body: SubscriptionRequest, successStatus: 201,
  },
  {
    method: 'GET', path: '/v1/alert-subscriptions', group: 'alerts', operationId: 'listAlertSubscriptions',
    summary: "A phone's alert addresses and opt-out state", access: staffAndOwner, query: SubscriptionQuery, successStatus: 200,
  },
  {
    method: 'DELETE', path: '/v1/alert-subscriptions/{subscriptionId}', group: 'alerts', operationId: 'removeAlertSubscription',
    summary: 'Stop alerts about an address added by the person (R-SMS-3)', access: staffAndOwner, successStatus: 204,
  },
  {
    method: 'POST', path: '/v1/alert-opt-outs', group: 'alerts', operationId: 'optOutOfAlerts',
    summary: 'Stop all alert messages to a phone (R-SMS-3)', access: staffAndOwner, body: OptOutRequest, successStatus: 201,
  },
  {
    method: 'DELETE', path: '/v1/alert-opt-outs/{phone}', group: 'alerts', operationId: 'optBackIntoAlerts',
    summary: 'Receive alert messages again', access: staffAndOwner, successStatus: 204,
  },
  {
    method: 'POST', path: '/v1/outages', group: 'outages', operationId: 'createOutage',
    summary: 'Create an outage and alert everyone at its addresses (R-SMS-1..8); 202 with a job when its area is large', access: operations, body: CreateOutageRequest,
    successStatus: 201, throttle: { rate: 5, burst: 10 },
  },
  {
    method: 'GET', path: '/v1/outages/{outageId}', group: 'outages', operationId: 'getOutage',
    summary: 'An outage with its sending status', access: ['ops', 'admin', 'agent'], successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/jobs/{jobId}', group: 'outages', operationId: 'getJob',
    summary: 'A job (an outage too large for its request, a register import): status, progress, errors, result', access: operations, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/outages/{outageId}/updates', group: 'outages', operationId: 'postOutageUpdate',
    summary: 'Send an update or the "resolved" message to the same recipients', access: operations, body: OutageUpdateRequest,
    successStatus: 201,
  },
  {
    method: 'GET', path: '/v1/public/ongoing-works', group: 'outages', operationId: 'listOngoingWorks',
    summary: 'Ongoing and planned works, public (R-SMS-6, R-COM-2)', access: 'public', successStatus: 200,
    throttle: { rate: 100, burst: 200 },
  },
  {
    method: 'GET', path: '/v1/public/ongoing-works.cap', group: 'outages', operationId: 'listOngoingWorksCap',
    summary: 'Ongoing works: an Atom feed linking to each alert\'s CAP 1.2 document, public', access: 'public', successStatus: 200,
    throttle: { rate: 100, burst: 200 },
  },
  {
    method: 'GET', path: '/v1/public/alerts/{alertFile}', group: 'outages', operationId: 'getCapAlert',
    summary: 'One alert as a CAP 1.2 document (alertFile: <identifier>.cap), public', access: 'public', successStatus: 200,
    throttle: { rate: 100, burst: 200 },
  },
  {
    method: 'POST', path: '/v1/public/reports', group: 'outages', operationId: 'reportProblem',
    summary: 'Report no water, low pressure, discoloured water or a leak (R-COM-1)', access: 'public', body: CrowdReportRequest,
    successStatus: 202, throttle: { rate: 20, burst: 40 },
  },
  {
    method: 'GET', path: '/v1/reports/clusters', group: 'outages', operationId: 'listReportClusters',
    summary: 'Crowd reports grouped by place and time, with a suggested area (R-COM-1)', access: operations, successStatus: 200,
  },
  {
    method: 'PUT', path: '/v1/tariffs/{service}', group: 'billing', operationId: 'putTariff',
    summary: 'Add a price version for a service (R-SE-10)', access: ['admin'], body: TariffRequest, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/tariffs/{service}', group: 'billing', operationId: 'listTariffs',
    summary: "A service's price versions", access: ['admin', 'agent'], successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/meter-readings', group: 'billing', operationId: 'reportMeterReading',
    summary: 'Report a meter reading (R-FI-4, R-SE-9)', access: staffAndOwner, body: MeterReadingRequest, successStatus: 201,
  },
  {
    method: 'POST', path: '/v1/billing-runs', group: 'billing', operationId: 'startBillingRun',
    summary: 'Start (or find) the billing run of a month and region', access: ['admin'], body: BillingRunRequest, successStatus: 202,
    throttle: { rate: 1, burst: 2 },
  },
  {
    method: 'GET', path: '/v1/billing-runs/{runId}', group: 'billing', operationId: 'getBillingRun',
    summary: "A billing run's progress", access: ['admin', 'agent'], successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/invoices/{invoiceId}', group: 'billing', operationId: 'getInvoice',
    summary: 'An invoice with its lines, reference and balance, and the documents sent for it (the invoice, its reminders and notices)', access: staffAndOwner, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/invoices/{invoiceId}/document', group: 'billing', operationId: 'getInvoiceDocument',
    summary: 'The invoice as a PDF document', access: staffAndOwner, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/customers/{customerId}/invoices', group: 'billing', operationId: 'listCustomerInvoices',
    summary: "A customer's invoices, newest first", access: staffAndOwner, customerOwnOnly: true, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/invoices/{invoiceId}/deferrals', group: 'billing', operationId: 'deferInvoice',
    summary: 'Defer the due date for an objective reason (R-SE-15)', access: staff, body: DeferralRequest, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/customers/{customerId}/refunds', group: 'billing', operationId: 'refundCredit',
    summary: 'Pay a customer credit back (R-SE-14)', access: staff, body: RefundRequest, successStatus: 201,
  },
  {
    method: 'POST', path: '/v1/payment-files', group: 'billing', operationId: 'importPaymentFile',
    summary: 'Book a bank payment file: BgMax or camt.054 (R-SE-13, R-SE-14); a file of more than 500 entries answers 202 with its import (Location), booked in chunks in the background',
    access: ['admin'],
    rawBody: { mediaTypes: ['text/plain', 'application/xml', 'text/xml', 'application/octet-stream'], maxBytes: 5 * 1024 * 1024 },
    successStatus: 200, alsoSucceedsWith: [202], throttle: { rate: 1, burst: 2 },
  },
  {
    method: 'POST', path: '/v1/payment-files/uploads', group: 'billing', operationId: 'createPaymentFileUpload',
    summary: 'A URL to PUT a large payment file to (S3 presigned; up to 32 MiB), for an import', access: ['admin'],
    successStatus: 201, throttle: { rate: 2, burst: 5 },
  },
  {
    method: 'POST', path: '/v1/payment-files/imports', group: 'billing', operationId: 'startPaymentImport',
    summary: 'Validate an uploaded payment file whole, then book it in chunks in the background (R-SE-13)', access: ['admin'],
    body: PaymentImportRequest, successStatus: 202, throttle: { rate: 1, burst: 2 },
  },
  {
    method: 'GET', path: '/v1/payment-files/imports/{importId}', group: 'billing', operationId: 'getPaymentImport',
    summary: "A payment import's progress and outcome", access: ['admin', 'agent'], successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/payments/unmatched', group: 'billing', operationId: 'listUnmatchedPayments',
    summary: 'Payments that matched no invoice, waiting for an agent', access: staff, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/payments/{paymentId}/allocate', group: 'billing', operationId: 'allocatePayment',
    summary: 'Allocate an unmatched payment to an invoice', access: staff, body: AllocationRequest, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/dunning-cases', group: 'dunning', operationId: 'listDunningCases',
    summary: 'Dunning cases, by status (next action first)', access: deskAndOps, query: CaseListQuery, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/dunning-cases/{caseId}', group: 'dunning', operationId: 'getDunningCase',
    summary: 'A dunning case: stage, next action and date, history, guard decisions, execution ARN', access: deskAndOps, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/dunning-cases/{caseId}/owner-contact', group: 'dunning', operationId: 'recordOwnerContact',
    summary: 'Record the winter contact with the property owner; resumes the case (R-SE-18, R-SE-20)', access: operations,
    body: OwnerContactRequest, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/dunning-cases/{caseId}/holds', group: 'dunning', operationId: 'addDunningHold',
    summary: 'Pause a case for payment difficulty, a dispute or social services (R-FI-11)', access: deskAndOps, body: HoldRequest, successStatus: 201,
  },
  {
    method: 'GET', path: '/v1/work-orders', group: 'dunning', operationId: 'listWorkOrders',
    summary: 'Disconnection, throttling and reconnection work orders', access: deskAndOps, query: WorkOrderListQuery, successStatus: 200,
  },
  {
    method: 'POST', path: '/v1/work-orders/{workOrderId}/complete', group: 'dunning', operationId: 'completeWorkOrder',
    summary: 'The field crew did the work (R-SE-18)', access: operations, body: CompleteWorkOrderRequest, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/documents/{documentId}', group: 'documents', operationId: 'getDocument',
    summary: 'A sent document (invoice, letter, notice) with its delivery: channel, hand-over time, fallbacks (R-SE-8)',
    access: staffAndOwner, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/documents/{documentId}/content', group: 'documents', operationId: 'getDocumentContent',
    summary: 'The document itself (PDF), as it was sent', access: staffAndOwner, successStatus: 200,
  },
  {
    method: 'GET', path: '/v1/customers/{customerId}/documents', group: 'documents', operationId: 'listCustomerDocuments',
    summary: "A customer's documents, newest first", access: staffAndOwner, customerOwnOnly: true, query: DocumentListQuery, successStatus: 200,
  },
];

/** `POST /v1/customers/{customerId}`: the API Gateway route key. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function routesOfGroup(group: RouteGroup): readonly RouteDefinition[] {
  return routes.filter((route) => route.group === group);
}

/** Every POST behind a token takes an `Idempotency-Key` (API.md; lambdas/http/handler.ts); public reports do not. */
export function takesIdempotencyKey(route: RouteDefinition): boolean {
  return route.method === 'POST' && route.access !== 'public';
}
