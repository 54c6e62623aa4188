/**
 * The `documents` route group: the documents the utility sent (invoices, letters, notices),
 * their delivery, and their bytes. Agents and admins read any; a customer token its own, and
 * never a protected identity's (R-SE-4: roles that may not see the identity get 404).
 */
import { buildDocumentDelivery } from '../adapters/delivery-wiring.js';
import { loadConfig } from '../adapters/config.js';
import type { Actor } from '../domain/actor.js';
import type { DocumentRecord } from '../domain/delivery/model.js';
import type { DeliveryView } from '../domain/delivery/service.js';
import { groupHandler, type OperationInput } from './handler.js';

const config = loadConfig();
const delivery = buildDocumentDelivery();
const actor = (input: OperationInput): Actor => input.principal!;

/** A document as the API shows it: where it is stored stays inside. */
export function presentDocument(document: DocumentRecord, view?: DeliveryView) {
  return {
    documentId: document.documentId,
    kind: document.kind,
    customerId: document.customerId,
    caseId: document.caseId ?? null,
    invoiceId: document.invoiceId ?? null,
    language: document.language,
    title: document.title,
    filename: document.filename,
    contentType: document.contentType,
    size: document.size,
    sha256: document.sha256,
    hasEInvoice: document.eInvoice !== undefined,
    createdAt: document.createdAt,
    ...(view ? { delivery: view } : {}),
  };
}

/** A file name safe in a quoted header parameter. */
const headerFilename = (name: string) => name.replace(/[^\x20-\x7E]|["\\]/g, '_');

export const handler = groupHandler(
  'documents',
  {
    async getDocument(input) {
      const { document, delivery: view } = await delivery.getDocument(actor(input), input.params.documentId ?? '');
      return { body: presentDocument(document, view) };
    },
    async getDocumentContent(input) {
      const content = await delivery.documentContent(actor(input), input.params.documentId ?? '');
      return {
        rawBody: Buffer.from(content.bytes).toString('base64'),
        base64: true,
        headers: { 'content-type': content.contentType, 'content-disposition': `inline; filename="${headerFilename(content.filename)}"` },
      };
    },
    async listCustomerDocuments(input) {
      const query = input.query as { limit: number; cursor?: string };
      const page = await delivery.documentsOfCustomer(actor(input), input.params.customerId ?? '', query.limit, query.cursor);
      return { body: { items: page.items.map((document) => presentDocument(document)), nextCursor: page.nextCursor } };
    },
  },
  { maxBodyBytes: config.MAX_BODY_BYTES },
);
