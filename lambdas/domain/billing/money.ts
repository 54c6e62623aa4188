/**
 * Money in integer minor units (öre, cent), VAT and proration (R-SE-8, R-SE-10).
 *
 * Rounding rule, once for the whole project: VAT is computed per invoice line on its net amount
 * and rounded half away from zero to the minor unit; the invoice total is the sum of the lines;
 * no öresavrundning (bank/e-invoice payments carry öre). Prorated amounts are rounded the same
 * way. All arithmetic on amounts is exact (BigInt), never floating point.
 *
 * Every amount must be a safe integer (|n| <= 2^53 - 1); anything else throws RangeError.
 */
import type { Service } from '../customers/schemas.js';

export type Currency = 'SEK' | 'EUR' | 'NOK';
export type Money = { amount: number; currency: Currency };
export type VatCountry = 'SE' | 'FI' | 'NO';
export type CustomerCategory = 'consumer' | 'business';

/** Throws RangeError unless `value` is a safe integer (an amount in minor units). */
export function assertMinorUnits(value: number, name = 'amount'): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer in minor units, got ${value}`);
}

export function money(amount: number, currency: Currency): Money {
  assertMinorUnits(amount);
  return { amount, currency };
}

function toSafeNumber(value: bigint, name: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${name} is out of the safe integer range`);
  }
  return Number(value);
}

/** numerator / denominator (denominator > 0), rounded half away from zero. */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  if ((magnitude % denominator) * 2n >= denominator) quotient += 1n;
  return negative ? -quotient : quotient;
}

// ---- VAT ----------------------------------------------------------------------------------

/** One row of the VAT table: percent per service from `validFrom` (inclusive) until the next row. */
export interface VatPeriod {
  readonly validFrom: string;
  readonly rates: Readonly<Record<Service, number>>;
}

const allServices = (rate: number): Record<Service, number> => ({
  water: rate,
  sewage: rate,
  waste: rate,
  electricity_grid: rate,
  electricity_retail: rate,
  district_heating: rate,
  fiber: rate,
});

/**
 * VAT percent by country, date and service; rows oldest first. To change a rate, add a row
 * with the date it applies from. The table starts 2013-01-01; no earlier date is billed.
 * Consumers and businesses pay the same rates (reverse charge and exports are out of scope).
 *
 * - SE: 25 %, the general rate, on every utility service here: water and sewage, waste,
 *   electricity grid and retail, district heating, broadband. Source: mervärdesskattelagen
 *   (2023:200); Skatteverket, "Momssats på varor och tjänester" (none of these services is
 *   in the 12 % or 6 % lists).
 * - FI: the general rate, 24 % from 2013-01-01 and 25.5 % from 2024-09-01 (the rate follows
 *   the date the service is delivered). Source: arvonlisäverolaki 84 §; Vero.fi, "The general
 *   VAT rate is 25.5% as of 1 September 2024",
 *   https://vero.fi/en/businesses-and-corporations/taxes-and-charges/vat/rates-of-vat/new-vat-rate-from-1-september-2024--instructions-for-vat-reporting
 * - NO: 25 %, the general rate. Source: merverdiavgiftsloven § 5-1; Skatteetaten,
 *   "Merverdiavgift - satser". Not verified for a Norwegian go-live: whether municipal water,
 *   sewage and waste fees (kommunale gebyrer) carry MVA at all, and the exemption for
 *   electricity to households in Nord-Norge; both would be rows or overrides here.
 */
export const vatTable: Readonly<Record<VatCountry, readonly VatPeriod[]>> = {
  SE: [{ validFrom: '2013-01-01', rates: allServices(25) }],
  FI: [
    { validFrom: '2013-01-01', rates: allServices(24) },
    { validFrom: '2024-09-01', rates: allServices(25.5) },
  ],
  NO: [{ validFrom: '2013-01-01', rates: allServices(25) }],
};

/**
 * The VAT percent (e.g. 25, 25.5) for a service. `onDate` (`YYYY-MM-DD`) is the delivery date,
 * for a line the end of the period it bills; without it the newest row applies (the domain
 * reads no clock).
 */
export function vatRate(country: VatCountry, service: Service, customerCategory: CustomerCategory, onDate?: string): number {
  void customerCategory; // same rates for consumers and businesses (see vatTable)
  const rows = vatTable[country];
  const row = onDate === undefined ? rows.at(-1) : rows.filter((r) => r.validFrom <= onDate).at(-1);
  if (!row) throw new RangeError(`No VAT rate for ${country} on ${onDate}`);
  return row.rates[service];
}

/** Net, VAT and gross of one invoice line, in minor units. */
export interface LineAmounts {
  net: number;
  vat: number;
  gross: number;
}

/** A percent with at most two decimals as basis points (25.5 -> 2550). */
function basisPoints(percent: number): bigint {
  const scaled = Math.round(percent * 100);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100 || Math.abs(percent * 100 - scaled) > 1e-6) {
    throw new RangeError(`A VAT rate is a percent 0-100 with at most two decimals, got ${percent}`);
  }
  return BigInt(scaled);
}

/**
 * One line's amounts: VAT = net × rate / 100, rounded half away from zero to the minor unit
 * (net 2 öre at 25 % = 0.5 öre -> 1 öre; net -2 öre -> -1 öre); gross = net + VAT.
 */
export function lineAmounts(netMinor: number, vatRatePercent: number): LineAmounts {
  assertMinorUnits(netMinor, 'net');
  const vat = toSafeNumber(divideRounded(BigInt(netMinor) * basisPoints(vatRatePercent), 10_000n), 'vat');
  const gross = toSafeNumber(BigInt(netMinor) + BigInt(vat), 'gross');
  return { net: netMinor, vat, gross };
}

/**
 * The part of a per-period amount for `days` of a period of `daysInPeriod` days:
 * amount × days / daysInPeriod, rounded half away from zero. 0 <= days <= daysInPeriod.
 */
export function prorate(amountPerPeriod: number, days: number, daysInPeriod: number): number {
  assertMinorUnits(amountPerPeriod, 'amountPerPeriod');
  if (!Number.isSafeInteger(daysInPeriod) || daysInPeriod < 1) throw new RangeError(`daysInPeriod must be a positive integer, got ${daysInPeriod}`);
  if (!Number.isSafeInteger(days) || days < 0 || days > daysInPeriod) throw new RangeError(`days must be an integer 0-${daysInPeriod}, got ${days}`);
  return Number(divideRounded(BigInt(amountPerPeriod) * BigInt(days), BigInt(daysInPeriod)));
}

/**
 * The sum of amounts in one currency. An empty list needs `currency`; mixed currencies, or a
 * `currency` that differs from the amounts', throw RangeError, as does a sum beyond the safe range.
 */
export function sumMoney(amounts: readonly Money[], currency?: Currency): Money {
  const target = currency ?? amounts[0]?.currency;
  if (target === undefined) throw new RangeError('The sum of no amounts needs a currency');
  let total = 0n;
  for (const item of amounts) {
    if (item.currency !== target) throw new RangeError(`Cannot add ${item.currency} to ${target}`);
    assertMinorUnits(item.amount);
    total += BigInt(item.amount);
  }
  return { amount: toSafeNumber(total, 'sum'), currency: target };
}

const formats = new Map<string, Intl.NumberFormat>();

/**
 * The amount for people, in `locale`'s convention (Intl): `1 234,50 kr` (sv-SE, SEK),
 * `1 234,50 €` (fi-FI, EUR), `1 234,50 kr` (nb-NO, NOK), `€1,234.50` (en-GB, EUR). The
 * no-break and narrow no-break spaces Intl writes become ordinary spaces and the minus sign
 * (U+2212) a hyphen-minus, so the text survives PDF standard fonts (WinAnsi), SMS and e-mail.
 * The amount is formatted from its exact decimal string, never through a float.
 */
export function formatMoney(m: Money, locale: string): string {
  assertMinorUnits(m.amount);
  const key = `${locale}|${m.currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    formats.set(key, format);
  }
  const magnitude = String(Math.abs(m.amount)).padStart(3, '0');
  const decimal = `${m.amount < 0 ? '-' : ''}${magnitude.slice(0, -2)}.${magnitude.slice(-2)}` as Intl.StringNumericLiteral;
  // Intl.NumberFormat formats a decimal string exactly (ES2023 Intl.NumberFormat v3).
  return format
    .format(decimal)
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/\u2212/g, '-');
}
