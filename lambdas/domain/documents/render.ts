/**
 * Renders a `DocumentRequest` as a PDF letter in the customer's language (issue 12).
 * Pure: no I/O, the same request gives the same facts. A request that would make an unlawful or
 * unreadable letter throws a `ValidationError` naming the field, or a `RuleViolationError`
 * citing the rule (R-FI-6, R-FI-9, R-SE-10).
 */
import { PDFDocument } from 'pdf-lib';
import { RuleViolationError, ValidationError } from '../errors.js';
import type { FieldError } from '../errors.js';
import { renderForwardingEnvelope, type ForwardingOptions } from './envelope.js';
import {
  GRID_PRICE_NOTICE_DAYS,
  documentLanguages,
  type DocumentRequest,
  type InvoiceData,
  type InvoiceDebt,
  type PropertyAddress,
  type RenderedDocument,
  type TariffPrices,
  type UtilitySender,
} from './kinds.js';
import { Letter, addressLines } from './layout.js';
import { formatMoney, listServices, textsFor, type Texts } from './texts.js';

export interface RenderOptions {
  /** R-SE-4: a protected identity's letter goes inside an envelope to the Tax Agency's forwarding service. */
  forwarding?: ForwardingOptions;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const dayNumber = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;

/** Days from `from` to `to` (calendar days). */
export const daysBetween = (from: string, to: string) => dayNumber(to) - dayNumber(from);

export function formatPropertyAddress(address: PropertyAddress): string {
  return `${address.street} ${address.number}${address.letter ?? ''}, ${address.postalCode} ${address.city}`;
}

function senderLines(sender: UtilitySender, t: Texts): string[] {
  const nonEmpty = (parts: (string | undefined)[]) => parts.map((p) => p?.trim()).filter(Boolean);
  return [
    nonEmpty([sender.address.line1, sender.address.line2, `${sender.address.postalCode} ${sender.address.city}`]).join(', '),
    nonEmpty([sender.phone, sender.email, sender.website]).join('  •  '),
    sender.organisationNumber ? `${t === textsFor('en') ? 'Org. no.' : 'Org.nr'} ${sender.organisationNumber}` : '',
  ].filter(Boolean);
}

function validate(request: DocumentRequest): void {
  const errors: FieldError[] = [];
  const need = (ok: boolean, field: string, message: string) => {
    if (!ok) errors.push({ path: field, message });
  };
  const date = (value: string | undefined, field: string, required = true) => {
    if (value === undefined) need(!required, field, 'required');
    else need(ISO_DATE.test(value) && !Number.isNaN(dayNumber(value)), field, 'must be a date YYYY-MM-DD');
  };
  need((documentLanguages as readonly string[]).includes(request.language), 'language', `must be one of ${documentLanguages.join(', ')}`);
  const invoiceKind = request.kind === 'invoice' || request.kind === 'final_invoice';
  if (!invoiceKind) need(Boolean(request.recipient?.name?.trim()), 'recipient.name', 'required');
  // An invoice may be fetched or e-invoiced without a postal address (R-SE-4, R-SE-8); a letter is posted.
  if (!invoiceKind || request.recipient?.address?.line1?.trim()) {
    need(Boolean(request.recipient?.address?.line1?.trim() && request.recipient.address.postalCode?.trim() && request.recipient.address.city?.trim()), 'recipient.address', 'line1, postalCode and city are required');
  }
  need(Boolean(request.sender?.name?.trim()), 'sender.name', 'required');
  // Every dunning letter and notice says whom to call (R-SE-18: we call first; R-FI-10: the customer calls).
  if (!invoiceKind) need(Boolean(request.sender?.phone?.trim()), 'sender.phone', 'required');
  date(request.date, 'date');
  const amount = (value: number | undefined, field: string) => need(value === undefined || Number.isSafeInteger(value), field, 'must be an integer amount in minor units');

  switch (request.kind) {
    case 'invoice':
    case 'final_invoice':
      date(request.invoice.issueDate, 'invoice.issueDate');
      date(request.invoice.dueDate, 'invoice.dueDate');
      amount(request.invoice.total, 'invoice.total');
      amount(request.invoice.openAmount, 'invoice.openAmount');
      need(Boolean(request.invoice.reference), 'invoice.reference', 'required');
      if (request.kind === 'final_invoice') {
        date(request.moveOut.date, 'moveOut.date');
        need(request.moveOut.facilities.length > 0, 'moveOut.facilities', 'at least one facility');
      }
      break;
    case 'reminder':
      date(request.payBy, 'payBy');
      date(request.invoice.dueDate, 'invoice.dueDate');
      amount(request.invoice.openAmount, 'invoice.openAmount');
      amount(request.fee, 'fee');
      date(request.disconnectionDate, 'disconnectionDate', false);
      date(request.collectionFrom, 'collectionFrom', false);
      if (request.country === 'FI') {
        // R-FI-6, R-FI-9: both reminders state the disconnection date; none other may be used.
        if (!request.disconnectionDate) throw new RuleViolationError('A Finnish reminder states the disconnection date (R-FI-6, R-FI-9).', 'R-FI-6', [{ path: 'disconnectionDate', message: 'required in Finland' }]);
      }
      if (request.disconnectionDate) need(Boolean(request.services?.length), 'services', 'the services the stated disconnection concerns are required (R-FI-6)');
      if (request.disconnectionDate && request.disconnectionDate <= request.payBy) errors.push({ path: 'disconnectionDate', message: 'must be after payBy' });
      break;
    case 'collection_notice':
      date(request.handoverDate, 'handoverDate');
      amount(request.invoice.openAmount, 'invoice.openAmount');
      need(Boolean(request.agency?.name?.trim() && request.agency.phone?.trim()), 'agency', 'name and phone are required');
      break;
    case 'disconnection_notice':
      date(request.disconnectionDate, 'disconnectionDate');
      date(request.payBy, 'payBy', false);
      amount(request.invoice.openAmount, 'invoice.openAmount');
      need(request.services.length > 0, 'services', 'at least one service');
      if (ISO_DATE.test(request.disconnectionDate) && request.disconnectionDate <= request.date) errors.push({ path: 'disconnectionDate', message: 'must be after the letter date' });
      break;
    case 'social_services_notice':
      date(request.plannedDate, 'plannedDate');
      need(Boolean(request.consumer?.name?.trim()), 'consumer.name', 'required');
      need(request.services.length > 0, 'services', 'at least one service');
      amount(request.debt?.amount, 'debt.amount');
      break;
    case 'owner_notice':
      date(request.plannedDate, 'plannedDate');
      date(request.replyBy, 'replyBy', false);
      need(Boolean(request.customerName?.trim()), 'customerName', 'required');
      need(request.services.length > 0, 'services', 'at least one service');
      break;
    case 'price_notice':
      date(request.effectiveFrom, 'effectiveFrom');
      need(request.oldPrices.currency === request.newPrices.currency, 'newPrices.currency', 'must be the currency of oldPrices');
      amount(request.oldPrices.fixedPerMonth, 'oldPrices.fixedPerMonth');
      amount(request.newPrices.fixedPerMonth, 'newPrices.fixedPerMonth');
      if (errors.length === 0 && request.service === 'electricity_grid' && daysBetween(request.date, request.effectiveFrom) < GRID_PRICE_NOTICE_DAYS) {
        throw new RuleViolationError(`The electricity grid tells customers of new prices ${GRID_PRICE_NOTICE_DAYS} days before they apply (R-SE-10).`, 'R-SE-10', [
          { path: 'effectiveFrom', message: `must be at least ${GRID_PRICE_NOTICE_DAYS} days after the notice date` },
        ]);
      }
      break;
  }
  if (errors.length > 0) throw new ValidationError(errors);
}

interface Context {
  request: DocumentRequest;
  t: Texts;
  money: (minor: number, currency: InvoiceDebt['currency']) => string;
  date: (iso: string) => string;
}

async function open(ctx: Context, title: string, meta: [string, string][]): Promise<Letter> {
  const { request, t } = ctx;
  const letter = await Letter.create(title, t.locale);
  const head: [string, string][] = [[t.label.date, ctx.date(request.date)]];
  if (request.customerId) head.push([t.label.customerNumber, request.customerId]);
  letter.header({ name: request.sender.name, lines: senderLines(request.sender, t) }, title, [...head, ...meta], request.recipient, request.country);
  return letter;
}

function paymentRows(ctx: Context, debt: InvoiceDebt, payBy: string, amount = debt.openAmount): [string, string][] {
  const { t } = ctx;
  return [
    [t.label.payTo, t.account(ctx.request.sender.payment)],
    [t.label.reference[debt.referenceType], debt.reference],
    [t.label.amount, ctx.money(amount, debt.currency)],
    [t.label.lastPayDay, ctx.date(payBy)],
  ];
}

async function renderInvoiceLetter(ctx: Context, invoice: InvoiceData, title: string, before: (letter: Letter) => void, after: (letter: Letter) => void): Promise<Letter> {
  const { t } = ctx;
  const letter = await open(ctx, title, [
    [t.label.invoiceNumber, String(invoice.invoiceNumber)],
    [t.label.invoiceDate, ctx.date(invoice.issueDate)],
    [t.label.dueDate, ctx.date(invoice.dueDate)],
  ]);
  before(letter);
  letter.table(
    [t.label.description, t.label.facility, t.label.period, t.label.netShort, t.label.vat, t.label.total],
    invoice.lines.map((line) => [
      line.description,
      line.facilityId,
      line.periodStart ? `${t.shortDate(line.periodStart)} – ${t.shortDate(line.periodEnd ?? line.periodStart)}` : '',
      ctx.money(line.net, invoice.currency),
      `${line.vatRate} %`,
      ctx.money(line.gross, invoice.currency),
    ]),
    [50, 180, 240, 370, 445, 480],
    { rightAligned: [3, 5] },
  );
  letter.facts([
    [t.label.net, ctx.money(invoice.net, invoice.currency)],
    [t.label.vat, ctx.money(invoice.vat, invoice.currency)],
    [t.label.toPay, ctx.money(invoice.openAmount, invoice.currency)],
  ]);
  after(letter);
  letter.paymentBox(paymentRows(ctx, invoice, invoice.dueDate), t.alwaysReference);
  if (ctx.request.sender.phone?.trim()) letter.paragraph(t.questions(ctx.request.sender.phone), { size: 9 });
  return letter;
}

async function build(ctx: Context): Promise<{ letter: Letter; title: string; filename: string }> {
  const { request, t } = ctx;
  const services = (list: Parameters<typeof listServices>[1]) => listServices(request.language, list);
  switch (request.kind) {
    case 'invoice': {
      const title = `${t.invoice.title} ${request.invoice.invoiceNumber}`;
      const letter = await renderInvoiceLetter(ctx, request.invoice, title, () => {}, () => {});
      return { letter, title, filename: `invoice-${request.invoice.invoiceNumber}.pdf` };
    }
    case 'final_invoice': {
      // R-SE-7: the final invoice at move-out.
      const title = `${t.finalInvoice.title} ${request.invoice.invoiceNumber}`;
      const addresses = request.moveOut.facilities.map((f) => formatPropertyAddress(f.address)).join('; ');
      const letter = await renderInvoiceLetter(
        ctx,
        request.invoice,
        title,
        (l) => l.paragraph(t.finalInvoice.movedOut(ctx.date(request.moveOut.date), addresses)),
        (l) => l.paragraph(t.finalInvoice.thanks),
      );
      return { letter, title, filename: `final-invoice-${request.invoice.invoiceNumber}.pdf` };
    }
    case 'reminder': {
      const { invoice } = request;
      const title = t.reminder.title(request.stage);
      const letter = await open(ctx, title, [
        [t.label.invoiceNumber, String(invoice.invoiceNumber)],
        [t.label.dueDate, ctx.date(invoice.dueDate)],
      ]);
      letter.paragraph(t.reminder.unpaid(invoice.invoiceNumber, ctx.date(invoice.dueDate)));
      letter.paragraph(t.reminder.payBy(ctx.money(invoice.openAmount, invoice.currency), ctx.date(request.payBy)), { bold: true });
      // R-FI-5: the reminder fee, charged on the next invoice (docs/DUNNING.md "Fees").
      if (request.fee) letter.paragraph(t.reminder.fee(ctx.money(request.fee, invoice.currency)));
      // R-FI-6, R-FI-9: the disconnection date, stated in both reminders.
      if (request.disconnectionDate) letter.paragraph(t.reminder.disconnection(ctx.date(request.disconnectionDate), services(request.services ?? [])), { bold: true });
      // R-SE-16, R-SE-17: the next step of the Swedish ladder.
      if (request.collectionFrom) letter.paragraph(t.reminder.collection(ctx.date(request.collectionFrom)));
      letter.paymentBox(paymentRows(ctx, invoice, request.payBy), t.alwaysReference);
      letter.paragraph(t.reminder.alreadyPaid);
      // R-FI-10: a payment on the closing day is booked 1-2 days later; the customer calls.
      letter.paragraph(t.reminder.lateBooking, { size: 9 });
      letter.paragraph(t.questions(request.sender.phone), { size: 9 });
      return { letter, title, filename: `${request.stage.replace('_', '-')}-${invoice.invoiceNumber}.pdf` };
    }
    case 'collection_notice': {
      // R-SE-16, R-SE-17: unpaid after the reminder, the debt goes to collection.
      const { invoice, agency } = request;
      const title = t.collection.title;
      const lastDay = ctx.date(addDays(request.handoverDate, -1));
      const letter = await open(ctx, title, [[t.label.invoiceNumber, String(invoice.invoiceNumber)]]);
      letter.paragraph(t.collection.handover(invoice.invoiceNumber, ctx.date(invoice.dueDate), agency.name, ctx.date(request.handoverDate)));
      letter.paragraph(t.collection.avoid(ctx.money(invoice.openAmount, invoice.currency), lastDay), { bold: true });
      letter.paymentBox(paymentRows(ctx, invoice, addDays(request.handoverDate, -1)), t.alwaysReference);
      letter.paragraph(t.collection.agencyContact(agency.name, agency.phone));
      letter.paragraph(t.questions(request.sender.phone), { size: 9 });
      return { letter, title, filename: `collection-notice-${invoice.invoiceNumber}.pdf` };
    }
    case 'disconnection_notice': {
      // R-SE-17..21 (two more weeks after the letter), R-FI-9: the date, how to pay, whom to call.
      const { invoice } = request;
      const title = t.disconnection.title;
      const payBy = request.payBy ?? addDays(request.disconnectionDate, -1);
      const letter = await open(ctx, title, [[t.label.invoiceNumber, String(invoice.invoiceNumber)]]);
      letter.paragraph(t.disconnection.body(invoice.invoiceNumber, services(request.services), formatPropertyAddress(request.facilityAddress), ctx.date(request.disconnectionDate)));
      letter.facts([[t.disconnection.disconnectionDate, ctx.date(request.disconnectionDate)]], { boldValues: true });
      // R-SE-21: water may be throttled instead of shut off.
      if (request.throttleInstead) letter.paragraph(t.disconnection.throttle);
      letter.paragraph(t.disconnection.payBy(ctx.money(invoice.openAmount, invoice.currency), ctx.date(payBy)), { bold: true });
      letter.heading(t.disconnection.howToPay);
      letter.paymentBox(paymentRows(ctx, invoice, payBy), t.alwaysReference);
      // R-SE-18: reconnection needs the customer at home; we call first.
      letter.paragraph(t.disconnection.reconnect);
      letter.paragraph(t.questions(request.sender.phone), { bold: true });
      if (request.viaAgency) letter.paragraph(t.disconnection.viaAgency(request.viaAgency), { size: 9 });
      return { letter, title, filename: `disconnection-notice-${invoice.invoiceNumber}.pdf` };
    }
    case 'social_services_notice': {
      // R-SE-17; docs/DUNNING.md "Social services": told in writing of a consumer's planned disconnection.
      const title = t.social.title;
      const letter = await open(ctx, title, []);
      letter.paragraph(t.social.intro(services(request.services), ctx.date(request.plannedDate)));
      const rows: [string, string][] = [
        [t.social.consumer, request.consumer.name],
        [t.social.billingAddress, addressLines(request.consumer.address).join(', ')],
        [t.social.facilityAddress, formatPropertyAddress(request.facilityAddress)],
        [t.social.services, services(request.services)],
        [t.social.plannedDate, ctx.date(request.plannedDate)],
      ];
      if (request.debt) rows.push([t.social.debt, ctx.money(request.debt.amount, request.debt.currency)]);
      letter.facts(rows);
      letter.paragraph(t.social.contact(request.sender.phone));
      return { letter, title, filename: `social-services-notice-${request.plannedDate}.pdf` };
    }
    case 'owner_notice': {
      // R-SE-18, R-SE-20: in winter the owner is contacted first; R-SE-21 rental property.
      const title = t.owner.title;
      const letter = await open(ctx, title, []);
      const address = formatPropertyAddress(request.facilityAddress);
      const say = request.reason === 'winter_damage_risk' ? t.owner.winter : t.owner.rental;
      letter.paragraph(say(request.customerName, services(request.services), address, ctx.date(request.plannedDate)));
      const rows: [string, string][] = [[t.owner.property, request.propertyDesignation ? `${request.propertyDesignation}, ${address}` : address]];
      rows.push([t.owner.plannedDate, ctx.date(request.plannedDate)]);
      letter.facts(rows);
      letter.paragraph(request.replyBy ? t.owner.replyBy(request.sender.phone, ctx.date(request.replyBy)) : t.owner.reply(request.sender.phone), { bold: true });
      return { letter, title, filename: `owner-notice-${request.plannedDate}.pdf` };
    }
    case 'price_notice': {
      // R-SE-10: old and new price and the date they apply; grid: 15 days before (validated).
      const service = t.service[request.service];
      const title = t.price.title(service);
      const letter = await open(ctx, title, []);
      letter.paragraph(t.price.intro(service, ctx.date(request.effectiveFrom)), { bold: true });
      const rows = priceRows(ctx, request.oldPrices, request.newPrices);
      letter.table([t.price.component, t.price.oldPrice, t.price.newPrice], rows, [50, 260, 400]);
      if (request.service === 'electricity_grid') letter.paragraph(t.price.inAdvance(GRID_PRICE_NOTICE_DAYS));
      letter.paragraph(t.questions(request.sender.phone), { size: 9 });
      return { letter, title, filename: `price-notice-${request.service}-${request.effectiveFrom}.pdf` };
    }
  }
}

function priceRows(ctx: Context, from: TariffPrices, to: TariffPrices): string[][] {
  const { t } = ctx;
  const rows: string[][] = [[t.price.fixed, ctx.money(from.fixedPerMonth, from.currency), ctx.money(to.fixedPerMonth, to.currency)]];
  if (to.unit !== 'none') {
    const unit = t.unit[to.unit];
    rows.push([t.price.unitPrice(unit), `${formatMoney(ctx.request.language, from.unitPrice, from.currency, 4)}/${unit}`, `${formatMoney(ctx.request.language, to.unitPrice, to.currency, 4)}/${unit}`]);
  }
  return rows;
}

function addDays(iso: string, days: number): string {
  return new Date((dayNumber(iso) + days) * 86_400_000).toISOString().slice(0, 10);
}

/** The letter as a PDF, in `request.language`. Throws ValidationError/RuleViolationError on a request that makes no lawful letter. */
export async function renderDocument(request: DocumentRequest, options: RenderOptions = {}): Promise<RenderedDocument> {
  validate(request);
  const t = textsFor(request.language);
  const ctx: Context = { request, t, money: (minor, currency) => formatMoney(request.language, minor, currency), date: (iso) => t.date(iso) };
  const { letter, title, filename } = await build(ctx);
  let bytes = await letter.save();
  if (options.forwarding) {
    // R-SE-4: the outer envelope's sheet and the inner envelope's label come first.
    const envelope = await renderForwardingEnvelope({ sender: request.sender, recipientName: request.recipient.name, nationalId: options.forwarding.nationalId });
    const merged = await PDFDocument.create();
    merged.setTitle(title);
    merged.setLanguage(t.locale);
    for (const part of [envelope.bytes, bytes]) {
      const source = await PDFDocument.load(part);
      for (const page of await merged.copyPages(source, source.getPageIndices())) merged.addPage(page);
    }
    bytes = await merged.save();
  }
  return { contentType: 'application/pdf', bytes, filename, title };
}
