/**
 * One customer's invoice for one run: a line per service and facility (R-SE-8), prorated
 * by the days each service was active, preliminary water with settlement at the reading
 * (R-SE-9), connection fees once (R-SE-11), final invoices after a move-out (R-SE-7) and
 * prepayments used (R-SE-14). Pure: the caller reads and writes.
 */
import type { Customer, Deposit, Facility, FacilityService } from '../customers/model.js';
import { RuleViolationError } from '../errors.js';
import { addDays, billingPeriodFor, daysBetween, daysInMonth, lastDayOfMonth, type BillingCycle } from './calendar.js';
import { lineAmounts, prorate, vatRate } from './money.js';
import { depositStateKey, feeStateKey, stateKey, type PendingFee, type BillingState, type InvoiceLine, type MeterReading, type ServiceBillingState, type TariffVersion } from './model.js';
import type { BillingProfile } from './profile.js';

/** No price for a service on a date: stops this customer's invoice, not the run. */
export class TariffGapError extends RuleViolationError {
  constructor(service: string, date: string) {
    super(`No tariff for ${service} on ${date}.`, 'R-SE-10');
  }
}

export interface InvoiceInput {
  readonly customer: Customer;
  readonly facilities: readonly Facility[];
  readonly runMonth: string;
  readonly profile: BillingProfile;
  readonly tariffAt: (service: FacilityService['service'], date: string) => TariffVersion | undefined;
  /**
   * Readings of a meter, oldest first. Only the newest on or before a service's window end
   * (`billingWindow`) is used, when it is newer than the reading last billed: that one at least.
   */
  readonly readings: (facilityId: string, meterId: string) => readonly MeterReading[];
  readonly previousState: BillingState;
  /** Prepayment (overpayments, R-SE-14) the invoice may use, in minor units. */
  readonly creditAvailable: number;
  /** Deposits required of the customer (R-SE-6); each is invoiced once. */
  readonly deposits: readonly Deposit[];
  /** Reminder fees from dunning (R-FI-5); each is invoiced once, on the next invoice. */
  readonly fees?: readonly PendingFee[];
}

export interface InvoiceDraft {
  lines: InvoiceLine[];
  stateAfter: BillingState;
  finalInvoiceFacilities: string[];
  creditUsed: number;
}

/** Days from `start` to `end`, both included. */
const daysIncluding = (start: string, end: string) => daysBetween(start, end) + 1;
const maxDate = (a: string, b: string) => (a > b ? a : b);
const minDate = (a: string, b: string) => (a < b ? a : b);

/** The fixed charge over [start, end], month by month, each month prorated by its days. */
function fixedCharge(perMonth: number, start: string, end: string): number {
  let total = 0;
  for (let cursor = start; cursor <= end; ) {
    const [y, m] = cursor.split('-').map(Number) as [number, number];
    const monthEnd = lastDayOfMonth(y, m);
    const until = minDate(monthEnd, end);
    total += prorate(perMonth, daysIncluding(cursor, until), daysInMonth(y, m));
    cursor = addDays(until, 1);
  }
  return total;
}

function line(
  input: InvoiceInput,
  facility: Facility,
  entry: FacilityService,
  fields: Omit<InvoiceLine, 'facilityId' | 'service' | 'vatRate' | 'vat' | 'gross' | 'net'> & { net: number },
): InvoiceLine {
  // The rate in force at the end of what the line bills.
  const rate = vatRate(input.profile.country, entry.service, input.customer.category, fields.periodEnd ?? `${input.runMonth}-01`);
  const amounts = lineAmounts(fields.net, rate);
  return { facilityId: facility.facilityNumber, service: entry.service, ...fields, ...amounts, vatRate: rate };
}

export function draftInvoice(input: InvoiceInput): InvoiceDraft {
  const lines: InvoiceLine[] = [];
  const stateAfter: BillingState = { ...input.previousState };
  const finalInvoiceFacilities: string[] = [];

  for (const facility of input.facilities) {
    const moveOutDate = facility.moveOut?.date;
    for (const entry of facility.services) {
      const key = stateKey(facility.facilityNumber, entry.service);
      const state = { ...(input.previousState[key] ?? {}) };
      const window = billingWindow(input.profile, input.runMonth, entry, state);
      if (!window) continue;
      const { start, end, ended } = window;
      if (ended && moveOutDate && !finalInvoiceFacilities.includes(facility.facilityNumber)) finalInvoiceFacilities.push(facility.facilityNumber);

      const tariff = input.tariffAt(entry.service, end);
      if (!tariff) throw new TariffGapError(entry.service, end);

      if (tariff.fixedPerMonth > 0) {
        lines.push(line(input, facility, entry, {
          kind: 'fixed', description: `${entry.service} fixed charge`, periodStart: start, periodEnd: end, net: fixedCharge(tariff.fixedPerMonth, start, end),
        }));
      }
      // R-SE-11: the connection fee is invoiced once, with the first invoice after connection.
      if (tariff.connectionFee > 0 && !state.connectionFeeInvoiced) {
        lines.push(line(input, facility, entry, { kind: 'connection_fee', description: `${entry.service} connection fee`, net: tariff.connectionFee }));
        state.connectionFeeInvoiced = true;
      }
      lines.push(...usageLines(input, facility, entry, tariff, state, start, end));
      state.billedThrough = end;
      stateAfter[key] = state;
    }
  }

  // R-SE-6: a required deposit is invoiced once, without VAT (it is held, not sold).
  for (const deposit of input.deposits) {
    const key = depositStateKey(deposit.depositId);
    if (input.previousState[key]) continue;
    lines.push({
      facilityId: '-', service: deposit.service, kind: 'deposit', description: `Deposit, held until ${deposit.heldUntil}`,
      net: deposit.amount.amount, vatRate: 0, vat: 0, gross: deposit.amount.amount,
    });
    stateAfter[key] = { billedThrough: deposit.requestedAt.slice(0, 10) };
  }

  // R-FI-5: a reminder fee goes on the next invoice, once, without VAT (a charge for the
  // reminder, not a sale); its state key records that it was invoiced. The next invoice is the
  // customer's next regular one: a run that bills nothing else (a Finnish month between the
  // quarterly runs) leaves the fees pending, unless no service is left to bill (then they go alone).
  const feesWait = lines.length === 0 && stillBilled(input);
  for (const fee of feesWait ? [] : (input.fees ?? [])) {
    const key = feeStateKey(fee.feeId);
    if (input.previousState[key] || fee.currency !== input.profile.currency) continue;
    lines.push({ facilityId: '-', service: fee.service, kind: 'reminder_fee', description: fee.description, net: fee.amount, vatRate: 0, vat: 0, gross: fee.amount });
    stateAfter[key] = { billedThrough: input.runMonth };
  }

  // R-SE-14: a prepayment from an overpayment is deducted from the next invoice.
  const total = lines.reduce((sum, l) => sum + l.gross, 0);
  const creditUsed = Math.max(0, Math.min(input.creditAvailable, total));
  if (creditUsed > 0) {
    lines.push({
      facilityId: '-', service: lines[0]!.service, kind: 'prepayment', description: 'Prepayment used',
      net: -creditUsed, vatRate: 0, vat: 0, gross: -creditUsed,
    });
  }
  return { lines, stateAfter, finalInvoiceFacilities, creditUsed };
}

/** Whether some service of the customer will be billed again (it has not ended, or not been billed to its end). */
function stillBilled(input: InvoiceInput): boolean {
  return input.facilities.some((facility) =>
    facility.services.some((entry) => {
      if (entry.endDate === undefined) return true;
      const billedThrough = input.previousState[stateKey(facility.facilityNumber, entry.service)]?.billedThrough;
      return billedThrough === undefined || billedThrough < entry.endDate;
    }),
  );
}

/**
 * What a run bills of one service: from the day after what was billed to the end of the
 * service's period, or to its end date; undefined when nothing of it is due. Readings count
 * up to `end` (usage is billed from the newest reading on or before it).
 */
export function billingWindow(
  profile: BillingProfile,
  runMonth: string,
  entry: FacilityService,
  state: ServiceBillingState | undefined,
): { start: string; end: string; ended: boolean } | undefined {
  const cycle: BillingCycle =
    entry.largeConsumer ? profile.largeConsumerCycle : entry.billingCycle ? cycleByName(entry.billingCycle, profile, entry.service) : profile.cycles[entry.service];
  const period = billingPeriodFor(cycle, runMonth);
  const runStart = `${runMonth}-01`;
  // R-SE-7: a service that ended before this run goes on the final invoice, whatever its cycle.
  const ended = entry.endDate !== undefined && entry.endDate < runStart;
  if (!period.due && !ended) return undefined;
  const start = maxDate(entry.startDate, state?.billedThrough ? addDays(state.billedThrough, 1) : entry.startDate);
  const end = minDate(ended ? entry.endDate! : period.periodEnd, entry.endDate ?? '9999-12-31');
  return start > end ? undefined : { start, end, ended };
}

function cycleByName(name: NonNullable<FacilityService['billingCycle']>, profile: BillingProfile, service: FacilityService['service']): BillingCycle {
  switch (name) {
    case 'monthly':
      return { kind: 'monthly' };
    case 'bimonthly':
      return { kind: 'bimonthly', anchorMonth: 1 };
    case 'quarterly':
      return { kind: 'quarterly', anchorMonth: 1 };
    case 'finnish_quarterly':
      return { kind: 'finnish_quarterly' };
    case 'seasonal':
      // Summer waste: May–September, invoiced in October (R-SE-11).
      return profile.cycles[service].kind === 'seasonal' ? profile.cycles[service] : { kind: 'seasonal', months: [10], seasonStartMonth: 5, seasonEndMonth: 9 };
  }
}

/**
 * Use by meter. Remote-read and large consumers: actual use between readings. Water
 * otherwise (R-SE-9): preliminary use from the expected annual use, and at each new
 * reading the actual use since the last billed reading minus what was billed on
 * preliminary values since then, as a settlement line (negative when over-billed).
 */
function usageLines(
  input: InvoiceInput,
  facility: Facility,
  entry: FacilityService,
  tariff: TariffVersion,
  state: NonNullable<BillingState[string]>,
  start: string,
  end: string,
): InvoiceLine[] {
  if (tariff.unitPrice <= 0 || tariff.unit === 'none') return [];
  const out: InvoiceLine[] = [];
  const readings = entry.meter ? input.readings(facility.facilityNumber, entry.meter.meterId).filter((r) => r.readAt.slice(0, 10) <= end) : [];
  const latest = readings.at(-1);
  const newReading = latest && (!state.lastReading || latest.readAt > state.lastReading.readAt) ? latest : undefined;
  const preliminary = entry.service === 'water' && !entry.largeConsumer && entry.expectedAnnualUse !== undefined;

  if (newReading) {
    if (state.lastReading) {
      const actual = newReading.value - state.lastReading.value;
      const billed = state.preliminaryUnits ?? 0;
      const units = round3(actual - billed);
      if (units !== 0) {
        out.push(line(input, facility, entry, {
          kind: billed > 0 ? 'usage_settlement' : 'usage',
          description: billed > 0 ? `${entry.service} settlement: ${round3(actual)} ${tariff.unit} used, ${round3(billed)} billed on estimate` : `${entry.service} use`,
          periodStart: state.lastReading.readAt.slice(0, 10), periodEnd: newReading.readAt.slice(0, 10),
          quantity: units, unit: tariff.unit, unitPrice: tariff.unitPrice, net: Math.round(units * tariff.unitPrice),
        }));
      }
    }
    state.lastReading = { value: newReading.value, readAt: newReading.readAt };
    state.preliminaryUnits = 0;
  }
  if (preliminary) {
    const from = newReading ? maxDate(start, addDays(newReading.readAt.slice(0, 10), 1)) : start;
    if (from <= end) {
      const units = round3((entry.expectedAnnualUse! * daysIncluding(from, end)) / 365);
      if (units > 0) {
        out.push(line(input, facility, entry, {
          kind: 'preliminary_usage', description: `${entry.service} estimated use`, periodStart: from, periodEnd: end,
          quantity: units, unit: tariff.unit, unitPrice: tariff.unitPrice, net: Math.round(units * tariff.unitPrice),
        }));
        state.preliminaryUnits = round3((state.preliminaryUnits ?? 0) + units);
      }
    }
  }
  return out;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
