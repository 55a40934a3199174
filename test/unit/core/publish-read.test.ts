/**
 * readListingsInForce reads listings a chunk of rows at a time, each chunk as one text. Checked
 * here against the plain row-by-row query it replaced, on tens of thousands of random rows: gaps
 * in the ids, chunk edges, both families, every list, statuses, expiries, and TXT with the very
 * separators the chunk text uses, quotes, commas and non-ASCII text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { addressKey, type Family } from '../../../shared/address.js';
import { LISTS, REASONS_BY_LIST, type ListName, type Reason } from '../../../shared/domain.js';
import { createCore } from '../../../main/core/app.js';
import { sql } from '../../../main/core/db/sql.js';
import type { PublishedListing } from '../../../main/core/rule/listings-in-force.js';
import { mulberry32, pick, randomBits, randomInt } from '../support/random.js';
import { readListings } from '../support/published.js';

const NOW = new Date(Date.UTC(2026, 10, 28, 12, 0, 0));
const HOUR = 3_600_000;
const TEXTS = [null, '', 'plain words', 'a, b; c | d', 'separators \u001f and \u001e inside', 'quote " and backslash \\ and $', 'Ünïcödé — ✓ 中文', '0x1f'];

/** The query and conversion readListingsInForce used before it read in chunks. */
function rowByRow(databasePath: string, now: Date): PublishedListing[] {
  const database = new Database(databasePath, { readonly: true });
  try {
    const at = now.toISOString();
    const rows = database
      .prepare(`SELECT id, list, family, hex(first), hex(last), reason, txt, level FROM listings
        WHERE (status = 'active' OR (status = 'suppressed' AND suppressed_until <= ?))
          AND (expires_at IS NULL OR expires_at > ?)
        ORDER BY id`)
      .raw(true)
      .all(at, at) as Array<[number, string, number, string, string, string, string | null, number | null]>;
    return rows.map(([id, list, family, first, last, reason, txt, level]) => ({
      id,
      list: list as ListName,
      family: family as Family,
      first: family === 4 ? BigInt(parseInt(first.slice(24), 16)) : BigInt(`0x${first}`),
      last: family === 4 ? BigInt(parseInt(last.slice(24), 16)) : BigInt(`0x${last}`),
      reason: reason as Reason,
      txt,
      level,
    }));
  } finally {
    database.close();
  }
}

test('chunked read = the row-by-row read, on 40,000 random rows with gaps in the ids', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-read-'));
  const databasePath = join(folder, 'repdesk.sqlite');
  const core = createCore({ databasePath, now: () => NOW });
  try {
    const added = await core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, { actor: null });
    assert.ok(added.ok);
    const random = mulberry32(77);
    const database = new Database(databasePath);
    try {
      const investigator = (database.prepare('SELECT id FROM investigators').pluck().get() as number);
      const insert = database.prepare(`INSERT INTO listings (id, list, family, first, last, reason, investigator_id, status, suppressed_until, txt, level, expires_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const stamp = (offsetHours: number) => new Date(NOW.getTime() + offsetHours * HOUR).toISOString();
      database.transaction(() => {
        let id = 0;
        for (let row = 0; row < 40_000; row += 1) {
          // Mostly dense ids, some long gaps, and at the end a jump far out (ids are read in
          // keyset chunks, so a sparse table costs nothing more).
          id += row === 39_999 ? 2 ** 40 : random() < 0.001 ? randomInt(random, 16_000, 40_000) : randomInt(random, 1, 3);
          const family: Family = random() < 0.7 ? 4 : 6;
          const bits = family === 4 ? 32 : 128;
          const first = randomBits(random, bits);
          const span = random() < 0.6 ? 0n : randomBits(random, randomInt(random, 1, family === 4 ? 20 : 80));
          const maximum = (1n << BigInt(bits)) - 1n;
          const last = first + span > maximum ? maximum : first + span;
          const list = pick(random, LISTS);
          const roll = random();
          const status = roll < 0.6 ? 'active' : roll < 0.8 ? 'suppressed' : roll < 0.9 ? 'delisted' : 'expired';
          insert.run(
            id,
            list,
            family,
            addressKey(family, first),
            addressKey(family, last),
            pick(random, REASONS_BY_LIST[list]),
            investigator,
            status,
            status === 'suppressed' && random() < 0.8 ? stamp(randomInt(random, -3, 3)) : null,
            pick(random, TEXTS),
            list === 'QIL' ? randomInt(random, 1, 4) : null,
            random() < 0.3 ? stamp(randomInt(random, -2, 2)) : null,
            stamp(-10),
            stamp(-10),
          );
        }
      })();
    } finally {
      database.close();
    }
    for (const offsetHours of [-1, 0, 1.5]) {
      const at = new Date(NOW.getTime() + offsetHours * HOUR);
      const expected = rowByRow(databasePath, at);
      const actual = readListings(core.connection.read, at);
      assert.ok(expected.length > 20_000, `${expected.length} rows in force`);
      assert.deepEqual(actual, expected, `at ${at.toISOString()}`);
    }
    // Publishing reads with the memory map off (its pages would stay in the RSS); the same rows,
    // and the map is back afterwards.
    const read = core.connection.read;
    const mapSize = (): number | undefined => read.get<{ mmap_size: number }>(sql`PRAGMA mmap_size`)?.mmap_size;
    const mapped = mapSize();
    assert.ok(mapped !== undefined && mapped > 0, `mmap_size ${mapped}`);
    const unmapped = read.withoutMemoryMap(() => {
      assert.equal(mapSize(), 0);
      return readListings(read, NOW);
    });
    assert.deepEqual(unmapped, rowByRow(databasePath, NOW));
    assert.equal(mapSize(), mapped);
    assert.throws(() => read.withoutMemoryMap(() => {
      throw new Error('failed read');
    }), /failed read/);
    assert.equal(mapSize(), mapped, 'a failed read leaves the map as it was');
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('chunked read of an empty listings table', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-read-'));
  const core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => NOW });
  try {
    assert.deepEqual(readListings(core.connection.read, NOW), []);
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a listing in force whose list or reason is none of the known ones is named, not read as another', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-read-'));
  const databasePath = join(folder, 'repdesk.sqlite');
  const core = createCore({ databasePath, now: () => NOW });
  try {
    assert.ok((await core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, { actor: null })).ok);
    const database = new Database(databasePath);
    try {
      const investigator = database.prepare('SELECT id FROM investigators').pluck().get() as number;
      const insert = database.prepare(`INSERT INTO listings (id, list, family, first, last, reason, investigator_id, status, created_at, updated_at)
        VALUES (?, ?, 4, ?, ?, ?, ?, 'active', ?, ?)`);
      const address = addressKey(4, 0x2d000001n);
      insert.run(1, 'RBL', address, address, 'spam-source', investigator, NOW.toISOString(), NOW.toISOString());
      insert.run(2, 'RBL', address, address, 'bulk-mail', investigator, NOW.toISOString(), NOW.toISOString());
      assert.throws(() => readListings(core.connection.read, NOW), /unknown reason "bulk-mail"/);
      database.prepare("UPDATE listings SET reason = 'spam-source' WHERE id = 2").run();
      database.prepare("INSERT INTO listings (id, list, family, first, last, reason, investigator_id, status, created_at, updated_at) VALUES (3, 'XBL', 4, ?, ?, 'spam-source', ?, 'active', ?, ?)")
        .run(address, address, investigator, NOW.toISOString(), NOW.toISOString());
      assert.throws(() => readListings(core.connection.read, NOW), /unknown list "XBL"/);
    } finally {
      database.close();
    }
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
