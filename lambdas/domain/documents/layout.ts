/**
 * One A4 letter with pdf-lib: the sender's header, the recipient in the envelope window, the
 * title block, wrapped paragraphs, label/value facts, tables and the payment box. New pages
 * come when the text runs out of room. Helvetica speaks WinAnsi: å ä ö æ ø and € print, other
 * letters become "?" (see `winAnsi`).
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Addressee, BillingAddress } from './kinds.js';

export const A4: [number, number] = [595.28, 841.89];
const LEFT = 50;
const RIGHT = 545;
const BOTTOM = 70;
const INK = rgb(0.1, 0.1, 0.1);

/** Helvetica in a PDF speaks WinAnsi: anything else (rare in Nordic names) becomes "?". */
export function winAnsi(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u202F\u2009\u2007]/g, '\u00A0')
    .replace(/[^\x20-\x7E\u00A0-\u00FF€–—‘’“”…•]/g, '?');
}

export function addressLines(address: BillingAddress, senderCountry?: string): string[] {
  const lines = [address.line1, address.line2, `${address.postalCode} ${address.city}`];
  if (senderCountry && address.country && address.country.toUpperCase() !== senderCountry.toUpperCase()) lines.push(address.country.toUpperCase());
  return lines.filter((line): line is string => Boolean(line && line.trim()));
}

export class Letter {
  page!: PDFPage;
  y = 0;
  private pageCount = 0;

  private constructor(
    readonly pdf: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {}

  static async create(title: string, language: string): Promise<Letter> {
    const pdf = await PDFDocument.create();
    pdf.setTitle(winAnsi(title));
    pdf.setLanguage(language);
    pdf.setCreator('nordic-utility-service');
    pdf.setProducer('pdf-lib');
    const letter = new Letter(pdf, await pdf.embedFont(StandardFonts.Helvetica), await pdf.embedFont(StandardFonts.HelveticaBold));
    letter.newPage();
    return letter;
  }

  newPage(): void {
    this.page = this.pdf.addPage(A4);
    this.pageCount += 1;
    this.y = this.pageCount === 1 ? 600 : 790;
  }

  /** Room for `height` points below the cursor, or a new page. */
  ensure(height: number): void {
    if (this.y - height < BOTTOM) this.newPage();
  }

  text(text: string, x: number, y: number, options: { bold?: boolean; size?: number } = {}): void {
    this.page.drawText(winAnsi(text), { x, y, size: options.size ?? 10, font: options.bold ? this.bold : this.regular, color: INK });
  }

  /** The letterhead: the sender top left, the title block top right, the recipient in the window. */
  header(sender: { name: string; lines: string[] }, title: string, meta: [string, string][], recipient: Addressee, senderCountry: string): void {
    this.text(this.fit(sender.name, this.bold, 15, 260), LEFT, 790, { bold: true, size: 15 });
    sender.lines.forEach((line, i) => this.text(line, LEFT, 774 - i * 11, { size: 8 }));
    const titleLines = this.wrap(title, this.bold, 14, RIGHT - 320);
    titleLines.forEach((line, i) => this.text(line, 320, 790 - i * 17, { bold: true, size: 14 }));
    let metaY = 790 - titleLines.length * 17 - 4;
    for (const [label, value] of meta) {
      this.text(`${label}: ${value}`, 320, metaY, { size: 9 });
      metaY -= 12;
    }
    // The envelope window: lines are cut to its width rather than run into the title block.
    [recipient.name, ...addressLines(recipient.address, senderCountry)]
      .filter((line) => line.trim())
      .forEach((line, i) => this.text(this.fit(line, this.regular, 11, 250), LEFT, 700 - i * 13, { size: 11 }));
    this.y = Math.min(600, metaY - 20);
  }

  /** The text, cut to `width`. */
  fit(text: string, font: PDFFont, size: number, width: number): string {
    let fitted = winAnsi(text);
    while (fitted.length > 1 && font.widthOfTextAtSize(fitted, size) > width) fitted = fitted.slice(0, -1);
    return fitted;
  }

  wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    const words = winAnsi(text).split(/ +/);
    const lines: string[] = [];
    let current = '';
    for (const word of words) {
      const candidate = current ? `${current} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width || !current) {
        current = candidate;
      } else {
        lines.push(current);
        current = word;
      }
      // A single word wider than the line (a long name) is cut so it never leaves the page.
      while (font.widthOfTextAtSize(current, size) > width && current.length > 1) {
        let cut = current.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(current.slice(0, cut), size) > width) cut -= 1;
        lines.push(current.slice(0, cut));
        current = current.slice(cut);
      }
    }
    if (current) lines.push(current);
    return lines;
  }

  heading(text: string): void {
    this.ensure(30);
    this.y -= 6;
    this.text(text, LEFT, this.y, { bold: true, size: 12 });
    this.y -= 18;
  }

  paragraph(text: string, options: { bold?: boolean; size?: number } = {}): void {
    const size = options.size ?? 10;
    const lines = this.wrap(text, options.bold ? this.bold : this.regular, size, RIGHT - LEFT);
    for (const line of lines) {
      this.ensure(size + 4);
      this.text(line, LEFT, this.y, { ...options, size });
      this.y -= size + 4;
    }
    this.y -= 6;
  }

  /** Label and value pairs, one a line. */
  facts(rows: [string, string][], options: { boldValues?: boolean } = {}): void {
    for (const [label, value] of rows) {
      const lines = this.wrap(value, options.boldValues ? this.bold : this.regular, 10, RIGHT - 220);
      this.ensure(14 * lines.length);
      this.text(label, LEFT, this.y, { bold: true });
      lines.forEach((line, i) => this.text(line, 220, this.y - i * 14, { bold: options.boldValues }));
      this.y -= 14 * lines.length;
    }
    this.y -= 8;
  }

  /** A table: `columns` are x positions, cells are cut to fit their column. */
  table(headers: string[], rows: string[][], columns: number[], options: { rightAligned?: number[] } = {}): void {
    const widthOf = (i: number) => (columns[i + 1] ?? RIGHT) - columns[i]! - 6;
    const cell = (value: string, i: number, bold: boolean, y: number) => {
      const font = bold ? this.bold : this.regular;
      let text = winAnsi(value);
      while (text.length > 1 && font.widthOfTextAtSize(text, 9) > widthOf(i)) text = text.slice(0, -1);
      const right = options.rightAligned?.includes(i);
      const x = right ? columns[i]! + widthOf(i) - font.widthOfTextAtSize(text, 9) : columns[i]!;
      this.text(text, x, y, { bold, size: 9 });
    };
    const drawHeader = () => {
      headers.forEach((h, i) => cell(h, i, true, this.y));
      this.y -= 14;
    };
    this.ensure(30);
    drawHeader();
    for (const row of rows) {
      if (this.y - 12 < BOTTOM) {
        this.newPage();
        drawHeader();
      }
      row.forEach((value, i) => cell(value, i, false, this.y));
      this.y -= 12;
    }
    this.y -= 8;
  }

  /** The payment box: what the bank asks for. */
  paymentBox(rows: [string, string][], note: string): void {
    const height = 22 + rows.length * 16;
    this.ensure(height + 10);
    const top = this.y + 4;
    this.page.drawRectangle({ x: LEFT - 10, y: top - height, width: RIGHT - LEFT + 20, height, borderColor: rgb(0.4, 0.4, 0.4), borderWidth: 1 });
    let y = top - 16;
    for (const [label, value] of rows) {
      this.text(label, LEFT, y, { size: 10 });
      this.text(value, 220, y, { bold: true, size: 11 });
      y -= 16;
    }
    this.text(note, LEFT, y, { size: 8 });
    this.y = top - height - 16;
  }

  async save(): Promise<Uint8Array> {
    const pages = this.pdf.getPages();
    if (pages.length > 1) {
      pages.forEach((page, i) => page.drawText(`${i + 1} / ${pages.length}`, { x: RIGHT - 30, y: 40, size: 8, font: this.regular, color: INK }));
    }
    return this.pdf.save();
  }
}
