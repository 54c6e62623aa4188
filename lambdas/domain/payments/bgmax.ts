/**
 * Bankgirot BgMax (Bankgiro Inbetalningar, technical manual): the Swedish daily payment file
 * (R-SE-13). Fixed 80-character records in ISO-8859-1; the first two characters are the record
 * type (transaktionskod, TK). Positions below are the manual's, 1-based and inclusive.
 *
 *   TK01 start        3-22 layout name "BGMAX", 23-24 version "01", 25-44 timestamp
 *                     (YYYYMMDDHHMMSS + 6 digits), 45 test mark (P production, T test)
 *   TK05 opening      3-12 recipient bankgiro, 13-22 plusgiro, 23-25 currency (SEK or EUR)
 *   TK20 payment      3-12 sender bankgiro, 13-37 reference, 38-55 amount in öre (18 digits),
 *   TK21 deduction    56 reference code, 57 payment channel, 58-69 BGC serial number,
 *                     70 image mark; TK21 also 71 deduction code
 *   TK22/TK23 extra   same layout as TK20: a further reference for the payment before it;
 *        reference    TK23 carries a negative amount
 *   TK25 information  3-52 free text from the payer
 *   TK26 name         3-37 name, 38-72 extra name
 *   TK27/28 address, TK29 organisation number (read for structure only)
 *   TK15 deposit      3-37 bank account, 38-45 payment date (YYYYMMDD), 46-50 deposit serial,
 *                     51-68 amount in öre/cent (payments minus deductions), 69-71 currency
 *                     (the deposit's, as in its TK05),
 *                     72-79 number of payment and deduction records, 80 deposit type
 *   TK70 end          3-10 payment records (TK20), 11-18 deduction records (TK21),
 *                     19-26 extra reference records (TK22+TK23), 27-34 deposit records (TK15)
 *
 * A file is TK01, one or more deposits (TK05 ... TK15), TK70. Reference codes (TK20-23 pos 56):
 * 0/1 no reference, 2 correct OCR (right-aligned), 3 one or more references (free text: a wrong
 * OCR, or several; the correct ones also follow as TK22), 4 correct reference by extended form
 * registration, 5 incorrect reference by extended form registration. The reference is given
 * as written, trimmed, whatever its code: the matcher checks it against the invoices.
 *
 * Currency: the manual allows SEK and EUR deposits (Bankgirot's own sample file BgMaxfil4 has
 * one EUR deposit). Each payment carries its deposit's currency; a payment in a currency the
 * utility does not invoice is booked to the unmatched queue, never refused with the file
 * (billing/service.ts). Any other currency code is an error.
 *
 * Deliberately stricter than the manual in one place: the manual says a reader should skip
 * record types it does not know; here an unknown type is an error, so a file in a changed
 * layout books nothing instead of booking what we happen to understand.
 */
import { Buffer } from 'node:buffer';
import { ValidationError, type FieldError } from '../errors.js';
import type { BankDeduction, BankPayment, ExtraReference, PaymentFileError, PaymentFileReport } from './payment-file.js';

export interface BgMaxOptions {
  /** A file with test mark "T" (TK01 pos 45) is refused unless this is set: test money must not reach a ledger. */
  acceptTestFile?: boolean;
}

export const BGMAX_RECORD_LENGTH = 80;
export const TRUNCATED_MESSAGE = 'file is truncated: no closing record (TK70)';

const recordNames: Record<string, string> = {
  '01': 'start record (TK01)',
  '05': 'opening record (TK05)',
  '15': 'deposit record (TK15)',
  '20': 'payment record (TK20)',
  '21': 'deduction record (TK21)',
  '22': 'extra reference record (TK22)',
  '23': 'extra reference record (TK23)',
  '25': 'information record (TK25)',
  '26': 'name record (TK26)',
  '27': 'address record (TK27)',
  '28': 'address record (TK28)',
  '29': 'organisation number record (TK29)',
  '70': 'closing record (TK70)',
};

interface Entry {
  kind: 'payment' | 'deduction';
  senderBankgiro: string;
  reference?: string;
  amount: number;
  bgcSerial: string;
  deductionCode: string;
  extraReferences: ExtraReference[];
  information: string[];
  payerName?: string;
}

/** The deposit currencies the manual allows (TK05 pos 23-25, TK15 pos 69-71). */
export const BGMAX_CURRENCIES = ['SEK', 'EUR'] as const;
type BgMaxCurrency = (typeof BGMAX_CURRENCIES)[number];
const isBgMaxCurrency = (value: string): value is BgMaxCurrency => (BGMAX_CURRENCIES as readonly string[]).includes(value);

interface OpenDeposit {
  line: number;
  bankgiro: string;
  currency: BgMaxCurrency;
  entries: Entry[];
}

const digits = (value: string, length: number) => value.length === length && /^\d+$/.test(value);
const withoutLeadingZeros = (value: string) => value.replace(/^0+(?=\d)/, '');

/** YYYYMMDD as YYYY-MM-DD when it is a calendar date. */
function calendarDate(yyyymmdd: string): string | undefined {
  if (!digits(yyyymmdd, 8)) return undefined;
  const iso = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  const time = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== iso ? undefined : iso;
}

/**
 * Parses a decoded BgMax file. Never throws; a report with errors has no payments. Trailing
 * spaces cut off a record by some systems are put back; a record longer than 80 is an error.
 */
export function parseBgMax(text: string, options: BgMaxOptions = {}): PaymentFileReport {
  const errors: PaymentFileError[] = [];
  const fail = (line: number, message: string) => void errors.push({ line, message });

  const lines = text.split(/\r?\n/);
  let lastLine = lines.length;
  while (lastLine > 0 && lines[lastLine - 1]!.trim() === '') lastLine -= 1;

  let timestamp = '';
  const recipientBankgiros: string[] = [];
  const payments: Omit<BankPayment, 'fileId'>[] = [];
  const deductions: Omit<BankDeduction, 'fileId'>[] = [];
  const depositKeys = new Set<string>();
  const counted = { payments: 0, deductions: 0, extraReferences: 0, deposits: 0 };
  let deposit: OpenDeposit | undefined;
  let current: Entry | undefined;
  let closedAt: number | undefined;

  for (let index = 0; index < lastLine; index += 1) {
    const line = index + 1;
    const raw = lines[index]!;
    if (raw.length === 0) {
      fail(line, 'empty line inside the file');
      continue;
    }
    if (raw.length > BGMAX_RECORD_LENGTH) {
      fail(line, `record is ${raw.length} characters long; BgMax records are ${BGMAX_RECORD_LENGTH}`);
    }
    const record = raw.padEnd(BGMAX_RECORD_LENGTH, ' ');
    const type = record.slice(0, 2);
    const field = (from: number, to: number) => record.slice(from - 1, to);
    if (line === 1 && type !== '01') fail(line, 'file does not start with a start record (TK01)');
    if (closedAt !== undefined) {
      fail(line, `record after the closing record (TK70) on line ${closedAt}`);
      continue;
    }

    switch (type) {
      case '01': {
        if (line !== 1) {
          fail(line, 'start record (TK01) is not the first record');
          break;
        }
        const layout = field(3, 22).trim();
        const version = field(23, 24);
        timestamp = field(25, 44);
        const mark = field(45, 45);
        if (layout !== 'BGMAX') fail(line, `layout name is "${layout}", expected "BGMAX"`);
        if (version !== '01') fail(line, `unsupported BgMax version "${version}", expected "01"`);
        if (!digits(timestamp, 20) || !calendarDate(timestamp.slice(0, 8))) {
          fail(line, `timestamp (positions 25-44) "${timestamp.trim()}" is not YYYYMMDDHHMMSS and 6 digits`);
        }
        if (mark === 'T') {
          if (!options.acceptTestFile) fail(line, 'test file (test mark "T"): not booked');
        } else if (mark !== 'P') {
          fail(line, `test mark (position 45) is "${mark}", expected "P" or "T"`);
        }
        break;
      }
      case '05': {
        if (deposit) fail(line, `opening record (TK05) while the deposit opened on line ${deposit.line} has no deposit record (TK15)`);
        const bankgiro = field(3, 12);
        const plusgiro = field(13, 22);
        const currency = field(23, 25);
        if (!digits(bankgiro, 10)) fail(line, `recipient bankgiro (positions 3-12) "${bankgiro.trim()}" is not 10 digits`);
        if (plusgiro.trim() !== '' && !digits(plusgiro, 10)) fail(line, `plusgiro (positions 13-22) "${plusgiro.trim()}" is not 10 digits`);
        if (!isBgMaxCurrency(currency)) fail(line, `currency (positions 23-25) is "${currency.trim()}", expected "SEK" or "EUR"`);
        const recipient = withoutLeadingZeros(bankgiro);
        if (!recipientBankgiros.includes(recipient)) recipientBankgiros.push(recipient);
        deposit = { line, bankgiro: recipient, currency: isBgMaxCurrency(currency) ? currency : 'SEK', entries: [] };
        current = undefined;
        break;
      }
      case '20':
      case '21': {
        if (type === '20') counted.payments += 1;
        else counted.deductions += 1;
        const entry = readEntry(type, field, line, fail);
        if (!deposit) {
          fail(line, `${recordNames[type]} outside a deposit: no opening record (TK05) before it`);
          current = undefined;
          break;
        }
        deposit.entries.push(entry);
        current = entry;
        break;
      }
      case '22':
      case '23': {
        counted.extraReferences += 1;
        const amount = field(38, 55);
        const code = field(56, 56);
        if (!digits(amount, 18)) fail(line, `amount (positions 38-55) "${amount.trim()}" is not 18 digits`);
        else if (!Number.isSafeInteger(Number(amount))) fail(line, `amount ${amount} öre is too large`);
        if (!/^[0-5]$/.test(code)) fail(line, `reference code (position 56) "${code}" is not 0-5`);
        if (!current) {
          fail(line, `${recordNames[type]} without a payment or deduction record before it`);
          break;
        }
        const ore = Number(amount) || 0;
        current.extraReferences.push({
          reference: field(13, 37).trim(),
          ...(ore !== 0 ? { amount: type === '23' ? -ore : ore } : {}),
        });
        break;
      }
      case '25':
      case '26':
      case '27':
      case '28':
      case '29': {
        if (!current) {
          fail(line, `${recordNames[type]} without a payment or deduction record before it`);
          break;
        }
        if (type === '25') {
          const information = field(3, 52).trim();
          if (information) current.information.push(information);
        } else if (type === '26' && current.payerName === undefined) {
          const name = [field(3, 37).trim(), field(38, 72).trim()].filter(Boolean).join(' ');
          if (name) current.payerName = name;
        }
        break;
      }
      case '15': {
        counted.deposits += 1;
        if (!deposit) {
          fail(line, 'deposit record (TK15) without an opening record (TK05) before it');
          break;
        }
        closeDeposit(deposit, field, line);
        deposit = undefined;
        current = undefined;
        break;
      }
      case '70': {
        closedAt = line;
        if (deposit) fail(line, `the deposit opened on line ${deposit.line} has no deposit record (TK15)`);
        const checks = [
          ['payments', field(3, 10), counted.payments],
          ['deductions', field(11, 18), counted.deductions],
          ['extra references', field(19, 26), counted.extraReferences],
          ['deposits', field(27, 34), counted.deposits],
        ] as const;
        for (const [what, stated, actual] of checks) {
          if (!digits(stated, 8)) fail(line, `closing record count of ${what} "${stated.trim()}" is not 8 digits`);
          else if (Number(stated) !== actual) fail(line, `closing record counts ${what} ${Number(stated)}, file has ${actual}`);
        }
        break;
      }
      default:
        fail(line, `unknown record type "${type}"`);
    }
  }
  if (closedAt === undefined) fail(lastLine + 1, TRUNCATED_MESSAGE);

  const fileId = timestamp.trim() ? `${timestamp.trim()}-${recipientBankgiros.join('+')}` : '';
  if (errors.length > 0) return { format: 'bgmax', fileId, payments: [], deductions: [], errors };
  return {
    format: 'bgmax',
    fileId,
    payments: payments.map((payment) => ({ ...payment, fileId })),
    deductions: deductions.map((deduction) => ({ ...deduction, fileId })),
    errors,
  };

  function closeDeposit(open: OpenDeposit, field: (from: number, to: number) => string, line: number) {
    const bookingDate = calendarDate(field(38, 45));
    const serial = field(46, 50);
    const amount = field(51, 68);
    const currency = field(69, 71);
    const count = field(72, 79);
    if (!bookingDate) fail(line, `payment date (positions 38-45) "${field(38, 45).trim()}" is not a date YYYYMMDD`);
    if (!digits(serial, 5)) fail(line, `deposit serial number (positions 46-50) "${serial.trim()}" is not 5 digits`);
    if (currency !== open.currency) {
      fail(line, `currency (positions 69-71) is "${currency.trim()}", expected "${open.currency}" as in the opening record on line ${open.line}`);
    }
    if (!digits(count, 8)) fail(line, `number of payments (positions 72-79) "${count.trim()}" is not 8 digits`);
    else if (Number(count) !== open.entries.length) {
      fail(line, `deposit record counts ${Number(count)} payment and deduction records, the deposit has ${open.entries.length}`);
    }
    if (!digits(amount, 18)) fail(line, `deposit amount (positions 51-68) "${amount.trim()}" is not 18 digits`);
    else {
      let sum = 0n;
      for (const entry of open.entries) sum += entry.kind === 'payment' ? BigInt(entry.amount) : -BigInt(entry.amount);
      if (BigInt(amount) !== sum) {
        fail(line, `deposit record total ${BigInt(amount)} öre does not equal its payments minus deductions, ${sum} öre`);
      }
    }
    if (!bookingDate || !digits(serial, 5)) return;
    const depositKey = `${open.bankgiro}:${bookingDate}:${serial}`;
    if (depositKeys.has(depositKey)) {
      fail(line, `deposit ${serial} of ${bookingDate} to bankgiro ${open.bankgiro} appears twice in the file`);
      return;
    }
    depositKeys.add(depositKey);
    open.entries.forEach((entry, position) => {
      const id = `bgmax:${depositKey}:${position + 1}:${entry.bgcSerial}`;
      const payer = withoutLeadingZeros(entry.senderBankgiro);
      const common = {
        amount: { amount: entry.amount, currency: open.currency },
        ...(entry.reference !== undefined ? { reference: entry.reference } : {}),
        ...(entry.extraReferences.length > 0 ? { extraReferences: entry.extraReferences } : {}),
        ...(entry.information.length > 0 ? { message: entry.information.join(' ') } : {}),
        bookingDate,
        valueDate: bookingDate,
        ...(entry.payerName !== undefined ? { payerName: entry.payerName } : {}),
        ...(/^0+$/.test(payer) ? {} : { payerAccount: payer }),
        source: 'bgmax' as const,
      };
      if (entry.kind === 'payment') payments.push({ paymentId: id, ...common });
      else deductions.push({ deductionId: id, deductionCode: entry.deductionCode, ...common });
    });
  }
}

/** TK20/TK21 fields; field errors go to `fail`, the entry is returned anyway (the file is refused then). */
function readEntry(
  type: '20' | '21',
  field: (from: number, to: number) => string,
  line: number,
  fail: (line: number, message: string) => void,
): Entry {
  const senderBankgiro = field(3, 12);
  const reference = field(13, 37).trim();
  const amount = field(38, 55);
  const code = field(56, 56);
  const channel = field(57, 57);
  const bgcSerial = field(58, 69);
  const image = field(70, 70);
  const deductionCode = type === '21' ? field(71, 71) : '';
  if (!digits(senderBankgiro, 10)) fail(line, `sender bankgiro (positions 3-12) "${senderBankgiro.trim()}" is not 10 digits`);
  let ore = 0;
  if (!digits(amount, 18)) fail(line, `amount (positions 38-55) "${amount.trim()}" is not 18 digits`);
  else if (!Number.isSafeInteger(Number(amount))) fail(line, `amount ${amount} öre is too large`);
  else if (Number(amount) === 0) fail(line, 'amount (positions 38-55) is zero');
  else ore = Number(amount);
  if (!/^[0-5]$/.test(code)) fail(line, `reference code (position 56) "${code}" is not 0-5`);
  if (!/^\d$/.test(channel)) fail(line, `payment channel (position 57) "${channel}" is not a digit`);
  if (!digits(bgcSerial, 12)) fail(line, `BGC serial number (positions 58-69) "${bgcSerial.trim()}" is not 12 digits`);
  if (!/^\d$/.test(image)) fail(line, `image mark (position 70) "${image}" is not a digit`);
  if (type === '21' && !/^[0-2]$/.test(deductionCode)) fail(line, `deduction code (position 71) "${deductionCode}" is not 0-2`);
  return {
    kind: type === '20' ? 'payment' : 'deduction',
    senderBankgiro,
    ...(reference ? { reference } : {}),
    amount: ore,
    bgcSerial,
    deductionCode,
    extraReferences: [],
    information: [],
  };
}

export interface BgMaxBuildPayment {
  /** Digits are written as an OCR number (reference code 2), other text as code 3, empty as code 0. */
  reference: string;
  amountOre: number;
  payerName?: string;
}

export interface BgMaxBuildOptions {
  /** Recipient bankgiro, e.g. "5050-1055" or "50501055". */
  bankgiro: string;
  /** Payment date of the one deposit, YYYY-MM-DD; also the file's timestamp (at midnight). */
  date: string;
}

const printableLatin1 = /^[\x20-\x7e\xa0-\xff]*$/;

/**
 * Writes a valid BgMax file (ISO-8859-1, CRLF) with one deposit holding the payments in order:
 * for tests and benchmarks. Throws ValidationError for input BgMax cannot carry.
 */
export function buildBgMaxFile(payments: readonly BgMaxBuildPayment[], options: BgMaxBuildOptions): Buffer {
  const problems: FieldError[] = [];
  const bankgiro = options.bankgiro.replace(/-/g, '');
  const date = calendarDate(options.date.replace(/-/g, '')) === options.date ? options.date.replace(/-/g, '') : undefined;
  if (!/^\d{1,10}$/.test(bankgiro)) problems.push({ path: 'options.bankgiro', message: 'must be at most 10 digits' });
  if (!date) problems.push({ path: 'options.date', message: 'must be a date YYYY-MM-DD' });
  let total = 0n;
  payments.forEach((payment, index) => {
    if (!Number.isSafeInteger(payment.amountOre) || payment.amountOre <= 0) {
      problems.push({ path: `payments[${index}].amountOre`, message: 'must be a whole number of öre above zero' });
    } else total += BigInt(payment.amountOre);
    if (payment.reference.length > 25 || !printableLatin1.test(payment.reference)) {
      problems.push({ path: `payments[${index}].reference`, message: 'must be at most 25 printable ISO-8859-1 characters' });
    }
    if (payment.payerName !== undefined && (payment.payerName.length > 35 || !printableLatin1.test(payment.payerName))) {
      problems.push({ path: `payments[${index}].payerName`, message: 'must be at most 35 printable ISO-8859-1 characters' });
    }
  });
  if (payments.length > 99_999_999) problems.push({ path: 'payments', message: 'at most 99,999,999 payments' });
  if (problems.length > 0 || !date) throw new ValidationError(problems, 'Cannot write these payments as BgMax.');

  const pad = (value: number | bigint | string, width: number) => String(value).padStart(width, '0');
  const record = (text: string) => text.padEnd(BGMAX_RECORD_LENGTH, ' ');
  const lines: string[] = [
    record(`01${'BGMAX'.padEnd(20, ' ')}01${date}000000000000P`),
    record(`05${pad(bankgiro, 10)}${' '.repeat(10)}SEK`),
  ];
  payments.forEach((payment, index) => {
    const reference = payment.reference.trim();
    const [field, code] = /^\d+$/.test(reference)
      ? [reference.padStart(25, ' '), '2']
      : reference
        ? [reference.padEnd(25, ' '), '3']
        : [' '.repeat(25), '0'];
    lines.push(record(`20${pad(0, 10)}${field}${pad(payment.amountOre, 18)}${code}1${pad(index + 1, 12)}0`));
    if (payment.payerName?.trim()) lines.push(record(`26${payment.payerName.trim().padEnd(35, ' ')}`));
  });
  lines.push(record(`15${pad(bankgiro, 35)}${date}00001${pad(total, 18)}SEK${pad(payments.length, 8)} `));
  lines.push(record(`70${pad(payments.length, 8)}${pad(0, 8)}${pad(0, 8)}${pad(1, 8)}`));
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}
