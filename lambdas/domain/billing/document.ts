/**
 * The invoice as a PDF a customer recognises: who sends it, to whom, the lines per service
 * and facility, VAT, the total, the due date and the payment reference (R-SE-8).
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Invoice } from './model.js';

const currencyFormat = (currency: string) =>
  new Intl.NumberFormat(currency === 'EUR' ? 'fi-FI' : currency === 'NOK' ? 'nb-NO' : 'sv-SE', { style: 'currency', currency });

/** Helvetica in a PDF speaks WinAnsi: anything else (rare in Nordic names) becomes "?". */
function winAnsi(text: string): string {
  return text.normalize('NFC').replace(/[^\x20-\x7E\u00A0-\u00FF€–—‘’“”…]/g, '?');
}

export async function renderInvoicePdf(invoice: Invoice, sender = { name: 'Arvika Vatten', giro: 'Bankgiro 5050-1055' }): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Invoice ${invoice.invoiceNumber}`);
  const page = pdf.addPage([595.28, 841.89]); // A4
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const money = currencyFormat(invoice.currency);
  const write = (p: PDFPage, text: string, x: number, y: number, font: PDFFont = regular, size = 10) =>
    p.drawText(winAnsi(text), { x, y, size, font, color: rgb(0.1, 0.1, 0.1) });

  write(page, sender.name, 50, 790, bold, 16);
  write(page, `Invoice ${invoice.invoiceNumber}`, 380, 790, bold, 14);
  write(page, `Invoice date: ${invoice.issueDate}`, 380, 770);
  write(page, `Due date: ${invoice.dueDate}`, 380, 756, bold);
  write(page, `Customer: ${invoice.customerId}`, 380, 742);

  const address = invoice.delivery.address;
  if (address) {
    [address.line1, address.line2, `${address.postalCode} ${address.city}`].filter(Boolean).forEach((text, i) => write(page, text!, 50, 740 - i * 14));
  }

  let y = 660;
  write(page, 'Service', 50, y, bold);
  write(page, 'Facility', 190, y, bold);
  write(page, 'Period', 260, y, bold);
  write(page, 'Amount', 400, y, bold);
  write(page, 'VAT', 480, y, bold);
  y -= 16;
  for (const line of invoice.lines) {
    write(page, line.description.slice(0, 28), 50, y);
    write(page, line.facilityId, 190, y);
    write(page, line.periodStart ? `${line.periodStart} – ${line.periodEnd}` : '', 260, y, regular, 8);
    write(page, money.format(line.net / 100), 400, y);
    write(page, `${line.vatRate} %`, 480, y);
    y -= 14;
    if (y < 200) break;
  }
  y -= 10;
  write(page, `Net ${money.format(invoice.net / 100)}   VAT ${money.format(invoice.vat / 100)}`, 50, y);
  write(page, `To pay: ${money.format(invoice.total / 100)}`, 380, y, bold, 12);

  // The payment slip: what the bank asks for.
  page.drawRectangle({ x: 40, y: 60, width: 515, height: 90, borderColor: rgb(0.4, 0.4, 0.4), borderWidth: 1 });
  write(page, `Pay to: ${sender.giro}`, 50, 130);
  write(page, `Reference (${invoice.referenceType === 'ocr' ? 'OCR' : invoice.referenceType === 'kid' ? 'KID' : 'viitenumero'}): ${invoice.reference}`, 50, 112, bold, 12);
  write(page, `Amount: ${money.format(invoice.openAmount / 100)}   Due: ${invoice.dueDate}`, 50, 94, bold);
  write(page, 'Always give the reference when you pay.', 50, 76, regular, 8);
  return pdf.save();
}
