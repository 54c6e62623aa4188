// Booking payments (R-SE-13, R-SE-14): each once, whatever is delivered again or crashes half way.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { Invoice } from '../../../lambdas/domain/billing/model.js';
import { afterPayment, bookingEntries, eachAtOnce, type BookingEntry } from '../../../lambdas/domain/billing/payment-booking.js';
import type { BillingRepository, RecordedPayment } from '../../../lambdas/domain/billing/ports.js';
import { profileFor } from '../../../lambdas/domain/billing/profile.js';
import { Billing } from '../../../lambdas/domain/billing/service.js';
import { parsePaymentFile, type BankPayment } from '../../../lambdas/domain/payments/payment-file.js';
import { memoryActiveJobs } from '../../../lambdas/domain/jobs/sweeper.js';
import type { BusinessMetrics } from '../../../lambdas/domain/metrics.js';
import { captureEmf } from '../../emf.js';

/** The repository calls booking makes, with the table's conditions, in memory; `crashOnRecord` fails one write once. */
class MemoryLedger {
  readonly invoices = new Map<string, Invoice>();
  readonly payments = new Map<string, RecordedPayment>();
  readonly credits = new Map<string, number>();
  readonly calls: string[] = [];
  crashOnRecord: string | undefined;

  repo(): BillingRepository {
    const repo: Partial<BillingRepository> = {
      paymentsByIds: async (ids) => {
        this.calls.push('paymentsByIds');
        return new Map(ids.flatMap((id) => (this.payments.has(id) ? [[id, structuredClone(this.payments.get(id)!)] as const] : [])));
      },
      invoicesByReferences: async (references) => {
        this.calls.push('invoicesByReferences');
        return new Map([...this.invoices.values()].filter((i) => references.includes(i.reference)).map((i) => [i.reference, structuredClone(i)]));
      },
      getInvoice: async (invoiceId) => structuredClone(this.invoices.get(invoiceId)),
      applyPayment: async (invoice, payment) => {
        const stored = this.invoices.get(invoice.invoiceId)!;
        if (stored.version !== invoice.version || stored.appliedPayments.some((p) => p.paymentId === payment.paymentId)) return false;
        this.invoices.set(invoice.invoiceId, afterPayment(stored, payment));
        return true;
      },
      addCredit: async (customerId, sourceId, amount) => {
        if (!this.credits.has(`${customerId}|${sourceId}`)) this.credits.set(`${customerId}|${sourceId}`, amount);
      },
      recordPayment: async (payment) => {
        if (this.crashOnRecord === payment.paymentId) {
          this.crashOnRecord = undefined;
          throw new Error('the process died');
        }
        const existing = this.payments.get(payment.paymentId);
        if (existing) return structuredClone(existing);
        this.payments.set(payment.paymentId, structuredClone(payment));
        return undefined;
      },
      updatePayment: async (payment) => void this.payments.set(payment.paymentId, structuredClone(payment)),
    };
    return repo as BillingRepository;
  }
}

function invoice(n: number, total: number): Invoice {
  return {
    invoiceId: `inv_${n}`, invoiceNumber: n, customerId: `cus_${n}`, runId: 'run', runMonth: '2027-01', issueDate: '2027-01-05', dueDate: '2027-01-29',
    currency: 'SEK', lines: [], net: total, vat: 0, total, openAmount: total, status: 'open', reference: `R${n}`, referenceType: 'ocr',
    delivery: { channel: 'paper', address: null }, finalInvoiceFacilities: [], appliedPayments: [], deferrals: [], stateAfter: {},
    createdAt: '2027-01-05T00:00:00Z', version: 1,
  };
}

const payment = (id: string, reference: string | undefined, amount: number): BookingEntry => ({
  kind: 'payment',
  payment: { paymentId: id, amount: { amount, currency: 'SEK' }, ...(reference ? { reference } : {}), bookingDate: '2027-01-20', source: 'bgmax', fileId: 'f' } as BankPayment,
});

function setUp(metrics?: BusinessMetrics) {
  const ledger = new MemoryLedger();
  for (const [n, total] of [[1, 10_000], [2, 20_000], [3, 5_000]] as const) ledger.invoices.set(`inv_${n}`, invoice(n, total));
  const billing = new Billing({
    repo: ledger.repo(), queue: { enqueue: async () => undefined }, now: () => new Date('2027-01-20T08:00:00Z'), profile: profileFor('SE'),
    segments: 1, pageSize: 10, appendLog: async () => undefined, newId: (prefix) => `${prefix}_1`, activeJobs: memoryActiveJobs(), stalledAfterMs: 2_100_000, bookingLanes: 4,
    ...(metrics ? { metrics } : {}),
  });
  // Full, two parts of one invoice, over (credit), and a reference nobody has.
  const entries = [payment('p1', 'R1', 10_000), payment('p2', 'R2', 5_000), payment('p3', 'R2', 6_000), payment('p4', 'R3', 7_000), payment('p5', 'R9', 100)];
  return { ledger, billing, entries };
}

describe('Billing.bookEntries', () => {
  it('counts the payments it recorded (PaymentsBooked) and those that matched no invoice (PaymentsUnmatched) as EMF; a chunk booked again counts nothing', async () => {
    // Prepare
    const emf = captureEmf();
    const { billing, entries } = setUp(emf.port);

    try {
      // Act
      await billing.bookEntries(entries, 'imp_1');
      const first = emf.flush();
      await billing.bookEntries(entries, 'imp_1');
      await billing.bookEntries(entries, 'imp_2');
      const again = emf.flush();

      // Assess: five payments, of which R9's matched nothing; the deliveries after record nothing new
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ service: 'nordic-utility-service', PaymentsBooked: 5, PaymentsUnmatched: 1 });
      expect(first[0]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([
        { Name: 'PaymentsBooked', Unit: 'Count' },
        { Name: 'PaymentsUnmatched', Unit: 'Count' },
      ]);
      expect(again).toHaveLength(1);
    } finally {
      emf.restore();
    }
  });

  it('books full, partial (two payments to one invoice in order), over and unknown; reads payments and invoices in one batch each', async () => {
    // Prepare
    const { ledger, billing, entries } = setUp();

    // Act
    const counts = await billing.bookEntries(entries, 'imp_1');

    // Assess
    expect(counts).toEqual({ payments: 5, matched: 4, unmatched: 1, overpaid: 1, alreadyImported: 0, deductions: 0, otherCurrency: 0 });
    expect(ledger.invoices.get('inv_1')).toMatchObject({ status: 'paid', openAmount: 0 });
    expect(ledger.invoices.get('inv_2')).toMatchObject({ status: 'open', openAmount: 9_000, version: 3 });
    expect(ledger.invoices.get('inv_2')!.appliedPayments.map((p) => p.paymentId)).toEqual(['p2', 'p3']);
    expect([...ledger.credits]).toEqual([['cus_3|pay-p4', 2_000]]);
    expect(ledger.payments.get('p5')).toMatchObject({ status: 'unmatched', importId: 'imp_1' });
    expect(ledger.calls).toEqual(['paymentsByIds', 'invoicesByReferences']);
  });

  it('a chunk booked again by its import counts what it booked as booked; another import counts it as imported before', async () => {
    // Prepare
    const { ledger, billing, entries } = setUp();
    await billing.bookEntries(entries, 'imp_1');
    const invoicesBefore = structuredClone([...ledger.invoices.values()]);

    // Act
    const again = await billing.bookEntries(entries, 'imp_1');
    const other = await billing.bookEntries(entries, 'imp_2');
    const synchronous = await billing.bookEntries(entries);

    // Assess
    expect(again).toEqual({ payments: 5, matched: 4, unmatched: 1, overpaid: 1, alreadyImported: 0, deductions: 0, otherCurrency: 0 });
    expect(other).toEqual({ payments: 5, matched: 0, unmatched: 0, overpaid: 0, alreadyImported: 5, deductions: 0, otherCurrency: 0 });
    expect(synchronous).toEqual(other);
    expect([...ledger.invoices.values()]).toEqual(invoicesBefore);
    expect(ledger.credits.size).toBe(1);
  });

  it('a crash after the invoice took the payment, before the payment was recorded: booking again finishes it, applying once', async () => {
    // Prepare
    const { ledger, billing, entries } = setUp();
    ledger.crashOnRecord = 'p4';

    // Act
    const crashed = await billing.bookEntries(entries, 'imp_1').catch((error: unknown) => error);
    const applied = ledger.invoices.get('inv_3')!.appliedPayments.length;
    const recovered = await billing.bookEntries(entries, 'imp_1');

    // Assess
    expect(crashed).toBeInstanceOf(Error);
    expect(applied).toBe(1);
    expect(recovered).toEqual({ payments: 5, matched: 4, unmatched: 1, overpaid: 1, alreadyImported: 0, deductions: 0, otherCurrency: 0 });
    expect(ledger.invoices.get('inv_3')!.appliedPayments).toEqual([{ paymentId: 'p4', amount: 5_000, bookedAt: '2027-01-20' }]);
    expect(ledger.payments.get('p4')).toMatchObject({ status: 'matched', applied: 5_000, credited: 2_000 });
    expect([...ledger.credits]).toEqual([['cus_3|pay-p4', 2_000]]);
  });

  it('a chunk booked twice at once applies each payment once', async () => {
    // Prepare
    const { ledger, billing, entries } = setUp();

    // Act
    const [first, second] = await Promise.all([billing.bookEntries(entries, 'imp_1'), billing.bookEntries(entries, 'imp_1')]);

    // Assess
    expect(first).toEqual(second);
    expect(first).toMatchObject({ matched: 4, unmatched: 1, alreadyImported: 0 });
    expect(ledger.invoices.get('inv_2')!.appliedPayments).toHaveLength(2);
    expect(ledger.invoices.get('inv_2')!.openAmount).toBe(9_000);
  });

  it('books a BgMax deduction (TK21) against the invoice its reference names: the customer\'s credit is reduced once, the invoice untouched', async () => {
    // Prepare
    const { ledger, billing } = setUp();
    const report = parsePaymentFile(readFileSync(new URL('../../fixtures/payments/bgmax-ok.txt', import.meta.url)));
    const deductions = bookingEntries(report).filter((entry) => entry.kind === 'deduction');
    const named = deductions[0]!.kind === 'deduction' ? deductions[0]!.deduction : undefined;
    ledger.invoices.set('inv_7', { ...invoice(7, 30_000), reference: named!.reference! });

    // Act
    const first = await billing.bookEntries(deductions, 'imp_1');
    const again = await billing.bookEntries(deductions);

    // Assess
    expect(deductions).toHaveLength(1);
    expect(first).toMatchObject({ payments: 0, deductions: 1, alreadyImported: 0 });
    expect(again).toMatchObject({ deductions: 0, alreadyImported: 1 });
    expect([...ledger.payments.values()]).toEqual([
      expect.objectContaining({ deduction: true, status: 'matched', invoiceId: 'inv_7', credited: -named!.amount.amount }),
    ]);
    expect(ledger.credits.get(`cus_7|ded-${named!.deductionId}`)).toBe(-named!.amount.amount);
    expect(ledger.invoices.get('inv_7')).toMatchObject({ openAmount: 30_000, appliedPayments: [] });
  });

  it('leaves a deduction whose reference names no invoice in the unmatched queue, and changes no credit', async () => {
    // Prepare
    const { ledger, billing } = setUp();
    const report = parsePaymentFile(readFileSync(new URL('../../fixtures/payments/bgmax-ok.txt', import.meta.url)));
    const deductions = bookingEntries(report).filter((entry) => entry.kind === 'deduction');

    // Act
    const counts = await billing.bookEntries(deductions);

    // Assess
    expect(counts).toMatchObject({ deductions: 1, matched: 0 });
    expect([...ledger.payments.values()]).toEqual([expect.objectContaining({ deduction: true, status: 'unmatched' })]);
    expect(ledger.credits.size).toBe(0);
  });

  it("accounts for all nine payments of Bankgirot's sample file BgMaxfil4 (SEK and EUR deposits), and its second import books nothing", async () => {
    // Prepare: invoices (SEK) for four of the sample's OCR references; 525766 is also paid
    // 1000.00 EUR in the sample's EUR deposit, which must not touch the SEK invoice.
    const { ledger, billing } = setUp();
    ledger.invoices.clear();
    const open = { '524967': 190_000, '525865': 50_000, '525766': 50_000, '535765': 30_000 };
    Object.entries(open).forEach(([reference, total], n) => ledger.invoices.set(`inv_${n + 10}`, { ...invoice(n + 10, total), reference }));
    const bytes = readFileSync(new URL('../../fixtures/payments/BgMaxfil4.txt', import.meta.url));

    // Act
    const first = await billing.importPayments(bytes);
    const before = structuredClone([...ledger.invoices.values()]);
    const second = await billing.importPayments(bytes);

    // Assess
    expect(first).toEqual({ payments: 9, matched: 4, unmatched: 5, overpaid: 1, alreadyImported: 0, deductions: 0, otherCurrency: 2, latestValueDate: '2004-05-25' });
    expect(second).toEqual({ payments: 9, matched: 0, unmatched: 0, overpaid: 0, alreadyImported: 9, deductions: 0, otherCurrency: 0, latestValueDate: '2004-05-25' });
    expect([...ledger.invoices.values()]).toEqual(before);
    expect([...ledger.invoices.values()].map((i) => [i.reference, i.status, i.openAmount])).toEqual([
      ['524967', 'paid', 0], ['525766', 'paid', 0], ['525865', 'paid', 0], ['535765', 'paid', 0],
    ]);
    const euro = [...ledger.payments.values()].filter((p) => p.amount.currency === 'EUR');
    expect(euro.map((p) => [p.status, p.unmatchedReason, p.amount.amount, p.payerName])).toEqual([
      ['unmatched', 'currency', 300_000, 'Olles färg AB'],
      ['unmatched', 'currency', 100_000, 'Berits Garn'],
    ]);
    expect(ledger.payments.size).toBe(9);
    expect(ledger.credits.get('cus_13|pay-bgmax:9912346:2004-05-25:00058:3:000000000023')).toBe(20_000);
  });
});

describe('eachAtOnce', () => {
  it('runs at most `lanes` at once, and after a failure starts nothing new and throws when the running ones end', async () => {
    // Prepare
    let running = 0;
    let most = 0;
    const started: number[] = [];

    // Act
    const outcome = await eachAtOnce(Array.from({ length: 20 }, (_, i) => i), 3, async (i) => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      if (i === 5) throw new Error('five');
    }).catch((error: Error) => error.message);

    // Assess
    expect(outcome).toBe('five');
    expect(most).toBe(3);
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(20);
  });
});
