/**
 * A snapshot is recorded `prepared` before it goes live: everything that reads "the last
 * snapshot" (snapshots.list, the dashboard, publish.preview's diff base, approvals, the
 * browsable changes) counts only live ones; a prepared row is settled at the next publish or
 * start unless its folder's publish lock is held by a living process. And the lock itself:
 * held, released, taken over when its process is gone or its pid was reused.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PublishResult } from '../../../shared/publishing.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { requireActor } from '../../../main/core/investigators/investigators.js';
import { LOCK_FILE, lockFolder, tryLockFolder } from '../../../main/core/publish/folder-lock.js';
import { generateKeyPair } from '../../../main/core/snapshot/index.js';
import { prepareSnapshot } from '../../../main/core/publish/prepare.js';
import { recordPrepared } from '../../../main/core/publish/record.js';
import { readSettings } from '../../../main/core/settings/settings.js';
import { ok } from '../support/results.js';

describe('a snapshot being published is not the last snapshot', () => {
  let folder: string;
  let databasePath: string;
  let out: string;
  let core: Core;
  let now: number;
  let host: number;
  const key = generateKeyPair();
  // Publishes into a folder the test names: a call that may name local folders, as the command line is.
  const pat = { actor: 'pat', localFiles: true };

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-record-'));
    databasePath = join(folder, 'repdesk.sqlite');
    out = join(folder, 'out');
    now = Date.UTC(2026, 10, 28, 12);
    host = 1;
    core = createCore({ databasePath, now: () => new Date(now), signingKey: () => key });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'pat', roles: ['publisher'] }, { actor: 'admin' }));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const addListing = () => ok(core.dispatch('listings.add', { range: `45.40.0.${host++}`, list: 'RBL', reason: 'spam-source' }, { actor: 'admin' }));
  const publish = () => ok<PublishResult>(core.dispatch('publish.run', { out }, pat));
  const rows = () => {
    const database = new Database(databasePath, { readonly: true });
    try {
      return database.prepare('SELECT serial, state FROM snapshots ORDER BY serial').all() as Array<{ serial: number; state: string }>;
    } finally {
      database.close();
    }
  };

  /** Record a snapshot as a publish does before writing anything, into `into`, as if the publish then died. */
  function prepareOne(into: string): number {
    const write = core.connection.write;
    const actor = requireActor(write, 'pat', 'publisher');
    const prepared = prepareSnapshot(write, readSettings(write), new Date(now));
    const at = new Date(now).toISOString();
    const record = { out: into, zone: 'bl.example', keyId: 'ABC', created: at, expires: at, preparedBy: actor, approvedBy: null, requestId: null, safety: [] };
    return recordPrepared(write, prepared, record, actor, new Date(now)).serial;
  }

  test('snapshots.list, the dashboard, the preview, the changes and the approvals count only live snapshots', async () => {
    await addListing();
    const first = await publish();
    await addListing();
    const prepared = prepareOne(out);
    assert.ok(prepared > (first.serial as number));
    assert.deepEqual(rows(), [
      { serial: first.serial, state: 'live' },
      { serial: prepared, state: 'prepared' },
    ]);
    assert.deepEqual((await ok(core.dispatch('snapshots.list', {}, pat))).map((snapshot) => snapshot.serial), [first.serial]);
    assert.equal((await ok(core.dispatch('dashboard.get', {}, pat))).publishing.latest?.serial, first.serial);
    const preview = await ok(core.dispatch('publish.preview', {}, pat));
    assert.equal(preview.lastSerial, first.serial);
    assert.deepEqual(preview.changes?.RBL, { added: 1, removed: 0, total: 2 });
    const changes = await core.dispatch('snapshots.changes', { serial: prepared, list: 'RBL', kind: 'added' }, pat);
    assert.equal(!changes.ok && changes.error.code, 'not-found');
  });

  test('the next publish into the folder settles a prepared snapshot left there, and goes past its serial', async () => {
    await addListing();
    const first = await publish();
    await addListing();
    const prepared = prepareOne(out);
    const second = await publish();
    assert.ok((second.serial as number) > prepared, 'a serial once given out is not given again');
    assert.equal(readlinkSync(join(out, 'current')), String(second.serial));
    assert.deepEqual(rows(), [
      { serial: first.serial, state: 'live' },
      { serial: second.serial, state: 'live' },
    ]);
    const history = await ok(core.dispatch('audit.verify', {}, pat));
    assert.equal(history.ok, true, JSON.stringify(history));
    const database = new Database(databasePath, { readonly: true });
    try {
      const event = database.prepare(`SELECT actor, reason, details FROM events WHERE action = 'snapshot.reconciled'`).get() as { actor: string; reason: string; details: string };
      assert.equal(event.actor, 'pat');
      assert.match(event.reason, new RegExp(`^snapshot ${prepared} was never written whole \\(${out}/current points at ${first.serial}\\); rolled it back`));
      assert.deepEqual(JSON.parse(event.details), {
        serial: prepared,
        outcome: 'rolled back',
        found: `snapshot ${prepared} was never written whole (${out}/current points at ${first.serial})`,
        done: 'rolled it back (removed its folder and its record)',
        approvalReleased: null,
        by: 'publish by pat',
      });
    } finally {
      database.close();
    }
  });

  test('a snapshot still being published elsewhere (its folder locked by a living process) is left alone, and blocks another publish', async () => {
    await addListing();
    await publish();
    await addListing();
    const elsewhere = join(folder, 'elsewhere');
    mkdirSync(elsewhere);
    const held = tryLockFolder(elsewhere);
    assert.ok('lock' in held);
    const prepared = prepareOne(elsewhere);
    const refused = await core.dispatch('publish.run', { out }, pat);
    assert.equal(!refused.ok && refused.error.code, 'conflict');
    assert.match(!refused.ok ? refused.error.message : '', new RegExp(`^snapshot ${prepared} is being published \\(${elsewhere}/${prepared}\\); try again when it has finished$`));
    // Opening the database again leaves it while the lock is held, and settles it once it is not.
    core.close();
    core = createCore({ databasePath, now: () => new Date(now), signingKey: () => key });
    assert.equal(rows().find((row) => row.serial === prepared)?.state, 'prepared');
    held.lock.release();
    core.close();
    core = createCore({ databasePath, now: () => new Date(now), signingKey: () => key });
    assert.equal(rows().find((row) => row.serial === prepared), undefined);
    assert.equal((await publish()).published, true);
  });
});

describe('the publish lock of an output folder', () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-folder-lock-'));
  });

  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const writeLock = (owner: Record<string, unknown>) => writeFileSync(join(folder, LOCK_FILE), JSON.stringify(owner));

  test('held until released; a second taker is told who holds it', () => {
    const first = tryLockFolder(folder);
    assert.ok('lock' in first);
    const second = tryLockFolder(folder);
    assert.ok('heldBy' in second);
    assert.match(second.heldBy, new RegExp(`^process ${process.pid} on ${hostname()}, since \\d{4}-`));
    first.lock.release();
    assert.equal(existsSync(join(folder, LOCK_FILE)), false);
    const third = tryLockFolder(folder);
    assert.ok('lock' in third);
    third.lock.release();
  });

  test('taken over when its process is gone, or its pid now belongs to a process started at another time', () => {
    writeLock({ pid: 2 ** 22 + 12345, started: null, host: hostname(), at: '2026-01-01T00:00:00.000Z' });
    const gone = tryLockFolder(folder);
    assert.ok('lock' in gone, 'a dead process');
    gone.lock.release();
    writeLock({ pid: process.pid, started: 1, host: hostname(), at: '2026-01-01T00:00:00.000Z' });
    const reused = tryLockFolder(folder);
    assert.ok('lock' in reused, 'a reused pid');
    reused.lock.release();
  });

  test('never taken over from another host, nor when it cannot be read', () => {
    writeLock({ pid: 2 ** 22 + 12345, started: null, host: 'another-host.example', at: '2026-01-01T00:00:00.000Z' });
    const remote = tryLockFolder(folder);
    assert.ok('heldBy' in remote);
    assert.match(remote.heldBy, /on another-host\.example/);
    writeFileSync(join(folder, LOCK_FILE), 'half a lock');
    const unreadable = tryLockFolder(folder);
    assert.ok('heldBy' in unreadable);
    assert.match(unreadable.heldBy, /cannot be read; remove it if no publish is running$/);
  });

  test('lockFolder waits for the holder, and refuses after its bound', async () => {
    const held = tryLockFolder(folder);
    assert.ok('lock' in held);
    await assert.rejects(lockFolder(folder, 100), new RegExp(`^AppError: another publish into ${folder} is running \\(process ${process.pid} on `));
    setTimeout(() => held.lock.release(), 100);
    const taken = await lockFolder(folder, 5000);
    taken.release();
  });
});
