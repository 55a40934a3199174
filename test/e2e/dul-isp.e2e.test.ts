/**
 * An ISP's page in Chromium through browser mode: its contacts and notes edited in the app, all
 * its active ranges paged through, a bare valid-until day shown as the day entered, and the
 * import form laid out as a form.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveScreenshot, repdesk, startHarness, type Harness } from '../e2e-support/harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness({
    seed: async (databasePath) => {
      await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'liaison,investigator');
      await repdesk(databasePath, '--actor', 'Alice', 'isp', 'add', 'Pool Net', '--asn', '64500', '--country', 'NL');
      const file = join(databasePath, '..', 'pools.txt');
      writeFileSync(file, Array.from({ length: 250 }, (_, index) => `46.10.${index}.0/24`).join('\n'));
      await repdesk(databasePath, '--actor', 'Alice', 'dul', 'import', file, '--isp', 'Pool Net', '--valid-until', '2027-12-31');
    },
  });
  await harness.page.goto(harness.server.url);
  await harness.page.getByText('Signed in as').waitFor();
});

after(async () => {
  await harness?.close();
});

test('a bare valid-until day shows as the day entered; all 250 ranges page through 100 at a time', async () => {
  const { page, origin } = harness;
  await page.goto(`${origin}/#/dul/Pool%20Net`);
  await page.getByRole('heading', { name: 'Pool Net', level: 1 }).waitFor();
  assert.match(await page.getByRole('table', { name: 'Submissions' }).innerText(), /until 2027-12-31, end of day UTC/);
  const ranges = page.getByRole('table', { name: 'Active ranges' });
  const firstCells = () => ranges.locator('tbody tr td:first-child').allInnerTexts();
  assert.equal((await firstCells()).length, 100);
  assert.equal(await ranges.locator('tbody tr').first().locator('td').nth(2).innerText(), '2027-12-31, end of day UTC');
  const pager = page.getByLabel('Active range pages');
  assert.match(await pager.innerText(), /1–100 of 250/);
  await pager.getByRole('button', { name: 'Next' }).click();
  await pager.getByText('101–200 of 250').waitFor();
  await pager.getByRole('button', { name: 'Next' }).click();
  await pager.getByText('201–250 of 250').waitFor();
  const last = await firstCells();
  assert.equal(last.length, 50);
  assert.equal(last[49], '46.10.249.0/24');
  assert.equal(await pager.getByRole('button', { name: 'Next' }).isDisabled(), true);
  await pager.getByRole('button', { name: 'Previous' }).click();
  await pager.getByText('101–200 of 250').waitFor();
  assert.equal((await firstCells())[0], '46.10.100.0/24');
});

test('the ISP\'s contacts and notes are edited in the app', async () => {
  const { page, core } = harness;
  await page.getByRole('button', { name: 'Edit the ISP' }).click();
  const form = page.getByRole('form', { name: 'Edit the ISP' });
  await form.getByLabel('ISP contacts').fill('noc@pool.example\nabuse@pool.example');
  await form.getByLabel('Our liaisons').fill('Alice');
  await form.getByLabel('Notes').fill('Sends a new list every quarter.');
  await form.getByLabel('ASNs').fill('AS64500, AS64501');
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'isp-edit-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'isp-edit-light', { fullPage: true });
  await form.getByRole('button', { name: 'Save' }).click();
  const facts = page.getByLabel('The ISP');
  await facts.getByText('noc@pool.example; abuse@pool.example').waitFor();
  assert.match(await facts.innerText(), /AS64500, AS64501[\s\S]*Alice[\s\S]*Sends a new list every quarter\./);
  const stored = await core.dispatch('isps.get', { name: 'Pool Net' }, { actor: 'Alice' });
  assert.ok(stored.ok);
  assert.deepEqual(stored.value.isp.ispContacts, ['noc@pool.example', 'abuse@pool.example']);
  assert.equal(stored.value.isp.notes, 'Sends a new list every quarter.');
});

test('the import form is laid out as a form: each field with its label and hint', async () => {
  const { page } = harness;
  const form = page.getByRole('form', { name: 'Import a submission' });
  await form.getByLabel('Valid until').fill('2028-06-30');
  await form.getByText('Until 2028-06-30, end of day UTC; then the ranges leave the zone.').waitFor();
  const label = await form.locator('label[for="dul-valid-until"]').boundingBox();
  const field = await form.getByLabel('Valid until').boundingBox();
  assert.ok(label && field && label.x + label.width <= field.x, 'the label stands left of its field');
  await saveScreenshot(page, 'dul-import-form-light', { fullPage: true });
});

test('the page logged no console errors and talked to 127.0.0.1 only', () => {
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});
