/**
 * The safety checks before anything is written: each named check fails, warns or passes as it
 * should, on hand-made resolutions and through publish.run on a real database; and the
 * second-publisher approval of a large change (two different publishers; it covers the content
 * asked for, give or take the change-size limits, until the next snapshot).
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseRange, writeAddressKey, type Family } from '../../../shared/address.js';
import type { ListName } from '../../../shared/domain.js';
import type { PublishResult, SafetyCheck } from '../../../shared/publishing.js';
import { defaultSettings, type Settings } from '../../../shared/settings.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { generateKeyPair } from '../../../main/core/snapshot/index.js';
import { TEST_POINTS } from '../../../main/core/rule/answers.js';
import type { PublishedListing } from '../../../main/core/rule/listings-in-force.js';
import { resolveZones, type Resolution, type ResolvedZone } from '../../../main/core/publish/resolve/resolve.js';
import { runSafetyChecks } from '../../../main/core/publish/safety.js';
import { columnsOf, type Segment } from '../support/zone-text.js';
import { segmentsOf } from '../support/published.js';
import { ok, refused } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const as = (actor: string | null): CallContext => ({ actor, localFiles: true });

function check(checks: readonly SafetyCheck[], name: SafetyCheck['name']): SafetyCheck {
  const found = checks.find((candidate) => candidate.name === name);
  assert.ok(found, `a check named ${name}`);
  return found;
}

function statuses(checks: readonly SafetyCheck[]): Record<string, string> {
  return Object.fromEntries(checks.map((candidate) => [candidate.name, candidate.status]));
}

const ALL_PASS = { 'test-points': 'pass', 'no-whole-space': 'pass', 'special-space': 'pass', 'gal-conflicts': 'pass', 'change-size': 'pass' };

function listing(id: number, list: ListName, text: string, extra: Partial<PublishedListing> = {}): PublishedListing {
  const parsed = parseRange(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return {
    id,
    list,
    family: parsed.value.family,
    first: parsed.value.first,
    last: parsed.value.last,
    reason: list === 'GAL' ? 'approved' : list === 'DUL' ? 'dynamic' : list === 'MML' ? 'marketing' : list === 'QIL' ? 'botnet' : 'spam-source',
    txt: null,
    level: list === 'QIL' ? 2 : null,
    ...extra,
  };
}

/** A copy of a resolution with one zone's segments of one family replaced. */
function withSegments(resolution: Resolution, name: ResolvedZone['name'], family: Family, change: (segments: Segment[]) => Segment[]): Resolution {
  return {
    ...resolution,
    zones: resolution.zones.map((zone) =>
      zone.name === name ? { name: zone.name, segments: { ...zone.segments, [family]: columnsOf(family, change(segmentsOf(zone.segments[family]))) } as ResolvedZone['segments'] } : zone,
    ),
  };
}

describe('safety checks on hand-made resolutions', () => {
  const settings = defaultSettings();
  const clean = resolveZones([listing(1, 'RBL', '45.10.0.0/24'), listing(2, 'DUL', '2a01:4f8::/32'), listing(3, 'GAL', '80.1.2.3')], settings);

  test('a clean resolution passes every check, in the documented order', () => {
    const checks = runSafetyChecks(clean, settings, null, false);
    assert.deepEqual(checks.map((candidate) => candidate.name), ['test-points', 'no-whole-space', 'special-space', 'gal-conflicts', 'change-size']);
    assert.deepEqual(statuses(checks), ALL_PASS);
    assert.ok(checks.every((candidate) => candidate.items.length === 0));
  });

  test('test points: a missing 127.0.0.2 fails, naming the zone', () => {
    const missing = withSegments(clean, 'DUL', 4, (segments) => segments.filter((segment) => segment.first !== TEST_POINTS[4].listed));
    const result = check(runSafetyChecks(missing, settings, null, false), 'test-points');
    assert.equal(result.status, 'fail');
    assert.deepEqual(result.items, ['DUL IPv4: the test point 127.0.0.2 is not listed']);

    const missingV6 = withSegments(clean, 'combined', 6, (segments) => segments.filter((segment) => segment.first !== TEST_POINTS[6].listed));
    const resultV6 = check(runSafetyChecks(missingV6, settings, null, false), 'test-points');
    assert.equal(resultV6.status, 'fail');
    assert.deepEqual(resultV6.items, ['combined IPv6: the test point ::ffff:7f00:2 is not listed']);
  });

  test('test points: 127.0.0.1 (or ::ffff:7f00:1) listed fails, also when covered by a wider segment', () => {
    const answer = { a: '127.0.0.2', txt: 'x' };
    const dotOne = withSegments(clean, 'RBL', 4, (segments) =>
      [{ first: TEST_POINTS[4].unlisted, last: TEST_POINTS[4].unlisted, answers: [answer] }, ...segments].sort((a, b) => (a.first < b.first ? -1 : 1)),
    );
    const result = check(runSafetyChecks(dotOne, settings, null, false), 'test-points');
    assert.equal(result.status, 'fail');
    assert.deepEqual(result.items, ['RBL IPv4: 127.0.0.1 is listed and must never be']);

    // 127.0.0.0/30 on QIL (IPv6 zone, mapped form): covers both the test point and .1.
    const wide = withSegments(clean, 'QIL', 6, (segments) => [
      ...segments.filter((segment) => segment.first !== TEST_POINTS[6].listed),
      { first: 0xffff7f000000n, last: 0xffff7f000003n, answers: [answer] },
    ].sort((a, b) => (a.first < b.first ? -1 : 1)));
    const wideResult = check(runSafetyChecks(wide, settings, null, false), 'test-points');
    assert.equal(wideResult.status, 'fail');
    assert.deepEqual(wideResult.items, ['QIL IPv6: ::ffff:7f00:1 is listed and must never be']);
    // And it is special-purpose space (IPv4-mapped, and not the test point alone).
    assert.equal(check(runSafetyChecks(wide, settings, null, false), 'special-space').status, 'fail');
  });

  test('no-whole-space: a /8 passes, a /7 fails (IPv4); a /19 passes, a /18 fails (IPv6); the limit is a setting', () => {
    const run = (text: string, useSettings: Settings = settings) =>
      check(runSafetyChecks(resolveZones([listing(1, 'RBL', text)], useSettings), useSettings, null, false), 'no-whole-space');
    assert.equal(run('2.0.0.0/8').status, 'pass');
    const wide = run('2.0.0.0/7');
    assert.equal(wide.status, 'fail');
    assert.deepEqual(wide.items, ['RBL: 2.0.0.0/7']);
    assert.match(wide.message, /wider than \/8 \(IPv4\)/);
    assert.equal(run('2a00::/19').status, 'pass');
    assert.equal(run('2a00::/18').status, 'fail');
    // A non-CIDR range wider than a /8 counts too.
    assert.equal(run('2.0.0.0-3.0.0.0').status, 'fail');
    // Stricter settings.
    const strict: Settings = { ...settings, publish: { ...settings.publish, widestPrefixV4: 16 } };
    assert.equal(run('45.10.0.0/16', strict).status, 'pass');
    assert.equal(run('45.10.0.0/15', strict).status, 'fail');
    // On the allow-list too.
    const gal = runSafetyChecks(resolveZones([listing(1, 'GAL', '2.0.0.0/7')], settings), settings, null, false);
    assert.deepEqual(check(gal, 'no-whole-space').items, ['GAL: 2.0.0.0/7']);
  });

  test('special-space: private, documentation, multicast and IPv4-mapped space fail; public space passes', () => {
    const run = (text: string, list: ListName = 'RBL') => check(runSafetyChecks(resolveZones([listing(1, list, text)], settings), settings, null, false), 'special-space');
    assert.equal(run('45.10.0.0/24').status, 'pass');
    for (const text of ['10.1.2.3', '192.168.0.0/24', '198.51.100.7', '224.0.0.0/4', '100.64.0.0/10', '2001:db8::1', 'fc00::/7', 'fe80::1']) {
      const result = run(text);
      assert.equal(result.status, 'fail', text);
      assert.equal(result.items.length, 1, text);
    }
    assert.match(run('10.1.2.3').items[0], /^RBL: 10\.1\.2\.3 is in 10\.0\.0\.0\/8, private \(RFC 1918\)$/);
    // IPv4-mapped space in an IPv6 zone (the parser turns such input into IPv4; a row may still hold it).
    const mapped = { ...listing(1, 'MML', '2a01:4f8::1'), first: 0xffff2d0a0001n, last: 0xffff2d0a0001n };
    const mappedResult = check(runSafetyChecks(resolveZones([mapped], settings), settings, null, false), 'special-space');
    assert.equal(mappedResult.status, 'fail');
    assert.deepEqual(mappedResult.items, ['MML: ::ffff:2d0a:1 is in ::ffff:0:0/96, IPv4-mapped']);
    // Overlapping the edge of a special block is enough.
    assert.equal(run('9.255.255.0-10.0.0.0').status, 'fail');
  });

  test('gal-conflicts warns (GAL already won), counting every piece and listing them', () => {
    const resolution = resolveZones([listing(1, 'RBL', '45.10.0.0/24'), listing(2, 'QIL', '45.10.0.0/28'), listing(3, 'GAL', '45.10.0.8/29')], settings);
    const result = check(runSafetyChecks(resolution, settings, null, false), 'gal-conflicts');
    assert.equal(result.status, 'warn');
    assert.match(result.message, /^2 blocklist piece\(s\) overlap GAL entries/);
    assert.deepEqual([...result.items].sort(), ['QIL 45.10.0.8/29 overlaps GAL 45.10.0.8/29', 'RBL 45.10.0.8/29 overlaps GAL 45.10.0.8/29']);
    // Items are capped, the count is not.
    const many: PublishedListing[] = [];
    for (let index = 0; index < 50; index += 1) many.push(listing(index + 1, 'RBL', `45.10.0.${index}`, { txt: `t${index}` }));
    many.push(listing(100, 'GAL', '45.10.0.0/24'));
    const capped = check(runSafetyChecks(resolveZones(many, settings), settings, null, false), 'gal-conflicts');
    assert.match(capped.message, /^50 blocklist/);
    assert.equal(capped.items.length, 30);
  });

  test('change-size: first snapshot passes; beyond the limits needs approval; approved passes with the items', () => {
    const limits: Settings = { ...settings, publish: { ...settings.publish, maxAddedPerList: 2, maxRemovedPerList: 1 } };
    const counts = (rbl: { added: number; removed: number }) => ({
      RBL: { ...rbl, total: 10 },
      DUL: { added: 0, removed: 0, total: 0 },
      QIL: { added: 0, removed: 0, total: 0 },
      MML: { added: 0, removed: 0, total: 0 },
      GAL: { added: 0, removed: 0, total: 0 },
    });
    const first = check(runSafetyChecks(clean, limits, null, false), 'change-size');
    assert.equal(first.status, 'pass');
    assert.match(first.message, /first snapshot/);
    assert.equal(check(runSafetyChecks(clean, limits, counts({ added: 2, removed: 1 }), false), 'change-size').status, 'pass', 'at the limits');
    const added = check(runSafetyChecks(clean, limits, counts({ added: 3, removed: 0 }), false), 'change-size');
    assert.equal(added.status, 'needs-approval');
    assert.deepEqual(added.items, ['RBL: +3 -0 (limits +2 -1)']);
    assert.equal(check(runSafetyChecks(clean, limits, counts({ added: 0, removed: 2 }), false), 'change-size').status, 'needs-approval');
    const approved = check(runSafetyChecks(clean, limits, counts({ added: 3, removed: 0 }), true), 'change-size');
    assert.equal(approved.status, 'pass');
    assert.deepEqual(approved.items, ['RBL: +3 -0 (limits +2 -1)']);
  });
});

describe('safety checks through publish.run', () => {
  let folder: string;
  let databasePath: string;
  let out: string;
  let core: Core;
  let now: number;
  const key = generateKeyPair();

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-safety-'));
    databasePath = join(folder, 'repdesk.sqlite');
    out = join(folder, 'out');
    now = NOW;
    nextHost = 1;
    core = createCore({ databasePath, now: () => new Date(now), signingKey: () => key });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator', 'reviewer', 'liaison'] }, as(null)));
    await ok(core.dispatch('investigators.add', { name: 'pat', roles: ['publisher'] }, as('admin')));
    await ok(core.dispatch('investigators.add', { name: 'quinn', roles: ['publisher'] }, as('admin')));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  let nextHost = 1;
  async function addRbl(count: number): Promise<number[]> {
    const ids: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const host = nextHost++;
      const added = await ok(core.dispatch('listings.add', { range: `45.10.${host >> 8}.${host & 255}`, list: 'RBL', reason: 'spam-source' }, as('admin')));
      ids.push(added.listing.id);
    }
    return ids;
  }

  function query<T>(text: string, ...values: unknown[]): T[] {
    const database = new Database(databasePath, { readonly: true });
    try {
      return database.prepare(text).all(...values) as T[];
    } finally {
      database.close();
    }
  }

  /** What a refused publish must leave alone: the output folder and the snapshot rows. */
  function written(): unknown {
    const tree = (path: string): unknown => (existsSync(path) ? readdirSync(path, { recursive: true }).map(String).sort() : null);
    return { out: tree(out), snapshots: query('SELECT serial FROM snapshots ORDER BY serial'), events: query(`SELECT count(*) AS n FROM events WHERE action = 'snapshot.published'`) };
  }

  async function publish(actor: string, approveLargeChange?: boolean): Promise<PublishResult> {
    return ok(core.dispatch('publish.run', { out, approveLargeChange }, as(actor)));
  }

  function insertRaw(text: string, list: ListName = 'RBL'): void {
    const parsed = parseRange(text);
    if (!parsed.ok) throw new Error(parsed.error);
    const first = Buffer.alloc(16);
    const last = Buffer.alloc(16);
    writeAddressKey(parsed.value.family, parsed.value.first, first, 0);
    writeAddressKey(parsed.value.family, parsed.value.last, last, 0);
    const database = new Database(databasePath);
    try {
      const investigator = (database.prepare(`SELECT id FROM investigators WHERE name = 'admin'`).get() as { id: number }).id;
      const at = new Date(now).toISOString();
      database
        .prepare(`INSERT INTO listings (list, family, first, last, prefix, reason, investigator_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'spam-source', ?, ?, ?)`)
        .run(list, parsed.value.family, first, last, parsed.value.prefix, investigator, at, at);
    } finally {
      database.close();
    }
  }

  test('special space in the database (inserted behind the API) fails the publish; nothing is written', async () => {
    await addRbl(3);
    insertRaw('10.0.0.0/8');
    const before = written();
    const result = await publish('pat');
    assert.equal(result.published, false);
    assert.equal(result.serial, null);
    assert.equal(result.path, null);
    assert.equal(result.needsApproval, false);
    assert.deepEqual(result.files, []);
    const special = check(result.safety, 'special-space');
    assert.equal(special.status, 'fail');
    assert.deepEqual(special.items, ['RBL: 10.0.0.0/8 is in 10.0.0.0/8, private (RFC 1918)']);
    assert.deepEqual(written(), before);
    assert.equal(existsSync(out), false, 'not even the output folder is created');
  });

  test('a block wider than the widest prefix fails the publish; nothing is written', async () => {
    await addRbl(1);
    await ok(core.dispatch('listings.add', { range: '2.0.0.0/7', list: 'RBL', reason: 'spam-source' }, as('admin')));
    const before = written();
    const result = await publish('pat');
    assert.equal(result.published, false);
    assert.equal(check(result.safety, 'no-whole-space').status, 'fail');
    assert.deepEqual(check(result.safety, 'no-whole-space').items, ['RBL: 2.0.0.0/7']);
    assert.deepEqual(written(), before);
    // The preview reports the same, writing nothing either.
    const preview = await ok(core.dispatch('publish.preview', {}, as('pat')));
    assert.equal(check(preview.safety, 'no-whole-space').status, 'fail');
  });

  test('GAL conflicts only warn: the snapshot is published without the conflicting piece', async () => {
    await addRbl(2); // 45.10.0.1, 45.10.0.2
    await ok(core.dispatch('listings.add', { range: '45.10.0.2', list: 'GAL', reason: 'approved' }, as('admin')));
    const result = await publish('pat');
    assert.equal(result.published, true);
    const gal = check(result.safety, 'gal-conflicts');
    assert.equal(gal.status, 'warn');
    assert.deepEqual(gal.items, ['RBL 45.10.0.2 overlaps GAL 45.10.0.2']);
    const rbl = readFileSync(join(out, 'current', 'rbl.ip4trie'), 'utf8');
    assert.match(rbl, /45\.10\.0\.1\b/);
    assert.doesNotMatch(rbl, /45\.10\.0\.2\b/);
  });

  test('change size: first passes; a large change needs a SECOND publisher, bound to the content asked for give or take the limits, outdated by the next snapshot', async () => {
    await addRbl(3);
    const first = await publish('pat');
    assert.equal(first.published, true);
    assert.deepEqual(statuses(first.safety), ALL_PASS);
    assert.equal(check(first.safety, 'change-size').message, 'first snapshot: there is no previous one to compare with');
    assert.equal(first.approvedBy, null);

    await ok(core.dispatch('settings.update', { publish: { maxAddedPerList: 2 } }, as('admin')));
    await addRbl(3);
    now += 60_000;

    // Too large: not published, nothing written.
    let before = written();
    const large = await publish('pat');
    assert.equal(large.published, false);
    assert.equal(large.needsApproval, true);
    assert.equal(large.serial, null);
    assert.equal(check(large.safety, 'change-size').status, 'needs-approval');
    assert.deepEqual(check(large.safety, 'change-size').items, ['RBL: +3 -0 (limits +2 -10000)']);
    assert.deepEqual(large.changes?.RBL, { added: 3, removed: 0, total: 6 });
    assert.deepEqual(written(), before);

    // The same publisher approving their own change: still refused.
    const self = await publish('pat', true);
    assert.equal(self.published, false);
    assert.equal(self.needsApproval, true);
    assert.equal(self.approvedBy, null);
    assert.deepEqual(written(), before);

    // A second publisher approves: published, and the approval is on record.
    const approved = await publish('quinn', true);
    assert.equal(approved.published, true, JSON.stringify(approved.safety));
    assert.equal(approved.approvedBy, 'quinn');
    assert.equal(approved.preparedBy, 'pat', 'the change was prepared by pat, approved by quinn');
    assert.equal(check(approved.safety, 'change-size').status, 'pass');
    assert.match(check(approved.safety, 'change-size').message, /approved by a second publisher/);
    const row = query<{ prepared: string; approved: string | null }>(
      `SELECT p.name AS prepared, a.name AS approved FROM snapshots s JOIN investigators p ON p.id = s.prepared_by LEFT JOIN investigators a ON a.id = s.approved_by WHERE s.serial = ?`,
      approved.serial,
    )[0];
    assert.deepEqual(row, { prepared: 'pat', approved: 'quinn' });
    const manifest = JSON.parse(readFileSync(join(out, String(approved.serial), 'manifest.json'), 'utf8')) as { approvedBy: string | null; preparedBy: string };
    assert.equal(manifest.approvedBy, 'quinn');
    assert.equal(manifest.preparedBy, 'pat');
    const listed = await ok(core.dispatch('snapshots.list', {}, as(null)));
    assert.equal(listed[0].serial, approved.serial);
    assert.equal(listed[0].approvedBy, 'quinn');
    assert.equal(listed[0].preparedBy, 'pat');
    assert.equal(listed[1].approvedBy, null);
    const approvals = query<{ used_by_serial: number | null }>(`SELECT used_by_serial FROM publish_approvals`);
    assert.deepEqual(approvals, [{ used_by_serial: approved.serial }]);

    // A new large change: pat asks, then QIL-like drift (one more listing, within the +2 limit)
    // before quinn approves: the approval still covers it, and the snapshot has both.
    await addRbl(3);
    now += 60_000;
    assert.equal((await publish('pat')).needsApproval, true);
    await addRbl(1);
    const drifted = await publish('quinn', true);
    assert.equal(drifted.published, true, 'drift within the change-size limits stays covered by the approval');
    assert.equal(drifted.approvedBy, 'quinn');
    assert.equal(drifted.preparedBy, 'pat');
    assert.deepEqual(drifted.changes?.RBL, { added: 4, removed: 0, total: 10 });

    // Another large change, then drift beyond the limits (+3 > +2) before anyone approves: pat's
    // request does not cover what is there now, so quinn's run is quinn's own request.
    await addRbl(3);
    now += 60_000;
    assert.equal((await publish('pat')).needsApproval, true);
    await addRbl(3);
    before = written();
    const stale = await publish('quinn', true);
    assert.equal(stale.published, false, 'an approval covers the content asked for, give or take the change-size limits');
    assert.equal(stale.needsApproval, true);
    assert.deepEqual(written(), before);
    const waiting = await ok(core.dispatch('publish.approvals', {}, as('pat')));
    assert.deepEqual(waiting.map((request) => request.requestedBy), ['quinn', 'pat']);
    const patsRequest = waiting[1].id;
    // pat approves quinn's request for the current content: published.
    const second = await publish('pat', true);
    assert.equal(second.published, true);
    assert.equal(second.approvedBy, 'pat');
    assert.equal(second.preparedBy, 'quinn');
    assert.deepEqual(second.changes?.RBL, { added: 6, removed: 0, total: 16 });

    // pat's own request was made against the snapshot before: outdated, no longer listed, and
    // approving it is refused with the reason.
    assert.deepEqual(await ok(core.dispatch('publish.approvals', {}, as('quinn'))), []);
    const outdated = await core.dispatch('publish.approve', { id: patsRequest }, as('quinn'));
    assert.equal(outdated.ok, false);
    assert.equal(!outdated.ok && outdated.error.code, 'conflict');
    assert.match(!outdated.ok ? outdated.error.message : '', new RegExp(`request #${patsRequest} is outdated: snapshot ${second.serial} was published after it`));

    // The approval was used up: the next large change needs a new one.
    await addRbl(3);
    now += 60_000;
    const again = await publish('quinn', true);
    assert.equal(again.published, false);
    assert.equal(again.needsApproval, true);
  });

  test('change size: removals beyond maxRemovedPerList need approval too', async () => {
    const ids = await addRbl(4);
    assert.equal((await publish('pat')).published, true);
    await ok(core.dispatch('settings.update', { publish: { maxRemovedPerList: 1 } }, as('admin')));
    for (const id of ids.slice(0, 2)) await ok(core.dispatch('listings.delist', { id, why: 'cleanup' }, as('admin')));
    now += 60_000;
    const result = await publish('pat');
    assert.equal(result.published, false);
    assert.deepEqual(check(result.safety, 'change-size').items, ['RBL: +0 -2 (limits +10000 -1)']);
    const preview = await ok(core.dispatch('publish.preview', {}, as('quinn')));
    assert.equal(check(preview.safety, 'change-size').status, 'needs-approval');
    assert.equal((await publish('quinn', true)).published, true);
  });

  test('a non-publisher cannot approve a large change', async () => {
    await addRbl(1);
    await publish('pat');
    await ok(core.dispatch('settings.update', { publish: { maxAddedPerList: 0 } }, as('admin')));
    await addRbl(1);
    assert.equal((await publish('pat')).needsApproval, true);
    await refused(core.dispatch('publish.run', { out, approveLargeChange: true }, as('admin')), 'forbidden', /publisher role/);
  });
});
