/**
 * R-FI-10 (R-SE-13): a camt.054 payment keeps its booking date and its value date; the ledger
 * and dunning's booking-delay (payment-in-transit) guard use the value date, as they use the
 * BgMax payment date. Booking a file whose money is valued two days before it was booked does
 * not tell the guard that the ledger is current for today.
 */
import { memoryActiveJobs } from '../../../lambdas/domain/jobs/sweeper.js';
import { describe, expect, it } from '@jest/globals';
import type { Invoice } from '../../../lambdas/domain/billing/model.js';
import type { BillingRepository, RecordedPayment } from '../../../lambdas/domain/billing/ports.js';
import { afterPayment } from '../../../lambdas/domain/billing/payment-booking.js';
import { profileFor } from '../../../lambdas/domain/billing/profile.js';
import { normaliseReference } from '../../../lambdas/domain/billing/references.js';
import { Billing } from '../../../lambdas/domain/billing/service.js';
import { builtInPolicies } from '../../../lambdas/domain/dunning/index.js';
import { checkGuards } from '../../../lambdas/domain/dunning/guards.js';
import { Dunning } from '../../../lambdas/domain/dunning/process.js';
import type { Customer, Facility } from '../../../lambdas/domain/customers/model.js';
import { Clock, World } from './memory.js';

const camt = (bookingDate: string, valueDate: string) =>
  Buffer.from(
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn>',
      '<GrpHdr><MsgId>MSG-VAL</MsgId><CreDtTm>2026-11-05T06:00:00</CreDtTm></GrpHdr>',
      '<Ntfctn><Id>N1</Id><Acct><Id><IBAN>FI7944052020036082</IBAN></Id></Acct>',
      `<Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>${bookingDate}</Dt></BookgDt>`,
      `<ValDt><Dt>${valueDate}</Dt></ValDt><AcctSvcrRef>SVC-VAL</AcctSvcrRef>`,
      '<NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">50.00</Amt></TxAmt></AmtDtls>',
      '<RmtInf><Strd><CdtrRefInf><Ref>1232</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>',
      '</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>',
    ].join('\n'),
  );

const invoice: Invoice = {
  invoiceId: 'inv_val', invoiceNumber: 123, customerId: 'cus_val', runId: 'r', runMonth: '2026-09', issueDate: '2026-09-01', dueDate: '2026-09-30',
  currency: 'EUR', lines: [], net: 10_000, vat: 0, total: 10_000, openAmount: 10_000, status: 'open', reference: '1232', referenceType: 'fi_reference',
  delivery: { channel: 'paper', address: null }, finalInvoiceFacilities: [], appliedPayments: [], deferrals: [], stateAfter: {}, createdAt: '', version: 1,
};

function billingOver(invoices: Map<string, Invoice>, clock: Clock) {
  const payments = new Map<string, RecordedPayment>();
  const repo: Partial<BillingRepository> = {
    paymentsByIds: async (ids) => new Map(ids.flatMap((id) => (payments.has(id) ? [[id, payments.get(id)!] as const] : []))),
    invoicesByReferences: async (refs) =>
      new Map([...invoices.values()].filter((i) => refs.includes(normaliseReference(i.reference))).map((i) => [normaliseReference(i.reference), structuredClone(i)])),
    applyPayment: async (i, p) => {
      const stored = invoices.get(i.invoiceId)!;
      if (stored.version !== i.version) return false;
      invoices.set(i.invoiceId, afterPayment(stored, p));
      return true;
    },
    addCredit: async () => undefined,
    recordPayment: async (p) => (payments.has(p.paymentId) ? payments.get(p.paymentId) : void payments.set(p.paymentId, p)),
    updatePayment: async (p) => void payments.set(p.paymentId, p),
  };
  return new Billing({
    repo: repo as BillingRepository, queue: { enqueue: async () => undefined }, now: clock.now, profile: profileFor('FI'),
    segments: 1, pageSize: 10, appendLog: async () => undefined, newId: (prefix) => `${prefix}_1`,
    activeJobs: memoryActiveJobs(), stalledAfterMs: 2_100_000,
  });
}

describe('the value date of a camt.054 payment', () => {
  it('is what the ledger records and what the booking-delay guard sees, not the booking date', async () => {
    // Prepare: Thursday 2026-11-05 in Helsinki; money valued Tuesday, booked by the bank today.
    const clock = new Clock(Date.parse('2026-11-05T08:00:00Z'));
    const invoices = new Map([[invoice.invoiceId, structuredClone(invoice)]]);
    const billing = billingOver(invoices, clock);
    const policy = builtInPolicies.find((p) => p.country === 'FI')!;
    const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: policy.timeZone }).format(clock.now());
    const world = new World(structuredClone(invoice), { customerId: 'cus_val', category: 'consumer' } as Customer, { facilityNumber: 'F1', propertyType: 'owner_occupied', services: [] } as unknown as Facility, today);
    const dunning = new Dunning({
      repo: world,
      workflow: { startExecution: async () => ({ executionArn: 'arn', alreadyStarted: false }), sendTaskSuccess: async () => {}, executionArnFor: (n) => `arn:${n}` },
      policies: builtInPolicies, country: 'FI', now: clock.now, newId: (p) => `${p}_1`,
    });

    // Act: what POST /v1/payment-files does (lambdas/http/billing.ts).
    const report = await billing.importPayments(camt('2026-11-05', '2026-11-03'));
    await dunning.paymentFileBooked(report.latestValueDate);
    const seen = await world.lastPaymentFileDate();
    const decisions = checkGuards({
      policy, today: today(), service: 'water', action: 'disconnect', propertyType: 'owner_occupied',
      debt: { water: 5_000, wastewater: 0, stormwater: 0, waste: 0, fiber: 0, district_heating: 0 } as never, ...(seen ? { lastPaymentFileDate: seen } : {}),
    });

    // Assess
    expect(report).toMatchObject({ matched: 1, latestValueDate: '2026-11-03' });
    expect(invoices.get('inv_val')!.appliedPayments).toEqual([expect.objectContaining({ amount: 5_000, bookedAt: '2026-11-03' })]);
    expect(seen).toBe('2026-11-03');
    expect(decisions.find((d) => d.guard === 'BookingDelayGuard')).toMatchObject({
      outcome: 'wait',
      reason: expect.stringContaining('latest value date booked: 2026-11-03'),
    });
  });
});
