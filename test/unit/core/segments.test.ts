import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flatten } from '../../../main/core/publish/segments/sweep.js';
import { combine, intersect, subtract } from '../../../main/core/publish/segments/set-operations.js';
import type { Bounds, Interval } from '../../../main/core/publish/segments/types.js';
import { maxAddress } from '../../../shared/address.js';

const MAX_V4 = maxAddress(4);
const MAX_V6 = maxAddress(6);
const CASES = 120;

type Random = () => number;

function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInt(random: Random, limit: number): number {
  return Math.floor(random() * limit);
}

function randomBigint(random: Random, max: bigint): bigint {
  let value = 0n;
  for (let word = 0; word < 4; word += 1) value = (value << 32n) | BigInt(randomInt(random, 4294967296));
  return value % (max + 1n);
}

/** A small stretch of addresses, checked address by address: base .. base + 300. */
interface Universe {
  readonly name: string;
  readonly base: bigint;
}

const SPAN = 300n;
const UNIVERSES: readonly Universe[] = [
  { name: 'IPv4 from 0', base: 0n },
  { name: 'IPv4 up to 2^32-1', base: MAX_V4 - SPAN },
  { name: 'values across 2^32', base: (1n << 32n) - 150n },
  { name: 'IPv6 across 2^64', base: (1n << 64n) - 150n },
  { name: 'IPv6 up to 2^128-1', base: MAX_V6 - SPAN },
];

interface Listing {
  readonly index: number;
  readonly code: number;
}

/** Random bounds in the universe: singles, short and long ranges, nested, identical and adjacent ones, edges. */
function randomBounds(random: Random, universe: Universe, count: number): Bounds[] {
  const bounds: Bounds[] = [];
  const at = (offset: number): bigint => universe.base + BigInt(Math.max(0, Math.min(Number(SPAN), offset)));
  for (let index = 0; index < count; index += 1) {
    const kind = randomInt(random, 9);
    const existing = bounds.length > 0 ? bounds[randomInt(random, bounds.length)] : null;
    const start = randomInt(random, Number(SPAN) + 1);
    if (kind === 0 || existing === null) {
      bounds.push({ first: at(start), last: at(start) });
    } else if (kind === 1) {
      bounds.push({ first: at(start), last: at(start + randomInt(random, 10)) });
    } else if (kind === 2) {
      bounds.push({ first: at(start), last: at(start + randomInt(random, 300)) });
    } else if (kind === 3) {
      const first = existing.first + BigInt(randomInt(random, Number(existing.last - existing.first) + 1));
      bounds.push({ first, last: first + BigInt(randomInt(random, Number(existing.last - first) + 1)) });
    } else if (kind === 4) {
      bounds.push({ first: existing.first, last: existing.last });
    } else if (kind === 5 && existing.last < universe.base + SPAN) {
      const offset = Number(existing.last - universe.base) + 1;
      bounds.push({ first: at(offset), last: at(offset + randomInt(random, 20)) });
    } else if (kind === 6) {
      bounds.push({ first: at(0), last: at(randomInt(random, 40)) });
    } else if (kind === 7) {
      bounds.push({ first: at(Number(SPAN) - randomInt(random, 40)), last: at(Number(SPAN)) });
    } else {
      bounds.push({ first: at(start), last: at(start) });
    }
  }
  // Nested pieces are drawn after their parent: shuffle so that index order is not address order.
  for (let index = bounds.length - 1; index > 0; index -= 1) {
    const other = randomInt(random, index + 1);
    [bounds[index], bounds[other]] = [bounds[other], bounds[index]];
  }
  return bounds;
}

function randomListings(random: Random, universe: Universe, count: number): Array<Interval<Listing>> {
  return randomBounds(random, universe, count).map((bounds, index) => ({ ...bounds, value: { index, code: randomInt(random, 4) } }));
}

/** Sorted disjoint segments with random gaps; adjacent ones may share a value (not merged). */
function randomSegments<V>(random: Random, universe: Universe, pick: () => V): Array<Interval<V>> {
  const segments: Array<Interval<V>> = [];
  let offset = randomInt(random, 10);
  while (offset <= Number(SPAN)) {
    const length = randomInt(random, 3) === 0 ? randomInt(random, 60) : randomInt(random, 6);
    const last = Math.min(Number(SPAN), offset + length);
    segments.push({ first: universe.base + BigInt(offset), last: universe.base + BigInt(last), value: pick() });
    offset = last + 1 + (randomInt(random, 3) === 0 ? 0 : randomInt(random, 8));
  }
  return segments;
}

function addresses(universe: Universe): bigint[] {
  const all: bigint[] = [];
  for (let offset = 0n; offset <= SPAN; offset += 1n) all.push(universe.base + offset);
  return all;
}

function contains(bounds: Bounds, address: bigint): boolean {
  return bounds.first <= address && address <= bounds.last;
}

/** The segment containing `address`, by binary search over sorted disjoint segments. */
function segmentAt<V>(segments: ReadonlyArray<Interval<V>>, address: bigint): Interval<V> | undefined {
  let low = 0;
  let high = segments.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (segments[middle].last < address) low = middle + 1;
    else high = middle;
  }
  return low < segments.length && segments[low].first <= address ? segments[low] : undefined;
}

function assertSortedDisjoint<V>(segments: ReadonlyArray<Bounds & { value?: V }>, lowest: bigint, highest: bigint): void {
  segments.forEach((segment, index) => {
    assert.equal(typeof segment.first, 'bigint');
    assert.ok(segment.first <= segment.last, `segment ${index} is inverted`);
    assert.ok(segment.first >= lowest && segment.last <= highest, `segment ${index} is outside the input's span`);
    if (index > 0) assert.ok(segments[index - 1].last < segment.first, `segment ${index} overlaps or precedes the one before`);
  });
}

function assertMaximal<V>(segments: ReadonlyArray<Interval<V>>, same: (a: V, b: V) => boolean): void {
  for (let index = 1; index < segments.length; index += 1) {
    const previous = segments[index - 1];
    const current = segments[index];
    if (previous.last + 1n === current.first) {
      assert.ok(!same(previous.value, current.value), `segments ${index - 1} and ${index} touch and have equal values`);
    }
  }
}

function covering<T>(intervals: ReadonlyArray<Interval<T>>, address: bigint): T[] {
  return intervals.filter((interval) => contains(interval, address)).map((interval) => interval.value);
}

interface Resolver<R> {
  readonly name: string;
  readonly resolve: (values: readonly Listing[]) => R | null;
  readonly same: (a: R, b: R) => boolean;
}

const RESOLVERS: ReadonlyArray<Resolver<string | number>> = [
  // Distinct for every covering set, and shows the order `resolve` saw the values in.
  { name: 'input indices', resolve: (values) => values.map((value) => value.index).join(','), same: (a, b) => a === b },
  // Merges a lot, and is null wherever a code-0 listing covers.
  { name: 'highest code, null under code 0', resolve: (values) => (values.some((value) => value.code === 0) ? null : Math.max(...values.map((value) => value.code))), same: (a, b) => a === b },
  { name: 'code of the first listing', resolve: (values) => values[0].code, same: (a, b) => a === b },
];

function checkFlatten<R>(intervals: ReadonlyArray<Interval<Listing>>, probes: readonly bigint[], resolver: Resolver<R>, lowest: bigint, highest: bigint): void {
  const result = flatten(intervals, (values) => {
    assert.ok(values.length > 0, 'resolve was called for an uncovered segment');
    return resolver.resolve(values);
  }, resolver.same);
  assertSortedDisjoint(result, lowest, highest);
  assertMaximal(result, resolver.same);
  for (const segment of result) assert.notEqual(segment.value, null);
  for (const address of probes) {
    const values = covering(intervals, address);
    const expected = values.length === 0 ? null : resolver.resolve(values);
    const actual = segmentAt(result, address)?.value ?? null;
    assert.deepEqual(actual, expected, `${resolver.name} at ${address}`);
  }
}

/** Number of maximal runs of addresses with the same non-empty covering set: the elementary segments. */
function elementarySegments(intervals: ReadonlyArray<Interval<Listing>>, universe: Universe): number {
  let runs = 0;
  let previous = '';
  for (const address of addresses(universe)) {
    const key = covering(intervals, address).map((value) => value.index).join(',');
    if (key !== '' && key !== previous) runs += 1;
    previous = key;
  }
  return runs;
}

/** Sorted, disjoint intervals in the universe (what one import in address order gives), often adjacent, the last one up to its end. */
function sortedDisjointListings(random: Random, universe: Universe, count: number): Array<Interval<Listing>> {
  const intervals: Array<Interval<Listing>> = [];
  let cursor = universe.base + BigInt(randomInt(random, 3));
  for (let index = 0; index < count && cursor <= universe.base + SPAN; index += 1) {
    let last = cursor + BigInt(random() < 0.6 ? 0 : randomInt(random, 12));
    if (last > universe.base + SPAN) last = universe.base + SPAN;
    intervals.push({ first: cursor, last, value: { index, code: randomInt(random, 3) } });
    cursor = last + 1n + BigInt(random() < 0.4 ? 0 : 1 + randomInt(random, 6));
  }
  return intervals;
}

for (const universe of UNIVERSES) {
  test(`flatten of intervals already sorted and disjoint (no sweep) = the sweep's result, resolved in the same order: ${universe.name}`, () => {
    const random = mulberry32(0x50f7 + Number(universe.base % 100000n));
    for (let round = 0; round < CASES; round += 1) {
      const intervals = sortedDisjointListings(random, universe, 1 + randomInt(random, 40));
      // The same intervals in reverse order take the sweep (they are not sorted).
      const reversed = [...intervals].reverse();
      for (const resolver of RESOLVERS) {
        const run = (input: ReadonlyArray<Interval<Listing>>) => {
          const seen: number[] = [];
          const result = flatten(input, (values) => {
            seen.push(...values.map((value) => value.index));
            return resolver.resolve(values);
          }, resolver.same);
          return { result, seen };
        };
        const direct = run(intervals);
        const swept = run(reversed);
        assert.deepEqual(direct.result, swept.result, `${resolver.name}, round ${round}`);
        assert.deepEqual(direct.seen, swept.seen, `${resolver.name}, round ${round}: the same intervals resolved in the same order`);
      }
    }
  });
}

for (const universe of UNIVERSES) {
  test(`flatten matches a brute-force oracle: ${universe.name}`, () => {
    const random = mulberry32(0x5e9 + Number(universe.base % 100000n));
    const probes = addresses(universe);
    for (let round = 0; round < CASES; round += 1) {
      const intervals = randomListings(random, universe, 1 + randomInt(random, 30));
      for (const resolver of RESOLVERS) checkFlatten(intervals, probes, resolver, universe.base, universe.base + SPAN);
      let calls = 0;
      flatten(intervals, () => {
        calls += 1;
        return calls;
      }, () => false);
      assert.equal(calls, elementarySegments(intervals, universe), 'resolve is called once per elementary segment');
    }
  });

  test(`subtract matches a brute-force oracle: ${universe.name}`, () => {
    const random = mulberry32(0xd1ff + Number(universe.base % 100000n));
    for (let round = 0; round < CASES; round += 1) {
      const segments = round % 2 === 0
        ? randomSegments(random, universe, () => randomInt(random, 3))
        : flatten(randomListings(random, universe, 20), (values) => values[0].code, (a, b) => a === b);
      const holes = randomBounds(random, universe, randomInt(random, 8));
      const result = subtract(segments, holes);
      assertSortedDisjoint(result, universe.base, universe.base + SPAN);
      for (const address of addresses(universe)) {
        const source = segmentAt(segments, address);
        const expected = source !== undefined && !holes.some((hole) => contains(hole, address)) ? source.value : undefined;
        assert.equal(segmentAt(result, address)?.value, expected, `at ${address}`);
      }
      // Each piece lies in one input segment, and pieces are only split where a hole or a segment edge is.
      const sources = result.map((piece) => {
        const source = segmentAt(segments, piece.first);
        assert.ok(source !== undefined && piece.last <= source.last, 'a piece spans more than one input segment');
        return source;
      });
      for (let index = 1; index < result.length; index += 1) {
        if (result[index - 1].last + 1n === result[index].first) assert.notEqual(sources[index - 1], sources[index], 'a segment was split without a hole');
      }
    }
  });

  test(`intersect matches a brute-force oracle: ${universe.name}`, () => {
    const random = mulberry32(0x1475 + Number(universe.base % 100000n));
    for (let round = 0; round < CASES; round += 1) {
      const segments = randomSegments(random, universe, () => randomInt(random, 5));
      const ranges = randomBounds(random, universe, randomInt(random, 8));
      const expected: Array<Interval<number> & { rangeIndex: number }> = [];
      for (const segment of segments) {
        ranges.forEach((range, rangeIndex) => {
          if (segment.first <= range.last && range.first <= segment.last) {
            expected.push({
              first: segment.first > range.first ? segment.first : range.first,
              last: segment.last < range.last ? segment.last : range.last,
              value: segment.value,
              rangeIndex,
            });
          }
        });
      }
      expected.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.rangeIndex - b.rangeIndex));
      assert.deepEqual(intersect(segments, ranges), expected);
    }
  });

  test(`combine matches a brute-force oracle: ${universe.name}`, () => {
    const random = mulberry32(0xc0b1 + Number(universe.base % 100000n));
    const codes = ['127.0.0.2', '127.0.0.10', '127.0.0.11'];
    for (let round = 0; round < CASES; round += 1) {
      const lists = Array.from({ length: randomInt(random, 6) }, () =>
        randomInt(random, 5) === 0 ? [] : randomSegments(random, universe, () => codes[randomInt(random, codes.length)]));
      const result = combine(lists);
      assertSortedDisjoint(result, universe.base, universe.base + SPAN);
      assertMaximal(result, (a, b) => a.length === b.length && a.every((value, index) => value === b[index]));
      // One frozen array per combination of values: segments answering alike share it.
      const byContent = new Map<string, readonly string[]>();
      for (const segment of result) {
        assert.ok(Object.isFrozen(segment.value), 'a value array can be changed');
        const key = segment.value.join(',');
        assert.equal(byContent.get(key) ?? segment.value, segment.value, `two arrays for [${key}]`);
        byContent.set(key, segment.value);
      }
      for (const address of addresses(universe)) {
        const expected = lists.flatMap((list) => list.filter((segment) => contains(segment, address)).map((segment) => segment.value));
        assert.deepEqual(segmentAt(result, address)?.value ?? [], expected, `at ${address}`);
      }
    }
  });
}

/** Intervals whose ends sit near a few anchors spread over the whole family, so that every radix digit matters. */
function spreadListings(random: Random, max: bigint, count: number): Array<Interval<Listing>> {
  const anchors = Array.from({ length: 12 }, () => randomBigint(random, max));
  anchors.push(0n, max);
  const near = (): bigint => {
    const value = anchors[randomInt(random, anchors.length)] + BigInt(randomInt(random, 7) - 3);
    return value < 0n ? 0n : value > max ? max : value;
  };
  return Array.from({ length: count }, (_, index) => {
    const a = near();
    const b = randomInt(random, 3) === 0 ? a : near();
    return { first: a < b ? a : b, last: a < b ? b : a, value: { index, code: randomInt(random, 4) } };
  });
}

for (const [family, max] of [['IPv4', MAX_V4], ['IPv6', MAX_V6]] as const) {
  test(`flatten over values spread across the whole ${family} space`, () => {
    const random = mulberry32(family === 'IPv4' ? 4 : 6);
    for (let round = 0; round < CASES; round += 1) {
      const intervals = spreadListings(random, max, 1 + randomInt(random, 60));
      const probes = new Set<bigint>([0n, max]);
      for (const { first, last } of intervals) {
        for (const probe of [first - 1n, first, first + 1n, last - 1n, last, last + 1n]) if (probe >= 0n && probe <= max) probes.add(probe);
      }
      for (const resolver of RESOLVERS) checkFlatten(intervals, [...probes], resolver, 0n, max);
    }
  });
}

test('empty inputs give empty outputs', () => {
  const segments = [{ first: 5n, last: 9n, value: 'a' }];
  assert.deepEqual(flatten([], () => 1, () => true), []);
  assert.deepEqual(subtract([], [{ first: 0n, last: 10n }]), []);
  assert.deepEqual(subtract(segments, []), segments);
  assert.deepEqual(intersect([], [{ first: 0n, last: 10n }]), []);
  assert.deepEqual(intersect(segments, []), []);
  assert.deepEqual(combine([]), []);
  assert.deepEqual(combine([[], []]), []);
});

test('a single interval becomes a single segment, whole address spaces included', () => {
  for (const [first, last] of [[7n, 7n], [0n, 0n], [MAX_V4, MAX_V4], [0n, MAX_V4], [0n, MAX_V6], [MAX_V6, MAX_V6], [1n << 64n, MAX_V6]]) {
    assert.deepEqual(flatten([{ first, last, value: 'x' }], (values) => values.join('+'), (a, b) => a === b), [{ first, last, value: 'x' }]);
  }
});

test('identical intervals resolve together, in input order', () => {
  const intervals = [{ first: 5n, last: 9n, value: 'b' }, { first: 5n, last: 9n, value: 'a' }, { first: 5n, last: 9n, value: 'c' }];
  assert.deepEqual(flatten(intervals, (values) => values.join(','), (a, b) => a === b), [{ first: 5n, last: 9n, value: 'b,a,c' }]);
});

test('covering values come in input order, not address order', () => {
  const intervals = [{ first: 20n, last: 30n, value: 'late' }, { first: 0n, last: 25n, value: 'early' }, { first: 22n, last: 22n, value: 'single' }];
  assert.deepEqual(flatten(intervals, (values) => values.join(','), (a, b) => a === b), [
    { first: 0n, last: 19n, value: 'early' },
    { first: 20n, last: 21n, value: 'late,early' },
    { first: 22n, last: 22n, value: 'late,early,single' },
    { first: 23n, last: 25n, value: 'late,early' },
    { first: 26n, last: 30n, value: 'late' },
  ]);
});

test('null results are holes, and equal results merge across interval edges but not across holes', () => {
  const intervals = [
    { first: 0n, last: 9n, value: 1 },
    { first: 10n, last: 19n, value: 1 },
    { first: 15n, last: 15n, value: 0 },
    { first: 30n, last: 39n, value: 1 },
  ];
  assert.deepEqual(flatten(intervals, (values) => (values.includes(0) ? null : 'listed'), (a, b) => a === b), [
    { first: 0n, last: 14n, value: 'listed' },
    { first: 16n, last: 19n, value: 'listed' },
    { first: 30n, last: 39n, value: 'listed' },
  ]);
  assert.deepEqual(flatten(intervals, () => null, () => true), []);
});

test('a family mixing narrow and wide values is handled exactly', () => {
  const intervals = [
    { first: 0n, last: MAX_V4, value: 'low' },
    { first: MAX_V4, last: MAX_V4 + 1n, value: 'edge' },
    { first: (1n << 64n) - 1n, last: 1n << 64n, value: 'mid' },
  ];
  assert.deepEqual(flatten(intervals, (values) => values.join(','), (a, b) => a === b), [
    { first: 0n, last: MAX_V4 - 1n, value: 'low' },
    { first: MAX_V4, last: MAX_V4, value: 'low,edge' },
    { first: MAX_V4 + 1n, last: MAX_V4 + 1n, value: 'edge' },
    { first: (1n << 64n) - 1n, last: 1n << 64n, value: 'mid' },
  ]);
});

test('10,000 nested ranges stay correct', () => {
  const depth = 10_000;
  for (const base of [0n, MAX_V6 - 2n * BigInt(depth) + 1n]) {
    const random = mulberry32(10_000);
    const intervals = Array.from({ length: depth }, (_, level) => ({
      first: base + BigInt(level),
      last: base + BigInt(2 * depth - 1 - level),
      value: level,
    }));
    for (let index = intervals.length - 1; index > 0; index -= 1) {
      const other = randomInt(random, index + 1);
      [intervals[index], intervals[other]] = [intervals[other], intervals[index]];
    }
    const result = flatten(intervals, (values) => values.length, (a, b) => a === b);
    assert.equal(result.length, 2 * depth - 1);
    assert.deepEqual(result[0], { first: base, last: base, value: 1 });
    assert.deepEqual(result[depth - 1], { first: base + BigInt(depth - 1), last: base + BigInt(depth), value: depth });
    assert.deepEqual(result[2 * depth - 2], { first: base + BigInt(2 * depth - 1), last: base + BigInt(2 * depth - 1), value: 1 });
    for (let index = 1; index < result.length; index += 1) assert.equal(result[index].first, result[index - 1].last + 1n);
  }
});

test('subtract cuts at both ends of the address space and across segments', () => {
  assert.deepEqual(subtract([{ first: 0n, last: MAX_V4, value: 'a' }], [{ first: MAX_V4, last: MAX_V4 }, { first: 0n, last: 0n }]), [
    { first: 1n, last: MAX_V4 - 1n, value: 'a' },
  ]);
  assert.deepEqual(subtract([{ first: 0n, last: 9n, value: 'a' }, { first: 10n, last: 19n, value: 'b' }, { first: 30n, last: 39n, value: 'c' }], [
    { first: 12n, last: 33n },
    { first: 5n, last: 11n },
    { first: 6n, last: 6n },
  ]), [
    { first: 0n, last: 4n, value: 'a' },
    { first: 34n, last: 39n, value: 'c' },
  ]);
  assert.deepEqual(subtract([{ first: 0n, last: MAX_V6, value: 'a' }], [{ first: 0n, last: MAX_V6 }]), []);
});

test('intersect reports every range a piece meets, ordered by address then range', () => {
  const segments = [{ first: 10n, last: 19n, value: 'rbl' }, { first: 20n, last: 29n, value: 'dul' }];
  assert.deepEqual(intersect(segments, [{ first: 15n, last: 40n }, { first: 0n, last: 12n }, { first: 15n, last: 15n }]), [
    { first: 10n, last: 12n, value: 'rbl', rangeIndex: 1 },
    { first: 15n, last: 19n, value: 'rbl', rangeIndex: 0 },
    { first: 15n, last: 15n, value: 'rbl', rangeIndex: 2 },
    { first: 20n, last: 29n, value: 'dul', rangeIndex: 0 },
  ]);
});

test('combine answers every list present, in list order, and merges identical neighbours', () => {
  const rbl = [{ first: 0n, last: 9n, value: 'rbl' }, { first: 10n, last: 19n, value: 'rbl' }];
  const dul = [{ first: 5n, last: 14n, value: 'dul' }];
  const spam = [{ first: MAX_V4, last: MAX_V4, value: 'spam' }];
  assert.deepEqual(combine([rbl, dul, spam]), [
    { first: 0n, last: 4n, value: ['rbl'] },
    { first: 5n, last: 14n, value: ['rbl', 'dul'] },
    { first: 15n, last: 19n, value: ['rbl'] },
    { first: MAX_V4, last: MAX_V4, value: ['spam'] },
  ]);
  assert.deepEqual(combine([dul, rbl]).map((segment) => segment.value), [['rbl'], ['dul', 'rbl'], ['rbl']]);
});

test('invalid input is refused', () => {
  const same = (a: number, b: number): boolean => a === b;
  assert.throws(() => flatten([{ first: 5n, last: 4n, value: 0 }], () => 1, same), RangeError);
  assert.throws(() => flatten([{ first: -1n, last: 4n, value: 0 }], () => 1, same), RangeError);
  assert.throws(() => flatten([{ first: 0n, last: MAX_V6 + 1n, value: 0 }], () => 1, same), RangeError);
  assert.throws(() => subtract([{ first: 10n, last: 19n, value: 0 }, { first: 15n, last: 25n, value: 1 }], []), RangeError);
  assert.throws(() => subtract([{ first: 0n, last: 1n, value: 0 }], [{ first: 3n, last: 2n }]), RangeError);
  assert.throws(() => intersect([{ first: 20n, last: 29n, value: 0 }, { first: 0n, last: 9n, value: 1 }], []), RangeError);
  assert.throws(() => intersect([{ first: 0n, last: 9n, value: 0 }], [{ first: 0n, last: MAX_V6 + 1n }]), RangeError);
});
