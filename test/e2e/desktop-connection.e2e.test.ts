/**
 * The desktop's first-start choice, a self-signed team server trusted by its fingerprint,
 * signing in (with a second factor), the frame naming the server and the person, a server that
 * vanished and came back, signing out and switching to this computer, in Chromium. Only the IPC
 * is stood in for: the page's `window.repdesk` hands every call to the real main-process logic
 * (main/electron/connection.ts, as main.ts wires it) running in this test, which talks HTTPS to
 * the real team server (startTeamServer, with the self-signed certificate) on the real core;
 * the connection's state reaches the page as the preload delivers it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core } from '../../main/core/app.js';
import { totp } from '../../main/core/auth/totp.js';
import { CONNECTION_FILE, formatConnectionFile, parseConnectionFile } from '../../main/electron/connection-file.js';
import { DesktopConnection } from '../../main/electron/connection.js';
import { saveBackup } from '../../main/electron/backup.js';
import { embeddedDispatch } from '../../main/electron/ipc.js';
import { generateSigningKey, publicKeyText, signingKeyId, type KeyVault } from '../../main/electron/keys.js';
import { SESSION_TOKEN_FILE } from '../../main/electron/session-vault.js';
import type { ConnectionRequest } from '../../shared/desktop.js';
import { PROJECT_FOLDER, startHarness, type Harness } from '../e2e-support/harness.js';
import { selfSignedCertificate, type TestCertificate } from '../unit/support/certificates.js';
import { ChangeStreams } from '../../main/server/events.js';
import { serveTeam, type ServedTeam } from '../integration/support/team-server.js';
import { fakeDecrypt, fakeVault } from '../unit/support/safe-storage.js';
import { secretOf } from '../unit/support/team.js';

const SCREENSHOT_FOLDER = join(PROJECT_FOLDER, 'test-output', 'screenshots');
const PASSPHRASE = 'ana keeps bees on the roof of the depot';

/** The preload's bridge, stood in for: everything goes to the functions the test exposes (the main process's side). */
const FAKE_BRIDGE = `(() => {
  const connectionListeners = new Set();
  window.deliverConnection = (state) => connectionListeners.forEach((listener) => listener(state));
  const extras = {
    onIntent: () => () => undefined,
    onChange: () => () => undefined,
    onConnection: (listener) => { connectionListeners.add(listener); return () => connectionListeners.delete(listener); },
    connectionState: () => window.mainConnectionState(),
    chooseConnection: (request) => window.mainChooseConnection(request),
    retryConnection: () => window.mainRetryConnection(),
    signPreparedSnapshot: (serial) => window.mainSignPrepared(serial),
    signingKeyId: () => window.mainSigningKeyId(),
    saveBackup: () => window.mainSaveBackup(),
    uploadFile: async () => ({ ok: false, error: { code: 'invalid-input', message: 'not in this test' } }),
  };
  window.repdesk = new Proxy({}, {
    get(_target, name) {
      if (typeof name !== 'string' || name === 'then' || name === 'onJobProgress') return undefined;
      if (name in extras) return extras[name];
      return (input) => window.mainDispatch(name, input ?? {});
    },
  });
})();`;

/** The team server as `repdesk server` runs it (its HTTP side, on the test's core), over TLS with the self-signed certificate. */
async function startRealServer(port = 0): Promise<ServedTeam> {
  notices = new ChangeStreams();
  return serveTeam(serverCore, notices, { tls: certificate, port });
}

let harness: Harness;
/** Where the server's change notices go (a new one each time it starts). */
let notices: ChangeStreams | null = null;
let serverCore: Core;
let server: ServedTeam;
let certificate: TestCertificate;
let connection: DesktopConnection;
let dataFolder: string;
let anaSecret: Buffer;
let vault: KeyVault;
const confirmations: string[] = [];

before(async () => {
  harness = await startHarness({ seed: async () => undefined });
  dataFolder = join(harness.folder, 'desktop-data');
  mkdirSync(dataFolder);
  certificate = selfSignedCertificate(harness.folder, 'repdesk-team');
  serverCore = createCore({ databasePath: join(harness.folder, 'team.sqlite'), snapshotFolder: join(harness.folder, 'published'), onChange: (notice) => notices?.publish(notice) });
  await serverCore.dispatch('investigators.add', { name: 'Ana', roles: ['investigator', 'publisher'] }, { actor: null });
  const invitation = await serverCore.dispatch('team.invite', { name: 'Ana' }, { actor: 'Ana' });
  assert.ok(invitation.ok);
  const start = await serverCore.dispatch('auth.enrolStart', { code: invitation.value.code }, { actor: null });
  assert.ok(start.ok);
  anaSecret = secretOf(start.value.otpauthUri);
  const enrolled = await serverCore.dispatch('auth.enrol', { code: invitation.value.code, passphrase: PASSPHRASE, totpCode: totp(anaSecret, Date.now()) }, { actor: null });
  assert.ok(enrolled.ok, JSON.stringify(enrolled));
  assert.ok((await serverCore.dispatch('listings.add', { range: '45.15.0.0/24', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' })).ok);
  server = await startRealServer();

  const { page } = harness;
  vault = fakeVault(dataFolder);
  connection = await DesktopConnection.start({
    vault,
    userAgent: 'RepDesk/test (desktop)',
    readChoice: () => parseConnectionFile(existsSync(join(dataFolder, CONNECTION_FILE)) ? readFileSync(join(dataFolder, CONNECTION_FILE), 'utf8') : null),
    writeChoice: (choice) => writeFileSync(join(dataFolder, CONNECTION_FILE), formatConnectionFile(choice)),
    openEmbedded: async () => {
      const database = join(dataFolder, 'repdesk.sqlite');
      const core = createCore({ databasePath: database });
      return { database, dispatch: embeddedDispatch(core, () => ({ actor: 'Ana', client: 'desktop' })), registerFile: (path) => core.uploads.register(path, { owner: 'desktop' }), listJobs: () => core.jobs.list(), close: () => core.close() };
    },
    onState: (state) => void page.evaluate(`window.deliverConnection(${JSON.stringify(state)})`).catch(() => undefined),
    onChange: () => undefined,
    retryDelaysMs: [60_000],
  });
  await page.exposeFunction('mainDispatch', (operation: string, input: unknown) => connection.dispatch(operation, input));
  await page.exposeFunction('mainConnectionState', () => connection.state());
  await page.exposeFunction('mainChooseConnection', (request: ConnectionRequest) => connection.choose(request));
  await page.exposeFunction('mainRetryConnection', () => connection.refresh());
  // What main.ts does: the native dialog shows what is about to be signed; here the person says yes.
  await page.exposeFunction('mainSignPrepared', (serial: number) =>
    connection.signPrepared(serial, async (confirmation) => {
      confirmations.push(`${confirmation.message}\n${confirmation.detail}`);
      return true;
    }),
  );
  await page.exposeFunction('mainSigningKeyId', () => signingKeyId(vault));
  // What main.ts does, less the save dialog: the person chose this file.
  await page.exposeFunction('mainSaveBackup', () => saveBackup(connection.backupSource(), async () => join(harness.folder, 'saved-backup.sqlite')));
  await page.addInitScript(FAKE_BRIDGE);
});

after(async () => {
  await connection?.close();
  await server?.close();
  serverCore?.close();
  await harness?.close();
});

test('first start: the choice; a self-signed server shown by its fingerprint and trusted; signing in with a second factor; the frame names server and person', async () => {
  const { page } = harness;
  mkdirSync(SCREENSHOT_FOLDER, { recursive: true });
  await page.goto(`${harness.origin}/#/lookup`);
  await page.getByRole('heading', { name: 'Welcome to RepDesk' }).waitFor();
  assert.ok(await page.getByRole('button', { name: 'Work on this computer' }).isEnabled());
  await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'desktop-first-start.png'), fullPage: true });

  await page.getByLabel('Server address').fill('http://repdesk.example.net');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByText(/plain http is refused for repdesk\.example\.net/).waitFor();

  await page.getByLabel('Server address').fill(server.origin);
  await page.getByRole('button', { name: 'Connect' }).click();
  const panel = page.getByRole('region', { name: 'Trust this server’s certificate?' });
  await panel.waitFor();
  assert.equal(await panel.getByTestId('certificate-fingerprint').innerText(), certificate.fingerprint);
  assert.match(await panel.innerText(), /self-signed/);
  assert.match(await panel.innerText(), /CN=repdesk-team/);
  await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'desktop-trust-certificate.png'), fullPage: true });
  await panel.getByRole('button', { name: 'The fingerprints match: trust it and connect' }).click();

  await page.getByRole('heading', { name: `Sign in to ${server.origin.replace('https://', '')}` }).waitFor();
  assert.equal(await page.getByTestId('sign-in-server').innerText(), server.origin);
  // The one sign-in screen (the browser's too), with the desktop's server part.
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOT_FOLDER, `desktop-sign-in-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Name').fill('Ana');
  await form.getByLabel('Passphrase').fill('a wrong passphrase for sure');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await form.getByRole('alert').waitFor();
  assert.match(await form.getByRole('alert').innerText(), /passphrase|wrong|not/i);

  await form.getByLabel('Passphrase').fill(PASSPHRASE);
  await form.getByRole('button', { name: 'Sign in' }).click();
  // The passphrase was right: the one sign-in screen asks for the second factor now.
  await form.getByLabel('Authenticator code').waitFor();
  // The next step's code: the current one was used to enrol (each code once), and one step either side is accepted.
  await form.getByLabel('Authenticator code').fill(totp(anaSecret, Date.now() + 30_000));
  await form.getByRole('button', { name: 'Sign in' }).click();

  const bar = page.getByRole('group', { name: 'Connection' });
  await page.getByTestId('connection-person').waitFor();
  assert.equal(await page.getByTestId('connection-server').innerText(), server.origin.replace('https://', ''));
  assert.equal(await page.getByTestId('connection-person').innerText(), 'Ana');
  assert.ok(await bar.getByRole('button', { name: 'Sign out' }).isVisible());
  await page.getByText('Signed in as').waitFor();

  // The page works on the server's records: a lookup of one of them.
  await page.getByLabel('IP address').fill('45.15.0.9');
  await page.getByRole('button', { name: 'Look up' }).click();
  await page.getByText('45.15.0.0/24').first().waitFor();
  await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'desktop-team-frame.png'), fullPage: true });
  // The token stayed in the main process: kept (encrypted) in the data folder, nowhere in the page.
  const kept = JSON.parse(fakeDecrypt(readFileSync(join(dataFolder, SESSION_TOKEN_FILE)))) as { server: string; token: string };
  assert.equal(kept.server, server.origin);
  const token = JSON.stringify(kept.token);
  const pageHolds = await page.evaluate(`JSON.stringify({ ...sessionStorage, ...localStorage }).includes(${token}) || document.documentElement.outerHTML.includes(${token})`);
  assert.equal(pageHolds, false);
  // An admin saves a backup of the team's database from the Team page: made on the server, downloaded here by the main process.
  await page.evaluate("location.hash = '#/team'");
  await page.getByRole('button', { name: 'Save a backup…' }).click();
  await page.getByRole('status').filter({ hasText: 'saved-backup.sqlite' }).waitFor();
  const copy = createCore({ databasePath: join(harness.folder, 'saved-backup.sqlite') });
  try {
    const report = await copy.dispatch('audit.verify', {}, { actor: null });
    assert.ok(report.ok && report.value.ok, JSON.stringify(report));
    const listings = await copy.dispatch('listings.query', {}, { actor: null });
    assert.ok(listings.ok && JSON.stringify(listings.value).includes('45.15.0.0/24'), 'the copy holds the team\'s listings');
  } finally {
    copy.close();
  }
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});

test('publishing on the team server: prepared there, shown, signed here with the key kept in the app, live there and verified by the stock minisign', async () => {
  const { page } = harness;
  const keyId = generateSigningKey(vault);
  writeFileSync(join(harness.folder, 'desktop.pub'), publicKeyText(vault));
  assert.ok((await serverCore.dispatch('keys.register', { publisher: 'Ana', publicKey: publicKeyText(vault) }, { actor: 'Ana' })).ok);
  await page.goto(`${harness.origin}/#/publish`);
  await page.getByTestId('signing-key').waitFor();
  assert.equal(await page.getByTestId('signing-key').innerText(), keyId);
  await page.getByRole('button', { name: 'Prepare the snapshot' }).click();
  const prepared = page.getByRole('status', { name: 'Prepared snapshot' });
  await prepared.waitFor();
  const serial = Number(await prepared.getByTestId('prepared-serial').innerText());
  assert.match(await prepared.innerText(), /\(the first snapshot\)/);
  assert.match(await prepared.getByRole('table', { name: 'What the snapshot publishes' }).innerText(), /RBL\s+1\s+—\s+—/);
  await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'desktop-team-publish-prepared.png'), fullPage: true });
  await page.getByRole('button', { name: 'Sign and publish…' }).click();
  await page.getByText(`Published snapshot ${serial}`).waitFor();
  assert.match(confirmations[0], new RegExp(`Sign snapshot ${serial} of .* with key ${keyId}\\?`));
  const verified = execFileSync('minisign', ['-V', '-H', '-p', join(harness.folder, 'desktop.pub'), '-m', join(harness.folder, 'published', 'current', 'manifest.json')], { encoding: 'utf8' });
  assert.match(verified, /Signature and comment signature verified/);
  assert.deepEqual(harness.problems.errors, []);
});

test('a server that vanished is named on every screen with what failed, and the page recovers when it is back', async () => {
  const { page } = harness;
  const port = server.port;
  await server.close();
  await page.evaluate("location.hash = '#/lookup'");
  await page.getByLabel('IP address').fill('45.15.0.10');
  await page.getByRole('button', { name: 'Look up' }).click();
  const banner = page.getByRole('alert', { name: 'Team server unreachable' });
  await banner.waitFor();
  // Whichever noticed first names what failed: the call (refused) or the change-notice stream (closed).
  assert.match(await banner.innerText(), new RegExp(`The team server ${server.origin.replace(/\./g, '\\.')} cannot be reached: (nothing answers there \\(connection refused; is the server running\\?\\)|it closed the connection \\(stopped or restarting\\?\\))`));
  assert.match(await banner.innerText(), /RepDesk tries again at \d\d:\d\d:\d\d/);
  await page.screenshot({ path: join(SCREENSHOT_FOLDER, 'desktop-server-unreachable.png'), fullPage: true });

  server = await startRealServer(port);
  await banner.getByRole('button', { name: 'Try now' }).click();
  await banner.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('connection-person').innerText(), 'Ana');
});

test('signing out asks to sign in again; switching to this computer opens its own database', async () => {
  const { page } = harness;
  await page.getByRole('group', { name: 'Connection' }).getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('form', { name: 'Sign in' }).waitFor();
  assert.equal(await page.getByRole('form', { name: 'Sign in' }).getByLabel('Name').inputValue(), 'Ana');
  const sessions = await serverCore.dispatch('team.sessions', {}, { actor: 'Ana' });
  assert.ok(sessions.ok && sessions.value.length === 0, JSON.stringify(sessions));

  // Signing in while the server is away: the sign-in screen names the server and what failed, and recovers.
  const port = server.port;
  await server.close();
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Passphrase').fill(PASSPHRASE);
  await form.getByRole('button', { name: 'Sign in' }).click();
  const banner = page.getByRole('alert', { name: 'Team server unreachable' });
  await banner.waitFor();
  assert.match(await banner.innerText(), /cannot be reached: nothing answers there/);
  server = await startRealServer(port);
  await banner.getByRole('button', { name: 'Try now' }).click();
  await banner.waitFor({ state: 'detached' });
  await form.waitFor();

  // Someone new enrols from the desktop's sign-in screen (the browser's enrolment), then signs in.
  const invitation = await serverCore.dispatch('team.invite', { name: 'Ben', roles: ['investigator'] }, { actor: 'Ana' });
  assert.ok(invitation.ok);
  await page.getByRole('button', { name: 'Enrol with a code' }).click();
  await page.getByLabel('Enrolment code', { exact: true }).fill(invitation.value.code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Passphrase', { exact: true }).fill('ben walks the long dyke at low tide');
  await page.getByLabel('Passphrase again').fill('ben walks the long dyke at low tide');
  await page.getByRole('button', { name: 'Enrol', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Ben, you are enrolled' }).waitFor();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  assert.equal(await form.getByLabel('Name').inputValue(), 'Ben');
  await form.getByLabel('Passphrase').fill('ben walks the long dyke at low tide');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('connection-person').waitFor();
  assert.equal(await page.getByTestId('connection-person').innerText(), 'Ben');
  const bens = await serverCore.dispatch('team.sessions', { name: 'Ben' }, { actor: 'Ana' });
  assert.deepEqual(bens.ok && bens.value.map((session) => session.client), ['desktop']);
  await page.getByRole('group', { name: 'Connection' }).getByRole('button', { name: 'Sign out' }).click();
  await form.waitFor();

  await page.getByRole('button', { name: 'Another server, or this computer…' }).click();
  await page.getByRole('heading', { name: 'Where RepDesk works' }).waitFor();
  await page.getByRole('button', { name: 'Work on this computer' }).click();
  await page.getByRole('group', { name: 'Connection' }).getByText('On this computer').waitFor();
  assert.deepEqual(JSON.parse(readFileSync(join(dataFolder, CONNECTION_FILE), 'utf8')), { mode: 'embedded' });
  // An empty database here: the first-start panel asks the person to add themselves.
  await page.getByRole('heading', { name: 'Welcome to RepDesk: add yourself first' }).waitFor();
  assert.deepEqual(harness.problems.errors, []);
  assert.deepEqual(harness.problems.foreignRequests, []);
});
