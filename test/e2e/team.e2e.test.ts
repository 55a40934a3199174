/**
 * The Team page end to end (real database, real server, real Chromium): an admin invites a
 * person and sees the code once, the person's enrolment and sessions appear, an admin ends a
 * session, resets a second factor, changes roles, deactivates and reactivates, registers and
 * revokes a publisher key (pasted and from a file); a non-admin is told the page is not theirs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, totp } from '../../main/core/auth/totp.js';
import { encodePublicKey, formatKeyId, generateKeyPair } from '../../main/core/snapshot/index.js';
import { harnessForFile, saveScreenshot, type Harness } from '../e2e-support/harness.js';
import { ok } from '../unit/support/results.js';

let harness: Harness;

harnessForFile((started) => (harness = started));

function secretOf(uri: string): Buffer {
  return base32Decode(new URL(uri).searchParams.get('secret') ?? '');
}

const row = (name: string) => harness.page.locator('table.team-people tbody tr').filter({ has: harness.page.getByRole('rowheader', { name, exact: true }) });
const cells = async (name: string) => (await row(name).locator('td, th').allInnerTexts()).slice(0, 6);

/** Wait until a condition about the page holds (the lists reload after each action). */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function openTeam(): Promise<void> {
  await harness.page.goto(`${harness.origin}/#/team`);
  await harness.page.reload();
  await harness.page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
  await harness.page.locator('table.team-people').waitFor();
}

let beaPassphrase = '';
let beaSecret: Buffer = Buffer.alloc(0);
let beaToken = '';

test('an admin invites a person: the code is shown once, works, and is gone after', async () => {
  const { page, server } = harness;
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Team' }).click();
  await page.locator('table.team-people').waitFor();
  assert.deepEqual(await cells('Alice'), ['Alice', 'investigator, liaison, publisher, admin', 'not enrolled', 'no', '', '0']);
  assert.deepEqual(await cells('Rosa'), ['Rosa', 'reviewer', 'not enrolled', 'no', '', '0']);
  const form = page.getByRole('form', { name: 'Invite a person' });
  await form.getByLabel('Name').fill('Bea');
  await form.getByLabel('publisher').check();
  await form.getByRole('button', { name: 'Invite' }).click();
  const shown = page.getByRole('status', { name: 'Enrolment code for Bea' });
  await shown.waitFor();
  const code = await shown.locator('code.team-code-value').innerText();
  assert.match(code, /^[a-z2-7]{5}(-[a-z2-7]{1,5}){6}$/);
  assert.match(await shown.innerText(), /\(investigator, publisher\), valid until .* UTC/);
  assert.match(await cells('Bea').then((texts) => texts[2]), /^invited, code valid until /);
  // The code works: Bea enrols with it (as the enrolment page or `repdesk enrol` would), adding a second factor.
  const start = await ok(harness.core.dispatch('auth.enrolStart', { code }, { actor: null }));
  assert.equal(start.name, 'Bea');
  beaPassphrase = 'bea sails the inland sea at noon';
  beaSecret = secretOf(start.otpauthUri);
  await ok(harness.core.dispatch('auth.enrol', { code, passphrase: beaPassphrase, totpCode: totp(beaSecret, Date.now()) }, { actor: null }));
  await shown.getByRole('button', { name: /Done/ }).click();
  await shown.waitFor({ state: 'detached' });
  await openTeam();
  assert.ok(!(await page.locator('main').innerText()).includes(code), 'the code is not shown again');
  const bea = await cells('Bea');
  assert.deepEqual(bea.slice(0, 2), ['Bea', 'investigator, publisher']);
  assert.match(bea[2], /^enrolled; never signed in$/);
  assert.equal(bea[3], 'yes, 10 recovery codes left');
  // Inviting someone already on the team with other roles is refused and says why.
  await form.getByLabel('Name').fill('Rosa');
  await form.getByRole('button', { name: 'Invite' }).click();
  await form.getByRole('alert').filter({ hasText: 'Rosa is already on the team as reviewer' }).waitFor();
});

test("a person's sessions appear with client and address; an admin ends one and its next call is refused", async () => {
  const { page } = harness;
  // Bea signs in from a browser (the team server's door); the next step of her authenticator.
  const signedIn = await ok(harness.core.dispatch('auth.signIn', { name: 'Bea', passphrase: beaPassphrase, secondFactor: totp(beaSecret, Date.now() + 30_000) }, { actor: null, client: 'browser', address: '81.2.69.160' }));
  beaToken = signedIn.token;
  await openTeam();
  assert.equal((await cells('Bea'))[5], '1');
  const sessions = page.locator('table.team-sessions tbody tr');
  await sessions.first().waitFor();
  const texts = await sessions.first().locator('td, th').allInnerTexts();
  assert.deepEqual(texts.slice(0, 4), [String(signedIn.session.id), 'Bea', 'browser cookie', 'browser from 81.2.69.160']);
  await sessions.first().getByRole('button', { name: 'End' }).click();
  const confirm = page.getByRole('group', { name: /End Bea's session/ });
  await confirm.getByRole('button', { name: 'End it' }).click();
  await page.getByText('No open sessions').waitFor();
  const after = harness.core.authenticate(beaToken);
  assert.ok(!after.ok && /ended/.test(after.error.message), JSON.stringify(after));
  assert.equal((await cells('Bea'))[5], '0');
});

test("an admin resets a lost second factor, changes roles, deactivates and reactivates", async () => {
  const { page } = harness;
  await row('Bea').getByRole('button', { name: 'Reset second factor' }).click();
  await page.getByRole('group', { name: /Remove Bea's second factor/ }).getByRole('button', { name: 'Reset it' }).click();
  await until(async () => (await cells('Bea'))[3] === 'no', "Bea's second factor reads no");
  const people = await ok(harness.core.dispatch('team.people', {}, { actor: 'Alice' }));
  assert.equal(people.find((person) => person.name === 'Bea')?.hasSecondFactor, false);

  await row('Rosa').getByRole('button', { name: 'Roles…' }).click();
  const roles = page.getByRole('form', { name: 'Roles of Rosa' });
  await roles.getByLabel('investigator').check();
  await roles.getByRole('button', { name: 'Save roles' }).click();
  await until(async () => (await cells('Rosa'))[1] === 'investigator, reviewer', "Rosa's roles read investigator, reviewer");
  assert.deepEqual((await ok(harness.core.dispatch('investigators.list', {}, { actor: 'Alice' }))).find((person) => person.name === 'Rosa')?.roles, ['investigator', 'reviewer']);

  await row('Rosa').getByRole('button', { name: 'Deactivate' }).click();
  await page.getByRole('group', { name: /Deactivate Rosa/ }).getByRole('button', { name: 'Deactivate' }).click();
  await row('Rosa').getByRole('button', { name: 'Reactivate' }).waitFor();
  assert.equal((await cells('Rosa'))[2], 'inactive');
  await row('Rosa').getByRole('button', { name: 'Reactivate' }).click();
  await row('Rosa').getByRole('button', { name: 'Deactivate' }).waitFor();
  // A new code for someone already enrolled (a forgotten passphrase).
  await row('Bea').getByRole('button', { name: 'New enrolment code' }).click();
  await page.getByRole('status', { name: 'Enrolment code for Bea' }).waitFor();
  await page.getByRole('button', { name: /Done/ }).click();
});

test('publisher keys: registered pasted and from a file, listed, revoked', async () => {
  const { page } = harness;
  const first = generateKeyPair();
  const second = generateKeyPair();
  const form = page.getByRole('form', { name: 'Register a publisher key' });
  await form.getByLabel('Publisher').selectOption('Bea');
  await form.getByLabel(/Public key/).fill(encodePublicKey(first));
  await form.getByRole('button', { name: 'Register key' }).click();
  const keys = page.locator('table.team-keys tbody tr');
  await keys.filter({ hasText: formatKeyId(first.keyId) }).waitFor();
  await form.getByLabel('or read it from a file').setInputFiles({ name: 'bea.pub', mimeType: 'text/plain', buffer: Buffer.from(encodePublicKey(second)) });
  await until(async () => (await form.getByLabel(/Public key/).inputValue()) === encodePublicKey(second), 'the file is read into the form');
  await form.getByLabel('Publisher').selectOption('Bea');
  await form.getByRole('button', { name: 'Register key' }).click();
  await keys.filter({ hasText: formatKeyId(second.keyId) }).waitFor();
  const firstRow = keys.filter({ hasText: formatKeyId(first.keyId) });
  await firstRow.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('group', { name: /Revoke key/ }).getByRole('button', { name: 'Revoke it' }).click();
  await firstRow.filter({ hasText: 'revoked' }).waitFor();
  const listed = await ok(harness.core.dispatch('keys.list', {}, { actor: 'Alice' }));
  assert.deepEqual(listed.map((key) => [key.keyId, key.publisher, key.revokedBy]), [
    [formatKeyId(second.keyId), 'Bea', null],
    [formatKeyId(first.keyId), 'Bea', 'Alice'],
  ]);
});

test('screenshots in light and dark', async () => {
  const { page } = harness;
  await openTeam();
  await row('Bea').getByRole('button', { name: 'New enrolment code' }).click();
  await page.getByRole('status', { name: 'Enrolment code for Bea' }).waitFor();
  await page.mouse.move(640, 700);
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, 'team-light', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, 'team-dark', { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('a non-admin is told the page needs the admin role, and sees only their own sessions', async () => {
  const rosa = await harness.openSession('Rosa');
  await rosa.page.goto(rosa.server.url);
  await rosa.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Team' }).click();
  await rosa.page.getByText('needs the admin role').waitFor();
  await rosa.page.getByText('No open sessions').waitFor();
  assert.equal(await rosa.page.locator('table.team-people').count(), 0);
  assert.deepEqual(rosa.problems.errors, []);
  assert.deepEqual(rosa.problems.refusedCalls, []);
});

test('the page logged no console errors or CSP violations and talked to 127.0.0.1 only', () => {
  const { problems } = harness;
  assert.deepEqual(problems.errors, []);
  assert.deepEqual(problems.refusedCalls, ['409 /api/team.invite']);
  assert.deepEqual(problems.foreignRequests, []);
});
