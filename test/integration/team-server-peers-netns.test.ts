/**
 * Peer trust for real, on a network the test makes: two network namespaces joined by a veth pair,
 * the real `repdesk server` in one (23.1.0.1), clients in the other with two addresses of their
 * own (23.1.0.2, the TLS proxy; 23.1.0.3, any other machine). No address exists outside the
 * namespaces. Plain HTTP on the non-loopback 23.1.0.1 is refused before anything listens; behind
 * the proxy (`--behind-proxy 23.1.0.2`), the proxy's X-Forwarded-For is what the history records
 * (sign-in failures, sign-ins, writes), a proxy request naming no client is refused, the same
 * headers from another machine are refused (403, nothing recorded), and from the server's own
 * computer (loopback) they are ignored: the history shows the real peer. Needs root for `ip
 * netns` (CI runs as root).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { childEnvironment, REPDESK_BIN, startServerProcess, type ServerProcess } from './support/server-process.js';
import { ADMIN, ADMIN_PASSPHRASE, bootstrapTeam } from './support/team-server.js';

const TAG = process.pid % 100_000;
const SERVER_NS = `repdesk-srv-${TAG}`;
const CLIENT_NS = `repdesk-cli-${TAG}`;
const SERVER_ADDRESS = '23.1.0.1';
const PROXY_ADDRESS = '23.1.0.2';
const STRANGER_ADDRESS = '23.1.0.3';
const PORT = 8080;
/** What a TLS proxy in front says about the client it serves. */
const FORWARDED = { 'X-Forwarded-For': '11.9.9.9, 81.2.3.4', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'repdesk.example' };

let folder: string;
let data: string;
let databasePath: string;
let peerScript: string;
let server: ServerProcess | null = null;
const namespaces: string[] = [];

function ip(args: readonly string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  assert.equal(result.status, 0, `ip ${args.join(' ')}: ${result.stderr}`);
}

interface PeerAnswer {
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

/** A POST from `localAddress` inside `namespace`, as a program there sends it. */
function post(namespace: string, localAddress: string, url: string, body: unknown, headers: Record<string, string> = {}): PeerAnswer {
  const result = spawnSync('ip', ['netns', 'exec', namespace, process.execPath, peerScript, url, localAddress, JSON.stringify(headers), JSON.stringify(body)], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, `the peer in ${namespace} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PeerAnswer;
}

const fromProxy = (path: string, body: unknown, headers: Record<string, string> = FORWARDED) => post(CLIENT_NS, PROXY_ADDRESS, `http://${SERVER_ADDRESS}:${PORT}${path}`, body, headers);
const fromStranger = (path: string, body: unknown) => post(CLIENT_NS, STRANGER_ADDRESS, `http://${SERVER_ADDRESS}:${PORT}${path}`, body, FORWARDED);
const fromServerComputer = (path: string, body: unknown) => post(SERVER_NS, '127.0.0.1', `http://127.0.0.1:${PORT}${path}`, body, FORWARDED);

function events(action: string): { actor: string; client: string | null; address: string | null }[] {
  const database = new Database(databasePath, { readonly: true });
  try {
    return database.prepare('SELECT actor, client, address FROM events WHERE action = ? ORDER BY id').all(action) as { actor: string; client: string | null; address: string | null }[];
  } finally {
    database.close();
  }
}

before(async () => {
  assert.equal(process.getuid?.(), 0, 'this test makes network namespaces (ip netns): run it as root, as CI does');
  folder = mkdtempSync(join(tmpdir(), 'repdesk-peers-'));
  data = join(folder, 'data');
  mkdirSync(data, { mode: 0o700 });
  databasePath = join(data, 'repdesk.sqlite');
  await bootstrapTeam(databasePath);
  peerScript = join(folder, 'peer.mjs');
  writeFileSync(
    peerScript,
    `import { request } from 'node:http';
const [url, localAddress, headers, body] = process.argv.slice(2);
const outgoing = request(url, { method: 'POST', localAddress, headers: { 'Content-Type': 'application/json', ...JSON.parse(headers) } }, (response) => {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk) => (text += chunk));
  response.on('end', () => process.stdout.write(JSON.stringify({ status: response.statusCode, body: text })));
});
outgoing.on('error', (error) => process.stdout.write(JSON.stringify({ error: error.code ?? error.message })));
outgoing.end(body);
`,
  );
  for (const namespace of [SERVER_NS, CLIENT_NS]) {
    ip(['netns', 'add', namespace]);
    namespaces.push(namespace);
    ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
  }
  const serverEnd = `rds${TAG}`;
  const clientEnd = `rdc${TAG}`;
  ip(['link', 'add', serverEnd, 'netns', SERVER_NS, 'type', 'veth', 'peer', 'name', clientEnd, 'netns', CLIENT_NS]);
  ip(['-n', SERVER_NS, 'addr', 'add', `${SERVER_ADDRESS}/24`, 'dev', serverEnd]);
  for (const address of [PROXY_ADDRESS, STRANGER_ADDRESS]) ip(['-n', CLIENT_NS, 'addr', 'add', `${address}/24`, 'dev', clientEnd]);
  ip(['-n', SERVER_NS, 'link', 'set', serverEnd, 'up']);
  ip(['-n', CLIENT_NS, 'link', 'set', clientEnd, 'up']);
});

after(async () => {
  await server?.stop();
  for (const namespace of namespaces) spawnSync('ip', ['netns', 'del', namespace]);
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test('plain HTTP on an address others can reach is refused before anything listens', () => {
  const refused = spawnSync('ip', ['netns', 'exec', SERVER_NS, process.execPath, REPDESK_BIN, 'server', '--listen', `${SERVER_ADDRESS}:${PORT}`, '--data', data], { encoding: 'utf8', env: childEnvironment(), timeout: 60_000 });
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /refusing to listen on 23\.1\.0\.1 without TLS/);
  assert.deepEqual(fromProxy('/api/session.whoami', {}), { error: 'ECONNREFUSED' }, 'nothing listens there');
});

test("behind the proxy, the proxy's X-Forwarded-For is the client's address in the history; the same words from another machine are refused, from this computer ignored", async () => {
  server = await startServerProcess(data, { prefix: ['ip', 'netns', 'exec', SERVER_NS], listen: `0.0.0.0:${PORT}`, extra: ['--behind-proxy', PROXY_ADDRESS] });

  // Through the proxy: a failure, then a sign-in and a write, each recorded as coming from the address the proxy saw.
  assert.equal(fromProxy('/api/auth.signIn', { name: ADMIN, passphrase: 'not what Ada chose at all', client: 'cli' }).status, 401);
  assert.deepEqual(events('auth.sign-in-failed').at(-1), { actor: '(not signed in)', client: 'cli', address: '81.2.3.4' });
  const signedIn = fromProxy('/api/auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' });
  assert.equal(signedIn.status, 200, signedIn.body);
  const { token } = (JSON.parse(signedIn.body ?? '{}') as { value: { token: string } }).value;
  assert.deepEqual(events('auth.signed-in').at(-1), { actor: ADMIN, client: 'cli', address: '81.2.3.4' });
  const added = fromProxy('/api/listings.add', { range: '81.60.0.0/24', list: 'RBL', reason: 'spam-source' }, { ...FORWARDED, Authorization: `Bearer ${token}` });
  assert.equal(added.status, 200, added.body);
  assert.deepEqual(events('listing.created').at(-1), { actor: ADMIN, client: 'cli', address: '81.2.3.4' });
  // The proxy must say who the client is.
  const unnamed = fromProxy('/api/session.whoami', {}, { Authorization: `Bearer ${token}` });
  assert.equal(unnamed.status, 400);
  assert.match(unnamed.body ?? '', /the proxy did not name the client/);

  // Another machine saying the same: refused before anything is read, nothing recorded.
  const failuresBefore = events('auth.sign-in-failed').length;
  const stranger = fromStranger('/api/auth.signIn', { name: ADMIN, passphrase: 'not what Ada chose at all', client: 'cli' });
  assert.equal(stranger.status, 403);
  assert.match(stranger.body ?? '', /reached through its TLS proxy/);
  assert.equal(events('auth.sign-in-failed').length, failuresBefore);

  // The server's own computer may speak to it, but its X-Forwarded-For is not believed.
  assert.equal(fromServerComputer('/api/auth.signIn', { name: ADMIN, passphrase: 'not what Ada chose at all', client: 'cli' }).status, 401);
  assert.deepEqual(events('auth.sign-in-failed').at(-1), { actor: '(not signed in)', client: 'cli', address: '127.0.0.1' });
});
