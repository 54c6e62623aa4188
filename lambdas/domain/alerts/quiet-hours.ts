/**
 * When an alert may go out (R-SMS-6: "evenings and weekends the capacity to send is limited").
 *
 * The project's exact reading of the vague rule:
 * - Urgent categories (`urgentCategories`: leak, contamination, flood_risk) go at once, or at the
 *   requested `sendAt`, at any hour of any day.
 * - Every other alert is held when its time, in the utility's local wall-clock time, is
 *   - in the evening or night: at or after 18:00, or before 07:00 (`eveningHour`, `morningHour`);
 *   - on a Saturday or Sunday;
 *   - on a public holiday of the country (date-holidays type `public`).
 *   A held alert goes at 07:00 local time on the next day that is a weekday and not a holiday
 *   (the same day, when it was requested before 07:00 on a working day).
 * - Eves that date-holidays types `bank` (Swedish julafton, midsommarafton, nyårsafton; the Finnish
 *   and Norwegian Christmas and New Year's Eves) are working days by default; pass
 *   `policy.holidayTypes: ['public', 'bank']` to hold alerts on them too.
 * - A requested `sendAt` before `createdAt` means "now": nothing is sent in the past.
 * - Dates are the local calendar dates of `zone`; holidays are looked up by that local date, so
 *   the answer does not depend on the time zone date-holidays assumes for the country.
 * - A local morning that falls in a daylight-saving gap moves forward to the first existing
 *   minute; one that occurs twice takes the first occurrence. (With 07:00 in the Nordic zones,
 *   where clocks change at 02:00/03:00 on Sundays, neither happens; the conversion is general.)
 */
import { holidaysOf, type Holidays, type HolidaysTypes } from '../calendar/holidays.js';
import { ValidationError } from '../errors.js';
import { urgentCategories, type OutageCategory } from './types.js';

export type HolidayCountry = 'SE' | 'FI' | 'NO';
export type HolidayType = HolidaysTypes.HolidayType;

export interface QuietHoursPolicy {
  /** First hour (local, 0-23) at which non-urgent alerts go; held alerts go at this hour sharp. */
  morningHour: number;
  /** Hour (local, 1-24) from which non-urgent alerts are held until the next working morning. */
  eveningHour: number;
  /** date-holidays types that count as holidays; default `['public']`. */
  holidayTypes?: readonly HolidayType[];
}

export const defaultQuietHoursPolicy: Required<QuietHoursPolicy> = { morningHour: 7, eveningHour: 18, holidayTypes: ['public'] };

export type HoldReason = 'evening' | 'weekend' | 'holiday';

export interface SendTimeInput {
  category: OutageCategory;
  createdAt: Date;
  sendAt?: Date;
  /** IANA time zone of the utility, e.g. `Europe/Stockholm`. */
  zone: string;
  country: HolidayCountry;
  policy?: QuietHoursPolicy;
}

export interface SendTime {
  sendAt: Date;
  held: boolean;
  /** Why it was held: evening (or night), weekend or holiday; a holiday wins over a weekend, a weekend over evening. */
  reason?: HoldReason;
  /** The holiday's name (in the country's language) when `reason` is `holiday`. */
  holiday?: string;
}

/** A local calendar date and wall-clock time in some zone. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall-clock date and time in `zone` at `instant`, with the weekday (0 Sunday .. 6 Saturday). */
export function localDateTime(instant: Date, zone: string): Required<LocalDateTime> & { weekday: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const year = parts['year'] ?? NaN;
  const month = parts['month'] ?? NaN;
  const day = parts['day'] ?? NaN;
  return {
    year,
    month,
    day,
    // Some ICU versions write midnight as 24 even with h23.
    hour: (parts['hour'] ?? NaN) % 24,
    minute: parts['minute'] ?? NaN,
    second: parts['second'] ?? NaN,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** Offset of `zone` from UTC at `instantMs`, in milliseconds (positive east of Greenwich). */
function offsetAt(zone: string, instantMs: number): number {
  const local = localDateTime(new Date(instantMs), zone);
  const wholeSeconds = Math.floor(instantMs / 1000) * 1000;
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - wholeSeconds;
}

/**
 * The instant at which `zone`'s clocks show `local`. In a gap (spring forward) the time moves
 * forward by the gap; when the time occurs twice (fall back) the earlier instant is taken.
 */
export function zonedTimeToUtc(local: LocalDateTime, zone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  const day = 24 * 60 * 60 * 1000;
  const offsets = [...new Set([offsetAt(zone, wall - day), offsetAt(zone, wall), offsetAt(zone, wall + day)])];
  const valid = offsets.map((offset) => wall - offset).filter((instant) => offsetAt(zone, instant) === wall - instant);
  if (valid.length > 0) return new Date(Math.min(...valid));
  // A gap: the offset before the change is the smaller one; reading the wall time with it lands after the gap.
  return new Date(wall - Math.min(...offsets));
}

const calendars = new Map<HolidayCountry, Holidays>();
const holidayDates = new Map<string, Map<string, string>>();

/** Local dates (YYYY-MM-DD) of the year's holidays of the given types, with their names. */
function holidaysIn(country: HolidayCountry, year: number, types: readonly HolidayType[]): Map<string, string> {
  const key = `${country}:${year}:${[...types].sort().join(',')}`;
  let dates = holidayDates.get(key);
  if (!dates) {
    let calendar = calendars.get(country);
    if (!calendar) {
      calendar = holidaysOf(country);
      calendars.set(country, calendar);
    }
    dates = new Map();
    for (const holiday of calendar.getHolidays(year)) {
      if (types.includes(holiday.type)) dates.set(holiday.date.slice(0, 10), holiday.name);
    }
    holidayDates.set(key, dates);
  }
  return dates;
}

const isoDate = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

function validPolicy(policy: QuietHoursPolicy | undefined): Required<QuietHoursPolicy> {
  const merged = { ...defaultQuietHoursPolicy, ...policy, holidayTypes: policy?.holidayTypes ?? defaultQuietHoursPolicy.holidayTypes };
  const { morningHour, eveningHour } = merged;
  if (!Number.isInteger(morningHour) || !Number.isInteger(eveningHour) || morningHour < 0 || eveningHour > 24 || morningHour >= eveningHour) {
    throw new ValidationError([{ path: 'policy', message: 'morningHour and eveningHour must be whole hours with 0 <= morningHour < eveningHour <= 24' }]);
  }
  return merged;
}

function validZone(zone: string): string {
  try {
    formatterFor(zone);
    return zone;
  } catch {
    throw new ValidationError([{ path: 'zone', message: 'not an IANA time zone' }]);
  }
}

/** When to send an alert, and whether R-SMS-6 held it back. */
export function sendTimeFor(input: SendTimeInput): SendTime {
  const policy = validPolicy(input.policy);
  const zone = validZone(input.zone);
  const requested = input.sendAt && input.sendAt.getTime() > input.createdAt.getTime() ? input.sendAt : input.createdAt;
  if (urgentCategories.includes(input.category)) return { sendAt: requested, held: false };

  const holidayOn = (year: number, month: number, day: number) =>
    holidaysIn(input.country, year, policy.holidayTypes).get(isoDate(year, month, day));
  const local = localDateTime(requested, zone);
  const holiday = holidayOn(local.year, local.month, local.day);
  const weekend = local.weekday === 0 || local.weekday === 6;
  const evening = local.hour >= policy.eveningHour || local.hour < policy.morningHour;
  const reason: HoldReason | undefined = holiday !== undefined ? 'holiday' : weekend ? 'weekend' : evening ? 'evening' : undefined;
  if (!reason) return { sendAt: requested, held: false };

  // Today's morning is still ahead only before it; otherwise start from tomorrow.
  let date = new Date(Date.UTC(local.year, local.month - 1, local.day + (local.hour < policy.morningHour ? 0 : 1)));
  for (let guard = 0; ; guard += 1) {
    const weekday = date.getUTCDay();
    const off = weekday === 0 || weekday === 6 || holidayOn(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()) !== undefined;
    if (!off) break;
    if (guard > 366) throw new Error('no working day within a year');
    date = new Date(date.getTime() + 24 * 60 * 60 * 1000);
  }
  const sendAt = zonedTimeToUtc(
    { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: policy.morningHour, minute: 0 },
    zone,
  );
  return { sendAt, held: true, reason, ...(holiday !== undefined ? { holiday } : {}) };
}
