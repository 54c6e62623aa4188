/**
 * Outage areas (API.md `POST /v1/outages` `area`): which registered property addresses an outage
 * reaches (R-SMS-2: by address, never by phone location). An area is the union of its selectors:
 * exact addresses, streets (optionally a house-number range and one side), postal codes and a
 * GeoJSON polygon, which matches geocoded register addresses.
 */
import type { FieldError } from '../errors.js';
import { addressKey, normaliseCity, normalisePostalCode, normaliseStreet, parseHouseNumber } from './address.js';
import type { GeoJsonPolygon, OutageArea, Position, PropertyAddress, StreetSelector } from './types.js';

/** At most this many errors come back from `validateArea` (a broken polygon can have thousands). */
const maxErrors = 50;

/**
 * What is wrong with an area, as field errors (empty when it is usable). Checks what the
 * request schema cannot: an area that selects nothing, unclosed or too short polygon rings,
 * positions outside WGS 84, a street range with `from` > `to`. Defensive about types, since the
 * area may come from stored or hand-written JSON.
 */
export function validateArea(area: OutageArea): FieldError[] {
  const errors: FieldError[] = [];
  const value: unknown = area;
  if (!isRecord(value)) return [{ path: 'area', message: 'not an object' }];

  const { addresses, streets, postalCodes, polygon } = value;
  const nonEmptyList = (list: unknown) => Array.isArray(list) && list.length > 0;
  if (!nonEmptyList(addresses) && !nonEmptyList(streets) && !nonEmptyList(postalCodes) && polygon === undefined) {
    errors.push({ path: 'area', message: 'names no addresses, streets, postal codes or polygon' });
  }

  if (addresses !== undefined) validateAddresses(addresses, errors);
  if (streets !== undefined) validateStreets(streets, errors);
  if (postalCodes !== undefined) {
    if (!Array.isArray(postalCodes)) errors.push({ path: 'area.postalCodes', message: 'not a list' });
    else
      postalCodes.forEach((code: unknown, index) => {
        if (!isNonBlankString(code) || normalisePostalCode(code) === '') errors.push({ path: `area.postalCodes.${index}`, message: 'empty' });
      });
  }
  if (polygon !== undefined) validatePolygon(polygon, errors);
  return errors.slice(0, maxErrors);
}

function validateAddresses(addresses: unknown, errors: FieldError[]): void {
  if (!Array.isArray(addresses)) {
    errors.push({ path: 'area.addresses', message: 'not a list' });
    return;
  }
  addresses.forEach((address: unknown, index) => {
    const path = `area.addresses.${index}`;
    if (!isRecord(address)) {
      errors.push({ path, message: 'not an address' });
      return;
    }
    if (!isNonBlankString(address['street'])) errors.push({ path: `${path}.street`, message: 'empty' });
    if (typeof address['number'] !== 'string' || !parseHouseNumber(address['number'])) {
      errors.push({ path: `${path}.number`, message: 'not a house number' });
    }
    if (!isNonBlankString(address['postalCode'])) errors.push({ path: `${path}.postalCode`, message: 'empty' });
  });
}

function validateStreets(streets: unknown, errors: FieldError[]): void {
  if (!Array.isArray(streets)) {
    errors.push({ path: 'area.streets', message: 'not a list' });
    return;
  }
  streets.forEach((selector: unknown, index) => {
    const path = `area.streets.${index}`;
    if (!isRecord(selector)) {
      errors.push({ path, message: 'not a street selector' });
      return;
    }
    const { street, city, postalCode, from, to, side } = selector;
    if (!isNonBlankString(street) || normaliseStreet(street) === '') errors.push({ path: `${path}.street`, message: 'empty' });
    if (city !== undefined && !isNonBlankString(city)) errors.push({ path: `${path}.city`, message: 'empty' });
    if (postalCode !== undefined && (!isNonBlankString(postalCode) || normalisePostalCode(postalCode) === '')) {
      errors.push({ path: `${path}.postalCode`, message: 'empty' });
    }
    const isHouseNumber = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
    if (from !== undefined && !isHouseNumber(from)) errors.push({ path: `${path}.from`, message: 'not a house number' });
    if (to !== undefined && !isHouseNumber(to)) errors.push({ path: `${path}.to`, message: 'not a house number' });
    if (isHouseNumber(from) && isHouseNumber(to) && from > to) {
      errors.push({ path: `${path}.from`, message: `greater than to (${from} > ${to})` });
    }
    if (side !== undefined && side !== 'odd' && side !== 'even') errors.push({ path: `${path}.side`, message: 'must be odd or even' });
  });
}

function validatePolygon(polygon: unknown, errors: FieldError[]): void {
  if (!isRecord(polygon)) {
    errors.push({ path: 'area.polygon', message: 'not a GeoJSON Polygon' });
    return;
  }
  if (polygon['type'] !== 'Polygon') errors.push({ path: 'area.polygon.type', message: 'must be "Polygon"' });
  const rings = polygon['coordinates'];
  if (!Array.isArray(rings) || rings.length === 0) {
    errors.push({ path: 'area.polygon.coordinates', message: 'needs at least one ring of positions' });
    return;
  }
  rings.forEach((ring: unknown, ringIndex) => {
    const ringPath = `area.polygon.coordinates.${ringIndex}`;
    if (!Array.isArray(ring)) {
      errors.push({ path: ringPath, message: 'not a ring of positions' });
      return;
    }
    if (ring.length < 4) errors.push({ path: ringPath, message: 'a ring needs at least 4 positions, the last equal to the first' });
    let allPositions = true;
    ring.forEach((position: unknown, positionIndex) => {
      const path = `${ringPath}.${positionIndex}`;
      if (!isPosition(position)) {
        allPositions = false;
        errors.push({ path, message: 'not a [longitude, latitude] position' });
        return;
      }
      if (position[0] < -180 || position[0] > 180) errors.push({ path: `${path}.0`, message: 'longitude out of range -180..180' });
      if (position[1] < -90 || position[1] > 90) errors.push({ path: `${path}.1`, message: 'latitude out of range -90..90' });
    });
    const first: unknown = ring[0];
    const last: unknown = ring[ring.length - 1];
    if (allPositions && ring.length >= 2 && isPosition(first) && isPosition(last) && (first[0] !== last[0] || first[1] !== last[1])) {
      errors.push({ path: ringPath, message: 'the ring does not close: the last position must equal the first' });
    }
  });
}

/**
 * True when the address is in the area: it equals one of the area's addresses (by `addressKey`),
 * lies on one of its streets (same normalised name; the selector's postal code and city, when
 * given, must match; the house number within `from`..`to` inclusive and on the given side), has
 * one of its postal codes, or its `location` lies inside the polygon (an address without a
 * location never matches a polygon). An address whose number is not a house number matches a
 * street selector only when the selector has no range and no side.
 */
export function addressInArea(entry: { address: PropertyAddress; location?: Position }, area: OutageArea): boolean {
  const { address, location } = entry;
  if (area.addresses?.length) {
    const key = addressKey(address);
    if (area.addresses.some((candidate) => addressKey(candidate) === key)) return true;
  }
  if (area.streets?.some((selector) => onStreet(address, selector))) return true;
  if (area.postalCodes?.length) {
    const postalCode = normalisePostalCode(address.postalCode);
    if (area.postalCodes.some((code) => normalisePostalCode(code) === postalCode)) return true;
  }
  return area.polygon !== undefined && location !== undefined && pointInPolygon(location, area.polygon);
}

function onStreet(address: PropertyAddress, selector: StreetSelector): boolean {
  if (normaliseStreet(address.street) !== normaliseStreet(selector.street)) return false;
  if (selector.postalCode !== undefined && normalisePostalCode(selector.postalCode) !== normalisePostalCode(address.postalCode)) {
    return false;
  }
  if (selector.city !== undefined && normaliseCity(selector.city) !== normaliseCity(address.city)) return false;
  if (selector.from === undefined && selector.to === undefined && selector.side === undefined) return true;
  const house = parseHouseNumber(address.number);
  if (!house) return false;
  if (selector.from !== undefined && house.number < selector.from) return false;
  if (selector.to !== undefined && house.number > selector.to) return false;
  if (selector.side === 'odd' && house.number % 2 !== 1) return false;
  if (selector.side === 'even' && house.number % 2 !== 0) return false;
  return true;
}

/**
 * Point in a GeoJSON polygon by ray casting on [longitude, latitude] as plane coordinates: inside
 * the first (outer) ring and outside every further ring (holes). Points exactly on an edge may go
 * either way. Fine at the scale of a municipality; not meant for polygons across the antimeridian.
 */
export function pointInPolygon(point: Position, polygon: GeoJsonPolygon): boolean {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer || !inRing(point, outer)) return false;
  return !holes.some((hole) => inRing(point, hole));
}

function inRing([x, y]: Position, ring: readonly Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (!a || !b) continue;
    const [xi, yi] = a;
    const [xj, yj] = b;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** What the repository looks up for an area (by index, not by scanning the register). */
export interface AreaIndexKeys {
  /** `addressKey` of each listed address. */
  addressKeys: string[];
  /** Normalised street names, with the normalised postal code when the selector has one. */
  streetKeys: { street: string; postalCode?: string }[];
  /** Normalised postal codes. */
  postalCodes: string[];
  /**
   * Geohash prefixes covering the polygon's bounding box; a geocoded address is a candidate when
   * its geohash starts with one of them. Candidates still go through `addressInArea`.
   */
  geoCells: string[];
}

/** The finest geohash cells `areaIndexKeys` lists (6 characters: about 1.2 km × 0.6 km). */
export const maxGeoCellPrecision = 6;
/** The most geohash cells `areaIndexKeys` lists; a larger box is listed in coarser cells. */
export const maxGeoCells = 64;

/**
 * The index look-ups that find every candidate address of an area (a superset: filter with
 * `addressInArea`). Selectors a validated area cannot have (blank names) are left out. Geo cells
 * cover the bounding box of the polygon's outer ring at the finest precision ≤ 6 that needs at
 * most 64 cells.
 */
export function areaIndexKeys(area: OutageArea): AreaIndexKeys {
  const addressKeys = unique((area.addresses ?? []).map(addressKey));
  const streetKeys = new Map<string, { street: string; postalCode?: string }>();
  for (const selector of area.streets ?? []) {
    const street = normaliseStreet(selector.street);
    if (street === '') continue;
    const postalCode = selector.postalCode === undefined ? '' : normalisePostalCode(selector.postalCode);
    streetKeys.set(`${street}|${postalCode}`, postalCode === '' ? { street } : { street, postalCode });
  }
  const postalCodes = unique((area.postalCodes ?? []).map(normalisePostalCode).filter((code) => code !== ''));
  const geoCells = area.polygon ? coveringGeoCells(area.polygon) : [];
  return { addressKeys, streetKeys: [...streetKeys.values()], postalCodes, geoCells };
}

function coveringGeoCells(polygon: GeoJsonPolygon): string[] {
  const outer = (polygon.coordinates[0] ?? []).filter(isPosition);
  if (outer.length === 0) return [];
  let [minLon, maxLon, minLat, maxLat] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [lon, lat] of outer) {
    [minLon, maxLon] = [Math.min(minLon, lon), Math.max(maxLon, lon)];
    [minLat, maxLat] = [Math.min(minLat, lat), Math.max(maxLat, lat)];
  }
  for (let precision = maxGeoCellPrecision; precision >= 1; precision--) {
    const { lonBits, latBits } = bitsOf(precision);
    const [west, east] = [cellIndex(minLon, -180, 180, lonBits), cellIndex(maxLon, -180, 180, lonBits)];
    const [south, north] = [cellIndex(minLat, -90, 90, latBits), cellIndex(maxLat, -90, 90, latBits)];
    if ((east - west + 1) * (north - south + 1) > maxGeoCells && precision > 1) continue;
    const cells: string[] = [];
    for (let lonIndex = west; lonIndex <= east; lonIndex++) {
      for (let latIndex = south; latIndex <= north; latIndex++) cells.push(encodeCell(lonIndex, latIndex, precision));
    }
    return cells.sort();
  }
  return [];
}

const base32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The geohash of a [longitude, latitude] position (Niemeyer's base-32 geohash), 1..12 characters. */
export function geohash(position: Position, precision: number): string {
  if (!Number.isInteger(precision) || precision < 1 || precision > 12) throw new RangeError(`geohash precision must be 1..12, got ${precision}`);
  const [lon, lat] = position;
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new RangeError('geohash needs finite coordinates');
  const { lonBits, latBits } = bitsOf(precision);
  return encodeCell(cellIndex(lon, -180, 180, lonBits), cellIndex(lat, -90, 90, latBits), precision);
}

/** Longitude takes the first bit of every pair, so it gets the odd one out. */
function bitsOf(precision: number): { lonBits: number; latBits: number } {
  return { lonBits: Math.ceil((precision * 5) / 2), latBits: Math.floor((precision * 5) / 2) };
}

/**
 * Which of 2^bits equal slices of min..max holds `value`, by bisection as geohash defines it (a
 * value on a midpoint goes up). The midpoints are exact binary fractions, so this is exact and
 * monotonic, which keeps `geohash` and the bounding-box cells of `areaIndexKeys` consistent.
 */
function cellIndex(value: number, min: number, max: number, bits: number): number {
  let low = min;
  let high = max;
  let index = 0;
  for (let bit = 0; bit < bits; bit++) {
    const middle = (low + high) / 2;
    index *= 2;
    if (value >= middle) {
      index += 1;
      low = middle;
    } else {
      high = middle;
    }
  }
  return index;
}

/** Interleaves the bits (longitude first) and writes them five at a time in base 32. */
function encodeCell(lonIndex: number, latIndex: number, precision: number): string {
  const { lonBits, latBits } = bitsOf(precision);
  let lonBit = lonBits - 1;
  let latBit = latBits - 1;
  let hash = '';
  for (let char = 0; char < precision; char++) {
    let digit = 0;
    for (let bit = 0; bit < 5; bit++) {
      const fromLon = (char * 5 + bit) % 2 === 0;
      const source = fromLon ? Math.floor(lonIndex / 2 ** lonBit--) : Math.floor(latIndex / 2 ** latBit--);
      digit = digit * 2 + (source % 2);
    }
    hash += base32.charAt(digit);
  }
  return hash;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonBlankString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** [longitude, latitude] (an altitude, allowed by GeoJSON, is ignored): finite numbers. */
function isPosition(value: unknown): value is Position {
  return (
    Array.isArray(value) &&
    (value.length === 2 || value.length === 3) &&
    value.every((coordinate) => typeof coordinate === 'number' && Number.isFinite(coordinate))
  );
}
