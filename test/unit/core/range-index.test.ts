import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddress, formatRange, maxAddress, parseAddress, type Family } from '../../../shared/address.js';
import { RangeIndex } from '../../../main/core/lookup/range-index.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { FRESHNESS_MS } from '../../../main/core/lookup/listing-index.js';
import { mulberry32, randomBigint, randomInt, type Random } from '../support/random.js';
import { loadIndex, randomRanges, type TestRange } from '../support/random-ranges.js';
import { ok } from '../support/results.js';

const OVERLAY_LIMIT = 4096;

/** The queries that matter: every range's edges and their neighbours, both ends of the space, and random ones. */
function queriesFor(random: Random, family: Family, ranges: readonly TestRange[], randomCount: number): bigint[] {
  const max = maxAddress(family);
  const values = new Set<bigint>([0n, 1n, max - 1n, max]);
  for (const range of ranges) {
    for (const value of [range.first - 1n, range.first, range.last, range.last + 1n]) if (value >= 0n && value <= max) values.add(value);
  }
  for (let index = 0; index < randomCount; index += 1) values.add(randomBigint(random, 0n, max));
  // Random addresses inside random ranges.
  for (let index = 0; index < randomCount; index += 1) {
    const range = ranges[randomInt(random, 0, ranges.length - 1)];
    values.add(randomBigint(random, range.first, range.last));
  }
  return [...values];
}

function oracle(ranges: readonly TestRange[], family: Family, value: bigint): number[] {
  const ids: number[] = [];
  for (const range of ranges) if (range.first <= value && value <= range.last && range.family === family) ids.push(range.id);
  return ids.sort((a, b) => a - b);
}

function checkAll(index: RangeIndex, ranges: readonly TestRange[], queries: Record<Family, bigint[]>, label: string): number {
  let checked = 0;
  let hits = 0;
  for (const family of [4, 6] as const) {
    const ofFamily = ranges.filter((range) => range.family === family);
    for (const value of queries[family]) {
      const expected = oracle(ofFamily, family, value);
      const actual = index.search(family, value).sort((a, b) => a - b);
      if (expected.length > 0) hits += 1;
      if (actual.length !== expected.length || actual.some((id, position) => id !== expected[position])) {
        assert.fail(`${label}: IPv${family} ${formatAddress(family, value)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      }
      if (family === 4) {
        const fast: number[] = [];
        index.searchV4(Number(value), fast);
        assert.deepEqual(fast.sort((a, b) => a - b), expected, `${label}: searchV4 ${formatAddress(4, value)}`);
      }
      checked += 1;
    }
  }
  // A test that finds nothing would prove nothing.
  assert.ok(hits > checked / 4, `${label}: only ${hits} of ${checked} queries hit a range`);
  return checked;
}

describe('RangeIndex against a brute-force oracle', () => {
  test('loaded set of overlapping and nested IPv4 and IPv6 ranges', () => {
    const random = mulberry32(20261128);
    const ranges = [...randomRanges(random, 4, 400, 1), ...randomRanges(random, 6, 400, 1001)];
    const index = loadIndex(ranges);
    assert.equal(index.size, ranges.length);
    assert.ok(index.levels.v4 > 3 && index.levels.v6 > 3, `expected real nesting, got levels ${JSON.stringify(index.levels)}`);
    const queries = { 4: queriesFor(random, 4, ranges.filter((range) => range.family === 4), 1500), 6: queriesFor(random, 6, ranges.filter((range) => range.family === 6), 1500) };
    const checked = checkAll(index, ranges, queries, 'loaded');
    assert.ok(checked > 6000, `only ${checked} queries`);
  });

  test('an address of one family never matches a range of the other', () => {
    const index = loadIndex([
      { family: 4, first: 0n, last: maxAddress(4), id: 1 },
      { family: 6, first: 0n, last: 0xffffffffn, id: 2 },
    ]);
    assert.deepEqual(index.search(4, 5n), [1]);
    assert.deepEqual(index.search(6, 5n), [2]);
    assert.deepEqual(index.search(6, 0x1_0000_0000n), []);
  });

  test('5,000 incremental adds per family one by one, crossing the overlay merge threshold, stay exact', () => {
    const random = mulberry32(4096);
    const loaded = [...randomRanges(random, 4, 300, 1), ...randomRanges(random, 6, 300, 1001)];
    const index = loadIndex(loaded);
    // The overlay is per family, so each family gets 5,000 adds (more than OVERLAY_LIMIT).
    const added = [...randomRanges(random, 4, 5000, 10_001), ...randomRanges(random, 6, 5000, 20_001)];
    // Interleave families and shuffle so that the adds come in no address order.
    for (let position = added.length - 1; position > 0; position -= 1) {
      const other = randomInt(random, 0, position);
      [added[position], added[other]] = [added[other], added[position]];
    }
    const all: TestRange[] = [...loaded];
    const sample = (family: Family, count: number) => {
      const subset = all.filter((range) => range.family === family);
      const chosen: TestRange[] = [];
      for (let index = 0; index < Math.min(count, subset.length); index += 1) chosen.push(subset[randomInt(random, 0, subset.length - 1)]);
      return queriesFor(random, family, chosen, 100);
    };
    const checkpoints = new Set([1, 100, OVERLAY_LIMIT, 8193, added.length]);
    let v4Adds = 0;
    let v6Adds = 0;
    for (let step = 0; step < added.length; step += 1) {
      const range = added[step];
      index.add(range.family, range.first, range.last, range.id);
      all.push(range);
      if (range.family === 4) v4Adds += 1;
      else v6Adds += 1;
      // The per-family overlay merges when it passes OVERLAY_LIMIT: check around that point too.
      const isFamilyThreshold = (range.family === 4 ? v4Adds : v6Adds) === OVERLAY_LIMIT + 1 || (range.family === 4 ? v4Adds : v6Adds) === OVERLAY_LIMIT;
      if (checkpoints.has(step + 1) || isFamilyThreshold || step % 1999 === 0) {
        checkAll(index, all, { 4: sample(4, 150), 6: sample(6, 150) }, `after ${step + 1} adds`);
      }
    }
    assert.equal(index.size, loaded.length + added.length);
    assert.ok(index.levels.v4 > 0 && index.levels.v6 > 0);
    // The final check: the edges of 1,500 ranges per family, and random addresses.
    checkAll(index, all, { 4: sample(4, 1500), 6: sample(6, 1500) }, 'after all adds');
  });

  test('adds into an empty index, then past the merge threshold in one family', () => {
    const random = mulberry32(77);
    const index = new RangeIndex();
    const ranges = randomRanges(random, 4, OVERLAY_LIMIT + 50, 1);
    for (const range of ranges) index.add(range.family, range.first, range.last, range.id);
    assert.ok(index.levels.v4 > 0, 'the overlay was merged into levels');
    checkAll(index, ranges, { 4: queriesFor(random, 4, ranges, 500), 6: [0n, maxAddress(6)] }, 'empty then adds');
  });
});

describe('lookup through the real database', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-index-'));
  const databasePath = join(folder, 'repdesk.sqlite');
  const cores: Core[] = [];
  after(() => {
    for (const core of cores) core.close();
    rmSync(folder, { recursive: true, force: true });
  });
  const open = () => {
    const core = createCore({ databasePath });
    cores.push(core);
    return core;
  };
  const alice = { actor: 'alice', localFiles: true };

  async function lookupIds(core: Core, ip: string): Promise<number[]> {
    const result = await ok(core.dispatch('lookup', { ip }, alice));
    return result.listings.map((listing) => listing.id);
  }

  test('nested DUL /16, RBL /24 inside it and a single inside both: lookup finds exactly the containing ones', async () => {
    const core = open();
    await ok(core.dispatch('investigators.add', { name: 'alice', roles: ['investigator', 'liaison', 'reviewer'] }, { actor: null }));
    const dul = (await ok(core.dispatch('listings.add', { range: '88.51.0.0/16', list: 'DUL', reason: 'dynamic' }, alice))).listing;
    const rbl = (await ok(core.dispatch('listings.add', { range: '88.51.100.0/24', list: 'RBL', reason: 'spam-source' }, alice))).listing;
    const single = (await ok(core.dispatch('listings.add', { range: '88.51.100.7', list: 'RBL', reason: 'open-proxy' }, alice))).listing;
    const v6 = (await ok(core.dispatch('listings.add', { range: '2001:db7::/32', list: 'RBL', reason: 'spam-support' }, alice))).listing;
    assert.deepEqual([dul.range, rbl.range, single.range], ['88.51.0.0/16', '88.51.100.0/24', '88.51.100.7']);

    const expectations: Array<[string, number[]]> = [
      ['88.51.100.7', [dul.id, rbl.id, single.id]],
      ['88.51.100.6', [dul.id, rbl.id]],
      ['88.51.100.8', [dul.id, rbl.id]],
      ['88.51.100.0', [dul.id, rbl.id]],
      ['88.51.100.255', [dul.id, rbl.id]],
      ['88.51.99.255', [dul.id]],
      ['88.51.101.0', [dul.id]],
      ['88.51.0.0', [dul.id]],
      ['88.51.255.255', [dul.id]],
      ['88.50.255.255', []],
      ['88.52.0.0', []],
      ['0.0.0.0', []],
      ['255.255.255.255', []],
      ['::ffff:88.51.100.7', [dul.id, rbl.id, single.id]],
      ['2001:db7::1', [v6.id]],
      ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', [v6.id]],
      ['2001:db6:ffff:ffff:ffff:ffff:ffff:ffff', []],
      ['2001:db9::', []],
      // 88.51.100.7 as a plain (non-mapped) IPv6 value is another address.
      ['::5833:6407', []],
    ];
    for (const [ip, ids] of expectations) assert.deepEqual(await lookupIds(core, ip), ids, ip);

    const result = await ok(core.dispatch('lookup', { ip: '88.51.100.7' }, alice));
    assert.equal(result.ip, '88.51.100.7');
    assert.equal(result.family, 4);
    assert.deepEqual(result.listings.map((listing) => [listing.list, listing.status, listing.reason]), [
      ['DUL', 'active', 'dynamic'],
      ['RBL', 'active', 'spam-source'],
      ['RBL', 'active', 'open-proxy'],
    ]);
    const bad = await core.dispatch('lookup', { ip: '88.51.100' }, alice);
    assert.ok(!bad.ok && bad.error.code === 'invalid-input' && /four decimal octets/.test(bad.error.message));
  });

  const afterFreshnessWindow = () => new Promise((resolve) => setTimeout(resolve, FRESHNESS_MS + 20));

  test('a second core on the same file sees what the first adds (data_version refresh), incremental and bulk', async () => {
    const first = cores[0];
    const second = open();
    assert.deepEqual(await lookupIds(second, '93.0.113.9'), []);
    const added = (await ok(first.dispatch('listings.add', { range: '93.0.113.0/24', list: 'RBL', reason: 'spam-source' }, alice))).listing;
    // Another process's commits are seen within FRESHNESS_MS (the lookup asks SQLite at most that often).
    await afterFreshnessWindow();
    assert.deepEqual(await lookupIds(second, '93.0.113.9'), [added.id]);
    // A delisting is seen too (status comes from the table).
    await ok(first.dispatch('listings.delist', { id: added.id, why: 'cleaned up' }, alice));
    const seen = await ok(second.dispatch('lookup', { ip: '93.0.113.9' }, alice));
    assert.deepEqual(seen.listings.map((listing) => listing.status), ['delisted']);

    // More than the incremental limit at once: the second core rebuilds instead of adding one by one.
    const random = mulberry32(99);
    const lines: string[] = [];
    const expected = new Map<string, number>();
    for (let index = 0; index < OVERLAY_LIMIT + 500; index += 1) {
      const value = 0x0b000000 + index * 4 + randomInt(random, 0, 3);
      const text = formatAddress(4, BigInt(value));
      lines.push(text);
      expected.set(text, index);
    }
    const path = join(folder, 'bulk.txt');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const summary = await ok(first.dispatch('listings.importFile', { file: { path: path }, list: 'RBL', reason: 'botnet' }, alice));
    assert.equal(summary.imported, lines.length);
    await afterFreshnessWindow();
    for (const text of [lines[0], lines[lines.length - 1], lines[2048], lines[4097]]) {
      const result = await ok(second.dispatch('lookup', { ip: text }, alice));
      assert.equal(result.listings.length, 1, text);
      assert.equal(result.listings[0].range, text);
    }
    // And a third core, opened now, loads everything from the table.
    const third = open();
    const parsed = parseAddress(lines[100]);
    assert.ok(parsed.ok);
    const fromThird = await ok(third.dispatch('lookup', { ip: formatRange({ family: 4, first: parsed.value.value, last: parsed.value.value }) }, alice));
    assert.equal(fromThird.listings.length, 1);
    assert.equal(third.index.size, second.index.size);
    assert.equal(third.index.size, 4 + 1 + lines.length);
  });
});

test('large IPv4 levels (bucketed search) agree with a sorted brute-force oracle', () => {
  // Levels of 4,096 ranges or more search within 2^16-address buckets: check that path at
  // bucket edges and across buckets, with ranges that start in one bucket and end in another.
  const random = mulberry32(4242);
  const ranges: Array<{ first: number; last: number; id: number }> = [];
  // Mostly short ranges, so that the first levels hold far more than 4,096 ranges each.
  const spans = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 65_535, 70_000, 1_000_000];
  for (let id = 1; id <= 40_000; id += 1) {
    const first = randomInt(random, 0, 0xffffffff);
    const span = spans[randomInt(random, 0, spans.length - 1)];
    ranges.push({ first, last: Math.min(first + span, 0xffffffff), id });
  }
  ranges.sort((a, b) => a.first - b.first);
  const index = new RangeIndex();
  const loader = index.startLoad(ranges.length);
  for (const range of ranges) loader.push(4, range.first, range.last, range.id);
  loader.finish();
  const queries: number[] = [0, 0xffffffff, 0x10000, 0xffff, 0x1ffff];
  for (const range of ranges.filter((_, position) => position % 10 === 0)) queries.push(range.first, range.last, Math.max(range.first - 1, 0), Math.min(range.last + 1, 0xffffffff));
  for (let count = 0; count < 3000; count += 1) queries.push(randomInt(random, 0, 0xffffffff), randomInt(random, 0, 0xffff) * 0x10000);
  for (const query of queries) {
    const expected = ranges.filter((range) => range.first <= query && query <= range.last).map((range) => range.id).sort((a, b) => a - b);
    const found: number[] = [];
    index.searchV4(query, found);
    assert.deepEqual(found.sort((a, b) => a - b), expected, `address ${query}`);
  }
});
