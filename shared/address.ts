/**
 * The address model: one parser for every address form the service manual shows, and the
 * arithmetic on inclusive ranges that listings, lookup and publishing share.
 *
 * Values are numbers within their family (IPv4: 0..2^32-1, IPv6: 0..2^128-1) as bigint.
 * Storage keys are 16 bytes, big-endian, IPv4 in its IPv4-mapped IPv6 form, so that byte
 * order equals numeric order and both families sort in one space.
 */
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface AddressRange {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
}

/** A CIDR block: `first` has no host bits set. */
export interface Cidr {
  readonly family: Family;
  readonly first: bigint;
  readonly prefix: number;
}

/** A parsed range with its CIDR prefix (when it is exactly one block) and notes on normalisation. */
export interface ParsedRange extends AddressRange {
  readonly prefix: number | null;
  readonly notes: readonly string[];
}

export interface ParsedAddress {
  readonly family: Family;
  readonly value: bigint;
  readonly notes: readonly string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const BITS: Record<Family, number> = { 4: 32, 6: 128 };
const IPV4_PATTERN = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;
const IPV6_CHARACTERS = /^[0-9a-fA-F:.]+$/;
const DECIMAL = /^\d+$/;

/** The number of bits of an address of this family. */
export function familyBits(family: Family): number {
  return BITS[family];
}

/** The largest address of a family. */
export function maxAddress(family: Family): bigint {
  return (1n << BigInt(BITS[family])) - 1n;
}

function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/**
 * An IPv4 address in the one form RepDesk accepts (four decimal octets 0-255, no leading zero)
 * as a number 0..2^32-1, or -1 for any other text (`parseAddress` then says what is wrong with
 * it). A scan of the characters with no allocation: imports and bulk lookups read millions.
 */
export function ipv4Number(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let position = 0; position < length; position += 1) {
    const code = text.charCodeAt(position);
    if (code >= 48 && code <= 57) {
      // A second digit after a leading 0 (octal-looking), or an octet over 255.
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (code - 48);
      digits += 1;
      if (octet > 255) return -1;
    } else if (code === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots += 1;
    } else {
      return -1;
    }
  }
  return digits === 0 || dots !== 3 ? -1 : value * 256 + octet;
}

function parseIpv4(text: string): Parsed<bigint> {
  const plain = ipv4Number(text);
  if (plain !== -1) return { ok: true, value: BigInt(plain) };
  const match = IPV4_PATTERN.exec(text);
  if (!match) {
    if (/^0x/i.test(text) || /\.0x/i.test(text)) return fail(`${quote(text)}: hexadecimal parts are not accepted; write four decimal octets`);
    if (DECIMAL.test(text)) return fail(`${quote(text)}: a bare number is not an IP address; write four decimal octets`);
    if (/^[\d.]+$/.test(text)) return fail(`${quote(text)}: an IPv4 address needs exactly four decimal octets`);
    return fail(`${quote(text)} is not an IP address`);
  }
  let value = 0;
  for (let index = 1; index <= 4; index += 1) {
    const octet = match[index];
    if (octet.length > 1 && octet.startsWith('0')) {
      return fail(`${quote(text)}: octet ${quote(octet)} has a leading zero, which some software reads as octal; write it without the zero`);
    }
    const number = Number(octet);
    if (octet.length > 3 || number > 255) return fail(`${quote(text)}: octet ${quote(octet)} is over 255`);
    value = value * 256 + number;
  }
  return { ok: true, value: BigInt(value) };
}

function parseIpv6(text: string): Parsed<bigint> {
  if (!IPV6_CHARACTERS.test(text)) return fail(`${quote(text)} is not an IP address`);
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const embedded = parseIpv4(tail);
    if (!embedded.ok) return fail(`${quote(text)}: embedded IPv4 part: ${embedded.error}`);
  }
  for (const group of text.split(':')) {
    if (!group.includes('.') && group.length > 4) return fail(`${quote(text)}: group ${quote(group)} has more than four hex digits`);
  }
  if (!ipaddr.IPv6.isValid(text)) return fail(`${quote(text)} is not a valid IPv6 address`);
  const parts = ipaddr.IPv6.parse(text).parts;
  let value = 0n;
  for (const part of parts) value = (value << 16n) | BigInt(part);
  return { ok: true, value };
}

/**
 * Parse one address. IPv4 must be four decimal octets without leading zeros (the short,
 * hex and integer forms that inet_aton accepts are refused: they hide typos). `::ffff:a.b.c.d`
 * is taken as the IPv4 address, with a note.
 */
export function parseAddress(input: string): Parsed<ParsedAddress> {
  const text = input.trim();
  if (text === '') return fail('empty address');
  if (text.includes('%')) return fail(`${quote(text)}: zone ids (%...) are not accepted`);
  if (text.includes(':')) {
    const parsed = parseIpv6(text);
    if (!parsed.ok) return parsed;
    if (parsed.value >> 32n === 0xffffn) {
      const v4 = parsed.value & 0xffffffffn;
      return {
        ok: true,
        value: { family: 4, value: v4, notes: [`${text} is the IPv4-mapped form of ${formatAddress(4, v4)}; treated as IPv4`] },
      };
    }
    return { ok: true, value: { family: 6, value: parsed.value, notes: [] } };
  }
  const parsed = parseIpv4(text);
  if (!parsed.ok) return parsed;
  return { ok: true, value: { family: 4, value: parsed.value, notes: [] } };
}

function parsePrefix(text: string, whole: string): Parsed<number> {
  if (!DECIMAL.test(text)) return fail(`${quote(whole)}: prefix ${quote(text)} is not a number`);
  if (text.length > 1 && text.startsWith('0')) return fail(`${quote(whole)}: prefix ${quote(text)} has a leading zero`);
  return { ok: true, value: Number(text) };
}

/**
 * Parse a single address, a CIDR block (`a/n`) or an inclusive range (`a-b`). A CIDR with
 * host bits set is normalised to its network, and a note says so.
 */
export function parseRange(input: string): Parsed<ParsedRange> {
  const text = input.trim();
  if (text === '') return fail('empty range');
  if (text.includes('/')) {
    const slash = text.indexOf('/');
    if (text.indexOf('/', slash + 1) !== -1) return fail(`${quote(text)}: more than one '/'`);
    const address = parseAddress(text.slice(0, slash));
    if (!address.ok) return address;
    const prefixParsed = parsePrefix(text.slice(slash + 1), text);
    if (!prefixParsed.ok) return prefixParsed;
    let prefix = prefixParsed.value;
    let notes = [...address.value.notes];
    const { family, value } = address.value;
    const isMapped = family === 4 && text.slice(0, slash).includes(':');
    if (isMapped) {
      if (prefix < 96 || prefix > 128) return fail(`${quote(text)}: prefix /${prefix} of an IPv4-mapped address must be between 96 and 128`);
      prefix -= 96;
    }
    if (prefix > BITS[family]) return fail(`${quote(text)}: prefix /${prefix} is out of range for IPv${family} (0-${BITS[family]})`);
    const hostBits = BigInt(BITS[family] - prefix);
    const first = (value >> hostBits) << hostBits;
    const last = first | ((1n << hostBits) - 1n);
    // Name the whole IPv4 block the mapped form stands for (::ffff:0:0/96 is all of 0.0.0.0/0), not only its address.
    if (isMapped) notes = [`${text} is the IPv4-mapped form of ${formatAddress(4, first)}/${prefix}; read as that IPv4 block`];
    if (first !== value) {
      notes.push(`${text} has host bits set; normalised to ${formatAddress(family, first)}/${prefix}`);
    }
    return { ok: true, value: { family, first, last, prefix, notes } };
  }
  if (text.includes('-')) {
    const parts = text.split('-');
    if (parts.length !== 2) return fail(`${quote(text)}: a range has exactly one '-'`);
    const start = parseAddress(parts[0]);
    if (!start.ok) return start;
    const end = parseAddress(parts[1]);
    if (!end.ok) return end;
    if (start.value.family !== end.value.family) {
      return fail(`${quote(text)}: mixes IPv${start.value.family} and IPv${end.value.family}`);
    }
    if (start.value.value > end.value.value) {
      return fail(`${quote(text)}: the start ${parts[0].trim()} is after the end ${parts[1].trim()}`);
    }
    const range = { family: start.value.family, first: start.value.value, last: end.value.value };
    return { ok: true, value: { ...range, prefix: exactPrefix(range), notes: [...start.value.notes, ...end.value.notes] } };
  }
  const address = parseAddress(text);
  if (!address.ok) return address;
  const { family, value, notes } = address.value;
  return { ok: true, value: { family, first: value, last: value, prefix: BITS[family], notes } };
}

/** The prefix length if the range is exactly one CIDR block, else null. */
export function exactPrefix(range: AddressRange): number | null {
  const size = range.last - range.first + 1n;
  if ((size & (size - 1n)) !== 0n) return null;
  if ((range.first & (size - 1n)) !== 0n) return null;
  return BITS[range.family] - bitLength(size - 1n);
}

function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** The number of addresses in a range. */
export function rangeSize(range: AddressRange): bigint {
  return range.last - range.first + 1n;
}

/** Whether a range contains an address of the same family. */
export function rangeContains(range: AddressRange, family: Family, value: bigint): boolean {
  return range.family === family && range.first <= value && value <= range.last;
}

/** Whether two ranges share at least one address. */
export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** The last address of a CIDR block. */
export function cidrLast(cidr: Cidr): bigint {
  return cidr.first | ((1n << BigInt(BITS[cidr.family] - cidr.prefix)) - 1n);
}

/** The minimal list of CIDR blocks that covers exactly the range, in address order. */
export function rangeToCidrs(range: AddressRange): Cidr[] {
  const blocks: Cidr[] = [];
  const bits = BITS[range.family];
  let first = range.first;
  while (first <= range.last) {
    // Largest block aligned at `first` that does not run past `last`.
    let size = first === 0n ? 1n << BigInt(bits) : first & -first;
    while (first + size - 1n > range.last) size >>= 1n;
    blocks.push({ family: range.family, first, prefix: bits - bitLength(size - 1n) });
    first += size;
  }
  return blocks;
}

/** The inclusive range of a CIDR block. */
export function cidrToRange(cidr: Cidr): AddressRange {
  return { family: cidr.family, first: cidr.first, last: cidrLast(cidr) };
}

/** Merge overlapping and adjacent ranges of one family into sorted, disjoint ranges. */
export function mergeRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => (a.family - b.family) || compareBigint(a.first, b.first));
  const merged: AddressRange[] = [];
  for (const range of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && previous.family === range.family && range.first <= previous.last + 1n) {
      if (range.last > previous.last) merged[merged.length - 1] = { ...previous, last: range.last };
    } else {
      merged.push({ family: range.family, first: range.first, last: range.last });
    }
  }
  return merged;
}

/** `range` minus every range in `holes`, as sorted disjoint ranges. */
export function subtractRanges(range: AddressRange, holes: readonly AddressRange[]): AddressRange[] {
  const result: AddressRange[] = [];
  let cursor = range.first;
  for (const hole of mergeRanges(holes.filter((candidate) => rangesOverlap(candidate, range)))) {
    if (hole.first > cursor) result.push({ family: range.family, first: cursor, last: hole.first - 1n });
    cursor = hole.last + 1n;
    if (cursor > range.last) return result;
  }
  if (cursor <= range.last) result.push({ family: range.family, first: cursor, last: range.last });
  return result;
}

export function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Text form of an address: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run compressed). */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) {
    const number = Number(value);
    return `${number >>> 24}.${(number >>> 16) & 255}.${(number >>> 8) & 255}.${number & 255}`;
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let index = 0; index < 8; ) {
    if (groups[index] !== 0) { index += 1; continue; }
    let end = index;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - index > bestLength) { bestStart = index; bestLength = end - index; }
    index = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Canonical text of a range: a single address, `a/n` when it is one block, else `a-b`. */
export function formatRange(range: AddressRange): string {
  if (range.first === range.last) return formatAddress(range.family, range.first);
  const prefix = exactPrefix(range);
  if (prefix !== null) return `${formatAddress(range.family, range.first)}/${prefix}`;
  return `${formatAddress(range.family, range.first)}-${formatAddress(range.family, range.last)}`;
}

/** Text of a CIDR block. */
export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.family, cidr.first)}/${cidr.prefix}`;
}

/** The 16-byte storage key of an address (IPv4 as IPv4-mapped IPv6), big-endian. */
export function addressKey(family: Family, value: bigint): Uint8Array {
  const key = new Uint8Array(16);
  writeAddressKey(family, value, key, 0);
  return key;
}

/** Write the 16-byte key of an address into `target` at `offset`. */
export function writeAddressKey(family: Family, value: bigint, target: Uint8Array, offset: number): void {
  if (family === 4) {
    writeIpv4Key(Number(value), target, offset);
    return;
  }
  let rest = value;
  for (let index = 15; index >= 0; index -= 1) {
    target[offset + index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

/** IPv4 fast path of `writeAddressKey`, from a number 0..2^32-1 (no bigint). */
export function writeIpv4Key(value: number, target: Uint8Array, offset: number): void {
  // Byte by byte: a million keys, and fill() is a call into C++ each time.
  for (let index = offset; index < offset + 10; index += 1) target[index] = 0;
  target[offset + 10] = 0xff;
  target[offset + 11] = 0xff;
  target[offset + 12] = value >>> 24;
  target[offset + 13] = (value >>> 16) & 255;
  target[offset + 14] = (value >>> 8) & 255;
  target[offset + 15] = value & 255;
}

/** Read a 16-byte key back into family and value. */
export function readAddressKey(key: Uint8Array, offset = 0): { family: Family; value: bigint } {
  const view = new DataView(key.buffer, key.byteOffset + offset, 16);
  const high = view.getBigUint64(0);
  const low = view.getBigUint64(8);
  if (high === 0n && low >> 32n === 0xffffn) return { family: 4, value: BigInt(view.getUint32(12)) };
  return { family: 6, value: (high << 64n) | low };
}

/** Read back a key from its hex text (SQLite's hex() of the 16-byte key). */
export function readAddressKeyHex(hex: string): { family: Family; value: bigint } {
  if (hex.startsWith('00000000000000000000FFFF')) return { family: 4, value: BigInt(parseInt(hex.slice(24), 16)) };
  return { family: 6, value: BigInt(`0x${hex}`) };
}

/** Hex text of the 16-byte key, as SQLite's hex() prints it (uppercase). */
export function addressKeyHex(family: Family, value: bigint): string {
  if (family === 4) return ipv4KeyHex(Number(value));
  return value.toString(16).toUpperCase().padStart(32, '0');
}

/** `addressKeyHex` of an IPv4 address given as a number 0..2^32-1 (no bigint). */
export function ipv4KeyHex(value: number): string {
  return `00000000000000000000FFFF${value.toString(16).toUpperCase().padStart(8, '0')}`;
}
