/**
 * Each section's last result, kept in bench/.out/results/<section>.json, so that
 * `npm run bench -- --only billing` rewrites BENCHMARKS.md with the new billing numbers and the
 * other sections as they were last measured (with their date). Maps and errors survive the trip.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outDir } from './cold-start.js';
import type { Measured, SectionKey } from './report.js';

const dir = join(outDir, 'results');

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value] };
  if (value instanceof Error) return { $error: value.message };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object') {
    if ('$map' in value) return new Map((value as { $map: [unknown, unknown][] }).$map);
    if ('$error' in value) return new Error((value as { $error: string }).$error);
  }
  return value;
}

export function saveResult(key: SectionKey, result: Measured<unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${key}.json`), JSON.stringify(result, replacer));
}

export function loadResult<T>(key: SectionKey): Measured<T> | undefined {
  const file = join(dir, `${key}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'), reviver) as Measured<T>;
  } catch {
    return undefined;
  }
}
