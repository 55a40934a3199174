/**
 * Large inserts rebuild the listings' timestamp indexes instead of maintaining them row by row:
 * afterwards the indexes are exactly the ones the migrations made, and a failed insert leaves
 * them as they were (the drop is inside the transaction).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../main/core/app.js';
import { DEFERRABLE_LISTING_INDEXES, MIN_DEFERRED_ROWS, withDeferredIndexes } from '../../../main/core/db/bulk-indexes.js';
import { sql } from '../../../main/core/db/sql.js';

test('a large import rebuilds the deferred indexes exactly, and a failed one leaves them in place', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-bulk-'));
  const core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
  try {
    const indexes = () => core.connection.read.all<{ name: string; sql: string }>(sql`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'listings' ORDER BY name`);
    const before = indexes();
    for (const name of DEFERRABLE_LISTING_INDEXES) assert.ok(before.some((index) => index.name === name), `${name} exists`);
    const added = await core.dispatch('investigators.add', { name: 'Ann', roles: ['investigator'] }, { actor: null });
    assert.ok(added.ok);
    const rows = MIN_DEFERRED_ROWS + 5000;
    const lines = Array.from({ length: rows }, (_, index) => `11.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
    const file = join(folder, 'many.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const imported = await core.dispatch('listings.importFile', { file: { path: file }, list: 'RBL', reason: 'spam-source' }, { actor: 'Ann', localFiles: true });
    assert.ok(imported.ok && imported.value.imported === rows, JSON.stringify(imported));
    assert.deepEqual(indexes(), before, 'the same indexes, from the same definitions');
    const count = core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM listings INDEXED BY listings_by_updated WHERE updated_at > ''`);
    assert.equal(count?.count, rows, 'the rebuilt index holds every new row');

    const write = core.connection.write;
    assert.throws(() =>
      write.transaction(() =>
        withDeferredIndexes(write, DEFERRABLE_LISTING_INDEXES, rows * 2, () => {
          assert.equal(write.get(sql`SELECT 1 AS found FROM sqlite_master WHERE name = 'listings_by_updated'`), undefined, 'dropped inside the transaction');
          throw new Error('the insert failed');
        }),
      ),
    /the insert failed/);
    assert.deepEqual(indexes(), before, 'a failed insert leaves every index in place');
  } finally {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
