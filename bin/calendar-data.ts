/**
 * `npm run calendar-data`: writes lambdas/domain/calendar/nordic-data.ts, the holiday rules of
 * the countries the service runs in (from date-holidays' data) and those countries' time zones
 * (from moment-timezone's packed data), so a Lambda bundle carries some 40 KB of calendar data
 * instead of every country's holidays (800 KB) and every zone (730 KB). Run it after upgrading
 * date-holidays or moment-timezone; test/unit/calendar/nordic-data.test.ts fails until then.
 */
import { writeFileSync } from 'node:fs';
import { fromRepoRoot } from '../lib/paths.js';
import { renderNordicCalendarData } from '../lambdas/domain/calendar/generate.js';

writeFileSync(fromRepoRoot('lambdas/domain/calendar/nordic-data.ts'), renderNordicCalendarData());
console.log('wrote lambdas/domain/calendar/nordic-data.ts');
