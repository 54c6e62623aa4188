/** The MIME message of a document email (RFC 5322, 2045-2047, 2231): what SES sends and the outbox keeps. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { base64Lines, buildMimeMessage, encodedWords, InvalidMimeInput, type MimeMessage } from '../../../lambdas/domain/delivery/mime.js';

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300, 0xff), Buffer.from('\n%%EOF')]);

function message(overrides: Partial<MimeMessage> = {}): MimeMessage {
  return {
    from: { name: 'Arvika Vatten', address: 'faktura@arvika.se' },
    to: 'anna@example.se',
    subject: 'Faktura 100001',
    text: 'Hej!\n\nHär kommer din faktura.\n',
    attachment: { filename: 'faktura-100001.pdf', contentType: 'application/pdf', bytes: pdf },
    date: new Date('2026-11-24T10:00:00Z'),
    messageId: 'doc_0123456789abcdef01234567.email@arvika.se',
    boundary: 'BOUNDARY',
    ...overrides,
  };
}

/** Splits a message into its headers (unfolded) and its MIME parts (headers and decoded body). */
function parse(raw: Uint8Array) {
  const text = Buffer.from(raw).toString('latin1');
  const [head, ...rest] = text.split('\r\n\r\n');
  const headers = Object.fromEntries(head!.replace(/\r\n[ \t]/g, ' ').split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 2)]));
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type']!)![1]!;
  const parts = rest.join('\r\n\r\n').split(`--${boundary}`).slice(1, -1).map((part) => {
    const [partHead, body] = part.replace(/^\r\n/, '').split('\r\n\r\n');
    return { head: partHead!.replace(/\r\n[ \t]/g, ' '), body: Buffer.from(body!.replace(/\r\n/g, ''), 'base64') };
  });
  return { text, headers, parts, closed: text.includes(`--${boundary}--`) };
}

const decodeWords = (value: string) =>
  value.split(' ').map((word) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(word)![1]!, 'base64').toString('utf8')).join('');

describe('buildMimeMessage', () => {
  it('makes a multipart/mixed message with the text and the PDF, CRLF line ends and no line over 78 characters', () => {
    // Act
    const parsed = parse(buildMimeMessage(message()));
    // Assess
    expect(parsed.headers).toMatchObject({
      from: '"Arvika Vatten" <faktura@arvika.se>',
      to: 'anna@example.se',
      subject: 'Faktura 100001',
      date: 'Tue, 24 Nov 2026 10:00:00 +0000',
      'message-id': '<doc_0123456789abcdef01234567.email@arvika.se>',
      'mime-version': '1.0',
      'content-type': 'multipart/mixed; boundary="BOUNDARY"',
    });
    expect(parsed.closed).toBe(true);
    expect(parsed.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(parsed.text.split('\r\n').every((line) => line.length <= 78)).toBe(true);
    expect(parsed.parts).toHaveLength(2);
    expect(parsed.parts[0]!.head).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(parsed.parts[0]!.body.toString('utf8')).toBe('Hej!\r\n\r\nHär kommer din faktura.\r\n');
    expect(parsed.parts[1]!.head).toContain('Content-Disposition: attachment; filename="faktura-100001.pdf"');
    expect(parsed.parts[1]!.body.equals(pdf)).toBe(true);
  });

  it('encodes a non-ASCII subject and sender name as RFC 2047 words that decode to the original', () => {
    // Act
    const parsed = parse(buildMimeMessage(message({ subject: 'Påminnelse: faktura 100001 förfaller – betala senast 31 december', from: { name: 'Keuruun Vesi Oy – Asiakaspalvelu', address: 'lasku@keuruunvesi.fi' } })));
    // Assess
    expect(parsed.text).toMatch(/^[\x20-\x7E\r\n]*$/);
    expect(decodeWords(parsed.headers.subject!)).toBe('Påminnelse: faktura 100001 förfaller – betala senast 31 december');
    expect(decodeWords(parsed.headers.from!.replace(/ <lasku@keuruunvesi\.fi>$/, ''))).toBe('Keuruun Vesi Oy – Asiakaspalvelu');
  });

  it('gives a non-ASCII file name an ASCII fallback and the exact name in RFC 2231 form', () => {
    // Act
    const parsed = parse(buildMimeMessage(message({ attachment: { filename: 'påminnelse 1.pdf', contentType: 'application/pdf', bytes: pdf } })));
    // Assess
    expect(parsed.parts[1]!.head).toContain('filename="paminnelse 1.pdf"');
    expect(parsed.parts[1]!.head).toContain("filename*=UTF-8''p%C3%A5minnelse%201.pdf");
    expect(decodeURIComponent(/filename\*=UTF-8''(\S+)/.exec(parsed.parts[1]!.head)![1]!)).toBe('påminnelse 1.pdf');
  });

  it('refuses header injection and anything that is not one address', () => {
    // Act // Assess
    expect(() => buildMimeMessage(message({ subject: 'Faktura\r\nBcc: everyone@example.se' }))).toThrow(InvalidMimeInput);
    expect(() => buildMimeMessage(message({ to: 'anna@example.se\r\nBcc: x@example.se' }))).toThrow(InvalidMimeInput);
    expect(() => buildMimeMessage(message({ to: 'anna@example.se, bo@example.se' }))).toThrow(InvalidMimeInput);
    expect(() => buildMimeMessage(message({ from: { name: 'A\nB', address: 'faktura@arvika.se' } }))).toThrow(InvalidMimeInput);
    expect(() => buildMimeMessage(message({ attachment: { filename: 'a.pdf', contentType: 'application/pdf\r\nX: y', bytes: pdf } }))).toThrow(InvalidMimeInput);
  });

  it('quotes a plain sender name with quotes and backslashes in it', () => {
    // Act
    const parsed = parse(buildMimeMessage(message({ from: { name: 'Arvika "Vatten" \\ Avlopp', address: 'faktura@arvika.se' } })));
    // Assess
    expect(parsed.headers.from).toBe('"Arvika \\"Vatten\\" \\\\ Avlopp" <faktura@arvika.se>');
  });
});

describe('encodedWords and base64Lines', () => {
  it('never makes a word over 75 characters nor splits a character, and the words decode to the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const words = encodedWords(text);
        expect(words.every((word) => word.length <= 75)).toBe(true);
        expect(words.map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).join('')).toBe(text);
      }),
    );
  });

  it('breaks base64 into lines of 76 that decode to the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const lines = base64Lines(bytes).split('\r\n');
        expect(lines.every((line) => line.length <= 76)).toBe(true);
        expect(Buffer.from(lines.join(''), 'base64').equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });
});
