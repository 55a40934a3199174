/**
 * The reputation record in Chromium through browser mode: the action menu offers only what fits
 * the listing's state, an error clears when the action changes and shows once, the history reads
 * as sentences, and the tab counts and evidence line follow an upload without a reload.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { saveScreenshot, repdesk, startHarness, type Harness } from '../e2e-support/harness.js';
import { spamMessage } from '../unit/support/mail.js';

let harness: Harness;

before(async () => {
  harness = await startHarness({
    seed: async (databasePath) => {
      await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'investigator');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '81.7.0.0/16', '--list', 'RBL', '--reason', 'spam-source', '--txt', 'Spam run seen at $', '--why', 'trap hits from the whole /16');
    },
  });
  await harness.page.goto(harness.server.url);
  await harness.page.getByText('Signed in as').waitFor();
});

after(async () => {
  await harness?.close();
});

const actionOptions = () => harness.page.getByRole('form', { name: 'Change this record' }).locator('select[name="edit-action"] option').allInnerTexts();

test('the action menu fits the state; an error shows once and clears when the action changes', async () => {
  const { page, origin } = harness;
  await page.goto(`${origin}/#/record/1`);
  await page.getByRole('heading', { name: /81\.7\.0\.0\/16 RBL/, level: 1 }).waitFor();
  assert.deepEqual(await actionOptions(), ['Delist', 'Suppress until', 'Reassign', 'Change reason', 'Change TXT', 'Move to another list'], 'no Relist on an active listing');
  const edit = page.getByRole('form', { name: 'Change this record' });
  // No reason: the core refuses, and the refusal is shown once.
  await edit.getByRole('button', { name: 'Delist' }).click();
  await edit.getByRole('alert').waitFor();
  assert.equal(await page.getByRole('alert').count(), 1, 'the error is shown once');
  assert.match(await edit.getByRole('alert').innerText(), /a reason is required/);
  await edit.locator('select[name="edit-action"]').selectOption('reassign');
  assert.equal(await edit.getByRole('alert').count(), 0, 'another action clears the error');

  await edit.locator('select[name="edit-action"]').selectOption('delist');
  await edit.getByLabel('Reason for the change (required)').fill('the ISP cleaned the network');
  await edit.getByRole('button', { name: 'Delist' }).click();
  await page.getByRole('heading', { name: /delisted/, level: 1 }).waitFor();
  await page.locator('select[name="edit-action"] option').filter({ hasText: 'Delist' }).waitFor({ state: 'detached' });
  assert.deepEqual(await actionOptions(), ['Relist']);
});

test('the history reads as sentences, newest first, without event codes', async () => {
  const { page } = harness;
  const history = page.getByRole('list', { name: 'History, newest first' });
  await history.getByText('Delisted (it was active).').waitFor();
  const whats = await history.locator('.timeline-what').allInnerTexts();
  assert.deepEqual(whats, ['Delisted (it was active).', 'Listed on RBL as spam source with the TXT “Spam run seen at $”.']);
  for (const what of whats) assert.doesNotMatch(what, /\b(listing|listings|samples|thread|qil)\.[a-z-]+\b/);
  assert.match(await history.innerText(), /“the ISP cleaned the network”[\s\S]*“trap hits from the whole \/16”/);
});

test('an upload updates the tab count, the evidence line and the history without a reload', async () => {
  const { page } = harness;
  await page.getByRole('form', { name: 'Change this record' }).getByLabel('Reason for the change (required)').fill('seen again');
  await page.getByRole('form', { name: 'Change this record' }).getByRole('button', { name: 'Relist' }).click();
  await page.getByRole('heading', { name: /active/, level: 1 }).waitFor();
  await page.getByRole('tab', { name: 'Spam samples (0)' }).click();
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));
  const dataTransfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([${JSON.stringify(spamMessage({ source: '81.7.4.5', messageId: 'one' }))}], 'one.eml', { type: 'message/rfc822' }));
    transfer.items.add(new File([${JSON.stringify(spamMessage({ source: '81.7.4.6', messageId: 'two' }))}], 'two.eml', { type: 'message/rfc822' }));
    return transfer;
  })()`);
  await page.getByLabel('Drop .eml or mbox files here').dispatchEvent('drop', { dataTransfer });
  await page.getByRole('tab', { name: 'Spam samples (2)' }).waitFor();
  assert.match(await page.locator('.record-header').innerText(), /2 spam samples · 0 correspondence threads/);
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByRole('list', { name: 'History, newest first' }).getByText('2 spam samples attached from one.eml, two.eml.').waitFor();
  assert.deepEqual(navigations, [], 'the page was not reloaded');

  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'record-history-light', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'record-history-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('the page logged no console errors and talked to 127.0.0.1 only', () => {
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});
