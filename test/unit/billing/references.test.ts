// Payment references (R-SE-13, R-FI-2): Bankgirot OCR, Finnish viitenumero, RF (ISO 11649), Norwegian KID.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  finnishReference,
  formatFinnishReference,
  invoiceReference,
  isValidFinnishReference,
  isValidKid,
  isValidRfReference,
  isValidSwedishOcr,
  normaliseReference,
  norwegianKid,
  rfReference,
  swedishOcr,
} from '../../../lambdas/domain/billing/references.js';
import { ValidationError } from '../../../lambdas/domain/errors.js';
import { luhnCheckDigit } from '../ids/reference-check-digits.js';

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const noLeadingZero = (min: number, max: number) =>
  fc.tuple(fc.constantFrom(...'123456789'), digits(min - 1, max - 1)).map(([first, rest]) => first + rest);

/** Every reference with exactly one digit replaced by another digit. */
function singleDigitChanges(reference: string): string[] {
  const out: string[] = [];
  [...reference].forEach((character, i) => {
    if (!/\d/.test(character)) return;
    for (const replacement of '0123456789') {
      if (replacement !== character) out.push(reference.slice(0, i) + replacement + reference.slice(i + 1));
    }
  });
  return out;
}

describe('Swedish OCR (Bankgirot, check digit and length digit)', () => {
  it('matches published examples', () => {
    // Assess: barsoom/banktools-se, OCR.from_number("123", length_digit: true) => "12351"
    expect(swedishOcr('123')).toBe('12351');
    // 10 digits: the length digit is 0; Luhn of 123456780 is 6 (worked by hand)
    expect(swedishOcr('12345678')).toBe('1234567806');
  });

  it('writes the total length mod 10 as the second-to-last digit', () => {
    // Act
    const short = swedishOcr('1234567'); // 9 digits
    const long = swedishOcr('12345678901234567890123'); // 25 digits
    // Assess
    expect(short).toHaveLength(9);
    expect(short.at(-2)).toBe('9');
    expect(long).toHaveLength(25);
    expect(long.at(-2)).toBe('5');
  });

  it('validates what it generates, and the check digit agrees with an independent Luhn', () => {
    fc.assert(
      fc.property(digits(1, 23), (base) => {
        const ocr = swedishOcr(base);
        expect(isValidSwedishOcr(ocr)).toBe(true);
        expect(ocr.slice(0, base.length)).toBe(base);
        expect(Number(ocr.at(-1))).toBe(luhnCheckDigit(ocr.slice(0, -1)));
      }),
    );
  });

  it('detects every single-digit error, length digit included', () => {
    fc.assert(
      fc.property(digits(1, 23), (base) => {
        for (const changed of singleDigitChanges(swedishOcr(base))) expect(isValidSwedishOcr(changed)).toBe(false);
      }),
    );
  });

  it('detects adjacent transpositions except 0 and 9 next to each other', () => {
    fc.assert(
      fc.property(digits(1, 23), fc.nat(), (base, at) => {
        const ocr = swedishOcr(base);
        const i = at % (ocr.length - 1);
        const [a, b] = [ocr[i]!, ocr[i + 1]!];
        fc.pre(a !== b && !((a === '0' && b === '9') || (a === '9' && b === '0')));
        const swapped = ocr.slice(0, i) + b + a + ocr.slice(i + 2);
        expect(isValidSwedishOcr(swapped)).toBe(false);
      }),
    );
  });

  it('catches an added or dropped digit through the length digit', () => {
    // Prepare: Luhn alone cannot see a leading zero
    const ocr = swedishOcr('4711');
    // Assess
    expect(isValidSwedishOcr(`0${ocr}`)).toBe(false);
    expect(isValidSwedishOcr(ocr.slice(1))).toBe(false);
  });

  it('refuses non-digits and lengths outside 2-25', () => {
    expect(isValidSwedishOcr('12 351')).toBe(false);
    expect(isValidSwedishOcr('1235a')).toBe(false);
    expect(isValidSwedishOcr('')).toBe(false);
    expect(isValidSwedishOcr('7')).toBe(false);
    expect(isValidSwedishOcr('26')).toBe(true); // empty base: length 2, Luhn of "2" is 6
    expect(() => swedishOcr('')).toThrow(ValidationError);
    expect(() => swedishOcr('123456789012345678901234')).toThrow(ValidationError);
    expect(() => swedishOcr('12-3')).toThrow(ValidationError);
  });
});

describe('Finnish reference number (viitenumero)', () => {
  it('matches published examples', () => {
    // Assess: spec example 123 -> 1232; 617435 -> 6174354 (teppovuori.fi); 123123 -> 1231234
    // (enberg/viite); 23409678 -> 2340 96783 (tanty/finnish-reference-number)
    expect(finnishReference('123')).toBe('1232');
    expect(finnishReference('617435')).toBe('6174354');
    expect(finnishReference('123123')).toBe('1231234');
    expect(formatFinnishReference(finnishReference('23409678'))).toBe('2340 96783');
    expect(isValidFinnishReference('1232')).toBe(true);
    expect(isValidFinnishReference('1231234')).toBe(true);
  });

  it('accepts spaces only as groups of five, from the right or from the left', () => {
    expect(isValidFinnishReference('2340 96783')).toBe(true);
    expect(isValidFinnishReference('23409 6783')).toBe(true);
    expect(isValidFinnishReference('234 096783')).toBe(false);
    expect(isValidFinnishReference('2340  96783')).toBe(false);
    expect(isValidFinnishReference(' 234096783')).toBe(false);
  });

  it('ignores leading zeros, as bank files pad references to 20 digits', () => {
    expect(isValidFinnishReference('00000000000000001232')).toBe(true);
    expect(isValidFinnishReference('000000000000000001232')).toBe(false); // 21 digits
    expect(isValidFinnishReference('0123')).toBe(false); // 123 alone is too short
    expect(formatFinnishReference('00000000000234096783')).toBe('2340 96783');
  });

  it('keeps to 4-20 digits and a base without leading zeros', () => {
    expect(() => finnishReference('12')).toThrow(ValidationError);
    expect(() => finnishReference('1'.repeat(20))).toThrow(ValidationError);
    expect(() => finnishReference('0123')).toThrow(ValidationError);
    expect(finnishReference('1'.repeat(19))).toHaveLength(20);
    expect(isValidFinnishReference('232')).toBe(false);
  });

  it('formats in groups of five from the right', () => {
    expect(formatFinnishReference('1234561')).toBe('12 34561');
    expect(formatFinnishReference('1232')).toBe('1232');
    expect(formatFinnishReference(finnishReference('1234512345123451234'))).toMatch(/^12345 12345 12345 1234\d$/);
    expect(() => formatFinnishReference('1233')).toThrow(ValidationError);
  });

  it('validates what it generates, and its formatted form', () => {
    fc.assert(
      fc.property(noLeadingZero(3, 19), (base) => {
        const reference = finnishReference(base);
        expect(isValidFinnishReference(reference)).toBe(true);
        expect(isValidFinnishReference(formatFinnishReference(reference))).toBe(true);
        expect(formatFinnishReference(reference).replace(/ /g, '')).toBe(reference);
      }),
    );
  });

  it('detects every single-digit error (weights 7, 3, 1 are all prime to 10)', () => {
    fc.assert(
      fc.property(noLeadingZero(3, 19), (base) => {
        for (const changed of singleDigitChanges(finnishReference(base))) expect(isValidFinnishReference(changed)).toBe(false);
      }),
    );
  });
});

describe('RF creditor reference (ISO 11649)', () => {
  it('matches published examples', () => {
    // Assess: the standard's example, and node-iso11649 / iso-11649 examples
    expect(isValidRfReference('RF18539007547034')).toBe(true);
    expect(isValidRfReference('RF18 5390 0754 7034')).toBe(true);
    expect(isValidRfReference('rf18 5390 0754 7034')).toBe(true);
    expect(isValidRfReference('RF451234512345')).toBe(true);
    expect(isValidRfReference('RF96TU06FX')).toBe(true);
    expect(isValidRfReference('RF720HYA6')).toBe(true);
    expect(isValidRfReference('RF19GAX8WS5JYOOUJ87')).toBe(false);
    expect(isValidRfReference('RF17539007547034')).toBe(false);
  });

  it('wraps a Finnish reference without its spaces and leading zeros', () => {
    expect(rfReference('1232')).toBe('RF111232');
    expect(rfReference('0001232')).toBe('RF111232');
    expect(rfReference('2340 96783')).toMatch(/^RF\d\d234096783$/);
    expect(() => rfReference('1233')).toThrow(ValidationError);
  });

  it('refuses check digits 00, 01 and 99 and bodies longer than 21', () => {
    expect(isValidRfReference('RF99' + '1232')).toBe(false);
    expect(isValidRfReference('RF00' + '1232')).toBe(false);
    expect(isValidRfReference('RF01' + '1232')).toBe(false);
    expect(isValidRfReference('RF12' + '1'.repeat(22))).toBe(false);
    expect(isValidRfReference('RF')).toBe(false);
  });

  it('validates every RF form of a valid Finnish reference, and detects every single-digit error', () => {
    fc.assert(
      fc.property(noLeadingZero(3, 19), (base) => {
        const rf = rfReference(finnishReference(base));
        expect(isValidRfReference(rf)).toBe(true);
        for (const changed of singleDigitChanges(rf)) expect(isValidRfReference(changed)).toBe(false);
      }),
    );
  });
});

describe('Norwegian KID (MOD10)', () => {
  it('matches a published example', () => {
    // Assess: Monitor ERP's KID example, invoice 60224 -> 602243
    expect(norwegianKid('60224')).toBe('602243');
    expect(isValidKid('602243')).toBe(true);
    expect(isValidKid('602244')).toBe(false);
  });

  it('keeps to 2-25 digits', () => {
    expect(isValidKid('0')).toBe(false);
    expect(isValidKid('00')).toBe(true);
    expect(isValidKid('6022-43')).toBe(false);
    expect(() => norwegianKid('')).toThrow(ValidationError);
    expect(() => norwegianKid('1'.repeat(25))).toThrow(ValidationError);
    expect(norwegianKid('1'.repeat(24))).toHaveLength(25);
  });

  it('validates what it generates and detects every single-digit error', () => {
    fc.assert(
      fc.property(digits(1, 24), (base) => {
        const kid = norwegianKid(base);
        expect(isValidKid(kid)).toBe(true);
        for (const changed of singleDigitChanges(kid)) expect(isValidKid(changed)).toBe(false);
      }),
    );
  });
});

describe('invoiceReference', () => {
  it('builds each country\'s reference on the invoice number', () => {
    expect(invoiceReference('SE', 100001)).toBe(swedishOcr('100001'));
    expect(invoiceReference('SE', 100001)).toBe('10000180');
    expect(invoiceReference('FI', 100001)).toBe('1000012');
    expect(invoiceReference('NO', 100001)).toBe('1000017');
  });

  it('is deterministic, valid, and its own normal form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: Number.MAX_SAFE_INTEGER }), (invoiceNumber) => {
        const se = invoiceReference('SE', invoiceNumber);
        const fi = invoiceReference('FI', invoiceNumber);
        const no = invoiceReference('NO', invoiceNumber);
        expect(isValidSwedishOcr(se)).toBe(true);
        expect(isValidFinnishReference(fi)).toBe(true);
        expect(isValidKid(no)).toBe(true);
        for (const reference of [se, fi, no]) expect(normaliseReference(reference)).toBe(reference);
        expect(invoiceReference('SE', invoiceNumber)).toBe(se);
      }),
    );
  });

  it('gives different invoices different references', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 10 ** 12 }), fc.integer({ min: 100, max: 10 ** 12 }), (a, b) => {
        fc.pre(a !== b);
        for (const country of ['SE', 'FI', 'NO'] as const) expect(invoiceReference(country, a)).not.toBe(invoiceReference(country, b));
      }),
    );
  });

  it('refuses invoice numbers that cannot make a reference', () => {
    expect(() => invoiceReference('SE', 0)).toThrow(RangeError);
    expect(() => invoiceReference('SE', 1.5)).toThrow(RangeError);
    expect(() => invoiceReference('NO', Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(() => invoiceReference('FI', 99)).toThrow(RangeError);
    expect(invoiceReference('SE', 1)).toBe('133'); // 1, length 3, Luhn of "13": 3×2 + 1 = 7, check 3
  });
});

describe('normaliseReference', () => {
  it('strips whitespace of every kind and leading zeros', () => {
    expect(normaliseReference(' 2340 96783 ')).toBe('234096783');
    expect(normaliseReference('2340\u00a096783\t')).toBe('234096783');
    expect(normaliseReference('00000000000234096783')).toBe('234096783');
    expect(normaliseReference('0000')).toBe('0');
    expect(normaliseReference('   ')).toBe('');
  });

  it('turns a valid RF reference with a numeric body into that body', () => {
    const rf = rfReference('234096783');
    expect(normaliseReference(rf)).toBe('234096783');
    expect(normaliseReference(`${rf.slice(0, 4).toLowerCase()} ${rf.slice(4)}`)).toBe('234096783');
    expect(normaliseReference('RF18539007547034')).toBe('539007547034');
  });

  it('leaves invalid RF references and alphanumeric bodies alone (they match nothing issued)', () => {
    expect(normaliseReference('RF17539007547034')).toBe('RF17539007547034');
    expect(normaliseReference('rf96 tu06 fx')).toBe('RF96TU06FX');
    expect(normaliseReference('12345-6')).toBe('12345-6');
  });

  it('matches a bank file\'s padded or spaced form to the issued reference', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 10 ** 15 }), fc.nat({ max: 10 }), (invoiceNumber, zeros) => {
        const issued = invoiceReference('FI', invoiceNumber);
        expect(normaliseReference('0'.repeat(zeros) + issued)).toBe(issued);
        expect(normaliseReference(formatFinnishReference(issued))).toBe(issued);
        expect(normaliseReference(rfReference(issued))).toBe(issued);
        expect(normaliseReference(normaliseReference(` ${issued} `))).toBe(normaliseReference(issued));
      }),
    );
  });
});
