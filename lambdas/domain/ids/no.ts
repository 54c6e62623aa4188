/**
 * Norwegian identity numbers.
 *
 * Fødselsnummer (Skatteetaten, Folkeregisteret): DDMMYY, a three-digit individnummer and two
 * control digits k1, k2. D-nummer: the same with 4 added to the first digit (day + 40).
 *
 * Control digits, per "Nytt fødselsnummer fra 2032"
 * (https://skatteetaten.github.io/folkeregisteret-api-dokumentasjon/nytt-fodselsnummer-fra-2032/)
 * and Skatteetaten's reference validator published with it: with S1 the sum of the first nine
 * digits weighted 3,7,6,1,8,9,4,5,2, numbers issued before 2032 have (S1 + k1) mod 11 = 0, while
 * numbers issued from 1 January 2032 may have any remainder in {0, 1, 2, 3}
 * (k1 = {11,12,13,14} − S1 mod 11), so k1 can take up to four values. k2 stays a plain mod 11 digit
 * over the first ten digits weighted 5,4,3,2,7,6,5,4,3,2. Both kinds are valid side by side.
 *
 * The century is not written in the number. For 1964-rule numbers it follows from the
 * individnummer series; from 2032 the individnummer no longer tells the century, and Skatteetaten
 * points to Folkeregisteret's own birth date, so a 2032-rule number (remainder 1–3) gets no birthDate.
 *
 * H-nummer (month + 40) are help numbers that health institutions make up when the real number is
 * unknown, for internal use only (KITH report 11/98; fnrinfo.no): they are not issued by
 * Folkeregisteret, where every registered person has a fødselsnummer or a D-nummer, so they are
 * rejected.
 *
 * Organisasjonsnummer (Brønnøysundregistrene): nine digits, the last a mod 11 check digit over the
 * first eight weighted 3,2,7,6,5,4,3,2; numbers whose check would be 10 are never issued.
 */
import { weightedDigitSum } from './checksums.js';
import { calendarDate } from './dates.js';
import { invalid, reasons, type NationalIdResult } from './types.js';

const k1Weights = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const k2Weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
const highestK1Remainder = 3;
const dNummerDayOffset = 40;
const hNummerMonthOffset = 40;
const organisasjonsnummerWeights = [3, 2, 7, 6, 5, 4, 3, 2];

/** Parses a trimmed Norwegian fødselsnummer, D-nummer or organisasjonsnummer; inner spaces are ignored. */
export function parseNorwegianId(input: string, today: string): NationalIdResult {
  const digits = input.replace(/\s+/g, '');
  if (/^\d{11}$/.test(digits)) return parseNorwegianPerson(digits, today);
  if (/^\d{9}$/.test(digits)) return parseOrganisasjonsnummer(digits);
  return /^\d*$/.test(digits)
    ? invalid('wrong length: a Norwegian fødselsnummer has 11 digits, an organisasjonsnummer 9')
    : invalid('unexpected characters: use digits only');
}

/** Fødselsnummer or D-nummer: both control digits, then the date (and century where it is written). */
function parseNorwegianPerson(digits: string, today: string): NationalIdResult {
  const k1Remainder = (weightedDigitSum(digits, k1Weights) + Number(digits.charAt(9))) % 11;
  const k2Remainder = (weightedDigitSum(digits, k2Weights) + Number(digits.charAt(10))) % 11;
  if (k1Remainder > highestK1Remainder || k2Remainder !== 0) return invalid(reasons.checksum);

  const writtenMonth = Number(digits.slice(2, 4));
  if (writtenMonth > hNummerMonthOffset && writtenMonth <= hNummerMonthOffset + 12) {
    return invalid('an H-nummer (month + 40) is a health-service help number, not a fødselsnummer or D-nummer');
  }
  const isDNummer = Number(digits.charAt(0)) >= 4;
  const day = Number(digits.slice(0, 2)) - (isDNummer ? dNummerDayOffset : 0);
  const twoDigitYear = Number(digits.slice(4, 6));
  const type = isDNummer ? 'd-nummer' : 'fodselsnummer';
  const identified = { ok: true, country: 'NO', type, holder: 'person', canonical: digits } as const;

  const individualNumber = Number(digits.slice(6, 9));
  const seriesBirthYear = isDNummer ? dNummerBirthYear : fodselsnummerBirthYear;
  const year = k1Remainder === 0 ? seriesBirthYear(twoDigitYear, individualNumber) : undefined;
  if (year === undefined) {
    // Any century: 2000 + YY is a leap year exactly when YY is divisible by 4, as in Skatteetaten's validator.
    return calendarDate(2000 + twoDigitYear, writtenMonth, day) === undefined ? invalid(reasons.date) : identified;
  }
  const birthDate = calendarDate(year, writtenMonth, day);
  if (birthDate === undefined) return invalid(reasons.date);
  if (birthDate > today) return invalid(reasons.futureBirthDate);
  return { ...identified, birthDate };
}

/**
 * Birth year from the individnummer series of 1964-rule fødselsnummer (Skatteetaten):
 * 000–499 → 1900–1999, 500–749 → 1854–1899, 500–999 → 2000–2039, 900–999 → 1940–1999.
 */
function fodselsnummerBirthYear(twoDigitYear: number, individualNumber: number): number | undefined {
  if (individualNumber <= 499) return 1900 + twoDigitYear;
  if (individualNumber <= 749 && twoDigitYear >= 54) return 1800 + twoDigitYear;
  if (twoDigitYear <= 39) return 2000 + twoDigitYear;
  if (individualNumber >= 900) return 1900 + twoDigitYear;
  return undefined;
}

/**
 * Birth year of a D-nummer. Until November 2021 D-nummer used the fødselsnummer series; since then
 * ("Utvidelse av D-nummerserien", Skatteetaten) 500–599 → 1858–1899, 000–199 → 1900–1939,
 * 000–499 and 600–999 → 1940–1999, 200–999 → 2000–2039. A year is given only where the two agree
 * or only one of them can have issued the number.
 */
function dNummerBirthYear(twoDigitYear: number, individualNumber: number): number | undefined {
  const before2021 = fodselsnummerBirthYear(twoDigitYear, individualNumber);
  const since2021 = dNummerSeries2021BirthYear(twoDigitYear, individualNumber);
  if (before2021 === undefined || since2021 === undefined) return before2021 ?? since2021;
  return before2021 === since2021 ? before2021 : undefined;
}

function dNummerSeries2021BirthYear(twoDigitYear: number, individualNumber: number): number | undefined {
  if (twoDigitYear <= 39) return individualNumber >= 200 ? 2000 + twoDigitYear : 1900 + twoDigitYear;
  if (individualNumber < 500 || individualNumber > 599) return 1900 + twoDigitYear;
  return twoDigitYear >= 58 ? 1800 + twoDigitYear : undefined;
}

/** Organisasjonsnummer: mod 11 check digit over eight digits weighted 3,2,7,6,5,4,3,2. */
function parseOrganisasjonsnummer(digits: string): NationalIdResult {
  const remainder = weightedDigitSum(digits, organisasjonsnummerWeights) % 11;
  if (remainder === 1) return invalid('not a valid organisasjonsnummer: no check digit exists for these digits');
  const expectedCheckDigit = remainder === 0 ? 0 : 11 - remainder;
  if (Number(digits.charAt(8)) !== expectedCheckDigit) return invalid(reasons.checksum);
  return { ok: true, country: 'NO', type: 'organisasjonsnummer', holder: 'organisation', canonical: digits };
}
