/**
 * A publish running as a background job (browser mode with a signing key, as the Publish screen
 * runs it) when its server is killed (SIGKILL) while the zone files are being written (held there
 * by the test-only pause hook, main/core/snapshot/crash-points.ts), then started again: the
 * database passes integrity_check and `audit verify`, the job is listed failed, `current` has not
 * moved, nothing of the attempt is left (no folder, no record, no lock), and the next publish job
 * goes live. The server is the real `repdesk serve` in a child process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeRun, repdesk } from './support/cli.js';
import { startServe, type ServeProcess } from './support/serve.js';

const folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-job-kill-'));
const database = join(folder, 'repdesk.sqlite');
const key = join(folder, 'publisher.key');
const out = join(folder, 'snapshots');

async function must(args: readonly string[]): Promise<void> {
  const run = await repdesk(['--db', database, ...args]);
  assert.equal(run.code, 0, describeRun(run));
}

function count(query: string): number {
  const db = new Database(database, { readonly: true });
  try {
    return (db.prepare(query).get() as { count: number }).count;
  } finally {
    db.close();
  }
}

const current = () => (existsSync(join(out, 'current')) ? readlinkSync(join(out, 'current')) : null);

interface Job {
  readonly id: number;
  readonly operation: string;
  readonly state: string;
  readonly error: { message: string } | null;
}

async function value<T>(server: ServeProcess, name: string, body: unknown): Promise<T> {
  const answer = await server.call(name, body);
  assert.ok(answer.result.ok, `${name}: ${JSON.stringify(answer.result)}\n${server.log()}`);
  return answer.result.value as T;
}

/** Start a publish job and wait for it to end; returns it. */
async function publishJob(server: ServeProcess): Promise<Job> {
  const job = await value<Job>(server, 'jobs.start', { operation: 'publish.run', input: {} });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const view = await value<Job>(server, 'jobs.get', { id: job.id });
    if (view.state !== 'running') return view;
    assert.ok(Date.now() < deadline, 'the publish job did not end');
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
}

before(async () => {
  await must(['keygen', '--out', key, '--unencrypted']);
  await must(['--actor', 'Ada', 'investigator', 'add', 'Ada', '--roles', 'admin,investigator,publisher']);
  await must(['--actor', 'Ada', 'settings', 'set', 'publish', JSON.stringify({ outDir: out })]);
  await must(['--actor', 'Ada', 'listing', 'add', '45.21.0.0/24', '--list', 'RBL', '--reason', 'spam-source']);
  await must(['--actor', 'Ada', 'listing', 'add', '2a02:21::/48', '--list', 'RBL', '--reason', 'spam-source']);
});

after(() => rmSync(folder, { recursive: true, force: true }));

test('a server killed while its publish job writes the zone files: the job is reported failed, current unchanged, nothing half-done visible, and the next publish works', async () => {
  const first = await startServe(database, 'Ada', ['--key', key]);
  let live: string | null;
  try {
    assert.equal((await publishJob(first)).state, 'done', 'a first snapshot goes live');
    live = current();
    assert.ok(live !== null);
  } finally {
    await first.stop();
  }
  await must(['--actor', 'Ada', 'listing', 'add', '45.22.0.0/24', '--list', 'RBL', '--reason', 'spam-source']);

  const pause = join(folder, 'pause-writing');
  const second = await startServe(database, 'Ada', ['--key', key], { REPDESK_TEST_PAUSE_AT: 'writing', REPDESK_TEST_PAUSE_FILE: pause });
  try {
    const job = await value<Job>(second, 'jobs.start', { operation: 'publish.run', input: {} });
    const deadline = Date.now() + 120_000;
    while (!existsSync(`${pause}.reached`)) {
      assert.ok(Date.now() < deadline, `the publish never reached the writing step\n${second.log()}`);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 20));
    }
    const incoming = readdirSync(out).filter((name) => name.startsWith('.incoming-'));
    assert.equal(incoming.length, 1, 'the snapshot is being written');
    assert.ok(!readdirSync(join(out, incoming[0])).includes('manifest.json'), 'half written: no manifest yet');
    assert.equal((await value<Job>(second, 'jobs.get', { id: job.id })).state, 'running');
  } finally {
    await second.kill();
  }

  const db = new Database(database, { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();

  const third = await startServe(database, 'Ada', ['--key', key]);
  try {
    const jobs = await value<Job[]>(third, 'jobs.list', {});
    const killed = jobs.find((job) => job.operation === 'publish.run' && job.state !== 'done');
    assert.ok(killed, JSON.stringify(jobs));
    assert.equal(killed.state, 'failed');
    assert.match(killed.error?.message ?? '', /stopped before it finished/);
    assert.equal(current(), live, 'current never moved');
    assert.equal(count("SELECT count(*) AS count FROM snapshots WHERE state <> 'live'"), 0, 'no snapshot left prepared');
    assert.equal(count("SELECT count(*) AS count FROM events WHERE action = 'snapshot.reconciled'"), 1, 'the history says what was found and done');
    assert.deepEqual(readdirSync(out).filter((name) => name.startsWith('.')), [], 'no half-written folder, pointer or lock is left');

    assert.equal((await publishJob(third)).state, 'done', 'the next publish job goes live');
    assert.notEqual(current(), live);
  } finally {
    await third.stop();
  }
  await must(['verify', join(out, 'current'), '--pubkey', `${key}.pub`]);
  await must(['audit', 'verify']);
});
