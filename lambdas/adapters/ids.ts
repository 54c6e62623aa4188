/** Random ids: a prefix and 16 base-32 characters (80 bits), e.g. `cus_0h3kq9...`. */
import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../domain/customers/ports.js';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export const randomIds: IdGenerator = {
  newId(prefix: string): string {
    const bytes = randomBytes(10);
    let bits = 0;
    let value = 0;
    let out = '';
    for (const byte of bytes) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += alphabet[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    return `${prefix}_${out}`;
  },
};
