/**
 * The investigator's workbench end to end (real database, server and Chromium): find a record by
 * an address it contains, open it from the keyboard, delist it with a reason, see the event in
 * History and the table updated; a bulk action over a filter with progress and Cancel (nothing
 * changed), then one that completes; a saved view restored after a reload; CSV export escaping;
 * the palette; screenshots of the table and the record in light and dark.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_FOLDER, repdesk, seedLookupTeam, startHarness, type Harness } from '../e2e-support/harness.js';
import { sql } from '../../main/core/db/sql.js';
import type { Locator } from 'playwright-core';
import Database from 'better-sqlite3';

const BULK_ROWS = 150_000;
const SCREENSHOTS = join(PROJECT_FOLDER, 'test-output');

let harness: Harness;

before(async () => {
  harness = await startHarness({
    seed: async (databasePath) => {
      await seedLookupTeam(databasePath);
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '88.51.100.0/24', '--list', 'RBL', '--reason', 'open-proxy', '--txt', '=SUM(1+2), open proxy');
      // Enough botnet listings that a bulk change over them takes long enough to be cancelled.
      const file = join(databasePath, '..', 'botnet.txt');
      const lines: string[] = [];
      for (let index = 0; index < BULK_ROWS; index += 1) lines.push(`11.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
      writeFileSync(file, `${lines.join('\n')}\n`);
      await repdesk(databasePath, '--actor', 'Alice', 'import', file, '--list', 'RBL', '--reason', 'botnet');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '93.0.113.50', '--list', 'QIL', '--reason', 'spam-source', '--level', '2');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '93.0.113.51', '--list', 'QIL', '--reason', 'spam-source', '--level', '3');
    },
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await harness?.close();
});

/** A field's value once it is `expected`, or whatever it holds after five seconds. */
async function settledValue(field: Locator, expected: string): Promise<string> {
  let value = await field.inputValue();
  for (let waited = 0; value !== expected && waited < 5000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await field.inputValue();
  }
  return value;
}

const count = (text: string, values: unknown[] = []) => harness.core.connection.read.get<{ count: number }>({ text, values })?.count ?? -1;

test('find a record by a contained IP, open it, delist it with a reason, see it in History and in the table', async () => {
  const { page, server } = harness;
  await page.goto(server.url);
  await page.getByRole('link', { name: 'Listings' }).click();
  const filters = page.getByRole('form', { name: 'Filter listings' });
  await filters.getByLabel('Contains IP').fill('82.0.2.10');
  await filters.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/#\/listings\/ip=82\.0\.2\.10$/);
  const grid = page.getByRole('grid', { name: 'Listings' });
  await grid.getByRole('row').filter({ hasText: '82.0.0.0/16' }).waitFor();
  const ranges = await grid.locator('.grid-body [role="row"] .column-range').allInnerTexts();
  assert.deepEqual(ranges.sort(), ['82.0.0.0/16', '82.0.2.0/24']);
  await page.getByRole('status').filter({ hasText: '2 listings' }).waitFor();

  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(SCREENSHOTS, 'workbench-table-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SCREENSHOTS, 'workbench-table-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // Keyboard: focus the grid, move to the /24 and open it with Enter.
  await grid.focus();
  const rowTexts = await grid.locator('.grid-body [role="row"]').allInnerTexts();
  const target = rowTexts.findIndex((text) => text.includes('82.0.2.0/24'));
  for (let step = 0; step < target; step += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/record\/\d+$/);
  const record = page.getByRole('region', { name: /^Record #\d+$/ });
  await record.getByRole('heading', { name: /82\.0\.2\.0\/24/ }).waitFor();
  const header = await record.locator('.record-header').innerText();
  assert.match(header, /Addresses\s+256/);
  assert.match(header, /82\.0\.2\.0 → 127\.0\.0\.2 “RBL: Spam source - Spam source, see https:\/\/lookup\.example\/ip\/82\.0\.2\.0; see /);

  // A delist without a reason is refused by the core, next to the form; with one it is done.
  const edit = page.getByRole('form', { name: 'Change this record' });
  await edit.getByRole('button', { name: 'Delist' }).click();
  await edit.getByRole('alert').filter({ hasText: 'a reason is required' }).waitFor();
  await edit.getByLabel('Reason for the change (required)').fill('ISP confirmed the host is cleaned up');
  await edit.getByRole('button', { name: 'Delist' }).click();
  await record.getByRole('heading', { name: /delisted/ }).waitFor();
  const history = page.getByRole('list', { name: 'History, newest first' });
  await history.getByText('ISP confirmed the host is cleaned up').waitFor();
  assert.match(await history.locator('li').first().innerText(), /Alice[\s\S]*Delisted \(it was active\)\.[\s\S]*ISP confirmed the host is cleaned up/);
  assert.match(await record.locator('.record-header').innerText(), /\(not in the next zone: delisted\)/);

  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(SCREENSHOTS, 'workbench-record-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SCREENSHOTS, 'workbench-record-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  // Esc goes back to the table it came from, which shows the change.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await page.waitForURL(/#\/listings\/ip=82\.0\.2\.10$/);
  const delistedRow = grid.getByRole('row').filter({ hasText: '82.0.2.0/24' });
  await delistedRow.filter({ hasText: 'delisted' }).waitFor();
  assert.deepEqual(harness.problems.errors, []);
});

test('a bulk action over a filter shows progress and can be cancelled with nothing changed; a narrower one completes', async () => {
  const { page, server } = harness;
  const eventsBefore = count('SELECT count(*) AS count FROM events');
  await page.goto(`${server.url.split('#')[0]}#/listings/list=RBL&reason=botnet`);
  await page.getByRole('status').filter({ hasText: 'more than 100,000 listings' }).waitFor();
  const bulk = page.getByRole('form', { name: 'Bulk action' });
  await bulk.getByLabel('all rows matching this filter').check();
  await bulk.getByLabel('Reason (required)').fill('botnet taken down');
  await bulk.getByRole('button', { name: 'Delist' }).click();
  // Every matching listing: a confirmation names the change, the count and the filter first.
  const confirmation = page.getByRole('alertdialog', { name: 'Delist every listing matching this filter?' });
  assert.match(await confirmation.innerText(), /Every listing matching the filter \(more than 100,000\) will be delisted[\s\S]*list RBL[\s\S]*reason botnet[\s\S]*Reason: “botnet taken down”/);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(SCREENSHOTS, `bulk-confirm-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await confirmation.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await confirmation.count(), 0);
  assert.equal(await bulk.getByRole('progressbar').count(), 0, 'nothing started');
  await bulk.getByRole('button', { name: 'Delist' }).click();
  await confirmation.getByRole('button', { name: 'Delist all matching' }).click();
  const progress = bulk.getByRole('progressbar', { name: 'Bulk change' });
  await progress.waitFor();
  await bulk.locator('.job-count').filter({ hasText: /\/ 150,000 listings/ }).waitFor();
  await bulk.getByRole('button', { name: 'Cancel' }).click();
  await bulk.getByRole('status').filter({ hasText: 'Cancelled: nothing was changed.' }).waitFor({ timeout: 60_000 });
  assert.equal(count("SELECT count(*) AS count FROM listings WHERE reason = 'botnet' AND status = 'active'"), BULK_ROWS, 'every listing is still active');
  assert.equal(count('SELECT count(*) AS count FROM events'), eventsBefore, 'and no event was written');

  await page.goto(`${server.url.split('#')[0]}#/listings/list=RBL&reason=botnet&cidr=11.0.0.0%2F27`);
  await page.getByRole('status').filter({ hasText: /^32 listings/ }).waitFor();
  await bulk.getByLabel('all rows matching this filter').check();
  await bulk.locator('select[name="action"]').selectOption('suppress');
  await bulk.getByLabel('Reason (required)').fill('waiting for the ISP');
  await bulk.locator('input[name="date"]').fill('2099-01-31');
  await bulk.getByRole('button', { name: 'Suppress until' }).click();
  await page.getByRole('alertdialog', { name: 'Suppress every listing matching this filter?' }).getByRole('button', { name: 'Suppress 32 listings' }).click();
  await bulk.getByRole('status').filter({ hasText: '32 listings changed; 0 left as they were.' }).waitFor({ timeout: 60_000 });
  assert.equal(count("SELECT count(*) AS count FROM listings WHERE status = 'suppressed'"), 32);
  assert.equal(count("SELECT count(*) AS count FROM events WHERE action = 'listing.suppressed' AND reason = 'waiting for the ISP'"), 32, 'one event per record');
  await page.getByRole('grid', { name: 'Listings' }).getByRole('row').filter({ hasText: 'suppressed' }).first().waitFor();
  assert.deepEqual(harness.problems.errors, []);
});

test('a saved view is restored after a reload', async () => {
  const { page, server } = harness;
  await page.goto(`${server.url.split('#')[0]}#/listings`);
  const filters = page.getByRole('form', { name: 'Filter listings' });
  await filters.locator('select[name="list"]').selectOption('RBL');
  await filters.locator('select[name="status"]').selectOption('active');
  await filters.getByLabel('Investigator').fill('Alice');
  await filters.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/#\/listings\/list=RBL&status=active&investigator=Alice$/);
  const save = page.getByRole('form', { name: 'Save this view' });
  await save.getByLabel('Save as').fill('my open RBL listings');
  await save.getByRole('button', { name: 'Save view' }).click();
  await page.getByLabel('Saved view').locator('option', { hasText: 'my open RBL listings' }).waitFor({ state: 'attached' });

  await page.goto(`${server.url.split('#')[0]}#/listings`);
  await page.reload();
  await page.getByLabel('Saved view').locator('option', { hasText: 'my open RBL listings' }).waitFor({ state: 'attached' });
  await page.getByLabel('Saved view').selectOption('my open RBL listings');
  await page.waitForURL(/#\/listings\/list=RBL&status=active&investigator=Alice$/);
  // The form follows the route a render later than the URL changes.
  assert.equal(await settledValue(filters.locator('select[name="list"]'), 'RBL'), 'RBL');
  assert.equal(await settledValue(filters.getByLabel('Investigator'), 'Alice'), 'Alice');
  await page.getByRole('status').filter({ hasText: 'more than 100,000 listings' }).waitFor();
  assert.deepEqual(harness.problems.errors, []);
});

test('CSV export neutralises cells a spreadsheet would run as a formula', async () => {
  const { page, server } = harness;
  await page.goto(`${server.url.split('#')[0]}#/listings/ip=88.51.100.7`);
  await page.getByRole('status').filter({ hasText: /^1 listing/ }).waitFor();
  const bulk = page.getByRole('form', { name: 'Bulk action' });
  await bulk.locator('select[name="action"]').selectOption('export');
  await bulk.getByLabel('all rows matching this filter').check();
  const downloading = page.waitForEvent('download');
  await bulk.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'listings.csv');
  const path = join(harness.folder, 'export.csv');
  await download.saveAs(path);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^id,range,list,status,reason,investigator,txt,/);
  assert.match(lines[1], /,88\.51\.100\.0\/24,RBL,active,open-proxy,Alice,"'=SUM\(1\+2\), open proxy",/);
  assert.deepEqual(harness.problems.errors, []);
});

test('the Ctrl+K palette jumps to a record by id and finds one by its text', async () => {
  const { page, server } = harness;
  await page.goto(`${server.url.split('#')[0]}#/lookup`);
  const id = harness.core.connection.read.get<{ id: number }>(sql`SELECT id FROM listings WHERE txt LIKE '=SUM%'`)?.id;
  assert.ok(id);
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Go to' });
  await palette.getByRole('combobox').fill(`#${id}`);
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`#/record/${id}$`));
  await page.keyboard.press('Control+k');
  await palette.getByRole('combobox').fill('proxy');
  await palette.getByRole('option', { name: new RegExp(`Record #${id}`) }).waitFor();
  await page.keyboard.press('Escape');
  await palette.waitFor({ state: 'detached' });
  await page.keyboard.press('Control+k');
  await palette.getByRole('combobox').fill('82.0.2.9');
  await palette.getByRole('option', { name: 'Look up 82.0.2.9' }).waitFor();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/lookup\/82\.0\.2\.9$/);
  assert.deepEqual(harness.problems.errors, []);
});

test('an entry whose expiry has passed still reads active but is marked expired: out of the zone', async () => {
  const { page, server } = harness;
  // Its expiry is past (the QIL ingest would have extended it had the source kept hitting traps).
  // Written through a connection of the test's own: the server's reads use a read-only one.
  const database = new Database(harness.databasePath);
  database.prepare("UPDATE listings SET expires_at = '2026-11-01T00:00:00.000Z' WHERE list = 'QIL' AND first = (SELECT first FROM listings WHERE list = 'QIL' ORDER BY id LIMIT 1)").run();
  database.close();
  await page.goto(server.url);
  await page.getByRole('link', { name: 'Listings' }).waitFor();
  await page.goto(`${harness.origin}/#/listings/list=QIL`);
  const grid = page.getByRole('grid', { name: 'Listings' });
  const lapsed = grid.getByRole('row').filter({ hasText: '93.0.113.50' });
  await lapsed.waitFor();
  assert.match(await lapsed.locator('.column-status').innerText(), /^active\s+expired$/);
  assert.equal(await lapsed.locator('.status-note').getAttribute('title'), 'Its expiry has passed: no longer published');
  assert.match(await grid.getByRole('row').filter({ hasText: '93.0.113.51' }).locator('.column-status').innerText(), /^active$/);
  await lapsed.click();
  await page.keyboard.press('Enter');
  const record = page.getByRole('region', { name: /^Record #\d+$/ });
  await record.getByRole('heading', { name: /93\.0\.113\.50/ }).waitFor();
  assert.match(await record.locator('.record-header').innerText(), /\(not in the next zone: expired 2026-11-01 00:00 UTC\)/);
  assert.deepEqual(harness.problems.errors, []);
});
