/** Shared shapes of outage alerts (R-SMS-1..8, R-COM-1..2; API.md "Outage alerts"). */

/** R-SMS-1: what the utility sends SMS about. */
export const outageCategories = ['leak', 'planned_shutoff', 'contamination', 'flood_risk', 'traffic', 'works_schedule'] as const;
export type OutageCategory = (typeof outageCategories)[number];

/** R-SMS-6: urgent categories go at once; the others wait out evenings, weekends and holidays. */
export const urgentCategories: readonly OutageCategory[] = ['leak', 'contamination', 'flood_risk'];

export type Language = 'sv' | 'fi' | 'nb' | 'en';

/** API.md property address; matching ignores case, spaces in postal codes, the letter's case. */
export interface PropertyAddress {
  street: string;
  number: string;
  letter?: string;
  postalCode: string;
  city: string;
}

/** WGS 84, as in GeoJSON: [longitude, latitude]. */
export type Position = [number, number];

export interface GeoJsonPolygon {
  type: 'Polygon';
  coordinates: Position[][];
}

export interface StreetSelector {
  street: string;
  city?: string;
  postalCode?: string;
  /** Inclusive house-number range. */
  from?: number;
  to?: number;
  side?: 'odd' | 'even';
}

export interface OutageArea {
  addresses?: PropertyAddress[];
  streets?: StreetSelector[];
  postalCodes?: string[];
  polygon?: GeoJsonPolygon;
}
