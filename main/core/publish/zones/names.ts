/**
 * Addresses as zone text: the reversed labels of an owner name (octets for IPv4, nibbles for
 * IPv6), the name a client asks for, and IPv4 text written straight into a ByteOutput.
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

/** Reversed-octet labels of the top `octetCount` octets (1..4) of IPv4 address `values[index]`: `3.2.1` for 1.2.3.0/24. */
export function writeIpv4Labels(out: ByteOutput, values: Uint32Array, index: number, octetCount: number): void {
  const value = values[index];
  for (let octet = octetCount - 1; octet >= 0; octet -= 1) {
    out.decimal((value >>> (24 - 8 * octet)) & 255);
    if (octet > 0) out.byte(DOT);
  }
}

/** Dotted-quad text of IPv4 address `values[index]`. */
export function writeIpv4Text(out: ByteOutput, values: Uint32Array, index: number): void {
  const value = values[index];
  out.decimal(value >>> 24);
  for (let shift = 16; shift >= 0; shift -= 8) {
    out.byte(DOT);
    out.decimal((value >>> shift) & 255);
  }
}
