// Property tests: generated valid numbers round-trip, single-digit errors are caught, nothing throws.
import fc from 'fast-check';
import { parseNationalId, type Country, type NationalIdType } from '../../../lambdas/domain/ids/index.js';
import {
  hetuControlCharacter,
  luhnCheckDigit,
  norwegianControlDigits,
  organisasjonsnummerCheckDigit,
  yTunnusCheckDigit,
} from './reference-check-digits.js';

const today = new Date('2026-11-23T12:00:00Z');

/** A valid number: the forms a user may type, its canonical form and what parsing must report. */
interface Generated {
  country: Country;
  type: NationalIdType;
  canonical: string;
  inputs: string[];
  birthDate?: string;
  /** Indexes into `canonical` of the digits its check digit(s) protect, check digits included. */
  checkedPositions: number[];
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, offset) => from + offset);
const birthDay = (min: string) => fc.date({ min: new Date(`${min}T00:00:00Z`), max: today, noInvalidDate: true });
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const ddmmyy = (date: Date, dayOffset = 0) =>
  pad(date.getUTCDate() + dayOffset, 2) + pad(date.getUTCMonth() + 1, 2) + pad(date.getUTCFullYear() % 100, 2);

const swedishPerson: fc.Arbitrary<Generated> = fc
  .record({ birth: birthDay('1827-01-01'), serial: fc.integer({ min: 0, max: 999 }), coordination: fc.boolean() })
  .map(({ birth, serial, coordination }) => {
    const year = birth.getUTCFullYear();
    const datePart = pad(year % 100, 2) + pad(birth.getUTCMonth() + 1, 2) + pad(birth.getUTCDate() + (coordination ? 60 : 0), 2);
    const payload = datePart + pad(serial, 3);
    const tenDigits = `${payload}${luhnCheckDigit(payload)}`;
    const separator = today.getUTCFullYear() - year >= 100 ? '+' : '-';
    const canonical = `${Math.floor(year / 100)}${tenDigits}`;
    return {
      country: 'SE',
      type: coordination ? 'samordningsnummer' : 'personnummer',
      canonical,
      inputs: [canonical, `${canonical.slice(0, 8)}-${canonical.slice(8)}`, `${datePart}${separator}${tenDigits.slice(6)}`],
      birthDate: isoDay(birth),
      checkedPositions: range(2, 11),
    };
  });

const swedishOrganisation: fc.Arbitrary<Generated> = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([leading, third, rest]) => {
    const payload = pad(leading, 2) + third + pad(rest, 6);
    const canonical = `${payload}${luhnCheckDigit(payload)}`;
    const withHyphen = `${canonical.slice(0, 6)}-${canonical.slice(6)}`;
    return {
      country: 'SE',
      type: 'organisationsnummer',
      canonical,
      inputs: [canonical, withHyphen, `16${canonical}`, `16${withHyphen}`],
      checkedPositions: range(0, 9),
    };
  });

const hetuSigns = (year: number) => (year < 1900 ? ['+'] : year < 2000 ? [...'-YXWVU'] : [...'ABCDEF']);
const hetu: fc.Arbitrary<Generated> = fc
  .record({ birth: birthDay('1800-01-01'), individual: fc.integer({ min: 2, max: 899 }), sign: fc.nat() })
  .map(({ birth, individual, sign }) => {
    const signs = hetuSigns(birth.getUTCFullYear());
    const datePart = ddmmyy(birth);
    const individualNumber = pad(individual, 3);
    const canonical = `${datePart}${signs[sign % signs.length]}${individualNumber}${hetuControlCharacter(datePart, individualNumber)}`;
    const controlIsDigit = /\d$/.test(canonical);
    return {
      country: 'FI',
      type: 'hetu',
      canonical,
      inputs: [canonical, canonical.toLowerCase(), ` ${canonical}\t`],
      birthDate: isoDay(birth),
      checkedPositions: [...range(0, 5), ...range(7, 9), ...(controlIsDigit ? [10] : [])],
    };
  });

const yTunnus: fc.Arbitrary<Generated> = fc
  .integer({ min: 0, max: 9_999_999 })
  .map((value) => pad(value, 7))
  .filter((body) => yTunnusCheckDigit(body) !== undefined)
  .map((body) => {
    const canonical = `${body}-${yTunnusCheckDigit(body)}`;
    const legacy = body.startsWith('0') ? [canonical.slice(1)] : [];
    return {
      country: 'FI',
      type: 'y-tunnus',
      canonical,
      inputs: [canonical, canonical.replace('-', ''), ...legacy],
      checkedPositions: [...range(0, 6), 8],
    };
  });

/** Individnummer ranges whose century every published series agrees on, by kind and birth year. */
function unambiguousIndividualRange(isDNummer: boolean, year: number): [number, number] {
  if (year >= 2000) return [500, 999];
  if (!isDNummer) return year < 1900 ? [500, 749] : [0, 499];
  return year < 1940 ? [0, 199] : [0, 499];
}

const norwegianPerson: fc.Arbitrary<Generated> = fc
  .record({
    isDNummer: fc.boolean(),
    birth: birthDay('1854-01-01'),
    individualSeed: fc.nat(),
    k1Variant: fc.constantFrom(0, 0, 1, 2, 3),
  })
  .filter(({ isDNummer, birth }) => !isDNummer || birth.getUTCFullYear() >= 1900)
  .map(({ isDNummer, birth, individualSeed, k1Variant }) => {
    const [lowest, highest] = unambiguousIndividualRange(isDNummer, birth.getUTCFullYear());
    const nineDigits = ddmmyy(birth, isDNummer ? 40 : 0) + pad(lowest + (individualSeed % (highest - lowest + 1)), 3);
    const controlDigits = norwegianControlDigits(nineDigits, k1Variant);
    return { isDNummer, birth, k1Variant, nineDigits, controlDigits };
  })
  .filter(({ controlDigits }) => controlDigits !== undefined)
  .map(({ isDNummer, birth, k1Variant, nineDigits, controlDigits }) => {
    const canonical = `${nineDigits}${controlDigits}`;
    return {
      country: 'NO',
      type: isDNummer ? 'd-nummer' : 'fodselsnummer',
      canonical,
      inputs: [canonical, `${canonical.slice(0, 6)} ${canonical.slice(6)}`],
      // A 2032-rule number (k1 variant 1–3) does not encode its century.
      ...(k1Variant === 0 ? { birthDate: isoDay(birth) } : {}),
      checkedPositions: range(0, 10),
    };
  });

const norwegianOrganisation: fc.Arbitrary<Generated> = fc
  .integer({ min: 0, max: 99_999_999 })
  .map((value) => pad(value, 8))
  .filter((body) => organisasjonsnummerCheckDigit(body) !== undefined)
  .map((body) => {
    const canonical = `${body}${organisasjonsnummerCheckDigit(body)}`;
    return {
      country: 'NO',
      type: 'organisasjonsnummer',
      canonical,
      inputs: [canonical, `${canonical.slice(0, 3)} ${canonical.slice(3, 6)} ${canonical.slice(6)}`],
      checkedPositions: range(0, 8),
    };
  });

const generators: Array<[string, fc.Arbitrary<Generated>]> = [
  ['Swedish personnummer and samordningsnummer', swedishPerson],
  ['Swedish organisationsnummer', swedishOrganisation],
  ['Finnish HETU', hetu],
  ['Finnish Y-tunnus', yTunnus],
  ['Norwegian fødselsnummer and D-nummer', norwegianPerson],
  ['Norwegian organisasjonsnummer', norwegianOrganisation],
];

describe.each(generators)('%s', (_name, validNumber) => {
  it('parses every form of a valid number to its canonical form', () => {
    fc.assert(
      fc.property(validNumber, (generated) => {
        // Prepare
        const { country, type, canonical, birthDate } = generated;
        const holder = ['organisationsnummer', 'y-tunnus', 'organisasjonsnummer'].includes(type) ? 'organisation' : 'person';
        const expected = { ok: true, country, type, holder, canonical, ...(birthDate === undefined ? {} : { birthDate }) };

        // Act
        const results = generated.inputs.map((input) => parseNationalId(country, input, today));

        // Assess
        for (const result of results) expect(result).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects the number when any one checked digit is changed', () => {
    const mutation = validNumber.chain((generated) =>
      fc.record({
        generated: fc.constant(generated),
        position: fc.constantFrom(...generated.checkedPositions),
        shift: fc.integer({ min: 1, max: 9 }),
      }),
    );
    fc.assert(
      fc.property(mutation, ({ generated, position, shift }) => {
        // Prepare
        const { country, canonical } = generated;
        const changedDigit = (Number(canonical.charAt(position)) + shift) % 10;
        const mistyped = canonical.slice(0, position) + changedDigit + canonical.slice(position + 1);

        // Act
        const result = parseNationalId(country, mistyped, today);

        // Assess
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseNationalId on arbitrary input', () => {
  const country = fc.constantFrom<Country>('SE', 'FI', 'NO');
  const anyDay = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });
  const nearMisses = fc.string({ unit: fc.constantFrom(...'0123456789-+ \tAaBbYXWVUFZ'), maxLength: 16 });

  it.each([
    ['any text', fc.string({ unit: 'binary', maxLength: 40 })],
    ['strings of digits, separators and century signs', nearMisses],
  ])('never throws on %s and always says why it rejects', (_name, input) => {
    fc.assert(
      fc.property(country, input, anyDay, (countryCode, text, day) => {
        // Prepare
        const parse = () => parseNationalId(countryCode, text, day);

        // Act
        const outcome = () => {
          const result = parse();
          return result.ok ? result.canonical.length > 0 : result.reason.length > 0;
        };

        // Assess
        expect(outcome).not.toThrow();
        expect(outcome()).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
