/**
 * Every history event names the client and the address its call came from, read from the call
 * made ambient by dispatch (and, in a job's worker, from the job's data), with no parameter
 * threaded through the call sites; old events without them still verify.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { MIGRATIONS } from '../../../main/core/db/migrations/index.js';
import { runCli } from '../../../main/cli/main.js';
import { startServer } from '../../../main/server/server.js';
import { ok } from '../support/results.js';

interface OriginRow {
  id: number;
  actor: string;
  action: string;
  client: string | null;
  address: string | null;
}

describe('history: client and address of every event', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-origin-'));
    databasePath = join(folder, 'repdesk.sqlite');
    core = createCore({ databasePath });
    await ok(core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] }, { actor: null, client: 'cli' }));
  });

  afterEach(() => {
    core.close();
    // A job's dashboard fold may still be opening the database from its worker thread.
    rmSync(folder, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  });

  function rows(): OriginRow[] {
    const database = new Database(databasePath, { readonly: true });
    try {
      return database.prepare('SELECT id, actor, action, client, address FROM events ORDER BY id').all() as OriginRow[];
    } finally {
      database.close();
    }
  }

  const verify = () => ok(core.dispatch('audit.verify', {}, { actor: null }));

  test('each call records its own client and address, also when calls interleave', async () => {
    const calls: CallContext[] = [
      { actor: 'Ana', client: 'browser', address: '81.2.69.160' },
      { actor: 'Ana', client: 'desktop' },
      { actor: 'Ana', client: 'cli', address: null },
      { actor: 'Ana', client: 'browser', address: '2a02:1388::7' },
      { actor: 'Ana' },
    ];
    // Started together: the ambient call must not leak from one dispatch into another.
    await Promise.all(calls.map((call, index) => ok(core.dispatch('listings.add', { range: `11.0.${index}.0/24`, list: 'RBL', reason: 'spam-source' }, call))));
    const byRange = new Map<string, OriginRow>();
    const database = new Database(databasePath, { readonly: true });
    try {
      for (const row of database.prepare("SELECT id, actor, action, client, address, json_extract(details, '$.range') AS range FROM events WHERE action = 'listing.created'").all() as (OriginRow & { range: string })[]) {
        byRange.set(row.range, row);
      }
    } finally {
      database.close();
    }
    assert.deepEqual(
      calls.map((_call, index) => {
        const row = byRange.get(`11.0.${index}.0/24`);
        return [row?.client, row?.address];
      }),
      [
        ['browser', '81.2.69.160'],
        ['desktop', null],
        ['cli', null],
        ['browser', '2a02:1388::7'],
        [null, null],
      ],
    );
    assert.equal(rows()[0].client, 'cli', 'the bootstrap event names its client too');
    // The views show them.
    const history = await ok(core.dispatch('listings.history', { id: 1 }, { actor: 'Ana' }));
    assert.ok(history.every((event) => 'client' in event && 'address' in event));
    assert.deepEqual((await verify()).ok, true);
  });

  test("a job's events, written by its worker thread, name the client and address of the call that started it", async () => {
    const path = join(folder, 'job.txt');
    writeFileSync(path, '23.1.0.0/24\n23.1.1.0/24\n');
    const started = await ok(
      // A direct call standing for a browser's: it may name a local file (a real browser sends an upload).
      core.dispatch('jobs.start', { operation: 'listings.importFile', input: { file: { path }, list: 'RBL', reason: 'spam-source' } }, { actor: 'Ana', client: 'browser', address: '45.33.32.156', localFiles: true }),
    );
    const finished = await core.jobs.wait(started.id);
    assert.equal(finished.state, 'done', JSON.stringify(finished.error));
    const imported = rows().filter((row) => row.action === 'listings.imported');
    assert.deepEqual(imported.map((row) => [row.actor, row.client, row.address]), [['Ana', 'browser', '45.33.32.156']]);
  });

  test('editing, setting or clearing the client or address of an event is caught by audit verify', async () => {
    await ok(core.dispatch('listings.add', { range: '11.9.0.0/16', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana', client: 'browser', address: '81.2.69.160' }));
    await ok(core.dispatch('listings.add', { range: '11.8.0.0/16', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' }));
    assert.deepEqual(await verify(), { ok: true, events: 3, firstBroken: null, anchors: [], problems: [] });
    for (const [change, id] of [
      ["address = '81.2.69.161'", 2],
      ["client = 'desktop'", 2],
      ['client = NULL, address = NULL', 2],
      ["client = 'cli'", 3],
    ] as const) {
      const database = new Database(databasePath);
      const before = database.prepare('SELECT client, address FROM events WHERE id = ?').get(id) as { client: string | null; address: string | null };
      try {
        database.exec('DROP TRIGGER events_are_append_only_update');
        database.exec(`UPDATE events SET ${change} WHERE id = ${id}`);
        const report = await verify();
        assert.deepEqual({ ok: report.ok, id: report.firstBroken?.id }, { ok: false, id }, change);
        database.prepare('UPDATE events SET client = ?, address = ? WHERE id = ?').run(before.client, before.address, id);
        assert.equal((await verify()).ok, true, `put back after ${change}`);
      } finally {
        database.exec(`CREATE TRIGGER IF NOT EXISTS events_are_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'history is append-only: events cannot be changed'); END;`);
        database.close();
      }
    }
  });

  test('the browser-mode server records browser and the caller\'s address; the CLI records cli', async () => {
    const server = await startServer({ core, call: { actor: 'Ana' }, port: 0, staticFolder: folder, token: 'test-token' });
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/listings.add`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer test-token' },
        body: JSON.stringify({ range: '45.1.2.0/24', list: 'RBL', reason: 'open-proxy' }),
      });
      assert.equal(response.status, 200, await response.clone().text());
    } finally {
      await server.close();
    }
    const lines: string[] = [];
    const code = await runCli(['--db', databasePath, '--actor', 'Ana', 'listing', 'add', '45.1.3.0/24', '--list', 'RBL', '--reason', 'open-proxy'], {
      out: (line) => lines.push(line),
      error: (line) => lines.push(line),
    });
    assert.equal(code, 0, lines.join('\n'));
    const created = rows().filter((row) => row.action === 'listing.created');
    assert.deepEqual(created.map((row) => [row.client, row.address]), [
      ['browser', '127.0.0.1'],
      ['cli', null],
    ]);
    const shown: string[] = [];
    await runCli(['--db', databasePath, 'listing', 'show', '1'], { out: (line) => shown.push(line), error: (line) => shown.push(line) });
    assert.match(shown.join('\n'), /listing\.created {2}\(browser from 127\.0\.0\.1\)/);
  });
});

describe('history: a chain written before client and address were recorded', () => {
  test('still verifies after the migration, with new events (with an origin) appended to it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'repdesk-origin-old-'));
    const databasePath = join(folder, 'old.sqlite');
    try {
      // A database as version 9 left it, with a history hashed the way it was then.
      const database = new Database(databasePath);
      for (const migration of MIGRATIONS.slice(0, 9)) {
        database.exec(migration.sql);
        database.pragma(`user_version = ${migration.version}`);
      }
      let previous = Buffer.alloc(32);
      database.prepare("INSERT INTO investigators (name, roles, created_at) VALUES ('Old', 'investigator,admin', '2025-01-01T00:00:00.000Z')").run();
      for (let id = 1; id <= 3; id += 1) {
        const at = `2025-01-0${id}T00:00:00.000Z`;
        const details = JSON.stringify({ step: id });
        const hash = createHash('sha256')
          .update(previous)
          .update(JSON.stringify([id, at, 'Old', 'legacy.event', 'investigator', 1, null, null, details]))
          .digest();
        database
          .prepare('INSERT INTO events (id, at, actor, action, subject_type, subject_id, subject_last, reason, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)')
          .run(id, at, 'Old', 'legacy.event', 'investigator', 1, details, previous, hash);
        previous = hash;
      }
      database.close();
      const core = createCore({ databasePath });
      try {
        assert.deepEqual(await ok(core.dispatch('audit.verify', {}, { actor: null })), { ok: true, events: 3, firstBroken: null, anchors: [], problems: [] });
        await ok(core.dispatch('listings.add', { range: '81.7.0.0/16', list: 'RBL', reason: 'spam-source' }, { actor: 'Old', client: 'desktop', address: null }));
        await ok(core.dispatch('listings.add', { range: '81.8.0.0/16', list: 'RBL', reason: 'spam-source' }, { actor: 'Old', client: 'browser', address: '81.2.69.160' }));
        assert.deepEqual(await ok(core.dispatch('audit.verify', {}, { actor: null })), { ok: true, events: 5, firstBroken: null, anchors: [], problems: [] });
      } finally {
        core.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
