/**
 * Composing ordered documents (lambdas/domain/delivery/orders.ts): which document an order makes,
 * in which form, to whom; and what the delivery job does with a refusal. The PDFs' wording is
 * the documents module's (test/unit/documents); the e-invoices are checked against the official
 * schemas (test/fixtures/einvoice).
 */
import { describe, expect, it } from '@jest/globals';
import { PDFDocument } from 'pdf-lib';
import type { Invoice, TariffVersion } from '../../../lambdas/domain/billing/model.js';
import { lineAmounts } from '../../../lambdas/domain/billing/money.js';
import type { Customer, Facility } from '../../../lambdas/domain/customers/model.js';
import type { DunningCase } from '../../../lambdas/domain/dunning/case.js';
import { composeOrder, DocumentOrders, orderDocumentId, type OrderFacts } from '../../../lambdas/domain/delivery/orders.js';
import type { DocumentSubmission } from '../../../lambdas/domain/delivery/model.js';
import { localLetterSettings } from '../../../lambdas/adapters/letters-config.js';
import { validateFinvoice, validateUblInvoice } from '../einvoice/xsd.js';

const amounts = lineAmounts(40_000, 25);
const invoice = (over: Partial<Invoice> = {}): Invoice => ({
  invoiceId: 'inv_a_2027-01', invoiceNumber: 100_001, customerId: 'cus_a', runId: 'run_2027-01_all', runMonth: '2027-01', issueDate: '2027-01-04', dueDate: '2027-01-29',
  currency: 'SEK', lines: [{ facilityId: 'F00000001', service: 'water', kind: 'fixed', description: 'Vatten, fast avgift', periodStart: '2026-11-01', periodEnd: '2026-12-31', quantity: 1, unit: 'month', unitPrice: 40_000, ...amounts, vatRate: 25 }],
  net: amounts.net, vat: amounts.vat, total: amounts.gross, openAmount: amounts.gross, status: 'open', reference: '1000012', referenceType: 'ocr',
  delivery: { channel: 'paper', address: null }, finalInvoiceFacilities: [], appliedPayments: [], deferrals: [], stateAfter: {}, createdAt: '', version: 1,
  ...over,
} as Invoice);
const customer = (over: Partial<Customer> = {}): Customer => ({
  customerId: 'cus_a', name: 'Anna Andersson', kind: 'person', country: 'SE', nationalId: '191212121212', nationalIdType: 'personnummer', category: 'consumer',
  billingAddress: { line1: 'Storgatan 1', postalCode: '671 31', city: 'Arvika', country: 'SE' }, foreign: false, protectedIdentity: false, knownBadPayer: false,
  createdAt: '', updatedAt: '', version: 1, ...over,
} as Customer);
const facility = (over: Partial<Facility> = {}): Facility => ({
  facilityNumber: 'F00000001', customerId: 'cus_a', propertyDesignation: 'Arvika Sågen 1:23', propertyType: 'owner_occupied',
  deliveryAddress: { street: 'Storgatan', number: '1', postalCode: '671 31', city: 'Arvika' }, services: [], createdAt: '', updatedAt: '', version: 1, ...over,
} as Facility);

function facts(over: Partial<{ invoice: Invoice; customer: Customer; facilities: Facility[]; case: DunningCase; tariffs: TariffVersion[]; list: { service: 'electricity_grid'; effectiveFrom: string } }> = {}): OrderFacts {
  return {
    invoice: async () => over.invoice ?? invoice(),
    customer: async () => over.customer ?? customer(),
    facilities: async () => over.facilities ?? [facility()],
    dunningCase: async () => over.case,
    tariffVersions: async () => over.tariffs ?? [],
    noticeList: async () => over.list,
  };
}
const se = localLetterSettings.SE;
const submissionOf = (composed: Awaited<ReturnType<typeof composeOrder>>): DocumentSubmission => {
  if (!('submission' in composed)) throw new Error(`nothing: ${composed.nothing}`);
  return composed.submission;
};

describe('an invoice order', () => {
  it('makes the invoice PDF, and for an e-invoice customer in Sweden a Peppol BIS invoice the UBL schema accepts', async () => {
    // Act
    const s = submissionOf(await composeOrder({ kind: 'invoice', invoiceId: 'inv_a_2027-01' }, facts({ customer: customer({ eInvoice: { operator: 'PEPPOL', address: '0007:5560000001' } }) }), se, '2027-01-04'));
    // Assess
    expect(s).toMatchObject({ kind: 'invoice', sourceKey: 'inv_a_2027-01', invoiceId: 'inv_a_2027-01', customerId: 'cus_a', language: 'sv' });
    expect(Buffer.from(s.document.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await validateUblInvoice(s.eInvoiceXml!)).toEqual({ valid: true, errors: [] });
  });

  it('makes a Finvoice the Finvoice 3.0 schema accepts for a Finnish e-invoice customer (R-FI-2)', async () => {
    // Prepare
    const fi = customer({ country: 'FI', nationalId: '131052-308T', language: 'fi', eInvoice: { operator: 'NDEAFIHH', address: 'FI4819503000000010' }, billingAddress: { line1: 'Kauppakatu 1', postalCode: '42700', city: 'Keuruu', country: 'FI' } });
    // Act
    const s = submissionOf(await composeOrder({ kind: 'invoice', invoiceId: 'inv_a_2027-01' }, facts({ customer: fi, invoice: invoice({ currency: 'EUR', referenceType: 'fi_reference', reference: '1232' }) }), localLetterSettings.FI, '2027-01-04'));
    // Assess
    expect(await validateFinvoice(s.eInvoiceXml!)).toEqual({ valid: true, errors: [] });
  });

  it('has no e-invoice form for a person whose address names no Peppol scheme (e-invoice is then skipped, recorded)', async () => {
    const s = submissionOf(await composeOrder({ kind: 'invoice', invoiceId: 'inv_a_2027-01' }, facts({ customer: customer({ eInvoice: { operator: 'BANK', address: 'anna-bank-1' } }) }), se, '2027-01-04'));
    expect(s.eInvoiceXml).toBeUndefined();
  });

  it('is the final invoice when it closes a facility moved out of (R-SE-7): another document than an invoice of the same id', async () => {
    // Act
    const s = submissionOf(await composeOrder({ kind: 'invoice', invoiceId: 'inv_a_2027-01' }, facts({ invoice: invoice({ finalInvoiceFacilities: ['F00000001'] }), facilities: [facility({ moveOut: { date: '2026-12-15', finalInvoicePending: false } })] }), se, '2027-01-04'));
    // Assess
    expect(s.kind).toBe('final_invoice');
    expect(orderDocumentId({ kind: 'invoice', invoiceId: 'inv_a_2027-01' }, 'final_invoice')).not.toBe(orderDocumentId({ kind: 'invoice', invoiceId: 'inv_a_2027-01' }));
  });
});

describe('a price notice order (R-SE-10)', () => {
  const grid = (effectiveFrom: string, fixedPerMonth: number): TariffVersion => ({ service: 'electricity_grid', effectiveFrom, currency: 'SEK', fixedPerMonth, unitPrice: 45.5, unit: 'kWh', createdAt: '', createdBy: 'admin' } as TariffVersion);

  it('compares the old and new prices; the first price list of a service is no change: nothing to send', async () => {
    const order = { kind: 'price_notice', noticeJobId: 'job_notice_electricity_grid_2027-03-01', customerId: 'cus_a' } as const;
    const list = { service: 'electricity_grid', effectiveFrom: '2027-03-01' } as const;
    const changed = await composeOrder(order, facts({ list, tariffs: [grid('2026-01-01', 15_000), grid('2027-03-01', 16_500)] }), se, '2027-01-04');
    const first = await composeOrder(order, facts({ list, tariffs: [grid('2027-03-01', 16_500)] }), se, '2027-01-04');
    expect(submissionOf(changed)).toMatchObject({ kind: 'price_notice', sourceKey: 'job_notice_electricity_grid_2027-03-01#cus_a' });
    expect(first).toEqual({ nothing: expect.stringContaining('no earlier price') });
  });

  it('a grid notice under 15 days before the change is refused and recorded as the document\'s failed delivery', async () => {
    // Prepare
    const recorded: unknown[] = [];
    const orders = new DocumentOrders({
      facts: facts({ list: { service: 'electricity_grid', effectiveFrom: '2027-01-10' }, tariffs: [grid('2026-01-01', 15_000), grid('2027-01-10', 16_500)] }),
      settings: se,
      delivery: { submit: async () => { throw new Error('not submitted'); }, recordRefusedOrder: async (input) => { recorded.push(input); } },
      today: () => '2027-01-04',
    });
    const order = { kind: 'price_notice', noticeJobId: 'job_notice_electricity_grid_2027-01-10', customerId: 'cus_a' } as const;
    // Act
    const result = await orders.fulfil(order);
    // Assess
    expect(result).toMatchObject({ documentId: orderDocumentId(order), refused: expect.stringMatching(/15 days/) });
    expect(recorded).toEqual([{ documentId: orderDocumentId(order), customerId: 'cus_a', kind: 'price_notice', reason: expect.stringContaining('R-SE-10') }]);
  });
});

describe('dunning letters', () => {
  const dunningCase = (over: Partial<DunningCase> = {}): DunningCase => ({
    caseId: 'dun_a_2027-01', invoiceId: 'inv_a_2027-01', invoiceNumber: 100_001, customerId: 'cus_a', policyId: 'se-teknik-i-vast', country: 'SE', currency: 'SEK',
    dueDate: '2027-01-29', openAmountAtStart: amounts.gross, openAmount: amounts.gross, status: 'open', stage: 'disconnection_notice',
    schedule: [
      { stage: 'reminder_1', date: '2027-02-08', rule: 'R-SE-16', basis: '' },
      { stage: 'collection', date: '2027-02-18', rule: 'R-SE-16', basis: '' },
      { stage: 'disconnection_notice', date: '2027-03-01', statesDisconnectionDate: '2027-03-15', rule: 'R-SE-17', basis: '' },
      { stage: 'disconnection', date: '2027-03-15', rule: 'R-SE-18', basis: '' },
    ],
    completed: [{ stage: 'disconnection_notice', date: '2027-03-01', statesDisconnectionDate: '2027-03-15', rule: 'R-SE-17', basis: '', takenOn: '2027-03-01' }],
    announcedDisconnectionDate: '2027-03-15', targets: [], guardDecisions: [], holds: [], history: [],
    executionName: 'x', executionArn: 'x', openedAt: '', updatedAt: '', version: 1, ...over,
  } as DunningCase);
  const grid = invoice({ lines: [{ ...invoice().lines[0]!, service: 'electricity_grid' }] });

  it('writes to social services on paper to the office, naming the consumer (R-SE-17)', async () => {
    const s = submissionOf(await composeOrder({ kind: 'social_services_notice', caseId: 'dun_a_2027-01', stage: 'disconnection_notice' }, facts({ case: dunningCase(), invoice: grid }), se, '2027-03-01'));
    expect(s).toMatchObject({ kind: 'social_services_notice', caseId: 'dun_a_2027-01', invoiceId: 'inv_a_2027-01', addressedTo: se.socialServices });
  });

  it('puts a protected identity\'s own letters in the forwarding envelope, but not the notice to social services (R-SE-4)', async () => {
    const hidden = customer({ protectedIdentity: true });
    const own = submissionOf(await composeOrder({ kind: 'disconnection_notice', caseId: 'dun_a_2027-01', stage: 'disconnection_notice' }, facts({ case: dunningCase(), invoice: grid, customer: hidden }), se, '2027-03-01'));
    const office = submissionOf(await composeOrder({ kind: 'social_services_notice', caseId: 'dun_a_2027-01', stage: 'disconnection_notice' }, facts({ case: dunningCase(), invoice: grid, customer: hidden }), se, '2027-03-01'));
    const plain = submissionOf(await composeOrder({ kind: 'disconnection_notice', caseId: 'dun_a_2027-01', stage: 'disconnection_notice' }, facts({ case: dunningCase(), invoice: grid }), se, '2027-03-01'));
    const plainOffice = submissionOf(await composeOrder({ kind: 'social_services_notice', caseId: 'dun_a_2027-01', stage: 'disconnection_notice' }, facts({ case: dunningCase(), invoice: grid }), se, '2027-03-01'));
    const pages = async (bytes: Uint8Array) => (await PDFDocument.load(bytes)).getPageCount();
    // The outer envelope's address sheet and the inner envelope's label come before the letter.
    expect(await pages(own.document.bytes)).toBe((await pages(plain.document.bytes)) + 2);
    expect(await pages(office.document.bytes)).toBe(await pages(plainOffice.document.bytes));
  });

  it("writes the winter owner notice to a rental's owner on file, on paper to them, not to the tenant (R-SE-18, R-SE-20)", async () => {
    const owner = { name: 'Arvikahem AB', address: { line1: 'Box 12', postalCode: '671 21', city: 'Arvika', country: 'SE' } };
    const winter = dunningCase({ targets: [{ facilityId: 'F00000001', service: 'electricity_grid', debt: 120_000, action: 'disconnect', state: 'awaiting_owner_contact' }] });
    const composed = await composeOrder({ kind: 'owner_notice', caseId: 'dun_a_2027-01', stage: 'disconnection' }, facts({ case: winter, invoice: grid, facilities: [facility({ propertyType: 'rental', owner })] }), se, '2027-03-15');
    const { submission } = composed as { submission: { addressedTo?: unknown; kind: string } };
    expect(submission).toMatchObject({ kind: 'owner_notice', addressedTo: owner });
  });

  it('sends no owner notice for a rental: its owner is not on file (ops call, R-SE-18)', async () => {
    const composed = await composeOrder({ kind: 'owner_notice', caseId: 'dun_a_2027-01', stage: 'disconnection' }, facts({ case: dunningCase(), invoice: grid, facilities: [facility({ propertyType: 'rental' })] }), se, '2027-03-15');
    expect(composed).toEqual({ nothing: expect.stringContaining('not on file') });
  });
});
