import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditReport } from '../../../shared/audit.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { ok } from '../support/results.js';

interface EventRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: number | null;
  reason: string | null;
  details: string;
}

describe('history: hash-chained, append-only', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;
  let clock: number;
  const alice = { actor: 'alice', localFiles: true };
  const bob = { actor: 'Bob' };

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-history-'));
    databasePath = join(folder, 'repdesk.sqlite');
    clock = Date.UTC(2026, 0, 1);
    core = createCore({ databasePath, now: () => new Date((clock += 1000)) });
    // Events 1-6: two people, three listings, a delisting, a settings change.
    await ok(core.dispatch('investigators.add', { name: 'alice', roles: ['investigator'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'Bob', roles: ['investigator', 'liaison'] }, alice));
    const first = await ok(core.dispatch('listings.add', { range: '82.0.2.0/24', list: 'RBL', reason: 'spam-source', why: 'trap hits from 40 hosts' }, bob));
    await ok(core.dispatch('listings.add', { range: '88.51.100.0/24', list: 'DUL', reason: 'dynamic' }, bob));
    await ok(core.dispatch('listings.delist', { id: first.listing.id, why: 'ISP fixed the relay' }, alice));
    await ok(core.dispatch('settings.update', { qil: { defaultLevel: 3 } }, alice));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Raw access to the file, behind the app's back. */
  function raw<T>(work: (database: Database.Database) => T): T {
    const database = new Database(databasePath);
    try {
      return work(database);
    } finally {
      database.close();
    }
  }

  const events = () => raw((database) => database.prepare('SELECT id, at, actor, action, subject_type, subject_id, reason, details FROM events ORDER BY id').all() as EventRow[]);
  const dropTriggers = (database: Database.Database) => {
    database.exec('DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;');
  };
  const verify = () => ok<AuditReport>(core.dispatch('audit.verify', {}, { actor: null }));

  test('one event per change, with actor, action, subject, reason and details', async () => {
    const rows = events();
    assert.deepEqual(
      rows.map((row) => [row.id, row.actor, row.action, row.subject_type, row.reason]),
      [
        [1, 'alice', 'investigator.added', 'investigator', null],
        [2, 'alice', 'investigator.added', 'investigator', null],
        [3, 'Bob', 'listing.created', 'listing', 'trap hits from 40 hosts'],
        [4, 'Bob', 'listing.created', 'listing', null],
        [5, 'alice', 'listing.delisted', 'listing', 'ISP fixed the relay'],
        [6, 'alice', 'settings.changed', 'settings', null],
      ],
    );
    assert.deepEqual(JSON.parse(rows[0].details), { name: 'alice', roles: ['investigator', 'admin'], bootstrap: true });
    assert.deepEqual(JSON.parse(rows[2].details), {
      list: 'RBL',
      range: '82.0.2.0/24',
      reason: 'spam-source',
      txt: null,
      level: null,
      expiresAt: null,
      notes: [],
    });
    assert.deepEqual(JSON.parse(rows[4].details), { from: 'active' });
    // Times come from the core's clock, in order.
    for (const row of rows) assert.match(row.at, /^2026-01-01T00:00:\d\d\.000Z$/);
    assert.deepEqual(rows.map((row) => row.at), [...rows.map((row) => row.at)].sort());
    // The listing's own history, newest first, through the API.
    const history = await ok(core.dispatch('listings.history', { id: 1 }, alice));
    assert.deepEqual(history.map((event) => [event.id, event.action, event.actor, event.reason]), [
      [5, 'listing.delisted', 'alice', 'ISP fixed the relay'],
      [3, 'listing.created', 'Bob', 'trap hits from 40 hosts'],
    ]);
    const missing = await core.dispatch('listings.history', { id: 99 }, alice);
    assert.ok(!missing.ok && missing.error.code === 'not-found');
  });

  test('a refused change appends no event', async () => {
    const before = events().length;
    const refused = await core.dispatch('listings.add', { range: '82.0.2.0/24', list: 'GAL', reason: 'approved' }, bob);
    assert.ok(!refused.ok && refused.error.code === 'forbidden');
    const duplicate = await core.dispatch('listings.add', { range: '88.51.100.0/24', list: 'DUL', reason: 'dynamic' }, bob);
    assert.ok(!duplicate.ok && duplicate.error.code === 'conflict');
    assert.equal(events().length, before);
  });

  test('an intact chain verifies with the right count', async () => {
    assert.deepEqual(await verify(), { ok: true, events: 6, firstBroken: null, anchors: [], problems: [] });
    await ok(core.dispatch('listings.add', { range: '2001:db7::/48', list: 'RBL', reason: 'open-relay' }, bob));
    assert.deepEqual(await verify(), { ok: true, events: 7, firstBroken: null, anchors: [], problems: [] });
  });

  test('an empty history verifies with zero events', async () => {
    const emptyPath = join(folder, 'empty.sqlite');
    const empty = createCore({ databasePath: emptyPath });
    try {
      assert.deepEqual(await ok(empty.dispatch('audit.verify', {}, { actor: null })), { ok: true, events: 0, firstBroken: null, anchors: [], problems: [] });
    } finally {
      empty.close();
    }
  });

  test('the triggers refuse UPDATE and DELETE of events, even through raw SQL', () => {
    raw((database) => {
      assert.throws(() => database.prepare("UPDATE events SET reason = 'nothing happened' WHERE id = 3").run(), /history is append-only: events cannot be changed/);
      assert.throws(() => database.prepare('UPDATE events SET prev_hash = hash WHERE id = 2').run(), /append-only/);
      assert.throws(() => database.prepare('DELETE FROM events WHERE id = 6').run(), /history is append-only: events cannot be deleted/);
      assert.throws(() => database.prepare('DELETE FROM events').run(), /append-only/);
    });
    assert.equal(events().length, 6);
    assert.equal(events()[2].reason, 'trap hits from 40 hosts');
  });

  test("editing one event's details (triggers dropped) is named: exactly that event", async () => {
    raw((database) => {
      dropTriggers(database);
      const row = database.prepare('SELECT details FROM events WHERE id = 4').get() as { details: string };
      const details = JSON.parse(row.details) as Record<string, unknown>;
      details.range = '198.51.0.0/16';
      database.prepare('UPDATE events SET details = ? WHERE id = 4').run(JSON.stringify(details));
    });
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, 4);
    assert.match(report.firstBroken?.problem ?? '', /content does not match its hash/);
  });

  for (const [column, value] of [
    ['actor', "'mallory'"],
    ['at', "'2020-01-01T00:00:00.000Z'"],
    ['reason', "'nothing to see'"],
    ['action', "'listing.viewed'"],
    ['subject_id', '42'],
  ] as const) {
    test(`editing an event's ${column} is named`, async () => {
      raw((database) => {
        dropTriggers(database);
        database.exec(`UPDATE events SET ${column} = ${value} WHERE id = 5`);
      });
      const report = await verify();
      assert.deepEqual({ ok: report.ok, id: report.firstBroken?.id }, { ok: false, id: 5 });
    });
  }

  test('deleting a middle event is named', async () => {
    raw((database) => {
      dropTriggers(database);
      database.prepare('DELETE FROM events WHERE id = 3').run();
    });
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, 4);
    assert.match(report.firstBroken?.problem ?? '', /event 3 is missing/);
  });

  test('deleting a middle event and renumbering the rest is still named (broken link)', async () => {
    raw((database) => {
      dropTriggers(database);
      database.exec('DELETE FROM events WHERE id = 3; UPDATE events SET id = id - 1 WHERE id > 3;');
    });
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, 3);
  });

  test('changing a prev_hash is named', async () => {
    raw((database) => {
      dropTriggers(database);
      database.prepare('UPDATE events SET prev_hash = zeroblob(32) WHERE id = 2').run();
    });
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, 2);
    assert.match(report.firstBroken?.problem ?? '', /link to the previous event/);
  });

  test('swapping in the hash of another event is named', async () => {
    raw((database) => {
      dropTriggers(database);
      const other = database.prepare('SELECT hash FROM events WHERE id = 2').get() as { hash: Buffer };
      database.prepare('UPDATE events SET hash = randomblob(32) WHERE id = 2').run();
      database.prepare('UPDATE events SET hash = ? WHERE id = 3').run(other.hash);
    });
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, 2);
  });

  test('appending after a verified chain keeps it intact across reopen', async () => {
    core.close();
    core = createCore({ databasePath });
    await ok(core.dispatch('listings.add', { range: '93.0.113.5', list: 'RBL', reason: 'open-proxy' }, bob));
    // Closing signed a checkpoint of event 6 (the history's end then) into the file beside the database.
    const report = await verify();
    assert.deepEqual({ ...report, anchors: report.anchors.map(({ source, event }) => ({ source, event })) }, {
      ok: true,
      events: 7,
      firstBroken: null,
      anchors: [{ source: 'checkpoint file (newest of 1)', event: 6 }],
      problems: [],
    });
  });
});
