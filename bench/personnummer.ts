/** Fresh, valid Swedish personnummer for the POST load: one per call, never repeated in a run. */
import { parseNationalId } from '../lambdas/domain/ids/index.js';

/** Luhn (weights 2,1,2,... from the left over nine digits): the tenth digit. */
function luhnCheckDigit(nineDigits: string): number {
  let sum = 0;
  for (let i = 0; i < nineDigits.length; i++) {
    const weighted = Number(nineDigits[i]) * (i % 2 === 0 ? 2 : 1);
    sum += weighted > 9 ? weighted - 9 : weighted;
  }
  return (10 - (sum % 10)) % 10;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * YYYYMMDD-NNNC from 1950-01-01 on, serials 000..999 per day (365,000 a year). Each is
 * checked with the service's own parser, so a generator bug fails loudly, not as 422s.
 */
export function* personnummers(today = new Date()): Generator<string> {
  for (let day = Date.UTC(1950, 0, 1); ; day += 86_400_000) {
    const date = new Date(day);
    const yyyy = pad(date.getUTCFullYear(), 4);
    const mmdd = pad(date.getUTCMonth() + 1, 2) + pad(date.getUTCDate(), 2);
    for (let serial = 0; serial < 1000; serial++) {
      const nine = yyyy.slice(2) + mmdd + pad(serial, 3);
      const id = `${yyyy}${mmdd}-${pad(serial, 3)}${luhnCheckDigit(nine)}`;
      const parsed = parseNationalId('SE', id, today);
      if (!parsed.ok || parsed.type !== 'personnummer') throw new Error(`generated an invalid personnummer ${id}`);
      yield id;
    }
  }
}
