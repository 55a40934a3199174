/**
 * Lookup of many addresses in Chromium through browser mode: 1,000 pasted addresses answered in
 * one table with links to the records, the CSV download, and a single lookup's rows linking to
 * their records.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { saveScreenshot, repdesk, startHarness, type Harness } from '../e2e-support/harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness({
    seed: async (databasePath) => {
      await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'investigator,liaison');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '11.7.0.0/16', '--list', 'RBL', '--reason', 'spam-source', '--txt', 'Spam source, see $');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '11.7.3.0/24', '--list', 'DUL', '--reason', 'dynamic');
    },
  });
});

after(async () => {
  await harness?.close();
});

/** 1,000 addresses: every fourth one inside the RBL /16 (and, for the first 256 in it, the DUL /24), one line not an address. */
function pastedList(): string {
  const lines: string[] = [];
  for (let index = 0; index < 999; index += 1) lines.push(index % 4 === 0 ? `11.7.${index % 8 === 0 ? 3 : 200}.${index % 250}` : `45.${index % 200}.${index % 250}.1`);
  lines.splice(500, 0, 'mail.example.net');
  return lines.join('\n');
}

test('1,000 pasted addresses are answered in one table, with a summary, record links and a CSV of every row', async () => {
  const { page, origin, server } = harness;
  // The URL with the token first (it moves into sessionStorage), then the section.
  await page.goto(server.url);
  await page.getByText('Signed in as').waitFor();
  await page.goto(`${origin}/#/lookup`);
  const field = page.getByLabel('IP address or list');
  await field.fill(pastedList());
  await field.press('Enter');
  const summary = page.getByRole('heading', { name: /^1,000 addresses:/ });
  await summary.waitFor();
  assert.equal(await summary.innerText(), '1,000 addresses: 250 listed, 749 not listed, 1 not an address');
  // A long answer shows its first 500 rows, and all on request.
  const rows = page.locator('table.bulk-lookup-table tbody tr');
  assert.equal(await rows.count(), 500);
  await page.getByRole('button', { name: 'Show all 1,000' }).click();
  assert.equal(await rows.count(), 1000);
  assert.match(await rows.nth(500).locator('td.column-lists').innerText(), /mail\.example\.net/);
  // Only the listed ones, each listing a link to its record.
  await page.getByLabel('Listed addresses only').check();
  assert.equal(await rows.count(), 250);
  const first = rows.first();
  assert.equal(await first.locator('td.column-address').innerText(), '11.7.3.0');
  const links = first.locator('td.column-lists a');
  assert.deepEqual(await links.allInnerTexts(), ['RBL #1', 'DUL #2']);
  // What a mail server sees there: the answer of each zone, by the rule publishing applies.
  assert.deepEqual(await first.locator('td.column-sees code').allInnerTexts(), ['RBL 127.0.0.2', 'DUL 127.0.0.3']);
  assert.deepEqual(await rows.nth(1).locator('td.column-sees code').allInnerTexts(), ['RBL 127.0.0.2']);

  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'bulk-lookup-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'bulk-lookup-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Download CSV \(1,000 rows\)/ }).click()]);
  assert.equal(download.suggestedFilename(), 'lookup.csv');
  const csv = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
  assert.equal(csv.length, 1001, 'a header and every address, not only the rows on screen');
  assert.equal(csv[0], 'input,address,listed,a mail server sees,lists,listing ids,statuses,problem');
  assert.equal(csv[1], '11.7.3.0,11.7.3.0,yes,RBL 127.0.0.2;DUL 127.0.0.3,RBL;DUL,1;2,RBL #1 active;DUL #2 active,');
  assert.equal(csv[2], '45.1.1.1,45.1.1.1,no,,,,,');
  assert.match(csv[501], /^mail\.example\.net,,,,,,,.+/);

  await links.first().click();
  await page.waitForURL(/#\/record\/1$/);
  await page.getByRole('heading', { name: /11\.7\.0\.0\/16/ }).first().waitFor();
});

test('a single lookup shows its listings with links to their records', async () => {
  const { page, origin } = harness;
  await page.goto(`${origin}/#/lookup/11.7.3.9`);
  const ids = page.locator('table.listings tbody td.column-id a');
  await ids.first().waitFor();
  assert.deepEqual(await ids.allInnerTexts(), ['#1', '#2']);
  await ids.nth(1).click();
  await page.waitForURL(/#\/record\/2$/);
});

test('the page logged no console errors and talked to 127.0.0.1 only', () => {
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});
