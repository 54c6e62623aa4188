// ISO 20022 camt.054 (R-SE-13 for Finland and Norway): credits only, batches split per TxDtls, exact amounts.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { CAMT054_NAMESPACES, decimalToMinorUnits, parseCamt054 } from '../../../lambdas/domain/payments/camt054.js';

const fixtureText = (name: string) => readFileSync(new URL(`../../fixtures/payments/${name}`, import.meta.url), 'utf8');
const fiText = fixtureText('camt054-fi.xml');
const noText = fixtureText('camt054-no.xml');

/** A minimal camt.054 with the given entries (XML of Ntry elements). */
const camt = (entries: string, version = '02', header = '<MsgId>MSG-1</MsgId>') =>
  [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.${version}">`,
    '<BkToCstmrDbtCdtNtfctn>',
    `<GrpHdr>${header}<CreDtTm>2026-11-03T06:00:00</CreDtTm></GrpHdr>`,
    '<Ntfctn>',
    '<Id>N1</Id>',
    '<Acct><Id><IBAN>FI7944052020036082</IBAN></Id></Acct>',
    entries,
    '</Ntfctn>',
    '</BkToCstmrDbtCdtNtfctn>',
    '</Document>',
  ].join('\n');

const entry = ({ amount = '10.00', ccy = 'EUR', ind = 'CRDT', sts = '<Sts>BOOK</Sts>', ref = '<AcctSvcrRef>SVC-1</AcctSvcrRef>', details = '' } = {}) =>
  `<Ntry><Amt Ccy="${ccy}">${amount}</Amt><CdtDbtInd>${ind}</CdtDbtInd>${sts}<BookgDt><Dt>2026-11-02</Dt></BookgDt>${ref}${details}</Ntry>`;

const tx = (amount: string | undefined, remittance = '') => {
  const amountXml = amount === undefined ? '' : `<AmtDtls><TxAmt><Amt Ccy="EUR">${amount}</Amt></TxAmt></AmtDtls>`;
  return `<TxDtls>${amountXml}${remittance ? `<RmtInf>${remittance}</RmtInf>` : ''}</TxDtls>`;
};

const strd = (reference: string) => `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>${reference}</Ref></CdtrRefInf></Strd>`;

describe('parseCamt054: fixtures', () => {
  it('reads the Finnish file: one payment per TxDtls of the batch, exact cents, references as written, debits skipped', () => {
    // Act
    const report = parseCamt054(fiText);
    // Assess
    expect(report.errors).toEqual([]);
    expect(report.format).toBe('camt054');
    expect(report.fileId).toBe('FI20261103K054000017');
    expect(report.payments).toEqual([
      {
        paymentId: 'camt054:FI7944052020036082:20261102VS0000412:1',
        amount: { amount: 123450, currency: 'EUR' },
        reference: '10004232',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Mäkinen Matti',
        payerAccount: 'FI2112345600000785',
        source: 'camt054',
        fileId: 'FI20261103K054000017',
      },
      {
        paymentId: 'camt054:FI7944052020036082:20261102VS0000412:2',
        amount: { amount: 4840, currency: 'EUR' },
        reference: 'RF9510004494',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Öhman Sirkka',
        source: 'camt054',
        fileId: 'FI20261103K054000017',
      },
      {
        paymentId: 'camt054:FI7944052020036082:20261102VS0000413:1',
        amount: { amount: 5610, currency: 'EUR' },
        reference: '10004 313',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Virtanen Aino',
        source: 'camt054',
        fileId: 'FI20261103K054000017',
      },
    ]);
  });

  it('reads the Norwegian file (camt.054.001.08): NOK with KID, "99.9" as 9990 øre, pending entries skipped', () => {
    // Act
    const report = parseCamt054(noText);
    // Assess
    expect(report.errors).toEqual([]);
    expect(report.fileId).toBe('NO-OCR-20261103-0042');
    expect(report.payments).toEqual([
      {
        paymentId: 'camt054:15036012345:NO2026110200000981:1',
        amount: { amount: 133300, currency: 'NOK' },
        reference: '1000421',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Søren Ødegård',
        payerAccount: '12345678903',
        source: 'camt054',
        fileId: 'NO-OCR-20261103-0042',
      },
      {
        paymentId: 'camt054:15036012345:NO2026110200000981:2',
        amount: { amount: 9990, currency: 'NOK' },
        reference: '20261100455',
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        payerName: 'Kari Nordmann',
        source: 'camt054',
        fileId: 'NO-OCR-20261103-0042',
      },
    ]);
  });

  it('refuses the bad-sum file: the batch TxDtls do not add up to the entry, naming line and path', () => {
    // Act
    const report = parseCamt054(fixtureText('camt054-bad-sum.xml'));
    // Assess
    expect(report.errors).toEqual([
      {
        line: 20,
        message: 'Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]: TxDtls amounts sum to 1282.54 EUR, the entry amount is 1282.90 EUR',
      },
    ]);
    expect(report.payments).toEqual([]);
  });

  it('gives the same payment ids for the same text, a different id to every payment', () => {
    // Act
    const first = parseCamt054(fiText);
    const second = parseCamt054(`${fiText}`);
    // Assess
    const ids = first.payments.map((payment) => payment.paymentId);
    expect(second.payments.map((payment) => payment.paymentId)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives the same ids when the bank re-sends the entries in a new message (AcctSvcrRef, not MsgId)', () => {
    // Prepare
    const resent = fiText.replace('FI20261103K054000017', 'FI20261104K054000001');
    // Act
    const ids = parseCamt054(resent).payments.map((payment) => payment.paymentId);
    // Assess
    expect(ids).toEqual(parseCamt054(fiText).payments.map((payment) => payment.paymentId));
  });
});

describe('decimalToMinorUnits', () => {
  it.each([
    ['1234.50', 123450],
    ['99.9', 9990],
    ['10', 1000],
    ['10.000', 1000],
    ['0.01', 1],
    ['0.1', 10],
    ['1000000000.05', 100000000005],
    [' 7.25 ', 725],
  ])('reads %s as %i minor units', (text, minor) => {
    // Act
    const result = decimalToMinorUnits(text);
    // Assess
    expect(result).toBe(minor);
  });

  it.each(['10.005', '1,50', '-5.00', '+5', '1e3', '', '.5', '5.', 'NaN', '12.3.4'])('refuses "%s"', (text) => {
    // Act
    const result = decimalToMinorUnits(text);
    // Assess
    expect(result).toBeUndefined();
  });

  it('is exact for every amount in cents (no float error)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_99 }), fc.boolean(), (cents, shortForm) => {
        // Prepare
        const euros = Math.trunc(cents / 100);
        const fraction = String(cents % 100).padStart(2, '0');
        const text = shortForm && fraction.endsWith('0') ? `${euros}.${fraction[0]}` : `${euros}.${fraction}`;
        // Act
        const result = decimalToMinorUnits(text);
        // Assess
        expect(result).toBe(cents);
      }),
    );
  });
});

describe('parseCamt054: what counts as a payment', () => {
  it('accepts every namespace from camt.054.001.02 to .001.08, and a prefixed Document', () => {
    // Prepare
    const prefixed = camt(entry())
      .replace('<Document xmlns=', '<ns2:Document xmlns:ns2=')
      .replace('</Document>', '</ns2:Document>');
    // Act
    const reports = [...CAMT054_NAMESPACES.map((namespace) => parseCamt054(camt(entry(), namespace.slice(-2)))), parseCamt054(prefixed)];
    // Assess
    expect(CAMT054_NAMESPACES).toHaveLength(7);
    for (const report of reports) {
      expect(report.errors).toEqual([]);
      expect(report.payments).toHaveLength(1);
    }
  });

  it('takes an entry without TxDtls as one payment with index 0', () => {
    // Act
    const report = parseCamt054(camt(entry({ amount: '12.30' })));
    // Assess
    expect(report.payments).toEqual([
      {
        paymentId: 'camt054:FI7944052020036082:SVC-1:0',
        amount: { amount: 1230, currency: 'EUR' },
        bookingDate: '2026-11-02',
        valueDate: '2026-11-02',
        source: 'camt054',
        fileId: 'MSG-1',
      },
    ]);
  });

  it('skips debits, reversals and entries that are not booked, without error', () => {
    // Prepare
    const entries = [
      entry({ ind: 'DBIT' }),
      entry({ sts: '<RvslInd>true</RvslInd><Sts>BOOK</Sts>', ref: '<AcctSvcrRef>SVC-2</AcctSvcrRef>' }),
      entry({ sts: '<Sts>PDNG</Sts>', ref: '<AcctSvcrRef>SVC-3</AcctSvcrRef>' }),
      entry({ sts: '<Sts><Cd>INFO</Cd></Sts>', ref: '<AcctSvcrRef>SVC-4</AcctSvcrRef>' }),
    ].join('');
    // Act
    const report = parseCamt054(camt(entries));
    // Assess
    expect(report.errors).toEqual([]);
    expect(report.payments).toEqual([]);
  });

  it('uses NtryRef with the MsgId when the entry has no AcctSvcrRef', () => {
    // Act
    const report = parseCamt054(camt(entry({ ref: '<NtryRef>7</NtryRef>' })));
    // Assess
    expect(report.payments.map((payment) => payment.paymentId)).toEqual(['camt054:FI7944052020036082:MSG-1/7:0']);
  });

  it('takes Ustrd as the reference only when it is digits or a valid RF reference; otherwise as the message', () => {
    // Prepare
    const details = `<NtryDtls>${[
      tx('1.00', '<Ustrd>RF18 5390 0754 7034</Ustrd>'),
      tx('2.00', '<Ustrd>RF19 5390 0754 7034</Ustrd>'),
      tx('3.00', '<Ustrd>Lasku 10004232</Ustrd>'),
      tx('4.00', `${strd('10004232')}<Ustrd>kiitos</Ustrd>`),
    ].join('')}</NtryDtls>`;
    // Act
    const report = parseCamt054(camt(entry({ amount: '10.00', details })));
    // Assess
    expect(report.errors).toEqual([]);
    expect(report.payments.map(({ reference, message }) => ({ reference, message }))).toEqual([
      { reference: 'RF18 5390 0754 7034', message: undefined },
      { reference: undefined, message: 'RF19 5390 0754 7034' },
      { reference: undefined, message: 'Lasku 10004232' },
      { reference: '10004232', message: 'kiitos' },
    ]);
  });

  it('keeps further structured references as extraReferences', () => {
    // Prepare
    const details = `<NtryDtls>${tx('10.00', `${strd('10004232')}${strd('10004313')}`)}</NtryDtls>`;
    // Act
    const [payment] = parseCamt054(camt(entry({ details }))).payments;
    // Assess
    expect(payment?.reference).toBe('10004232');
    expect(payment?.extraReferences).toEqual([{ reference: '10004313' }]);
  });

  it('reads the .08 forms: TxDtls/Amt, Sts/Cd, Dbtr/Pty/Nm, BookgDt/DtTm', () => {
    // Prepare
    const ntry =
      '<Ntry><Amt Ccy="NOK">150.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>' +
      '<BookgDt><DtTm>2026-11-02T23:10:00+01:00</DtTm></BookgDt><AcctSvcrRef>S-8</AcctSvcrRef>' +
      '<NtryDtls><TxDtls><Amt Ccy="NOK">150</Amt><CdtDbtInd>CRDT</CdtDbtInd>' +
      '<RltdPties><Dbtr><Pty><Nm>Åse Ødegård</Nm></Pty></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>';
    // Act
    const report = parseCamt054(camt(ntry, '08'));
    // Assess
    expect(report.errors).toEqual([]);
    expect(report.payments[0]).toMatchObject({ amount: { amount: 15000, currency: 'NOK' }, bookingDate: '2026-11-02', payerName: 'Åse Ødegård' });
  });

  it('adds the page to the file id of a paginated message', () => {
    // Act
    const report = parseCamt054(camt(entry(), '02', '<MsgId>MSG-1</MsgId><MsgPgntn><PgNb>2</PgNb><LastPgInd>true</LastPgInd></MsgPgntn>'));
    // Assess
    expect(report.fileId).toBe('MSG-1/page-2');
  });
});

describe('parseCamt054: a file with any error books nothing', () => {
  const path = 'Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]';

  it.each([
    ['a currency other than EUR, NOK, SEK', entry({ ccy: 'USD' }), `${path}/Amt currency "USD" is not EUR, NOK or SEK`],
    ['an amount with three decimals', entry({ amount: '10.005' }), `${path}/Amt "10.005" is not an amount with at most 2 decimals`],
    ['an amount of zero', entry({ amount: '0.00' }), `${path}/Amt is zero`],
    ['an unknown credit/debit indicator', entry({ ind: 'CRED' }), `${path}/CdtDbtInd is "CRED", expected CRDT or DBIT`],
    ['an entry without status', entry({ sts: '' }), `${path}/Sts is missing`],
    ['an entry without any id', entry({ ref: '' }), `${path} has neither AcctSvcrRef nor NtryRef: no stable payment id`],
    [
      'a batch whose count differs from its TxDtls',
      entry({ details: `<NtryDtls><Btch><NbOfTxs>3</NbOfTxs></Btch>${tx('4.00')}${tx('6.00')}</NtryDtls>` }),
      `${path}/NtryDtls[1]/Btch/NbOfTxs is 3, the entry has 2 TxDtls`,
    ],
    [
      'a batch TxDtls without amount',
      entry({ details: `<NtryDtls>${tx('4.00')}${tx(undefined)}</NtryDtls>` }),
      `${path}/NtryDtls[1]/TxDtls[2] has no amount (Amt or AmtDtls/TxAmt/Amt) in a batch of 2`,
    ],
    [
      'TxDtls that do not sum to the entry',
      entry({ details: `<NtryDtls>${tx('4.00')}${tx('5.99')}</NtryDtls>` }),
      `${path}: TxDtls amounts sum to 9.99 EUR, the entry amount is 10.00 EUR`,
    ],
  ])('refuses %s, naming the path', (_case, ntry, message) => {
    // Act
    const report = parseCamt054(camt(ntry));
    // Assess
    expect(report.errors).toEqual([{ line: 8, message }]);
    expect(report.payments).toEqual([]);
  });

  it('refuses a payment id that repeats', () => {
    // Act
    const report = parseCamt054(camt(entry() + entry()));
    // Assess
    expect(report.errors).toEqual([
      { line: 8, message: 'Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[2]: payment id camt054:FI7944052020036082:SVC-1:0 appears twice in the file' },
    ]);
  });

  it('refuses a document in another namespace (camt.053 is not a notification)', () => {
    // Act
    const report = parseCamt054(camt(entry()).replace('camt.054.001.02', 'camt.053.001.02'));
    // Assess
    expect(report.errors).toEqual([
      { line: 2, message: 'Document namespace "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" is not camt.054.001.02 … camt.054.001.08' },
    ]);
  });

  it('refuses a message without MsgId', () => {
    // Act
    const report = parseCamt054(camt(entry(), '02', ''));
    // Assess
    expect(report.errors).toEqual([{ line: 4, message: 'Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId is missing' }]);
  });

  it('refuses a DOCTYPE (no entity tricks in a payment file)', () => {
    // Prepare
    const xml = camt(entry()).replace('<Document', '<!DOCTYPE Document [<!ENTITY x "1">]>\n<Document');
    // Act
    const report = parseCamt054(xml);
    // Assess
    expect(report.errors).toEqual([{ line: 2, message: 'a DOCTYPE is not allowed in a payment file' }]);
  });

  it('names the line where the XML stops being well-formed', () => {
    // Prepare
    const xml = fiText.replace('<Sts>BOOK</Sts>', '<Sts>BOOK</Stss>');
    // Act
    const report = parseCamt054(xml);
    // Assess
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.line).toBe(24);
    expect(report.errors[0]?.message).toMatch(/^XML is not well-formed: /);
  });

  it('refuses the Finnish file cut at any line', () => {
    // Prepare
    const lines = fiText.split('\n');
    for (let keep = 1; keep < lines.length - 1; keep += 1) {
      // Act
      const report = parseCamt054(lines.slice(0, keep).join('\n'));
      // Assess
      expect(report.errors.length).toBeGreaterThan(0);
      expect(report.payments).toEqual([]);
    }
  });
});
