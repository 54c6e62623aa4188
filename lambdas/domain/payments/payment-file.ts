/**
 * Daily bank payment files (R-SE-13): Bankgirot BgMax in Sweden, ISO 20022 camt.054 in Finland
 * and Norway. One entry point reads the bytes, finds the format and gives the payments to match
 * against invoices by their payment reference (OCR / viitenumero / RF / KID).
 *
 * Two promises the caller builds on:
 * - A file with any error is not whole: `errors` is non-empty and `payments` (and `deductions`)
 *   are empty, so a truncated or malformed file books nothing at all.
 * - `paymentId` comes from the file's own identifiers, so importing the same file twice gives
 *   the same ids and the caller books nothing twice (see `bgmax.ts` and `camt054.ts` for the
 *   exact recipe per format).
 *
 * Pure: no I/O. Never throws for bad content.
 */
import { Buffer } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { parseBgMax, type BgMaxOptions } from './bgmax.js';
import { parseCamt054 } from './camt054.js';

export type PaymentCurrency = 'SEK' | 'EUR' | 'NOK';
export type PaymentFileFormat = 'bgmax' | 'camt054';

/** A further reference given for the same money (BgMax TK22/TK23, camt: further CdtrRefInf). */
export interface ExtraReference {
  reference: string;
  /** Minor units when the file states an amount for this reference; negative for BgMax TK23. */
  amount?: number;
}

export interface BankPayment {
  /**
   * Stable across re-imports of the same file, unique within it. BgMax:
   * `bgmax:<recipient bankgiro>:<payment date>:<deposit serial>:<record number in deposit>:<BGC serial>`;
   * camt.054: `camt054:<account>:<Ntry AcctSvcrRef, or MsgId/NtryRef>:<TxDtls index>`.
   */
  paymentId: string;
  /** Minor units (öre, cent, øre), always > 0. */
  amount: { amount: number; currency: PaymentCurrency };
  /** As written in the file (OCR / viitenumero / RF / KID), trimmed; absent when the payer gave none. */
  reference?: string;
  /**
   * The payer named more references for this money (one payment for several invoices). The
   * payment is not split here: whoever matches decides, or hands it to a person.
   */
  extraReferences?: ExtraReference[];
  /** Free text from the payer (BgMax TK25, camt Ustrd when it is not the reference). */
  message?: string;
  /** YYYY-MM-DD: BgMax payment date of the deposit (TK15), camt Ntry BookgDt. */
  bookingDate: string;
  /**
   * YYYY-MM-DD: the date the money is the utility's, the one the ledger records (invoice
   * `appliedPayments[].bookedAt`). camt Ntry ValDt (BookgDt when the bank gives none); BgMax
   * has one date, the payment date, so it is the same as `bookingDate`.
   */
  valueDate: string;
  payerName?: string;
  /** BgMax: the payer's bankgiro; camt: DbtrAcct IBAN or other id. */
  payerAccount?: string;
  source: PaymentFileFormat;
  /** The file's own id (BgMax: TK01 timestamp + recipient bankgiro; camt: GrpHdr MsgId). */
  fileId: string;
}

/**
 * BgMax deduction (TK21, "avdrag"): the payer used a credit invoice, and the deposit is the
 * payments minus the deductions. Not money received: the caller applies it to the credit
 * invoice named by `reference` (or hands it to a person). Booking the payments and ignoring
 * the deductions would show more money than reached the bank.
 */
export interface BankDeduction extends Omit<BankPayment, 'paymentId'> {
  /** Same recipe as a BgMax paymentId (the record number is shared with the payments). */
  deductionId: string;
  /** Manual: 0 whole deduction, no rest; 1 partial deduction, rest remains; 2 final partial deduction. */
  deductionCode: string;
}

export interface PaymentFileError {
  /** 1-based line of the record or element; 0 when unknown (the message then names the path). */
  line: number;
  message: string;
}

export interface PaymentFileReport {
  /** `unknown` when the bytes are neither BgMax nor XML (then `errors` says so). */
  format: PaymentFileFormat | 'unknown';
  /** Empty when the file is too broken to tell. */
  fileId: string;
  /** Empty whenever `errors` is not. */
  payments: BankPayment[];
  /** BgMax only (TK21); empty whenever `errors` is not. */
  deductions?: BankDeduction[];
  errors: PaymentFileError[];
}

export type PaymentFileOptions = BgMaxOptions;

const utf8Bom = [0xef, 0xbb, 0xbf] as const;

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((byte, index) => bytes[index] === byte);

/** ISO-8859-1 exactly (TextDecoder's "latin1" is windows-1252, which differs in 0x80-0x9F). */
export function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

const asciiBytes = (text: string) => [...text].map((char) => char.charCodeAt(0));

/**
 * Reads a bank payment file: BgMax when it starts with "01BGMAX" (decoded as ISO-8859-1),
 * camt.054 when it is XML (decoded as its declaration says, UTF-8 by default).
 */
export function parsePaymentFile(bytes: Uint8Array, options: PaymentFileOptions = {}): PaymentFileReport {
  if (startsWith(bytes, asciiBytes('01BGMAX'))) return parseBgMax(decodeLatin1(bytes), options);
  const decoded = decodeXml(bytes);
  if ('error' in decoded) {
    return { format: decoded.xml ? 'camt054' : 'unknown', fileId: '', payments: [], errors: [{ line: 0, message: decoded.error }] };
  }
  return parseCamt054(decoded.text);
}

type Decoded = { text: string } | { error: string; xml: boolean };

/** BOM first, then the XML declaration's encoding, else UTF-8 (XML 1.0, 4.3.3). */
function decodeXml(bytes: Uint8Array): Decoded {
  const bomEncoding =
    startsWith(bytes, utf8Bom) ? 'utf-8' : startsWith(bytes, [0xff, 0xfe]) ? 'utf-16le' : startsWith(bytes, [0xfe, 0xff]) ? 'utf-16be' : undefined;
  if (bomEncoding) return decodeAs(bytes, bomEncoding);
  const head = decodeLatin1(bytes.subarray(0, 256));
  if (!/^\s*</.test(head)) {
    return { error: 'unknown file format: neither BgMax (starts with "01BGMAX") nor XML', xml: false };
  }
  const declared = /^\s*<\?xml\s[^?]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  return decodeAs(bytes, declared ?? 'utf-8');
}

function decodeAs(bytes: Uint8Array, encoding: string): Decoded {
  const label = encoding.toLowerCase();
  if (['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'latin-1', 'l1'].includes(label)) {
    return { text: decodeLatin1(bytes) };
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
  } catch {
    return { error: `unsupported XML encoding "${encoding}"`, xml: true };
  }
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    return { error: `the file is not valid ${encoding} text`, xml: true };
  }
}
