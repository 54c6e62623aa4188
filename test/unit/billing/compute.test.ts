/** One customer's invoice draft: proration, preliminary water and settlement, fees, final invoices, deposits, prepayment. */
import { describe, expect, it } from '@jest/globals';
import { draftInvoice, TariffGapError, type InvoiceInput } from '../../../lambdas/domain/billing/compute.js';
import type { MeterReading, TariffVersion } from '../../../lambdas/domain/billing/model.js';
import { finnishProfile, swedishProfile } from '../../../lambdas/domain/billing/profile.js';
import type { Customer, Facility, FacilityService } from '../../../lambdas/domain/customers/model.js';

const customer = { customerId: 'cus_a', category: 'consumer' } as Customer;

const tariff = (service: FacilityService['service'], fields: Partial<TariffVersion> = {}): TariffVersion => ({
  service, effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 0, unitPrice: 0, unit: 'none', connectionFee: 0,
  createdAt: '2026-01-01T00:00:00Z', createdBy: 'admin', ...fields,
});

const tariffs: Record<string, TariffVersion> = {
  water: tariff('water', { fixedPerMonth: 10_000, unitPrice: 2_500, unit: 'm3' }),
  waste: tariff('waste', { fixedPerMonth: 20_000 }),
  fiber: tariff('fiber', { fixedPerMonth: 39_900, connectionFee: 1_900_000 }),
};

function facility(services: FacilityService[], moveOut?: string): Facility {
  return {
    facilityNumber: 'F00000001', customerId: 'cus_a', propertyDesignation: 'Arvika Sågen 1:23',
    deliveryAddress: { street: 'Storgatan', number: '1', postalCode: '67131', city: 'Arvika' }, propertyType: 'owner_occupied',
    services, ...(moveOut ? { moveOut: { date: moveOut, finalInvoicePending: true } } : {}),
    createdAt: '', updatedAt: '', version: 1,
  };
}

function input(fields: Partial<InvoiceInput>): InvoiceInput {
  return {
    customer, facilities: [], runMonth: '2027-01', profile: swedishProfile,
    tariffAt: (service) => tariffs[service], readings: () => [], previousState: {}, creditAvailable: 0, deposits: [], ...fields,
  };
}

const reading = (value: number, readAt: string): MeterReading => ({ facilityId: 'F00000001', meterId: 'VM-1', value, readAt, source: 'staff', recordedAt: readAt });
const water: FacilityService = { service: 'water', startDate: '2026-11-01', expectedAnnualUse: 146, meter: { meterId: 'VM-1', readingMode: 'mechanical' } };

describe('draftInvoice', () => {
  it('bills two months of fixed charge and preliminary water, with VAT per line (R-SE-9)', () => {
    // Act
    const draft = draftInvoice(input({ facilities: [facility([water])] }));
    // Assess
    expect(draft.lines.map((l) => [l.kind, l.net, l.vat])).toEqual([
      ['fixed', 20_000, 5_000],
      ['preliminary_usage', 61_000, 15_250], // 146 m³/year × 61 days / 365 = 24.4 m³ × 25 kr
    ]);
    expect(draft.stateAfter['F00000001|water']).toEqual({ billedThrough: '2026-12-31', preliminaryUnits: 24.4 });
  });

  it('settles the difference at the annual reading: actual use since the last reading minus what was billed on estimate', () => {
    // Prepare: 24.4 m³ billed on estimate since the reading of 100 m³; now the meter shows 130
    const previousState = { 'F00000001|water': { billedThrough: '2026-12-31', lastReading: { value: 100, readAt: '2026-10-31T00:00:00.000Z' }, preliminaryUnits: 24.4 } };
    // Act
    const draft = draftInvoice(input({
      runMonth: '2027-03', facilities: [facility([water])], previousState,
      readings: () => [reading(100, '2026-10-31T00:00:00.000Z'), reading(130, '2027-02-28T00:00:00.000Z')],
    }));
    // Assess
    const settlement = draft.lines.find((l) => l.kind === 'usage_settlement');
    expect(settlement).toMatchObject({ quantity: 5.6, net: 14_000 }); // 30 used − 24.4 billed
    expect(draft.stateAfter['F00000001|water']).toMatchObject({ lastReading: { value: 130 }, preliminaryUnits: 0, billedThrough: '2027-02-28' });
  });

  it('prorates a service that started mid-month, and invoices the connection fee once (R-SE-11)', () => {
    // Prepare
    const fiber: FacilityService = { service: 'fiber', startDate: '2026-12-16' };
    // Act
    const first = draftInvoice(input({ facilities: [facility([fiber])] }));
    const second = draftInvoice(input({ runMonth: '2027-02', facilities: [facility([fiber])], previousState: first.stateAfter }));
    // Assess
    expect(first.lines.find((l) => l.kind === 'fixed')?.net).toBe(20_594); // 39 900 × 16/31
    expect(first.lines.filter((l) => l.kind === 'connection_fee')).toHaveLength(1);
    expect(second.lines.filter((l) => l.kind === 'connection_fee')).toHaveLength(0);
  });

  it('puts a moved-out facility on the next invoice up to the move-out date, whatever its cycle (R-SE-7)', () => {
    // Prepare: waste is bimonthly (due in odd months); the customer moved out on 15 January
    const waste: FacilityService = { service: 'waste', startDate: '2026-11-01', endDate: '2027-01-15' };
    const previousState = { 'F00000001|waste': { billedThrough: '2026-12-31' } };
    // Act
    const draft = draftInvoice(input({ runMonth: '2027-02', facilities: [facility([waste], '2027-01-15')], previousState }));
    // Assess
    expect(draft.finalInvoiceFacilities).toEqual(['F00000001']);
    expect(draft.lines).toEqual([expect.objectContaining({ kind: 'fixed', periodStart: '2027-01-01', periodEnd: '2027-01-15', net: 9_677 })]);
  });

  it('invoices a required deposit once, without VAT (R-SE-6), and uses prepayment (R-SE-14)', () => {
    // Prepare
    const deposit = { depositId: 'dep_1', customerId: 'cus_a', service: 'fiber' as const, amount: { amount: 100_000, currency: 'SEK' as const }, requestedAt: '2026-12-01T00:00:00Z', heldUntil: '2027-06-01', requestedBy: 'x' };
    // Act
    const first = draftInvoice(input({ facilities: [facility([{ service: 'waste', startDate: '2026-11-01' }])], deposits: [deposit], creditAvailable: 7_000 }));
    const second = draftInvoice(input({ runMonth: '2027-03', facilities: [facility([{ service: 'waste', startDate: '2026-11-01' }])], deposits: [deposit], previousState: first.stateAfter }));
    // Assess
    expect(first.lines.find((l) => l.kind === 'deposit')).toMatchObject({ net: 100_000, vat: 0 });
    expect(first.lines.find((l) => l.kind === 'prepayment')).toMatchObject({ gross: -7_000 });
    expect(first.creditUsed).toBe(7_000);
    expect(second.lines.some((l) => l.kind === 'deposit')).toBe(false);
  });

  it('puts each dunning reminder fee on the next invoice once, without VAT (R-FI-5)', () => {
    // Prepare
    const fee = { feeId: 'dun_a_2027-01_reminder_1', amount: 6_000, currency: 'SEK' as const, description: 'Reminder fee, invoice 100001', service: 'waste' as const, rule: 'R-FI-5' };
    const waste = [facility([{ service: 'waste', startDate: '2026-11-01' }])];
    // Act
    const first = draftInvoice(input({ facilities: waste, fees: [fee] }));
    const second = draftInvoice(input({ runMonth: '2027-03', facilities: waste, fees: [fee], previousState: first.stateAfter }));
    // Assess
    expect(first.lines.filter((l) => l.kind === 'reminder_fee')).toEqual([expect.objectContaining({ net: 6_000, vat: 0, gross: 6_000, description: 'Reminder fee, invoice 100001' })]);
    expect(second.lines.some((l) => l.kind === 'reminder_fee')).toBe(false);
  });

  it('keeps a fee for the next regular invoice when a run would bill only the fee; a customer with nothing left to bill gets it alone (R-FI-5)', () => {
    // Prepare: Finnish water billed through the first quarter; a reminder fee pending in May
    const fee = { feeId: 'dun_b_2027-04_reminder_1', amount: 500, currency: 'EUR' as const, description: 'Reminder fee, invoice 100001', service: 'water' as const, rule: 'R-FI-5' };
    const waterFi = (endDate?: string) => [facility([{ service: 'water', startDate: '2027-01-01', ...(endDate ? { endDate } : {}), meter: { meterId: 'VM-1', readingMode: 'remote' } }])];
    const april = draftInvoice(input({ runMonth: '2027-04', profile: finnishProfile, facilities: waterFi() }));
    // Act: June (no quarterly run: nothing else to bill), then July (the second quarter)
    const june = draftInvoice(input({ runMonth: '2027-06', profile: finnishProfile, facilities: waterFi(), fees: [fee], previousState: april.stateAfter }));
    const july = draftInvoice(input({ runMonth: '2027-07', profile: finnishProfile, facilities: waterFi(), fees: [fee], previousState: june.stateAfter }));
    const ended = draftInvoice(input({ runMonth: '2027-06', profile: finnishProfile, facilities: waterFi('2027-03-31'), fees: [fee], previousState: april.stateAfter }));
    // Assess
    expect(june.lines).toEqual([]);
    expect(july.lines.map((l) => l.kind)).toEqual(['fixed', 'reminder_fee']);
    expect(ended.lines.map((l) => [l.kind, l.gross])).toEqual([['reminder_fee', 500]]);
  });

  it('stops on a tariff gap with the service and date', () => {
    expect(() => draftInvoice(input({ facilities: [facility([{ service: 'district_heating', startDate: '2026-11-01' }])] }))).toThrow(TariffGapError);
  });

  it('bills the Finnish quarter in April (R-FI-3) at 25.5 % VAT', () => {
    // Act
    const draft = draftInvoice(input({ runMonth: '2026-04', profile: finnishProfile, facilities: [facility([{ service: 'waste', startDate: '2026-01-01' }])] }));
    // Assess
    expect(draft.lines).toEqual([expect.objectContaining({ periodStart: '2026-01-01', periodEnd: '2026-03-31', net: 60_000, vatRate: 25.5, vat: 15_300 })]);
  });
});
