/** E-invoices: Finvoice 3.0 (Finland, R-FI-2) and Peppol BIS Billing 3.0 (Sweden, Norway; R-SE-8). docs/DOCUMENTS.md. */
export { finvoiceXml, type FinvoiceRouting } from './finvoice.js';
export { peppolInvoiceXml, organisationEndpoint, PEPPOL_CUSTOMIZATION_ID, PEPPOL_PROFILE_ID, type PeppolEndpoint, type PeppolRouting } from './peppol.js';
export type { EInvoice, EInvoiceLine, EInvoiceSeller, EInvoiceBuyer } from './model.js';
