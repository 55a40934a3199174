/**
 * `listings.importPreview` reads a file as the import does and says what the import would do,
 * writing nothing; the import then reports the lines it merged and the ranges already listed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCore, type Core } from '../../../main/core/app.js';
import type { ImportSummary } from '../../../shared/listings.js';
import type { ListingsImportPreview } from '../../../shared/listing-check.js';

let folder: string;
let databasePath: string;
let core: Core;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-import-preview-'));
  databasePath = join(folder, 'repdesk.sqlite');
  core = createCore({ databasePath });
  assert.ok((await core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] }, { actor: null })).ok);
  for (const range of ['81.2.0.0/16', '45.1.1.0/24']) assert.ok((await core.dispatch('listings.add', { range, list: 'RBL', reason: 'spam-source' }, { actor: 'Ana', localFiles: true })).ok);
});

after(() => {
  core.close();
  rmSync(folder, { recursive: true, force: true });
});

const FILE = ['# from the abuse desk', '81.2.3.0/24', '45.1.1.0/24', '23.5.6.7/24', '81.2.3.0/24', '2a01:4f8::/32', '', '81.2.3.0/24'].join('\n');

test('the preview counts, merges, finds the already listed and the overlaps, and writes nothing', async () => {
  const path = join(folder, 'list.txt');
  writeFileSync(path, FILE);
  const handle = new Database(databasePath, { readonly: true });
  const counts = () => handle.prepare('SELECT (SELECT count(*) FROM listings) AS listings, (SELECT count(*) FROM events) AS events').get();
  const before = counts();
  const result = await core.dispatch('listings.importPreview', { file: { path }, list: 'RBL', reason: 'open-relay' }, { actor: 'Ana', localFiles: true });
  if (!result.ok) assert.fail(result.error.message);
  const preview: ListingsImportPreview = result.value;
  assert.deepEqual([preview.source, preview.entries, preview.ranges, preview.ipv4, preview.ipv6, preview.willImport], ['list.txt', 6, 6, 5, 1, 3]);
  assert.deepEqual(preview.merged, {
    total: 2,
    items: ['line 5: 81.2.3.0/24 also stands on line 2; imported once', 'line 8: 81.2.3.0/24 also stands on line 2; imported once'],
  });
  assert.deepEqual(preview.alreadyListed.items, ['line 3: 45.1.1.0/24 is already listed on RBL as #2; skipped']);
  assert.deepEqual(preview.normalisations.items, ['line 4: 23.5.6.7/24 has host bits set; normalised to 23.5.6.0/24']);
  assert.deepEqual(preview.overlaps.items, ['line 2: 81.2.3.0/24 overlaps RBL #1 81.2.0.0/16']);
  assert.equal(preview.rejected.total, 0);
  assert.deepEqual(counts(), before, 'the preview wrote nothing');
  handle.close();

  const imported = await core.dispatch('listings.importFile', { file: { path }, list: 'RBL', reason: 'open-relay' }, { actor: 'Ana', localFiles: true });
  if (!imported.ok) assert.fail(imported.error.message);
  const summary: ImportSummary = imported.value;
  assert.deepEqual([summary.imported, summary.merged, summary.alreadyListed], [3, 2, 1], 'the import did what the preview said');
});

test('bad lines are listed with their numbers, and nothing would be imported', async () => {
  const path = join(folder, 'bad.csv');
  writeFileSync(path, 'range,txt\n81.9.0.0/16,Spam\n300.1.1.1,Bad\n10.0.0.0/8,Private\n');
  const result = await core.dispatch('listings.importPreview', { file: { path }, list: 'RBL', reason: 'spam-source' }, { actor: 'Ana', localFiles: true });
  if (!result.ok) assert.fail(result.error.message);
  assert.equal(result.value.willImport, 0);
  assert.equal(result.value.rejected.total, 2);
  assert.match(result.value.rejected.items[0], /^line 3: .*300\.1\.1\.1/);
  assert.match(result.value.rejected.items[1], /^line 4: 10\.0\.0\.0\/8 overlaps 10\.0\.0\.0\/8, private/);
});
