// The address register file (R-SMS-2; API.md POST /v1/address-register/imports).
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../lambdas/domain/errors.js';
import { addressRegisterColumns, parseAddressRegisterCsv } from '../../../lambdas/domain/alerts/register-csv.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

const sample = [
  'phone;street;number;letter;postalCode;city',
  '070-123 45 67;Östra Ågatan;12;B;671 31;Åmål',
  '+46 70 765 43 21;Storgatan;1;;67131;Arvika',
  '',
].join('\r\n');

describe('parseAddressRegisterCsv', () => {
  it('reads phones as E.164 and addresses with their keys', () => {
    // Act
    const { rows, rejected } = parseAddressRegisterCsv(utf8(sample), 'SE');
    // Assess
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        phone: '+46701234567',
        address: { street: 'Östra Ågatan', number: '12', letter: 'B', postalCode: '671 31', city: 'Åmål' },
        key: 'östra ågatan|12|b|67131',
      },
      {
        line: 3,
        phone: '+46707654321',
        address: { street: 'Storgatan', number: '1', postalCode: '67131', city: 'Arvika' },
        key: 'storgatan|1||67131',
      },
    ]);
  });

  it('gives the same rows for UTF-8, UTF-8 with BOM and Latin-1 bytes of one file', () => {
    // Prepare
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(sample)]);
    // Act
    const fromUtf8 = parseAddressRegisterCsv(utf8(sample), 'SE');
    const fromBom = parseAddressRegisterCsv(bom, 'SE');
    const fromLatin1 = parseAddressRegisterCsv(latin1(sample), 'SE');
    // Assess
    expect(fromBom).toEqual(fromUtf8);
    expect(fromLatin1).toEqual(fromUtf8);
    expect(fromLatin1.rows[0]?.address.city).toBe('Åmål');
  });

  it('reads , as well as ;, and columns in any order and case, ignoring other columns', () => {
    // Prepare
    const text = [
      'City,POSTAL_CODE,customer,Number,Street,Phone',
      'Åmål,671 31,ignored,12B,Östra Ågatan,0701234567',
    ].join('\n');
    // Act
    const { rows, rejected } = parseAddressRegisterCsv(utf8(text), 'SE');
    // Assess
    expect(rejected).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key).toBe('östra ågatan|12|b|67131');
    expect(rows[0]?.phone).toBe('+46701234567');
    expect(rows[0]?.address).toEqual({ street: 'Östra Ågatan', number: '12B', postalCode: '671 31', city: 'Åmål' });
  });

  it.each(['postalcode', 'postal_code', 'PostalCode', 'Postal Code'])('accepts %j as the postal code column', (name) => {
    // Prepare
    const text = `phone,street,number,${name},city\n0701234567,Storgatan,1,67131,Arvika\n`;
    // Act
    const { rows } = parseAddressRegisterCsv(utf8(text), 'SE');
    // Assess
    expect(rows.map((row) => row.key)).toEqual(['storgatan|1||67131']);
  });

  it('reads RFC 4180 quoted fields: separators, doubled quotes, line breaks', () => {
    // Prepare
    const text = [
      'phone,street,number,postalCode,city,note',
      '0701234567,"Storgatan, norra",1,67131,Arvika,"he said ""hi"""',
      '0707654321,"Lilla',
      'gränd",2,67131,Arvika,x',
      '"0701112233",Kungsgatan,3,67131,"Arvika"',
    ].join('\n');
    // Act
    const { rows, rejected } = parseAddressRegisterCsv(utf8(text), 'SE');
    // Assess
    expect(rejected).toEqual([{ line: 5, reason: 'wrong number of fields (expected 6, got 5)' }]);
    expect(rows.map((row) => [row.line, row.address.street])).toEqual([
      [2, 'Storgatan, norra'],
      [3, 'Lilla gränd'],
    ]);
  });

  it('detects ; when the header is quoted and contains commas', () => {
    // Prepare
    const text = '"phone";"street";"number";"postalCode";"city";"remark, free text"\n0701234567;Storgatan;1;67131;Arvika;a, b\n';
    // Act
    const { rows, rejected } = parseAddressRegisterCsv(utf8(text), 'SE');
    // Assess
    expect(rejected).toEqual([]);
    expect(rows).toHaveLength(1);
  });

  it('reports broken rows with their line numbers and takes the good ones', () => {
    // Prepare
    const text = [
      'phone;street;number;letter;postalCode;city', // 1
      '0701234567;Storgatan;1;;67131;Arvika', // 2 good
      '12345;Storgatan;2;;67131;Arvika', // 3
      '', // 4 blank
      '0701234567;Storgatan;ett;;67131;Arvika', // 5
      '0701234567;;3;;67131;Arvika', // 6
      '0701234567;Storgatan;4;;67131', // 7
      ';;;;;', // 8 empty spreadsheet row
      '0701234567;Storgatan;5;;6713;Arvika', // 9
      '0701234567;Storgatan;6;BB;67131;Arvika', // 10
      'nope;Storgatan;x;;67131;', // 11
      '0701234567;Storgatan;7;;67131;Arvika', // 12 good
      '0701234567;"Storgatan"x;8;;67131;Arvika', // 13
      '0701234567;Storgatan;9;;67131;"Arvika', // 14 unterminated to the end
    ].join('\n');
    // Act
    const { rows, rejected } = parseAddressRegisterCsv(utf8(text), 'SE');
    // Assess
    expect(rows.map((row) => row.line)).toEqual([2, 12]);
    expect(rejected).toEqual([
      { line: 3, reason: 'phone: not a valid phone number' },
      { line: 5, reason: 'number: not a house number' },
      { line: 6, reason: 'street: empty' },
      { line: 7, reason: 'wrong number of fields (expected 6, got 5)' },
      { line: 9, reason: 'postalCode: not a postal code' },
      { line: 10, reason: 'letter: not a single letter' },
      { line: 11, reason: 'phone: not a valid phone number; number: not a house number; city: empty' },
      { line: 13, reason: 'malformed quoting: text after a closing quote' },
      { line: 14, reason: 'malformed quoting: unterminated quoted field' },
    ]);
  });

  it('reads optional lat/lon (or latitude/longitude) as [lon, lat] and rejects bad ones', () => {
    // Prepare
    const text = [
      'phone;street;number;postalCode;city;Latitude;Longitude',
      '0701234567;Storgatan;1;67131;Arvika;59,6553;12,5852', // 2 decimal comma
      '0701234567;Storgatan;2;67131;Arvika;;', // 3 not geocoded
      '0701234567;Storgatan;3;67131;Arvika;95;12.5', // 4
      '0701234567;Storgatan;4;67131;Arvika;59.6;', // 5
      '0701234567;Storgatan;5;67131;Arvika;north;12.5', // 6
      '0701234567;Storgatan;6;67131;Arvika;59.6;-181', // 7
    ].join('\n');
    // Act
    const { rows, rejected } = parseAddressRegisterCsv(utf8(text), 'SE');
    // Assess
    expect(rows[0]?.location).toEqual([12.5852, 59.6553]);
    expect(rows[1]).not.toHaveProperty('location');
    expect(rejected).toEqual([
      { line: 4, reason: 'lat/lon: out of range' },
      { line: 5, reason: 'lat/lon: give both or neither' },
      { line: 6, reason: 'lat/lon: not a number' },
      { line: 7, reason: 'lat/lon: out of range' },
    ]);
  });

  it('keeps one of the same phone and address, reporting the duplicate', () => {
    // Prepare
    const text = [
      'phone,street,number,letter,postalCode,city',
      '0701234567,Storgatan,1,A,671 31,Arvika',
      '0701234567,Storgatan,1,B,671 31,Arvika',
      '+46701234567,STORGATAN,1a,,67131,ARVIKA',
      '0707654321,Storgatan,1,A,671 31,Arvika',
    ].join('\n');
    // Act
    const { rows, rejected } = parseAddressRegisterCsv(utf8(text), 'SE');
    // Assess
    expect(rows.map((row) => row.line)).toEqual([2, 3, 5]);
    expect(rejected).toEqual([{ line: 4, reason: 'duplicate of line 2' }]);
  });

  it('reads national numbers in the importing country', () => {
    // Prepare
    const finnish = 'phone,street,number,postalCode,city\n040 1234567,Kauppakatu,3,42700,Keuruu\n';
    const norwegian = 'phone,street,number,postalCode,city\n412 34 567,Storgata,3,3520,Jevnaker\n';
    // Act
    const fi = parseAddressRegisterCsv(utf8(finnish), 'FI');
    const no = parseAddressRegisterCsv(utf8(norwegian), 'NO');
    // Assess
    expect(fi.rows.map((row) => row.phone)).toEqual(['+358401234567']);
    expect(no.rows.map((row) => row.phone)).toEqual(['+4741234567']);
  });

  it('throws naming the missing column', () => {
    // Prepare
    const text = 'phone;street;letter;postalCode;city\n0701234567;Storgatan;A;67131;Arvika\n';
    // Act
    const parse = () => parseAddressRegisterCsv(utf8(text), 'SE');
    // Assess
    expect(parse).toThrow(ValidationError);
    try {
      parse();
    } catch (error) {
      expect((error as ValidationError).errors).toEqual([{ path: 'csv.header', message: 'missing column number' }]);
    }
  });

  it('throws for an empty file, a duplicated column and lat without lon', () => {
    const errorsOf = (text: string) => {
      try {
        parseAddressRegisterCsv(utf8(text), 'SE');
      } catch (error) {
        return (error as ValidationError).errors.map((e) => e.message);
      }
      return [];
    };
    expect(errorsOf('\n\n')).toEqual(['the file has no header row']);
    expect(errorsOf('phone,street,number,postalCode,city,Phone\n')).toEqual(['column phone appears twice']);
    expect(errorsOf('phone,street,number,postalCode,city,lat\n')).toEqual(['columns lat and lon come together or not at all']);
  });

  it('documents every column, the required ones first', () => {
    expect(addressRegisterColumns.filter((c) => c.required).map((c) => c.column)).toEqual(['phone', 'street', 'number', 'postalCode', 'city']);
    expect(addressRegisterColumns.map((c) => c.column)).toEqual(['phone', 'street', 'number', 'letter', 'postalCode', 'city', 'lat', 'lon']);
  });
});
