/**
 * A team server killed (SIGKILL) in the middle of a big import running as a job, then started
 * again on the same data folder: the database passes integrity_check and `audit verify`, nothing
 * of the import is visible (no listing, no answer), the job is listed failed saying the server
 * stopped before it finished, and the history records it (job.interrupted). And publishing through
 * it: no signing key is held (publish.run refused), a snapshot prepared, signed by the stock
 * minisign and committed goes live, and one prepared when the server is killed is rolled back when
 * it starts again (current never moves). The server is the real `repdesk server` in a child process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { STEP_ROWS } from '../../main/core/listings/staged-import.js';
import { ADMIN, ADMIN_PASSPHRASE, bootstrapTeam, request, value } from './support/team-server.js';

const REPDESK = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bin', 'repdesk.js');
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

function environment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.REPDESK_ACTOR;
  delete env.REPDESK_DB;
  return env;
}

/** Start `repdesk server` on the data folder; resolves with its URL once it listens. */
async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [REPDESK, 'server', '--listen', '127.0.0.1:0', '--data', data], { env: environment(), stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) resolvePromise(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
  });
  return { child, url };
}

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
