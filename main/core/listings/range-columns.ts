/**
 * The ranges of a file being imported, column-wise and compact: IPv4 (nearly every line of a real
 * feed) as 32-bit numbers in typed arrays, IPv6 as bigints beside them. No object and no bigint
 * per IPv4 line, so a million lines take a few MB and leave the garbage collector nothing to
 * trace; and their address order is a native sort of numbers (`addressOrder`).
 */
import type { AddressRange, Family } from '../../../shared/address.js';

const INITIAL_CAPACITY = 1024;

export class RangeColumns {
  private families = new Uint8Array(INITIAL_CAPACITY);
  /** IPv4: the first and last address; IPv6: `firsts` holds the position in the bigint columns. */
  private firsts = new Uint32Array(INITIAL_CAPACITY);
  private lasts = new Uint32Array(INITIAL_CAPACITY);
  private readonly v6Firsts: bigint[] = [];
  private readonly v6Lasts: bigint[] = [];
  private count = 0;

  /** Columns holding the ranges of three parallel arrays (a DUL submission's, a test's). */
  static of(families: ArrayLike<Family>, firsts: ArrayLike<bigint>, lasts: ArrayLike<bigint>): RangeColumns {
    const columns = new RangeColumns();
    for (let index = 0; index < families.length; index += 1) columns.push(families[index], firsts[index], lasts[index]);
    return columns;
  }

  get length(): number {
    return this.count;
  }

  /** How many are IPv6. */
  get ipv6Count(): number {
    return this.v6Firsts.length;
  }

  /** Add an IPv4 range given as numbers 0..2^32-1. */
  pushIpv4(first: number, last: number): void {
    if (this.count === this.families.length) this.grow();
    this.families[this.count] = 4;
    this.firsts[this.count] = first;
    this.lasts[this.count] = last;
    this.count += 1;
  }

  push(family: Family, first: bigint, last: bigint): void {
    if (family === 4) {
      this.pushIpv4(Number(first), Number(last));
      return;
    }
    if (this.count === this.families.length) this.grow();
    this.families[this.count] = 6;
    this.firsts[this.count] = this.v6Firsts.length;
    this.v6Firsts.push(first);
    this.v6Lasts.push(last);
    this.count += 1;
  }

  family(index: number): Family {
    return this.families[index] as Family;
  }

  /** An IPv4 range's first address as a number (for an IPv6 range: meaningless). */
  ipv4First(index: number): number {
    return this.firsts[index];
  }

  /** An IPv4 range's last address as a number (for an IPv6 range: meaningless). */
  ipv4Last(index: number): number {
    return this.lasts[index];
  }

  first(index: number): bigint {
    return this.families[index] === 4 ? BigInt(this.firsts[index]) : this.v6Firsts[this.firsts[index]];
  }

  last(index: number): bigint {
    return this.families[index] === 4 ? BigInt(this.lasts[index]) : this.v6Lasts[this.firsts[index]];
  }

  range(index: number): AddressRange {
    return { family: this.family(index), first: this.first(index), last: this.last(index) };
  }

  /** Whether the ranges at `a` and `b` are the same range. */
  isSameRange(a: number, b: number): boolean {
    if (this.families[a] !== this.families[b]) return false;
    if (this.families[a] === 4) return this.firsts[a] === this.firsts[b] && this.lasts[a] === this.lasts[b];
    return this.first(a) === this.first(b) && this.last(a) === this.last(b);
  }

  private grow(): void {
    const capacity = this.families.length * 2;
    const families = new Uint8Array(capacity);
    const firsts = new Uint32Array(capacity);
    const lasts = new Uint32Array(capacity);
    families.set(this.families);
    firsts.set(this.firsts);
    lasts.set(this.lasts);
    this.families = families;
    this.firsts = firsts;
    this.lasts = lasts;
  }
}

/**
 * Positions sorted by (family, first, last), in an Int32Array (4 bytes a position; no array of
 * numbers on the way). IPv4 sorts natively, each first address packed with its position in one
 * number (a double below 2^21 ranges, a 64-bit integer beyond), which is far faster than a
 * comparator; equal starts are then ordered by their last address. IPv6 (few) by comparator.
 */
export function addressOrder(ranges: RangeColumns): Int32Array {
  const count = ranges.length;
  const order = new Int32Array(count);
  const v4Count = count - ranges.ipv6Count;
  // The first addresses in order, read back from the sorted keys (not from the columns: a jump in memory per range).
  const sortedFirsts = new Float64Array(v4Count);
  if (count < 2 ** 21) {
    const packed = new Float64Array(v4Count);
    for (let index = 0, position = 0; index < count; index += 1) if (ranges.family(index) === 4) packed[position++] = ranges.ipv4First(index) * 2 ** 21 + index;
    packed.sort();
    for (let position = 0; position < v4Count; position += 1) {
      const first = Math.floor(packed[position] / 2 ** 21);
      sortedFirsts[position] = first;
      order[position] = packed[position] - first * 2 ** 21;
    }
  } else {
    const packed = new BigUint64Array(v4Count);
    for (let index = 0, position = 0; index < count; index += 1) if (ranges.family(index) === 4) packed[position++] = (BigInt(ranges.ipv4First(index)) << 32n) | BigInt(index);
    packed.sort();
    for (let position = 0; position < v4Count; position += 1) {
      sortedFirsts[position] = Number(packed[position] >> 32n);
      order[position] = Number(packed[position] & 0xffffffffn);
    }
  }
  // Ranges starting at the same address: by their last address (few, and short runs).
  const byIpv4Last = (a: number, b: number) => ranges.ipv4Last(a) - ranges.ipv4Last(b) || a - b;
  for (let start = 0; start < v4Count; ) {
    let end = start + 1;
    while (end < v4Count && sortedFirsts[end] === sortedFirsts[start]) end += 1;
    if (end - start > 1) order.subarray(start, end).sort(byIpv4Last);
    start = end;
  }
  const v6: number[] = [];
  for (let index = 0; index < count; index += 1) if (ranges.family(index) === 6) v6.push(index);
  v6.sort((a, b) => {
    const [firstA, firstB, lastA, lastB] = [ranges.first(a), ranges.first(b), ranges.last(a), ranges.last(b)];
    return firstA < firstB ? -1 : firstA > firstB ? 1 : lastA < lastB ? -1 : lastA > lastB ? 1 : a - b;
  });
  order.set(v6, v4Count);
  return order;
}
