/**
 * The size DynamoDB counts for an item (its 400 KB limit): each attribute name's UTF-8 length
 * plus its value's (strings: UTF-8 bytes; numbers: about one byte per two significant digits plus
 * one; booleans and null: 1; lists and maps: 3 bytes plus one per element plus the elements, map
 * keys counted as names). Used by test/integration/dunning/bounded.test.ts and bench/scale-winter.ts.
 */
export function itemSize(item: Record<string, unknown>): number {
  const value = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
    if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.-]/g, '').replace(/^0+/, '').length / 2) + 1;
    if (typeof v === 'boolean' || v === null) return 1;
    if (Array.isArray(v)) return 3 + v.reduce((sum: number, e) => sum + 1 + value(e), 0);
    if (v instanceof Set) return [...v].reduce((sum: number, e) => sum + value(e), 0);
    if (typeof v === 'object') return 3 + Object.entries(v as object).reduce((sum, [k, e]) => sum + 1 + Buffer.byteLength(k, 'utf8') + value(e), 0);
    return 0;
  };
  return Object.entries(item).reduce((sum, [k, v]) => sum + Buffer.byteLength(k, 'utf8') + value(v), 0);
}
