/**
 * The invoice as a PDF a customer recognises: who sends it, to whom, the lines per service
 * and facility, VAT, the total, the due date and the payment reference (R-SE-8).
 * The letter itself is the documents module's (lambdas/domain/documents, docs/DOCUMENTS.md);
 * this keeps the signature the invoice document route calls.
 */
import { renderDocument } from '../documents/render.js';
import type { Language, UtilitySender } from '../documents/kinds.js';
import type { Invoice } from './model.js';

export interface InvoicePdfOptions {
  /** `Customer.language`; without it, the language of the invoice's country (SEK sv, EUR fi, NOK nb). */
  language?: Language;
  /** The customer's name for the address block (the invoice record holds only the id). */
  customerName?: string;
  /** The full sender (address, phone, payment account); overrides `sender`. */
  utility?: UtilitySender;
}

const languageOf = (currency: Invoice['currency']): Language => (currency === 'EUR' ? 'fi' : currency === 'NOK' ? 'nb' : 'sv');
const countryOf = (currency: Invoice['currency']) => (currency === 'EUR' ? 'FI' : currency === 'NOK' ? 'NO' : 'SE') as 'FI' | 'NO' | 'SE';

/** `sender.giro` as printed: "Bankgiro 5050-1055" is a bankgiro number; anything else an account. */
function legacySender(sender: { name: string; giro: string }, country: 'FI' | 'NO' | 'SE'): UtilitySender {
  const bankgiro = /^bankgiro\s+(.+)$/i.exec(sender.giro.trim());
  return {
    name: sender.name,
    address: { line1: '', postalCode: '', city: '', country },
    phone: '',
    payment: bankgiro ? { kind: 'bankgiro', number: bankgiro[1]! } : { kind: 'bank_account', number: sender.giro },
  };
}

export async function renderInvoicePdf(
  invoice: Invoice,
  sender = { name: 'Arvika Vatten', giro: 'Bankgiro 5050-1055' },
  options: InvoicePdfOptions = {},
): Promise<Uint8Array> {
  const country = countryOf(invoice.currency);
  const address = invoice.delivery.address;
  const rendered = await renderDocument({
    kind: 'invoice',
    language: options.language ?? languageOf(invoice.currency),
    country,
    sender: options.utility ?? legacySender(sender, country),
    recipient: {
      name: options.customerName ?? '',
      address: address ?? { line1: '', postalCode: '', city: '', country },
    },
    date: invoice.issueDate,
    customerId: invoice.customerId,
    invoice,
  });
  return rendered.bytes;
}
