// The entry point: detects BgMax or camt.054 from the bytes, decodes them, never throws for bad content.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { buildBgMaxFile } from '../../../lambdas/domain/payments/bgmax.js';
import { decodeLatin1, parsePaymentFile } from '../../../lambdas/domain/payments/payment-file.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/payments/${name}`, import.meta.url)));
const fixtureNames = [
  'bgmax-ok.txt',
  'bgmax-bad-totals.txt',
  'bgmax-truncated.txt',
  'bgmax-unknown-record.txt',
  'camt054-fi.xml',
  'camt054-no.xml',
  'camt054-bad-sum.xml',
];
const noText = new TextDecoder().decode(fixture('camt054-no.xml'));
const withDeclaration = (xml: string, encoding: string) => xml.replace('encoding="UTF-8"', `encoding="${encoding}"`);

describe('parsePaymentFile', () => {
  it.each([
    ['bgmax-ok.txt', 'bgmax', 4, 0],
    ['bgmax-bad-totals.txt', 'bgmax', 0, 1],
    ['bgmax-truncated.txt', 'bgmax', 0, 1],
    ['bgmax-unknown-record.txt', 'bgmax', 0, 1],
    ['camt054-fi.xml', 'camt054', 3, 0],
    ['camt054-no.xml', 'camt054', 2, 0],
    ['camt054-bad-sum.xml', 'camt054', 0, 1],
  ])('reads %s as %s: %i payments, %i errors', (name, format, payments, errors) => {
    // Act
    const report = parsePaymentFile(fixture(name));
    // Assess
    expect(report.format).toBe(format);
    expect(report.payments).toHaveLength(payments);
    expect(report.errors).toHaveLength(errors);
  });

  it('gives identical reports for the same bytes read twice (a re-import books nothing new)', () => {
    for (const name of fixtureNames) {
      // Act
      const first = parsePaymentFile(fixture(name));
      const second = parsePaymentFile(fixture(name));
      // Assess
      expect(second).toEqual(first);
    }
  });

  it('gives every payment of all fixtures a distinct id', () => {
    // Act
    const ids = fixtureNames.flatMap((name) => parsePaymentFile(fixture(name)).payments.map((payment) => payment.paymentId));
    // Assess
    expect(ids).toHaveLength(9);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('decodes camt.054 as its XML declaration says: ISO-8859-1 bytes give the same payments as UTF-8', () => {
    // Prepare
    const latin1 = new Uint8Array(Buffer.from(withDeclaration(noText, 'ISO-8859-1'), 'latin1'));
    // Act
    const report = parsePaymentFile(latin1);
    // Assess
    expect(report.errors).toEqual([]);
    expect(latin1.includes(0xf8)).toBe(true); // ø as one byte
    expect(report.payments).toEqual(parsePaymentFile(fixture('camt054-no.xml')).payments);
  });

  it('decodes UTF-8 with a BOM and UTF-16 with a BOM', () => {
    // Prepare
    const withUtf8Bom = new Uint8Array([0xef, 0xbb, 0xbf, ...fixture('camt054-no.xml')]);
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from(withDeclaration(noText, 'UTF-16'), 'utf16le')]);
    // Act
    const reports = [parsePaymentFile(withUtf8Bom), parsePaymentFile(utf16)];
    // Assess
    for (const report of reports) {
      expect(report.errors).toEqual([]);
      expect(report.payments.map((payment) => payment.payerName)).toEqual(['Søren Ødegård', 'Kari Nordmann']);
    }
  });

  it('refuses bytes that are not valid in the declared encoding', () => {
    // Prepare: ø in ISO-8859-1 inside a file that says UTF-8
    const broken = new Uint8Array(Buffer.from(noText, 'latin1'));
    // Act
    const report = parsePaymentFile(broken);
    // Assess
    expect(report).toEqual({ format: 'camt054', fileId: '', payments: [], errors: [{ line: 0, message: 'the file is not valid UTF-8 text' }] });
  });

  it('refuses an encoding it does not know', () => {
    // Act
    const report = parsePaymentFile(new TextEncoder().encode(withDeclaration(noText, 'x-klingon')));
    // Assess
    expect(report.errors).toEqual([{ line: 0, message: 'unsupported XML encoding "x-klingon"' }]);
  });

  it.each([
    ['empty bytes', new Uint8Array()],
    ['a CSV file', new TextEncoder().encode('reference;amount\n10004232;1245.50\n')],
    ['BgMax in lower case', new TextEncoder().encode('01bgmax'.padEnd(80))],
  ])('reports %s as an unknown format', (_case, bytes) => {
    // Act
    const report = parsePaymentFile(bytes);
    // Assess
    expect(report).toEqual({
      format: 'unknown',
      fileId: '',
      payments: [],
      errors: [{ line: 0, message: 'unknown file format: neither BgMax (starts with "01BGMAX") nor XML' }],
    });
  });

  it('never throws, and books nothing when there is an error, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('', '01BGMAX', '<?xml version="1.0"?><Document>'), (tail, head) => {
        // Prepare
        const bytes = new Uint8Array([...new TextEncoder().encode(head), ...tail]);
        // Act
        const report = parsePaymentFile(bytes);
        // Assess
        if (report.errors.length > 0) expect(report.payments).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws for a valid file with one character changed, and never books a changed amount', () => {
    // Prepare
    const valid = [
      decodeLatin1(
        buildBgMaxFile(
          [
            { reference: '10004232', amountOre: 124550, payerName: 'Åsa Öberg' },
            { reference: '20000170', amountOre: 45000 },
          ],
          { bankgiro: '50501055', date: '2026-11-02' },
        ),
      ),
      new TextDecoder().decode(fixture('camt054-fi.xml')),
    ];
    fc.assert(
      fc.property(fc.constantFrom(0, 1), fc.nat(), fc.constantFrom(...'0123456789 <>/.xA'), (which, position, replacement) => {
        // Prepare
        const text = valid[which]!;
        const at = position % text.length;
        const changed = text.slice(0, at) + replacement + text.slice(at + 1);
        const bytes = which === 0 ? new Uint8Array(Buffer.from(changed, 'latin1')) : new TextEncoder().encode(changed);
        // Act
        const report = parsePaymentFile(bytes);
        // Assess
        if (report.errors.length > 0) expect(report.payments).toEqual([]);
        const total = report.payments.reduce((sum, payment) => sum + payment.amount.amount, 0);
        // A changed status may drop an entry (not booked yet); no change may alter an amount that is booked.
        if (report.errors.length === 0) expect([0, 169550, 128290 + 5610, 128290, 5610]).toContain(total);
      }),
      { numRuns: 500 },
    );
  });
});
