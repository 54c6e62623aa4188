import { describe, expect, it } from '@jest/globals';
import { durationMs } from '../../../local/clock.js';
import { redactPath } from '../../../local/server.js';

describe('ISO-8601 durations for /_local/clock', () => {
  const from = new Date('2027-01-31T08:00:00Z');
  it.each([
    ['P14D', 14 * 86_400_000],
    ['PT6H', 6 * 3_600_000],
    ['P2W', 14 * 86_400_000],
    ['P1DT30M', 86_400_000 + 1_800_000],
  ])('%s', (duration, ms) => {
    expect(durationMs(duration, from)).toBe(ms);
  });

  it('adds calendar months (31 January + 1 month lands in March in a 28-day February)', () => {
    expect(new Date(from.getTime() + durationMs('P1M', from)!).toISOString()).toBe('2027-03-03T08:00:00.000Z');
  });

  it.each(['P', 'PT', '14D', 'two weeks', 'P1.5D'])('refuses %s', (duration) => {
    expect(durationMs(duration, from)).toBeUndefined();
  });
});

describe('request log paths', () => {
  it('masks phone numbers in paths', () => {
    expect(redactPath('/v1/alert-opt-outs/%2B46701234567')).toBe('/v1/alert-opt-outs/***');
    expect(redactPath('/v1/customers/cus_0h3k')).toBe('/v1/customers/cus_0h3k');
  });
});
