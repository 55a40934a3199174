/**
 * Sorting bounds, the cost that matters at publishing scale (millions of them): bounds are
 * sorted as 32-bit words by a stable radix sort rather than with a bigint comparator, one word
 * per bound when every value fits in 32 bits (IPv4), four words otherwise (IPv6).
 */
import { maxAddress } from '../../../../shared/address.js';
import type { Bounds } from './types.js';

const MAX_32 = maxAddress(4);
export const MAX_128 = maxAddress(6);
const DIGIT_BITS = 16;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LOW_WORD = LITTLE_ENDIAN ? 0 : 1;
const HIGH_WORD = 1 - LOW_WORD;
// Storing a bigint into a BigUint64Array keeps its low 64 bits without allocating, and reading
// the words back is several times cheaper than Number(bigint).
const scratch = new BigUint64Array(2);
const scratchWords = new Uint32Array(scratch.buffer);

/**
 * Entries to sort: `slots[i]` with its key at `keys[i * words ...]`, `words` 32-bit words per
 * key, least significant first. Keys travel with their slots through the sort, so that the
 * sweep afterwards reads them in order instead of jumping around memory.
 */
export interface SortTable {
  readonly words: 1 | 4;
  readonly keys: Uint32Array;
  readonly slots: Uint32Array;
}

export function low32(value: bigint): number {
  scratch[0] = value;
  return scratchWords[LOW_WORD];
}

export function writeWideKey(keys: Uint32Array, entry: number, value: bigint): void {
  scratch[0] = value;
  scratch[1] = value >> 64n;
  const base = entry * 4;
  keys[base] = scratchWords[LOW_WORD];
  keys[base + 1] = scratchWords[HIGH_WORD];
  keys[base + 2] = scratchWords[2 + LOW_WORD];
  keys[base + 3] = scratchWords[2 + HIGH_WORD];
}

/** Add one to the wide key at `entry`; false when it wraps, i.e. the key was 2^128 - 1. */
export function incrementWideKey(keys: Uint32Array, entry: number): boolean {
  for (let index = entry * 4; index < entry * 4 + 4; index += 1) {
    if (keys[index] !== 0xffffffff) {
      keys[index] += 1;
      return true;
    }
    keys[index] = 0;
  }
  return false;
}

export function checkBounds(first: bigint, last: bigint, what: string): void {
  if (first < 0n || first > last || last > MAX_128) {
    throw new RangeError(`${what}: invalid range ${first}-${last} (need 0 <= first <= last <= 2^128-1)`);
  }
}

export function isNarrow(first: bigint, last: bigint): boolean {
  return first >= 0n && first <= last && last <= MAX_32;
}

/**
 * Stable LSD radix sort by key, 16-bit digits, all digit histograms counted in one pass.
 * Digits that are the same for every entry are skipped, which makes IPv6 data that shares its
 * high bits nearly as cheap as IPv4.
 */
export function radixSort(table: SortTable): SortTable {
  const { words } = table;
  const count = table.slots.length;
  if (count < 2) return table;
  const digits = words * 2;
  const histograms = new Uint32Array(digits << DIGIT_BITS);
  let keys = table.keys;
  let slots = table.slots;
  for (let entry = 0; entry < count * words; entry += words) {
    for (let word = 0; word < words; word += 1) {
      const key = keys[entry + word];
      histograms[((2 * word) << DIGIT_BITS) + (key & DIGIT_MASK)] += 1;
      histograms[((2 * word + 1) << DIGIT_BITS) + (key >>> DIGIT_BITS)] += 1;
    }
  }
  let spareKeys: Uint32Array | null = null;
  let spareSlots: Uint32Array | null = null;
  for (let digit = 0; digit < digits; digit += 1) {
    const word = digit >> 1;
    const shift = (digit & 1) * DIGIT_BITS;
    const offset = digit << DIGIT_BITS;
    if (histograms[offset + ((keys[word] >>> shift) & DIGIT_MASK)] === count) continue;
    let total = 0;
    for (let index = offset; index <= offset + DIGIT_MASK; index += 1) {
      const size = histograms[index];
      histograms[index] = total;
      total += size;
    }
    spareKeys ??= new Uint32Array(keys.length);
    spareSlots ??= new Uint32Array(count);
    if (words === 1) {
      for (let entry = 0; entry < count; entry += 1) {
        const key = keys[entry];
        const at = histograms[offset + ((key >>> shift) & DIGIT_MASK)]++;
        spareKeys[at] = key;
        spareSlots[at] = slots[entry];
      }
    } else {
      for (let entry = 0; entry < count; entry += 1) {
        const base = entry * 4;
        const at = histograms[offset + ((keys[base + word] >>> shift) & DIGIT_MASK)]++;
        const target = at * 4;
        spareKeys[target] = keys[base];
        spareKeys[target + 1] = keys[base + 1];
        spareKeys[target + 2] = keys[base + 2];
        spareKeys[target + 3] = keys[base + 3];
        spareSlots[at] = slots[entry];
      }
    }
    [keys, spareKeys] = [spareKeys, keys];
    [slots, spareSlots] = [spareSlots, slots];
  }
  return { words, keys, slots };
}

/** Indices of `ranges` ordered by `first` (ties by index). */
export function orderByFirst(ranges: ReadonlyArray<Bounds>, what: string): Uint32Array {
  const count = ranges.length;
  const slots = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) slots[index] = index;
  let narrow = true;
  for (let index = 0; index < count && narrow; index += 1) narrow = isNarrow(ranges[index].first, ranges[index].last);
  const words = narrow ? 1 : 4;
  const keys = new Uint32Array(count * words);
  for (let index = 0; index < count; index += 1) {
    const { first, last } = ranges[index];
    if (narrow) {
      keys[index] = low32(first);
    } else {
      checkBounds(first, last, `${what} ${index}`);
      writeWideKey(keys, index, first);
    }
  }
  return radixSort({ words, keys, slots }).slots;
}
