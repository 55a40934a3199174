/** Routing of chosen and dropped files to the import that owns them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importDialogOptions, importIntent, importTargetOfDroppedFile, intentsForDroppedFiles, isPathList, sectionOfUrl } from '../../../main/electron/intents.js';

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

test('a mixed drop becomes one intent per import, and the rest is named', () => {
  const { intents, refused } = intentsForDroppedFiles(['/a.eml', '/b.csv', '/c.eml', '/d.zip'], 'dul');
  assert.deepEqual(intents, [
    { kind: 'import', target: 'samples', section: 'listings', paths: ['/a.eml', '/c.eml'] },
    { kind: 'import', target: 'dul', section: 'dul', paths: ['/b.csv'] },
  ]);
  assert.deepEqual(refused, ['/d.zip']);
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
  assert.deepEqual(importIntent('nominations', ['/x.json']), { kind: 'import', target: 'nominations', section: 'nominations', paths: ['/x.json'] });
});

test('the dropped-files message from the page is checked', () => {
  assert.equal(isPathList(['/a.eml']), true);
  assert.equal(isPathList([]), false);
  assert.equal(isPathList('/a.eml'), false);
  assert.equal(isPathList(['/a.eml', 3]), false);
  assert.equal(isPathList([''.padEnd(5000, 'a')]), false);
  assert.equal(isPathList(Array.from({ length: 1001 }, (_, index) => `/f${index}.eml`)), false);
});
