/**
 * A file import inserts its rows in multi-row INSERT statements. Across the statements' edges
 * every range must go in exactly once, with its own TXT and bounds, in one contiguous id run that
 * the import's single history event names; duplicates within the file (neighbours once sorted)
 * and ranges already listed are skipped with a note, also when the database holds many listings
 * (the check for them reads a chunk of entries per statement).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../main/core/app.js';
import { sql } from '../../../main/core/db/sql.js';
import { formatAddress, formatRange, readAddressKeyHex } from '../../../shared/address.js';
import { alreadyListedSql } from '../../../main/core/listings/staged-import.js';

test('an import of 1,300 ranges: every range once, its own TXT, contiguous ids, one history event', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-import-'));
  const core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
  try {
    const added = await core.dispatch('investigators.add', { name: 'Ann', roles: ['investigator'] }, { actor: null });
    assert.ok(added.ok);
    // Two ranges are listed already: the import skips them.
    for (const range of ['11.0.0.7', '11.0.4.1']) {
      const listed = await core.dispatch('listings.add', { range, list: 'RBL', reason: 'spam-source' }, { actor: 'Ann', localFiles: true });
      assert.ok(listed.ok, JSON.stringify(listed));
    }
    // 1,300 distinct addresses in reverse order (the import sorts them), each with its own TXT,
    // two of them twice, and two IPv6 ranges: more than two full INSERT statements and a rest.
    const address = (index: number) => `11.0.${index >> 8}.${index & 255}`;
    const lines = ['range,txt'];
    for (let index = 1299; index >= 0; index -= 1) lines.push(`${address(index)},host ${index}`);
    lines.push(`${address(511)},again`, `${address(1023)},again`, '2001:db7:1::/48,v6 one', '2001:db7:2::/48,v6 two');
    const file = join(folder, 'ranges.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const result = await core.dispatch('listings.importFile', { file: { path: file }, list: 'RBL', reason: 'spam-source' }, { actor: 'Ann', localFiles: true });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.imported, 1300 + 2 - 2, 'every distinct range but the two already listed');
    assert.equal(result.value.notes.filter((note) => /imported once/.test(note)).length, 2);
    assert.equal(result.value.notes.filter((note) => /is already listed as #\d+; skipped/.test(note)).length, 2);

    const rows = core.connection.read.all<{ id: number; first: string; last: string; txt: string | null }>(
      sql`SELECT id, hex(first) AS first, hex(last) AS last, txt FROM listings WHERE id > 2 ORDER BY id`,
    );
    assert.equal(rows.length, 1300);
    assert.equal(rows[rows.length - 1].id - rows[0].id + 1, rows.length, 'one contiguous run of ids');
    const seen = new Map<string, string | null>();
    for (const row of rows) {
      const first = readAddressKeyHex(row.first);
      const range = formatRange({ family: first.family, first: first.value, last: readAddressKeyHex(row.last).value });
      assert.ok(!seen.has(range), `${range} once`);
      seen.set(range, row.txt);
    }
    for (let index = 0; index < 1300; index += 1) {
      if (index === 7 || index === 1025) continue; // 11.0.0.7 and 11.0.4.1: listed before
      assert.equal(seen.get(address(index)), `host ${index}`, address(index));
    }
    assert.equal(seen.get('2001:db7:1::/48'), 'v6 one');
    assert.equal(seen.get('2001:db7:2::/48'), 'v6 two');

    const event = core.connection.read.get<{ subject_id: number; subject_last: number; details: string }>(
      sql`SELECT subject_id, subject_last, details FROM events WHERE action = 'listings.imported'`,
    );
    assert.deepEqual([event?.subject_id, event?.subject_last], [rows[0].id, rows[rows.length - 1].id]);
    assert.equal((JSON.parse(event?.details ?? '{}') as { count: number }).count, 1300);
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('into a database that holds listings: ranges active on the same list are skipped (over several checking statements), a delisted one or one on another list is imported', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-import-'));
  const core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
  const importFile = async (name: string, lines: readonly string[], list: 'RBL' | 'MML') => {
    const file = join(folder, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await core.dispatch('listings.importFile', { file: { path: file }, list, reason: list === 'RBL' ? 'spam-source' : 'marketing' }, { actor: 'Ann', localFiles: true });
    assert.ok(result.ok, JSON.stringify(result));
    return result.value;
  };
  try {
    assert.ok((await core.dispatch('investigators.add', { name: 'Ann', roles: ['investigator'] }, { actor: null })).ok);
    const address = (index: number) => `45.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
    const listed = Array.from({ length: 3000 }, (_, index) => address(index * 3));
    assert.equal((await importFile('first.txt', [...listed, '2a01:4f8:1::/48'], 'RBL')).imported, 3001);
    assert.equal((await importFile('other-list.txt', Array.from({ length: 500 }, (_, index) => address(index * 3 + 1)), 'MML')).imported, 500);
    const delisted = core.connection.read.get<{ id: number }>(sql`SELECT id FROM listings WHERE hex(first) = ${'00000000000000000000FFFF2D000003'} AND list = 'RBL'`);
    assert.ok(delisted);
    assert.ok((await core.dispatch('listings.delist', { id: delisted.id, why: 'cleaned' }, { actor: 'Ann' })).ok);

    // 12,000 addresses in random order (more than one statement's worth of the check): the 3,000
    // listed on RBL (one of them delisted since), 500 on MML only, and 8,500 new; two IPv6 ranges.
    const lines = Array.from({ length: 12_000 }, (_, index) => address(index < 3000 ? index * 3 : index < 3500 ? (index - 3000) * 3 + 1 : 100_000 + index));
    let seed = 5;
    for (let index = lines.length - 1; index > 0; index -= 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const other = seed % (index + 1);
      [lines[index], lines[other]] = [lines[other], lines[index]];
    }
    lines.push('2a01:4f8:1::/48', '2a01:4f8:2::/48');
    const summary = await importFile('again.txt', lines, 'RBL');
    assert.equal(summary.alreadyListed, 2999 + 1, 'the active ones on RBL, the IPv6 one included');
    assert.equal(summary.imported, 1 + 500 + 8500 + 1, 'the delisted one, those on MML only, the new ones');
    const firstSkipped = summary.notes.find((note) => /is already listed as #\d+; skipped/.test(note)) ?? '';
    const [, line, range, id] = /^line (\d+): (\S+) is already listed as #(\d+); skipped$/.exec(firstSkipped) ?? [];
    assert.equal(lines[Number(line) - 1], range, firstSkipped);
    const row = core.connection.read.get<{ first: string; list: string; status: string }>(sql`SELECT hex(first) AS first, list, status FROM listings WHERE id = ${Number(id)}`);
    assert.ok(row, firstSkipped);
    const key = readAddressKeyHex(row.first);
    assert.deepEqual([formatAddress(key.family, key.value), row.list, row.status], [range, 'RBL', 'active']);
    const active = core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings WHERE list = 'RBL' AND status = 'active'`);
    assert.equal(active?.count, 3001 - 1 + summary.imported);
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the check for ranges listed already is one seek of the range index per entry', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-import-'));
  const core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
  try {
    const plan = core.connection.read.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${alreadyListedSql('[]', 'RBL')}`).map((row) => row.detail);
    assert.match(plan[0], /SCAN q VIRTUAL TABLE INDEX/);
    assert.match(plan.join('\n'), /SEARCH l USING INDEX listings_by_range \(family=\? AND first=\? AND last=\?\)/);
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
