/**
 * Unpaid amount per service of one invoice: a service is only ever disconnected for its own
 * unpaid amount (unpaid waste never shuts off water). Exact integer arithmetic (BigInt for
 * products), minor units throughout. See docs/DUNNING.md "Debt per service".
 *
 * Allocation, in this order:
 * 1. Each (facility, service)'s charge is the sum of its lines' gross amounts, except `reminder_fee`
 *    lines (fees are no service's debt and never a ground to disconnect) and `prepayment`
 *    lines (money the customer already paid: it joins the payments).
 * 2. A service whose lines net to a credit (negative) has no charge; its credit joins the
 *    payments too.
 * 3. The money paid (applied payments, prepayments, credits) goes to the services' charges
 *    pro rata to their size (largest remainder; ties to facility ids in sorted order, then the order of
 *    `services`), and only what is left over pays the fees. Pro rata, not oldest-first,
 *    because all lines of one invoice fall due on the same day; fees last, because a payment
 *    should first lower what can cut off a supply.
 *
 * Charges and the allocation are per facility and service (a customer's unpaid water at one
 * house never cuts the water at another); `debtByService` sums them per service.
 *
 * Paid is the larger of the sum of `appliedPayments` and `total - openAmount` (the ledger's
 * whichever shows more paid wins, so a stale field never inflates the debt). A `paid` or `credited`
 * invoice, or one with `openAmount <= 0`, owes nothing.
 */
import type { Invoice } from '../billing/model.js';
import { services, type Service } from '../customers/schemas.js';
import type { DunningPolicy } from './policy.js';
import { serviceRule } from './policy.js';

export type DebtInvoice = Pick<Invoice, 'lines' | 'total' | 'openAmount' | 'appliedPayments' | 'status'>;

export interface DebtBreakdown {
  /** Unpaid minor units per service, every service present (0 when nothing is owed). */
  byService: Record<Service, number>;
  /** Unpaid reminder fees. */
  fees: number;
  /** byService + fees. */
  total: number;
}

const zeroes = (): Record<Service, number> => Object.fromEntries(services.map((s) => [s, 0])) as Record<Service, number>;

function checkAmount(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer in minor units, got ${value}`);
}

/**
 * Splits `pool` (0 <= pool <= sum of weights) over the weights pro rata: floor shares, then
 * the remaining units one each to the largest remainders (ties: earlier index first).
 */
function allocate(weights: readonly bigint[], pool: bigint): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) return weights.map(() => 0n);
  const shares = weights.map((w) => (w * pool) / sum);
  let left = pool - shares.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (w * pool) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    shares[i] = (shares[i] as bigint) + 1n;
    left--;
  }
  return shares;
}

/** Per facility and service, then summed per service; see the module comment. */
function allocateInvoice(invoice: DebtInvoice): { byFacility: Record<string, Record<Service, number>>; fees: number } {
  checkAmount(invoice.openAmount, 'openAmount');
  checkAmount(invoice.total, 'total');
  if (invoice.status !== 'open' || invoice.openAmount <= 0) return { byFacility: {}, fees: 0 };

  // Charges per (facility, service), in a fixed order: facility ids sorted, then `services`.
  const charges = new Map<string, { facilityId: string; service: Service; amount: bigint }>();
  const facilities = [...new Set(invoice.lines.map((l) => l.facilityId))].sort();
  for (const facilityId of facilities) for (const service of services) charges.set(`${facilityId}|${service}`, { facilityId, service, amount: 0n });
  let fees = 0n;
  let credit = 0n;
  invoice.lines.forEach((line, i) => {
    checkAmount(line.gross, `lines.${i}.gross`);
    const gross = BigInt(line.gross);
    if (line.kind === 'reminder_fee') fees += gross;
    else if (line.kind === 'prepayment') credit -= gross; // prepayment lines are negative
    else {
      const charge = charges.get(`${line.facilityId}|${line.service}`);
      if (!charge) throw new RangeError(`unknown service ${line.service} on line ${i}`);
      charge.amount += gross;
    }
  });
  for (const charge of charges.values()) {
    if (charge.amount < 0n) {
      credit -= charge.amount;
      charge.amount = 0n;
    }
  }
  if (fees < 0n) {
    credit -= fees;
    fees = 0n;
  }
  const paidByPayments = invoice.appliedPayments.reduce((sum, p, i) => {
    checkAmount(p.amount, `appliedPayments.${i}.amount`);
    return sum + BigInt(Math.max(0, p.amount));
  }, 0n);
  const paidByLedger = BigInt(invoice.total) - BigInt(invoice.openAmount);
  const paid = (paidByPayments > paidByLedger ? paidByPayments : paidByLedger) + credit;

  const entries = [...charges.values()];
  const weights = entries.map((c) => c.amount);
  const charged = weights.reduce((a, b) => a + b, 0n);
  const toServices = paid <= 0n ? 0n : paid >= charged ? charged : paid;
  const shares = allocate(weights, toServices);
  const byFacility: Record<string, Record<Service, number>> = {};
  entries.forEach((c, i) => {
    const debt = (byFacility[c.facilityId] ??= zeroes());
    debt[c.service] = Number(c.amount - (shares[i] as bigint));
  });
  const rest = paid - toServices;
  const toFees = rest > fees ? fees : rest > 0n ? rest : 0n;
  return { byFacility, fees: Number(fees - toFees) };
}

export function debtBreakdown(invoice: DebtInvoice): DebtBreakdown {
  const { byFacility, fees } = allocateInvoice(invoice);
  const byService = addDebts(...Object.values(byFacility));
  const total = services.reduce((sum, s) => sum + byService[s], 0) + fees;
  return { byService, fees, total };
}

/**
 * Unpaid minor units per facility and service: what a disconnection at one facility may be
 * for (a customer's unpaid water at one house never cuts the water at another).
 */
export function debtByFacilityService(invoice: DebtInvoice): Record<string, Record<Service, number>> {
  return allocateInvoice(invoice).byFacility;
}

/** Unpaid minor units per service of one invoice (every service present). */
export function debtByService(invoice: DebtInvoice): Record<Service, number> {
  return debtBreakdown(invoice).byService;
}

/**
 * The debt a service may be dunned for: its own unpaid amount, plus the services its policy
 * rule counts with it (water & sewage are one service: `debtIncludes`). Sums per-service
 * debts, e.g. several invoices' `debtByService` added up.
 */
export function ownDebt(policy: DunningPolicy, service: Service, debt: Readonly<Record<Service, number>>): number {
  const included = serviceRule(policy, service)?.debtIncludes ?? [service];
  const counted = new Set<Service>([service, ...included]);
  return [...counted].reduce((sum, s) => sum + Math.max(0, debt[s] ?? 0), 0);
}

/** Adds per-service debts (several invoices of one customer and facility). */
export function addDebts(...debts: readonly Readonly<Record<Service, number>>[]): Record<Service, number> {
  const sum = zeroes();
  for (const debt of debts) for (const s of services) sum[s] += debt[s] ?? 0;
  return sum;
}
