// The billing calendar: banking days, R-SE-12 due dates and run days, R-FI-3 schedule, billing cycles (R-SE-11).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  addBankingDays,
  addDays,
  addMonths,
  billingPeriodFor,
  cronForRegion,
  daysBetween,
  finnishQuarter,
  finnishSchedule,
  invoiceDueDate,
  isBankingDay,
  isIsoDate,
  isoWeek,
  isoWeekRange,
  isoWeeksInYear,
  isoWeekday,
  lastDayOfMonth,
  MIN_PAYMENT_DAYS,
  nextBankingDay,
  previousBankingDay,
  runDateFor,
  swedishDueDate,
  type BillingCycle,
} from '../../../lambdas/domain/billing/calendar.js';
import { ValidationError } from '../../../lambdas/domain/errors.js';

const anyDate = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

describe('plain dates', () => {
  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30'); // DST change in the Nordic zones changes nothing
  });

  it('adds months, clamping to the end of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    expect(addMonths('2026-01-15', -13)).toBe('2024-12-15');
  });

  it('knows the last day of each month', () => {
    expect(lastDayOfMonth(2026, 2)).toBe('2026-02-28');
    expect(lastDayOfMonth(2028, 2)).toBe('2028-02-29');
    expect(lastDayOfMonth(2100, 2)).toBe('2100-02-28');
    expect(lastDayOfMonth(2026, 12)).toBe('2026-12-31');
    expect(() => lastDayOfMonth(2026, 13)).toThrow(ValidationError);
  });

  it('refuses dates that are not real calendar dates', () => {
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-2-1')).toBe(false);
    expect(isIsoDate('2026-02-28T00:00:00Z')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(() => addDays('2026-02-30', 1)).toThrow(ValidationError);
    expect(() => addDays('2026-02-01', 0.5)).toThrow(RangeError);
  });

  it('agrees with itself: addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -5000, max: 5000 }), (date, n) => {
        expect(daysBetween(date, addDays(date, n))).toBe(n);
      }),
    );
  });
});

describe('ISO weeks', () => {
  it('finds weeks 1, 13, 52 and 53 of 2026 (a year with 53 weeks)', () => {
    expect(isoWeeksInYear(2026)).toBe(53);
    expect(isoWeekRange(2026, 1)).toEqual({ monday: '2025-12-29', sunday: '2026-01-04' });
    expect(isoWeekRange(2026, 13)).toEqual({ monday: '2026-03-23', sunday: '2026-03-29' });
    expect(isoWeekRange(2026, 52)).toEqual({ monday: '2026-12-21', sunday: '2026-12-27' });
    expect(isoWeekRange(2026, 53)).toEqual({ monday: '2026-12-28', sunday: '2027-01-03' });
    expect(isoWeekRange(2027, 1)).toEqual({ monday: '2027-01-04', sunday: '2027-01-10' });
  });

  it('refuses week 53 in a 52-week year', () => {
    expect(isoWeeksInYear(2027)).toBe(52);
    expect(() => isoWeekRange(2027, 53)).toThrow(ValidationError);
    expect(() => isoWeekRange(2027, 0)).toThrow(ValidationError);
  });

  it('knows the 53-week years of this century', () => {
    const long = Array.from({ length: 100 }, (_, i) => 2000 + i).filter((y) => isoWeeksInYear(y) === 53);
    expect(long).toEqual([2004, 2009, 2015, 2020, 2026, 2032, 2037, 2043, 2048, 2054, 2060, 2065, 2071, 2076, 2082, 2088, 2093, 2099]);
  });

  it('numbers dates into their ISO year', () => {
    expect(isoWeek('2027-01-01')).toEqual({ year: 2026, week: 53 });
    expect(isoWeek('2025-12-29')).toEqual({ year: 2026, week: 1 });
    expect(isoWeek('2026-03-25')).toEqual({ year: 2026, week: 13 });
  });

  it('puts every date inside the range of its own week', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        const { year, week } = isoWeek(date);
        const range = isoWeekRange(year, week);
        expect(date >= range.monday && date <= range.sunday).toBe(true);
        expect(isoWeekday(range.monday)).toBe(1);
        expect(isoWeekday(range.sunday)).toBe(7);
      }),
    );
  });
});

describe('banking days', () => {
  it('closes Swedish eves that date-holidays calls bank holidays', () => {
    expect(isBankingDay('2026-12-24', 'SE')).toBe(false); // julafton, Thursday
    expect(isBankingDay('2026-06-19', 'SE')).toBe(false); // midsommarafton, Friday
    expect(isBankingDay('2026-12-31', 'SE')).toBe(false); // nyårsafton, Thursday
    expect(isBankingDay('2026-01-06', 'SE')).toBe(false); // trettondedag jul
    expect(isBankingDay('2026-04-30', 'SE')).toBe(true); // valborgsmässoafton is a working day
    expect(isBankingDay('2026-12-23', 'SE')).toBe(true);
    expect(isBankingDay('2026-12-26', 'SE')).toBe(false); // Saturday
  });

  it('closes Finnish and Norwegian public holidays and eves', () => {
    expect(isBankingDay('2026-12-06', 'FI')).toBe(false); // itsenäisyyspäivä (a Sunday anyway)
    expect(isBankingDay('2027-12-06', 'FI')).toBe(false); // itsenäisyyspäivä, Monday
    expect(isBankingDay('2026-06-19', 'FI')).toBe(false); // juhannusaatto
    expect(isBankingDay('2026-05-14', 'FI')).toBe(false); // helatorstai
    expect(isBankingDay('2026-05-17', 'NO')).toBe(false); // grunnlovsdagen (Sunday)
    expect(isBankingDay('2027-05-17', 'NO')).toBe(false); // grunnlovsdagen, Monday
    expect(isBankingDay('2026-04-02', 'NO')).toBe(false); // skjærtorsdag
    expect(isBankingDay('2026-12-31', 'NO')).toBe(false); // nyttårsaften (from 14:00 in date-holidays)
    expect(isBankingDay('2026-04-02', 'SE')).toBe(true); // skärtorsdagen is a working day in Sweden
  });

  it('steps to the next and previous banking day, on or after / on or before', () => {
    expect(nextBankingDay('2026-12-23', 'SE')).toBe('2026-12-23');
    expect(nextBankingDay('2026-12-24', 'SE')).toBe('2026-12-28');
    expect(nextBankingDay('2026-12-31', 'SE')).toBe('2027-01-04');
    expect(previousBankingDay('2027-01-06', 'SE')).toBe('2027-01-05');
    expect(previousBankingDay('2027-01-03', 'SE')).toBe('2026-12-30');
  });

  it('adds banking days, skipping weekends and holidays', () => {
    expect(addBankingDays('2026-12-23', 1, 'SE')).toBe('2026-12-28');
    expect(addBankingDays('2026-12-23', 2, 'SE')).toBe('2026-12-29');
    expect(addBankingDays('2026-12-30', 1, 'SE')).toBe('2027-01-04');
    expect(addBankingDays('2026-12-26', 1, 'SE')).toBe('2026-12-28'); // from a Saturday
    expect(addBankingDays('2027-01-04', -1, 'SE')).toBe('2026-12-30');
    expect(addBankingDays('2026-12-26', 0, 'SE')).toBe('2026-12-26');
    expect(addBankingDays('2026-04-02', 2, 'FI')).toBe('2026-04-08'); // R-FI-10 over Easter
  });

  it('always lands addBankingDays on a banking day, n banking days away', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 30 }), fc.constantFrom('SE', 'FI', 'NO' as const), (date, n, country) => {
        const later = addBankingDays(date, n, country);
        expect(isBankingDay(later, country)).toBe(true);
        let count = 0;
        for (let d = addDays(date, 1); d <= later; d = addDays(d, 1)) if (isBankingDay(d, country)) count++;
        expect(count).toBe(n);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Swedish due dates (R-SE-12: the last banking day of the month)', () => {
  // Worked by hand from the 2026 and 2027 calendars.
  const expected: Record<string, string> = {
    '2026-01': '2026-01-30', // 31st Saturday
    '2026-02': '2026-02-27', // 28th Saturday
    '2026-03': '2026-03-31',
    '2026-04': '2026-04-30',
    '2026-05': '2026-05-29', // 31st Sunday
    '2026-06': '2026-06-30',
    '2026-07': '2026-07-31',
    '2026-08': '2026-08-31',
    '2026-09': '2026-09-30',
    '2026-10': '2026-10-30', // 31st Saturday (alla helgons dag)
    '2026-11': '2026-11-30',
    '2026-12': '2026-12-30', // 31st Thursday but nyårsafton
    '2027-01': '2027-01-29', // 31st Sunday
    '2027-02': '2027-02-26', // 28th Sunday
    '2027-03': '2027-03-31', // Easter is 26-29 March
    '2027-04': '2027-04-30',
    '2027-05': '2027-05-31',
    '2027-06': '2027-06-30',
    '2027-07': '2027-07-30', // 31st Saturday
    '2027-08': '2027-08-31',
    '2027-09': '2027-09-30',
    '2027-10': '2027-10-29', // 31st Sunday
    '2027-11': '2027-11-30',
    '2027-12': '2027-12-30', // 31st Friday but nyårsafton
  };

  it.each(Object.entries(expected))('%s is due %s', (month, due) => {
    const [year, m] = month.split('-').map(Number) as [number, number];
    expect(swedishDueDate(year, m)).toBe(due);
  });

  it('is always a banking day in the month, with no later banking day in the month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        const due = swedishDueDate(year, month);
        expect(isBankingDay(due, 'SE')).toBe(true);
        expect(due.slice(0, 7)).toBe(`${year}-${String(month).padStart(2, '0')}`);
        for (let d = addDays(due, 1); d <= lastDayOfMonth(year, month); d = addDays(d, 1)) expect(isBankingDay(d, 'SE')).toBe(false);
      }),
    );
  });
});

describe('Finnish quarterly schedule (R-FI-3)', () => {
  it('lays out 2026', () => {
    expect(finnishSchedule(2026, 1)).toEqual({
      year: 2026,
      quarter: 1,
      periodStart: '2026-01-01',
      periodEnd: '2026-03-31',
      readingWeek: { year: 2026, week: 13, monday: '2026-03-23', sunday: '2026-03-29' },
      invoicingWeeks: [{ year: 2026, week: 14, monday: '2026-03-30', sunday: '2026-04-05' }],
      runMonth: '2026-04',
      dueWindow: { from: '2026-05-05', to: '2026-05-15' },
      dueDate: '2026-05-15', // Friday (Thursday the 14th is helatorstai)
    });
    expect(finnishSchedule(2026, 2)).toMatchObject({
      periodStart: '2026-04-01',
      periodEnd: '2026-06-30',
      readingWeek: { week: 26, monday: '2026-06-22', sunday: '2026-06-28' },
      invoicingWeeks: [{ week: 27, monday: '2026-06-29', sunday: '2026-07-05' }],
      runMonth: '2026-07',
      dueWindow: { from: '2026-08-05', to: '2026-08-15' },
      dueDate: '2026-08-17', // the 15th is a Saturday
    });
    expect(finnishSchedule(2026, 3)).toMatchObject({
      periodStart: '2026-07-01',
      periodEnd: '2026-09-30',
      readingWeek: { week: 39, monday: '2026-09-21', sunday: '2026-09-27' },
      invoicingWeeks: [{ week: 40, monday: '2026-09-28', sunday: '2026-10-04' }],
      runMonth: '2026-10',
      dueWindow: { from: '2026-11-05', to: '2026-11-15' },
      dueDate: '2026-11-16', // the 15th is a Sunday
    });
  });

  it('reads the fourth quarter in week 52 and invoices in weeks 1-2 of the next ISO year, past week 53', () => {
    expect(finnishSchedule(2026, 4)).toEqual({
      year: 2026,
      quarter: 4,
      periodStart: '2026-10-01',
      periodEnd: '2026-12-31',
      readingWeek: { year: 2026, week: 52, monday: '2026-12-21', sunday: '2026-12-27' },
      invoicingWeeks: [
        { year: 2027, week: 1, monday: '2027-01-04', sunday: '2027-01-10' },
        { year: 2027, week: 2, monday: '2027-01-11', sunday: '2027-01-17' },
      ],
      runMonth: '2027-01',
      dueWindow: { from: '2027-02-05', to: '2027-02-15' },
      dueDate: '2027-02-15', // Monday
    });
  });

  it('handles week 1 starting in December (2025: week 1 of 2026 starts 29 December)', () => {
    expect(finnishSchedule(2025, 4).invoicingWeeks).toEqual([
      { year: 2026, week: 1, monday: '2025-12-29', sunday: '2026-01-04' },
      { year: 2026, week: 2, monday: '2026-01-05', sunday: '2026-01-11' },
    ]);
  });

  it('always has a banking-day due date on or after the 15th, and the right quarter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2098 }), fc.constantFrom(1, 2, 3, 4 as const), (year, quarter) => {
        const schedule = finnishSchedule(year, quarter);
        expect(isBankingDay(schedule.dueDate, 'FI')).toBe(true);
        expect(schedule.dueDate >= schedule.dueWindow.to).toBe(true);
        expect(daysBetween(schedule.dueWindow.to, schedule.dueDate)).toBeLessThanOrEqual(4);
        expect(finnishQuarter(schedule.periodStart)).toEqual({ year, quarter });
        expect(finnishQuarter(schedule.periodEnd)).toEqual({ year, quarter });
        expect(billingPeriodFor({ kind: 'finnish_quarterly' }, schedule.runMonth)).toEqual({ due: true, periodStart: schedule.periodStart, periodEnd: schedule.periodEnd });
      }),
    );
  });

  it('maps dates to quarters', () => {
    expect(finnishQuarter('2026-03-31')).toEqual({ year: 2026, quarter: 1 });
    expect(finnishQuarter('2026-04-01')).toEqual({ year: 2026, quarter: 2 });
    expect(finnishQuarter('2026-12-31')).toEqual({ year: 2026, quarter: 4 });
  });
});

describe('invoice due dates: the schedule, never sooner than MIN_PAYMENT_DAYS after issue', () => {
  it('a run on its schedule keeps the schedule\'s date (R-SE-12, R-FI-3)', () => {
    expect(invoiceDueDate('SE', '2027-01', '2027-01-04')).toBe('2027-01-29');
    expect(invoiceDueDate('FI', '2027-04', '2027-04-06')).toBe('2027-05-17');
    expect(invoiceDueDate('FI', '2027-07', '2027-07-01')).toBe('2027-08-16');
  });

  it('a Finnish run in a month without a quarterly run is not due before it is issued', () => {
    // September bills only reminder fees or large consumers; the last quarter's date (16 August) has passed
    expect(invoiceDueDate('FI', '2027-09', '2027-09-01')).toBe('2027-09-15');
    expect(invoiceDueDate('FI', '2027-09', '2027-09-02')).toBe('2027-09-16');
  });

  it('a late Swedish re-run gets 14 days, on a banking day', () => {
    expect(invoiceDueDate('SE', '2027-01', '2027-01-25')).toBe('2027-02-08'); // Monday
    expect(invoiceDueDate('SE', '2026-12', '2026-12-17')).toBe('2027-01-04'); // 31 Dec is nyårsafton, 1 Jan a holiday, then a weekend
  });

  it('is always a banking day at least MIN_PAYMENT_DAYS after the issue date', () => {
    fc.assert(
      fc.property(fc.constantFrom('SE' as const, 'FI' as const), fc.integer({ min: 0, max: 3650 }), (country, offset) => {
        const issueDate = addDays('2025-01-01', offset);
        const due = invoiceDueDate(country, issueDate.slice(0, 7), issueDate);
        expect(daysBetween(issueDate, due)).toBeGreaterThanOrEqual(MIN_PAYMENT_DAYS);
        expect(isBankingDay(due, country)).toBe(true);
      }),
    );
  });
});

describe('billing cycles (R-SE-11, R-FI-3)', () => {
  const period = (cycle: BillingCycle, runMonth: string) => billingPeriodFor(cycle, runMonth);

  it('monthly: every run bills the previous month', () => {
    expect(period({ kind: 'monthly' }, '2026-03')).toEqual({ due: true, periodStart: '2026-02-01', periodEnd: '2026-02-28' });
    expect(period({ kind: 'monthly' }, '2026-01')).toEqual({ due: true, periodStart: '2025-12-01', periodEnd: '2025-12-31' });
  });

  it('bimonthly: runs in months of the anchor parity bill the two months before', () => {
    const odd: BillingCycle = { kind: 'bimonthly', anchorMonth: 1 };
    const even: BillingCycle = { kind: 'bimonthly', anchorMonth: 2 };
    expect(period(odd, '2026-03')).toEqual({ due: true, periodStart: '2026-01-01', periodEnd: '2026-02-28' });
    expect(period(odd, '2026-01')).toEqual({ due: true, periodStart: '2025-11-01', periodEnd: '2025-12-31' });
    expect(period(odd, '2026-02')).toEqual({ due: false, periodStart: '2025-11-01', periodEnd: '2025-12-31' });
    expect(period(even, '2026-02')).toEqual({ due: true, periodStart: '2025-12-01', periodEnd: '2026-01-31' });
    expect(period(even, '2026-03')).toEqual({ due: false, periodStart: '2025-12-01', periodEnd: '2026-01-31' });
  });

  it('quarterly: runs aligned to the anchor bill the previous quarter', () => {
    expect(period({ kind: 'quarterly', anchorMonth: 1 }, '2026-04')).toEqual({ due: true, periodStart: '2026-01-01', periodEnd: '2026-03-31' });
    expect(period({ kind: 'quarterly', anchorMonth: 1 }, '2026-05')).toEqual({ due: false, periodStart: '2026-01-01', periodEnd: '2026-03-31' });
    expect(period({ kind: 'quarterly', anchorMonth: 2 }, '2026-02')).toEqual({ due: true, periodStart: '2025-11-01', periodEnd: '2026-01-31' });
    expect(period({ kind: 'quarterly', anchorMonth: 3 }, '2026-06')).toEqual({ due: true, periodStart: '2026-03-01', periodEnd: '2026-05-31' });
    expect(period({ kind: 'quarterly', anchorMonth: 3 }, '2026-01')).toEqual({ due: false, periodStart: '2025-09-01', periodEnd: '2025-11-30' });
  });

  it('seasonal: summer waste (May-September) is invoiced in October', () => {
    const summerWaste: BillingCycle = { kind: 'seasonal', months: [10], seasonStartMonth: 5, seasonEndMonth: 9 };
    expect(period(summerWaste, '2026-10')).toEqual({ due: true, periodStart: '2026-05-01', periodEnd: '2026-09-30' });
    expect(period(summerWaste, '2026-11')).toEqual({ due: false, periodStart: '2026-05-01', periodEnd: '2026-09-30' });
    expect(period(summerWaste, '2026-09')).toEqual({ due: false, periodStart: '2025-05-01', periodEnd: '2025-09-30' });
  });

  it('seasonal: a season may run over the new year', () => {
    const winter: BillingCycle = { kind: 'seasonal', months: [4], seasonStartMonth: 11, seasonEndMonth: 3 };
    expect(period(winter, '2027-04')).toEqual({ due: true, periodStart: '2026-11-01', periodEnd: '2027-03-31' });
  });

  it('finnish_quarterly: runs in January, April, July and October bill the previous calendar quarter', () => {
    const fi: BillingCycle = { kind: 'finnish_quarterly' };
    expect(period(fi, '2026-04')).toEqual({ due: true, periodStart: '2026-01-01', periodEnd: '2026-03-31' });
    expect(period(fi, '2026-07')).toEqual({ due: true, periodStart: '2026-04-01', periodEnd: '2026-06-30' });
    expect(period(fi, '2026-10')).toEqual({ due: true, periodStart: '2026-07-01', periodEnd: '2026-09-30' });
    expect(period(fi, '2027-01')).toEqual({ due: true, periodStart: '2026-10-01', periodEnd: '2026-12-31' });
    expect(period(fi, '2026-05').due).toBe(false);
  });

  it('bills each month exactly once over the due runs of any cycle', () => {
    const cycles: BillingCycle[] = [
      { kind: 'monthly' },
      { kind: 'bimonthly', anchorMonth: 1 },
      { kind: 'bimonthly', anchorMonth: 2 },
      { kind: 'quarterly', anchorMonth: 1 },
      { kind: 'quarterly', anchorMonth: 2 },
      { kind: 'quarterly', anchorMonth: 3 },
      { kind: 'finnish_quarterly' },
    ];
    for (const cycle of cycles) {
      const billed: string[] = [];
      for (let i = 0; i < 36; i++) {
        const runMonth = addMonths('2026-01-01', i).slice(0, 7);
        const result = billingPeriodFor(cycle, runMonth);
        expect(result.periodEnd < `${runMonth}-01`).toBe(true);
        if (!result.due) continue;
        for (let d = result.periodStart; d <= result.periodEnd; d = addMonths(d, 1)) billed.push(d.slice(0, 7));
      }
      const sorted = [...billed].sort();
      expect(new Set(billed).size).toBe(billed.length);
      expect(billed).toEqual(sorted);
      for (let i = 1; i < sorted.length; i++) expect(addMonths(`${sorted[i - 1]}-01`, 1).slice(0, 7)).toBe(sorted[i]);
    }
  });

  it('refuses bad months and anchors', () => {
    expect(() => billingPeriodFor({ kind: 'monthly' }, '2026-13')).toThrow(ValidationError);
    expect(() => billingPeriodFor({ kind: 'monthly' }, '2026-1')).toThrow(ValidationError);
    expect(() => billingPeriodFor({ kind: 'bimonthly', anchorMonth: 3 as 1 }, '2026-01')).toThrow(ValidationError);
    expect(() => billingPeriodFor({ kind: 'seasonal', months: [13], seasonStartMonth: 5, seasonEndMonth: 9 }, '2026-10')).toThrow(ValidationError);
  });
});

describe('regional run days (R-SE-12)', () => {
  it('runs Eda on the 1st and Arvika on the 4th', () => {
    expect(runDateFor({ region: 'Eda', dayOfMonth: 1 }, '2026-03')).toBe('2026-03-01');
    expect(runDateFor({ region: 'Arvika', dayOfMonth: 4 }, '2026-03')).toBe('2026-03-04');
  });

  it('writes EventBridge and five-field cron expressions', () => {
    expect(cronForRegion({ region: 'Arvika', dayOfMonth: 4 })).toEqual({ eventBridge: 'cron(0 5 4 * ? *)', unix: '0 5 4 * *' });
    expect(cronForRegion({ region: 'Eda', dayOfMonth: 1 }, { hour: 6, minute: 30 })).toEqual({ eventBridge: 'cron(30 6 1 * ? *)', unix: '30 6 1 * *' });
  });

  it('refuses run days a month may lack', () => {
    expect(() => runDateFor({ region: 'X', dayOfMonth: 29 }, '2026-02')).toThrow(ValidationError);
    expect(() => cronForRegion({ region: 'X', dayOfMonth: 0 })).toThrow(ValidationError);
    expect(() => cronForRegion({ region: 'X', dayOfMonth: 1 }, { hour: 24 })).toThrow(ValidationError);
  });
});
