/** Letters as the callers would ask for them: a Swedish, a Finnish and a Norwegian utility. */
import type { Country, DocumentKind, DocumentRequest, InvoiceData, InvoiceDebt, Language, UtilitySender } from '../../../lambdas/domain/documents/kinds.js';

export const senders: Record<Country, UtilitySender> = {
  SE: {
    name: 'Arvika Vatten',
    address: { line1: 'Box 801', postalCode: '671 28', city: 'Arvika', country: 'SE' },
    phone: '0570-816 00',
    email: 'kundservice@arvika.se',
    organisationNumber: '556526-6740',
    payment: { kind: 'bankgiro', number: '5050-1055' },
  },
  FI: {
    name: 'Keuruun Vesi',
    address: { line1: 'Multiantie 5', postalCode: '42700', city: 'Keuruu', country: 'FI' },
    phone: '014 751 8100',
    payment: { kind: 'iban', iban: 'FI21 1234 5600 0007 85', bic: 'NDEAFIHH' },
  },
  NO: {
    name: 'Gran kommune VA',
    address: { line1: 'Rådhusvegen 39', postalCode: '2750', city: 'Gran', country: 'NO' },
    phone: '61 33 84 00',
    payment: { kind: 'bank_account', number: '2050.07.12345' },
  },
};

const currencyOf = { SE: 'SEK', FI: 'EUR', NO: 'NOK' } as const;
const referenceOf = { SE: { reference: '1234567897', referenceType: 'ocr' }, FI: { reference: '1232', referenceType: 'fi_reference' }, NO: { reference: '12345678903', referenceType: 'kid' } } as const;

export function debt(country: Country): InvoiceDebt {
  return { invoiceNumber: 100245, dueDate: '2026-04-30', openAmount: 123_450, currency: currencyOf[country], ...referenceOf[country] };
}

export function invoiceData(country: Country): InvoiceData {
  return {
    ...debt(country),
    customerId: 'C-1001',
    issueDate: '2026-04-06',
    net: 98_760,
    vat: 24_690,
    total: 123_450,
    lines: [
      { facilityId: 'F-77', service: 'water', description: 'Vatten, fast avgift', periodStart: '2026-03-01', periodEnd: '2026-03-31', net: 38_760, vatRate: 25, vat: 9_690, gross: 48_450 },
      { facilityId: 'F-77', service: 'sewage', description: 'Avlopp, förbrukning', periodStart: '2026-03-01', periodEnd: '2026-03-31', net: 60_000, vatRate: 25, vat: 15_000, gross: 75_000 },
    ],
  };
}

export const facilityAddress = { street: 'Storgatan', number: '12', letter: 'B', postalCode: '671 31', city: 'Arvika' };

export function requestOf(kind: DocumentKind, language: Language, country: Country, who = { name: 'Åsa Öberg-Järvinen', line1: 'Kyrkogatan 4' }): DocumentRequest {
  const base = {
    language,
    country,
    sender: senders[country],
    recipient: { name: who.name, address: { line1: who.line1, postalCode: '671 31', city: 'Arvika', country } },
    date: '2026-05-14',
    customerId: 'C-1001',
  };
  switch (kind) {
    case 'invoice':
      return { ...base, kind, invoice: invoiceData(country) };
    case 'final_invoice':
      return { ...base, kind, invoice: invoiceData(country), moveOut: { date: '2026-03-31', facilities: [{ facilityId: 'F-77', address: facilityAddress }] } };
    case 'reminder':
      return country === 'FI'
        ? { ...base, kind, stage: 'reminder_1', invoice: debt(country), payBy: '2026-05-28', fee: 500, disconnectionDate: '2026-06-18', services: ['water'] }
        : { ...base, kind, stage: 'reminder_1', invoice: debt(country), payBy: '2026-05-28', collectionFrom: '2026-06-09' };
    case 'collection_notice':
      return { ...base, kind, invoice: debt(country), agency: { name: 'Visma Collectors', phone: '08-123 456 00' }, handoverDate: '2026-06-09' };
    case 'disconnection_notice':
      return { ...base, kind, invoice: debt(country), disconnectionDate: '2026-06-29', services: ['electricity_grid'], facilityAddress, viaAgency: 'Visma Collectors' };
    case 'social_services_notice':
      return {
        ...base,
        kind,
        recipient: { name: 'Socialförvaltningen', address: { line1: 'Box 808', postalCode: '671 81', city: 'Arvika', country } },
        consumer: { name: who.name, address: { line1: who.line1, postalCode: '671 31', city: 'Arvika', country } },
        services: ['electricity_grid', 'district_heating'],
        facilityAddress,
        plannedDate: '2026-06-29',
        debt: { amount: 123_450, currency: currencyOf[country] },
      };
    case 'owner_notice':
      return {
        ...base,
        kind,
        recipient: { name: 'Fastighets AB Kransen', address: { line1: 'Torget 1', postalCode: '671 30', city: 'Arvika', country } },
        reason: 'winter_damage_risk',
        customerName: who.name,
        facilityAddress,
        propertyDesignation: 'Arvika Kransen 4',
        services: ['district_heating'],
        plannedDate: '2026-06-29',
        replyBy: '2026-06-22',
      };
    case 'price_notice':
      return {
        ...base,
        kind,
        service: 'electricity_grid',
        effectiveFrom: '2026-06-01',
        oldPrices: { fixedPerMonth: 31_250, unitPrice: 45.23, unit: 'kWh', currency: currencyOf[country] },
        newPrices: { fixedPerMonth: 33_750, unitPrice: 48.5, unit: 'kWh', currency: currencyOf[country] },
      };
  }
}
