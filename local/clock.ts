/**
 * The embedded stack's one clock (API.md `/_local/clock`). It runs with real time from
 * an offset the developer sets or advances; the offset is kept in the data folder so a
 * restart keeps the same "now". The file is replaced whole (written aside, then renamed), so a
 * kill never leaves half of it. During a move forward through due waits and schedules
 * (`beginMove` … `endMove`) the file holds the step the move has reached and, beside it, the
 * target: a restart goes on from that step (the work queued there runs at its own time) and
 * finishes the move (`interruptedMove`) before the stack answers, so it never lands mid-move.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Clock } from '../lambdas/adapters/clock.js';

interface SavedClock {
  offsetMs?: unknown;
  /** A move that had not finished when the process stopped: its target. */
  moving?: { target?: unknown };
}

export class LocalClock implements Clock {
  private offsetMs = 0;
  private moving: { target: string } | undefined;
  /** The target of a move a killed process did not finish; the stack finishes it at start-up. */
  readonly interruptedMove: Date | undefined;

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedClock;
      if (typeof saved.offsetMs === 'number') this.offsetMs = saved.offsetMs;
      const target = typeof saved.moving?.target === 'string' ? new Date(saved.moving.target) : undefined;
      if (target && !Number.isNaN(target.getTime())) this.interruptedMove = target;
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

  /** A move to `target` begins: until `endMove`, the file names it beside each step reached. */
  beginMove(target: Date): void {
    this.moving = { target: target.toISOString() };
    this.save();
  }

  /** The move has finished: the file holds where it ended, and no move. */
  endMove(): void {
    this.moving = undefined;
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify({ offsetMs: this.offsetMs, ...(this.moving ? { moving: this.moving } : {}) }));
    renameSync(`${this.file}.tmp`, this.file);
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
