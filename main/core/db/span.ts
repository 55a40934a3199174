/**
 * A listing's span (migration 0017): in how many trailing hexadecimal digits its first and last
 * address differ, so the whole range lies in one aligned block of 16^span addresses. Every
 * writer of listings stores it (listings/changes.ts, listings/batches.ts); lookup/span-lookup.ts
 * probes by it.
 */
import type { Family } from '../../../shared/address.js';

/** The span every range satisfies (the whole 128-bit space); a row written by another tool has it. */
export const WIDEST_SPAN = 32;

/** The span of an IPv4 range (addresses as numbers 0..2^32-1). */
export function spanOfIpv4(first: number, last: number): number {
  const differing = (first ^ last) >>> 0;
  return differing === 0 ? 0 : Math.ceil((32 - Math.clz32(differing)) / 4);
}

/** The span of a range: in how many trailing hexadecimal digits its first and last address differ. */
export function spanOf(family: Family, first: bigint, last: bigint): number {
  if (family === 4) return spanOfIpv4(Number(first), Number(last));
  const differing = first ^ last;
  return differing === 0n ? 0 : differing.toString(16).length;
}

/** The span of a range from its two 16-byte storage keys. */
export function spanOfKeys(first: Uint8Array, last: Uint8Array): number {
  for (let byte = 0; byte < 16; byte += 1) {
    if (first[byte] !== last[byte]) return (16 - byte) * 2 - ((first[byte] ^ last[byte]) < 0x10 ? 1 : 0);
  }
  return 0;
}
