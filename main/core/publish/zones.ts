/**
 * Zone writers: turn the resolved, disjoint segments of one list and one family into the text
 * that rbldnsd (ip4trie / ip6trie data) or NSD / Knot / BIND (master format) load, streamed to
 * a sink in chunks so that a million entries never become one giant string.
 *
 * Facts these writers rely on, checked against the real servers (rbldnsd 1.0~20210120, NSD 4.6,
 * Knot 3.2; see test/integration/zones-real-dns.test.ts):
 * - rbldnsd ignores (with only a log warning) a CIDR with host bits set, so every entry is a
 *   clean block from rangeToCidrs.
 * - rbldnsd answers one value per dataset (longest prefix); a combined zone is served as one
 *   dataset per list, repeating the zone name on the command line
 *   (`bl.example:ip4trie:rbl bl.example:ip4trie:dul`); the `zone:type:file1,file2` form merges
 *   the files into ONE dataset and answers only one of the values.
 * - rbldnsd TXT templates: `$` is the queried address, `$$` a literal `$`, `$0`..`$9` a
 *   substitution variable (kept literally when undefined), leading and trailing blanks of the
 *   line are dropped, templates over 255 bytes are truncated, lines over ~510 bytes are cut.
 * - `$TIMESTAMP created expires` (UTC, yyyymmddhhmmss): after `expires` rbldnsd answers SERVFAIL
 *   for the zone (checked every -c interval); a `created` in the future makes it refuse the data
 *   (at start-up it exits), so we write `0` (no check) there.
 * - Master format: RFC 4592 wildcards are shadowed by any name below their parent; with
 *   disjoint segments no wildcard's parent has another name under it, so a wildcard per aligned
 *   block answers exactly that block.
 */
import { familyBits, formatAddress, formatCidr, maxAddress, parseAddress, rangeToCidrs, type Family } from '../../../shared/address.js';
import type { Segment, ZoneAnswer, ZoneParameters } from './types.js';
import { ByteOutput, FILE_CHUNK_BYTES, textSink, type ByteSink } from './byte-output.js';

/** What a writer reports about the file it wrote. */
export interface ZoneWriteResult {
  /** rbldnsd: CIDR lines; master format: owner names (wildcards and exact names). */
  readonly entries: number;
}

/** Thrown for input a writer refuses (overlap, /0, a TXT the format cannot carry...), with a message naming it. */
export class ZoneWriteError extends Error {
  override name = 'ZoneWriteError';
}

const CHUNK_CHARACTERS = 64 * 1024;
const TXT_STRING_BYTES = 255;
/** rbldnsd truncates a TXT template to 255 bytes and its answer to 255 bytes after substitution. */
const RBLDNSD_TXT_BYTES = 255;
const LONGEST_ADDRESS_TEXT: Record<Family, number> = { 4: 15, 6: 39 };
const LABEL_BITS: Record<Family, number> = { 4: 8, 6: 4 };
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
const RBLDNSD_UNSAFE_DOLLAR = /\$[0-9$=]/;

let octetTexts: string[] | null = null;
let reversedPairTexts: string[] | null = null;

/** Lookup tables for IPv4 names: each octet, and "b.a" for every 16-bit half, so a name is two lookups. */
function ipv4Tables(): { octets: string[]; reversedPairs: string[] } {
  if (octetTexts === null || reversedPairTexts === null) {
    octetTexts = Array.from({ length: 256 }, (_, index) => String(index));
    const octets = octetTexts;
    reversedPairTexts = new Array<string>(65536);
    for (let high = 0; high < 256; high += 1) {
      for (let low = 0; low < 256; low += 1) reversedPairTexts[(high << 8) | low] = `${octets[low]}.${octets[high]}`;
    }
  }
  return { octets: octetTexts, reversedPairs: reversedPairTexts };
}

/** Reversed-octet labels of the top `octetCount` octets of an IPv4 address (`octetCount` 1..4). */
function ipv4Labels(value: number, octetCount: number): string {
  const { octets, reversedPairs } = ipv4Tables();
  switch (octetCount) {
    case 4: return `${reversedPairs[value & 0xffff]}.${reversedPairs[value >>> 16]}`;
    case 3: return `${octets[(value >>> 8) & 255]}.${reversedPairs[value >>> 16]}`;
    case 2: return reversedPairs[value >>> 16];
    default: return octets[value >>> 24];
  }
}

/** Reversed-nibble labels of the top `nibbleCount` nibbles of an IPv6 address. */
function ipv6Labels(value: bigint, nibbleCount: number): string {
  const hex = value.toString(16).padStart(32, '0');
  const labels = new Array<string>(nibbleCount);
  for (let index = 0; index < nibbleCount; index += 1) labels[nibbleCount - 1 - index] = hex[index];
  return labels.join('.');
}

/** The owner-name labels of one address, without the origin: `4.3.2.1` for 1.2.3.4, 32 reversed nibbles for IPv6. */
export function reverseName(family: Family, value: bigint): string {
  checkAddress(family, value);
  return family === 4 ? ipv4Labels(Number(value), 4) : ipv6Labels(value, 32);
}

/** The DNS name a client asks for an address in a zone (no trailing dot). */
export function queryName(family: Family, value: bigint, origin: string): string {
  return `${reverseName(family, value)}.${origin}`;
}

function checkAddress(family: Family, value: bigint): void {
  if (family !== 4 && family !== 6) throw new ZoneWriteError(`family must be 4 or 6, not ${String(family)}`);
  if (value < 0n || value > maxAddress(family)) throw new ZoneWriteError(`${value} is not an IPv${family} address value`);
}

function checkDomain(what: string, name: string): void {
  if (typeof name !== 'string' || !DOMAIN_NAME.test(name)) {
    throw new ZoneWriteError(`${what} ${JSON.stringify(name)} is not a domain name (no trailing dot, letters, digits, '-' and '_' only)`);
  }
}

function checkCount(what: string, value: number, maximum: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > maximum) throw new ZoneWriteError(`${what} must be an integer 0..${maximum}, not ${value}`);
}

const UINT32_MAX = 0xffffffff;
const TTL_MAX = 0x7fffffff;

function checkParameters(parameters: ZoneParameters): void {
  if (parameters.family !== 4 && parameters.family !== 6) throw new ZoneWriteError(`family must be 4 or 6, not ${String(parameters.family)}`);
  checkDomain('origin', parameters.origin);
  checkDomain('hostmaster', parameters.hostmaster);
  if (parameters.nameServers.length === 0) throw new ZoneWriteError('at least one name server is needed for the NS records');
  for (const nameServer of parameters.nameServers) checkDomain('name server', nameServer);
  checkCount('serial', parameters.serial, UINT32_MAX);
  checkCount('ttl', parameters.ttl, TTL_MAX);
  checkCount('refresh', parameters.refresh, TTL_MAX);
  checkCount('retry', parameters.retry, TTL_MAX);
  checkCount('expire', parameters.expire, TTL_MAX);
  checkCount('negativeTtl', parameters.negativeTtl, TTL_MAX);
  checkCount('created', parameters.created, Number.MAX_SAFE_INTEGER);
  checkCount('expires', parameters.expires, Number.MAX_SAFE_INTEGER);
  if (parameters.expires <= parameters.created) throw new ZoneWriteError(`expires (${parameters.expires}) must be after created (${parameters.created})`);
}

function canonicalA(answer: ZoneAnswer): string {
  const parsed = typeof answer.a === 'string' ? parseAddress(answer.a) : null;
  if (!parsed || !parsed.ok || parsed.value.family !== 4 || parsed.value.notes.length > 0) {
    throw new ZoneWriteError(`A value ${JSON.stringify(answer.a)} is not an IPv4 address`);
  }
  if (parsed.value.value === 0n) throw new ZoneWriteError('A value 0.0.0.0 cannot be published');
  return formatAddress(4, parsed.value.value);
}

function describe(family: Family, segment: Segment): string {
  return segment.first === segment.last
    ? formatAddress(family, segment.first)
    : `${formatAddress(family, segment.first)}-${formatAddress(family, segment.last)}`;
}

/** Checks one segment against the end of the one before: sorted, disjoint, in range, at least one answer, not /0. */
const MAX_ADDRESS: Record<Family, bigint> = { 4: maxAddress(4), 6: maxAddress(6) };

function checkSegment(family: Family, segment: Segment, previousLast: bigint): void {
  if (typeof segment.first !== 'bigint' || typeof segment.last !== 'bigint' || segment.first > segment.last || segment.first < 0n || segment.last > MAX_ADDRESS[family]) {
    throw new ZoneWriteError(`segment ${String(segment.first)}..${String(segment.last)} is not a range of IPv${family} addresses`);
  }
  if (segment.first <= previousLast) {
    throw new ZoneWriteError(`segments must be sorted and disjoint: ${describe(family, segment)} starts at or before the end of the previous one (${formatAddress(family, previousLast)})`);
  }
  if (segment.answers.length === 0) throw new ZoneWriteError(`segment ${describe(family, segment)} has no answers`);
  if (segment.first === 0n && segment.last === MAX_ADDRESS[family]) {
    throw new ZoneWriteError(`segment ${describe(family, segment)} covers the whole IPv${family} space (/0); refused`);
  }
}

function utcStamp(seconds: number): string {
  const date = new Date(seconds * 1000);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${String(date.getUTCFullYear()).padStart(4, '0')}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The `:A:TXT` value of an rbldnsd entry, or a ZoneWriteError saying why rbldnsd cannot carry it. */
export function rbldnsdValue(answer: ZoneAnswer, family: Family): string {
  const a = canonicalA(answer);
  const txt = answer.txt;
  if (typeof txt !== 'string') throw new ZoneWriteError(`TXT of ${a} is not text`);
  if (hasControlCharacter(txt)) throw new ZoneWriteError(`TXT ${JSON.stringify(txt)} contains a control character (newline, tab...), which rbldnsd data cannot carry`);
  if (txt !== txt.trim()) throw new ZoneWriteError(`TXT ${JSON.stringify(txt)} starts or ends with a blank, which rbldnsd drops`);
  if (RBLDNSD_UNSAFE_DOLLAR.test(txt)) {
    throw new ZoneWriteError(`TXT ${JSON.stringify(txt)}: rbldnsd reads '$' followed by a digit, '$' or '=' as a variable, not as the address`);
  }
  const substitutions = txt.split('$').length - 1;
  const longest = utf8Length(txt) - substitutions + substitutions * LONGEST_ADDRESS_TEXT[family];
  if (longest > RBLDNSD_TXT_BYTES) {
    throw new ZoneWriteError(`TXT ${JSON.stringify(txt.slice(0, 40))}... can reach ${longest} bytes with the address substituted; rbldnsd truncates TXT at ${RBLDNSD_TXT_BYTES}`);
  }
  return `:${a}:${txt}`;
}

/**
 * Writes rbldnsd ip4trie (family 4) or ip6trie (family 6) data: `$SOA`, `$NS`, `$TTL`,
 * `$TIMESTAMP created expires` (rbldnsd stops serving the zone after `expires`), then one CIDR a
 * line, each preceded by a `:A:TXT` default line whenever the value changes. A segment must have
 * exactly one answer: a combined zone is served in rbldnsd as one dataset per list under the
 * same zone name. Returns the number of CIDR lines.
 */
export function writeRbldnsd(segments: readonly Segment[], parameters: ZoneParameters, write: (chunk: string) => void): ZoneWriteResult {
  return writeRbldnsdBytes(segments, parameters, textSink(write), CHUNK_CHARACTERS);
}

/** `writeRbldnsd` writing bytes: the same file, handed to `sink` in chunks that end on a line. */
export function writeRbldnsdBytes(segments: readonly Segment[], parameters: ZoneParameters, sink: ByteSink, chunkBytes = FILE_CHUNK_BYTES): ZoneWriteResult {
  checkParameters(parameters);
  const family = parameters.family;
  const values = new Map<ZoneAnswer, { text: string; line: Buffer }>();
  const output = new ByteOutput(sink, chunkBytes);
  output.text(
    `$SOA ${parameters.ttl} ${parameters.nameServers[0]} ${parameters.hostmaster} ${parameters.serial} ${parameters.refresh} ${parameters.retry} ${parameters.expire} ${parameters.negativeTtl}\n` +
    `$NS ${parameters.ttl} ${parameters.nameServers.join(' ')}\n` +
    `$TTL ${parameters.ttl}\n` +
    // Creation time 0: rbldnsd refuses data "created in the future" and exits at start-up, so a
    // DNS host whose clock lags the publisher's would stop answering. The manifest keeps the time.
    `$TIMESTAMP 0 ${utcStamp(parameters.expires)}\n`,
  );
  let entries = 0;
  let previousLast = -1n;
  let currentValue = '';
  for (const segment of segments) {
    checkSegment(family, segment, previousLast);
    previousLast = segment.last;
    if (segment.answers.length !== 1) {
      throw new ZoneWriteError(`segment ${describe(family, segment)} has ${segment.answers.length} answers; rbldnsd data carries one per dataset (serve one file per list under the same zone)`);
    }
    const answer = segment.answers[0];
    let value = values.get(answer);
    if (value === undefined) {
      const text = rbldnsdValue(answer, family);
      value = { text, line: Buffer.from(`${text}\n`, 'utf8') };
      values.set(answer, value);
    }
    if (value.text !== currentValue) {
      output.bytes(value.line);
      currentValue = value.text;
    }
    if (family === 4 && segment.first === segment.last) {
      writeIpv4Text(output, Number(segment.first));
      output.bytes(HOST_PREFIX_LINE);
      entries += 1;
    } else {
      for (const block of rangeToCidrs({ family, first: segment.first, last: segment.last })) {
        if (family === 4) {
          writeIpv4Text(output, Number(block.first));
          output.byte(SLASH);
          output.decimal(block.prefix);
          output.byte(NEWLINE);
        } else {
          output.text(`${formatCidr(block)}\n`);
        }
        entries += 1;
      }
    }
    output.endRecord();
  }
  output.flush();
  return { entries };
}

/** A master-format character-string: quoted, `"` and `\` escaped, bytes outside printable ASCII as \DDD. */
function quoteBytes(bytes: Uint8Array, start: number, end: number): string {
  let text = '"';
  let run = start;
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index];
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) continue;
    if (index > run) text += Buffer.from(bytes.subarray(run, index)).toString('latin1');
    text += byte === 0x22 || byte === 0x5c ? `\\${String.fromCharCode(byte)}` : `\\${String(byte).padStart(3, '0')}`;
    run = index + 1;
  }
  if (end > run) text += Buffer.from(bytes.subarray(run, end)).toString('latin1');
  return `${text}"`;
}

/**
 * The RDATA of a TXT record for `text`: one quoted character-string, or several when the text
 * is over 255 bytes (split on byte boundaries; the strings concatenate back to the text).
 */
export function txtRdata(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= TXT_STRING_BYTES) return quoteBytes(bytes, 0, bytes.length);
  const strings: string[] = [];
  for (let start = 0; start < bytes.length; start += TXT_STRING_BYTES) {
    strings.push(quoteBytes(bytes, start, Math.min(bytes.length, start + TXT_STRING_BYTES)));
  }
  return strings.join(' ');
}

/** A TXT template split at `$`, with what can be computed once. */
interface TxtTemplate {
  /** The whole record line when the text has no `$`. */
  readonly constant: string | null;
  readonly constantBytes: Buffer | null;
  readonly parts: readonly string[];
  /** The parts quoted and escaped, usable when the substituted text stays within one string. */
  readonly escapedParts: readonly string[];
  /** The line as bytes between the substitutions: `\tTXT\t"` + first part, the middle parts, last part + `"\n`. */
  readonly lineParts: readonly Buffer[];
  readonly partBytes: number;
}

/** The records of one answers array, for every owner name that gets them. */
interface RecordSet {
  readonly aLines: string;
  readonly aBytes: Buffer;
  readonly templates: readonly TxtTemplate[];
}

function txtTemplate(text: string): TxtTemplate {
  const parts = text.split('$');
  const escapedParts = parts.map((part) => {
    const quoted = quoteBytes(Buffer.from(part, 'utf8'), 0, utf8Length(part));
    return quoted.slice(1, -1);
  });
  const constant = parts.length === 1 ? `\tTXT\t${txtRdata(text)}\n` : null;
  return {
    constant,
    // Quoted and escaped master-format text is ASCII.
    constantBytes: constant === null ? null : Buffer.from(constant, 'latin1'),
    parts,
    escapedParts,
    lineParts: escapedParts.map((part, index) =>
      Buffer.from(`${index === 0 ? '\tTXT\t"' : ''}${part}${index === escapedParts.length - 1 ? '"\n' : ''}`, 'latin1'),
    ),
    partBytes: parts.reduce((sum, part) => sum + utf8Length(part), 0),
  };
}

/**
 * Formatted records per answer set, computed once per distinct set: by array identity first,
 * then by the identities of the answer objects in it (the combined zone makes a new array per
 * segment, mostly of the same few answer objects).
 */
function recordCache(): (answers: readonly ZoneAnswer[]) => RecordSet & { key: string } {
  // Strong maps, dropped with the writer: a WeakMap entry per segment costs the garbage collector
  // far more than the lookup saves.
  const byArray = new Map<readonly ZoneAnswer[], RecordSet & { key: string }>();
  const bySingle = new Map<ZoneAnswer, RecordSet & { key: string }>();
  const answerIds = new Map<ZoneAnswer, number>();
  const byIds = new Map<string, RecordSet & { key: string }>();
  const byKey = new Map<string, RecordSet & { key: string }>();
  const byContent = (answers: readonly ZoneAnswer[]): RecordSet & { key: string } => {
    const key = answerKey(answers);
    let records = byKey.get(key);
    if (records === undefined) byKey.set(key, (records = { ...recordSet(answers), key }));
    return records;
  };
  let lastArray: readonly ZoneAnswer[] | null = null;
  let lastRecords: (RecordSet & { key: string }) | null = null;
  return (answers) => {
    if (answers === lastArray && lastRecords !== null) return lastRecords;
    let records: (RecordSet & { key: string }) | undefined;
    if (answers.length === 1) {
      records = bySingle.get(answers[0]);
      if (records === undefined) bySingle.set(answers[0], (records = byContent(answers)));
    } else {
      // The combined zone makes a new array per segment, mostly of the same few answer objects.
      records = byArray.get(answers);
      if (records === undefined) {
        let idKey = '';
        for (const answer of answers) {
          let id = answerIds.get(answer);
          if (id === undefined) {
            id = answerIds.size;
            answerIds.set(answer, id);
          }
          idKey += `${id},`;
        }
        records = byIds.get(idKey);
        if (records === undefined) byIds.set(idKey, (records = byContent(answers)));
        if (byArray.size < 4096) byArray.set(answers, records);
      }
    }
    lastArray = answers;
    lastRecords = records;
    return records;
  };
}

/** Identity of an answer set: its distinct A values and non-empty TXT texts, in sorted order. */
export function answerKey(answers: readonly ZoneAnswer[]): string {
  const aValues = [...new Set(answers.map((answer) => answer.a))].sort();
  const texts = [...new Set(answers.map((answer) => answer.txt).filter((text) => text !== ''))].sort();
  return `${aValues.join(',')}\u0000${texts.join('\u0000')}`;
}

function recordSet(answers: readonly ZoneAnswer[]): RecordSet {
  const aValues = new Set<string>();
  const texts = new Set<string>();
  for (const answer of answers) {
    aValues.add(canonicalA(answer));
    if (typeof answer.txt !== 'string') throw new ZoneWriteError(`TXT of ${answer.a} is not text`);
    if (answer.txt !== '') texts.add(answer.txt);
  }
  let aLines = '';
  for (const a of aValues) aLines += `\tA\t${a}\n`;
  return { aLines, aBytes: Buffer.from(aLines, 'latin1'), templates: [...texts].map(txtTemplate) };
}

const DOT = 0x2e;
const STAR = 0x2a;
const SLASH = 0x2f;
const RANGE_NOTE = Buffer.from(' (range)', 'latin1');
const NEWLINE = 0x0a;
const HOST_PREFIX_LINE = Buffer.from('/32\n', 'latin1');

/**
 * One TXT record line with `substitution` (in `substitution.buffer`, ASCII without quotes or
 * backslashes: an address or CIDR text, so it needs no escaping) in place of every `$`.
 */
function writeTxtLine(out: ByteOutput, template: TxtTemplate, substitution: ByteOutput): void {
  if (template.constantBytes !== null) {
    out.bytes(template.constantBytes);
    return;
  }
  const substitutions = template.parts.length - 1;
  if (template.partBytes + substitutions * substitution.length <= TXT_STRING_BYTES) {
    const lineParts = template.lineParts;
    out.bytes(lineParts[0]);
    for (let index = 1; index < lineParts.length; index += 1) {
      out.bytes(substitution.buffer, 0, substitution.length);
      out.bytes(lineParts[index]);
    }
    return;
  }
  out.text(`\tTXT\t${txtRdata(template.parts.join(substitution.buffer.toString('latin1', 0, substitution.length)))}\n`);
}

/** The A and TXT lines of one owner name; a TXT line that comes out the same for two texts is written once. */
function writeRecordLines(out: ByteOutput, records: RecordSet, substitution: ByteOutput): void {
  out.bytes(records.aBytes);
  const { templates } = records;
  if (templates.length === 1) {
    writeTxtLine(out, templates[0], substitution);
    return;
  }
  const written: number[] = [];
  for (const template of templates) {
    const start = out.length;
    writeTxtLine(out, template, substitution);
    const end = out.length;
    let isRepeat = false;
    for (let index = 0; index < written.length && !isRepeat; index += 2) {
      isRepeat = out.buffer.compare(out.buffer, written[index], written[index + 1], start, end) === 0;
    }
    if (isRepeat) out.length = start;
    else written.push(start, end);
  }
}

/** Reversed-octet labels of the top `octetCount` octets (1..4) of an IPv4 address: `3.2.1` for 1.2.3.0/24. */
function writeIpv4Labels(out: ByteOutput, value: number, octetCount: number): void {
  for (let index = octetCount - 1; index >= 0; index -= 1) {
    out.decimal((value >>> (24 - 8 * index)) & 255);
    if (index > 0) out.byte(DOT);
  }
}

/** Dotted-quad text of an IPv4 address. */
function writeIpv4Text(out: ByteOutput, value: number): void {
  writeIpv4Labels(out, value, 1);
  for (let shift = 16; shift >= 0; shift -= 8) {
    out.byte(DOT);
    out.decimal((value >>> shift) & 255);
  }
}

/**
 * Writes a master-format zone (NSD, Knot, BIND): `$ORIGIN`, `$TTL`, SOA, NS, then owner names
 * in reverse notation (octets for IPv4, nibbles for IPv6), each with the A and TXT of every
 * answer of its segment. An empty TXT gives no TXT record. Returns the number of owner names.
 *
 * Names are chosen on the label tree so that RFC 4592 answers exactly the segments: at each
 * node, a wildcard carries the value most of its children have, and only the children that
 * differ get names of their own (a wildcard, or the exact name at the last label). A child with
 * a name shadows the wildcard above it, which is why such a child gets its own wildcard for the
 * rest of its space; a node with any uncovered child has no wildcard (it would answer there).
 * So a /16 with one other address inside is three names, not the 256 + 255 that expanding the
 * pieces would take. `$` in a TXT becomes the address on an exact name, and `<owner's block>
 * (range)` on a wildcard, whose answer does not say which address was asked.
 */
export function writeBindZone(segments: readonly Segment[], parameters: ZoneParameters, write: (chunk: string) => void): ZoneWriteResult {
  return writeBindZoneBytes(segments, parameters, textSink(write), CHUNK_CHARACTERS);
}

/** `writeBindZone` writing bytes: the same file, handed to `sink` in chunks that end on a record. */
export function writeBindZoneBytes(segments: readonly Segment[], parameters: ZoneParameters, sink: ByteSink, chunkBytes = FILE_CHUNK_BYTES): ZoneWriteResult {
  checkParameters(parameters);
  const family = parameters.family;
  const bits = familyBits(family);
  const labelBits = LABEL_BITS[family];
  const depth = bits / labelBits;
  const childCount = 2 ** labelBits;
  const recordsOf = recordCache();
  const output = new ByteOutput(sink, chunkBytes);
  // The text that replaces `$` in the TXT of the name being written; never flushed.
  const substitution = new ByteOutput(() => undefined, 64);
  output.text(
    `$ORIGIN ${parameters.origin}.\n` +
    `$TTL ${parameters.ttl}\n` +
    `@\tSOA\t${parameters.nameServers[0]}. ${parameters.hostmaster}. ${parameters.serial} ${parameters.refresh} ${parameters.retry} ${parameters.expire} ${parameters.negativeTtl}\n` +
    parameters.nameServers.map((nameServer) => `\tNS\t${nameServer}.\n`).join(''),
  );
  let entries = 0;
  // Adjacent segments with the same answers are one value to the name tree: merge them, so the
  // names depend only on what each address answers, not on how the input was cut.
  const merged: Segment[] = [];
  // Each merged segment's records, looked up when first needed: the first answers array with a
  // given content decides the order of its A lines, so lookups keep the order they always had.
  const mergedRecords: Array<(RecordSet & { key: string }) | undefined> = [];
  const recordsAt = (index: number): RecordSet & { key: string } => (mergedRecords[index] ??= recordsOf(merged[index].answers));
  let previousLast = -1n;
  for (const segment of segments) {
    checkSegment(family, segment, previousLast);
    previousLast = segment.last;
    const top = merged.length - 1;
    if (top >= 0 && merged[top].last + 1n === segment.first) {
      const records = recordsAt(top);
      const next = recordsOf(segment.answers);
      if (records.key === next.key) {
        merged[top] = { first: merged[top].first, last: segment.last, answers: merged[top].answers };
        continue;
      }
      merged.push(segment);
      mergedRecords.push(next);
    } else {
      merged.push(segment);
      mergedRecords.push(undefined);
    }
  }
  // IPv4 works on plain numbers (exact below 2^53), IPv6 on bigint: a node's first address is
  // whichever its family uses.
  type Address = number | bigint;
  const writeLabels = (first: Address, labelCount: number): void => {
    if (family === 4) writeIpv4Labels(output, first as number, labelCount);
    else output.text(ipv6Labels(first as bigint, labelCount));
  };
  /** `$` on a wildcard: the owner's block, followed by ` (range)`. */
  const setBlockText = (first: Address, labelCount: number): void => {
    substitution.length = 0;
    if (family === 4) {
      writeIpv4Text(substitution, first as number);
      substitution.byte(SLASH);
      substitution.decimal(labelCount * 8);
    } else {
      substitution.text(formatCidr({ family, first: first as bigint, prefix: labelCount * 4 }));
    }
    substitution.bytes(RANGE_NOTE);
  };
  /** Name the child block `first` (at `labelCount` labels): the exact name of an address, or a wildcard for all of it. */
  const emitWhole = (first: Address, labelCount: number, records: RecordSet) => {
    if (labelCount === depth) {
      writeLabels(first, depth);
      substitution.length = 0;
      if (family === 4) writeIpv4Text(substitution, first as number);
      else substitution.text(formatAddress(6, first as bigint));
    } else {
      output.byte(STAR);
      output.byte(DOT);
      writeLabels(first, labelCount);
      setBlockText(first, labelCount);
    }
    writeRecordLines(output, records, substitution);
    entries += 1;
    output.endRecord();
  };
  // Addresses per child of a node at each level (IPv4).
  const childSizes4 = [2 ** 24, 2 ** 16, 2 ** 8, 1];
  const childAddress = (nodeFirst: Address, child: number, level: number): Address =>
    family === 4
      ? (nodeFirst as number) + child * childSizes4[level]
      : (nodeFirst as bigint) + (BigInt(child) << BigInt(bits - (level + 1) * labelBits));

  // Where one segment falls among a node's children: the first and last child it touches, and
  // whether it starts / ends exactly on a child's boundary. Written into one reused object.
  const place = { childLow: 0, childHigh: 0, isLowAligned: false, isHighAligned: false };
  const firsts4 = family === 4 ? Float64Array.from(merged, (segment) => Number(segment.first)) : new Float64Array(0);
  const lasts4 = family === 4 ? Float64Array.from(merged, (segment) => Number(segment.last)) : new Float64Array(0);
  // IPv6: each segment's first and last as nibbles, and from which nibble on they are all 0
  // (first) or all f (last), so that placing a segment in a node is lookups, not bigint arithmetic.
  const nibbleCount = bits / 4;
  const firstNibbles = new Uint8Array(family === 6 ? merged.length * nibbleCount : 0);
  const lastNibbles = new Uint8Array(firstNibbles.length);
  const firstZerosFrom = new Uint8Array(family === 6 ? merged.length : 0);
  const lastOnesFrom = new Uint8Array(firstZerosFrom.length);
  if (family === 6) {
    const fill = (value: bigint, nibbles: Uint8Array, base: number, filler: number): number => {
      const hex = value.toString(16).padStart(nibbleCount, '0');
      let from = nibbleCount;
      for (let position = 0; position < nibbleCount; position += 1) {
        const code = hex.charCodeAt(position);
        nibbles[base + position] = code <= 0x39 ? code - 0x30 : code - 0x57;
      }
      while (from > 0 && nibbles[base + from - 1] === filler) from -= 1;
      return from;
    };
    for (let index = 0; index < merged.length; index += 1) {
      firstZerosFrom[index] = fill(merged[index].first, firstNibbles, index * nibbleCount, 0);
      lastOnesFrom[index] = fill(merged[index].last, lastNibbles, index * nibbleCount, 15);
    }
  }
  /** `nodeLast`: the node's last address, for IPv6 (computed once per node). */
  const placeSegment = (index: number, level: number, nodeFirst: Address, nodeLast: bigint): void => {
    if (family === 4) {
      const childSize = childSizes4[level];
      const node = nodeFirst as number;
      const nodeLast = node + childSize * childCount - 1;
      const low = Math.max(firsts4[index], node);
      const high = Math.min(lasts4[index], nodeLast);
      place.childLow = Math.floor((low - node) / childSize);
      place.childHigh = Math.floor((high - node) / childSize);
      place.isLowAligned = low === node + place.childLow * childSize;
      place.isHighAligned = high === node + (place.childHigh + 1) * childSize - 1;
      return;
    }
    const segment = merged[index];
    // A bound outside the node is clipped to the node's edge: child 0 or 15, aligned.
    if (segment.first > (nodeFirst as bigint)) {
      place.childLow = firstNibbles[index * nibbleCount + level];
      place.isLowAligned = firstZerosFrom[index] <= level + 1;
    } else {
      place.childLow = 0;
      place.isLowAligned = true;
    }
    if (segment.last < nodeLast) {
      place.childHigh = lastNibbles[index * nibbleCount + level];
      place.isHighAligned = lastOnesFrom[index] <= level + 1;
    } else {
      place.childHigh = childCount - 1;
      place.isHighAligned = true;
    }
  };

  interface Run {
    readonly from: number;
    readonly to: number;
    readonly records: (RecordSet & { key: string }) | null;
    readonly segmentFrom: number;
    readonly segmentTo: number;
  }

  /** The node at `level` labels starting at `nodeFirst`; merged[from..to) meet it. */
  const emitNode = (level: number, nodeFirst: Address, from: number, to: number): void => {
    // A node whose only segment is one address: every level below would name just that address
    // (no child is ever whole, so no wildcard). Most listings are such addresses: skip the descent.
    if (to - from === 1 && level > 0 && merged[from].first === merged[from].last) {
      emitWhole(family === 4 ? firsts4[from] : merged[from].first, depth, recordsAt(from));
      return;
    }
    const runs: Run[] = [];
    let covered = 0;
    // A child that segments cover only in part (or several segments cover): its segment indices.
    let mixedChild = -1;
    let mixedFrom = 0;
    let mixedLast = 0;
    const closeMixed = () => {
      if (mixedChild !== -1) runs.push({ from: mixedChild, to: mixedChild, records: null, segmentFrom: mixedFrom, segmentTo: mixedLast + 1 });
      mixedChild = -1;
    };
    const markMixed = (child: number, segmentIndex: number) => {
      if (mixedChild === child) {
        mixedLast = segmentIndex;
        return;
      }
      closeMixed();
      mixedChild = child;
      mixedFrom = segmentIndex;
      mixedLast = segmentIndex;
      covered += 1;
    };
    const nodeLast = family === 4 ? 0n : (nodeFirst as bigint) + (1n << BigInt(bits - level * labelBits)) - 1n;
    for (let index = from; index < to; index += 1) {
      placeSegment(index, level, nodeFirst, nodeLast);
      const { childLow, childHigh, isLowAligned, isHighAligned } = place;
      let fullFrom = childLow;
      let fullTo = childHigh;
      if (!isLowAligned) {
        markMixed(childLow, index);
        fullFrom += 1;
      }
      if (childHigh > childLow || isLowAligned) {
        if (!isHighAligned) fullTo -= 1;
        if (fullFrom <= fullTo) {
          closeMixed();
          runs.push({ from: fullFrom, to: fullTo, records: recordsAt(index), segmentFrom: index, segmentTo: index + 1 });
          covered += fullTo - fullFrom + 1;
        }
        if (!isHighAligned) markMixed(childHigh, index);
      }
    }
    closeMixed();

    // The wildcard value: the one most uniform children have (ties: the one met first), and only
    // if every child is covered (a wildcard would answer for an uncovered child too).
    let wildcard: (RecordSet & { key: string }) | null = null;
    if (level > 0 && covered === childCount) {
      const counts = new Map<string, number>();
      for (const run of runs) if (run.records !== null) counts.set(run.records.key, (counts.get(run.records.key) ?? 0) + run.to - run.from + 1);
      let best = 0;
      for (const run of runs) {
        if (run.records === null) continue;
        const count = counts.get(run.records.key) ?? 0;
        if (count > best) {
          best = count;
          wildcard = run.records;
        }
      }
    }
    if (wildcard !== null) {
      output.byte(STAR);
      output.byte(DOT);
      writeLabels(nodeFirst, level);
      setBlockText(nodeFirst, level);
      writeRecordLines(output, wildcard, substitution);
      entries += 1;
      output.endRecord();
    }
    for (const run of runs) {
      if (run.records === null) {
        // A child only partly covered, or by several values: it gets names below it.
        emitNode(level + 1, childAddress(nodeFirst, run.from, level), run.segmentFrom, run.segmentTo);
      } else if (wildcard === null || run.records.key !== wildcard.key) {
        for (let child = run.from; child <= run.to; child += 1) emitWhole(childAddress(nodeFirst, child, level), level + 1, run.records);
      }
    }
  };

  if (merged.length > 0) emitNode(0, family === 4 ? 0 : 0n, 0, merged.length);
  output.flush();
  return { entries };
}
