// Address normalisation and keys (R-SMS-2: recipients are found by address).
import { describe, expect, it } from '@jest/globals';
import {
  addressKey,
  normaliseCity,
  normalisePostalCode,
  normaliseStreet,
  parseHouseNumber,
  postalCodeIndexKey,
  streetIndexKey,
  streetNameIndexKey,
} from '../../../lambdas/domain/alerts/address.js';
import type { PropertyAddress } from '../../../lambdas/domain/alerts/types.js';

describe('normaliseStreet', () => {
  it.each([
    ['Storgatan', 'storgatan'],
    ['  STORGATAN  ', 'storgatan'],
    ['Lilla   Torget', 'lilla torget'],
    ['Östra Ågatan', 'östra ågatan'],
    ['ÄNGSVÄGEN', 'ängsvägen'],
    ['Æblehaven', 'æblehaven'],
    ['Øvre Slottsgate', 'øvre slottsgate'],
    ['Storgatan.', 'storgatan'],
    ['Storg.', 'storgatan'],
    ['Kungsv.', 'kungsvägen'],
    ['Kungsväg.', 'kungsväg'],
    ['Storg', 'storg'],
    ['Tåg\tvägen', 'tåg vägen'],
  ])('%j → %j', (input, expected) => {
    // Act
    const normalised = normaliseStreet(input);
    // Assess
    expect(normalised).toBe(expected);
  });

  it('reads decomposed å (a + ring) as the precomposed letter', () => {
    // Prepare
    const decomposed = 'A\u030Agatan';
    // Act / Assess
    expect(normaliseStreet(decomposed)).toBe('ågatan');
    expect(normaliseStreet(decomposed)).toBe(normaliseStreet('Ågatan'));
  });

  it('treats the abbreviations as the full words', () => {
    expect(normaliseStreet('Drottningg.')).toBe(normaliseStreet('Drottninggatan'));
    expect(normaliseStreet('Ringv.')).toBe(normaliseStreet('RINGVÄGEN'));
  });

  it('does not expand a free-standing g. or v.', () => {
    expect(normaliseStreet('Stora g.')).toBe('stora g');
  });
});

describe('normalisePostalCode', () => {
  it.each([
    ['671 31', '67131'],
    ['67131', '67131'],
    [' 671  31 ', '67131'],
    ['SE-671 31', '67131'],
    ['se-67131', '67131'],
    ['FI-42700', '42700'],
    ['NO-3520', '3520'],
    ['3520', '3520'],
  ])('%j → %j', (input, expected) => {
    // Act / Assess
    expect(normalisePostalCode(input)).toBe(expected);
  });
});

describe('normaliseCity', () => {
  it('ignores case and spacing, keeps the letters', () => {
    expect(normaliseCity(' KALMAR ')).toBe('kalmar');
    expect(normaliseCity('Malmö')).toBe(normaliseCity('MALMÖ'));
  });
});

describe('parseHouseNumber', () => {
  it.each([
    ['12', { number: 12 }],
    ['12B', { number: 12, letter: 'b' }],
    ['12 b', { number: 12, letter: 'b' }],
    [' 7 ', { number: 7 }],
    ['007', { number: 7 }],
    ['3Å', { number: 3, letter: 'å' }],
  ])('%j → %j', (input, expected) => {
    // Act / Assess
    expect(parseHouseNumber(input)).toEqual(expected);
  });

  it.each(['', 'B', '12-14', '12AB', '0', '1,5', 'tolv'])('%j is not a house number', (input) => {
    expect(parseHouseNumber(input)).toBeUndefined();
  });
});

describe('addressKey', () => {
  const base: PropertyAddress = { street: 'Storgatan', number: '1', letter: 'A', postalCode: '671 31', city: 'Arvika' };

  it('is street|number|letter|postalCode', () => {
    // Act
    const key = addressKey(base);
    // Assess
    expect(key).toBe('storgatan|1|a|67131');
  });

  it('ignores case, spaces in the postal code, the letter case and the city', () => {
    // Prepare
    const variants: PropertyAddress[] = [
      { street: 'STORGATAN ', number: ' 1', letter: 'a', postalCode: '67131', city: 'ARVIKA' },
      { street: 'Storg.', number: '1A', postalCode: 'SE-671 31', city: 'Arvika C' },
      { street: 'storgatan', number: '1 a', postalCode: '671 31', city: '' },
    ];
    // Act
    const keys = variants.map(addressKey);
    // Assess
    expect(new Set(keys)).toEqual(new Set(['storgatan|1|a|67131']));
  });

  it('keeps different letters, numbers and postal codes apart', () => {
    // Act
    const keys = [
      base,
      { ...base, letter: 'B' },
      { ...base, letter: undefined },
      { ...base, number: '11' },
      { ...base, postalCode: '671 32' },
      { ...base, street: 'Storgången' },
    ].map(addressKey);
    // Assess
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[2]).toBe('storgatan|1||67131');
  });

  it('keeps a number that is not a house number as text', () => {
    expect(addressKey({ ...base, number: '1 - 3', letter: undefined })).toBe('storgatan|1 - 3||67131');
  });
});

describe('index keys', () => {
  it('street with postal code, street alone, postal code', () => {
    // Prepare
    const address: PropertyAddress = { street: ' Ängsvägen ', number: '4', postalCode: '392 31', city: 'Kalmar' };
    // Act / Assess
    expect(streetIndexKey(address)).toBe('ängsvägen|39231');
    expect(streetNameIndexKey(address)).toBe('ängsvägen');
    expect(postalCodeIndexKey(address)).toBe('39231');
  });
});
