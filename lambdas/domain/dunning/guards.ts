/**
 * Guards: whether the dunning workflow may act on a service today (R-SE-15..22, R-FI-9..11).
 * Every guard is evaluated and returns a decision (also `allow`), so a case's history shows
 * why it proceeded, waited or stopped. Pure: `today` is the utility's local date, given.
 *
 * A disconnection happens only when every guard allows it ({@link mayDisconnect}); one
 * `refuse` stops the action for good (until the facts change), one `wait` postpones it (to
 * `until` when known, else until an event such as an owner contact). See docs/DUNNING.md.
 */
import { addBankingDays, addDays, nextBankingDay } from '../billing/calendar.js';
import type { Service } from '../customers/schemas.js';
import { services } from '../customers/schemas.js';
import { ValidationError } from '../errors.js';
import { ownDebt } from './debt.js';
import { inWinterSeason, serviceRule, type DunningAction, type DunningPolicy, type PropertyType } from './policy.js';

export type GuardOutcome = 'allow' | 'refuse' | 'wait' | 'throttle_instead';

export interface GuardDecision {
  guard: string;
  /** The rule the decision applies, e.g. `R-SE-21`. */
  rule: string;
  outcome: GuardOutcome;
  reason: string;
  /** For `wait`: the first date the action may be tried again, when known. */
  until?: string;
}

/** API.md holds, plus invoice deferrals (R-SE-15) mapped to holds by the caller. */
export interface Hold {
  reason: 'payment_difficulty' | 'dispute' | 'social_services' | 'deferral';
  /** Last day of the hold, inclusive. */
  until: string;
}

/** API.md `POST /v1/dunning-cases/{caseId}/owner-contact`. */
export interface OwnerContact {
  outcome: 'proceed' | 'postpone' | 'cancel';
  /** The local date it was recorded. */
  at: string;
}

export interface GuardInput {
  policy: DunningPolicy;
  /** The utility's local date of the decision. */
  today: string;
  service: Service;
  action: DunningAction;
  /** The facility's property type. */
  propertyType: PropertyType;
  /** Unpaid minor units per service at this facility (e.g. `debtByFacilityService`, summed over open invoices). */
  debt: Readonly<Record<Service, number>>;
  /** The disconnection date the letters announced (R-FI-9, R-SE-17); required to disconnect or throttle. */
  announcedDisconnectionDate?: string;
  holds?: readonly Hold[];
  /** The latest owner contact recorded on the case (R-SE-18, R-SE-20). */
  ownerContact?: OwnerContact;
  /**
   * The latest value date of the money booked from bank payment files (camt.054 ValDt, BgMax
   * payment date; the booking day for a file with no payments) (R-FI-10, R-SE-13).
   */
  lastPaymentFileDate?: string;
}

const isSupplyAction = (action: DunningAction) => action === 'disconnect' || action === 'throttle';

const allow = (guard: string, rule: string, reason: string): GuardDecision => ({ guard, rule, outcome: 'allow', reason });

function paidGuard({ policy, debt }: GuardInput): GuardDecision {
  const total = services.reduce((sum, s) => sum + Math.max(0, debt[s] ?? 0), 0);
  if (total <= 0) return { guard: 'PaidGuard', rule: policy.rules.paid, outcome: 'refuse', reason: 'Nothing is unpaid: never act on a paid debt.' };
  return allow('PaidGuard', policy.rules.paid, `${total} minor units are unpaid.`);
}

function ownDebtGuard({ policy, service, debt }: GuardInput): GuardDecision {
  const rule = serviceRule(policy, service)?.rule ?? policy.rules.paid;
  const own = ownDebt(policy, service, debt);
  if (own <= 0) {
    const others = services.filter((s) => (debt[s] ?? 0) > 0);
    return {
      guard: 'OwnDebtGuard',
      rule,
      outcome: 'refuse',
      reason: `Nothing is unpaid for ${service}${others.length > 0 ? ` (unpaid: ${others.join(', ')}; a service is only acted on for its own unpaid amount)` : ''}.`,
    };
  }
  return allow('OwnDebtGuard', rule, `${own} minor units are unpaid for ${service}.`);
}

/** R-SE-22, applied to every policy: waste collection is never stopped (sanitary nuisance). */
function wasteNeverStoppedGuard({ policy, service, action }: GuardInput): GuardDecision {
  const guard = 'WasteNeverStoppedGuard';
  if (service !== 'waste') {
    if (action === 'refuse_sludge_emptying' || action === 'refuse_bin_exchange') {
      return { guard, rule: 'R-SE-22', outcome: 'refuse', reason: `${action} applies only to waste, not ${service}.` };
    }
    return allow(guard, 'R-SE-22', `${service} is not waste collection.`);
  }
  if (isSupplyAction(action)) return { guard, rule: 'R-SE-22', outcome: 'refuse', reason: 'Waste collection is never stopped (sanitary nuisance).' };
  if (serviceRule(policy, 'waste')?.refusableActions?.includes(action)) {
    return allow(guard, 'R-SE-22', `${action === 'refuse_sludge_emptying' ? 'Sludge emptying' : 'Bin exchange'} may be refused while waste is unpaid.`);
  }
  return { guard, rule: 'R-SE-22', outcome: 'refuse', reason: `Policy ${policy.policyId} does not allow ${action}.` };
}

/** The policy covers the service and allows this kind of action on it. */
function serviceRuleGuard({ policy, service, action }: GuardInput): GuardDecision {
  const guard = 'ServiceRuleGuard';
  const rule = serviceRule(policy, service);
  if (!rule) return { guard, rule: policy.policyId, outcome: 'refuse', reason: `Policy ${policy.policyId} does not cover ${service}.` };
  if (isSupplyAction(action) && rule.disconnection === 'never') {
    return { guard, rule: rule.rule, outcome: 'refuse', reason: `${service} is never disconnected or throttled under policy ${policy.policyId}.` };
  }
  if (action === 'throttle' && !rule.throttle?.allowed) {
    return { guard, rule: rule.rule, outcome: 'refuse', reason: `${service} may not be throttled under policy ${policy.policyId}.` };
  }
  return allow(guard, rule.rule, `Policy ${policy.policyId} allows ${action} of ${service}.`);
}

/** R-SE-21: water at a rental property is never cut off; throttled instead only if the policy allows that there. */
function rentalWaterGuard({ policy, service, action, propertyType }: GuardInput): GuardDecision {
  const guard = 'RentalWaterGuard';
  const rule = serviceRule(policy, service);
  const ruleId = rule?.protectedPropertyRule ?? rule?.rule ?? 'R-SE-21';
  if (!rule?.protectedPropertyTypes?.includes(propertyType) || !isSupplyAction(action)) {
    return allow(guard, ruleId, `${service} at a ${propertyType} property is not protected from ${action}.`);
  }
  const throttleOk = rule.throttle?.allowed === true && rule.throttle.atProtectedProperty;
  if (action === 'throttle') {
    return throttleOk
      ? allow(guard, ruleId, `${service} at a ${propertyType} property may be throttled, not cut off.`)
      : { guard, rule: ruleId, outcome: 'refuse', reason: `${service} at a ${propertyType} property is never cut off or throttled.` };
  }
  return throttleOk
    ? { guard, rule: ruleId, outcome: 'throttle_instead', reason: `${service} at a ${propertyType} property is never cut off; it may be throttled instead.` }
    : { guard, rule: ruleId, outcome: 'refuse', reason: `${service} at a ${propertyType} property is never cut off.` };
}

/** The first day of the winter season `date` falls in. */
function seasonStart(policy: DunningPolicy, date: string): string {
  const from = (policy.winterSeason as { from: string }).from;
  const year = Number(date.slice(0, 4));
  return date.slice(5, 10) >= from ? `${date.slice(0, 4)}-${from}` : `${String(year - 1).padStart(4, '0')}-${from}`;
}

/** R-SE-18, R-SE-20: in winter the property owner is contacted before a grid or heating disconnection. */
function winterOwnerContactGuard({ policy, service, action, today, ownerContact }: GuardInput): GuardDecision {
  const guard = 'WinterOwnerContactGuard';
  const rule = serviceRule(policy, service);
  const ruleId = rule?.winterRule ?? rule?.rule ?? 'R-SE-18';
  if (!rule?.winterOwnerContact || !isSupplyAction(action)) return allow(guard, ruleId, `No owner contact needed for ${action} of ${service}.`);
  if (!inWinterSeason(policy, today)) return allow(guard, ruleId, `${today} is outside the winter season.`);
  const start = seasonStart(policy, today);
  if (!ownerContact || ownerContact.at < start || ownerContact.at > today) {
    return { guard, rule: ruleId, outcome: 'wait', reason: `Winter (since ${start}): contact the property owner before disconnecting ${service}.` };
  }
  if (ownerContact.outcome === 'cancel') return { guard, rule: ruleId, outcome: 'refuse', reason: `The owner contact on ${ownerContact.at} cancelled the disconnection.` };
  if (ownerContact.outcome === 'postpone') return { guard, rule: ruleId, outcome: 'wait', reason: `The owner contact on ${ownerContact.at} postponed the disconnection.` };
  return allow(guard, ruleId, `The property owner was contacted on ${ownerContact.at}: proceed.`);
}

/** R-FI-11 (R-SE-15): an active hold postpones every action until the day after it ends (next banking day). */
function holdGuard({ policy, today, holds = [] }: GuardInput): GuardDecision {
  const active = holds.filter((h) => h.until >= today);
  if (active.length === 0) return allow('HoldGuard', policy.rules.hold, 'No active hold.');
  const last = active.reduce((a, b) => (a.until >= b.until ? a : b));
  const until = nextBankingDay(addDays(last.until, 1), policy.country);
  return { guard: 'HoldGuard', rule: policy.rules.hold, outcome: 'wait', reason: `On hold (${active.map((h) => `${h.reason} until ${h.until}`).join(', ')}).`, until };
}

/** R-FI-9 (R-SE-17): disconnection only after it was announced, and on or after the announced day. */
function announcedDateGuard({ policy, today, action, announcedDisconnectionDate }: GuardInput): GuardDecision {
  const guard = 'AnnouncedDateGuard';
  const rule = policy.rules.announcement;
  if (!isSupplyAction(action)) return allow(guard, rule, `${action} needs no announcement.`);
  if (!announcedDisconnectionDate) return { guard, rule, outcome: 'refuse', reason: 'No disconnection date has been announced.' };
  if (today < announcedDisconnectionDate) {
    return { guard, rule, outcome: 'wait', reason: `The announced disconnection date is ${announcedDisconnectionDate}.`, until: announcedDisconnectionDate };
  }
  return allow(guard, rule, `The announced disconnection date ${announcedDisconnectionDate} has come.`);
}

/**
 * R-FI-10 (R-SE-13): a payment made on the closing day shows in the ledger `bookingDelayBankingDays`
 * later. The closing day is the announced disconnection date (for actions without one: that many
 * banking days before today). The ledger is current for it once payments valued on or after
 * closing day + the delay in banking days have been booked: `lastPaymentFileDate` is the latest
 * value date booked (camt.054 ValDt, BgMax payment date: the same for both formats).
 */
const NO_PAYMENT_FILE = 'No payments valued on or after';

/** The decisions wait only because no payment file has been booked since the ledger could be current (R-FI-10, R-SE-13). */
export function waitsForPaymentFile(decisions: readonly GuardDecision[]): boolean {
  const waits = decisions.filter((d) => d.outcome === 'wait');
  return waits.length > 0 && waits.every((d) => d.guard === 'BookingDelayGuard' && d.reason.startsWith(NO_PAYMENT_FILE));
}

function bookingDelayGuard({ policy, today, announcedDisconnectionDate, lastPaymentFileDate }: GuardInput): GuardDecision {
  const guard = 'BookingDelayGuard';
  const rule = policy.rules.bookingDelay;
  const n = policy.bookingDelayBankingDays;
  const closing = announcedDisconnectionDate && announcedDisconnectionDate <= today ? announcedDisconnectionDate : addBankingDays(today, -n, policy.country);
  const current = addBankingDays(closing, n, policy.country);
  if (today < current) {
    return { guard, rule, outcome: 'wait', reason: `Payments made on ${closing} are in the ledger by ${current} (${n} banking days).`, until: current };
  }
  if (!lastPaymentFileDate || lastPaymentFileDate < current) {
    return {
      guard,
      rule,
      outcome: 'wait',
      reason: `${NO_PAYMENT_FILE} ${current} booked${lastPaymentFileDate ? ` (latest value date booked: ${lastPaymentFileDate})` : ''}: the ledger is not known to be current.`,
      until: nextBankingDay(addDays(today, 1), policy.country),
    };
  }
  return allow(guard, rule, `The ledger is current: payments valued up to ${lastPaymentFileDate} are booked.`);
}

const guards = [paidGuard, ownDebtGuard, wasteNeverStoppedGuard, serviceRuleGuard, rentalWaterGuard, winterOwnerContactGuard, holdGuard, announcedDateGuard, bookingDelayGuard];

function checkDates(input: GuardInput): void {
  const dates: [string, string | undefined][] = [
    ['today', input.today],
    ['announcedDisconnectionDate', input.announcedDisconnectionDate],
    ['ownerContact.at', input.ownerContact?.at],
    ['lastPaymentFileDate', input.lastPaymentFileDate],
    ...(input.holds ?? []).map((h, i): [string, string] => [`holds.${i}.until`, h.until]),
  ];
  const errors = dates
    .filter(([, d]) => d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d))
    .map(([path, d]) => ({ path, message: `expected a date YYYY-MM-DD, got "${d}"` }));
  if (errors.length > 0) throw new ValidationError(errors);
  for (const [, d] of dates) if (d !== undefined) addDays(d, 0); // real calendar dates only
}

/** Every guard's decision for `input.action` on `input.service`, in a fixed order. */
export function checkGuards(input: GuardInput): GuardDecision[] {
  checkDates(input);
  return guards.map((guard) => guard(input));
}

/** True only when there are decisions and every one allows (no refuse, wait or throttle_instead). */
export function mayDisconnect(decisions: readonly GuardDecision[]): boolean {
  return decisions.length > 0 && decisions.every((d) => d.outcome === 'allow');
}

export type GuardVerdict =
  | { kind: 'proceed' }
  | { kind: 'throttle_instead' }
  | { kind: 'wait'; until?: string }
  | { kind: 'refuse'; reasons: string[] };

/**
 * What the workflow does next: `refuse` if any guard refuses; else `wait` if any waits (until
 * the latest `until`, or no date when a wait needs an event, e.g. an owner contact); else
 * `throttle_instead` if a guard says so (re-check with action `throttle`); else `proceed`.
 */
export function verdict(decisions: readonly GuardDecision[]): GuardVerdict {
  if (decisions.length === 0) return { kind: 'refuse', reasons: ['No guard was evaluated.'] };
  const refusals = decisions.filter((d) => d.outcome === 'refuse');
  if (refusals.length > 0) return { kind: 'refuse', reasons: refusals.map((d) => `${d.guard} (${d.rule}): ${d.reason}`) };
  const waits = decisions.filter((d) => d.outcome === 'wait');
  if (waits.length > 0) {
    if (waits.some((d) => d.until === undefined)) return { kind: 'wait' };
    return { kind: 'wait', until: waits.map((d) => d.until as string).reduce((a, b) => (a > b ? a : b)) };
  }
  if (decisions.some((d) => d.outcome === 'throttle_instead')) return { kind: 'throttle_instead' };
  return { kind: 'proceed' };
}
