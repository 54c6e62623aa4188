/**
 * The dunning schedule: the dated steps of a policy's ladder for one invoice (R-SE-16..21,
 * R-FI-5..9). Pure: dates in, dates out; the banking calendar is the billing calendar's.
 *
 * Every step date is computed from its anchor (the due date or another step) by the policy's
 * offset (calendar days, weeks, or whole months end-of-month safe), then moved to a banking
 * day (forward or back, as the policy says). Each step carries a `basis` that spells out that
 * computation, so every date can be explained to the customer. See docs/DUNNING.md.
 */
import { addDays, addMonths, daysBetween, isBankingDay, nextBankingDay, previousBankingDay, type Country } from '../billing/calendar.js';
import type { Currency, Money } from '../billing/money.js';
import { RuleViolationError, ValidationError } from '../errors.js';
import type { AmountOffset, DunningPolicy, DunningStage, DunningStepRule, Offset } from './policy.js';

export interface DunningStep {
  stage: DunningStage;
  /** The local date (YYYY-MM-DD, utility's zone) the step is taken; always a banking day. */
  date: string;
  fee?: Money;
  /** The disconnection date the letter announces (R-FI-6, R-FI-9, R-SE-17). */
  statesDisconnectionDate?: string;
  /** The rule the step implements. */
  rule: string;
  /** How the date was computed, e.g. `due 2026-12-23 + 10 days = 2027-01-02 (not a banking day) → next banking day 2027-01-04`. */
  basis: string;
}

export interface DunnedInvoice {
  dueDate: string;
  /** Minor units still unpaid. */
  openAmount: number;
  currency: Currency;
}

const isAmountOffset = (offset: Offset | AmountOffset): offset is AmountOffset => 'threshold' in offset;

function describe(offset: Offset): string {
  const [n, unit] = 'days' in offset ? [offset.days, 'day'] : 'weeks' in offset ? [offset.weeks, 'week'] : [offset.months, 'month'];
  const size = Math.abs(n);
  return `${n < 0 ? '-' : '+'} ${size} ${unit}${size === 1 ? '' : 's'}`;
}

/** Minor units as a decimal amount: 16999 → `169.99`. */
function decimal(minor: number): string {
  const abs = Math.abs(minor);
  return `${minor < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function applyOffset(date: string, offset: Offset): string {
  if ('days' in offset) return addDays(date, offset.days);
  if ('weeks' in offset) return addDays(date, offset.weeks * 7);
  return addMonths(date, offset.months);
}

function label(from: DunningStepRule['from']): string {
  return from === 'due_date' ? 'due' : from;
}

/** One step's date and basis, from its anchor's date. */
function stepDate(rule: DunningStepRule, anchor: string, openAmount: number, currency: Currency, country: Country): { date: string; basis: string } {
  let offset: Offset;
  let amountNote = '';
  if (isAmountOffset(rule.offset)) {
    const above = openAmount >= rule.offset.threshold;
    offset = above ? rule.offset.atOrAbove : rule.offset.below;
    amountNote = ` (open ${decimal(openAmount)} ${currency} ${above ? '>=' : '<'} ${decimal(rule.offset.threshold)})`;
  } else {
    offset = rule.offset;
  }
  const raw = applyOffset(anchor, offset);
  let basis = `${label(rule.from)} ${anchor} ${describe(offset)}${amountNote} = ${raw}`;
  if (isBankingDay(raw, country)) return { date: raw, basis };
  const date = rule.roll === 'next_banking_day' ? nextBankingDay(raw, country) : previousBankingDay(raw, country);
  basis += ` (not a banking day) → ${rule.roll === 'next_banking_day' ? 'next' : 'previous'} banking day ${date}`;
  if (rule.windowLastDay !== undefined && daysBetween(anchor, date) > rule.windowLastDay) {
    basis += ` (no banking day within ${rule.windowLastDay} days of ${label(rule.from)}; never earlier than the window's first day)`;
  }
  return { date, basis };
}

function checkInput(policy: DunningPolicy, invoice: DunnedInvoice, country: Country): void {
  const errors = [];
  if (country !== policy.country) errors.push({ path: 'country', message: `policy ${policy.policyId} is for ${policy.country}, not ${country}` });
  if (invoice.currency !== policy.currency) errors.push({ path: 'invoice.currency', message: `policy ${policy.policyId} is in ${policy.currency}, not ${invoice.currency}` });
  if (!Number.isSafeInteger(invoice.openAmount)) errors.push({ path: 'invoice.openAmount', message: `expected minor units (a safe integer), got ${invoice.openAmount}` });
  if (errors.length > 0) throw new ValidationError(errors, `Cannot schedule dunning: ${errors.map((e) => e.message).join('; ')}.`);
  addDays(invoice.dueDate, 0); // throws ValidationError on a malformed date
}

/**
 * Computes the ladder with some stages' dates fixed (steps already taken). Steps come out in
 * the policy's ladder order; a policy whose dates are not strictly increasing in that order
 * for this input throws (a broken policy must fail loudly, never produce a wrong ladder).
 */
function computeLadder(
  policy: DunningPolicy,
  invoice: DunnedInvoice,
  country: Country,
  fixed: ReadonlyMap<DunningStage, DunningStep>,
  disconnectionNotBefore?: string,
): DunningStep[] {
  const rules = new Map(policy.steps.map((s) => [s.stage, s]));
  const dates = new Map<DunningStage, { date: string; basis: string }>();
  const resolve = (stage: DunningStage): string => {
    const known = fixed.get(stage) ?? dates.get(stage);
    if (known) return known.date;
    const rule = rules.get(stage);
    if (!rule) throw new RangeError(`policy ${policy.policyId} has no stage ${stage}`);
    const anchor = rule.from === 'due_date' ? invoice.dueDate : resolve(rule.from);
    let computed = stepDate(rule, anchor, invoice.openAmount, invoice.currency, country);
    if (stage === 'disconnection' && disconnectionNotBefore && computed.date < disconnectionNotBefore) {
      computed = { date: disconnectionNotBefore, basis: `${computed.basis}; kept at the date already announced, ${disconnectionNotBefore} (disconnection never earlier than announced)` };
    }
    dates.set(stage, computed);
    return computed.date;
  };
  const disconnection = rules.has('disconnection') ? resolve('disconnection') : undefined;
  const steps = policy.steps.map((rule): DunningStep => {
    const done = fixed.get(rule.stage);
    if (done) return done;
    resolve(rule.stage);
    const { date, basis } = dates.get(rule.stage) as { date: string; basis: string };
    const step: DunningStep = { stage: rule.stage, date, rule: rule.rule, basis };
    if (rule.fee !== undefined && rule.fee > 0) step.fee = { amount: rule.fee, currency: policy.currency };
    if (rule.statesDisconnectionDate && disconnection) step.statesDisconnectionDate = disconnection;
    return step;
  });
  for (let i = 1; i < steps.length; i++) {
    const [before, after] = [steps[i - 1] as DunningStep, steps[i] as DunningStep];
    if (after.date <= before.date) {
      throw new RuleViolationError(
        `Policy ${policy.policyId} puts ${after.stage} (${after.date}) on or before ${before.stage} (${before.date}) for due date ${invoice.dueDate}.`,
        'DUNNING-POLICY',
      );
    }
  }
  return steps;
}

/**
 * The dated ladder for an invoice under `policy`, in order (dates strictly increasing, every
 * date a banking day of `country`). An invoice with nothing open gets no steps. The amount
 * that selects an amount-dependent offset (R-FI-7) is `openAmount` at the time of computing,
 * i.e. what reminder 1 demands.
 *
 * Throws ValidationError when the country or currency is not the policy's, or on a malformed
 * due date or amount.
 */
export function dunningSchedule(policy: DunningPolicy, invoice: DunnedInvoice, country: Country): DunningStep[] {
  checkInput(policy, invoice, country);
  if (invoice.openAmount <= 0) return [];
  return computeLadder(policy, invoice, country, new Map());
}

/**
 * The ladder after a partial payment: the steps already taken (`completed`, from the case
 * history) stay exactly as they were; the steps still to come are recomputed from them with
 * the new open amount. Under the Finnish policy a payment that brings the open amount under
 * 170.00 EUR switches the disconnection date from reminder 1 + 5 weeks to reminder 1 +
 * 3 months (counted from reminder 1's actual date); reminder 2 and enforcement follow it.
 *
 * Safety: the disconnection date never becomes earlier than a date already announced by a
 * completed step (R-FI-9: on or after the announced day). When nothing is open any more the
 * ladder ends: only the completed steps are returned.
 */
export function recomputeAfterPartialPayment(
  policy: DunningPolicy,
  invoice: DunnedInvoice,
  country: Country,
  completed: readonly DunningStep[],
): DunningStep[] {
  checkInput(policy, invoice, country);
  const stages = new Set(policy.steps.map((s) => s.stage));
  const fixed = new Map<DunningStage, DunningStep>();
  completed.forEach((step, i) => {
    if (!stages.has(step.stage)) throw new ValidationError([{ path: `completed.${i}.stage`, message: `policy ${policy.policyId} has no stage ${step.stage}` }]);
    if (fixed.has(step.stage)) throw new ValidationError([{ path: `completed.${i}.stage`, message: `stage ${step.stage} completed twice` }]);
    addDays(step.date, 0);
    fixed.set(step.stage, step);
  });
  const ordered = policy.steps.filter((s) => fixed.has(s.stage)).map((s) => fixed.get(s.stage) as DunningStep);
  if (invoice.openAmount <= 0) return ordered;
  if (fixed.has('disconnection')) return computeLadder(policy, invoice, country, fixed);
  const announced = completed.map((s) => s.statesDisconnectionDate).filter((d): d is string => d !== undefined);
  const notBefore = announced.length > 0 ? announced.reduce((a, b) => (a > b ? a : b)) : undefined;
  return computeLadder(policy, invoice, country, fixed, notBefore);
}

/** The daily overdue scan: 06:00 in the utility's zone, before the letters of the day (EventBridge Scheduler; the local scheduler). */
export const overdueScanCron = { unix: '0 6 * * *', eventBridge: 'cron(0 6 * * ? *)' } as const;
