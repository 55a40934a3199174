/**
 * A file import inserts its rows in multi-row INSERT statements. Across the statements' edges
 * every range must go in exactly once, with its own TXT and bounds, in one contiguous id run that
 * the import's single history event names; duplicates within the file (neighbours once sorted)
 * and ranges already listed are skipped with a note.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../main/core/app.js';
import { sql } from '../../../main/core/db/sql.js';
import { formatRange, readAddressKeyHex } from '../../../shared/address.js';

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
