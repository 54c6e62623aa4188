// R-SMS-6: non-urgent alerts wait out evenings, weekends and public holidays; urgent ones go at once.
import { describe, expect, it } from '@jest/globals';
import Holidays from 'date-holidays';
import fc from 'fast-check';
import { localDateTime, sendTimeFor, zonedTimeToUtc, type SendTimeInput } from '../../../lambdas/domain/alerts/quiet-hours.js';
import { outageCategories, urgentCategories } from '../../../lambdas/domain/alerts/types.js';
import { ValidationError } from '../../../lambdas/domain/errors.js';

const stockholm = (createdAt: string, overrides: Partial<SendTimeInput> = {}): SendTimeInput => ({
  category: 'planned_shutoff',
  createdAt: new Date(createdAt),
  zone: 'Europe/Stockholm',
  country: 'SE',
  ...overrides,
});

describe('non-urgent alerts in Sweden (07:00-18:00 on working days)', () => {
  it('sends during a weekday at once', () => {
    // Prepare: Tuesday 11:00 CET
    const input = stockholm('2026-11-24T10:00:00Z');
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-11-24T10:00:00Z'), held: false });
  });

  it('holds a weekday evening until 07:00 the next morning', () => {
    // Prepare: Tuesday 19:30 CET
    const input = stockholm('2026-11-24T18:30:00Z');
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-11-25T06:00:00Z'), held: true, reason: 'evening' });
  });

  it('holds from 18:00 sharp, not at 17:59', () => {
    // Act
    const at1759 = sendTimeFor(stockholm('2026-11-24T16:59:00Z'));
    const at1800 = sendTimeFor(stockholm('2026-11-24T17:00:00Z'));
    // Assess
    expect(at1759.held).toBe(false);
    expect(at1800).toMatchObject({ held: true, sendAt: new Date('2026-11-25T06:00:00Z') });
  });

  it('holds an early morning until 07:00 the same day', () => {
    // Prepare: Tuesday 06:00 CET
    const input = stockholm('2026-11-24T05:00:00Z');
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-11-24T06:00:00Z'), held: true, reason: 'evening' });
  });

  it('holds a Saturday until Monday 07:00', () => {
    // Prepare: Saturday 10:00 CET
    const input = stockholm('2026-11-28T09:00:00Z', { category: 'works_schedule' });
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-11-30T06:00:00Z'), held: true, reason: 'weekend' });
  });

  it('holds Christmas Day (juldagen, public) through the weekend to Monday', () => {
    // Prepare: Friday 25 December 2026, 10:00 CET
    const input = stockholm('2026-12-25T09:00:00Z', { category: 'traffic' });
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-12-28T06:00:00Z'), held: true, reason: 'holiday', holiday: 'juldagen' });
  });

  it('skips the Easter holidays when looking for the next morning', () => {
    // Prepare: Thursday 2 April 2026, 19:00 CEST; Good Friday, Easter weekend and Easter Monday follow
    const input = stockholm('2026-04-02T17:00:00Z');
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-04-07T05:00:00Z'), held: true, reason: 'evening' });
  });

  it('treats Christmas Eve (julafton, a "bank" day) as a working day by default', () => {
    // Prepare: Wednesday 23 December 2026, 20:00 CET
    const input = stockholm('2026-12-23T19:00:00Z');
    // Act
    const byDefault = sendTimeFor(input);
    const withEves = sendTimeFor({ ...input, policy: { morningHour: 7, eveningHour: 18, holidayTypes: ['public', 'bank'] } });
    // Assess
    expect(byDefault.sendAt).toEqual(new Date('2026-12-24T06:00:00Z'));
    expect(withEves.sendAt).toEqual(new Date('2026-12-28T06:00:00Z'));
  });

  it('holds a requested sendAt that falls on a weekend', () => {
    // Prepare: created Friday 10:00, asked to go Saturday 09:00
    const input = stockholm('2026-11-27T09:00:00Z', { sendAt: new Date('2026-11-28T08:00:00Z') });
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-11-30T06:00:00Z'), held: true, reason: 'weekend' });
  });

  it('sends a past sendAt now', () => {
    // Prepare
    const input = stockholm('2026-11-24T10:00:00Z', { sendAt: new Date('2026-11-20T10:00:00Z') });
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-11-24T10:00:00Z'), held: false });
  });

  it('follows a policy with other hours', () => {
    // Prepare: Tuesday 19:30 CET, with sending until 20:00 and from 08:00
    const policy = { morningHour: 8, eveningHour: 20 };
    // Act
    const evening = sendTimeFor(stockholm('2026-11-24T18:30:00Z', { policy }));
    const late = sendTimeFor(stockholm('2026-11-24T19:30:00Z', { policy }));
    // Assess
    expect(evening.held).toBe(false);
    expect(late.sendAt).toEqual(new Date('2026-11-25T07:00:00Z'));
  });
});

describe('urgent alerts', () => {
  it.each(urgentCategories)('%s at 23:00 goes now', (category) => {
    // Prepare: Tuesday 23:00 CET
    const input = stockholm('2026-11-24T22:00:00Z', { category });
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-11-24T22:00:00Z'), held: false });
  });

  it('goes on Christmas Day, at the requested sendAt', () => {
    // Prepare
    const input = stockholm('2026-12-25T09:00:00Z', { category: 'leak', sendAt: new Date('2026-12-25T09:30:00Z') });
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-12-25T09:30:00Z'), held: false });
  });
});

describe('daylight saving time in Europe/Stockholm', () => {
  it('a Friday evening before the last Sunday of March goes Monday 07:00 CEST (05:00 UTC)', () => {
    // Prepare: Friday 27 March 2026, 19:00 CET
    const input = stockholm('2026-03-27T18:00:00Z');
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result.sendAt).toEqual(new Date('2026-03-30T05:00:00Z'));
  });

  it('the evening of the spring-forward Sunday goes Monday 07:00 CEST', () => {
    // Prepare: Sunday 29 March 2026, 20:00 CEST; and 01:30 CET, before the change
    const evening = stockholm('2026-03-29T18:00:00Z');
    const night = stockholm('2026-03-29T00:30:00Z');
    // Act / Assess
    expect(sendTimeFor(evening)).toEqual({ sendAt: new Date('2026-03-30T05:00:00Z'), held: true, reason: 'weekend' });
    expect(sendTimeFor(night).sendAt).toEqual(new Date('2026-03-30T05:00:00Z'));
  });

  it('a Friday evening before the last Sunday of October goes Monday 07:00 CET (06:00 UTC)', () => {
    // Prepare: Friday 23 October 2026, 19:00 CEST
    const input = stockholm('2026-10-23T17:00:00Z');
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result.sendAt).toEqual(new Date('2026-10-26T06:00:00Z'));
  });

  it('a Saturday late evening in CEST goes Monday 07:00 CET', () => {
    // Prepare: Saturday 24 October 2026, 23:30 CEST
    const input = stockholm('2026-10-24T21:30:00Z');
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-10-26T06:00:00Z'), held: true, reason: 'weekend' });
  });

  it('converts wall-clock times in the gap forward and the repeated hour to its first occurrence', () => {
    // Act
    const gap = zonedTimeToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Stockholm');
    const repeated = zonedTimeToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Stockholm');
    const after = zonedTimeToUtc({ year: 2026, month: 10, day: 25, hour: 3, minute: 30 }, 'Europe/Stockholm');
    // Assess
    expect(gap).toEqual(new Date('2026-03-29T01:30:00Z')); // 03:30 CEST
    expect(repeated).toEqual(new Date('2026-10-25T00:30:00Z')); // 02:30 CEST, not 02:30 CET
    expect(after).toEqual(new Date('2026-10-25T02:30:00Z'));
  });
});

describe('Finland and Norway', () => {
  it('Finland: a Monday evening before Epiphany (loppiainen) goes Wednesday 07:00 EET', () => {
    // Prepare: Monday 5 January 2026, 18:00 EET
    const input: SendTimeInput = { category: 'planned_shutoff', createdAt: new Date('2026-01-05T16:00:00Z'), zone: 'Europe/Helsinki', country: 'FI' };
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result).toEqual({ sendAt: new Date('2026-01-07T05:00:00Z'), held: true, reason: 'evening' });
  });

  it('Norway: Ascension Day (Kristi himmelfartsdag) is skipped', () => {
    // Prepare: Wednesday 13 May 2026, 19:00 CEST
    const input: SendTimeInput = { category: 'traffic', createdAt: new Date('2026-05-13T17:00:00Z'), zone: 'Europe/Oslo', country: 'NO' };
    // Act
    const result = sendTimeFor(input);
    // Assess
    expect(result.sendAt).toEqual(new Date('2026-05-15T05:00:00Z'));
  });
});

describe('refused input', () => {
  it.each([
    [{ morningHour: 18, eveningHour: 7 }],
    [{ morningHour: 7.5, eveningHour: 18 }],
    [{ morningHour: -1, eveningHour: 18 }],
    [{ morningHour: 7, eveningHour: 25 }],
  ])('a policy of %p', (policy) => {
    // Act / Assess
    expect(() => sendTimeFor(stockholm('2026-11-24T10:00:00Z', { policy }))).toThrow(ValidationError);
  });

  it('an unknown time zone', () => {
    // Act / Assess
    expect(() => sendTimeFor(stockholm('2026-11-24T10:00:00Z', { zone: 'Europe/Kalmar' }))).toThrow(ValidationError);
  });
});

describe('properties', () => {
  const publicHolidays = new Set(
    [2026, 2027, 2028].flatMap((year) =>
      new Holidays('SE')
        .getHolidays(year)
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => holiday.date.slice(0, 10)),
    ),
  );
  const isWorkingTime = (instant: Date) => {
    const local = localDateTime(instant, 'Europe/Stockholm');
    const date = `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
    return local.weekday !== 0 && local.weekday !== 6 && !publicHolidays.has(date) && local.hour >= 7 && local.hour < 18;
  };
  const nonUrgent = outageCategories.filter((category) => !urgentCategories.includes(category));

  it('sends a non-urgent alert at its time if that is working time, else at 07:00 of a later working day', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-12-20T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...nonUrgent),
        (createdAt, category) => {
          // Act
          const result = sendTimeFor({ category, createdAt, zone: 'Europe/Stockholm', country: 'SE' });
          // Assess
          expect(result.held).toBe(!isWorkingTime(createdAt));
          expect(result.sendAt.getTime()).toBeGreaterThanOrEqual(createdAt.getTime());
          expect(isWorkingTime(result.sendAt)).toBe(true);
          if (result.held) {
            const local = localDateTime(result.sendAt, 'Europe/Stockholm');
            expect([local.hour, local.minute, local.second]).toEqual([7, 0, 0]);
            // The first working morning: no working hour starts between createdAt and sendAt
            // (Stockholm's offsets are whole hours, so local hours start on UTC hours).
            const hour = 3600 * 1000;
            for (let t = Math.ceil(createdAt.getTime() / hour) * hour; t < result.sendAt.getTime(); t += hour) {
              expect(isWorkingTime(new Date(t))).toBe(false);
            }
          }
        },
      ),
    );
  });
});
