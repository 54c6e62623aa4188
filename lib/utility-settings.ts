/**
 * Who the deployment serves: the CDK context key `utility` (cdk.json, or
 * `-c utility='{...}'`), validated at synth time. The one source of the utility's country
 * and time zone for every capability: the outage alerts (UTILITY_COUNTRY, UTILITY_ZONE of
 * their environment, the SMS metrics dimension) and billing (the billing profile and its
 * regions' run days, the time zone of the run schedules).
 *
 * No aws-cdk-lib import here: tests and tools can use it without building a stack.
 */
import * as z from 'zod';
import { parseContextObject } from './context-settings.js';
import type { ContextSource } from './cors.js';

export const utilityContextKey = 'utility';

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const schema = z.strictObject({
  /** Phone numbers, holidays and banking days, the billing profile (lambdas/domain/billing/profile.ts). */
  country: z.enum(['SE', 'FI', 'NO'], { error: 'must be SE, FI or NO' }),
  /** IANA time zone: local dates of the alerts, the time of the billing-run schedules. */
  zone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Stockholm'),
});

export type UtilitySettings = z.infer<typeof schema>;

export const utilitySettingsFields = Object.keys(schema.shape) as (keyof UtilitySettings)[];

export function utilitySettingsFromContext(scope: ContextSource): UtilitySettings {
  return parseUtilitySettings(scope.node.tryGetContext(utilityContextKey));
}

export function parseUtilitySettings(raw: unknown): UtilitySettings {
  return parseContextObject(utilityContextKey, schema, raw, {
    missingReason: "the Lambdas cannot start without the utility's country and zone",
  });
}

/** UTILITY_COUNTRY and UTILITY_ZONE, as lambdas/adapters/alerts-config.ts and billing-wiring.ts parse them. */
export function utilityEnvironment(settings: UtilitySettings): { UTILITY_COUNTRY: string; UTILITY_ZONE: string } {
  return { UTILITY_COUNTRY: settings.country, UTILITY_ZONE: settings.zone };
}
