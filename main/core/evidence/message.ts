/**
 * One raw mail message, checked and parsed. A spam sample is evidence, and spam is malformed on
 * purpose: every message whose bytes can be read is kept exactly as received, with what is wrong
 * with it listed as notes (broken MIME structure, bad encodings, missing headers, over-long lines,
 * parts past the limits). Refused, by name, is only what is not a mail message at all: an archive,
 * image or executable renamed .eml, binary bytes, control-character junk, text with no header
 * block. MIME is parsed by mailparser (which stops at 1,000 parts and 1 MiB of header); when it
 * cannot read a message, or the structure cannot be split into parts, the header is read alone and
 * the body is shown as text, so nothing readable is refused.
 */
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import type { AddressObject, ParsedMail, simpleParser as SimpleParser } from 'mailparser';
import { htmlText } from './html.js';
import { formatSize, inspectMime } from './mime-scan.js';

/**
 * Mail parsing (mailparser and its character sets, some 20 modules) loads with the first message
 * read, not with the core: a lookup or an import of listings never pays for it.
 */
let mailParserModule: Promise<{ simpleParser: typeof SimpleParser }> | null = null;
function mailParser(): Promise<{ simpleParser: typeof SimpleParser }> {
  mailParserModule ??= import('mailparser');
  return mailParserModule;
}

export interface ParsedMessage {
  readonly raw: Buffer;
  readonly sha256: Buffer;
  readonly subject: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly sentAt: string | null;
  readonly messageId: string | null;
  /** The text body, or the HTML body converted to text when there is no text part, or the body as received when MIME could not be read. */
  readonly text: string;
  readonly html: string | null;
  /** Received header values, newest first (as they appear). */
  readonly received: readonly string[];
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly attachments: ReadonlyArray<{ readonly fileName: string | null; readonly contentType: string; readonly size: number }>;
  /** What is wrong or odd with the message, in sentences. */
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
/** At least one of these tells a message header from other `Name: value` text. */
const MAIL_HEADERS = [
  'from', 'date', 'subject', 'message-id', 'received', 'to', 'cc', 'return-path', 'sender', 'reply-to', 'delivered-to', 'in-reply-to', 'references',
  'mime-version', 'content-type', 'content-transfer-encoding',
];
const MAX_HEADER_BLOCK = 1024 * 1024;
/** When mailparser cannot read a message: header lines cut to this for reading, and this much of them. */
const DIGEST_LINE_BYTES = 4096;
const DIGEST_BYTES = 256 * 1024;
/** When MIME cannot be read: this much of the body is kept as the text shown and indexed. */
const RAW_TEXT_BYTES = 1024 * 1024;
/** The text body shown and indexed, and the HTML shown, are cut at these lengths (in characters): spam can be any size. */
const TEXT_LIMIT = 1024 * 1024;
const HTML_LIMIT = 2 * 1024 * 1024;

/** The header block (at most MAX_HEADER_BLOCK bytes of it). */
function headerBlock(raw: Buffer): Buffer {
  const limit = Math.min(raw.length, MAX_HEADER_BLOCK);
  const end = bodyStart(raw);
  return raw.subarray(0, end === null ? limit : Math.min(end, limit));
}

/** Where the body starts (after the first empty line), or null when there is none. */
function bodyStart(raw: Buffer): number | null {
  const lf = raw.indexOf('\n\n', 0, 'latin1');
  const crlf = raw.indexOf('\n\r\n', 0, 'latin1');
  if (lf === -1 && crlf === -1) return null;
  if (crlf === -1 || (lf !== -1 && lf < crlf)) return lf + 2;
  return crlf + 3;
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

/** Why these bytes are not a mail message at all, or null when they are one. */
function notAMessage(raw: Buffer, header: Buffer): string | null {
  if (!raw.some((byte) => byte !== 0x20 && (byte < 0x09 || byte > 0x0d))) return 'the message is empty';
  const format = knownBinaryFormat(raw.subarray(0, 8));
  if (format) return `this is ${format}, not a mail message (.eml or mbox)`;
  const nul = raw.indexOf(0);
  if (nul !== -1) return `binary content (a NUL byte at offset ${nul}), not a mail message`;
  // The head tells text from junk; scanning whole messages would cost as much as parsing them.
  let control = 0;
  const scanned = Math.min(raw.length, 16_384);
  for (let position = 0; position < scanned; position += 1) {
    const byte = raw[position];
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b) || byte === 0x7f) control += 1;
  }
  if (control > scanned / 100) return `binary junk (${control} control bytes in the first ${scanned}), not a mail message`;
  const firstLine = header.subarray(0, 200).toString('latin1').split(/\r?\n/, 1)[0];
  if (!HEADER_LINE.test(firstLine)) {
    return `no header block: line 1 (${JSON.stringify(firstLine.slice(0, 60))}) is not a "Name: value" header, so this is not a mail message`;
  }
  return null;
}

function headerNamesOf(header: Buffer): Set<string> {
  return new Set(
    header
      .toString('latin1')
      .split(/\r?\n/)
      .map((line) => /^([\x21-\x39\x3b-\x7e]+):/.exec(line)?.[1].toLowerCase())
      .filter((name): name is string => name !== undefined),
  );
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The header lines, each cut to DIGEST_LINE_BYTES, up to DIGEST_BYTES: what is read when the whole message cannot be. */
function headerDigest(header: Buffer): { digest: Buffer; isCut: boolean } {
  const lines = header.toString('latin1').split(/\r?\n/);
  const kept: string[] = [];
  let size = 0;
  let isCut = false;
  for (const line of lines) {
    const cut = line.length > DIGEST_LINE_BYTES ? line.slice(0, DIGEST_LINE_BYTES) : line;
    if (cut !== line) isCut = true;
    if (size + cut.length > DIGEST_BYTES) {
      isCut = true;
      break;
    }
    kept.push(cut);
    size += cut.length + 2;
  }
  // A folded line cut off from its header would be read as a header of its own: drop trailing continuations.
  while (kept.length > 0 && /^[ \t]/.test(kept[kept.length - 1]) && isCut) kept.pop();
  return { digest: Buffer.from(`${kept.join('\r\n')}\r\n\r\n`, 'latin1'), isCut };
}

// HTML is turned into text here (htmlText), within TEXT_LIMIT: mailparser's conversion of a 30 MB HTML body takes 20 times its size in memory.
const PARSE_OPTIONS = { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true } as const;

/** Check and parse one message (see the module comment). */
export async function parseMessage(raw: Buffer): Promise<MessageCheck> {
  const header = headerBlock(raw);
  const problem = notAMessage(raw, header);
  if (problem) return { ok: false, problem };
  const headerNames = headerNamesOf(header);
  if (!MAIL_HEADERS.some((name) => headerNames.has(name))) {
    return { ok: false, problem: 'not a mail message: its header has none of From, Date, Subject, Message-ID, Received, To, MIME-Version, Content-Type' };
  }
  const notes: string[] = [];
  if (header.some((byte) => byte > 0x7f)) {
    notes.push(isUtf8(header) ? 'raw 8-bit (UTF-8) bytes in the header, not MIME-encoded (RFC 2047)' : 'raw 8-bit bytes in the header that are not UTF-8 (8-bit junk); shown with replacement characters');
  }
  const missing = [
    ['from', 'From'],
    ['date', 'Date'],
    ['message-id', 'Message-ID'],
  ].flatMap(([name, label]) => (headerNames.has(name) ? [] : [label]));
  if (missing.length > 0) notes.push(`missing header${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`);
  const inspection = inspectMime(raw);
  notes.push(...inspection.notes);
  let parsed: ParsedMail | null = null;
  if (!inspection.isRootUnsplittable) {
    try {
      parsed = await (await mailParser()).simpleParser(raw, PARSE_OPTIONS);
    } catch (error) {
      notes.push(`MIME not fully read (${error instanceof Error ? error.message : String(error)}): the body is shown as received`);
    }
  }
  let text: string;
  let html: string | null = null;
  let attachments: ParsedMessage['attachments'] = [];
  if (parsed) {
    html = typeof parsed.html === 'string' ? parsed.html : null;
    text = parsed.text?.trim() ? parsed.text : html !== null ? htmlText(html, TEXT_LIMIT + 1) : '';
    if (html !== null && html.length > HTML_LIMIT) {
      notes.push(`the HTML body is ${formatSize(html.length)}: the first ${formatSize(HTML_LIMIT)} of it is shown; the stored message is whole`);
      html = html.slice(0, HTML_LIMIT);
    }
    attachments = parsed.attachments.map((attachment) => ({ fileName: attachment.filename ?? null, contentType: attachment.contentType, size: attachment.size }));
  } else {
    // Read the header alone (its lines cut when huge), and show the body as the bytes it is.
    const { digest, isCut } = headerDigest(header);
    if (isCut || header.length >= MAX_HEADER_BLOCK) notes.push('header lines over 4 KiB (or past the first 256 KiB of header) are cut in the view; the stored message is whole');
    try {
      parsed = await (await mailParser()).simpleParser(digest, PARSE_OPTIONS);
    } catch (error) {
      notes.push(`the header could not be read (${error instanceof Error ? error.message : String(error)})`);
    }
    const start = bodyStart(raw);
    const body = start === null ? Buffer.alloc(0) : raw.subarray(start, start + RAW_TEXT_BYTES);
    text = new TextDecoder('utf-8').decode(body);
    if (start !== null && raw.length - start > RAW_TEXT_BYTES) notes.push(`only the first ${formatSize(RAW_TEXT_BYTES)} of the body is shown as text; the stored message is whole`);
  }
  if (text.length > TEXT_LIMIT) {
    notes.push(`the text body is over ${formatSize(TEXT_LIMIT)}: the first ${formatSize(TEXT_LIMIT)} of it is shown and searchable; the stored message is whole`);
    text = text.slice(0, TEXT_LIMIT);
  }
  const headerLines = parsed?.headerLines ?? [];
  const received = headerLines.filter((line) => line.key === 'received').map((line) => line.line.replace(/^[^:]*:\s*/, ''));
  if (received.length === 0) notes.push('no Received header: the source address cannot be read from it');
  const date = parsed?.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null;
  if (!date && headerNames.has('date')) notes.push('the Date header is not a date');
  return {
    ok: true,
    value: {
      raw,
      sha256: messageHash(raw),
      subject: parsed?.subject ?? null,
      from: addressText(parsed?.from),
      to: addressText(parsed?.to),
      sentAt: date,
      messageId: parsed?.messageId ?? null,
      text,
      html,
      received,
      headers: headerLines.map((line) => {
        const colon = line.line.indexOf(':');
        return { name: colon === -1 ? line.key : line.line.slice(0, colon), value: (colon === -1 ? '' : line.line.slice(colon + 1)).replace(/\r?\n[ \t]+/g, ' ').trim() };
      }),
      attachments,
      notes,
    },
  };
}
