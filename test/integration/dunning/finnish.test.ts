/**
 * The Finnish ladder (R-FI-5..11) on a stack configured for a Finnish utility, and a restart
 * of `npm start`'s stack in the middle of the cases. Invoices due 2027-03-31:
 * reminder 1 on 04-14 (+14 days) stating the disconnection date: 170.00 EUR or more → +5 weeks
 * (05-19), under → +3 months (07-14) (R-FI-7); reminder 2 fourteen days before it; 5.00 EUR per
 * reminder, at most two (R-FI-5); enforcement after the disconnection date (R-FI-8).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKeys } from '../../../local/dev-auth.js';
import { bookBankFile, caseOf, events, moveClock, seedCase, spawnStack, type Scenario } from './support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'utility-fi-'));
const finnishUtility = { UTILITY_COUNTRY: 'FI', UTILITY_ZONE: 'Europe/Helsinki', UTILITY_LANGUAGE: 'fi' };
let t: Awaited<ReturnType<typeof spawnStack>>;
let agent: string;
let admin: string;
const s = {} as Record<'at170' | 'under170', Scenario>;
const c = {} as Record<string, any>;

// Net amounts whose gross with 25.5 % VAT is exactly 170.00 and 169.99 EUR.
const gross17000 = 13_546;
const gross16999 = 13_545;

beforeAll(async () => {
  t = await spawnStack(dataDir, finnishUtility);
  const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
  agent = await keys.sign({ role: 'agent', subject: 'agent-aino' });
  admin = await keys.sign({ role: 'admin' });
  await moveClock(t, { set: '2027-03-01T08:00:00Z' });
  s.at170 = await seedCase(t, agent, { country: 'FI', nationalId: '131052-308T', currency: 'EUR', lines: [{ service: 'water', net: gross17000, vatRate: 25.5 }], dueDate: '2027-03-31' });
  s.under170 = await seedCase(t, agent, { country: 'FI', nationalId: '010101-123N', currency: 'EUR', lines: [{ service: 'water', net: gross16999, vatRate: 25.5 }], dueDate: '2027-03-31' });
  await moveClock(t, { set: '2027-04-20T09:00:00Z' });
  c.afterReminder1 = (await caseOf(t, agent, s.at170.invoice.invoiceId)).body;
  c.under170AfterReminder1 = (await caseOf(t, agent, s.under170.invoice.invoiceId)).body;

  // Restart mid-case: `npm start` stops and starts again on the same data folder.
  c.exitCode = await t.stop();
  t = await spawnStack(dataDir, finnishUtility);

  for (const date of ['2027-05-21', '2027-05-24', '2027-07-16', '2027-07-19']) {
    await moveClock(t, { set: `${date}T04:00:00Z` }); // 07:00 in Helsinki: the bank file comes before the 08:00 checks
    await bookBankFile(t, admin, date);
  }
  await moveClock(t, { set: '2027-08-01T09:00:00Z' });
  c.at170 = (await caseOf(t, agent, s.at170.invoice.invoiceId)).body;
  c.under170 = (await caseOf(t, agent, s.under170.invoice.invoiceId)).body;
  c.orders = (await t.call('GET', '/v1/work-orders?type=disconnection', { token: admin })).body.items;

  // The next quarter's invoice carries the reminder fees (R-FI-5).
  await t.call('PUT', '/v1/tariffs/water', { token: admin, body: { effectiveFrom: '2026-01-01', currency: 'EUR', fixedPerMonth: 1_000, unitPrice: 0, unit: 'm3' } });
  await moveClock(t, { set: '2027-10-05T09:00:00Z' });
  const run = await t.call('POST', '/v1/billing-runs', { token: admin, body: { runMonth: '2027-10' } });
  for (let i = 0; i < 100 && (await t.call('GET', `/v1/billing-runs/${run.body.runId}`, { token: admin })).body.status !== 'completed'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  c.nextInvoice = (await t.call('GET', `/v1/customers/${s.at170.customerId}/invoices`, { token: agent })).body.items.find((i: { runMonth: string }) => i.runMonth === '2027-10');
}, 180_000);
afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const stages = (x: any) => x.completed.map((step: { stage: string; takenOn: string }) => [step.stage, step.takenOn]);

describe('Finnish ladder (R-FI-5..9)', () => {
  it('reminder 1 after 14 days states the disconnection date: 5 weeks at 170.00 EUR, 3 months at 169.99 (R-FI-6, R-FI-7)', () => {
    expect(s.at170.invoice.total).toBe(17_000);
    expect(s.under170.invoice.total).toBe(16_999);
    expect(c.afterReminder1.completed).toEqual([expect.objectContaining({ stage: 'reminder_1', takenOn: '2027-04-14', statesDisconnectionDate: '2027-05-19' })]);
    expect(c.under170AfterReminder1.completed).toEqual([expect.objectContaining({ stage: 'reminder_1', takenOn: '2027-04-14', statesDisconnectionDate: '2027-07-14' })]);
  });

  it('goes on after a restart: reminder 2 fourteen days before the date, the cut after the ledger is current, then enforcement', () => {
    expect(c.exitCode).toBe(0);
    expect(stages(c.at170)).toEqual([
      ['reminder_1', '2027-04-14'],
      ['reminder_2', '2027-05-05'],
      ['disconnection', '2027-05-21'],
      ['enforcement', '2027-05-21'],
    ]);
    expect(stages(c.under170)).toEqual([
      ['reminder_1', '2027-04-14'],
      ['reminder_2', '2027-06-30'],
      ['disconnection', '2027-07-16'],
      ['enforcement', '2027-07-16'],
    ]);
    expect(c.at170.guardDecisions).toContainEqual(expect.objectContaining({ verdict: 'wait', decisions: expect.arrayContaining([expect.objectContaining({ guard: 'BookingDelayGuard', rule: 'R-FI-10' })]) }));
    expect(c.orders.map((o: { caseId: string }) => o.caseId).sort()).toEqual([c.at170.caseId, c.under170.caseId].sort());
  });

  it('puts both reminder fees on the next invoice, once each (R-FI-5)', () => {
    expect(c.nextInvoice.lines.filter((l: { kind: string }) => l.kind === 'reminder_fee').map((l: { gross: number; vat: number }) => [l.gross, l.vat])).toEqual([
      [500, 0],
      [500, 0],
    ]);
  });

  it('charges 5.00 EUR per reminder, twice at most, and never a third reminder (R-FI-5)', () => {
    for (const x of [c.at170, c.under170]) {
      expect(events(x).filter((e: string) => e === 'fee_charged')).toHaveLength(2);
      expect(events(x).filter((e: string) => e.startsWith('reminder_'))).toHaveLength(2);
      expect(x.history.filter((e: { event: string; detail: string }) => e.event === 'fee_charged').map((e: { detail: string }) => e.detail)).toEqual([
        expect.stringContaining('500 EUR'),
        expect.stringContaining('500 EUR'),
      ]);
    }
  });
});
