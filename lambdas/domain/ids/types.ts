/** Result types shared by the national identity number parsers (R-SE-3). */

export type Country = 'SE' | 'FI' | 'NO';

export type NationalIdType =
  | 'personnummer'
  | 'samordningsnummer'
  | 'organisationsnummer'
  | 'hetu'
  | 'y-tunnus'
  | 'fodselsnummer'
  | 'd-nummer'
  | 'organisasjonsnummer';

export type NationalIdResult =
  | {
      ok: true;
      country: Country;
      type: NationalIdType;
      holder: 'person' | 'organisation';
      canonical: string;
      /** YYYY-MM-DD for persons, when the number encodes the century. */
      birthDate?: string;
    }
  | { ok: false; reason: string };

/** User-facing reasons that more than one country's parser gives. */
export const reasons = {
  checksum: 'checksum digit does not match',
  date: 'not a valid date',
  futureBirthDate: 'birth date is in the future',
} as const;

/** A rejected number with a short, user-facing English reason. */
export function invalid(reason: string): NationalIdResult {
  return { ok: false, reason };
}
