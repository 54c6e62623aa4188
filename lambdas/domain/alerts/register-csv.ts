/**
 * The address register's phone ↔ address list as CSV (R-SMS-2; API.md
 * `POST /v1/address-register/imports`): who is registered at which property address.
 *
 * The file: a header row naming the columns (any order, any case), `,` or `;` between fields
 * (whichever the header line uses), RFC 4180 quoting, CRLF or LF, UTF-8 with or without BOM or
 * Latin-1, blank lines skipped, unknown columns ignored. Each bad row is reported with its line
 * number and a reason; the good rows go in. Only a header without a required column fails the
 * whole file.
 */
import { ValidationError, type FieldError } from '../errors.js';
import { toE164 } from '../phone.js';
import { addressKey, normalisePostalCode, parseHouseNumber } from './address.js';
import type { Position, PropertyAddress } from './types.js';

export type RegisterCountry = 'SE' | 'FI' | 'NO';

export type RegisterColumn = 'phone' | 'street' | 'number' | 'letter' | 'postalCode' | 'city' | 'lat' | 'lon';

/**
 * The columns of the register file, for the README and the import API docs. Header names are
 * matched case-insensitively, ignoring spaces, `_` and `-` (so `postal_code`, `Postal Code` and
 * `POSTALCODE` all name `postalCode`). `letter` is optional because registers often write it into
 * the number ("12B"); `lat`/`lon` come together or not at all.
 */
export const addressRegisterColumns: readonly {
  readonly column: RegisterColumn;
  readonly required: boolean;
  readonly aliases: readonly string[];
  readonly description: string;
}[] = [
  { column: 'phone', required: true, aliases: ['phone'], description: 'Phone number in any common notation; national numbers read in the importing country. Stored as E.164.' },
  { column: 'street', required: true, aliases: ['street'], description: 'Street name of the property address.' },
  { column: 'number', required: true, aliases: ['number'], description: 'House number, e.g. "12" or "12B" (a letter here counts when the letter column is empty).' },
  { column: 'letter', required: false, aliases: ['letter'], description: 'Optional house letter, e.g. "B".' },
  { column: 'postalCode', required: true, aliases: ['postalcode'], description: 'Postal code; spaces and an "SE-"/"FI-"/"NO-" prefix are ignored ("671 31" = "67131").' },
  { column: 'city', required: true, aliases: ['city'], description: 'Postal town (shown to people; not used for matching).' },
  { column: 'lat', required: false, aliases: ['lat', 'latitude'], description: 'Optional WGS 84 latitude of a geocoded address (decimal point or comma).' },
  { column: 'lon', required: false, aliases: ['lon', 'lng', 'longitude'], description: 'Optional WGS 84 longitude of a geocoded address (decimal point or comma).' },
];

/** One person's phone registered at one property address. */
export interface RegisterEntry {
  /** Line of the file where the row starts (the header is line 1 when the file starts with it). */
  line: number;
  /** E.164. */
  phone: string;
  address: PropertyAddress;
  /** `addressKey(address)`. */
  key: string;
  /** [longitude, latitude] when the file has lat/lon columns and the row fills them. */
  location?: Position;
}

export interface RegisterCsvResult {
  rows: RegisterEntry[];
  rejected: { line: number; reason: string }[];
}

/** Postal code shapes by country: five digits in Sweden and Finland, four in Norway. */
const postalCodeShape: Record<RegisterCountry, RegExp> = { SE: /^\d{5}$/u, FI: /^\d{5}$/u, NO: /^\d{4}$/u };

/**
 * Reads the register file. Throws ValidationError (path `csv.header`) when the file is empty or
 * the header lacks a required column, and (path `csv`) when every line is rejected; otherwise
 * each problem rejects only its row.
 */
export function parseAddressRegisterCsv(input: Uint8Array, defaultCountry: RegisterCountry): RegisterCsvResult {
  const records = parseCsvRecords(decodeText(input));
  const header = records[0];
  if (!header) throw new ValidationError([{ path: 'csv.header', message: 'the file has no header row' }]);
  const columns = readHeader(header.fields);

  const rows: RegisterEntry[] = [];
  const rejected: { line: number; reason: string }[] = [];
  const firstLineOf = new Map<string, number>();
  for (const record of records.slice(1)) {
    const outcome = readRow(record, header.fields.length, columns, defaultCountry);
    if ('reason' in outcome) {
      rejected.push({ line: record.line, reason: outcome.reason });
      continue;
    }
    const identity = `${outcome.phone}|${outcome.key}`;
    const earlier = firstLineOf.get(identity);
    if (earlier !== undefined) {
      rejected.push({ line: record.line, reason: `duplicate of line ${earlier}` });
      continue;
    }
    firstLineOf.set(identity, record.line);
    rows.push(outcome);
  }
  if (rows.length === 0 && rejected.length > 0) {
    // Every line wrong (a wrong phone format throughout, another file): importing it would empty
    // the register and silence every alert, so the file is refused whole (R-SMS-2).
    throw new ValidationError(
      [
        { path: 'csv', message: `none of the file's ${rejected.length} lines is valid: the register is not replaced` },
        ...rejected.slice(0, 20).map(({ line, reason }) => ({ path: `csv.line ${line}`, message: reason })),
      ],
      `No line of the register file is valid (${rejected.length} rejected); the register is kept as it is.`,
    );
  }
  return { rows, rejected };
}

/** UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), otherwise Latin-1 (Windows-1252). */
function decodeText(input: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return new TextDecoder('latin1').decode(input);
  }
}

interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
  /** A quoting error that makes the record unreadable. */
  malformed?: string;
}

/**
 * RFC 4180 records: fields in double quotes may hold separators, line breaks and doubled quotes.
 * The separator is the one of `,` and `;` the first non-blank line uses more often outside quotes
 * (`,` on a tie). Blank lines, and lines of nothing but separators (spreadsheets export empty
 * rows as `;;;;`), are skipped but still counted for line numbers; fields are trimmed.
 */
function parseCsvRecords(text: string): CsvRecord[] {
  const separator = detectSeparator(text);
  const records: CsvRecord[] = [];
  let line = 1;
  let index = 0;
  while (index < text.length) {
    const record: CsvRecord = { line, fields: [] };
    let field = '';
    let sawQuote = false;
    let sawQuoteInRecord = false;
    let done = false;
    while (!done) {
      const char = text[index];
      if (char === undefined) {
        done = true;
      } else if (char === '"' && field.trim() === '' && !sawQuote) {
        // A quoted field: read to the closing quote.
        sawQuote = true;
        sawQuoteInRecord = true;
        field = '';
        index++;
        let closed = false;
        while (index < text.length) {
          const inner = text[index];
          if (inner === '"') {
            if (text[index + 1] === '"') {
              field += '"';
              index += 2;
              continue;
            }
            index++;
            closed = true;
            break;
          }
          if (inner === '\n') line++;
          field += inner;
          index++;
        }
        if (!closed) record.malformed ??= 'unterminated quoted field';
      } else if (char === separator) {
        record.fields.push(field.trim());
        field = '';
        sawQuote = false;
        index++;
      } else if (char === '\r' || char === '\n') {
        index += char === '\r' && text[index + 1] === '\n' ? 2 : 1;
        line++;
        done = true;
      } else {
        if (sawQuote && char.trim() !== '') record.malformed ??= 'text after a closing quote';
        field += char;
        index++;
      }
    }
    record.fields.push(field.trim());
    const blank = !sawQuoteInRecord && record.fields.every((value) => value === '');
    if (!blank) records.push(record);
  }
  return records;
}

function detectSeparator(text: string): ',' | ';' {
  const firstLine = text.split(/\r?\n|\r/u).find((candidate) => candidate.trim() !== '') ?? '';
  const outsideQuotes = firstLine.replace(/"(?:[^"]|"")*"/gu, '');
  const count = (separator: string) => outsideQuotes.split(separator).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

type ColumnIndexes = Partial<Record<RegisterColumn, number>>;

function readHeader(names: readonly string[]): ColumnIndexes {
  const columnOfAlias = new Map<string, RegisterColumn>();
  for (const { column, aliases } of addressRegisterColumns) for (const alias of aliases) columnOfAlias.set(alias, column);

  const indexes: ColumnIndexes = {};
  const errors: FieldError[] = [];
  names.forEach((name, index) => {
    const column = columnOfAlias.get(name.replace(/^\uFEFF/u, '').toLowerCase().replace(/[\s_-]+/gu, ''));
    if (!column) return;
    if (indexes[column] !== undefined) errors.push({ path: 'csv.header', message: `column ${column} appears twice` });
    else indexes[column] = index;
  });
  for (const { column, required } of addressRegisterColumns) {
    if (required && indexes[column] === undefined) errors.push({ path: 'csv.header', message: `missing column ${column}` });
  }
  if ((indexes.lat === undefined) !== (indexes.lon === undefined)) {
    errors.push({ path: 'csv.header', message: 'columns lat and lon come together or not at all' });
  }
  if (errors.length > 0) throw new ValidationError(errors, `The register file's header is invalid: ${errors.map((e) => e.message).join('; ')}.`);
  return indexes;
}

/** One row as an entry, or the reasons it is rejected (all of them, joined by "; "). */
function readRow(
  record: CsvRecord,
  width: number,
  columns: ColumnIndexes,
  country: RegisterCountry,
): RegisterEntry | { reason: string } {
  if (record.malformed) return { reason: `malformed quoting: ${record.malformed}` };
  if (record.fields.length !== width) {
    return { reason: `wrong number of fields (expected ${width}, got ${record.fields.length})` };
  }
  const value = (column: RegisterColumn) => {
    const index = columns[column];
    return index === undefined ? '' : (record.fields[index] ?? '');
  };
  const problems: string[] = [];

  let phone = '';
  if (value('phone') === '') problems.push('phone: empty');
  else {
    try {
      phone = toE164(value('phone'), country, 'phone');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push('phone: not a valid phone number');
    }
  }

  const street = value('street').replace(/\s+/gu, ' ');
  if (street === '') problems.push('street: empty');

  const number = value('number');
  const letter = value('letter');
  const house = parseHouseNumber(number);
  if (number === '') problems.push('number: empty');
  else if (!house) problems.push('number: not a house number');
  if (letter !== '' && !/^\p{L}$/u.test(letter.normalize('NFC'))) problems.push('letter: not a single letter');
  else if (letter !== '' && house?.letter && house.letter !== letter.normalize('NFC').toLocaleLowerCase('sv')) {
    problems.push('letter: differs from the letter in the number');
  }

  const postalCode = value('postalCode');
  if (postalCode === '') problems.push('postalCode: empty');
  else if (!postalCodeShape[country].test(normalisePostalCode(postalCode))) problems.push('postalCode: not a postal code');

  const city = value('city').replace(/\s+/gu, ' ');
  if (city === '') problems.push('city: empty');

  const location = readLocation(value('lat'), value('lon'));
  if (typeof location === 'string') problems.push(location);

  if (problems.length > 0) return { reason: problems.join('; ') };

  const address: PropertyAddress = { street, number, postalCode, city };
  if (letter !== '') address.letter = letter;
  const entry: RegisterEntry = { line: record.line, phone, address, key: addressKey(address) };
  if (Array.isArray(location)) entry.location = location;
  return entry;
}

/** [lon, lat], undefined when both are empty, or the reason they are unusable. */
function readLocation(lat: string, lon: string): Position | undefined | string {
  if (lat === '' && lon === '') return undefined;
  if (lat === '' || lon === '') return 'lat/lon: give both or neither';
  const latitude = readDecimal(lat);
  const longitude = readDecimal(lon);
  if (latitude === undefined || longitude === undefined) return 'lat/lon: not a number';
  if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) return 'lat/lon: out of range';
  return [longitude, latitude];
}

/** A decimal number with a point or (as Nordic spreadsheets write it) a comma. */
function readDecimal(text: string): number | undefined {
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/u.test(text)) return undefined;
  return Number(text.replace(',', '.'));
}
