/**
 * The IPv4 interval arithmetic on numbers (segments/ipv4.ts) must give exactly what the bigint
 * one (segments/sweep.ts and set-operations.ts, checked address by address in segments.test.ts)
 * gives: compared on random intervals near 0, near 2^32 - 1 and spread over the space, with nesting, identical and
 * adjacent bounds, and a resolver that leaves some segments out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flatten } from '../../../main/core/publish/segments/sweep.js';
import { intersect, subtract } from '../../../main/core/publish/segments/set-operations.js';
import type { Interval } from '../../../main/core/publish/segments/types.js';
import { flattenNumbers, intersectNumbers, mergeRanges, subtractNumbers, withNumberPoint, type NumberSegments } from '../../../main/core/publish/segments/ipv4.js';
import { mulberry32, randomInt, type Random } from '../support/random.js';

const TOP = 0xffffffff;

interface Bounds {
  readonly first: number;
  readonly last: number;
}

/** Random intervals in a window at `base` (clipped to the space), or anywhere when base is null. */
function randomIntervals(random: Random, count: number, base: number | null): Bounds[] {
  const intervals: Bounds[] = [];
  const clip = (value: number) => Math.max(0, Math.min(TOP, value));
  for (let index = 0; index < count; index += 1) {
    const existing = intervals.length > 0 ? intervals[randomInt(random, 0, intervals.length - 1)] : null;
    const kind = randomInt(random, 0, 5);
    if (base === null) {
      const first = randomInt(random, 0, TOP);
      intervals.push({ first, last: clip(first + randomInt(random, 0, 1 << randomInt(random, 0, 28))) });
    } else if (kind === 0 && existing) {
      intervals.push(existing);
    } else if (kind === 1 && existing) {
      intervals.push({ first: clip(existing.last + 1), last: clip(existing.last + 1 + randomInt(random, 0, 5)) });
    } else if (kind === 2 && existing && existing.last > existing.first) {
      const first = randomInt(random, existing.first, existing.last);
      intervals.push({ first, last: randomInt(random, first, existing.last) });
    } else {
      const first = clip(base + randomInt(random, 0, 200));
      intervals.push({ first, last: clip(first + (random() < 0.4 ? 0 : randomInt(random, 0, 60))) });
    }
  }
  return intervals;
}

function columns(intervals: readonly Bounds[]): { firsts: Uint32Array; lasts: Uint32Array } {
  return { firsts: Uint32Array.from(intervals, (interval) => interval.first), lasts: Uint32Array.from(intervals, (interval) => interval.last) };
}

function asTriples(segments: NumberSegments): Array<[number, number, number]> {
  return Array.from({ length: segments.count }, (_, index) => [segments.firsts[index], segments.lasts[index], segments.values[index]]);
}

function bigintTriples(segments: ReadonlyArray<Interval<number>>): Array<[number, number, number]> {
  return segments.map((segment) => [Number(segment.first), Number(segment.last), segment.value]);
}

/** A resolver both implementations share: the smallest index wins, odd-coded ones say "not here". */
function resolver(codes: readonly number[]): (covering: readonly number[]) => number {
  return (covering) => {
    const code = codes[Math.min(...covering)];
    return code % 5 === 4 ? -1 : code;
  };
}

const WINDOWS: ReadonlyArray<number | null> = [0, TOP - 150, 0x7f000000, null];

test('flattenNumbers gives the same segments as the bigint flatten', () => {
  for (let seed = 1; seed <= 200; seed += 1) {
    const random = mulberry32(seed);
    const base = WINDOWS[seed % WINDOWS.length];
    const intervals = randomIntervals(random, randomInt(random, 0, 40), base);
    const codes = intervals.map(() => randomInt(random, 0, 6));
    const { firsts, lasts } = columns(intervals);
    const numbers = flattenNumbers(intervals.length, firsts, lasts, resolver(codes));
    const indexed = intervals.map((interval, index): Interval<number> => ({ first: BigInt(interval.first), last: BigInt(interval.last), value: index }));
    const choose = resolver(codes);
    // The bigint flatten says "not here" with null.
    const bigints = flatten(indexed, (covering) => {
      const value = choose(covering);
      return value < 0 ? null : value;
    }, (a, b) => a === b);
    assert.deepEqual(asTriples(numbers), bigintTriples(bigints), `seed ${seed}`);
  }
});

/** Random intervals sorted and disjoint (what one import in address order gives), often adjacent, from near 0 or up to 2^32 - 1. */
function sortedDisjointIntervals(random: Random, count: number, fromTop: boolean): Bounds[] {
  const intervals: Bounds[] = [];
  let cursor = fromTop ? TOP - 40 * count : randomInt(random, 0, 3);
  for (let index = 0; index < count && cursor <= TOP; index += 1) {
    const last = Math.min(TOP, cursor + (random() < 0.6 ? 0 : randomInt(random, 0, 30)));
    intervals.push({ first: cursor, last });
    cursor = last + 1 + (random() < 0.4 ? 0 : randomInt(random, 1, 9));
  }
  if (fromTop && intervals.length > 0) intervals[intervals.length - 1] = { first: intervals[intervals.length - 1].first, last: TOP };
  return intervals;
}

test('flattenNumbers on intervals already sorted and disjoint (no sweep) gives what the sweep gives, calling the resolver in the same order', () => {
  for (let seed = 1; seed <= 200; seed += 1) {
    const random = mulberry32(5000 + seed);
    const intervals = sortedDisjointIntervals(random, randomInt(random, 1, 60), seed % 3 === 0);
    // Few codes: adjacent intervals often resolve alike and merge; some say "not here".
    const codes = intervals.map(() => randomInt(random, 0, 4));
    const { firsts, lasts } = columns(intervals);
    const calls: number[] = [];
    const choose = resolver(codes);
    const numbers = flattenNumbers(intervals.length, firsts, lasts, (covering) => {
      calls.push(...covering);
      return choose(covering);
    });
    // The same intervals in reverse order take the sweep; its indices map back to these.
    const reversed = [...intervals].reverse();
    const backwards = columns(reversed);
    const sweepCalls: number[] = [];
    const swept = flattenNumbers(reversed.length, backwards.firsts, backwards.lasts, (covering) => {
      const original = covering.map((index) => intervals.length - 1 - index);
      sweepCalls.push(...original);
      return choose(original);
    });
    assert.deepEqual(asTriples(numbers), asTriples(swept), `seed ${seed}`);
    assert.deepEqual(calls, sweepCalls, `seed ${seed}: the resolver asked about the same intervals in the same order`);
    assert.deepEqual(calls, intervals.map((_, index) => index));
  }
});

test('flattenNumbers: an interval up to 2^32 - 1 stays open to the end, and a reversed one is refused', () => {
  const segments = flattenNumbers(2, Uint32Array.of(TOP - 3, TOP), Uint32Array.of(TOP, TOP), (covering) => covering.length);
  assert.deepEqual(asTriples(segments), [[TOP - 3, TOP - 1, 1], [TOP, TOP, 2]]);
  assert.throws(() => flattenNumbers(1, Uint32Array.of(5), Uint32Array.of(4), () => 0), /interval 0: 5 is after 4/);
  assert.equal(flattenNumbers(0, new Uint32Array(0), new Uint32Array(0), () => 0).count, 0);
});

/** Sorted disjoint segments with values, from a flatten of random intervals. */
function randomSegments(random: Random, base: number | null): { numbers: NumberSegments; bigints: Array<Interval<number>> } {
  const intervals = randomIntervals(random, randomInt(random, 0, 30), base);
  const { firsts, lasts } = columns(intervals);
  const numbers = flattenNumbers(intervals.length, firsts, lasts, (covering) => covering[0] % 3);
  const bigints = asTriples(numbers).map(([first, last, value]) => ({ first: BigInt(first), last: BigInt(last), value }));
  return { numbers, bigints };
}

test('subtractNumbers and intersectNumbers agree with subtract and intersect', () => {
  for (let seed = 1; seed <= 200; seed += 1) {
    const random = mulberry32(1000 + seed);
    const base = WINDOWS[seed % WINDOWS.length];
    const { numbers, bigints } = randomSegments(random, base);
    const holes = randomIntervals(random, randomInt(random, 0, 12), base);
    const { firsts, lasts } = columns(holes);
    const bigintHoles = holes.map((hole) => ({ first: BigInt(hole.first), last: BigInt(hole.last) }));
    assert.deepEqual(asTriples(subtractNumbers(numbers, holes.length, firsts, lasts)), bigintTriples(subtract(bigints, bigintHoles)), `seed ${seed}: subtract`);

    const expected = intersect(bigints, bigintHoles).map((piece) => ({ first: Number(piece.first), last: Number(piece.last), value: piece.value, rangeIndex: piece.rangeIndex }));
    const keep = randomInt(random, 1, 8);
    const found = intersectNumbers(numbers, holes.length, firsts, lasts, keep);
    assert.equal(found.count, expected.length, `seed ${seed}: intersection count`);
    assert.deepEqual(found.pieces, expected.slice(0, keep), `seed ${seed}: the first ${keep} pieces`);
  }
});

test('intersectNumbers keeps the first pieces in order while counting many more', () => {
  // 1,000 single addresses under one wide range and a few overlapping ones: far more pieces than kept.
  const count = 1000;
  const singles = flattenNumbers(count, Uint32Array.from({ length: count }, (_, index) => 2000 - 2 * index), Uint32Array.from({ length: count }, (_, index) => 2000 - 2 * index), () => 1);
  const ranges = columns([{ first: 0, last: 5000 }, { first: 10, last: 20 }, { first: 1500, last: 1600 }]);
  const found = intersectNumbers(singles, 3, ranges.firsts, ranges.lasts, 5);
  assert.equal(found.count, count + 6 + 51);
  assert.deepEqual(found.pieces.map((piece) => [piece.first, piece.rangeIndex]), [[2, 0], [4, 0], [6, 0], [8, 0], [10, 0]]);
});

test('mergeRanges joins overlapping and adjacent ranges in any order', () => {
  const merged = mergeRanges(5, Uint32Array.of(50, 10, 21, 0, TOP), Uint32Array.of(60, 20, 30, 0, TOP));
  assert.deepEqual([...merged.firsts.subarray(0, merged.count)], [0, 10, 50, TOP]);
  assert.deepEqual([...merged.lasts.subarray(0, merged.count)], [0, 30, 60, TOP]);
});

test('withNumberPoint inserts a point where nothing covers it, and leaves covered points alone', () => {
  const segments: NumberSegments = { count: 2, firsts: Uint32Array.of(10, 30), lasts: Uint32Array.of(20, 40), values: Uint32Array.of(1, 2) };
  assert.deepEqual(asTriples(withNumberPoint(segments, 25, 9)), [[10, 20, 1], [25, 25, 9], [30, 40, 2]]);
  assert.deepEqual(asTriples(withNumberPoint(segments, 5, 9)), [[5, 5, 9], [10, 20, 1], [30, 40, 2]]);
  assert.deepEqual(asTriples(withNumberPoint(segments, TOP, 9)), [[10, 20, 1], [30, 40, 2], [TOP, TOP, 9]]);
  assert.equal(withNumberPoint(segments, 15, 9), segments);
  assert.equal(withNumberPoint(segments, 40, 9), segments);
});
