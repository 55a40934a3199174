/**
 * What the zones answer, checked address by address against a brute-force oracle on small random
 * data: readListingsInForce (status and expiry filtering, driven by createCore's clock) and
 * resolveZones (per-list A and TXT, GAL precedence, QIL least level, most specific listing with
 * the lower id on ties, the combined zone, the RFC 5782 test points, GAL conflict reporting).
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatRange, type Family } from '../../../shared/address.js';
import { LISTS, REASONS_BY_LIST, type ListName, type Reason } from '../../../shared/domain.js';
import { defaultSettings, type Settings } from '../../../shared/settings.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { BLOCKLISTS, TEST_POINTS, answerText } from '../../../main/core/rule/answers.js';
import type { PublishedListing } from '../../../main/core/rule/listings-in-force.js';
import { resolveZones, type Resolution } from '../../../main/core/publish/resolve/resolve.js';
import type { ZoneAnswer } from '../../../main/core/publish/zones/types.js';
import type { Segment } from '../support/zone-text.js';
import { mulberry32, pick, randomInt, type Random } from '../support/random.js';
import { readListings, zoneSegments } from '../support/published.js';
import { ok } from '../support/results.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const HOUR = 3_600_000;

/** Small address windows: dense overlaps, every address checkable. */
const WINDOW_SIZE = 64;
const WINDOW: Record<Family, bigint> = {
  4: (45n << 24n) | (10n << 16n), // 45.10.0.0
  6: 0x2a0104f8000000010000000000000000n, // 2a01:4f8:0:1::
};

// ---------------------------------------------------------------------------------------------
// The oracle: one address at a time, straight from the rules.

interface Expected {
  /** Per list: the answer there (null: not listed). */
  readonly perList: Record<ListName, ZoneAnswer | null>;
  readonly combined: readonly ZoneAnswer[];
}

function size(listing: PublishedListing): bigint {
  return listing.last - listing.first + 1n;
}

/** The listing that speaks for `list` at an address, before GAL precedence. */
function oracleBest(listings: readonly PublishedListing[], list: ListName, family: Family, address: bigint): PublishedListing | null {
  const covering = listings.filter((listing) => listing.list === list && listing.family === family && listing.first <= address && address <= listing.last);
  if (covering.length === 0) return null;
  const sorted = [...covering].sort((a, b) => {
    if (list === 'QIL') {
      const byLevel = (a.level ?? 4) - (b.level ?? 4);
      if (byLevel !== 0) return byLevel;
    }
    const bySize = size(a) < size(b) ? -1 : size(a) > size(b) ? 1 : 0;
    return bySize || a.id - b.id;
  });
  return sorted[0];
}

function oracleAnswer(settings: Settings, listing: PublishedListing): ZoneAnswer {
  return {
    a: listing.list === 'QIL' ? `${settings.returnCodes.qilPrefix}${listing.level}` : settings.returnCodes[listing.list],
    txt: answerText(settings, listing),
  };
}

function testPointAnswer(settings: Settings, list: ListName): ZoneAnswer {
  return { a: list === 'QIL' ? `${settings.returnCodes.qilPrefix}1` : settings.returnCodes[list], txt: '(test point)' };
}

function oracle(listings: readonly PublishedListing[], settings: Settings, family: Family, address: bigint): Expected {
  const galCovers = listings.some((listing) => listing.list === 'GAL' && listing.family === family && listing.first <= address && address <= listing.last);
  const perList = {} as Record<ListName, ZoneAnswer | null>;
  for (const list of LISTS) {
    const best = oracleBest(listings, list, family, address);
    let answer = best && (list === 'GAL' || !galCovers) ? oracleAnswer(settings, best) : null;
    if (answer === null && address === TEST_POINTS[family].listed) answer = testPointAnswer(settings, list);
    perList[list] = answer;
  }
  const combined = BLOCKLISTS.map((list) => perList[list]).filter((answer): answer is ZoneAnswer => answer !== null);
  return { perList, combined };
}

/** Blocklist runs (before GAL) met by GAL listings: what the conflict report must hold. */
function oracleConflicts(listings: readonly PublishedListing[], settings: Settings): Array<{ list: ListName; range: string; galRange: string }> {
  const conflicts: Array<{ list: ListName; range: string; galRange: string }> = [];
  for (const list of BLOCKLISTS) {
    for (const family of [4, 6] as const) {
      const gal = listings.filter((listing) => listing.list === 'GAL' && listing.family === family);
      // Maximal runs of addresses with the same (A, TXT): the resolved segments of the list.
      const runs: Array<{ first: bigint; last: bigint }> = [];
      let previous: { answer: ZoneAnswer; address: bigint } | null = null;
      for (let offset = 0n; offset < BigInt(WINDOW_SIZE); offset += 1n) {
        const address = WINDOW[family] + offset;
        const best = oracleBest(listings, list, family, address);
        const answer = best ? oracleAnswer(settings, best) : null;
        if (answer && previous && previous.address === address - 1n && previous.answer.a === answer.a && previous.answer.txt === answer.txt) {
          runs[runs.length - 1].last = address;
        } else if (answer) {
          runs.push({ first: address, last: address });
        }
        previous = answer ? { answer, address } : null;
      }
      for (const run of runs) {
        for (const entry of gal) {
          if (entry.first <= run.last && run.first <= entry.last) {
            conflicts.push({
              list,
              range: formatRange({ family, first: run.first > entry.first ? run.first : entry.first, last: run.last < entry.last ? run.last : entry.last }),
              galRange: formatRange({ family, first: entry.first, last: entry.last }),
            });
          }
        }
      }
    }
  }
  return conflicts;
}

function segmentAt(segments: readonly Segment[], address: bigint): Segment | undefined {
  return segments.find((segment) => segment.first <= address && address <= segment.last);
}

function sameAnswer(actual: ZoneAnswer, expected: ZoneAnswer, where: string): void {
  assert.equal(actual.a, expected.a, `${where}: A`);
  if (expected.txt === '(test point)') assert.match(actual.txt, /RFC 5782 test point/, `${where}: TXT`);
  else assert.equal(actual.txt, expected.txt, `${where}: TXT`);
}

/** Compare every zone of a resolution with the oracle, address by address. */
function checkAgainstOracle(resolution: Resolution, listings: readonly PublishedListing[], settings: Settings, label: string): void {
  // Listings in force per list, sorted by id.
  for (const list of LISTS) {
    const ids = listings.filter((listing) => listing.list === list).map((listing) => listing.id).sort((a, b) => a - b);
    assert.deepEqual(resolution.inForce[list], ids, `${label}: ids in force on ${list}`);
  }
  assert.deepEqual(
    resolution.zones.map((zone) => zone.name),
    [...LISTS, 'combined'],
    `${label}: one zone per list and the combined zone`,
  );
  for (const zone of resolution.zones) {
    for (const family of [4, 6] as const) {
      const segments = zoneSegments(zone, family);
      // Sorted, disjoint, and nothing outside the window but the test point.
      for (let index = 0; index < segments.length; index += 1) {
        const segment = segments[index];
        assert.ok(segment.first <= segment.last, `${label}: ${zone.name}/${family} segment ${index} is a range`);
        if (index > 0) assert.ok(segments[index - 1].last < segment.first, `${label}: ${zone.name}/${family} segments sorted and disjoint`);
        const inWindow = segment.first >= WINDOW[family] && segment.last < WINDOW[family] + BigInt(WINDOW_SIZE);
        const isTestPoint = segment.first === TEST_POINTS[family].listed && segment.last === TEST_POINTS[family].listed;
        assert.ok(inWindow || isTestPoint, `${label}: ${zone.name}/${family} publishes ${formatRange({ family, first: segment.first, last: segment.last })}, outside the data`);
        assert.ok(segment.answers.length > 0, `${label}: a segment has answers`);
      }
      const addresses = [TEST_POINTS[family].listed, TEST_POINTS[family].unlisted];
      for (let offset = 0n; offset < BigInt(WINDOW_SIZE); offset += 1n) addresses.push(WINDOW[family] + offset);
      for (const address of addresses) {
        const expected = oracle(listings, settings, family, address);
        const where = `${label}: ${zone.name} IPv${family} ${formatRange({ family, first: address, last: address })}`;
        const segment = segmentAt(segments, address);
        const wanted = zone.name === 'combined' ? expected.combined : expected.perList[zone.name] ? [expected.perList[zone.name] as ZoneAnswer] : [];
        if (wanted.length === 0) {
          assert.equal(segment, undefined, `${where}: must not be listed`);
          continue;
        }
        assert.ok(segment, `${where}: must be listed`);
        assert.equal(segment.answers.length, wanted.length, `${where}: number of answers`);
        wanted.forEach((answer, index) => sameAnswer(segment.answers[index], answer, `${where} answer ${index}`));
      }
    }
  }
  const conflicts = oracleConflicts(listings, settings);
  assert.equal(resolution.galConflictCount, conflicts.length, `${label}: GAL conflict count`);
  const key = (conflict: { list: string; range: string; galRange: string }) => `${conflict.list} ${conflict.range} ${conflict.galRange}`;
  assert.deepEqual(resolution.galConflicts.map(key).sort(), conflicts.map(key).sort(), `${label}: GAL conflict items`);
}

// ---------------------------------------------------------------------------------------------
// Random data.

interface Planned {
  readonly list: ListName;
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
  readonly reason: Reason;
  readonly txt: string | null;
  readonly level: number | null;
}

const TXTS = [null, 'seen on traps', 'seen on traps', 'ticket 42', 'hijacked'];

function randomRange(random: Random, family: Family): { first: bigint; last: bigint } {
  if (random() < 0.4) {
    // An aligned CIDR block.
    const bits = randomInt(random, 0, 4);
    const blockSize = 1 << bits;
    const start = randomInt(random, 0, WINDOW_SIZE / blockSize - 1) * blockSize;
    return { first: WINDOW[family] + BigInt(start), last: WINDOW[family] + BigInt(start + blockSize - 1) };
  }
  const a = randomInt(random, 0, WINDOW_SIZE - 1);
  const b = Math.min(WINDOW_SIZE - 1, a + randomInt(random, 0, 12));
  return { first: WINDOW[family] + BigInt(a), last: WINDOW[family] + BigInt(b) };
}

function randomPlan(random: Random, count: number): Planned[] {
  const planned: Planned[] = [];
  const lists: ListName[] = ['RBL', 'RBL', 'DUL', 'QIL', 'QIL', 'MML', 'GAL'];
  for (let index = 0; index < count; index += 1) {
    const list = pick(random, lists);
    const family: Family = random() < 0.5 ? 4 : 6;
    const { first, last } = randomRange(random, family);
    planned.push({
      list,
      family,
      first,
      last,
      reason: pick(random, REASONS_BY_LIST[list]),
      txt: pick(random, TXTS),
      level: list === 'QIL' ? randomInt(random, 1, 4) : null,
    });
  }
  return planned;
}

// ---------------------------------------------------------------------------------------------

describe('resolveZones against the oracle (pure, many random cases)', () => {
  test('per address: A and TXT per list, GAL wins, QIL least level, most specific then lower id, combined union, test points', () => {
    const settings = defaultSettings();
    for (let seed = 1; seed <= 150; seed += 1) {
      const random = mulberry32(seed);
      const listings: PublishedListing[] = randomPlan(random, randomInt(random, 0, 30)).map((plan, index) => ({ id: index * 3 + 1, ...plan }));
      // resolveZones takes listings in any order; these are sorted by id, as the database read gives them.
      checkAgainstOracle(resolveZones(listings, settings), listings, settings, `seed ${seed}`);
    }
  });

  test('return codes come from the settings (including the QIL prefix)', () => {
    const settings: Settings = { ...defaultSettings(), returnCodes: { RBL: '127.0.0.10', DUL: '127.0.0.11', MML: '127.0.0.12', GAL: '127.0.0.13', qilPrefix: '127.0.9.' } };
    for (let seed = 500; seed < 520; seed += 1) {
      const random = mulberry32(seed);
      const listings: PublishedListing[] = randomPlan(random, 20).map((plan, index) => ({ id: index + 1, ...plan }));
      checkAgainstOracle(resolveZones(listings, settings), listings, settings, `seed ${seed}`);
    }
  });

  test('hand-made cases: specificity, id tie-break, QIL level before specificity, GAL', () => {
    const settings = defaultSettings();
    const v4 = (text: string): bigint => text.split('.').reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
    const base = { family: 4 as const, txt: null, level: null };
    const listings: PublishedListing[] = [
      { ...base, id: 1, list: 'RBL', first: v4('45.10.0.0'), last: v4('45.10.0.255'), reason: 'spam-source', txt: 'wide' },
      { ...base, id: 2, list: 'RBL', first: v4('45.10.0.16'), last: v4('45.10.0.31'), reason: 'open-relay', txt: 'narrow' },
      // Same size as #2, overlapping it at .24-.31: the lower id (#2) speaks there.
      { ...base, id: 3, list: 'RBL', first: v4('45.10.0.24'), last: v4('45.10.0.39'), reason: 'open-proxy', txt: 'tie' },
      // QIL: a wide level-1 entry beats a narrow level-3 one.
      { ...base, id: 4, list: 'QIL', first: v4('45.10.0.0'), last: v4('45.10.0.255'), reason: 'botnet', level: 1 },
      { ...base, id: 5, list: 'QIL', first: v4('45.10.0.5'), last: v4('45.10.0.5'), reason: 'spam-source', level: 3 },
      { ...base, id: 6, list: 'QIL', first: v4('45.10.0.6'), last: v4('45.10.0.6'), reason: 'spam-source', level: 1 },
      // GAL covers .100-.103.
      { ...base, id: 7, list: 'GAL', first: v4('45.10.0.100'), last: v4('45.10.0.103'), reason: 'approved' },
    ];
    const resolution = resolveZones(listings, settings);
    const zone = (name: string) => resolution.zones.find((candidate) => candidate.name === name) as Resolution['zones'][number];
    const at = (name: string, ip: string) => segmentAt(zoneSegments(zone(name), 4), v4(ip))?.answers ?? [];
    assert.equal(at('RBL', '45.10.0.1')[0].txt, 'RBL: Spam source - wide; see https://lookup.example/ip/$');
    assert.equal(at('RBL', '45.10.0.20')[0].txt, 'RBL: Open relay - narrow; see https://lookup.example/ip/$');
    assert.equal(at('RBL', '45.10.0.28')[0].txt, 'RBL: Open relay - narrow; see https://lookup.example/ip/$', 'equal size: the lower id');
    assert.equal(at('RBL', '45.10.0.35')[0].txt, 'RBL: Open proxy - tie; see https://lookup.example/ip/$');
    assert.deepEqual(at('QIL', '45.10.0.5').map((answer) => answer.a), ['127.0.1.1'], 'the least level wins over the more specific');
    assert.equal(at('QIL', '45.10.0.6')[0].txt, 'QIL: Spam source; see https://lookup.example/ip/$', 'same level: the more specific');
    assert.deepEqual(at('RBL', '45.10.0.101'), [], 'GAL wins over RBL');
    assert.deepEqual(at('QIL', '45.10.0.101'), [], 'GAL wins over QIL');
    assert.deepEqual(at('GAL', '45.10.0.101').map((answer) => answer.a), ['127.0.0.2']);
    assert.deepEqual(at('combined', '45.10.0.101'), []);
    assert.deepEqual(at('combined', '45.10.0.99').map((answer) => answer.a), ['127.0.0.2', '127.0.1.1'], 'combined: RBL then QIL');
    // Two conflicts: RBL's wide run at .100-.103 and QIL's level-1 run there.
    assert.equal(resolution.galConflictCount, 2);
    assert.deepEqual(
      resolution.galConflicts.map((conflict) => `${conflict.list} ${conflict.range} ${conflict.galRange}`).sort(),
      ['QIL 45.10.0.100/30 45.10.0.100/30', 'RBL 45.10.0.100/30 45.10.0.100/30'],
    );
    // Test points in every zone, in both families; 127.0.0.1 never.
    for (const resolved of resolution.zones) {
      for (const family of [4, 6] as const) {
        assert.ok(segmentAt(zoneSegments(resolved, family), TEST_POINTS[family].listed), `${resolved.name} IPv${family} lists the test point`);
        assert.equal(segmentAt(zoneSegments(resolved, family), TEST_POINTS[family].unlisted), undefined, `${resolved.name} IPv${family} never lists .1`);
      }
    }
    assert.deepEqual(
      segmentAt(zoneSegments(zone('combined'), 4), TEST_POINTS[4].listed)?.answers.map((answer) => answer.a),
      ['127.0.0.2', '127.0.0.3', '127.0.1.1', '127.0.0.4'],
      'the combined test point answers every blocklist code',
    );
  });

  test('GAL conflicts: the count goes on past the reported items (at most 200 items)', () => {
    const settings = defaultSettings();
    const listings: PublishedListing[] = [];
    let id = 1;
    // 300 single-address RBL listings with distinct TXTs (so they do not merge), under one GAL /23.
    for (let index = 0; index < 300; index += 1) {
      listings.push({ id: id++, list: 'RBL', family: 4, first: WINDOW[4] + BigInt(index), last: WINDOW[4] + BigInt(index), reason: 'spam-source', txt: `t${index}`, level: null });
    }
    listings.push({ id: id++, list: 'GAL', family: 4, first: WINDOW[4], last: WINDOW[4] + 511n, reason: 'approved', txt: null, level: null });
    const resolution = resolveZones(listings, settings);
    assert.equal(resolution.galConflictCount, 300);
    assert.equal(resolution.galConflicts.length, 200);
    assert.ok(resolution.galConflicts.every((conflict) => conflict.list === 'RBL' && conflict.galRange === '45.10.0.0/23'));
    const rbl = resolution.zones.find((zone) => zone.name === 'RBL');
    assert.deepEqual(
      zoneSegments(rbl, 4).map((segment) => [segment.first, segment.last]),
      [[TEST_POINTS[4].listed, TEST_POINTS[4].listed]],
      'nothing but the test point is left on RBL',
    );
  });
});

describe('readListingsInForce + resolveZones on a real database', () => {
  let folder: string;
  let databasePath: string;
  let core: Core;
  let now: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-resolve-'));
    databasePath = join(folder, 'repdesk.sqlite');
    now = NOW;
    core = createCore({ databasePath, now: () => new Date(now) });
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator', 'liaison', 'reviewer', 'publisher'] }, { actor: null }));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function add(plan: Planned, expires?: number): Promise<number> {
    const added = await ok(
      core.dispatch(
        'listings.add',
        {
          range: formatRange({ family: plan.family, first: plan.first, last: plan.last }),
          list: plan.list,
          reason: plan.reason,
          txt: plan.txt ?? undefined,
          level: plan.level ?? undefined,
          expires: expires === undefined ? undefined : new Date(expires).toISOString(),
        },
        { actor: 'admin' },
      ),
    );
    return added.listing.id;
  }

  function raw<T>(work: (database: Database.Database) => T): T {
    const database = new Database(databasePath);
    try {
      return work(database);
    } finally {
      database.close();
    }
  }

  function inForceAt(at: number): PublishedListing[] {
    return readListings(core.connection.read, new Date(at));
  }

  test('random listings with random statuses: the in-force set and every answer match the oracle', async () => {
    const settings = defaultSettings();
    for (let seed = 1; seed <= 6; seed += 1) {
      const random = mulberry32(1000 + seed);
      // Fresh rows each round: delist whatever the last round left active.
      raw((database) => database.prepare(`UPDATE listings SET status = 'delisted', suppressed_until = NULL`).run());
      const model: Array<PublishedListing & { status: string; suppressedUntil: number | null; expiresAt: number | null }> = [];
      for (const plan of randomPlan(random, 30)) {
        // Same range, same list, both active: refused by listings.add. Keep the plan unique.
        if (model.some((entry) => entry.status === 'active' && entry.list === plan.list && entry.family === plan.family && entry.first === plan.first && entry.last === plan.last)) continue;
        const expiresAt = plan.list === 'QIL' ? now + randomInt(random, 1, 4) * HOUR : null;
        const id = await add(plan, expiresAt ?? undefined);
        model.push({ id, ...plan, status: 'active', suppressedUntil: null, expiresAt });
      }
      // Change statuses behind the API, as delisting and suppression would.
      for (const entry of model) {
        const roll = random();
        if (roll < 0.15) {
          await ok(core.dispatch('listings.delist', { id: entry.id, why: 'test' }, { actor: 'admin' }));
          entry.status = 'delisted';
        } else if (roll < 0.35) {
          entry.status = 'suppressed';
          entry.suppressedUntil = now + randomInt(random, -3, 3) * HOUR;
          raw((database) =>
            database.prepare(`UPDATE listings SET status = 'suppressed', suppressed_until = ? WHERE id = ?`).run(new Date(entry.suppressedUntil as number).toISOString(), entry.id),
          );
        } else if (roll < 0.4) {
          entry.status = 'expired';
          raw((database) => database.prepare(`UPDATE listings SET status = 'expired' WHERE id = ?`).run(entry.id));
        }
      }
      // Look at several moments: before, between and after the expiries and suppressions.
      for (const offsetHours of [0, 1.5, 2, 3.5, 5]) {
        const at = now + offsetHours * HOUR;
        const expected = model
          .filter((entry) => entry.status === 'active' || (entry.status === 'suppressed' && (entry.suppressedUntil as number) <= at))
          .filter((entry) => entry.expiresAt === null || entry.expiresAt > at)
          .map(({ id, list, family, first, last, reason, txt, level }) => ({ id, list, family, first, last, reason, txt, level }))
          .sort((a, b) => a.id - b.id);
        const actual = inForceAt(at);
        assert.deepEqual(actual, expected, `seed ${seed} at +${offsetHours}h: listings in force`);
        checkAgainstOracle(resolveZones(actual, settings), expected, settings, `seed ${seed} at +${offsetHours}h`);
      }
    }
  });

  test('statuses: delisted out; suppressed until the future out, lapsed in; QIL expired out, not yet expired in', async () => {
    const v4 = (last: number) => WINDOW[4] + BigInt(last);
    const plan = (offset: number, list: ListName = 'RBL'): Planned => ({
      list,
      family: 4,
      first: v4(offset),
      last: v4(offset),
      reason: list === 'QIL' ? 'botnet' : 'spam-source',
      txt: null,
      level: list === 'QIL' ? 2 : null,
    });
    const active = await add(plan(1));
    const delisted = await add(plan(2));
    const suppressedFuture = await add(plan(3));
    const suppressedLapsed = await add(plan(4));
    const suppressedNow = await add(plan(5));
    const suppressedForever = await add(plan(6));
    const qilLive = await add(plan(7, 'QIL'), now + 2 * HOUR);
    const qilSoon = await add(plan(8, 'QIL'), now + HOUR);
    await ok(core.dispatch('listings.delist', { id: delisted, why: 'false positive' }, { actor: 'admin' }));
    raw((database) => {
      const suppress = database.prepare(`UPDATE listings SET status = 'suppressed', suppressed_until = ? WHERE id = ?`);
      suppress.run(new Date(now + HOUR).toISOString(), suppressedFuture);
      suppress.run(new Date(now - HOUR).toISOString(), suppressedLapsed);
      suppress.run(new Date(now).toISOString(), suppressedNow);
      suppress.run(null, suppressedForever);
    });
    const ids = (at: number) => inForceAt(at).map((listing) => listing.id);
    assert.deepEqual(ids(now), [active, suppressedLapsed, suppressedNow, qilLive, qilSoon]);
    // One hour later: the suppression of #3 has lapsed, the first QIL entry has expired (at exactly its time).
    now += HOUR;
    assert.deepEqual(ids(now), [active, suppressedFuture, suppressedLapsed, suppressedNow, qilLive]);
    now += 2 * HOUR;
    assert.deepEqual(ids(now), [active, suppressedFuture, suppressedLapsed, suppressedNow]);

    // The same through the core, whose clock is `now`: preview counts what is in force.
    await ok(core.dispatch('investigators.add', { name: 'pat', roles: ['publisher'] }, { actor: 'admin' }));
    now = NOW;
    const preview = await ok(core.dispatch('publish.preview', {}, { actor: 'pat' }));
    assert.deepEqual(preview.listingsInForce, { RBL: 3, DUL: 0, QIL: 2, MML: 0, GAL: 0 });
    now = NOW + 90 * 60_000;
    const later = await ok(core.dispatch('publish.preview', {}, { actor: 'pat' }));
    assert.deepEqual(later.listingsInForce, { RBL: 4, DUL: 0, QIL: 1, MML: 0, GAL: 0 });
  });

  test('readListingsInForce reads IPv4 and IPv6 bounds exactly (edges of each family)', async () => {
    const ranges: Planned[] = [
      { list: 'RBL', family: 4, first: 0x01000000n, last: 0x010000ffn, reason: 'spam-source', txt: null, level: null }, // 1.0.0.0/24
      { list: 'RBL', family: 4, first: 0xdfffff00n, last: 0xdfffffffn, reason: 'spam-source', txt: null, level: null }, // 223.255.255.0/24
      { list: 'RBL', family: 6, first: 0x2a010000000000000000000000000000n, last: 0x2a01ffffffffffffffffffffffffffffn, reason: 'spam-source', txt: null, level: null },
      { list: 'MML', family: 6, first: 0x3fffffffffffffffffffffffffffff00n, last: 0x3fffffffffffffffffffffffffffffffn, reason: 'marketing', txt: 'x', level: null },
    ];
    const ids: number[] = [];
    for (const range of ranges) ids.push(await add(range));
    const listings = inForceAt(now);
    assert.deepEqual(
      listings.map(({ id, list, family, first, last, reason, txt, level }) => ({ id, list, family, first, last, reason, txt, level })),
      ranges.map((range, index) => ({ id: ids[index], ...range })),
    );
  });
});
