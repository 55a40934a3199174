/**
 * The team server in a browser (a real `startTeamServer` on a real database, Debian's Chromium):
 * nobody signed in sees the sign-in screen; a person invited by an admin enrols with the code
 * (passphrase twice, an authenticator app, recovery codes shown once), signs in (asked for the
 * second factor), and works in the same app, their name always shown; the session is an HttpOnly
 * cookie the page cannot read; what another person changes appears on the open listings page and
 * record without a reload, and so does what a command run on the server's database by another
 * process changes; a server that vanished is named at once and, back, works again; an
 * admin ending the session sends the page back to the sign-in screen
 * saying why; signing out does too, and a reload stays signed out; an admin downloads a backup
 * of the database from the Team page (a tar archive whose copy `audit verify` passes).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { totp, base32Decode } from '../../main/core/auth/totp.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, PROJECT_FOLDER } from '../e2e-support/harness.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runProgram } from '../integration/support/cli.js';
import { describeChild, runChild } from '../integration/support/processes.js';
import { ADMIN_PASSPHRASE, startTeamHarness, value, type TeamServerHarness } from '../integration/support/team-server.js';

const PASSPHRASE = 'noor maps the tide pools every morning';
const SCREENSHOT_FOLDER = join(PROJECT_FOLDER, 'test-output', 'screenshots');

let team: TeamServerHarness;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let recoveryCodes: string[] = [];

before(async () => {
  team = await startTeamHarness();
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
  await team?.stop();
});

test('nobody signed in sees the sign-in screen; a wrong passphrase is refused there', async () => {
  await page.goto(team.server.url);
  await page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Sections' }).count(), 0, 'no part of the app before signing in');
  await page.getByLabel('Name').fill('Ada');
  await page.getByLabel('Passphrase').fill('not what Ada chose at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'wrong name or passphrase' }).waitFor();
  // The one sign-in screen (the desktop's too, with its server part), in both themes.
  mkdirSync(SCREENSHOT_FOLDER, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, `sign-in-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
});

test('an invited person enrols with the code (passphrase, authenticator, recovery codes once) and signs in with the second factor', async () => {
  const invitation = value(await team.call<{ code: string }>('team.invite', { name: 'Noor', roles: ['investigator'] }, { token: team.admin.token }));
  await page.getByRole('button', { name: 'Enrol with a code' }).click();
  await page.getByLabel('Enrolment code', { exact: true }).fill(invitation.code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Noor').first().waitFor();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Passphrase again').fill(PASSPHRASE);
  await page.getByLabel('Add an authenticator app').check();
  const secret = base32Decode((await page.getByLabel('Authenticator secret').innerText()).trim());
  await page.getByLabel('Code it shows').fill(totp(secret, Date.now()));
  await page.getByRole('button', { name: 'Enrol' }).click();
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await codes.first().waitFor();
  recoveryCodes = (await codes.allInnerTexts()).map((code) => code.trim());
  assert.equal(recoveryCodes.length, 10);
  await page.getByRole('button', { name: 'I have kept them: sign in' }).click();

  assert.equal(await page.getByLabel('Name').inputValue(), 'Noor');
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // This 30-second step's code went into enrolling: a recovery code stands in for it.
  await page.getByLabel('Authenticator code').fill(recoveryCodes[0]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
  assert.match(await page.locator('.signed-in').innerText(), /Signed in as Noor · investigator/);
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
  assert.equal(await page.evaluate('document.cookie'), '', 'the session cookie is HttpOnly');
  const sessions = team.rows<{ kind: string; client: string }>("SELECT kind, client FROM sessions WHERE investigator_id = (SELECT id FROM investigators WHERE name = 'Noor') AND ended_at IS NULL");
  assert.deepEqual(sessions, [{ kind: 'cookie', client: 'browser' }]);
});

test("another person's changes appear on the open listings page and record without a reload", async () => {
  await page.goto(`${team.server.url}#/listings`);
  await page.getByRole('heading', { name: 'Listings', level: 1 }).waitFor();
  const added = value(await team.call<{ listing: { id: number } }>('listings.add', { range: '81.30.0.0/24', list: 'RBL', reason: 'spam-source' }, { token: team.admin.token }));
  await page.getByText('81.30.0.0/24').first().waitFor({ timeout: 10_000 });

  await page.goto(`${team.server.url}#/record/${added.listing.id}`);
  await page.getByRole('heading', { name: /81\.30\.0\.0\/24/, level: 1 }).waitFor();
  value(await team.call('listings.delist', { id: added.listing.id, why: 'the host was cleaned' }, { token: team.admin.token }));
  await page.getByRole('heading', { name: /delisted/, level: 1 }).waitFor({ timeout: 10_000 });
});

test("a command run on the server's database by another process shows on the open listings page and record without a reload", async () => {
  const command = (args: readonly string[]) => {
    const run = runChild(['--db', team.databasePath, '--actor', 'Ada', ...args]);
    assert.equal(run.code, 0, describeChild(run));
    return run;
  };
  await page.goto(`${team.server.url}#/listings`);
  await page.getByRole('heading', { name: 'Listings', level: 1 }).waitFor();
  const added = command(['listing', 'add', '81.31.0.0/24', '--list', 'RBL', '--reason', 'spam-source', '--json']);
  const id = (JSON.parse(added.out) as { listing: { id: number } }).listing.id;
  await page.getByText('81.31.0.0/24').first().waitFor({ timeout: 10_000 });

  await page.goto(`${team.server.url}#/record/${id}`);
  await page.getByRole('heading', { name: /81\.31\.0\.0\/24/, level: 1 }).waitFor();
  command(['listing', 'delist', String(id), '--why', 'cleaned, delisted by the nightly job']);
  await page.getByRole('heading', { name: /delisted/, level: 1 }).waitFor({ timeout: 10_000 });
});

test('a server that vanished is named at once; once it is back the banner goes and changes show again, without a reload', async () => {
  await page.goto(`${team.server.url}#/listings`);
  await page.getByRole('heading', { name: 'Listings', level: 1 }).waitFor();
  const banner = page.getByRole('alert').filter({ hasText: 'The team server cannot be reached' });
  const bounced = team.bounce(4_000);
  await banner.waitFor({ timeout: 10_000 });
  await bounced;
  await banner.waitFor({ state: 'detached', timeout: 20_000 });
  value(await team.call('listings.add', { range: '81.32.0.0/24', list: 'RBL', reason: 'spam-source' }, { token: team.admin.token }));
  await page.getByText('81.32.0.0/24').first().waitFor({ timeout: 10_000 });
});

test('an admin ending the session sends the page to the sign-in screen saying why; signing out too, and a reload stays signed out', async () => {
  const sessions = value(await team.call<{ id: number }[]>('team.sessions', { name: 'Noor' }, { token: team.admin.token }));
  value(await team.call('team.endSession', { id: sessions[0].id }, { token: team.admin.token }));
  await page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor({ timeout: 10_000 });
  await page.getByRole('status').filter({ hasText: /ended/ }).waitFor();

  await page.getByLabel('Name').fill('Noor');
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Authenticator code').fill(recoveryCodes[1]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You signed out.').waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
  assert.equal(team.rows("SELECT id FROM sessions WHERE investigator_id = (SELECT id FROM investigators WHERE name = 'Noor') AND ended_at IS NULL").length, 0);
  assert.deepEqual(pageErrors, []);
});

test("an admin downloads a backup of the team's database from the Team page", async () => {
  await page.goto(`${team.server.url}#/team`);
  await page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
  await page.getByLabel('Name').fill('Ada');
  await page.getByLabel('Passphrase').fill(ADMIN_PASSPHRASE);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download a backup' }).click()]);
  assert.match(download.suggestedFilename(), /^repdesk-backup-[0-9TZ-]+\.tar$/);
  const archive = join(team.folder, 'from-the-browser.tar');
  await download.saveAs(archive);
  const listed = runProgram('tar', ['-tf', archive]);
  assert.ok(listed.out.includes('repdesk.sqlite'), listed.out.join(', '));
  assert.deepEqual(listed.out.filter((name) => !['repdesk.sqlite', 'repdesk.sqlite.checkpoints', 'repdesk.sqlite.checkpoint-key'].includes(name)), []);
  const unpacked = join(team.folder, 'from-the-browser');
  mkdirSync(unpacked);
  assert.equal(runProgram('tar', ['-xf', archive, '-C', unpacked]).code, 0);
  const verify = runChild(['--db', join(unpacked, 'repdesk.sqlite'), 'audit', 'verify']);
  assert.equal(verify.code, 0, describeChild(verify));
  assert.deepEqual(team.rows("SELECT actor, client FROM events WHERE action = 'backup.downloaded'"), [{ actor: 'Ada', client: 'browser' }]);
});
