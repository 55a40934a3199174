/**
 * The address index's overlap query (what a DUL submission's preview names for each of its
 * ranges) against a brute-force scan: on random overlapping and nested IPv4 and IPv6 ranges,
 * for query ranges at every edge, findOverlap names the overlapping range with the highest
 * start (the highest id among equal starts), or none when nothing overlaps; loaded, after
 * adds in the overlay, and in bucketed IPv4 levels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRange, maxAddress, type Family } from '../../../shared/address.js';
import type { RangeIndex } from '../../../main/core/lookup/range-index.js';
import { mulberry32, randomBigint, randomBits, randomInt, type Random } from '../support/random.js';
import { loadIndex, randomRanges, type TestRange } from '../support/random-ranges.js';

/** The overlapping range a scan of every range picks: the highest start, then the highest id. */
function oracle(ranges: readonly TestRange[], family: Family, first: bigint, last: bigint): TestRange | null {
  let best: TestRange | null = null;
  for (const range of ranges) {
    if (range.family !== family || range.last < first || range.first > last) continue;
    if (best === null || range.first > best.first || (range.first === best.first && range.id > best.id)) best = range;
  }
  return best;
}

/** Query ranges around every range's edges (touching, just missing, covering), random spans and the whole space. */
function queryRanges(random: Random, family: Family, ranges: readonly TestRange[], randomCount: number): Array<[bigint, bigint]> {
  const max = maxAddress(family);
  const clamp = (value: bigint) => (value < 0n ? 0n : value > max ? max : value);
  const queries: Array<[bigint, bigint]> = [[0n, max], [0n, 0n], [max, max]];
  // The edges of at most 300 of the ranges (a scan per query is the oracle's cost).
  for (let count = 0; count < Math.min(300, ranges.length); count += 1) {
    const range = ranges[randomInt(random, 0, ranges.length - 1)];
    queries.push([range.first, range.first], [range.last, range.last], [clamp(range.first - 5n), clamp(range.first - 1n)], [clamp(range.last + 1n), clamp(range.last + 9n)]);
    queries.push([clamp(range.first - 3n), clamp(range.last + 3n)]);
  }
  for (let count = 0; count < randomCount; count += 1) {
    const first = randomBigint(random, 0n, max);
    queries.push([first, clamp(first + randomBits(random, randomInt(random, 0, family === 4 ? 24 : 96)))]);
  }
  return queries.filter(([first, last]) => first <= last);
}

function checkOverlaps(index: RangeIndex, ranges: readonly TestRange[], random: Random, label: string): void {
  let hits = 0;
  let misses = 0;
  for (const family of [4, 6] as const) {
    const ofFamily = ranges.filter((range) => range.family === family);
    for (const [first, last] of queryRanges(random, family, ofFamily, 400)) {
      const expected = oracle(ofFamily, family, first, last);
      const actual = index.findOverlap(family, first, last);
      const query = formatRange({ family, first, last });
      if (expected === null) {
        assert.equal(actual, null, `${label}: ${query} overlaps nothing, got #${actual?.id}`);
        misses += 1;
      } else {
        assert.deepEqual(actual, { id: expected.id, first: expected.first, last: expected.last }, `${label}: ${query}`);
        hits += 1;
      }
    }
  }
  // Both answers must be exercised, or the test proves little.
  assert.ok(hits > 500 && misses > 100, `${label}: ${hits} overlaps and ${misses} misses`);
}

test('findOverlap on a loaded set of overlapping and nested IPv4 and IPv6 ranges names what a scan names', () => {
  const random = mulberry32(21_2026);
  const ranges = [...randomRanges(random, 4, 500, 1), ...randomRanges(random, 6, 500, 1001)];
  const index = loadIndex(ranges);
  assert.ok(index.levels.v4 > 3 && index.levels.v6 > 3, `expected real nesting, got levels ${JSON.stringify(index.levels)}`);
  checkOverlaps(index, ranges, random, 'loaded');
});

test('findOverlap sees ranges added after the load (the overlay) and merged into levels', () => {
  const random = mulberry32(4097);
  const loaded = [...randomRanges(random, 4, 200, 1), ...randomRanges(random, 6, 200, 1001)];
  const index = loadIndex(loaded);
  const added = [...randomRanges(random, 4, 300, 5001), ...randomRanges(random, 6, 300, 6001)];
  for (const range of added) index.add(range.family, range.first, range.last, range.id);
  checkOverlaps(index, [...loaded, ...added], random, 'overlay');
  // Past the overlay's limit the adds are merged into the levels.
  const more = randomRanges(random, 4, 4200, 10_001);
  for (const range of more) index.add(range.family, range.first, range.last, range.id);
  checkOverlaps(index, [...loaded, ...added, ...more], random, 'merged');
});

test('findOverlap in large IPv4 levels (bucketed search) across bucket edges', () => {
  const random = mulberry32(65_536);
  const ranges: TestRange[] = [];
  // Mostly short ranges, so the first levels hold far more than 4,096 ranges each; some cross buckets.
  const spans = [0, 0, 0, 0, 0, 0, 255, 65_535, 70_000, 1_000_000];
  for (let id = 1; id <= 12_000; id += 1) {
    const first = randomInt(random, 0, 0xffffffff);
    const last = Math.min(first + spans[randomInt(random, 0, spans.length - 1)], 0xffffffff);
    ranges.push({ family: 4, first: BigInt(first), last: BigInt(last), id });
  }
  const index = loadIndex(ranges);
  let hits = 0;
  for (let count = 0; count < 2000; count += 1) {
    const bucketEdge = BigInt(randomInt(random, 1, 0xffff) * 0x10000);
    const first = count % 2 === 0 ? bucketEdge - BigInt(randomInt(random, 0, 300)) : BigInt(randomInt(random, 0, 0xffffffff));
    const last = first + BigInt(randomInt(random, 0, 5000));
    const expected = oracle(ranges, 4, first, last > 0xffffffffn ? 0xffffffffn : last);
    const actual = index.findOverlap(4, first, last > 0xffffffffn ? 0xffffffffn : last);
    assert.deepEqual(actual, expected && { id: expected.id, first: expected.first, last: expected.last }, `${first}-${last}`);
    if (expected) hits += 1;
  }
  assert.ok(hits > 200, `only ${hits} overlaps`);
});

test('findOverlap keeps the families apart', () => {
  const index = loadIndex([
    { family: 4, first: 0n, last: maxAddress(4), id: 1 },
    { family: 6, first: 0x1_0000_0000n, last: 0x1_0000_00ffn, id: 2 },
  ]);
  assert.deepEqual(index.findOverlap(4, 5n, 9n), { id: 1, first: 0n, last: maxAddress(4) });
  assert.equal(index.findOverlap(6, 5n, 9n), null);
  assert.deepEqual(index.findOverlap(6, 0n, maxAddress(6)), { id: 2, first: 0x1_0000_0000n, last: 0x1_0000_00ffn });
});
