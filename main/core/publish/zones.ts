/**
 * Zone writers: turn the resolved, disjoint segments of one list and one family into the text
 * that rbldnsd (ip4trie / ip6trie data) or NSD / Knot / BIND (master format) load, streamed to
 * a sink in chunks so that a million entries never become one giant string.
 *
 * The writers work on segments column-wise (`SegmentColumns`: typed arrays, no object per
 * segment, IPv4 on plain numbers); the `Segment[]` forms convert with `columnsOf` and write the
 * same bytes.
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
import type { Ipv4SegmentColumns, Ipv6SegmentColumns, Segment, SegmentColumns, ZoneAnswer, ZoneParameters } from './types.js';
import { columnsOf } from './columns.js';
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

function describeRange(family: Family, first: bigint, last: bigint): string {
  return first === last ? formatAddress(family, first) : `${formatAddress(family, first)}-${formatAddress(family, last)}`;
}

const MAX_ADDRESS: Record<Family, bigint> = { 4: maxAddress(4), 6: maxAddress(6) };
const IPV4_MAX = 0xffffffff;

function notARange(family: Family, first: unknown, last: unknown): ZoneWriteError {
  return new ZoneWriteError(`segment ${String(first)}..${String(last)} is not a range of IPv${family} addresses`);
}

/**
 * The checks after the bounds' own: sorted and disjoint, an answer set that exists and is not
 * empty, not /0. Bounds as bigints: only called with them when something is wrong (IPv4) or
 * for IPv6, whose bounds are bigints anyway.
 */
function refusal(family: Family, first: bigint, last: bigint, previousLast: bigint, answers: readonly ZoneAnswer[] | undefined, set: number): ZoneWriteError | null {
  if (first <= previousLast) {
    return new ZoneWriteError(`segments must be sorted and disjoint: ${describeRange(family, first, last)} starts at or before the end of the previous one (${formatAddress(family, previousLast)})`);
  }
  if (answers === undefined) return new ZoneWriteError(`segment ${describeRange(family, first, last)} answers set ${set}, which the columns do not have`);
  if (answers.length === 0) return new ZoneWriteError(`segment ${describeRange(family, first, last)} has no answers`);
  if (first === 0n && last === MAX_ADDRESS[family]) {
    return new ZoneWriteError(`segment ${describeRange(family, first, last)} covers the whole IPv${family} space (/0); refused`);
  }
  return null;
}

/**
 * Checks IPv4 segment `index` against the end of the one before; plain numbers unless it is
 * refused. Takes the index, not the bounds: a number past 2^30 handed to a call is boxed on the
 * heap, and that per segment is what this form of the segments is for avoiding.
 */
function checkIpv4Segment(columns: Ipv4SegmentColumns, index: number): void {
  const first = columns.firsts[index];
  const last = columns.lasts[index];
  const previousLast = index === 0 ? -1 : columns.lasts[index - 1];
  if (first > last) throw notARange(4, first, last);
  const answers = columns.answerSets[columns.sets[index]] as readonly ZoneAnswer[] | undefined;
  if (first <= previousLast || answers === undefined || answers.length === 0 || (first === 0 && last === IPV4_MAX)) {
    const error = refusal(4, BigInt(first), BigInt(last), BigInt(previousLast), answers, columns.sets[index]);
    if (error !== null) throw error;
  }
}

/** Checks IPv6 segment `index` against the end of the one before: bigints, in range, then as IPv4. */
function checkIpv6Segment(columns: Ipv6SegmentColumns, index: number, previousLast: bigint): void {
  const first = columns.firsts[index];
  const last = columns.lasts[index];
  if (typeof first !== 'bigint' || typeof last !== 'bigint' || first > last || first < 0n || last > MAX_ADDRESS[6]) throw notARange(6, first, last);
  const error = refusal(6, first, last, previousLast, columns.answerSets[columns.sets[index]] as readonly ZoneAnswer[] | undefined, columns.sets[index]);
  if (error !== null) throw error;
}

/** `columns` fit a zone of `family`: the same family, and `count` within every column. */
function checkColumns(columns: SegmentColumns, family: Family): void {
  if (columns.family !== family) throw new ZoneWriteError(`the segments are IPv${String(columns.family)} but the zone is IPv${family}`);
  const { count } = columns;
  if (!Number.isSafeInteger(count) || count < 0 || count > columns.firsts.length || count > columns.lasts.length || count > columns.sets.length) {
    throw new ZoneWriteError(`segment count ${count} does not fit the columns (${columns.firsts.length} firsts, ${columns.lasts.length} lasts, ${columns.sets.length} sets)`);
  }
}

/**
 * `segments` column-wise for a writer, after the parameters are checked (as the writers always
 * did first). A segment that is not a range of the family is refused with the message the
 * writers always gave; for IPv4 (refused while making the columns) that now comes before any
 * problem of the segments ahead of it.
 */
function columnsFor(segments: readonly Segment[], parameters: ZoneParameters): SegmentColumns {
  checkParameters(parameters);
  try {
    return columnsOf(parameters.family, segments);
  } catch (error) {
    // columnsOf refuses IPv4 bounds it cannot store: name the segment as the writers always did.
    if (!(error instanceof RangeError)) throw error;
    const family = parameters.family;
    const malformed = segments.find(({ first, last }) => typeof first !== 'bigint' || typeof last !== 'bigint' || first > last || first < 0n || last > MAX_ADDRESS[family]);
    throw malformed === undefined ? new ZoneWriteError(error.message) : notARange(family, malformed.first, malformed.last);
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
  return writeRbldnsdColumns(columnsFor(segments, parameters), parameters, sink, chunkBytes);
}

/**
 * `writeRbldnsdBytes` on segments column-wise (the first `columns.count`), of the zone's family:
 * the same file, with no object per segment and, for IPv4, no bigint.
 */
export function writeRbldnsdColumns(columns: SegmentColumns, parameters: ZoneParameters, sink: ByteSink, chunkBytes = FILE_CHUNK_BYTES): ZoneWriteResult {
  checkParameters(parameters);
  const family = parameters.family;
  checkColumns(columns, family);
  const output = new ByteOutput(sink, chunkBytes);
  output.text(
    `$SOA ${parameters.ttl} ${parameters.nameServers[0]} ${parameters.hostmaster} ${parameters.serial} ${parameters.refresh} ${parameters.retry} ${parameters.expire} ${parameters.negativeTtl}\n` +
    `$NS ${parameters.ttl} ${parameters.nameServers.join(' ')}\n` +
    `$TTL ${parameters.ttl}\n` +
    // Creation time 0: rbldnsd refuses data "created in the future" and exits at start-up, so a
    // DNS host whose clock lags the publisher's would stop answering. The manifest keeps the time.
    `$TIMESTAMP 0 ${utcStamp(parameters.expires)}\n`,
  );
  const { count, sets, answerSets } = columns;
  // Values by number: one per distinct `:A:TXT` text (answers of equal content are one value),
  // found once per answer set and checked once per answer object.
  const valueOfSet = new Int32Array(answerSets.length).fill(-1);
  const valueOfAnswer = new Map<ZoneAnswer, number>();
  const valueOfText = new Map<string, number>();
  const valueLines: Buffer[] = [];
  const valueAt = (index: number): number => {
    const set = sets[index];
    const known = valueOfSet[set];
    if (known !== -1) return known;
    const answers = answerSets[set];
    if (answers.length !== 1) {
      const range = describeRange(family, BigInt(columns.firsts[index]), BigInt(columns.lasts[index]));
      throw new ZoneWriteError(`segment ${range} has ${answers.length} answers; rbldnsd data carries one per dataset (serve one file per list under the same zone)`);
    }
    const answer = answers[0];
    let value = valueOfAnswer.get(answer);
    if (value === undefined) {
      const text = rbldnsdValue(answer, family);
      value = valueOfText.get(text);
      if (value === undefined) {
        value = valueLines.length;
        valueOfText.set(text, value);
        valueLines.push(Buffer.from(`${text}\n`, 'utf8'));
      }
      valueOfAnswer.set(answer, value);
    }
    valueOfSet[set] = value;
    return value;
  };
  let entries = 0;
  let currentValue = -1;
  if (columns.family === 4) {
    const { firsts, lasts } = columns;
    for (let index = 0; index < count; index += 1) {
      checkIpv4Segment(columns, index);
      const first = firsts[index];
      const last = lasts[index];
      const value = valueAt(index);
      if (value !== currentValue) {
        output.bytes(valueLines[value]);
        currentValue = value;
      }
      if (first === last) {
        writeIpv4Text(output, firsts, index);
        output.bytes(HOST_PREFIX_LINE);
        entries += 1;
      } else {
        entries += writeIpv4Cidrs(output, columns, index);
      }
      output.endRecord();
    }
  } else {
    const { firsts, lasts } = columns;
    let previousLast = -1n;
    for (let index = 0; index < count; index += 1) {
      checkIpv6Segment(columns, index, previousLast);
      const first = firsts[index];
      const last = lasts[index];
      previousLast = last;
      const value = valueAt(index);
      if (value !== currentValue) {
        output.bytes(valueLines[value]);
        currentValue = value;
      }
      for (const block of rangeToCidrs({ family, first, last })) {
        output.text(`${formatCidr(block)}\n`);
        entries += 1;
      }
      output.endRecord();
    }
  }
  output.flush();
  return { entries };
}

/**
 * The CIDR lines (`a.b.c.d/p`) of IPv4 segment `index` (not /0), as rangeToCidrs cuts it: at
 * each start, the largest aligned block that does not run past the last address. Returns the lines.
 */
function writeIpv4Cidrs(output: ByteOutput, columns: Ipv4SegmentColumns, index: number): number {
  const last = columns.lasts[index];
  let lines = 0;
  let start = columns.firsts[index];
  while (start <= last) {
    // The lowest set bit of `start` (2^32 for 0), then halved until the block fits.
    let size = start === 0 ? 2 ** 32 : (start & -start) >>> 0;
    while (start + size - 1 > last) size /= 2;
    ADDRESS[0] = start;
    writeIpv4Text(output, ADDRESS, 0);
    output.byte(SLASH);
    output.decimal(Math.clz32(size) + 1);
    output.byte(NEWLINE);
    lines += 1;
    start += size;
  }
  return lines;
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
 * Formatted records by content: `idOf(set)` is the number of answer set `set`'s content (equal
 * content, equal number: `answerKey`), found once per set index; `records[id]` its records,
 * made from the first set looked up with that content (which decides the order of the A lines).
 */
function recordTable(answerSets: ReadonlyArray<readonly ZoneAnswer[]>): { idOf: (set: number) => number; records: readonly RecordSet[] } {
  const idOfSet = new Int32Array(answerSets.length).fill(-1);
  const records: RecordSet[] = [];
  const byKey = new Map<string, number>();
  // Before computing a key: sets of one answer by that answer, others by their answers'
  // identities (a combined zone may hold many sets of the same few answer objects).
  const bySingle = new Map<ZoneAnswer, number>();
  const answerIds = new Map<ZoneAnswer, number>();
  const byIds = new Map<string, number>();
  const byContent = (answers: readonly ZoneAnswer[]): number => {
    const key = answerKey(answers);
    let id = byKey.get(key);
    if (id === undefined) {
      id = records.length;
      records.push(recordSet(answers));
      byKey.set(key, id);
    }
    return id;
  };
  const idOf = (set: number): number => {
    const known = idOfSet[set];
    if (known !== -1) return known;
    const answers = answerSets[set];
    let id: number | undefined;
    if (answers.length === 1) {
      id = bySingle.get(answers[0]);
      if (id === undefined) bySingle.set(answers[0], (id = byContent(answers)));
    } else {
      let idKey = '';
      for (const answer of answers) {
        let answerId = answerIds.get(answer);
        if (answerId === undefined) {
          answerId = answerIds.size;
          answerIds.set(answer, answerId);
        }
        idKey += `${answerId},`;
      }
      id = byIds.get(idKey);
      if (id === undefined) byIds.set(idKey, (id = byContent(answers)));
    }
    idOfSet[set] = id;
    return id;
  };
  return { idOf, records };
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

/*
 * IPv4 text is written from an address in a Uint32Array (`values[index]`): the per-segment paths
 * pass their column and the segment's index, never the address itself, because V8 boxes a
 * number outside its small-integer range (from 2^30 or 2^31 up, by build) on the heap when it
 * is handed to a call that is not inlined: an allocation per segment otherwise. An address
 * computed on the way (a CIDR's start, a node's first address) goes through ADDRESS.
 */
const ADDRESS = new Uint32Array(1);

/** Reversed-octet labels of the top `octetCount` octets (1..4) of IPv4 address `values[index]`: `3.2.1` for 1.2.3.0/24. */
function writeIpv4Labels(out: ByteOutput, values: Uint32Array, index: number, octetCount: number): void {
  const value = values[index];
  for (let octet = octetCount - 1; octet >= 0; octet -= 1) {
    out.decimal((value >>> (24 - 8 * octet)) & 255);
    if (octet > 0) out.byte(DOT);
  }
}

/** Dotted-quad text of IPv4 address `values[index]`. */
function writeIpv4Text(out: ByteOutput, values: Uint32Array, index: number): void {
  const value = values[index];
  out.decimal(value >>> 24);
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
  return writeBindZoneColumns(columnsFor(segments, parameters), parameters, sink, chunkBytes);
}

/**
 * `writeBindZoneBytes` on segments column-wise (the first `columns.count`), of the zone's
 * family: the same file. Besides the output buffer it allocates typed arrays (a few per segment
 * count, a few per answer set) and, for IPv4, no bigint and no object per segment.
 */
export function writeBindZoneColumns(columns: SegmentColumns, parameters: ZoneParameters, sink: ByteSink, chunkBytes = FILE_CHUNK_BYTES): ZoneWriteResult {
  checkParameters(parameters);
  const family = parameters.family;
  checkColumns(columns, family);
  const bits = familyBits(family);
  const labelBits = LABEL_BITS[family];
  const depth = bits / labelBits;
  const childCount = 2 ** labelBits;
  const { count, sets, answerSets } = columns;
  const { idOf, records } = recordTable(answerSets);
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
  // names depend only on what each address answers, not on how the input was cut. Merged
  // segment i: bounds in firsts4/lasts4 (IPv4) or firsts6/lasts6, the answer set of its first
  // segment, and its content id once looked up (-1 before).
  const firsts4 = new Uint32Array(family === 4 ? count : 0);
  const lasts4 = new Uint32Array(firsts4.length);
  const firsts6: bigint[] = [];
  const lasts6: bigint[] = [];
  const mergedSets = new Uint32Array(count);
  const mergedIds = new Int32Array(count);
  let mergedCount = 0;
  // Content ids are looked up when first needed: the first answer set with a given content
  // decides the order of its A lines, so lookups keep the order they always had.
  const idAt = (index: number): number => {
    let id = mergedIds[index];
    if (id === -1) mergedIds[index] = id = idOf(mergedSets[index]);
    return id;
  };
  /** Merges segment `index` into the last merged segment if they touch and answer the same; else false. */
  const extendsTop = (index: number, touches: boolean): boolean => {
    if (mergedCount === 0 || !touches) {
      mergedIds[mergedCount] = -1;
      return false;
    }
    const id = idAt(mergedCount - 1);
    const next = idOf(sets[index]);
    if (id === next) return true;
    mergedIds[mergedCount] = next;
    return false;
  };
  if (columns.family === 4) {
    const { firsts, lasts } = columns;
    for (let index = 0; index < count; index += 1) {
      checkIpv4Segment(columns, index);
      const first = firsts[index];
      const last = lasts[index];
      if (extendsTop(index, mergedCount > 0 && lasts4[mergedCount - 1] + 1 === first)) {
        lasts4[mergedCount - 1] = last;
        continue;
      }
      firsts4[mergedCount] = first;
      lasts4[mergedCount] = last;
      mergedSets[mergedCount] = sets[index];
      mergedCount += 1;
    }
  } else {
    const { firsts, lasts } = columns;
    let previousLast = -1n;
    for (let index = 0; index < count; index += 1) {
      checkIpv6Segment(columns, index, previousLast);
      const first = firsts[index];
      const last = lasts[index];
      previousLast = last;
      if (extendsTop(index, mergedCount > 0 && lasts6[mergedCount - 1] + 1n === first)) {
        lasts6[mergedCount - 1] = last;
        continue;
      }
      firsts6.push(first);
      lasts6.push(last);
      mergedSets[mergedCount] = sets[index];
      mergedCount += 1;
    }
  }
  // IPv4 works on plain numbers (exact below 2^53), IPv6 on bigint: a node's first address is
  // whichever its family uses.
  type Address = number | bigint;
  /**
   * Names the block of `labelCount` labels that starts at `first6` (IPv6) or at ADDRESS[0]
   * (IPv4, set by the caller: see writeIpv4Text) with `lines`: the exact name of an address,
   * whose `$` is the address, or a wildcard for the whole block, whose `$` is `<block> (range)`.
   */
  const emitName = (first6: bigint, labelCount: number, lines: RecordSet): void => {
    const isWildcard = labelCount < depth;
    if (isWildcard) {
      output.byte(STAR);
      output.byte(DOT);
    }
    substitution.length = 0;
    if (family === 4) {
      writeIpv4Labels(output, ADDRESS, 0, labelCount);
      writeIpv4Text(substitution, ADDRESS, 0);
      if (isWildcard) {
        substitution.byte(SLASH);
        substitution.decimal(labelCount * 8);
      }
    } else {
      output.text(ipv6Labels(first6, labelCount));
      substitution.text(isWildcard ? formatCidr({ family, first: first6, prefix: labelCount * 4 }) : formatAddress(6, first6));
    }
    if (isWildcard) substitution.bytes(RANGE_NOTE);
    writeRecordLines(output, lines, substitution);
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
  // IPv6: each segment's first and last as nibbles, and from which nibble on they are all 0
  // (first) or all f (last), so that placing a segment in a node is lookups, not bigint arithmetic.
  const nibbleCount = bits / 4;
  const firstNibbles = new Uint8Array(family === 6 ? mergedCount * nibbleCount : 0);
  const lastNibbles = new Uint8Array(firstNibbles.length);
  const firstZerosFrom = new Uint8Array(family === 6 ? mergedCount : 0);
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
    for (let index = 0; index < mergedCount; index += 1) {
      firstZerosFrom[index] = fill(firsts6[index], firstNibbles, index * nibbleCount, 0);
      lastOnesFrom[index] = fill(lasts6[index], lastNibbles, index * nibbleCount, 15);
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
      // `| 0`: the floor of a small non-negative number, stored as a small integer (never boxed).
      place.childLow = ((low - node) / childSize) | 0;
      place.childHigh = ((high - node) / childSize) | 0;
      place.isLowAligned = low === node + place.childLow * childSize;
      place.isHighAligned = high === node + (place.childHigh + 1) * childSize - 1;
      return;
    }
    // A bound outside the node is clipped to the node's edge: child 0 or 15, aligned.
    if (firsts6[index] > (nodeFirst as bigint)) {
      place.childLow = firstNibbles[index * nibbleCount + level];
      place.isLowAligned = firstZerosFrom[index] <= level + 1;
    } else {
      place.childLow = 0;
      place.isLowAligned = true;
    }
    if (lasts6[index] < nodeLast) {
      place.childHigh = lastNibbles[index * nibbleCount + level];
      place.isHighAligned = lastOnesFrom[index] <= level + 1;
    } else {
      place.childHigh = childCount - 1;
      place.isHighAligned = true;
    }
  };

  // A node's children as runs: children from..to that one merged segment covers whole (its
  // content id), or one child that segments cover in part or several of them do (id -1, with
  // the merged segments segmentFrom..segmentTo-1 to place below it). A node has at most
  // childCount runs; each level has its own slots, as a node's runs outlive its children's.
  const slots = depth * childCount;
  const runFroms = new Int32Array(slots);
  const runTos = new Int32Array(slots);
  const runIds = new Int32Array(slots);
  const runSegmentFroms = new Int32Array(slots);
  const runSegmentTos = new Int32Array(slots);
  // How many children of a node each content id covers whole, while choosing its wildcard (then 0 again).
  const childrenOf = new Int32Array(answerSets.length);
  // The node being cut into runs (one at a time: its children are visited only after).
  let runEnd = 0;
  let covered = 0;
  let mixedChild = -1;
  let mixedFrom = 0;
  let mixedLast = 0;
  const addRun = (from: number, to: number, id: number, segmentFrom: number, segmentTo: number): void => {
    runFroms[runEnd] = from;
    runTos[runEnd] = to;
    runIds[runEnd] = id;
    runSegmentFroms[runEnd] = segmentFrom;
    runSegmentTos[runEnd] = segmentTo;
    runEnd += 1;
  };
  const closeMixed = (): void => {
    if (mixedChild !== -1) addRun(mixedChild, mixedChild, -1, mixedFrom, mixedLast + 1);
    mixedChild = -1;
  };
  const markMixed = (child: number, segmentIndex: number): void => {
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

  /** The node at `level` labels starting at `nodeFirst`; merged segments from..to-1 meet it. */
  const emitNode = (level: number, nodeFirst: Address, from: number, to: number): void => {
    const runStart = level * childCount;
    runEnd = runStart;
    covered = 0;
    mixedChild = -1;
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
          addRun(fullFrom, fullTo, idAt(index), index, index + 1);
          covered += fullTo - fullFrom + 1;
        }
        if (!isHighAligned) markMixed(childHigh, index);
      }
    }
    closeMixed();
    const runStop = runEnd;

    // The wildcard value: the one most uniform children have (ties: the one met first), and only
    // if every child is covered (a wildcard would answer for an uncovered child too).
    let wildcard = -1;
    if (level > 0 && covered === childCount) {
      for (let run = runStart; run < runStop; run += 1) if (runIds[run] !== -1) childrenOf[runIds[run]] += runTos[run] - runFroms[run] + 1;
      let best = 0;
      for (let run = runStart; run < runStop; run += 1) {
        const id = runIds[run];
        if (id !== -1 && childrenOf[id] > best) {
          best = childrenOf[id];
          wildcard = id;
        }
      }
      for (let run = runStart; run < runStop; run += 1) if (runIds[run] !== -1) childrenOf[runIds[run]] = 0;
    }
    if (wildcard !== -1) {
      if (family === 4) ADDRESS[0] = nodeFirst as number;
      emitName(family === 4 ? 0n : (nodeFirst as bigint), level, records[wildcard]);
    }
    for (let run = runStart; run < runStop; run += 1) {
      const id = runIds[run];
      if (id === -1) {
        // A child only partly covered, or by several values: it gets names below it. If its only
        // segment is one address, every level below would name just that address (no child is
        // ever whole, so no wildcard): most listings are such addresses, so skip the descent
        // (and, for IPv4, the child's address: a number a call would box, per segment).
        const segmentFrom = runSegmentFroms[run];
        if (runSegmentTos[run] - segmentFrom === 1 && family === 4 && firsts4[segmentFrom] === lasts4[segmentFrom]) {
          ADDRESS[0] = firsts4[segmentFrom];
          emitName(0n, depth, records[idAt(segmentFrom)]);
        } else if (runSegmentTos[run] - segmentFrom === 1 && family === 6 && firsts6[segmentFrom] === lasts6[segmentFrom]) {
          emitName(firsts6[segmentFrom], depth, records[idAt(segmentFrom)]);
        } else {
          emitNode(level + 1, childAddress(nodeFirst, runFroms[run], level), segmentFrom, runSegmentTos[run]);
        }
      } else if (id !== wildcard) {
        // A whole child: a wildcard for its block, or the exact name at the last label.
        for (let child = runFroms[run]; child <= runTos[run]; child += 1) {
          if (family === 4) ADDRESS[0] = (nodeFirst as number) + child * childSizes4[level];
          emitName(family === 4 ? 0n : (childAddress(nodeFirst, child, level) as bigint), level + 1, records[id]);
        }
      }
    }
  };

  if (mergedCount > 0) emitNode(0, family === 4 ? 0 : 0n, 0, mergedCount);
  output.flush();
  return { entries };
}
