/**
 * The Lambda bundles carry only the service's countries' holiday rules and zones
 * (lambdas/domain/calendar/nordic-data.ts, generated; moment-timezone aliased to
 * lambdas/adapters/moment-timezone-nordic.ts). They must give exactly what the whole packages
 * give: the same banking days (R-SE-12, R-FI-3), the same quiet-hours holidays (R-SMS-6). The
 * bundled side runs in its own process, built as CDK builds a function, so the whole
 * moment-timezone of this process cannot stand in for it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import Holidays from 'date-holidays';
import moment from 'moment-timezone';
import { build } from 'esbuild';
import { bundleAliases, esmRequireBanner } from '../../../lib/constructs/service-function.js';
import { fromRepoRoot, repoRoot } from '../../../lib/paths.js';
import { nordicCountries, renderNordicCalendarData } from '../../../lambdas/domain/calendar/generate.js';

const run = promisify(execFile);
const years = { from: 1990, to: 2060 };
const zones = ['Europe/Stockholm', 'Europe/Helsinki', 'Europe/Oslo'];
/** Every 6 hours over the years: each daylight-saving change falls between two samples a few hours apart. */
const instants = Array.from({ length: Math.floor((Date.UTC(years.to, 0, 1) - Date.UTC(years.from, 0, 1)) / 21_600_000) }, (_, i) => Date.UTC(years.from, 0, 1) + i * 21_600_000);

/** What the bundled code computes: built with the functions' esbuild options and aliases, run by node. */
async function bundledCalendar(): Promise<{ holidays: Record<string, unknown[]>; offsets: Record<string, number[]> }> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'calendar-bundle-')), 'index.mjs');
  await build({
    stdin: {
      contents: `
        import moment from 'moment-timezone';
        import { holidaysOf } from './lambdas/domain/calendar/holidays.ts';
        const holidays = {};
        for (const country of ${JSON.stringify(nordicCountries)}) {
          for (let year = ${years.from}; year <= ${years.to}; year++) holidays[country + year] = holidaysOf(country).getHolidays(year);
        }
        const instants = ${JSON.stringify([instants[0], instants.length])};
        const offsets = {};
        for (const zone of ${JSON.stringify(zones)}) {
          offsets[zone] = Array.from({ length: instants[1] }, (_, i) => moment.tz(instants[0] + i * 21600000, zone).utcOffset());
        }
        process.stdout.write(JSON.stringify({ holidays, offsets, zoneNames: moment.tz.names().length }));
      `,
      resolveDir: repoRoot,
      loader: 'ts',
    },
    absWorkingDir: repoRoot,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: esmRequireBanner },
    alias: { ...bundleAliases },
    logLevel: 'silent',
  });
  const { stdout } = await run(process.execPath, [outfile], { maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { holidays: Record<string, unknown[]>; offsets: Record<string, number[]>; zoneNames: number };
  // Only the service's zones are in the bundle (the whole data has some 600).
  expect(result.zoneNames).toBeLessThan(20);
  return result;
}

describe('the calendar data the functions carry', () => {
  it('is what `npm run calendar-data` makes from the installed date-holidays and moment-timezone', () => {
    expect(readFileSync(fromRepoRoot('lambdas/domain/calendar/nordic-data.ts'), 'utf8')).toBe(renderNordicCalendarData());
  });

  it('gives, bundled, every holiday and every zone offset the whole packages give, 1990-2060', async () => {
    // Act
    const bundled = await bundledCalendar();

    // Assess
    for (const country of nordicCountries) {
      const whole = new Holidays(country);
      for (let year = years.from; year <= years.to; year++) {
        expect([country, year, bundled.holidays[`${country}${year}`]]).toEqual([country, year, JSON.parse(JSON.stringify(whole.getHolidays(year)))]);
      }
    }
    for (const zone of zones) {
      expect([zone, bundled.offsets[zone]]).toEqual([zone, instants.map((instant) => moment.tz(instant, zone).utcOffset())]);
    }
  }, 120_000);
});
