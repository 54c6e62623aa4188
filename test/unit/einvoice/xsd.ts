/** Validation against the official schemas in test/fixtures/einvoice (libxml2 via xmllint-wasm). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

const fixtures = join(process.cwd(), 'test/fixtures/einvoice');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

export interface XsdResult {
  valid: boolean;
  errors: string[];
}

async function validate(xml: string, schema: { fileName: string; contents: string }, preload: { fileName: string; contents: string }[] = []): Promise<XsdResult> {
  const result = await validateXML({ xml: [{ fileName: 'invoice.xml', contents: xml }], schema: [schema], preload });
  return { valid: result.valid, errors: result.errors.map((e) => e.message) };
}

export function validateFinvoice(xml: string): Promise<XsdResult> {
  return validate(xml, { fileName: 'Finvoice3.0.xsd', contents: read('finvoice-3.0/Finvoice3.0.xsd') });
}

export function validateUblInvoice(xml: string): Promise<XsdResult> {
  const common = readdirSync(join(fixtures, 'ubl-2.1/common')).map((name) => ({ fileName: `common/${name}`, contents: read(`ubl-2.1/common/${name}`) }));
  return validate(xml, { fileName: 'maindoc/UBL-Invoice-2.1.xsd', contents: read('ubl-2.1/maindoc/UBL-Invoice-2.1.xsd') }, common);
}
