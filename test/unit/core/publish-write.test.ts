/**
 * Writing a snapshot: date-based serials that only go up, `<out>/current` as a symlink, pruning,
 * the manifest against the files on disk, the consuming side (verifySnapshot, installSnapshot),
 * the id-set encoding the diff rests on, snapshots.list, and that a preview or a refused publish
 * writes nothing.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LISTS } from '../../../shared/domain.js';
import type { PublishResult } from '../../../shared/publishing.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { formatKeyId, generateKeyPair, MANIFEST_FILE, SIGNATURE_FILE, SnapshotError, installedManifest, verifySnapshot, installSnapshot, keySigner, type MinisignKeyPair, type Manifest, type TrustedKey } from '../../../main/core/snapshot/index.js';
import { decodeIdSets, diffSorted, encodeIdSets, type IdSets } from '../../../main/core/publish/id-sets.js';
import { nextSerial, publishSnapshot } from '../../../main/core/publish/publish.js';
import { readSettings } from '../../../main/core/settings/settings.js';
import { mulberry32, randomInt } from '../support/random.js';
import { ok, refused } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const as = (actor: string | null): CallContext => ({ actor, localFiles: true });

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function trusted(pair: MinisignKeyPair): TrustedKey {
  return { keyId: pair.keyId, publicKey: pair.publicKey };
}

function readManifest(folder: string): Manifest {
  return JSON.parse(readFileSync(join(folder, MANIFEST_FILE), 'utf8')) as Manifest;
}

/** Serial folders in an output folder, ascending. */
function serialFolders(out: string): number[] {
  return readdirSync(out)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

describe('publishing: serials, pointer, pruning, manifest', () => {
  let folder: string;
  let databasePath: string;
  let out: string;
  let core: Core;
  let now: number;
  const key = generateKeyPair();
  let nextHost = 1;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-write-'));
    databasePath = join(folder, 'repdesk.sqlite');
    out = join(folder, 'out');
    now = NOW;
    nextHost = 1;
    core = createCore({ databasePath, now: () => new Date(now), signingKey: () => key });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator', 'reviewer', 'liaison'] }, as(null)));
    await ok(core.dispatch('investigators.add', { name: 'pat', roles: ['publisher'] }, as('admin')));
    await ok(core.dispatch('investigators.add', { name: 'ivan', roles: ['investigator'] }, as('admin')));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function addRbl(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const host = nextHost++;
      await ok(core.dispatch('listings.add', { range: `45.10.${host >> 8}.${host & 255}`, list: 'RBL', reason: 'spam-source', txt: `case ${host}` }, as('admin')));
    }
  }

  async function publish(actor = 'pat'): Promise<PublishResult> {
    const result = await ok(core.dispatch('publish.run', { out }, as(actor)));
    assert.equal(result.published, true, JSON.stringify(result.safety));
    return result;
  }

  function query<T>(text: string, ...values: unknown[]): T[] {
    const database = new Database(databasePath, { readonly: true });
    try {
      return database.prepare(text).all(...values) as T[];
    } finally {
      database.close();
    }
  }

  function written(): unknown {
    return {
      out: existsSync(out) ? readdirSync(out, { recursive: true }).map(String).sort() : null,
      snapshots: query('SELECT * FROM snapshots'),
      approvals: query('SELECT * FROM publish_approvals'),
      events: query('SELECT id, hash FROM events ORDER BY id'),
    };
  }

  test('nextSerial: YYYYMMDDnn of the UTC day, always above the previous one', () => {
    assert.equal(nextSerial(null, new Date(NOW)), 2026112800);
    assert.equal(nextSerial(2026112800, new Date(NOW)), 2026112801);
    assert.equal(nextSerial(2026112799, new Date(NOW)), 2026112800);
    assert.equal(nextSerial(2026112899, new Date(NOW)), 2026112900, 'a hundredth publish in a day runs into the next day');
    assert.equal(nextSerial(2026120105, new Date(NOW)), 2026120106, 'a clock gone back still goes up');
    assert.equal(nextSerial(2026112805, new Date(Date.UTC(2026, 10, 28, 23, 59, 59))), 2026112806, 'the UTC day, whatever the time');
  });

  test('serials: date-based, strictly increasing on the same day and when the clock goes back', async () => {
    await addRbl(2);
    const serials: number[] = [];
    serials.push((await publish()).serial as number);
    now += HOUR;
    serials.push((await publish()).serial as number);
    now = NOW - 10 * DAY; // the clock goes backwards
    serials.push((await publish()).serial as number);
    now = NOW + DAY;
    serials.push((await publish()).serial as number);
    assert.deepEqual(serials, [2026112800, 2026112801, 2026112802, 2026112900]);
    assert.deepEqual(
      query<{ serial: number }>('SELECT serial FROM snapshots ORDER BY id').map((row) => row.serial),
      serials,
    );
  });

  test('the serial also goes above what the output folder holds (a fresh database publishing into it)', async () => {
    await addRbl(1);
    await publish();
    await publish();
    const previous = readFileSync(join(out, 'current', MANIFEST_FILE));
    const otherFolder = mkdtempSync(join(tmpdir(), 'repdesk-publish-write-other-'));
    try {
      const other = createCore({ databasePath: join(otherFolder, 'db.sqlite'), now: () => new Date(now), signingKey: () => key });
      try {
        await ok(other.dispatch('investigators.add', { name: 'pat', roles: ['publisher'] }, as(null)));
        const result = await ok(other.dispatch('publish.run', { out }, as('pat')));
        assert.equal(result.serial, 2026112802);
        assert.equal(readManifest(join(out, 'current')).previousManifestSha256, sha256(previous));
      } finally {
        other.close();
      }
    } finally {
      rmSync(otherFolder, { recursive: true, force: true });
    }
  });

  test('<out>/current is a symlink to the newest serial, switched by each publish', async () => {
    await addRbl(1);
    const first = await publish();
    const pointer = join(out, 'current');
    assert.ok(lstatSync(pointer).isSymbolicLink());
    assert.equal(readlinkSync(pointer), String(first.serial), 'a relative link: the folder can move');
    const second = await publish();
    assert.ok(lstatSync(pointer).isSymbolicLink());
    assert.equal(readlinkSync(pointer), String(second.serial));
    assert.equal(second.path, join(out, String(second.serial)));
    assert.deepEqual(readdirSync(out).sort(), [String(first.serial), String(second.serial), 'current'].sort(), 'no temporary leftovers');
  });

  test('pruning keeps publish.keep snapshots, and never the current one; crashed leftovers go', async () => {
    await ok(core.dispatch('settings.update', { publish: { keep: 2 } }, as('admin')));
    await addRbl(1);
    const serials: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      serials.push((await publish()).serial as number);
      now += HOUR;
    }
    assert.deepEqual(serialFolders(out), serials.slice(2));
    assert.equal(readlinkSync(join(out, 'current')), String(serials[3]));

    // A folder with a higher number than the current one (put there by hand), keep = 1: the current stays.
    await ok(core.dispatch('settings.update', { publish: { keep: 1 } }, as('admin')));
    mkdirSync(join(out, '2099010100'));
    mkdirSync(join(out, '.incoming-2026112899-1'));
    writeFileSync(join(out, '.incoming-2026112899-1', 'junk'), 'x');
    const latest = await publish();
    assert.ok(existsSync(join(out, String(latest.serial), MANIFEST_FILE)), 'the current snapshot is never pruned');
    assert.equal(readlinkSync(join(out, 'current')), String(latest.serial));
    assert.deepEqual(serialFolders(out), [latest.serial as number, 2099010100]);
    assert.equal(existsSync(join(out, '.incoming-2026112899-1')), false, 'leftovers of a crashed run are removed');
  });

  test('manifest: serial, times, previous hash, key id, lists, and every file as it is on disk', async () => {
    await ok(core.dispatch('settings.update', { publish: { validityHours: 5 } }, as('admin')));
    await addRbl(3);
    await ok(core.dispatch('listings.add', { range: '2a01:4f8::/32', list: 'DUL', reason: 'dynamic' }, as('admin')));
    await ok(core.dispatch('listings.add', { range: '80.1.2.0/23', list: 'QIL', reason: 'botnet', level: 3 }, as('admin')));
    await ok(core.dispatch('listings.add', { range: '80.1.3.0/24', list: 'GAL', reason: 'approved' }, as('admin')));
    now = NOW + 1234; // sub-second: the manifest keeps whole seconds
    const first = await publish();
    const firstFolder = join(out, String(first.serial));
    const manifest = readManifest(firstFolder);
    assert.equal(manifest.format, 'repdesk-snapshot/1');
    assert.equal(manifest.serial, first.serial);
    assert.equal(manifest.zone, 'bl.example');
    assert.equal(manifest.created, new Date(NOW + 1000).toISOString());
    assert.equal(manifest.expires, new Date(NOW + 1000 + 5 * HOUR).toISOString());
    assert.equal(manifest.previousManifestSha256, null);
    assert.equal(manifest.keyId, formatKeyId(key.keyId));
    assert.equal(manifest.keyId, first.keyId);
    assert.equal(manifest.preparedBy, 'pat');
    assert.equal(manifest.approvedBy, null);
    assert.deepEqual(manifest.lists.RBL, { origin: 'rbl.bl.example', originV6: 'rbl.v6.bl.example', returnCode: '127.0.0.2', listings: 3, kind: 'block' });
    assert.deepEqual(manifest.lists.QIL, { origin: 'qil.bl.example', originV6: 'qil.v6.bl.example', returnCode: '127.0.1.L', listings: 1, kind: 'block' });
    assert.deepEqual(manifest.lists.GAL, { origin: 'gal.bl.example', originV6: 'gal.v6.bl.example', returnCode: '127.0.0.2', listings: 1, kind: 'allow' });
    assert.deepEqual(manifest.combined, { origin: 'bl.example', originV6: 'v6.bl.example', lists: ['RBL', 'DUL', 'QIL', 'MML'] });

    // The files: per list and family an rbldnsd file and a BIND zone; the combined zone in BIND only.
    const expectedPaths: string[] = [];
    for (const list of LISTS) for (const family of [4, 6]) expectedPaths.push(`${list.toLowerCase()}.ip${family}trie`, `${list.toLowerCase()}.v${family}.zone`);
    expectedPaths.push('combined.v4.zone', 'combined.v6.zone');
    assert.deepEqual(manifest.files.map((file) => file.path).sort(), expectedPaths.sort());
    assert.deepEqual(readdirSync(firstFolder).sort(), [...expectedPaths, MANIFEST_FILE, SIGNATURE_FILE].sort(), 'nothing else in the folder');
    assert.deepEqual(manifest.files, first.files, 'the result lists the same files');
    for (const file of manifest.files) {
      const bytes = readFileSync(join(firstFolder, file.path));
      assert.equal(file.sha256, sha256(bytes), `${file.path}: sha256`);
      assert.equal(file.size, bytes.length, `${file.path}: size`);
      const isRbldnsd = file.path.endsWith('trie');
      assert.equal(file.format, isRbldnsd ? 'rbldnsd' : 'bind', `${file.path}: format`);
      assert.equal(file.dataset, isRbldnsd ? `ip${file.family}trie` : null, `${file.path}: dataset`);
      assert.equal(file.family, file.path.includes('4') ? 4 : 6, `${file.path}: family`);
      const name = file.path.split('.')[0];
      assert.equal(file.zone, name === 'combined' ? 'combined' : name.toUpperCase(), `${file.path}: zone`);
      const prefix = name === 'combined' ? '' : `${name}.`;
      assert.equal(file.origin, file.family === 4 ? `${prefix}bl.example` : `${prefix}v6.bl.example`, `${file.path}: origin`);
      const lines = bytes.toString('utf8').split('\n').filter((line) => line !== '');
      const entries = isRbldnsd
        ? lines.filter((line) => /^[0-9a-f:.]+\/\d{1,3}$/.test(line)).length
        : lines.filter((line) => !/^[\t$@;]/.test(line)).length;
      assert.equal(file.entries, entries, `${file.path}: entries`);
      if (!isRbldnsd) assert.match(bytes.toString('utf8'), new RegExp(`^\\$ORIGIN ${file.origin.replace(/\./g, '\\.')}\\.\\n`), `${file.path}: origin in the file`);
      assert.match(bytes.toString('utf8'), new RegExp(`\\b${first.serial}\\b`), `${file.path}: serial in the SOA`);
    }
    const rbl4 = manifest.files.find((file) => file.path === 'rbl.ip4trie');
    assert.equal(rbl4?.entries, 4, '3 listings and the test point');
    const qil4 = manifest.files.find((file) => file.path === 'qil.ip4trie');
    assert.equal(qil4?.entries, 2, 'the QIL /23 minus the GAL /24, and the test point');

    // The second manifest chains to the first one's bytes.
    now += HOUR;
    const second = await publish();
    const secondManifest = readManifest(join(out, String(second.serial)));
    assert.equal(secondManifest.previousManifestSha256, sha256(readFileSync(join(firstFolder, MANIFEST_FILE))));
    const row = query<{ manifest_sha256: string; key_id: string; created_at: string; expires_at: string; zone: string; path: string }>(
      'SELECT manifest_sha256, key_id, created_at, expires_at, zone, path FROM snapshots WHERE serial = ?',
      second.serial,
    )[0];
    assert.deepEqual(row, {
      manifest_sha256: sha256(readFileSync(join(out, String(second.serial), MANIFEST_FILE))),
      key_id: formatKeyId(key.keyId),
      created_at: secondManifest.created,
      expires_at: secondManifest.expires,
      zone: 'bl.example',
      path: join(out, String(second.serial)),
    });
    // Both verify with the public key.
    await verifySnapshot(firstFolder, [trusted(key)]);
    const verified = await verifySnapshot(join(out, 'current'), [trusted(key)]);
    assert.equal(verified.manifest.serial, second.serial);
  });

  test('the zone can be given per publish (publish.run zone)', async () => {
    await addRbl(1);
    const result = await ok(core.dispatch('publish.run', { out, zone: 'DNSBL.Example.org' }, as('pat')));
    assert.equal(result.zone, 'dnsbl.example.org');
    const manifest = readManifest(join(out, 'current'));
    assert.equal(manifest.zone, 'dnsbl.example.org');
    assert.ok(manifest.files.some((file) => file.origin === 'rbl.v6.dnsbl.example.org'));
  });

  test('a failure at any step before the switch leaves the old snapshot current, the attempt rolled back, and the next publish works', async () => {
    await addRbl(1);
    const first = await publish();
    const settings = readSettings(core.connection.read);
    for (const failAt of ['prepared', 'writing', 'files', 'manifest', 'signature', 'rename'] as const) {
      await assert.rejects(publishSnapshot(core.connection.write, settings, new Date(now), { out, signer: keySigner(key), actor: 'pat', failAt }), /simulated crash/);
      assert.equal(readlinkSync(join(out, 'current')), String(first.serial), `after a crash at ${failAt}: the old snapshot is current`);
      assert.equal(query('SELECT serial FROM snapshots').length, 1, `after a crash at ${failAt}: no snapshot row`);
      assert.ok(!readdirSync(out).some((name) => name.startsWith('.')), `after a crash at ${failAt}: no temporary folder, no lock`);
      assert.deepEqual(serialFolders(out), [first.serial], `after a crash at ${failAt}: no folder of the attempt`);
    }
    const next = await publish();
    assert.ok((next.serial as number) > (first.serial as number));
    assert.equal(readlinkSync(join(out, 'current')), String(next.serial));
    await verifySnapshot(join(out, 'current'), [trusted(key)]);
    assert.equal(readManifest(join(out, 'current')).previousManifestSha256, sha256(readFileSync(join(out, String(first.serial), MANIFEST_FILE))));
  });

  test('snapshots.list: newest first, with serial, counts, changes, preparedBy and approvedBy', async () => {
    await addRbl(2);
    const first = await publish();
    await addRbl(1);
    await ok(core.dispatch('listings.add', { range: '2a01:4f8::/32', list: 'DUL', reason: 'dynamic' }, as('admin')));
    now += HOUR;
    const second = await publish();
    const list = await ok(core.dispatch('snapshots.list', {}, as(null)));
    assert.equal(list.length, 2);
    assert.deepEqual(list.map((snapshot) => snapshot.serial), [second.serial, first.serial]);
    const [newest, oldest] = list;
    assert.deepEqual(newest.listingsInForce, { RBL: 3, DUL: 1, QIL: 0, MML: 0, GAL: 0 });
    assert.deepEqual(newest.changes?.RBL, { added: 1, removed: 0, total: 3 });
    assert.deepEqual(newest.changes?.DUL, { added: 1, removed: 0, total: 1 });
    assert.equal(oldest.changes, null);
    assert.deepEqual(oldest.listingsInForce, { RBL: 2, DUL: 0, QIL: 0, MML: 0, GAL: 0 });
    for (const snapshot of list) {
      assert.equal(snapshot.preparedBy, 'pat');
      assert.equal(snapshot.approvedBy, null);
      assert.equal(snapshot.zone, 'bl.example');
      assert.equal(snapshot.keyId, formatKeyId(key.keyId));
      assert.equal(snapshot.path, join(out, String(snapshot.serial)));
      assert.equal(snapshot.createdAt, readManifest(snapshot.path).created);
      assert.equal(snapshot.expiresAt, readManifest(snapshot.path).expires);
    }
  });

  test('publish.preview writes nothing: no folder, no rows, no approval request', async () => {
    await addRbl(3);
    const before = written();
    const preview = await ok(core.dispatch('publish.preview', {}, as('pat')));
    assert.deepEqual(preview.listingsInForce, { RBL: 3, DUL: 0, QIL: 0, MML: 0, GAL: 0 });
    assert.equal(preview.lastSerial, null);
    assert.equal(preview.changes, null);
    assert.equal(preview.zone, 'bl.example');
    assert.deepEqual(written(), before);
    assert.equal(existsSync(out), false);

    const first = await publish();
    await ok(core.dispatch('settings.update', { publish: { maxAddedPerList: 0 } }, as('admin')));
    await addRbl(1);
    const beforeLarge = written();
    const large = await ok(core.dispatch('publish.preview', { zone: 'other.example' }, as('pat')));
    assert.equal(large.lastSerial, first.serial);
    assert.equal(large.zone, 'other.example');
    assert.deepEqual(large.changes?.RBL, { added: 1, removed: 0, total: 4 });
    assert.equal(large.safety.find((check) => check.name === 'change-size')?.status, 'needs-approval');
    assert.deepEqual(written(), beforeLarge, 'a preview of a large change asks no approval');
  });

  test('a non-publisher (or nobody, or a stranger) is refused by publish.run and publish.preview; nothing is written', async () => {
    await addRbl(2);
    const before = written();
    for (const actor of ['ivan', 'admin', null, 'mallory']) {
      await refused(core.dispatch('publish.run', { out }, as(actor)), 'forbidden', actor === null ? /publisher role/ : actor === 'mallory' ? /not a known investigator/ : /does not have the publisher role/);
      await refused(core.dispatch('publish.preview', {}, as(actor)), 'forbidden', /publisher|not a known/);
    }
    assert.deepEqual(written(), before);
    assert.equal(existsSync(out), false);
  });

  test('publish.run without a signing key is refused', async () => {
    const keyless = createCore({ databasePath, now: () => new Date(now) });
    try {
      await refused(keyless.dispatch('publish.run', { out }, as('pat')), 'forbidden', /no signing key/);
      assert.equal(existsSync(out), false);
    } finally {
      keyless.close();
    }
  });
});

describe('verifySnapshot and installSnapshot', () => {
  let folder: string;
  let out: string;
  let core: Core;
  let now: number;
  const key = generateKeyPair();
  const serials: number[] = [];

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-install-'));
    out = join(folder, 'out');
    now = NOW;
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(now), signingKey: () => key });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator', 'publisher'] }, as(null)));
    await ok(core.dispatch('settings.update', { publish: { keep: 10 } }, as('admin')));
    serials.length = 0;
    for (let index = 0; index < 3; index += 1) {
      await ok(core.dispatch('listings.add', { range: `45.10.0.${index + 1}`, list: 'RBL', reason: 'spam-source' }, as('admin')));
      const result = await ok(core.dispatch('publish.run', { out }, as('admin')));
      assert.ok(result.published);
      serials.push(result.serial as number);
      now += HOUR;
    }
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const snapshot = (index: number) => join(out, String(serials[index]));

  /** A copy of snapshot `index` to tamper with. */
  function copy(index: number): string {
    const target = join(folder, `copy-${index}-${Math.random().toString(36).slice(2)}`);
    cpSync(snapshot(index), target, { recursive: true });
    return target;
  }

  async function rejects(work: Promise<unknown>, message: RegExp): Promise<void> {
    await assert.rejects(work, (error: unknown) => {
      assert.ok(error instanceof SnapshotError, `a SnapshotError, not ${String(error)}`);
      assert.match(error.message, message);
      return true;
    });
  }

  test('a good snapshot verifies, with one of several trusted keys (rotation)', async () => {
    const verified = await verifySnapshot(snapshot(0), [trusted(generateKeyPair()), trusted(key)]);
    assert.equal(verified.manifest.serial, serials[0]);
    assert.equal(verified.keyId, formatKeyId(key.keyId));
    assert.match(verified.trustedComment, new RegExp(`snapshot ${serials[0]} zone bl.example`));
  });

  test('a tampered file (same size, or other size), a missing file, an extra file, a changed manifest: refused', async () => {
    const keys = [trusted(key)];
    const sameSize = copy(0);
    const path = join(sameSize, 'rbl.ip4trie');
    const bytes = readFileSync(path);
    const at = bytes.lastIndexOf('45.10.0.1');
    assert.ok(at > 0);
    bytes[at + 8] = '9'.charCodeAt(0); // 45.10.0.1 -> 45.10.0.9
    writeFileSync(path, bytes);
    await rejects(verifySnapshot(sameSize, keys), /^rbl\.ip4trie does not match its SHA-256/);

    const longer = copy(0);
    appendFileSync(join(longer, 'rbl.v4.zone'), '1.1.1.1\tA\t127.0.0.2\n');
    await rejects(verifySnapshot(longer, keys), /^rbl\.v4\.zone is \d+ bytes, the manifest says \d+/);

    const missing = copy(0);
    rmSync(join(missing, 'gal.ip6trie'));
    await rejects(verifySnapshot(missing, keys), /^gal\.ip6trie is missing/);

    const extra = copy(0);
    writeFileSync(join(extra, 'evil.zone'), 'x');
    await rejects(verifySnapshot(extra, keys), /holds files the manifest does not list: evil\.zone/);

    const noSignature = copy(0);
    rmSync(join(noSignature, SIGNATURE_FILE));
    await rejects(verifySnapshot(noSignature, keys), /has no manifest\.json\.minisig/);

    const changedManifest = copy(0);
    const manifestPath = join(changedManifest, MANIFEST_FILE);
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace(`"serial": ${serials[0]}`, `"serial": ${serials[0] + 50}`));
    await rejects(verifySnapshot(changedManifest, keys), /^manifest\.json: /);

    // A manifest and signature from another snapshot: the signature is good, but the files are not those.
    const swapped = copy(0);
    cpSync(join(snapshot(1), MANIFEST_FILE), join(swapped, MANIFEST_FILE));
    cpSync(join(snapshot(1), SIGNATURE_FILE), join(swapped, SIGNATURE_FILE));
    await rejects(verifySnapshot(swapped, keys), /does not match its SHA-256|bytes, the manifest says/);

    await rejects(verifySnapshot(join(folder, 'nowhere'), keys), /is not a snapshot folder/);
  });

  test('the wrong key: refused, and installing with it writes nothing', async () => {
    const other = generateKeyPair();
    await rejects(verifySnapshot(snapshot(0), [trusted(other)]), /^manifest\.json: /);
    const target = join(folder, 'dns');
    await rejects(installSnapshot(snapshot(0), target, [trusted(other)], new Date(now)), /^manifest\.json: /);
    assert.equal(existsSync(join(target, 'current')), false);
  });

  test('install: current points at the copy; a rollback, the same serial twice, and expired data are refused', async () => {
    const keys = [trusted(key)];
    const target = join(folder, 'dns');
    const first = await installSnapshot(snapshot(1), target, keys, new Date(now));
    assert.deepEqual(first, { serial: serials[1], previousSerial: null, path: join(target, String(serials[1])), files: 22 });
    assert.ok(lstatSync(join(target, 'current')).isSymbolicLink());
    assert.equal(readlinkSync(join(target, 'current')), String(serials[1]));
    assert.equal(installedManifest(target)?.serial, serials[1]);
    await verifySnapshot(join(target, 'current'), keys);
    for (const name of readdirSync(snapshot(1))) {
      assert.deepEqual(readFileSync(join(target, 'current', name)), readFileSync(join(snapshot(1), name)), `${name} copied exactly`);
    }

    await rejects(installSnapshot(snapshot(1), target, keys, new Date(now)), new RegExp(`snapshot ${serials[1]} is not newer than the installed ${serials[1]}: refusing a rollback`));
    await rejects(installSnapshot(snapshot(0), target, keys, new Date(now)), /refusing a rollback/);
    assert.equal(readlinkSync(join(target, 'current')), String(serials[1]), 'a refused install changes nothing');

    const manifest = readManifest(snapshot(2));
    await rejects(installSnapshot(snapshot(2), target, keys, new Date(Date.parse(manifest.expires))), /expired at .*refusing to install stale data/);
    await rejects(installSnapshot(snapshot(2), target, keys, new Date(Date.parse(manifest.expires) + DAY)), /expired/);
    assert.equal(readlinkSync(join(target, 'current')), String(serials[1]));

    const second = await installSnapshot(snapshot(2), target, keys, new Date(Date.parse(manifest.expires) - 1000));
    assert.equal(second.previousSerial, serials[1]);
    assert.equal(readlinkSync(join(target, 'current')), String(serials[2]));
    assert.ok(!readdirSync(target).some((name) => name.startsWith('.')), 'no temporary leftovers');
  });

  test('install: every installed file is strictly newer than the one it replaces, even with a clock gone back', async () => {
    const keys = [trusted(key)];
    const target = join(folder, 'dns');
    await installSnapshot(snapshot(0), target, keys, new Date(now + 2 * HOUR));
    const before = new Map(readdirSync(join(target, 'current')).map((name) => [name, statSync(join(target, 'current', name)).mtimeMs]));
    // The DNS host's clock is now behind the one of the first install.
    await installSnapshot(snapshot(1), target, keys, new Date(now - HOUR));
    for (const name of readdirSync(join(target, 'current'))) {
      const previous = before.get(name);
      assert.ok(previous !== undefined, `${name} was there before`);
      assert.ok(statSync(join(target, 'current', name)).mtimeMs > previous, `${name}: mtime newer than the one it replaces`);
    }
    // And with a clock that goes on: the install time itself.
    await installSnapshot(snapshot(2), target, keys, new Date(now + 10 * HOUR));
    assert.equal(statSync(join(target, 'current', 'rbl.ip4trie')).mtimeMs, Math.floor((now + 10 * HOUR) / 1000) * 1000);
  });
});

describe('id sets', () => {
  test('encode/decode round trip on random sets, empty sets and large ids', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = mulberry32(seed);
      const sets: IdSets = {};
      const count = randomInt(random, 0, 6);
      for (let index = 0; index < count; index += 1) {
        const size = randomInt(random, 0, 200);
        const ids = new Set<number>();
        const spread = pickSpread(random);
        while (ids.size < size) ids.add(randomInt(random, 1, spread));
        sets[`set${index}${random() < 0.5 ? '+' : '-'}`] = [...ids];
      }
      const decoded = decodeIdSets(encodeIdSets(sets));
      const expected = Object.fromEntries(Object.entries(sets).map(([name, ids]) => [name, [...ids].sort((a, b) => a - b)]));
      assert.deepEqual(decoded, expected, `seed ${seed}`);
    }
    const edge = { a: [Number.MAX_SAFE_INTEGER, 1, 2 ** 32, 2 ** 32 + 1, 127, 128, 16383, 16384], empty: [] };
    assert.deepEqual(decodeIdSets(encodeIdSets(edge)), { a: [...edge.a].sort((x, y) => x - y), empty: [] });
    assert.deepEqual(decodeIdSets(encodeIdSets({})), {});
    // A million ids take a few hundred KB at most.
    const million = Array.from({ length: 1_000_000 }, (_, index) => index * 3 + 1);
    const encoded = encodeIdSets({ RBL: million });
    assert.ok(encoded.length < 1_000_000, `${encoded.length} bytes`);
    assert.deepEqual(decodeIdSets(encoded).RBL.length, million.length);
  });

  test('diffSorted matches a Set-based oracle', () => {
    for (let seed = 1; seed <= 500; seed += 1) {
      const random = mulberry32(seed);
      const universe = randomInt(random, 1, 60);
      const make = () => {
        const ids = new Set<number>();
        const size = randomInt(random, 0, universe);
        for (let index = 0; index < size; index += 1) ids.add(randomInt(random, 1, universe));
        return [...ids].sort((a, b) => a - b);
      };
      const previous = make();
      const next = make();
      const previousSet = new Set(previous);
      const nextSet = new Set(next);
      const { added, removed } = diffSorted(previous, next);
      assert.deepEqual(added, next.filter((id) => !previousSet.has(id)), `seed ${seed}: added`);
      assert.deepEqual(removed, previous.filter((id) => !nextSet.has(id)), `seed ${seed}: removed`);
    }
    assert.deepEqual(diffSorted([], []), { added: [], removed: [] });
    assert.deepEqual(diffSorted([1, 2, 3], []), { added: [], removed: [1, 2, 3] });
    assert.deepEqual(diffSorted([], [4, 5]), { added: [4, 5], removed: [] });
  });
});

function pickSpread(random: () => number): number {
  const spreads = [300, 10_000, 2 ** 31, Number.MAX_SAFE_INTEGER];
  return spreads[Math.floor(random() * spreads.length)];
}
