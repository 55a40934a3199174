/**
 * The command line against the real team server, `repdesk server` in a process of its own over
 * HTTPS with a self-signed trial certificate (made by openssl): the first admin invited and
 * enrolled on the server's computer; `repdesk login --server URL --ca FILE` refused without the
 * CA and accepted with it; an import streamed and run as a job; a publisher key registered over
 * the server; `repdesk publish` prepared there, signed here, switched there and verified by
 * stock `minisign -V`; the history names the person and the cli client; a signature by an
 * unregistered key or over another manifest refused with nothing switched, and a prepared
 * snapshot never signed rolled back when its time runs out; logout ends the session.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { OperationName } from '../../shared/contract.js';
import type { PreparedPublish } from '../../shared/publishing.js';
import { ServerClient } from '../../main/cli/remote/client.js';
import { loginFile } from '../../main/cli/remote/logins.js';
import { describeRun, repdesk, runProgram, type Run } from './support/cli.js';

/** dist/test/integration -> the package root's bin/repdesk.js. */
const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bin', 'repdesk.js');
const PASSPHRASE = 'ada keeps seven lanterns by the quay';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolvePromise) => probe.listen(0, '127.0.0.1', () => resolvePromise()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolvePromise) => probe.close(() => resolvePromise()));
  return port;
}

describe('the command line against repdesk server over HTTPS', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-team-server-'));
  const data = join(folder, 'data');
  const database = join(data, 'repdesk.sqlite');
  const cert = join(folder, 'tls.crt');
  const savedConfig = process.env.XDG_CONFIG_HOME;
  let server: ChildProcess | null = null;
  let serverLog = '';
  let url: string;

  const file = (name: string, content: string): string => {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  };
  const must = async (args: string[]): Promise<Run> => {
    const run = await repdesk(args);
    assert.equal(run.code, 0, `${describeRun(run)}\nserver: ${serverLog}`);
    return run;
  };

  before(async () => {
    process.env.XDG_CONFIG_HOME = join(folder, 'config');
    mkdirSync(data, { mode: 0o700 });
    const made = runProgram('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(folder, 'tls.key'), '-out', cert,
    ]);
    assert.equal(made.code, 0, describeRun(made));
    // The first person, on the server's computer: invited (the first becomes an admin), enrolled.
    const invited = await must(['--db', database, 'investigator', 'invite', 'Ada', '--roles', 'investigator,publisher']);
    const code = /enrolment code: (\S+)/.exec(invited.out.join('\n'))?.[1] ?? '';
    await must(['--db', database, 'enrol', code, '--passphrase-file', file('ada.pass', `${PASSPHRASE}\n`)]);
    const port = await freePort();
    url = `https://127.0.0.1:${port}`;
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('REPDESK_')) env[name] = value;
    server = spawn(process.execPath, [BIN, 'server', '--listen', `127.0.0.1:${port}`, '--data', data, '--tls-cert', cert, '--tls-key', join(folder, 'tls.key')], {
      env: { ...env, REPDESK_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.setEncoding('utf8').on('data', (chunk: string) => (serverLog += chunk));
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => (serverLog += chunk));
    // Up once it answers (a sign-in without a body is refused, which is an answer).
    const started = Date.now();
    for (;;) {
      const probe = await repdesk(['--server', url, '--ca', cert, 'enrol', 'NOT-A-CODE']);
      if (!probe.error.join('\n').includes('connection refused')) break;
      if (Date.now() - started > 60_000 || server.exitCode !== null) assert.fail(`repdesk server did not start: ${serverLog}`);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
    }
  });

  after(async () => {
    if (server && server.exitCode === null) {
      const ended = new Promise((resolvePromise) => server?.once('close', resolvePromise));
      server.kill('SIGTERM');
      await ended;
    }
    if (savedConfig === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = savedConfig;
    rmSync(folder, { recursive: true, force: true });
  });

  test('login with the trial certificate, import, publish signed here, logout', async () => {
    const untrusted = await repdesk(['login', '--server', url, '--name', 'Ada', '--passphrase-file', join(folder, 'ada.pass')]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.error[0], /its certificate is self-signed, and not one this computer trusts \(give the CA file with --ca FILE or REPDESK_CA\)/);
    await must(['login', '--server', url, '--ca', cert, '--name', 'Ada', '--passphrase-file', join(folder, 'ada.pass')]);
    // The saved login (with its CA) is the default server from now on.
    const imported = await must(['import', file('list.txt', '45.50.0.0/24\n45.50.1.7\n2a02:50::/48\n'), '--list', 'RBL', '--reason', 'spam-source']);
    assert.deepEqual(imported.out, ['imported 3 entries onto RBL']);
    const key = join(folder, 'ada.key');
    await must(['keygen', '--out', key, '--passphrase-file', join(folder, 'ada.pass')]);
    await must(['keys', 'register', `${key}.pub`, '--publisher', 'Ada']);
    const published = await must(['publish', '--key', key, '--passphrase-file', join(folder, 'ada.pass'), '--yes']);
    const serial = /^published snapshot (\d+)/.exec(published.out[0])?.[1];
    assert.ok(serial, describeRun(published));
    const live = join(data, 'snapshots', 'current');
    assert.equal(readlinkSync(live), serial);
    const verified = runProgram('minisign', ['-V', '-p', `${key}.pub`, '-m', join(live, 'manifest.json')]);
    assert.equal(verified.code, 0, describeRun(verified));
    const db = new Database(database, { readonly: true });
    try {
      const event = db.prepare("SELECT actor, client FROM events WHERE action = 'snapshot.published'").get() as { actor: string; client: string };
      assert.deepEqual(event, { actor: 'Ada', client: 'cli' });
    } finally {
      db.close();
    }

    // Over the same server, by hand: a signature by an unregistered key, or over another
    // manifest, is refused and nothing switches; a prepared snapshot never signed expires.
    const login = JSON.parse(readFileSync(loginFile(url), 'utf8')) as { token: string };
    const client = new ServerClient({ server: url, ca: cert, token: login.token, person: 'Ada', chosenBy: '--server' });
    const value = async <T>(name: OperationName, body: unknown): Promise<T> => {
      const result = await client.call(name, body);
      assert.ok(result.ok, JSON.stringify(result));
      return result.value as T;
    };
    await value('listings.add', { range: '45.50.2.0/24', list: 'RBL', reason: 'spam-source' });
    await value('settings.update', { publish: { signWithinSeconds: 5 } });
    const keyId = /public key ([0-9A-F]+)/.exec(readFileSync(`${key}.pub`, 'utf8'))?.[1];
    const prepared = await value<PreparedPublish>('publish.prepare', { keyId });
    const strangerKey = join(folder, 'stranger.key');
    assert.equal(runProgram('minisign', ['-G', '-W', '-p', `${strangerKey}.pub`, '-s', strangerKey]).code, 0);
    const manifestFile = file('prepared.json', '');
    writeFileSync(manifestFile, Buffer.from(prepared.manifest as string, 'base64'));
    assert.equal(runProgram('minisign', ['-S', '-s', strangerKey, '-m', manifestFile, '-t', prepared.trustedComment as string]).code, 0);
    const byStranger = await client.call('publish.commit', { serial: prepared.serial, signature: readFileSync(`${manifestFile}.minisig`, 'utf8') });
    assert.equal(byStranger.ok, false);
    assert.match(byStranger.ok ? '' : byStranger.error.message, /not among the trusted keys/);
    const otherManifest = readFileSync(join(live, 'manifest.json.minisig'), 'utf8');
    const overAnother = await client.call('publish.commit', { serial: prepared.serial, signature: otherManifest });
    assert.equal(overAnother.ok, false);
    assert.match(overAnother.ok ? '' : overAnother.error.message, /does not match the signature/);
    assert.equal(readlinkSync(live), serial, 'nothing switched');
    await new Promise((resolvePromise) => setTimeout(resolvePromise, Date.parse(prepared.signBefore as string) - Date.now() + 1500));
    const late = await client.call('publish.commit', { serial: prepared.serial, signature: otherManifest });
    assert.match(late.ok ? '' : late.error.message, /it expired and was rolled back/);
    assert.equal(readlinkSync(live), serial);

    const loggedOut = await must(['logout']);
    assert.match(loggedOut.out[0], new RegExp(`logged out of ${url} \\(Ada\\)`));
    const after = await repdesk(['--server', url, '--ca', cert, 'lookup', '45.50.0.1']);
    assert.equal(after.code, 1);
    assert.match(after.error[0], /not logged in to/);
  });
});
