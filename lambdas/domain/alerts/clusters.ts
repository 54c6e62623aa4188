/**
 * Crowd reports in clusters (R-COM-1: Sarpsborg found a leak faster by seeing where "no water"
 * reports came from). Reports close in time and place form a cluster; ops see each cluster with a
 * suggested outage area covering it, and can later tell the reporters the problem is found.
 */
import { ValidationError, type FieldError } from '../errors.js';
import { addressKey, normalisePostalCode, parseHouseNumber, streetIndexKey } from './address.js';
import { addressInArea } from './area.js';
import type { GeoJsonPolygon, OutageArea, Position, PropertyAddress, StreetSelector } from './types.js';

export const crowdReportKinds = ['no_water', 'low_pressure', 'discoloured_water', 'leak_seen'] as const;
export type CrowdReportKind = (typeof crowdReportKinds)[number];

export interface CrowdReport {
  reportId: string;
  address: PropertyAddress;
  location?: Position;
  kind: CrowdReportKind;
  /** ISO-8601. */
  at: string;
}

export interface ReportCluster {
  /** `clu_` + the id of the cluster's earliest report (ties: the smallest id), so it is stable across runs. */
  clusterId: string;
  /** Oldest first (ties by id). */
  reportIds: string[];
  /** How many reports of each kind (every kind present, 0 when none). */
  kinds: Record<CrowdReportKind, number>;
  /** ISO-8601 UTC. */
  firstAt: string;
  lastAt: string;
  /**
   * Streets with house-number ranges covering the reports (exact addresses for reports whose
   * number is not a house number), plus the located reports' bounding box padded by the radius.
   */
  suggestedArea: OutageArea;
  /** Mean position of the located reports, when any has a location. */
  centre?: Position;
}

export interface ClusterOptions {
  /** Located reports at most this far apart (great-circle distance) are neighbours. */
  radiusMeters: number;
  /** Reports more than this far apart in time are never neighbours. */
  windowMinutes: number;
  /** Smaller clusters are left out. */
  minReports: number;
}

/** House numbers at most this far apart on one street (and postal code) count as close. */
export const sameStreetNumberDistance = 20;

/** Mean Earth radius (IUGG), metres. */
const earthRadiusMeters = 6_371_008.8;

/**
 * Groups reports by single linkage: two reports are neighbours when they are at most
 * `windowMinutes` apart in time AND either both have locations at most `radiusMeters` apart, or
 * they are on the same street in the same postal code with house numbers at most 20 apart, or
 * neither has a location and they share a postal code. A cluster is a connected component of
 * neighbours (so a chain may span more than the window); clusters of fewer than `minReports`
 * reports are dropped. Clusters come oldest first. Throws ValidationError for bad options or a
 * report time that is not a date.
 */
export function clusterReports(reports: readonly CrowdReport[], options: ClusterOptions): ReportCluster[] {
  validateOptions(options);
  const windowMs = options.windowMinutes * 60_000;
  const timed = reports
    .map((report, index) => {
      const at = Date.parse(report.at);
      if (Number.isNaN(at)) throw new ValidationError([{ path: `reports.${index}.at`, message: 'not a date and time' }]);
      return { report, at, house: parseHouseNumber(report.address.number), street: streetIndexKey(report.address) };
    })
    .sort((a, b) => a.at - b.at || compareText(a.report.reportId, b.report.reportId));

  const parent = timed.map((_, index) => index);
  const root = (index: number): number => {
    let current = index;
    while (parent[current] !== current) {
      const next = parent[current] ?? current;
      parent[current] = parent[next] ?? next;
      current = next;
    }
    return current;
  };

  // Sorted by time, so only the reports after `i` inside the window need a look.
  for (let i = 0; i < timed.length; i++) {
    const a = timed[i];
    if (!a) continue;
    for (let j = i + 1; j < timed.length; j++) {
      const b = timed[j];
      if (!b || b.at - a.at > windowMs) break;
      if (areNeighbours(a, b, options.radiusMeters)) {
        const [rootA, rootB] = [root(i), root(j)];
        // The earlier root wins, so the root is always the component's earliest report.
        if (rootA !== rootB) parent[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
      }
    }
  }

  const components = new Map<number, (typeof timed)[number][]>();
  timed.forEach((entry, index) => {
    const key = root(index);
    const members = components.get(key);
    if (members) members.push(entry);
    else components.set(key, [entry]);
  });

  return [...components.values()]
    .filter((members) => members.length >= options.minReports)
    .map((members) => toCluster(members, options.radiusMeters))
    .sort((a, b) => compareText(a.firstAt, b.firstAt) || compareText(a.clusterId, b.clusterId));
}

/** True when the report's address (or location) is in the outage's area (`addressInArea`). */
export function reportCoveredByArea(report: CrowdReport, area: OutageArea): boolean {
  return addressInArea(report.location ? { address: report.address, location: report.location } : { address: report.address }, area);
}

/** Great-circle distance between two [longitude, latitude] positions, in metres (haversine). */
export function haversineMeters(a: Position, b: Position): number {
  const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
  const [lon1, lat1] = [toRadians(a[0]), toRadians(a[1])];
  const [lon2, lat2] = [toRadians(b[0]), toRadians(b[1])];
  const h = Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lon2 - lon1) / 2) ** 2;
  return 2 * earthRadiusMeters * Math.asin(Math.min(1, Math.sqrt(h)));
}

interface TimedReport {
  report: CrowdReport;
  at: number;
  house: { number: number; letter?: string } | undefined;
  street: string;
}

function areNeighbours(a: TimedReport, b: TimedReport, radiusMeters: number): boolean {
  const [locationA, locationB] = [a.report.location, b.report.location];
  if (locationA && locationB && haversineMeters(locationA, locationB) <= radiusMeters) return true;
  if (a.street === b.street && a.house && b.house && Math.abs(a.house.number - b.house.number) <= sameStreetNumberDistance) return true;
  return (
    !locationA &&
    !locationB &&
    normalisePostalCode(a.report.address.postalCode) === normalisePostalCode(b.report.address.postalCode)
  );
}

function toCluster(members: readonly TimedReport[], radiusMeters: number): ReportCluster {
  const first = members[0];
  const last = members[members.length - 1];
  if (!first || !last) throw new Error('a cluster has at least one report');

  const kinds = Object.fromEntries(crowdReportKinds.map((kind) => [kind, 0])) as Record<CrowdReportKind, number>;
  for (const { report } of members) kinds[report.kind] += 1;

  const cluster: ReportCluster = {
    clusterId: `clu_${first.report.reportId}`,
    reportIds: members.map(({ report }) => report.reportId),
    kinds,
    firstAt: new Date(first.at).toISOString(),
    lastAt: new Date(last.at).toISOString(),
    suggestedArea: suggestArea(members, radiusMeters),
  };
  const located = members.flatMap(({ report }) => (report.location ? [report.location] : []));
  if (located.length > 0) {
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    cluster.centre = [mean(located.map(([lon]) => lon)), mean(located.map(([, lat]) => lat))];
  }
  return cluster;
}

/** Streets (spelt as in the earliest report on each) with the reported number range; no side. */
function suggestArea(members: readonly TimedReport[], radiusMeters: number): OutageArea {
  const streets = new Map<string, StreetSelector & { from: number; to: number }>();
  const addresses = new Map<string, PropertyAddress>();
  for (const { report, house, street } of members) {
    if (!house) {
      addresses.set(addressKey(report.address), report.address);
      continue;
    }
    const selector = streets.get(street);
    if (selector) {
      selector.from = Math.min(selector.from, house.number);
      selector.to = Math.max(selector.to, house.number);
    } else {
      streets.set(street, {
        street: report.address.street.trim().replace(/\s+/gu, ' '),
        postalCode: normalisePostalCode(report.address.postalCode),
        from: house.number,
        to: house.number,
      });
    }
  }

  const area: OutageArea = {};
  if (streets.size > 0) area.streets = [...streets.values()];
  if (addresses.size > 0) area.addresses = [...addresses.values()];
  const located = members.flatMap(({ report }) => (report.location ? [report.location] : []));
  if (located.length > 0) area.polygon = paddedBoundingBox(located, radiusMeters);
  return area;
}

/** The bounding box of the positions grown by `padMeters` on every side, as a closed ring (counter-clockwise). */
function paddedBoundingBox(positions: readonly Position[], padMeters: number): GeoJsonPolygon {
  let [west, east, south, north] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [lon, lat] of positions) {
    [west, east] = [Math.min(west, lon), Math.max(east, lon)];
    [south, north] = [Math.min(south, lat), Math.max(north, lat)];
  }
  const padLat = (padMeters / earthRadiusMeters) * (180 / Math.PI);
  const widestLatitude = Math.min(89, Math.max(Math.abs(south), Math.abs(north)) + padLat);
  const padLon = Math.min(180, padLat / Math.cos((widestLatitude * Math.PI) / 180));
  const clamp = (value: number, limit: number) => Math.max(-limit, Math.min(limit, value));
  [west, east] = [clamp(west - padLon, 180), clamp(east + padLon, 180)];
  [south, north] = [clamp(south - padLat, 90), clamp(north + padLat, 90)];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [west, south],
        [east, south],
        [east, north],
        [west, north],
        [west, south],
      ],
    ],
  };
}

function validateOptions(options: ClusterOptions): void {
  const errors: FieldError[] = [];
  if (!Number.isFinite(options.radiusMeters) || options.radiusMeters < 0) {
    errors.push({ path: 'options.radiusMeters', message: 'must be a number ≥ 0' });
  }
  if (!Number.isFinite(options.windowMinutes) || options.windowMinutes < 0) {
    errors.push({ path: 'options.windowMinutes', message: 'must be a number ≥ 0' });
  }
  if (!Number.isInteger(options.minReports) || options.minReports < 1) {
    errors.push({ path: 'options.minReports', message: 'must be an integer ≥ 1' });
  }
  if (errors.length > 0) throw new ValidationError(errors);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
