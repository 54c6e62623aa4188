/**
 * The dunning use-cases: the workflow's tasks (statemachines/dunning.asl.json calls one per
 * Task state) and the desk's and ops room's actions on a case (holds, owner contacts, work
 * orders). Every task is idempotent: run twice, it changes nothing the second time (a step
 * taken is never taken again, a work order or fee is written once, a decision is recorded
 * once). Before every action the invoice is read again: nothing is ever done on a paid debt.
 */
import type { Invoice } from '../billing/model.js';
import { addDays, addMonths, daysBetween, isBankingDay, isIsoDate, nextBankingDay, type Country } from '../billing/calendar.js';
import type { Customer, Facility } from '../customers/model.js';
import type { Service } from '../customers/schemas.js';
import { localDateTime, zonedTimeToUtc } from '../alerts/quiet-hours.js';
import { ConflictError, NotFoundError, RuleViolationError, ValidationError } from '../errors.js';
import type { Actor } from '../actor.js';
import {
  activeStatuses,
  caseIdFor,
  feeIdFor,
  workOrderIdFor,
  type CaseEvent,
  type CaseHold,
  type CaseStatus,
  type DisconnectionTarget,
  type DunningCase,
  type DunningFee,
  type HoldReason,
  type OwnerContactOutcome,
  type WorkflowState,
  type WorkOrder,
  type WorkOrderType,
} from './case.js';
import { debtBreakdown, debtByFacilityService, ownDebt } from './debt.js';
import { checkGuards, verdict, waitsForPaymentFile, type GuardInput } from './guards.js';
import { reminderStages, selectPolicy, serviceRule, type DunningAction, type DunningPolicy, type DunningStage } from './policy.js';
import { dunningSchedule, recomputeAfterPartialPayment, type DunningStep } from './schedule.js';
import { orderDocumentId, stageLetters, type DocumentOrder } from '../delivery/orders.js';
import type { CaseLetter } from './case.js';
import { noBusinessMetrics, type BusinessMetrics } from '../metrics.js';

/**
 * The letters of the ladder (issue 12): ordered on the delivery queue (never rendered in a task),
 * and waited for: CheckLetters reads their deliveries until every one is handed over
 * (docs/DELIVERY.md "Waiting for the hand-over").
 */
export interface LetterPort {
  order(order: DocumentOrder): Promise<void>;
  /** Each document's delivery (undefined: not stored yet: its order is still queued). */
  deliveries(documentIds: readonly string[]): Promise<(LetterDelivery | undefined)[]>;
}

export interface LetterDelivery {
  documentId: string;
  kind: string;
  status: 'queued' | 'handed_over' | 'failed';
  channel?: string;
  handedOverAt?: string;
  reason?: string;
}

/** How long a step waits before it looks at its letters again (CheckLetters → WaitForLetters). */
export const LETTER_CHECK_INTERVAL_MS = 5 * 60 * 1000;
/**
 * A letter whose document was never stored this long after it was ordered (the order found
 * nothing to send, or was dead-lettered and not redriven) stops the case instead of polling
 * for ever; one that is stored but still queued (a channel down) is waited for.
 */
export const LETTER_NEVER_STORED_MS = 3 * 24 * 3600 * 1000;

/** A letter of a step no channel took (every channel failed, or R-SE-4 manual handling): the case stops (the ASL's Catch). */
export class LetterNotDelivered extends Error {
  override readonly name = 'LetterNotDelivered';
}

/**
 * The stored case, with the callback token of a waiting owner contact (never shown), and, from
 * the repository's read, how many history entries and guard records are stored already (the
 * rest are new: the repository writes them as their own items).
 */
export type StoredCase = DunningCase & { ownerContactToken?: string; storedHistory?: number; storedGuards?: number };

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface DunningRepository {
  getCase(caseId: string): Promise<StoredCase | undefined>;
  /** Conditional on the case id: false when it exists. */
  createCase(c: StoredCase): Promise<boolean>;
  /** Conditional on `expectedVersion`: throws ConflictError when someone else wrote first. */
  saveCase(c: StoredCase, expectedVersion: number): Promise<void>;
  /** `stuck`: the cases marked stuck (any status). */
  listCases(query: { status?: CaseStatus | 'stuck'; limit: number; cursor?: string }): Promise<Page<StoredCase>>;
  /** Conditional on the id: false when it exists. */
  createWorkOrder(order: WorkOrder): Promise<boolean>;
  getWorkOrder(workOrderId: string): Promise<WorkOrder | undefined>;
  saveWorkOrder(order: WorkOrder, expectedVersion: number): Promise<void>;
  listWorkOrders(query: { type?: WorkOrderType; status?: WorkOrder['status']; limit: number; cursor?: string }): Promise<Page<WorkOrder>>;
  /** Conditional on the fee id: false when it exists. */
  createFee(fee: DunningFee): Promise<boolean>;
  /** The local date the last bank payment file was booked (R-FI-10, R-SE-13). */
  lastPaymentFileDate(): Promise<string | undefined>;
  /** Moves the date the last bank payment file was booked forward (never back). */
  recordPaymentFileBooked(date: string): Promise<void>;
  /** Open invoices due before `date` that have no dunning case yet. */
  overdueInvoices(before: string): Promise<{ invoiceId: string; dueDate: string }[]>;
  /** Records the case on the invoice (it leaves the overdue index). */
  markInvoiceDunned(invoiceId: string, caseId: string): Promise<void>;
  getInvoice(invoiceId: string): Promise<Invoice | undefined>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  facilitiesOf(customerId: string): Promise<Facility[]>;
}

export interface WorkflowPort {
  /** Starts the execution named after the invoice; a second start with the same name is a no-op. */
  startExecution(name: string, input: { invoiceId: string; caseId: string }): Promise<{ executionArn: string; alreadyStarted: boolean }>;
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  executionArnFor(name: string): string;
}

export interface DunningDeps {
  repo: DunningRepository;
  workflow: WorkflowPort;
  policies: readonly DunningPolicy[];
  country: Country;
  now: () => Date;
  newId: (prefix: string) => string;
  /** The local hour actions are taken on their date (letters go out in the morning). */
  actionHour?: number;
  /** Banking days a case may wait for a payment file before it is stuck (default 5). */
  stuckAfterBankingDays?: number;
  /** Told on every check of a stuck case (the wiring logs "dunning case stuck": the alarm's metric). */
  onStuck?: (info: { caseId: string; since: string; bankingDays: number }) => void;
  /** The letters' delivery; without it no letter is ordered (a function that takes no step). */
  letters?: LetterPort;
  /** Stage entries and work orders, counted (default: nothing counted). */
  metrics?: BusinessMetrics;
}

export const DEFAULT_STUCK_AFTER_BANKING_DAYS = 5;

/** A Standard execution ends after one year: waits beyond ~11 months (335 days) from its start continue in a new one. */
export const EXECUTION_LIMIT_MS = 335 * 24 * 3600 * 1000;
/** AwaitOwnerContact's TimeoutSeconds (statemachines/dunning.asl.json). */
const OWNER_CONTACT_WAIT_MS = 48 * 3600 * 1000;

/** Banking days after `from` up to and including `to`. */
function bankingDaysBetween(from: string, to: string, country: Country): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isBankingDay(d, country)) n++;
  return n;
}

/**
 * Holds (R-FI-11, R-SE-15: deferral only in exceptional cases) and owner-contact postponements
 * (R-SE-18, R-SE-20) end at most this many months ahead: a longer pause is a new decision taken
 * then. It also keeps every wait well inside a Standard execution's one year (docs/DUNNING.md).
 */
export const MAX_PAUSE_MONTHS = 6;

export class Dunning {
  private readonly actionHour: number;

  constructor(private readonly deps: DunningDeps) {
    this.actionHour = deps.actionHour ?? 8;
  }

  private get metrics(): BusinessMetrics {
    return this.deps.metrics ?? noBusinessMetrics;
  }

  // ------------------------------------------------------------------ time and policy

  private policyById(policyId: string): DunningPolicy {
    const policy = this.deps.policies.find((p) => p.policyId === policyId);
    if (!policy) throw new NotFoundError(`Dunning policy ${policyId} is not configured.`);
    return policy;
  }

  private zone(policy?: DunningPolicy): string {
    return policy?.timeZone ?? this.deps.policies.find((p) => p.country === this.deps.country)?.timeZone ?? 'UTC';
  }

  /** The utility's local date now. */
  today(policy?: DunningPolicy): string {
    const t = localDateTime(this.deps.now(), this.zone(policy));
    return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  }

  /** The instant a step dated `date` is taken: the action hour, local time. */
  private instantOf(date: string, policy: DunningPolicy): string {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    return zonedTimeToUtc({ year, month, day, hour: this.actionHour, minute: 0, second: 0 }, policy.timeZone).toISOString();
  }

  /** The service with the largest unpaid amount on the invoice, or its first line's when nothing is owed. */
  private mainService(invoice: Invoice): Service | undefined {
    const debt = debtBreakdown(invoice).byService;
    const services = (Object.entries(debt) as [Service, number][]).filter(([, amount]) => amount > 0).sort((a, b) => b[1] - a[1]);
    return services[0]?.[0] ?? invoice.lines[0]?.service;
  }

  private policyFor(invoice: Invoice): DunningPolicy {
    const service = this.mainService(invoice);
    if (!service) throw new RuleViolationError(`Invoice ${invoice.invoiceId} has no service lines to dun.`, 'DUNNING-POLICY');
    return selectPolicy(this.deps.policies, this.deps.country, service);
  }

  // ------------------------------------------------------------------ case bookkeeping

  private event(c: DunningCase, event: Omit<CaseEvent, 'at'>): void {
    c.history.push({ at: this.deps.now().toISOString(), ...event });
  }

  private async load(caseId: string): Promise<StoredCase> {
    const found = await this.deps.repo.getCase(caseId);
    if (!found) throw new NotFoundError(`No dunning case ${caseId}.`);
    return found;
  }

  /** Read, change, write conditionally; a concurrent writer makes it read again (up to 5 times). */
  private async update(caseId: string, change: (c: StoredCase) => void | Promise<void>): Promise<StoredCase> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.load(caseId);
      const copy = structuredClone(current);
      await change(copy);
      if (JSON.stringify(copy) === JSON.stringify(current)) return current;
      copy.version = current.version + 1;
      copy.updatedAt = this.deps.now().toISOString();
      try {
        await this.deps.repo.saveCase(copy, current.version);
        // Counted after the save that won: a change retried after a conflict counts once.
        if (copy.stage !== current.stage) this.metrics.dunningStageEntered(copy.stage);
        return copy;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 4) throw error;
      }
    }
  }

  private state(c: DunningCase, extra: Partial<WorkflowState> = {}): WorkflowState {
    const state: WorkflowState = {
      caseId: c.caseId,
      invoiceId: c.invoiceId,
      status: c.status,
      ...(c.next ? { next: { stage: c.next.stage, at: c.next.at } } : {}),
      ...extra,
    };
    // Every wait the workflow may enter next: the next step's instant, a hold's end, a guard's
    // date, an owner contact's 48 hours. Beyond the execution's limit: continue in a new one.
    const now = this.deps.now().getTime();
    const ends = [state.next?.at, state.resumeAt, state.guards?.until].filter((at): at is string => at !== undefined).map((at) => Date.parse(at));
    if (state.guards?.decision === 'await_owner_contact') ends.push(now + OWNER_CONTACT_WAIT_MS);
    const started = Date.parse(c.executionStartedAt ?? c.openedAt);
    if (activeStatuses.includes(c.status) && ends.some((end) => end > started + EXECUTION_LIMIT_MS)) state.continueAsNew = true;
    return state;
  }

  /**
   * ContinueAsNew: the case's workflow goes on in a new execution, named deterministically after
   * the invoice (`<invoiceId>-2`, `-3`, …): run twice, it starts the same one (a second start is a
   * no-op). The new execution's OpenCase finds the case and routes from where it stands.
   */
  async continueAsNew(caseId: string, currentExecutionName: string): Promise<WorkflowState> {
    const c0 = await this.load(caseId);
    const n = Number(/-(\d+)$/.exec(currentExecutionName.slice(c0.invoiceId.length))?.[1] ?? 1);
    const name = `${c0.invoiceId}-${n + 1}`;
    const c = await this.update(caseId, (c) => {
      if (c.executionName !== currentExecutionName) return;
      c.executionName = name;
      c.executionArn = this.deps.workflow.executionArnFor(name);
      c.executionStartedAt = this.deps.now().toISOString();
      this.event(c, { event: 'execution_continued', detail: `The wait ahead ends beyond this execution's year: the case continues in execution ${name}.` });
    });
    if (c.executionName === name) await this.deps.workflow.startExecution(name, { invoiceId: c.invoiceId, caseId: c.caseId });
    return this.state(c);
  }

  /** The next step not taken yet, from the planned ladder. */
  private planNext(c: DunningCase, policy: DunningPolicy): void {
    const done = new Set(c.completed.map((s) => s.stage));
    const step = c.schedule.find((s) => !done.has(s.stage));
    if (step) c.next = { stage: step.stage, date: step.date, at: this.instantOf(step.date, policy), action: actionName(step.stage) };
    else delete c.next;
  }

  private async invoiceOf(c: DunningCase): Promise<Invoice> {
    const invoice = await this.deps.repo.getInvoice(c.invoiceId);
    if (!invoice) throw new NotFoundError(`Invoice ${c.invoiceId} of case ${c.caseId} is gone.`);
    return invoice;
  }

  /** Closes a case whose invoice is paid; disconnected supplies get reconnection orders (R-SE-18). */
  private async closePaid(c: StoredCase, invoice: Invoice): Promise<void> {
    if (c.status === 'paid') return;
    c.openAmount = Math.max(0, invoice.openAmount);
    this.event(c, { event: 'payment_seen', detail: `Invoice ${invoice.invoiceNumber} is paid: the case ends; nothing more is done.`, rule: this.policyById(c.policyId).rules.paid });
    for (const target of c.targets) {
      if (!target.workOrderId || (target.state !== 'ordered' && target.state !== 'done')) continue;
      const order = await this.deps.repo.getWorkOrder(target.workOrderId);
      if (order?.status === 'open') {
        await this.deps.repo.saveWorkOrder({ ...order, status: 'cancelled', cancelledAt: this.deps.now().toISOString(), note: 'Paid before the work was done.', version: order.version + 1 }, order.version);
        this.event(c, { event: 'work_order_cancelled', detail: `${order.type} of ${target.service} at ${target.facilityId} cancelled: paid before it was done.` });
      } else if (order?.status === 'completed') {
        const reconnection = await this.createWorkOrder(c, target, 'reconnection', 'Paid in full after the disconnection: call the customer to book a time; the customer must be home (R-SE-18).', 'R-SE-18');
        this.event(c, { event: 'work_order_created', detail: `Reconnection of ${target.service} at ${target.facilityId} ordered (${reconnection}); appointment needed.`, rule: 'R-SE-18' });
      }
    }
    c.status = 'paid';
    c.closedAt = this.deps.now().toISOString();
    delete c.next;
    delete c.ownerContactToken;
    delete c.ownerContactWait;
  }

  private async createWorkOrder(c: DunningCase, target: DisconnectionTarget, type: WorkOrderType, reason: string, rule: string): Promise<string> {
    const workOrderId = workOrderIdFor(c.caseId, target.facilityId, target.service, type);
    const created = await this.deps.repo.createWorkOrder({
      workOrderId,
      type,
      status: 'open',
      caseId: c.caseId,
      invoiceId: c.invoiceId,
      customerId: c.customerId,
      facilityId: target.facilityId,
      service: target.service,
      appointmentRequired: type === 'reconnection',
      reason,
      rule,
      createdAt: this.deps.now().toISOString(),
      version: 1,
    });
    // The write is conditional on absence: a task delivered again counts nothing twice.
    if (created) this.metrics.workOrderCreated(type);
    return workOrderId;
  }

  // ------------------------------------------------------------------ start: the overdue scan

  /**
   * The daily overdue scan: one execution per open invoice whose due date has passed, named
   * after the invoice (a second start is a no-op). Also closes disconnected cases whose invoice
   * has been paid since, with reconnection orders.
   */
  async scanOverdue(): Promise<{ started: number; alreadyStarted: number; reconnected: number }> {
    const today = this.today();
    let started = 0;
    let alreadyStarted = 0;
    for (const { invoiceId } of await this.deps.repo.overdueInvoices(today)) {
      const result = await this.deps.workflow.startExecution(invoiceId, { invoiceId, caseId: caseIdFor(invoiceId) });
      if (result.alreadyStarted) alreadyStarted++;
      else started++;
    }
    let reconnected = 0;
    let cursor: string | undefined;
    do {
      const page = await this.deps.repo.listCases({ status: 'disconnected', limit: 100, ...(cursor ? { cursor } : {}) });
      for (const c of page.items) {
        const invoice = await this.deps.repo.getInvoice(c.invoiceId);
        if (!invoice || invoice.openAmount > 0) continue;
        await this.update(c.caseId, (fresh) => this.closePaid(fresh, invoice));
        reconnected++;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return { started, alreadyStarted, reconnected };
  }

  // ------------------------------------------------------------------ workflow tasks

  /** OpenCase: the case record and its dated ladder, computed from the policy (idempotent). */
  async openCase(input: { invoiceId: string; caseId?: string; executionName?: string; executionArn?: string }): Promise<WorkflowState> {
    const caseId = input.caseId ?? caseIdFor(input.invoiceId);
    const existing = await this.deps.repo.getCase(caseId);
    if (existing?.status === 'failed' && input.executionName && input.executionName !== existing.executionName) {
      // Ops restarted a failed case under a new execution name: it continues from its stage.
      const restarted = await this.update(caseId, (c) => {
        const failure = c.failure;
        c.status = 'open';
        delete c.failure;
        c.executionName = input.executionName as string;
        c.executionArn = input.executionArn ?? this.deps.workflow.executionArnFor(c.executionName);
        c.executionStartedAt = this.deps.now().toISOString();
        this.event(c, { event: 'case_restarted', detail: `Restarted as execution ${c.executionName} after ${failure?.error ?? 'a failure'}; it continues from ${c.stage}.` });
      });
      return this.state(restarted);
    }
    if (existing) return this.state(existing);
    const invoice = await this.deps.repo.getInvoice(input.invoiceId);
    if (!invoice) throw new NotFoundError(`No invoice ${input.invoiceId}.`);
    const policy = this.policyFor(invoice);
    const now = this.deps.now().toISOString();
    const executionName = input.executionName ?? input.invoiceId;
    const c: StoredCase = {
      caseId,
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.invoiceNumber,
      customerId: invoice.customerId,
      policyId: policy.policyId,
      country: policy.country,
      currency: invoice.currency,
      dueDate: invoice.dueDate,
      openAmountAtStart: invoice.openAmount,
      openAmount: invoice.openAmount,
      status: 'open',
      stage: 'overdue',
      schedule: dunningSchedule(policy, { dueDate: invoice.dueDate, openAmount: invoice.openAmount, currency: invoice.currency }, policy.country),
      completed: [],
      targets: [],
      guardDecisions: [],
      holds: [],
      history: [],
      executionName,
      executionArn: input.executionArn ?? this.deps.workflow.executionArnFor(executionName),
      executionStartedAt: now,
      openedAt: now,
      updatedAt: now,
      version: 1,
    };
    this.event(c, { event: 'case_opened', detail: `Invoice ${invoice.invoiceNumber} (due ${invoice.dueDate}) is unpaid: ${invoice.openAmount} ${invoice.currency} minor units open. Policy ${policy.policyId}.` });
    if (invoice.openAmount <= 0 || invoice.status !== 'open') {
      await this.closePaid(c, invoice);
    } else {
      this.planNext(c, policy);
      for (const step of c.schedule) this.event(c, { event: 'step_planned', stage: step.stage, detail: `${step.stage} on ${step.date}: ${step.basis}.`, rule: step.rule });
    }
    if (!(await this.deps.repo.createCase(c))) return this.state(await this.load(caseId));
    this.metrics.dunningStageEntered(c.stage);
    await this.deps.repo.markInvoiceDunned(invoice.invoiceId, caseId);
    return this.state(c);
  }

  /**
   * ReReadDebt: before every action. Paid → the case ends. An active hold → wait until the
   * day after it (R-FI-11). A partial payment → the ladder is recomputed from the steps taken
   * (R-FI-7 switches 5 weeks to 3 months under 170 EUR); if the next step moved later, wait
   * for it. Otherwise act on the next step now.
   */
  async reReadDebt(caseId: string): Promise<WorkflowState> {
    let outcome: WorkflowState['outcome'] = 'act';
    let resumeAt: string | undefined;
    const c = await this.update(caseId, async (c) => {
      if (!activeStatuses.includes(c.status)) {
        outcome = c.status === 'paid' ? 'paid' : 'done';
        return;
      }
      const invoice = await this.invoiceOf(c);
      const policy = this.policyById(c.policyId);
      const today = this.today(policy);
      if (invoice.openAmount <= 0 || invoice.status !== 'open') {
        await this.closePaid(c, invoice);
        outcome = 'paid';
        return;
      }
      const active = c.holds.filter((h) => h.from <= today && h.until >= today);
      if (active.length > 0) {
        const last = active.reduce((a, b) => (a.until >= b.until ? a : b));
        const resume = nextBankingDay(addDays(last.until, 1), policy.country);
        if (c.status !== 'on_hold') {
          this.event(c, { event: 'on_hold', detail: `On hold (${active.map((h) => `${h.reason} until ${h.until}`).join(', ')}): nothing is done before ${resume}.`, rule: policy.rules.hold });
          c.pausedSince = today;
        }
        c.status = 'on_hold';
        outcome = 'hold';
        resumeAt = this.instantOf(resume, policy);
        return;
      }
      if (c.status === 'on_hold') {
        c.status = 'open';
        // A pause, not a skip: the steps still to come move by the days the case stood still,
        // so the customer gets the same time between letters as without the hold.
        const paused = c.pausedSince ? daysBetween(c.pausedSince, today) : 0;
        delete c.pausedSince;
        if (paused > 0) this.shiftRemaining(c, policy, paused);
        this.event(c, { event: 'hold_ended', detail: `The hold has ended after ${paused} days: the case continues${c.next ? `; next ${c.next.stage} on ${c.next.date}` : ''}.`, rule: policy.rules.hold });
      }
      if (invoice.openAmount !== c.openAmount) {
        const before = c.next?.date;
        c.schedule = recomputeAfterPartialPayment(policy, { dueDate: c.dueDate, openAmount: invoice.openAmount, currency: c.currency }, policy.country, c.completed);
        this.event(c, { event: 'partial_payment', detail: `Open amount ${c.openAmount} → ${invoice.openAmount}: the remaining steps were recomputed.`, rule: policy.rules.paid });
        c.openAmount = invoice.openAmount;
        this.planNext(c, policy);
        if (c.next && c.next.date !== before) this.event(c, { event: 'step_rescheduled', stage: c.next.stage, detail: `${c.next.stage} moves from ${before ?? '-'} to ${c.next.date}.` });
      }
      if (!c.next) {
        outcome = 'done';
        return;
      }
      if (c.next.date > today) outcome = 'rescheduled';
    });
    return this.state(c, { outcome, ...(resumeAt ? { resumeAt } : {}) });
  }

  /** Moves every step not taken yet by `days` (to a banking day), and the dates their letters will state. */
  private shiftRemaining(c: DunningCase, policy: DunningPolicy, days: number): void {
    const done = new Set(c.completed.map((s) => s.stage));
    const moved = (date: string) => nextBankingDay(addDays(date, days), policy.country);
    const disconnection = c.schedule.find((s) => s.stage === 'disconnection' && !done.has('disconnection'));
    const newDisconnection = disconnection ? moved(disconnection.date) : undefined;
    c.schedule = c.schedule.map((step) => {
      if (done.has(step.stage)) return step;
      const next: DunningStep = { ...step, date: moved(step.date), basis: `${step.basis}; moved ${days} days by a hold → ${moved(step.date)}` };
      if (step.statesDisconnectionDate && newDisconnection) next.statesDisconnectionDate = newDisconnection;
      return next;
    });
    this.planNext(c, policy);
  }

  /**
   * SendReminder, HandToCollection, SendDisconnectionNotice, HandToEnforcement: take `stage`
   * (the step the workflow waited for) once. A repeated delivery after it was taken, or a stale
   * one for a step that is no longer next, changes nothing.
   */
  async takeStep(caseId: string, expected: readonly DunningStage[], stage?: DunningStage): Promise<WorkflowState> {
    const c = await this.update(caseId, async (c) => {
      if (!activeStatuses.includes(c.status) || !c.next) return;
      // Without a stage (an execution started on an older definition), the step due now.
      const due = stage ?? c.next.stage;
      if (c.next.stage !== due) return;
      const step = c.schedule.find((s) => s.stage === due);
      if (!step || c.completed.some((s) => s.stage === step.stage)) return;
      // Without a stage a repeated delivery finds the next step already due: not this task's, nothing to do.
      if (!expected.includes(step.stage) && stage === undefined) return;
      if (!expected.includes(step.stage)) throw new RuleViolationError(`Case ${caseId} is at ${step.stage}, not ${expected.join('/')}.`, 'DUNNING-STATE');
      const policy = this.policyById(c.policyId);
      const today = this.today(policy);
      const reminders = c.completed.filter((s) => reminderStages.includes(s.stage)).length;
      if (reminderStages.includes(step.stage) && reminders >= policy.maxReminders) {
        throw new RuleViolationError(`At most ${policy.maxReminders} reminders (R-FI-5).`, 'R-FI-5');
      }
      const invoice = await this.invoiceOf(c);
      c.completed.push({ ...step, takenOn: today });
      c.stage = step.stage;
      const amount = `${invoice.openAmount} ${invoice.currency} minor units`;
      const states = step.statesDisconnectionDate ? ` It states the disconnection date ${step.statesDisconnectionDate}.` : '';
      if (step.statesDisconnectionDate) c.announcedDisconnectionDate = step.statesDisconnectionDate;
      const detail: Record<DunningStage, string> = {
        reminder_1: `Reminder sent for ${amount}.${states}`,
        reminder_2: `Second reminder sent for ${amount}.${states}`,
        collection: `Handed to debt collection for ${amount}.`,
        disconnection_notice: `Disconnection letter sent via the collection agency for ${amount}.${states}`,
        disconnection: `Disconnection stage.`,
        enforcement: `Handed to enforcement (ulosotto) for ${amount}.`,
      };
      this.event(c, { event: `${step.stage}_sent`, stage: step.stage, detail: `${detail[step.stage]} Planned ${step.date}: ${step.basis}.`, rule: step.rule });
      if (step.fee) {
        const fee: DunningFee = {
          feeId: feeIdFor(c.caseId, step.stage),
          customerId: c.customerId,
          caseId: c.caseId,
          invoiceId: c.invoiceId,
          stage: step.stage,
          amount: step.fee.amount,
          currency: step.fee.currency,
          description: `${step.stage === 'reminder_2' ? 'Second reminder' : 'Reminder'} fee, invoice ${invoice.invoiceNumber}`,
          service: this.mainService(invoice) ?? 'water',
          rule: step.rule,
          createdAt: this.deps.now().toISOString(),
        };
        if (await this.deps.repo.createFee(fee)) {
          this.event(c, { event: 'fee_charged', stage: step.stage, detail: `Reminder fee ${step.fee.amount} ${step.fee.currency} minor units goes on the next invoice.`, rule: step.rule });
        }
      }
      const letterKind = stageLetters[step.stage];
      if (letterKind && this.deps.letters) this.addLetter(c, step.stage, letterKind, true);
      if (step.statesDisconnectionDate && !c.history.some((e) => e.event === 'social_services_notified')) {
        await this.notifySocialServices(c, invoice, step.statesDisconnectionDate, step.stage);
      }
      this.planNext(c, policy);
    });
    const requested = stage ?? c.stage;
    const letters = (c.letters ?? []).filter((l) => l.stage === requested && c.completed.some((s) => s.stage === requested));
    // Ordered after the case is saved (the delivery job reads the step as taken); a retried
    // task orders again, which the delivery side takes as the same document.
    for (const letter of letters) await this.deps.letters?.order({ kind: letter.kind, caseId: c.caseId, stage: letter.stage });
    const awaited = letters.filter((l) => l.awaited && !l.handedOverAt);
    return this.state(c, { outcome: c.next ? 'act' : 'done', ...(awaited.length > 0 && activeStatuses.includes(c.status) ? { letter: { stage: requested as DunningStage, documentIds: awaited.map((l) => l.documentId) } } : {}) });
  }

  /** Records a letter of a step on the case (once per stage and kind): its document id is the order's. */
  private addLetter(c: DunningCase, stage: DunningStage, kind: CaseLetter['kind'], awaited: boolean): CaseLetter {
    const found = c.letters?.find((l) => l.stage === stage && l.kind === kind);
    if (found) return found;
    const letter: CaseLetter = { stage, kind, documentId: orderDocumentId({ kind, caseId: c.caseId, stage }), awaited, orderedAt: this.deps.now().toISOString() };
    c.letters = [...(c.letters ?? []), letter];
    this.event(c, { event: 'letter_ordered', stage, detail: `${kind.replace(/_/g, ' ')} ordered for delivery on the customer's channel${kind === 'social_services_notice' ? ' (to social services, on paper)' : ''} (document ${letter.documentId}).` });
    return letter;
  }

  /**
   * CheckLetters: the step's letters must be handed over before the next stage's clock starts.
   * All handed over: the case records it and, when the hand-over's local date is later than the
   * step's, the steps still to come move by those days (the customer keeps the time between
   * letters, as after a hold); the workflow routes to the next step. Still queued: look again
   * after LETTER_CHECK_INTERVAL_MS (`letter.lookAgainAt`). One failed: LetterNotDelivered.
   */
  async checkLetters(caseId: string, stage: DunningStage): Promise<WorkflowState> {
    const current = await this.load(caseId);
    const waiting = (current.letters ?? []).filter((l) => l.stage === stage && l.awaited && !l.handedOverAt);
    if (waiting.length === 0 || !activeStatuses.includes(current.status)) return this.state(current);
    if (!this.deps.letters) throw new Error('this function has no letter delivery');
    const deliveries = await this.deps.letters.deliveries(waiting.map((l) => l.documentId));
    const failed = deliveries.filter((d): d is LetterDelivery => d?.status === 'failed');
    if (failed.length > 0) {
      throw new LetterNotDelivered(failed.map((d) => `${d.kind} ${d.documentId}: ${d.reason ?? 'no channel took it'}`).join('; ').slice(0, 400));
    }
    const lost = waiting.filter((l, i) => !deliveries[i] && Date.parse(l.orderedAt) < this.deps.now().getTime() - LETTER_NEVER_STORED_MS);
    if (lost.length > 0) {
      throw new LetterNotDelivered(`${lost.map((l) => `${l.kind} ${l.documentId}`).join('; ')}: ordered ${lost[0]!.orderedAt} and never stored (see the delivery job's log and dead-letter queue)`);
    }
    if (deliveries.some((d) => d?.status !== 'handed_over')) {
      const lookAgainAt = new Date(this.deps.now().getTime() + LETTER_CHECK_INTERVAL_MS).toISOString();
      return this.state(current, { letter: { stage, documentIds: waiting.map((l) => l.documentId), lookAgainAt } });
    }
    const handed = deliveries as LetterDelivery[];
    const c = await this.update(caseId, (c) => {
      const letters = (c.letters ?? []).filter((l) => l.stage === stage && l.awaited && !l.handedOverAt);
      if (letters.length === 0) return;
      for (const letter of letters) letter.handedOverAt = handed.find((d) => d.documentId === letter.documentId)?.handedOverAt ?? this.deps.now().toISOString();
      const latest = letters.map((l) => l.handedOverAt as string).sort().at(-1) as string;
      const policy = this.policyById(c.policyId);
      const taken = c.completed.find((s) => s.stage === stage);
      const late = taken ? daysBetween(taken.takenOn, localDateOf(new Date(latest), policy.timeZone)) : 0;
      const channels = handed.map((d) => `${d.kind.replace(/_/g, ' ')} by ${(d.channel ?? '').replace(/_/g, ' ')}`).join(', ');
      this.event(c, {
        event: 'letters_handed_over',
        stage,
        detail: `Handed over: ${channels}, at ${latest}${late > 0 && activeStatuses.includes(c.status) ? `, ${late} day(s) after the step: the steps to come move by as much` : ''}.`,
      });
      if (late > 0 && activeStatuses.includes(c.status)) this.shiftRemaining(c, policy, late);
    });
    return this.state(c);
  }

  /** For consumers' electricity and heating, social services are told in writing with the letter that announces the date. */
  private async notifySocialServices(c: DunningCase, invoice: Invoice, date: string, stage: DunningStage): Promise<void> {
    const customer = await this.deps.repo.getCustomer(c.customerId);
    if (customer?.category !== 'consumer') return;
    const debt = debtBreakdown(invoice).byService;
    const concerned = (['electricity_grid', 'district_heating'] as const).filter((s) => debt[s] > 0);
    if (concerned.length === 0) return;
    this.event(c, {
      event: 'social_services_notified',
      detail: `Social services notified of the planned disconnection of ${concerned.join(' and ')} on ${date} (consumer)${this.deps.letters ? ': a written notice, handed over before the next stage' : ''}.`,
      rule: concerned.includes('electricity_grid') ? 'R-SE-18' : 'R-SE-20',
    });
    if (this.deps.letters) this.addLetter(c, stage, 'social_services_notice', true);
  }

  /**
   * CheckGuards: at the disconnection stage, every guard for every facility's service with
   * unpaid debt, each decision recorded with its reason. Returns what the workflow does next:
   * order the work for services cleared (`order`), wait for ops to record an owner contact,
   * wait until a date, or `done` when every service is ordered or refused.
   */
  async checkGuards(caseId: string): Promise<WorkflowState> {
    let guards: WorkflowState['guards'] = { decision: 'done' };
    const c = await this.update(caseId, async (c) => {
      if (!activeStatuses.includes(c.status)) {
        guards = { decision: c.status === 'paid' ? 'paid' : 'done' };
        return;
      }
      const invoice = await this.invoiceOf(c);
      const policy = this.policyById(c.policyId);
      const today = this.today(policy);
      if (invoice.openAmount <= 0 || invoice.status !== 'open') {
        await this.closePaid(c, invoice);
        guards = { decision: 'paid' };
        return;
      }
      const facilities = new Map((await this.deps.repo.facilitiesOf(c.customerId)).map((f) => [f.facilityNumber, f]));
      const byFacility = debtByFacilityService(invoice);
      if (c.targets.length === 0) c.targets = initialTargets(policy, byFacility);
      const lastPaymentFileDate = await this.deps.repo.lastPaymentFileDate();
      for (const target of c.targets) {
        if (target.state === 'ordered' || target.state === 'done' || target.state === 'refused') continue;
        const debt = byFacility[target.facilityId];
        const facility = facilities.get(target.facilityId);
        const base: GuardInput = {
          policy,
          today,
          service: target.service,
          action: 'disconnect',
          propertyType: facility?.propertyType ?? 'owner_occupied',
          debt: debt ?? emptyDebt(),
          holds: c.holds.filter((h) => h.from <= today).map((h) => ({ reason: h.reason, until: h.until })),
          ...(c.announcedDisconnectionDate ? { announcedDisconnectionDate: c.announcedDisconnectionDate } : {}),
          ...(c.ownerContact ? { ownerContact: { outcome: c.ownerContact.outcome, at: c.ownerContact.at } } : {}),
          ...(lastPaymentFileDate ? { lastPaymentFileDate } : {}),
        };
        target.debt = debt ? ownDebt(policy, target.service, debt) : 0;
        let decisions = checkGuards(base);
        let v = verdict(decisions);
        let action: 'disconnect' | 'throttle' = 'disconnect';
        this.recordDecision(c, target, 'disconnect', v, decisions, today);
        if (v.kind === 'throttle_instead') {
          action = 'throttle';
          decisions = checkGuards({ ...base, action });
          v = verdict(decisions);
          this.recordDecision(c, target, 'throttle', v, decisions, today);
        }
        target.action = action;
        if (v.kind === 'proceed') {
          target.state = 'ready';
          delete target.until;
          target.reason = `${action} cleared by every guard on ${today}.`;
        } else if (v.kind === 'refuse') {
          target.state = 'refused';
          delete target.until;
          target.reason = v.reasons.join(' ');
          // R-SE-22: waste is never stopped, but sludge emptying and bin exchange may be refused while it is unpaid.
          const refusable = target.service === 'waste' ? (serviceRule(policy, 'waste')?.refusableActions ?? []) : [];
          for (const restriction of refusable) {
            const restrictionDecisions = checkGuards({ ...base, action: restriction });
            this.recordDecision(c, target, restriction, verdict(restrictionDecisions), restrictionDecisions, today);
          }
          if (refusable.length > 0) {
            target.reason += ` While waste is unpaid, ${refusable.map((r) => (r === 'refuse_sludge_emptying' ? 'sludge emptying' : 'bin exchange')).join(' and ')} may be refused (R-SE-22; the desk decides when the customer asks, with the guards above).`;
          }
        } else if (v.kind === 'wait' && v.until) {
          if (waitsForPaymentFile(decisions)) target.awaitingPaymentFileSince ??= today;
          else delete target.awaitingPaymentFileSince;
          target.state = 'waiting';
          target.until = v.until;
          target.reason = decisions.filter((d) => d.outcome === 'wait').map((d) => d.reason).join(' ');
        } else {
          // Only the winter owner contact waits for an event (R-SE-18, R-SE-20); a postponement names its date.
          const postponed = c.ownerContact?.outcome === 'postpone' && c.ownerContact.until && c.ownerContact.until > today ? c.ownerContact.until : undefined;
          target.state = postponed ? 'waiting' : 'awaiting_owner_contact';
          if (postponed) target.until = postponed;
          else delete target.until;
          target.reason = decisions.filter((d) => d.outcome === 'wait').map((d) => d.reason).join(' ');
        }
      }
      this.markStuck(c, policy, today);
      const ready = c.targets.filter((t) => t.state === 'ready');
      const owner = c.targets.filter((t) => t.state === 'awaiting_owner_contact');
      const waiting = c.targets.filter((t) => t.state === 'waiting');
      if (ready.length > 0) guards = { decision: 'order' };
      else if (owner.length > 0) guards = { decision: 'await_owner_contact' };
      else if (waiting.length > 0) {
        const until = waiting.map((t) => t.until as string).reduce((a, b) => (a < b ? a : b));
        guards = { decision: 'wait', until: this.instantOf(until, policy) };
      } else {
        guards = { decision: 'done' };
        this.finishDisconnectionStage(c, policy, today);
      }
    });
    return this.state(c, { guards });
  }

  /**
   * A case whose disconnection has waited for "no payment file booked since …" (R-FI-10, R-SE-13)
   * for more than `stuckAfterBankingDays` banking days is stuck: listed (`?status=stuck`) and
   * reported (`onStuck`, every check while stuck: the alarm) instead of re-checking silently.
   */
  private markStuck(c: DunningCase, policy: DunningPolicy, today: string): void {
    for (const t of c.targets) if (t.state !== 'waiting') delete t.awaitingPaymentFileSince;
    const since = c.targets.map((t) => t.awaitingPaymentFileSince).filter((d): d is string => d !== undefined).sort()[0];
    const limit = this.deps.stuckAfterBankingDays ?? DEFAULT_STUCK_AFTER_BANKING_DAYS;
    const waited = since ? bankingDaysBetween(since, today, policy.country) : 0;
    if (since && waited > limit) {
      if (!c.stuck) {
        c.stuck = true;
        c.stuckSince = since;
        this.event(c, { event: 'case_stuck', stage: 'disconnection', detail: `No payment file booked for ${waited} banking days (since ${since}; limit ${limit}): the disconnection cannot proceed until the bank file feed is current.`, rule: policy.rules.bookingDelay });
      }
      this.deps.onStuck?.({ caseId: c.caseId, since, bankingDays: waited });
    } else if (c.stuck) {
      delete c.stuck;
      delete c.stuckSince;
      this.event(c, { event: 'case_unstuck', stage: 'disconnection', detail: 'The payment file feed is current again: the case is no longer stuck.', rule: policy.rules.bookingDelay });
    }
  }

  private recordDecision(c: DunningCase, target: DisconnectionTarget, action: DunningAction, v: ReturnType<typeof verdict>, decisions: ReturnType<typeof checkGuards>, today: string): void {
    const last = [...c.guardDecisions].reverse().find((r) => r.facilityId === target.facilityId && r.service === target.service && r.action === action);
    // A re-check that changes nothing but the date to look again (the booking-delay guard every
    // banking day) is counted on the target, once a day, instead of another record and event.
    const summary = (ds: typeof decisions) => JSON.stringify(ds.map((d) => [d.guard, d.outcome, d.reason]));
    if (last && last.verdict === v.kind && summary(last.decisions) === summary(decisions)) {
      if (last.at !== today && target.lastCheckedOn !== today) {
        target.rechecks = (target.rechecks ?? 0) + 1;
        target.lastCheckedOn = today;
      }
      return;
    }
    delete target.rechecks;
    target.lastCheckedOn = today;
    c.guardDecisions.push({
      at: today,
      facilityId: target.facilityId,
      service: target.service,
      action,
      verdict: v.kind,
      ...(v.kind === 'wait' && v.until ? { until: v.until } : {}),
      decisions,
    });
    const reasons = decisions.filter((d) => d.outcome !== 'allow').map((d) => `${d.guard} (${d.rule}): ${d.reason}`);
    this.event(c, {
      event: 'guards_checked',
      stage: 'disconnection',
      detail: `${action} of ${target.service} at ${target.facilityId}: ${v.kind}${reasons.length > 0 ? ` — ${reasons.join(' ')}` : ' (every guard allows)'}.`,
    });
  }

  private finishDisconnectionStage(c: StoredCase, policy: DunningPolicy, today: string): void {
    const step = c.schedule.find((s) => s.stage === 'disconnection');
    if (step && !c.completed.some((s) => s.stage === 'disconnection')) {
      c.completed.push({ ...step, takenOn: today });
      c.stage = 'disconnection';
      const ordered = c.targets.filter((t) => t.state === 'ordered' || t.state === 'done');
      this.event(c, {
        event: 'disconnection_stage_done',
        stage: 'disconnection',
        detail: ordered.length > 0 ? `Work ordered for ${ordered.map((t) => `${t.action} of ${t.service} at ${t.facilityId}`).join(', ')}.` : 'No service may be disconnected: every one was refused by a guard.',
        rule: step.rule,
      });
    }
    delete c.ownerContactToken;
    delete c.ownerContactWait;
    if (c.status === 'awaiting_owner_contact') c.status = 'open';
    this.planNext(c, policy);
  }

  /** OrderDisconnection: a work order for every service the guards cleared (written once each). */
  async orderDisconnection(caseId: string): Promise<WorkflowState> {
    const c = await this.update(caseId, async (c) => {
      if (!activeStatuses.includes(c.status)) return;
      const invoice = await this.invoiceOf(c);
      if (invoice.openAmount <= 0 || invoice.status !== 'open') {
        await this.closePaid(c, invoice);
        return;
      }
      const policy = this.policyById(c.policyId);
      for (const target of c.targets.filter((t) => t.state === 'ready')) {
        const type: WorkOrderType = target.action === 'throttle' ? 'throttling' : 'disconnection';
        const rule = serviceRule(policy, target.service)?.rule ?? policy.rules.announcement;
        target.workOrderId = await this.createWorkOrder(c, target, type, `${target.debt} ${c.currency} minor units unpaid for ${target.service} (invoice ${c.invoiceNumber}); announced for ${c.announcedDisconnectionDate ?? '-'}.`, rule);
        target.state = 'ordered';
        this.event(c, { event: 'work_order_created', stage: 'disconnection', detail: `${type} of ${target.service} at ${target.facilityId} ordered (${target.workOrderId}).`, rule });
      }
    });
    return this.state(c);
  }

  /** AwaitOwnerContact (a task-token callback): the case waits for ops to call the property owner. */
  async awaitOwnerContact(caseId: string, taskToken: string): Promise<void> {
    const c = await this.update(caseId, (c) => {
      if (!activeStatuses.includes(c.status)) return;
      const policy = this.policyById(c.policyId);
      c.ownerContactToken = taskToken;
      // The owner gets a written notice too (not waited for: ops' contact is what the guard needs).
      if (this.deps.letters) this.addLetter(c, 'disconnection', 'owner_notice', false);
      if (c.status !== 'awaiting_owner_contact') {
        c.status = 'awaiting_owner_contact';
        c.ownerContactWait = { since: this.deps.now().toISOString(), escalations: c.ownerContactWait?.escalations ?? 0 };
        const services = c.targets.filter((t) => t.state === 'awaiting_owner_contact').map((t) => `${t.service} at ${t.facilityId}`);
        this.event(c, { event: 'awaiting_owner_contact', stage: 'disconnection', detail: `Winter: ops must contact the property owner before disconnecting ${services.join(', ')} (POST .../owner-contact).`, rule: serviceRule(policy, c.targets.find((t) => t.state === 'awaiting_owner_contact')?.service ?? 'electricity_grid')?.winterRule ?? 'R-SE-18' });
      }
    });
    if (c.letters?.some((l) => l.kind === 'owner_notice')) await this.deps.letters?.order({ kind: 'owner_notice', caseId: c.caseId, stage: 'disconnection' });
  }

  /** EscalateOwnerContact: nobody recorded an owner contact in time. */
  async escalateOwnerContact(caseId: string): Promise<WorkflowState> {
    const c = await this.update(caseId, (c) => {
      if (c.status !== 'awaiting_owner_contact') return;
      const wait = c.ownerContactWait ?? { since: this.deps.now().toISOString(), escalations: 0 };
      c.ownerContactWait = { ...wait, escalations: wait.escalations + 1 };
      delete c.ownerContactToken;
      this.event(c, { event: 'owner_contact_escalated', stage: 'disconnection', detail: `No owner contact recorded since ${wait.since}: escalated to the ops duty officer (escalation ${wait.escalations + 1}).` });
    });
    return this.state(c);
  }

  /** CaseFailed: a task kept failing; the case is marked and stops (an alarm watches failed executions). */
  async markFailed(caseId: string, failure: { error?: string; cause?: string }): Promise<WorkflowState> {
    const existing = await this.deps.repo.getCase(caseId);
    if (!existing) return { caseId, invoiceId: '', status: 'failed' };
    const c = await this.update(caseId, (c) => {
      if (c.status === 'failed') return;
      c.status = 'failed';
      const cause = (failure.cause ?? '').slice(0, 500);
      c.failure = { error: failure.error ?? 'Error', cause, at: this.deps.now().toISOString() };
      delete c.ownerContactToken;
      this.event(c, { event: 'case_failed', detail: `The workflow stopped after repeated failures (${c.failure.error}). Nothing further is done until ops restart it; no guard was skipped.` });
    });
    return this.state(c);
  }

  /** CaseEnded: the ladder is done (closed, or disconnected and waiting for payment). */
  async endCase(caseId: string): Promise<WorkflowState> {
    const c = await this.update(caseId, (c) => {
      if (!activeStatuses.includes(c.status)) return;
      const disconnected = c.targets.some((t) => t.state === 'ordered' || t.state === 'done');
      c.status = disconnected ? 'disconnected' : 'closed';
      if (!disconnected) c.closedAt = this.deps.now().toISOString();
      delete c.next;
      this.event(c, {
        event: 'ladder_done',
        detail: disconnected ? 'The ladder is done; the case stays open until the debt is paid (then reconnection).' : 'The ladder is done; nothing more will be done by this case.',
      });
    });
    return this.state(c);
  }

  /**
   * Called when a bank payment file has been booked whole (R-FI-10, R-SE-13): the ledger holds
   * the money valued up to `valueDate`, the file's latest value date (camt ValDt, BgMax payment
   * date, the same for both), never later than today; today for a file with no payments.
   */
  async paymentFileBooked(valueDate?: string): Promise<void> {
    const today = this.today();
    await this.deps.repo.recordPaymentFileBooked(valueDate && valueDate < today ? valueDate : today);
  }

  // ------------------------------------------------------------------ desk and ops actions

  async getCase(caseId: string): Promise<StoredCase> {
    return this.load(caseId);
  }

  listCases(query: { status?: CaseStatus | 'stuck'; limit: number; cursor?: string }): Promise<Page<StoredCase>> {
    return this.deps.repo.listCases(query);
  }

  /** POST /v1/dunning-cases/{caseId}/holds (R-FI-11, R-SE-15). */
  async addHold(actor: Actor, caseId: string, input: { reason: HoldReason; until: string; from?: string; note?: string }): Promise<StoredCase> {
    const today = this.today();
    const from = input.from ?? today;
    const errors = [];
    if (!isIsoDate(input.until)) errors.push({ path: 'until', message: 'expected a date YYYY-MM-DD' });
    if (input.from !== undefined && !isIsoDate(input.from)) errors.push({ path: 'from', message: 'expected a date YYYY-MM-DD' });
    if (errors.length === 0 && input.until < from) errors.push({ path: 'until', message: `the hold ends (${input.until}) before it starts (${from})` });
    const latest = addMonths(today, MAX_PAUSE_MONTHS);
    if (errors.length === 0 && input.until > latest) {
      errors.push({ path: 'until', message: `a hold ends at most ${MAX_PAUSE_MONTHS} months ahead (${latest}); record a new one then (R-FI-11, R-SE-15)` });
    }
    if (errors.length > 0) throw new ValidationError(errors);
    return this.update(caseId, (c) => {
      if (!activeStatuses.includes(c.status)) throw new ConflictError(`Case ${caseId} is ${c.status}: a hold changes nothing.`);
      const hold: CaseHold = { holdId: this.deps.newId('hold'), reason: input.reason, from, until: input.until, by: actor.subject, at: this.deps.now().toISOString(), ...(input.note ? { note: input.note } : {}) };
      c.holds.push(hold);
      this.event(c, { event: 'hold_added', detail: `Hold for ${input.reason} from ${from} until ${input.until}${input.note ? `: ${input.note}` : ''}.`, rule: this.policyById(c.policyId).rules.hold });
    });
  }

  /**
   * POST /v1/dunning-cases/{caseId}/owner-contact: records the contact and resumes the
   * waiting workflow (its task token). Only a case that waits for one; a second answer is 409.
   */
  async recordOwnerContact(actor: Actor, caseId: string, input: { outcome: OwnerContactOutcome; note: string; until?: string; at?: string }): Promise<StoredCase> {
    const today = this.today();
    const errors = [];
    if (input.outcome === 'postpone' && input.until === undefined) errors.push({ path: 'until', message: 'a postponement needs the date to postpone to' });
    if (input.until !== undefined && !isIsoDate(input.until)) errors.push({ path: 'until', message: 'expected a date YYYY-MM-DD' });
    else if (input.until !== undefined && input.until <= today) errors.push({ path: 'until', message: `must be after today (${today})` });
    else if (input.until !== undefined && input.until > addMonths(today, MAX_PAUSE_MONTHS)) {
      errors.push({ path: 'until', message: `a postponement ends at most ${MAX_PAUSE_MONTHS} months ahead (${addMonths(today, MAX_PAUSE_MONTHS)}); ask the owner again then (R-SE-18, R-SE-20)` });
    }
    if (input.outcome !== 'postpone' && input.until !== undefined) errors.push({ path: 'until', message: 'only a postponement has a date' });
    if (errors.length > 0) throw new ValidationError(errors);
    let token: string | undefined;
    const c = await this.update(caseId, (c) => {
      if (c.status !== 'awaiting_owner_contact' || !c.ownerContactToken) {
        throw new ConflictError(`Case ${caseId} is not waiting for an owner contact (it is ${c.status}).`);
      }
      token = c.ownerContactToken;
      c.ownerContact = { outcome: input.outcome, note: input.note, at: today, by: actor.subject, recordedAt: this.deps.now().toISOString(), ...(input.until ? { until: input.until } : {}) };
      delete c.ownerContactToken;
      delete c.ownerContactWait;
      c.status = 'open';
      const policy = this.policyById(c.policyId);
      this.event(c, {
        event: 'owner_contact_recorded',
        stage: 'disconnection',
        detail: `Property owner contacted: ${input.outcome}${input.until ? ` until ${input.until}` : ''}. ${input.note}`,
        rule: serviceRule(policy, c.targets.find((t) => t.state === 'awaiting_owner_contact')?.service ?? 'electricity_grid')?.winterRule ?? 'R-SE-18',
      });
    });
    if (token) await this.deps.workflow.sendTaskSuccess(token, { caseId: c.caseId, invoiceId: c.invoiceId });
    return c;
  }

  listWorkOrders(query: { type?: WorkOrderType; status?: WorkOrder['status']; limit: number; cursor?: string }): Promise<Page<WorkOrder>> {
    return this.deps.repo.listWorkOrders(query);
  }

  /** POST /v1/work-orders/{workOrderId}/complete: the field crew did the work. */
  async completeWorkOrder(actor: Actor, workOrderId: string, input: { note?: string }): Promise<WorkOrder> {
    const order = await this.deps.repo.getWorkOrder(workOrderId);
    if (!order) throw new NotFoundError(`No work order ${workOrderId}.`);
    if (order.status !== 'open') throw new ConflictError(`Work order ${workOrderId} is ${order.status}.`);
    if (order.type !== 'reconnection') {
      // Never cut a paid debt: a disconnection or throttling is refused once the invoice is paid.
      const invoice = await this.deps.repo.getInvoice(order.invoiceId);
      if (invoice && (invoice.openAmount <= 0 || invoice.status !== 'open')) {
        await this.deps.repo.saveWorkOrder({ ...order, status: 'cancelled', cancelledAt: this.deps.now().toISOString(), note: 'Paid before the work was done.', version: order.version + 1 }, order.version);
        throw new ConflictError(`Invoice ${order.invoiceId} is paid: the ${order.type} is cancelled, not done.`);
      }
    }
    const done: WorkOrder = { ...order, status: 'completed', completedAt: this.deps.now().toISOString(), completedBy: actor.subject, version: order.version + 1, ...(input.note ? { note: input.note } : {}) };
    await this.deps.repo.saveWorkOrder(done, order.version);
    await this.update(order.caseId, (c) => {
      const target = c.targets.find((t) => t.facilityId === order.facilityId && t.service === order.service);
      if (target && order.type !== 'reconnection') target.state = 'done';
      this.event(c, {
        event: order.type === 'reconnection' ? 'reconnected' : order.type === 'throttling' ? 'throttled' : 'disconnected',
        stage: 'disconnection',
        detail: `${order.type} of ${order.service} at ${order.facilityId} done (${workOrderId})${input.note ? `: ${input.note}` : ''}.`,
        rule: order.rule,
      });
      if (order.type === 'reconnection' && c.status === 'paid' && !c.closedAt) c.closedAt = this.deps.now().toISOString();
    });
    return done;
  }
}

const emptyDebt = (): Record<Service, number> => ({ water: 0, sewage: 0, waste: 0, electricity_grid: 0, electricity_retail: 0, district_heating: 0, fiber: 0 });

/** Every facility's service with unpaid debt (of its own, R-SE-21 water with sewage) is a target. */
function initialTargets(policy: DunningPolicy, byFacility: Record<string, Record<Service, number>>): DisconnectionTarget[] {
  const targets: DisconnectionTarget[] = [];
  for (const facilityId of Object.keys(byFacility).sort()) {
    const debt = byFacility[facilityId] as Record<Service, number>;
    for (const service of Object.keys(debt) as Service[]) {
      if ((debt[service] ?? 0) <= 0) continue;
      // A service counted in another's debt (sewage in water's) is dunned through that service.
      const carrier = policy.services.find((r) => r.service !== service && r.debtIncludes?.includes(service));
      if (carrier && ownDebt(policy, carrier.service, debt) > 0 && !targets.some((t) => t.facilityId === facilityId && t.service === carrier.service)) {
        targets.push({ facilityId, service: carrier.service, debt: ownDebt(policy, carrier.service, debt), action: 'disconnect', state: 'pending' });
      }
      if (carrier) continue;
      if (targets.some((t) => t.facilityId === facilityId && t.service === service)) continue;
      targets.push({ facilityId, service, debt: ownDebt(policy, service, debt), action: 'disconnect', state: 'pending' });
    }
  }
  return targets;
}

function actionName(stage: DunningStage): string {
  return {
    reminder_1: 'SendReminder',
    reminder_2: 'SendReminder',
    collection: 'HandToCollection',
    disconnection_notice: 'SendDisconnectionNotice',
    disconnection: 'CheckGuards',
    enforcement: 'HandToEnforcement',
  }[stage];
}

export type { DunningStep };

/** The local calendar date of an instant in a zone. */
function localDateOf(instant: Date, zone: string): string {
  const t = localDateTime(instant, zone);
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}
