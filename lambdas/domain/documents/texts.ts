/**
 * The letters' wording in Swedish, Finnish, Norwegian (bokmål) and English, and the number and
 * date formats a reader of each language expects. Every sentence a rule requires names the rule
 * beside it (R-FI-6, R-SE-10, ...). docs/DOCUMENTS.md lists what each letter states.
 */
import type { TariffVersion } from '../billing/model.js';
import type { Currency } from '../billing/money.js';
import type { Language, PaymentAccount, Service } from './kinds.js';

type Unit = TariffVersion['unit'];
type ReferenceType = 'ocr' | 'fi_reference' | 'kid';

export interface Texts {
  locale: string;
  date(iso: string): string;
  /** The compact form for table cells. */
  shortDate(iso: string): string;
  service: Record<Service, string>;
  unit: Record<Unit, string>;
  label: {
    customerNumber: string;
    date: string;
    invoiceNumber: string;
    invoiceDate: string;
    dueDate: string;
    toPay: string;
    net: string;
    netShort: string;
    vat: string;
    total: string;
    description: string;
    facility: string;
    period: string;
    amount: string;
    payTo: string;
    reference: Record<ReferenceType, string>;
    lastPayDay: string;
    page: string;
  };
  account(account: PaymentAccount): string;
  alwaysReference: string;
  questions(phone: string): string;
  invoice: { title: string };
  finalInvoice: { title: string; movedOut(date: string, addresses: string): string; thanks: string };
  reminder: {
    title(stage: 'reminder_1' | 'reminder_2'): string;
    unpaid(invoiceNumber: number, dueDate: string): string;
    payBy(amount: string, date: string): string;
    fee(amount: string): string;
    disconnection(date: string, services: string): string;
    collection(date: string): string;
    alreadyPaid: string;
    lateBooking: string;
  };
  collection: {
    title: string;
    handover(invoiceNumber: number, dueDate: string, agency: string, date: string): string;
    avoid(amount: string, date: string): string;
    agencyContact(agency: string, phone: string): string;
  };
  disconnection: {
    title: string;
    body(invoiceNumber: number, services: string, address: string, date: string): string;
    throttle: string;
    payBy(amount: string, date: string): string;
    howToPay: string;
    reconnect: string;
    viaAgency(agency: string): string;
    disconnectionDate: string;
  };
  social: {
    title: string;
    intro(services: string, date: string): string;
    consumer: string;
    billingAddress: string;
    facilityAddress: string;
    services: string;
    plannedDate: string;
    debt: string;
    contact(phone: string): string;
  };
  owner: {
    title: string;
    winter(customer: string, services: string, address: string, date: string): string;
    rental(customer: string, services: string, address: string, date: string): string;
    replyBy(phone: string, date: string): string;
    reply(phone: string): string;
    property: string;
    plannedDate: string;
  };
  price: {
    title(service: string): string;
    intro(service: string, date: string): string;
    component: string;
    oldPrice: string;
    newPrice: string;
    fixed: string;
    unitPrice(unit: string): string;
    inAdvance(days: number): string;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
const parts = (iso: string) => {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return { y: y!, m: m!, d: d! };
};
const englishMonths = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const sv: Texts = {
  locale: 'sv-SE',
  date: (iso) => iso.slice(0, 10),
  shortDate: (iso) => iso.slice(0, 10),
  service: {
    water: 'vatten',
    sewage: 'avlopp',
    waste: 'avfallshämtning',
    electricity_grid: 'elnät',
    electricity_retail: 'elhandel',
    district_heating: 'fjärrvärme',
    fiber: 'fiber',
  },
  unit: { m3: 'm³', kWh: 'kWh', MWh: 'MWh', emptying: 'tömning', none: '' },
  label: {
    customerNumber: 'Kundnummer',
    date: 'Datum',
    invoiceNumber: 'Fakturanummer',
    invoiceDate: 'Fakturadatum',
    dueDate: 'Förfallodag',
    toPay: 'Att betala',
    net: 'Belopp exkl. moms',
    netShort: 'Netto',
    vat: 'Moms',
    total: 'Summa',
    description: 'Tjänst',
    facility: 'Anläggning',
    period: 'Period',
    amount: 'Belopp',
    payTo: 'Betala till',
    reference: { ocr: 'OCR-nummer', fi_reference: 'Referensnummer', kid: 'KID' },
    lastPayDay: 'Sista betalningsdag',
    page: 'Sida',
  },
  account: (a) => (a.kind === 'bankgiro' ? `Bankgiro ${a.number}` : a.kind === 'iban' ? `IBAN ${a.iban}${a.bic ? ` (BIC ${a.bic})` : ''}` : `Konto ${a.number}`),
  alwaysReference: 'Ange alltid OCR-numret när du betalar.',
  questions: (phone) => `Har du frågor? Ring vår kundservice på ${phone}.`,
  invoice: { title: 'Faktura' },
  finalInvoice: {
    title: 'Slutfaktura',
    movedOut: (date, addresses) => `Du har flyttat från ${addresses} den ${date}. Det här är slutfakturan för anläggningen, med förbrukning och avgifter fram till flyttdagen.`,
    thanks: 'Tack för tiden som kund hos oss.',
  },
  reminder: {
    title: (stage) => (stage === 'reminder_1' ? 'Betalningspåminnelse' : 'Andra betalningspåminnelsen'),
    unpaid: (n, due) => `Vi har ännu inte fått betalt för faktura ${n}, som förföll till betalning den ${due}.`,
    payBy: (amount, date) => `Betala ${amount} senast den ${date}.`,
    fee: (amount) => `Påminnelseavgiften på ${amount} debiteras på din nästa faktura.`,
    disconnection: (date, services) => `Om fakturan inte är betald kan leveransen av ${services} stängas av den ${date} eller senare.`,
    collection: (date) => `Är fakturan fortfarande obetald lämnar vi den till inkasso den ${date}. Då tillkommer inkassoavgifter.`,
    alreadyPaid: 'Har du redan betalat kan du bortse från den här påminnelsen.',
    lateBooking: 'En betalning syns hos oss först 1–2 bankdagar efter att den gjorts. Betalar du sista dagen, ring oss så att vi vet.',
  },
  collection: {
    title: 'Fakturan lämnas till inkasso',
    handover: (n, due, agency, date) => `Faktura ${n}, som förföll den ${due}, är fortfarande obetald trots vår påminnelse. Den ${date} lämnar vi skulden till ${agency}, som skickar ett inkassokrav.`,
    avoid: (amount, date) => `Betala ${amount} senast den ${date} så undviker du inkassokostnaderna.`,
    agencyContact: (agency, phone) => `Efter överlämnandet är det ${agency} du ska kontakta, telefon ${phone}.`,
  },
  disconnection: {
    title: 'Meddelande om avstängning',
    body: (n, services, address, date) =>
      `Trots påminnelse och inkassokrav är faktura ${n} fortfarande obetald. Är skulden inte betald stänger vi av ${services} på ${address} den ${date} eller senare.`,
    throttle: 'Vattnet stängs inte av helt: flödet begränsas så att du fortfarande får lite vatten.',
    payBy: (amount, date) => `Betala hela skulden, ${amount}, senast den ${date} så stänger vi inte av.`,
    howToPay: 'Så betalar du',
    reconnect: 'När skulden är betald kopplar vi in igen. Vi ringer dig först för att boka en tid; någon måste vara hemma när vi kopplar in.',
    viaAgency: (agency) => `Det här meddelandet skickas genom ${agency}.`,
    disconnectionDate: 'Avstängning tidigast',
  },
  social: {
    title: 'Underrättelse om planerad avstängning',
    intro: (services, date) =>
      `Vi underrättar socialnämnden om att vi planerar att stänga av ${services} för en konsument som inte har betalat, tidigast den ${date}. Kunden har fått påminnelse, inkassokrav och ett skriftligt meddelande om avstängning.`,
    consumer: 'Kund',
    billingAddress: 'Adress',
    facilityAddress: 'Anläggningens adress',
    services: 'Tjänst',
    plannedDate: 'Planerad avstängning',
    debt: 'Obetalt belopp',
    contact: (phone) => `Kontakta oss på ${phone} om ni behöver mer information eller vill att vi avvaktar.`,
  },
  owner: {
    title: 'Till fastighetsägaren: planerad avstängning',
    winter: (customer, services, address, date) =>
      `Vi planerar att stänga av ${services} på ${address} den ${date} eller senare, eftersom kunden ${customer} inte har betalat. Det är vinter och det finns risk för frostskador på fastigheten, därför kontaktar vi er innan vi stänger av.`,
    rental: (customer, services, address, date) =>
      `Er hyresgäst ${customer} har obetalda fakturor för ${services} på ${address}. Vi planerar att stänga av den ${date} eller senare och vill att ni som fastighetsägare känner till det.`,
    replyBy: (phone, date) => `Ring oss på ${phone} senast den ${date}.`,
    reply: (phone) => `Ring oss på ${phone} innan avstängningen.`,
    property: 'Fastighet',
    plannedDate: 'Planerad avstängning',
  },
  price: {
    title: (service) => `Nya priser för ${service}`,
    intro: (service, date) => `Från och med den ${date} ändras priset för ${service}.`,
    component: 'Avgift',
    oldPrice: 'Nuvarande pris',
    newPrice: 'Nytt pris',
    fixed: 'Fast avgift per månad',
    unitPrice: (unit) => `Pris per ${unit}`,
    inAdvance: (days) => `Vi meddelar prisändringen minst ${days} dagar innan den börjar gälla.`,
  },
};

const fi: Texts = {
  locale: 'fi-FI',
  date: (iso) => {
    const { y, m, d } = parts(iso);
    return `${d}.${m}.${y}`;
  },
  shortDate: (iso) => {
    const { y, m, d } = parts(iso);
    return `${d}.${m}.${y}`;
  },
  service: {
    water: 'vesi',
    sewage: 'jätevesi',
    waste: 'jätehuolto',
    electricity_grid: 'sähkönsiirto',
    electricity_retail: 'sähkönmyynti',
    district_heating: 'kaukolämpö',
    fiber: 'valokuitu',
  },
  unit: { m3: 'm³', kWh: 'kWh', MWh: 'MWh', emptying: 'tyhjennys', none: '' },
  label: {
    customerNumber: 'Asiakasnumero',
    date: 'Päiväys',
    invoiceNumber: 'Laskun numero',
    invoiceDate: 'Laskun päiväys',
    dueDate: 'Eräpäivä',
    toPay: 'Maksettava',
    net: 'Veroton summa',
    netShort: 'Veroton',
    vat: 'ALV',
    total: 'Yhteensä',
    description: 'Palvelu',
    facility: 'Käyttöpaikka',
    period: 'Kausi',
    amount: 'Summa',
    payTo: 'Saajan tili',
    reference: { ocr: 'Viitenumero', fi_reference: 'Viitenumero', kid: 'Viitenumero' },
    lastPayDay: 'Viimeinen maksupäivä',
    page: 'Sivu',
  },
  account: (a) => (a.kind === 'iban' ? `IBAN ${a.iban}${a.bic ? ` (BIC ${a.bic})` : ''}` : a.kind === 'bankgiro' ? `Bankgiro ${a.number}` : `Tili ${a.number}`),
  alwaysReference: 'Käytä maksaessasi aina viitenumeroa.',
  questions: (phone) => `Kysyttävää? Soita asiakaspalveluumme, puh. ${phone}.`,
  invoice: { title: 'Lasku' },
  finalInvoice: {
    title: 'Loppulasku',
    movedOut: (date, addresses) => `Olet muuttanut osoitteesta ${addresses} ${date}. Tämä on käyttöpaikan loppulasku, jossa on kulutus ja maksut muuttopäivään asti.`,
    thanks: 'Kiitos, että olit asiakkaamme.',
  },
  reminder: {
    title: (stage) => (stage === 'reminder_1' ? 'Maksumuistutus' : 'Toinen maksumuistutus'),
    unpaid: (n, due) => `Laskua ${n}, jonka eräpäivä oli ${due}, ei ole vielä maksettu.`,
    payBy: (amount, date) => `Maksathan ${amount} viimeistään ${date}.`,
    fee: (amount) => `Muistutusmaksu ${amount} lisätään seuraavaan laskuusi.`,
    disconnection: (date, services) => `Jos laskua ei makseta, palvelun toimitus (${services}) keskeytetään ${date} tai sen jälkeen.`,
    collection: (date) => `Jos lasku on edelleen maksamatta, se siirtyy perintään ${date}.`,
    alreadyPaid: 'Jos olet jo maksanut laskun, tämä muistutus on aiheeton.',
    lateBooking: 'Maksu näkyy meillä 1–2 pankkipäivän kuluttua. Jos maksat viimeisenä päivänä, soita meille, jotta tiedämme sen.',
  },
  collection: {
    title: 'Lasku siirtyy perintään',
    handover: (n, due, agency, date) => `Laskua ${n}, jonka eräpäivä oli ${due}, ei ole maksettu muistutuksesta huolimatta. ${date} siirrämme saatavan perintätoimistolle (${agency}), joka lähettää sinulle perintäkirjeen.`,
    avoid: (amount, date) => `Maksamalla ${amount} viimeistään ${date} vältät perintäkulut.`,
    agencyContact: (agency, phone) => `Siirron jälkeen ota yhteyttä perintätoimistoon (${agency}), puh. ${phone}.`,
  },
  disconnection: {
    title: 'Ilmoitus toimituksen keskeyttämisestä',
    body: (n, services, address, date) =>
      `Laskua ${n} ei ole maksettu muistutuksista huolimatta. Jos saatavaa ei makseta, keskeytämme toimituksen (${services}) osoitteessa ${address} ${date} tai sen jälkeen.`,
    throttle: 'Vettä ei katkaista kokonaan: virtausta rajoitetaan, joten saat edelleen hieman vettä.',
    payBy: (amount, date) => `Maksa koko saatava, ${amount}, viimeistään ${date}, niin toimitusta ei keskeytetä.`,
    howToPay: 'Näin maksat',
    reconnect: 'Kun saatava on maksettu, palautamme toimituksen. Soitamme sinulle ensin ja sovimme ajan; jonkun on oltava paikalla.',
    viaAgency: (agency) => `Tämä ilmoitus lähetetään perintätoimiston ${agency} kautta.`,
    disconnectionDate: 'Keskeytys aikaisintaan',
  },
  social: {
    title: 'Ilmoitus suunnitellusta toimituksen keskeyttämisestä',
    intro: (services, date) =>
      `Ilmoitamme sosiaalitoimelle, että aiomme keskeyttää kuluttaja-asiakkaan toimituksen (${services}) maksamattomien laskujen vuoksi aikaisintaan ${date}. Asiakas on saanut maksumuistutuksen ja kirjallisen ilmoituksen keskeyttämisestä.`,
    consumer: 'Asiakas',
    billingAddress: 'Osoite',
    facilityAddress: 'Käyttöpaikan osoite',
    services: 'Palvelu',
    plannedDate: 'Suunniteltu keskeytys',
    debt: 'Maksamatta',
    contact: (phone) => `Lisätietoja saat numerosta ${phone}. Ota yhteyttä, jos toivotte, että odotamme.`,
  },
  owner: {
    title: 'Kiinteistön omistajalle: suunniteltu keskeytys',
    winter: (customer, services, address, date) =>
      `Aiomme keskeyttää toimituksen (${services}) osoitteessa ${address} ${date} tai sen jälkeen, koska asiakas ${customer} ei ole maksanut laskujaan. Talvella kiinteistöllä on jäätymisvaurioiden vaara, joten otamme yhteyttä teihin ennen keskeytystä.`,
    rental: (customer, services, address, date) =>
      `Vuokralaisellanne ${customer} on maksamattomia laskuja (${services}) osoitteessa ${address}. Aiomme keskeyttää toimituksen ${date} tai sen jälkeen, ja haluamme teidän kiinteistön omistajana tietävän siitä.`,
    replyBy: (phone, date) => `Soittakaa meille numeroon ${phone} viimeistään ${date}.`,
    reply: (phone) => `Soittakaa meille numeroon ${phone} ennen keskeytystä.`,
    property: 'Kiinteistö',
    plannedDate: 'Suunniteltu keskeytys',
  },
  price: {
    title: (service) => `Hinnanmuutos: ${service}`,
    intro: (service, date) => `Palvelun ${service} hinta muuttuu ${date} alkaen.`,
    component: 'Maksu',
    oldPrice: 'Nykyinen hinta',
    newPrice: 'Uusi hinta',
    fixed: 'Perusmaksu kuukaudessa',
    unitPrice: (unit) => `Hinta / ${unit}`,
    inAdvance: (days) => `Ilmoitamme hinnanmuutoksesta vähintään ${days} päivää ennen sen voimaantuloa.`,
  },
};

const nb: Texts = {
  locale: 'nb-NO',
  date: (iso) => {
    const { y, m, d } = parts(iso);
    return `${pad(d)}.${pad(m)}.${y}`;
  },
  shortDate: (iso) => {
    const { y, m, d } = parts(iso);
    return `${pad(d)}.${pad(m)}.${y}`;
  },
  service: {
    water: 'vann',
    sewage: 'avløp',
    waste: 'renovasjon',
    electricity_grid: 'strømnett',
    electricity_retail: 'strømavtale',
    district_heating: 'fjernvarme',
    fiber: 'fiber',
  },
  unit: { m3: 'm³', kWh: 'kWh', MWh: 'MWh', emptying: 'tømming', none: '' },
  label: {
    customerNumber: 'Kundenummer',
    date: 'Dato',
    invoiceNumber: 'Fakturanummer',
    invoiceDate: 'Fakturadato',
    dueDate: 'Forfallsdato',
    toPay: 'Å betale',
    net: 'Beløp uten mva.',
    netShort: 'Netto',
    vat: 'Mva.',
    total: 'Sum',
    description: 'Tjeneste',
    facility: 'Anlegg',
    period: 'Periode',
    amount: 'Beløp',
    payTo: 'Betal til konto',
    reference: { ocr: 'OCR', fi_reference: 'Referanse', kid: 'KID' },
    lastPayDay: 'Siste betalingsdag',
    page: 'Side',
  },
  account: (a) => (a.kind === 'bank_account' ? `Kontonummer ${a.number}` : a.kind === 'iban' ? `IBAN ${a.iban}${a.bic ? ` (BIC ${a.bic})` : ''}` : `Bankgiro ${a.number}`),
  alwaysReference: 'Oppgi alltid KID-nummeret når du betaler.',
  questions: (phone) => `Spørsmål? Ring kundeservice på ${phone}.`,
  invoice: { title: 'Faktura' },
  finalInvoice: {
    title: 'Sluttfaktura',
    movedOut: (date, addresses) => `Du flyttet fra ${addresses} ${date}. Dette er sluttfakturaen for anlegget, med forbruk og gebyrer fram til flyttedagen.`,
    thanks: 'Takk for at du var kunde hos oss.',
  },
  reminder: {
    title: (stage) => (stage === 'reminder_1' ? 'Betalingspåminnelse' : 'Andre betalingspåminnelse'),
    unpaid: (n, due) => `Vi har ennå ikke mottatt betaling for faktura ${n}, som forfalt ${due}.`,
    payBy: (amount, date) => `Betal ${amount} senest ${date}.`,
    fee: (amount) => `Purregebyret på ${amount} kommer på din neste faktura.`,
    disconnection: (date, services) => `Hvis fakturaen ikke blir betalt, kan leveransen av ${services} bli stengt ${date} eller senere.`,
    collection: (date) => `Er fakturaen fortsatt ubetalt, sender vi den til inkasso ${date}. Da kommer inkassogebyrer i tillegg.`,
    alreadyPaid: 'Har du allerede betalt, kan du se bort fra denne påminnelsen.',
    lateBooking: 'En betaling vises hos oss 1–2 bankdager etter at den er gjort. Betaler du siste dag, ring oss slik at vi vet det.',
  },
  collection: {
    title: 'Varsel om inkasso',
    handover: (n, due, agency, date) => `Faktura ${n}, som forfalt ${due}, er fortsatt ubetalt etter vår påminnelse. ${date} overlater vi kravet til ${agency}, som sender deg et inkassovarsel.`,
    avoid: (amount, date) => `Betal ${amount} senest ${date}, så unngår du inkassokostnader.`,
    agencyContact: (agency, phone) => `Etter overføringen kontakter du ${agency} på telefon ${phone}.`,
  },
  disconnection: {
    title: 'Varsel om stenging',
    body: (n, services, address, date) =>
      `Til tross for påminnelse og inkassovarsel er faktura ${n} fortsatt ubetalt. Blir kravet ikke betalt, stenger vi leveransen av ${services} på ${address} ${date} eller senere.`,
    throttle: 'Vannet stenges ikke helt: vi begrenser vannmengden, slik at du fortsatt får litt vann.',
    payBy: (amount, date) => `Betal hele kravet, ${amount}, senest ${date}, så stenger vi ikke.`,
    howToPay: 'Slik betaler du',
    reconnect: 'Når kravet er betalt, åpner vi igjen. Vi ringer deg først for å avtale tid; noen må være hjemme.',
    viaAgency: (agency) => `Dette varselet sendes gjennom ${agency}.`,
    disconnectionDate: 'Stenging tidligst',
  },
  social: {
    title: 'Melding om planlagt stenging',
    intro: (services, date) =>
      `Vi melder til sosialtjenesten (NAV) at vi planlegger å stenge leveransen av ${services} for en forbruker som ikke har betalt, tidligst ${date}. Kunden har fått påminnelse og skriftlig varsel om stenging.`,
    consumer: 'Kunde',
    billingAddress: 'Adresse',
    facilityAddress: 'Anleggsadresse',
    services: 'Tjeneste',
    plannedDate: 'Planlagt stenging',
    debt: 'Ubetalt beløp',
    contact: (phone) => `Ta kontakt på ${phone} hvis dere trenger mer informasjon eller ønsker at vi venter.`,
  },
  owner: {
    title: 'Til huseier: planlagt stenging',
    winter: (customer, services, address, date) =>
      `Vi planlegger å stenge leveransen av ${services} på ${address} ${date} eller senere, fordi kunden ${customer} ikke har betalt. Det er vinter og fare for frostskader på eiendommen, derfor kontakter vi dere før vi stenger.`,
    rental: (customer, services, address, date) =>
      `Leietakeren deres, ${customer}, har ubetalte fakturaer for ${services} på ${address}. Vi planlegger å stenge ${date} eller senere og vil at dere som huseier skal vite om det.`,
    replyBy: (phone, date) => `Ring oss på ${phone} senest ${date}.`,
    reply: (phone) => `Ring oss på ${phone} før stengingen.`,
    property: 'Eiendom',
    plannedDate: 'Planlagt stenging',
  },
  price: {
    title: (service) => `Nye priser for ${service}`,
    intro: (service, date) => `Fra og med ${date} endres prisen for ${service}.`,
    component: 'Gebyr',
    oldPrice: 'Nåværende pris',
    newPrice: 'Ny pris',
    fixed: 'Fastledd per måned',
    unitPrice: (unit) => `Pris per ${unit}`,
    inAdvance: (days) => `Vi varsler prisendringen minst ${days} dager før den gjelder.`,
  },
};

const en: Texts = {
  locale: 'en-GB',
  date: (iso) => {
    const { y, m, d } = parts(iso);
    return `${d} ${englishMonths[m - 1]} ${y}`;
  },
  shortDate: (iso) => {
    const { y, m, d } = parts(iso);
    return `${pad(d)}/${pad(m)}/${y}`;
  },
  service: {
    water: 'water',
    sewage: 'sewage',
    waste: 'waste collection',
    electricity_grid: 'electricity grid',
    electricity_retail: 'electricity supply',
    district_heating: 'district heating',
    fiber: 'fibre broadband',
  },
  unit: { m3: 'm³', kWh: 'kWh', MWh: 'MWh', emptying: 'emptying', none: '' },
  label: {
    customerNumber: 'Customer number',
    date: 'Date',
    invoiceNumber: 'Invoice number',
    invoiceDate: 'Invoice date',
    dueDate: 'Due date',
    toPay: 'To pay',
    net: 'Net',
    netShort: 'Net',
    vat: 'VAT',
    total: 'Total',
    description: 'Service',
    facility: 'Facility',
    period: 'Period',
    amount: 'Amount',
    payTo: 'Pay to',
    reference: { ocr: 'OCR reference', fi_reference: 'Reference number', kid: 'KID' },
    lastPayDay: 'Last day to pay',
    page: 'Page',
  },
  account: (a) => (a.kind === 'bankgiro' ? `Bankgiro ${a.number}` : a.kind === 'iban' ? `IBAN ${a.iban}${a.bic ? ` (BIC ${a.bic})` : ''}` : `Account ${a.number}`),
  alwaysReference: 'Always give the reference when you pay.',
  questions: (phone) => `Questions? Call our customer service on ${phone}.`,
  invoice: { title: 'Invoice' },
  finalInvoice: {
    title: 'Final invoice',
    movedOut: (date, addresses) => `You moved out of ${addresses} on ${date}. This is the final invoice for the facility, with use and charges up to the moving day.`,
    thanks: 'Thank you for having been our customer.',
  },
  reminder: {
    title: (stage) => (stage === 'reminder_1' ? 'Payment reminder' : 'Second payment reminder'),
    unpaid: (n, due) => `We have not yet received payment for invoice ${n}, which was due on ${due}.`,
    payBy: (amount, date) => `Please pay ${amount} by ${date} at the latest.`,
    fee: (amount) => `A reminder fee of ${amount} will be added to your next invoice.`,
    disconnection: (date, services) => `If the invoice remains unpaid, your ${services} supply may be cut off on or after ${date}.`,
    collection: (date) => `If the invoice is still unpaid, we will hand it to a debt collection agency on ${date}, and collection charges will be added.`,
    alreadyPaid: 'If you have already paid, please disregard this reminder.',
    lateBooking: 'A payment reaches our ledger 1–2 banking days after it is made. If you pay on the last day, please call us so that we know.',
  },
  collection: {
    title: 'Your invoice goes to debt collection',
    handover: (n, due, agency, date) => `Invoice ${n}, due on ${due}, is still unpaid despite our reminder. On ${date} we will hand the debt to ${agency}, who will send you a collection demand.`,
    avoid: (amount, date) => `Pay ${amount} by ${date} at the latest to avoid collection charges.`,
    agencyContact: (agency, phone) => `After the handover, please contact ${agency} on ${phone}.`,
  },
  disconnection: {
    title: 'Disconnection notice',
    body: (n, services, address, date) =>
      `Despite our reminder and the collection demand, invoice ${n} is still unpaid. Unless the debt is paid, we will disconnect the ${services} supply at ${address} on or after ${date}.`,
    throttle: 'The water will not be cut off completely: the flow will be limited so that you still have some water.',
    payBy: (amount, date) => `Pay the whole debt, ${amount}, by ${date} at the latest and we will not disconnect.`,
    howToPay: 'How to pay',
    reconnect: 'Once the debt is paid we reconnect. We will call you first to agree on a time; someone must be at home.',
    viaAgency: (agency) => `This notice is sent through ${agency}.`,
    disconnectionDate: 'Disconnection on or after',
  },
  social: {
    title: 'Notice of a planned disconnection',
    intro: (services, date) =>
      `We are informing social services that we plan to disconnect the ${services} supply of a consumer who has not paid, on ${date} at the earliest. The customer has received a reminder, a collection demand and a written disconnection notice.`,
    consumer: 'Customer',
    billingAddress: 'Address',
    facilityAddress: 'Facility address',
    services: 'Service',
    plannedDate: 'Planned disconnection',
    debt: 'Unpaid amount',
    contact: (phone) => `Please call us on ${phone} if you need more information or would like us to wait.`,
  },
  owner: {
    title: 'To the property owner: planned disconnection',
    winter: (customer, services, address, date) =>
      `We plan to disconnect the ${services} supply at ${address} on or after ${date}, because the customer ${customer} has not paid. It is winter and the property is at risk of frost damage, so we are contacting you before we disconnect.`,
    rental: (customer, services, address, date) =>
      `Your tenant ${customer} has unpaid invoices for ${services} at ${address}. We plan to disconnect on or after ${date} and want you, as the property owner, to know.`,
    replyBy: (phone, date) => `Please call us on ${phone} by ${date}.`,
    reply: (phone) => `Please call us on ${phone} before the disconnection.`,
    property: 'Property',
    plannedDate: 'Planned disconnection',
  },
  price: {
    title: (service) => `New prices for ${service}`,
    intro: (service, date) => `From ${date}, our prices for ${service} change.`,
    component: 'Charge',
    oldPrice: 'Current price',
    newPrice: 'New price',
    fixed: 'Fixed charge per month',
    unitPrice: (unit) => `Price per ${unit}`,
    inAdvance: (days) => `We tell you of a price change at least ${days} days before it applies.`,
  },
};

const byLanguage: Record<Language, Texts> = { sv, fi, nb, en };

export function textsFor(language: Language): Texts {
  return byLanguage[language];
}

/** "1 234,50 kr", "1 234,50 €", "kr 1 234,50", "SEK 1,234.50"; spaces WinAnsi can print. */
export function formatMoney(language: Language, minorUnits: number, currency: Currency, maxFractionDigits = 2): string {
  const format = new Intl.NumberFormat(byLanguage[language].locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: maxFractionDigits,
  });
  return format.format(minorUnits / 100).replace(/[\u202F\u2009]/g, '\u00A0').replace(/\u2212/g, '-');
}

/** "water and sewage", "vatten och avlopp", "vesi ja jätevesi". */
export function listServices(language: Language, services: readonly Service[]): string {
  const t = byLanguage[language];
  const names = [...new Set(services)].map((s) => t.service[s]);
  return new Intl.ListFormat(t.locale, { style: 'long', type: 'conjunction' }).format(names);
}
