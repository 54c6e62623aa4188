// Dunning policies as data: validation naming fields, built-in policies, selection (docs/DUNNING.md).
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../lambdas/domain/errors.js';
import {
  builtInPolicies,
  finnishPolicy,
  inWinterSeason,
  parseDunningPolicy,
  selectPolicy,
  swedishPolicy,
} from '../../../lambdas/domain/dunning/index.js';
import { fiKeuruunVesiPolicy } from '../../../lambdas/domain/dunning/policies/fi-keuruun-vesi.js';
import { seTeknikIVastPolicy } from '../../../lambdas/domain/dunning/policies/se-teknik-i-vast.js';

/** A mutable JSON copy of a policy file. */
const clone = (value: unknown): any => JSON.parse(JSON.stringify(value));

function fieldErrors(json: unknown): string[] {
  try {
    parseDunningPolicy(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors.map((e) => e.path);
  }
  throw new Error('expected a ValidationError');
}

describe('parseDunningPolicy', () => {
  it('accepts both built-in policies as JSON files', () => {
    // Prepare
    const files = [JSON.stringify(seTeknikIVastPolicy), JSON.stringify(fiKeuruunVesiPolicy)];

    // Act
    const parsed = files.map((text) => parseDunningPolicy(JSON.parse(text)));

    // Assess
    expect(parsed.map((p) => p.policyId)).toEqual(['se-teknik-i-vast-2026', 'fi-keuruun-vesi-2026']);
    expect(parsed[1]?.maxReminders).toBe(2);
  });

  it('names the offending fields', () => {
    // Prepare
    const bad = clone(seTeknikIVastPolicy) as Record<string, unknown> & { steps: Record<string, unknown>[] };
    bad.currency = 'USD';
    (bad.steps[0] as Record<string, unknown>).offset = { days: 'ten' };
    bad.unknownField = 1;

    // Act
    const paths = fieldErrors(bad);

    // Assess
    expect(paths).toEqual(expect.arrayContaining(['currency', 'steps.0.offset']));
    expect(paths.some((p) => p === '(policy)' || p === '')).toBe(true); // the unknown key is refused at the top level
  });

  it('refuses a third reminder, unknown anchors, duplicate stages and anchor cycles', () => {
    // Prepare
    const third = clone(fiKeuruunVesiPolicy) as { maxReminders: number };
    third.maxReminders = 3;
    const unknownAnchor = clone(fiKeuruunVesiPolicy) as { steps: { from: string }[] };
    unknownAnchor.steps = unknownAnchor.steps.filter((s) => (s as unknown as { stage: string }).stage !== 'disconnection');
    const duplicate = clone(fiKeuruunVesiPolicy) as { steps: unknown[] };
    duplicate.steps.push(duplicate.steps[0]);
    const cycle = clone(fiKeuruunVesiPolicy) as { steps: { stage: string; from: string }[] };
    (cycle.steps[0] as { from: string }).from = 'reminder_2';
    const winterWithoutSeason = clone(seTeknikIVastPolicy) as { winterSeason?: unknown };
    delete winterWithoutSeason.winterSeason;

    // Act
    const results = [third, unknownAnchor, duplicate, cycle, winterWithoutSeason].map(fieldErrors);

    // Assess
    expect(results[0]).toContain('maxReminders');
    expect(results[1]).toEqual(expect.arrayContaining(['steps.0.statesDisconnectionDate', 'steps.1.from']));
    expect(results[2]).toEqual(expect.arrayContaining(['steps.4.stage', 'maxReminders']));
    expect(results[3]).toContain('steps.0.from');
    expect(results[4]).toEqual(expect.arrayContaining(['services.3.winterOwnerContact', 'services.5.winterOwnerContact']));
  });

  it('refuses a window that is not in days or rolls backwards', () => {
    // Prepare
    const bad = clone(seTeknikIVastPolicy) as { steps: { offset: unknown; roll: string }[] };
    (bad.steps[0] as { roll: string }).roll = 'previous_banking_day';

    // Act
    const paths = fieldErrors(bad);

    // Assess
    expect(paths).toEqual(['steps.0.windowLastDay']);
  });
});

describe('selectPolicy', () => {
  it('chooses per country and service, and refuses what no policy covers', () => {
    // Prepare
    const policies = builtInPolicies;

    // Act
    const water = selectPolicy(policies, 'FI', 'water');
    const grid = selectPolicy(policies, 'SE', 'electricity_grid');

    // Assess
    expect(water).toBe(finnishPolicy);
    expect(grid).toBe(swedishPolicy);
    expect(() => selectPolicy(policies, 'FI', 'waste')).toThrow('No dunning policy covers waste in FI');
    expect(() => selectPolicy(policies, 'NO', 'water')).toThrow('No dunning policy');
    expect(() => selectPolicy([swedishPolicy, swedishPolicy], 'SE', 'water')).toThrow('all cover water');
  });
});

describe('winter season', () => {
  it('is inclusive and wraps over the new year', () => {
    // Prepare
    const dates = ['2026-10-31', '2026-11-01', '2027-01-15', '2027-03-31', '2027-04-01'];

    // Act
    const inside = dates.map((d) => inWinterSeason(swedishPolicy, d));

    // Assess
    expect(inside).toEqual([false, true, true, true, false]);
    expect(inWinterSeason(finnishPolicy, '2027-01-15')).toBe(false); // no season configured
  });
});
