/**
 * An import writes in short transactions and nobody sees any of it until it commits: paused
 * between two of its steps, lookup, the record, the listings table and its counts, full-text
 * search, publish preview, the dashboard, the history and another process's connection see only
 * what was there before; a person may list one of its ranges meanwhile (theirs wins); after the
 * commit everything shows it. Cancelled, its listings go; left by a process that died, they go
 * when the database is next opened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCore, type Core } from '../../../main/core/app.js';
import { sql } from '../../../main/core/db/sql.js';
import { AppError } from '../../../main/core/errors.js';
import { importListingsFile } from '../../../main/core/listings/listings.js';
import { readSettings } from '../../../main/core/settings/settings.js';
import type { OperationName } from '../../../shared/contract.js';

const CLI = { actor: 'Ann', localFiles: true } as const;
const address = (index: number) => `23.1.${index >> 8}.${index & 255}`;
const ENTRIES = 3000;

async function call<Name extends OperationName>(core: Core, name: Name, input: unknown): Promise<unknown> {
  const result = await core.dispatch(name, input, CLI);
  assert.ok(result.ok, `${name}: ${JSON.stringify(result)}`);
  return result.value;
}

/** What a person (or another process) can see of the listings, in one object to compare. */
async function view(core: Core): Promise<Record<string, unknown>> {
  const lookup = (await call(core, 'lookup', { ip: address(5) })) as { listings: unknown[] };
  const table = (await call(core, 'listings.query', { filter: {}, sort: { column: 'id', descending: false }, limit: 50, withCount: true })) as { rows: Array<{ id: number }>; total: number };
  const active = (await call(core, 'listings.query', { filter: { status: 'active', list: 'RBL' }, sort: { column: 'id', descending: false }, limit: 50, withCount: true })) as { total: number };
  const search = (await call(core, 'search.text', { q: 'imported', limit: 20 })) as unknown[];
  const preview = (await call(core, 'publish.preview', {})) as { lists: unknown };
  const dashboard = (await call(core, 'dashboard.get', { period: 'week' })) as { lists: unknown };
  const bulk = (await call(core, 'lookup.bulk', { ips: [address(1), address(ENTRIES - 1)] })) as unknown;
  return {
    lookup: lookup.listings,
    tableIds: table.rows.map((row) => row.id),
    total: table.total,
    active: active.total,
    search,
    preview: preview.lists,
    dashboard: dashboard.lists,
    bulk,
    events: core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM events WHERE action = 'listings.imported'`)?.count,
  };
}

function setUp(): { folder: string; file: string; core: Core; path: string } {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-staged-'));
  const path = join(folder, 'repdesk.sqlite');
  const core = createCore({ databasePath: path });
  const lines = ['range,txt'];
  for (let index = ENTRIES - 1; index >= 0; index -= 1) lines.push(`${address(index)},imported ${index}`);
  const file = join(folder, 'ranges.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { folder, file, core, path };
}

/** Ann's import of `file` (as ranges.csv) onto RBL, with the steps' options of `importListingsFile`. */
function importInSteps(core: Core, file: string, steps: Parameters<typeof importListingsFile>[6]) {
  return importListingsFile(
    core.connection.write,
    'Ann',
    { file: { path: file, name: 'ranges.csv', folder: null }, list: 'RBL', reason: 'spam-source' },
    readSettings(core.connection.read),
    new Date(),
    () => undefined,
    steps,
  );
}

/** An import of the file with 100-listing steps, paused before its `pauseAt`-th step until released. */
function pausedImport(core: Core, file: string, pauseAt: number, throwAt = Infinity) {
  let steps = 0;
  let release: () => void = () => undefined;
  let paused: () => void = () => undefined;
  const isPaused = new Promise<void>((resolve) => (paused = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const done = importInSteps(core, file, {
    stepRows: 100,
    beforeStep: async () => {
      steps += 1;
      if (steps === throwAt) throw new AppError('cancelled', 'listings.importFile was cancelled; nothing was changed');
      if (steps === pauseAt) {
        paused();
        await released;
      }
    },
  });
  return { isPaused, release, done };
}

test('an import paused between its steps is seen by nobody; a range a person lists meanwhile is theirs; after commit everything shows it', async () => {
  const { folder, file, core, path } = setUp();
  const other = createCore({ databasePath: path });
  try {
    await call(core, 'investigators.add', { name: 'Ann', roles: ['investigator', 'publisher'] });
    await call(core, 'listings.add', { range: '45.0.0.0/24', list: 'RBL', reason: 'spam-source', txt: 'imported before' });
    const before = await view(core);
    const beforeOther = await view(other);

    const run = pausedImport(core, file, 10);
    await run.isPaused;
    const block = core.connection.read.get<{ first: number; last: number }>(sql`SELECT first_id AS first, last_id AS last FROM listing_imports`);
    assert.ok(block, 'the import is in progress');
    const written = core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings WHERE id BETWEEN ${block.first} AND ${block.last}`)?.count ?? 0;
    assert.ok(written >= 800, `steps were committed (${written} rows) before the pause`);

    assert.deepEqual(await view(core), before, 'this process sees nothing of the import');
    assert.deepEqual(await view(other), beforeOther, 'another connection sees nothing of it');
    const byId = await core.dispatch('listings.get', { id: block.first }, CLI);
    assert.equal(byId.ok ? 'found' : byId.error.code, 'not-found');
    const record = await core.dispatch('listings.record', { id: block.last }, CLI);
    assert.equal(record.ok ? 'found' : record.error.code, 'not-found');
    const preview = (await call(core, 'listings.importPreview', { file: { path: file }, list: 'RBL', reason: 'spam-source' })) as { willImport: number; alreadyListed: { total: number } };
    assert.equal(preview.alreadyListed.total, 0, 'the preview finds none of it listed');
    assert.equal(preview.willImport, ENTRIES);

    // A person lists one range the import has written and one it has not reached: both are made.
    const early = (await call(core, 'listings.add', { range: address(5), list: 'RBL', reason: 'spam-source' })) as { listing: { id: number } };
    const late = (await call(core, 'listings.add', { range: address(ENTRIES - 10), list: 'RBL', reason: 'spam-source' })) as { listing: { id: number } };
    assert.ok(early.listing.id > block.last && late.listing.id > block.last, 'their ids come after the reserved block');

    run.release();
    const summary = await run.done;
    // As dispatch does after every write (the import was called directly, to pause it).
    core.index.refresh();
    assert.equal(summary.imported, ENTRIES - 2, 'the two ranges listed meanwhile are left to the person');
    assert.equal(summary.alreadyListed, 2);
    assert.equal(core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listing_imports`)?.count, 0);

    const after = await view(core);
    assert.equal(after.total, 1 + ENTRIES);
    assert.equal(after.active, 1 + ENTRIES);
    assert.equal(after.events, 1);
    assert.deepEqual(
      (after.lookup as Array<{ id: number }>).map((listing) => listing.id),
      [early.listing.id],
      'the address a person listed during the import answers with their listing only',
    );
    const otherAfter = await view(other);
    assert.equal(otherAfter.total, 1 + ENTRIES, 'another connection sees the import once committed');
    assert.notDeepEqual(otherAfter.dashboard, beforeOther.dashboard, 'the dashboard counts it');
    const hit = (await call(core, 'lookup', { ip: address(7) })) as { listings: Array<{ txt: string | null }> };
    assert.equal(hit.listings[0]?.txt, 'imported 7');
    const found = (await call(core, 'search.text', { q: 'imported', limit: 5 })) as unknown[];
    assert.equal(found.length, 5);
    const duplicates = core.connection.read.get<{ count: number }>(
      sql`SELECT count(*) AS count FROM (SELECT 1 FROM listings WHERE status = 'active' GROUP BY list, family, first, last HAVING count(*) > 1)`,
    );
    assert.equal(duplicates?.count, 0, 'no range is listed twice');
    const verified = (await call(core, 'audit.verify', {})) as { ok: boolean };
    assert.equal(verified.ok, true);
  } finally {
    other.close();
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a cancelled import leaves nothing: its committed steps are removed', async () => {
  const { folder, file, core } = setUp();
  try {
    await call(core, 'investigators.add', { name: 'Ann', roles: ['investigator', 'publisher'] });
    const before = await view(core);
    const run = pausedImport(core, file, Infinity, 12);
    await assert.rejects(run.done, /cancelled/);
    assert.equal(core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings`)?.count, 0);
    assert.equal(core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listing_imports`)?.count, 0);
    assert.equal(core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings_fts`)?.count, 0, 'their text left the full-text index');
    assert.deepEqual(await view(core), before);
    // Listings are still never deleted otherwise.
    await call(core, 'listings.add', { range: address(1), list: 'RBL', reason: 'spam-source' });
    assert.throws(() => core.connection.write.run(sql`DELETE FROM listings`), /never deleted/);
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('an import whose process died is removed when the database is next opened', async () => {
  const { folder, file, core } = setUp();
  const copy = join(folder, 'copy.sqlite');
  try {
    await call(core, 'investigators.add', { name: 'Ann', roles: ['investigator', 'publisher'] });
    const run = pausedImport(core, file, 8);
    await run.isPaused;
    // The database as a process killed here leaves it, its owner a process that is gone.
    core.connection.write.run(sql`VACUUM INTO ${copy}`);
    const raw = new Database(copy);
    raw.prepare('UPDATE listing_imports SET owner = ?, owner_pid = 2147483646').run(`${hostname()}:2147483646:0`);
    assert.ok((raw.prepare('SELECT count(*) AS count FROM listings').get() as { count: number }).count > 500);
    raw.close();
    run.release();
    await run.done;

    const reopened = createCore({ databasePath: copy });
    try {
      assert.equal(reopened.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings`)?.count, 0);
      assert.equal(reopened.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listing_imports`)?.count, 0);
      const verified = await reopened.dispatch('audit.verify', {}, CLI);
      assert.ok(verified.ok && verified.value.ok, JSON.stringify(verified));
    } finally {
      reopened.close();
    }
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test("an import's steps append their listings: the table's pages are left full, and the listings and their text are all there", async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-staged-layout-'));
  const core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
  try {
    await call(core, 'investigators.add', { name: 'Ann', roles: ['investigator'] });
    const count = 20_000;
    // Feed order is not address order; a few entries carry text (the full-text index follows the sentinel's moves).
    const lines = ['range,txt'];
    for (let index = 0; index < count; index += 1) {
      const scrambled = (index * 7919) % count;
      lines.push(`${`31.${scrambled >> 16}.${(scrambled >> 8) & 255}.${scrambled & 255}`},${scrambled % 500 === 0 ? `run ${scrambled}` : ''}`);
    }
    const file = join(folder, 'ranges.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await importInSteps(core, file, { stepRows: 500 });
    assert.equal(result.imported, count);
    // Written in front of the block's last listing, each step split the pages it went through: 11% of each leaf empty here, 4% appended.
    const leaves = core.connection.read.get<{ pages: number; unused: number; size: number }>(
      sql`SELECT count(*) AS pages, sum(unused) AS unused, sum(pgsize) AS size FROM dbstat WHERE name = 'listings' AND pagetype = 'leaf'`,
    );
    assert.ok(leaves && leaves.pages > 100, `${leaves?.pages} leaf pages`);
    assert.ok(leaves.unused / leaves.size < 0.07, `${((100 * leaves.unused) / leaves.size).toFixed(1)}% of the listings' leaf pages is empty`);
    // In address order, one id each, the last address at the block's last id; the text indexed once.
    const rows = core.connection.read.all<{ id: number; first: string }>(sql`SELECT id, hex(first) AS first FROM listings ORDER BY id`);
    assert.equal(rows.length, count);
    for (let index = 1; index < rows.length; index += 1) assert.ok(rows[index - 1].first < rows[index].first && rows[index].id === rows[index - 1].id + 1, `listing #${rows[index].id} out of order`);
    assert.equal(core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings_fts`)?.count, count / 500);
    core.connection.write.run(sql`INSERT INTO listings_fts (listings_fts) VALUES ('integrity-check')`);
    assert.equal(core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings_fts WHERE listings_fts MATCH ${`"run ${count - 500}"`}`)?.count, 1);
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
