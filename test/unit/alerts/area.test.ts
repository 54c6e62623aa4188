// Outage areas: validation, matching addresses (R-SMS-2), index look-ups and geohash.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  addressInArea,
  areaIndexKeys,
  geohash,
  maxGeoCells,
  pointInPolygon,
  validateArea,
} from '../../../lambdas/domain/alerts/area.js';
import type { GeoJsonPolygon, OutageArea, Position, PropertyAddress } from '../../../lambdas/domain/alerts/types.js';

const at = (street: string, number: string, postalCode = '392 31', city = 'Kalmar', letter?: string): { address: PropertyAddress } => ({
  address: { street, number, postalCode, city, ...(letter ? { letter } : {}) },
});

const rectangle = (west: number, south: number, east: number, north: number): Position[] => [
  [west, south],
  [east, south],
  [east, north],
  [west, north],
  [west, south],
];

describe('addressInArea', () => {
  it('matches an exact address by its key (case, postal code spaces, letter case, not the city)', () => {
    // Prepare
    const area: OutageArea = { addresses: [{ street: 'Storgatan', number: '1', letter: 'A', postalCode: '39231', city: 'Kalmar' }] };
    // Act / Assess
    expect(addressInArea(at('STORGATAN', '1', '392 31', 'KALMAR C', 'a'), area)).toBe(true);
    expect(addressInArea(at('Storgatan', '1A'), area)).toBe(true);
    expect(addressInArea(at('Storgatan', '1', '392 31', 'Kalmar', 'B'), area)).toBe(false);
    expect(addressInArea(at('Storgatan', '1'), area)).toBe(false);
    expect(addressInArea(at('Storgatan', '1', '392 32', 'Kalmar', 'A'), area)).toBe(false);
  });

  it('matches a whole street, in any postal code unless the selector names one', () => {
    // Prepare
    const anywhere: OutageArea = { streets: [{ street: 'Ängsvägen' }] };
    const inOne: OutageArea = { streets: [{ street: 'Ängsvägen', postalCode: '392 31' }] };
    // Act / Assess
    expect(addressInArea(at('ÄNGSVÄGEN', '4'), anywhere)).toBe(true);
    expect(addressInArea(at('Ängsvägen', '4', '39999'), anywhere)).toBe(true);
    expect(addressInArea(at('Ängsvägen', '4', '39999'), inOne)).toBe(false);
    expect(addressInArea(at('Angsvägen', '4'), anywhere)).toBe(false);
    expect(addressInArea(at('Ängsvägen', 'ej känt'), anywhere)).toBe(true);
  });

  it('compares the city when the selector names one', () => {
    // Prepare
    const area: OutageArea = { streets: [{ street: 'Storgatan', city: 'kalmar' }] };
    // Act / Assess
    expect(addressInArea(at('Storgatan', '1', '39231', 'KALMAR'), area)).toBe(true);
    expect(addressInArea(at('Storgatan', '1', '67131', 'Arvika'), area)).toBe(false);
  });

  it('matches an inclusive number range and a side', () => {
    // Prepare
    const range: OutageArea = { streets: [{ street: 'Storgatan', from: 10, to: 20 }] };
    const odd: OutageArea = { streets: [{ street: 'Storgatan', from: 10, to: 20, side: 'odd' }] };
    const even: OutageArea = { streets: [{ street: 'Storgatan', side: 'even' }] };
    const inRange = (area: OutageArea) =>
      ['8', '9', '10', '11', '12B', '19', '20', '21'].filter((number) => addressInArea(at('Storgatan', number), area));
    // Act / Assess
    expect(inRange(range)).toEqual(['10', '11', '12B', '19', '20']);
    expect(inRange(odd)).toEqual(['11', '19']);
    expect(inRange(even)).toEqual(['8', '10', '12B', '20']);
    expect(addressInArea(at('Storgatan', 'ej känt'), range)).toBe(false);
  });

  it('matches a postal code regardless of spaces', () => {
    // Prepare
    const area: OutageArea = { postalCodes: ['392 31', 'SE-671 31'] };
    // Act / Assess
    expect(addressInArea(at('Var som helst', '1', '39231'), area)).toBe(true);
    expect(addressInArea(at('Var som helst', '1', '671 31'), area)).toBe(true);
    expect(addressInArea(at('Var som helst', '1', '392 32'), area)).toBe(false);
  });

  it('matches a polygon with a hole on the location only', () => {
    // Prepare
    const area: OutageArea = {
      polygon: { type: 'Polygon', coordinates: [rectangle(16.3, 56.6, 16.4, 56.7), rectangle(16.34, 56.64, 16.36, 56.66)] },
    };
    const entry = (location?: Position) => ({ ...at('Storgatan', '1'), ...(location ? { location } : {}) });
    // Act / Assess
    expect(addressInArea(entry([16.32, 56.62]), area)).toBe(true);
    expect(addressInArea(entry([16.35, 56.65]), area)).toBe(false);
    expect(addressInArea(entry([16.45, 56.65]), area)).toBe(false);
    expect(addressInArea(entry(), area)).toBe(false);
  });

  it('matches any of several selectors', () => {
    // Prepare
    const area: OutageArea = { streets: [{ street: 'Storgatan', from: 1, to: 3 }], postalCodes: ['67131'] };
    // Act / Assess
    expect(addressInArea(at('Storgatan', '2'), area)).toBe(true);
    expect(addressInArea(at('Kungsgatan', '2', '671 31'), area)).toBe(true);
    expect(addressInArea(at('Kungsgatan', '2'), area)).toBe(false);
  });

  it('matches a point inside a random rectangle and not one outside (property)', () => {
    const rectangleWithPoints = fc
      .record({
        west: fc.double({ min: -170, max: 160, noNaN: true }),
        south: fc.double({ min: -80, max: 70, noNaN: true }),
        width: fc.double({ min: 0.001, max: 10, noNaN: true }),
        height: fc.double({ min: 0.001, max: 10, noNaN: true }),
        insideX: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        insideY: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        outsideX: fc.oneof(fc.double({ min: -2, max: -0.01, noNaN: true }), fc.double({ min: 1.01, max: 3, noNaN: true })),
        outsideY: fc.double({ min: -2, max: 3, noNaN: true }),
      })
      .map((r) => ({
        polygon: { type: 'Polygon', coordinates: [rectangle(r.west, r.south, r.west + r.width, r.south + r.height)] } as GeoJsonPolygon,
        inside: [r.west + r.insideX * r.width, r.south + r.insideY * r.height] as Position,
        outside: [r.west + r.outsideX * r.width, r.south + r.outsideY * r.height] as Position,
      }));
    fc.assert(
      fc.property(rectangleWithPoints, ({ polygon, inside, outside }) => {
        // Prepare
        const area: OutageArea = { polygon };
        // Act / Assess
        expect(validateArea(area)).toEqual([]);
        expect(addressInArea({ ...at('Storgatan', '1'), location: inside }, area)).toBe(true);
        expect(addressInArea({ ...at('Storgatan', '1'), location: outside }, area)).toBe(false);
      }),
    );
  });

  it('handles a concave polygon', () => {
    // Prepare: a U shape, open to the north
    const u: GeoJsonPolygon = {
      type: 'Polygon',
      coordinates: [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]],
    };
    // Act / Assess
    expect(pointInPolygon([0.5, 2], u)).toBe(true);
    expect(pointInPolygon([1.5, 2], u)).toBe(false);
    expect(pointInPolygon([1.5, 0.5], u)).toBe(true);
  });
});

describe('validateArea', () => {
  const ring = rectangle(16.3, 56.6, 16.4, 56.7);

  it('accepts each kind of selector', () => {
    expect(validateArea({ addresses: [{ street: 'Storgatan', number: '1B', postalCode: '39231', city: 'Kalmar' }] })).toEqual([]);
    expect(validateArea({ streets: [{ street: 'Storgatan', from: 1, to: 1, side: 'odd' }] })).toEqual([]);
    expect(validateArea({ postalCodes: ['392 31'] })).toEqual([]);
    expect(validateArea({ polygon: { type: 'Polygon', coordinates: [ring] } })).toEqual([]);
  });

  it.each([{}, { addresses: [], streets: [], postalCodes: [] }])('rejects an area that selects nothing: %j', (area) => {
    // Act
    const errors = validateArea(area);
    // Assess
    expect(errors).toEqual([{ path: 'area', message: 'names no addresses, streets, postal codes or polygon' }]);
  });

  it('rejects a street range with from > to, and bad numbers and sides', () => {
    // Prepare
    const area = { streets: [{ street: 'Storgatan', from: 5, to: 3 }, { street: ' ', from: 0, side: 'both' }] } as unknown as OutageArea;
    // Act
    const paths = validateArea(area).map((error) => error.path);
    // Assess
    expect(paths).toEqual(['area.streets.0.from', 'area.streets.1.street', 'area.streets.1.from', 'area.streets.1.side']);
  });

  it('rejects bad listed addresses and postal codes', () => {
    // Prepare
    const area = {
      addresses: [{ street: '', number: 'x', postalCode: ' ', city: 'Kalmar' }],
      postalCodes: [' '],
    } as OutageArea;
    // Act
    const paths = validateArea(area).map((error) => error.path);
    // Assess
    expect(paths).toEqual(['area.addresses.0.street', 'area.addresses.0.number', 'area.addresses.0.postalCode', 'area.postalCodes.0']);
  });

  it.each<[string, unknown, string[]]>([
    ['an unclosed ring', { type: 'Polygon', coordinates: [ring.slice(0, 4)] }, ['area.polygon.coordinates.0']],
    ['too few positions', { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [0, 0]]] }, ['area.polygon.coordinates.0']],
    ['longitude out of range', { type: 'Polygon', coordinates: [rectangle(179, 0, 181, 1)] }, ['area.polygon.coordinates.0.1.0', 'area.polygon.coordinates.0.2.0']],
    ['latitude out of range', { type: 'Polygon', coordinates: [rectangle(0, 89, 1, 91)] }, ['area.polygon.coordinates.0.2.1', 'area.polygon.coordinates.0.3.1']],
    ['a position that is not one', { type: 'Polygon', coordinates: [[[0, 0], [1, 'x'], [1, 1], [0, 0]]] }, ['area.polygon.coordinates.0.1']],
    ['a ring that is not a list', { type: 'Polygon', coordinates: ['ring'] }, ['area.polygon.coordinates.0']],
    ['no rings', { type: 'Polygon', coordinates: [] }, ['area.polygon.coordinates']],
    ['the wrong type', { type: 'MultiPolygon', coordinates: [ring] }, ['area.polygon.type']],
    ['not an object', 'POLYGON((0 0))', ['area.polygon']],
  ])('rejects a polygon with %s', (_name, polygon, expected) => {
    // Prepare
    const area = { polygon } as unknown as OutageArea;
    // Act
    const errors = validateArea(area);
    // Assess
    expect(errors.map((error) => error.path)).toEqual(expected);
  });

  it('names a broken hole by its ring index', () => {
    // Prepare
    const area: OutageArea = { polygon: { type: 'Polygon', coordinates: [ring, rectangle(16.34, 56.64, 16.36, 56.66).slice(0, 4)] } };
    // Act
    const errors = validateArea(area);
    // Assess
    expect(errors).toEqual([{ path: 'area.polygon.coordinates.1', message: 'the ring does not close: the last position must equal the first' }]);
  });
});

describe('geohash', () => {
  it.each<[Position, number, string]>([
    [[-5.6, 42.6], 5, 'ezs42'],
    [[-5.603027, 42.605], 6, 'ezs42s'],
    [[10.40744, 57.64911], 11, 'u4pruydqqvj'],
    [[0, 0], 1, 's'],
    [[-180, -90], 4, '0000'],
    [[180, 90], 4, 'zzzz'],
    [[16.3616, 56.6634], 7, 'u65dk76'],
  ])('%j at precision %d is %s', (position, precision, expected) => {
    // Act / Assess
    expect(geohash(position, precision)).toBe(expected);
  });

  it('refuses a precision outside 1..12', () => {
    expect(() => geohash([0, 0], 0)).toThrow(RangeError);
    expect(() => geohash([0, 0], 13)).toThrow(RangeError);
  });
});

describe('areaIndexKeys', () => {
  it('lists normalised address keys, streets and postal codes once each', () => {
    // Prepare
    const area: OutageArea = {
      addresses: [
        { street: 'Storgatan', number: '1A', postalCode: '39231', city: 'Kalmar' },
        { street: 'STORGATAN', number: '1', letter: 'a', postalCode: '392 31', city: 'Kalmar' },
      ],
      streets: [{ street: 'Ängsvägen' }, { street: 'ÄNGSVÄGEN ', from: 2, to: 8 }, { street: 'Ängsvägen', postalCode: '392 31' }],
      postalCodes: ['392 31', '39231', 'SE-671 31'],
    };
    // Act
    const keys = areaIndexKeys(area);
    // Assess
    expect(keys).toEqual({
      addressKeys: ['storgatan|1|a|39231'],
      streetKeys: [{ street: 'ängsvägen' }, { street: 'ängsvägen', postalCode: '39231' }],
      postalCodes: ['39231', '67131'],
      geoCells: [],
    });
  });

  it('covers a small polygon in 6-character cells', () => {
    // Prepare
    const area: OutageArea = { polygon: { type: 'Polygon', coordinates: [rectangle(16.35, 56.65, 16.37, 56.67)] } };
    // Act
    const { geoCells } = areaIndexKeys(area);
    // Assess
    expect(geoCells.length).toBeGreaterThan(0);
    expect(geoCells.length).toBeLessThanOrEqual(maxGeoCells);
    expect(geoCells.every((cell) => cell.length === 6)).toBe(true);
    expect(geoCells).toContain(geohash([16.36, 56.66], 6));
  });

  it('lists at most 64 cells, coarser for a large polygon', () => {
    // Prepare
    const area: OutageArea = { polygon: { type: 'Polygon', coordinates: [rectangle(11, 55, 24, 69)] } };
    // Act
    const { geoCells } = areaIndexKeys(area);
    // Assess
    expect(geoCells.length).toBeLessThanOrEqual(maxGeoCells);
    expect(new Set(geoCells.map((cell) => cell.length)).size).toBe(1);
    expect(geoCells[0]?.length).toBeLessThan(6);
  });

  it('puts every point of the bounding box in one of the cells (property)', () => {
    const boxWithPoint = fc
      .record({
        west: fc.double({ min: -180, max: 179, noNaN: true }),
        south: fc.double({ min: -90, max: 89, noNaN: true }),
        width: fc.double({ min: 0, max: 1, noNaN: true }).map((w) => w ** 3 * 40),
        height: fc.double({ min: 0, max: 1, noNaN: true }).map((h) => h ** 3 * 20),
        x: fc.double({ min: 0, max: 1, noNaN: true }),
        y: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      .map((r) => {
        const [east, north] = [Math.min(180, r.west + r.width), Math.min(90, r.south + r.height)];
        return {
          polygon: { type: 'Polygon', coordinates: [rectangle(r.west, r.south, east, north)] } as GeoJsonPolygon,
          point: [Math.min(east, r.west + r.x * (east - r.west)), Math.min(north, r.south + r.y * (north - r.south))] as Position,
        };
      });
    fc.assert(
      fc.property(boxWithPoint, ({ polygon, point }) => {
        // Act
        const { geoCells } = areaIndexKeys({ polygon });
        // Assess
        expect(geoCells.length).toBeGreaterThan(0);
        expect(geoCells.length).toBeLessThanOrEqual(maxGeoCells);
        const hash = geohash(point, 9);
        expect(geoCells.some((cell) => hash.startsWith(cell))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
