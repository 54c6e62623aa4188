/**
 * Finvoice 3.0 (Finanssiala) for Finnish customers: the e-invoice a consumer orders in their
 * online bank with the utility's customer number (R-FI-2), sent through the seller's bank or
 * operator. Validated in tests against the official Finvoice3.0.xsd (test/fixtures/einvoice).
 *
 * Notation (the schema's): amounts "1234,50", percentages "25,5", dates CCYYMMDD.
 * The payment part (EpiDetails) carries the seller's IBAN and BIC and the Finnish reference
 * (viitenumero, scheme SPY) or its RF form (scheme ISO), as the bank's payment needs.
 */
import type { FieldError } from '../errors.js';
import { checkInput, decimal, digitsOnly, majorUnits, vatBreakdown, type EInvoice, type EInvoiceBuyer, type EInvoiceLine, type EInvoiceSeller } from './model.js';
import { document, leaf, node } from './xml.js';

/** Where the message goes: the e-invoice addresses and their intermediators (operator or bank BIC). */
export interface FinvoiceRouting {
  /** The seller's e-invoice address (OVT code, e.g. 003712345678, or IBAN). */
  sellerAddress: string;
  /** The seller's operator or bank (its BIC or operator id). */
  sellerIntermediator: string;
  /** The buyer's e-invoice address, from the bank's e-invoice order (R-FI-2). */
  buyerAddress: string;
  /** The buyer's bank or operator (BIC or operator id). */
  buyerIntermediator: string;
  /** Unique per message (idempotent resend: same invoice, same id). */
  messageId: string;
  /** ISO date-time of the message, e.g. 2026-04-06T08:00:00. */
  timestamp: string;
}

const cut = (text: string, max: number) => text.trim().slice(0, max);
const amount = (minor: number) => majorUnits(minor, ',');
const date = (iso: string) => iso.slice(0, 10).replace(/-/g, '');
const percent = (rate: number) => decimal(rate, ',', 3);
const vatCode = (rate: number) => (rate > 0 ? 'S' : 'Z');
/** A unit price in major units with 2 to 5 decimals (unitAmountType). */
const unitPrice = (minor: number) => {
  const text = (minor / 100).toFixed(5).replace(/0{1,3}$/, '');
  return text.replace('.', ',');
};
const unitCodes: Record<string, string> = { m3: 'MTQ', kWh: 'KWH', MWh: 'MWH' };

function row(line: EInvoiceLine, currency: string): string | null {
  const cur = { AmountCurrencyIdentifier: currency };
  return node('InvoiceRow', [
    leaf('ArticleIdentifier', `${line.service}`),
    leaf('ArticleName', cut(line.description, 100)),
    line.quantity !== undefined ? leaf('DeliveredQuantity', decimal(line.quantity, ','), { QuantityUnitCode: line.unit ?? undefined, QuantityUnitCodeUN: line.unit ? unitCodes[line.unit] : undefined }) : null,
    line.periodStart ? leaf('StartDate', date(line.periodStart), { Format: 'CCYYMMDD' }) : null,
    line.periodEnd ? leaf('EndDate', date(line.periodEnd), { Format: 'CCYYMMDD' }) : null,
    line.unitPrice !== undefined ? leaf('UnitPriceAmount', unitPrice(line.unitPrice), cur) : null,
    leaf('RowFreeText', cut(`${line.facilityId}`, 512)),
    leaf('RowVatRatePercent', percent(line.vatRate)),
    leaf('RowVatCode', vatCode(line.vatRate)),
    leaf('RowVatAmount', amount(line.vat), cur),
    leaf('RowVatExcludedAmount', amount(line.net), cur),
    leaf('RowAmount', amount(line.gross), cur),
  ]);
}

export function finvoiceXml(invoice: EInvoice, seller: EInvoiceSeller, buyer: EInvoiceBuyer, routing: FinvoiceRouting): string {
  const problems: FieldError[] = [];
  if (!seller?.payment?.iban?.trim()) problems.push({ path: 'seller.payment.iban', message: 'required: the Finvoice payment part names the IBAN' });
  if (!/^\d{2,20}$|^RF\d{2}[0-9A-Za-z]{1,21}$/.test((invoice?.reference ?? '').replace(/\s/g, ''))) problems.push({ path: 'invoice.reference', message: 'must be a Finnish reference (digits) or an RF reference' });
  for (const key of ['sellerAddress', 'sellerIntermediator', 'buyerAddress', 'buyerIntermediator', 'messageId', 'timestamp'] as const) {
    if (!routing?.[key]?.trim()) problems.push({ path: `routing.${key}`, message: 'required' });
  }
  checkInput(invoice, seller, buyer, problems);

  const cur = { AmountCurrencyIdentifier: invoice.currency };
  const reference = invoice.reference.replace(/\s/g, '');
  const iban = seller.payment.iban!.replace(/\s/g, '');
  const bic = seller.payment.bic?.replace(/\s/g, '');
  const country = (c: string) => (c?.length === 2 ? c.toUpperCase() : undefined);
  const finvoice = node(
    'Finvoice',
    [
      node('MessageTransmissionDetails', [
        node('MessageSenderDetails', [leaf('FromIdentifier', routing.sellerAddress), leaf('FromIntermediator', routing.sellerIntermediator)]),
        node('MessageReceiverDetails', [leaf('ToIdentifier', routing.buyerAddress), leaf('ToIntermediator', routing.buyerIntermediator)]),
        node('MessageDetails', [leaf('MessageIdentifier', routing.messageId), leaf('MessageTimeStamp', routing.timestamp.replace(/Z$/, ''))]),
      ]),
      node('SellerPartyDetails', [
        leaf('SellerPartyIdentifier', seller.organisationNumber),
        leaf('SellerOrganisationName', cut(seller.name, 70)),
        leaf('SellerOrganisationTaxCode', seller.vatNumber),
        node('SellerPostalAddressDetails', [
          leaf('SellerStreetName', cut(seller.address.line1, 35)),
          leaf('SellerTownName', cut(seller.address.city, 35)),
          leaf('SellerPostCodeIdentifier', cut(seller.address.postalCode, 35)),
          leaf('CountryCode', country(seller.address.country)),
        ]),
      ]),
      node('SellerCommunicationDetails', [leaf('SellerPhoneNumberIdentifier', seller.phone), leaf('SellerEmailaddressIdentifier', seller.email)]),
      bic
        ? node('SellerInformationDetails', [
            leaf('SellerPhoneNumber', seller.phone),
            leaf('SellerCommonEmailaddressIdentifier', seller.email),
            node('SellerAccountDetails', [leaf('SellerAccountID', iban, { IdentificationSchemeName: 'IBAN' }), leaf('SellerBic', bic, { IdentificationSchemeName: 'BIC' })]),
          ])
        : null,
      node('BuyerPartyDetails', [
        leaf('BuyerPartyIdentifier', buyer.organisationNumber),
        leaf('BuyerOrganisationName', cut(buyer.name, 70)),
        node('BuyerPostalAddressDetails', [
          leaf('BuyerStreetName', cut(buyer.address.line1, 35)),
          buyer.address.line2?.trim() ? leaf('BuyerStreetName', cut(buyer.address.line2, 35)) : null,
          leaf('BuyerTownName', cut(buyer.address.city, 35)),
          leaf('BuyerPostCodeIdentifier', cut(buyer.address.postalCode, 35)),
          leaf('CountryCode', country(buyer.address.country)),
        ]),
      ]),
      buyer.email ? node('BuyerCommunicationDetails', [leaf('BuyerEmailaddressIdentifier', buyer.email)]) : null,
      node('InvoiceDetails', [
        leaf('InvoiceTypeCode', 'INV01'),
        leaf('InvoiceTypeText', 'LASKU'),
        leaf('OriginCode', 'Original'),
        leaf('InvoiceNumber', String(invoice.invoiceNumber)),
        leaf('InvoiceDate', date(invoice.issueDate), { Format: 'CCYYMMDD' }),
        // R-FI-2: the customer number the consumer gave their bank.
        leaf('SellersBuyerIdentifier', buyer.customerId),
        leaf('InvoiceTotalVatExcludedAmount', amount(invoice.net), cur),
        leaf('InvoiceTotalVatAmount', amount(invoice.vat), cur),
        leaf('InvoiceTotalVatIncludedAmount', amount(invoice.total), cur),
        invoice.total !== invoice.openAmount ? leaf('InvoicePaidAmount', amount(invoice.total - invoice.openAmount), cur) : null,
        vatBreakdown(invoice.lines).map((v) =>
          node('VatSpecificationDetails', [
            leaf('VatBaseAmount', amount(v.base), cur),
            leaf('VatRatePercent', percent(v.rate)),
            leaf('VatCode', vatCode(v.rate)),
            leaf('VatRateAmount', amount(v.vat), cur),
          ]),
        ),
        node('PaymentTermsDetails', [leaf('InvoiceDueDate', date(invoice.dueDate), { Format: 'CCYYMMDD' })]),
      ]),
      invoice.lines.map((line) => row(line, invoice.currency)),
      node('EpiDetails', [
        node('EpiIdentificationDetails', [leaf('EpiDate', date(invoice.issueDate), { Format: 'CCYYMMDD' }), leaf('EpiReference', String(invoice.invoiceNumber))]),
        node('EpiPartyDetails', [
          `<EpiBfiPartyDetails>${bic ? `<EpiBfiIdentifier IdentificationSchemeName="BIC">${bic}</EpiBfiIdentifier>` : ''}</EpiBfiPartyDetails>`,
          node('EpiBeneficiaryPartyDetails', [leaf('EpiNameAddressDetails', cut(seller.name, 35)), leaf('EpiAccountID', iban, { IdentificationSchemeName: 'IBAN' })]),
        ]),
        node('EpiPaymentInstructionDetails', [
          leaf('EpiRemittanceInfoIdentifier', reference, { IdentificationSchemeName: reference.startsWith('RF') ? 'ISO' : 'SPY' }),
          leaf('EpiInstructedAmount', amount(invoice.openAmount), cur),
          leaf('EpiCharge', 'SLEV', { ChargeOption: 'SLEV' }),
          leaf('EpiDateOptionDate', date(invoice.dueDate), { Format: 'CCYYMMDD' }),
        ]),
      ]),
    ],
    { Version: '3.0', 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', 'xsi:noNamespaceSchemaLocation': 'Finvoice3.0.xsd' },
  );
  return document(finvoice);
}
