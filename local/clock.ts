/**
 * The embedded stack's one clock (API.md `/_local/clock`). It runs with real time from
 * an offset the developer sets or advances; the offset is kept in the data folder so a
 * restart keeps the same "now".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Clock } from '../lambdas/adapters/clock.js';

export class LocalClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { offsetMs?: unknown };
      if (typeof saved.offsetMs === 'number') this.offsetMs = saved.offsetMs;
    }
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
    this.save();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
    this.save();
  }

  private save(): void {
    if (this.file) writeFileSync(this.file, JSON.stringify({ offsetMs: this.offsetMs }));
  }
}

/**
 * ISO-8601 durations as used by `{ advance: "P14D" }`: PnYnMnWnDTnHnMnS. Years and
 * months are calendar-aware, taken from `from`; returns the milliseconds to advance.
 */
export function durationMs(duration: string, from: Date): number | undefined {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T')) return undefined;
  const [, y, mo, w, d, h, mi, s] = match.map((part) => (part === undefined ? 0 : Number(part))) as number[];
  const target = new Date(from);
  target.setUTCFullYear(target.getUTCFullYear() + y!, target.getUTCMonth() + mo!);
  const ms = target.getTime() - from.getTime() + ((w! * 7 + d!) * 86_400 + h! * 3600 + mi! * 60 + s!) * 1000;
  return ms;
}
