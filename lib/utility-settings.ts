/**
 * Who the deployment serves: the CDK context key `utility` (cdk.json, or
 * `-c utility='{...}'`), validated at synth time. The one source of the utility's country
 * and time zone for every capability: the outage alerts (UTILITY_COUNTRY, UTILITY_ZONE of
 * their environment, the SMS metrics dimension) and billing (the billing profile and its
 * regions' run days, the time zone of the run schedules).
 *
 * The dunning policy: the built-in one of the country (SE, FI), or the JSON policy file named
 * by `dunningPolicy` (path from the project root, e.g. the Norwegian
 * `lambdas/domain/dunning/policies/no-kommune-va-2026.json`), read and validated at synth time
 * and handed to the dunning functions as DUNNING_POLICY_JSON. A country with neither is refused
 * at synth: such a stack would start every dunning case and fail it.
 *
 * No aws-cdk-lib import here: tests and tools can use it without building a stack.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { builtInPolicies } from '../lambdas/domain/dunning/policies/index.js';
import { parseDunningPolicy } from '../lambdas/domain/dunning/policy.js';
import { ValidationError } from '../lambdas/domain/errors.js';
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
  /** A dunning policy file (JSON, lambdas/domain/dunning/policy.ts), path from the project root; replaces the country's built-in one. */
  dunningPolicy: z.string().trim().min(1).max(300).optional(),
});

export type UtilitySettings = z.infer<typeof schema>;

export const utilitySettingsFields = Object.keys(schema.shape) as (keyof UtilitySettings)[];

/**
 * The DUNNING_POLICY_JSON of the dunning functions (undefined: the country's built-in policy),
 * checked at synth time: the file must exist, be a valid policy and be for the utility's
 * country; a country with no built-in policy needs one. `root`: where relative paths start.
 */
export function dunningPolicyJson(settings: UtilitySettings, root: string = process.cwd()): string | undefined {
  if (!settings.dunningPolicy) {
    if (builtInPolicies.some((p) => p.country === settings.country)) return undefined;
    const covered = [...new Set(builtInPolicies.map((p) => p.country))].join(', ');
    throw new Error(
      `No dunning policy for country ${settings.country}: the built-in policies cover ${covered} only. Name a policy file in the context ` +
        `"utility" as "dunningPolicy" (for Norway: "lambdas/domain/dunning/policies/no-kommune-va-2026.json"; see docs/DUNNING.md).`,
    );
  }
  const path = resolve(root, settings.dunningPolicy);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`Context "utility" dunningPolicy: cannot read the policy file ${path}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Context "utility" dunningPolicy: ${path} is not JSON (${(error as Error).message}).`);
  }
  let policy;
  try {
    policy = parseDunningPolicy(json);
  } catch (error) {
    if (error instanceof ValidationError) throw new Error(`Context "utility" dunningPolicy: ${path}: ${error.message}`);
    throw error;
  }
  if (policy.country !== settings.country) {
    throw new Error(`Context "utility" dunningPolicy: ${path} is a policy for ${policy.country}, the utility is in ${settings.country}.`);
  }
  // Lambda environments hold 4 KB in all: the sources are documentation, not needed at run time.
  const { sources: _sources, ...runtime } = policy;
  return JSON.stringify(runtime);
}

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
