/**
 * Publishing signed on the publisher's computer, through the core: publish.prepare answers the
 * manifest's exact bytes (naming the caller's registered key), publish.commit takes the signature
 * and only then switches `current`. Refused, with nothing switched and the snapshot still
 * waiting: an unregistered or revoked key, another registered key than the one the manifest
 * names, a signature over other bytes or with another trusted comment, another publisher. A
 * snapshot not signed in time, abandoned, or left when the core closes is rolled back; a large
 * change still needs a second publisher's approval; a local publish meanwhile is refused.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreparedPublish } from '../../../shared/publishing.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { encodePublicKey, formatKeyId, generateKeyPair, sign, MANIFEST_FILE, verifySnapshot, type MinisignKeyPair, type Manifest } from '../../../main/core/snapshot/index.js';
import { sql } from '../../../main/core/db/sql.js';
import { ok, refused } from '../support/results.js';

const START = Date.UTC(2026, 11, 7, 12, 0, 0);
const as = (actor: string): CallContext => ({ actor, client: 'cli' });

/** What the publisher's computer does with a prepared snapshot: sign exactly its bytes, with exactly its trusted comment. */
function signPrepared(prepared: PreparedPublish, key: MinisignKeyPair, trustedComment = prepared.trustedComment as string): string {
  return sign(key, Buffer.from(prepared.manifest as string, 'base64'), trustedComment, prepared.untrustedComment ?? undefined);
}

describe('publishing signed on the publisher computer', () => {
  let folder: string;
  let out: string;
  let core: Core;
  let clock: number;
  let pia: MinisignKeyPair;
  let piaSecond: MinisignKeyPair;
  let pat: MinisignKeyPair;
  let stranger: MinisignKeyPair;

  const open = () => createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(clock), snapshotFolder: out, publishLockWaitMs: 200 });
  const prepare = (actor: string, key: MinisignKeyPair, extra: Record<string, unknown> = {}) =>
    core.dispatch('publish.prepare', { keyId: formatKeyId(key.keyId), ...extra }, as(actor));
  const states = () => core.connection.read.all<{ serial: number; state: string }>(sql`SELECT serial, state FROM snapshots ORDER BY serial`);
  const current = () => (existsSync(join(out, 'current')) ? readlinkSync(join(out, 'current')) : null);
  const inOut = () => (existsSync(out) ? readdirSync(out).filter((name) => name !== '.publish.lock').sort() : []);

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-remote-signing-'));
    out = join(folder, 'snapshots');
    clock = START;
    core = open();
    await ok(core.dispatch('investigators.add', { name: 'Ada', roles: ['admin', 'investigator'] }, as('Ada')));
    for (const [name, roles] of [
      ['Pia', ['publisher']],
      ['Pat', ['publisher']],
      ['Ivo', ['investigator']],
    ] as const) {
      await ok(core.dispatch('investigators.add', { name, roles: [...roles] }, as('Ada')));
    }
    [pia, piaSecond, pat, stranger] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()];
    for (const [publisher, key] of [
      ['Pia', pia],
      ['Pia', piaSecond],
      ['Pat', pat],
    ] as const) {
      await ok(core.dispatch('keys.register', { publisher, publicKey: encodePublicKey(key) }, as('Ada')));
    }
    for (const range of ['45.1.2.0/24', '45.1.3.7', '2a02:1::/48']) await ok(core.dispatch('listings.add', { range, list: 'RBL', reason: 'spam-source' }, as('Ivo')));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('prepare answers the manifest to sign; commit with its signature makes it live, verified like any snapshot', async () => {
    const prepared = await ok(prepare('Pia', pia));
    assert.equal(prepared.prepared, true);
    assert.equal(prepared.keyId, formatKeyId(pia.keyId));
    assert.equal(prepared.previousSerial, null);
    assert.equal(prepared.listingsInForce.RBL, 3);
    const bytes = Buffer.from(prepared.manifest as string, 'base64');
    const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
    assert.equal(manifest.serial, prepared.serial);
    assert.equal(manifest.keyId, formatKeyId(pia.keyId), 'the manifest names the key that is to sign it');
    assert.equal(prepared.trustedComment, `repdesk snapshot ${prepared.serial} zone bl.example expires ${manifest.expires}`);
    assert.equal(prepared.signBefore, new Date(START + 900_000).toISOString(), 'the setting publish.signWithinSeconds (15 minutes by default)');
    // Prepared, not live: nothing for DNS hosts yet, and readers do not count it.
    assert.deepEqual(states(), [{ serial: prepared.serial, state: 'prepared' }]);
    assert.equal(current(), null);
    assert.deepEqual(await ok(core.dispatch('snapshots.list', {}, as('Ivo'))), []);

    const published = await ok(core.dispatch('publish.commit', { serial: prepared.serial as number, signature: signPrepared(prepared, pia) }, as('Pia')));
    assert.equal(published.published, true);
    assert.equal(published.serial, prepared.serial);
    assert.equal(current(), String(prepared.serial));
    assert.deepEqual(states(), [{ serial: prepared.serial, state: 'live' }]);
    const verified = await verifySnapshot(join(out, 'current'), [{ keyId: pia.keyId, publicKey: pia.publicKey }]);
    assert.equal(verified.keyId, formatKeyId(pia.keyId));
    assert.ok(readFileSync(join(out, 'current', MANIFEST_FILE)).equals(bytes), 'what went live is exactly what was signed');
    const events = core.connection.read.all<{ actor: string; action: string }>(sql`SELECT actor, action FROM events WHERE subject_type = 'snapshot' ORDER BY id`);
    assert.deepEqual(events, [
      { actor: 'Pia', action: 'snapshot.prepared' },
      { actor: 'Pia', action: 'snapshot.published' },
    ]);
    // Committed once: a second commit finds nothing waiting and says why.
    await refused(core.dispatch('publish.commit', { serial: prepared.serial as number, signature: signPrepared(prepared, pia) }, as('Pia')), 'not-found', /was already committed/);
    // The next one is counted against it.
    await ok(core.dispatch('listings.add', { range: '45.1.4.0/24', list: 'RBL', reason: 'spam-source' }, as('Ivo')));
    const next = await ok(prepare('Pia', piaSecond));
    assert.equal(next.previousSerial, prepared.serial);
    assert.deepEqual(next.changes?.RBL, { added: 1, removed: 0, total: 4 });
    const nextManifest = JSON.parse(Buffer.from(next.manifest as string, 'base64').toString('utf8')) as Manifest;
    assert.equal(nextManifest.previousManifestSha256, prepared.manifestSha256);
    assert.equal((await ok(core.dispatch('publish.commit', { serial: next.serial as number, signature: signPrepared(next, piaSecond) }, as('Pia')))).published, true);
  });

  test('a key that is not the caller’s, or revoked, is refused before anything is prepared', async () => {
    await refused(prepare('Pia', stranger), 'forbidden', new RegExp(`key ${formatKeyId(stranger.keyId)} is not a registered publisher key of Pia`));
    await refused(prepare('Pia', pat), 'forbidden', /is not a registered publisher key of Pia/);
    await refused(prepare('Ivo', pia), 'forbidden', /does not have the publisher role/);
    await ok(core.dispatch('keys.revoke', { keyId: formatKeyId(piaSecond.keyId) }, as('Ada')));
    await refused(prepare('Pia', piaSecond), 'forbidden', /was revoked at .* by Ada/);
    await refused(core.dispatch('publish.prepare', { keyId: 'not-a-key' }, as('Pia')), 'invalid-input', /a key id is up to 16 hexadecimal digits/);
    assert.deepEqual(states(), []);
    assert.deepEqual(inOut(), []);
  });

  test('a wrong signature is refused and nothing switches; the snapshot keeps waiting for the right one', async () => {
    const first = await ok(prepare('Pia', pia));
    await ok(core.dispatch('publish.commit', { serial: first.serial as number, signature: signPrepared(first, pia) }, as('Pia')));
    await ok(core.dispatch('listings.add', { range: '45.1.5.0/24', list: 'RBL', reason: 'spam-source' }, as('Ivo')));
    const prepared = await ok(prepare('Pia', pia));
    const serial = prepared.serial as number;
    const bytes = Buffer.from(prepared.manifest as string, 'base64');
    const attempts: Array<[string, string, RegExp]> = [
      ['Pia', signPrepared(prepared, stranger), new RegExp(`key ${formatKeyId(stranger.keyId)}, which is not among the trusted keys`)],
      ['Pia', signPrepared(prepared, pat), /not among the trusted keys/],
      ['Pia', signPrepared(prepared, piaSecond), new RegExp(`manifest names key ${formatKeyId(pia.keyId)}, and the signature was made with key ${formatKeyId(piaSecond.keyId)}`)],
      ['Pia', sign(pia, Buffer.concat([bytes, Buffer.from(' ')]), prepared.trustedComment as string), /does not match the signature/],
      ['Pia', sign(pia, Buffer.from(first.manifest as string, 'base64'), first.trustedComment as string), /does not match the signature/],
      ['Pia', signPrepared(prepared, pia, `repdesk snapshot ${serial} zone bl.example expires 2099-01-01T00:00:00.000Z`), /its trusted comment is .* must be/],
      ['Pia', 'untrusted comment: x\nnot a signature\n', /signature is refused/],
      ['Pat', signPrepared(prepared, pat), /was prepared by Pia: only they can sign it/],
      ['Ivo', signPrepared(prepared, pia), /does not have the publisher role/],
    ];
    for (const [actor, signature, message] of attempts) {
      await refused(core.dispatch('publish.commit', { serial, signature }, as(actor)), 'forbidden', message);
      assert.equal(current(), String(first.serial), 'nothing switched');
      assert.deepEqual(states(), [
        { serial: first.serial, state: 'live' },
        { serial, state: 'prepared' },
      ]);
    }
    await refused(core.dispatch('publish.commit', { serial: serial + 1, signature: signPrepared(prepared, pia) }, as('Pia')), 'not-found', /no prepared snapshot .* is waiting/);
    // Revoked meanwhile: refused too.
    await ok(core.dispatch('keys.revoke', { keyId: formatKeyId(pia.keyId) }, as('Ada')));
    await refused(core.dispatch('publish.commit', { serial, signature: signPrepared(prepared, pia) }, as('Pia')), 'forbidden', /not among the trusted keys/);
    assert.equal(current(), String(first.serial));
    // Abandoned by Pia: rolled back, the folder gone.
    await refused(core.dispatch('publish.abandon', { serial }, as('Pat')), 'forbidden', /only they or an admin can abandon it/);
    await ok(core.dispatch('publish.abandon', { serial }, as('Pia')));
    assert.deepEqual(states(), [{ serial: first.serial, state: 'live' }]);
    assert.deepEqual(inOut(), [String(first.serial), 'current']);
    const reconciled = core.connection.read.get<{ reason: string }>(sql`SELECT reason FROM events WHERE action = 'snapshot.reconciled'`);
    assert.match(reconciled?.reason ?? '', new RegExp(`snapshot ${serial} was abandoned by Pia before it was signed; rolled it back`));
    await refused(core.dispatch('publish.commit', { serial, signature: signPrepared(prepared, piaSecond) }, as('Pia')), 'not-found', /was abandoned by Pia before it was signed; it was rolled back/);
  });

  test('one snapshot waits at a time: the same publisher preparing again replaces theirs; another publisher is told whose waits', async () => {
    const first = await ok(prepare('Pia', pia));
    await refused(prepare('Pat', pat), 'conflict', new RegExp(`snapshot ${first.serial}, prepared by Pia, is waiting for their signature until ${first.signBefore}`));
    const second = await ok(prepare('Pia', pia));
    assert.ok((second.serial as number) > (first.serial as number));
    assert.deepEqual(states(), [{ serial: second.serial, state: 'prepared' }]);
    await refused(core.dispatch('publish.commit', { serial: first.serial as number, signature: signPrepared(first, pia) }, as('Pia')), 'not-found', /was replaced by a new one Pia prepared before it was signed; it was rolled back/);
    assert.equal((await ok(core.dispatch('publish.commit', { serial: second.serial as number, signature: signPrepared(second, pia) }, as('Pia')))).published, true);
    assert.equal(current(), String(second.serial));
  });

  test('a snapshot not signed in time is rolled back; one left when the core closes too', async () => {
    await ok(core.dispatch('settings.update', { publish: { signWithinSeconds: 60 } }, as('Ada')));
    const prepared = await ok(prepare('Pia', pia));
    assert.equal(prepared.signBefore, new Date(START + 60_000).toISOString());
    const signingKey = generateKeyPair();
    core.close();
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(clock), snapshotFolder: out, publishLockWaitMs: 200, signingKey: () => signingKey });
    // Closing rolled it back: nobody could commit it any more.
    assert.deepEqual(states(), []);
    assert.deepEqual(inOut(), []);
    const again = await ok(prepare('Pia', pia));
    // While it waits, a local publish into the same folder is refused (the folder is locked, a snapshot is being published).
    await refused(core.dispatch('publish.run', {}, as('Pat')), 'conflict', /another publish into .* is running/);
    assert.deepEqual(states(), [{ serial: again.serial, state: 'prepared' }]);
    clock += 61_000;
    await refused(core.dispatch('publish.commit', { serial: again.serial as number, signature: signPrepared(again, pia) }, as('Pia')), 'not-found', /was not signed by Pia before .*; it expired and was rolled back/);
    assert.deepEqual(states(), []);
    assert.deepEqual(inOut(), []);
    assert.equal(current(), null);
    // The folder is free again: a local publish goes through.
    assert.equal((await ok(core.dispatch('publish.run', {}, as('Pat')))).published, true);
  });

  test('a large change still needs a second publisher: prepared only once another approves it', async () => {
    const first = await ok(prepare('Pia', pia));
    await ok(core.dispatch('publish.commit', { serial: first.serial as number, signature: signPrepared(first, pia) }, as('Pia')));
    await ok(core.dispatch('settings.update', { publish: { maxAddedPerList: 2 } }, as('Ada')));
    for (let host = 1; host <= 5; host += 1) await ok(core.dispatch('listings.add', { range: `45.9.0.${host}`, list: 'RBL', reason: 'spam-source' }, as('Ivo')));
    const blocked = await ok(prepare('Pia', pia));
    assert.equal(blocked.prepared, false);
    assert.equal(blocked.needsApproval, true);
    assert.equal(blocked.manifest, null);
    assert.equal(blocked.serial, null);
    assert.deepEqual(states(), [{ serial: first.serial, state: 'live' }], 'nothing prepared');
    const [request] = await ok(core.dispatch('publish.approvals', {}, as('Pat')));
    assert.equal(request.requestedBy, 'Pia');
    await refused(core.dispatch('publish.approve', { id: request.id }, as('Pia')), 'forbidden', /.+/);
    await ok(core.dispatch('publish.approve', { id: request.id }, as('Pat')));
    const prepared = await ok(prepare('Pia', pia));
    assert.equal(prepared.prepared, true);
    assert.equal(prepared.approvedBy, 'Pat');
    const manifest = JSON.parse(Buffer.from(prepared.manifest as string, 'base64').toString('utf8')) as Manifest;
    assert.equal(manifest.approvedBy, 'Pat');
    const published = await ok(core.dispatch('publish.commit', { serial: prepared.serial as number, signature: signPrepared(prepared, pia) }, as('Pia')));
    assert.equal(published.approvedBy, 'Pat');
    assert.deepEqual(published.changes?.RBL, { added: 5, removed: 0, total: 8 });
  });
});
