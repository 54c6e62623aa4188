/**
 * The billing calendar: banking days, due dates, ISO weeks, billing cycles and run days
 * (R-SE-11, R-SE-12, R-FI-3, R-FI-10).
 *
 * Every date is a `YYYY-MM-DD` string in the utility's local calendar; every month a
 * `YYYY-MM` string. Arithmetic is on calendar days (UTC midnights internally), so no time zone
 * or daylight-saving change can shift a date. Holidays are date-holidays' dates for the
 * country, looked up by local date.
 *
 * Banking days: Monday to Friday, except days date-holidays types `public` or `bank` for the
 * country. `bank` covers the eves that are not public holidays but on which the banks and the
 * payment systems are closed: Swedish julafton, midsommarafton and nyårsafton; the Finnish
 * jouluaatto, juhannusaatto and uudenvuodenaatto; the Norwegian julaften and nyttårsaften.
 *
 * Malformed dates, months and weeks throw {@link ValidationError}.
 */
import { holidaysOf, type Holidays } from '../calendar/holidays.js';
import { ValidationError } from '../errors.js';

export type Country = 'SE' | 'FI' | 'NO';

function invalid(path: string, message: string): never {
  throw new ValidationError([{ path, message }], `${message}.`);
}

// ---- plain dates --------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Milliseconds of a UTC midnight; unlike Date.UTC, years 0-99 are not taken as 1900-1999. */
function utc(year: number, monthIndex: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  return d.getTime();
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const formatDate = (year: number, month: number, day: number) => `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;

/** Days since 1970-01-01 of a valid date; throws on anything that is not a real calendar date. */
function toDayNumber(date: string, path = 'date'): number {
  const match = DATE.exec(date);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return utc(year, month - 1, day) / DAY_MS;
    }
  }
  return invalid(path, `expected a date YYYY-MM-DD, got "${date}"`);
}

function fromDayNumber(dayNumber: number): string {
  const d = new Date(dayNumber * DAY_MS);
  const year = d.getUTCFullYear();
  if (year < 1 || year > 9999) throw new RangeError(`date out of range: year ${year}`);
  return formatDate(year, d.getUTCMonth() + 1, d.getUTCDate());
}

/** [year, month] of a `YYYY-MM` string. */
export function parseMonth(runMonth: string, path = 'runMonth'): [year: number, month: number] {
  const match = MONTH.exec(runMonth);
  if (!match) return invalid(path, `expected a month YYYY-MM, got "${runMonth}"`);
  return [Number(match[1]), Number(match[2])];
}

function checkYearMonth(year: number, month: number): void {
  if (!Number.isInteger(year) || year < 1 || year > 9999) invalid('year', `expected a year 1-9999, got ${year}`);
  if (!Number.isInteger(month) || month < 1 || month > 12) invalid('month', `expected a month 1-12, got ${month}`);
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  try {
    toDayNumber(value);
    return true;
  } catch {
    return false;
  }
}

export function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

/** The last date of a month: `lastDayOfMonth(2024, 2)` is `2024-02-29`. */
export function lastDayOfMonth(year: number, month: number): string {
  checkYearMonth(year, month);
  return formatDate(year, month, daysInMonth(year, month));
}

/** `date` plus `days` calendar days (negative goes back). */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return fromDayNumber(toDayNumber(date) + days);
}

/**
 * `date` plus `months` calendar months (negative goes back), end-of-month safe: a day that the
 * target month lacks becomes its last day (`2026-01-31` + 1 month = `2026-02-28`).
 */
export function addMonths(date: string, months: number): string {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  toDayNumber(date);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  checkYearMonth(targetYear, targetMonth);
  return formatDate(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(to, 'to') - toDayNumber(from, 'from');
}

/** ISO weekday: 1 Monday ... 7 Sunday. */
export function isoWeekday(date: string): number {
  const weekday = new Date(toDayNumber(date) * DAY_MS).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

// ---- ISO weeks ----------------------------------------------------------------------------

/** The Monday of ISO week 1: the week holding 4 January. */
function week1Monday(year: number): number {
  const jan4 = utc(year, 0, 4) / DAY_MS;
  const weekday = new Date(jan4 * DAY_MS).getUTCDay() || 7;
  return jan4 - (weekday - 1);
}

/** 53 when the year's ISO weeks run to a week 53 (1 January a Thursday, or a Wednesday in a leap year), else 52. */
export function isoWeeksInYear(year: number): 52 | 53 {
  return (week1Monday(year + 1) - week1Monday(year)) / 7 === 53 ? 53 : 52;
}

/** The ISO week-numbering year and week of a date (`2027-01-01` is in 2026-W53). */
export function isoWeek(date: string): { year: number; week: number } {
  const dayNumber = toDayNumber(date);
  const thursday = dayNumber - isoWeekday(date) + 4;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  return { year, week: Math.floor((thursday - week1Monday(year)) / 7) + 1 };
}

/** Monday and Sunday of ISO week `week` of ISO year `year`. */
export function isoWeekRange(year: number, week: number): { monday: string; sunday: string } {
  if (!Number.isInteger(year) || year < 2 || year > 9998) invalid('year', `expected a year 2-9998, got ${year}`);
  const weeks = isoWeeksInYear(year);
  if (!Number.isInteger(week) || week < 1 || week > weeks) invalid('week', `${year} has ISO weeks 1-${weeks}, got ${week}`);
  const monday = week1Monday(year) + (week - 1) * 7;
  return { monday: fromDayNumber(monday), sunday: fromDayNumber(monday + 6) };
}

// ---- banking days ---------------------------------------------------------------------------

const calendars = new Map<Country, Holidays>();
const closedDates = new Map<string, ReadonlySet<string>>();

/** The country's public holidays and bank holidays (eves) in `year`, as local dates. */
function bankHolidays(country: Country, year: number): ReadonlySet<string> {
  const key = `${country}:${year}`;
  let dates = closedDates.get(key);
  if (!dates) {
    let calendar = calendars.get(country);
    if (!calendar) {
      calendar = holidaysOf(country);
      calendars.set(country, calendar);
    }
    const set = new Set<string>();
    for (const holiday of calendar.getHolidays(year)) {
      // `date` is the local date and time the holiday starts (Norwegian nyttårsaften: 14:00).
      if (holiday.type === 'public' || holiday.type === 'bank') set.add(holiday.date.slice(0, 10));
    }
    dates = set;
    closedDates.set(key, dates);
  }
  return dates;
}

/** A weekday that is neither a public holiday nor a bank holiday (see the module comment). */
export function isBankingDay(date: string, country: Country): boolean {
  if (isoWeekday(date) >= 6) return false;
  return !bankHolidays(country, Number(date.slice(0, 4))).has(date);
}

/** `date` when it is a banking day, else the first banking day after it ("on or after"). */
export function nextBankingDay(date: string, country: Country): string {
  let day = date;
  while (!isBankingDay(day, country)) day = addDays(day, 1);
  return day;
}

/** `date` when it is a banking day, else the last banking day before it ("on or before"). */
export function previousBankingDay(date: string, country: Country): string {
  let day = date;
  while (!isBankingDay(day, country)) day = addDays(day, -1);
  return day;
}

/**
 * The date `n` banking days after `date` (before it when `n` is negative); `date` itself when
 * `n` is 0. `date` need not be a banking day: one banking day after a Saturday is the Monday.
 * E.g. R-FI-10: a payment made on a day shows in the ledger `addBankingDays(day, 2, 'FI')`.
 */
export function addBankingDays(date: string, n: number, country: Country): string {
  if (!Number.isInteger(n)) throw new RangeError(`n must be an integer, got ${n}`);
  const step = n < 0 ? -1 : 1;
  let day = date;
  toDayNumber(day);
  for (let left = Math.abs(n); left > 0; ) {
    day = addDays(day, step);
    if (isBankingDay(day, country)) left--;
  }
  return day;
}

// ---- due dates ------------------------------------------------------------------------------

/**
 * R-SE-12, "the due date is the last weekday of the month", read as the last banking day of the
 * month: the last weekday, moved back to the banking day before it when it is a public or bank
 * holiday, so the due date stays in the month (December 2026: the 31st is nyårsafton, a
 * Thursday, so the due date is Wednesday the 30th).
 */
export function swedishDueDate(year: number, month: number): string {
  return previousBankingDay(lastDayOfMonth(year, month), 'SE');
}

// ---- Finland's quarterly schedule (R-FI-3) -----------------------------------------------------

/**
 * The fewest days an invoice gives to pay (the project's reading; the schedules give more: a
 * Swedish run on the 1st or the 4th is due at the month's end, a Finnish quarterly run 5-6 weeks
 * after it). It matters for runs off their schedule: a late re-run, or a Finnish monthly run in a
 * month without a quarterly run that bills only reminder fees or large consumers. Without it such
 * an invoice would be due before it was issued, and the overdue scan would open a case on it the
 * same day.
 */
export const MIN_PAYMENT_DAYS = 14;

/**
 * The due date of an invoice of the run for `runMonth` issued on `issueDate`: the schedule's
 * (R-SE-12: the month's last banking day; R-FI-3: the quarter's, for a run in the month after a
 * quarter, or in any other month the last quarter's), but never sooner than MIN_PAYMENT_DAYS
 * after the issue date, moved to the next banking day.
 */
export function invoiceDueDate(country: Country, runMonth: string, issueDate: string): string {
  const [year, month] = parseMonth(runMonth);
  let scheduled: string;
  if (country === 'FI') {
    // R-FI-3: a run in April, July, October or January bills the quarter before it (the quarter three months back).
    const billed = finnishQuarter(addMonths(`${runMonth}-01`, -3));
    scheduled = finnishSchedule(billed.year, billed.quarter).dueDate;
  } else {
    scheduled = swedishDueDate(year, month);
  }
  const earliest = nextBankingDay(addDays(issueDate, MIN_PAYMENT_DAYS), country);
  return scheduled >= earliest ? scheduled : earliest;
}

export type FinnishQuarter = 1 | 2 | 3 | 4;

/** The calendar quarter a date belongs to. */
export function finnishQuarter(date: string): { year: number; quarter: FinnishQuarter } {
  toDayNumber(date);
  const month = Number(date.slice(5, 7));
  return { year: Number(date.slice(0, 4)), quarter: (Math.floor((month - 1) / 3) + 1) as FinnishQuarter };
}

export interface IsoWeekRef {
  year: number;
  week: number;
  monday: string;
  sunday: string;
}

export interface FinnishSchedule {
  year: number;
  quarter: FinnishQuarter;
  periodStart: string;
  periodEnd: string;
  /** ISO week 13, 26, 39 or 52 of `year`: remote meters are read, customers may report (R-FI-4). */
  readingWeek: IsoWeekRef;
  /** ISO week 14, 27 or 40 of `year`; for the fourth quarter weeks 1 and 2 of the next year. */
  invoicingWeeks: IsoWeekRef[];
  /** The month of the billing run: April, July, October, or January of the next year. */
  runMonth: string;
  /** "Due about 5-15": the 5th to the 15th of May, August, November, or February of the next year. */
  dueWindow: { from: string; to: string };
  /** The 15th of the due month, or the next banking day when the 15th is not one. */
  dueDate: string;
}

function weekRef(year: number, week: number): IsoWeekRef {
  return { year, week, ...isoWeekRange(year, week) };
}

/**
 * The published schedule of R-FI-3 for one quarter of `year`: period 1.1-31.3 read in week 13,
 * invoiced in week 14, due about 5-15 May; 1.4-30.6: weeks 26/27, August; 1.7-30.9: weeks 39/40,
 * November; 1.10-31.12: week 52, weeks 1-2 of the next year, February of the next year.
 *
 * The project's reading: weeks are ISO weeks; in a year with 53 ISO weeks (2026) the reading
 * week stays 52 and week 53 passes between reading and invoicing. The exact due date is the
 * end of the window, the 15th, moved to the next banking day when the 15th is a weekend or a
 * holiday (so it can fall after the "about 5-15" window; customers are never asked to pay
 * earlier than the 15th).
 */
export function finnishSchedule(year: number, quarter: FinnishQuarter): FinnishSchedule {
  if (!Number.isInteger(year) || year < 2 || year > 9998) invalid('year', `expected a year 2-9998, got ${year}`);
  if (![1, 2, 3, 4].includes(quarter)) invalid('quarter', `expected a quarter 1-4, got ${quarter}`);
  const endMonth = quarter * 3;
  const next = quarter === 4;
  const dueYear = next ? year + 1 : year;
  const dueMonth = next ? 2 : endMonth + 2;
  return {
    year,
    quarter,
    periodStart: formatDate(year, endMonth - 2, 1),
    periodEnd: lastDayOfMonth(year, endMonth),
    readingWeek: weekRef(year, quarter * 13),
    invoicingWeeks: next ? [weekRef(year + 1, 1), weekRef(year + 1, 2)] : [weekRef(year, quarter * 13 + 1)],
    runMonth: next ? `${year + 1}-01` : `${year}-${pad2(endMonth + 1)}`,
    dueWindow: { from: formatDate(dueYear, dueMonth, 5), to: formatDate(dueYear, dueMonth, 15) },
    dueDate: nextBankingDay(formatDate(dueYear, dueMonth, 15), 'FI'),
  };
}

// ---- billing cycles ---------------------------------------------------------------------------

/**
 * How often a service is invoiced (R-SE-11, R-FI-3), as data.
 * - `monthly`: every run bills the previous month.
 * - `bimonthly`: runs in months of the anchor's parity (anchor 1: January, March, ...; anchor 2:
 *   February, April, ...) bill the two months before the run month.
 * - `quarterly`: runs in the anchor month and every third month after it bill the three months
 *   before (anchor 1: runs in January, April, July, October).
 * - `seasonal`: runs in `months` bill the latest season (`seasonStartMonth`-`seasonEndMonth`,
 *   inclusive, may wrap over the new year) that ended before the run month; summer waste is
 *   `{ months: [10], seasonStartMonth: 5, seasonEndMonth: 9 }`.
 * - `finnish_quarterly`: R-FI-3, runs in January, April, July and October bill the previous
 *   calendar quarter (invoicing weeks 1-2, 14, 27, 40; see {@link finnishSchedule}).
 */
export type BillingCycle =
  | { kind: 'monthly' }
  | { kind: 'bimonthly'; anchorMonth: 1 | 2 }
  | { kind: 'quarterly'; anchorMonth: 1 | 2 | 3 }
  | { kind: 'seasonal'; months: readonly number[]; seasonStartMonth: number; seasonEndMonth: number }
  | { kind: 'finnish_quarterly' };

export interface BillingPeriod {
  /** Whether a run in this month invoices the cycle. */
  due: boolean;
  periodStart: string;
  periodEnd: string;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** The whole months from month index `first` to `last` (index = year * 12 + month - 1). */
function monthsPeriod(due: boolean, first: number, last: number): BillingPeriod {
  const startYear = Math.floor(first / 12);
  const endYear = Math.floor(last / 12);
  return { due, periodStart: formatDate(startYear, (first % 12) + 1, 1), periodEnd: lastDayOfMonth(endYear, (last % 12) + 1) };
}

/** A run every `length` months, in months congruent to `anchorMonth`, bills the `length` months before it. */
function everyNMonths(index: number, length: number, anchorMonth: number): BillingPeriod {
  const sinceRun = mod(index - (anchorMonth - 1), length);
  const lastRun = index - sinceRun;
  return monthsPeriod(sinceRun === 0, lastRun - length, lastRun - 1);
}

function checkMonthNumber(value: number, path: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 12) invalid(path, `expected a month 1-12, got ${value}`);
}

/**
 * The period a run in `runMonth` (`YYYY-MM`) bills under `cycle`, and whether the cycle is due
 * in that month at all. When it is not due, the period is the latest complete period of the
 * cycle that ended before the run month (the one the previous due run billed), so the answer
 * is always a real period of the cycle.
 */
export function billingPeriodFor(cycle: BillingCycle, runMonth: string): BillingPeriod {
  const [year, month] = parseMonth(runMonth);
  const index = year * 12 + month - 1;
  switch (cycle.kind) {
    case 'monthly':
      return monthsPeriod(true, index - 1, index - 1);
    case 'bimonthly':
      if (cycle.anchorMonth !== 1 && cycle.anchorMonth !== 2) invalid('cycle.anchorMonth', 'a bimonthly anchor is 1 or 2');
      return everyNMonths(index, 2, cycle.anchorMonth);
    case 'quarterly':
      if (![1, 2, 3].includes(cycle.anchorMonth)) invalid('cycle.anchorMonth', 'a quarterly anchor is 1, 2 or 3');
      return everyNMonths(index, 3, cycle.anchorMonth);
    case 'finnish_quarterly':
      return everyNMonths(index, 3, 1);
    case 'seasonal': {
      cycle.months.forEach((m, i) => checkMonthNumber(m, `cycle.months.${i}`));
      checkMonthNumber(cycle.seasonStartMonth, 'cycle.seasonStartMonth');
      checkMonthNumber(cycle.seasonEndMonth, 'cycle.seasonEndMonth');
      const lastEnd = index - 1 - mod(index - 1 - (cycle.seasonEndMonth - 1), 12);
      const first = lastEnd - mod(cycle.seasonEndMonth - cycle.seasonStartMonth, 12);
      return monthsPeriod(cycle.months.includes(month), first, lastEnd);
    }
  }
}

// ---- regional run days (R-SE-12) --------------------------------------------------------------

/**
 * The day of the month a region's billing run starts (R-SE-12: Eda's customers first, on the
 * 1st; Arvika's a few days into the month, once retail electricity prices are updated).
 * Days 1-28 only, so that every month has the day and a cron expression fires every month.
 */
export interface RegionSchedule {
  region: string;
  dayOfMonth: number;
}

function checkRunDay(schedule: RegionSchedule): void {
  const day = schedule.dayOfMonth;
  if (!Number.isInteger(day) || day < 1 || day > 28) invalid('dayOfMonth', `a run day is 1-28, got ${day}`);
}

/**
 * The date of the region's run in `runMonth`: the fixed day of the month, as the cron
 * expressions fire it (not moved off weekends or holidays: the run is a batch job, not a
 * payment, and only due dates need banking days).
 */
export function runDateFor(schedule: RegionSchedule, runMonth: string): string {
  checkRunDay(schedule);
  const [year, month] = parseMonth(runMonth);
  return formatDate(year, month, schedule.dayOfMonth);
}

export interface RunCron {
  /** EventBridge form, six fields with `?` for the day of the week: `cron(0 5 4 * ? *)`. */
  eventBridge: string;
  /** Classic five-field form for local schedulers (croner, crontab): `0 5 4 * *`. */
  unix: string;
}

/**
 * Cron expressions that fire at `hour:minute` (default 05:00) on the region's run day every
 * month. The time is in the scheduler's zone: UTC for EventBridge rules (05:00 UTC is 06:00 or
 * 07:00 in the Nordic zones, the same calendar day), or the zone given to an EventBridge
 * Scheduler schedule or to croner.
 */
export function cronForRegion(schedule: RegionSchedule, time: { hour?: number; minute?: number } = {}): RunCron {
  checkRunDay(schedule);
  const hour = time.hour ?? 5;
  const minute = time.minute ?? 0;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) invalid('hour', `an hour is 0-23, got ${hour}`);
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) invalid('minute', `a minute is 0-59, got ${minute}`);
  return {
    eventBridge: `cron(${minute} ${hour} ${schedule.dayOfMonth} * ? *)`,
    unix: `${minute} ${hour} ${schedule.dayOfMonth} * *`,
  };
}
