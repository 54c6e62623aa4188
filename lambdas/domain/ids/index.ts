/**
 * National identity numbers of the customer registry (R-SE-3): Swedish, Finnish and Norwegian
 * personal and organisation numbers, parsed to one canonical form and masked for display.
 * The rules and their sources are documented in se.ts, fi.ts and no.ts.
 */
import { utcCalendarDate } from './dates.js';
import { parseFinnishId } from './fi.js';
import { parseNorwegianId } from './no.js';
import { parseSwedishId } from './se.js';
import { invalid, type Country, type NationalIdResult, type NationalIdType } from './types.js';

export type { Country, NationalIdResult, NationalIdType } from './types.js';

/**
 * Validates `input` as a national identity number of `country` and returns its canonical form,
 * or a short user-facing reason. `today` (its UTC date) resolves the century of ten-digit Swedish
 * numbers and bounds birth dates, which may not lie in the future. Never throws on any string.
 */
export function parseNationalId(country: Country, input: string, today: Date = new Date()): NationalIdResult {
  const trimmed = input.trim();
  if (trimmed === '') return invalid('enter an identity number');
  const todayDate = utcCalendarDate(today);
  switch (country) {
    case 'SE':
      return parseSwedishId(trimmed, todayDate);
    case 'FI':
      return parseFinnishId(trimmed, todayDate);
    case 'NO':
      return parseNorwegianId(trimmed, todayDate);
  }
}

/**
 * Masked for display where the full number must not show, e.g. '19811218-****' / '181281-****' / '181281*****':
 * a personal number keeps only its date part (and HETU century sign). Organisation numbers are
 * public register data and are returned unchanged. A canonical of unexpected length is masked whole.
 */
export function maskNationalId(canonical: string, type: NationalIdType): string {
  switch (type) {
    case 'personnummer':
    case 'samordningsnummer':
      return keepDatePart(canonical, 12, `${canonical.slice(0, 8)}-****`);
    case 'hetu':
      return keepDatePart(canonical, 11, `${canonical.slice(0, 7)}****`);
    case 'fodselsnummer':
    case 'd-nummer':
      return keepDatePart(canonical, 11, `${canonical.slice(0, 6)}*****`);
    case 'organisationsnummer':
    case 'y-tunnus':
    case 'organisasjonsnummer':
      return canonical;
  }
}

function keepDatePart(canonical: string, canonicalLength: number, masked: string): string {
  return canonical.length === canonicalLength ? masked : '*'.repeat(canonical.length);
}
