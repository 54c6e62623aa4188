// Finnish HETU and Y-tunnus against DVV's published examples and the 2023 century signs.
import { parseNationalId } from '../../../lambdas/domain/ids/index.js';

const today = new Date('2026-11-23T12:00:00Z');
const temporaryCode = 'a temporary identity code (individual number 900-999) is not a registered HETU';

describe('Finnish HETU', () => {
  it.each([
    // DVV's example: a woman born 13 October 1952.
    ['131052-308T', '131052-308T', '1952-10-13'],
    ['131052-308t', '131052-308T', '1952-10-13'],
    [' 131052-308T ', '131052-308T', '1952-10-13'],
    // Computed with the mod-31 rule (not published): the 2023 signs keep their century.
    ['010594Y302N', '010594Y302N', '1994-05-01'],
    ['010594u303p', '010594U303P', '1994-05-01'],
    ['010516B302J', '010516B302J', '2016-05-01'],
    ['010199+302R', '010199+302R', '1899-01-01'],
    ['290200A3022', '290200A3022', '2000-02-29'],
  ])('accepts %p', (input, canonical, birthDate) => {
    // Prepare
    const expected = { ok: true, country: 'FI', type: 'hetu', holder: 'person', canonical, birthDate };

    // Act
    const result = parseNationalId('FI', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  // DVV's fictitious test persons for the 2023 century signs. They use the temporary range
  // 900–999, so they pass the check character and are then refused as unregistered codes.
  it.each([
    '010594Y9032', '010594Y9021', '020594X903P', '020594X902N', '030594W903B', '030694W9024',
    '040594V9030', '040594V902Y', '050594U903M', '050594U902L', '010516B903X', '010516B902W',
    '020516C903K', '020516C902J', '030516D9037', '030516D9026', '010501E9032', '020502E902X',
    '020503F9037', '020504A902E', '020504B904H',
  ])('checks DVV test code %s and refuses it as temporary', (hetu) => {
    // Prepare
    const wrongControl = hetu.slice(0, 10) + (hetu.endsWith('0') ? '1' : '0');

    // Act
    const asPublished = parseNationalId('FI', hetu, today);
    const withWrongControl = parseNationalId('FI', wrongControl, today);

    // Assess
    expect(asPublished).toEqual({ ok: false, reason: temporaryCode });
    expect(withWrongControl).toEqual({ ok: false, reason: 'checksum digit does not match' });
  });

  it.each([
    // Listed as 040594V902V in our brief; DVV's list has 040594V902Y, which the rule confirms.
    ['040594V902V', 'checksum digit does not match'],
    ['131052-308U', 'checksum digit does not match'],
    ['131052-000V', 'individual numbers 000 and 001 are never issued'],
    ['010594-001Y', 'individual numbers 000 and 001 are never issued'],
    ['290201A302A', 'not a valid date'],
    ['010130A302X', 'birth date is in the future'],
    ['131052G308T', 'unknown century sign: use +, -, Y, X, W, V, U or A to F'],
    ['131052-308Z', 'wrong format: a HETU is DDMMYY, a century sign, three digits and a control character'],
    ['131052-308', 'wrong length: a Finnish HETU has 11 characters, a Y-tunnus 7 digits, a hyphen and a check digit'],
  ])('rejects %s', (input, reason) => {
    // Prepare
    const expected = { ok: false, reason };

    // Act
    const result = parseNationalId('FI', input, today);

    // Assess
    expect(result).toEqual(expected);
  });
});

describe('Finnish Y-tunnus', () => {
  it.each([
    // Business IDs used as examples across Finnish validators.
    ['0737546-2', '0737546-2'],
    ['1572860-0', '1572860-0'],
    ['07375462', '0737546-2'],
    // Legacy six-digit form: a leading zero is added.
    ['737546-2', '0737546-2'],
  ])('accepts %s', (input, canonical) => {
    // Prepare
    const expected = { ok: true, country: 'FI', type: 'y-tunnus', holder: 'organisation', canonical };

    // Act
    const result = parseNationalId('FI', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  it.each([
    ['0737546-3', 'checksum digit does not match'],
    ['1572860-1', 'checksum digit does not match'],
    ['1000008-0', 'not a valid Y-tunnus: no check digit exists for these digits'],
    ['0737546', 'wrong length: a Finnish HETU has 11 characters, a Y-tunnus 7 digits, a hyphen and a check digit'],
  ])('rejects %s', (input, reason) => {
    // Prepare
    const expected = { ok: false, reason };

    // Act
    const result = parseNationalId('FI', input, today);

    // Assess
    expect(result).toEqual(expected);
  });
});
