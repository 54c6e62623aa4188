// Guards: may the workflow act on a service today? (R-SE-15..22, R-FI-9..11; docs/DUNNING.md)
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { addDays } from '../../../lambdas/domain/billing/calendar.js';
import { services, type Service } from '../../../lambdas/domain/customers/schemas.js';
import { ValidationError } from '../../../lambdas/domain/errors.js';
import {
  checkGuards,
  dunningActions,
  finnishPolicy,
  mayDisconnect,
  parseDunningPolicy,
  propertyTypes,
  swedishPolicy,
  verdict,
  type GuardDecision,
  type GuardInput,
} from '../../../lambdas/domain/dunning/index.js';
import { seTeknikIVastPolicy } from '../../../lambdas/domain/dunning/policies/se-teknik-i-vast.js';

const noDebt = (): Record<Service, number> => Object.fromEntries(services.map((s) => [s, 0])) as Record<Service, number>;
const owing = (debts: Partial<Record<Service, number>>) => ({ ...noDebt(), ...debts });

/** A Swedish fiber disconnection that every guard allows: summer, announced, ledger current. */
function input(overrides: Partial<GuardInput> = {}): GuardInput {
  return {
    policy: swedishPolicy,
    today: '2026-06-10',
    service: 'fiber',
    action: 'disconnect',
    propertyType: 'owner_occupied',
    debt: owing({ fiber: 50_000 }),
    announcedDisconnectionDate: '2026-06-08',
    lastPaymentFileDate: '2026-06-10',
    ...overrides,
  };
}

const decision = (decisions: GuardDecision[], guard: string) => decisions.find((d) => d.guard === guard) as GuardDecision;

describe('checkGuards', () => {
  it('allows a disconnection when every guard allows', () => {
    // Prepare
    const request = input();

    // Act
    const decisions = checkGuards(request);

    // Assess
    expect(decisions.map((d) => d.outcome)).toEqual(Array(decisions.length).fill('allow'));
    expect(decisions.map((d) => d.guard)).toEqual([
      'PaidGuard',
      'OwnDebtGuard',
      'WasteNeverStoppedGuard',
      'ServiceRuleGuard',
      'RentalWaterGuard',
      'WinterOwnerContactGuard',
      'HoldGuard',
      'AnnouncedDateGuard',
      'BookingDelayGuard',
    ]);
    expect(mayDisconnect(decisions)).toBe(true);
    expect(verdict(decisions)).toEqual({ kind: 'proceed' });
  });

  it('PaidGuard refuses when nothing is unpaid', () => {
    // Prepare
    const request = input({ debt: noDebt() });

    // Act
    const paid = decision(checkGuards(request), 'PaidGuard');

    // Assess
    expect(paid).toMatchObject({ outcome: 'refuse', rule: 'R-SE-16' });
  });

  it('OwnDebtGuard: unpaid waste never shuts off water', () => {
    // Prepare
    const wasteOnly = input({ service: 'water', debt: owing({ waste: 90_000 }) });
    const sewage = input({ service: 'water', debt: owing({ sewage: 1_000 }) });

    // Act
    const refused = decision(checkGuards(wasteOnly), 'OwnDebtGuard');
    const allowed = decision(checkGuards(sewage), 'OwnDebtGuard');

    // Assess
    expect(refused).toMatchObject({ outcome: 'refuse', rule: 'R-SE-21' });
    expect(refused.reason).toContain('unpaid: waste');
    expect(allowed.outcome).toBe('allow');
  });

  it('WasteNeverStoppedGuard refuses stopping waste, allows refusing sludge emptying and bin exchange', () => {
    // Prepare
    const base = { service: 'waste' as const, debt: owing({ waste: 5_000 }) };

    // Act
    const stop = decision(checkGuards(input({ ...base, action: 'disconnect' })), 'WasteNeverStoppedGuard');
    const sludge = checkGuards(input({ ...base, action: 'refuse_sludge_emptying' }));
    const bins = checkGuards(input({ ...base, action: 'refuse_bin_exchange' }));
    const sludgeOnWater = decision(checkGuards(input({ action: 'refuse_sludge_emptying', service: 'water', debt: owing({ water: 1 }) })), 'WasteNeverStoppedGuard');

    // Assess
    expect(stop).toMatchObject({ outcome: 'refuse', rule: 'R-SE-22' });
    expect(verdict(sludge)).toEqual({ kind: 'proceed' });
    expect(verdict(bins)).toEqual({ kind: 'proceed' });
    expect(sludgeOnWater.outcome).toBe('refuse');
  });

  it('WasteNeverStoppedGuard holds even for a policy that would allow it', () => {
    // Prepare
    const raw = JSON.parse(JSON.stringify(seTeknikIVastPolicy)) as { services: { service: string; disconnection: string }[] };
    raw.services.find((s) => s.service === 'waste')!.disconnection = 'allowed';
    const policy = parseDunningPolicy(raw);

    // Act
    const decisions = checkGuards(input({ policy, service: 'waste', debt: owing({ waste: 5_000 }) }));

    // Assess
    expect(decision(decisions, 'ServiceRuleGuard').outcome).toBe('allow');
    expect(decision(decisions, 'WasteNeverStoppedGuard').outcome).toBe('refuse');
    expect(mayDisconnect(decisions)).toBe(false);
  });

  it('ServiceRuleGuard refuses services the policy never disconnects or does not cover', () => {
    // Prepare
    const retail = input({ service: 'electricity_retail', debt: owing({ electricity_retail: 1_000 }) });
    const finnishFiber = input({ policy: finnishPolicy, service: 'fiber' });
    const throttleFiber = input({ action: 'throttle' });

    // Act
    const results = [retail, finnishFiber, throttleFiber].map((r) => decision(checkGuards(r), 'ServiceRuleGuard').outcome);

    // Assess
    expect(results).toEqual(['refuse', 'refuse', 'refuse']);
  });

  it('RentalWaterGuard refuses cutting water at a rental property, allows it elsewhere', () => {
    // Prepare
    const base = { service: 'water' as const, debt: owing({ water: 20_000 }) };

    // Act
    const rental = checkGuards(input({ ...base, propertyType: 'rental' }));
    const rentalThrottle = checkGuards(input({ ...base, propertyType: 'rental', action: 'throttle' }));
    const house = checkGuards(input({ ...base, propertyType: 'owner_occupied' }));
    const houseThrottle = checkGuards(input({ ...base, propertyType: 'owner_occupied', action: 'throttle' }));

    // Assess
    expect(decision(rental, 'RentalWaterGuard')).toMatchObject({ outcome: 'refuse', rule: 'R-SE-21' });
    expect(decision(rentalThrottle, 'RentalWaterGuard').outcome).toBe('refuse');
    expect(mayDisconnect(house)).toBe(true);
    expect(verdict(houseThrottle)).toEqual({ kind: 'proceed' });
  });

  it('RentalWaterGuard says throttle_instead when the policy allows throttling there', () => {
    // Prepare
    const raw = JSON.parse(JSON.stringify(seTeknikIVastPolicy)) as { services: { service: string; throttle?: { atProtectedProperty: boolean } }[] };
    raw.services.find((s) => s.service === 'water')!.throttle!.atProtectedProperty = true;
    const policy = parseDunningPolicy(raw);
    const base = { policy, service: 'water' as const, propertyType: 'rental' as const, debt: owing({ water: 20_000 }) };

    // Act
    const cut = checkGuards(input(base));
    const throttle = checkGuards(input({ ...base, action: 'throttle' }));

    // Assess
    expect(decision(cut, 'RentalWaterGuard').outcome).toBe('throttle_instead');
    expect(mayDisconnect(cut)).toBe(false);
    expect(verdict(cut)).toEqual({ kind: 'throttle_instead' });
    expect(verdict(throttle)).toEqual({ kind: 'proceed' });
  });

  it('WinterOwnerContactGuard waits in winter for grid and heating until the owner says proceed', () => {
    // Prepare
    const winter = { today: '2027-01-20', announcedDisconnectionDate: '2027-01-18', lastPaymentFileDate: '2027-01-20' };
    const grid = { ...winter, service: 'electricity_grid' as const, debt: owing({ electricity_grid: 30_000 }) };
    const heating = { ...winter, service: 'district_heating' as const, debt: owing({ district_heating: 30_000 }) };

    // Act
    const noContact = decision(checkGuards(input(grid)), 'WinterOwnerContactGuard');
    const heatingNoContact = decision(checkGuards(input(heating)), 'WinterOwnerContactGuard');
    const lastWinter = decision(checkGuards(input({ ...grid, ownerContact: { outcome: 'proceed', at: '2026-02-01' } })), 'WinterOwnerContactGuard');
    const postponed = decision(checkGuards(input({ ...grid, ownerContact: { outcome: 'postpone', at: '2027-01-19' } })), 'WinterOwnerContactGuard');
    const cancelled = decision(checkGuards(input({ ...grid, ownerContact: { outcome: 'cancel', at: '2027-01-19' } })), 'WinterOwnerContactGuard');
    const proceed = checkGuards(input({ ...grid, ownerContact: { outcome: 'proceed', at: '2027-01-19' } }));
    const summer = decision(checkGuards(input({ service: 'electricity_grid', debt: owing({ electricity_grid: 1 }) })), 'WinterOwnerContactGuard');
    const fiberInWinter = decision(checkGuards(input({ ...winter })), 'WinterOwnerContactGuard');

    // Assess
    expect(noContact).toMatchObject({ outcome: 'wait', rule: 'R-SE-18' });
    expect(noContact.until).toBeUndefined();
    expect(heatingNoContact).toMatchObject({ outcome: 'wait', rule: 'R-SE-20' });
    expect(lastWinter.outcome).toBe('wait');
    expect(postponed.outcome).toBe('wait');
    expect(cancelled.outcome).toBe('refuse');
    expect(mayDisconnect(proceed)).toBe(true);
    expect(summer.outcome).toBe('allow');
    expect(fiberInWinter.outcome).toBe('allow');
  });

  it('HoldGuard waits until the banking day after the hold ends', () => {
    // Prepare: hold ends Friday 2026-06-19 (midsommarafton), so Monday 2026-06-22
    const held = input({ holds: [{ reason: 'payment_difficulty', until: '2026-06-12' }, { reason: 'social_services', until: '2026-06-19' }] });
    const ended = input({ holds: [{ reason: 'dispute', until: '2026-06-09' }] });

    // Act
    const waiting = decision(checkGuards(held), 'HoldGuard');
    const over = decision(checkGuards(ended), 'HoldGuard');

    // Assess
    expect(waiting).toMatchObject({ outcome: 'wait', rule: 'R-SE-15', until: '2026-06-22' });
    expect(over.outcome).toBe('allow');
    expect(decision(checkGuards({ ...held, policy: finnishPolicy, service: 'water', debt: owing({ water: 1 }) }), 'HoldGuard').rule).toBe('R-FI-11');
  });

  it('AnnouncedDateGuard: never before the announced day, never without one (R-FI-9)', () => {
    // Prepare
    const early = input({ today: '2026-06-05' });
    const never = input({ announcedDisconnectionDate: undefined });

    // Act
    const waiting = decision(checkGuards(early), 'AnnouncedDateGuard');
    const refused = decision(checkGuards(never), 'AnnouncedDateGuard');

    // Assess
    expect(waiting).toMatchObject({ outcome: 'wait', until: '2026-06-08' });
    expect(refused.outcome).toBe('refuse');
  });

  it('BookingDelayGuard waits until payments made on the announced day are booked (R-FI-10)', () => {
    // Prepare: Finnish announced day Monday 2026-08-31, 2 banking days → 2026-09-02
    const fi = { policy: finnishPolicy, service: 'water' as const, debt: owing({ water: 20_000 }), announcedDisconnectionDate: '2026-08-31' };

    // Act
    const onTheDay = decision(checkGuards(input({ ...fi, today: '2026-08-31', lastPaymentFileDate: '2026-08-31' })), 'BookingDelayGuard');
    const noFile = decision(checkGuards(input({ ...fi, today: '2026-09-02', lastPaymentFileDate: '2026-09-01' })), 'BookingDelayGuard');
    const current = checkGuards(input({ ...fi, today: '2026-09-02', lastPaymentFileDate: '2026-09-02' }));

    // Assess
    expect(onTheDay).toMatchObject({ outcome: 'wait', rule: 'R-FI-10', until: '2026-09-02' });
    expect(noFile).toMatchObject({ outcome: 'wait', until: '2026-09-03' });
    expect(mayDisconnect(current)).toBe(true);
  });

  it('refuses malformed dates', () => {
    // Prepare
    const bad = input({ today: '2026-13-01' });

    // Act
    const act = () => checkGuards(bad);

    // Assess
    expect(act).toThrow(ValidationError);
  });
});

describe('verdict', () => {
  it('refuse beats wait, and a wait without a date needs an event', () => {
    // Prepare
    const refuseAndWait = checkGuards(input({ today: '2026-06-05', debt: noDebt() }));
    const winter = checkGuards(input({ service: 'district_heating', debt: owing({ district_heating: 1 }), today: '2027-01-20', announcedDisconnectionDate: '2027-01-25' }));

    // Act
    const [a, b] = [verdict(refuseAndWait), verdict(winter)];

    // Assess
    expect(a.kind).toBe('refuse');
    expect(b).toEqual({ kind: 'wait' });
    expect(verdict([])).toMatchObject({ kind: 'refuse' });
    expect(mayDisconnect([])).toBe(false);
  });
});

describe('guard properties', () => {
  const dateArb = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const debtArb = fc.record(Object.fromEntries(services.map((s) => [s, fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 }))])) as Record<Service, fc.Arbitrary<number>>);
  const inputArb = fc.record({
    policy: fc.constantFrom(swedishPolicy, finnishPolicy),
    today: dateArb,
    service: fc.constantFrom(...services),
    action: fc.constantFrom(...dunningActions),
    propertyType: fc.constantFrom(...propertyTypes),
    debt: debtArb,
    announcedDisconnectionDate: fc.option(dateArb, { nil: undefined }),
    holds: fc.array(fc.record({ reason: fc.constantFrom('payment_difficulty' as const, 'dispute' as const, 'social_services' as const), until: dateArb }), { maxLength: 2 }),
    ownerContact: fc.option(fc.record({ outcome: fc.constantFrom('proceed' as const, 'postpone' as const, 'cancel' as const), at: dateArb }), { nil: undefined }),
    lastPaymentFileDate: fc.option(dateArb, { nil: undefined }),
  }).chain((r) =>
    // Half the runs: announced a week ago and the ledger current today, so that allowed cases occur.
    fc.boolean().map((plausible) => (plausible ? { ...r, announcedDisconnectionDate: addDays(r.today, -7), lastPaymentFileDate: r.today } : r)),
  );

  it('allows a disconnection only if no guard refuses or waits, and never for waste', () => {
    let allowedRuns = 0;
    fc.assert(
      fc.property(inputArb, (request) => {
        // Act
        const decisions = checkGuards(request);
        const allowed = mayDisconnect(decisions);
        if (allowed && request.action === 'disconnect') allowedRuns++;

        // Assess
        if (allowed) {
          expect(decisions.some((d) => d.outcome !== 'allow')).toBe(false);
          expect(verdict(decisions)).toEqual({ kind: 'proceed' });
          if (request.action === 'disconnect' || request.action === 'throttle') {
            expect(request.service).not.toBe('waste');
            const rule = request.policy.services.find((s) => s.service === request.service);
            expect(rule?.disconnection).toBe('allowed');
            if (request.action === 'disconnect') expect(rule?.protectedPropertyTypes?.includes(request.propertyType) ?? false).toBe(false);
            if (request.policy === swedishPolicy) expect(request.propertyType === 'rental' && request.service === 'water').toBe(false);
            expect(request.announcedDisconnectionDate! <= request.today).toBe(true);
            expect(request.holds.every((h) => h.until < request.today)).toBe(true);
          }
        }
        if (request.service === 'waste' && request.action === 'disconnect') expect(allowed).toBe(false);
      }),
      { numRuns: 3000 },
    );
    expect(allowedRuns).toBeGreaterThan(0); // the property is not vacuous
  });

  it('never allows any action on a paid debt', () => {
    fc.assert(
      fc.property(inputArb, (request) => {
        // Prepare
        const paid = { ...request, debt: noDebt() };

        // Act
        const decisions = checkGuards(paid);

        // Assess
        expect(mayDisconnect(decisions)).toBe(false);
        expect(verdict(decisions).kind).toBe('refuse');
      }),
      { numRuns: 1000 },
    );
  });

  it('never acts for another service’s debt', () => {
    fc.assert(
      fc.property(inputArb, (request) => {
        // Prepare: only the other services owe
        const own = new Set<Service>([request.service, ...(request.policy.services.find((s) => s.service === request.service)?.debtIncludes ?? [])]);
        const debt = Object.fromEntries(services.map((s) => [s, own.has(s) ? 0 : request.debt[s]])) as Record<Service, number>;

        // Act
        const decisions = checkGuards({ ...request, debt });

        // Assess
        expect(mayDisconnect(decisions)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
