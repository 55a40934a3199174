/**
 * The QIL section's trap-hit log import end to end: a CSV written to disk, imported through the
 * page as a background job, its summary, the imported source in Lookup, a bad line refusing the
 * whole file, the same file twice adding nothing, and Cancel rolling a long import back.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveScreenshot, startHarness, type Harness } from '../e2e-support/harness.js';

let harness: Harness;
let hitsPath: string;

/** Twelve hits five minutes apart in the last hour lift a source to level 1 (as in qil.e2e). */
function sustainedHits(source: string, trap: string): string[] {
  const now = Date.now();
  return Array.from({ length: 12 }, (_, index) => `${new Date(now - 60 * 60_000 + index * 5 * 60_000).toISOString()},${source},1,${trap}`);
}

function writeLog(name: string, lines: readonly string[]): string {
  const path = join(harness.folder, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function hitsStored(ip: string): Promise<number> {
  const result = await harness.core.dispatch('qil.score', { ip }, { actor: 'Alice' });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value.hits;
}

async function importLog(path: string): Promise<void> {
  const { page } = harness;
  await page.goto(`${harness.origin}/#/qil`);
  await page.getByLabel('CSV file', { exact: true }).setInputFiles(path);
  await page.getByRole('button', { name: 'Run' }).click();
}

/** The summary's facts as label -> text. */
async function summaryFacts(): Promise<Record<string, string>> {
  const summary = harness.page.getByRole('status', { name: 'Import summary' });
  await summary.waitFor();
  const facts: Record<string, string> = {};
  for (const fact of await summary.locator('dl.facts > div').all()) facts[await fact.locator('dt').innerText()] = await fact.locator('dd').innerText();
  return facts;
}

before(async () => {
  harness = await startHarness();
  const now = Date.now();
  hitsPath = writeLog('trap-hits.csv', [
    'timestamp,source,count,trap',
    ...sustainedHits('11.61.0.1', 'trap-a'),
    `${Math.floor((now - 30 * 60_000) / 1000)},11.61.0.2,1,trap-b`,
    `${new Date(now - 20 * 60_000).toISOString()},2600:1f18::25,2`,
    `${new Date(now - 10 * 60_000).toISOString()},10.1.2.3,1,trap-a`,
  ]);
  // The token arrives in the first address; the app keeps it for the session.
  await harness.page.goto(harness.server.url);
});

after(async () => {
  await harness?.close();
});

test('the QIL section is in the navigation and shows the import form with the expected format', async () => {
  const { page } = harness;
  await page.goto(`${harness.origin}/#/qil`);
  await page.getByRole('heading', { name: 'QIL', level: 1 }).waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'QIL' }).getAttribute('aria-current'), 'page');
  const form = page.getByRole('form', { name: 'Import a spam-trap hit log' });
  assert.equal(await form.getByLabel('CSV file', { exact: true }).getAttribute('type'), 'file', 'the file is chosen here and sent, never named by a path on the server');
  assert.match(await page.locator('.qil-format').innerText(), /timestamp,source IP,count\[,trap id\]/);
  assert.equal(await form.getByRole('button', { name: 'Run' }).isDisabled(), true);
});

test('importing a trap-hit log shows the summary with the core\'s notes, and a source shows its QIL listing in Lookup', async () => {
  const { page } = harness;
  await importLog(hitsPath);
  assert.deepEqual(await summaryFacts(), {
    'Hits read': '14',
    New: '14',
    'Duplicates skipped': '0',
    Sources: '3',
    'Listings created': '6',
    'Listings extended': '0',
  });
  const summary = page.getByRole('status', { name: 'Import summary' });
  assert.match(await summary.innerText(), /Imported 14 new trap hits\./);
  assert.match(await summary.locator('ul.notes').innerText(), /^line 16: 10\.1\.2\.3 is in 10\.0\.0\.0\/8 \(.+\); its hits are not scored$/);
  assert.equal(await page.getByRole('alert').count(), 0);
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'qil-import-light', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'qil-import-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.goto(`${harness.origin}/#/lookup/11.61.0.1`);
  const qilRows = page.locator('table.listings tbody tr').filter({ has: page.locator('td.column-list', { hasText: 'QIL' }) });
  await qilRows.first().waitFor();
  assert.equal(await qilRows.count(), 4);
  const panel = page.locator('section.qil-score');
  await panel.waitFor();
  assert.match(await panel.innerText(), /12 trap hits, score now \d+(\.\d+)?\. Listed at level 1 until /);
  assert.deepEqual(harness.problems.errors, []);
});

test('importing the same file again reports nothing new and changes no listing', async () => {
  await importLog(hitsPath);
  assert.deepEqual(await summaryFacts(), {
    'Hits read': '14',
    New: '0',
    'Duplicates skipped': '14',
    Sources: '3',
    'Listings created': '0',
    'Listings extended': '0',
  });
  assert.match(await harness.page.getByRole('status', { name: 'Import summary' }).innerText(), /Nothing new: every hit in this file was already stored/);
  assert.equal(await hitsStored('11.61.0.1'), 12);
});

test('a file with a bad line shows the line number beside the form and ingests nothing', async () => {
  const { page } = harness;
  const now = Date.now();
  const path = writeLog('bad-hits.csv', [
    `${new Date(now - 30 * 60_000).toISOString()},11.62.0.1,1,trap-a`,
    `${new Date(now - 25 * 60_000).toISOString()},11.62.0.2,1,trap-a`,
    `${new Date(now - 20 * 60_000).toISOString()},11.62.0.3,many,trap-a`,
  ]);
  await importLog(path);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, /bad-hits\.csv: 1 bad line; nothing was ingested/);
  assert.match(text, /line 3: count "many" must be a whole number from 1 to 1000000/);
  assert.equal(await page.getByRole('status', { name: 'Import summary' }).count(), 0);
  for (const ip of ['11.62.0.1', '11.62.0.2']) assert.equal(await hitsStored(ip), 0);
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'qil-import-error-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'qil-import-error-light', { fullPage: true });
  assert.deepEqual(harness.problems.errors, []);
});

test('a long import shows its progress and Cancel rolls it back', async () => {
  const { page } = harness;
  const start = Date.now() - 2 * 60 * 60_000;
  const lines: string[] = [];
  // 50,000 sources, ten hits each: reading alone takes a few seconds, long enough to cancel.
  for (let hit = 0; hit < 500_000; hit += 1) {
    const source = hit % 50_000;
    lines.push(`${Math.floor((start + hit * 10) / 1000)},11.63.${source >> 8}.${source & 255},1,trap-c`);
  }
  const path = writeLog('long-hits.csv', lines);
  await importLog(path);
  const progress = page.getByRole('progressbar', { name: 'Trap-hit import' });
  await progress.waitFor();
  assert.equal(await page.getByRole('button', { name: 'Running…' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('status').filter({ hasText: 'Cancelled: nothing was ingested.' }).waitFor();
  assert.equal(await hitsStored('11.63.0.1'), 0);
  assert.equal(await page.getByRole('button', { name: 'Run' }).isDisabled(), false);
  assert.deepEqual(harness.problems.errors, []);
});
