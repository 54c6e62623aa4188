/**
 * The utility's billing profile: which cycle each service is billed on and when each
 * region's run goes (R-SE-11, R-SE-12, R-FI-3). Data, not code: a new utility is a new profile.
 */
import type { Service } from '../customers/schemas.js';
import type { BillingCycle, RegionSchedule } from './calendar.js';
import type { Currency } from './model.js';

export interface BillingProfile {
  readonly country: 'SE' | 'FI' | 'NO';
  readonly currency: Currency;
  readonly cycles: Readonly<Record<Service, BillingCycle>>;
  readonly largeConsumerCycle: BillingCycle;
  readonly regions: readonly RegionSchedule[];
  /** A customer with no billing region is billed with this region. */
  readonly defaultRegion: string;
}

/**
 * Teknik i Väst (Arvika & Eda), R-SE-11/12: consumption every other month, electricity
 * retail monthly, summer waste in October; Eda's run on the 1st, Arvika's on the 4th once
 * retail electricity prices are updated.
 */
export const swedishProfile: BillingProfile = {
  country: 'SE',
  currency: 'SEK',
  cycles: {
    water: { kind: 'bimonthly', anchorMonth: 1 },
    sewage: { kind: 'bimonthly', anchorMonth: 1 },
    waste: { kind: 'bimonthly', anchorMonth: 1 },
    electricity_grid: { kind: 'bimonthly', anchorMonth: 1 },
    electricity_retail: { kind: 'monthly' },
    district_heating: { kind: 'bimonthly', anchorMonth: 1 },
    fiber: { kind: 'monthly' },
  },
  largeConsumerCycle: { kind: 'monthly' },
  regions: [
    { region: 'Eda', dayOfMonth: 1 },
    { region: 'Arvika', dayOfMonth: 4 },
  ],
  defaultRegion: 'Arvika',
};

/** Keuruun Vesi, R-FI-3: every service on the published quarterly schedule. */
export const finnishProfile: BillingProfile = {
  country: 'FI',
  currency: 'EUR',
  cycles: {
    water: { kind: 'finnish_quarterly' },
    sewage: { kind: 'finnish_quarterly' },
    waste: { kind: 'finnish_quarterly' },
    electricity_grid: { kind: 'finnish_quarterly' },
    electricity_retail: { kind: 'finnish_quarterly' },
    district_heating: { kind: 'finnish_quarterly' },
    fiber: { kind: 'finnish_quarterly' },
  },
  largeConsumerCycle: { kind: 'monthly' },
  regions: [{ region: 'Keuruu', dayOfMonth: 1 }],
  defaultRegion: 'Keuruu',
};

export function profileFor(country: 'SE' | 'FI' | 'NO'): BillingProfile {
  return country === 'FI' ? finnishProfile : { ...swedishProfile, country, currency: country === 'NO' ? 'NOK' : 'SEK' };
}
