/**
 * A team server killed (SIGKILL) in the middle of a big import running as a job, then started
 * again on the same data folder: the database passes integrity_check and `audit verify`, nothing
 * of the import is visible (no listing, no answer), the job is listed failed saying the server
 * stopped before it finished, and the history records it (job.interrupted). And publishing through
 * it: no signing key is held (publish.run refused), a snapshot prepared, signed by the stock
 * minisign and committed goes live, and one prepared when the server is killed is rolled back when
 * it starts again (current never moves), as is one whose zone files the server was writing when
 * it was killed (held there by the test-only pause hook); the next publish then goes live. The server is the real `repdesk server` in a child process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { STEP_ROWS } from '../../main/core/listings/staged-import.js';
import { ADMIN, ADMIN_PASSPHRASE, bootstrapTeam, request, value } from './support/team-server.js';
import { REPDESK, childEnvironment, startServerProcess } from './support/team-server-process.js';

/** Enough lines that the import is still running when the test kills the server. */
const LINES = 300_000;

let folder: string;
let data: string;
let databasePath: string;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-team-faults-'));
  data = join(folder, 'data');
  databasePath = join(data, 'repdesk.sqlite');
  mkdirSync(data, { mode: 0o700 });
  await bootstrapTeam(databasePath);
});

after(() => {
  rmSync(folder, { recursive: true, force: true });
});

const environment = (): NodeJS.ProcessEnv => childEnvironment();
const startServer = (): Promise<{ child: ChildProcess; url: string }> => startServerProcess(data);

function count(query: string): number {
  const database = new Database(databasePath, { readonly: true });
  try {
    return (database.prepare(query).get() as { count: number }).count;
  } finally {
    database.close();
  }
}

test('a server killed during an import job starts again with the database intact, nothing of the import visible, and the job reported failed', async () => {
  const listingsBefore = count('SELECT count(*) AS count FROM listings');
  const first = await startServer();
  let killed = false;
  try {
    const token = value(await request<{ token: string }>(first.url, '/api/auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' })).token;
    const lines: string[] = [];
    for (let index = 0; index < LINES; index += 1) lines.push(`23.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
    const upload = value(await request<{ upload: string }>(first.url, '/api/upload', undefined, { token, raw: `${lines.join('\n')}\n`, headers: { 'Content-Type': 'application/octet-stream', 'X-File-Name': 'big.txt' } }));
    const job = value(await request<{ id: number }>(first.url, '/api/jobs.start', { operation: 'listings.importFile', input: { file: { upload: upload.upload }, list: 'RBL', reason: 'spam-source' } }, { token }));
    // Killed once the import has committed some of its steps (each a transaction of its own), well before it could commit the import.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const view = value(await request<{ state: string; stage: string; done: number; total: number }>(first.url, '/api/jobs.get', { id: job.id }, { token }));
      assert.equal(view.state, 'running', 'the import ended before the test could kill the server: give it more lines');
      if (view.stage === 'writing' && view.done >= 2 * STEP_ROWS) break;
      assert.ok(Date.now() < deadline, 'the import never reported progress');
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 25));
    }
    first.child.kill('SIGKILL');
    killed = true;
    await new Promise((resolvePromise) => first.child.once('close', resolvePromise));
  } finally {
    if (!killed) first.child.kill('SIGKILL');
  }

  const database = new Database(databasePath, { readonly: true });
  assert.equal(database.pragma('integrity_check', { simple: true }), 'ok');
  database.close();
  // The steps it wrote are in the file, out of everyone's sight, until the next start removes them.
  assert.ok(count('SELECT count(*) AS count FROM listings') >= listingsBefore + 2 * STEP_ROWS, 'the import had written steps when it was killed');
  assert.equal(count('SELECT count(*) AS count FROM listing_imports'), 1);

  const second = await startServer();
  try {
    const token = value(await request<{ token: string }>(second.url, '/api/auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' })).token;
    const jobs = value(await request<{ operation: string; state: string; error: { message: string } | null }[]>(second.url, '/api/jobs.list', {}, { token }));
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].operation, 'listings.importFile');
    assert.equal(jobs[0].state, 'failed');
    assert.match(jobs[0].error?.message ?? '', /stopped before it finished.*nothing of it was kept/);
    const lookup = value(await request<{ listings: unknown[]; answers: { lists: { answer: unknown }[] } }>(second.url, '/api/lookup', { ip: '23.0.0.5' }, { token }));
    assert.deepEqual(lookup.listings, [], 'no listing of the interrupted import');
    assert.ok(lookup.answers.lists.every((list) => list.answer === null), 'and no answer');
    assert.equal(count('SELECT count(*) AS count FROM listings'), listingsBefore, 'nothing of the import was kept');
    assert.equal(count('SELECT count(*) AS count FROM listing_imports'), 0);
    assert.equal(count("SELECT count(*) AS count FROM events WHERE action = 'listings.imported'"), 0);
    assert.equal(count("SELECT count(*) AS count FROM events WHERE action = 'job.interrupted'"), 1);
    assert.equal(count("SELECT count(*) AS count FROM jobs WHERE state = 'interrupted'"), 1);
  } finally {
    second.child.kill('SIGTERM');
    await new Promise((resolvePromise) => second.child.once('close', resolvePromise));
  }
  const verify = spawnSync(process.execPath, [REPDESK, '--db', databasePath, 'audit', 'verify'], { env: environment(), encoding: 'utf8' });
  assert.equal(verify.status, 0, `${verify.stdout}\n${verify.stderr}`);
  assert.match(verify.stdout, /intact/);
});

test('the team server holds no signing key: publish.run is refused, publish.prepare and publish.commit (signed by the stock minisign) go live; a server killed with a snapshot prepared rolls it back when it starts again', async () => {
  const out = join(data, 'snapshots');
  const pub = join(folder, 'ada.pub');
  const key = join(folder, 'ada.key');
  assert.equal(spawnSync('minisign', ['-G', '-W', '-p', pub, '-s', key], { stdio: 'ignore' }).status, 0);
  const keyId = /minisign public key ([0-9A-F]+)/.exec(readFileSync(pub, 'utf8'))?.[1] ?? '';
  const current = () => (existsSync(join(out, 'current')) ? readlinkSync(join(out, 'current')) : null);
  const states = () => {
    const database = new Database(databasePath, { readonly: true });
    try {
      return (database.prepare('SELECT state FROM snapshots ORDER BY serial').all() as { state: string }[]).map((row) => row.state);
    } finally {
      database.close();
    }
  };
  const sign = (manifest: string, trustedComment: string, name: string) => {
    const file = join(folder, name);
    writeFileSync(file, Buffer.from(manifest, 'base64'));
    assert.equal(spawnSync('minisign', ['-S', '-s', key, '-m', file, '-x', `${file}.minisig`, '-t', trustedComment], { stdio: 'ignore' }).status, 0);
    return readFileSync(`${file}.minisig`, 'utf8');
  };

  const first = await startServer();
  let killed = false;
  try {
    const token = value(await request<{ token: string }>(first.url, '/api/auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' })).token;
    value(await request(first.url, '/api/keys.register', { publisher: ADMIN, publicKey: readFileSync(pub, 'utf8') }, { token }));
    value(await request(first.url, '/api/listings.add', { range: '45.30.0.0/24', list: 'RBL', reason: 'spam-source' }, { token }));
    const run = await request(first.url, '/api/publish.run', {}, { token });
    assert.equal(run.status, 403);
    assert.match(run.result.ok ? '' : run.result.error.message, /no signing key/);

    const prepared = value(await request<{ serial: number; manifest: string; trustedComment: string }>(first.url, '/api/publish.prepare', { keyId }, { token }));
    value(await request(first.url, '/api/publish.commit', { serial: prepared.serial, signature: sign(prepared.manifest, prepared.trustedComment, 'first.json') }, { token }));
    const live = current();
    assert.ok(live, 'the first snapshot went live');
    assert.deepEqual(states(), ['live']);

    value(await request(first.url, '/api/listings.add', { range: '45.31.0.0/24', list: 'RBL', reason: 'spam-source' }, { token }));
    value(await request(first.url, '/api/publish.prepare', { keyId }, { token }));
    assert.deepEqual(states(), ['live', 'prepared']);
    first.child.kill('SIGKILL');
    killed = true;
    await new Promise((resolvePromise) => first.child.once('close', resolvePromise));

    const second = await startServer();
    try {
      assert.deepEqual(states(), ['live'], 'the prepared snapshot was rolled back when the server started again');
      assert.equal(current(), live, 'current never moved');
      assert.deepEqual(readdirSync(out).filter((name) => name.startsWith('.incoming-')), [], 'no half-written folder is left');
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolvePromise) => second.child.once('close', resolvePromise));
    }
  } finally {
    if (!killed) first.child.kill('SIGKILL');
  }
  const verify = spawnSync(process.execPath, [REPDESK, '--db', databasePath, 'audit', 'verify'], { env: environment(), encoding: 'utf8' });
  assert.equal(verify.status, 0, `${verify.stdout}\n${verify.stderr}`);
});

test('a server killed while publish.prepare writes the zone files starts again with the database intact, the attempt rolled back and nothing of it visible; current never moved, and the next publish goes live', async () => {
  const out = join(data, 'snapshots');
  const pub = join(folder, 'ada-2.pub');
  const key = join(folder, 'ada-2.key');
  assert.equal(spawnSync('minisign', ['-G', '-W', '-p', pub, '-s', key], { stdio: 'ignore' }).status, 0);
  const keyId = /minisign public key ([0-9A-F]+)/.exec(readFileSync(pub, 'utf8'))?.[1] ?? '';
  const current = () => (existsSync(join(out, 'current')) ? readlinkSync(join(out, 'current')) : null);
  const pause = join(folder, 'pause-writing');
  const reconciledBefore = count("SELECT count(*) AS count FROM events WHERE action = 'snapshot.reconciled'");
  const liveBefore = count("SELECT count(*) AS count FROM snapshots WHERE state = 'live'");

  // The server stops (test-only hook) once the first zone file is written, the others not yet.
  const first = await startServerProcess(data, { REPDESK_TEST_PAUSE_AT: 'writing', REPDESK_TEST_PAUSE_FILE: pause });
  let before: string | null = null;
  let preparing: Promise<unknown> | null = null;
  try {
    const token = value(await request<{ token: string }>(first.url, '/api/auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' })).token;
    value(await request(first.url, '/api/keys.register', { publisher: ADMIN, publicKey: readFileSync(pub, 'utf8') }, { token }));
    value(await request(first.url, '/api/listings.add', { range: '45.32.0.0/24', list: 'RBL', reason: 'spam-source' }, { token }));
    before = current();
    preparing = request(first.url, '/api/publish.prepare', { keyId }, { token }).then(
      (answer) => answer,
      (error: unknown) => error,
    );
    const deadline = Date.now() + 120_000;
    while (!existsSync(`${pause}.reached`)) {
      assert.ok(Date.now() < deadline, 'the server never reached the writing step');
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 20));
    }
    const incoming = readdirSync(out).filter((name) => name.startsWith('.incoming-'));
    assert.equal(incoming.length, 1, 'the snapshot is being written');
    const written = readdirSync(join(out, incoming[0]));
    assert.ok(written.length >= 1 && !written.includes('manifest.json'), `half written: ${written.join(', ')}`);
    assert.equal(count("SELECT count(*) AS count FROM snapshots WHERE state = 'prepared'"), 1, 'and recorded prepared');
  } finally {
    first.child.kill('SIGKILL');
    await new Promise((resolvePromise) => first.child.once('close', resolvePromise));
  }
  const answer = await preparing;
  assert.ok(answer instanceof Error || (answer as { status: number }).status >= 500, 'the caller is told the prepare failed');

  const database = new Database(databasePath, { readonly: true });
  assert.equal(database.pragma('integrity_check', { simple: true }), 'ok');
  database.close();

  const second = await startServerProcess(data);
  try {
    assert.equal(count("SELECT count(*) AS count FROM snapshots WHERE state <> 'live'"), 0, 'the prepared snapshot was rolled back when the server started again');
    assert.equal(count("SELECT count(*) AS count FROM snapshots WHERE state = 'live'"), liveBefore);
    assert.equal(count("SELECT count(*) AS count FROM events WHERE action = 'snapshot.reconciled'"), reconciledBefore + 1, 'the history says what was found and done');
    assert.equal(current(), before, 'current never moved');
    assert.deepEqual(readdirSync(out).filter((name) => name.startsWith('.')), [], 'no half-written folder, pointer or lock is left');

    const token = value(await request<{ token: string }>(second.url, '/api/auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' })).token;
    const prepared = value(await request<{ serial: number; manifest: string; trustedComment: string }>(second.url, '/api/publish.prepare', { keyId }, { token }));
    const manifest = join(folder, 'after-kill.json');
    writeFileSync(manifest, Buffer.from(prepared.manifest, 'base64'));
    assert.equal(spawnSync('minisign', ['-S', '-s', key, '-m', manifest, '-x', `${manifest}.minisig`, '-t', prepared.trustedComment], { stdio: 'ignore' }).status, 0);
    value(await request(second.url, '/api/publish.commit', { serial: prepared.serial, signature: readFileSync(`${manifest}.minisig`, 'utf8') }, { token }));
    assert.equal(current(), String(prepared.serial), 'the next publish went live');
    assert.equal(spawnSync('minisign', ['-V', '-p', pub, '-m', join(out, 'current', 'manifest.json')], { stdio: 'ignore' }).status, 0);
  } finally {
    second.child.kill('SIGTERM');
    await new Promise((resolvePromise) => second.child.once('close', resolvePromise));
  }
  const verify = spawnSync(process.execPath, [REPDESK, '--db', databasePath, 'audit', 'verify'], { env: environment(), encoding: 'utf8' });
  assert.equal(verify.status, 0, `${verify.stdout}\n${verify.stderr}`);
});
