/** Check-digit arithmetic shared by the national identity number parsers. */

/**
 * Luhn / modulus 10 with weights 2,1 from the right (ISO/IEC 7812-1), as Skatteverket and
 * Bolagsverket use it: true when the last digit of `digits` is the correct check digit.
 */
export function hasValidLuhnCheckDigit(digits: string): boolean {
  let sum = 0;
  for (let fromRight = 0; fromRight < digits.length; fromRight++) {
    const digit = Number(digits.charAt(digits.length - 1 - fromRight));
    const weighted = fromRight % 2 === 1 ? digit * 2 : digit;
    sum += weighted > 9 ? weighted - 9 : weighted;
  }
  return sum % 10 === 0;
}

/** Σ digit × weight over the leading digits of `digits`, the base of every modulus-11 check. */
export function weightedDigitSum(digits: string, weights: readonly number[]): number {
  return weights.reduce((sum, weight, index) => sum + weight * Number(digits.charAt(index)), 0);
}
