/**
 * Swedish identity numbers.
 *
 * Personnummer (folkbokföringslagen 18 §, Skatteverket): YYMMDD-NNNC, C a Luhn check digit over
 * the ten digits. From the year its holder turns 100 the '-' becomes '+'; Skatteverket stores the
 * number with its century (18, 19 or 20) as twelve digits, which is our canonical form.
 * Samordningsnummer (18 a §): the same, with 60 added to the day of birth.
 * Organisationsnummer (Bolagsverket): ten Luhn-checked digits whose third digit is at least 2, so
 * the "month" is 20 or more and never a date; "16" is its conventional twelve-digit prefix.
 */
import { hasValidLuhnCheckDigit } from './checksums.js';
import { calendarDate } from './dates.js';
import { invalid, reasons, type NationalIdResult } from './types.js';

const swedishShape = /^(\d{6}|\d{8})[-+]?\d{4}$/;
const organisationCenturyPrefix = '16';
const personCenturies = ['18', '19', '20'];
const coordinationDayOffset = 60;

/** Parses a trimmed Swedish personnummer, samordningsnummer or organisationsnummer. */
export function parseSwedishId(input: string, today: string): NationalIdResult {
  if (!swedishShape.test(input)) return invalid(swedishShapeProblem(input));
  const separator = input.includes('+') ? '+' : '-';
  const digits = input.replace(/[-+]/, '');
  const tenDigits = digits.slice(-10);
  const century = digits.length === 12 ? digits.slice(0, 2) : undefined;
  const isOrganisation = century === undefined ? Number(tenDigits.charAt(2)) >= 2 : century === organisationCenturyPrefix;
  return isOrganisation
    ? parseOrganisationsnummer(tenDigits, separator)
    : parseSwedishPerson(tenDigits, century, separator, today);
}

function swedishShapeProblem(input: string): string {
  if (/[^\d+-]/.test(input)) return "unexpected characters: use digits with an optional '-' or '+'";
  const digitCount = input.replace(/\D/g, '').length;
  if (digitCount !== 10 && digitCount !== 12) return 'wrong length: a Swedish personnummer has 10 or 12 digits';
  return 'wrong format: write YYMMDD-NNNN or YYYYMMDD-NNNN';
}

/** Organisationsnummer: third digit >= 2, Luhn over ten digits; canonical is the ten digits. */
function parseOrganisationsnummer(tenDigits: string, separator: '-' | '+'): NationalIdResult {
  if (separator === '+') return invalid("an organisationsnummer is written with '-', not '+'");
  if (Number(tenDigits.charAt(2)) < 2) return invalid('not a valid organisationsnummer: the third digit is 2 or higher');
  if (!hasValidLuhnCheckDigit(tenDigits)) return invalid(reasons.checksum);
  return { ok: true, country: 'SE', type: 'organisationsnummer', holder: 'organisation', canonical: tenDigits };
}

/** Personnummer or samordningsnummer (day > 60); canonical is YYYYMMDDNNNC with the day as written. */
function parseSwedishPerson(
  tenDigits: string,
  century: string | undefined,
  separator: '-' | '+',
  today: string,
): NationalIdResult {
  if (century !== undefined && separator === '+') return invalid("a 12-digit personnummer is written with '-', not '+'");
  if (century !== undefined && !personCenturies.includes(century)) return invalid(reasons.date);
  if (!hasValidLuhnCheckDigit(tenDigits)) return invalid(reasons.checksum);

  const twoDigitYear = Number(tenDigits.slice(0, 2));
  const year = century === undefined ? swedishBirthYear(twoDigitYear, separator, today) : Number(century) * 100 + twoDigitYear;
  const writtenDay = Number(tenDigits.slice(4, 6));
  const isCoordinationNumber = writtenDay > coordinationDayOffset;
  const day = isCoordinationNumber ? writtenDay - coordinationDayOffset : writtenDay;
  const birthDate = calendarDate(year, Number(tenDigits.slice(2, 4)), day);
  if (birthDate === undefined) return invalid(reasons.date);
  if (birthDate > today) return invalid(reasons.futureBirthDate);
  return {
    ok: true,
    country: 'SE',
    type: isCoordinationNumber ? 'samordningsnummer' : 'personnummer',
    holder: 'person',
    canonical: `${year}${tenDigits.slice(2)}`,
    birthDate,
  };
}

/**
 * Century of a ten-digit number: '-' (or none) means the holder turns at most 99 this calendar
 * year, '+' that they turn 100 or more (folkbokföringslagen 18 § second paragraph).
 */
function swedishBirthYear(twoDigitYear: number, separator: '-' | '+', today: string): number {
  const currentYear = Number(today.slice(0, 4));
  const latestYear = currentYear - ((currentYear - twoDigitYear) % 100);
  return separator === '+' ? latestYear - 100 : latestYear;
}
