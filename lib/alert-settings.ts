/**
 * The outage-alert settings of a deployment: the CDK context key `alerts` (cdk.json, or
 * `-c alerts='{...}'`), validated at synth time, and the one mapping from those settings
 * (with the utility's country and zone, context `utility`, lib/utility-settings.ts) to the
 * environment variables the outage-alert Lambdas parse at cold start
 * (lambdas/adapters/alerts-config.ts). A deployment with missing or malformed settings
 * fails `cdk synth` with the field names instead of failing every cold start in AWS.
 *
 * No aws-cdk-lib import here: tests and tools can use it without building a stack.
 */
import * as z from 'zod';
import { loadAlertConfig } from '../lambdas/adapters/alerts-config.js';
import { parseContextObject } from './context-settings.js';
import type { ContextSource } from './cors.js';
import { utilityContextKey, utilityEnvironment, utilitySettingsFields, type UtilitySettings } from './utility-settings.js';

export const alertsContextKey = 'alerts';

/** E.164: what SNS and End User Messaging take as a phone number. */
const e164 = /^\+[1-9]\d{6,14}$/;
/** Ids End User Messaging SMS and Voice v2 generates: `pool-…`, `phone-…`. */
const poolId = /^pool-[A-Za-z0-9]+$/;
const phoneNumberId = /^phone-[A-Za-z0-9]+$/;
const identityArn = /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(pool|phone-number)\/[A-Za-z0-9_-]+$/;

const schema = z.strictObject({
  /** The sender named in every message (R-SMS-7), e.g. `Arvika Vatten`. */
  department: z.string().trim().min(1, 'must not be empty'),
  /** The information page linked from every message (R-SMS-7). */
  infoUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
  contact: z.string().trim().min(1, 'must not be empty'),
  /** `sender` of the CAP feed. */
  capSender: z.string().trim().min(1, 'must not be empty'),
  /** Default language of the messages. (Country and zone are the utility's: context `utility`.) */
  language: z.enum(['sv', 'fi', 'nb', 'en'], { error: 'must be sv, fi, nb or en' }),
  /** Alphanumeric sender id of the SMS (SNS `AWS.SNS.SMS.SenderID`): 1–11 letters and digits, at least one letter. */
  smsSenderId: z
    .string()
    .regex(/^[A-Za-z0-9]{1,11}$/, 'must be 1 to 11 letters (A-Z, a-z) and digits')
    .regex(/[A-Za-z]/, 'must contain a letter'),
  /** Who places voice calls: an E.164 number, a phone-number id, a pool id, or the ARN of a phone number or pool. */
  voiceOriginationIdentity: z
    .string()
    .refine(
      (value) => [e164, poolId, phoneNumberId, identityArn].some((pattern) => pattern.test(value)),
      'must be an E.164 phone number (+46…), a phone number id (phone-…), a pool id (pool-…) or the ARN of one',
    ),
  maxSegments: z.number().int().min(1).max(10),
  /** SMS per second for the whole account (the sending function runs one at a time). */
  ratePerSecond: z.number().positive(),
  /** In minor units of priceCurrency (öre, cent). */
  pricePerSegment: z.number().int().nonnegative(),
  priceCurrency: z.enum(['SEK', 'EUR', 'NOK'], { error: 'must be SEK, EUR or NOK' }),
  reportsPerClientPerHour: z.number().int().positive(),
  /** SNS `MonthlySpendLimit` (whole USD); at most the account's SMS spend quota. */
  monthlySmsSpendLimitUsd: z.number().int().positive(),
});

export type OutageAlertSettings = z.infer<typeof schema>;

export const alertSettingsFields = Object.keys(schema.shape) as (keyof OutageAlertSettings)[];

/** Stands in for the queue URL (a token until deployment) when the environment is checked at synth. */
const placeholderQueueUrl = 'https://sqs.eu-north-1.amazonaws.com/000000000000/synth-check';

export function alertSettingsFromContext(scope: ContextSource): OutageAlertSettings {
  return parseAlertSettings(scope.node.tryGetContext(alertsContextKey));
}

export function parseAlertSettings(raw: unknown): OutageAlertSettings {
  return parseContextObject(alertsContextKey, schema, raw, {
    missingReason: 'the outage-alert Lambdas cannot start without it',
    // country and zone were alert settings before billing needed them too.
    unknownKeys: (keys) => {
      const moved = keys.filter((key) => (utilitySettingsFields as string[]).includes(key));
      const unknown = keys.filter((key) => !moved.includes(key));
      return [
        ...(moved.length > 0 ? [`${moved.join(', ')} moved to the context "${utilityContextKey}"`] : []),
        ...(unknown.length > 0 ? [`unknown ${unknown.join(', ')}`] : []),
      ];
    },
  });
}

/**
 * The Lambdas parse their environment with their own schema (alerts-config.ts): throws,
 * at synth time, if it would refuse what we deploy.
 */
export function checkAlertEnvironment(settings: OutageAlertSettings, utility: UtilitySettings): void {
  loadAlertConfig(alertEnvironment(settings, utility, placeholderQueueUrl));
}

/**
 * The environment of every function that builds the outage-alert use-cases
 * (lambdas/adapters/alerts-wiring.ts) in AWS: MESSAGING=sns, the utility and the settings.
 */
export function alertEnvironment(settings: OutageAlertSettings, utility: UtilitySettings, sendQueueUrl: string): Record<string, string> {
  return {
    MESSAGING: 'sns',
    ALERT_DEPARTMENT: settings.department,
    ALERT_INFO_URL: settings.infoUrl,
    ALERT_CONTACT: settings.contact,
    ALERT_CAP_SENDER: settings.capSender,
    ...utilityEnvironment(utility),
    UTILITY_LANGUAGE: settings.language,
    SMS_MAX_SEGMENTS: String(settings.maxSegments),
    SMS_RATE_PER_SECOND: String(settings.ratePerSecond),
    SMS_PRICE_PER_SEGMENT: String(settings.pricePerSegment),
    SMS_PRICE_CURRENCY: settings.priceCurrency,
    REPORTS_PER_CLIENT_PER_HOUR: String(settings.reportsPerClientPerHour),
    SMS_SENDER_ID: settings.smsSenderId,
    SEND_QUEUE_URL: sendQueueUrl,
    VOICE_ORIGINATION_IDENTITY: settings.voiceOriginationIdentity,
  };
}
