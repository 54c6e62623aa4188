/** What the parts of `npm run bench:scale` share: the stack's DynamoDB usage meter file, scale.json, the marked sections of BENCHMARKS.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fromRepoRoot } from '../lib/paths.js';
import { ProgressBar } from '../local/progress.js';

export type Usage = { seconds: Record<string, { calls: number; writes: Record<string, number> }> };

/** A partition with its ids elided: `OUTAGE#out_1a2b` → `OUTAGE#…`, shard numbers kept (`OPEN_INVOICES#3`). */
export const partitionName = (key: string) => key.replace(/#(?!\d+$)[^#]+/g, '#…');

/** Calls in a window (per row or recipient), and its hottest partition's writes in one second. */
export function usageIn(usage: Usage, window: { from: number; to: number }, per: number) {
  let calls = 0;
  let hottest = { partition: '', writes: 0, second: 0 };
  for (const [second, bucket] of Object.entries(usage.seconds)) {
    const at = Number(second) * 1000;
    if (at + 1000 <= window.from || at > window.to) continue;
    calls += bucket.calls;
    for (const [partition, writes] of Object.entries(bucket.writes)) {
      // The outbox is the embedded stack's stand-in for SNS: no such partition in AWS.
      if (partition === 'OUTBOX') continue;
      if (writes > hottest.writes) hottest = { partition: partitionName(partition), writes, second: Number(second) };
    }
  }
  return { calls, callsPer: +(calls / per).toFixed(2), hottestPartition: hottest.partition, hottestWritesPerSecond: hottest.writes };
}

export const ms = (from: number) => Math.round(performance.now() - from);
export const sleep = (delay: number) => new Promise((resolve) => setTimeout(resolve, delay));
export const n = (value: number) => value.toLocaleString('en');

/** A progress bar for one of the bench's waits, on stderr beside its log lines (off a terminal: a line at most every 10 s). */
export const waitBar = (label: string, unit: string) => new ProgressBar(label, { unit, stream: process.stderr });

const scaleJson = () => fromRepoRoot('bench/.out/scale.json');

/** The results written so far (every part's), so a run of some parts keeps the others'. */
export function readScaleResults(): Record<string, unknown> {
  try {
    return existsSync(scaleJson()) ? (JSON.parse(readFileSync(scaleJson(), 'utf8')) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function writeScaleResults(results: Record<string, unknown>): void {
  mkdirSync(fromRepoRoot('bench/.out'), { recursive: true });
  writeFileSync(scaleJson(), `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * Writes `<!-- <name>:begin -->…<!-- <name>:end -->` in BENCHMARKS.md: in place when there, else
 * right after the first of `after` that is there (the sections before it), else at the end.
 */
export function writeMarkedSection(name: string, body: string, after: readonly string[]): void {
  const file = fromRepoRoot('BENCHMARKS.md');
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${begin}\n${body.trim()}\n${end}`;
  const current = readFileSync(file, 'utf8');
  let next: string;
  if (current.includes(begin) && current.includes(end)) {
    next = current.slice(0, current.indexOf(begin)) + section + current.slice(current.indexOf(end) + end.length);
  } else {
    const anchor = after.map((previous) => `<!-- ${previous}:end -->`).find((marker) => current.includes(marker));
    if (anchor) {
      const at = current.indexOf(anchor) + anchor.length;
      next = `${current.slice(0, at)}\n\n${section}${current.slice(at)}`;
    } else {
      next = `${current.trimEnd()}\n\n${section}\n`;
    }
  }
  writeFileSync(file, next);
}
