/** In-memory dunning adapters that check the invariants at the moment of every write (property and idempotency tests). */
import type { Invoice } from '../../../lambdas/domain/billing/model.js';
import type { Customer, Facility } from '../../../lambdas/domain/customers/model.js';
import type { DunningFee, WorkOrder } from '../../../lambdas/domain/dunning/case.js';
import type { DunningRepository, StoredCase } from '../../../lambdas/domain/dunning/process.js';
import { ConflictError } from '../../../lambdas/domain/errors.js';

export const allGuards = ['PaidGuard', 'OwnDebtGuard', 'WasteNeverStoppedGuard', 'ServiceRuleGuard', 'RentalWaterGuard', 'WinterOwnerContactGuard', 'HoldGuard', 'AnnouncedDateGuard', 'BookingDelayGuard'];

export class Clock {
  constructor(public at: number) {}
  now = () => new Date(this.at);
}

/** In-memory adapters that check the invariants at the moment of every write. */
export class World implements DunningRepository {
  cases = new Map<string, StoredCase>();
  orders = new Map<string, WorkOrder>();
  fees = new Map<string, DunningFee>();
  violations: string[] = [];
  lastFile: string | undefined;
  constructor(
    public invoice: Invoice,
    private readonly customer: Customer,
    private readonly facility: Facility,
    private readonly today: () => string,
  ) {}
  private unpaid = () => this.invoice.openAmount > 0 && this.invoice.status === 'open';

  async getCase(id: string) {
    const c = this.cases.get(id);
    return c ? structuredClone(c) : undefined;
  }
  async createCase(c: StoredCase) {
    if (this.cases.has(c.caseId)) return false;
    this.cases.set(c.caseId, structuredClone(c));
    return true;
  }
  async saveCase(c: StoredCase, expected: number) {
    const before = this.cases.get(c.caseId);
    if (!before || before.version !== expected) throw new ConflictError('version');
    if (c.completed.length > before.completed.length && !this.unpaid()) this.violations.push(`step ${c.completed.at(-1)?.stage} taken on a paid debt`);
    const reminders = c.completed.filter((s) => s.stage === 'reminder_1' || s.stage === 'reminder_2').length;
    if (c.policyId.startsWith('fi-') && reminders > 2) this.violations.push('a third Finnish reminder');
    this.cases.set(c.caseId, structuredClone(c));
  }
  async listCases() {
    return { items: [...this.cases.values()], nextCursor: null };
  }
  async createWorkOrder(order: WorkOrder) {
    if (this.orders.has(order.workOrderId)) return false;
    if (order.type !== 'reconnection') {
      if (!this.unpaid()) this.violations.push(`${order.type} ordered on a paid debt`);
      if (order.service === 'waste') this.violations.push('waste disconnected');
      // R-SE-21 is the Swedish rule; the Finnish terms have no rental protection.
      if (this.invoice.currency === 'SEK' && order.service === 'water' && this.facility.propertyType === 'rental' && order.type === 'disconnection') this.violations.push('rental water cut');
      // The case as the task holds it is not saved yet: the guard record was written in an earlier CheckGuards.
      const c = [...this.cases.values()][0];
      const record = c?.guardDecisions.filter((r) => r.facilityId === order.facilityId && r.service === order.service && r.verdict === 'proceed').at(-1);
      if (!record) this.violations.push(`${order.type} without a proceed decision`);
      else {
        if (record.at !== this.today()) this.violations.push(`${order.type} on ${this.today()} with guards checked on ${record.at}`);
        const names = record.decisions.map((d) => d.guard);
        if (allGuards.some((g) => !names.includes(g))) this.violations.push(`guard skipped: ${allGuards.filter((g) => !names.includes(g)).join(',')}`);
        if (record.decisions.some((d) => d.outcome !== 'allow')) this.violations.push('ordered with a guard not allowing');
      }
    }
    this.orders.set(order.workOrderId, structuredClone(order));
    return true;
  }
  async getWorkOrder(id: string) {
    return this.orders.get(id);
  }
  async saveWorkOrder(order: WorkOrder) {
    this.orders.set(order.workOrderId, structuredClone(order));
  }
  async listWorkOrders() {
    return { items: [...this.orders.values()], nextCursor: null };
  }
  async createFee(fee: DunningFee) {
    if (this.fees.has(fee.feeId)) return false;
    if (!this.unpaid()) this.violations.push('fee on a paid debt');
    this.fees.set(fee.feeId, fee);
    return true;
  }
  async lastPaymentFileDate() {
    return this.lastFile;
  }
  async recordPaymentFileBooked(date: string) {
    if (!this.lastFile || date > this.lastFile) this.lastFile = date;
  }
  async overdueInvoices(before: string) {
    return this.invoice.dueDate < before && this.unpaid() && !this.cases.size ? [{ invoiceId: this.invoice.invoiceId, dueDate: this.invoice.dueDate }] : [];
  }
  async markInvoiceDunned() {}
  async getInvoice() {
    return structuredClone(this.invoice);
  }
  async getCustomer() {
    return this.customer;
  }
  async facilitiesOf() {
    return [this.facility];
  }
  pay(amount: number) {
    const paid = Math.min(amount, this.invoice.openAmount);
    this.invoice.openAmount -= paid;
    if (this.invoice.openAmount === 0) this.invoice.status = 'paid';
  }
}

