// Money in minor units: VAT per line rounded half away from zero, proration, sums and formatting.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { services } from '../../../lambdas/domain/customers/schemas.js';
import { formatMoney, lineAmounts, money, prorate, sumMoney, vatRate, vatTable } from '../../../lambdas/domain/billing/money.js';

const amount = fc.integer({ min: -(10 ** 12), max: 10 ** 12 });

describe('vatRate', () => {
  it('is 25 % on every service in Sweden and Norway, 25.5 % in Finland', () => {
    for (const service of services) {
      expect(vatRate('SE', service, 'consumer')).toBe(25);
      expect(vatRate('SE', service, 'business')).toBe(25);
      expect(vatRate('FI', service, 'consumer')).toBe(25.5);
      expect(vatRate('NO', service, 'business')).toBe(25);
    }
  });

  it('follows the delivery date across the Finnish change on 1 September 2024', () => {
    expect(vatRate('FI', 'water', 'consumer', '2024-08-31')).toBe(24);
    expect(vatRate('FI', 'water', 'consumer', '2024-09-01')).toBe(25.5);
    expect(vatRate('SE', 'water', 'consumer', '2026-06-30')).toBe(25);
    expect(() => vatRate('FI', 'water', 'consumer', '2012-12-31')).toThrow(RangeError);
  });

  it('keeps the table ordered by date', () => {
    for (const rows of Object.values(vatTable)) {
      const dates = rows.map((r) => r.validFrom);
      expect(dates).toEqual([...dates].sort());
    }
  });
});

describe('lineAmounts', () => {
  it('rounds half an öre away from zero', () => {
    // Prepare: 2 öre at 25 % is 0.5 öre exactly
    expect(lineAmounts(2, 25)).toEqual({ net: 2, vat: 1, gross: 3 });
    expect(lineAmounts(-2, 25)).toEqual({ net: -2, vat: -1, gross: -3 });
    expect(lineAmounts(6, 25)).toEqual({ net: 6, vat: 2, gross: 8 }); // 1.5 -> 2
    expect(lineAmounts(1, 25)).toEqual({ net: 1, vat: 0, gross: 1 }); // 0.25 -> 0
    expect(lineAmounts(3, 25)).toEqual({ net: 3, vat: 1, gross: 4 }); // 0.75 -> 1
  });

  it('computes 25.5 % exactly, without floating-point drift', () => {
    // 200 * 0.255 = 51 exactly; 100 -> 25.5 -> 26; 1 -> 0.255 -> 0; 2 -> 0.51 -> 1
    expect(lineAmounts(200, 25.5).vat).toBe(51);
    expect(lineAmounts(100, 25.5).vat).toBe(26);
    expect(lineAmounts(-100, 25.5).vat).toBe(-26);
    expect(lineAmounts(1, 25.5).vat).toBe(0);
    expect(lineAmounts(2, 25.5).vat).toBe(1);
    expect(lineAmounts(123456, 25.5)).toEqual({ net: 123456, vat: 31481, gross: 154937 }); // 31481.28
    expect(lineAmounts(5, 10).vat).toBe(1); // 0.5 where 5 * 0.1 in floats is 0.5000000000000001
  });

  it('handles amounts up to the safe integer range', () => {
    expect(lineAmounts(4_000_000_000_000_000, 25)).toEqual({ net: 4e15, vat: 1e15, gross: 5e15 });
    expect(() => lineAmounts(Number.MAX_SAFE_INTEGER, 25)).toThrow(RangeError); // gross overflows
  });

  it('refuses non-integer, unsafe amounts and odd rates', () => {
    expect(() => lineAmounts(1.5, 25)).toThrow(RangeError);
    expect(() => lineAmounts(Number.NaN, 25)).toThrow(RangeError);
    expect(() => lineAmounts(2 ** 53, 25)).toThrow(RangeError);
    expect(() => lineAmounts(100, 25.555)).toThrow(RangeError);
    expect(() => lineAmounts(100, -1)).toThrow(RangeError);
    expect(lineAmounts(100, 0)).toEqual({ net: 100, vat: 0, gross: 100 });
  });

  it('always has net + vat = gross, and VAT within half a unit of the exact value', () => {
    fc.assert(
      fc.property(amount, fc.constantFrom(0, 6, 10, 12, 14, 15, 24, 25, 25.5), (net, rate) => {
        const line = lineAmounts(net, rate);
        expect(line.net + line.vat).toBe(line.gross);
        expect(Math.abs(line.vat - (net * rate) / 100)).toBeLessThanOrEqual(0.5 + 1e-6);
        expect(lineAmounts(-net, rate).vat).toBe(-line.vat || 0); // symmetric
      }),
    );
  });
});

describe('prorate', () => {
  it('rounds half away from zero', () => {
    expect(prorate(100, 1, 8)).toBe(13); // 12.5
    expect(prorate(-100, 1, 8)).toBe(-13);
    expect(prorate(10000, 10, 31)).toBe(3226); // 3225.806
    expect(prorate(10000, 31, 31)).toBe(10000);
    expect(prorate(10000, 0, 31)).toBe(0);
  });

  it('refuses days outside the period and non-integers', () => {
    expect(() => prorate(100, 32, 31)).toThrow(RangeError);
    expect(() => prorate(100, -1, 31)).toThrow(RangeError);
    expect(() => prorate(100, 1, 0)).toThrow(RangeError);
    expect(() => prorate(100.5, 1, 2)).toThrow(RangeError);
  });

  it('splits a period into parts whose sum is within parts - 1 (indeed parts / 2) of the whole', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 366 }),
        fc.array(fc.integer({ min: 1, max: 365 }), { minLength: 1, maxLength: 12 }),
        (whole, daysInPeriod, cuts) => {
          // Prepare: split [0, daysInPeriod] at distinct cut points
          const points = [...new Set(cuts.map((c) => c % daysInPeriod))].filter((c) => c > 0).sort((a, b) => a - b);
          const bounds = [0, ...points, daysInPeriod];
          const parts = bounds.slice(1).map((end, i) => end - bounds[i]!);
          // Act
          const sum = parts.reduce((s, days) => s + prorate(whole, days, daysInPeriod), 0);
          // Assess
          expect(Math.abs(sum - whole)).toBeLessThanOrEqual(parts.length - 1);
          expect(Math.abs(sum - whole)).toBeLessThanOrEqual(Math.floor(parts.length / 2));
        },
      ),
    );
  });
});

describe('sumMoney', () => {
  it('adds amounts of one currency', () => {
    expect(sumMoney([money(150, 'SEK'), money(-50, 'SEK'), money(1, 'SEK')])).toEqual({ amount: 101, currency: 'SEK' });
    expect(sumMoney([], 'EUR')).toEqual({ amount: 0, currency: 'EUR' });
  });

  it('refuses mixed currencies, an empty list without a currency, and overflow', () => {
    expect(() => sumMoney([money(1, 'SEK'), money(1, 'EUR')])).toThrow(RangeError);
    expect(() => sumMoney([money(1, 'SEK')], 'NOK')).toThrow(RangeError);
    expect(() => sumMoney([])).toThrow(RangeError);
    expect(() => sumMoney([money(Number.MAX_SAFE_INTEGER, 'SEK'), money(1, 'SEK')])).toThrow(RangeError);
    expect(() => sumMoney([{ amount: 0.1, currency: 'SEK' }])).toThrow(RangeError);
    expect(() => money(0.1, 'SEK')).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it('writes Swedish, Finnish and Norwegian amounts with plain spaces', () => {
    expect(formatMoney(money(123450, 'SEK'), 'sv-SE')).toBe('1 234,50 kr');
    expect(formatMoney(money(123450, 'EUR'), 'fi-FI')).toBe('1 234,50 €');
    expect(formatMoney(money(123450, 'EUR'), 'sv-FI')).toBe('1 234,50 €');
    expect(formatMoney(money(123450, 'NOK'), 'nb-NO')).toBe('1 234,50 kr');
    expect(formatMoney(money(5, 'SEK'), 'sv-SE')).toBe('0,05 kr');
    expect(formatMoney(money(0, 'SEK'), 'sv-SE')).toBe('0,00 kr');
    expect(formatMoney(money(-123450, 'SEK'), 'sv-SE')).toBe('-1 234,50 kr');
    expect(formatMoney(money(123456789, 'SEK'), 'sv-SE')).toBe('1 234 567,89 kr');
  });

  it('formats large amounts exactly', () => {
    expect(formatMoney(money(Number.MAX_SAFE_INTEGER, 'SEK'), 'sv-SE')).toBe('90 071 992 547 409,91 kr');
  });

  it('writes English for English-speaking customers', () => {
    expect(formatMoney(money(123450, 'EUR'), 'en-GB')).toBe('€1,234.50');
  });

  it('never writes characters outside Latin-1 except the euro sign', () => {
    fc.assert(
      fc.property(amount, fc.constantFrom('SEK', 'EUR', 'NOK' as const), fc.constantFrom('sv-SE', 'fi-FI', 'nb-NO', 'sv-FI'), (minor, currency, locale) => {
        const text = formatMoney(money(minor, currency), locale);
        expect(text).toMatch(/^[-0-9 ,.a-zA-Z€]+$/);
        const digits = text.replace(/[^0-9]/g, '');
        expect(Number(digits)).toBe(Math.abs(minor));
      }),
    );
  });
});
