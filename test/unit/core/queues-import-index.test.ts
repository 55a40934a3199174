/**
 * A large delisting import files each request's mail into a thread with the messages' full-text
 * index filled once at the end (not by the insert trigger row by row): afterwards the index
 * holds exactly the stored messages (FTS5's own integrity check against its content table),
 * the text search finds a request's words, the schema is as it was (no statement is prepared
 * again) and the trigger indexes the messages that follow.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../../main/core/app.js';
import { sql } from '../../../main/core/db/sql.js';
import { ok } from '../support/results.js';

const REQUESTS = 1_500;
const NOW = Date.UTC(2026, 10, 28, 12);

let folder: string;
let core: Core;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-queue-index-'));
  core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(NOW) });
  await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, { actor: null }));
  await ok(core.dispatch('investigators.add', { name: 'rev', roles: ['reviewer'] }, { actor: 'admin' }));
  await ok(core.dispatch('listings.add', { range: '45.1.0.0/16', list: 'RBL', reason: 'spam-source' }, { actor: 'admin' }));
});

after(() => {
  core.close();
  rmSync(folder, { recursive: true, force: true });
});

function schemaVersion(): number {
  return core.connection.read.get<{ schema_version: number }>(sql`PRAGMA schema_version`)?.schema_version ?? -1;
}

function integrityCheck(): void {
  // Throws (SQLITE_CORRUPT_VTAB) when the index and the messages it indexes differ.
  core.connection.write.run(sql`INSERT INTO thread_messages_fts (thread_messages_fts) VALUES ('integrity-check')`);
}

describe('a large delisting import indexes its mail at the end', () => {
  test('the index holds exactly the messages stored, and search finds them', async () => {
    const rows = ['ip,requester,reason,received'];
    // Nine in ten inside the listing (its thread), one in ten unlisted (closed with a drafted answer).
    for (let index = 0; index < REQUESTS; index += 1) {
      const ip = index % 10 === 9 ? `81.7.${index >> 8}.${index & 255}` : `45.1.${index >> 8}.${index & 255}`;
      rows.push(`${ip},ops${index}@isp${index % 7}.example,cleaned host number${index} and rotated its credentials,2026-11-2${index % 8}`);
    }
    const file = join(folder, 'requests.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const before = core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM thread_messages`)?.count ?? 0;
    const schemaBefore = schemaVersion();
    const result = await ok(core.dispatch('delisting.import', { file: { path: file } }, { actor: 'rev', localFiles: true }));
    assert.equal(result.created.length, REQUESTS);
    // No schema change: a dropped and recreated trigger made every connection prepare every statement again.
    assert.equal(schemaVersion(), schemaBefore, 'the import changed the schema');
    assert.equal(core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM messages_indexed_at_end`)?.count, 0, 'the trigger was left standing aside');
    const stored = core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM thread_messages`)?.count ?? 0;
    assert.ok(stored - before >= REQUESTS, `only ${stored - before} messages stored`);
    integrityCheck();
    const indexed = core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM thread_messages_fts WHERE thread_messages_fts MATCH ${'rotated'}`)?.count ?? 0;
    assert.ok(indexed >= REQUESTS, `${indexed} messages found by a word every request has`);
    const hits = await ok(core.dispatch('search.text', { q: 'number1234' }, { actor: 'admin' }));
    assert.ok(hits.length > 0, 'the text search finds one request by its own word');
  });

  test('the insert trigger is back: a message written afterwards is indexed as it is stored', async () => {
    const trigger = core.connection.read.get<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'thread_messages_fts_insert'`);
    assert.equal(trigger?.name, 'thread_messages_fts_insert');
    const thread = core.connection.read.get<{ id: number }>(sql`SELECT id FROM threads ORDER BY id LIMIT 1`);
    assert.ok(thread);
    await ok(core.dispatch('threads.note', { threadId: thread.id, text: 'afterwardsword noted' }, { actor: 'admin' }));
    integrityCheck();
    const found = core.connection.read.get<{ count: number }>(sql`SELECT count(*) AS count FROM thread_messages_fts WHERE thread_messages_fts MATCH ${'afterwardsword'}`)?.count;
    assert.equal(found, 1);
  });
});
