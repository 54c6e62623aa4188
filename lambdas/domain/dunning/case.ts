/**
 * The dunning case: one per overdue invoice, the record ops and the desk read
 * (`GET /v1/dunning-cases/{caseId}`), and the work orders it creates. The workflow
 * (statemachines/dunning.asl.json) drives it through the tasks in `process.ts`; every
 * decision is written here with its reason and rule (R-SE-15..22, R-FI-5..11).
 */
import type { Country } from '../billing/calendar.js';
import type { Currency } from '../billing/money.js';
import type { Service } from '../customers/schemas.js';
import type { GuardDecision } from './guards.js';
import type { DunningAction, DunningStage } from './policy.js';
import type { DunningStep } from './schedule.js';

export const caseStatuses = ['open', 'on_hold', 'awaiting_owner_contact', 'disconnected', 'closed', 'paid', 'failed'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/** Statuses of a case whose workflow still runs. */
export const activeStatuses: readonly CaseStatus[] = ['open', 'on_hold', 'awaiting_owner_contact'];

export const holdReasons = ['payment_difficulty', 'dispute', 'social_services'] as const;
export type HoldReason = (typeof holdReasons)[number];

export const ownerContactOutcomes = ['proceed', 'postpone', 'cancel'] as const;
export type OwnerContactOutcome = (typeof ownerContactOutcomes)[number];

export const workOrderTypes = ['disconnection', 'throttling', 'reconnection'] as const;
export type WorkOrderType = (typeof workOrderTypes)[number];

export interface CaseHold {
  holdId: string;
  reason: HoldReason;
  /** First and last day (inclusive), the utility's local dates. */
  from: string;
  until: string;
  note?: string;
  by: string;
  at: string;
}

export interface RecordedOwnerContact {
  outcome: OwnerContactOutcome;
  note: string;
  /** The local date of the contact. */
  at: string;
  /** postpone: the disconnection waits until this local date. */
  until?: string;
  by: string;
  recordedAt: string;
}

/** One facility's service at the disconnection stage, and where its disconnection stands. */
export interface DisconnectionTarget {
  facilityId: string;
  service: Service;
  /** Unpaid minor units the service is dunned for (its own debt, R-SE-21 water with sewage). */
  debt: number;
  action: DunningAction;
  state: 'pending' | 'ready' | 'waiting' | 'awaiting_owner_contact' | 'ordered' | 'done' | 'refused';
  /** waiting: the date to check again. */
  until?: string;
  reason?: string;
  workOrderId?: string;
  /**
   * The same guard decision checked again (e.g. the booking-delay guard every banking day): counted
   * here instead of another guard record and history event, so a long wait does not grow the case.
   */
  rechecks?: number;
  lastCheckedOn?: string;
  /** Since when (local date) the target waits for a payment file to be booked (R-FI-10, R-SE-13). */
  awaitingPaymentFileSince?: string;
}

export interface GuardRecord {
  at: string;
  facilityId: string;
  service: Service;
  action: DunningAction;
  verdict: 'proceed' | 'throttle_instead' | 'wait' | 'refuse';
  until?: string;
  decisions: GuardDecision[];
}

export interface CaseEvent {
  at: string;
  /** Machine-readable kind, e.g. `reminder_sent`, `payment_seen`, `work_order_created`. */
  event: string;
  detail: string;
  rule?: string;
  stage?: DunningStage;
}

export interface TakenStep extends DunningStep {
  /** The local date the step was actually taken (after holds, a date can be later than planned). */
  takenOn: string;
}

export interface NextAction {
  stage: DunningStage;
  /** Local date and the instant the workflow waits for (that date at the policy's action hour). */
  date: string;
  at: string;
  action: string;
}

export interface CaseLetter {
  stage: DunningStage;
  kind: 'reminder' | 'collection_notice' | 'disconnection_notice' | 'social_services_notice' | 'owner_notice';
  documentId: string;
  awaited: boolean;
  orderedAt: string;
  handedOverAt?: string;
}

export interface DunningCase {
  caseId: string;
  invoiceId: string;
  invoiceNumber: number;
  customerId: string;
  policyId: string;
  country: Country;
  currency: Currency;
  dueDate: string;
  /** Open amount when the case was opened, and as last read. */
  openAmountAtStart: number;
  openAmount: number;
  status: CaseStatus;
  /** The last step taken (`overdue` before the first). */
  stage: DunningStage | 'overdue';
  next?: NextAction;
  /** The whole ladder as planned now (taken steps as they were taken). */
  schedule: DunningStep[];
  completed: TakenStep[];
  announcedDisconnectionDate?: string;
  /**
   * The letters of the steps taken (issue 12; docs/DELIVERY.md): each a document ordered from
   * the delivery queue (`GET /v1/documents/{documentId}`). `awaited`: the step waits for its
   * hand-over before the next stage's clock starts; `handedOverAt` once it was.
   */
  letters?: CaseLetter[];
  targets: DisconnectionTarget[];
  guardDecisions: GuardRecord[];
  holds: CaseHold[];
  ownerContact?: RecordedOwnerContact;
  /** Since when the case waits for ops to record an owner contact, and how often it escalated. */
  ownerContactWait?: { since: string; escalations: number };
  history: CaseEvent[];
  /** While on hold: the local date the case stopped (the steps to come move by the days paused). */
  pausedSince?: string;
  executionName: string;
  executionArn: string;
  /** When the current execution began (older cases: `openedAt`): it continues in a new one before a year. */
  executionStartedAt?: string;
  failure?: { error: string; cause: string; at: string };
  /**
   * Stuck: a disconnection has waited for "no payment file booked since …" for more than the
   * configured banking days (DUNNING_STUCK_AFTER_BANKING_DAYS): ops must look at the bank file feed.
   * `stuckSince` is the local date the wait began.
   */
  stuck?: boolean;
  stuckSince?: string;
  openedAt: string;
  closedAt?: string;
  updatedAt: string;
  version: number;
}

export interface WorkOrder {
  workOrderId: string;
  type: WorkOrderType;
  status: 'open' | 'completed' | 'cancelled';
  caseId: string;
  invoiceId: string;
  customerId: string;
  facilityId: string;
  service: Service;
  /** R-SE-18: the customer must be home at reconnection: call first to book a time. */
  appointmentRequired: boolean;
  reason: string;
  rule: string;
  createdAt: string;
  completedAt?: string;
  completedBy?: string;
  note?: string;
  cancelledAt?: string;
  version: number;
}

/** A reminder fee waiting for the next invoice (R-FI-5): one per case and reminder. */
export interface DunningFee {
  feeId: string;
  customerId: string;
  caseId: string;
  invoiceId: string;
  stage: DunningStage;
  amount: number;
  currency: Currency;
  description: string;
  /** The service of the dunned invoice's largest debt (the fee line needs one; fees are no service's debt). */
  service: Service;
  rule: string;
  createdAt: string;
}

/** What every workflow task returns: the state the ASL routes on (small; the case record holds the rest). */
export interface WorkflowState {
  caseId: string;
  invoiceId: string;
  status: CaseStatus;
  /** ReReadDebt: act on `next` now, or it was paid, or the dates moved (rescheduled), or a hold. */
  outcome?: 'act' | 'paid' | 'rescheduled' | 'hold' | 'done';
  next?: { stage: DunningStage; at: string };
  /** While on hold: when to look again. */
  resumeAt?: string;
  guards?: { decision: 'order' | 'await_owner_contact' | 'wait' | 'done' | 'paid'; until?: string };
  /**
   * The wait ahead would end beyond ~11 months after the execution began (a Standard execution
   * ends after one year): the workflow continues in a new execution for the case (ContinueAsNew).
   */
  continueAsNew?: true;
  /**
   * The step just taken sent letters: the workflow waits for their hand-over (CheckLetters,
   * then WaitForLetters until `lookAgainAt`) before the next stage's clock starts.
   */
  letter?: { stage: DunningStage; documentIds: string[]; lookAgainAt?: string };
}

/** The case as the API shows it: the owner-contact task token never leaves the backend. */
export function presentCase(c: DunningCase): DunningCase {
  const { ownerContactToken: _token, storedHistory: _h, storedGuards: _g, ...shown } = c as DunningCase & { ownerContactToken?: string; storedHistory?: number; storedGuards?: number };
  return shown;
}

/** The structured log line (case id and dates, no PII) a stuck case writes; the CDK metric filter counts it. */
export const stuckLogMessage = 'dunning case stuck';

export const caseIdFor = (invoiceId: string) => `dun_${invoiceId.replace(/^inv_/, '')}`;
export const workOrderIdFor = (caseId: string, facilityId: string, service: Service, type: WorkOrderType) =>
  `wo_${caseId.replace(/^dun_/, '')}_${facilityId}_${service}_${type}`;
export const feeIdFor = (caseId: string, stage: DunningStage) => `${caseId}_${stage}`;
