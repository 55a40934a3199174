/**
 * The history chain checks itself, so cutting events from its end, or rewriting the end with
 * freshly computed hashes, leaves a valid chain. Its end is anchored outside the database:
 * checkpoints (event, hash, time) signed by a key the database does not hold, appended to a file
 * beside it at every publish, when a core that wrote closes and every few minutes, and recorded
 * in every snapshot's signed manifest. `audit.verify` checks the chain against them, says which
 * it checked, and does not report "intact" when one it knows of is missing, forged or unreadable.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditReport } from '../../../shared/audit.js';
import type { PublishResult } from '../../../shared/publishing.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { checkpointMessage, type Checkpoint } from '../../../main/core/audit/checkpoints.js';
import { encodePublicKey, generateKeyPair, type Manifest } from '../../../main/core/snapshot/index.js';
import { ok } from '../support/results.js';

describe('history anchored outside the database: signed checkpoints and snapshots', () => {
  let folder: string;
  let databasePath: string;
  let checkpointFile: string;
  let keyFile: string;
  let out: string;
  let core: Core;
  let clock: number;
  let host: number;
  const key = generateKeyPair();
  const alice = { actor: 'alice', localFiles: true };

  const open = (extra: { checkpointTickMs?: number } = {}) => createCore({ databasePath, now: () => new Date((clock += 1000)), signingKey: () => key, ...extra });

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-anchors-'));
    databasePath = join(folder, 'repdesk.sqlite');
    checkpointFile = `${databasePath}.checkpoints`;
    keyFile = `${databasePath}.checkpoint-key`;
    out = join(folder, 'snapshots');
    clock = Date.UTC(2026, 10, 28, 12);
    host = 1;
    core = open();
    await ok(core.dispatch('investigators.add', { name: 'alice', roles: ['investigator', 'publisher'] }, { actor: null }));
    await addListing();
    await addListing();
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const addListing = () => ok(core.dispatch('listings.add', { range: `45.10.0.${host++}`, list: 'RBL', reason: 'spam-source' }, alice));
  const publish = () => ok<PublishResult>(core.dispatch('publish.run', { out }, alice));
  // Paths as the command line gives them (file references of a caller that may name local files).
  const local = (input: { snapshot?: string; pubkeys?: string[] }) => ({ snapshot: input.snapshot && { path: input.snapshot }, pubkeys: input.pubkeys?.map((path) => ({ path })) });
  const verify = (input: { snapshot?: string; pubkeys?: string[] } = {}) => ok<AuditReport>(core.dispatch('audit.verify', local(input), { actor: null, localFiles: true }));
  const lastEvent = () => raw((database) => (database.prepare('SELECT max(id) AS id FROM events').get() as { id: number }).id);
  const eventId = (action: string, serial: number) =>
    raw((database) => (database.prepare('SELECT id FROM events WHERE action = ? AND subject_id = ?').get(action, serial) as { id: number }).id);
  const manifestOf = (serial: number | null) => JSON.parse(readFileSync(join(out, String(serial), 'manifest.json'), 'utf8')) as Manifest;
  const fileCheckpoints = () =>
    readFileSync(checkpointFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Checkpoint);
  /** Close the core (a command ending: its writes get a checkpoint) and open it again. */
  const reopen = () => {
    core.close();
    core = open();
  };

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
        const fields = [row.id, row.at, row.actor, row.action, row.subject_type, row.subject_id, row.subject_last, row.reason, row.details];
        // As the history hashes them: the call's origin only where one was recorded.
        if (row.client !== null || row.address !== null) fields.push(row.client, row.address);
        const content = JSON.stringify(fields);
        const hash = createHash('sha256').update(previous).update(content).digest();
        database.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?').run(previous, hash, row.id);
        previous = hash;
      }
    });
  }

  test('a publish records its prepared event and a signed checkpoint of it in the manifest and in the file; an intact history holds both', async () => {
    const published = await publish();
    assert.equal(published.published, true);
    const manifest = manifestOf(published.serial);
    const prepared = eventId('snapshot.prepared', published.serial as number);
    assert.equal(manifest.history?.event, prepared);
    assert.equal(manifest.checkpoint?.event, prepared);
    assert.equal(manifest.checkpoint?.hash, manifest.history?.hash);
    assert.match(manifest.checkpoint?.hash ?? '', /^[0-9a-f]{64}$/);
    // The key lives beside the database, private; the file holds the manifest's checkpoint and one after the publish went live.
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const lines = fileCheckpoints();
    assert.deepEqual(lines[0], manifest.checkpoint);
    assert.equal(lines.at(-1)?.event, eventId('snapshot.published', published.serial as number));
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.anchors.map(({ source, event, signedAt }) => ({ source, event, signedAt })),
      [
        { source: `checkpoint file (newest of 2)`, event: lastEvent(), signedAt: lines[1].at },
        { source: `snapshot ${published.serial}`, event: prepared, signedAt: manifest.checkpoint?.at },
      ],
    );
  });

  test('events cut after the newest snapshot are named: the checkpoint signed when the writing command ended covers them', async () => {
    const published = await publish();
    await addListing();
    await addListing();
    const head = lastEvent();
    reopen();
    assert.equal(fileCheckpoints().at(-1)?.event, head, 'closing the core that wrote signed a checkpoint of its last event');
    assert.equal((await verify()).ok, true);
    cutFrom(head - 1);
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, head);
    assert.match(report.firstBroken?.problem ?? '', new RegExp(`^it is missing: the checkpoint signed \\S+ \\(line \\d+ of ${checkpointFile}\\) recorded it, and the history now ends at event ${head - 2}`));
    assert.ok((published.serial as number) > 0);
  });

  test('the tail cut and the newest snapshot row deleted: named, and the folder whose current the database does not record is reported', async () => {
    const first = await publish();
    await addListing();
    const second = await publish();
    const cut = eventId('snapshot.prepared', second.serial as number);
    cutFrom(cut);
    raw((database) => database.prepare('DELETE FROM snapshots WHERE serial = ?').run(second.serial));
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, cut);
    assert.match(report.firstBroken?.problem ?? '', /^it is missing: /);
    assert.ok(
      report.problems.some((problem) => problem === `${out}/current is snapshot ${second.serial}, signed with this database's checkpoint key, but the database records no such snapshot (its record was removed?)`),
      report.problems.join('\n'),
    );
    assert.ok(report.anchors.some((anchor) => anchor.source === `snapshot ${first.serial}`));
  });

  test('an event after the snapshot edited and the chain recomputed: named at the event the checkpoint holds', async () => {
    await publish();
    const edited = lastEvent() + 1;
    await addListing();
    await addListing();
    const head = lastEvent();
    reopen();
    forgeFrom(edited);
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.id, head);
    assert.match(report.firstBroken?.problem ?? '', /^it is not the event the checkpoint signed \S+ \(line \d+ of .*\) recorded \(the history was rewritten from here on\)$/);
  });

  test("the newest snapshot row pointed at a missing folder is reported, not skipped; a manifest that is not the recorded one too", async () => {
    const published = await publish();
    raw((database) => database.prepare('UPDATE snapshots SET path = ? WHERE serial = ?').run(join(folder, 'gone'), published.serial));
    let report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken, null);
    assert.deepEqual(report.problems, [`snapshot ${published.serial}'s folder ${join(folder, 'gone')} is missing or holds no manifest: the history anchor it holds could not be read`]);
    raw((database) => database.prepare('UPDATE snapshots SET path = ?, manifest_sha256 = ? WHERE serial = ?').run(join(out, String(published.serial)), '0'.repeat(64), published.serial));
    report = await verify();
    assert.equal(report.ok, false);
    assert.match(report.problems[0] ?? '', /manifest in .* is not the one published/);
  });

  test('a forged checkpoint (another key), a damaged one and an unreadable line: each named; the history is not reported intact', async () => {
    await publish();
    const head = raw((database) => database.prepare('SELECT id, lower(hex(hash)) AS hash FROM events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string });
    const forger = generateKeyPairSync('ed25519');
    const at = new Date(clock).toISOString();
    const forged = {
      event: head.id,
      hash: head.hash,
      at,
      key: Buffer.from(forger.publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('base64'),
      signature: sign(null, checkpointMessage({ event: head.id, hash: head.hash, at }), forger.privateKey).toString('base64'),
    };
    appendFileSync(checkpointFile, `${JSON.stringify(forged)}\n`);
    let report = await verify();
    assert.equal(report.ok, false);
    assert.match(report.problems.join('\n'), new RegExp(`line 3 of .* \\(event ${head.id}, signed ${at}\\) is signed by key [0-9a-f]{16}, not by this database's checkpoint key`));

    // A genuine line with its time changed no longer matches its signature.
    const lines = readFileSync(checkpointFile, 'utf8').split('\n');
    const damaged = { ...(JSON.parse(lines[1]) as Checkpoint), at: new Date(clock + 60_000).toISOString() };
    writeFileSync(checkpointFile, [lines[0], JSON.stringify(damaged), 'not a checkpoint', ''].join('\n'));
    report = await verify();
    assert.equal(report.ok, false);
    assert.match(report.problems.join('\n'), /line 2 of .* fails its signature \(forged or damaged\)/);
    assert.match(report.problems.join('\n'), /line 3 of the checkpoint file .* cannot be read as a checkpoint/);
  });

  test('the checkpoint file deleted: verify says the checkpoint the snapshot recorded is gone; a new file without it is named too', async () => {
    const published = await publish();
    rmSync(checkpointFile);
    let report = await verify();
    assert.equal(report.ok, false);
    const manifest = manifestOf(published.serial);
    assert.deepEqual(report.problems, [
      `the checkpoint file ${checkpointFile} is missing, but snapshot ${published.serial} recorded a checkpoint in it (event ${manifest.checkpoint?.event}, signed ${manifest.checkpoint?.at})`,
    ]);
    // The next writer starts a new file; the snapshot's checkpoint is still not in it.
    await addListing();
    reopen();
    assert.ok(existsSync(checkpointFile));
    report = await verify();
    assert.equal(report.ok, false);
    assert.match(report.problems[0] ?? '', new RegExp(`lacks the checkpoint snapshot ${published.serial} recorded .*: checkpoints were removed from it`));
  });

  test('a signed snapshot given with its key catches a cut even when the snapshot rows and the checkpoint file are gone', async () => {
    const published = await publish();
    const anchored = eventId('snapshot.prepared', published.serial as number);
    const pubkey = join(folder, 'repdesk.pub');
    writeFileSync(pubkey, encodePublicKey(key));
    const snapshot = join(out, String(published.serial));
    const sources = (await verify({ snapshot, pubkeys: [pubkey] })).anchors.map((anchor) => anchor.source);
    assert.deepEqual(sources, ['checkpoint file (newest of 2)', `snapshot ${published.serial}`, `signed snapshot ${published.serial}`]);
    cutFrom(anchored - 1);
    raw((database) => database.prepare('DELETE FROM snapshots').run());
    rmSync(checkpointFile);
    const report = await verify({ snapshot, pubkeys: [pubkey] });
    assert.equal(report.ok, false);
    assert.match(report.firstBroken?.problem ?? '', new RegExp(`it is missing: signed snapshot ${published.serial} recorded it`));
    assert.match(report.problems.join('\n'), new RegExp(`the checkpoint file .* is missing, but signed snapshot ${published.serial} recorded a checkpoint in it`));
  });

  test('refused: a snapshot without a key, a key without a snapshot, a snapshot that fails verification', async () => {
    const published = await publish();
    const snapshot = join(out, String(published.serial));
    const pubkey = join(folder, 'repdesk.pub');
    writeFileSync(pubkey, encodePublicKey(key));
    const refused = async (input: { snapshot?: string; pubkeys?: string[] }, message: RegExp) => {
      const result = await core.dispatch('audit.verify', local(input), { actor: null, localFiles: true });
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error.code, 'invalid-input');
      assert.match(!result.ok ? result.error.message : '', message);
    };
    await refused({ snapshot }, /needs --pubkey FILE/);
    await refused({ pubkeys: [pubkey] }, /--pubkey without --snapshot DIR/);
    writeFileSync(join(snapshot, 'rbl.ip4trie'), `${readFileSync(join(snapshot, 'rbl.ip4trie'), 'utf8')}# changed\n`);
    await refused({ snapshot, pubkeys: [pubkey] }, new RegExp(`snapshot ${snapshot}: .*rbl\\.ip4trie`));
  });

  test('a checkpoint key others may read is refused by name: the publish writes nothing, verify reports it', async () => {
    const first = await publish();
    await addListing();
    chmodSync(keyFile, 0o644);
    const result = await core.dispatch('publish.run', { out }, alice);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error.message : '', new RegExp(`the checkpoint key ${keyFile} may be read by others \\(mode 0644\\): make it private with chmod 600`));
    assert.equal(readlinkSync(join(out, 'current')), String(first.serial));
    assert.deepEqual(
      raw((database) => database.prepare('SELECT serial, state FROM snapshots').all()),
      [{ serial: first.serial, state: 'live' }],
    );
    const report = await verify();
    assert.equal(report.ok, false);
    assert.match(report.problems[0] ?? '', /the checkpoint key cannot be read: .*may be read by others/);
  });

  test('while something writes, a checkpoint is signed once audit.checkpointMinutes have passed', async () => {
    await ok(core.dispatch('settings.update', { audit: { checkpointMinutes: 10 } }, alice));
    reopen();
    const before = fileCheckpoints().length;
    core.close();
    core = open({ checkpointTickMs: 20 });
    await addListing();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(fileCheckpoints().length, before, 'not before ten minutes have passed');
    clock += 10 * 60_000;
    const head = lastEvent();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(fileCheckpoints().length, before + 1);
    assert.equal(fileCheckpoints().at(-1)?.event, head);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(fileCheckpoints().length, before + 1, 'nothing new was written: no further checkpoint');
  });
});
