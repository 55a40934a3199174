/**
 * The Publish view end to end: a real database in public address space, a real signing key,
 * publish.run as a real worker-thread job, two publishers on two servers sharing the database
 * file, and Debian's Chromium. Also holds the page to: no console errors, no CSP violations,
 * no request off loopback.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateKeyPair } from '../../main/core/snapshot/index.js';
import { PROJECT_FOLDER, repdesk, startHarness, type Harness, type Session } from '../e2e-support/harness.js';

const SCREENSHOT_FOLDER = join(PROJECT_FOLDER, 'test-output', 'screenshots');
const CHECK_NAMES = ['test-points', 'no-whole-space', 'special-space', 'gal-conflicts', 'change-size'];
/** More RBL listings than one page of a snapshot's changes (100). */
const RBL_COUNT = 150;

/**
 * Alice (the first person, so also admin) and Bob publish; Rosa reviews. Every listing is in
 * public space: publishing refuses private and documentation ranges.
 */
async function seedPublishTeam(databasePath: string): Promise<void> {
  await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'investigator,liaison,publisher');
  await repdesk(databasePath, '--actor', 'Alice', 'investigator', 'add', 'Bob', '--roles', 'investigator,publisher');
  await repdesk(databasePath, '--actor', 'Alice', 'investigator', 'add', 'Rosa', '--roles', 'reviewer');
  const rblFile = join(databasePath, '..', 'rbl.txt');
  writeFileSync(rblFile, Array.from({ length: RBL_COUNT }, (_, index) => `5.45.0.${index + 1}`).join('\n') + '\n');
  await repdesk(databasePath, '--actor', 'Alice', 'import', rblFile, '--list', 'RBL', '--reason', 'spam-source', '--txt', 'Spam run from a compromised host');
  await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '37.120.0.0/16', '--list', 'DUL', '--reason', 'dynamic', '--txt', 'Dynamic range of Example ISP');
  await repdesk(databasePath, '--actor', 'Bob', 'listing', 'add', '45.9.20.0/24', '--list', 'QIL', '--reason', 'botnet', '--level', '2');
  await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '185.12.64.0/24', '--list', 'MML', '--reason', 'marketing');
  // A GAL sender inside an RBL listing: GAL wins, and the report warns about it.
  await repdesk(databasePath, '--actor', 'Rosa', 'listing', 'add', '5.45.0.7', '--list', 'GAL', '--reason', 'approved');
}

let harness: Harness;
let bob: Session;
let rosa: Session;

before(async () => {
  const key = generateKeyPair();
  harness = await startHarness({ seed: seedPublishTeam, signingKey: key, actor: 'Alice' });
});

after(async () => {
  await harness?.close();
});

/** Open the app with the session's token, then go to Publish through the navigation. */
async function openPublish(session: Session): Promise<void> {
  await session.page.goto(session.server.url);
  await session.page.getByText('Signed in as').waitFor();
  await session.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Publish' }).click();
  await session.page.getByRole('heading', { name: 'Publish', level: 1 }).waitFor();
}

async function changeRow(page: Page, list: string): Promise<{ total: string; added: string; removed: string; first: boolean }> {
  const row = page.locator(`table.changes tbody tr[data-list="${list}"]`);
  await row.waitFor();
  const first = (await row.locator('td.column-first').count()) > 0;
  return {
    total: await row.locator('td.column-total').innerText(),
    added: first ? '' : await row.locator('td.column-added').innerText(),
    removed: first ? '' : await row.locator('td.column-removed').innerText(),
    first,
  };
}

async function checkStatuses(page: Page): Promise<Record<string, string>> {
  const checks = page.getByRole('region', { name: 'Safety checks' }).locator('li.safety-check');
  await checks.first().waitFor();
  const statuses: Record<string, string> = {};
  for (const check of await checks.all()) {
    statuses[(await check.getAttribute('data-check')) ?? ''] = (await check.locator('.check-status').innerText()).replace(/^\W+/, '');
  }
  return statuses;
}

async function historyRows(page: Page): Promise<{ serial: string; prepared: string; approved: string; added: string; removed: string }[]> {
  const rows = page.locator('table.snapshots tbody tr');
  await rows.first().waitFor();
  const result = [];
  for (const row of await rows.all()) {
    result.push({
      serial: await row.locator('td.column-serial').innerText(),
      prepared: await row.locator('td.column-prepared').innerText(),
      approved: await row.locator('td.column-approved').innerText(),
      added: await row.locator('td.column-added').innerText(),
      removed: await row.locator('td.column-removed').innerText(),
    });
  }
  return result;
}

/** Click "Sign and publish", see the progress bar while the job runs, and wait for its outcome. */
async function signAndPublish(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: 'Sign and publish' });
  const progressShown = page.getByRole('progressbar', { name: 'Publishing' }).waitFor();
  await button.click();
  // Going live is confirmed first, in a dialog naming the zone and what changes.
  const confirmation = page.getByRole('alertdialog', { name: 'Go live with a new snapshot?' });
  assert.match(await confirmation.innerText(), /A new signed snapshot of bl\.example becomes the one DNS hosts install/);
  await confirmation.getByRole('button', { name: 'Sign and publish' }).click();
  await progressShown;
  assert.equal(await page.getByRole('button', { name: 'Publishing…' }).isDisabled(), true, 'the button is disabled while the job runs');
  await page.getByRole('button', { name: 'Sign and publish' }).waitFor();
}

async function screenshot(page: Page, name: string, scheme: 'light' | 'dark'): Promise<void> {
  mkdirSync(SCREENSHOT_FOLDER, { recursive: true });
  await page.emulateMedia({ colorScheme: scheme });
  await page.mouse.move(1200, 10);
  await page.screenshot({ path: join(SCREENSHOT_FOLDER, `${name}-${scheme}.png`), fullPage: true });
}

test('the preview shows per-list counts, "first snapshot", the zone and every safety check by name', async () => {
  const { page } = harness;
  await openPublish(harness);
  assert.deepEqual(await changeRow(page, 'RBL'), { total: '150', added: '', removed: '', first: true });
  assert.deepEqual(await changeRow(page, 'DUL'), { total: '1', added: '', removed: '', first: true });
  assert.deepEqual(await changeRow(page, 'GAL'), { total: '1', added: '', removed: '', first: true });
  assert.match(await page.locator('table.changes caption').innerText(), /Zone bl\.example · no snapshot published yet/);

  assert.deepEqual(await checkStatuses(page), {
    'test-points': 'pass',
    'no-whole-space': 'pass',
    'special-space': 'pass',
    'gal-conflicts': 'warn',
    'change-size': 'pass',
  });
  const safety = page.getByRole('region', { name: 'Safety checks' });
  for (const name of CHECK_NAMES) await safety.getByText(name, { exact: true }).waitFor();
  // The warning's items are folded away until asked for.
  const conflict = safety.getByText('RBL 5.45.0.7 overlaps GAL 5.45.0.7');
  assert.equal(await conflict.isVisible(), false);
  await safety.locator('li[data-check="gal-conflicts"] summary').click();
  await conflict.waitFor();
  assert.match(await safety.locator('.panel-summary').innerText(), /ready to publish, with warnings/);
  assert.match(await page.locator('.prepared-by').innerText(), /Prepared by Alice/);
  assert.match(await page.getByRole('region', { name: 'Second approval' }).innerText(), /No large change is waiting/);
  assert.match(await page.getByRole('region', { name: 'History of snapshots' }).innerText(), /Nothing has been published/);
});

let firstSerial = '';

test('sign and publish shows progress, then the serial, folder, key and files; the history lists it', async () => {
  const { page } = harness;
  await signAndPublish(page);
  const outcome = page.locator('.outcome-published');
  await outcome.waitFor();
  firstSerial = await outcome.locator('.published-serial').innerText();
  assert.match(firstSerial, /^\d{10}$/);
  const outcomeText = await outcome.innerText();
  assert.match(outcomeText, new RegExp(`Published snapshot ${firstSerial} of bl\\.example`));
  assert.ok(outcomeText.includes(join(harness.snapshotFolder, firstSerial)), 'the folder is shown');
  assert.equal(readlinkSync(join(harness.snapshotFolder, 'current')), firstSerial);

  const files = await outcome.locator('table.files tbody tr').allInnerTexts();
  assert.ok(files.length >= 10, `expected a file per list, family and format, got ${files.length}`);
  const rbl = files.find((row) => row.startsWith('rbl.ip4trie'));
  assert.ok(rbl, 'the RBL rbldnsd file is listed');
  assert.match(rbl, /rbldnsd ip4trie\s+rbl\.bl\.example\s+\d+\s+\d+(\.\d)? (B|KB)/);
  assert.ok(files.some((row) => /^rbl\.v4\.zone\s+BIND master\s+rbl\.bl\.example/.test(row)), 'the RBL BIND file is listed');
  for (const file of files) assert.ok(existsSync(join(harness.snapshotFolder, firstSerial, file.split('\t')[0])), `${file} was written`);

  const history = await historyRows(page);
  assert.deepEqual(history, [{ serial: firstSerial, prepared: 'Alice', approved: '—', added: '+154', removed: 'first' }]);
  // After the publish the preview compares with the new snapshot: nothing changed since.
  await page.locator('table.changes caption', { hasText: `compared with snapshot ${firstSerial}` }).waitFor();
  assert.deepEqual(await changeRow(page, 'RBL'), { total: '150', added: '0', removed: '0', first: false });
  assert.ok(harness.problems.requests.some((url) => url.endsWith('/api/jobs.get')), 'the page polled the job');
});

test('selecting a snapshot shows what it added per list, 100 listings a page', async () => {
  const { page } = harness;
  await page.getByRole('button', { name: firstSerial, exact: true }).click();
  const panel = page.getByRole('region', { name: `Changes in snapshot ${firstSerial}` });
  await panel.waitFor();
  assert.equal(await panel.getByRole('tab', { name: /^RBL/ }).getAttribute('aria-selected'), 'true');
  assert.equal(await panel.getByRole('tab', { name: 'Added (150)' }).getAttribute('aria-selected'), 'true');
  const caption = panel.locator('table.changed-listings caption');
  await caption.filter({ hasText: 'Added on RBL: 1–100 of 150' }).waitFor();
  const rows = panel.locator('table.changed-listings tbody tr');
  assert.equal(await rows.count(), 100);
  assert.match(await rows.first().innerText(), /5\.45\.0\.1\s+RBL\s+Spam source\s+active\s+Alice/);

  await panel.getByRole('button', { name: 'Next 100' }).click();
  await caption.filter({ hasText: 'Added on RBL: 101–150 of 150' }).waitFor();
  assert.equal(await rows.count(), 50);
  assert.match(await rows.last().innerText(), /5\.45\.0\.150\s/);
  assert.equal(await panel.getByRole('button', { name: 'Next 100' }).isDisabled(), true);
  await panel.getByRole('button', { name: 'Previous 100' }).click();
  await caption.filter({ hasText: 'Added on RBL: 1–100 of 150' }).waitFor();

  // Arrow keys move between list tabs, as tabs do.
  await panel.getByRole('tab', { name: /^RBL/ }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await panel.getByRole('tab', { name: /^DUL/ }).getAttribute('aria-selected'), 'true');
  await caption.filter({ hasText: 'Added on DUL: 1–1 of 1' }).waitFor();
  assert.match(await rows.first().innerText(), /37\.120\.0\.0\/16\s+DUL\s+Dynamic \/ DUL\s+active\s+Alice/);
  await panel.getByRole('tab', { name: 'Removed (0)' }).click();
  await panel.getByText('This snapshot removed nothing on DUL.').waitFor();
  await panel.getByRole('tab', { name: /^RBL/ }).click();
  await panel.getByRole('tab', { name: 'Added (150)' }).click();
  await caption.filter({ hasText: 'Added on RBL: 1–100 of 150' }).waitFor();

  await screenshot(page, 'publish', 'light');
  await screenshot(page, 'publish', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('a change over the threshold is refused for lack of a second publisher, and nothing is published', async () => {
  const { page, core } = harness;
  const updated = await core.dispatch('settings.update', { publish: { maxAddedPerList: 2 } }, { actor: 'Alice' });
  assert.equal(updated.ok, true);
  for (const address of ['11.22.33.1', '11.22.33.2', '11.22.33.3']) {
    const added = await core.dispatch('listings.add', { range: address, list: 'RBL', reason: 'open-relay' }, { actor: 'Alice' });
    assert.equal(added.ok, true, `listing ${address}`);
  }
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.locator('table.changes tr[data-list="RBL"] td.column-added', { hasText: '+3' }).waitFor();
  assert.deepEqual(await changeRow(page, 'RBL'), { total: '153', added: '+3', removed: '0', first: false });
  assert.equal((await checkStatuses(page))['change-size'], 'needs approval');

  await signAndPublish(page);
  const refusal = page.getByRole('alert').filter({ hasText: 'needs a second publisher' });
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /Not published/);
  assert.match(await refusal.innerText(), /RBL: \+3 -0 \(limits \+2 -10000\)/);
  assert.equal(readlinkSync(join(harness.snapshotFolder, 'current')), firstSerial, 'the current snapshot is unchanged');

  const request = page.getByRole('list', { name: 'Requests for a second approval' }).getByRole('listitem').first();
  await request.getByText('Waiting for a second publisher.').waitFor();
  assert.match(await request.innerText(), /Request #\d+ by Alice/);
  assert.match(await request.innerText(), /RBL \+3 −0/);
  assert.equal(await request.getByRole('button', { name: 'Approve' }).count(), 0, 'the requester cannot approve their own request');
  assert.deepEqual(
    (await historyRows(page)).map((row) => row.serial),
    [firstSerial],
  );
  await screenshot(page, 'publish-needs-approval', 'light');
});

test('a second publisher sees the request with Approve and approves it', async () => {
  bob = await harness.openSession('Bob');
  await openPublish(bob);
  assert.match(await bob.page.locator('header').innerText(), /Signed in as Bob/);
  const request = bob.page.getByRole('list', { name: 'Requests for a second approval' }).getByRole('listitem').first();
  await request.waitFor();
  assert.match(await request.innerText(), /by Alice/);
  await screenshot(bob.page, 'publish-approve', 'dark');
  await request.getByRole('button', { name: 'Approve' }).click();
  await request.getByText('Approved by Bob').waitFor();
  assert.match(await request.innerText(), /ready to publish/);
  assert.equal(await request.getByRole('button', { name: 'Approve' }).count(), 0);
});

test('back as the first publisher, the approved change publishes and the history shows "approved by Bob"', async () => {
  const { page } = harness;
  await signAndPublish(page);
  const outcome = page.locator('.outcome-published');
  await outcome.waitFor();
  const serial = await outcome.locator('.published-serial').innerText();
  assert.ok(Number(serial) > Number(firstSerial), 'serials only go up');
  assert.match(await outcome.innerText(), /Prepared by\s+Alice\s+Approved by\s+Bob/);
  const history = await historyRows(page);
  assert.deepEqual(
    history.map((row) => [row.serial, row.prepared, row.approved, row.added, row.removed]),
    [
      [serial, 'Alice', 'Bob', '+3', '−0'],
      [firstSerial, 'Alice', '—', '+154', 'first'],
    ],
  );
  await page.getByRole('region', { name: 'Second approval' }).getByText('No large change is waiting').waitFor();
  assert.equal(readlinkSync(join(harness.snapshotFolder, 'current')), serial);
});

test('someone without the publisher role sees why Publish is disabled, and the core\'s refusal of the preview', async () => {
  rosa = await harness.openSession('Rosa');
  await openPublish(rosa);
  const preview = rosa.page.getByRole('region', { name: 'What changed since the last snapshot' });
  await preview.getByRole('alert').filter({ hasText: 'Rosa does not have the publisher role' }).waitFor();
  const button = rosa.page.getByRole('button', { name: 'Sign and publish' });
  assert.equal(await button.isDisabled(), true, 'no enabled button that can only fail');
  assert.match(await rosa.page.locator('#publish-not-allowed').innerText(), /Publishing needs the publisher role; Rosa has the role reviewer/);
  assert.equal(await button.getAttribute('aria-describedby'), 'publish-not-allowed');
  await screenshot(rosa.page, 'publish-not-publisher', 'light');
  await screenshot(rosa.page, 'publish-not-publisher', 'dark');
  await rosa.page.emulateMedia({ colorScheme: 'light' });
  assert.equal((await historyRows(rosa.page)).length, 2, 'nothing more was published');
});

test('every page logged no console errors or CSP violations and talked to 127.0.0.1 only', () => {
  for (const session of [harness, bob, rosa]) {
    const { problems } = session;
    assert.ok(problems.requests.some((url) => url.endsWith('/api/publish.preview')), `${session.actor}'s page never asked for the preview`);
    assert.deepEqual(problems.errors, [], `${session.actor}'s page`);
    assert.deepEqual(problems.foreignRequests, [], `${session.actor}'s page`);
  }
  assert.deepEqual(harness.problems.refusedCalls, []);
  assert.deepEqual(bob.problems.refusedCalls, []);
  // The preview refused Rosa on purpose (she is no publisher), once, on opening.
  assert.deepEqual(rosa.problems.refusedCalls, ['403 /api/publish.preview']);
});
