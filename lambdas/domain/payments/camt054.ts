/**
 * ISO 20022 camt.054 (BankToCustomerDebitCreditNotification), versions .001.02 to .001.08:
 * the daily incoming-payment file of Finnish and Norwegian banks. The parts read:
 *
 *   Document/BkToCstmrDbtCdtNtfctn
 *     GrpHdr/MsgId                      the file id (with /page-N when MsgPgntn splits it)
 *     Ntfctn[]/Acct/Id/(IBAN | Othr/Id) the receiving account
 *       Ntry[]                          one booked amount on the account
 *         Amt@Ccy, CdtDbtInd            credits (CRDT) only; debits (DBIT) are skipped
 *         RvslInd                       reversals are skipped (not a customer payment)
 *         Sts (.02) | Sts/Cd (.07+)     BOOK only; pending/info entries are skipped
 *         BookgDt/(Dt | DtTm)           the booking date
 *         ValDt/(Dt | DtTm)             the value date (what the ledger records); BookgDt when absent
 *         AcctSvcrRef, NtryRef          the entry's id (paymentId)
 *         NtryDtls[]/Btch/NbOfTxs       number of transactions in a batch entry
 *         NtryDtls[]/TxDtls[]           one payment each; their amounts must sum to Amt
 *           Amt (.04+) | AmtDtls/TxAmt/Amt (.02)
 *           RltdPties/Dbtr/(Nm | Pty/Nm), RltdPties/DbtrAcct/Id/(IBAN | Othr/Id)
 *           RmtInf/Strd[]/CdtrRefInf/Ref the reference (viitenumero, RF, KID); more than one
 *                                        gives extraReferences
 *           RmtInf/Ustrd[]               the reference when it is only digits or a valid RF
 *                                        reference, else the message
 *
 * paymentId: `camt054:<account>:<Ntry AcctSvcrRef, else MsgId/NtryRef>:<n>`, n the 1-based
 * TxDtls position within the entry, 0 for an entry without TxDtls. AcctSvcrRef is the bank's
 * own id of the entry and survives a re-sent file; NtryRef is only unique within one message.
 *
 * Errors carry the element's line when the parser knows it (elements with children or
 * attributes), else the nearest enclosing one's; the message names the path.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BankPayment, ExtraReference, PaymentCurrency, PaymentFileError, PaymentFileReport } from './payment-file.js';

export const CAMT054_NAMESPACES: readonly string[] = ['02', '03', '04', '05', '06', '07', '08'].map(
  (version) => `urn:iso:std:iso:20022:tech:xsd:camt.054.001.${version}`,
);

const currencies: readonly PaymentCurrency[] = ['EUR', 'NOK', 'SEK'];
const root = 'Document/BkToCstmrDbtCdtNtfctn';

type XmlObject = { [key: string]: unknown };
const metadataKey = XMLParser.getMetaDataSymbol() as unknown as symbol;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  removeNSPrefix: true,
  captureMetaData: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: false,
});

const isObject = (value: unknown): value is XmlObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The first node along a path of child names (a repeated element gives its first). */
function child(node: unknown, ...path: string[]): unknown {
  let current = node;
  for (const name of path) {
    const step = isObject(current) ? current[name] : undefined;
    current = Array.isArray(step) ? step[0] : step;
  }
  return current;
}

/** An element's text, trimmed; undefined when absent or empty. */
function text(node: unknown): string | undefined {
  const value = isObject(node) ? node['#text'] : node;
  const trimmed = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
  return trimmed ? trimmed : undefined;
}

const attribute = (node: unknown, name: string) => (isObject(node) && typeof node[`@_${name}`] === 'string' ? (node[`@_${name}`] as string) : undefined);

/**
 * An ISO 20022 decimal amount in minor units (2 decimals), exactly: "1234.50" -> 123450,
 * "99.9" -> 9990, "10.000" -> 1000. Undefined for anything else, more significant decimals
 * than the currency has included ("10.005").
 */
export function decimalToMinorUnits(value: string): number | undefined {
  const match = /^(\d{1,15})(?:\.(\d{1,5}))?$/.exec(value.trim());
  if (!match) return undefined;
  const fraction = (match[2] ?? '').padEnd(2, '0');
  if (!/^\d{2}0*$/.test(fraction)) return undefined;
  const minor = Number(match[1]) * 100 + Number(fraction.slice(0, 2));
  return Number.isSafeInteger(minor) ? minor : undefined;
}

const formatMinor = (minor: number) => `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** ISO 11649 creditor reference: RF, two check digits, up to 21 letters and digits, mod 97 = 1. */
function isRfReference(compact: string): boolean {
  if (!/^RF\d{2}[0-9A-Z]{1,21}$/.test(compact)) return false;
  const rearranged = `${compact.slice(4)}${compact.slice(0, 4)}`;
  let remainder = 0;
  for (const char of rearranged) {
    const value = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** Unstructured text that is nothing but a reference number (digits, or a valid RF reference). */
function looksLikeReference(value: string): boolean {
  const compact = value.replace(/ /g, '').toUpperCase();
  return /^\d{2,25}$/.test(compact) || isRfReference(compact);
}

function isDate(value: string | undefined): value is string {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

/** Line of each character offset: 1-based. */
function lineFinder(xml: string): (offset: number) => number {
  const starts = [0];
  for (let index = xml.indexOf('\n'); index !== -1; index = xml.indexOf('\n', index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

/** The root element's local name and namespace, read from the (well-formed) text. */
function rootElement(xml: string): { name: string; namespace?: string; offset: number } | undefined {
  let index = 0;
  for (;;) {
    index = xml.indexOf('<', index);
    if (index === -1) return undefined;
    if (xml.startsWith('<?', index)) index = xml.indexOf('?>', index) + 2;
    else if (xml.startsWith('<!--', index)) index = xml.indexOf('-->', index) + 3;
    else break;
    if (index < 2) return undefined;
  }
  const tag = /^<([^\s/>]+)([^>]*)>/.exec(xml.slice(index, index + 10_000));
  if (!tag) return undefined;
  const qualified = tag[1]!;
  const colon = qualified.indexOf(':');
  const declaration = colon === -1 ? 'xmlns' : `xmlns:${qualified.slice(0, colon)}`;
  const namespace = new RegExp(`(?:^|\\s)${declaration}\\s*=\\s*(["'])(.*?)\\1`).exec(tag[2]!)?.[2];
  return { name: qualified.slice(colon + 1), ...(namespace !== undefined ? { namespace } : {}), offset: index };
}

/** Parses a decoded camt.054 document. Never throws; a report with errors has no payments. */
export function parseCamt054(xml: string): PaymentFileReport {
  const errors: PaymentFileError[] = [];
  const payments: BankPayment[] = [];
  const lineAt = lineFinder(xml);
  const fail = (line: number, message: string) => void errors.push({ line, message });
  const lineOf = (...nodes: unknown[]) => {
    for (const node of nodes) {
      const start = isObject(node) ? ((node as Record<symbol, unknown>)[metadataKey] as { startIndex?: number } | undefined)?.startIndex : undefined;
      if (typeof start === 'number') return lineAt(start);
    }
    return 0;
  };
  const report = (fileId: string): PaymentFileReport => ({
    format: 'camt054',
    fileId,
    payments: errors.length > 0 ? [] : payments,
    errors,
  });

  const doctype = /<!DOCTYPE/i.exec(xml);
  if (doctype) {
    fail(lineAt(doctype.index), 'a DOCTYPE is not allowed in a payment file');
    return report('');
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    fail(validation.err.line, `XML is not well-formed: ${validation.err.msg}`);
    return report('');
  }
  const rootTag = rootElement(xml);
  if (!rootTag || rootTag.name !== 'Document') {
    fail(rootTag ? lineAt(rootTag.offset) : 0, `root element is "${rootTag?.name ?? ''}", expected Document`);
    return report('');
  }
  if (!rootTag.namespace || !CAMT054_NAMESPACES.includes(rootTag.namespace)) {
    fail(lineAt(rootTag.offset), `Document namespace "${rootTag.namespace ?? ''}" is not camt.054.001.02 … camt.054.001.08`);
    return report('');
  }

  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (error) {
    fail(0, `XML cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    return report('');
  }
  const document = child(parsed, 'Document');
  const notification = child(document, 'BkToCstmrDbtCdtNtfctn');
  if (!isObject(notification)) {
    fail(lineOf(document), `${root} is missing`);
    return report('');
  }
  const header = child(notification, 'GrpHdr');
  const messageId = text(child(header, 'MsgId'));
  if (!messageId) {
    fail(lineOf(header, notification), `${root}/GrpHdr/MsgId is missing`);
    return report('');
  }
  const page = text(child(header, 'MsgPgntn', 'PgNb'));
  const onlyPage = page === undefined || (page === '1' && text(child(header, 'MsgPgntn', 'LastPgInd')) === 'true');
  const fileId = onlyPage ? messageId : `${messageId}/page-${page}`;

  const seenIds = new Set<string>();
  list(notification['Ntfctn']).forEach((account, accountIndex) => {
    const accountPath = `${root}/Ntfctn[${accountIndex + 1}]`;
    const accountId = text(child(account, 'Acct', 'Id', 'IBAN')) ?? text(child(account, 'Acct', 'Id', 'Othr', 'Id'));
    if (!accountId) {
      fail(lineOf(child(account, 'Acct'), account), `${accountPath}/Acct/Id (IBAN or Othr/Id) is missing`);
      return;
    }
    list(isObject(account) ? account['Ntry'] : undefined).forEach((entry, entryIndex) => {
      readEntry(entry, `${accountPath}/Ntry[${entryIndex + 1}]`, accountId);
    });
  });
  return report(fileId);

  function readAmount(node: unknown, path: string, line: number): { minor: number; currency: PaymentCurrency } | undefined {
    const value = text(node);
    const currency = attribute(node, 'Ccy');
    if (value === undefined) {
      fail(line, `${path} is missing`);
      return undefined;
    }
    const minor = decimalToMinorUnits(value);
    if (minor === undefined) fail(line, `${path} "${value}" is not an amount with at most 2 decimals`);
    else if (minor === 0) fail(line, `${path} is zero`);
    if (!currencies.includes(currency as PaymentCurrency)) fail(line, `${path} currency "${currency ?? ''}" is not EUR, NOK or SEK`);
    return minor && currencies.includes(currency as PaymentCurrency) ? { minor, currency: currency as PaymentCurrency } : undefined;
  }

  function readEntry(entry: unknown, path: string, accountId: string) {
    const line = lineOf(entry);
    const indicator = text(child(entry, 'CdtDbtInd'));
    if (indicator === 'DBIT') return;
    if (indicator !== 'CRDT') {
      fail(line, `${path}/CdtDbtInd is "${indicator ?? ''}", expected CRDT or DBIT`);
      return;
    }
    if (text(child(entry, 'RvslInd')) === 'true') return;
    const status = text(child(entry, 'Sts')) ?? text(child(entry, 'Sts', 'Cd')) ?? text(child(entry, 'Sts', 'Prtry'));
    if (status === undefined) {
      fail(line, `${path}/Sts is missing`);
      return;
    }
    if (status !== 'BOOK') return;

    const amount = readAmount(child(entry, 'Amt'), `${path}/Amt`, lineOf(child(entry, 'Amt'), entry));
    const bookingDate = text(child(entry, 'BookgDt', 'Dt')) ?? text(child(entry, 'BookgDt', 'DtTm'))?.slice(0, 10);
    if (!isDate(bookingDate)) fail(lineOf(child(entry, 'BookgDt'), entry), `${path}/BookgDt is missing or not a date`);
    const statedValueDate = text(child(entry, 'ValDt', 'Dt')) ?? text(child(entry, 'ValDt', 'DtTm'))?.slice(0, 10);
    if (statedValueDate !== undefined && !isDate(statedValueDate)) fail(lineOf(child(entry, 'ValDt'), entry), `${path}/ValDt is not a date`);
    const servicerReference = text(child(entry, 'AcctSvcrRef'));
    const entryReference = text(child(entry, 'NtryRef'));
    const entryKey = servicerReference ?? (entryReference !== undefined ? `${fileId}/${entryReference}` : undefined);
    if (entryKey === undefined) fail(line, `${path} has neither AcctSvcrRef nor NtryRef: no stable payment id`);
    if (!amount || !isDate(bookingDate) || entryKey === undefined) return;
    const valueDate = isDate(statedValueDate) ? statedValueDate : bookingDate;

    const details = list(isObject(entry) ? entry['NtryDtls'] : undefined).flatMap((detail, detailIndex) => {
      const transactions = list(isObject(detail) ? detail['TxDtls'] : undefined);
      const batchCount = text(child(detail, 'Btch', 'NbOfTxs'));
      if (batchCount !== undefined && transactions.length > 0 && Number(batchCount) !== transactions.length) {
        fail(lineOf(detail, entry), `${path}/NtryDtls[${detailIndex + 1}]/Btch/NbOfTxs is ${batchCount}, the entry has ${transactions.length} TxDtls`);
      }
      return transactions.map((transaction, transactionIndex) => ({
        transaction,
        path: `${path}/NtryDtls[${detailIndex + 1}]/TxDtls[${transactionIndex + 1}]`,
      }));
    });

    const common = { bookingDate, valueDate, source: 'camt054' as const, fileId };
    const add = (payment: BankPayment, at: number) => {
      if (seenIds.has(payment.paymentId)) fail(at, `${path}: payment id ${payment.paymentId} appears twice in the file`);
      seenIds.add(payment.paymentId);
      payments.push(payment);
    };
    if (details.length === 0) {
      add({ paymentId: `camt054:${accountId}:${entryKey}:0`, amount: { amount: amount.minor, currency: amount.currency }, ...common }, line);
      return;
    }

    let sum = 0;
    let complete = true;
    details.forEach(({ transaction, path: transactionPath }, index) => {
      const transactionLine = lineOf(transaction, entry);
      if (text(child(transaction, 'CdtDbtInd')) === 'DBIT') {
        fail(transactionLine, `${transactionPath}/CdtDbtInd is DBIT inside a credit entry`);
        complete = false;
        return;
      }
      const amountNode = child(transaction, 'Amt') ?? child(transaction, 'AmtDtls', 'TxAmt', 'Amt');
      let minor: number;
      if (amountNode === undefined) {
        if (details.length > 1) {
          fail(transactionLine, `${transactionPath} has no amount (Amt or AmtDtls/TxAmt/Amt) in a batch of ${details.length}`);
          complete = false;
          return;
        }
        minor = amount.minor;
      } else {
        const amountPath = child(transaction, 'Amt') !== undefined ? `${transactionPath}/Amt` : `${transactionPath}/AmtDtls/TxAmt/Amt`;
        const transactionAmount = readAmount(amountNode, amountPath, lineOf(amountNode, transaction, entry));
        if (!transactionAmount) {
          complete = false;
          return;
        }
        if (transactionAmount.currency !== amount.currency) {
          fail(lineOf(amountNode, transaction, entry), `${amountPath} currency ${transactionAmount.currency} differs from the entry's ${amount.currency}`);
          complete = false;
          return;
        }
        minor = transactionAmount.minor;
      }
      sum += minor;

      const remittance = child(transaction, 'RmtInf');
      const structured = list(isObject(remittance) ? remittance['Strd'] : undefined)
        .map((part) => text(child(part, 'CdtrRefInf', 'Ref')))
        .filter((reference): reference is string => reference !== undefined);
      const unstructured = list(isObject(remittance) ? remittance['Ustrd'] : undefined)
        .map((part) => text(part))
        .filter((part): part is string => part !== undefined);
      const ustrdReference = structured.length === 0 && unstructured.length === 1 && looksLikeReference(unstructured[0]!) ? unstructured[0] : undefined;
      const [reference, ...more] = ustrdReference !== undefined ? [ustrdReference] : structured;
      const extraReferences: ExtraReference[] = more.map((extra) => ({ reference: extra }));
      const message = ustrdReference === undefined && unstructured.length > 0 ? unstructured.join(' ') : undefined;
      const debtor = child(transaction, 'RltdPties', 'Dbtr');
      const payerName = text(child(debtor, 'Nm')) ?? text(child(debtor, 'Pty', 'Nm'));
      const payerAccount =
        text(child(transaction, 'RltdPties', 'DbtrAcct', 'Id', 'IBAN')) ?? text(child(transaction, 'RltdPties', 'DbtrAcct', 'Id', 'Othr', 'Id'));
      add(
        {
          paymentId: `camt054:${accountId}:${entryKey}:${index + 1}`,
          amount: { amount: minor, currency: amount.currency },
          ...(reference !== undefined ? { reference } : {}),
          ...(extraReferences.length > 0 ? { extraReferences } : {}),
          ...(message !== undefined ? { message } : {}),
          ...common,
          ...(payerName !== undefined ? { payerName } : {}),
          ...(payerAccount !== undefined ? { payerAccount } : {}),
        },
        transactionLine,
      );
    });
    if (complete && sum !== amount.minor) {
      fail(
        line,
        `${path}: TxDtls amounts sum to ${formatMinor(sum)} ${amount.currency}, the entry amount is ${formatMinor(amount.minor)} ${amount.currency}`,
      );
    }
  }
}
