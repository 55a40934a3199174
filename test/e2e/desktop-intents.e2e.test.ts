/**
 * The desktop shell's intents as the page receives them, in Chromium: a stand-in for the
 * preload's `window.repdesk` (the contract over the real server, and the intent subscription) lets
 * the test send what the shell sends for each kind of file the README says can be dropped or
 * chosen in File > Import…, and checks that each lands somewhere visible: a listings file in Import
 * listings (preview, progress, Cancel with nothing imported, then the import with its merged
 * lines), a nomination bundle in the opened intake, spam samples waiting visibly on Listings, a
 * DUL file on the ISP list.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { importsForDroppedFiles, intentsForImports } from '../../main/electron/intents.js';
import type { ApiResult } from '../../shared/result.js';
import type { Intent } from '../../shared/desktop.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH, type UploadReceipt } from '../../shared/files.js';
import { saveScreenshot, repdesk, startHarness, type Harness } from '../e2e-support/harness.js';

const LINES = 50_000;

let harness: Harness;

/** The preload's bridge, stood in for: each operation POSTs to the server; intents come from the test. */
const FAKE_BRIDGE = `(() => {
  const match = /^#token=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (match) sessionStorage.setItem('fake-bridge-token', match[1]);
  const token = sessionStorage.getItem('fake-bridge-token') || '';
  const listeners = [];
  window.sendIntent = (intent) => listeners.forEach((listener) => listener(intent));
  window.repdesk = new Proxy({}, {
    get(_target, name) {
      if (name === 'onIntent') return (listener) => { listeners.push(listener); return () => undefined; };
      // No connection calls: the page goes straight to the app (on this computer), as in browser mode.
      if (name === 'connectionState' || name === 'onConnection') return undefined;
      // No onJobProgress, onChange or onReachability: the page polls for job progress and hears of no changes, as in browser mode.
      if (typeof name !== 'string' || name === 'then' || name === 'onJobProgress' || name === 'onChange' || name === 'onReachability') return undefined;
      return (input) => fetch('/api/' + name, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: JSON.stringify(input ?? {}) }).then((response) => response.json());
    },
  });
})();`;

function count(sql: string): number {
  const handle = new Database(harness.databasePath, { readonly: true });
  try {
    return (handle.prepare(sql).get() as { count: number }).count;
  } finally {
    handle.close();
  }
}

async function send(intent: Intent): Promise<void> {
  await harness.page.evaluate(`window.sendIntent(${JSON.stringify(intent)})`);
}

/**
 * What the shell does with a file dropped on the window: it becomes an upload of the page's
 * session (the shell registers the local file; this stand-in sends it the way the page's calls go).
 */
async function registered(path: string): Promise<UploadReceipt> {
  const response = await fetch(`${harness.origin}${UPLOAD_PATH}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${harness.server.token}`, [UPLOAD_NAME_HEADER]: encodeURIComponent(basename(path)) },
    body: readFileSync(path),
  });
  const result = (await response.json()) as ApiResult<UploadReceipt>;
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

/** What the shell sends for files dropped on a section: intents carrying uploads, never paths. */
async function dropped(paths: string[], section: 'listings' | 'dul' | 'lookup' | 'nominations'): Promise<Intent[]> {
  const { imports, refused } = importsForDroppedFiles(paths, section);
  assert.deepEqual(refused, []);
  const registeredIntents = await intentsForImports(imports, registered);
  assert.deepEqual(registeredIntents.refused, []);
  return registeredIntents.intents;
}

before(async () => {
  harness = await startHarness({
    seed: async (databasePath) => {
      await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'investigator,liaison,reviewer');
      await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '81.0.0.0/16', '--list', 'RBL', '--reason', 'spam-source');
    },
  });
  await harness.page.addInitScript(FAKE_BRIDGE);
  await harness.page.goto(harness.server.url);
  await harness.page.getByText('Signed in as').waitFor();
});

after(async () => {
  await harness?.close();
});

test('a 50,000-line listings file dropped on the window opens Import listings: preview, progress, Cancel with nothing imported, then the import', async () => {
  const { page } = harness;
  const lines = ['# addresses from the abuse desk'];
  for (let index = 0; index < LINES; index += 1) lines.push(`45.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
  lines.push('45.0.0.7', '45.0.0.9', '81.0.1.0/24');
  const path = join(harness.folder, 'spam-sources.txt');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const listingsBefore = count('SELECT count(*) AS count FROM listings');

  const [intent] = await dropped([path], 'lookup');
  assert.ok(intent.kind === 'import' && intent.target === 'listings' && intent.section === 'listings' && intent.files[0].name === 'spam-sources.txt', JSON.stringify(intent));
  assert.doesNotMatch(JSON.stringify(intent), /\//, 'no path reaches the page');
  await send(intent);
  await page.waitForURL(/#\/import-listings$/);
  assert.equal(await page.getByTestId('import-file').innerText(), 'spam-sources.txt');
  const form = page.getByRole('form', { name: 'Import listings' });
  await form.getByLabel('Reason').selectOption('spam-support');
  await form.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByRole('region', { name: 'Import preview' });
  await preview.waitFor({ timeout: 60_000 });
  assert.match(await preview.innerText(), /50,003 entries, 50,003 good ranges \(50,003 IPv4, 0 IPv6\): 50,001 to import onto RBL, 2 repeated lines merged, 0 already listed/);
  await preview.getByText('Lines merged (the same range earlier in the file): 2').click();
  assert.match(await preview.getByRole('list', { name: 'Lines merged (the same range earlier in the file)' }).innerText(), /line 50002: 45\.0\.0\.7 also stands on line 9; imported once/);
  assert.match(await preview.innerText(), /Overlapping listings in force: 1/);

  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'import-listings-light', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'import-listings-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  // The import runs as a job: progress with rate and time left, and Cancel rolls it back.
  await form.getByRole('button', { name: 'Import 50,001 listings' }).click();
  const progress = page.getByRole('progressbar', { name: 'Import' });
  await progress.waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('status').filter({ hasText: 'Cancelled: nothing was imported.' }).waitFor({ timeout: 60_000 });
  assert.equal(count('SELECT count(*) AS count FROM listings'), listingsBefore, 'nothing imported after the cancel');

  await form.getByRole('button', { name: 'Preview' }).click();
  await preview.waitFor({ timeout: 60_000 });
  await form.getByRole('button', { name: 'Import 50,001 listings' }).click();
  const done = page.getByRole('status').filter({ hasText: /^Imported/ });
  await done.waitFor({ timeout: 120_000 });
  assert.match(await done.innerText(), /Imported 50,001 listings onto RBL; 2 repeated lines merged, 0 already listed \(skipped\)/);
  assert.equal(count('SELECT count(*) AS count FROM listings'), listingsBefore + 50_001);
});

test('a nomination bundle dropped on the window opens the nomination intake with the bundle loaded', async () => {
  const { page } = harness;
  const bundle = join(harness.folder, 'nomination.json');
  writeFileSync(bundle, JSON.stringify({ contact: { email: 'ops@mail.example', firstName: 'Olga', lastName: 'Ops' }, mtas: [], helos: [] }));
  await send((await dropped([bundle], 'lookup'))[0]);
  await page.waitForURL(/#\/nominations/);
  const loaded = page.getByRole('form', { name: 'Import a nomination bundle' }).getByLabel('Chosen file');
  await loaded.waitFor();
  assert.match(await loaded.innerText(), /^nomination\.json, \d+ B$/);
  assert.equal(await page.locator('details.queue-intake').getAttribute('open'), '', 'the intake is open');
});

test('spam samples dropped away from a record wait visibly on Listings; a DUL file waits on the ISP list', async () => {
  const { page } = harness;
  const samples = [join(harness.folder, 'a.eml'), join(harness.folder, 'b.mbox')];
  for (const sample of samples) writeFileSync(sample, 'Subject: x\n\nbody\n');
  await send((await dropped(samples, 'lookup'))[0]);
  await page.waitForURL(/#\/listings$/);
  assert.match(await page.getByRole('status').filter({ hasText: 'spam samples are waiting' }).innerText(), /2 spam samples are waiting \(.*a\.eml, .*b\.mbox\): open the record they belong to/);
  const dul = join(harness.folder, 'pools.csv');
  writeFileSync(dul, '45.20.0.0/24\n');
  await send((await dropped([dul], 'dul'))[0]);
  await page.waitForURL(/#\/dul$/);
  await page.getByRole('status').filter({ hasText: 'pools.csv' }).waitFor();
});

test('the page logged no console errors and talked to 127.0.0.1 only', () => {
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});
