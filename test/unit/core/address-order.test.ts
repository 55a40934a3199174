/**
 * The import's order (addressOrder): by family, then first address, then last address, every
 * position once, as a plain comparator sort gives it; on random IPv4 and IPv6 ranges with many
 * shared starts and repeats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Family } from '../../../shared/address.js';
import { addressOrder, RangeColumns } from '../../../main/core/listings/range-columns.js';

test('addressOrder sorts by (family, first, last) like a comparator sort, every position once', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const families: Family[] = [];
  const firsts: bigint[] = [];
  const lasts: bigint[] = [];
  for (let index = 0; index < 20_000; index += 1) {
    const family: Family = random() < 0.8 ? 4 : 6;
    // Few distinct starts, so that equal starts (ordered by their last address) are common.
    const first = family === 4 ? BigInt(Math.floor(random() * 500) * 256) : (0x2a01n << 112n) + BigInt(Math.floor(random() * 300)) * (1n << 64n);
    families.push(family);
    firsts.push(first);
    lasts.push(first + BigInt(Math.floor(random() * 4)));
  }
  const order = addressOrder(RangeColumns.of(families, firsts, lasts));
  const expected = families
    .map((_, index) => index)
    .sort((a, b) => families[a] - families[b] || (firsts[a] < firsts[b] ? -1 : firsts[a] > firsts[b] ? 1 : lasts[a] < lasts[b] ? -1 : lasts[a] > lasts[b] ? 1 : 0));
  const key = (index: number) => `${families[index]}/${firsts[index]}/${lasts[index]}`;
  assert.deepEqual(Array.from(order, key), expected.map(key));
  assert.equal(new Set(order).size, families.length, 'every position once');
});

test('past 2^21 ranges (positions no longer fit beside the address in a double) the order is the same', () => {
  let seed = 9;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const ranges = new RangeColumns();
  const count = 2 ** 21 + 5000;
  for (let index = 0; index < count; index += 1) {
    const first = 0x2d000000 + Math.floor(random() * 400_000) * 16;
    ranges.pushIpv4(first, first + Math.floor(random() * 16));
  }
  ranges.push(6, 0x2a01n << 112n, (0x2a01n << 112n) + 5n);
  const order = addressOrder(ranges);
  assert.equal(order.length, count + 1);
  const seen = new Uint8Array(count + 1);
  for (let position = 0; position < order.length; position += 1) seen[order[position]] += 1;
  assert.ok(seen.every((times) => times === 1), 'every position once');
  assert.equal(order[count], count, 'IPv6 after IPv4');
  for (let position = 1; position < count; position += 1) {
    const [a, b] = [order[position - 1], order[position]];
    const inOrder = ranges.ipv4First(a) < ranges.ipv4First(b) || (ranges.ipv4First(a) === ranges.ipv4First(b) && (ranges.ipv4Last(a) < ranges.ipv4Last(b) || (ranges.ipv4Last(a) === ranges.ipv4Last(b) && a < b)));
    if (!inOrder) assert.fail(`positions ${position - 1} and ${position} out of order`);
  }
});
