/**
 * The Norwegian ladder on a stack configured for a Norwegian utility (UTILITY_COUNTRY=NO) with
 * the Norwegian policy file (lambdas/domain/dunning/policies/no-kommune-va-2026.json, passed as
 * DUNNING_POLICY_JSON as CDK passes it). DOMAIN.md has no R-NO-* rules: the ladder follows the
 * Norwegian debt-collection act. Invoice due Friday 2027-04-30:
 * betalingspåminnelse (purring) 2027-05-14 (+14 days, the earliest a reminder fee may be
 * charged, inkassoforskriften kap. 1), inkassovarsel 2027-05-28 (+14 days) with its 14-day
 * deadline (inkassoloven § 9), hand-over to debt collection on the first banking day after
 * that deadline, Monday 2027-06-14 (+15 days is Saturday 06-12). NOK 70.00 per letter, 1/10 of
 * the inkassosats (NOK 700). No cut-off: no Norwegian rule allows one here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKeys } from '../../../local/dev-auth.js';
import { caseOf, events, moveClock, seedCase, spawnStack, type Scenario } from './support.js';

const policyFile = new URL('../../../lambdas/domain/dunning/policies/no-kommune-va-2026.json', import.meta.url);
const dataDir = mkdtempSync(join(tmpdir(), 'utility-no-'));
const norwegianUtility = {
  UTILITY_COUNTRY: 'NO',
  UTILITY_ZONE: 'Europe/Oslo',
  UTILITY_LANGUAGE: 'nb',
  DUNNING_POLICY_JSON: readFileSync(policyFile, 'utf8'),
};
let t: Awaited<ReturnType<typeof spawnStack>>;
let agent: string;
let ops: string;
let s: Scenario;
const c = {} as Record<string, any>;

beforeAll(async () => {
  t = await spawnStack(dataDir, norwegianUtility);
  const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
  agent = await keys.sign({ role: 'agent', subject: 'agent-ingrid' });
  ops = await keys.sign({ role: 'ops', subject: 'ops-ola' });
  await moveClock(t, { set: '2027-04-01T08:00:00Z' });
  s = await seedCase(t, agent, {
    country: 'NO', nationalId: '01018012371', name: 'Kari Nordmann', currency: 'NOK',
    lines: [{ service: 'water', net: 80_000 }, { service: 'sewage', net: 60_000 }], dueDate: '2027-04-30',
  });
  await moveClock(t, { set: '2027-05-20T09:00:00Z' });
  c.afterReminder = (await caseOf(t, agent, s.invoice.invoiceId)).body;
  await moveClock(t, { set: '2027-06-01T09:00:00Z' });
  c.afterNotice = (await caseOf(t, agent, s.invoice.invoiceId)).body;
  await moveClock(t, { set: '2027-07-01T09:00:00Z' });
  c.final = (await caseOf(t, agent, s.invoice.invoiceId)).body;
  c.orders = (await t.call('GET', '/v1/work-orders?limit=100', { token: ops })).body.items;
}, 180_000);
afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const stages = (x: any) => x.completed.map((step: { stage: string; takenOn: string }) => [step.stage, step.takenOn]);

describe('Norwegian ladder (inkassoloven § 9, inkassoforskriften kap. 1)', () => {
  it('opens the case under the Norwegian policy and sends the payment reminder 14 days after the due date', () => {
    expect(c.afterReminder.status).not.toBe('failed');
    expect(c.afterReminder.policyId).toBe('no-kommune-va-2026');
    expect(stages(c.afterReminder)).toEqual([['reminder_1', '2027-05-14']]);
  });

  it('sends the inkassovarsel 14 days later and hands the claim to collection only after its 14-day deadline', () => {
    expect(stages(c.afterNotice)).toEqual([
      ['reminder_1', '2027-05-14'],
      ['reminder_2', '2027-05-28'],
    ]);
    expect(stages(c.final)).toEqual([
      ['reminder_1', '2027-05-14'],
      ['reminder_2', '2027-05-28'],
      ['collection', '2027-06-14'],
    ]);
    expect(c.final.history.filter((e: { event: string }) => e.event === 'reminder_2_sent')).toEqual([
      expect.objectContaining({ rule: 'inkassoloven § 9' }),
    ]);
    expect(c.final.status).not.toBe('failed');
  });

  it('charges NOK 70.00 per letter, twice (1/10 of the inkassosats), and orders no cut-off', () => {
    expect(events(c.final).filter((e: string) => e === 'fee_charged')).toHaveLength(2);
    expect(c.final.history.filter((e: { event: string }) => e.event === 'fee_charged').map((e: { detail: string }) => e.detail)).toEqual([
      expect.stringContaining('7000 NOK'),
      expect.stringContaining('7000 NOK'),
    ]);
    expect(c.orders.filter((o: { caseId: string }) => o.caseId === c.final.caseId)).toEqual([]);
  });
});
