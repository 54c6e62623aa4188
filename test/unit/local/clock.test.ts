import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { durationMs, LocalClock } from '../../../local/clock.js';
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

describe('the local clock across a kill', () => {
  const near = (a: Date, b: Date) => Math.abs(a.getTime() - b.getTime()) < 5_000;

  it('keeps the step a move reached in its file, with the target beside it, until the move has finished', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'clock-'));
    const file = join(dir, 'clock.json');
    const clock = new LocalClock(file);
    clock.set(new Date('2027-01-01T08:00:00Z'));
    // Act: a move to March, killed (never ended) at a step in February
    clock.beginMove(new Date('2027-03-01T08:00:00Z'));
    clock.set(new Date('2027-02-04T05:00:00Z'));
    const afterKill = new LocalClock(file);
    // Assess: a restart goes on from the step reached (work queued there runs at its time) and knows the move to finish
    expect(near(afterKill.now(), new Date('2027-02-04T05:00:00Z'))).toBe(true);
    expect(afterKill.interruptedMove?.toISOString()).toBe('2027-03-01T08:00:00.000Z');
    expect(near(clock.now(), new Date('2027-02-04T05:00:00Z'))).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('saves the target when the move has finished, whole (no temporary file left)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clock-'));
    const file = join(dir, 'clock.json');
    const clock = new LocalClock(file);
    clock.beginMove(new Date('2027-03-01T08:00:00Z'));
    clock.set(new Date('2027-03-01T08:00:00Z'));
    clock.endMove();
    const restarted = new LocalClock(file);
    expect(near(restarted.now(), new Date('2027-03-01T08:00:00Z'))).toBe(true);
    expect(restarted.interruptedMove).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['clock.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('moving');
    rmSync(dir, { recursive: true });
  });
});
