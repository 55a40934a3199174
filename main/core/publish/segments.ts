/**
 * Interval arithmetic for publishing: turns overlapping listings into the sorted, disjoint
 * segments that zone writers need, for one address family at a time (values up to 2^128 - 1).
 *
 * Sorting is the cost that matters at publishing scale (millions of bounds), so bounds are
 * sorted as 32-bit words by a stable radix sort rather than with a bigint comparator: one word
 * per bound when every value fits in 32 bits (IPv4), four words otherwise (IPv6).
 */
import { compareBigint, maxAddress } from '../../../shared/address.js';

/** An input interval with a payload; also the shape of output segments. first <= last, values within the family's range. */
export interface Interval<T> {
  first: bigint;
  last: bigint;
  value: T;
}

/** An inclusive range without a payload: a hole to cut out, or a range to intersect with. */
export interface Bounds {
  first: bigint;
  last: bigint;
}

/** A piece of a segment that lies inside one of the ranges given to `intersect`. */
export interface Intersection<R> extends Interval<R> {
  rangeIndex: number;
}

const MAX_32 = maxAddress(4);
const MAX_128 = maxAddress(6);
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

function low32(value: bigint): number {
  scratch[0] = value;
  return scratchWords[LOW_WORD];
}

function writeWideKey(keys: Uint32Array, entry: number, value: bigint): void {
  scratch[0] = value;
  scratch[1] = value >> 64n;
  const base = entry * 4;
  keys[base] = scratchWords[LOW_WORD];
  keys[base + 1] = scratchWords[HIGH_WORD];
  keys[base + 2] = scratchWords[2 + LOW_WORD];
  keys[base + 3] = scratchWords[2 + HIGH_WORD];
}

/** Add one to the wide key at `entry`; false when it wraps, i.e. the key was 2^128 - 1. */
function incrementWideKey(keys: Uint32Array, entry: number): boolean {
  for (let index = entry * 4; index < entry * 4 + 4; index += 1) {
    if (keys[index] !== 0xffffffff) {
      keys[index] += 1;
      return true;
    }
    keys[index] = 0;
  }
  return false;
}

function checkBounds(first: bigint, last: bigint, what: string): void {
  if (first < 0n || first > last || last > MAX_128) {
    throw new RangeError(`${what}: invalid range ${first}-${last} (need 0 <= first <= last <= 2^128-1)`);
  }
}

function isNarrow(first: bigint, last: bigint): boolean {
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
function orderByFirst(ranges: ReadonlyArray<Bounds>, what: string): Uint32Array {
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

/**
 * The sweep's events. Slot i (< n) is the end of interval i, at last + 1; slot n + i its
 * start, at first. An end at 2^bits is left out: nothing follows it, and the sweep closes
 * what is still open with the intervals' own `last`. Entries are in slot order, so that after
 * the stable sort ends precede starts at the same key.
 *
 * `record` gets value, first and last of each interval side by side: the sweep visits
 * intervals in address order, which is random in the input, and one cache miss per visit
 * instead of two or three is most of the sweep's speed.
 */
function sweepEvents<T>(intervals: readonly Interval<T>[], record: unknown[]): SortTable {
  return narrowEvents(intervals, record) ?? wideEvents(intervals, record);
}

function recordInterval<T>(record: unknown[], index: number, interval: Interval<T>): void {
  record[3 * index] = interval.value;
  record[3 * index + 1] = interval.first;
  record[3 * index + 2] = interval.last;
}

/** Ends were packed at the front of `keys` and `slots`; move the starts up behind them. */
function packEvents(words: 1 | 4, keys: Uint32Array, slots: Uint32Array, count: number, ends: number): SortTable {
  keys.copyWithin(ends * words, count * words);
  for (let index = 0; index < count; index += 1) slots[ends + index] = count + index;
  return { words, keys: keys.subarray(0, (ends + count) * words), slots: slots.subarray(0, ends + count) };
}

/** Events with one-word keys, or null as soon as a value does not fit in 32 bits. */
function narrowEvents<T>(intervals: readonly Interval<T>[], record: unknown[]): SortTable | null {
  const count = intervals.length;
  const keys = new Uint32Array(2 * count);
  const slots = new Uint32Array(2 * count);
  let ends = 0;
  for (let index = 0; index < count; index += 1) {
    const interval = intervals[index];
    const { first, last } = interval;
    if (!isNarrow(first, last)) return null;
    recordInterval(record, index, interval);
    const start = low32(first);
    keys[count + index] = start;
    const end = (last === first ? start : low32(last)) + 1;
    if (end > 0xffffffff) continue;
    keys[ends] = end;
    slots[ends++] = index;
  }
  return packEvents(1, keys, slots, count, ends);
}

function wideEvents<T>(intervals: readonly Interval<T>[], record: unknown[]): SortTable {
  const count = intervals.length;
  const keys = new Uint32Array(2 * count * 4);
  const slots = new Uint32Array(2 * count);
  let ends = 0;
  for (let index = 0; index < count; index += 1) {
    const interval = intervals[index];
    const { first, last } = interval;
    checkBounds(first, last, `interval ${index}`);
    recordInterval(record, index, interval);
    const start = count + index;
    writeWideKey(keys, start, first);
    // Most listings are single addresses: derive the end from the start's words.
    if (last === first) {
      for (let word = 0; word < 4; word += 1) keys[ends * 4 + word] = keys[start * 4 + word];
    } else {
      writeWideKey(keys, ends, last);
    }
    if (!incrementWideKey(keys, ends)) continue;
    slots[ends++] = index;
  }
  return packEvents(4, keys, slots, count, ends);
}

/*
 * The sweep names a boundary by a number instead of a bigint: 2i for the first of interval i,
 * 2i + 1 for one past its last. Bigints are only made when a merged run is finished, so that
 * runs that grow over many elementary segments cost no bigint arithmetic.
 */
function boundaryFirst(record: readonly unknown[], boundary: number): bigint {
  const base = 3 * (boundary >> 1);
  return boundary & 1 ? (record[base + 2] as bigint) + 1n : record[base + 1] as bigint;
}

function boundaryLast(record: readonly unknown[], boundary: number): bigint {
  const base = 3 * (boundary >> 1);
  return boundary & 1 ? record[base + 2] as bigint : (record[base + 1] as bigint) - 1n;
}

/**
 * Sweep the intervals into sorted, disjoint segments; each segment's result is
 * `resolve(values covering it)`, called once per elementary segment with the covering
 * intervals' values in input-index order, returning null for "not published here".
 * Adjacent segments whose results are equal (by `same`) are merged.
 *
 * `covering` is a view that the sweep goes on changing after the call: copy it to keep it.
 * `build` makes each output segment (by default an `Interval`), so that a caller wanting
 * another shape does not copy a million segments afterwards.
 * Cost: O(n) for the sort, plus O(depth) per bound for keeping the covering list in index
 * order, so O(n·depth) on hostile, deeply nested data (10,000 nested ranges stay correct).
 */
export function flatten<T, R, S = Interval<R>>(
  intervals: readonly Interval<T>[],
  resolve: (covering: readonly T[]) => R | null,
  same: (a: R, b: R) => boolean,
  build: (first: bigint, last: bigint, value: R) => S = asInterval as (first: bigint, last: bigint, value: R) => S,
): S[] {
  const count = intervals.length;
  const result: S[] = [];
  if (count === 0) return result;
  const record: unknown[] = new Array(3 * count);
  const { words, keys, slots } = radixSort(sweepEvents(intervals, record));

  // Active intervals by input index, and their values in the same order: `covering` is passed
  // to `resolve` as is, so the common single-interval case allocates nothing.
  const active: number[] = [];
  const covering: T[] = [];
  // The elementary segment since `boundary` (if anything covers it) and the run of equal
  // results it may extend.
  let boundary = 0;
  let pendingOpen = false;
  let pendingValue: R | null = null;
  let runOpen = false;
  let runFirst = 0;
  let runEnd = 0;
  let runValue = null as R;

  const eventCount = slots.length;
  let position = 0;
  while (position <= eventCount) {
    let next: number;
    if (position < eventCount) {
      const groupPosition = position;
      let firstStart = -1;
      let firstEnd = -1;
      do {
        const slot = slots[position];
        if (slot < count) {
          if (firstEnd < 0) firstEnd = slot;
          removeActive(active, covering, slot);
        } else {
          const index = slot - count;
          if (firstStart < 0) firstStart = index;
          insertActive(active, covering, index, record[3 * index] as T);
        }
        position += 1;
      } while (position < eventCount && sameKey(keys, words, position, groupPosition));
      // The same address either way; a start names it without arithmetic on the first side.
      next = firstStart >= 0 ? 2 * firstStart : 2 * firstEnd + 1;
    } else {
      // Past the last event, whatever is open runs to the family's last address: its `last`.
      next = active.length > 0 ? 2 * active[0] + 1 : 0;
      position += 1;
    }

    if (pendingOpen && pendingValue !== null) {
      if (runOpen && same(runValue, pendingValue)) {
        runEnd = next;
      } else {
        if (runOpen) result.push(build(boundaryFirst(record, runFirst), boundaryLast(record, runEnd), runValue));
        runOpen = true;
        runFirst = boundary;
        runEnd = next;
        runValue = pendingValue;
      }
    } else if (runOpen) {
      result.push(build(boundaryFirst(record, runFirst), boundaryLast(record, runEnd), runValue));
      runOpen = false;
    }

    boundary = next;
    pendingOpen = active.length > 0 && position <= eventCount;
    if (pendingOpen) pendingValue = resolve(covering);
  }
  if (runOpen) result.push(build(boundaryFirst(record, runFirst), boundaryLast(record, runEnd), runValue));
  return result;
}

function asInterval<R>(first: bigint, last: bigint, value: R): Interval<R> {
  return { first, last, value };
}

function sameKey(keys: Uint32Array, words: number, a: number, b: number): boolean {
  if (words === 1) return keys[a] === keys[b];
  const left = a * 4;
  const right = b * 4;
  return keys[left] === keys[right] && keys[left + 1] === keys[right + 1]
    && keys[left + 2] === keys[right + 2] && keys[left + 3] === keys[right + 3];
}

/** First position in the ascending `active` whose index is >= `index`. */
export function activePosition(active: readonly number[], index: number): number {
  let low = 0;
  let high = active.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (active[middle] < index) low = middle + 1;
    else high = middle;
  }
  return low;
}

function insertActive<T>(active: number[], covering: T[], index: number, value: T): void {
  const length = active.length;
  if (length === 0 || active[length - 1] < index) {
    active.push(index);
    covering.push(value);
    return;
  }
  const at = activePosition(active, index);
  active.push(index);
  covering.push(value);
  for (let position = length; position > at; position -= 1) {
    active[position] = active[position - 1];
    covering[position] = covering[position - 1];
  }
  active[at] = index;
  covering[at] = value;
}

function removeActive<T>(active: number[], covering: T[], index: number): void {
  const last = active.length - 1;
  if (active[last] !== index) {
    for (let position = activePosition(active, index); position < last; position += 1) {
      active[position] = active[position + 1];
      covering[position] = covering[position + 1];
    }
  }
  active.pop();
  covering.pop();
}

/**
 * Sorted, disjoint union of the holes, adjacent ones joined. Not `mergeRanges` from the address
 * model: that sorts family-tagged ranges with a bigint comparator, too slow when the holes are
 * a whole list.
 */
function mergeHoles(holes: ReadonlyArray<Bounds>): { firsts: bigint[]; lasts: bigint[] } {
  const firsts: bigint[] = [];
  const lasts: bigint[] = [];
  for (const index of orderByFirst(holes, 'hole')) {
    const { first, last } = holes[index];
    const top = lasts.length - 1;
    if (top >= 0 && first <= lasts[top] + 1n) {
      if (last > lasts[top]) lasts[top] = last;
    } else {
      firsts.push(first);
      lasts.push(last);
    }
  }
  return { firsts, lasts };
}

/** Throws unless the segments are valid, sorted and disjoint; two comparisons per segment. */
function checkSorted<R>(segments: ReadonlyArray<Interval<R>>, what: string): void {
  let previousLast = -1n;
  for (let index = 0; index < segments.length; index += 1) {
    const { first, last } = segments[index];
    if (first > previousLast && first <= last) {
      previousLast = last;
      continue;
    }
    checkBounds(first, last, `${what} ${index}`);
    throw new RangeError(`${what} ${index} overlaps or precedes the one before it`);
  }
  if (previousLast > MAX_128) checkBounds(0n, previousLast, `${what} ${segments.length - 1}`);
}

/** Subtract holes (any order, may overlap) from sorted disjoint segments, splitting segments as needed. */
export function subtract<R>(
  segments: ReadonlyArray<Interval<R>>,
  holes: ReadonlyArray<Bounds>,
): Array<Interval<R>> {
  checkSorted(segments, 'segment');
  const { firsts, lasts } = mergeHoles(holes);
  const result: Array<Interval<R>> = [];
  let hole = 0;
  for (const segment of segments) {
    const { last, value } = segment;
    let cursor = segment.first;
    while (hole < firsts.length && lasts[hole] < cursor) hole += 1;
    let consumed = false;
    while (hole < firsts.length && firsts[hole] <= last) {
      if (firsts[hole] > cursor) result.push({ first: cursor, last: firsts[hole] - 1n, value });
      // A hole that reaches past this segment may cut the next one too: keep it.
      if (lasts[hole] >= last) {
        consumed = true;
        break;
      }
      cursor = lasts[hole] + 1n;
      hole += 1;
    }
    if (!consumed) result.push({ first: cursor, last, value });
  }
  return result;
}

/**
 * Intersections of sorted disjoint segments with a set of ranges (any order, may overlap), for
 * reporting conflicts such as GAL vs a blocklist: each overlapping piece with the segment's
 * value and the index of the range it met, ordered by `first`, then `rangeIndex`.
 */
export function intersect<R>(
  segments: ReadonlyArray<Interval<R>>,
  ranges: ReadonlyArray<Bounds>,
): Array<Intersection<R>> {
  checkSorted(segments, 'segment');
  const result: Array<Intersection<R>> = [];
  let ordered = true;
  for (const rangeIndex of orderByFirst(ranges, 'range')) {
    const range = ranges[rangeIndex];
    let low = 0;
    let high = segments.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (segments[middle].last < range.first) low = middle + 1;
      else high = middle;
    }
    for (let index = low; index < segments.length && segments[index].first <= range.last; index += 1) {
      const segment = segments[index];
      const piece: Intersection<R> = {
        first: segment.first > range.first ? segment.first : range.first,
        last: segment.last < range.last ? segment.last : range.last,
        value: segment.value,
        rangeIndex,
      };
      const previous = result[result.length - 1];
      if (previous !== undefined && comparePieces(previous, piece) > 0) ordered = false;
      result.push(piece);
    }
  }
  // Only ranges that overlap each other put pieces out of order, which is rare enough for a
  // comparison sort.
  if (!ordered) result.sort(comparePieces);
  return result;
}

function comparePieces<R>(a: Intersection<R>, b: Intersection<R>): number {
  return compareBigint(a.first, b.first) || a.rangeIndex - b.rangeIndex;
}

/**
 * Union of several lists of sorted disjoint segments into one disjoint set whose value is the
 * array of the values present there, in list order: the combined zone, where an address on
 * RBL and DUL answers both codes. Adjacent pieces with the same values (by ===) are merged.
 */
export function combine<R, S = Interval<readonly R[]>>(
  lists: ReadonlyArray<ReadonlyArray<Interval<R>>>,
  build?: (first: bigint, last: bigint, values: readonly R[]) => S,
): S[] {
  const all: Array<Interval<R>> = [];
  for (const list of lists) for (const segment of list) all.push(segment);
  // Concatenated in list order, and each list is disjoint: input-index order is list order.
  // Lists are not checked for order, a second pass over a million bigints: a list that
  // overlaps itself gives its values twice where it does, nothing worse.
  // A million segments share a few combinations of values: one array per combination (not per
  // segment), so the arrays returned are shared, and frozen.
  const singles = new Map<R, readonly R[]>();
  const ids = new Map<R, number>();
  const combinations = new Map<string, readonly R[]>();
  const combinationOf = (covering: readonly R[]): readonly R[] => {
    if (covering.length === 1) {
      let single = singles.get(covering[0]);
      if (single === undefined) singles.set(covering[0], (single = Object.freeze([covering[0]])));
      return single;
    }
    let key = '';
    for (const value of covering) {
      let id = ids.get(value);
      if (id === undefined) ids.set(value, (id = ids.size));
      key += `${id},`;
    }
    let combination = combinations.get(key);
    if (combination === undefined) combinations.set(key, (combination = Object.freeze(covering.slice())));
    return combination;
  };
  return build ? flatten(all, combinationOf, sameValues, build) : (flatten(all, combinationOf, sameValues) as S[]);
}

function sameValues<R>(a: readonly R[], b: readonly R[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}
