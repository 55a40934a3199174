/**
 * A server's address index, rebuilt off the event loop after another connection committed many
 * listings (a job's import), answers for them at once: until the rebuilt index is in, lookups
 * also probe SQLite for the ids it does not hold yet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../main/core/app.js';
import { openDatabase } from '../../../main/core/db/connection.js';
import { ListingIndex } from '../../../main/core/lookup/listing-index.js';
import { parseAddress } from '../../../shared/address.js';

const address = (index: number) => `45.2.${index >> 8}.${index & 255}`;

test('listings another connection committed are found at once, before the rebuilt index is in, and after', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-catch-up-'));
  const path = join(folder, 'repdesk.sqlite');
  const writer = createCore({ databasePath: path });
  const reader = openDatabase(path, { readonly: true });
  const index = new ListingIndex(reader.read, { databasePath: path });
  try {
    const added = await writer.dispatch('investigators.add', { name: 'Ann', roles: ['investigator'] }, { actor: null });
    assert.ok(added.ok);
    const before = await writer.dispatch('listings.add', { range: '81.0.0.0/24', list: 'RBL', reason: 'spam-source' }, { actor: 'Ann', localFiles: true });
    assert.ok(before.ok);
    await index.load();
    const file = join(folder, 'many.txt');
    writeFileSync(file, `${Array.from({ length: 6000 }, (_, index) => address(index)).join('\n')}\n`);
    const imported = await writer.dispatch('listings.importFile', { file: { path: file }, list: 'RBL', reason: 'spam-source' }, { actor: 'Ann', localFiles: true });
    assert.ok(imported.ok, JSON.stringify(imported));

    const value = (text: string) => {
      const parsed = parseAddress(text);
      assert.ok(parsed.ok);
      return parsed.value.value;
    };
    // The refresh starts a rebuild in a worker; in this same turn of the event loop it cannot be in yet.
    index.refresh();
    assert.equal(index.builtMaxId, before.value.listing.id, 'the rebuilt index is not in yet');
    assert.equal(index.find(4, value(address(4321))).length, 1, 'found by the probe meanwhile');
    assert.deepEqual(index.find(4, value('81.0.0.9')), [before.value.listing.id], 'and what the index held, once');
    for (let waited = 0; index.builtMaxId === before.value.listing.id; waited += 1) {
      assert.ok(waited < 600, 'the rebuild came in');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(index.find(4, value(address(4321))).length, 1, 'found by the rebuilt index');
    assert.equal(index.find(4, value(address(5999))).length, 1);
  } finally {
    index.close();
    reader.close();
    writer.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
