/**
 * Property addresses as matching keys (API.md "Shapes used in many places"; R-SMS-2).
 *
 * Outage recipients are found by address, never by phone location (R-SMS-2), so the address
 * register, self-added subscriptions, outage areas and crowd reports must all spell one address
 * the same way. Matching ignores case, extra whitespace, spaces in postal codes and the letter's
 * case; it keeps å ä ö æ ø (they are letters of their own, not accented a/o).
 */
import type { PropertyAddress } from './types.js';

/**
 * Street-name abbreviations read as the full word. Deliberately tiny: only a final "g." or "v."
 * glued to the name ("Storg." = "Storgatan", "Kungsv." = "Kungsvägen"), the two abbreviations
 * Swedish registers print. The dot is required ("Storg" stays "storg"), a free-standing "g." is
 * left alone, "väg."/"veg." is a road with a stray dot (not "vägatan"), and nothing else is
 * expanded (no Norwegian "gt.", no Finnish "k."): a wrong expansion would silently send an alert to the
 * wrong street, a missed one only fails to match an abbreviated spelling.
 */
const abbreviations: readonly (readonly [RegExp, string])[] = [
  [/(\p{L})(?<!v[äe])g\.+$/u, '$1gatan'],
  [/(\p{L})v\.+$/u, '$1vägen'],
];

/** Lower case (Swedish rules), NFC, single spaces, trimmed; no change to å ä ö æ ø. */
function normaliseText(s: string): string {
  return s.normalize('NFC').toLocaleLowerCase('sv').replace(/\s+/gu, ' ').trim();
}

/**
 * The comparable form of a street name: lower case, NFC, whitespace collapsed and trimmed,
 * trailing dots stripped, and a final "g."/"v." read as "gatan"/"vägen" (see `abbreviations`).
 */
export function normaliseStreet(s: string): string {
  let street = normaliseText(s);
  for (const [pattern, replacement] of abbreviations) {
    if (pattern.test(street)) {
      street = street.replace(pattern, replacement);
      break;
    }
  }
  return street.replace(/\.+$/u, '').trim();
}

/** The comparable form of a city name: lower case, NFC, whitespace collapsed and trimmed. */
export function normaliseCity(s: string): string {
  return normaliseText(s);
}

/** Postal codes without whitespace and without a leading "SE-", "FI-" or "NO-": "SE-671 31" = "67131". */
export function normalisePostalCode(s: string): string {
  return s
    .replace(/\s+/gu, '')
    .replace(/^(se|fi|no)-/iu, '')
    .toUpperCase();
}

/** A house number with an optional letter: "12", "12B", "12 b" (the letter comes back lower case). */
export function parseHouseNumber(number: string): { number: number; letter?: string } | undefined {
  const match = /^\s*(\d{1,6})\s*(\p{L})?\s*$/u.exec(number.normalize('NFC'));
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  if (value < 1) return undefined;
  const letter = match[2];
  return letter ? { number: value, letter: letter.toLocaleLowerCase('sv') } : { number: value };
}

/**
 * The one canonical key of a property address: `street|number|letter|postalCode`, e.g.
 * `storgatan|1|a|67131`. The letter is lower case and '' when absent; a letter written into the
 * number ("1A") counts as the letter when `letter` is empty. A number that is not a house number
 * ("1-3") is kept as normalised text, so it still only matches itself.
 *
 * The city is NOT part of the key: the postal code already places the address, and cities are
 * spelt in too many ways ("Göteborg"/"Gothenburg", "Kalmar"/"KALMAR C") to be a safe key part.
 */
export function addressKey(a: PropertyAddress): string {
  const parsed = parseHouseNumber(a.number);
  const explicitLetter = normaliseText(a.letter ?? '');
  const number = parsed ? String(parsed.number) : normaliseText(a.number);
  const letter = explicitLetter || parsed?.letter || '';
  return `${normaliseStreet(a.street)}|${number}|${letter}|${normalisePostalCode(a.postalCode)}`;
}

/**
 * Index key of a street within a postal code: `normalisedStreet|postalCode` (`storgatan|67131`).
 * A street selector without a postal code has to use `streetNameIndexKey` instead.
 */
export function streetIndexKey(a: { street: string; postalCode: string }): string {
  return `${normaliseStreet(a.street)}|${normalisePostalCode(a.postalCode)}`;
}

/** Index key of a street name in any postal code: the normalised street name. */
export function streetNameIndexKey(a: { street: string }): string {
  return normaliseStreet(a.street);
}

/** Index key of a postal code area: the normalised postal code. */
export function postalCodeIndexKey(a: { postalCode: string }): string {
  return normalisePostalCode(a.postalCode);
}
