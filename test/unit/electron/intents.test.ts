/** Routing of chosen and dropped files to the import that owns them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importDialogOptions, importIntent, importTargetOfDroppedFile, importsForDroppedFiles, intentsForImports, isPathList, sectionOfUrl } from '../../../main/electron/intents.js';
import type { UploadReceipt } from '../../../shared/files.js';

function receipt(path: string): UploadReceipt {
  return { upload: `id-${path.replace(/\W/g, '')}`.padEnd(32, 'x'), name: path.slice(path.lastIndexOf('/') + 1), size: 1, sha256: '0'.repeat(64), expiresAt: '2026-11-29T00:00:00.000Z' };
}

test('messages are samples and JSON is a nomination bundle wherever they are dropped', () => {
  for (const section of ['lookup', 'dul', 'nominations', 'publish'] as const) {
    assert.equal(importTargetOfDroppedFile('/tmp/Spam.EML', section), 'samples');
    assert.equal(importTargetOfDroppedFile('/tmp/trap.mbox', section), 'samples');
    assert.equal(importTargetOfDroppedFile('/tmp/bundle.json', section), 'nominations');
  }
});

test('a table goes to the import of the section it is dropped on, else to the listings import', () => {
  assert.equal(importTargetOfDroppedFile('/tmp/isp.csv', 'dul'), 'dul');
  assert.equal(importTargetOfDroppedFile('/tmp/mta.csv', 'nominations'), 'nominations');
  assert.equal(importTargetOfDroppedFile('/tmp/ranges.txt', 'listings'), 'listings');
  assert.equal(importTargetOfDroppedFile('/tmp/ranges.txt', 'lookup'), 'listings');
  assert.equal(importTargetOfDroppedFile('/tmp/setup.exe', 'dul'), null);
  assert.equal(importTargetOfDroppedFile('/tmp/noextension', 'dul'), null);
});

test('a mixed drop becomes one import per target, and the rest is named', () => {
  const { imports, refused } = importsForDroppedFiles(['/a.eml', '/b.csv', '/c.eml', '/d.zip'], 'dul');
  assert.deepEqual(imports, [
    { target: 'samples', paths: ['/a.eml', '/c.eml'] },
    { target: 'dul', paths: ['/b.csv'] },
  ]);
  assert.deepEqual(refused, ['/d.zip']);
});

test('each file of an import is registered as an upload: the intent carries receipts, never paths; a file that cannot be registered is named', async () => {
  const registered: string[] = [];
  const register = async (path: string) => {
    if (path === '/gone.eml') throw new Error('/gone.eml: cannot be read (ENOENT)');
    registered.push(path);
    return receipt(path);
  };
  const { intents, refused } = await intentsForImports([{ target: 'samples', paths: ['/a.eml', '/gone.eml', '/c.eml'] }, { target: 'dul', paths: ['/gone.eml'] }], register);
  assert.deepEqual(registered, ['/a.eml', '/c.eml']);
  assert.deepEqual(intents, [{ kind: 'import', target: 'samples', section: 'listings', files: [receipt('/a.eml'), receipt('/c.eml')] }]);
  assert.ok(!JSON.stringify(intents).includes('/a.eml'), 'no path reaches the page');
  assert.deepEqual(refused, ['/gone.eml: cannot be read (ENOENT)', '/gone.eml: cannot be read (ENOENT)']);
});

test('the section comes from the page URL hash route', () => {
  assert.equal(sectionOfUrl('file:///opt/app/index.html#/dul'), 'dul');
  assert.equal(sectionOfUrl('file:///opt/app/index.html#/lookup/192.0.2.1'), 'lookup');
  assert.equal(sectionOfUrl('file:///opt/app/index.html'), 'lookup');
  assert.equal(sectionOfUrl('file:///opt/app/index.html#/nowhere'), 'lookup');
});

test('each import dialog filters its own file kinds; samples may be several at once', () => {
  assert.deepEqual(importDialogOptions('samples'), { title: 'Import spam samples', filters: [{ name: 'Spam samples', extensions: ['eml', 'mbox'] }], properties: ['openFile', 'multiSelections'] });
  assert.deepEqual(importDialogOptions('dul').properties, ['openFile']);
  assert.deepEqual(importDialogOptions('nominations').filters[0].extensions, ['json', 'csv']);
  assert.deepEqual(importIntent('nominations', [receipt('/x.json')]), { kind: 'import', target: 'nominations', section: 'nominations', files: [receipt('/x.json')] });
});

test('the dropped-files message from the page is checked', () => {
  assert.equal(isPathList(['/a.eml']), true);
  assert.equal(isPathList([]), false);
  assert.equal(isPathList('/a.eml'), false);
  assert.equal(isPathList(['/a.eml', 3]), false);
  assert.equal(isPathList([''.padEnd(5000, 'a')]), false);
  assert.equal(isPathList(Array.from({ length: 1001 }, (_, index) => `/f${index}.eml`)), false);
});
