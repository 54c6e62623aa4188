/** A Finnish, a Swedish and a Norwegian utility invoice, as billing writes them. */
import type { EInvoice, EInvoiceBuyer, EInvoiceSeller } from '../../../lambdas/domain/einvoice/model.js';

export const finnishInvoice: EInvoice = {
  invoiceNumber: 2026001,
  customerId: 'C-4711',
  issueDate: '2026-04-08',
  dueDate: '2026-05-11',
  currency: 'EUR',
  reference: '1232',
  referenceType: 'fi_reference',
  lines: [
    { facilityId: 'F-12', service: 'water', description: 'Vesi, perusmaksu 1.1.–31.3.2026', periodStart: '2026-01-01', periodEnd: '2026-03-31', net: 3_000, vatRate: 25.5, vat: 765, gross: 3_765 },
    { facilityId: 'F-12', service: 'water', description: 'Vesi, kulutus', periodStart: '2026-01-01', periodEnd: '2026-03-31', quantity: 23, unit: 'm3', unitPrice: 212.5, net: 4_888, vatRate: 25.5, vat: 1_246, gross: 6_134 },
    { facilityId: 'F-12', service: 'sewage', description: 'Jätevesi, kulutus', periodStart: '2026-01-01', periodEnd: '2026-03-31', quantity: 23, unit: 'm3', unitPrice: 301, net: 6_923, vatRate: 25.5, vat: 1_765, gross: 8_688 },
  ],
  net: 14_811,
  vat: 3_776,
  total: 18_587,
  openAmount: 18_587,
};

export const finnishSeller: EInvoiceSeller = {
  name: 'Keuruun Vesi Oy',
  organisationNumber: '1234567-8',
  vatNumber: 'FI12345678',
  address: { line1: 'Multiantie 5', postalCode: '42700', city: 'Keuruu', country: 'FI' },
  phone: '014 751 8100',
  email: 'vesi@keuruu.fi',
  payment: { iban: 'FI21 1234 5600 0007 85', bic: 'NDEAFIHH' },
};

export const finnishBuyer: EInvoiceBuyer = {
  name: 'Äijälä Sirpa',
  customerId: 'C-4711',
  address: { line1: 'Kangasmäentie 3 B 7', postalCode: '42700', city: 'Keuruu', country: 'FI' },
};

export const finvoiceRouting = {
  sellerAddress: '003712345678',
  sellerIntermediator: 'NDEAFIHH',
  buyerAddress: 'FI4819503000000010',
  buyerIntermediator: 'OKOYFIHH',
  messageId: 'KV-2026001',
  timestamp: '2026-04-08T06:00:00',
};

export const swedishInvoice: EInvoice = {
  invoiceNumber: 100245,
  customerId: 'C-1001',
  issueDate: '2026-04-06',
  dueDate: '2026-04-30',
  currency: 'SEK',
  reference: '1234567897',
  referenceType: 'ocr',
  lines: [
    { facilityId: 'F-77', service: 'electricity_grid', description: 'Elnät, fast avgift', periodStart: '2026-03-01', periodEnd: '2026-03-31', net: 31_250, vatRate: 25, vat: 7_813, gross: 39_063 },
    { facilityId: 'F-77', service: 'electricity_grid', description: 'Elnät, överföring', periodStart: '2026-03-01', periodEnd: '2026-03-31', quantity: 1_234, unit: 'kWh', unitPrice: 45.23, net: 55_814, vatRate: 25, vat: 13_954, gross: 69_768 },
    { facilityId: 'F-78', service: 'water', description: 'Vatten & avlopp <fast>', periodStart: '2026-03-01', periodEnd: '2026-03-31', net: 40_000, vatRate: 12, vat: 4_800, gross: 44_800 },
  ],
  net: 127_064,
  vat: 26_567,
  total: 153_631,
  openAmount: 153_631,
};

export const swedishSeller: EInvoiceSeller = {
  name: 'Arvika Kraft AB',
  organisationNumber: '556526-6740',
  vatNumber: 'SE556526674001',
  taxRegistrationText: 'Godkänd för F-skatt',
  address: { line1: 'Box 801', postalCode: '671 28', city: 'Arvika', country: 'SE' },
  phone: '0570-816 00',
  payment: { bankgiro: '5050-1055' },
};

export const swedishBuyer: EInvoiceBuyer = {
  name: 'Bageriet i Arvika AB',
  customerId: 'C-1001',
  organisationNumber: '559012-3456',
  address: { line1: 'Storgatan 12', postalCode: '671 31', city: 'Arvika', country: 'SE' },
};

export const norwegianInvoice: EInvoice = {
  invoiceNumber: 5001,
  customerId: 'N-220',
  issueDate: '2026-04-01',
  dueDate: '2026-04-20',
  currency: 'NOK',
  reference: '12345678903',
  referenceType: 'kid',
  lines: [
    { facilityId: 'G-5', service: 'water', description: 'Vann, fastledd', periodStart: '2026-01-01', periodEnd: '2026-03-31', net: 90_000, vatRate: 25, vat: 22_500, gross: 112_500 },
    { facilityId: 'G-5', service: 'sewage', description: 'Avløp, fastledd', periodStart: '2026-01-01', periodEnd: '2026-03-31', net: 110_000, vatRate: 25, vat: 27_500, gross: 137_500 },
    { facilityId: 'G-5', service: 'water', description: 'Forskudd trukket fra', net: -20_000, vatRate: 25, vat: -5_000, gross: -25_000 },
  ],
  net: 180_000,
  vat: 45_000,
  total: 225_000,
  openAmount: 225_000,
};

export const norwegianSeller: EInvoiceSeller = {
  name: 'Gran kommune',
  organisationNumber: '961 381 096',
  vatNumber: 'NO961381096MVA',
  taxRegistrationText: 'Foretaksregisteret',
  address: { line1: 'Rådhusvegen 39', postalCode: '2750', city: 'Gran', country: 'NO' },
  payment: { accountNumber: '2050.07.12345' },
};

export const norwegianBuyer: EInvoiceBuyer = {
  name: 'Hadeland Bygg AS',
  customerId: 'N-220',
  organisationNumber: '987654321',
  address: { line1: 'Jarenvegen 5', postalCode: '2750', city: 'Gran', country: 'NO' },
};
