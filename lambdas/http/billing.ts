/** The `billing` route group: tariffs, meter readings, billing runs, invoices and payments. */
import { buildBilling } from '../adapters/billing-wiring.js';
import { buildPaymentLedger } from '../adapters/dunning-wiring.js';
import { buildPaymentImports } from '../adapters/payment-import-wiring.js';
import { viewOf } from '../domain/billing/payment-imports.js';
import { loadConfig } from '../adapters/config.js';
import type { Actor } from '../domain/actor.js';
import type { TariffVersion } from '../domain/billing/model.js';
import { ServicePath } from '../domain/billing/schemas.js';
import type { Service } from '../domain/customers/schemas.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { documentClient } from '../adapters/dynamo/client.js';
import { DynamoCustomerRepository } from '../adapters/dynamo/customer-repository.js';
import { groupHandler, type OperationInput } from './handler.js';
import { DynamoDeliveryRepository } from '../adapters/dynamo/delivery-repository.js';
import { seesProtectedIdentity } from '../domain/customers/present.js';

const config = loadConfig();
const billing = buildBilling();
const ledger = buildPaymentLedger();
const paymentImports = buildPaymentImports(billing, ledger);
const customers = new DynamoCustomerRepository(documentClient(config), config.TABLE_NAME);
const documents = new DynamoDeliveryRepository(documentClient(config), config.TABLE_NAME);
const actor = (input: OperationInput): Actor => input.principal!;

function service(input: OperationInput): Service {
  const parsed = ServicePath.safeParse(input.params.service);
  if (!parsed.success) throw new ValidationError([{ path: 'service', message: `one of ${ServicePath.options.join(', ')}` }]);
  return parsed.data;
}

export const handler = groupHandler(
  'billing',
  {
    async putTariff(input) {
      const saved = await billing.putTariff(actor(input), service(input), input.body as Omit<TariffVersion, 'service' | 'createdAt' | 'createdBy'>);
      // The notice list is built in the background: GET /v1/jobs/{jobId} (R-SE-10).
      return { body: { ...saved, notice: { ...saved.notice, href: `/v1/jobs/${saved.notice.jobId}` } }, headers: { link: `</v1/jobs/${saved.notice.jobId}>; rel="notice-list"` } };
    },
    async listTariffs(input) {
      return { body: { items: await billing.tariffs(service(input)), nextCursor: null } };
    },
    async reportMeterReading(input) {
      return { body: await billing.recordReading(actor(input), input.body as { facilityId: string; meterId: string; value: number; readAt: string }) };
    },
    async startBillingRun(input) {
      const run = await billing.startRun(input.body as { runMonth?: string; region?: string });
      return { body: { runId: run.runId, status: run.status }, headers: { location: `/v1/billing-runs/${run.runId}` } };
    },
    async getBillingRun(input) {
      return { body: await billing.getRun(input.params.runId ?? '') };
    },
    async getInvoice(input) {
      const invoice = await billing.getInvoice(actor(input), input.params.invoiceId ?? '');
      const { stateAfter: _state, ...shown } = invoice;
      // The documents sent for it (the invoice, its reminders and notices; docs/DELIVERY.md), as the
      // documents route group shows them: a protected identity's only to agents and admins (R-SE-4).
      const sent = (await documents.documentsOfInvoice(invoice.invoiceId)).filter((d) => !d.protectedIdentity || seesProtectedIdentity(actor(input).role));
      return {
        body: {
          ...shown,
          documents: sent.map((d) => ({ documentId: d.documentId, kind: d.kind, title: d.title, createdAt: d.createdAt, href: `/v1/documents/${d.documentId}` })),
        },
      };
    },
    async getInvoiceDocument(input) {
      const invoice = await billing.getInvoice(actor(input), input.params.invoiceId ?? '');
      // pdf-lib is loaded only when a document is asked for: it would add to every cold start.
      const { renderInvoicePdf } = await import('../domain/billing/document.js');
      const pdf = await renderInvoicePdf(invoice);
      return {
        rawBody: Buffer.from(pdf).toString('base64'),
        base64: true,
        headers: { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="invoice-${invoice.invoiceNumber}.pdf"` },
      };
    },
    async listCustomerInvoices(input) {
      const invoices = await billing.invoicesOf(input.params.customerId ?? '');
      return { body: { items: invoices.map(({ stateAfter: _state, ...shown }) => shown), nextCursor: null } };
    },
    async deferInvoice(input) {
      const { stateAfter: _state, ...shown } = await billing.defer(actor(input), input.params.invoiceId ?? '', input.body as { until: string; reason: string });
      return { body: shown };
    },
    async refundCredit(input) {
      const customerId = input.params.customerId ?? '';
      const customer = await customers.getCustomer(customerId);
      if (!customer) throw new NotFoundError('No such customer.');
      return { body: await billing.refund(actor(input), customerId, input.body as { amount?: number; bankAccount?: string }, customer) };
    },
    async importPaymentFile(input) {
      // A large file is not booked inside the request (API Gateway gives up after 30 s): stored and imported in chunks, 202.
      const body = await paymentImports.importBody(actor(input), input.bytes!);
      if (!body.inline) {
        const { importId, status, payments } = body.started;
        return { status: 202, body: { importId, status, payments }, headers: { location: `/v1/payment-files/imports/${importId}` } };
      }
      const report = await billing.importPayments(input.bytes!);
      // The ledger holds the money valued up to the file's latest value date: dunning's booking-delay guard reads it (R-FI-10).
      await ledger.fileBooked(report.latestValueDate);
      return { body: report };
    },
    async createPaymentFileUpload(input) {
      return { body: await paymentImports.createUpload(actor(input)) };
    },
    async startPaymentImport(input) {
      const started = await paymentImports.startImport(actor(input), (input.body as { uploadId: string }).uploadId);
      return {
        body: { importId: started.importId, status: started.status },
        headers: { location: `/v1/payment-files/imports/${started.importId}` },
      };
    },
    async getPaymentImport(input) {
      return { body: viewOf(await paymentImports.getImport(input.params.importId ?? '')) };
    },
    async listUnmatchedPayments() {
      return { body: { items: await billing.unmatched(), nextCursor: null } };
    },
    async allocatePayment(input) {
      return { body: await billing.allocate(input.params.paymentId ?? '', (input.body as { invoiceId: string }).invoiceId) };
    },
  },
  { maxBodyBytes: config.MAX_BODY_BYTES },
);
