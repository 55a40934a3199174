/**
 * Addresses as zone text: the reversed labels of an owner name (octets for IPv4, nibbles for
 * IPv6), the name a client asks for, and address text and labels written straight into a
 * ByteOutput (no string per name).
 */
import type { Family } from '../../../../shared/address.js';
import type { ByteOutput } from './byte-output.js';
import { checkAddress } from './checks.js';

export const DOT = 0x2e;

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
export function ipv6Labels(value: bigint, nibbleCount: number): string {
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

/*
 * IPv4 text is written from an address in a Uint32Array (`values[index]`): the per-segment paths
 * pass their column and the segment's index, never the address itself, because V8 boxes a
 * number outside its small-integer range (from 2^30 or 2^31 up, by build) on the heap when it
 * is handed to a call that is not inlined: an allocation per segment otherwise. An address
 * computed on the way (a CIDR's start, a node's first address) goes through ADDRESS.
 */
export const ADDRESS = new Uint32Array(1);

/** Writes octet `octet` (0..255) in decimal at `buffer[at]`; returns where it ends. */
function putOctet(buffer: Buffer, at: number, octet: number): number {
  if (octet >= 100) {
    buffer[at++] = DIGIT_ZERO + ((octet / 100) | 0);
    buffer[at++] = DIGIT_ZERO + (((octet / 10) | 0) % 10);
  } else if (octet >= 10) {
    buffer[at++] = DIGIT_ZERO + ((octet / 10) | 0);
  }
  buffer[at++] = DIGIT_ZERO + (octet % 10);
  return at;
}

const DIGIT_ZERO = 0x30;
/** The longest IPv4 text: four octets of three digits and three dots. */
const IPV4_TEXT_BYTES = 15;

/*
 * The two writers below run once or twice per name of a million-name zone: they reserve room
 * once and write the digits with a local position, not byte by byte through ByteOutput.
 */

/** Reversed-octet labels of the top `octetCount` octets (1..4) of IPv4 address `values[index]`: `3.2.1` for 1.2.3.0/24. */
export function writeIpv4Labels(out: ByteOutput, values: Uint32Array, index: number, octetCount: number): void {
  out.reserve(IPV4_TEXT_BYTES);
  const value = values[index];
  const buffer = out.buffer;
  let at = out.length;
  for (let octet = octetCount - 1; octet >= 0; octet -= 1) {
    at = putOctet(buffer, at, (value >>> (24 - 8 * octet)) & 255);
    if (octet > 0) buffer[at++] = DOT;
  }
  out.length = at;
}

/** Dotted-quad text of IPv4 address `values[index]`. */
export function writeIpv4Text(out: ByteOutput, values: Uint32Array, index: number): void {
  out.reserve(IPV4_TEXT_BYTES);
  const value = values[index];
  const buffer = out.buffer;
  let at = putOctet(buffer, out.length, value >>> 24);
  buffer[at++] = DOT;
  at = putOctet(buffer, at, (value >>> 16) & 255);
  buffer[at++] = DOT;
  at = putOctet(buffer, at, (value >>> 8) & 255);
  buffer[at++] = DOT;
  out.length = putOctet(buffer, at, value & 255);
}

/*
 * IPv6 text from a bigint without bigint arithmetic per group: the value is stored into a
 * BigUint64Array (which keeps the low 64 bits without allocating) and read back as 32-bit words.
 */
const IPV6_SCRATCH = new BigUint64Array(2);
const IPV6_SCRATCH_WORDS = new Uint32Array(IPV6_SCRATCH.buffer);
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Where the high and low 32 bits of a 64-bit lane are in IPV6_SCRATCH_WORDS. */
const LANE_HIGH = IS_LITTLE_ENDIAN ? 1 : 0;
const LANE_LOW = 1 - LANE_HIGH;
/** The address's eight 16-bit groups, most significant first (filled by `loadIpv6Groups`). */
const IPV6_GROUPS = new Uint16Array(8);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const COLON = 0x3a;
/** The longest IPv6 text: eight groups of four digits and seven colons. */
const IPV6_TEXT_BYTES = 39;

/** IPV6_GROUPS := the groups of `value` (0..2^128-1). */
function loadIpv6Groups(value: bigint): void {
  IPV6_SCRATCH[0] = value >> 64n;
  IPV6_SCRATCH[1] = value;
  const words = IPV6_SCRATCH_WORDS;
  for (let word = 0; word < 4; word += 1) {
    // Words most significant first: lane 0's high, its low, lane 1's high, its low.
    const value32 = words[(word & 2) + ((word & 1) === 0 ? LANE_HIGH : LANE_LOW)];
    IPV6_GROUPS[2 * word] = value32 >>> 16;
    IPV6_GROUPS[2 * word + 1] = value32 & 0xffff;
  }
}

/** Writes `group` in hex without leading zeros at `buffer[at]`; returns where it ends. */
function putHexGroup(buffer: Buffer, at: number, group: number): number {
  let shift = 12;
  while (shift > 0 && group >>> shift === 0) shift -= 4;
  for (; shift >= 0; shift -= 4) buffer[at++] = HEX_DIGITS[(group >>> shift) & 15];
  return at;
}

/**
 * IPv6 text of `value` as `formatAddress(6, value)` writes it (RFC 5952: lower-case hex without
 * leading zeros, the first longest run of two or more zero groups as `::`).
 */
export function writeIpv6Text(out: ByteOutput, value: bigint): void {
  loadIpv6Groups(value);
  const groups = IPV6_GROUPS;
  let bestStart = -1;
  let bestLength = 1;
  for (let index = 0; index < 8; ) {
    if (groups[index] !== 0) {
      index += 1;
      continue;
    }
    let end = index;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - index > bestLength) {
      bestStart = index;
      bestLength = end - index;
    }
    index = end;
  }
  out.reserve(IPV6_TEXT_BYTES);
  const buffer = out.buffer;
  let at = out.length;
  for (let index = 0; index < 8; index += 1) {
    if (index === bestStart) {
      buffer[at++] = COLON;
      buffer[at++] = COLON;
      index += bestLength - 1;
      continue;
    }
    if (index > 0 && index !== bestStart + bestLength) buffer[at++] = COLON;
    at = putHexGroup(buffer, at, groups[index]);
  }
  out.length = at;
}

/** Reversed-nibble labels of the top `nibbleCount` nibbles (1..32) of IPv6 address `value`, as `ipv6Labels` gives them. */
export function writeIpv6Labels(out: ByteOutput, value: bigint, nibbleCount: number): void {
  loadIpv6Groups(value);
  out.reserve(2 * nibbleCount);
  const buffer = out.buffer;
  let at = out.length;
  for (let nibble = nibbleCount - 1; nibble >= 0; nibble -= 1) {
    buffer[at++] = HEX_DIGITS[(IPV6_GROUPS[nibble >>> 2] >>> (12 - 4 * (nibble & 3))) & 15];
    if (nibble > 0) buffer[at++] = DOT;
  }
  out.length = at;
}

/** The 32 nibbles of IPv6 address `value`, most significant first, into `target` from `offset`. */
export function writeIpv6Nibbles(value: bigint, target: Uint8Array, offset: number): void {
  loadIpv6Groups(value);
  for (let group = 0; group < 8; group += 1) {
    const word = IPV6_GROUPS[group];
    const at = offset + 4 * group;
    target[at] = word >>> 12;
    target[at + 1] = (word >>> 8) & 15;
    target[at + 2] = (word >>> 4) & 15;
    target[at + 3] = word & 15;
  }
}
