// Swedish personnummer, samordningsnummer and organisationsnummer against published examples.
import { parseNationalId } from '../../../lambdas/domain/ids/index.js';

const today = new Date('2026-11-23T12:00:00Z');

describe('Swedish personnummer and samordningsnummer', () => {
  it.each([
    // Widely used test personnummer.
    ['19121212-1212', '191212121212', '1912-12-12', 'personnummer'],
    ['191212121212', '191212121212', '1912-12-12', 'personnummer'],
    // Widely used example number; '-' means the holder turns at most 99 this year.
    ['811218-9876', '198112189876', '1981-12-18', 'personnummer'],
    ['8112189876', '198112189876', '1981-12-18', 'personnummer'],
    ['  19811218-9876 ', '198112189876', '1981-12-18', 'personnummer'],
    // Leap day: 2000 and 2004 are leap years.
    ['20000229-0005', '200002290005', '2000-02-29', 'personnummer'],
    ['040229-0001', '200402290001', '2004-02-29', 'personnummer'],
    // '+': the holder turns 100 or more this calendar year (folkbokföringslagen 18 §).
    ['900101+0009', '189001010009', '1890-01-01', 'personnummer'],
    ['121212+1212', '191212121212', '1912-12-12', 'personnummer'],
    // The usual samordningsnummer example: day 63 = 3 October 1970.
    ['701063-2391', '197010632391', '1970-10-03', 'samordningsnummer'],
    ['197010632391', '197010632391', '1970-10-03', 'samordningsnummer'],
  ])('accepts %s', (input, canonical, birthDate, type) => {
    // Prepare
    const expected = { ok: true, country: 'SE', type, holder: 'person', canonical, birthDate };

    // Act
    const result = parseNationalId('SE', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  it.each([
    ['811218-9877', 'checksum digit does not match'],
    ['19990230-1234', 'not a valid date'],
    ['990230-1234', 'not a valid date'],
    ['20190229-0004', 'not a valid date'],
    ['701060-2394', 'not a valid date'],
    ['20270101-0007', 'birth date is in the future'],
    ['17121212-1212', 'not a valid date'],
    ['19121212+1212', "a 12-digit personnummer is written with '-', not '+'"],
    ['81121-89876', 'wrong format: write YYMMDD-NNNN or YYYYMMDD-NNNN'],
    ['811218-987', 'wrong length: a Swedish personnummer has 10 or 12 digits'],
    ['811218 9876', "unexpected characters: use digits with an optional '-' or '+'"],
    ['', 'enter an identity number'],
  ])('rejects %p', (input, reason) => {
    // Prepare
    const expected = { ok: false, reason };

    // Act
    const result = parseNationalId('SE', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  it('reads a ten-digit number as born in this year only up to today', () => {
    // Prepare
    const dayBeforeBirthday = new Date('2026-06-14T12:00:00Z');
    const birthday = new Date('2026-06-15T12:00:00Z');
    const newborn = '260615-0007';

    // Act
    const tooEarly = parseNationalId('SE', newborn, dayBeforeBirthday);
    const onTheDay = parseNationalId('SE', newborn, birthday);

    // Assess
    expect(tooEarly).toEqual({ ok: false, reason: 'birth date is in the future' });
    expect(onTheDay).toMatchObject({ ok: true, canonical: '202606150007', birthDate: '2026-06-15' });
  });

  it("reads a ten-digit number written with '-' as under 100 this year, so never as a future date", () => {
    // Prepare
    const nextYearOrLastCentury = '270101-0007';

    // Act
    const result = parseNationalId('SE', nextYearOrLastCentury, today);

    // Assess
    expect(result).toMatchObject({ ok: true, canonical: '192701010007', birthDate: '1927-01-01' });
  });
});

describe('Swedish organisationsnummer', () => {
  it.each([
    // Telefonaktiebolaget LM Ericsson (Bolagsverket).
    ['556016-0680', '5560160680'],
    ['5560160680', '5560160680'],
    ['16556016-0680', '5560160680'],
    ['165560160680', '5560160680'],
    // Göteborgs kommun.
    ['212000-1355', '2120001355'],
  ])('accepts %s', (input, canonical) => {
    // Prepare
    const expected = { ok: true, country: 'SE', type: 'organisationsnummer', holder: 'organisation', canonical };

    // Act
    const result = parseNationalId('SE', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  it.each([
    ['556016-0681', 'checksum digit does not match'],
    ['556016+0680', "an organisationsnummer is written with '-', not '+'"],
    ['165510160681', 'not a valid organisationsnummer: the third digit is 2 or higher'],
  ])('rejects %s', (input, reason) => {
    // Prepare
    const expected = { ok: false, reason };

    // Act
    const result = parseNationalId('SE', input, today);

    // Assess
    expect(result).toEqual(expected);
  });

  it('never reads an organisationsnummer as a personnummer', () => {
    // Prepare
    const monthPartOfTwenty = '212000-1355';

    // Act
    const result = parseNationalId('SE', monthPartOfTwenty, today);

    // Assess
    expect(result).toMatchObject({ ok: true, holder: 'organisation' });
    expect(result).not.toHaveProperty('birthDate');
  });
});
