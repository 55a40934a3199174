/**
 * The desktop's connection (main/electron/connection.ts) as the main process drives it: the
 * first-start choice, a self-signed server trusted by its fingerprint, signing in with the token
 * kept only with (a fake) safeStorage and never given to the page, a kept session at the next
 * start, change notices relayed, a server that vanished shown and reached again, a session the
 * server ended, signing out, streamed uploads, back to this computer, and signing a snapshot the
 * server prepared. The server is the real team server: startTeamServer on the test's core (over
 * TLS with an openssl-made certificate), and, for the one that vanishes, `repdesk server` in a
 * process of its own, killed with SIGKILL and started again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiResult } from '../../../shared/result.js';
import type { ConnectionState } from '../../../shared/desktop.js';
import { CHANGE_TOPICS } from '../../../shared/changes.js';
import type { ChangeEvent } from '../../../shared/remote.js';
import type { SignInResult } from '../../../shared/team.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { CONNECTION_FILE, formatConnectionFile, parseConnectionFile } from '../../../main/electron/connection-file.js';
import { DesktopConnection, type EmbeddedSide } from '../../../main/electron/connection.js';
import { embeddedDispatch } from '../../../main/electron/ipc.js';
import { openEmbeddedSide } from '../../../main/electron/embedded.js';
import { UploadStore } from '../../../main/core/io/uploads.js';
import { generateSigningKey, publicKeyText } from '../../../main/electron/keys.js';
import type { PreparedPublish, PublishResult } from '../../../shared/publishing.js';
import { SESSION_TOKEN_FILE } from '../../../main/electron/session-vault.js';
import { fakeVault } from '../support/safe-storage.js';
import { selfSignedCertificate, type TestCertificate } from '../support/certificates.js';
import { ChangeStreams } from '../../../main/server/events.js';
import { serveTeam, type ServedTeam } from '../../integration/support/team-server.js';
import { describeChild, runChild } from '../../integration/support/processes.js';
import { startServerProcess } from '../../integration/support/server-process.js';

const folder = mkdtempSync(join(tmpdir(), 'repdesk-connection-'));
const PASSPHRASE = 'ana keeps bees on the roof of the depot';

interface Desktop {
  readonly dataFolder: string;
  readonly states: ConnectionState[];
  readonly changes: ChangeEvent[];
  readonly embeddedOpened: string[];
  connection: DesktopConnection;
  start(): Promise<DesktopConnection>;
}

/** A desktop app's data folder and its connection, started as main.ts starts it. */
async function desktop(name: string, options: { backend?: 'gnome_libsecret' | 'basic_text'; retryDelaysMs?: number[]; threaded?: boolean } = {}): Promise<Desktop> {
  const dataFolder = mkdtempSync(join(folder, `${name}-`));
  const made: Desktop = {
    dataFolder,
    states: [],
    changes: [],
    embeddedOpened: [],
    connection: null as unknown as DesktopConnection,
    async start() {
      made.connection = await DesktopConnection.start({
        vault: fakeVault(dataFolder, options.backend),
        userAgent: 'RepDesk/test (desktop)',
        readChoice: () => parseConnectionFile(existsSync(join(dataFolder, CONNECTION_FILE)) ? readFileSync(join(dataFolder, CONNECTION_FILE), 'utf8') : null),
        writeChoice: (choice) => writeFileSync(join(dataFolder, CONNECTION_FILE), formatConnectionFile(choice)),
        openEmbedded: async (onChange): Promise<EmbeddedSide> => {
          const database = join(dataFolder, 'repdesk.sqlite');
          made.embeddedOpened.push(database);
          // As main.ts opens it (the threaded core, its notices); the other tests keep the simpler one-connection core.
          if (options.threaded) return openEmbeddedSide({ databasePath: database, actor: 'Ana', uploads: UploadStore.open({ parent: dataFolder }), onChange });
          const core = createCore({ databasePath: database });
          return { database, dispatch: embeddedDispatch(core, () => ({ actor: 'Ana', client: 'desktop' })), registerFile: (path) => core.uploads.register(path, { owner: 'desktop' }), listJobs: () => core.jobs.list(), close: () => core.close() };
        },
        onState: (state) => made.states.push(state),
        onChange: (change) => made.changes.push(change),
        retryDelaysMs: options.retryDelaysMs ?? [100],
      });
      return made.connection;
    },
  };
  await made.start();
  return made;
}

let serverCore: Core;
const serverChanges = new ChangeStreams();
let server: ServedTeam;
let certificate: TestCertificate;
before(async () => {
  certificate = selfSignedCertificate(folder, 'team-server');
  serverCore = createCore({ databasePath: join(folder, 'server.sqlite'), onChange: (notice) => serverChanges.publish(notice) });
  await serverCore.dispatch('investigators.add', { name: 'Ana', roles: ['investigator', 'publisher'] }, { actor: null });
  await serverCore.dispatch('investigators.add', { name: 'Rosa', roles: ['reviewer'] }, { actor: 'Ana' });
  for (const name of ['Ana', 'Rosa']) {
    const invitation = await serverCore.dispatch('team.invite', { name }, { actor: 'Ana' });
    assert.ok(invitation.ok);
    const enrolled = await serverCore.dispatch('auth.enrol', { code: invitation.value.code, passphrase: `${PASSPHRASE} ${name}` }, { actor: null });
    assert.ok(enrolled.ok, JSON.stringify(enrolled));
  }
  server = await serveTeam(serverCore, serverChanges, { tls: certificate });
});
after(async () => {
  await server.close();
  serverCore.close();
  rmSync(folder, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
  }
}

function teamState(connection: DesktopConnection): Extract<ConnectionState, { kind: 'team' }> {
  const state = connection.state();
  assert.equal(state.kind, 'team', JSON.stringify(state));
  return state as Extract<ConnectionState, { kind: 'team' }>;
}

async function signIn(connection: DesktopConnection, name: string): Promise<ApiResult<unknown>> {
  return connection.dispatch('auth.signIn', { name, passphrase: `${PASSPHRASE} ${name}` });
}

test('at the first start nothing is chosen: nobody is signed in, every other call asks for the choice; "this computer" opens the database here', async () => {
  const app = await desktop('first');
  assert.deepEqual(app.connection.state(), { kind: 'choosing', problem: null });
  assert.deepEqual(await app.connection.dispatch('session.whoami', {}), { ok: true, value: { actor: null, roles: [], session: null } });
  const refused = await app.connection.dispatch('lookup', { ip: '45.12.0.7' });
  assert.ok(!refused.ok && refused.error.code === 'unauthenticated' && /on this computer, or with a team server/.test(refused.error.message));
  assert.deepEqual(app.embeddedOpened, []);

  const answer = await app.connection.choose({ mode: 'embedded' });
  assert.deepEqual(answer, { ok: true, state: { kind: 'embedded', database: join(app.dataFolder, 'repdesk.sqlite') } });
  assert.deepEqual(app.states.at(-1), answer.ok && answer.state);
  assert.deepEqual(JSON.parse(readFileSync(join(app.dataFolder, CONNECTION_FILE), 'utf8')), { mode: 'embedded' });
  const added = await app.connection.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] });
  assert.ok(added.ok, JSON.stringify(added));
  await app.connection.close();

  // The next start opens this computer's database at once, without asking.
  const again = await app.start();
  assert.equal(again.state().kind, 'embedded');
  assert.deepEqual(app.embeddedOpened.length, 2);
  const whoami = await again.dispatch('session.whoami', {});
  assert.ok(whoami.ok && (whoami.value as { actor: string }).actor === 'Ana');
  await again.close();
});

test('a self-signed server is refused until its fingerprint is trusted; then the person signs in and the page never sees the token', async () => {
  const app = await desktop('trust');
  const first = await app.connection.choose({ mode: 'team', server: server.origin });
  assert.equal(first.ok, false);
  assert.ok(!first.ok && first.certificate !== null);
  assert.ok(!first.ok && first.certificate?.fingerprint === certificate.fingerprint);
  assert.match(!first.ok ? first.problem : '', /self-signed.*fingerprint/);
  assert.equal(existsSync(join(app.dataFolder, CONNECTION_FILE)), false, 'nothing was kept');

  const wrong = await app.connection.choose({ mode: 'team', server: server.origin, trustFingerprint: certificate.fingerprint.replace(/^../, '00') });
  assert.ok(!wrong.ok && /not the certificate you were shown/.test(wrong.problem));

  const trusted = await app.connection.choose({ mode: 'team', server: server.origin, trustFingerprint: certificate.fingerprint });
  assert.ok(trusted.ok, JSON.stringify(trusted));
  const state = teamState(app.connection);
  assert.equal(state.status, 'signed-out');
  assert.equal(state.pinnedFingerprint, certificate.fingerprint);
  const kept = JSON.parse(readFileSync(join(app.dataFolder, CONNECTION_FILE), 'utf8'));
  assert.equal(kept.server, server.origin);
  assert.equal(kept.certificate, certificate.cert);
  assert.deepEqual(await app.connection.dispatch('session.whoami', {}), { ok: true, value: { actor: null, roles: [], session: null } });

  const wrongPassphrase = await app.connection.dispatch('auth.signIn', { name: 'Ana', passphrase: 'not it at all, not even close' });
  assert.equal(wrongPassphrase.ok, false);
  assert.equal(teamState(app.connection).status, 'signed-out');

  const signedIn = await signIn(app.connection, 'Ana');
  assert.ok(signedIn.ok, JSON.stringify(signedIn));
  const result = signedIn.value as SignInResult;
  assert.equal(result.token, '', 'the token reached the page');
  assert.equal(result.session.person, 'Ana');
  assert.equal(result.session.client, 'desktop');
  const after = teamState(app.connection);
  assert.deepEqual([after.status, after.person, after.roles, after.keepingProblem], ['signed-in', 'Ana', ['investigator', 'publisher', 'admin'], null]);
  assert.equal(JSON.parse(readFileSync(join(app.dataFolder, CONNECTION_FILE), 'utf8')).person, 'Ana');

  // Kept only encrypted: the token the server holds (as a hash) is not in the file in clear.
  const sessions = await serverCore.dispatch('team.sessions', {}, { actor: 'Ana' });
  assert.ok(sessions.ok && sessions.value.length === 1);
  const stored = readFileSync(join(app.dataFolder, SESSION_TOKEN_FILE));
  assert.ok(!stored.toString('latin1').includes(server.origin) && !/[A-Za-z0-9_-]{40}/.test(stored.toString('latin1')));

  const listed = await app.connection.dispatch('listings.add', { range: '45.13.0.0/24', list: 'RBL', reason: 'spam-source' });
  assert.ok(listed.ok, JSON.stringify(listed));
  const history = await serverCore.dispatch('listings.history', { id: (listed.value as { listing: { id: number } }).listing.id }, { actor: 'Ana' });
  assert.ok(history.ok, JSON.stringify(history));
  assert.deepEqual([history.value[0].actor, history.value[0].client], ['Ana', 'desktop']);
  await app.connection.close();

  // The next start: the kept session, checked with the server, without signing in again.
  const restarted = await app.start();
  // The window opens at once: the server is looked at after the start.
  assert.equal(teamState(restarted).status, 'connecting');
  await restarted.checked;
  assert.deepEqual([teamState(restarted).status, teamState(restarted).person], ['signed-in', 'Ana']);
  const lookup = await restarted.dispatch('lookup', { ip: '45.13.0.9' });
  assert.ok(lookup.ok, JSON.stringify(lookup));

  // Change notices from the server reach the page.
  await waitFor(() => serverChanges.size >= 1);
  assert.ok((await serverCore.dispatch('listings.add', { range: '45.13.1.0/24', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' })).ok);
  await waitFor(() => app.changes.some((change) => change.operation === 'listings.add'));
  const notice = app.changes.find((change) => change.operation === 'listings.add');
  assert.deepEqual({ ...notice, at: null }, { topics: ['listings'], operation: 'listings.add', actor: 'Ana', at: null });

  // Signing out ends the session on the server and forgets the token here.
  const signedOut = await restarted.dispatch('auth.signOut', {});
  assert.ok(signedOut.ok, JSON.stringify(signedOut));
  assert.equal(teamState(restarted).status, 'signed-out');
  assert.equal(existsSync(join(app.dataFolder, SESSION_TOKEN_FILE)), false);
  const open = await serverCore.dispatch('team.sessions', {}, { actor: 'Ana' });
  assert.ok(open.ok && open.value.length === 0, JSON.stringify(open));
  const refused = await restarted.dispatch('lookup', { ip: '45.13.0.9' });
  assert.ok(!refused.ok && refused.error.code === 'unauthenticated' && refused.error.message.includes(server.origin));
  await restarted.close();
});

/** `repdesk --db DATABASE --actor NAME ARGS` on the server's computer (another process), as an admin there would run it; its output. */
function onServerComputer(databasePath: string, actor: string, args: readonly string[]): string {
  const run = runChild(['--db', databasePath, '--actor', actor, ...args]);
  assert.equal(run.code, 0, describeChild(run));
  return run.out;
}

test("the database here tells the page of each write to it, this app's and another process's (`repdesk listing add` on the same file); back on a server, it no longer does", async () => {
  const app = await desktop('notices', { threaded: true });
  try {
    assert.ok((await app.connection.choose({ mode: 'embedded' })).ok);
    const databasePath = join(app.dataFolder, 'repdesk.sqlite');
    const added = await app.connection.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] });
    assert.ok(added.ok, JSON.stringify(added));
    await waitFor(() => app.changes.some((change) => change.operation === 'investigators.add' && change.actor === 'Ana'));

    // A command on the same file, in a process of its own: its write is noticed (by the history it added) and named as another process's.
    const before = app.changes.length;
    onServerComputer(databasePath, 'Ana', ['listing', 'add', '45.61.0.0/24', '--list', 'RBL', '--reason', 'spam-source']);
    await waitFor(() => app.changes.slice(before).some((change) => change.operation === null && change.topics.includes('listings')), 10_000);
    const found = await app.connection.dispatch('lookup', { ip: '45.61.0.9' });
    assert.ok(found.ok && (found.value as { listings: unknown[] }).listings.length === 1, JSON.stringify(found));

    // On a team server, the file here is closed: a command's later write to it reaches nobody.
    const chosen = await app.connection.choose({ mode: 'team', server: server.origin, trustFingerprint: certificate.fingerprint });
    assert.ok(chosen.ok, JSON.stringify(chosen));
    const onServer = app.changes.length;
    onServerComputer(databasePath, 'Ana', ['listing', 'add', '45.62.0.0/24', '--list', 'RBL', '--reason', 'spam-source']);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 2_000));
    assert.deepEqual(app.changes.slice(onServer).filter((change) => change.operation === null), []);
  } finally {
    // A failed check must not leave the threaded core (and the test process) running.
    await app.connection.close();
  }
});

test('a real server killed (SIGKILL) is named with what failed and tried again until it is started again; a session it ended asks to sign in', async () => {
  // The team server's data folder, its first person enrolled on its computer, then `repdesk server` in a process of its own.
  const data = join(folder, 'vanishing');
  mkdirSync(data, { mode: 0o700 });
  const databasePath = join(data, 'repdesk.sqlite');
  const code = /enrolment code: (\S+)/.exec(onServerComputer(databasePath, 'Rosa', ['investigator', 'invite', 'Rosa', '--roles', 'reviewer']))?.[1] ?? '';
  writeFileSync(join(data, '..', 'rosa.pass'), `${PASSPHRASE} Rosa\n`);
  onServerComputer(databasePath, 'Rosa', ['enrol', code, '--passphrase-file', join(data, '..', 'rosa.pass')]);
  let running = await startServerProcess(data);
  const port = running.port;
  const origin = `http://127.0.0.1:${port}`;
  const app = await desktop('vanish', { retryDelaysMs: [150] });
  try {
    assert.ok((await app.connection.choose({ mode: 'team', server: origin })).ok);
    assert.ok((await signIn(app.connection, 'Rosa')).ok);
    await running.kill();

    const failed = await app.connection.dispatch('queues.summary', {});
    assert.ok(!failed.ok);
    assert.match(failed.error.message, new RegExp(`the team server ${origin} cannot be reached: nothing answers there`));
    const down = teamState(app.connection);
    assert.equal(down.status, 'unreachable');
    assert.match(down.problem ?? '', /connection refused/);
    assert.ok(down.retryAt !== null);
    assert.ok(app.states.some((state) => state.kind === 'team' && state.status === 'unreachable'));

    const changesBefore = app.changes.length;
    running = await startServerProcess(data, { listen: `127.0.0.1:${port}` });
    await waitFor(() => teamState(app.connection).status === 'signed-in', 15_000);
    assert.equal(teamState(app.connection).problem, null);
    // Notices sent while the stream was cut are lost: once it is open again the page is told to refresh everything.
    await waitFor(() => app.changes.length > changesBefore, 15_000);
    assert.deepEqual({ ...app.changes.at(-1), at: null }, { operation: null, actor: null, at: null, topics: [...CHANGE_TOPICS] });
    assert.ok((await app.connection.dispatch('queues.summary', {})).ok, 'the session outlived the server: it is in the database');

    // Started while the server is away: the app starts at once and says so, then reaches it when it is back.
    await app.connection.close();
    await running.kill();
    const startedAlone = await app.start();
    assert.equal(teamState(startedAlone).status, 'connecting');
    await startedAlone.checked;
    assert.equal(teamState(startedAlone).status, 'unreachable');
    assert.match(teamState(startedAlone).problem ?? '', /connection refused/);
    running = await startServerProcess(data, { listen: `127.0.0.1:${port}` });
    await waitFor(() => teamState(app.connection).status === 'signed-in', 15_000);

    // The session is ended on the server's computer (an admin there): sign in again, with the reason.
    const sessions = JSON.parse(onServerComputer(databasePath, 'Rosa', ['sessions', 'list', '--json'])) as { id: number }[];
    assert.equal(sessions.length, 1);
    onServerComputer(databasePath, 'Rosa', ['sessions', 'end', String(sessions[0].id)]);
    const ended = await app.connection.dispatch('queues.summary', {});
    assert.ok(!ended.ok && ended.error.code === 'unauthenticated');
    const state = teamState(app.connection);
    assert.equal(state.status, 'signed-out');
    assert.match(state.problem ?? '', /your session on .* ended \(the session has ended/);
    assert.equal(existsSync(join(app.dataFolder, SESSION_TOKEN_FILE)), false);
  } finally {
    await app.connection.close();
    await running.stop();
  }
});

test('without protected storage the session is used but not kept, and the person is told', async () => {
  const app = await desktop('clear', { backend: 'basic_text' });
  assert.ok((await app.connection.choose({ mode: 'team', server: server.origin, trustFingerprint: certificate.fingerprint })).ok);
  assert.ok((await signIn(app.connection, 'Rosa')).ok);
  const state = teamState(app.connection);
  assert.equal(state.status, 'signed-in');
  assert.match(state.keepingProblem ?? '', /only be kept in clear: it is not kept/);
  assert.equal(existsSync(join(app.dataFolder, SESSION_TOKEN_FILE)), false);
  assert.ok((await app.connection.dispatch('queues.summary', {})).ok);
  await app.connection.close();
  const restarted = await app.start();
  await restarted.checked;
  assert.equal(teamState(restarted).status, 'signed-out');
  await restarted.close();
});

test('a chosen file is streamed to the server as an upload; going back to this computer signs out there', async () => {
  const app = await desktop('upload');
  assert.ok((await app.connection.choose({ mode: 'team', server: server.origin, trustFingerprint: certificate.fingerprint })).ok);
  assert.ok((await signIn(app.connection, 'Ana')).ok);
  const path = join(app.dataFolder, 'sources.txt');
  writeFileSync(path, '45.14.0.1\n45.14.0.2\n');
  const receipt = await app.connection.registerFile(path);
  assert.deepEqual([receipt.name, receipt.size], ['sources.txt', 20]);
  const imported = await app.connection.dispatch('listings.importFile', { file: { upload: receipt.upload }, list: 'RBL', reason: 'spam-source' });
  assert.ok(imported.ok, JSON.stringify(imported));
  // A job started from here is watched until it ends; someone else's job on the server is not shown here.
  const other = await serverCore.dispatch('jobs.start', { operation: 'listings.importPreview', input: { file: { path }, list: 'MML', reason: 'spam-source' } }, { actor: 'Rosa', localFiles: true });
  assert.ok(other.ok, JSON.stringify(other));
  const second = await app.connection.registerFile(path);
  const started = await app.connection.dispatch('jobs.start', { operation: 'listings.importFile', input: { file: { upload: second.upload }, list: 'MML', reason: 'marketing' } });
  assert.ok(started.ok, JSON.stringify(started));
  const ownId = (started.value as { id: number }).id;
  let jobs = await app.connection.listJobs();
  for (let look = 0; look < 100 && !jobs.some((job) => job.id === ownId && job.state !== 'running'); look += 1) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1_050));
    jobs = await app.connection.listJobs();
  }
  assert.deepEqual(jobs.map((job) => [job.id, job.state]), [[ownId, 'done']], JSON.stringify(jobs));
  assert.ok(!jobs.some((job) => job.id === other.value.id));
  // The page may not name a path on the server.
  const byPath = await app.connection.dispatch('listings.importFile', { file: { path }, list: 'RBL', reason: 'spam-source' });
  assert.ok(!byPath.ok && byPath.error.code === 'forbidden', JSON.stringify(byPath));

  const before = await serverCore.dispatch('team.sessions', { name: 'Ana' }, { actor: 'Ana' });
  assert.ok(before.ok && before.value.length >= 1, JSON.stringify(before));
  const back = await app.connection.choose({ mode: 'embedded' });
  assert.ok(back.ok && back.state.kind === 'embedded');
  const afterwards = await serverCore.dispatch('team.sessions', { name: 'Ana' }, { actor: 'Ana' });
  assert.ok(afterwards.ok && afterwards.value.length === before.value.length - 1, 'the session on the server was not ended');
  assert.equal(existsSync(join(app.dataFolder, SESSION_TOKEN_FILE)), false);
  await app.connection.close();
});

test('team publish: the server prepares, the snapshot is signed here after the person confirmed it and goes live there, verified by the stock minisign; declined, it is abandoned', async () => {
  const app = await desktop('publish');
  const keys = fakeVault(app.dataFolder);
  const keyId = generateSigningKey(keys);
  const publicKeyPath = join(app.dataFolder, 'repdesk.pub');
  writeFileSync(publicKeyPath, publicKeyText(keys));
  // The server's core with its snapshot folder (a second core on the same database, as the team server would run it).
  const out = join(folder, 'published');
  const publishCore = createCore({ databasePath: join(folder, 'server.sqlite'), snapshotFolder: out });
  assert.ok((await publishCore.dispatch('keys.register', { publisher: 'Ana', publicKey: publicKeyText(keys) }, { actor: 'Ana' })).ok);
  const publishing = await serveTeam(publishCore, new ChangeStreams());
  try {
    const notChosen = await app.connection.signPrepared(1, async () => true);
    assert.ok(!notChosen.ok && notChosen.error.code === 'unauthenticated');
    assert.ok((await app.connection.choose({ mode: 'team', server: publishing.origin })).ok);
    assert.ok((await signIn(app.connection, 'Ana')).ok);

    const unknown = await app.connection.signPrepared(7, async () => true);
    assert.ok(!unknown.ok && unknown.error.code === 'not-found' && /was not prepared from this app/.test(unknown.error.message));

    const prepared = await app.connection.dispatch('publish.prepare', { keyId });
    assert.ok(prepared.ok && (prepared.value as PreparedPublish).prepared, JSON.stringify(prepared));
    const serial = (prepared.value as PreparedPublish).serial as number;
    const shown: string[] = [];
    const committed = await app.connection.signPrepared(serial, async (confirmation) => {
      shown.push(`${confirmation.message}\n${confirmation.detail}`);
      return true;
    });
    assert.ok(committed.ok && (committed.value as PublishResult).published, JSON.stringify(committed));
    assert.match(shown[0], new RegExp(`Sign snapshot ${serial} of .* with key ${keyId}\\?`));
    assert.match(shown[0], /the first snapshot \(nothing published before\):\nRBL: \d+ in force/);
    const verified = execFileSync('minisign', ['-V', '-H', '-p', publicKeyPath, '-m', join(out, 'current', 'manifest.json')], { encoding: 'utf8' });
    assert.match(verified, /Signature and comment signature verified/);
    // Signed once: the same serial is not signed again.
    const again = await app.connection.signPrepared(serial, async () => true);
    assert.ok(!again.ok && again.error.code === 'not-found');

    const second = await app.connection.dispatch('publish.prepare', { keyId });
    assert.ok(second.ok && (second.value as PreparedPublish).prepared, JSON.stringify(second));
    const secondSerial = (second.value as PreparedPublish).serial as number;
    const declined = await app.connection.signPrepared(secondSerial, async () => false);
    assert.ok(!declined.ok && declined.error.code === 'cancelled' && /not signed: nothing was published, and the server rolled the prepared snapshot back/.test(declined.error.message), JSON.stringify(declined));
    const live = await publishCore.dispatch('snapshots.list', {}, { actor: 'Ana' });
    assert.ok(live.ok);
    assert.deepEqual(live.value.map((snapshot) => snapshot.serial), [serial], 'only the signed snapshot is live');
  } finally {
    await app.connection.close();
    await publishing.close();
    publishCore.close();
  }
});
