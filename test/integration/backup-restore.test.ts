/**
 * `repdesk backup` while another thread keeps writing: the copy opens, its history verifies, and
 * it holds everything committed before the backup started. `repdesk restore` refuses what is not
 * a sound RepDesk database (a text file, another SQLite database, a newer schema, a corrupted
 * file, a broken history) and refuses while the database is open, each time with nothing changed;
 * a good backup (also one from an older schema) is swapped in and the replaced database is kept.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AuditReport } from '../../shared/audit.js';
import { createCore } from '../../main/core/app.js';
import { MIGRATIONS } from '../../main/core/db/migrations/index.js';
import { SCHEMA_VERSION } from '../../main/core/db/migrate.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';
import { ok } from '../unit/support/results.js';

function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * What the database holds, whatever its journal and WAL files look like: the history's head (every
 * change appends an event, and each event's hash covers all before it) and the listings' extent.
 */
function contentOf(path: string): string {
  const database = new Database(path, { readonly: true });
  try {
    const head = database.prepare('SELECT id, hex(hash) AS hash FROM events ORDER BY id DESC LIMIT 1').get();
    const listings = database.prepare('SELECT count(*) AS count, max(id) AS last, max(updated_at) AS changed FROM listings').get();
    return JSON.stringify({ head, listings });
  } finally {
    database.close();
  }
}

/** Every listing and event up to the given ids, as rows: what "everything committed before" means. */
function committedUpTo(path: string, listingId: number, eventId: number): { listings: unknown[]; events: unknown[] } {
  const database = new Database(path, { readonly: true });
  try {
    return {
      listings: database.prepare('SELECT * FROM listings WHERE id <= ? ORDER BY id').all(listingId),
      events: database.prepare('SELECT id, hex(hash) AS hash FROM events WHERE id <= ? ORDER BY id').all(eventId),
    };
  } finally {
    database.close();
  }
}

async function verifyCopy(path: string): Promise<AuditReport> {
  const core = createCore({ databasePath: path });
  try {
    return await ok(core.dispatch('audit.verify', {}, { actor: null }));
  } finally {
    core.close();
  }
}

describe('repdesk backup and restore', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-backup-'));
  const database = join(folder, 'repdesk.sqlite');
  const db = ['--db', database];

  before(async () => {
    const lines: string[] = [];
    for (let index = 0; index < 30_000; index += 1) lines.push(`45.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
    writeFileSync(join(folder, 'rbl.txt'), `${lines.join('\n')}\n`);
    for (const args of [
      ['investigator', 'add', 'Ada', '--roles', 'investigator'],
      ['--actor', 'Ada', 'import', join(folder, 'rbl.txt'), '--list', 'RBL', '--reason', 'spam-source'],
      ['--actor', 'Ada', 'listing', 'add', '23.1.2.0/24', '--list', 'RBL', '--reason', 'open-relay'],
    ]) {
      const run = await repdesk([...db, ...args]);
      assert.equal(run.code, 0, describeRun(run));
    }
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('a backup taken while another thread keeps writing opens, verifies, and holds everything committed before it started', async () => {
    const state = new SharedArrayBuffer(8);
    const flags = new Int32Array(state);
    const writer = new Worker(new URL('./support/backup-writer.js', import.meta.url), { workerData: { databasePath: database, state } });
    const messages: unknown[] = [];
    const ended = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
    writer.on('message', (message) => messages.push(message));
    try {
      while (Atomics.load(flags, 1) < 20) await new Promise((resolve) => setTimeout(resolve, 5));
      // What is committed now must be in the copy.
      const probe = new Database(database, { readonly: true });
      const before = probe.prepare('SELECT (SELECT max(id) FROM listings) AS listing, (SELECT max(id) FROM events) AS event').get() as { listing: number; event: number };
      probe.close();
      const writesBefore = Atomics.load(flags, 1);
      const result = await repdeskJson<{ path: string; bytes: number; schemaVersion: number; lastEvent: number; sha256: string; checkpoints: number }>([...db, 'backup', '--to', join(folder, 'copy.sqlite')]);
      const writesAfter = Atomics.load(flags, 1);
      Atomics.store(flags, 0, 1);
      await ended;
      assert.deepEqual(messages.filter((message) => (message as { error?: string }).error), [], 'the writer never failed (no busy database)');
      assert.ok(writesAfter > writesBefore, `the other thread kept committing during the backup (${writesBefore} -> ${writesAfter} writes)`);
      assert.equal(result.path, join(folder, 'copy.sqlite'));
      assert.equal(result.schemaVersion, SCHEMA_VERSION);
      assert.ok(result.lastEvent >= before.event, 'the copy reaches at least the last event committed before it started');
      assert.equal(result.sha256, fileHash(result.path));
      assert.deepEqual(committedUpTo(result.path, before.listing, before.event), committedUpTo(database, before.listing, before.event));
      const report = await verifyCopy(result.path);
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.equal(report.events, result.lastEvent);
      // The signed checkpoints it holds came beside it, with their key: the copy is checked against them.
      assert.ok(result.checkpoints > 0 && report.anchors.length > 0, `checked against ${report.anchors.length} checkpoint(s)`);
      assert.equal(statSync(`${result.path}.checkpoint-key`).mode & 0o777, 0o600);
      // No half-written file is left beside it.
      assert.deepEqual(readdirSync(folder).filter((name) => name.includes('partial')), []);
    } finally {
      Atomics.store(flags, 0, 1);
      await writer.terminate();
    }
  });

  test('a backup never overwrites a file, and names a missing folder', async () => {
    writeFileSync(join(folder, 'taken.sqlite'), 'something precious');
    const taken = await repdesk([...db, 'backup', '--to', join(folder, 'taken.sqlite')]);
    assert.equal(taken.code, 1);
    assert.match(taken.error[0], /already exists: a backup never overwrites a file/);
    assert.equal(readFileSync(join(folder, 'taken.sqlite'), 'utf8'), 'something precious');
    const nowhere = await repdesk([...db, 'backup', '--to', join(folder, 'absent', 'copy.sqlite')]);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.error[0], /the folder .*absent does not exist/);
    const usage = await repdesk([...db, 'backup']);
    assert.equal(usage.code, 2);
  });

  test('restore refuses what is not a sound RepDesk database, and while the database is open; nothing changes', async () => {
    const good = join(folder, 'good.sqlite');
    const made = await repdesk([...db, 'backup', '--to', good]);
    assert.equal(made.code, 0, describeRun(made));
    const cases: [string, () => void, RegExp][] = [
      ['text.sqlite', () => writeFileSync(join(folder, 'text.sqlite'), 'listings,ranges\n1,2\n'), /it is not an SQLite database/],
      ['empty.sqlite', () => writeFileSync(join(folder, 'empty.sqlite'), ''), /it is not an SQLite database/],
      [
        'other.sqlite',
        () => {
          const other = new Database(join(folder, 'other.sqlite'));
          other.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES (\'hello\')');
          other.close();
        },
        /it is not a RepDesk database \(no schema version\)/,
      ],
      [
        'newer.sqlite',
        () => {
          copyFileSync(good, join(folder, 'newer.sqlite'));
          const newer = new Database(join(folder, 'newer.sqlite'));
          newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
          newer.close();
        },
        new RegExp(`it is from a newer RepDesk \\(schema version ${SCHEMA_VERSION + 1}; this one understands up to ${SCHEMA_VERSION}\\)`),
      ],
      [
        'corrupt.sqlite',
        () => {
          // Overwrite pages in the middle of the file (the listings' index and rows) with noise.
          const bytes = readFileSync(good);
          const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
          const middle = Math.floor(bytes.length / pageSize / 2) * pageSize;
          for (let offset = middle; offset < middle + 4 * pageSize; offset += 1) bytes[offset] = (offset * 7919) & 255;
          writeFileSync(join(folder, 'corrupt.sqlite'), bytes);
        },
        /fails SQLite's integrity check/,
      ],
      [
        'broken-root.sqlite',
        () => {
          // Noise over the listings table's root page: SQLite reports it in one row of several lines.
          const source = new Database(good, { readonly: true });
          const root = source.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'listings'").pluck().get() as number;
          source.close();
          const bytes = readFileSync(good);
          const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
          for (let offset = (root - 1) * pageSize; offset < root * pageSize; offset += 1) bytes[offset] = (offset * 7919) & 255;
          writeFileSync(join(folder, 'broken-root.sqlite'), bytes);
        },
        /fails SQLite's integrity check: Tree \d+ page \d+: btreeInitPage\(\) returns error code 11; /,
      ],
      [
        'tampered.sqlite',
        () => {
          copyFileSync(good, join(folder, 'tampered.sqlite'));
          const tampered = new Database(join(folder, 'tampered.sqlite'));
          tampered.exec("DROP TRIGGER events_are_append_only_update; UPDATE events SET actor = 'mallory' WHERE id = 2");
          tampered.close();
        },
        /its history is broken at event 2/,
      ],
    ];
    // The files beside the database (-wal, -shm) come and go as connections open and close; what it holds must not change.
    const state = () => ({ content: contentOf(database), files: readdirSync(folder).filter((name) => name.startsWith('repdesk.sqlite') && !/-(wal|shm)$/.test(name)).sort() });
    const before = state();
    for (const [name, make, problem] of cases) {
      make();
      const run = await repdesk([...db, 'restore', join(folder, name)]);
      assert.equal(run.code, 1, `${name}: ${describeRun(run)}`);
      assert.match(run.error[0], problem, name);
      assert.match(run.error[0], /nothing was changed/, name);
      assert.deepEqual(state(), before, `${name} changed the database`);
    }
    const missing = await repdesk([...db, 'restore', join(folder, 'absent.sqlite')]);
    assert.match(missing.error[0], /no such file/);
    // While a RepDesk has it open (the app, a server), the swap is refused.
    const open = createCore({ databasePath: database });
    try {
      await ok(open.dispatch('lookup', { ip: '45.0.0.1' }, { actor: null }));
      const busy = await repdesk([...db, 'restore', good]);
      assert.equal(busy.code, 1);
      assert.match(busy.error[0], /is in use .*close RepDesk/);
    } finally {
      open.close();
    }
    assert.deepEqual(state(), before);
    assert.deepEqual(readdirSync(folder).filter((name) => name.includes('restoring')), [], 'no temporary copy is left');
  });

  test('a good backup is swapped in and the replaced database is kept aside; an older schema is brought up to date', async () => {
    const backup = join(folder, 'before-change.sqlite');
    assert.equal((await repdesk([...db, 'backup', '--to', backup])).code, 0);
    const change = await repdesk([...db, '--actor', 'Ada', 'listing', 'add', '23.9.9.0/24', '--list', 'RBL', '--reason', 'spam-source']);
    assert.equal(change.code, 0, describeRun(change));
    const replaced = contentOf(database);
    const restored = await repdesk([...db, '--actor', 'Ada', 'restore', backup]);
    assert.equal(restored.code, 0, describeRun(restored));
    assert.match(restored.out[0], /^restored .*repdesk\.sqlite from .*before-change\.sqlite \(schema \d+\): \d+ listings, \d+ events, history verified$/);
    const aside = /kept at (.*)$/.exec(restored.out[1])?.[1] ?? '';
    assert.ok(existsSync(aside), restored.out.join('\n'));
    assert.equal(contentOf(aside), replaced, 'the replaced database is kept with all it held, the change after the backup included');
    // Its signed history checkpoints went with it (with a copy of their key, 0600): it still verifies against them.
    assert.ok(existsSync(`${aside}.checkpoints`) && !existsSync(`${database}.checkpoints`));
    assert.equal(statSync(`${aside}.checkpoint-key`).mode & 0o777, 0o600);
    const asideReport = await verifyCopy(aside);
    assert.equal(asideReport.ok, true, JSON.stringify(asideReport));
    assert.ok(asideReport.anchors.length > 0, 'checked against its checkpoints');
    const lookup = await repdeskJson<{ listings: unknown[] }>([...db, 'lookup', '23.9.9.1']);
    assert.deepEqual(lookup.listings, [], 'the listing added after the backup is not in the restored database');
    const report = await verifyCopy(database);
    assert.equal(report.ok, true);
    const last = new Database(database, { readonly: true });
    const event = last.prepare('SELECT actor, action, client FROM events ORDER BY id DESC LIMIT 1').get();
    last.close();
    assert.deepEqual(event, { actor: 'Ada', action: 'database.restored', client: 'cli' });

    // A backup made by an older RepDesk (schema 9, before people signed in) restores and is migrated.
    const old = join(folder, 'schema9.sqlite');
    const older = new Database(old);
    for (const migration of MIGRATIONS.slice(0, 9)) {
      older.exec(migration.sql);
      older.pragma(`user_version = ${migration.version}`);
    }
    older.close();
    const fromOld = await repdeskJson<{ fromSchemaVersion: number; schemaVersion: number; events: number }>([...db, 'restore', old]);
    assert.deepEqual(fromOld, { ...fromOld, fromSchemaVersion: 9, schemaVersion: SCHEMA_VERSION, events: 1 });
    assert.equal((await verifyCopy(database)).ok, true);
  });
});
