/**
 * The DUL section end to end (real database, server and Chromium): a liaison adds an ISP,
 * imports a file through the UI, reviews the preview (diff, normalisation, a rejected line),
 * commits leaving the rejected line out, sees the ISP page update, acknowledges the submission to
 * the ISP (a thread with the reply drafted from the submission's facts), and reverts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harnessForFile, type Harness } from '../e2e-support/harness.js';

let harness: Harness;

harnessForFile((started) => (harness = started));

test('a liaison imports a submission with preview and commit, sees the ISP page update, and reverts it', async () => {
  const { page, server } = harness;
  const path = join(harness.folder, 'pools.txt');
  writeFileSync(path, '# Example Net pools\n45.10.1.9/24\n45.10.2.0/24\n10.1.0.0/16\n2a01:4f8:100::/48\n');
  await page.goto(server.url);
  await page.getByRole('link', { name: 'DUL' }).click();
  const addForm = page.getByRole('form', { name: 'Add an ISP' });
  await addForm.getByLabel('Name').fill('Example Net');
  await addForm.getByLabel('ASNs').fill('64500');
  await addForm.getByRole('button', { name: 'Add' }).click();
  await page.getByRole('link', { name: 'Example Net' }).click();
  await page.getByRole('heading', { name: 'Example Net' }).waitFor();

  const form = page.getByRole('form', { name: 'Import a submission' });
  // Chosen in the file picker: the browser sends it to the server as an upload at once.
  await form.getByLabel('File', { exact: true }).setInputFiles(path);
  await form.getByLabel('Chosen file').filter({ hasText: 'pools.txt' }).waitFor();
  await form.getByLabel('Exclusions').fill('45.10.2.16/28');
  await form.getByLabel('Submitted by').fill('noc@example.net');
  await form.getByLabel('Effective').fill('2026-01-15');
  await form.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByLabel('Submission preview');
  await preview.waitFor();
  const text = await preview.innerText();
  assert.match(text, /4 lines, 3 ranges \(2 IPv4, 1 IPv6\)/);
  assert.match(text, /3 added, 0 removed, 0 unchanged/);
  assert.match(text, /Exclusions \(never listed\): 45\.10\.2\.16\/28/);
  assert.match(text, /line 4: 10\.1\.0\.0\/16 overlaps 10\.0\.0\.0\/8, private \(RFC 1918\)/);
  const commit = page.getByRole('button', { name: 'Commit' });
  assert.equal(await commit.isDisabled(), true, 'a preview with a rejected line cannot be committed unconfirmed');
  await page.getByLabel(/Leave out the 1 rejected lines/).check();
  await commit.click();
  await page.getByRole('status').filter({ hasText: 'committed' }).waitFor();
  assert.match(await page.getByRole('status').innerText(), /Submission #1 committed: 3 added, 0 removed/);

  const ranges = page.getByRole('table', { name: 'Active ranges' });
  await ranges.locator('tbody tr').nth(2).waitFor();
  assert.match(await page.getByRole('table', { name: 'Submissions' }).innerText(), /from 2026-01-15/);
  assert.deepEqual(await ranges.locator('tbody tr td:first-child').allInnerTexts(), ['45.10.1.0/24', '45.10.2.0/24', '2a01:4f8:100::/48']);
  // The submission's acknowledgement: a thread with the ISP, the reply drafted with its facts in words.
  await page.getByRole('button', { name: 'Acknowledge submission #1 to Example Net' }).click();
  const thread = page.getByRole('article', { name: /^Thread #\d+$/ });
  await thread.getByRole('heading', { name: 'DUL submission #1' }).waitFor();
  const reply = thread.getByLabel('Text', { exact: true });
  await reply.waitFor();
  assert.match(await reply.inputValue(), /Submission: +#1, received \w+day \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC: 3 ranges added, 0 removed, 0 unchanged/);
  await thread.getByLabel('To', { exact: true }).fill('noc@example.net');
  await thread.getByRole('button', { name: 'Save the reply' }).click();
  await thread.locator('.thread-message-outbound').waitFor();
  await page.getByRole('table', { name: 'Submissions' }).getByRole('button', { name: 'Revert' }).click();
  await page.getByRole('table', { name: 'Submissions' }).getByText(/^reverted /).waitFor();
  assert.equal(await ranges.locator('tbody tr').count(), 0);
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});

test('a preview of 2,500 new ranges is browsable page by page to its last range', async () => {
  const { page, server } = harness;
  const path = join(harness.folder, 'many.txt');
  const ranges = Array.from({ length: 2500 }, (_, index) => `46.${10 + Math.floor(index / 256)}.${index % 256}.0/24`);
  writeFileSync(path, `${ranges.join('\n')}\n`);
  const added0 = await harness.core.dispatch('isps.add', { name: 'Pool Net' }, { actor: harness.actor });
  assert.ok(added0.ok, added0.ok ? '' : added0.error.message);
  await page.goto(server.url);
  await page.goto(`${harness.origin}/#/dul/Pool%20Net`);
  await page.getByRole('heading', { name: 'Pool Net' }).waitFor();
  const form = page.getByRole('form', { name: 'Import a submission' });
  await form.getByLabel('File', { exact: true }).setInputFiles(path);
  await form.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByLabel('Submission preview');
  await preview.waitFor();
  const added = preview.locator('details').filter({ hasText: 'Added: 2,500' });
  await added.locator('summary').click();
  const pager = added.getByLabel('Added pages');
  assert.match(await pager.innerText(), /1–1,000 of 2,500/);
  assert.equal(await added.locator('li').first().innerText(), '46.10.0.0/24');
  await pager.getByRole('button', { name: 'Next' }).click();
  await pager.getByRole('button', { name: 'Next' }).click();
  await pager.getByText('2,001–2,500 of 2,500').waitFor();
  await added.locator('li').filter({ hasText: '46.19.195.0/24' }).waitFor();
  assert.equal(await added.locator('li').count(), 500);
  assert.equal(await added.locator('li').last().innerText(), '46.19.195.0/24');
  assert.equal(await pager.getByRole('button', { name: 'Next' }).isDisabled(), true);
  await pager.getByRole('button', { name: 'Previous' }).click();
  await pager.getByText('1,001–2,000 of 2,500').waitFor();
  await added.locator('li').filter({ hasText: '46.13.232.0/24' }).first().waitFor();
  assert.equal(await added.locator('li').first().innerText(), '46.13.232.0/24');
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});
