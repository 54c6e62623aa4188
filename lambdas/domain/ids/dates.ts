/** Calendar helpers for the birth dates inside personal identity numbers (Gregorian calendar). */

/** `YYYY-MM-DD` when the day exists in the Gregorian calendar, otherwise undefined. */
export function calendarDate(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${String(year).padStart(4, '0')}-${twoDigits(month)}-${twoDigits(day)}`;
}

/** The UTC calendar date of `moment` as `YYYY-MM-DD`, comparable with `calendarDate` results. */
export function utcCalendarDate(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}
