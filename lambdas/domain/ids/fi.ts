/**
 * Finnish identity numbers.
 *
 * Henkilötunnus, HETU (Digital and Population Data Services Agency DVV; population information
 * decree 128/2010 as amended from 1 January 2023): DDMMYYCNNNQ. C is the century sign: '+' for
 * 1800–1899; '-', Y, X, W, V, U for 1900–1999; A, B, C, D, E, F for 2000–2099. NNN is the
 * individual number, 002–899 for registered persons; 900–999 are temporary codes (hospitals and
 * the like) that are never entered in the Population Information System, so they are rejected as
 * customer ids. Q is the character at index (DDMMYYNNN mod 31) of 0123456789ABCDEFHJKLMNPRSTUVWXY.
 *
 * Y-tunnus (business ID, Finnish Patent and Registration Office / Tax Administration): seven
 * digits, a hyphen and a check digit: weights 7,9,10,5,8,4,2, remainder r of the weighted sum
 * mod 11; check digit 0 when r = 0, 11 − r otherwise, and r = 1 is never issued.
 */
import { weightedDigitSum } from './checksums.js';
import { calendarDate } from './dates.js';
import { invalid, reasons, type NationalIdResult } from './types.js';

const yTunnusShape = /^(\d{6,7}-\d|\d{8})$/;
const hetuShape = /^\d{6}.\d{3}[0-9A-Y]$/;
const centurySigns = '+-YXWVUABCDEF';
const hetuControlCharacters = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const twentiethCenturySigns = '-YXWVU';
const firstIssuedIndividualNumber = 2;
const firstTemporaryIndividualNumber = 900;
const yTunnusWeights = [7, 9, 10, 5, 8, 4, 2];

/** Parses a trimmed HETU (any letter case) or Y-tunnus. */
export function parseFinnishId(input: string, today: string): NationalIdResult {
  const upper = input.toUpperCase();
  if (yTunnusShape.test(upper)) return parseYTunnus(upper);
  if (upper.length !== 11) {
    return invalid('wrong length: a Finnish HETU has 11 characters, a Y-tunnus 7 digits, a hyphen and a check digit');
  }
  return parseHetu(upper, today);
}

/** HETU: century sign, mod-31 control character, issued individual number, real past date. */
function parseHetu(hetu: string, today: string): NationalIdResult {
  if (!hetuShape.test(hetu)) {
    return invalid('wrong format: a HETU is DDMMYY, a century sign, three digits and a control character');
  }
  if (!centurySigns.includes(hetu.charAt(6))) return invalid('unknown century sign: use +, -, Y, X, W, V, U or A to F');
  const datePart = hetu.slice(0, 6);
  const individualNumber = hetu.slice(7, 10);
  const expectedControl = hetuControlCharacters.charAt(Number(datePart + individualNumber) % 31);
  if (hetu.charAt(10) !== expectedControl) return invalid(reasons.checksum);
  if (Number(individualNumber) < firstIssuedIndividualNumber) return invalid('individual numbers 000 and 001 are never issued');
  if (Number(individualNumber) >= firstTemporaryIndividualNumber) {
    return invalid('a temporary identity code (individual number 900-999) is not a registered HETU');
  }

  const year = hetuCentury(hetu.charAt(6)) + Number(datePart.slice(4, 6));
  const birthDate = calendarDate(year, Number(datePart.slice(2, 4)), Number(datePart.slice(0, 2)));
  if (birthDate === undefined) return invalid(reasons.date);
  if (birthDate > today) return invalid(reasons.futureBirthDate);
  return { ok: true, country: 'FI', type: 'hetu', holder: 'person', canonical: hetu, birthDate };
}

function hetuCentury(sign: string): number {
  if (sign === '+') return 1800;
  return twentiethCenturySigns.includes(sign) ? 1900 : 2000;
}

/** Y-tunnus, with or without its hyphen; the legacy six-digit form gets a leading zero. */
function parseYTunnus(input: string): NationalIdResult {
  const digits = input.replace('-', '');
  const body = digits.slice(0, -1).padStart(7, '0');
  const remainder = weightedDigitSum(body, yTunnusWeights) % 11;
  if (remainder === 1) return invalid('not a valid Y-tunnus: no check digit exists for these digits');
  const expectedCheckDigit = remainder === 0 ? 0 : 11 - remainder;
  if (Number(digits.slice(-1)) !== expectedCheckDigit) return invalid(reasons.checksum);
  return { ok: true, country: 'FI', type: 'y-tunnus', holder: 'organisation', canonical: `${body}-${expectedCheckDigit}` };
}
