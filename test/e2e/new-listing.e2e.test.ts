/**
 * New listing in Chromium through browser mode: from a Lookup miss ("List this address") and
 * from the Listings screen, with the stored range, CIDR blocks, rendered TXT and the warnings
 * shown before saving, and the saved listing's record opened.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { saveScreenshot, repdesk, startHarness, type Harness } from '../e2e-support/harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness({
    seed: async (databasePath) => {
      await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'investigator,liaison,reviewer');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '11.7.0.0/16', '--list', 'RBL', '--reason', 'spam-source');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '11.7.9.25', '--list', 'GAL', '--reason', 'approved');
    },
  });
  await harness.page.goto(harness.server.url);
  await harness.page.getByText('Signed in as').waitFor();
});

after(async () => {
  await harness?.close();
});

test('a Lookup miss offers "List this address"; the form shows what will be saved and the warnings, and saving opens the record', async () => {
  const { page, origin } = harness;
  await page.goto(`${origin}/#/lookup/45.9.9.9`);
  await page.getByText('Not listed on any list.').waitFor();
  await page.getByRole('link', { name: 'List this address' }).click();
  await page.waitForURL(/#\/new-listing\/45\.9\.9\.9$/);
  const form = page.getByRole('form', { name: 'New listing' });
  assert.equal(await form.getByLabel('Range').inputValue(), '45.9.9.9');
  await form.getByLabel('List').selectOption('RBL');
  await form.getByLabel('Reason').selectOption('open-proxy');
  await form.getByLabel('TXT').fill('Open proxy at $');
  const preview = page.getByRole('complementary', { name: 'What will be saved' });
  const txt = preview.getByTestId('rendered-txt');
  await txt.filter({ hasText: 'Open proxy at 45.9.9.9' }).waitFor();
  assert.match(await txt.innerText(), /^RBL: Open proxy - Open proxy at 45\.9\.9\.9; see /);

  // A CIDR with host bits set, overlapping the RBL /16 and a GAL entry: normalised and warned about.
  await form.getByLabel('Range').fill('11.7.9.77/24');
  await preview.getByTestId('stored-range').filter({ hasText: /^11\.7\.9\.0\/24$/ }).waitFor();
  await preview.getByRole('list', { name: 'Warnings' }).waitFor();
  assert.match(await preview.getByRole('list', { name: 'Normalisations' }).innerText(), /host bits/);
  const warnings = await preview.getByRole('list', { name: 'Warnings' }).innerText();
  assert.match(warnings, /GAL entry overlaps this range[\s\S]*#2 11\.7\.9\.25/);
  assert.match(warnings, /overlaps 1 listing in force[\s\S]*#1 11\.7\.0\.0\/16/);
  assert.equal(await form.getByRole('button', { name: 'Save despite the warnings' }).count(), 1);
  // A range a-b: its CIDR blocks.
  await form.getByLabel('Range').fill('45.9.9.8-45.9.9.20');
  await preview.getByTestId('cidr-blocks').filter({ hasText: /^45\.9\.9\.8\/29, 45\.9\.9\.16\/30, 45\.9\.9\.20\/32$/ }).waitFor();

  await form.getByLabel('Range').fill('11.7.9.77/24');
  await preview.getByRole('list', { name: 'Warnings' }).waitFor();
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'new-listing-light', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'new-listing-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  await form.getByLabel('Range').fill('45.9.9.9');
  await form.getByLabel('Why').fill('Open proxy seen in three spam runs');
  await form.getByRole('button', { name: 'Save listing' }).click();
  await page.waitForURL(/#\/record\/3$/);
  await page.getByRole('heading', { name: /45\.9\.9\.9/ }).first().waitFor();
  const lookup = await harness.core.dispatch('lookup', { ip: '45.9.9.9' }, { actor: 'Alice' });
  assert.ok(lookup.ok);
  assert.deepEqual(lookup.value.listings.map((listing) => [listing.id, listing.list, listing.reason, listing.txt]), [[3, 'RBL', 'open-proxy', 'Open proxy at $']]);
});

test('a save the core refuses says why and keeps the form; what cannot be saved is named before trying', async () => {
  const { page, origin } = harness;
  await page.goto(`${origin}/#/listings`);
  await page.getByRole('link', { name: 'New listing' }).click();
  await page.waitForURL(/#\/new-listing$/);
  const form = page.getByRole('form', { name: 'New listing' });
  await form.getByLabel('Range').fill('45.9.9.9');
  await form.getByLabel('TXT').fill('costs $1');
  const problems = page.getByRole('list', { name: 'Cannot be saved' });
  await problems.waitFor();
  assert.match(await problems.innerText(), /cannot contain "\$1"/);
  assert.equal(await form.getByRole('button', { name: /Save/ }).isDisabled(), true);
  await form.getByLabel('TXT').fill('');
  // The same range on the same list: warned as a duplicate; the core refuses the save, and says so.
  await page.getByRole('list', { name: 'Warnings' }).waitFor();
  await form.getByRole('button', { name: 'Save despite the warnings' }).click();
  assert.match(await form.getByRole('alert').innerText(), /already listed on RBL as #3/);
  assert.match(page.url(), /#\/new-listing$/);
});

test('the page logged no console errors and talked to 127.0.0.1 only', () => {
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});
