/**
 * Payment references printed on invoices and read back from bank files (R-SE-13, R-FI-2).
 *
 * - Sweden: Bankgirot OCR reference ("OCR-nummer") under the strictest agreement level,
 *   "hård kontroll med längdsiffra" (Bankgirot's OCR-referenskontroll, variable length): the
 *   last digit is a Luhn (modulus 10) check digit computed over every digit before it, the
 *   length digit included; the second-to-last digit is the length digit, the total number of
 *   digits (length digit and check digit included) modulo 10. 2-25 digits. Example from
 *   barsoom/banktools-se: base `123` -> `12351` (5 digits, so length digit 5, then check 1).
 *   An OCR with only a check digit ("mjuk"/"hård kontroll") is a subset this module does not issue.
 * - Finland: the domestic reference number ("viitenumero", Finanssiala / former FFI spec):
 *   base 3-19 digits, weights 7, 3, 1, 7, 3, 1 ... from the rightmost base digit; check digit
 *   = (10 - sum mod 10) mod 10; 4-20 digits in all; printed in groups of five without leading
 *   zeros ("Etunollia ei tulosteta").
 * - The RF creditor reference (ISO 11649): `RF` + two check digits (mod 97, as IBAN) + up to
 *   21 alphanumerics. Finnish banks accept a Finnish reference in either form; the RF form of a
 *   Finnish reference embeds it without leading zeros.
 * - Norway: KID with the MOD10 (Luhn) check digit, 2-25 digits. (MOD11 KIDs, whose check digit
 *   can be `-`, are not issued or accepted here.)
 *
 * Malformed string input throws {@link ValidationError}; a bad invoice number (a programming
 * error) throws RangeError.
 */
import { ValidationError } from '../errors.js';

export type ReferenceCountry = 'SE' | 'FI' | 'NO';

const DIGITS = /^\d+$/;

function invalid(path: string, message: string): never {
  throw new ValidationError([{ path, message }], `${message}.`);
}

function digitsOnly(value: string, path: string, min: number, max: number, what: string): void {
  if (!DIGITS.test(value)) invalid(path, `${what} must be digits only`);
  if (value.length < min || value.length > max) invalid(path, `${what} must be ${min}-${max} digits, got ${value.length}`);
}

/** The Luhn (modulus 10) check digit for `payload`: doubling starts at its rightmost digit. */
function luhnCheckDigit(payload: string): number {
  let sum = 0;
  let double = true;
  for (let i = payload.length - 1; i >= 0; i--) {
    let digit = payload.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit of `digits` is the Luhn check digit of the rest. */
function luhnValid(digits: string): boolean {
  return digits.length >= 2 && luhnCheckDigit(digits.slice(0, -1)) === digits.charCodeAt(digits.length - 1) - 48;
}

// ---- Sweden: Bankgirot OCR with length digit and check digit ------------------------------

/**
 * The OCR reference for `base` (1-23 digits): `base`, then the length digit (the total length,
 * these two digits included, mod 10), then the Luhn check digit over everything before it.
 * Avoid leading zeros in `base`: {@link normaliseReference} strips them when matching.
 */
export function swedishOcr(base: string): string {
  digitsOnly(base, 'base', 1, 23, 'An OCR base');
  const withLength = base + String((base.length + 2) % 10);
  return withLength + String(luhnCheckDigit(withLength));
}

/** Digits only, 2-25 of them, the length digit and the Luhn check digit both right. */
export function isValidSwedishOcr(reference: string): boolean {
  if (!DIGITS.test(reference) || reference.length < 2 || reference.length > 25) return false;
  const lengthDigit = reference.charCodeAt(reference.length - 2) - 48;
  return lengthDigit === reference.length % 10 && luhnValid(reference);
}

// ---- Finland: viitenumero and RF creditor reference -----------------------------------------

const finnishWeights = [7, 3, 1] as const;

function finnishCheckDigit(base: string): number {
  let sum = 0;
  for (let i = base.length - 1, w = 0; i >= 0; i--, w++) {
    sum += (base.charCodeAt(i) - 48) * finnishWeights[w % 3]!;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * The Finnish reference for `base` (3-19 digits, no leading zero): `base` + its 7-3-1 check
 * digit. Spec example: base `123` -> `1232`.
 */
export function finnishReference(base: string): string {
  digitsOnly(base, 'base', 3, 19, 'A Finnish reference base');
  if (base.startsWith('0')) invalid('base', 'A Finnish reference base has no leading zeros');
  return base + String(finnishCheckDigit(base));
}

/**
 * Digits without the spaces and without the leading zeros (they are not significant; bank
 * files may pad the reference to 20 digits with them); undefined when the grouping or the
 * characters are wrong. Spaces are single and form groups of five counted from the right
 * (`12 34561`) or from the left (`12345 61`), as the spec allows either way of printing.
 */
function finnishDigits(reference: string): string | undefined {
  const groups = reference.split(' ');
  if (groups.length > 1) {
    if (!groups.every((g) => g.length >= 1 && g.length <= 5)) return undefined;
    const fromRight = groups.slice(1).every((g) => g.length === 5);
    const fromLeft = groups.slice(0, -1).every((g) => g.length === 5);
    if (!fromRight && !fromLeft) return undefined;
  }
  const digits = groups.join('');
  if (!DIGITS.test(digits) || digits.length > 20) return undefined;
  return digits.replace(/^0+/, '');
}

/**
 * A valid Finnish reference: digits (optionally in groups of five separated by single spaces),
 * at most 20 of them; leading zeros are ignored, and what remains is 4-20 digits whose last is
 * the 7-3-1 check digit of the rest.
 */
export function isValidFinnishReference(reference: string): boolean {
  const digits = finnishDigits(reference);
  if (digits === undefined || digits.length < 4 || digits.length > 20) return false;
  return finnishCheckDigit(digits.slice(0, -1)) === digits.charCodeAt(digits.length - 1) - 48;
}

function significantFinnish(reference: string): string {
  if (!isValidFinnishReference(reference)) invalid('reference', 'not a valid Finnish reference number');
  return finnishDigits(reference)!;
}

/** Printed form: no leading zeros, groups of five from the right (`1234561` -> `12 34561`). */
export function formatFinnishReference(reference: string): string {
  const digits = significantFinnish(reference);
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 5) groups.unshift(digits.slice(Math.max(0, end - 5), end));
  return groups.join(' ');
}

/** `value` (digits and A-Z) mod 97, letters counted as A = 10 ... Z = 35, as in IBAN. */
function mod97(value: string): number {
  let remainder = 0;
  for (const char of value) {
    const code = char.charCodeAt(0);
    const number = code <= 57 ? code - 48 : code - 55;
    remainder = number > 9 ? (remainder * 100 + number) % 97 : (remainder * 10 + number) % 97;
  }
  return remainder;
}

/**
 * The RF creditor reference (ISO 11649) of a Finnish reference: `RF`, the two check digits
 * (98 - (reference + "RF00") mod 97), the reference without spaces or leading zeros.
 */
export function rfReference(finnishRef: string): string {
  const digits = significantFinnish(finnishRef);
  const check = 98 - mod97(`${digits}RF00`);
  return `RF${String(check).padStart(2, '0')}${digits}`;
}

/**
 * ISO 11649: `RF`, two check digits (02-98), 1-21 characters 0-9/A-Z (spaces ignored,
 * case-insensitive); moving the first four characters to the end gives a number that is 1
 * mod 97. Example from the standard: `RF18 5390 0754 7034`.
 */
export function isValidRfReference(reference: string): boolean {
  const compact = reference.replace(/ /g, '').toUpperCase();
  const match = /^RF(\d{2})([0-9A-Z]{1,21})$/.exec(compact);
  if (!match) return false;
  const check = Number(match[1]);
  if (check < 2 || check > 98) return false;
  return mod97(`${match[2]}RF${match[1]}`) === 1;
}

// ---- Norway: KID, MOD10 ---------------------------------------------------------------------

/** The KID for `base` (1-24 digits): `base` + its Luhn (MOD10) check digit. */
export function norwegianKid(base: string): string {
  digitsOnly(base, 'base', 1, 24, 'A KID base');
  return base + String(luhnCheckDigit(base));
}

/** A MOD10 KID: digits only, 2-25 of them, the last the Luhn check digit of the rest. */
export function isValidKid(reference: string): boolean {
  return DIGITS.test(reference) && reference.length >= 2 && reference.length <= 25 && luhnValid(reference);
}

// ---- issuing and matching ---------------------------------------------------------------------

/**
 * The payment reference of an invoice, from its number alone (so it can be recomputed): the
 * invoice number in decimal is the base of an OCR (SE), a Finnish reference (FI) or a KID
 * (NO). References never start with a zero, so an issued reference is its own
 * {@link normaliseReference}. A Finnish base needs at least three digits: invoice numbers
 * below 100 are refused there (the invoice counter starts above 100 000).
 */
export function invoiceReference(country: ReferenceCountry, invoiceNumber: number): string {
  if (!Number.isSafeInteger(invoiceNumber) || invoiceNumber < 1) {
    throw new RangeError(`An invoice number must be a positive safe integer, got ${invoiceNumber}`);
  }
  const base = String(invoiceNumber);
  switch (country) {
    case 'SE':
      return swedishOcr(base);
    case 'FI':
      if (invoiceNumber < 100) throw new RangeError(`A Finnish reference needs an invoice number of at least 100, got ${invoiceNumber}`);
      return finnishReference(base);
    case 'NO':
      return norwegianKid(base);
  }
}

/**
 * The form references are compared in, for an issued reference and one read from a bank file
 * or typed by a payer:
 * 1. every whitespace character (spaces, tabs, no-break spaces) is removed, letters are
 *    upper-cased;
 * 2. a valid RF creditor reference whose body is all digits is replaced by that body (a
 *    Finnish payer may pay an invoice's national reference in its RF form);
 * 3. an all-digit reference loses its leading zeros (Finnish bank files pad references to 20
 *    digits with zeros; leading zeros are never significant in the references this module
 *    issues); all zeros become `0`.
 * Nothing else is changed: hyphens or other characters stay, so such input matches nothing.
 * The result of a blank input is the empty string, which callers should treat as "no
 * reference". Issued references are already in this form (idempotent).
 */
export function normaliseReference(input: string): string {
  let reference = input.replace(/\s+/g, '').toUpperCase();
  if (reference.startsWith('RF') && isValidRfReference(reference) && DIGITS.test(reference.slice(4))) {
    reference = reference.slice(4);
  }
  if (DIGITS.test(reference)) reference = reference.replace(/^0+(?=\d)/, '');
  return reference;
}
