/**
 * Migration 0013 rebuilds the threads table (a thread may now belong to a nomination or a
 * delisting request): on a database at version 12 holding a listing's thread and an ISP's thread
 * with their mail, every thread and message is kept with its id, references still hold (foreign
 * keys are on again after it, and checked), the new rule (exactly one owner) is enforced, and a
 * reference the rebuild would break stops the migration with nothing changed.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../../main/core/db/connection.js';
import { MIGRATIONS } from '../../../main/core/db/migrations/index.js';

let folder: string;
let path: string;

/** A database file at `version`, with the migrations up to it applied as they were. */
function databaseAt(version: number): Database.Database {
  const database = new Database(path);
  database.pragma('foreign_keys = ON');
  for (const migration of MIGRATIONS.slice(0, version)) {
    database.exec(migration.sql);
    database.pragma(`user_version = ${migration.version}`);
  }
  return database;
}

function seedThreads(database: Database.Database): void {
  const at = '2026-11-28T12:00:00.000Z';
  database.prepare("INSERT INTO investigators (id, name, roles, created_at) VALUES (1, 'ana', 'investigator,liaison', ?)").run(at);
  const key = Buffer.alloc(16);
  database.prepare("INSERT INTO listings (id, list, family, first, last, reason, investigator_id, created_at, updated_at) VALUES (7, 'RBL', 4, ?, ?, 'spam-source', 1, ?, ?)").run(key, key, at, at);
  database.prepare("INSERT INTO isps (id, name, created_at, updated_at) VALUES (3, 'Example ISP', ?, ?)").run(at, at);
  database.prepare("INSERT INTO threads (id, listing_id, subject, created_at, created_by) VALUES (11, 7, 'about the listing', ?, 1)").run(at);
  database.prepare("INSERT INTO threads (id, isp_id, subject, status, outcome, created_at, created_by, resolved_at, resolved_by) VALUES (12, 3, 'DUL', 'resolved', 'answered', ?, 1, ?, 1)").run(at, at);
  database.prepare("INSERT INTO thread_messages (id, thread_id, direction, body_text, created_at, created_by) VALUES (21, 11, 'note', 'checked', ?, 1)").run(at);
  database.prepare("INSERT INTO thread_messages (id, thread_id, direction, body_text, created_at, created_by) VALUES (22, 12, 'note', 'done', ?, 1)").run(at);
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-migration-'));
  path = join(folder, 'repdesk.sqlite');
});

afterEach(() => rmSync(folder, { recursive: true, force: true }));

test('0013 keeps every thread and message, references hold, and a thread has exactly one owner', () => {
  const old = databaseAt(12);
  seedThreads(old);
  old.close();
  const connection = openDatabase(path);
  try {
    const threads = connection.read.all<Record<string, unknown>>({ text: 'SELECT id, listing_id, isp_id, nomination_id, delisting_id, subject, status, outcome FROM threads ORDER BY id', values: [] });
    assert.deepEqual(threads, [
      { id: 11, listing_id: 7, isp_id: null, nomination_id: null, delisting_id: null, subject: 'about the listing', status: 'open', outcome: null },
      { id: 12, listing_id: null, isp_id: 3, nomination_id: null, delisting_id: null, subject: 'DUL', status: 'resolved', outcome: 'answered' },
    ]);
    assert.deepEqual(
      connection.read.all<{ id: number; thread_id: number }>({ text: 'SELECT id, thread_id FROM thread_messages ORDER BY id', values: [] }),
      [
        { id: 21, thread_id: 11 },
        { id: 22, thread_id: 12 },
      ],
    );
    assert.deepEqual(connection.read.all({ text: 'PRAGMA foreign_key_check', values: [] }), []);
    assert.equal(connection.read.get<{ foreign_keys: number }>({ text: 'PRAGMA foreign_keys', values: [] })?.foreign_keys, 1);
    const at = '2026-11-28T12:00:00.000Z';
    assert.throws(() => connection.write.run({ text: "INSERT INTO threads (listing_id, isp_id, subject, created_at, created_by) VALUES (7, 3, 'two owners', ?, 1)", values: [at] }), /CHECK constraint failed/);
    assert.throws(() => connection.write.run({ text: "INSERT INTO threads (subject, created_at, created_by) VALUES ('no owner', ?, 1)", values: [at] }), /CHECK constraint failed/);
    assert.throws(() => connection.write.run({ text: "INSERT INTO threads (nomination_id, subject, created_at, created_by) VALUES (99, 'missing nomination', ?, 1)", values: [at] }), /FOREIGN KEY constraint failed/);
    assert.throws(() => connection.write.run({ text: "INSERT INTO thread_messages (thread_id, direction, body_text, created_at, created_by) VALUES (99, 'note', 'x', ?, 1)", values: [at] }), /FOREIGN KEY constraint failed/);
  } finally {
    connection.close();
  }
});

test('a reference the rebuild would break stops 0013 with nothing changed', () => {
  const old = databaseAt(12);
  seedThreads(old);
  // A message pointing at a thread that does not exist (written with foreign keys off, as a damaged file might hold).
  old.pragma('foreign_keys = OFF');
  old.prepare("INSERT INTO thread_messages (id, thread_id, direction, body_text, created_at, created_by) VALUES (23, 404, 'note', 'orphan', '2026-11-28T12:00:00.000Z', 1)").run();
  old.close();
  assert.throws(() => openDatabase(path), /migration 13 queue-threads would leave 1 broken reference; nothing was changed/);
  const after = new Database(path, { readonly: true });
  try {
    assert.equal(after.pragma('user_version', { simple: true }), 12);
    assert.deepEqual(
      after.prepare('PRAGMA table_info(threads)').all().map((column) => (column as { name: string }).name).includes('nomination_id'),
      false,
    );
  } finally {
    after.close();
  }
});
