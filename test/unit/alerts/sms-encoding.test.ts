// SMS encoding and segmentation: GSM-7 vs UCS-2, the concatenation boundaries, cost.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  estimateCost,
  isGsm7,
  measureSms,
  nonGsmCharacters,
  smsCapacity,
  splitIntoSegments,
  toGsmLookalikes,
} from '../../../lambdas/domain/alerts/sms-encoding.js';

const gsmBasic =
  '@£$¥èéùìòÇç\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsmExtension = '\f^{}\\[~]|€';

describe('GSM-7 or UCS-2', () => {
  it('counts the whole default alphabet as one unit per character', () => {
    // Prepare
    const text = gsmBasic;
    // Act
    const measure = measureSms(text);
    // Assess
    expect(measure).toEqual({ encoding: 'GSM-7', units: 128, segments: 1, charactersPerSegment: 160 });
  });

  it('counts each extension character as two units', () => {
    // Prepare
    const text = gsmExtension;
    // Act
    const measure = measureSms(text);
    // Assess
    expect(measure).toEqual({ encoding: 'GSM-7', units: 20, segments: 1, charactersPerSegment: 160 });
  });

  it.each([
    ['Swedish', 'Vattenläcka på Storgatan, vattnet är avstängt. Åtgärdas i dag.'],
    ['Finnish', 'Vesikatko: ä ö å, vedenjakelu keskeytyy Keuruun keskustassa.'],
    ['Norwegian', 'Æ ø å: vannet er stengt i Brugata fra kl. 9, Løst snart.'],
    ['Greek capitals and symbols', 'ΔΦΓΛΩΠΨΣΘΞ £¥§¿¡ ß Ñ ñ Ü ü é É à ò ù ì ç'],
  ])('%s letters stay GSM-7', (_, text) => {
    // Act
    const measure = measureSms(text);
    // Assess
    expect(measure.encoding).toBe('GSM-7');
    expect(measure.units).toBe(Array.from(text).length);
  });

  it.each([
    ['an emoji', 'Vattnet är tillbaka 🙂', 2],
    ['š (Finnish loanwords)', 'šekki', 1],
    ['ž', 'Ženeve', 1],
    ['a lower-case Greek letter', 'α', 1],
    ['a curly apostrophe', 'it’s', 1],
    ['a decomposed ä (a + U+0308)', 'a\u0308', 1],
  ])('%s switches to UCS-2, counted in UTF-16 code units', (_, text, extraUnits) => {
    // Act
    const measure = measureSms(text);
    // Assess
    expect(measure.encoding).toBe('UCS-2');
    expect(measure.units).toBe(Array.from(text).length - 1 + extraUnits);
    expect(measure.charactersPerSegment).toBe(70);
  });

  it('names the characters that force UCS-2', () => {
    // Act
    const culprits = nonGsmCharacters('šekki 🙂 šekki');
    // Assess
    expect(culprits).toEqual(['š', '🙂']);
  });

  it('measures the empty text as one GSM-7 segment of no units', () => {
    // Act
    const measure = measureSms('');
    // Assess
    expect(measure).toEqual({ encoding: 'GSM-7', units: 0, segments: 1, charactersPerSegment: 160 });
  });
});

describe('segment boundaries', () => {
  it.each([
    [160, 1, 160],
    [161, 2, 153],
    [153 * 2, 2, 153],
    [153 * 2 + 1, 3, 153],
  ])('%i GSM-7 characters make %i segment(s)', (length, segments, perSegment) => {
    // Prepare
    const text = 'a'.repeat(length);
    // Act
    const measure = measureSms(text);
    // Assess
    expect(measure).toEqual({ encoding: 'GSM-7', units: length, segments, charactersPerSegment: perSegment });
  });

  it.each([
    [70, 1, 70],
    [71, 2, 67],
    [134, 2, 67],
    [135, 3, 67],
  ])('%i UCS-2 characters make %i segment(s)', (length, segments, perSegment) => {
    // Prepare
    const text = 'š'.repeat(length);
    // Act
    const measure = measureSms(text);
    // Assess
    expect(measure).toEqual({ encoding: 'UCS-2', units: length, segments, charactersPerSegment: perSegment });
  });

  it('fits 158 characters and one extension character in one SMS', () => {
    // Prepare
    const text = `${'a'.repeat(158)}€`;
    // Act
    const measure = measureSms(text);
    // Assess
    expect(measure).toMatchObject({ units: 160, segments: 1 });
  });

  it('moves an extension character that would straddle the 153 boundary to the next segment', () => {
    // Prepare: 152 + 2 + 152 = 306 units = 2 × 153, but the € cannot be split
    const text = `${'a'.repeat(152)}€${'b'.repeat(152)}`;
    // Act
    const measure = measureSms(text);
    const parts = splitIntoSegments(text);
    // Assess
    expect(measure).toMatchObject({ encoding: 'GSM-7', units: 306, segments: 3 });
    expect(parts[0]).toBe('a'.repeat(152));
    expect(parts[1]).toBe(`€${'b'.repeat(151)}`);
    expect(parts[2]).toBe('b');
  });

  it('keeps an extension character that ends exactly at 153 in its segment', () => {
    // Prepare
    const text = `${'a'.repeat(151)}€${'b'.repeat(153)}`;
    // Act
    const measure = measureSms(text);
    // Assess
    expect(measure).toMatchObject({ units: 306, segments: 2 });
    expect(splitIntoSegments(text)[0]).toBe(`${'a'.repeat(151)}€`);
  });

  it('never splits an emoji (a surrogate pair) across UCS-2 segments', () => {
    // Prepare: 66 units, then an emoji that would take units 67 and 68
    const text = `${'š'.repeat(66)}🙂${'š'.repeat(66)}`;
    // Act
    const measure = measureSms(text);
    const parts = splitIntoSegments(text);
    // Assess
    expect(measure).toMatchObject({ encoding: 'UCS-2', units: 134, segments: 3 });
    expect(parts.map((part) => part.length)).toEqual([66, 67, 1]);
    expect(parts.join('')).toBe(text);
  });

  it('fits 35 emoji (70 code units) in one SMS, 36 in two', () => {
    // Act
    const fits = measureSms('🙂'.repeat(35));
    const overflows = measureSms('🙂'.repeat(36));
    // Assess
    expect(fits).toMatchObject({ units: 70, segments: 1 });
    expect(overflows).toMatchObject({ units: 72, segments: 2 });
  });
});

describe('segmentation properties', () => {
  const gsmCharacter = fc.constantFrom(...Array.from(gsmBasic + gsmExtension));
  const anyCharacter = fc.oneof(gsmCharacter, fc.constantFrom('š', 'ž', '🙂', '👍🏽', '中', '’'));

  it('gives every unit room, splits only when needed and loses nothing', () => {
    fc.assert(
      fc.property(fc.array(anyCharacter, { maxLength: 700 }), (characters) => {
        // Prepare
        const text = characters.join('');
        // Act
        const measure = measureSms(text);
        const parts = splitIntoSegments(text);
        // Assess
        const capacity = smsCapacity[measure.encoding];
        expect(measure.segments * measure.charactersPerSegment).toBeGreaterThanOrEqual(measure.units);
        expect(measure.segments === 1).toBe(measure.units <= capacity.single);
        expect(parts).toHaveLength(measure.segments);
        expect(parts.join('')).toBe(text);
        for (const part of parts) expect(measureSms(part).units).toBeLessThanOrEqual(measure.charactersPerSegment);
        expect(measure.encoding === 'GSM-7').toBe(isGsm7(text));
      }),
    );
  });

  it('uses the fewest segments for plain GSM-7 text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...Array.from(gsmBasic)), { maxLength: 1200 }), (characters) => {
        // Prepare
        const text = characters.join('');
        // Act
        const measure = measureSms(text);
        // Assess
        const minimal = text.length <= 160 ? 1 : Math.ceil(text.length / 153);
        expect(measure).toEqual({ encoding: 'GSM-7', units: text.length, segments: minimal, charactersPerSegment: text.length <= 160 ? 160 : 153 });
      }),
    );
  });
});

describe('typographic look-alikes', () => {
  it('turns word-processor punctuation into GSM-7', () => {
    // Prepare
    const typed = '“Koka” – it’s… ok\u00A0now';
    // Act
    const tidy = toGsmLookalikes(typed);
    // Assess
    expect(tidy).toBe('"Koka" - it\'s... ok now');
    expect(isGsm7(tidy)).toBe(true);
  });
});

describe('cost', () => {
  it('multiplies segments, recipients and the price in minor units', () => {
    // Act
    const cost = estimateCost(3, 1250, { amount: 45, currency: 'SEK' });
    // Assess
    expect(cost).toEqual({ amount: 168_750, currency: 'SEK' });
  });

  it.each([
    [1.5, 10, 45],
    [-1, 10, 45],
    [1, 10, 4.5],
    [Number.MAX_SAFE_INTEGER, 2, 1],
  ])('refuses %p segments × %p recipients × %p', (segments, recipients, amount) => {
    // Act / Assess
    expect(() => estimateCost(segments, recipients, { amount, currency: 'EUR' })).toThrow(RangeError);
  });
});
