/**
 * Check digits computed independently of lambdas/domain/ids, straight from each published
 * formula, so property tests can build valid numbers without trusting the code under test.
 */

/** Luhn digit to append to `payload`: the rightmost payload digit is doubled (table lookup). */
export function luhnCheckDigit(payload: string): number {
  const doubled = '0246813579';
  let sum = 0;
  [...payload].reverse().forEach((character, fromRight) => {
    sum += fromRight % 2 === 0 ? Number(doubled.charAt(Number(character))) : Number(character);
  });
  return (10 - (sum % 10)) % 10;
}

/** HETU control character: DDMMYYNNN mod 31 looked up in DVV's alphabet. */
export function hetuControlCharacter(datePart: string, individualNumber: string): string {
  return '0123456789ABCDEFHJKLMNPRSTUVWXY'.charAt(Number(datePart + individualNumber) % 31);
}

/** Y-tunnus check digit (weights 7,9,10,5,8,4,2), or undefined when the remainder is 1. */
export function yTunnusCheckDigit(body: string): number | undefined {
  return elevenMinusRemainder(body, [7, 9, 10, 5, 8, 4, 2]);
}

/** Organisasjonsnummer check digit (weights 3,2,7,6,5,4,3,2), or undefined when it would be 10. */
export function organisasjonsnummerCheckDigit(body: string): number | undefined {
  return elevenMinusRemainder(body, [3, 2, 7, 6, 5, 4, 3, 2]);
}

/**
 * Both control digits of a fødselsnummer or D-nummer, as Skatteetaten writes them:
 * k1 = (11 + k1Variant) − S1 mod 11 with k1Variant 0 before 2032 and 0–3 from 2032, then
 * k2 = 11 − S2 mod 11 (11 read as 0). Undefined when either would be 10.
 */
export function norwegianControlDigits(nineDigits: string, k1Variant: number): string | undefined {
  const s1 = weighted(nineDigits, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  const k1 = (11 + k1Variant - (s1 % 11)) % 11;
  if (k1 === 10) return undefined;
  const k2 = elevenMinusRemainder(`${nineDigits}${k1}`, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  return k2 === undefined ? undefined : `${k1}${k2}`;
}

function elevenMinusRemainder(body: string, weights: number[]): number | undefined {
  const digit = (11 - (weighted(body, weights) % 11)) % 11;
  return digit === 10 ? undefined : digit;
}

function weighted(digits: string, weights: number[]): number {
  let sum = 0;
  for (let index = 0; index < weights.length; index++) {
    sum += Number(digits.charAt(index)) * (weights[index] ?? 0);
  }
  return sum;
}
