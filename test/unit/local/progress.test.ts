import { describe, expect, it } from '@jest/globals';
import { formatDuration, ProgressBar } from '../../../local/progress.js';

/** A stream that keeps what was written; `isTTY` as a terminal or a pipe. */
function sink(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
}

describe('progress lines of long local commands', () => {
  it('shows the bar, the counts, the rate and an ETA from the rate so far', () => {
    // Prepare: 30 of 120 segments done after 15 s
    let now = 0;
    const bar = new ProgressBar('run_2027-01_all', { unit: 'segments', width: 8, now: () => now });
    now = 15_000;
    // Act
    const line = bar.line(30, 120, '300 invoices');
    // Assess: 2 per second, 90 left → 45 s
    expect(line).toBe('run_2027-01_all [##      ] 30/120 segments 2.0/s ETA 45s · 300 invoices');
  });

  it('says how long it took once done, and counts only when the total is not known', () => {
    let now = 0;
    const bar = new ProgressBar('import', { unit: 'rows', width: 4, now: () => now });
    now = 125_000;
    expect(bar.line(500, 500)).toContain('done in 2m05s');
    expect(bar.line(250, undefined)).toBe('import 250 rows 2.0/s 2m05s');
  });

  it('off a terminal, prints a line at most every quietMs, never one per item', () => {
    // Prepare
    let now = 0;
    const { written, stream } = sink(false);
    const bar = new ProgressBar('import', { unit: 'rows', stream, quietMs: 10_000, now: () => now });
    // Act: 1,000 updates over 20 s
    for (let i = 1; i <= 1000; i++) {
      now = i * 20;
      bar.update(i, 1000);
    }
    bar.finish(1000, 1000);
    // Assess: two timed lines (at 0-10 s and 10-20 s) and the final one
    expect(written.length).toBeLessThanOrEqual(3);
    expect(written.at(-1)).toContain('1000/1000 rows');
  });

  it('on a terminal, redraws one line in place', () => {
    const { written, stream } = sink(true);
    const bar = new ProgressBar('run', { unit: 'segments', stream });
    bar.update(1, 4);
    bar.update(2, 4);
    bar.finish(4, 4);
    expect(written.every((text) => text.startsWith('\r'))).toBe(true);
    expect(written.at(-1)!.endsWith('\n')).toBe(true);
  });

  it.each([[0, '0s'], [59_400, '59s'], [61_000, '1m01s'], [3_726_000, '1h02m'], [Number.NaN, '?']])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
