/**
 * One raw mail message, checked and parsed. MIME is parsed by mailparser only; what this module
 * adds is the door: it refuses what is not a mail message (an archive or binary renamed .eml,
 * bytes with no header block, control-character junk) and MIME that mailparser would read
 * silently wrong (a multipart body without its boundary), each with a message naming the problem,
 * and notes what is odd but readable (no Received header, raw 8-bit header bytes).
 */
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';

export interface ParsedMessage {
  readonly raw: Buffer;
  readonly sha256: Buffer;
  readonly subject: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly sentAt: string | null;
  readonly messageId: string | null;
  /** The text body, or the HTML body converted to text when there is no text part. */
  readonly text: string;
  readonly html: string | null;
  /** Received header values, newest first (as they appear). */
  readonly received: readonly string[];
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly attachments: ReadonlyArray<{ readonly fileName: string | null; readonly contentType: string; readonly size: number }>;
  readonly notes: readonly string[];
}

export type MessageCheck = { ok: true; value: ParsedMessage } | { ok: false; problem: string };

const SIGNATURES: ReadonlyArray<{ bytes: number[]; what: string }> = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], what: 'a 7-Zip archive' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an Outlook .msg or legacy Office file (save the message as .eml)' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an executable (ELF)' },
  { bytes: [0x4d, 0x5a], what: 'an executable (Windows)' },
];

/** What a file starting with these bytes is, when it is a known non-mail format; else null. */
export function knownBinaryFormat(head: Uint8Array): string | null {
  return SIGNATURES.find(({ bytes }) => bytes.every((byte, index) => head[index] === byte))?.what ?? null;
}

const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:/;
const MAIL_HEADERS = ['from', 'date', 'subject', 'message-id', 'received', 'to', 'return-path'];
const MAX_HEADER_BLOCK = 1024 * 1024;

function headerBlock(raw: Buffer): Buffer {
  const limit = Math.min(raw.length, MAX_HEADER_BLOCK);
  const lf = raw.indexOf('\n\n', 0, 'latin1');
  const crlf = raw.indexOf('\r\n\r\n', 0, 'latin1');
  const ends = [lf, crlf].filter((at) => at !== -1 && at < limit);
  return raw.subarray(0, ends.length > 0 ? Math.min(...ends) : limit);
}

function addressText(address: AddressObject | AddressObject[] | undefined): string | null {
  if (!address) return null;
  const text = (Array.isArray(address) ? address : [address]).map((item) => item.text).join(', ');
  return text === '' ? null : text;
}

/** The SHA-256 of a raw message, the key samples are stored under. */
export function messageHash(raw: Buffer): Buffer {
  return createHash('sha256').update(raw).digest();
}

export function compress(raw: Buffer): Buffer {
  return deflateSync(raw);
}

export function decompress(stored: Buffer): Buffer {
  return inflateSync(stored);
}

/** Check and parse one message (see the module comment). */
export async function parseMessage(raw: Buffer): Promise<MessageCheck> {
  if (!raw.some((byte) => byte !== 0x20 && (byte < 0x09 || byte > 0x0d))) return { ok: false, problem: 'the message is empty' };
  const format = knownBinaryFormat(raw.subarray(0, 8));
  if (format) return { ok: false, problem: `this is ${format}, not a mail message (.eml or mbox)` };
  const nul = raw.indexOf(0);
  if (nul !== -1) return { ok: false, problem: `binary content (a NUL byte at offset ${nul}), not a mail message` };
  // The head tells text from junk; scanning whole messages would cost as much as parsing them.
  let control = 0;
  const scanned = Math.min(raw.length, 16_384);
  for (let position = 0; position < scanned; position += 1) {
    const byte = raw[position];
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b) || byte === 0x7f) control += 1;
  }
  if (control > scanned / 100) return { ok: false, problem: `binary junk (${control} control bytes in the first ${scanned}), not a mail message` };
  const header = headerBlock(raw);
  const firstLine = header.toString('latin1').split(/\r?\n/, 1)[0];
  if (!HEADER_LINE.test(firstLine)) {
    return { ok: false, problem: `no header block: line 1 (${JSON.stringify(firstLine.slice(0, 60))}) is not a "Name: value" header, so this is not a mail message` };
  }
  const headerNames = new Set(
    header
      .toString('latin1')
      .split(/\r?\n/)
      .map((line) => /^([\x21-\x39\x3b-\x7e]+):/.exec(line)?.[1].toLowerCase())
      .filter((name): name is string => name !== undefined),
  );
  if (!MAIL_HEADERS.some((name) => headerNames.has(name))) {
    return { ok: false, problem: `not a mail message: its header has none of From, Date, Subject, Message-ID, Received, To, Return-Path` };
  }
  const notes: string[] = [];
  if (header.some((byte) => byte > 0x7f)) {
    const isUtf8 = (() => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(header);
        return true;
      } catch {
        return false;
      }
    })();
    notes.push(isUtf8 ? 'raw 8-bit (UTF-8) bytes in the header, not MIME-encoded (RFC 2047)' : 'raw 8-bit bytes in the header that are not UTF-8 (8-bit junk); shown with replacement characters');
  }
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch (error) {
    return { ok: false, problem: `malformed MIME: ${error instanceof Error ? error.message : String(error)}` };
  }
  const contentType = parsed.headers.get('content-type') as { value: string; params: Record<string, string> } | undefined;
  if (contentType && typeof contentType === 'object' && /^multipart\//i.test(contentType.value)) {
    const boundary = contentType.params.boundary;
    if (!boundary) return { ok: false, problem: `malformed MIME: the message is ${contentType.value} but gives no boundary, so its parts cannot be told apart` };
    if (raw.indexOf(`--${boundary}`, header.length, 'latin1') === -1) {
      return { ok: false, problem: `malformed MIME: the ${contentType.value} boundary ${JSON.stringify(boundary)} never appears in the body` };
    }
  }
  const received = parsed.headerLines.filter((line) => line.key === 'received').map((line) => line.line.replace(/^[^:]*:\s*/, ''));
  if (received.length === 0) notes.push('no Received header: the source address cannot be read from it');
  const html = typeof parsed.html === 'string' ? parsed.html : null;
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null;
  if (!date && headerNames.has('date')) notes.push('the Date header is not a date');
  return {
    ok: true,
    value: {
      raw,
      sha256: messageHash(raw),
      subject: parsed.subject ?? null,
      from: addressText(parsed.from),
      to: addressText(parsed.to),
      sentAt: date,
      messageId: parsed.messageId ?? null,
      text: parsed.text ?? '',
      html,
      received,
      headers: parsed.headerLines.map((line) => {
        const colon = line.line.indexOf(':');
        return { name: colon === -1 ? line.key : line.line.slice(0, colon), value: (colon === -1 ? '' : line.line.slice(colon + 1)).replace(/\r?\n[ \t]+/g, ' ').trim() };
      }),
      attachments: parsed.attachments.map((attachment) => ({ fileName: attachment.filename ?? null, contentType: attachment.contentType, size: attachment.size })),
      notes,
    },
  };
}
