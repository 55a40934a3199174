/**
 * The history chain checks itself, so cutting events from its end, or rewriting the end with
 * freshly computed hashes, leaves a valid chain. Each published snapshot's signed manifest
 * records the last event and its hash; `audit.verify` checks that the chain still holds it (the
 * newest snapshot this database published, and a signed snapshot folder given with its key).
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiResult, AuditReport } from '../../../shared/contract.js';
import type { PublishResult } from '../../../shared/publishing.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { encodePublicKey, generateKeyPair } from '../../../main/core/publish/minisign.js';

async function ok<T>(promise: Promise<ApiResult<T>>): Promise<T> {
  const result = await promise;
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('history anchored in signed snapshots', () => {
  let folder: string;
  let databasePath: string;
  let out: string;
  let core: Core;
  let clock: number;
  const key = generateKeyPair();
  const alice = { actor: 'alice' };

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-anchors-'));
    databasePath = join(folder, 'repdesk.sqlite');
    out = join(folder, 'snapshots');
    clock = Date.UTC(2026, 10, 28, 12);
    core = createCore({ databasePath, now: () => new Date((clock += 1000)), signingKey: () => key });
    await ok(core.dispatch('investigators.add', { name: 'alice', roles: ['investigator', 'publisher'] }, { actor: null }));
    await ok(core.dispatch('listings.add', { range: '45.10.0.1', list: 'RBL', reason: 'spam-source' }, alice));
    await ok(core.dispatch('listings.add', { range: '45.10.0.2', list: 'RBL', reason: 'spam-source' }, alice));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const publish = () => ok<PublishResult>(core.dispatch('publish.run', { out }, alice));
  const verify = (input: { snapshot?: string; pubkeys?: string[] } = {}) => ok<AuditReport>(core.dispatch('audit.verify', input, { actor: null }));
  const lastEvent = () => raw((database) => (database.prepare('SELECT max(id) AS id FROM events').get() as { id: number }).id);

  function raw<T>(work: (database: Database.Database) => T): T {
    const database = new Database(databasePath);
    try {
      return work(database);
    } finally {
      database.close();
    }
  }

  /** Delete events from `from` on, behind the app's back (triggers dropped, and put back). */
  function cutFrom(from: number): void {
    raw((database) => {
      const triggers = database.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'events_are_append_only%'`).all() as Array<{ sql: string }>;
      database.exec('DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;');
      database.prepare('DELETE FROM events WHERE id >= ?').run(from);
      for (const trigger of triggers) database.exec(trigger.sql);
    });
  }

  /** Rewrite event `id`'s reason and recompute its hash and every later one: a self-consistent forged chain. */
  function forgeFrom(id: number): void {
    raw((database) => {
      database.exec('DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;');
      database.prepare('UPDATE events SET reason = ? WHERE id = ?').run('nothing to see', id);
      const rows = database.prepare('SELECT * FROM events WHERE id >= ? ORDER BY id').all(id) as Array<Record<string, unknown> & { id: number; prev_hash: Buffer }>;
      let previous = rows[0].prev_hash;
      for (const row of rows) {
        const content = JSON.stringify([row.id, row.at, row.actor, row.action, row.subject_type, row.subject_id, row.subject_last, row.reason, row.details]);
        const hash = createHash('sha256').update(previous).update(content).digest();
        database.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?').run(previous, hash, row.id);
        previous = hash;
      }
    });
  }

  test('the manifest records the last event before the publish, and an intact history holds it', async () => {
    const before = lastEvent();
    const published = await publish();
    assert.equal(published.published, true);
    const manifest = JSON.parse(readFileSync(join(out, 'current', 'manifest.json'), 'utf8')) as { history: { event: number; hash: string } };
    assert.equal(manifest.history.event, before);
    assert.match(manifest.history.hash, /^[0-9a-f]{64}$/);
    const report = await verify();
    assert.equal(report.ok, true);
    assert.deepEqual(report.anchors, [{ source: `snapshot ${published.serial}`, event: before }]);
  });

  test('events cut from the end, back past the snapshot, are named; a cut after it is not detectable this way', async () => {
    const anchored = lastEvent();
    const published = await publish();
    await ok(core.dispatch('listings.add', { range: '45.10.0.3', list: 'RBL', reason: 'spam-source' }, alice));
    // Only what came after the snapshot is cut: the chain is valid and holds the anchor.
    cutFrom(lastEvent());
    assert.equal((await verify()).ok, true);
    // Cut back past the anchored event: named.
    cutFrom(anchored - 1);
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, anchored);
    assert.equal(report.firstBroken?.problem, `it is missing: snapshot ${published.serial} recorded it, and the history now ends at event ${anchored - 2} (events were removed from its end)`);
  });

  test('a rewritten end with recomputed hashes is named at the anchored event', async () => {
    const anchored = lastEvent();
    const published = await publish();
    forgeFrom(anchored - 1);
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, anchored);
    assert.match(report.firstBroken?.problem ?? '', new RegExp(`it is not the event snapshot ${published.serial} recorded`));
  });

  test('a signed snapshot given with its key still catches a cut when the snapshot rows are gone too', async () => {
    const anchored = lastEvent();
    const published = await publish();
    const pubkey = join(folder, 'repdesk.pub');
    writeFileSync(pubkey, encodePublicKey(key));
    const snapshot = join(out, String(published.serial));
    assert.deepEqual((await verify({ snapshot, pubkeys: [pubkey] })).anchors.map((anchor) => anchor.source), [`snapshot ${published.serial}`, `signed snapshot ${published.serial}`]);
    cutFrom(anchored - 1);
    raw((database) => database.prepare('DELETE FROM snapshots').run());
    assert.equal((await verify()).ok, true, 'without the rows, the database alone cannot tell');
    const report = await verify({ snapshot, pubkeys: [pubkey] });
    assert.equal(report.ok, false);
    assert.match(report.firstBroken?.problem ?? '', new RegExp(`it is missing: signed snapshot ${published.serial} recorded it`));
  });

  test('refused: a snapshot without a key, a key without a snapshot, a snapshot that fails verification', async () => {
    const published = await publish();
    const snapshot = join(out, String(published.serial));
    const pubkey = join(folder, 'repdesk.pub');
    writeFileSync(pubkey, encodePublicKey(key));
    const refused = async (input: { snapshot?: string; pubkeys?: string[] }, message: RegExp) => {
      const result = await core.dispatch('audit.verify', input, { actor: null });
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error.code, 'invalid-input');
      assert.match(!result.ok ? result.error.message : '', message);
    };
    await refused({ snapshot }, /needs --pubkey FILE/);
    await refused({ pubkeys: [pubkey] }, /--pubkey without --snapshot DIR/);
    writeFileSync(join(snapshot, 'rbl.ip4trie'), `${readFileSync(join(snapshot, 'rbl.ip4trie'), 'utf8')}# changed\n`);
    await refused({ snapshot, pubkeys: [pubkey] }, new RegExp(`snapshot ${snapshot}: .*rbl\\.ip4trie`));
  });
});
