/**
 * Document orders (issue 12; docs/DELIVERY.md "Orders"): what billing, dunning and the price
 * notice lists put on the delivery queue instead of rendering anything themselves. An order
 * names its source by id only (an invoice, a case and stage, a notice list and customer); the
 * delivery job composes the document from the records as they are then (`composeOrder`),
 * submits it (stored once, delivered once) and hands it over.
 *
 * The document id is a function of the order alone (`orderDocumentId`): a caller knows it
 * before anything is rendered (the dunning step waits for it), and an order queued twice is
 * one document.
 */
import type { Invoice, TariffVersion } from '../billing/model.js';
import { addDays } from '../billing/calendar.js';
import type { Customer, Facility } from '../customers/model.js';
import type { Service } from '../customers/schemas.js';
import type { DunningCase } from '../dunning/case.js';
import { debtBreakdown, debtByFacilityService } from '../dunning/debt.js';
import type { DunningStage } from '../dunning/policy.js';
import { renderDocument, type RenderOptions } from '../documents/render.js';
import type { DocumentRequest, Language, UtilitySender } from '../documents/kinds.js';
import { finvoiceXml, organisationEndpoint, peppolInvoiceXml, type EInvoiceSeller, type PeppolEndpoint } from '../einvoice/index.js';
import { DomainError, RuleViolationError } from '../errors.js';
import type { DocumentKind, DocumentSubmission, ThirdParty } from './model.js';
import { documentIdFor } from './service.js';

/** The letters a dunning step sends (R-SE-16, R-SE-17, R-FI-6, R-FI-9; docs/DUNNING.md). */
export type DunningLetterKind = 'reminder' | 'collection_notice' | 'disconnection_notice' | 'social_services_notice' | 'owner_notice';

export type DocumentOrder =
  /** A billing run's invoice; the final invoice (R-SE-7) when it closes a facility the customer moved out of. */
  | { kind: 'invoice'; invoiceId: string }
  | { kind: DunningLetterKind; caseId: string; stage: DunningStage }
  /** R-SE-10, R-FI-1: one customer of a price change's notice list (`NOTICE#<jobId>`). */
  | { kind: 'price_notice'; noticeJobId: string; customerId: string };

/** The customer's letter of each dunning stage that sends one (enforcement and the disconnection itself send none). */
export const stageLetters: Partial<Record<DunningStage, DunningLetterKind>> = {
  reminder_1: 'reminder',
  reminder_2: 'reminder',
  collection: 'collection_notice',
  disconnection_notice: 'disconnection_notice',
};

/** What the document is of, unique per kind (DocumentSubmission.sourceKey). */
export function orderSourceKey(order: DocumentOrder): string {
  if (order.kind === 'invoice') return order.invoiceId;
  if (order.kind === 'price_notice') return `${order.noticeJobId}#${order.customerId}`;
  return `${order.caseId}#${order.stage}`;
}

/**
 * The id of the document an order makes. An invoice order's kind is decided when it is composed
 * (invoice or final_invoice): `kind` names it when known.
 */
export function orderDocumentId(order: DocumentOrder, kind: DocumentKind = order.kind === 'invoice' ? 'invoice' : order.kind): string {
  return documentIdFor(kind, orderSourceKey(order));
}

/** The utility's letterhead and the parties its letters name (env UTILITY_LETTERS_JSON; docs/DEPLOY.md). */
export interface LetterSettings {
  sender: UtilitySender;
  /** The seller on e-invoices: the organisation number (Peppol endpoint), VAT number, tax registration text. */
  seller: { organisationNumber: string; vatNumber?: string; taxRegistrationText?: string; iban?: string; bic?: string };
  /** Finvoice routing of the utility: its e-invoice address (OVT) and operator. */
  finvoice?: { sellerAddress: string; sellerIntermediator: string };
  /** R-SE-16, R-SE-17: the collection agency named in the collection and disconnection letters. */
  collectionAgency: { name: string; phone: string };
  /** The social services office told of a consumer's planned disconnection (docs/DUNNING.md). */
  socialServices: ThirdParty;
}

/** The records an order is composed from (adapters: the table). */
export interface OrderFacts {
  invoice(invoiceId: string): Promise<Invoice | undefined>;
  customer(customerId: string): Promise<Customer | undefined>;
  facilities(customerId: string): Promise<Facility[]>;
  dunningCase(caseId: string): Promise<DunningCase | undefined>;
  tariffVersions(service: Service): Promise<TariffVersion[]>;
  noticeList(noticeJobId: string): Promise<{ service: Service; effectiveFrom: string } | undefined>;
}

/** Composed: the submission, or why there is nothing to send (a first price list, a letter no one needs). */
export type Composed = { submission: DocumentSubmission } | { nothing: string };

const languageOf = (customer: Customer): Language => customer.language ?? ({ SE: 'sv', FI: 'fi', NO: 'nb' } as const)[customer.country];
const disconnectable: readonly Service[] = ['water', 'electricity_grid', 'district_heating', 'fiber'];

/**
 * Composes the document an order asks for, from the records as they are now. Refusals of the
 * documents module (a rule the letter would break) throw its RuleViolationError/ValidationError:
 * the caller records the order as refused.
 */
export async function composeOrder(order: DocumentOrder, facts: OrderFacts, settings: LetterSettings, today: string): Promise<Composed> {
  if (order.kind === 'invoice') return composeInvoice(order.invoiceId, facts, settings);
  if (order.kind === 'price_notice') return composePriceNotice(order, facts, settings, today);
  return composeDunningLetter(order, facts, settings, today);
}

async function render(request: DocumentRequest, customer: Customer, toCustomer: boolean): Promise<{ contentType: 'application/pdf'; bytes: Uint8Array; filename: string; title: string }> {
  // R-SE-4: a protected identity's own letters go inside the forwarding envelope (Sweden only:
  // elsewhere the sources name no forwarding service and delivery stops for manual handling).
  const options: RenderOptions = toCustomer && customer.protectedIdentity && customer.country === 'SE' ? { forwarding: { nationalId: customer.nationalId } } : {};
  return renderDocument(request, options);
}

function base(customer: Customer, settings: LetterSettings, date: string) {
  return {
    language: languageOf(customer),
    country: customer.country,
    sender: settings.sender,
    recipient: { name: customer.name, address: customer.billingAddress },
    date,
    customerId: customer.customerId,
  };
}

async function composeInvoice(invoiceId: string, facts: OrderFacts, settings: LetterSettings): Promise<Composed> {
  const invoice = await facts.invoice(invoiceId);
  if (!invoice) return { nothing: `invoice ${invoiceId} does not exist` };
  const customer = await facts.customer(invoice.customerId);
  if (!customer) return { nothing: `the customer of ${invoiceId} does not exist` };
  const final = invoice.finalInvoiceFacilities.length > 0;
  let request: DocumentRequest;
  if (final) {
    const facilities = (await facts.facilities(customer.customerId)).filter((f) => invoice.finalInvoiceFacilities.includes(f.facilityNumber));
    const moveOutDate = facilities.map((f) => f.moveOut?.date).filter((d): d is string => d !== undefined).sort().at(-1) ?? invoice.issueDate;
    request = {
      ...base(customer, settings, invoice.issueDate), kind: 'final_invoice', invoice,
      moveOut: { date: moveOutDate, facilities: facilities.map((f) => ({ facilityId: f.facilityNumber, address: f.deliveryAddress })) },
    };
  } else {
    request = { ...base(customer, settings, invoice.issueDate), kind: 'invoice', invoice };
  }
  const document = await render(request, customer, true);
  const eInvoiceXml = customer.eInvoice && !customer.protectedIdentity ? eInvoiceOf(invoice, customer, settings) : undefined;
  return {
    submission: {
      kind: final ? 'final_invoice' : 'invoice', customerId: customer.customerId, sourceKey: invoiceId, invoiceId, language: request.language, document,
      ...(eInvoiceXml ? { eInvoiceXml } : {}),
    },
  };
}

/** A Peppol participant written `<scheme>:<id>` (ISO 6523 ICD, e.g. `0007:5560000000`). */
const participant = /^(\d{4}):([A-Za-z0-9._-]{1,50})$/;

/**
 * The invoice's e-invoice form: Finvoice 3.0 in Finland (R-FI-2: ordered in the bank with the
 * customer number), Peppol BIS Billing 3.0 in Sweden and Norway. Undefined when the customer's
 * e-invoice address cannot be routed (a Peppol address must name its scheme, or the customer be
 * an organisation): the channel order then records e-invoice as skipped.
 */
export function eInvoiceOf(invoice: Invoice, customer: Customer, settings: LetterSettings): string | undefined {
  const eInvoice = customer.eInvoice;
  if (!eInvoice) return undefined;
  const payment = settings.sender.payment;
  const seller: EInvoiceSeller = {
    name: settings.sender.name,
    organisationNumber: settings.seller.organisationNumber,
    ...(settings.seller.vatNumber ? { vatNumber: settings.seller.vatNumber } : {}),
    ...(settings.seller.taxRegistrationText ? { taxRegistrationText: settings.seller.taxRegistrationText } : {}),
    address: settings.sender.address,
    phone: settings.sender.phone,
    ...(settings.sender.email ? { email: settings.sender.email } : {}),
    payment: payment.kind === 'bankgiro' ? { bankgiro: payment.number } : payment.kind === 'iban' ? { iban: payment.iban, ...(payment.bic ? { bic: payment.bic } : {}) } : { accountNumber: payment.number },
  };
  const buyer = {
    name: customer.name, customerId: customer.customerId, address: customer.billingAddress,
    ...(customer.kind === 'organisation' ? { organisationNumber: customer.nationalId } : {}),
    ...(customer.email ? { email: customer.email } : {}),
  };
  if (customer.country === 'FI') {
    if (!settings.finvoice) return undefined;
    return finvoiceXml(invoice, seller, buyer, {
      ...settings.finvoice,
      buyerAddress: eInvoice.address,
      buyerIntermediator: eInvoice.operator,
      messageId: invoice.invoiceId,
      timestamp: `${invoice.issueDate}T08:00:00`,
    });
  }
  const named = participant.exec(eInvoice.address);
  const buyerEndpoint: PeppolEndpoint | null = named ? { schemeID: named[1]!, id: named[2]! } : customer.kind === 'organisation' ? organisationEndpoint(customer.country, customer.nationalId) : null;
  if (!buyerEndpoint) return undefined;
  return peppolInvoiceXml(invoice, seller, buyer, { buyerEndpoint });
}

async function composePriceNotice(order: Extract<DocumentOrder, { kind: 'price_notice' }>, facts: OrderFacts, settings: LetterSettings, today: string): Promise<Composed> {
  const list = await facts.noticeList(order.noticeJobId);
  if (!list) return { nothing: `no notice list ${order.noticeJobId}` };
  const customer = await facts.customer(order.customerId);
  if (!customer) return { nothing: `customer ${order.customerId} does not exist` };
  const versions = (await facts.tariffVersions(list.service)).sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const next = versions.find((v) => v.effectiveFrom === list.effectiveFrom);
  const before = versions.filter((v) => v.effectiveFrom < list.effectiveFrom).at(-1);
  // The first price list of a service changes no price: nobody is told of a change.
  if (!next || !before) return { nothing: `no earlier price of ${list.service} to compare with` };
  const request: DocumentRequest = { ...base(customer, settings, today), kind: 'price_notice', service: list.service, effectiveFrom: list.effectiveFrom, oldPrices: before, newPrices: next };
  const document = await render(request, customer, true);
  return { submission: { kind: 'price_notice', customerId: customer.customerId, sourceKey: orderSourceKey(order), language: request.language, document } };
}

async function composeDunningLetter(order: Extract<DocumentOrder, { caseId: string }>, facts: OrderFacts, settings: LetterSettings, today: string): Promise<Composed> {
  const c = await facts.dunningCase(order.caseId);
  if (!c) return { nothing: `no dunning case ${order.caseId}` };
  const invoice = await facts.invoice(c.invoiceId);
  const customer = await facts.customer(c.customerId);
  if (!invoice || !customer) return { nothing: `the invoice or customer of ${c.caseId} is gone` };
  const step = c.completed.find((s) => s.stage === order.stage) ?? c.schedule.find((s) => s.stage === order.stage);
  if (!step) throw new RuleViolationError(`Case ${c.caseId} has no ${order.stage} step.`, 'DUNNING-STATE');
  const date: string = 'takenOn' in step && typeof step.takenOn === 'string' ? step.takenOn : today;
  const debtByService = debtBreakdown(invoice).byService;
  const owed = (Object.keys(debtByService) as Service[]).filter((s) => debtByService[s] > 0);
  const disconnectionStep = c.schedule.find((s) => s.stage === 'disconnection');
  const disconnectionDate = step.statesDisconnectionDate ?? c.announcedDisconnectionDate ?? disconnectionStep?.date;
  const facilities = await facts.facilities(customer.customerId);
  // The facility with most debt: its address is the one the letter names.
  const byFacility = debtByFacilityService(invoice);
  const facilityTotal = (id: string) => Object.values(byFacility[id] ?? {}).reduce((sum, amount) => sum + amount, 0);
  const facility = [...facilities].sort((a, b) => facilityTotal(b.facilityNumber) - facilityTotal(a.facilityNumber))[0];
  const common = base(customer, settings, date);
  const sourceKey = orderSourceKey(order);
  const submit = async (kind: DocumentKind, request: DocumentRequest, addressedTo?: ThirdParty): Promise<Composed> => ({
    submission: {
      kind, customerId: customer.customerId, sourceKey, caseId: c.caseId, invoiceId: c.invoiceId, language: request.language,
      document: await render(request, customer, addressedTo === undefined),
      ...(addressedTo ? { addressedTo } : {}),
    },
  });
  const nextStep = c.schedule.find((s) => s.date > step.date && s.stage !== step.stage);
  switch (order.kind) {
    case 'reminder': {
      if (order.stage !== 'reminder_1' && order.stage !== 'reminder_2') throw new RuleViolationError(`A reminder is reminder_1 or reminder_2, not ${order.stage}.`, 'DUNNING-STATE');
      const collection = c.schedule.find((s) => s.stage === 'collection');
      const payBy = nextStep ? addDays(nextStep.date, -1) : addDays(date, 14);
      return submit('reminder', {
        ...common, kind: 'reminder', stage: order.stage, invoice, payBy: payBy > date ? payBy : addDays(date, 14),
        ...(step.fee ? { fee: step.fee.amount } : {}),
        ...(step.statesDisconnectionDate ? { disconnectionDate: step.statesDisconnectionDate, services: owed.some((s) => disconnectable.includes(s)) ? owed.filter((s) => disconnectable.includes(s)) : owed } : {}),
        ...(collection ? { collectionFrom: collection.date } : {}),
      });
    }
    case 'collection_notice':
      return submit('collection_notice', { ...common, kind: 'collection_notice', invoice, agency: settings.collectionAgency, handoverDate: step.date });
    case 'disconnection_notice': {
      if (!disconnectionDate || !facility) throw new RuleViolationError(`Case ${c.caseId}: a disconnection notice needs the date and the facility.`, 'R-SE-17');
      const services = owed.filter((s) => disconnectable.includes(s));
      return submit('disconnection_notice', {
        ...common, kind: 'disconnection_notice', invoice, disconnectionDate, services: services.length > 0 ? services : owed,
        facilityAddress: facility.deliveryAddress,
        ...(customer.country === 'SE' ? { viaAgency: settings.collectionAgency.name } : {}),
      });
    }
    case 'social_services_notice': {
      const concerned = (['electricity_grid', 'district_heating'] as const).filter((s) => debtByService[s] > 0);
      if (concerned.length === 0 || customer.category !== 'consumer') return { nothing: 'no consumer electricity or heating debt: social services are not told' };
      if (!disconnectionDate || !facility) throw new RuleViolationError(`Case ${c.caseId}: the notice to social services needs the date and the facility.`, 'R-SE-17');
      const office = settings.socialServices;
      return submit('social_services_notice', {
        ...common, kind: 'social_services_notice', recipient: office,
        consumer: { name: customer.name, address: customer.billingAddress }, services: [...concerned], facilityAddress: facility.deliveryAddress,
        plannedDate: disconnectionDate, debt: { amount: concerned.reduce((sum, s) => sum + debtByService[s], 0), currency: invoice.currency },
      }, office);
    }
    case 'owner_notice': {
      const winter = c.targets.filter((t) => t.state === 'awaiting_owner_contact' || t.service === 'electricity_grid' || t.service === 'district_heating');
      const target = winter[0];
      const property = facilities.find((f) => f.facilityNumber === target?.facilityId) ?? facility;
      if (!property || !disconnectionDate) throw new RuleViolationError(`Case ${c.caseId}: an owner notice needs the property and the date.`, 'R-SE-18');
      // The owner is the customer (owner-occupied, holiday home) or the owner on file for the facility (a rental's landlord).
      const ownsIt = property.propertyType === 'owner_occupied' || property.propertyType === 'holiday_home';
      if (!ownsIt && !property.owner) {
        return { nothing: `the owner of ${property.propertyDesignation} (${property.propertyType}) is not on file: ops call them (R-SE-18)` };
      }
      const landlord = property.owner && !ownsIt ? property.owner : undefined;
      return submit('owner_notice', {
        ...common, ...(landlord ? { recipient: landlord } : {}), kind: 'owner_notice', reason: 'winter_damage_risk', customerName: customer.name, facilityAddress: property.deliveryAddress,
        propertyDesignation: property.propertyDesignation, services: [...new Set(winter.map((t) => t.service))], plannedDate: disconnectionDate > today ? disconnectionDate : today,
        replyBy: addDays(today, 2),
      }, landlord);
    }
  }
}

/** Where orders go: the delivery queue (billing pages, dunning tasks and notice lists only enqueue). */
export interface DocumentOrderQueue {
  order(order: DocumentOrder): Promise<void>;
}

/**
 * The delivery job's side of an order: compose it from the records, submit it (stored once,
 * its hand-over queued once). Run twice, it finds the document stored and queues nothing new
 * once it is handed over. A refusal of the documents module is recorded as the document's
 * failed delivery (the reason kept; a step waiting for it is told); a missing record is nothing
 * to send.
 */
export class DocumentOrders {
  constructor(
    private readonly deps: {
      readonly facts: OrderFacts;
      readonly settings: LetterSettings;
      readonly delivery: Pick<import('./service.js').DocumentDelivery, 'submit' | 'recordRefusedOrder'>;
      readonly today: () => string;
    },
  ) {}

  async fulfil(order: DocumentOrder): Promise<{ documentId?: string; nothing?: string; refused?: string }> {
    let composed: Composed;
    try {
      composed = await composeOrder(order, this.deps.facts, this.deps.settings, this.deps.today());
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind === 'conflict' || error.kind === 'not_found') throw error;
      const documentId = orderDocumentId(order);
      const customerId = order.kind === 'price_notice' ? order.customerId : await this.customerOf(order);
      if (!customerId) return { nothing: error.message };
      await this.deps.delivery.recordRefusedOrder({ documentId, customerId, kind: order.kind === 'invoice' ? 'invoice' : order.kind, reason: `${error.name}: ${error.message}` });
      return { documentId, refused: error.message };
    }
    if ('nothing' in composed) return { nothing: composed.nothing };
    const { document } = await this.deps.delivery.submit(composed.submission);
    return { documentId: document.documentId };
  }

  private async customerOf(order: DocumentOrder): Promise<string | undefined> {
    if (order.kind === 'invoice') return (await this.deps.facts.invoice(order.invoiceId))?.customerId;
    if (order.kind === 'price_notice') return order.customerId;
    return (await this.deps.facts.dunningCase(order.caseId))?.customerId;
  }
}
