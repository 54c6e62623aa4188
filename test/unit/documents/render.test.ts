/**
 * Each letter states the facts its rule requires, in each language (issue 12; docs/DOCUMENTS.md).
 * The PDFs are read back with pdf.js, as a reader's viewer would.
 */
import fc from 'fast-check';
import { renderInvoicePdf } from '../../../lambdas/domain/billing/document.js';
import type { Invoice } from '../../../lambdas/domain/billing/model.js';
import { RuleViolationError, ValidationError } from '../../../lambdas/domain/errors.js';
import { documentKinds, documentLanguages, type Country, type DocumentRequest, type Language } from '../../../lambdas/domain/documents/kinds.js';
import { renderDocument } from '../../../lambdas/domain/documents/render.js';
import { pdfPages, pdfText } from './pdf-text.js';
import { invoiceData, requestOf } from './requests.js';

const countryOf: Record<Language, Country> = { sv: 'SE', fi: 'FI', nb: 'NO', en: 'SE' };
const textOf = async (request: DocumentRequest) => pdfText((await renderDocument(request)).bytes);

/** How each language writes the fixtures' dates and amounts. */
const written = {
  sv: { d0629: '2026-06-29', d0618: '2026-06-18', d0609: '2026-06-09', d0601: '2026-06-01', d0331: '2026-03-31', amount: '1 234,50 kr', fee: null, pay: 'Bankgiro 5050-1055', ref: 'OCR-nummer 1234567897', phone: '0570-816 00' },
  fi: { d0629: '29.6.2026', d0618: '18.6.2026', d0609: '9.6.2026', d0601: '1.6.2026', d0331: '31.3.2026', amount: '1 234,50 €', fee: '5,00 €', pay: 'IBAN FI21 1234 5600 0007 85', ref: 'Viitenumero 1232', phone: '014 751 8100' },
  nb: { d0629: '29.06.2026', d0618: '18.06.2026', d0609: '09.06.2026', d0601: '01.06.2026', d0331: '31.03.2026', amount: '1 234,50 kr', fee: null, pay: 'Kontonummer 2050.07.12345', ref: 'KID 12345678903', phone: '61 33 84 00' },
  en: { d0629: '29 June 2026', d0618: '18 June 2026', d0609: '9 June 2026', d0601: '1 June 2026', d0331: '31 March 2026', amount: 'SEK 1,234.50', fee: null, pay: 'Bankgiro 5050-1055', ref: 'OCR reference 1234567897', phone: '0570-816 00' },
} as const;

describe.each(documentLanguages)('letters in %s', (language) => {
  const country = countryOf[language];
  const w = written[language];

  it('the invoice states the lines, the total, the due date and how to pay (R-SE-8)', async () => {
    // Prepare
    const request = requestOf('invoice', language, country);
    // Act
    const rendered = await renderDocument(request);
    const text = await pdfText(rendered.bytes);
    // Assess
    expect(rendered.contentType).toBe('application/pdf');
    expect(rendered.filename).toBe('invoice-100245.pdf');
    expect(text).toContain('Åsa Öberg-Järvinen');
    expect(text).toContain('Vatten, fast avgift');
    expect(text).toContain(w.amount);
    expect(text).toContain(w.pay);
    expect(text).toContain(w.ref);
    expect(text).toContain({ sv: '2026-04-30', fi: '30.4.2026', nb: '30.04.2026', en: '30 April 2026' }[language]);
  });

  it('the final invoice states the move-out date and the facility left (R-SE-7)', async () => {
    const text = await textOf(requestOf('final_invoice', language, country));
    expect(text).toContain({ sv: 'Slutfaktura', fi: 'Loppulasku', nb: 'Sluttfaktura', en: 'Final invoice' }[language]);
    expect(text).toContain(w.d0331);
    expect(text).toContain('Storgatan 12B, 671 31 Arvika');
    expect(text).toContain(w.amount);
  });

  it('a Finnish-utility reminder states the fee and the disconnection date (R-FI-5, R-FI-6, R-FI-9)', async () => {
    // Prepare: the Finnish utility, in every language (a Finn may read Swedish or English).
    const base = requestOf('reminder', language, 'FI');
    const request = { ...base, sender: requestOf('reminder', 'fi', 'FI').sender } as DocumentRequest;
    // Act
    const text = await textOf(request);
    // Assess
    expect(text).toContain(w.d0618);
    expect(text).toContain({ sv: 'vatten', fi: 'vesi', nb: 'vann', en: 'water' }[language]);
    expect(text).toContain({ sv: '5,00 €', fi: '5,00 €', nb: '5,00 €', en: '€5.00' }[language]);
    expect(text).toContain({ sv: 'Påminnelseavgiften', fi: 'Muistutusmaksu', nb: 'Purregebyret', en: 'reminder fee' }[language]);
    expect(text).toContain('1232');
  });

  it('reminder 2 states the disconnection date again (R-FI-6)', async () => {
    const base = requestOf('reminder', language, 'FI');
    const text = await textOf({ ...base, stage: 'reminder_2', payBy: '2026-06-08' } as DocumentRequest);
    expect(text).toContain({ sv: 'Andra betalningspåminnelsen', fi: 'Toinen maksumuistutus', nb: 'Andre betalingspåminnelse', en: 'Second payment reminder' }[language]);
    expect(text).toContain(w.d0618);
  });

  it('a Swedish reminder states the next step of the ladder, collection (R-SE-16, R-SE-17)', async () => {
    const text = await textOf(requestOf('reminder', language, 'SE'));
    expect(text).toContain({ sv: 'inkasso den 2026-06-09', fi: 'perintään 9.6.2026', nb: 'inkasso 09.06.2026', en: 'debt collection agency on 9 June 2026' }[language]);
    expect(text).not.toContain(w.d0618);
  });

  it('the collection notice names the agency, the handover date and the last day to pay (R-SE-17)', async () => {
    const text = await textOf(requestOf('collection_notice', language, country));
    expect(text).toContain('Visma Collectors');
    expect(text).toContain(w.d0609);
    expect(text).toContain('08-123 456 00');
    expect(text).toContain(w.amount);
    expect(text).toContain(w.ref);
  });

  it('the disconnection notice states the date, how to pay and whom to call (R-SE-17, R-SE-18)', async () => {
    const text = await textOf(requestOf('disconnection_notice', language, country));
    expect(text).toContain(w.d0629);
    expect(text).toContain(w.pay);
    expect(text).toContain(w.ref);
    expect(text).toContain(w.amount);
    expect(text).toContain(w.phone);
    expect(text).toContain('Storgatan 12B');
    expect(text).toContain({ sv: 'elnät', fi: 'sähkönsiirto', nb: 'strømnett', en: 'electricity grid' }[language]);
  });

  it('the notice to social services names the consumer, the address, the services and the date (R-SE-17)', async () => {
    const text = await textOf(requestOf('social_services_notice', language, country));
    expect(text).toContain('Socialförvaltningen');
    expect(text).toContain('Åsa Öberg-Järvinen');
    expect(text).toContain('Kyrkogatan 4, 671 31 Arvika');
    expect(text).toContain({ sv: 'elnät och fjärrvärme', fi: 'sähkönsiirto ja kaukolämpö', nb: 'strømnett og fjernvarme', en: 'electricity grid and district heating' }[language]);
    expect(text).toContain(w.d0629);
  });

  it('the owner notice tells the owner of the planned disconnection and the winter risk (R-SE-18, R-SE-20)', async () => {
    const text = await textOf(requestOf('owner_notice', language, country));
    expect(text).toContain('Fastighets AB Kransen');
    expect(text).toContain('Arvika Kransen 4');
    expect(text).toContain('Åsa Öberg-Järvinen');
    expect(text).toContain(w.d0629);
    expect(text).toContain({ sv: 'frostskador', fi: 'jäätymisvaurioiden', nb: 'frostskader', en: 'frost damage' }[language]);
    expect(text).toContain(w.phone);
  });

  it('the owner notice for a rental property speaks of the tenant', async () => {
    const request = { ...requestOf('owner_notice', language, country), reason: 'rental_property' } as DocumentRequest;
    const text = await textOf(request);
    expect(text).toContain({ sv: 'hyresgäst', fi: 'Vuokralaisellanne', nb: 'Leietakeren', en: 'tenant' }[language]);
    expect(text).not.toContain({ sv: 'frostskador', fi: 'jäätymisvaurioiden', nb: 'frostskader', en: 'frost damage' }[language]);
  });

  it('the price notice states the old and the new price and the date (R-SE-10)', async () => {
    const text = await textOf(requestOf('price_notice', language, country));
    expect(text).toContain(w.d0601);
    const sek = { sv: ['312,50 kr', '337,50 kr', '0,4523 kr/kWh', '0,485 kr/kWh'], fi: ['312,50 €', '337,50 €', '0,4523 €/kWh', '0,485 €/kWh'], nb: ['312,50 kr', '337,50 kr', '0,4523 kr/kWh', '0,485 kr/kWh'], en: ['SEK 312.50', 'SEK 337.50', 'SEK 0.4523/kWh', 'SEK 0.485/kWh'] }[language];
    for (const price of sek) expect(text).toContain(price);
    expect(text).toContain('15');
  });
});

describe('rules a letter enforces', () => {
  it('a Finnish reminder without the disconnection date is refused (R-FI-6, R-FI-9)', async () => {
    const { disconnectionDate: _date, ...request } = requestOf('reminder', 'fi', 'FI') as Extract<DocumentRequest, { kind: 'reminder' }>;
    await expect(renderDocument(request)).rejects.toThrow(RuleViolationError);
    await expect(renderDocument(request)).rejects.toMatchObject({ rule: 'R-FI-6', errors: [{ path: 'disconnectionDate' }] });
  });

  it('a reminder that states a disconnection date names the services it concerns (R-FI-6)', async () => {
    const { services: _services, ...request } = requestOf('reminder', 'fi', 'FI') as Extract<DocumentRequest, { kind: 'reminder' }>;
    await expect(renderDocument(request)).rejects.toMatchObject({ errors: [{ path: 'services' }] });
  });

  it('a grid price notice less than 15 days ahead is refused; 15 days is enough (R-SE-10)', async () => {
    const request = requestOf('price_notice', 'sv', 'SE');
    await expect(renderDocument({ ...request, date: '2026-05-18' })).rejects.toMatchObject({ rule: 'R-SE-10', errors: [{ path: 'effectiveFrom' }] });
    await expect(renderDocument({ ...request, date: '2026-05-17' })).resolves.toMatchObject({ contentType: 'application/pdf' });
    // Water prices are set by the council; no 15-day rule (R-SE-10 is the grid's).
    await expect(renderDocument({ ...request, service: 'water', date: '2026-05-31' } as DocumentRequest)).resolves.toMatchObject({ contentType: 'application/pdf' });
  });

  it('a request with a bad date names the field', async () => {
    const request = requestOf('disconnection_notice', 'sv', 'SE');
    const error = await renderDocument({ ...request, disconnectionDate: '29/06/2026' } as DocumentRequest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toContainEqual(expect.objectContaining({ path: 'disconnectionDate' }));
  });

  it('a disconnection notice without a phone to call is refused', async () => {
    const request = requestOf('disconnection_notice', 'sv', 'SE');
    await expect(renderDocument({ ...request, sender: { ...request.sender, phone: ' ' } })).rejects.toMatchObject({ errors: [{ path: 'sender.phone' }] });
  });

  it('water throttled instead of shut off is said so (R-SE-21)', async () => {
    const request = { ...requestOf('disconnection_notice', 'sv', 'SE'), services: ['water'], throttleInstead: true } as DocumentRequest;
    expect(await textOf(request)).toContain('flödet begränsas');
  });
});

describe('renderInvoicePdf (GET /v1/invoices/{id}/document)', () => {
  const invoice = (currency: 'SEK' | 'EUR'): Invoice => ({
    ...invoiceData(currency === 'SEK' ? 'SE' : 'FI'),
    invoiceId: 'I-1',
    runId: 'R-1',
    runMonth: '2026-04',
    lines: invoiceData('SE').lines.map((l) => ({ ...l, kind: 'fixed' as const })),
    status: 'open',
    delivery: { channel: 'paper', address: { line1: 'Kyrkogatan 4', postalCode: '671 31', city: 'Arvika', country: 'SE' } },
    finalInvoiceFacilities: [],
    appliedPayments: [],
    deferrals: [],
    stateAfter: {},
    createdAt: '2026-04-06T00:00:00Z',
    version: 1,
  });

  it('keeps its signature: the invoice alone renders, in the language of its country', async () => {
    const text = await pdfText(await renderInvoicePdf(invoice('SEK')));
    expect(text).toContain('Faktura 100245');
    expect(text).toContain('Bankgiro 5050-1055');
    expect(text).toContain('OCR-nummer 1234567897');
    expect(text).toContain('Kyrkogatan 4');
    const finnish = await pdfText(await renderInvoicePdf(invoice('EUR'), { name: 'Keuruun Vesi', giro: 'FI21 1234 5600 0007 85' }));
    expect(finnish).toContain('Lasku 100245');
    expect(finnish).toContain('Keuruun Vesi');
  });

  it('speaks the customer language when told, and a protected identity without address still renders', async () => {
    const protectedInvoice = { ...invoice('SEK'), delivery: { channel: 'paper' as const, address: null } };
    const text = await pdfText(await renderInvoicePdf(protectedInvoice, undefined, { language: 'en', customerName: 'Anna Ek' }));
    expect(text).toContain('Invoice 100245');
    expect(text).toContain('Anna Ek');
    expect(text).not.toContain('Kyrkogatan');
  });
});

describe('protected identity (R-SE-4)', () => {
  it('the outer sheet is addressed to the forwarding service and shows nothing of the customer; the inner label and letter do', async () => {
    // Prepare
    const request = requestOf('disconnection_notice', 'sv', 'SE');
    // Act
    const rendered = await renderDocument(request, { forwarding: { nationalId: '19121212-1212' } });
    const pages = await pdfPages(rendered.bytes);
    // Assess
    expect(pages[0]).toContain('Skatteverket Förmedlingsuppdrag Box 2820 403 20 Göteborg');
    expect(pages[0]).toContain('Arvika Vatten');
    expect(pages[0]).not.toContain('Åsa');
    expect(pages[0]).not.toContain('Kyrkogatan');
    expect(pages[0]).not.toContain('19121212-1212');
    expect(pages[1]).toContain('Åsa Öberg-Järvinen');
    expect(pages[1]).toContain('19121212-1212');
    expect(pages[1]).not.toContain('Kyrkogatan');
    expect(pages.slice(2).join(' ')).toContain('Kyrkogatan 4');
    expect(pages.slice(2).join(' ')).toContain('2026-06-29');
  });
});

describe('every kind renders in every language', () => {
  // Nordic letters, WinAnsi's punctuation, and letters outside it (Sámi ŋ, Polish ł, an emoji).
  const nordic = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzåäöæøÅÄÖÆØüéÉŋŁł -\'’😀'.split(''));
  const word = fc.array(nordic, { minLength: 1, maxLength: 40 }).map((chars) => chars.join(''));

  it('never throws, and prints the name (WinAnsi letters as they are)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...documentKinds), fc.constantFrom(...documentLanguages), fc.constantFrom<Country>('SE', 'FI', 'NO'), word, word, async (kind, language, country, name, street) => {
        fc.pre(name.trim().length > 0 && street.trim().length > 0);
        const rendered = await renderDocument(requestOf(kind, language, country, { name, line1: street }));
        const text = await pdfText(rendered.bytes);
        const printable = name.normalize('NFC').replace(/[^\x20-\x7E\u00A0-\u00FF’]/g, '?').replace(/\s+/g, ' ').trim();
        // Long names wrap or are cut to fit: the first word is always there.
        expect(text.replace(/ /g, '')).toContain(printable.split(' ')[0]!.slice(0, 20));
      }),
      { numRuns: 60 },
    );
  });
});
