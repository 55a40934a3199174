/**
 * Operations on sorted, disjoint segments: subtracting holes (GAL, exclusions), intersecting
 * with ranges (reporting conflicts), and combining several lists into one (the combined zone).
 */
import { compareBigint } from '../../../../shared/address.js';
import { MAX_128, checkBounds, orderByFirst } from './radix-sort.js';
import { flatten } from './sweep.js';
import type { Bounds, Interval, Intersection } from './types.js';

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
