/** Phone numbers: any common notation in, E.164 out (API.md), via libphonenumber-js. */
import { parsePhoneNumberFromString, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
// The full metadata: it also tells mobile from fixed-line numbers (R-SMS-8).
import metadataJson from 'libphonenumber-js/max/metadata';
import { ValidationError } from './errors.js';

const metadata = metadataJson as unknown as MetadataJson;

/** Normalises to E.164, reading national notation in `defaultCountry`; throws naming `path`. */
export function toE164(input: string, defaultCountry: CountryCode, path = 'phone'): string {
  const parsed = parsePhoneNumberFromString(input, defaultCountry, metadata);
  if (!parsed || !parsed.isValid()) {
    throw new ValidationError([{ path, message: 'not a valid phone number' }]);
  }
  return parsed.number;
}

/**
 * R-SMS-8: whether a number can take SMS. Fixed lines cannot; a number libphonenumber
 * cannot tell (FIXED_LINE_OR_MOBILE) is tried by SMS.
 */
export function canReceiveSms(e164: string): boolean {
  const type = parsePhoneNumberFromString(e164, {}, metadata)?.getType();
  return type !== 'FIXED_LINE' && type !== 'VOIP' && type !== 'TOLL_FREE' && type !== 'SHARED_COST' && type !== 'PREMIUM_RATE';
}
