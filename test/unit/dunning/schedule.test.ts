// Dunning schedules: Swedish ladder (R-SE-16/17), Finnish ladder (R-FI-5..9), partial payments (docs/DUNNING.md).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isBankingDay } from '../../../lambdas/domain/billing/calendar.js';
import { ValidationError } from '../../../lambdas/domain/errors.js';
import {
  dunningSchedule,
  finnishPolicy,
  recomputeAfterPartialPayment,
  swedishPolicy,
  type DunningStep,
} from '../../../lambdas/domain/dunning/index.js';

const sek = (dueDate: string, openAmount = 100_000) => ({ dueDate, openAmount, currency: 'SEK' as const });
const eur = (dueDate: string, openAmount: number) => ({ dueDate, openAmount, currency: 'EUR' as const });
const dates = (steps: DunningStep[]) => Object.fromEntries(steps.map((s) => [s.stage, s.date]));

const anyDate = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('Swedish ladder (R-SE-16, R-SE-17)', () => {
  it('moves a reminder due over Christmas past the holidays, within 13 days', () => {
    // Prepare: 2026-12-23 + 10 days is Saturday 2027-01-02 (after nyårsafton and nyårsdagen)

    // Act
    const steps = dunningSchedule(swedishPolicy, sek('2026-12-23'), 'SE');

    // Assess
    expect(dates(steps)).toEqual({
      reminder_1: '2027-01-04',
      collection: '2027-01-14',
      disconnection_notice: '2027-01-25',
      disconnection: '2027-02-08',
    });
    expect(steps[0]?.basis).toBe('due 2026-12-23 + 10 days = 2027-01-02 (not a banking day) → next banking day 2027-01-04');
    expect(steps.find((s) => s.stage === 'disconnection_notice')?.statesDisconnectionDate).toBe('2027-02-08');
    expect(steps.every((s) => s.fee === undefined)).toBe(true);
  });

  it('counts calendar days across the DST change at the end of March', () => {
    // Prepare: clocks go forward on 2026-03-29 in Stockholm

    // Act
    const march20 = dunningSchedule(swedishPolicy, sek('2026-03-20'), 'SE');
    const march31 = dunningSchedule(swedishPolicy, sek('2026-03-31'), 'SE');

    // Assess
    expect(march20[0]?.date).toBe('2026-03-30');
    expect(dates(march31)).toEqual({ reminder_1: '2026-04-10', collection: '2026-04-20', disconnection_notice: '2026-04-30', disconnection: '2026-05-15' });
  });

  it('keeps the window at month ends and goes past it only when no day in it is a banking day', () => {
    // Prepare: 2027-03-16 + 10 = Good Friday 2027-03-26; 27, 28 weekend, 29 Easter Monday

    // Act
    const easter = dunningSchedule(swedishPolicy, sek('2027-03-16'), 'SE');
    const newYear = dunningSchedule(swedishPolicy, sek('2026-11-30'), 'SE');

    // Assess
    expect(easter[0]?.date).toBe('2027-03-30');
    expect(easter[0]?.basis).toContain('no banking day within 13 days of due');
    expect(dates(newYear)).toEqual({ reminder_1: '2026-12-10', collection: '2026-12-21', disconnection_notice: '2027-01-04', disconnection: '2027-01-18' });
  });

  it('gives the disconnection letter two more weeks', () => {
    // Prepare
    const dueDates = ['2026-01-30', '2026-06-30', '2026-10-30'];

    // Act
    const ladders = dueDates.map((d) => dunningSchedule(swedishPolicy, sek(d), 'SE'));

    // Assess
    for (const steps of ladders) {
      const notice = steps.find((s) => s.stage === 'disconnection_notice') as DunningStep;
      const cut = steps.find((s) => s.stage === 'disconnection') as DunningStep;
      expect(cut.date >= new Date(Date.parse(`${notice.date}T00:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10)).toBe(true);
      expect(notice.statesDisconnectionDate).toBe(cut.date);
    }
  });
});

describe('Finnish ladder (R-FI-5..9)', () => {
  it('gives 169.99 EUR three months and 170.00 EUR five weeks from reminder 1', () => {
    // Prepare
    const due = '2026-05-15';

    // Act
    const below = dunningSchedule(finnishPolicy, eur(due, 16_999), 'FI');
    const at = dunningSchedule(finnishPolicy, eur(due, 17_000), 'FI');

    // Assess
    expect(dates(below)).toEqual({ reminder_1: '2026-05-29', reminder_2: '2026-08-17', disconnection: '2026-08-31', enforcement: '2026-09-01' });
    expect(dates(at)).toEqual({ reminder_1: '2026-05-29', reminder_2: '2026-06-18', disconnection: '2026-07-03', enforcement: '2026-07-06' });
    expect(below.find((s) => s.stage === 'disconnection')?.basis).toContain('open 169.99 EUR < 170.00');
    expect(at.find((s) => s.stage === 'disconnection')?.basis).toContain('open 170.00 EUR >= 170.00');
  });

  it('dates reminder 2 fourteen days before the disconnection, moved back to a banking day', () => {
    // Prepare: 2026-07-03 - 14 = 2026-06-19, juhannusaatto (banks closed)

    // Act
    const steps = dunningSchedule(finnishPolicy, eur('2026-05-15', 50_000), 'FI');

    // Assess
    const reminder2 = steps.find((s) => s.stage === 'reminder_2');
    expect(reminder2?.date).toBe('2026-06-18');
    expect(reminder2?.basis).toBe('disconnection 2026-07-03 - 14 days = 2026-06-19 (not a banking day) → previous banking day 2026-06-18');
  });

  it('sends at most two reminders, 5.00 EUR each, both stating the disconnection date', () => {
    // Prepare
    const invoice = eur('2026-11-16', 25_000);

    // Act
    const steps = dunningSchedule(finnishPolicy, invoice, 'FI');

    // Assess
    const reminders = steps.filter((s) => s.stage.startsWith('reminder'));
    const disconnection = steps.find((s) => s.stage === 'disconnection')?.date;
    expect(reminders).toHaveLength(2);
    expect(reminders.map((r) => r.fee)).toEqual([
      { amount: 500, currency: 'EUR' },
      { amount: 500, currency: 'EUR' },
    ]);
    expect(reminders.map((r) => r.statesDisconnectionDate)).toEqual([disconnection, disconnection]);
    expect(steps.at(-1)?.stage).toBe('enforcement');
  });

  it('moves reminder 1 to the next banking day', () => {
    // Prepare: 2026-12-10 + 14 = 2026-12-24, jouluaatto

    // Act
    const steps = dunningSchedule(finnishPolicy, eur('2026-12-10', 20_000), 'FI');

    // Assess
    expect(steps[0]?.date).toBe('2026-12-28');
  });

  it('has no steps for a paid invoice and refuses a wrong country or currency', () => {
    // Prepare
    const paid = eur('2026-05-15', 0);

    // Act
    const steps = dunningSchedule(finnishPolicy, paid, 'FI');

    // Assess
    expect(steps).toEqual([]);
    expect(() => dunningSchedule(finnishPolicy, eur('2026-05-15', 100), 'SE')).toThrow(ValidationError);
    expect(() => dunningSchedule(finnishPolicy, sek('2026-05-15'), 'FI')).toThrow(ValidationError);
    expect(() => dunningSchedule(finnishPolicy, eur('2026-02-30', 100), 'FI')).toThrow(ValidationError);
    expect(() => dunningSchedule(finnishPolicy, eur('2026-05-15', 1.5), 'FI')).toThrow(ValidationError);
  });
});

describe('recomputeAfterPartialPayment', () => {
  it('switches to three months from reminder 1 when a payment brings the debt under 170 EUR', () => {
    // Prepare
    const original = dunningSchedule(finnishPolicy, eur('2026-05-15', 20_000), 'FI');
    const completed = original.slice(0, 1);

    // Act
    const steps = recomputeAfterPartialPayment(finnishPolicy, eur('2026-05-15', 10_000), 'FI', completed);

    // Assess
    expect(steps[0]).toBe(completed[0]); // what was sent stays as sent
    expect(steps[0]?.statesDisconnectionDate).toBe('2026-07-03');
    expect(dates(steps)).toEqual({ reminder_1: '2026-05-29', reminder_2: '2026-08-17', disconnection: '2026-08-31', enforcement: '2026-09-01' });
    expect(steps[1]?.statesDisconnectionDate).toBe('2026-08-31'); // reminder 2 announces the new date
  });

  it('keeps the date after both reminders were sent never earlier than announced', () => {
    // Prepare
    const original = dunningSchedule(finnishPolicy, eur('2026-05-15', 20_000), 'FI');

    // Act
    const under = recomputeAfterPartialPayment(finnishPolicy, eur('2026-05-15', 16_000), 'FI', original.slice(0, 2));
    const stillOver = recomputeAfterPartialPayment(finnishPolicy, eur('2026-05-15', 18_000), 'FI', original.slice(0, 2));

    // Assess
    expect(dates(under).disconnection).toBe('2026-08-31');
    expect(dates(stillOver)).toEqual(dates(original));
  });

  it('ends the ladder when nothing is open', () => {
    // Prepare
    const original = dunningSchedule(swedishPolicy, sek('2026-03-31'), 'SE');

    // Act
    const steps = recomputeAfterPartialPayment(swedishPolicy, sek('2026-03-31', 0), 'SE', original.slice(0, 2));

    // Assess
    expect(steps).toEqual(original.slice(0, 2));
  });

  it('refuses a completed stage the policy does not have', () => {
    // Prepare
    const stray: DunningStep = { stage: 'collection', date: '2026-06-01', rule: 'x', basis: 'x' };

    // Act
    const act = () => recomputeAfterPartialPayment(finnishPolicy, eur('2026-05-15', 100), 'FI', [stray]);

    // Assess
    expect(act).toThrow(ValidationError);
  });
});

describe('schedule properties', () => {
  it('has strictly increasing banking-day dates, all after the due date', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 10_000_000 }), fc.boolean(), (dueDate, openAmount, finnish) => {
        // Prepare
        const [policy, country, currency] = finnish ? ([finnishPolicy, 'FI', 'EUR'] as const) : ([swedishPolicy, 'SE', 'SEK'] as const);

        // Act
        const steps = dunningSchedule(policy, { dueDate, openAmount, currency }, country);

        // Assess
        expect(steps.length).toBeGreaterThan(0);
        expect(steps[0]!.date > dueDate).toBe(true);
        steps.forEach((step, i) => {
          expect(isBankingDay(step.date, country)).toBe(true);
          if (i > 0) expect(step.date > steps[i - 1]!.date).toBe(true);
          if (step.statesDisconnectionDate) expect(step.statesDisconnectionDate > step.date).toBe(true);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('never gives a Finnish schedule a third reminder or a reminder fee other than 5.00 EUR', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 10_000_000 }), (dueDate, openAmount) => {
        // Act
        const steps = dunningSchedule(finnishPolicy, eur(dueDate, openAmount), 'FI');

        // Assess
        const reminders = steps.filter((s) => s.stage.startsWith('reminder'));
        expect(reminders.length).toBeLessThanOrEqual(2);
        for (const r of reminders) expect(r.fee).toEqual({ amount: 500, currency: 'EUR' });
        const [r1, r2, cut] = [steps[0]!, steps[1]!, steps[2]!];
        expect(r2.stage).toBe('reminder_2');
        // R-FI-6: reminder 1 about 14 days after due, reminder 2 about 14 days before the cut
        const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;
        expect(days(dueDate, r1.date)).toBeGreaterThanOrEqual(14);
        expect(days(r2.date, cut.date)).toBeGreaterThanOrEqual(14);
        expect(days(r1.date, cut.date)).toBeGreaterThanOrEqual(openAmount >= 17_000 ? 35 : 89);
      }),
      { numRuns: 400 },
    );
  });

  it('a partial payment never moves the disconnection earlier than announced', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 17_000, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 3 }), (dueDate, amount, paid, sent) => {
        // Prepare
        const original = dunningSchedule(finnishPolicy, eur(dueDate, amount), 'FI');
        const left = Math.max(0, amount - paid);

        // Act
        const steps = recomputeAfterPartialPayment(finnishPolicy, eur(dueDate, left), 'FI', original.slice(0, sent));

        // Assess
        const cut = steps.find((s) => s.stage === 'disconnection');
        if (left === 0) expect(steps).toEqual(original.slice(0, sent));
        else expect(cut!.date >= original.find((s) => s.stage === 'disconnection')!.date).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
