/**
 * Random IPv4 and IPv6 ranges that overlap and nest, and an address index loaded with them: the
 * property tests of lookup/range-index.ts check its answers against a brute-force scan of these.
 */
import { maxAddress, type Family } from '../../../shared/address.js';
import { RangeIndex } from '../../../main/core/lookup/range-index.js';
import { randomBigint, randomBits, randomInt, type Random } from './random.js';

export interface TestRange {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
  readonly id: number;
}

/**
 * Overlapping and nested ranges: nested CIDR towers, random spans, singles, duplicates of
 * earlier ranges, and ranges touching both ends of the space.
 */
export function randomRanges(random: Random, family: Family, count: number, firstId: number): TestRange[] {
  const bits = family === 4 ? 32 : 128;
  const max = maxAddress(family);
  // Cluster around a few hot spots so that ranges really overlap and nest.
  const hotSpots = Array.from({ length: 8 }, () => randomBigint(random, 0n, max));
  hotSpots.push(0n, max);
  const ranges: TestRange[] = [];
  for (let index = 0; index < count; index += 1) {
    const id = firstId + index;
    const centre = hotSpots[randomInt(random, 0, hotSpots.length - 1)];
    const roll = random();
    let first: bigint;
    let last: bigint;
    if (roll < 0.4) {
      // A CIDR block around the hot spot: nested towers.
      const hostBits = randomInt(random, 0, family === 4 ? 24 : 100);
      const size = 1n << BigInt(hostBits);
      const jitter = randomBits(random, Math.min(bits, hostBits + 4));
      let base = centre + (random() < 0.5 ? jitter : -jitter);
      if (base < 0n) base = 0n;
      if (base > max) base = max;
      first = (base / size) * size;
      last = first + size - 1n;
    } else if (roll < 0.6) {
      // A single address near the hot spot.
      first = centre + BigInt(randomInt(random, -300, 300));
      last = first;
    } else if (roll < 0.75 && ranges.length > 0) {
      // The same range again (another list), or one sharing an edge.
      const earlier = ranges[randomInt(random, 0, ranges.length - 1)];
      first = earlier.first;
      last = random() < 0.5 ? earlier.last : earlier.first + randomBits(random, 8);
    } else {
      // A random span near the hot spot.
      first = centre - randomBits(random, randomInt(random, 0, family === 4 ? 20 : 80));
      last = first + randomBits(random, randomInt(random, 0, family === 4 ? 22 : 90));
    }
    if (first < 0n) first = 0n;
    if (last > max) last = max;
    if (first > max) first = max;
    if (last < first) last = first;
    ranges.push({ family, first, last, id });
  }
  return ranges;
}

/** An index loaded with `ranges` (sorted here by family and first address). */
export function loadIndex(ranges: readonly TestRange[]): RangeIndex {
  const index = new RangeIndex();
  const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const loader = index.startLoad(2); // small on purpose: the loader must grow its buffers
  for (const range of sorted) {
    if (range.family === 4) loader.push(4, Number(range.first), Number(range.last), range.id);
    else loader.push(6, range.first, range.last, range.id);
  }
  loader.finish();
  return index;
}
