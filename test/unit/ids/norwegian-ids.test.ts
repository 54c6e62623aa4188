// Norwegian fødselsnummer, D-nummer and organisasjonsnummer, including Skatteetaten's 2032 control-digit rule.
import { parseNationalId } from '../../../lambdas/domain/ids/index.js';

const today = new Date('2026-11-23T12:00:00Z');

describe('Norwegian fødselsnummer and D-nummer', () => {
  it.each([
    // Widely used example numbers.
    ['01010750160', 'fodselsnummer', '2007-01-01'],
    ['010107 50160', 'fodselsnummer', '2007-01-01'],
    ['15076500565', 'fodselsnummer', '1965-07-15'],
    // Skatteetaten's reference cases (foedselsnummer.csv): a 1964-rule number and a leap day.
    ['20036914700', 'fodselsnummer', '1969-03-20'],
    ['29020073150', 'fodselsnummer', '2000-02-29'],
    // Skatteetaten's "Nytt fødselsnummer fra 2032", person 1: remainder 0, so the 1964 series still apply.
    ['30108299920', 'fodselsnummer', '1982-10-30'],
    // D-nummer: 41 = day 01 + 40.
    ['41018036736', 'd-nummer', '1980-01-01'],
    // Computed: individnummer 800 with 1985 was only ever in the D-nummer series since 2021.
    ['41018580045', 'd-nummer', '1985-01-01'],
  ])('accepts %p', (input, type, birthDate) => {
    // Prepare
    const expected = { ok: true, country: 'NO', type, holder: 'person', canonical: input.replace(' ', ''), birthDate };

    // Act
    const result = parseNationalId('NO', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  it.each([
    // Skatteetaten's 2032 examples: k1 from 12 − (S1 mod 11), remainder 1 and 2; the century is not encoded.
    ['30108299939', 'fodselsnummer'],
    ['55102499947', 'd-nummer'],
    // Computed: 1964 and 2021 D-nummer series disagree (1930 or 2030).
    ['41013030187', 'd-nummer'],
    // Computed: individnummer 800 with year 85 is in no published fødselsnummer series.
    ['01018580051', 'fodselsnummer'],
  ])('accepts %s without a birth date where the century is not written in it', (input, type) => {
    // Prepare
    const expected = { ok: true, country: 'NO', type, holder: 'person', canonical: input };

    // Act
    const result = parseNationalId('NO', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  it("dates Skatteetaten's first 2032 example to 2 January 2032 once that day has come", () => {
    // Prepare
    const firstNumberOf2032 = '02013299997';

    // Act
    const before = parseNationalId('NO', firstNumberOf2032, today);
    const after = parseNationalId('NO', firstNumberOf2032, new Date('2032-06-01T12:00:00Z'));

    // Assess
    expect(before).toEqual({ ok: false, reason: 'birth date is in the future' });
    expect(after).toMatchObject({ ok: true, type: 'fodselsnummer', birthDate: '2032-01-02' });
  });

  it.each([
    // Skatteetaten's reference cases: k2 wrong; 29 February 2001.
    ['20036914712', 'checksum digit does not match'],
    ['29020105729', 'not a valid date'],
    ['01010750161', 'checksum digit does not match'],
    ['01010750150', 'checksum digit does not match'],
    // H-nummer example from the rapwhale health-registry package (month 41 = January + 40).
    ['01410199935', 'an H-nummer (month + 40) is a health-service help number, not a fødselsnummer or D-nummer'],
    // Skatteetaten's synthetic test numbers (month + 80) are not real identities.
    ['03851598730', 'not a valid date'],
    ['41819077906', 'not a valid date'],
    ['0101075016', 'wrong length: a Norwegian fødselsnummer has 11 digits, an organisasjonsnummer 9'],
    ['010107-50160', 'unexpected characters: use digits only'],
  ])('rejects %s', (input, reason) => {
    // Prepare
    const expected = { ok: false, reason };

    // Act
    const result = parseNationalId('NO', input, today);

    // Assess
    expect(result).toEqual(expected);
  });
});

describe('Norwegian organisasjonsnummer', () => {
  it.each([
    ['923609016', '923609016'],
    // Brønnøysundregistrene.
    ['974760673', '974760673'],
    ['974 760 673', '974760673'],
  ])('accepts %p', (input, canonical) => {
    // Prepare
    const expected = { ok: true, country: 'NO', type: 'organisasjonsnummer', holder: 'organisation', canonical };

    // Act
    const result = parseNationalId('NO', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  it.each([
    ['974760674', 'checksum digit does not match'],
    ['100000130', 'not a valid organisasjonsnummer: no check digit exists for these digits'],
  ])('rejects %s', (input, reason) => {
    // Prepare
    const expected = { ok: false, reason };

    // Act
    const result = parseNationalId('NO', input, today);

    // Assess
    expect(result).toEqual(expected);
  });
});
