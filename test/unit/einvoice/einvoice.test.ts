/**
 * Finvoice 3.0 (R-FI-2) and Peppol BIS Billing 3.0 (UBL 2.1; R-SE-8) validated against the
 * official schemas (test/fixtures/einvoice/README.md says where each comes from).
 */
import { XMLParser } from 'fast-xml-parser';
import { rfReference } from '../../../lambdas/domain/billing/references.js';
import { ValidationError } from '../../../lambdas/domain/errors.js';
import { finvoiceXml } from '../../../lambdas/domain/einvoice/finvoice.js';
import { PEPPOL_CUSTOMIZATION_ID, PEPPOL_PROFILE_ID, peppolInvoiceXml } from '../../../lambdas/domain/einvoice/peppol.js';
import { finnishBuyer, finnishInvoice, finnishSeller, finvoiceRouting, norwegianBuyer, norwegianInvoice, norwegianSeller, swedishBuyer, swedishInvoice, swedishSeller } from './fixtures.js';
import { validateFinvoice, validateUblInvoice } from './xsd.js';

const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['InvoiceRow', 'VatSpecificationDetails', 'cac:TaxSubtotal', 'cac:InvoiceLine', 'cac:PartyTaxScheme'].includes(name) }).parse(xml);

describe('Finvoice 3.0 for Finland (R-FI-2)', () => {
  it('a Finnish invoice validates against Finvoice3.0.xsd', async () => {
    // Act
    const xml = finvoiceXml(finnishInvoice, finnishSeller, finnishBuyer, finvoiceRouting);
    const result = await validateFinvoice(xml);
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('states the totals, VAT per rate, the customer number, the IBAN and the reference', () => {
    const doc = parse(finvoiceXml(finnishInvoice, finnishSeller, finnishBuyer, finvoiceRouting)).Finvoice;
    const details = doc.InvoiceDetails;
    expect(details.InvoiceTotalVatIncludedAmount['#text']).toBe('185,87');
    expect(details.InvoiceTotalVatExcludedAmount['#text']).toBe('148,11');
    expect(details.VatSpecificationDetails).toEqual([expect.objectContaining({ VatRatePercent: '25,5', VatRateAmount: { '#text': '37,76', '@AmountCurrencyIdentifier': 'EUR' } })]);
    expect(details.SellersBuyerIdentifier).toBe('C-4711');
    expect(details.PaymentTermsDetails.InvoiceDueDate['#text']).toBe('20260511');
    expect(doc.InvoiceRow).toHaveLength(3);
    expect(doc.InvoiceRow[1].DeliveredQuantity['#text']).toBe('23');
    expect(doc.InvoiceRow[1].UnitPriceAmount['#text']).toBe('2,125');
    const payment = doc.EpiDetails.EpiPaymentInstructionDetails;
    expect(payment.EpiRemittanceInfoIdentifier).toEqual({ '#text': '1232', '@IdentificationSchemeName': 'SPY' });
    expect(payment.EpiInstructedAmount['#text']).toBe('185,87');
    expect(doc.EpiDetails.EpiPartyDetails.EpiBeneficiaryPartyDetails.EpiAccountID['#text']).toBe('FI2112345600000785');
    expect(doc.BuyerPartyDetails.BuyerOrganisationName).toBe('Äijälä Sirpa');
  });

  it('an RF reference goes with scheme ISO and still validates', async () => {
    const xml = finvoiceXml({ ...finnishInvoice, reference: rfReference('1232') }, finnishSeller, finnishBuyer, finvoiceRouting);
    expect(parse(xml).Finvoice.EpiDetails.EpiPaymentInstructionDetails.EpiRemittanceInfoIdentifier['@IdentificationSchemeName']).toBe('ISO');
    expect((await validateFinvoice(xml)).valid).toBe(true);
  });

  it('an invoice without the buyer fails the schema (the validator does reject)', async () => {
    const xml = finvoiceXml(finnishInvoice, finnishSeller, finnishBuyer, finvoiceRouting).replace(/<BuyerPartyDetails>[\s\S]*?<\/BuyerPartyDetails>\n/, '');
    const result = await validateFinvoice(xml);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/BuyerPartyDetails/);
  });

  it('refuses to write one without the buyer, the IBAN or matching totals, naming the fields', () => {
    expect(() => finvoiceXml(finnishInvoice, { ...finnishSeller, payment: {} }, { ...finnishBuyer, name: '' }, finvoiceRouting)).toThrow(ValidationError);
    const error = (() => {
      try {
        finvoiceXml(finnishInvoice, { ...finnishSeller, payment: {} }, { ...finnishBuyer, name: '' }, finvoiceRouting);
        return null;
      } catch (caught) {
        return caught as ValidationError;
      }
    })();
    expect(error?.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['seller.payment.iban', 'buyer.name']));
    expect(() => finvoiceXml({ ...finnishInvoice, total: 1 }, finnishSeller, finnishBuyer, finvoiceRouting)).toThrow(expect.objectContaining({ errors: [{ path: 'invoice.total', message: 'must be net + vat' }] }));
  });

  it('is the same message when written twice (a resend is idempotent)', () => {
    expect(finvoiceXml(finnishInvoice, finnishSeller, finnishBuyer, finvoiceRouting)).toBe(finvoiceXml(finnishInvoice, finnishSeller, finnishBuyer, finvoiceRouting));
  });
});

describe('Peppol BIS Billing 3.0 for Sweden and Norway', () => {
  const swedish = () => peppolInvoiceXml(swedishInvoice, swedishSeller, swedishBuyer, { buyerEndpoint: { schemeID: '0007', id: '5590123456' } });
  const norwegian = () => peppolInvoiceXml(norwegianInvoice, norwegianSeller, norwegianBuyer, { buyerEndpoint: { schemeID: '0192', id: '987654321' } });

  it('a Swedish invoice validates against UBL-Invoice-2.1.xsd', async () => {
    const result = await validateUblInvoice(swedish());
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('a Norwegian invoice validates against UBL-Invoice-2.1.xsd', async () => {
    const result = await validateUblInvoice(norwegian());
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('carries the Peppol ids, endpoints with schemes, VAT per rate, totals and the OCR on bankgiro', () => {
    const doc = parse(swedish()).Invoice;
    expect(doc['cbc:CustomizationID']).toBe(PEPPOL_CUSTOMIZATION_ID);
    expect(doc['cbc:CustomizationID']).toBe('urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0');
    expect(doc['cbc:ProfileID']).toBe(PEPPOL_PROFILE_ID);
    expect(doc['cbc:ProfileID']).toBe('urn:fdc:peppol.eu:2017:poacc:billing:01:1.0');
    expect(doc['cac:AccountingSupplierParty']['cac:Party']['cbc:EndpointID']).toEqual({ '#text': '5565266740', '@schemeID': '0007' });
    expect(doc['cac:AccountingCustomerParty']['cac:Party']['cbc:EndpointID']).toEqual({ '#text': '5590123456', '@schemeID': '0007' });
    const subtotals = doc['cac:TaxTotal']['cac:TaxSubtotal'].map((s: Record<string, any>) => [s['cac:TaxCategory']['cbc:Percent'], s['cbc:TaxableAmount']['#text'], s['cbc:TaxAmount']['#text']]);
    expect(subtotals).toEqual([
      ['25', '870.64', '217.67'],
      ['12', '400.00', '48.00'],
    ]);
    expect(doc['cac:TaxTotal']['cbc:TaxAmount']['#text']).toBe('265.67');
    const totals = doc['cac:LegalMonetaryTotal'];
    expect([totals['cbc:LineExtensionAmount']['#text'], totals['cbc:TaxExclusiveAmount']['#text'], totals['cbc:TaxInclusiveAmount']['#text'], totals['cbc:PayableAmount']['#text']]).toEqual(['1270.64', '1270.64', '1536.31', '1536.31']);
    const means = doc['cac:PaymentMeans'];
    expect(means['cbc:PaymentID']).toBe('1234567897');
    expect(means['cac:PayeeFinancialAccount']).toEqual({ 'cbc:ID': '50501055', 'cac:FinancialInstitutionBranch': { 'cbc:ID': 'SE:BANKGIRO' } });
    const usage = doc['cac:InvoiceLine'][1];
    expect(usage['cbc:InvoicedQuantity']).toEqual({ '#text': '1234', '@unitCode': 'KWH' });
    expect(usage['cac:Price']['cbc:PriceAmount']['#text']).toBe('0.4523');
    expect(usage['cbc:LineExtensionAmount']['#text']).toBe('558.14');
    expect(doc['cac:InvoiceLine'][2]['cac:Item']['cbc:Name']).toBe('Vatten & avlopp <fast>');
  });

  it('a Norwegian invoice has the 0192 endpoint, the KID and a credit line with a positive price (BR-27)', () => {
    const doc = parse(norwegian()).Invoice;
    expect(doc['cac:AccountingSupplierParty']['cac:Party']['cbc:EndpointID']).toEqual({ '#text': '961381096', '@schemeID': '0192' });
    expect(doc['cac:PaymentMeans']['cbc:PaymentID']).toBe('12345678903');
    expect(doc['cac:PaymentMeans']['cac:PayeeFinancialAccount']['cbc:ID']).toBe('20500712345');
    const credit = doc['cac:InvoiceLine'][2];
    expect(credit['cbc:InvoicedQuantity']['#text']).toBe('-1');
    expect(credit['cac:Price']['cbc:PriceAmount']['#text']).toBe('200');
    expect(credit['cbc:LineExtensionAmount']['#text']).toBe('-200.00');
  });

  it('an invoice without the buyer fails the schema (the validator does reject)', async () => {
    const xml = swedish().replace(/<cac:AccountingCustomerParty>[\s\S]*?<\/cac:AccountingCustomerParty>\n/, '');
    const result = await validateUblInvoice(xml);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/AccountingCustomerParty/);
  });

  it('an element the common components do not know fails too (the included schemas are read)', async () => {
    const xml = swedish().replace('<cbc:CityName>Arvika</cbc:CityName>', '<cbc:Town>Arvika</cbc:Town>');
    const result = await validateUblInvoice(xml);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/Town/);
  });

  it('refuses a buyer without an endpoint or a Finnish seller, naming the fields', () => {
    expect(() => peppolInvoiceXml(swedishInvoice, swedishSeller, swedishBuyer, { buyerEndpoint: { schemeID: '', id: '' } })).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ path: 'routing.buyerEndpoint' })] }));
    expect(() => peppolInvoiceXml(finnishInvoice, finnishSeller, finnishBuyer, { buyerEndpoint: { schemeID: '0216', id: '003712345678' } })).toThrow(ValidationError);
  });
});
