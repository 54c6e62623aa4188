/** The text of a PDF as a reader sees it, page by page, via pdf.js (a real text extractor). */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  // pdf.js may take ownership of the buffer: give it a copy.
  const doc = await getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i += 1) {
    const content = await (await doc.getPage(i)).getTextContent();
    const text = content.items.map((item) => ('str' in item ? item.str : '')).join(' ');
    pages.push(normalise(text));
  }
  await doc.cleanup();
  return pages;
}

export async function pdfText(bytes: Uint8Array): Promise<string> {
  return (await pdfPages(bytes)).join(' ');
}

/** One space for any run of whitespace (no-break spaces in amounts included). */
export function normalise(text: string): string {
  return text.replace(/[\s\u00A0\u202F]+/g, ' ').trim();
}
