/**
 * Dunning policies as data (R-SE-16..22, R-FI-5..11; docs/DUNNING.md).
 *
 * A policy is one utility's ladder (the steps and how their dates are computed) plus its
 * per-service rules (which services may be disconnected, throttled, need winter owner contact,
 * are protected at which property types). A new utility is a new data file (see
 * `policies/`), validated by {@link parseDunningPolicy}; no code changes.
 *
 * All dates are local calendar dates `YYYY-MM-DD` in the utility's `timeZone`; all arithmetic
 * is the billing calendar's (lambdas/domain/billing/calendar.ts): calendar days, whole months
 * (end-of-month safe) and the country's banking days.
 */
import * as z from 'zod';
import type { Country } from '../billing/calendar.js';
import type { Currency } from '../billing/money.js';
import { services, type Service } from '../customers/schemas.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';

export const dunningStages = ['reminder_1', 'reminder_2', 'collection', 'disconnection_notice', 'disconnection', 'enforcement'] as const;
export type DunningStage = (typeof dunningStages)[number];

/** Reminder stages: counted against `maxReminders` (R-FI-5). */
export const reminderStages: readonly DunningStage[] = ['reminder_1', 'reminder_2'];

/** Actions the dunning workflow may take on a service. */
export const dunningActions = ['disconnect', 'throttle', 'refuse_sludge_emptying', 'refuse_bin_exchange'] as const;
export type DunningAction = (typeof dunningActions)[number];

export const propertyTypes = ['owner_occupied', 'rental', 'business', 'holiday_home'] as const;
export type PropertyType = (typeof propertyTypes)[number];

const ServiceSchema = z.enum(services);
const StageSchema = z.enum(dunningStages);
const rule = z.string().trim().min(1).max(40);

const OffsetSchema = z.union([
  z.strictObject({ days: z.int().min(-400).max(400) }),
  z.strictObject({ weeks: z.int().min(-60).max(60) }),
  z.strictObject({ months: z.int().min(-24).max(24) }),
]);
export type Offset = z.infer<typeof OffsetSchema>;

/** An offset that depends on the open amount: `atOrAbove` when amount >= threshold (minor units), else `below`. */
const AmountOffsetSchema = z.strictObject({
  threshold: z.int().positive(),
  atOrAbove: OffsetSchema,
  below: OffsetSchema,
});
export type AmountOffset = z.infer<typeof AmountOffsetSchema>;

const StepRuleSchema = z.strictObject({
  stage: StageSchema,
  /** The date the offset is counted from: the invoice's due date or another stage's date. */
  from: z.union([z.literal('due_date'), StageSchema]),
  offset: z.union([OffsetSchema, AmountOffsetSchema]),
  /** A date that is not a banking day moves forward (`next_banking_day`) or back (`previous_banking_day`). */
  roll: z.enum(['next_banking_day', 'previous_banking_day']),
  /**
   * The window's last day, counted like `offset` in days from `from` (R-SE-16 "10-13 days").
   * The step is the first banking day from the offset on; if the window has none (4+ closed
   * days in a row: Easter, Christmas), it is still the first banking day after (never earlier
   * than the window's first day), and the step's `basis` says so. See docs/DUNNING.md.
   */
  windowLastDay: z.int().min(0).max(400).optional(),
  /** Fee charged with this step, minor units of the policy currency (R-FI-5: 500 = 5.00 EUR). */
  fee: z.int().min(0).max(1_000_000).optional(),
  /** The letter states the disconnection date (R-FI-6, R-SE-17). */
  statesDisconnectionDate: z.boolean().optional(),
  /** The rule(s) this step implements, e.g. `R-FI-6`. */
  rule,
});
export type DunningStepRule = z.infer<typeof StepRuleSchema>;

const ServiceRuleSchema = z.strictObject({
  service: ServiceSchema,
  /** `never`: the workflow never disconnects or throttles this service (R-SE-22 waste). */
  disconnection: z.enum(['allowed', 'never']),
  rule,
  /** The service's debt also counts these services' lines (water & sewage are one service, "VA"). */
  debtIncludes: z.array(ServiceSchema).max(services.length).optional(),
  /** Actions short of disconnection that may be refused while the service's debt is unpaid (R-SE-22). */
  refusableActions: z.array(z.enum(['refuse_sludge_emptying', 'refuse_bin_exchange'])).max(2).optional(),
  /** R-SE-21: throttling (flow-limiting washer) instead of shutting off. */
  throttle: z.strictObject({ allowed: z.boolean(), atProtectedProperty: z.boolean() }).optional(),
  /** Property types where the service is never cut (R-SE-21: rental). */
  protectedPropertyTypes: z.array(z.enum(propertyTypes)).max(propertyTypes.length).optional(),
  protectedPropertyRule: rule.optional(),
  /** In the policy's winter season the property owner must be contacted first (R-SE-18, R-SE-20). */
  winterOwnerContact: z.boolean().optional(),
  winterRule: rule.optional(),
});
export type ServiceRule = z.infer<typeof ServiceRuleSchema>;

const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected MM-DD');

const PolicySchema = z
  .strictObject({
    policyId: z.string().trim().min(1).max(80),
    /** The utility, e.g. `Teknik i Väst`. */
    utility: z.string().trim().min(1).max(120),
    country: z.enum(['SE', 'FI', 'NO']),
    currency: z.enum(['SEK', 'EUR', 'NOK']),
    /** The zone of the utility's local calendar (documentation and the runner's clock; dates are local). */
    timeZone: z.string().refine(isTimeZone, 'expected an IANA time zone'),
    /** At most this many reminder letters (R-FI-5: two). */
    maxReminders: z.int().min(0).max(2),
    /** The ladder, in order; every step's date must be later than the step before it. */
    steps: z.array(StepRuleSchema).min(1).max(dunningStages.length),
    services: z.array(ServiceRuleSchema).min(1).max(services.length),
    /** Inclusive, may wrap over the new year: `{ from: '11-01', to: '03-31' }`. */
    winterSeason: z.strictObject({ from: monthDay, to: monthDay }).optional(),
    /** R-FI-10 / R-SE-13: banking days until a payment made on a day is in the ledger. */
    bookingDelayBankingDays: z.int().min(0).max(10),
    /** Rule references the guards cite. */
    rules: z.strictObject({ hold: rule, bookingDelay: rule, announcement: rule, paid: rule }),
    /** The legal basis of the steps and fees, in words (a JSON policy file has no comments). */
    sources: z.array(z.string().trim().min(1).max(600)).max(20).optional(),
  })
  .superRefine((policy, ctx) => {
    const stages = policy.steps.map((s) => s.stage);
    stages.forEach((stage, i) => {
      if (stages.indexOf(stage) !== i) ctx.addIssue({ code: 'custom', path: ['steps', i, 'stage'], message: `stage ${stage} appears twice` });
    });
    policy.steps.forEach((step, i) => {
      if (step.from !== 'due_date' && !stages.includes(step.from)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'from'], message: `no step ${step.from} in this policy` });
      }
      if (step.statesDisconnectionDate && !stages.includes('disconnection')) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'statesDisconnectionDate'], message: 'the policy has no disconnection step' });
      }
      if (step.windowLastDay !== undefined && !('days' in step.offset && step.offset.days <= step.windowLastDay && step.roll === 'next_banking_day')) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'windowLastDay'], message: 'a window needs an offset in days no later than its last day, rolled to the next banking day' });
      }
    });
    // Anchors must not form a cycle.
    const byStage = new Map(policy.steps.map((s) => [s.stage, s]));
    policy.steps.forEach((step, i) => {
      const seen = new Set<string>([step.stage]);
      let from = step.from;
      while (from !== 'due_date') {
        if (seen.has(from)) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'from'], message: `stages anchor on each other in a cycle (${[...seen].join(' → ')})` });
          return;
        }
        seen.add(from);
        const next = byStage.get(from);
        if (!next) return;
        from = next.from;
      }
    });
    const reminders = stages.filter((s) => reminderStages.includes(s)).length;
    if (reminders > policy.maxReminders) {
      ctx.addIssue({ code: 'custom', path: ['maxReminders'], message: `the ladder has ${reminders} reminders, more than maxReminders ${policy.maxReminders}` });
    }
    const serviceNames = policy.services.map((s) => s.service);
    policy.services.forEach((s, i) => {
      if (serviceNames.indexOf(s.service) !== i) ctx.addIssue({ code: 'custom', path: ['services', i, 'service'], message: `service ${s.service} appears twice` });
      if (s.winterOwnerContact && !policy.winterSeason) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'winterOwnerContact'], message: 'needs the policy winterSeason' });
      }
      if (s.disconnection === 'allowed' && !stages.includes('disconnection')) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'disconnection'], message: 'the policy has no disconnection step' });
      }
    });
  });

export type DunningPolicy = z.infer<typeof PolicySchema>;

// The schema's enums are the calendar's and the money module's types.
const _sameTypes: [Country, Currency] = ['SE', 'EUR'] satisfies [DunningPolicy['country'], DunningPolicy['currency']];
void _sameTypes;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates a policy (parsed JSON or a data module's literal). Throws {@link ValidationError}
 * naming every offending field by its dotted path (`steps.1.offset`).
 */
export function parseDunningPolicy(json: unknown): DunningPolicy {
  const parsed = PolicySchema.safeParse(json);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(policy)', message: issue.message }));
    throw new ValidationError(errors, `Invalid dunning policy: ${errors.map((e) => `${e.path} (${e.message})`).join(', ')}.`);
  }
  return parsed.data;
}

/** The rule for `service`, or undefined when the policy does not cover it. */
export function serviceRule(policy: DunningPolicy, service: Service): ServiceRule | undefined {
  return policy.services.find((s) => s.service === service);
}

/**
 * The policy for a utility's country and service. Throws NotFoundError when none covers it
 * and ConflictError when two do (a configuration error: the choice must be unambiguous).
 */
export function selectPolicy(policies: readonly DunningPolicy[], country: Country, service: Service): DunningPolicy {
  const matches = policies.filter((p) => p.country === country && p.services.some((s) => s.service === service));
  if (matches.length === 0) throw new NotFoundError(`No dunning policy covers ${service} in ${country}.`);
  if (matches.length > 1) throw new ConflictError(`Dunning policies ${matches.map((p) => p.policyId).join(', ')} all cover ${service} in ${country}.`);
  return matches[0] as DunningPolicy;
}

/** Whether `date` (YYYY-MM-DD) falls in the policy's winter season (inclusive; the season may wrap over the new year). */
export function inWinterSeason(policy: DunningPolicy, date: string): boolean {
  const season = policy.winterSeason;
  if (!season) return false;
  const md = date.slice(5, 10);
  return season.from <= season.to ? md >= season.from && md <= season.to : md >= season.from || md <= season.to;
}
