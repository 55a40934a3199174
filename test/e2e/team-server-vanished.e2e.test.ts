/**
 * A browser whose team server vanished: the real `repdesk server` in a process of its own, killed
 * with SIGKILL while a signed-in page (Debian's Chromium) shows the listings. The page names the
 * server as unreachable at once, keeps trying, and when the server is started again on the same
 * data folder and port the banner goes, the person is still signed in (the session is in the
 * database) and what changed meanwhile and after shows without a reload.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e-support/harness.js';
import { describeChild, runChild } from '../integration/support/processes.js';
import { startServerProcess, type ServerProcess } from '../integration/support/server-process.js';
import { ADMIN, ADMIN_PASSPHRASE, bootstrapTeam } from '../integration/support/team-server.js';

let folder: string;
let data: string;
let databasePath: string;
let server: ServerProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** A listing added by a command on the server's computer (another process). */
function addListing(range: string): void {
  const run = runChild(['--db', databasePath, '--actor', ADMIN, 'listing', 'add', range, '--list', 'RBL', '--reason', 'spam-source']);
  assert.equal(run.code, 0, describeChild(run));
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-vanished-'));
  data = join(folder, 'data');
  mkdirSync(data, { mode: 0o700 });
  databasePath = join(data, 'repdesk.sqlite');
  await bootstrapTeam(databasePath);
  server = await startServerProcess(data);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

test('killed, the server is named as unreachable at once; started again, the page works on, still signed in, and shows what changed', async () => {
  await page.goto(`${server.url}#/listings`);
  await page.getByLabel('Name').fill(ADMIN);
  await page.getByLabel('Passphrase').fill(ADMIN_PASSPHRASE);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Listings', level: 1 }).waitFor();

  const banner = page.getByRole('alert').filter({ hasText: 'The team server cannot be reached' });
  await server.kill();
  await banner.waitFor({ timeout: 10_000 });
  // Written while the server is down (another process on its database): shown once the page is back.
  addListing('81.33.0.0/24');

  server = await startServerProcess(data, { listen: `127.0.0.1:${server.port}` });
  await banner.waitFor({ state: 'detached', timeout: 30_000 });
  await page.getByText('81.33.0.0/24').first().waitFor({ timeout: 10_000 });
  assert.equal(await page.getByRole('heading', { name: 'Sign in', level: 2 }).count(), 0, 'still signed in: the session is in the database');
  addListing('81.34.0.0/24');
  await page.getByText('81.34.0.0/24').first().waitFor({ timeout: 10_000 });
  assert.deepEqual(pageErrors, []);
});
