/**
 * The public and bank holidays of the countries the service runs in: date-holidays' parser with
 * only those countries' rules (nordic-data.ts, generated), the same rules and results as the
 * whole date-holidays package (test/unit/calendar/nordic-data.test.ts) at a fraction of the size
 * every function that needs a calendar (billing, dunning, alerts) parses at a cold start.
 */
import HolidaysParser from 'date-holidays-parser';
import { nordicHolidayData } from './nordic-data.js';

export type NordicCountry = 'SE' | 'FI' | 'NO';
export type Holidays = HolidaysParser;
export type { HolidaysTypes } from 'date-holidays-parser';

export function holidaysOf(country: NordicCountry): HolidaysParser {
  return new HolidaysParser(nordicHolidayData, country);
}
