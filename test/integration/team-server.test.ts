/**
 * The team server as people and operators meet it, on real servers: the `repdesk server` command
 * refuses plain HTTP on a non-loopback address (before binding), `--actor` / REPDESK_ACTOR,
 * `--key` and `--db`, and serves the UI and the API from its data folder; under TLS (a self-signed
 * certificate made by openssl) answers carry HSTS and the cookie is Secure; behind a proxy, the
 * forwarded client address is believed from that proxy only (and is what sign-in throttling and
 * the history see); change notices stream to signed-in clients as Server-Sent Events, and a
 * stream ends when its session does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN, ADMIN_PASSPHRASE, openEvents, request, setCookieOf, startTeamHarness, value } from './support/team-server.js';

/** The real command, run as a person runs it. */
const repdesk = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bin', 'repdesk.js');
let folder: string;

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-team-server-cli-'));
});

after(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Run `repdesk` to its end (for the refusals, which exit before anything listens). */
function runRepdesk(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolvePromise) => {
    const environment = { ...process.env, ...env };
    delete environment.REPDESK_ACTOR;
    delete environment.REPDESK_DB;
    Object.assign(environment, env);
    const child = spawn(process.execPath, [repdesk, ...args], { env: environment });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

test('repdesk server refuses plain HTTP on a non-loopback address, an actor, a signing key and --db, before opening anything', async () => {
  const data = join(folder, 'refused');
  const plain = await runRepdesk(['server', '--listen', '0.0.0.0:18443', '--data', data]);
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /refusing to listen on 0\.0\.0\.0 without TLS/);
  const plainV6 = await runRepdesk(['server', '--listen', '[::]:18443', '--data', data]);
  assert.equal(plainV6.code, 2);
  assert.match(plainV6.stderr, /without TLS/);
  const actor = await runRepdesk(['--actor', ADMIN, 'server', '--listen', '127.0.0.1:0', '--data', data]);
  assert.equal(actor.code, 2);
  assert.match(actor.stderr, /acts as each signed-in person/);
  const actorFromEnvironment = await runRepdesk(['server', '--listen', '127.0.0.1:0', '--data', data], { REPDESK_ACTOR: ADMIN });
  assert.equal(actorFromEnvironment.code, 2);
  const key = await runRepdesk(['server', '--listen', '127.0.0.1:0', '--data', data, '--key', join(folder, 'any.key')]);
  assert.equal(key.code, 2);
  assert.match(key.stderr, /never holds a signing key/);
  const database = await runRepdesk(['--db', join(folder, 'other.sqlite'), 'server', '--listen', '127.0.0.1:0', '--data', data]);
  assert.equal(database.code, 2);
  const badListen = await runRepdesk(['server', '--listen', 'localhost', '--data', data]);
  assert.equal(badListen.code, 2);
  assert.throws(() => statSync(data), /ENOENT/, 'nothing was made');
});

test('repdesk server serves the UI and the API from its data folder (database, uploads inside, 0700)', async () => {
  const data = join(folder, 'served');
  const child = spawn(process.execPath, [repdesk, 'server', '--listen', '127.0.0.1:0', '--data', data], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolvePromise, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (match) resolvePromise(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${out}`)));
    });
    const page = await request(url, '/', undefined, { method: 'GET' });
    assert.equal(page.status, 200);
    assert.match(page.text, /<div id="root">/);
    assert.equal((await request(url, '/api/session.whoami', {})).status, 401);
    assert.equal(statSync(data).mode & 0o777, 0o700);
    assert.equal(statSync(join(data, 'uploads')).mode & 0o777, 0o700);
    assert.ok(statSync(join(data, 'repdesk.sqlite')).isFile());
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolvePromise) => child.once('close', resolvePromise));
  }
});

test('under TLS every answer carries HSTS and the session cookie is Secure', async () => {
  const keyFile = join(folder, 'tls.key');
  const certFile = join(folder, 'tls.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const ca = readFileSync(certFile);
  const team = await startTeamHarness({ tls: { cert: ca, key: readFileSync(keyFile) }, ca });
  try {
    assert.match(team.server.url, /^https:/);
    const signIn = await team.call('auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'browser' }, { origin: true });
    assert.equal(signIn.status, 200);
    assert.equal(signIn.headers['strict-transport-security'], 'max-age=31536000');
    assert.match(setCookieOf(signIn)?.header ?? '', /; Secure/);
    const refused = await team.call('session.whoami', {}, {});
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['strict-transport-security'], 'max-age=31536000');
    const page = await request(team.server.url, '/', undefined, { method: 'GET', ca });
    assert.equal(page.headers['strict-transport-security'], 'max-age=31536000');
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
  } finally {
    await team.stop();
  }
});

test("behind a proxy, the client's address is the proxy's X-Forwarded-For, believed from that proxy only", async () => {
  const forwarded = { 'X-Forwarded-For': '11.9.9.9, 81.2.3.4', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'repdesk.example' };
  const proxied = await startTeamHarness({ trustedProxy: '127.0.0.1', headers: forwarded });
  try {
    const wrong = await proxied.call('auth.signIn', { name: ADMIN, passphrase: 'not the passphrase at all', client: 'cli' }, { headers: forwarded });
    assert.equal(wrong.status, 401);
    assert.deepEqual(proxied.rows("SELECT client, address FROM events WHERE action = 'auth.sign-in-failed' ORDER BY id DESC LIMIT 1")[0], { client: 'cli', address: '81.2.3.4' });
    assert.deepEqual(proxied.rows('SELECT address FROM sign_in_failures ORDER BY rowid DESC LIMIT 1')[0], { address: '81.2.3.4' });
    // The browser used HTTPS (the proxy says so): the cookie is Secure and HSTS is sent.
    const browser = await proxied.call('auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'browser' }, { headers: forwarded, origin: 'https://repdesk.example' });
    assert.equal(browser.status, 200);
    assert.match(setCookieOf(browser)?.header ?? '', /; Secure/);
    assert.equal(browser.headers['strict-transport-security'], 'max-age=31536000');
    // From the proxy without saying who the client is: refused.
    assert.equal((await proxied.call('session.whoami', {}, { token: proxied.admin.token, headers: { 'X-Forwarded-For': '' } })).status, 400);
    assert.equal((await proxied.call('session.whoami', {}, { token: proxied.admin.token, headers: { 'X-Forwarded-For': 'not an address' } })).status, 400);
    assert.equal((await proxied.call('session.whoami', {}, { token: proxied.admin.token })).status, 200);
  } finally {
    await proxied.stop();
  }
  const elsewhere = await startTeamHarness({ trustedProxy: '::1' });
  try {
    await elsewhere.call('auth.signIn', { name: ADMIN, passphrase: 'not the passphrase at all', client: 'cli' }, { headers: { 'X-Forwarded-For': '81.2.3.4' } });
    assert.deepEqual(elsewhere.rows("SELECT address FROM events WHERE action = 'auth.sign-in-failed' ORDER BY id DESC LIMIT 1")[0], { address: '127.0.0.1' });
  } finally {
    await elsewhere.stop();
  }
});

test("change notices stream to signed-in clients (another person's write, a job's), and a stream ends when its session does", async () => {
  const team = await startTeamHarness();
  try {
    const ivy = await team.person('Ivy', ['investigator']);
    assert.equal((await request(team.server.url, '/api/events', undefined, { method: 'GET' })).status, 401);
    const stream = await openEvents(team.server.url, ivy.token);
    assert.equal(stream.response.statusCode, 200);
    assert.match(String(stream.response.headers['content-type']), /^text\/event-stream/);
    await stream.next(/^retry: \d+$/);

    value(await team.call('listings.add', { range: '81.20.0.0/24', list: 'RBL', reason: 'spam-source' }, { token: team.admin.token }));
    const frame = await stream.next(/"operation":"listings\.add"/);
    const [eventLine, dataLine] = frame.split('\n');
    assert.equal(eventLine, 'event: change');
    const notice = JSON.parse(dataLine.slice('data: '.length)) as { topics: string[]; actor: string };
    assert.deepEqual(notice.topics, ['listings']);
    assert.equal(notice.actor, ADMIN);

    // Deactivating Ivy ends her sessions, and with them her stream.
    value(await team.call('investigators.update', { name: 'Ivy', active: false }, { token: team.admin.token }));
    await stream.ended;
    assert.equal((await request(team.server.url, '/api/events', undefined, { method: 'GET', token: ivy.token })).status, 401);
  } finally {
    await team.stop();
  }
});
