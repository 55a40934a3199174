/**
 * The sweep: turns overlapping intervals into the sorted, disjoint segments that zone writers
 * need, for one address family at a time (values up to 2^128 - 1), each segment's value decided
 * from the intervals covering it.
 */
import { MAX_128, checkBounds, incrementWideKey, isNarrow, low32, radixSort, writeWideKey, type SortTable } from './radix-sort.js';
import type { Interval } from './types.js';

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
  if (isSortedAndDisjoint(intervals)) return flattenDisjoint(intervals, resolve, same, build);
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

/** Whether every interval is a valid range of bigints that starts after the one before it ends. */
function isSortedAndDisjoint<T>(intervals: readonly Interval<T>[]): boolean {
  let previousLast = -1n;
  for (const { first, last } of intervals) {
    if (typeof first !== 'bigint' || typeof last !== 'bigint' || first <= previousLast || first > last || last > MAX_128) return false;
    previousLast = last;
  }
  return true;
}

/**
 * `flatten` of intervals already sorted and disjoint (a list read from one import, in address
 * order): no events to sort, each interval is covered by itself alone; the same segments, made
 * and resolved in the same order as the sweep would.
 */
function flattenDisjoint<T, R, S>(intervals: readonly Interval<T>[], resolve: (covering: readonly T[]) => R | null, same: (a: R, b: R) => boolean, build: (first: bigint, last: bigint, value: R) => S): S[] {
  const result: S[] = [];
  const covering: T[] = [intervals[0].value];
  let runOpen = false;
  let runFirst = 0n;
  let runLast = 0n;
  let runValue = null as R;
  for (const { first, last, value: covered } of intervals) {
    covering[0] = covered;
    const value = resolve(covering);
    if (value !== null && runOpen && runLast + 1n === first && same(runValue, value)) {
      runLast = last;
      continue;
    }
    if (runOpen) result.push(build(runFirst, runLast, runValue));
    runOpen = value !== null;
    if (value !== null) {
      runFirst = first;
      runLast = last;
      runValue = value;
    }
  }
  if (runOpen) result.push(build(runFirst, runLast, runValue));
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
