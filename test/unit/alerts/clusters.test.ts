// Crowd reports in clusters (R-COM-1: where the "no water" reports come from).
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../lambdas/domain/errors.js';
import { addressInArea } from '../../../lambdas/domain/alerts/area.js';
import { clusterReports, haversineMeters, reportCoveredByArea, type CrowdReport } from '../../../lambdas/domain/alerts/clusters.js';
import type { Position } from '../../../lambdas/domain/alerts/types.js';

const options = { radiusMeters: 500, windowMinutes: 60, minReports: 2 };
const minutes = (n: number) => new Date(Date.UTC(2026, 10, 23, 8, 0) + n * 60_000).toISOString();

const report = (
  reportId: string,
  street: string,
  number: string,
  minute: number,
  extra: { postalCode?: string; location?: Position; kind?: CrowdReport['kind'] } = {},
): CrowdReport => ({
  reportId,
  address: { street, number, postalCode: extra.postalCode ?? '392 31', city: 'Kalmar' },
  kind: extra.kind ?? 'no_water',
  at: minutes(minute),
  ...(extra.location ? { location: extra.location } : {}),
});

// Kalmar centre and Arvika, some 400 km apart.
const kalmar: Position = [16.3616, 56.6634];
const arvika: Position = [12.5852, 59.6553];
const nudge = ([lon, lat]: Position, metresNorth: number): Position => [lon, lat + metresNorth / 111_195];

describe('clusterReports', () => {
  it('makes two clusters of two neighbourhoods far apart', () => {
    // Prepare
    const reports = [
      report('r1', 'Storgatan', '1', 0, { location: kalmar, kind: 'no_water' }),
      report('r2', 'Kungsgatan', '40', 10, { location: nudge(kalmar, 300), kind: 'low_pressure' }),
      report('r3', 'Lingatan', '2', 20, { location: nudge(kalmar, 600), kind: 'no_water' }),
      report('a1', 'Storgatan', '5', 5, { postalCode: '671 31', location: arvika, kind: 'discoloured_water' }),
      report('a2', 'Torggatan', '9', 15, { postalCode: '671 31', location: nudge(arvika, -200), kind: 'discoloured_water' }),
    ];
    // Act
    const clusters = clusterReports(reports, options);
    // Assess
    expect(clusters.map((c) => c.reportIds)).toEqual([
      ['r1', 'r2', 'r3'],
      ['a1', 'a2'],
    ]);
    const [first, second] = clusters;
    expect(first?.kinds).toEqual({ no_water: 2, low_pressure: 1, discoloured_water: 0, leak_seen: 0 });
    expect(second?.kinds).toEqual({ no_water: 0, low_pressure: 0, discoloured_water: 2, leak_seen: 0 });
    expect(first?.firstAt).toBe(minutes(0));
    expect(first?.lastAt).toBe(minutes(20));
    expect(first?.centre?.[1]).toBeCloseTo(kalmar[1] + 300 / 111_195, 6);
  });

  it('suggests an area covering every report of the cluster', () => {
    // Prepare
    const reports = [
      report('r1', 'Storgatan', '3', 0, { location: kalmar }),
      report('r2', 'Storgatan', '11B', 5, { location: nudge(kalmar, 100) }),
      report('r3', 'Kungsgatan', '2', 10, { location: nudge(kalmar, 400) }),
      report('r4', 'Storgatan', '14', 15),
      report('r5', 'Storgatan', 'vid torget', 16, { location: nudge(kalmar, 50) }),
    ];
    // Act
    const [cluster] = clusterReports(reports, options);
    // Assess
    expect(cluster?.suggestedArea.streets).toEqual([
      { street: 'Storgatan', postalCode: '39231', from: 3, to: 14 },
      { street: 'Kungsgatan', postalCode: '39231', from: 2, to: 2 },
    ]);
    expect(cluster?.suggestedArea.addresses).toEqual([reports[4]?.address]);
    for (const each of reports) expect(reportCoveredByArea(each, cluster!.suggestedArea)).toBe(true);
    const ring = cluster?.suggestedArea.polygon?.coordinates[0] ?? [];
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual(ring[4]);
    // The box is padded by the radius: a point 450 m south of the southernmost report is still inside.
    expect(addressInArea({ address: reports[0]!.address, location: nudge(kalmar, -450) }, { polygon: cluster!.suggestedArea.polygon! })).toBe(true);
    expect(addressInArea({ address: reports[0]!.address, location: nudge(kalmar, -600) }, { polygon: cluster!.suggestedArea.polygon! })).toBe(false);
  });

  it('does not join reports outside the time window', () => {
    // Prepare
    const reports = [
      report('r1', 'Storgatan', '1', 0, { location: kalmar }),
      report('r2', 'Storgatan', '3', 61, { location: nudge(kalmar, 20) }),
      report('r3', 'Storgatan', '5', 200, { location: nudge(kalmar, 40) }),
      report('r4', 'Storgatan', '7', 230, { location: nudge(kalmar, 60) }),
    ];
    // Act
    const clusters = clusterReports(reports, options);
    // Assess
    expect(clusters.map((c) => c.reportIds)).toEqual([['r3', 'r4']]);
  });

  it('chains reports within the window of each other (single linkage)', () => {
    // Prepare
    const reports = [0, 50, 100, 150].map((minute, index) => report(`r${index}`, 'Storgatan', '1', minute));
    // Act
    const clusters = clusterReports(reports, options);
    // Assess
    expect(clusters.map((c) => c.reportIds)).toEqual([['r0', 'r1', 'r2', 'r3']]);
  });

  it('joins without locations by street and nearby numbers, or by postal code', () => {
    // Prepare
    const reports = [
      report('s1', 'Storgatan', '2', 0, { location: kalmar }),
      report('s2', 'STORGATAN', '22', 1, { postalCode: '39231', location: arvika }),
      report('s3', 'Storgatan', '43', 2, { location: [0, 0] }),
      report('p1', 'Ågatan', '1', 3, { postalCode: '111 11' }),
      report('p2', 'Östra vägen', '99', 4, { postalCode: '11111' }),
      report('p3', 'Ågatan', '2', 5, { postalCode: '111 11', location: [20, 65] }),
    ];
    // Act
    const clusters = clusterReports(reports, options);
    // Assess
    expect(clusters.map((c) => c.reportIds)).toEqual([
      ['s1', 's2'],
      ['p1', 'p2', 'p3'],
    ]);
  });

  it('leaves out clusters smaller than minReports', () => {
    // Prepare
    const reports = [
      report('r1', 'Storgatan', '1', 0, { location: kalmar }),
      report('r2', 'Storgatan', '3', 1, { location: kalmar }),
      report('a1', 'Storgatan', '1', 0, { postalCode: '67131', location: arvika }),
    ];
    // Act
    const two = clusterReports(reports, { ...options, minReports: 2 });
    const one = clusterReports(reports, { ...options, minReports: 1 });
    const three = clusterReports(reports, { ...options, minReports: 3 });
    // Assess
    expect(two.map((c) => c.reportIds)).toEqual([['r1', 'r2']]);
    expect(one.map((c) => c.reportIds)).toEqual([['a1'], ['r1', 'r2']]);
    expect(three).toEqual([]);
  });

  it('names a cluster after its earliest report, whatever the input order', () => {
    // Prepare
    const reports = [
      report('late', 'Storgatan', '1', 30, { location: kalmar }),
      report('early', 'Storgatan', '3', 10, { location: kalmar }),
      report('middle', 'Storgatan', '5', 20, { location: kalmar }),
    ];
    // Act
    const forwards = clusterReports(reports, options);
    const backwards = clusterReports([...reports].reverse(), options);
    // Assess
    expect(forwards[0]?.clusterId).toBe('clu_early');
    expect(backwards).toEqual(forwards);
    expect(forwards[0]?.reportIds).toEqual(['early', 'middle', 'late']);
  });

  it('gives no centre or polygon when no report has a location', () => {
    // Prepare
    const reports = [report('r1', 'Storgatan', '1', 0), report('r2', 'Storgatan', '3', 1)];
    // Act
    const [cluster] = clusterReports(reports, options);
    // Assess
    expect(cluster).not.toHaveProperty('centre');
    expect(cluster?.suggestedArea).toEqual({ streets: [{ street: 'Storgatan', postalCode: '39231', from: 1, to: 3 }] });
  });

  it('refuses bad options and unreadable times', () => {
    expect(() => clusterReports([], { ...options, minReports: 0 })).toThrow(ValidationError);
    expect(() => clusterReports([], { ...options, radiusMeters: -1 })).toThrow(ValidationError);
    expect(() => clusterReports([{ ...report('r1', 'Storgatan', '1', 0), at: 'igår' }], options)).toThrow(ValidationError);
  });
});

describe('haversineMeters', () => {
  it('measures known distances', () => {
    // One degree of a great circle is about 111.2 km, the equator to a pole a quarter circle.
    expect(haversineMeters([0, 0], [0, 1])).toBeCloseTo(111_195, -1);
    expect(haversineMeters([0, 0], [1, 0])).toBeCloseTo(111_195, -1);
    expect(haversineMeters([16, 0], [123, 90])).toBeCloseTo((Math.PI / 2) * 6_371_008.8, 0);
    expect(haversineMeters([0, 0], [180, 0])).toBeCloseTo(Math.PI * 6_371_008.8, 0);
    // Kalmar–Arvika, some 400 km as the crow flies.
    expect(Math.round(haversineMeters(kalmar, arvika) / 10_000)).toBe(40);
    expect(haversineMeters(kalmar, kalmar)).toBe(0);
  });
});

describe('reportCoveredByArea', () => {
  it('is addressInArea on the report', () => {
    // Prepare
    const located = report('r1', 'Storgatan', '7', 0, { location: kalmar });
    // Act / Assess
    expect(reportCoveredByArea(located, { streets: [{ street: 'storgatan', side: 'odd' }] })).toBe(true);
    expect(reportCoveredByArea(located, { streets: [{ street: 'storgatan', side: 'even' }] })).toBe(false);
    expect(reportCoveredByArea(located, { postalCodes: ['39231'] })).toBe(true);
  });
});
