/**
 * Billing and payments end to end on the embedded stack: tariffs, a billing run, invoices,
 * a BgMax file paying in full, in part and over, unmatched payments, readings, deferrals.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { isValidSwedishOcr } from '../../lambdas/domain/billing/references.js';
import { buildBgMaxFile } from '../../lambdas/domain/payments/bgmax.js';
import { buildBilling } from '../../lambdas/adapters/billing-wiring.js';
import { startTestStack, swedishPerson, waterFacility, type TestStack } from './support.js';

let t: TestStack;
/** The billing use-cases on the test stack's table (its environment is set when the stack starts). */
const billingOf = (_stack: TestStack) => buildBilling();
let admin: string;
let agent: string;
const ids = {} as Record<string, string>;

const tariffs = {
  water: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 10_000, unitPrice: 2_500, unit: 'm3', connectionFee: 0 },
  waste: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 20_000, unitPrice: 0, unit: 'none', connectionFee: 0 },
  electricity_grid: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 15_000, unitPrice: 45.5, unit: 'kWh', connectionFee: 0 },
};

const payFile = (payments: { reference: string; amountOre: number; payerName?: string }[], date = '2027-01-20') =>
  buildBgMaxFile(payments, { bankgiro: '5050-1055', date });

async function invoicesOf(customerId: string | undefined) {
  return (await t.call('GET', `/v1/customers/${customerId}/invoices`, { token: agent })).body.items;
}

async function runAndWait(runMonth: string) {
  const started = await t.call('POST', '/v1/billing-runs', { token: admin, body: { runMonth } });
  await t.stack.billingQueue.idle();
  return { started, run: (await t.call('GET', `/v1/billing-runs/${started.body.runId}`, { token: admin })).body };
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.token({ role: 'admin' });
  agent = await t.token({ role: 'agent', subject: 'agent-karin' });
  await t.call('POST', '/_local/clock', { body: { set: '2026-10-01T08:00:00Z' } });
  for (const [service, tariff] of Object.entries(tariffs)) await t.call('PUT', `/v1/tariffs/${service}`, { token: admin, body: tariff });
  ids.anna = (await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ email: 'anna@example.se', deliveryChannel: 'email' }) })).body.customerId;
  ids.bertil = (await t.call('POST', '/v1/customers', {
    token: agent, body: swedishPerson({ name: 'Bertil Berg', nationalId: '811218-9876', billingRegion: 'Eda' }),
  })).body.customerId;
  ids.annaFacility = (await t.call('POST', `/v1/customers/${ids.anna}/facilities`, {
    token: agent,
    body: waterFacility({
      services: [
        { service: 'water', startDate: '2026-11-01', expectedAnnualUse: 150, meter: { meterId: 'VM-1', readingMode: 'mechanical' } },
        { service: 'waste', startDate: '2026-11-01' },
      ],
    }),
  })).body.facilityId;
  ids.bertilFacility = (await t.call('POST', `/v1/customers/${ids.bertil}/facilities`, {
    token: agent,
    body: waterFacility({
      propertyDesignation: 'Eda Charlottenberg 2:5',
      services: [
        { service: 'electricity_grid', startDate: '2026-11-01', meter: { meterId: 'EM-9', readingMode: 'remote' } },
        { service: 'waste', startDate: '2026-11-16' },
      ],
    }),
  })).body.facilityId;
  // A customer whose service has no price: the run reports it and goes on (tariff gap).
  ids.cecilia = (await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ name: 'Cecilia Ceder', nationalId: '19870422-2382' }) })).body.customerId;
  await t.call('POST', `/v1/customers/${ids.cecilia}/facilities`, {
    token: agent, body: waterFacility({ propertyDesignation: 'Arvika Verket 1:1', services: [{ service: 'district_heating', startDate: '2026-11-01' }] }),
  });
  await t.call('POST', '/_local/clock', { body: { set: '2027-01-05T08:00:00Z' } });
});
afterAll(async () => t.stop());

describe('tariffs (R-SE-10)', () => {
  it('refuses a grid price within 15 days unless customers were told, and lists whom to tell', async () => {
    // Act
    const late = await t.call('PUT', '/v1/tariffs/electricity_grid', { token: admin, body: { ...tariffs.electricity_grid, effectiveFrom: '2027-01-15' } });
    const told = await t.call('PUT', '/v1/tariffs/electricity_grid', {
      token: admin, body: { ...tariffs.electricity_grid, effectiveFrom: '2027-07-01', unitPrice: 48 },
    });
    // Assess
    expect(late.status).toBe(422);
    expect(late.body.rule).toBe('R-SE-10');
    expect(told.status).toBe(200);
    // The notice list is a background job (it reads every customer): done when the queue is.
    expect(told.body.notice).toMatchObject({ jobId: 'job_notice_electricity_grid_2027-07-01', href: '/v1/jobs/job_notice_electricity_grid_2027-07-01' });
    await t.stack.billingQueue.idle();
    const job = await t.call('GET', told.body.notice.href, { token: admin });
    expect(job.body).toMatchObject({ kind: 'price-notice', status: 'completed', result: { customersToNotify: 1 } });
    expect(await billingOf(t).noticeList(told.body.notice.jobId)).toEqual([ids.bertil]);
    // The same version again finds the same list; an agent may not read it.
    const again = await t.call('PUT', '/v1/tariffs/electricity_grid', { token: admin, body: { ...tariffs.electricity_grid, effectiveFrom: '2027-07-01', unitPrice: 47 } });
    expect(again.body.notice).toMatchObject({ jobId: told.body.notice.jobId, status: 'completed' });
    expect((await t.call('GET', told.body.notice.href, { token: agent })).status).toBe(403);
  });
});

describe('a billing run', () => {
  it("starts each region's run on its day off the local clock (R-SE-12: Eda on the 1st, Arvika on the 4th)", async () => {
    // Act: the clock moved to 5 January in beforeAll; both regions' schedules have fired
    await t.stack.billingQueue.idle();
    const eda = (await t.call('GET', '/v1/billing-runs/run_2027-01_eda', { token: admin })).body;
    const arvika = (await t.call('GET', '/v1/billing-runs/run_2027-01_arvika', { token: admin })).body;
    // Assess
    expect(eda).toMatchObject({ status: 'completed', region: 'Eda', invoicesWritten: 1, errors: 0 });
    expect(arvika).toMatchObject({ status: 'completed', region: 'Arvika', invoicesWritten: 1, errors: 1 });
    expect(arvika.errorSamples).toEqual([{ customerId: ids.cecilia, reason: 'No tariff for district_heating on 2026-12-31.' }]);
  });

  it('one clock move over months runs every month\'s schedule on its own day, and the invoices are due after they are issued', async () => {
    // Act: beforeAll moved the clock from 1 October to 5 January in one request
    const runs = await Promise.all(
      ['2026-11_eda', '2026-11_arvika', '2026-12_eda', '2026-12_arvika'].map(async (id) => (await t.call('GET', `/v1/billing-runs/run_${id}`, { token: admin })).body),
    );
    // Assess: each started on its region's day (Eda the 1st, Arvika the 4th), at 05:00 Swedish time (the local clock runs on from there)
    expect(runs.map((run) => [run.runId, run.status, run.startedAt.slice(0, 16)])).toEqual([
      ['run_2026-11_eda', 'completed', '2026-11-01T04:00'],
      ['run_2026-11_arvika', 'completed', '2026-11-04T04:00'],
      ['run_2026-12_eda', 'completed', '2026-12-01T04:00'],
      ['run_2026-12_arvika', 'completed', '2026-12-04T04:00'],
    ]);
    const invoices = [...(await invoicesOf(ids.anna)), ...(await invoicesOf(ids.bertil))];
    expect(invoices.length).toBeGreaterThanOrEqual(2);
    for (const invoice of invoices) expect(invoice.dueDate > invoice.issueDate).toBe(true);
  });

  it('writes one invoice per customer with a line per service, a valid OCR and the last weekday as due date', async () => {
    // Act
    const [anna] = await invoicesOf(ids.anna);
    const [bertil] = await invoicesOf(ids.bertil);
    // Assess
    expect(anna.lines.map((l: { service: string; kind: string }) => `${l.service}:${l.kind}`).sort()).toEqual([
      'waste:fixed', 'water:fixed', 'water:preliminary_usage',
    ]);
    expect(anna.lines.find((l: { service: string }) => l.service === 'waste')).toMatchObject({ net: 40_000, vatRate: 25, vat: 10_000, gross: 50_000 });
    expect(isValidSwedishOcr(anna.reference)).toBe(true);
    expect(anna.dueDate).toBe('2027-01-29'); // 31 January 2027 is a Sunday
    expect(anna.delivery).toMatchObject({ channel: 'email', email: 'anna@example.se' });
    // Waste from 16 November: half of November prorated
    expect(bertil.lines.find((l: { service: string }) => l.service === 'waste').net).toBe(10_000 + 20_000);
    expect(anna.total).toBe(anna.lines.reduce((sum: number, l: { gross: number }) => sum + l.gross, 0));
  });

  it('running it again writes nothing new', async () => {
    // Act
    const { started, run } = await runAndWait('2027-01');
    // Assess
    expect(started.status).toBe(202);
    expect(run).toMatchObject({ runId: 'run_2027-01_all', status: 'completed', customersDone: 3, invoicesWritten: 0 });
    expect(await invoicesOf(ids.anna)).toHaveLength(1);
    expect(await invoicesOf(ids.bertil)).toHaveLength(1);
  });

  it('serves the invoice as a PDF', async () => {
    const [anna] = await invoicesOf(ids.anna);
    const response = await fetch(`${t.stack.url}/v1/invoices/${anna.invoiceId}/document`, { headers: { authorization: `Bearer ${agent}` } });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('payments (R-SE-13, R-SE-14)', () => {
  it('books a BgMax file once: full, part and unknown reference', async () => {
    // Prepare
    const [anna] = await invoicesOf(ids.anna);
    const [bertil] = await invoicesOf(ids.bertil);
    const file = payFile([
      { reference: anna.reference, amountOre: anna.total, payerName: 'Anna Andersson' },
      { reference: bertil.reference, amountOre: 10_000, payerName: 'Bertil Berg' },
      { reference: '99999999999', amountOre: 5_000, payerName: 'Åsa Okänd' },
    ]);
    // Act
    const first = await t.call('POST', '/v1/payment-files', { token: admin, raw: file as unknown as string, headers: { 'content-type': 'text/plain' } });
    const again = await t.call('POST', '/v1/payment-files', { token: admin, raw: file as unknown as string, headers: { 'content-type': 'text/plain' } });
    const annaAfter = (await t.call('GET', `/v1/invoices/${anna.invoiceId}`, { token: agent })).body;
    const bertilAfter = (await t.call('GET', `/v1/invoices/${bertil.invoiceId}`, { token: agent })).body;
    const unmatched = await t.call('GET', '/v1/payments/unmatched', { token: agent });
    // Assess
    expect(first.body).toMatchObject({ payments: 3, matched: 2, unmatched: 1, overpaid: 0 });
    expect(again.body).toMatchObject({ payments: 3, alreadyImported: 3, matched: 0 });
    expect(annaAfter).toMatchObject({ status: 'paid', openAmount: 0 });
    expect(bertilAfter).toMatchObject({ status: 'open', openAmount: bertil.total - 10_000 });
    expect(unmatched.body.items).toEqual([expect.objectContaining({ payerName: 'Åsa Okänd', amount: { amount: 5_000, currency: 'SEK' } })]);
  });

  it('an overpayment becomes a credit that the next invoice uses', async () => {
    // Prepare
    const [bertil] = await invoicesOf(ids.bertil);
    const file = payFile([{ reference: bertil.reference, amountOre: bertil.openAmount + 7_000 }], '2027-01-25');
    // Act
    const booked = await t.call('POST', '/v1/payment-files', { token: admin, raw: file as unknown as string, headers: { 'content-type': 'text/plain' } });
    await t.call('POST', '/_local/clock', { body: { set: '2027-03-05T08:00:00Z' } });
    await runAndWait('2027-03');
    const [march] = await invoicesOf(ids.bertil);
    // Assess
    expect(booked.body.overpaid).toBe(1);
    expect(march.runMonth).toBe('2027-03');
    expect(march.lines.find((l: { kind: string }) => l.kind === 'prepayment')).toMatchObject({ gross: -7_000 });
  });

  it('an agent allocates an unmatched payment to an invoice', async () => {
    // Prepare
    const [payment] = (await t.call('GET', '/v1/payments/unmatched', { token: agent })).body.items;
    const [march] = await invoicesOf(ids.bertil);
    // Act
    const allocated = await t.call('POST', `/v1/payments/${payment.paymentId}/allocate`, { token: agent, body: { invoiceId: march.invoiceId } });
    const twice = await t.call('POST', `/v1/payments/${payment.paymentId}/allocate`, { token: agent, body: { invoiceId: march.invoiceId } });
    const after = (await t.call('GET', `/v1/invoices/${march.invoiceId}`, { token: agent })).body;
    // Assess
    expect(allocated.body).toMatchObject({ status: 'allocated', applied: 5_000 });
    expect(twice.status).toBe(409);
    expect(after.openAmount).toBe(march.openAmount - 5_000);
    expect((await t.call('GET', '/v1/payments/unmatched', { token: agent })).body.items).toEqual([]);
  });

  it('a broken file books nothing and names the line', async () => {
    // Prepare
    const [march] = await invoicesOf(ids.bertil);
    const whole = payFile([{ reference: march.reference, amountOre: 1_000 }], '2027-03-10').toString('latin1');
    const truncated = Buffer.from(whole.split('\r\n').slice(0, -2).join('\r\n'), 'latin1');
    // Act
    const response = await t.call('POST', '/v1/payment-files', { token: admin, raw: truncated as unknown as string, headers: { 'content-type': 'text/plain' } });
    const after = (await t.call('GET', `/v1/invoices/${march.invoiceId}`, { token: agent })).body;
    // Assess
    expect(response.status).toBe(422);
    expect(response.body.detail).toMatch(/nothing was booked/);
    expect(after.openAmount).toBe(march.openAmount);
  });

  it("books Bankgirot's sample file BgMaxfil4 (SEK and EUR deposits): all nine payments accounted for, the EUR ones for an agent; the second import books nothing", async () => {
    // Prepare
    const sample = readFileSync(new URL('../fixtures/payments/BgMaxfil4.txt', import.meta.url));
    const unmatchedBefore = (await t.call('GET', '/v1/payments/unmatched', { token: agent })).body.items.length;
    // Act
    const first = await t.call('POST', '/v1/payment-files', { token: admin, raw: sample as unknown as string, headers: { 'content-type': 'text/plain' } });
    const again = await t.call('POST', '/v1/payment-files', { token: admin, raw: sample as unknown as string, headers: { 'content-type': 'text/plain' } });
    const unmatched = (await t.call('GET', '/v1/payments/unmatched', { token: agent })).body.items;
    // Assess: none of the sample's references is an invoice of ours, so all nine wait for an agent.
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ payments: 9, matched: 0, unmatched: 9, otherCurrency: 2, alreadyImported: 0 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ payments: 9, matched: 0, unmatched: 0, otherCurrency: 0, alreadyImported: 9 });
    expect(unmatched).toHaveLength(unmatchedBefore + 9);
    expect(unmatched.filter((p: { amount: { currency: string } }) => p.amount.currency === 'EUR')).toEqual([
      expect.objectContaining({ amount: { amount: 300_000, currency: 'EUR' }, unmatchedReason: 'currency', payerName: 'Olles färg AB' }),
      expect.objectContaining({ amount: { amount: 100_000, currency: 'EUR' }, unmatchedReason: 'currency', payerName: 'Berits Garn' }),
    ]);
  });
});

describe('meter readings (R-FI-4, R-SE-9)', () => {
  it('a customer reports a mechanical meter, not a remote one; lower or absurd values are refused', async () => {
    // Prepare
    const anna = await t.token({ role: 'customer', customerId: ids.anna });
    const bertil = await t.token({ role: 'customer', customerId: ids.bertil });
    // Act
    const ok = await t.call('POST', '/v1/meter-readings', { token: anna, body: { facilityId: ids.annaFacility, meterId: 'VM-1', value: 120, readAt: '2027-03-01T10:00:00Z' } });
    const lower = await t.call('POST', '/v1/meter-readings', { token: anna, body: { facilityId: ids.annaFacility, meterId: 'VM-1', value: 100, readAt: '2027-03-02T10:00:00Z' } });
    const absurd = await t.call('POST', '/v1/meter-readings', { token: anna, body: { facilityId: ids.annaFacility, meterId: 'VM-1', value: 99_999, readAt: '2027-03-03T10:00:00Z' } });
    const remote = await t.call('POST', '/v1/meter-readings', { token: bertil, body: { facilityId: ids.bertilFacility, meterId: 'EM-9', value: 5, readAt: '2027-03-01T10:00:00Z' } });
    const notHers = await t.call('POST', '/v1/meter-readings', { token: anna, body: { facilityId: ids.bertilFacility, meterId: 'EM-9', value: 5, readAt: '2027-03-01T10:00:00Z' } });
    // Assess
    expect(ok.status).toBe(201);
    expect(lower.status).toBe(422);
    expect(lower.body.errors[0].path).toBe('value');
    expect(absurd.status).toBe(422);
    expect(remote.status).toBe(422);
    expect(remote.body.rule).toBe('R-FI-4');
    expect(notHers.status).toBe(404);
  });
});

describe('deferral (R-SE-15)', () => {
  it('an agent defers once; a second deferral within 12 months needs an admin; both are in the customer log', async () => {
    // Prepare
    const [march] = await invoicesOf(ids.bertil);
    // Act
    const first = await t.call('POST', `/v1/invoices/${march.invoiceId}/deferrals`, { token: agent, body: { until: '2027-04-30', reason: 'Sjukdom i familjen' } });
    const second = await t.call('POST', `/v1/invoices/${march.invoiceId}/deferrals`, { token: agent, body: { until: '2027-05-31', reason: 'Fortfarande sjuk' } });
    const byAdmin = await t.call('POST', `/v1/invoices/${march.invoiceId}/deferrals`, { token: admin, body: { until: '2027-05-31', reason: 'Fortfarande sjuk' } });
    const log = await t.call('GET', `/v1/customers/${ids.bertil}/notes`, { token: agent });
    // Assess
    expect(first.body.dueDate).toBe('2027-04-30');
    expect(second.status).toBe(403);
    expect(byAdmin.body.dueDate).toBe('2027-05-31');
    expect(log.body.items.filter((e: { text?: string }) => e.text?.includes('deferred'))).toHaveLength(2);
  });
});

describe('refunds (R-SE-14)', () => {
  it('pays credit back on request: Eda to the customer’s bank account (R-SE-14)', async () => {
    // Prepare: pay the March invoice with 30 kr too much
    const [march] = await invoicesOf(ids.bertil);
    const file = payFile([{ reference: march.reference, amountOre: march.openAmount + 3_000 }], '2027-03-20');
    await t.call('POST', '/v1/payment-files', { token: admin, raw: file as unknown as string, headers: { 'content-type': 'text/plain' } });
    // Act
    const noAccount = await t.call('POST', `/v1/customers/${ids.bertil}/refunds`, { token: agent, body: {} });
    const refund = await t.call('POST', `/v1/customers/${ids.bertil}/refunds`, { token: agent, body: { bankAccount: '8327-9 123 456 789-0' } });
    const again = await t.call('POST', `/v1/customers/${ids.bertil}/refunds`, { token: agent, body: { bankAccount: '8327-9 123 456 789-0' } });
    // Assess
    expect(noAccount.status).toBe(422);
    expect(noAccount.body.errors[0].path).toBe('bankAccount');
    expect(refund.body).toMatchObject({ amount: 3_000, method: 'bank_account', status: 'ordered' });
    expect(again.status).toBe(422);
    expect(again.body.rule).toBe('R-SE-14');
  });
});
