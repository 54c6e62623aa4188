/**
 * Peppol BIS Billing 3.0 (a UBL 2.1 Invoice) for Swedish and Norwegian customers (R-SE-8: the
 * e-invoice first). The structure is validated in tests against the official OASIS UBL 2.1 XSD;
 * the Peppol/EN 16931 business rules this generator keeps itself are listed in docs/DOCUMENTS.md
 * (endpoint ids with their scheme, one tax subtotal per VAT rate, totals that add up, the
 * payment means with the OCR/KID reference, a buyer reference).
 */
import type { FieldError } from '../errors.js';
import { checkInput, decimal, digitsOnly, majorUnits, vatBreakdown, type EInvoice, type EInvoiceBuyer, type EInvoiceLine, type EInvoiceSeller } from './model.js';
import { document, leaf, node, type XmlNode } from './xml.js';

export const PEPPOL_CUSTOMIZATION_ID = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
export const PEPPOL_PROFILE_ID = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

/** Peppol participant id schemes (ISO 6523 ICD): 0007 Swedish org number, 0192 Norwegian org number, 0088 GLN, 0216 OVT (FI). */
export interface PeppolEndpoint {
  schemeID: string;
  id: string;
}

export interface PeppolRouting {
  /** The buyer's Peppol participant (from the customer's e-invoice agreement). */
  buyerEndpoint: PeppolEndpoint;
  /** Defaults to the seller's organisation number under its country's scheme (SE 0007, NO 0192). */
  sellerEndpoint?: PeppolEndpoint;
}

const NS = {
  xmlns: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  'xmlns:cac': 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  'xmlns:cbc': 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

const unitCodes: Record<string, string> = { m3: 'MTQ', kWh: 'KWH', MWh: 'MWH' };
const category = (rate: number) => (rate > 0 ? 'S' : 'Z');

/** The seller's endpoint from its organisation number: 0007 (SE, 10 digits), 0192 (NO, 9 digits). */
export function organisationEndpoint(country: string, organisationNumber: string): PeppolEndpoint | null {
  const digits = digitsOnly(organisationNumber);
  if (country.toUpperCase() === 'SE' && digits.length === 10) return { schemeID: '0007', id: digits };
  if (country.toUpperCase() === 'NO' && digits.length === 9) return { schemeID: '0192', id: digits };
  return null;
}

function taxCategory(name: 'cac:TaxCategory' | 'cac:ClassifiedTaxCategory', rate: number): string | null {
  return node(name, [leaf('cbc:ID', category(rate)), leaf('cbc:Percent', decimal(rate)), node('cac:TaxScheme', [leaf('cbc:ID', 'VAT')])]);
}

function address(a: EInvoiceSeller['address']): string | null {
  return node('cac:PostalAddress', [
    leaf('cbc:StreetName', a.line1),
    a.line2?.trim() ? leaf('cbc:AdditionalStreetName', a.line2) : null,
    leaf('cbc:CityName', a.city),
    leaf('cbc:PostalZone', a.postalCode),
    node('cac:Country', [leaf('cbc:IdentificationCode', a.country.toUpperCase())]),
  ]);
}

function line(l: EInvoiceLine, index: number, currency: string): string | null {
  const money = (minor: number) => leaf('cbc:LineExtensionAmount', majorUnits(minor), { currencyID: currency });
  // BR-27: the item price is never negative; a credit line has a negative quantity.
  const sign = l.net < 0 ? -1 : 1;
  const measured = l.quantity !== undefined && l.unitPrice !== undefined && l.quantity !== 0 && Math.round(l.quantity * l.unitPrice) === l.net;
  const quantity = measured ? l.quantity! : sign;
  const price = measured ? Math.abs(l.unitPrice!) / 100 : Math.abs(l.net) / 100;
  const unitCode = measured && l.unit ? (unitCodes[l.unit] ?? 'C62') : 'C62';
  return node('cac:InvoiceLine', [
    leaf('cbc:ID', String(index + 1)),
    // BT-127 line note: the facility the line is for.
    leaf('cbc:Note', l.facilityId),
    leaf('cbc:InvoicedQuantity', decimal(measured && l.net < 0 ? -Math.abs(quantity) : quantity), { unitCode }),
    money(l.net),
    l.periodStart ? node('cac:InvoicePeriod', [leaf('cbc:StartDate', l.periodStart), leaf('cbc:EndDate', l.periodEnd ?? l.periodStart)]) : null,
    node('cac:Item', [leaf('cbc:Name', l.description.slice(0, 100)), taxCategory('cac:ClassifiedTaxCategory', l.vatRate)]),
    node('cac:Price', [leaf('cbc:PriceAmount', decimal(price, '.', 6), { currencyID: currency })]),
  ]);
}

function paymentMeans(invoice: EInvoice, seller: EInvoiceSeller, country: string): XmlNode {
  const reference = invoice.reference.replace(/\s/g, '');
  const { bankgiro, iban, bic, accountNumber } = seller.payment;
  if (country === 'SE' && bankgiro) {
    // Swedish Peppol rule: a bankgiro account with the branch id SE:BANKGIRO; the OCR as payment id.
    return node('cac:PaymentMeans', [
      leaf('cbc:PaymentMeansCode', '30', { name: 'Credit transfer' }),
      leaf('cbc:PaymentID', reference),
      node('cac:PayeeFinancialAccount', [leaf('cbc:ID', digitsOnly(bankgiro)), node('cac:FinancialInstitutionBranch', [leaf('cbc:ID', 'SE:BANKGIRO')])]),
    ]);
  }
  if (iban) {
    return node('cac:PaymentMeans', [
      leaf('cbc:PaymentMeansCode', '58', { name: 'SEPA credit transfer' }),
      leaf('cbc:PaymentID', reference),
      node('cac:PayeeFinancialAccount', [leaf('cbc:ID', iban.replace(/\s/g, '')), bic ? node('cac:FinancialInstitutionBranch', [leaf('cbc:ID', bic)]) : null]),
    ]);
  }
  // Norway: a domestic account number (11 digits) with the KID as payment id.
  return node('cac:PaymentMeans', [
    leaf('cbc:PaymentMeansCode', '30', { name: 'Credit transfer' }),
    leaf('cbc:PaymentID', reference),
    node('cac:PayeeFinancialAccount', [leaf('cbc:ID', digitsOnly(accountNumber ?? ''))]),
  ]);
}

export function peppolInvoiceXml(invoice: EInvoice, seller: EInvoiceSeller, buyer: EInvoiceBuyer, routing: PeppolRouting): string {
  const country = (seller?.address?.country ?? '').toUpperCase();
  const problems: FieldError[] = [];
  if (country !== 'SE' && country !== 'NO') problems.push({ path: 'seller.address.country', message: 'Peppol BIS invoices are made for Swedish and Norwegian sellers here (Finland: Finvoice)' });
  const sellerEndpoint = routing?.sellerEndpoint ?? organisationEndpoint(country, seller?.organisationNumber ?? '');
  if (!sellerEndpoint) problems.push({ path: 'seller.organisationNumber', message: 'must be a Swedish (10 digits) or Norwegian (9 digits) organisation number, or give routing.sellerEndpoint' });
  if (!routing?.buyerEndpoint?.id?.trim() || !/^\d{4}$/.test(routing?.buyerEndpoint?.schemeID ?? '')) problems.push({ path: 'routing.buyerEndpoint', message: 'id and a 4-digit schemeID are required' });
  const { bankgiro, iban, accountNumber } = seller?.payment ?? {};
  if (!(country === 'SE' ? bankgiro || iban : iban || accountNumber)) problems.push({ path: 'seller.payment', message: country === 'SE' ? 'bankgiro or iban required' : 'accountNumber or iban required' });
  checkInput(invoice, seller, buyer, problems);

  const cur = { currencyID: invoice.currency };
  const money = (name: string, minor: number) => leaf(name, majorUnits(minor), cur);
  const prepaid = invoice.total - invoice.openAmount;
  const periods = invoice.lines.filter((l) => l.periodStart);
  const start = periods.map((l) => l.periodStart!).sort()[0];
  const end = periods.map((l) => l.periodEnd ?? l.periodStart!).sort().at(-1);
  const breakdown = vatBreakdown(invoice.lines);

  const ubl = node(
    'Invoice',
    [
      leaf('cbc:CustomizationID', PEPPOL_CUSTOMIZATION_ID),
      leaf('cbc:ProfileID', PEPPOL_PROFILE_ID),
      leaf('cbc:ID', String(invoice.invoiceNumber)),
      leaf('cbc:IssueDate', invoice.issueDate),
      leaf('cbc:DueDate', invoice.dueDate),
      leaf('cbc:InvoiceTypeCode', '380'),
      leaf('cbc:DocumentCurrencyCode', invoice.currency),
      // PEPPOL-EN16931-R003: a buyer reference or an order reference; the customer number.
      leaf('cbc:BuyerReference', buyer.customerId),
      start ? node('cac:InvoicePeriod', [leaf('cbc:StartDate', start), leaf('cbc:EndDate', end)]) : null,
      node('cac:AccountingSupplierParty', [
        node('cac:Party', [
          leaf('cbc:EndpointID', sellerEndpoint!.id, { schemeID: sellerEndpoint!.schemeID }),
          node('cac:PartyName', [leaf('cbc:Name', seller.name)]),
          address(seller.address),
          seller.vatNumber ? node('cac:PartyTaxScheme', [leaf('cbc:CompanyID', seller.vatNumber), node('cac:TaxScheme', [leaf('cbc:ID', 'VAT')])]) : null,
          // SE: "Godkänd för F-skatt"; NO: "Foretaksregisteret".
          seller.taxRegistrationText ? node('cac:PartyTaxScheme', [leaf('cbc:CompanyID', seller.taxRegistrationText), node('cac:TaxScheme', [leaf('cbc:ID', 'TAX')])]) : null,
          node('cac:PartyLegalEntity', [leaf('cbc:RegistrationName', seller.name), leaf('cbc:CompanyID', digitsOnly(seller.organisationNumber))]),
          seller.phone || seller.email ? node('cac:Contact', [leaf('cbc:Telephone', seller.phone), leaf('cbc:ElectronicMail', seller.email)]) : null,
        ]),
      ]),
      node('cac:AccountingCustomerParty', [
        node('cac:Party', [
          leaf('cbc:EndpointID', routing.buyerEndpoint.id, { schemeID: routing.buyerEndpoint.schemeID }),
          node('cac:PartyIdentification', [leaf('cbc:ID', buyer.customerId)]),
          node('cac:PartyName', [leaf('cbc:Name', buyer.name)]),
          address(buyer.address),
          node('cac:PartyLegalEntity', [leaf('cbc:RegistrationName', buyer.name), buyer.organisationNumber ? leaf('cbc:CompanyID', digitsOnly(buyer.organisationNumber)) : null]),
          buyer.email ? node('cac:Contact', [leaf('cbc:ElectronicMail', buyer.email)]) : null,
        ]),
      ]),
      paymentMeans(invoice, seller, country),
      node('cac:TaxTotal', [
        money('cbc:TaxAmount', invoice.vat),
        breakdown.map((v) => node('cac:TaxSubtotal', [money('cbc:TaxableAmount', v.base), money('cbc:TaxAmount', v.vat), taxCategory('cac:TaxCategory', v.rate)])),
      ]),
      node('cac:LegalMonetaryTotal', [
        money('cbc:LineExtensionAmount', invoice.net),
        money('cbc:TaxExclusiveAmount', invoice.net),
        money('cbc:TaxInclusiveAmount', invoice.total),
        prepaid !== 0 ? money('cbc:PrepaidAmount', prepaid) : null,
        money('cbc:PayableAmount', invoice.openAmount),
      ]),
      invoice.lines.map((l, i) => line(l, i, invoice.currency)),
    ],
    NS,
  );
  return document(ubl);
}
