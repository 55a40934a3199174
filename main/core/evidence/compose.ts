/**
 * Outgoing mail as RFC 5322 bytes, built in one synchronous step (so a decision and its reply are
 * stored in the same transaction): the bytes stored in a thread are the bytes exported as .eml
 * and the bytes sent through the relay. Plain text only; nodemailer's own encoders do the header
 * words (RFC 2047) and quoted-printable. The text decodes back to exactly what was written (line
 * ends as CRLF on the wire, LF when read back).
 */
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as quotedPrintable, wrap } from 'nodemailer/lib/qp';
import { invalidInput } from '../errors.js';

export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly date: Date;
  /** With its angle brackets, like every id below. */
  readonly messageId: string;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
}

const ADDRESS = /^[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+$/;
const MESSAGE_ID = /^<[^<>\s]+>$/;

/** A text as a mail body holds it: LF line ends, ending in exactly one (what a reader of the mail gets back). */
export function mailText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n');
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '\n') end -= 1;
  return `${lines.slice(0, end)}\n`;
}

/** RFC 5322's date-time, in UTC: `Thu, 26 Nov 2026 10:00:00 +0000`. */
export function mailDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

function header(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76);
}

/** The message's bytes (see the module comment). */
export function composeMail(mail: OutgoingMail): Buffer {
  for (const [what, address] of [
    ['from', mail.from],
    ['to', mail.to],
  ] as const) {
    if (!ADDRESS.test(address)) throw invalidInput(`${what} ${JSON.stringify(address)} is not one plain mail address (name@domain, ASCII)`);
  }
  const ids = [mail.messageId, ...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references];
  const badId = ids.find((id) => !MESSAGE_ID.test(id));
  if (badId !== undefined) throw invalidInput(`${JSON.stringify(badId)} is not a message id (<...@...>)`);
  const text = mailText(mail.text);
  const isPlain = /^[\x20-\x7e\n\t]*$/.test(text) && text.split('\n').every((line) => line.length <= 76 && !/[ \t]$/.test(line) && !line.startsWith('From '));
  const lines = [
    header('From', mail.from),
    header('To', mail.to),
    header('Subject', encodeWords(mail.subject.replace(/[\r\n]+/g, ' '), 'Q', 52)),
    header('Date', mailDate(mail.date)),
    header('Message-ID', mail.messageId),
    ...(mail.inReplyTo ? [header('In-Reply-To', mail.inReplyTo)] : []),
    ...(mail.references.length > 0 ? [header('References', mail.references.join(' '))] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${isPlain ? '7bit' : 'quoted-printable'}`,
  ];
  const body = isPlain ? text.replace(/\n/g, '\r\n') : `${wrap(quotedPrintable(text.replace(/\n/g, '\r\n')), 76)}`;
  return Buffer.from(`${lines.join('\r\n').replace(/\r?\n/g, '\r\n')}\r\n\r\n${body.endsWith('\r\n') ? body : `${body}\r\n`}`, 'latin1');
}
