// Debt per service: pro rata payment allocation, fees last, own debt (docs/DUNNING.md "Debt per service").
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { InvoiceLine } from '../../../lambdas/domain/billing/model.js';
import { services, type Service } from '../../../lambdas/domain/customers/schemas.js';
import {
  addDebts,
  debtBreakdown,
  debtByFacilityService,
  debtByService,
  ownDebt,
  swedishPolicy,
  type DebtInvoice,
} from '../../../lambdas/domain/dunning/index.js';

function line(service: Service, gross: number, kind: InvoiceLine['kind'] = 'fixed', facilityId = 'F1'): InvoiceLine {
  return { facilityId, service, kind, description: `${service} ${kind}`, net: gross, vatRate: 0, vat: 0, gross };
}

function invoice(lines: InvoiceLine[], payments: number[] = []): DebtInvoice {
  const total = lines.reduce((s, l) => s + l.gross, 0);
  const paid = payments.reduce((s, p) => s + p, 0);
  return {
    lines,
    total,
    openAmount: Math.max(0, total - paid),
    status: total - paid <= 0 ? 'paid' : 'open',
    appliedPayments: payments.map((amount, i) => ({ paymentId: `P${i}`, amount, bookedAt: '2026-06-01T10:00:00Z' })),
  };
}

describe('debtByService', () => {
  it('owes every line in full without payments', () => {
    // Prepare
    const inv = invoice([line('water', 30_000), line('sewage', 20_000), line('waste', 10_000)]);

    // Act
    const debt = debtByService(inv);

    // Assess
    expect(debt).toEqual({ water: 30_000, sewage: 20_000, waste: 10_000, electricity_grid: 0, electricity_retail: 0, district_heating: 0, fiber: 0 });
  });

  it('allocates a partial payment pro rata, exact to the öre', () => {
    // Prepare: 100 of 3 equal services: 33.33.. each, the extra unit to the first in service order
    const inv = invoice([line('water', 100), line('waste', 100), line('fiber', 100)], [100]);

    // Act
    const debt = debtByService(inv);

    // Assess
    expect([debt.water, debt.waste, debt.fiber]).toEqual([66, 67, 67]);
  });

  it('pays the services before the reminder fees, and never counts a fee as service debt', () => {
    // Prepare
    const inv = invoice([line('water', 10_000), line('water', 500, 'reminder_fee')], [10_000]);

    // Act
    const breakdown = debtBreakdown(inv);

    // Assess
    expect(breakdown).toEqual({ byService: expect.objectContaining({ water: 0 }), fees: 500, total: 500 });
  });

  it('treats prepayments and negative settlements as money already paid', () => {
    // Prepare
    const inv = invoice([line('water', 10_000), line('water', -4_000, 'usage_settlement'), line('electricity_grid', 6_000), line('water', -2_000, 'prepayment')]);

    // Act
    const debt = debtByService(inv);

    // Assess: water nets 6000, grid 6000; prepayment 2000 split pro rata
    expect([debt.water, debt.electricity_grid]).toEqual([5_000, 5_000]);
  });

  it('owes nothing on a paid or credited invoice', () => {
    // Prepare
    const paid = invoice([line('water', 10_000)], [10_000]);
    const credited: DebtInvoice = { ...invoice([line('water', 10_000)]), status: 'credited' };

    // Act
    const debts = [debtByService(paid), debtByService(credited)];

    // Assess
    for (const debt of debts) expect(Object.values(debt).every((v) => v === 0)).toBe(true);
  });

  it('trusts the ledger open amount when it shows more paid than the applied payments', () => {
    // Prepare
    const inv: DebtInvoice = { ...invoice([line('water', 10_000), line('fiber', 10_000)]), openAmount: 10_000 };

    // Act
    const debt = debtByService(inv);

    // Assess
    expect([debt.water, debt.fiber]).toEqual([5_000, 5_000]);
  });

  it('keeps facilities apart', () => {
    // Prepare
    const inv = invoice([line('water', 10_000, 'fixed', 'A'), line('water', 30_000, 'fixed', 'B')], [20_000]);

    // Act
    const byFacility = debtByFacilityService(inv);

    // Assess
    expect(byFacility.A?.water).toBe(5_000);
    expect(byFacility.B?.water).toBe(15_000);
    expect(debtByService(inv).water).toBe(20_000);
  });
});

describe('ownDebt', () => {
  it('counts water and sewage together, never waste', () => {
    // Prepare
    const debt = { ...debtByService(invoice([line('sewage', 4_000), line('waste', 9_000)])) };

    // Act
    const water = ownDebt(swedishPolicy, 'water', debt);
    const fiber = ownDebt(swedishPolicy, 'fiber', debt);

    // Assess
    expect(water).toBe(4_000);
    expect(fiber).toBe(0);
    expect(addDebts(debt, debt).waste).toBe(18_000);
  });
});

describe('debt properties', () => {
  const lineArb = fc.record({
    service: fc.constantFrom(...services),
    gross: fc.integer({ min: 1, max: 5_000_000 }),
    kind: fc.constantFrom<InvoiceLine['kind']>('fixed', 'usage', 'reminder_fee', 'connection_fee'),
    facility: fc.constantFrom('A', 'B'),
  });

  it('sums to the open amount, never goes negative, and never exceeds a service charge', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 3_000_000 }), { maxLength: 4 }), (specs, payments) => {
        // Prepare
        const lines = specs.map((s) => line(s.service, s.gross, s.kind, s.facility));
        const inv = invoice(lines, payments);

        // Act
        const breakdown = debtBreakdown(inv);

        // Assess
        expect(breakdown.total).toBe(inv.openAmount);
        for (const s of services) {
          const charged = lines.filter((l) => l.service === s && l.kind !== 'reminder_fee').reduce((a, l) => a + l.gross, 0);
          expect(breakdown.byService[s]).toBeGreaterThanOrEqual(0);
          expect(breakdown.byService[s]).toBeLessThanOrEqual(charged);
        }
      }),
    );
  });
});
