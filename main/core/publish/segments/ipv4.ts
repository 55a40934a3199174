/**
 * IPv4 interval arithmetic on plain numbers and typed arrays: the same operations as
 * sweep.ts and set-operations.ts (flatten, subtract, intersect, insert a point), for the family that holds
 * millions of listings. An address is a number 0..2^32-1; an interval i is firsts[i]..lasts[i]
 * (inclusive) with a number as its value. Nothing here makes an object per interval, so a
 * million listings cost a few typed arrays instead of a few hundred MB of heap.
 */
import { radixSort } from './radix-sort.js';
import { activePosition } from './sweep.js';

const TOP = 0xffffffff;

/** Sorted, disjoint segments with a value each; only the first `count` entries are segments. */
export interface NumberSegments {
  readonly count: number;
  readonly firsts: Uint32Array;
  readonly lasts: Uint32Array;
  readonly values: Uint32Array;
}

/** Builds `NumberSegments` one segment at a time, in address order. */
export class NumberSegmentsBuilder {
  count = 0;
  private firsts: Uint32Array;
  private lasts: Uint32Array;
  private values: Uint32Array;

  constructor(capacity = 1024) {
    const size = Math.max(16, capacity);
    this.firsts = new Uint32Array(size);
    this.lasts = new Uint32Array(size);
    this.values = new Uint32Array(size);
  }

  /** Append a segment after the last one. */
  push(first: number, last: number, value: number): void {
    if (this.count === this.firsts.length) this.grow();
    const at = this.count;
    this.firsts[at] = first;
    this.lasts[at] = last;
    this.values[at] = value;
    this.count = at + 1;
  }

  /** Append, extending the last segment instead when it ends just before `first` with the same value. */
  append(first: number, last: number, value: number): void {
    const top = this.count - 1;
    if (top >= 0 && this.values[top] === value && this.lasts[top] + 1 === first) {
      this.lasts[top] = last;
      return;
    }
    this.push(first, last, value);
  }

  /** The segments, in arrays of exactly their size (the builder's spare room is let go). */
  finish(): NumberSegments {
    const { count } = this;
    return { count, firsts: this.firsts.slice(0, count), lasts: this.lasts.slice(0, count), values: this.values.slice(0, count) };
  }

  private grow(): void {
    const size = this.firsts.length * 2;
    const grown = (array: Uint32Array): Uint32Array => {
      const next = new Uint32Array(size);
      next.set(array);
      return next;
    };
    this.firsts = grown(this.firsts);
    this.lasts = grown(this.lasts);
    this.values = grown(this.values);
  }
}

/**
 * Sweep intervals (firsts[i]..lasts[i], i < count, any order, may overlap) into sorted disjoint
 * segments. Each elementary segment's value is `resolve(covering)`, where `covering` holds the
 * indices of the intervals covering it in ascending order (a view the sweep goes on changing:
 * copy it to keep it); a negative result leaves the segment out. Adjacent segments with the
 * same value are merged.
 *
 * The intervals' bounds are radix-sorted as events (an end at last + 1 sorts before a start at
 * the same address); the cost is O(n) plus O(depth) per event for the covering list.
 */
export function flattenNumbers(
  count: number,
  firsts: Uint32Array,
  lasts: Uint32Array,
  resolve: (covering: readonly number[]) => number,
): NumberSegments {
  const output = new NumberSegmentsBuilder(count + 16);
  if (count === 0) return output.finish();
  if (isSortedAndDisjoint(count, firsts, lasts)) return flattenDisjoint(output, count, firsts, lasts, resolve);
  const keys = new Uint32Array(2 * count);
  const slots = new Uint32Array(2 * count);
  // Ends first (slot i: the end of interval i), then starts (slot count + i): after the stable
  // sort an end precedes a start at the same key. An end past the last address is left out.
  let ends = 0;
  for (let index = 0; index < count; index += 1) {
    const first = firsts[index];
    const last = lasts[index];
    if (first > last) throw new RangeError(`interval ${index}: ${first} is after ${last}`);
    if (last === TOP) continue;
    keys[ends] = last + 1;
    slots[ends] = index;
    ends += 1;
  }
  for (let index = 0; index < count; index += 1) {
    keys[ends + index] = firsts[index];
    slots[ends + index] = count + index;
  }
  const events = ends + count;
  const sorted = radixSort({ words: 1, keys: keys.subarray(0, events), slots: slots.subarray(0, events) });
  const sortedKeys = sorted.keys;
  const sortedSlots = sorted.slots;

  const active: number[] = [];
  let segmentStart = 0;
  let value = -1;
  let position = 0;
  while (position < events) {
    const key = sortedKeys[position];
    if (value >= 0) output.append(segmentStart, key - 1, value);
    do {
      const slot = sortedSlots[position];
      if (slot < count) removeActive(active, slot);
      else insertActive(active, slot - count);
      position += 1;
    } while (position < events && sortedKeys[position] === key);
    segmentStart = key;
    value = active.length > 0 ? resolve(active) : -1;
  }
  // What is still open runs to the last address (its ends were left out).
  if (value >= 0) output.append(segmentStart, TOP, value);
  return output.finish();
}

/** Whether each interval starts after the one before it ends (and none is reversed): each is then an elementary segment of its own. */
function isSortedAndDisjoint(count: number, firsts: Uint32Array, lasts: Uint32Array): boolean {
  if (firsts[0] > lasts[0]) return false;
  for (let index = 1; index < count; index += 1) if (firsts[index] <= lasts[index - 1] || firsts[index] > lasts[index]) return false;
  return true;
}

/**
 * `flattenNumbers` of intervals already sorted and disjoint (a list read from one import, in
 * address order): no events to sort, each interval is covered by itself alone; the same
 * segments, the same calls of `resolve` in the same order as the sweep would make.
 */
function flattenDisjoint(output: NumberSegmentsBuilder, count: number, firsts: Uint32Array, lasts: Uint32Array, resolve: (covering: readonly number[]) => number): NumberSegments {
  const covering = [0];
  for (let index = 0; index < count; index += 1) {
    covering[0] = index;
    const value = resolve(covering);
    if (value >= 0) output.append(firsts[index], lasts[index], value);
  }
  return output.finish();
}

function insertActive(active: number[], index: number): void {
  const length = active.length;
  if (length === 0 || active[length - 1] < index) {
    active.push(index);
    return;
  }
  active.splice(activePosition(active, index), 0, index);
}

function removeActive(active: number[], index: number): void {
  const last = active.length - 1;
  if (active[last] === index) active.pop();
  else active.splice(activePosition(active, index), 1);
}

/** Indices 0..count-1 ordered by firsts[i] (ties by index). */
function orderByFirst(count: number, firsts: Uint32Array): Uint32Array {
  const slots = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) slots[index] = index;
  return radixSort({ words: 1, keys: firsts.slice(0, count), slots }).slots;
}

/** Sorted, disjoint union of ranges (any order, may overlap), adjacent ones joined. */
export function mergeRanges(count: number, firsts: Uint32Array, lasts: Uint32Array): { count: number; firsts: Uint32Array; lasts: Uint32Array } {
  const mergedFirsts = new Uint32Array(count);
  const mergedLasts = new Uint32Array(count);
  let merged = 0;
  for (const index of orderByFirst(count, firsts)) {
    const first = firsts[index];
    const last = lasts[index];
    const top = merged - 1;
    if (top >= 0 && first <= mergedLasts[top] + 1) {
      if (last > mergedLasts[top]) mergedLasts[top] = last;
    } else {
      mergedFirsts[merged] = first;
      mergedLasts[merged] = last;
      merged += 1;
    }
  }
  return { count: merged, firsts: mergedFirsts, lasts: mergedLasts };
}

/** The segments minus the holes (ranges in any order, may overlap), splitting segments as needed. */
export function subtractNumbers(segments: NumberSegments, holeCount: number, holeFirsts: Uint32Array, holeLasts: Uint32Array): NumberSegments {
  if (holeCount === 0) return segments;
  const holes = mergeRanges(holeCount, holeFirsts, holeLasts);
  const output = new NumberSegmentsBuilder(segments.count + holes.count + 16);
  let hole = 0;
  for (let index = 0; index < segments.count; index += 1) {
    const last = segments.lasts[index];
    const value = segments.values[index];
    let cursor = segments.firsts[index];
    while (hole < holes.count && holes.lasts[hole] < cursor) hole += 1;
    let consumed = false;
    while (hole < holes.count && holes.firsts[hole] <= last) {
      if (holes.firsts[hole] > cursor) output.push(cursor, holes.firsts[hole] - 1, value);
      // A hole that reaches past this segment may cut the next one too: keep it.
      if (holes.lasts[hole] >= last) {
        consumed = true;
        break;
      }
      cursor = holes.lasts[hole] + 1;
      hole += 1;
    }
    if (!consumed) output.push(cursor, last, value);
  }
  return output.finish();
}

/** A piece of a segment inside one of the ranges given to `intersectNumbers`. */
export interface NumberIntersection {
  readonly first: number;
  readonly last: number;
  readonly value: number;
  readonly rangeIndex: number;
}

/**
 * Where the segments meet the ranges (any order, may overlap): how many pieces, and the first
 * `keep` of them ordered by `first`, then range index. For reporting conflicts such as GAL vs a
 * blocklist, where the count can be large and only a few are shown.
 */
export function intersectNumbers(
  segments: NumberSegments,
  rangeCount: number,
  rangeFirsts: Uint32Array,
  rangeLasts: Uint32Array,
  keep: number,
): { count: number; pieces: NumberIntersection[] } {
  let count = 0;
  const pieces: NumberIntersection[] = [];
  // Once more than enough pieces are kept, the last one worth keeping: later pieces past it are counted only.
  let threshold: NumberIntersection | null = null;
  const compare = (a: NumberIntersection, b: NumberIntersection): number => a.first - b.first || a.rangeIndex - b.rangeIndex;
  for (const rangeIndex of orderByFirst(rangeCount, rangeFirsts)) {
    const rangeFirst = rangeFirsts[rangeIndex];
    const rangeLast = rangeLasts[rangeIndex];
    let low = 0;
    let high = segments.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (segments.lasts[middle] < rangeFirst) low = middle + 1;
      else high = middle;
    }
    for (let index = low; index < segments.count && segments.firsts[index] <= rangeLast; index += 1) {
      count += 1;
      const piece = { first: Math.max(segments.firsts[index], rangeFirst), last: Math.min(segments.lasts[index], rangeLast), value: segments.values[index], rangeIndex };
      if (threshold !== null && compare(piece, threshold) > 0) continue;
      pieces.push(piece);
      if (pieces.length > 2 * keep + 64) {
        pieces.sort(compare);
        pieces.length = keep;
        threshold = pieces[keep - 1] ?? null;
      }
    }
  }
  return { count, pieces: pieces.sort(compare).slice(0, keep) };
}

/** The segments with `value` at the single address `point`, unless a segment covers it already. */
export function withNumberPoint(segments: NumberSegments, point: number, value: number): NumberSegments {
  let at = 0;
  let high = segments.count;
  while (at < high) {
    const middle = (at + high) >>> 1;
    if (segments.firsts[middle] > point) high = middle;
    else at = middle + 1;
  }
  if (at > 0 && segments.lasts[at - 1] >= point) return segments;
  const count = segments.count + 1;
  const insert = (array: Uint32Array, item: number): Uint32Array => {
    const next = new Uint32Array(count);
    next.set(array.subarray(0, at));
    next[at] = item;
    next.set(array.subarray(at, segments.count), at + 1);
    return next;
  };
  return { count, firsts: insert(segments.firsts, point), lasts: insert(segments.lasts, point), values: insert(segments.values, value) };
}
