/**
 * The one-shot lookup path (index probes in SQLite by span, what the command line uses), a bulk
 * lookup's path (the ranges in memory, single addresses by one statement in SQLite) and the
 * in-memory index (what the app keeps) agree: the same listings for 10,000 addresses over random
 * overlapping and nested IPv4 and IPv6 listings written the ways RepDesk writes them (a file
 * import, single adds, a move to another list) and one row another tool inserted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddress, formatRange, writeAddressKey, type Family } from '../../../shared/address.js';
import { specialRangeOverlapping } from '../../../shared/special-ranges.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { ListingIndex } from '../../../main/core/lookup/listing-index.js';
import { singlesAtSql } from '../../../main/core/lookup/span-lookup.js';
import { spanOf, spanOfIpv4, spanOfKeys, WIDEST_SPAN } from '../../../main/core/db/span.js';
import { SPAN_OF_ROW } from '../../../main/core/db/migrations/0017-listing-span.js';
import { sql } from '../../../main/core/db/sql.js';
import { mulberry32, randomBigint, randomBits, randomInt, type Random } from '../support/random.js';

interface Range {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
}

/** Public blocks to cluster in (imports refuse special-purpose space). */
const AREAS: Record<Family, { first: bigint; last: bigint }> = {
  4: { first: 0x2d000000n, last: 0x51ffffffn }, // 45.0.0.0 - 81.255.255.255
  6: { first: 0x2a01n << 112n, last: (0x2a03n << 112n) - 1n }, // 2a01::/16 and 2a02::/16
};

/** Overlapping and nested ranges around a few hot spots: CIDR towers, singles, spans across block edges, repeats. */
function randomRanges(random: Random, family: Family, count: number): Range[] {
  const area = AREAS[family];
  const hotSpots = Array.from({ length: 6 }, () => randomBigint(random, area.first, area.last));
  // A hot spot on an aligned boundary, so that spans cross it.
  hotSpots.push(((area.first + area.last) / 2n >> 20n) << 20n);
  const ranges: Range[] = [];
  while (ranges.length < count) {
    const centre = hotSpots[randomInt(random, 0, hotSpots.length - 1)];
    const roll = random();
    let first: bigint;
    let last: bigint;
    if (roll < 0.4) {
      const hostBits = BigInt(randomInt(random, 0, family === 4 ? 22 : 90));
      const base = centre + (random() < 0.5 ? 1n : -1n) * randomBits(random, Number(hostBits) + 3);
      first = (base >> hostBits) << hostBits;
      last = first + (1n << hostBits) - 1n;
    } else if (roll < 0.6) {
      first = centre + BigInt(randomInt(random, -500, 500));
      last = first;
    } else if (roll < 0.7 && ranges.length > 0) {
      const earlier = ranges[randomInt(random, 0, ranges.length - 1)];
      first = earlier.first;
      last = random() < 0.5 ? earlier.last : earlier.first + randomBits(random, 6);
    } else {
      first = centre - randomBits(random, randomInt(random, 0, family === 4 ? 18 : 70));
      last = first + randomBits(random, randomInt(random, 0, family === 4 ? 20 : 80));
    }
    if (first < area.first) first = area.first;
    if (last > area.last) last = area.last;
    if (last < first) continue;
    if (specialRangeOverlapping({ family, first, last }) !== null) continue;
    ranges.push({ family, first, last });
  }
  return ranges;
}

/** Edges of ranges and their neighbours, addresses inside random ranges, and anywhere in the areas. */
function queries(random: Random, ranges: readonly Range[], count: number): Range[] {
  const found: Range[] = [];
  while (found.length < count) {
    const range = ranges[randomInt(random, 0, ranges.length - 1)];
    const roll = random();
    const value =
      roll < 0.3
        ? [range.first - 1n, range.first, range.last, range.last + 1n][randomInt(random, 0, 3)]
        : roll < 0.7
          ? randomBigint(random, range.first, range.last)
          : randomBigint(random, AREAS[range.family].first, AREAS[range.family].last);
    found.push({ family: range.family, first: value, last: value });
  }
  return found;
}

let folder: string;
let core: Core;
let ranges: Range[];

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-span-'));
  core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
  assert.ok((await core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator', 'liaison', 'reviewer'] }, { actor: null })).ok);
  const random = mulberry32(20261207);
  ranges = [...randomRanges(random, 4, 1500), ...randomRanges(random, 6, 1500)];
  // Most through a file import (the batch insert), in two lists so that ranges repeat across lists.
  for (const [list, part] of [
    ['RBL', ranges.slice(0, 1200).concat(ranges.slice(1500, 2700))],
    ['MML', ranges.slice(1000, 1300).concat(ranges.slice(2500, 2800))],
  ] as const) {
    const file = join(folder, `${list}.txt`);
    writeFileSync(file, part.map((range) => `${formatRange(range)}\n`).join(''));
    const imported = await core.dispatch('listings.importFile', { file: { path: file }, list, reason: list === 'RBL' ? 'spam-source' : 'marketing' }, { actor: 'Ana', localFiles: true });
    assert.ok(imported.ok, JSON.stringify(imported));
  }
  // The rest one at a time (the single insert), and one moved to another list (the copy insert).
  for (const range of [...ranges.slice(1300, 1500), ...ranges.slice(2800)]) {
    const added = await core.dispatch('listings.add', { range: formatRange(range), list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' });
    assert.ok(added.ok || added.error.code === 'conflict', JSON.stringify(added));
  }
  const moved = await core.dispatch('listings.edit', { action: 'change-list', id: 1, why: 'moved for the test', list: 'MML', reason: 'marketing' }, { actor: 'Ana' });
  assert.ok(moved.ok, JSON.stringify(moved));
  // A row another tool inserted knows no span: it gets the widest, and must be found all the same.
  const first = Buffer.alloc(16);
  const last = Buffer.alloc(16);
  writeAddressKey(4, 0x2d010000n, first, 0);
  writeAddressKey(4, 0x2d0100ffn, last, 0);
  core.connection.write.run(sql`INSERT INTO listings (list, family, first, last, prefix, reason, investigator_id, created_at, updated_at)
    VALUES ('RBL', 4, ${first}, ${last}, 24, 'spam-source', 1, '2026-12-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z')`);
  ranges.push({ family: 4, first: 0x2d010000n, last: 0x2d0100ffn });
});

after(() => {
  core.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('one-shot lookups answer from SQLite', () => {
  test('the span probes and the in-memory index find the same listings for 10,000 addresses', () => {
    const read = core.connection.read;
    const memory = new ListingIndex(read);
    const probes = new ListingIndex(read, { source: 'database' });
    const total = read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings`)?.count ?? 0;
    assert.ok(total > 2500, `only ${total} listings`);
    assert.ok(memory.levels.v4 > 3 && memory.levels.v6 > 3, `expected real nesting, got ${JSON.stringify(memory.levels)}`);
    let hits = 0;
    let deepest = 0;
    for (const query of queries(mulberry32(7), ranges, 10_000)) {
      const expected = memory.find(query.family, query.first).sort((a, b) => a - b);
      const actual = probes.find(query.family, query.first).sort((a, b) => a - b);
      assert.deepEqual(actual, expected, `IPv${query.family} ${formatAddress(query.family, query.first)}`);
      if (expected.length > 0) hits += 1;
      deepest = Math.max(deepest, expected.length);
    }
    // A comparison that finds nothing would prove nothing.
    assert.ok(hits > 5000, `only ${hits} of 10,000 addresses are listed`);
    assert.ok(deepest >= 4, `the deepest nesting met was ${deepest}`);
  });

  test("a bulk lookup's path (the ranges in memory, single addresses found in SQLite by one statement) finds the same as the in-memory index for 10,000 addresses", () => {
    const read = core.connection.read;
    const memory = new ListingIndex(read);
    const bulk = new ListingIndex(read, { source: 'database' });
    const questions = queries(mulberry32(11), ranges, 10_000).map((query) => ({ family: query.family, value: query.first }));
    const found = bulk.findMany(questions);
    const singles = new Set(read.all<{ id: number }>(sql`SELECT id FROM listings WHERE span = 0`).map((row) => row.id));
    let singleHits = 0;
    let rangeHits = 0;
    questions.forEach((question, position) => {
      const expected = memory.find(question.family, question.value).sort((a, b) => a - b);
      assert.deepEqual([...found[position]].sort((a, b) => a - b), expected, `IPv${question.family} ${formatAddress(question.family, question.value)}`);
      for (const id of expected) if (singles.has(id)) singleHits += 1;
      else rangeHits += 1;
    });
    // Both halves answered something: single addresses from SQLite, ranges from memory.
    assert.ok(singleHits > 200 && rangeHits > 5000, `${singleHits} single and ${rangeHits} range hits`);
    assert.equal(bulk.size, memory.size - singles.size, 'the in-memory part holds the ranges only');
    // One question at a time after that: the same answers.
    for (const question of questions.slice(0, 500)) {
      assert.deepEqual(bulk.find(question.family, question.value).sort((a, b) => a - b), memory.find(question.family, question.value).sort((a, b) => a - b));
    }
  });

  test("a bulk lookup's single addresses are one seek of the span index each", () => {
    const plan = core.connection.read.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${singlesAtSql('[]')}`).map((row) => row.detail);
    assert.match(plan[0], /SCAN q VIRTUAL TABLE INDEX/);
    assert.match(plan.join('\n'), /SEARCH l USING COVERING INDEX listings_by_span \(family=\? AND span=\? AND first=\?\)/);
  });

  test('a listing added after the first question is found at once', async () => {
    const probes = new ListingIndex(core.connection.read, { source: 'database' });
    assert.deepEqual(probes.find(4, 0x51fefefen), []);
    const added = await core.dispatch('listings.add', { range: '81.254.254.0/23', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' });
    assert.ok(added.ok);
    probes.refresh();
    assert.deepEqual(probes.find(4, 0x51fefefen), [added.value.listing.id]);
  });

  test('the probes are index searches, one per span present', () => {
    const plan = core.connection.read.all<{ detail: string }>(
      sql`EXPLAIN QUERY PLAN SELECT id FROM listings WHERE family = ${4} AND span = ${2} AND first BETWEEN ${Buffer.alloc(16)} AND ${Buffer.alloc(16)} AND last >= ${Buffer.alloc(16)}`,
    );
    assert.match(plan.map((row) => row.detail).join('\n'), /SEARCH listings USING COVERING INDEX listings_by_span \(family=\? AND span=\? AND first>\? AND first<\?\)/);
  });

  test('every span RepDesk wrote is the least that holds, as the migration computes it for older rows', () => {
    const read = core.connection.read;
    const differing = read.all<{ id: number }>({ text: `SELECT id FROM listings WHERE span <> (${SPAN_OF_ROW}) AND span <> ${WIDEST_SPAN}`, values: [] });
    assert.deepEqual(differing, []);
    const spans = read.all<{ span: number }>(sql`SELECT DISTINCT span FROM listings ORDER BY span`).map((row) => row.span);
    assert.ok(spans.length > 10, `spans seen: ${spans.join(', ')}`);
  });

  test('span arithmetic: IPv4 numbers, bigints and storage keys agree', () => {
    const random = mulberry32(99);
    for (let round = 0; round < 5000; round += 1) {
      const family: Family = round % 2 === 0 ? 4 : 6;
      const first = family === 4 ? randomBits(random, 32) : randomBits(random, 128);
      const last = first | randomBits(random, randomInt(random, 0, family === 4 ? 32 : 128));
      const keys = [Buffer.alloc(16), Buffer.alloc(16)];
      writeAddressKey(family, first, keys[0], 0);
      writeAddressKey(family, last, keys[1], 0);
      const span = spanOf(family, first, last);
      assert.equal(spanOfKeys(keys[0], keys[1]), span);
      if (family === 4) assert.equal(spanOfIpv4(Number(first), Number(last)), span);
      // The least: the range fits one aligned block of 16^span addresses and not one of 16^(span-1).
      const block = (value: bigint, digits: number) => value >> BigInt(4 * digits);
      assert.equal(block(first, span), block(last, span));
      if (span > 0) assert.notEqual(block(first, span - 1), block(last, span - 1));
    }
    assert.equal(spanOf(4, 0n, 0n), 0);
    assert.equal(spanOf(4, 0x2d0000ffn, 0x2d000100n), 3);
    assert.equal(spanOf(6, 0n, (1n << 128n) - 1n), 32);
  });
});
