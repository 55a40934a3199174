/** Where the page goes for the shell's intents. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intentHash, type Intent } from '../../../shared/desktop.js';
import type { UploadReceipt } from '../../../shared/files.js';

const receipt = (name: string): UploadReceipt => ({ upload: 'u'.repeat(32), name, size: 1, sha256: '0'.repeat(64), expiresAt: '2026-11-29T00:00:00.000Z' });

const dulImport: Intent = { kind: 'import', target: 'dul', section: 'dul', files: [receipt('isp.csv')] };

test('an intent sends the page to its section', () => {
  assert.equal(intentHash({ kind: 'navigate', section: 'publish' }, '#/lookup/192.0.2.1'), '#/publish');
  assert.equal(intentHash(dulImport, ''), '#/dul');
  assert.equal(intentHash({ kind: 'import', target: 'samples', section: 'listings', files: [receipt('a.eml')] }, '#/dul/Acme'), '#/listings');
});

test("a page already on the intent's section keeps its route, so one ISP's page takes the file dropped on it", () => {
  assert.equal(intentHash(dulImport, '#/dul/Acme%20Broadband'), '#/dul/Acme%20Broadband');
  assert.equal(intentHash(dulImport, '#/dul'), '#/dul');
  assert.equal(intentHash({ kind: 'navigate', section: 'settings' }, '#/settings'), '#/settings');
});

test('spam samples dropped on a record stay on that record, whose Samples tab takes them', () => {
  const samples: Intent = { kind: 'import', target: 'samples', section: 'listings', files: [receipt('a.eml')] };
  assert.equal(intentHash(samples, '#/record/42'), '#/record/42');
  assert.equal(intentHash(samples, '#/listings'), '#/listings');
  assert.equal(intentHash(dulImport, '#/record/42'), '#/dul');
});

test('a section whose name starts another one is not mistaken for it', () => {
  assert.equal(intentHash({ kind: 'navigate', section: 'dul' }, '#/dulx'), '#/dul');
});
