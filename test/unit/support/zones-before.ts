/**
 * The zone writers as they were before the byte-buffer writer (commit 539176f), kept verbatim as
 * the reference the current writers must match byte for byte (test/unit/core/zones-equivalence).
 * Not used by the application.
 */
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
import type { ZoneAnswer, ZoneParameters } from '../../../main/core/publish/zones/types.js';
import type { Segment } from './zone-text.js';

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
let pairTexts: string[] | null = null;
let reversedPairTexts: string[] | null = null;

/** Lookup tables for IPv4 text: "a.b" and "b.a" for every 16-bit half, so an address is two lookups. */
function ipv4Tables(): { octets: string[]; pairs: string[]; reversedPairs: string[] } {
  if (octetTexts === null || pairTexts === null || reversedPairTexts === null) {
    octetTexts = Array.from({ length: 256 }, (_, index) => String(index));
    const octets = octetTexts;
    pairTexts = new Array<string>(65536);
    reversedPairTexts = new Array<string>(65536);
    for (let high = 0; high < 256; high += 1) {
      for (let low = 0; low < 256; low += 1) {
        pairTexts[(high << 8) | low] = `${octets[high]}.${octets[low]}`;
        reversedPairTexts[(high << 8) | low] = `${octets[low]}.${octets[high]}`;
      }
    }
  }
  return { octets: octetTexts, pairs: pairTexts, reversedPairs: reversedPairTexts };
}

function ipv4Text(value: number, pairs: readonly string[]): string {
  return `${pairs[value >>> 16]}.${pairs[value & 0xffff]}`;
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
function checkSegment(family: Family, segment: Segment, previousLast: bigint): void {
  if (typeof segment.first !== 'bigint' || typeof segment.last !== 'bigint' || segment.first > segment.last || segment.first < 0n || segment.last > maxAddress(family)) {
    throw new ZoneWriteError(`segment ${String(segment.first)}..${String(segment.last)} is not a range of IPv${family} addresses`);
  }
  if (segment.first <= previousLast) {
    throw new ZoneWriteError(`segments must be sorted and disjoint: ${describe(family, segment)} starts at or before the end of the previous one (${formatAddress(family, previousLast)})`);
  }
  if (segment.answers.length === 0) throw new ZoneWriteError(`segment ${describe(family, segment)} has no answers`);
  if (segment.first === 0n && segment.last === maxAddress(family)) {
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
  checkParameters(parameters);
  const family = parameters.family;
  const { pairs } = ipv4Tables();
  const values = new WeakMap<ZoneAnswer, string>();
  let output =
    `$SOA ${parameters.ttl} ${parameters.nameServers[0]} ${parameters.hostmaster} ${parameters.serial} ${parameters.refresh} ${parameters.retry} ${parameters.expire} ${parameters.negativeTtl}\n` +
    `$NS ${parameters.ttl} ${parameters.nameServers.join(' ')}\n` +
    `$TTL ${parameters.ttl}\n` +
    // Creation time 0: rbldnsd refuses data "created in the future" and exits at start-up, so a
    // DNS host whose clock lags the publisher's would stop answering. The manifest keeps the time.
    `$TIMESTAMP 0 ${utcStamp(parameters.expires)}\n`;
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
      value = rbldnsdValue(answer, family);
      values.set(answer, value);
    }
    if (value !== currentValue) {
      output += `${value}\n`;
      currentValue = value;
    }
    if (family === 4 && segment.first === segment.last) {
      output += `${ipv4Text(Number(segment.first), pairs)}/32\n`;
      entries += 1;
    } else {
      for (const block of rangeToCidrs({ family, first: segment.first, last: segment.last })) {
        output += family === 4 ? `${ipv4Text(Number(block.first), pairs)}/${block.prefix}\n` : `${formatCidr(block)}\n`;
        entries += 1;
      }
    }
    if (output.length >= CHUNK_CHARACTERS) {
      write(output);
      output = '';
    }
  }
  if (output.length > 0) write(output);
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
  readonly parts: readonly string[];
  /** The parts quoted and escaped, usable when the substituted text stays within one string. */
  readonly escapedParts: readonly string[];
  readonly partBytes: number;
}

/** The records of one answers array, for every owner name that gets them. */
interface RecordSet {
  readonly aLines: string;
  readonly templates: readonly TxtTemplate[];
}

function txtTemplate(text: string): TxtTemplate {
  const parts = text.split('$');
  const escapedParts = parts.map((part) => {
    const quoted = quoteBytes(Buffer.from(part, 'utf8'), 0, utf8Length(part));
    return quoted.slice(1, -1);
  });
  return {
    constant: parts.length === 1 ? `\tTXT\t${txtRdata(text)}\n` : null,
    parts,
    escapedParts,
    partBytes: parts.reduce((sum, part) => sum + utf8Length(part), 0),
  };
}

/**
 * Formatted records per answer set, computed once per distinct set: by array identity first,
 * then by the identities of the answer objects in it (the combined zone makes a new array per
 * segment, mostly of the same few answer objects).
 */
function recordCache(): (answers: readonly ZoneAnswer[]) => RecordSet & { key: string } {
  const byArray = new WeakMap<readonly ZoneAnswer[], RecordSet & { key: string }>();
  const answerIds = new WeakMap<ZoneAnswer, number>();
  const byIds = new Map<string, RecordSet & { key: string }>();
  const byKey = new Map<string, RecordSet & { key: string }>();
  let nextId = 0;
  return (answers) => {
    let records = byArray.get(answers);
    if (records !== undefined) return records;
    let idKey = '';
    for (const answer of answers) {
      let id = answerIds.get(answer);
      if (id === undefined) {
        id = nextId;
        nextId += 1;
        answerIds.set(answer, id);
      }
      idKey += `${id},`;
    }
    records = byIds.get(idKey);
    if (records === undefined) {
      const key = answerKey(answers);
      records = byKey.get(key);
      if (records === undefined) byKey.set(key, (records = { ...recordSet(answers), key }));
      byIds.set(idKey, records);
    }
    byArray.set(answers, records);
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
  return { aLines, templates: [...texts].map(txtTemplate) };
}

/** `substitution` is ASCII without quotes or backslashes (an address or CIDR text), so it needs no escaping. */
function txtLine(template: TxtTemplate, substitution: string): string {
  if (template.constant !== null) return template.constant;
  const substitutions = template.parts.length - 1;
  if (template.partBytes + substitutions * substitution.length <= TXT_STRING_BYTES) {
    return `\tTXT\t"${template.escapedParts.join(substitution)}"\n`;
  }
  return `\tTXT\t${txtRdata(template.parts.join(substitution))}\n`;
}

function recordLines(records: RecordSet, substitution: string): string {
  let lines = records.aLines;
  if (records.templates.length === 1) return lines + txtLine(records.templates[0], substitution);
  const seen = new Set<string>();
  for (const template of records.templates) {
    const line = txtLine(template, substitution);
    if (!seen.has(line)) {
      seen.add(line);
      lines += line;
    }
  }
  return lines;
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
  checkParameters(parameters);
  const family = parameters.family;
  const bits = familyBits(family);
  const labelBits = LABEL_BITS[family];
  const depth = bits / labelBits;
  const childCount = 2 ** labelBits;
  const { pairs } = ipv4Tables();
  const recordsOf = recordCache();
  let output =
    `$ORIGIN ${parameters.origin}.\n` +
    `$TTL ${parameters.ttl}\n` +
    `@\tSOA\t${parameters.nameServers[0]}. ${parameters.hostmaster}. ${parameters.serial} ${parameters.refresh} ${parameters.retry} ${parameters.expire} ${parameters.negativeTtl}\n` +
    parameters.nameServers.map((nameServer) => `\tNS\t${nameServer}.\n`).join('');
  let entries = 0;
  // Adjacent segments with the same answers are one value to the name tree: merge them, so the
  // names depend only on what each address answers, not on how the input was cut.
  const merged: Segment[] = [];
  let previousLast = -1n;
  for (const segment of segments) {
    checkSegment(family, segment, previousLast);
    previousLast = segment.last;
    const last = merged[merged.length - 1];
    if (last !== undefined && last.last + 1n === segment.first && recordsOf(last.answers).key === recordsOf(segment.answers).key) {
      merged[merged.length - 1] = { first: last.first, last: segment.last, answers: last.answers };
    } else {
      merged.push(segment);
    }
  }
  const flush = () => {
    if (output.length >= CHUNK_CHARACTERS) {
      write(output);
      output = '';
    }
  };
  // IPv4 works on plain numbers (exact below 2^53), IPv6 on bigint: a node's first address is
  // whichever its family uses.
  type Address = number | bigint;
  const labelsOf = (first: Address, labelCount: number): string =>
    family === 4 ? ipv4Labels(Number(first), labelCount) : ipv6Labels(first as bigint, labelCount);
  const blockText = (first: Address, labelCount: number): string =>
    family === 4
      ? `${ipv4Text(Number(first), pairs)}/${labelCount * 8} (range)`
      : `${formatCidr({ family, first: first as bigint, prefix: labelCount * 4 })} (range)`;
  /** Name the child block `first` (at `labelCount` labels): the exact name of an address, or a wildcard for all of it. */
  const emitWhole = (first: Address, labelCount: number, records: RecordSet) => {
    if (labelCount === depth) {
      output += labelsOf(first, depth) + recordLines(records, family === 4 ? ipv4Text(Number(first), pairs) : formatAddress(6, first as bigint));
    } else {
      output += `*.${labelsOf(first, labelCount)}` + recordLines(records, blockText(first, labelCount));
    }
    entries += 1;
    flush();
  };
  const childAddress = (nodeFirst: Address, child: number, level: number): Address =>
    family === 4
      ? (nodeFirst as number) + child * 2 ** (bits - (level + 1) * labelBits)
      : (nodeFirst as bigint) + (BigInt(child) << BigInt(bits - (level + 1) * labelBits));

  // Where one segment falls among a node's children: the first and last child it touches, and
  // whether it starts / ends exactly on a child's boundary. Written into one reused object.
  const place = { childLow: 0, childHigh: 0, isLowAligned: false, isHighAligned: false };
  const firsts4 = family === 4 ? Float64Array.from(merged, (segment) => Number(segment.first)) : new Float64Array(0);
  const lasts4 = family === 4 ? Float64Array.from(merged, (segment) => Number(segment.last)) : new Float64Array(0);
  const placeSegment = (index: number, level: number, nodeFirst: Address): void => {
    if (family === 4) {
      const childSize = 2 ** (bits - (level + 1) * labelBits);
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
    const node = nodeFirst as bigint;
    const childShift = BigInt(bits - (level + 1) * labelBits);
    const nodeLast = node + ((1n << childShift) << BigInt(labelBits)) - 1n;
    const segment = merged[index];
    const low = segment.first > node ? segment.first : node;
    const high = segment.last < nodeLast ? segment.last : nodeLast;
    place.childLow = Number((low - node) >> childShift);
    place.childHigh = Number((high - node) >> childShift);
    place.isLowAligned = low === node + (BigInt(place.childLow) << childShift);
    place.isHighAligned = high === node + (BigInt(place.childHigh + 1) << childShift) - 1n;
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
    for (let index = from; index < to; index += 1) {
      placeSegment(index, level, nodeFirst);
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
          runs.push({ from: fullFrom, to: fullTo, records: recordsOf(merged[index].answers), segmentFrom: index, segmentTo: index + 1 });
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
      output += `*.${labelsOf(nodeFirst, level)}` + recordLines(wildcard, blockText(nodeFirst, level));
      entries += 1;
      flush();
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
  if (output.length > 0) write(output);
  return { entries };
}
