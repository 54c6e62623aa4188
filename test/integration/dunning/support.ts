/**
 * Dunning scenarios on the embedded stack: customers and facilities through the API, invoices
 * written as the billing run writes them (exact lines and due dates per scenario), then the
 * local clock moves and the ASL runs on aws-local-stepfunctions.
 */
import { DynamoBillingRepository } from '../../../lambdas/adapters/dynamo/billing-repository.js';
import { documentClient } from '../../../lambdas/adapters/dynamo/client.js';
import { lineAmounts } from '../../../lambdas/domain/billing/money.js';
import { buildBgMaxFile } from '../../../lambdas/domain/payments/bgmax.js';
import type { Invoice, InvoiceLine } from '../../../lambdas/domain/billing/model.js';
import type { Service } from '../../../lambdas/domain/customers/schemas.js';
import { localRegion, localTableName } from '../../../local/stack.js';
import { swedishPerson, type TestStack } from '../support.js';

export { spawnStack } from '../support.js';

let invoiceNumber = 500_000;
let personSeq = 100;

/** A valid Swedish personnummer per call (Luhn over YYMMDDNNN), so each scenario has its own customer. */
export function nextPersonnummer(): string {
  const serial = String(personSeq++).padStart(3, '0');
  const nine = `800101${serial}`;
  let sum = 0;
  for (let i = 0; i < nine.length; i++) {
    let d = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `19800101-${serial}${(10 - (sum % 10)) % 10}`;
}

export interface Scenario {
  customerId: string;
  facilityId: string;
  invoice: Invoice;
}

/** What the scenarios need of a running stack: in this process, or `npm start` as a child process. */
export type StackApi = Pick<TestStack, 'call' | 'lines'> & { stack: { dynamoEndpoint: string } };

export async function seedCase(
  t: StackApi,
  agent: string,
  options: {
    name?: string;
    nationalId?: string;
    /** The customer's country (its national id's); default SE. */
    country?: 'SE' | 'FI' | 'NO';
    category?: 'consumer' | 'business';
    propertyType?: 'owner_occupied' | 'rental' | 'business' | 'holiday_home';
    lines: { service: Service; net: number; vatRate?: number }[];
    dueDate: string;
    currency?: 'SEK' | 'EUR' | 'NOK';
    month?: string;
  },
): Promise<Scenario> {
  const created = await t.call('POST', '/v1/customers', {
    token: agent,
    body: swedishPerson({
      name: options.name ?? 'Dag Dunning',
      nationalId: options.nationalId ?? nextPersonnummer(),
      category: options.category ?? 'consumer',
      phone: undefined,
      ...(options.country === 'FI'
        ? { country: 'FI', language: 'fi', billingAddress: { line1: 'Kauppakatu 1', postalCode: '42700', city: 'Keuruu', country: 'FI' } }
        : options.country === 'NO'
          ? { country: 'NO', language: 'nb', billingAddress: { line1: 'Storgata 1', postalCode: '0155', city: 'Oslo', country: 'NO' } }
          : {}),
    }),
  });
  if (created.status !== 201) throw new Error(`customer: ${created.status} ${JSON.stringify(created.body)}`);
  const customerId = created.body.customerId as string;
  if (options.lines.some((l) => l.service === 'fiber')) {
    await t.call('POST', `/v1/customers/${customerId}/credit-checks`, {
      token: agent,
      body: { provider: 'UC', reference: `uc-${customerId.slice(-6)}`, outcome: 'approved', reason: 'fiber_order' },
    });
  }
  const facility = await t.call('POST', `/v1/customers/${customerId}/facilities`, {
    token: agent,
    body: {
      propertyDesignation: `Arvika Test ${customerId.slice(-6)}`,
      deliveryAddress:
        options.country === 'FI'
          ? { street: 'Kauppakatu', number: '1', postalCode: '42700', city: 'Keuruu' }
          : options.country === 'NO'
            ? { street: 'Storgata', number: '1', postalCode: '0155', city: 'Oslo' }
            : { street: 'Storgatan', number: '9', postalCode: '67131', city: 'Arvika' },
      propertyType: options.propertyType ?? 'owner_occupied',
      services: options.lines.map((l) => ({ service: l.service, startDate: '2026-01-01' })),
    },
  });
  if (facility.status !== 201) throw new Error(`facility: ${facility.status} ${JSON.stringify(facility.body)}`);
  const facilityId = facility.body.facilityId as string;
  const lines: InvoiceLine[] = options.lines.map((l) => {
    const amounts = lineAmounts(l.net, l.vatRate ?? 25);
    return { facilityId, service: l.service, kind: 'fixed', description: l.service, ...amounts, vatRate: l.vatRate ?? 25 };
  });
  const total = lines.reduce((s, l) => s + l.gross, 0);
  const month = options.month ?? options.dueDate.slice(0, 7);
  const invoice: Invoice = {
    invoiceId: `inv_${customerId.slice(4)}_${month}`,
    invoiceNumber: ++invoiceNumber,
    customerId,
    runId: `run_test_${month}`,
    runMonth: month,
    issueDate: `${month}-01`,
    dueDate: options.dueDate,
    currency: options.currency ?? 'SEK',
    lines,
    net: lines.reduce((s, l) => s + l.net, 0),
    vat: lines.reduce((s, l) => s + l.vat, 0),
    total,
    openAmount: total,
    status: 'open',
    reference: String(invoiceNumber),
    referenceType: options.currency === 'EUR' ? 'fi_reference' : options.currency === 'NOK' ? 'kid' : 'ocr',
    delivery: { channel: 'paper', address: null },
    finalInvoiceFacilities: [],
    appliedPayments: [],
    deferrals: [],
    stateAfter: {},
    createdAt: new Date().toISOString(),
    version: 1,
  };
  await repo(t).insertInvoice(invoice);
  return { customerId, facilityId, invoice };
}

export function repo(t?: StackApi): DynamoBillingRepository {
  const endpoint = t?.stack.dynamoEndpoint ?? process.env.DYNAMODB_ENDPOINT!;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  return new DynamoBillingRepository(documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: endpoint }), localTableName);
}

/** Pays `amount` of the invoice as the payment import books it. */
export async function pay(invoiceId: string, amount: number, paymentId: string, bookedAt: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const invoice = await repo().getInvoice(invoiceId);
    if (!invoice) throw new Error('no invoice');
    if (await repo().applyPayment(invoice, { paymentId, amount: Math.min(amount, invoice.openAmount), bookedAt })) return;
  }
  throw new Error('could not pay');
}

export async function moveClock(t: StackApi, body: { set?: string; advance?: string }) {
  const moved = await t.call('POST', '/_local/clock', { body });
  if (moved.status !== 200) throw new Error(`clock: ${moved.status} ${JSON.stringify(moved.body)} ${t.lines.slice(-5).join("\n")}`);
  return moved.body.now as string;
}

export async function caseOf(t: StackApi, token: string, invoiceId: string) {
  const res = await t.call('GET', `/v1/dunning-cases/dun_${invoiceId.replace(/^inv_/, '')}`, { token });
  return res;
}

export const events = (c: { history: { event: string }[] }) => c.history.map((e) => e.event);

/** The day's bank file (one payment for someone else's reference): the ledger is current as of today. */
export async function bookBankFile(t: StackApi, admin: string, date: string, payments: { reference: string; amountOre: number }[] = []) {
  const file = buildBgMaxFile(payments.length > 0 ? payments : [{ reference: '99999999999', amountOre: 100, payerName: 'Okänd' }], { bankgiro: '5050-1055', date });
  const res = await t.call('POST', '/v1/payment-files', { token: admin, raw: file as unknown as string, headers: { 'content-type': 'text/plain' } });
  if (res.status !== 200) throw new Error(`payment file: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

