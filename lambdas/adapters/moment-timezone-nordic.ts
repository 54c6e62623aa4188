/**
 * What a Lambda bundle gets for `moment-timezone` (lib/constructs/service-function.ts aliases the
 * package to this file): moment-timezone's code without its data of every zone (730 KB), loaded
 * with the zones of the countries the service runs in (calendar/nordic-data.ts, generated from the
 * same package version). date-holidays-parser and caldate use it to place holidays in the
 * country's zone. The embedded stack and the tests use the whole package; the unit test
 * test/unit/calendar/nordic-data.test.ts checks both give the same offsets.
 *
 * The package comes under a second name (`moment-timezone-core`, an npm alias of the same
 * version) because the bundler's alias also rewrites the subpaths of `moment-timezone`.
 */
import moment from 'moment-timezone-core/moment-timezone.js';
import { nordicZoneData } from '../domain/calendar/nordic-data.js';

moment.tz.load(nordicZoneData);

export default moment;
