/**
 * Business metrics (issue 14): what the domain did, counted where it happens. A port: the
 * domain says "an outage was created for 312 recipients", an adapter decides where that goes
 * (CloudWatch through Powertools' EMF in AWS, nothing in the embedded stack).
 *
 * Only counts and closed sets of labels (a stage, a work-order type) ever cross this port:
 * never a phone number, a national id, a name or any other value a person could be found by.
 */
import type { DunningStage } from './dunning/policy.js';
import type { WorkOrderType } from './dunning/case.js';

export interface BusinessMetrics {
  /** An outage's first message has its recipients (OutagesCreated 1, OutageRecipients n). */
  outageCreated(recipients: number): void;
  /** Alert messages handed to the provider or refused by it, per channel (SmsSent, SmsFailed, VoiceCallsSent, VoiceCallsFailed). */
  alertsSent(channel: 'sms' | 'voice', outcome: { sent: number; failed: number }): void;
  /** Invoices a billing run wrote for the first time (InvoicesIssued). */
  invoicesIssued(count: number): void;
  /** Payments recorded for the first time, and those of them that matched no invoice (PaymentsBooked, PaymentsUnmatched). */
  paymentsBooked(counts: { booked: number; unmatched: number }): void;
  /** A dunning case entered a stage ('overdue' when it opens) (DunningStageEntered, dimension stage). */
  dunningStageEntered(stage: DunningStage | 'overdue'): void;
  /** A work order was written for the first time (WorkOrdersCreated, dimension type). */
  workOrderCreated(type: WorkOrderType): void;
}

/** Counts nothing: the default of every use-case, and the embedded stack's. */
export const noBusinessMetrics: BusinessMetrics = {
  outageCreated() {},
  alertsSent() {},
  invoicesIssued() {},
  paymentsBooked() {},
  dunningStageEntered() {},
  workOrderCreated() {},
};

/** The metric names, for the dashboard and the docs (lib/constructs/operations.ts, docs/DEPLOY.md). */
export const businessMetricNames = {
  outagesCreated: 'OutagesCreated',
  outageRecipients: 'OutageRecipients',
  smsSent: 'SmsSent',
  smsFailed: 'SmsFailed',
  voiceCallsSent: 'VoiceCallsSent',
  voiceCallsFailed: 'VoiceCallsFailed',
  invoicesIssued: 'InvoicesIssued',
  paymentsBooked: 'PaymentsBooked',
  paymentsUnmatched: 'PaymentsUnmatched',
  dunningStageEntered: 'DunningStageEntered',
  workOrdersCreated: 'WorkOrdersCreated',
} as const;
