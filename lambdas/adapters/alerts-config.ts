/**
 * Outage-alert settings, parsed once at cold start. The department and the information
 * link are in every message (R-SMS-7); there is no default for them.
 */
import * as z from 'zod';
import type { AlertSettings } from '../domain/alerts/service.js';

const schema = z
  .object({
    ALERT_DEPARTMENT: z.string().min(1),
    ALERT_INFO_URL: z.url(),
    ALERT_CONTACT: z.string().min(1),
    ALERT_CAP_SENDER: z.string().min(1),
    UTILITY_COUNTRY: z.enum(['SE', 'FI', 'NO']),
    UTILITY_ZONE: z.string().min(1),
    UTILITY_LANGUAGE: z.enum(['sv', 'fi', 'nb', 'en']),
    /** `sns`: SNS and End User Messaging; `outbox`: the embedded stack's outbox. */
    MESSAGING: z.enum(['sns', 'outbox']),
    SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10),
    SMS_RATE_PER_SECOND: z.coerce.number().positive(),
    SMS_PRICE_PER_SEGMENT: z.coerce.number().int().nonnegative(),
    SMS_PRICE_CURRENCY: z.enum(['SEK', 'EUR', 'NOK']),
    REPORTS_PER_CLIENT_PER_HOUR: z.coerce.number().int().positive(),
    SMS_SENDER_ID: z.string().regex(/^[A-Za-z0-9]{1,11}$/).optional(),
    SEND_QUEUE_URL: z.url().optional(),
    VOICE_ORIGINATION_IDENTITY: z.string().min(1).optional(),
    /**
     * Set in AWS for the functions that sign or read register uploads (the `alerts` route group,
     * the sending function): the upload bucket, `register-uploads/`. Locally the embedded stack
     * installs its file store.
     */
    REGISTER_UPLOAD_BUCKET: z.string().min(3).optional(),
  })
  .refine((env) => env.MESSAGING !== 'sns' || (env.SMS_SENDER_ID && env.SEND_QUEUE_URL && env.VOICE_ORIGINATION_IDENTITY), {
    message: 'MESSAGING=sns needs SMS_SENDER_ID, SEND_QUEUE_URL and VOICE_ORIGINATION_IDENTITY',
    path: ['MESSAGING'],
  });

export type AlertConfig = z.infer<typeof schema>;

export function loadAlertConfig(env: NodeJS.ProcessEnv = process.env): AlertConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid alert configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ')}`);
  }
  return parsed.data;
}

export function alertSettings(config: AlertConfig): AlertSettings {
  return {
    department: config.ALERT_DEPARTMENT,
    infoUrl: config.ALERT_INFO_URL,
    contact: config.ALERT_CONTACT,
    capSender: config.ALERT_CAP_SENDER,
    country: config.UTILITY_COUNTRY,
    zone: config.UTILITY_ZONE,
    defaultLanguage: config.UTILITY_LANGUAGE,
    maxSegments: config.SMS_MAX_SEGMENTS,
    sendRatePerSecond: config.SMS_RATE_PER_SECOND,
    pricePerSegment: { amount: config.SMS_PRICE_PER_SEGMENT, currency: config.SMS_PRICE_CURRENCY },
    reportsPerClientPerHour: config.REPORTS_PER_CLIENT_PER_HOUR,
  };
}
