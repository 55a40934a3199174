/**
 * Checkpoints off the writer's path (db/wal-checkpoints.ts): a commit that fills the log returns
 * without copying it into the database file, a thread of its own copies it while the connection
 * stays open (after a run of small commits too), closing leaves one complete file, another
 * process opening the database meanwhile breaks nothing, a thread that cannot run gives the
 * checkpoints back to the commits, and the core that keeps the database up is the one that uses it.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { openDatabase, type Connection } from '../../../main/core/db/connection.js';
import { CHECKPOINT_AFTER_BYTES, CHECKPOINT_AFTER_CHANGES } from '../../../main/core/db/wal-checkpoints.js';
import { createCore } from '../../../main/core/app.js';
import type { Sql } from '../../../main/core/db/sql.js';

const text = (query: string): Sql => ({ text: query, values: [] });
/** Rows of 1,000 random bytes: 8,000 of them fill about 2,000 pages of the log. */
const ROWS = 8000;

/**
 * The log's last frame and how many frames are copied back, read from the WAL index by another
 * process: a descriptor this process opened and closed on the -shm file would drop the locks
 * SQLite holds there for it.
 */
function logFrames(databasePath: string): { frames: number; copied: number } {
  const script = `const fs = require('node:fs'); const b = Buffer.alloc(100); const fd = fs.openSync(process.argv[1], 'r'); fs.readSync(fd, b, 0, 100, 0);
    process.stdout.write(JSON.stringify({ frames: b.readUInt32LE(16), copied: b.readUInt32LE(96) }));`;
  const run = spawnSync(process.execPath, ['-e', script, `${databasePath}-shm`], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { frames: number; copied: number };
}

/** The rows of the filler table in the database file at `file`, read by a connection of its own. */
function fillerRows(file: string): number {
  const database = new Database(file, { readonly: true });
  try {
    return database.prepare('SELECT count(*) FROM filler').pluck().get() as number;
  } finally {
    database.close();
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('checkpoints on a thread of their own', () => {
  let folder: string;
  let path: string;
  let connection: Connection | null;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-wal-'));
    path = join(folder, 'repdesk.sqlite');
    connection = null;
  });

  afterEach(() => {
    connection?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function fill(db: Connection, rows = ROWS): void {
    db.write.transaction((write) => {
      const insert = write.prepare('INSERT INTO filler (bytes) VALUES (randomblob(1000))');
      for (let row = 0; row < rows; row += 1) insert.run();
    });
  }

  test('a commit that fills the log returns before the copy; the database file catches up while the connection stays open; closing leaves one complete file', async () => {
    connection = openDatabase(path, { checkpoints: 'thread' });
    connection.write.run(text('CREATE TABLE filler (bytes BLOB NOT NULL)'));
    assert.equal(connection.write.get<{ wal_autocheckpoint: number }>(text('PRAGMA wal_autocheckpoint'))?.wal_autocheckpoint, 0, 'the commits do not checkpoint');
    const before = statSync(path).size;
    fill(connection);
    assert.equal(statSync(path).size, before, 'the committing call did not copy the log into the database file');
    assert.ok(statSync(`${path}-wal`).size > CHECKPOINT_AFTER_BYTES, 'the log holds the rows');
    await until(() => statSync(path).size > before + ROWS * 1000, 'the thread copies the log into the database file');

    // A second fill goes through the same thread (the log starts over once it is copied).
    const copied = statSync(path).size;
    fill(connection);
    await until(() => statSync(path).size > copied + ROWS * 1000, 'the second fill is copied too');

    connection.close();
    connection = null;
    assert.ok(!existsSync(`${path}-wal`), 'the last connection folded in the log and removed it');
    const alone = join(folder, 'alone.sqlite');
    copyFileSync(path, alone);
    assert.equal(fillerRows(alone), ROWS * 2, 'the database file alone holds every row');
  });

  test('closing right after a commit that started the thread waits for it, loses nothing, and leaves the database to others', async () => {
    connection = openDatabase(path, { checkpoints: 'thread' });
    connection.write.run(text('CREATE TABLE filler (bytes BLOB NOT NULL)'));
    const before = statSync(path).size;
    fill(connection);
    await until(() => statSync(path).size > before + ROWS * 1000, 'the thread is up and has copied the first fill');
    // The second fill asks for a checkpoint, the third asks again while it runs; then the close.
    fill(connection);
    fill(connection);
    connection.close();
    connection = null;
    assert.ok(!existsSync(`${path}-wal`), 'no log left beside the file');
    // The answer to a checkpoint asked before the close arrives after it: it must start nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const alone = new Database(path, { fileMustExist: true, timeout: 0 });
    try {
      // What a restore does to swap the file: nobody else may have it open.
      alone.pragma('journal_mode = DELETE');
      assert.equal(alone.pragma('journal_mode', { simple: true }), 'delete', 'no other connection holds the database');
      alone.exec('BEGIN EXCLUSIVE');
      alone.exec('ROLLBACK');
    } finally {
      alone.close();
    }
    assert.equal(fillerRows(path), ROWS * 3);
  });

  test('a run of small commits is copied back too, once enough rows changed', async () => {
    connection = openDatabase(path, { checkpoints: 'thread' });
    connection.write.run(text('CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)'));
    connection.write.run(text('INSERT INTO counter (id, value) VALUES (1, 0)'));
    const update = { text: 'UPDATE counter SET value = value + 1 WHERE id = 1', values: [] };
    // Each commit rewrites the same page: the log grows by a frame a commit, far below the size mark.
    for (let commit = 0; commit < CHECKPOINT_AFTER_CHANGES / 2; commit += 1) connection.write.run(update);
    const early = logFrames(path);
    assert.ok(early.frames > early.copied, `not copied yet after ${CHECKPOINT_AFTER_CHANGES / 2} rows (${JSON.stringify(early)})`);
    for (let commit = 0; commit < CHECKPOINT_AFTER_CHANGES; commit += 1) connection.write.run(update);
    await until(() => {
      const state = logFrames(path);
      return state.copied > 0 && state.copied >= state.frames - 1;
    }, 'the thread copies the small commits back');
  });

  test('another process opening the database while this one closes after a big write breaks nothing', async () => {
    connection = openDatabase(path, { checkpoints: 'thread' });
    connection.write.run(text('CREATE TABLE filler (bytes BLOB NOT NULL)'));
    fill(connection, ROWS * 4);
    // Another process (as the command line's detached fold) opens, reads and closes the database in a loop meanwhile.
    const script = `const Database = require(process.argv[1]); const end = Date.now() + 1500; let reads = 0;
      while (Date.now() < end) { const db = new Database(process.argv[2]); db.prepare('SELECT count(*) FROM filler').pluck().get(); db.close(); reads += 1; }
      process.stdout.write(String(reads));`;
    const other = spawn(process.execPath, ['-e', script, createRequire(import.meta.url).resolve('better-sqlite3'), path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    other.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let errors = '';
    other.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    fill(connection, ROWS * 4);
    connection.close();
    connection = null;
    const code = await new Promise<number | null>((resolve) => other.on('exit', (exitCode) => resolve(exitCode)));
    assert.equal(code, 0, errors);
    assert.ok(Number(output) > 0, 'the other process read the database');
    assert.equal(fillerRows(path), ROWS * 8);
  });

  test('a checkpoint thread that cannot run gives the checkpoints back to the commits', async () => {
    const broken = join(folder, 'broken-worker.mjs');
    writeFileSync(broken, "throw new Error('no thread here');\n");
    connection = openDatabase(path, { checkpoints: 'thread', checkpointWorkerUrl: pathToFileURL(broken) });
    connection.write.run(text('CREATE TABLE filler (bytes BLOB NOT NULL)'));
    fill(connection);
    const autocheckpoint = () => connection?.write.get<{ wal_autocheckpoint: number }>(text('PRAGMA wal_autocheckpoint'))?.wal_autocheckpoint;
    await until(() => autocheckpoint() === 1000, 'the writer checkpoints in its commits again');
    const before = statSync(path).size;
    fill(connection);
    assert.ok(statSync(path).size > before + ROWS * 1000, 'the commit itself copied the log into the database file');
  });

  test('the core that keeps the database up leaves its checkpoints to the thread; a job worker\'s core checkpoints in its commits and reads without the memory map', () => {
    const core = createCore({ databasePath: path });
    // As jobs/worker.ts makes a job's core.
    const worker = createCore({ databasePath: path, runsUpkeep: false, foldsDashboard: false, memoryMap: false });
    try {
      const setting = (db: Connection) => db.write.get<{ wal_autocheckpoint: number }>(text('PRAGMA wal_autocheckpoint'))?.wal_autocheckpoint;
      assert.equal(setting(core.connection), 0);
      assert.equal(setting(worker.connection), 1000);
      const map = (db: Connection) => db.write.get<{ mmap_size: number }>(text('PRAGMA mmap_size'))?.mmap_size;
      assert.equal(map(core.connection), 268435456);
      assert.equal(map(worker.connection), 0);
    } finally {
      worker.close();
      core.close();
    }
  });
});
