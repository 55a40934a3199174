/**
 * The dashboard's union arithmetic against brute force: random overlapping IPv4 ranges counted
 * address by address, IPv6 ranges counted by the distinct /64s they touch, mixed families kept
 * apart, and incremental add/remove batches checked unit by unit (depth of every unit).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRange, type AddressRange } from '../../../shared/address.js';
import { applyDeltas, coveredUnits, IPV4_UNITS, IPV6_UNITS, unionUnits, type Delta, type Segment } from '../../../main/core/dashboard/coverage.js';
import { mulberry32, randomBits, randomInt, type Random } from '../support/random.js';

function range(text: string): AddressRange {
  const parsed = parseRange(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** Brute force: the set of units covered, one by one. */
function bruteUnion(ranges: ReadonlyArray<{ first: number; last: number }>): number {
  const covered = new Set<number>();
  for (const { first, last } of ranges) for (let unit = first; unit <= last; unit += 1) covered.add(unit);
  return covered.size;
}

function randomRanges(random: Random, count: number, universe: number, maxLength: number): Array<{ first: number; last: number }> {
  return Array.from({ length: count }, () => {
    const first = randomInt(random, 0, universe - 1);
    return { first, last: Math.min(universe - 1, first + randomInt(random, 0, maxLength)) };
  });
}

describe('dashboard coverage arithmetic', () => {
  test('IPv4: the union of random overlapping ranges matches brute force (500 seeded cases)', () => {
    for (let seed = 1; seed <= 500; seed += 1) {
      const random = mulberry32(seed);
      const ranges = randomRanges(random, randomInt(random, 0, 40), 3000, randomInt(random, 0, 400));
      assert.equal(unionUnits(IPV4_UNITS, ranges), BigInt(bruteUnion(ranges)), `seed ${seed}`);
    }
  });

  test('IPv4 at the top of the space: 255.255.255.255 is counted and nothing wraps', () => {
    const top = 0xffffffff;
    const ranges = [
      { first: top - 10, last: top },
      { first: top, last: top },
      { first: top - 20, last: top - 5 },
    ];
    assert.equal(unionUnits(IPV4_UNITS, ranges), 21n);
    assert.equal(unionUnits(IPV4_UNITS, [{ first: 0, last: top }]), 4294967296n);
  });

  test('known figures: a /16 is 65,536, a /24 inside it adds nothing, nested and adjacent ranges', () => {
    assert.deepEqual(coveredUnits([range('11.1.0.0/16')]), { ipv4: 65536n, ipv6: 0n });
    assert.deepEqual(coveredUnits([range('11.1.0.0/16'), range('11.1.7.0/24'), range('11.1.255.255')]), { ipv4: 65536n, ipv6: 0n });
    assert.deepEqual(coveredUnits([range('11.1.0.0/24'), range('11.1.1.0/24')]), { ipv4: 512n, ipv6: 0n });
    assert.deepEqual(coveredUnits([range('11.1.0.10-11.1.0.20'), range('11.1.0.15-11.1.0.30')]), { ipv4: 21n, ipv6: 0n });
  });

  test('IPv6 is counted by /64: a /48 is 65,536, a single address or two in one /64 count one', () => {
    assert.deepEqual(coveredUnits([range('2001:db8:1::/48')]), { ipv4: 0n, ipv6: 65536n });
    assert.deepEqual(coveredUnits([range('2001:db8::1'), range('2001:db8::ffff')]), { ipv4: 0n, ipv6: 1n });
    assert.deepEqual(coveredUnits([range('2001:db8::1'), range('2001:db8:0:1::1')]), { ipv4: 0n, ipv6: 2n });
    // A range crossing a /64 boundary touches both /64s.
    assert.deepEqual(coveredUnits([range('2001:db8::ffff:ffff:ffff:fff0-2001:db8:0:1::5')]), { ipv4: 0n, ipv6: 2n });
    assert.deepEqual(coveredUnits([range('2001:db8::/32'), range('2001:db8:ffff::/48')]), { ipv4: 0n, ipv6: 2n ** 32n });
    // A /1 is 2^63 /64s: past what a double holds exactly.
    assert.equal(coveredUnits([range('8000::/1'), range('::/1')]).ipv6, 2n ** 64n);
  });

  test('IPv6: random ranges with random low bits match the distinct /64s brute force (300 seeded cases)', () => {
    const base = (1n << 64n) - 60n; // near the top of the /64 index space, where a signed store would overflow
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = mulberry32(seed * 7919);
      const ranges = Array.from({ length: randomInt(random, 0, 25) }, () => {
        const firstHigh = base + BigInt(randomInt(random, 0, 59));
        const lastHigh = firstHigh + BigInt(randomInt(random, 0, Number((1n << 64n) - 1n - firstHigh)));
        const first = (firstHigh << 64n) | randomBits(random, 64);
        const last = (lastHigh << 64n) | randomBits(random, 64);
        return { family: 6 as const, first: first <= last ? first : last, last: first <= last ? last : first };
      });
      const distinct = new Set<bigint>();
      for (const item of ranges) for (let high = item.first >> 64n; high <= item.last >> 64n; high += 1n) distinct.add(high);
      assert.equal(coveredUnits(ranges).ipv6, BigInt(distinct.size), `seed ${seed}`);
    }
  });

  test('mixed families are counted apart: IPv4-mapped input is IPv4', () => {
    const figures = coveredUnits([range('11.2.0.0/24'), range('::ffff:11.2.0.5'), range('2001:db8::/63'), range('11.2.0.0/25')]);
    assert.deepEqual(figures, { ipv4: 256n, ipv6: 2n });
  });

  test('incremental batches of additions and removals keep every unit at its brute-force depth (200 seeded runs)', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = mulberry32(seed * 31);
      const universe = 500;
      const depth = new Int32Array(universe);
      const active: Array<{ first: number; last: number }> = [];
      let segments: Array<Segment<number>> = [];
      for (let step = 0; step < 12; step += 1) {
        const batch: Array<Delta<number>> = [];
        const additions = randomRanges(random, randomInt(random, 0, 6), universe, randomInt(random, 0, 80));
        for (const added of additions) {
          batch.push({ ...added, delta: 1 });
          active.push(added);
        }
        const removals = randomInt(random, 0, Math.min(4, active.length));
        for (let removal = 0; removal < removals; removal += 1) {
          const [removed] = active.splice(randomInt(random, 0, active.length - 1), 1);
          batch.push({ ...removed, delta: -1 });
        }
        for (const delta of batch) for (let unit = delta.first; unit <= delta.last; unit += 1) depth[unit] += delta.delta;
        // Pass only the stored segments that overlap a delta, as the counters do.
        const touched = segments.filter((segment) => batch.some((delta) => delta.first <= segment.last && delta.last >= segment.first));
        const untouched = segments.filter((segment) => !touched.includes(segment));
        const result = applyDeltas(IPV4_UNITS, touched, batch);
        segments = [...untouched, ...result.segments].sort((a, b) => a.first - b.first);
        const seen = new Int32Array(universe);
        for (const segment of segments) {
          assert.ok(segment.depth > 0, `seed ${seed}: a stored segment has depth ${segment.depth}`);
          for (let unit = segment.first; unit <= segment.last; unit += 1) {
            assert.equal(seen[unit], 0, `seed ${seed}: unit ${unit} is in two segments`);
            seen[unit] = segment.depth;
          }
        }
        assert.deepEqual(Array.from(seen), Array.from(depth), `seed ${seed} step ${step}`);
        assert.equal(IPV4_UNITS.total(segments), BigInt(bruteUnion(active)), `seed ${seed} step ${step}`);
      }
    }
  });

  test('a removal of a range that never entered is refused, not counted below zero', () => {
    assert.throws(() => applyDeltas(IPV4_UNITS, [], [{ first: 5, last: 9, delta: -1 }]), /below zero/);
    assert.throws(() => applyDeltas(IPV6_UNITS, [{ first: 0n, last: 3n, depth: 1 }], [{ first: 0n, last: 3n, delta: -1 }, { first: 2n, last: 2n, delta: -1 }]), /below zero/);
    assert.throws(() => applyDeltas(IPV4_UNITS, [], [{ first: 0, last: 3, delta: 2 }]), /\+1 or -1/);
  });
});
