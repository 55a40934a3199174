/**
 * A bounded walk over a message's MIME structure that lists what is wrong with it, for the notes
 * kept with a spam sample: spam is malformed on purpose, and a sample is stored as received
 * whatever its structure, with its problems named. The walk reads the raw bytes once per level,
 * never decodes a body, keeps no copy of the message, and stops at MAX_DEPTH levels and MAX_PARTS
 * parts (saying so), so a message of 100,000 parts or 1,000 nested levels costs a linear scan.
 */

/** Deepest nesting examined; mailparser's own limit on parts is 1,000 nodes in all. */
export const MAX_DEPTH = 50;
export const MAX_PARTS = 1000;
/** The longest line RFC 5322 allows (2.1.1), without its CRLF. */
const MAX_LINE = 998;
/** A header block (of the message or of a part) larger than this is not read for MIME. */
const MAX_HEADER_BYTES = 1024 * 1024;
const TRANSFER_ENCODINGS = new Set(['7bit', '8bit', 'binary', 'base64', 'quoted-printable', 'x-uuencode', 'uuencode', 'x-uue']);

export interface MimeInspection {
  readonly notes: readonly string[];
  /** The root is multipart, but its parts cannot be told apart (no boundary, or it never appears): the body is best shown as text. */
  readonly isRootUnsplittable: boolean;
}

interface Entity {
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  /** "the message", or "part 1.2" */
  readonly name: string;
}

interface EntityHeader {
  readonly contentType: string | null;
  readonly params: ReadonlyMap<string, string>;
  readonly transferEncoding: string | null;
}

/** Where an entity's header ends and its body starts (after the empty line), within [start, end). */
function splitEntity(raw: Buffer, start: number, end: number): { headerEnd: number; bodyStart: number } {
  if (raw[start] === 0x0a) return { headerEnd: start, bodyStart: start + 1 };
  if (raw[start] === 0x0d && raw[start + 1] === 0x0a) return { headerEnd: start, bodyStart: start + 2 };
  const limit = Math.min(end, start + MAX_HEADER_BYTES);
  for (let at = raw.indexOf(0x0a, start); at !== -1 && at < limit; at = raw.indexOf(0x0a, at + 1)) {
    if (raw[at + 1] === 0x0a) return { headerEnd: at + 1, bodyStart: at + 2 };
    if (raw[at + 1] === 0x0d && raw[at + 2] === 0x0a) return { headerEnd: at + 1, bodyStart: at + 3 };
  }
  return { headerEnd: limit, bodyStart: limit >= end ? end : limit };
}

/** Content-Type (type/subtype and parameters) and Content-Transfer-Encoding of a header block. */
function readHeader(text: string): EntityHeader {
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  const contentType = /^content-type:[ \t]*([^\r\n]*)/im.exec(unfolded)?.[1] ?? null;
  const transferEncoding = /^content-transfer-encoding:[ \t]*([^\r\n;]*)/im.exec(unfolded)?.[1]?.trim().toLowerCase() ?? null;
  const params = new Map<string, string>();
  if (contentType === null) return { contentType: null, params, transferEncoding };
  const [type, ...rest] = contentType.split(';');
  for (const match of rest.join(';').matchAll(/([!#-'*+.0-9A-Z^-~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/gi)) {
    const name = match[1].toLowerCase();
    if (!params.has(name)) params.set(name, (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  return { contentType: type.trim().toLowerCase(), params, transferEncoding };
}

/** The positions of the delimiter lines `--boundary` (and whether each closes) within [from, end). */
function delimiters(raw: Buffer, boundary: string, from: number, end: number, max: number): Array<{ at: number; after: number; isClose: boolean }> {
  const needle = Buffer.from(`--${boundary}`, 'latin1');
  const found: Array<{ at: number; after: number; isClose: boolean }> = [];
  for (let at = raw.indexOf(needle, from); at !== -1 && at < end && found.length <= max; at = raw.indexOf(needle, at + needle.length)) {
    if (at !== from && raw[at - 1] !== 0x0a) continue;
    let after = at + needle.length;
    const isClose = raw[after] === 0x2d && raw[after + 1] === 0x2d;
    if (isClose) after += 2;
    // Transport padding, then the end of the line.
    while (after < end && (raw[after] === 0x20 || raw[after] === 0x09)) after += 1;
    if (after < end && raw[after] !== 0x0a && raw[after] !== 0x0d) continue;
    if (raw[after] === 0x0d) after += 1;
    if (raw[after] === 0x0a) after += 1;
    found.push({ at, after, isClose });
    if (isClose) break;
  }
  return found;
}

/** The end of a part's content: before the line break that precedes the next delimiter. */
function contentEnd(raw: Buffer, delimiterAt: number, start: number): number {
  let end = delimiterAt;
  if (end > start && raw[end - 1] === 0x0a) end -= 1;
  if (end > start && raw[end - 1] === 0x0d) end -= 1;
  return end;
}

function checkLeaf(raw: Buffer, entity: Entity, header: EntityHeader, bodyStart: number, note: (text: string) => void): void {
  const encoding = header.transferEncoding;
  if (encoding !== null && encoding !== '' && !TRANSFER_ENCODINGS.has(encoding)) {
    note(`${entity.name}: unknown Content-Transfer-Encoding ${JSON.stringify(encoding)}; its body is shown as it is`);
  }
  if (encoding === 'base64') {
    let outside = 0;
    for (let at = bodyStart; at < entity.end; at += 1) {
      const byte = raw[at];
      const isBase64 = (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2b || byte === 0x2f || byte === 0x3d;
      if (!isBase64 && byte !== 0x0a && byte !== 0x0d && byte !== 0x20 && byte !== 0x09) outside += 1;
    }
    if (outside > 0) note(`${entity.name}: bad base64 encoding (${outside} byte${outside === 1 ? '' : 's'} outside the base64 alphabet)`);
  } else if (encoding === 'quoted-printable') {
    const isHex = (byte: number) => (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
    let bad = 0;
    for (let at = raw.indexOf(0x3d, bodyStart); at !== -1 && at < entity.end; at = raw.indexOf(0x3d, at + 1)) {
      if (isHex(raw[at + 1]) && isHex(raw[at + 2])) continue;
      // A soft line break: "=" then (transport padding and) the end of the line.
      let next = at + 1;
      while (next < entity.end && (raw[next] === 0x20 || raw[next] === 0x09)) next += 1;
      if (next < entity.end && raw[next] !== 0x0a && raw[next] !== 0x0d) bad += 1;
    }
    if (bad > 0) note(`${entity.name}: bad quoted-printable encoding (${bad} "=" not followed by two hex digits)`);
  }
  const charset = header.params.get('charset');
  if (charset !== undefined && (header.contentType === null || header.contentType.startsWith('text/'))) {
    try {
      new TextDecoder(charset.trim());
    } catch {
      note(`${entity.name}: unknown charset ${JSON.stringify(charset)}; its text may show wrongly`);
    }
  }
}

/** Lines over RFC 5322's 998 characters, counted over the whole message. */
function longLines(raw: Buffer): { count: number; longest: number } {
  let count = 0;
  let longest = 0;
  let start = 0;
  for (;;) {
    const end = raw.indexOf(0x0a, start);
    const length = (end === -1 ? raw.length : end) - start - (end > 0 && raw[end - 1] === 0x0d ? 1 : 0);
    if (length > MAX_LINE) {
      count += 1;
      longest = Math.max(longest, length);
    }
    if (end === -1) break;
    start = end + 1;
  }
  return { count, longest };
}

/** A size in words: 512 bytes, 3.5 KiB, 31.0 MiB. */
export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`;
}

/** Walk the structure of a raw message (see the module comment) and name what is wrong with it. */
export function inspectMime(raw: Buffer): MimeInspection {
  const notes: string[] = [];
  const note = (text: string) => {
    if (notes.length < 30 && !notes.includes(text)) notes.push(text);
  };
  let isRootUnsplittable = false;
  let parts = 0;
  let isTooDeepNoted = false;
  let isTooManyNoted = false;
  const stack: Entity[] = [{ start: 0, end: raw.length, depth: 0, name: 'the message' }];
  while (stack.length > 0) {
    const entity = stack.pop() as Entity;
    const { headerEnd, bodyStart } = splitEntity(raw, entity.start, entity.end);
    const headerSize = headerEnd - entity.start;
    if (headerSize >= MAX_HEADER_BYTES) {
      note(`${entity.name}: a header block over ${formatSize(MAX_HEADER_BYTES)}: its MIME structure is not read`);
      if (entity.depth === 0) isRootUnsplittable = true;
      continue;
    }
    const header = readHeader(raw.subarray(entity.start, headerEnd).toString('latin1'));
    if (header.contentType === null || !header.contentType.startsWith('multipart/')) {
      checkLeaf(raw, entity, header, bodyStart, note);
      continue;
    }
    const boundary = header.params.get('boundary');
    if (boundary === undefined || boundary === '') {
      note(`${entity.name}: broken MIME structure: ${header.contentType} gives no boundary, so its parts cannot be told apart; its body is kept as text`);
      if (entity.depth === 0) isRootUnsplittable = true;
      continue;
    }
    const found = delimiters(raw, boundary, bodyStart, entity.end, MAX_PARTS - parts);
    if (found.length === 0) {
      note(`${entity.name}: broken MIME structure: the ${header.contentType} boundary ${JSON.stringify(boundary)} never appears in the body; its body is kept as text`);
      if (entity.depth === 0) isRootUnsplittable = true;
      continue;
    }
    if (!found[found.length - 1].isClose && found.length <= MAX_PARTS - parts) {
      note(`${entity.name}: broken MIME structure: the ${header.contentType} boundary ${JSON.stringify(boundary)} is never closed (the message may be cut short)`);
    }
    if (entity.depth + 1 > MAX_DEPTH) {
      if (!isTooDeepNoted) note(`MIME parts nested deeper than ${MAX_DEPTH} levels: the parts below level ${MAX_DEPTH} are not examined`);
      isTooDeepNoted = true;
      continue;
    }
    const children: Entity[] = [];
    for (let index = 0; index < found.length; index += 1) {
      const delimiter = found[index];
      if (delimiter.isClose) break;
      if (parts >= MAX_PARTS) {
        if (!isTooManyNoted) note(`more than ${MAX_PARTS.toLocaleString('en-GB')} MIME parts: only the first ${MAX_PARTS.toLocaleString('en-GB')} are examined`);
        isTooManyNoted = true;
        break;
      }
      const next = found[index + 1];
      const end = next ? contentEnd(raw, next.at, delimiter.after) : entity.end;
      parts += 1;
      children.push({ start: delimiter.after, end, depth: entity.depth + 1, name: entity.depth === 0 ? `part ${index + 1}` : `${entity.name}.${index + 1}` });
    }
    if (children.length === 0 && !isTooManyNoted) note(`${entity.name}: broken MIME structure: ${header.contentType} with no parts`);
    // Depth first, in order: the first child is examined first.
    for (let index = children.length - 1; index >= 0; index -= 1) stack.push(children[index]);
  }
  const lines = longLines(raw);
  if (lines.count > 0) {
    note(`${lines.count.toLocaleString('en-GB')} line${lines.count === 1 ? '' : 's'} longer than the 998 characters RFC 5322 allows (the longest: ${formatSize(lines.longest)})`);
  }
  return { notes, isRootUnsplittable };
}
