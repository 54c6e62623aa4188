// Bankgirot BgMax (R-SE-13): record layouts, checks that make a file "not whole", stable ids, round trips.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { ValidationError } from '../../../lambdas/domain/errors.js';
import { buildBgMaxFile, parseBgMax, TRUNCATED_MESSAGE, type BgMaxBuildPayment } from '../../../lambdas/domain/payments/bgmax.js';
import { decodeLatin1, parsePaymentFile } from '../../../lambdas/domain/payments/payment-file.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/payments/${name}`, import.meta.url));
const fixtureText = (name: string) => decodeLatin1(fixture(name));
const okText = fixtureText('bgmax-ok.txt');
const records = (text: string) => text.split(/\r?\n/).filter((line) => line !== '');
const fileOf = (lines: readonly string[]) => `${lines.join('\r\n')}\r\n`;
/** The ok fixture with record `line` (1-based) replaced. */
const withRecord = (line: number, record: string) => fileOf(records(okText).map((each, index) => (index === line - 1 ? record : each)));
const setField = (record: string, from: number, value: string) =>
  record.padEnd(80, ' ').slice(0, from - 1) + value + record.padEnd(80, ' ').slice(from - 1 + value.length);
const okRecord = (line: number) => records(okText)[line - 1]!;

describe('parseBgMax: the ok fixture', () => {
  it('reads the payments of both deposits with exact öre amounts, references and payers', () => {
    // Prepare
    const bytes = fixture('bgmax-ok.txt');
    // Act
    const report = parsePaymentFile(bytes);
    // Assess
    expect(report.errors).toEqual([]);
    expect(report.format).toBe('bgmax');
    expect(report.fileId).toBe('20261103061512345678-50501055');
    expect(report.payments).toEqual([
      {
        paymentId: 'bgmax:50501055:2026-11-02:00007:1:100000000101',
        amount: { amount: 124550, currency: 'SEK' },
        reference: '10004232',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Åsa Öberg',
        source: 'bgmax',
        fileId: '20261103061512345678-50501055',
      },
      {
        paymentId: 'bgmax:50501055:2026-11-02:00007:2:100000000102',
        amount: { amount: 358000, currency: 'SEK' },
        reference: '10004315 10004497',
        extraReferences: [{ reference: '10004315' }, { reference: '10004497' }],
        message: 'Faktura okt och nov, hyreshuset Storgatan 3',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Bäckströms Fastigheter AB',
        payerAccount: '56781234',
        source: 'bgmax',
        fileId: '20261103061512345678-50501055',
      },
      {
        paymentId: 'bgmax:50501055:2026-11-02:00007:3:100000000103',
        amount: { amount: 99900, currency: 'SEK' },
        reference: '10004562',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerAccount: '56781234',
        source: 'bgmax',
        fileId: '20261103061512345678-50501055',
      },
      {
        paymentId: 'bgmax:50501055:2026-11-02:00008:1:100000000201',
        amount: { amount: 45000, currency: 'SEK' },
        reference: '20000170',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Jörgen Ängström',
        source: 'bgmax',
        fileId: '20261103061512345678-50501055',
      },
    ]);
  });

  it('reports the deduction (TK21) apart from the payments, with its own id', () => {
    // Act
    const report = parseBgMax(okText);
    // Assess
    expect(report.deductions).toEqual([
      {
        deductionId: 'bgmax:50501055:2026-11-02:00007:4:100000000104',
        deductionCode: '0',
        amount: { amount: 25000, currency: 'SEK' },
        reference: '10004646',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Bäckströms Fastigheter AB',
        payerAccount: '56781234',
        source: 'bgmax',
        fileId: '20261103061512345678-50501055',
      },
    ]);
  });

  it('decodes ISO-8859-1 bytes: å, ä, ö are one byte each in the file', () => {
    // Prepare
    const bytes = fixture('bgmax-ok.txt');
    // Act
    const names = parsePaymentFile(bytes).payments.map((payment) => payment.payerName);
    // Assess
    expect(bytes.includes(Buffer.from('Åsa Öberg', 'latin1'))).toBe(true);
    expect(bytes.includes(Buffer.from('Åsa Öberg', 'utf8'))).toBe(false);
    expect(names).toContain('Åsa Öberg');
    expect(names).toContain('Jörgen Ängström');
  });

  it('puts back trailing spaces that a system cut off, and accepts LF line ends', () => {
    // Prepare
    const trimmed = records(okText).map((record) => record.trimEnd()).join('\n');
    // Act
    const report = parseBgMax(trimmed);
    // Assess
    expect(report.errors).toEqual([]);
    expect(report).toEqual(parseBgMax(okText));
  });

  it('gives the same payment ids for the same bytes, and a different id to every payment', () => {
    // Prepare
    const bytes = fixture('bgmax-ok.txt');
    // Act
    const first = parsePaymentFile(bytes);
    const second = parsePaymentFile(Buffer.from(bytes));
    // Assess
    const ids = first.payments.map((payment) => payment.paymentId);
    expect(second.payments.map((payment) => payment.paymentId)).toEqual(ids);
    expect(new Set([...ids, ...(first.deductions ?? []).map((deduction) => deduction.deductionId)]).size).toBe(5);
  });
});

describe('parseBgMax: a file with any error books nothing', () => {
  it('refuses the bad-totals fixture: the deposit total is not its payments minus deductions', () => {
    // Act
    const report = parseBgMax(fixtureText('bgmax-bad-totals.txt'));
    // Assess
    expect(report.errors).toEqual([
      { line: 16, message: 'deposit record total 557550 öre does not equal its payments minus deductions, 557450 öre' },
    ]);
    expect(report.payments).toEqual([]);
    expect(report.deductions).toEqual([]);
  });

  it('refuses the truncated fixture: no closing record', () => {
    // Act
    const report = parseBgMax(fixtureText('bgmax-truncated.txt'));
    // Assess
    expect(report.errors).toEqual([{ line: 12, message: TRUNCATED_MESSAGE }]);
    expect(TRUNCATED_MESSAGE).toBe('file is truncated: no closing record (TK70)');
    expect(report.payments).toEqual([]);
  });

  it('refuses the unknown-record fixture, naming the line', () => {
    // Act
    const report = parseBgMax(fixtureText('bgmax-unknown-record.txt'));
    // Assess
    expect(report.errors).toEqual([{ line: 6, message: 'unknown record type "30"' }]);
    expect(report.payments).toEqual([]);
  });

  it.each([
    ['a record longer than 80 characters', 3, `${okRecord(3)}X`, 'record is 81 characters long; BgMax records are 80'],
    ['a closing record counting more payments', 21, setField(okRecord(21), 3, '00000005'), 'closing record counts payments 5, file has 4'],
    ['a closing record counting fewer deductions', 21, setField(okRecord(21), 11, '00000000'), 'closing record counts deductions 0, file has 1'],
    [
      'a closing record counting other extra references',
      21,
      setField(okRecord(21), 19, '00000003'),
      'closing record counts extra references 3, file has 2',
    ],
    ['a closing record counting other deposits', 21, setField(okRecord(21), 27, '00000001'), 'closing record counts deposits 1, file has 2'],
    [
      'a deposit record counting other payments',
      20,
      setField(okRecord(20), 72, '00000002'),
      'deposit record counts 2 payment and deduction records, the deposit has 1',
    ],
    ['a deposit in NOK (BgMax has SEK and EUR deposits)', 2, setField(okRecord(2), 23, 'NOK'), 'currency (positions 23-25) is "NOK", expected "SEK" or "EUR"'],
    ['a deposit record in another currency than its opening record', 20, setField(okRecord(20), 69, 'EUR'), 'currency (positions 69-71) is "EUR", expected "SEK" as in the opening record on line 17'],
    ['an amount that is not 18 digits', 18, setField(okRecord(18), 38, '0000000000000450 0'), 'amount (positions 38-55) "0000000000000450 0" is not 18 digits'],
    ['an amount of zero', 18, setField(okRecord(18), 38, '0'.repeat(18)), 'amount (positions 38-55) is zero'],
    ['a reference code outside 0-5', 3, setField(okRecord(3), 56, '7'), 'reference code (position 56) "7" is not 0-5'],
    ['a payment date that is no date', 20, setField(okRecord(20), 38, '20261131'), 'payment date (positions 38-45) "20261131" is not a date YYYYMMDD'],
    ['another layout name', 1, setField(okRecord(1), 3, 'BGMIN'), 'layout name is "BGMIN", expected "BGMAX"'],
    ['another layout version', 1, setField(okRecord(1), 23, '02'), 'unsupported BgMax version "02", expected "01"'],
    ['a test file', 1, setField(okRecord(1), 45, 'T'), 'test file (test mark "T"): not booked'],
    ['a name record with no payment before it', 2, `26${'Ödmjuk Ägare'.padEnd(78)}`, 'name record (TK26) without a payment or deduction record before it'],
  ])('refuses %s, naming the line', (_case, line, record, message) => {
    // Prepare
    const text = withRecord(line, record);
    // Act
    const report = parseBgMax(text);
    // Assess
    expect(report.errors).toContainEqual({ line, message });
    expect(report.payments).toEqual([]);
  });

  it('accepts a test file when asked to', () => {
    // Prepare
    const text = withRecord(1, setField(okRecord(1), 45, 'T'));
    // Act
    const report = parseBgMax(text, { acceptTestFile: true });
    // Assess
    expect(report.errors).toEqual([]);
    expect(report.payments).toHaveLength(4);
  });

  it('refuses a record after the closing record', () => {
    // Prepare
    const text = fileOf([...records(okText), okRecord(18)]);
    // Act
    const report = parseBgMax(text);
    // Assess
    expect(report.errors).toEqual([{ line: 22, message: 'record after the closing record (TK70) on line 21' }]);
  });

  it('refuses a file that does not start with TK01', () => {
    // Prepare
    const text = fileOf(records(okText).slice(1));
    // Act
    const report = parseBgMax(text);
    // Assess
    expect(report.errors).toContainEqual({ line: 1, message: 'file does not start with a start record (TK01)' });
  });

  it('refuses an empty line between records', () => {
    // Prepare
    const lines = records(okText);
    const text = fileOf([...lines.slice(0, 5), '', ...lines.slice(5)]);
    // Act
    const report = parseBgMax(text);
    // Assess
    expect(report.errors).toEqual([{ line: 6, message: 'empty line inside the file' }]);
  });

  it('refuses an opening record while a deposit is still open', () => {
    // Prepare: deposit 1 loses its TK15
    const lines = records(okText);
    const text = fileOf([...lines.slice(0, 15), ...lines.slice(16)]);
    // Act
    const report = parseBgMax(text);
    // Assess
    expect(report.errors).toContainEqual({
      line: 16,
      message: 'opening record (TK05) while the deposit opened on line 2 has no deposit record (TK15)',
    });
  });

  it('refuses a payment outside a deposit', () => {
    // Prepare: a payment between the two deposits
    const lines = records(okText);
    const text = fileOf([...lines.slice(0, 16), lines[17]!, ...lines.slice(16)]);
    // Act
    const report = parseBgMax(text);
    // Assess
    expect(report.errors).toContainEqual({ line: 17, message: 'payment record (TK20) outside a deposit: no opening record (TK05) before it' });
  });

  it('refuses the same deposit twice (its payment ids would repeat)', () => {
    // Prepare: deposit 2 gets deposit 1's serial number
    const text = withRecord(20, setField(okRecord(20), 46, '00007'));
    // Act
    const report = parseBgMax(text);
    // Assess
    expect(report.errors).toEqual([{ line: 20, message: 'deposit 00007 of 2026-11-02 to bankgiro 50501055 appears twice in the file' }]);
  });

  it('refuses a file with a start record only', () => {
    // Act
    const report = parseBgMax(`${okRecord(1)}\r\n`);
    // Assess
    expect(report.errors).toEqual([{ line: 2, message: TRUNCATED_MESSAGE }]);
  });
});

const latin1Text = (maxLength: number) =>
  fc
    .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZåäöÅÄÖéüßø0123456789 -.&/'), minLength: 1, maxLength })
    .map((text) => text.trim())
    .filter((text) => text !== '');

const buildPayment: fc.Arbitrary<BgMaxBuildPayment> = fc.record(
  {
    reference: fc.oneof(fc.stringMatching(/^\d{1,25}$/), latin1Text(25), fc.constant('')),
    amountOre: fc.integer({ min: 1, max: 99_999_999_999 }),
    payerName: latin1Text(35),
  },
  { requiredKeys: ['reference', 'amountOre'] },
);

const paymentDay = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });

describe('buildBgMaxFile', () => {
  it('round-trips any list of payments through parseBgMax', () => {
    fc.assert(
      fc.property(fc.array(buildPayment, { maxLength: 40 }), paymentDay, (payments, day) => {
        // Prepare
        const date = day.toISOString().slice(0, 10);
        const bytes = buildBgMaxFile(payments, { bankgiro: '5050-1055', date });
        // Act
        const report = parsePaymentFile(bytes);
        // Assess
        expect(report.errors).toEqual([]);
        expect(report.payments.map(({ reference, amount, payerName, bookingDate }) => ({ reference, amount, payerName, bookingDate }))).toEqual(
          payments.map((payment) => ({
            reference: payment.reference === '' ? undefined : payment.reference,
            amount: { amount: payment.amountOre, currency: 'SEK' },
            payerName: payment.payerName,
            bookingDate: date,
          })),
        );
        expect(new Set(report.payments.map((payment) => payment.paymentId)).size).toBe(payments.length);
      }),
      { numRuns: 150 },
    );
  });

  it('writes 80-character ISO-8859-1 records', () => {
    // Act
    const bytes = buildBgMaxFile([{ reference: '10004232', amountOre: 124550, payerName: 'Åsa Öberg' }], { bankgiro: '50501055', date: '2026-11-02' });
    // Assess
    const lines = records(decodeLatin1(bytes));
    expect(lines.every((line) => line.length === 80)).toBe(true);
    expect(lines.map((line) => line.slice(0, 2))).toEqual(['01', '05', '20', '26', '15', '70']);
    expect(bytes.length).toBe(6 * 82);
  });

  it('refuses what BgMax cannot carry', () => {
    // Act
    const build = () =>
      buildBgMaxFile([{ reference: 'x'.repeat(26), amountOre: 0, payerName: 'Łukasz' }], { bankgiro: 'BG 5050', date: '2026-02-30' });
    // Assess
    expect(build).toThrow(ValidationError);
    try {
      build();
    } catch (error) {
      expect((error as ValidationError).errors.map((problem) => problem.path)).toEqual([
        'options.bankgiro',
        'options.date',
        'payments[0].amountOre',
        'payments[0].reference',
        'payments[0].payerName',
      ]);
    }
  });

  it('cut at any record boundary before TK70 gives "truncated"', () => {
    fc.assert(
      fc.property(fc.array(buildPayment, { minLength: 1, maxLength: 12 }), fc.nat(), fc.boolean(), (payments, cutSeed, crlf) => {
        // Prepare
        const lines = records(decodeLatin1(buildBgMaxFile(payments, { bankgiro: '50501055', date: '2026-11-02' })));
        const keep = 1 + (cutSeed % (lines.length - 1));
        const cut = lines.slice(0, keep).join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
        // Act
        const report = parseBgMax(cut);
        // Assess
        expect(report.errors).toContainEqual({ line: keep + 1, message: TRUNCATED_MESSAGE });
        expect(report.payments).toEqual([]);
      }),
    );
  });

  it('cut at every boundary of the ok fixture gives "truncated"', () => {
    // Prepare
    const lines = records(okText);
    for (let keep = 1; keep < lines.length; keep += 1) {
      // Act
      const report = parseBgMax(fileOf(lines.slice(0, keep)));
      // Assess
      expect(report.errors.map((error) => error.message)).toContain(TRUNCATED_MESSAGE);
      expect(report.payments).toEqual([]);
    }
  });
});

describe("parseBgMax: Bankgirot's sample file BgMaxfil4 (ISO-8859-1, CRLF, one EUR deposit)", () => {
  const sample = readFileSync(new URL('../../fixtures/payments/BgMaxfil4.txt', import.meta.url));

  it('reads all nine payments of its four deposits, each in its deposit\'s currency (SEK and EUR)', () => {
    // Act
    const report = parsePaymentFile(sample);
    // Assess
    expect(report.errors).toEqual([]);
    expect(report.payments.map((p) => [p.reference ?? null, p.amount.amount, p.amount.currency])).toEqual([
      [null, 180_000, 'SEK'],
      ['524967', 190_000, 'SEK'],
      [null, 200_000, 'SEK'],
      ['525865', 50_000, 'SEK'],
      ['525766', 50_000, 'SEK'],
      ['535765', 50_000, 'SEK'],
      [null, 140_000, 'SEK'],
      ['8012577,8013575', 300_000, 'EUR'],
      ['525766', 100_000, 'EUR'],
    ]);
    expect(report.payments.every((p) => p.bookingDate === '2004-05-25' && p.valueDate === '2004-05-25')).toBe(true);
    expect(report.payments[1]).toMatchObject({ payerName: 'Olles färg AB', payerAccount: '97012333' });
    // TK23: a negative extra reference.
    expect(report.payments[6]!.extraReferences).toContainEqual({ reference: '74450', amount: -50_000 });
    expect(new Set(report.payments.map((p) => p.paymentId)).size).toBe(9);
  });
});
