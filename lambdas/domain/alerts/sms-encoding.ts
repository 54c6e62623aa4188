/**
 * SMS length and cost (R-SMS-1, R-SMS-6; API.md `POST /v1/outages` answers `segments` and `encoding`).
 *
 * An SMS carries 140 octets: 160 GSM-7 septets, or 70 UCS-2 (UTF-16) code units. A longer text is
 * sent as a concatenated SMS whose parts lose room to the concatenation header: 153 septets or
 * 67 code units each. Operators bill per part ("segment").
 *
 * Decisions:
 * - Only the GSM 03.38 default alphabet and its extension table are used; the national language
 *   shift tables (Turkish, Spanish, Portuguese, Indian languages) are not, since Nordic operators do
 *   not rely on them. Any character outside the two tables makes the whole text UCS-2.
 * - 0x09 of the default alphabet is drawn as "Ç" in 3GPP TS 23.038 but is meant for "ç" as well
 *   (see the Unicode GSM0338 mapping notes); both count as one GSM-7 unit. A handset may show "ç" as "Ç".
 * - In a concatenated GSM-7 text an escape pair (a 2-unit extension character such as "€") is never
 *   split: a pair that would straddle a 153-unit boundary starts the next part, leaving that part
 *   at 152 units. Likewise a UTF-16 surrogate pair (an emoji) is never split across UCS-2 parts.
 *   A text that fits one SMS (≤ 160 / ≤ 70 units) is never split, whatever it contains.
 * - The empty text measures as 1 segment of 0 units in GSM-7: sending it would still cost one SMS.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsMeasure {
  encoding: SmsEncoding;
  /** GSM-7 septets (extension characters count 2) or UTF-16 code units (an emoji counts 2). */
  units: number;
  segments: number;
  /** The room of each segment: 160 / 70 for a single SMS, 153 / 67 per part when concatenated. */
  charactersPerSegment: number;
}

export const smsCapacity = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
} as const satisfies Record<SmsEncoding, { single: number; concatenated: number }>;

/** GSM 03.38 default alphabet (one septet each), by rows of the 3GPP TS 23.038 table; 0x1B (escape) left out. */
const gsmBasic = new Set(
  Array.from(
    [
      '@£$¥èéùìòÇ\nØø\rÅå', // 0x00-0x0F
      'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ', // 0x10-0x1F
      ' !"#¤%&\'()*+,-./0123456789:;<=>?', // 0x20-0x3F
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§', // 0x40-0x5F
      '¿abcdefghijklmnopqrstuvwxyzäöñüà', // 0x60-0x7F
      'ç', // also 0x09 (see above)
    ].join(''),
  ),
);

/** GSM 03.38 extension table: escape + one septet, so two units each. */
const gsmExtension = new Set(Array.from('\f^{}\\[~]|€'));

/** Units one character takes in GSM-7, or undefined when it has no GSM-7 form. */
function gsmUnits(character: string): 1 | 2 | undefined {
  if (gsmBasic.has(character)) return 1;
  if (gsmExtension.has(character)) return 2;
  return undefined;
}

/** True when every character of `text` exists in the GSM-7 default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (const character of text) {
    if (gsmUnits(character) === undefined) return false;
  }
  return true;
}

/** The distinct characters of `text` that have no GSM-7 form (what makes it UCS-2), in order of appearance. */
export function nonGsmCharacters(text: string): string[] {
  return [...new Set(Array.from(text).filter((character) => gsmUnits(character) === undefined))];
}

/** The text as indivisible pieces with their widths in the text's encoding. */
function pieces(text: string, encoding: SmsEncoding): { piece: string; width: number }[] {
  // for..of iterates code points: a surrogate pair is one piece of width 2 in UTF-16.
  return Array.from(text, (piece) => ({ piece, width: encoding === 'GSM-7' ? (gsmUnits(piece) ?? 2) : piece.length }));
}

/**
 * Splits the text the way a concatenated SMS carries it; [text] when it fits one SMS.
 * Greedy packing is optimal here: the parts keep the text's order, and a piece is at most 2 units.
 */
export function splitIntoSegments(text: string): string[] {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const capacity = smsCapacity[encoding];
  const all = pieces(text, encoding);
  const units = all.reduce((sum, { width }) => sum + width, 0);
  if (units <= capacity.single) return [text];
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const { piece, width } of all) {
    if (used + width > capacity.concatenated) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += piece;
    used += width;
  }
  parts.push(current);
  return parts;
}

/** Encoding, length in units and number of segments of an SMS text. */
export function measureSms(text: string): SmsMeasure {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const capacity = smsCapacity[encoding];
  const units = pieces(text, encoding).reduce((sum, { width }) => sum + width, 0);
  if (units <= capacity.single) {
    return { encoding, units, segments: 1, charactersPerSegment: capacity.single };
  }
  return { encoding, units, segments: splitIntoSegments(text).length, charactersPerSegment: capacity.concatenated };
}

export type SmsCurrency = 'SEK' | 'EUR' | 'NOK';

/** Money in integer minor units (öre, cents); the same shape as the customer domain's `Money`. */
export interface SmsCost {
  amount: number;
  currency: SmsCurrency;
}

/**
 * The cost of sending `segments` segments to each of `recipients` recipients, in integer minor units.
 * Throws RangeError for negative, fractional or unsafe inputs (a programming error, not user input).
 */
export function estimateCost(segments: number, recipients: number, pricePerSegment: { amount: number; currency: SmsCurrency }): SmsCost {
  for (const [name, value] of [
    ['segments', segments],
    ['recipients', recipients],
    ['pricePerSegment.amount', pricePerSegment.amount],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  const amount = segments * recipients * pricePerSegment.amount;
  if (!Number.isSafeInteger(amount)) throw new RangeError('the cost exceeds the safe integer range');
  return { amount, currency: pricePerSegment.currency };
}

/**
 * Typographic characters a word processor puts in, and their GSM-7 look-alikes. One curly quote
 * would make a whole message UCS-2 and cut each segment from 160 to 70 characters.
 */
const lookalikes: Record<string, string> = {
  '\u2018': "'", // ‘
  '\u2019': "'", // ’
  '\u201A': "'", // ‚
  '\u2032': "'", // ′
  '\u201C': '"', // “
  '\u201D': '"', // ”
  '\u201E': '"', // „
  '\u00AB': '"', // «
  '\u00BB': '"', // »
  '\u2013': '-', // – en dash
  '\u2014': '-', // — em dash
  '\u2212': '-', // − minus
  '\u2010': '-', // ‐ hyphen
  '\u2011': '-', // ‑ non-breaking hyphen
  '\u2026': '...', // …
  '\u00A0': ' ', // no-break space
  '\u202F': ' ', // narrow no-break space
  '\u2009': ' ', // thin space
  '\t': ' ',
};

const lookalikePattern = new RegExp(`[${Object.keys(lookalikes).join('')}]`, 'g');

/** Replaces typographic punctuation and odd spaces with GSM-7 look-alikes; other characters stay. */
export function toGsmLookalikes(text: string): string {
  return text.replace(lookalikePattern, (c) => lookalikes[c] ?? c);
}
