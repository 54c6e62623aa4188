/**
 * An email with one attachment as an RFC 5322 / MIME message (RFC 2045-2047, RFC 2231):
 * `multipart/mixed` with a UTF-8 text part and the document, both base64 in lines of 76.
 * SES v2 sends it as is (`Content.Raw`); the local outbox keeps it as `message/rfc822`.
 *
 * Header values are checked, not trusted: a CR or LF in any of them (header injection) or an
 * address that is not one plain address throws. Non-ASCII subjects and names become RFC 2047
 * encoded words; a non-ASCII filename gets an RFC 2231 `filename*` beside an ASCII fallback.
 */
import { randomBytes } from 'node:crypto';

export interface MimeAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

export interface MimeMessage {
  readonly from: { readonly name?: string; readonly address: string };
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly attachment: MimeAttachment;
  readonly date: Date;
  /** The message's id without brackets, e.g. `doc_ab12.email@arvika.se`. */
  readonly messageId: string;
  /** Only for tests: a fixed boundary. */
  readonly boundary?: string;
}

const CRLF = '\r\n';
const addressPattern = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const contentTypePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

export class InvalidMimeInput extends Error {
  override readonly name = 'InvalidMimeInput';
}

function noLineBreaks(field: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new InvalidMimeInput(`${field} contains a line break`);
  return value;
}

function plainAddress(field: string, value: string): string {
  noLineBreaks(field, value);
  if (value.length > 254 || !addressPattern.test(value)) throw new InvalidMimeInput(`${field} is not a single email address`);
  return value;
}

const isPlainAscii = (text: string) => /^[\x20-\x7E]*$/.test(text);

/** RFC 2047 B-encoded words of at most 75 characters, never splitting a character's UTF-8 bytes. */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    // 45 bytes of UTF-8 → 60 base64 characters, plus the 12 of `=?UTF-8?B?` and `?=`: 72.
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`);
}

/** An unstructured header value (Subject): ASCII folded at spaces, anything else as encoded words. */
function unstructured(name: string, value: string): string {
  noLineBreaks(name, value);
  if (isPlainAscii(value) && `${name}: ${value}`.length <= 78) return `${name}: ${value}`;
  if (isPlainAscii(value)) {
    const lines: string[] = [];
    let line = `${name}:`;
    for (const word of value.split(' ')) {
      if (line.length + 1 + word.length > 78 && line !== `${name}:`) {
        lines.push(line);
        line = '';
      }
      line += ` ${word}`;
    }
    lines.push(line);
    return lines.join(CRLF);
  }
  return `${name}: ${encodedWords(value).join(`${CRLF} `)}`;
}

function mailbox(field: string, name: string | undefined, address: string): string {
  plainAddress(field, address);
  if (!name) return address;
  noLineBreaks(field, name);
  const display = isPlainAscii(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : encodedWords(name).join(' ');
  return `${display} <${address}>`;
}

/** Base64 in lines of 76 characters (RFC 2045 6.8). */
export function base64Lines(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines.join(CRLF);
}

/** `filename="…"` (ASCII, quoted) and, for other names, RFC 2231's `filename*=UTF-8''…` too. */
function filenameParameters(filename: string): string {
  noLineBreaks('filename', filename);
  const fallback = filename.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7E]|["\\]/g, '_');
  if (fallback === filename) return `filename="${filename}"`;
  const extended = [...Buffer.from(filename, 'utf8')]
    .map((byte) => (/[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return `filename="${fallback}";${CRLF} filename*=UTF-8''${extended}`;
}

/** RFC 5322 date-time in UTC, e.g. `Fri, 04 Dec 2026 05:09:48 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export function buildMimeMessage(message: MimeMessage): Uint8Array {
  const boundary = message.boundary ?? `=_utility_${randomBytes(12).toString('hex')}`;
  const contentType = noLineBreaks('attachment.contentType', message.attachment.contentType);
  if (!contentTypePattern.test(contentType)) throw new InvalidMimeInput('attachment.contentType is not a media type');
  noLineBreaks('messageId', message.messageId);
  if (!/^[\x21-\x7E]+@[\x21-\x7E]+$/.test(message.messageId) || /[<>]/.test(message.messageId)) throw new InvalidMimeInput('messageId is not an id');
  const headers = [
    `From: ${mailbox('from', message.from.name, message.from.address)}`,
    `To: ${mailbox('to', undefined, message.to)}`,
    unstructured('Subject', message.subject),
    `Date: ${rfc5322Date(message.date)}`,
    `Message-ID: <${message.messageId}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ];
  const parts = [
    [
      `--${boundary}`,
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(Buffer.from(message.text.replace(/\r?\n/g, CRLF), 'utf8')),
    ].join(CRLF),
    [
      `--${boundary}`,
      `Content-Type: ${contentType}`,
      `Content-Disposition: attachment; ${filenameParameters(message.attachment.filename)}`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(message.attachment.bytes),
    ].join(CRLF),
  ];
  const text = [...headers, '', 'This is a multipart message in MIME format.', ...parts, `--${boundary}--`, ''].join(CRLF);
  return Buffer.from(text, 'ascii');
}
