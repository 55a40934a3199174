/**
 * The QIL panel of a looked-up source end to end: trap hits ingested through the core, the
 * Lookup view in Chromium showing the level, the expiry per level and the score chart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveScreenshot, startHarness, type Harness } from '../e2e-support/harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness();
  const now = Date.now();
  const lines = Array.from({ length: 12 }, (_, index) => `${new Date(now - 60 * 60_000 + index * 5 * 60_000).toISOString()},11.60.0.1,1,trap-a`);
  const path = join(harness.folder, 'hits.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const ingested = await harness.core.dispatch('qil.ingest', { file: { path } }, { actor: 'Alice', localFiles: true });
  assert.ok(ingested.ok && ingested.value.created === 4, JSON.stringify(ingested));
  // The token arrives in the first address; the app keeps it for the session.
  await harness.page.goto(harness.server.url);
});

after(async () => {
  await harness?.close();
});

test('a QIL source shows its level, each level\'s expiry and its score chart', async () => {
  await harness.page.goto(`${harness.origin}/#/lookup/11.60.0.1`);
  const panel = harness.page.locator('section.qil-score');
  await panel.waitFor();
  const text = await panel.innerText();
  assert.match(text, /12 trap hits, score now \d+(\.\d+)?\./);
  assert.match(text, /Listed at level 1 until /);
  const rows = await panel.locator('table.qil-levels tbody tr').allInnerTexts();
  assert.equal(rows.length, 4);
  for (const row of rows) assert.match(row, /listed until /);
  const chart = panel.getByRole('img', { name: /^Score of 11\.60\.0\.1 from / });
  const path = await chart.locator('path').getAttribute('d');
  // 12 hits and now: a start, 12 decay samples and a jump per later point.
  assert.equal(path?.split(/[ML]/).filter(Boolean).length, 1 + 12 * (12 + 1));
  await saveScreenshot(panel, 'qil-score');
  assert.deepEqual(harness.problems.errors, []);
});

test('a source without QIL listings has no QIL panel', async () => {
  await harness.page.goto(`${harness.origin}/#/lookup/82.0.2.1`);
  await harness.page.locator('table.listings').waitFor();
  assert.equal(await harness.page.locator('section.qil-score').count(), 0);
});
