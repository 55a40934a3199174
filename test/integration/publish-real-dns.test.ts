/**
 * Publishing end to end against the real tools: a seeded database of overlapping listings on
 * every list is published through `repdesk publish`, checked with the stock `minisign -V`,
 * verified and installed with `repdesk verify` / `repdesk install`, loaded into rbldnsd (every
 * rbldnsd file, the combined zone as repeated datasets) and NSD (every master-format zone), and
 * thousands of answers from both are compared with a brute-force oracle over the listings the
 * test created. Then: tampering, key rotation, rollback and expiry refusals, rbldnsd picking up
 * a newer install, and crash safety at every named point of the write.
 *
 * Needs rbldnsd, nsd, dig (bind9-dnsutils) and minisign; a missing one fails the run with the
 * package to install.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddress, type Family } from '../../shared/address.js';
import type { ListName, Reason } from '../../shared/domain.js';
import type { ListingView } from '../../shared/listings.js';
import type { PublishResult, SafetyCheck } from '../../shared/publishing.js';
import type { Settings } from '../../shared/settings.js';
import { createCore, type Core } from '../../main/core/app.js';
import { sql, type Sql } from '../../main/core/db/sql.js';
import { readSettings } from '../../main/core/settings/settings.js';
import { readSecretKeyFile, parseSecretKey, sign, keySigner } from '../../main/core/snapshot/index.js';
import { publishSnapshot } from '../../main/core/publish/publish.js';
import { queryName } from '../../main/core/publish/zones/names.js';
import { mulberry32, pick, randomBigint, randomInt } from '../unit/support/random.js';
import { describeRun, repdesk, repdeskJson, runProgram, type Run } from './support/cli.js';
import { binary, dig, freePort, intermediateNames, requireTools, ServerProcesses, writeNsdConfig, type Response, type Tool } from './support/dns.js';
import { PublishOracle, TEST_POINTS, isInForce, type OracleListing, type ZoneName } from './support/publish-oracle.js';

const TOOLS: readonly Tool[] = [
  ['rbldnsd', 'rbldnsd'],
  ['nsd', 'nsd'],
  ['nsd-checkzone', 'nsd'],
  ['dig', 'bind9-dnsutils'],
  ['minisign', 'minisign'],
];
const ZONE = 'bl.example';
const ZONES: readonly ZoneName[] = ['RBL', 'DUL', 'QIL', 'MML', 'GAL', 'combined'];
const BLOCKLIST_FILES = ['rbl', 'dul', 'qil', 'mml'] as const;
const LIST_FILES = [...BLOCKLIST_FILES, 'gal'] as const;
const BITS: Record<Family, number> = { 4: 32, 6: 128 };
const HOUR = 3_600_000;

/** Zone origins as the design names them. */
function originOf(zone: ZoneName, family: Family): string {
  const list = zone === 'combined' ? '' : `${zone.toLowerCase()}.`;
  return `${list}${family === 6 ? 'v6.' : ''}${ZONE}`;
}

// ---------------------------------------------------------------- the seeded database

const random = mulberry32(20261201);
const chance = (probability: number): boolean => random() < probability;

interface Range {
  first: bigint;
  last: bigint;
}

interface Planned extends Range {
  list: ListName;
  family: Family;
  reason: Reason;
  txt: string | null;
  level: number | null;
}

const TEXTS = [
  'trap hits from this host',
  'snowshoe "campaign" wave B',
  'compromised host; C&C seen',
  'relay test failed',
  'listed after complaints \u00e9t\u00e9',
  'proxy on port 8080',
  'bulk sender \\ no unsubscribe',
  'seen by 14 traps',
  'hosting abuse desk unresponsive',
  'bounce backscatter',
];
const REASONS: Record<ListName, readonly Reason[]> = {
  RBL: ['spam-source', 'spam-support', 'open-relay', 'open-proxy', 'botnet'],
  DUL: ['dynamic'],
  QIL: ['botnet', 'spam-source'],
  MML: ['marketing'],
  GAL: ['approved'],
};
/** Public /8s (none of them special-purpose) for IPv4 clusters, and public /16s for IPv6 ones. */
const IPV4_FIRST_OCTETS = [23, 31, 37, 45, 46, 62, 77, 78, 80, 81, 85, 89, 91, 93, 94, 109, 141, 146, 151, 176, 185, 188, 193, 194, 212, 213, 217];
/** The widest blocks the safety check lets through (settings: /8 and /19), kept apart from the clusters. */
const WIDEST: Record<Family, Range> = {
  4: { first: 178n << 24n, last: (179n << 24n) - 1n },
  6: { first: 0x2a0en << 112n, last: (0x2a0en << 112n) + (1n << 109n) - 1n },
};
const IPV6_TOP_GROUPS = [0x2a01n, 0x2a02n, 0x2a03n, 0x2a05n, 0x2600n, 0x2604n, 0x2c0fn, 0x2400n, 0x2405n];

/** Prefix lengths of the shapes a cluster is made of, per family. */
const SHAPES: Record<Family, { region: number; dulNested: number[]; rbl: number[]; nestedBy: number[]; qil: number; mml: number[]; gal: number[]; unaligned: bigint }> = {
  4: { region: 16, dulNested: [20, 22, 23], rbl: [24], nestedBy: [2, 4, 6, 7], qil: 24, mml: [27, 28], gal: [29, 30, 31], unaligned: 700n },
  6: { region: 44, dulNested: [46, 48, 52], rbl: [48, 56, 64], nestedBy: [2, 4, 8, 16, 62, 63], qil: 64, mml: [56, 60], gal: [124, 126, 127], unaligned: 1n << 70n },
};

function shuffled<T>(values: readonly T[]): T[] {
  const result = [...values];
  for (let index = result.length - 1; index > 0; index -= 1) {
    const other = randomInt(random, 0, index);
    [result[index], result[other]] = [result[other], result[index]];
  }
  return result;
}

function sizeOf(family: Family, prefix: number): bigint {
  return 1n << BigInt(BITS[family] - prefix);
}

function pointIn(range: Range): bigint {
  return randomBigint(random, range.first, range.last);
}

/** A random aligned /prefix block inside `within`, or null when none fits where the dice fell. */
function blockIn(family: Family, within: Range, prefix: number): Range | null {
  const size = sizeOf(family, prefix);
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const value = pointIn(within);
    const first = value - (value % size);
    if (first >= within.first && first + size - 1n <= within.last) return { first, last: first + size - 1n };
  }
  return null;
}

/** The range as `repdesk listing add` takes it: an address, a CIDR, or `a-b`. */
function rangeText(family: Family, range: Range): string {
  if (range.first === range.last) return formatAddress(family, range.first);
  const size = range.last - range.first + 1n;
  if ((size & (size - 1n)) === 0n && range.first % size === 0n) return `${formatAddress(family, range.first)}/${BITS[family] - (size.toString(2).length - 1)}`;
  return `${formatAddress(family, range.first)}-${formatAddress(family, range.last)}`;
}

class Plan {
  readonly listings: Planned[] = [];
  private readonly keys = new Set<string>();

  add(list: ListName, family: Family, range: Range | null, options: { txt?: string | null; level?: number } = {}): Planned | null {
    if (range === null) return null;
    const key = `${list}/${range.first}/${range.last}`;
    if (this.keys.has(key)) return null;
    this.keys.add(key);
    const planned: Planned = {
      list,
      family,
      first: range.first,
      last: range.last,
      reason: pick(random, REASONS[list]),
      txt: options.txt === undefined ? (chance(0.85) ? pick(random, TEXTS) : null) : options.txt,
      level: list === 'QIL' ? (options.level ?? randomInt(random, 1, 4)) : null,
    };
    this.listings.push(planned);
    return planned;
  }
}

/** One cluster: a DUL pool with RBL blocks, nested entries and singles inside, overlapping QIL levels, MML, and GAL holes. */
function planCluster(plan: Plan, family: Family, region: Range): void {
  const shape = SHAPES[family];
  const bits = BITS[family];
  const inCluster: Planned[] = [];
  const keep = (planned: Planned | null): void => {
    if (planned !== null) inCluster.push(planned);
  };
  if (chance(0.85)) keep(plan.add('DUL', family, region, { txt: 'dynamic pool of the access ISP' }));
  for (let count = randomInt(random, 1, 2); count > 0; count -= 1) {
    keep(plan.add('DUL', family, blockIn(family, region, pick(random, shape.dulNested)), { txt: 'business pool, still dynamic' }));
  }

  const rblBlocks: Planned[] = [];
  for (let count = randomInt(random, 2, 4); count > 0; count -= 1) {
    const prefix = pick(random, shape.rbl);
    const block = plan.add('RBL', family, blockIn(family, region, prefix));
    if (block === null) continue;
    rblBlocks.push(block);
    keep(block);
    for (let singles = randomInt(random, 0, 3); singles > 0; singles -= 1) {
      const value = pointIn(block);
      keep(plan.add('RBL', family, { first: value, last: value }));
    }
    if (chance(0.6)) {
      const nested = plan.add('RBL', family, blockIn(family, block, Math.min(bits - 1, prefix + pick(random, shape.nestedBy))));
      keep(nested);
      if (nested !== null && chance(0.5)) {
        const value = pointIn(nested);
        keep(plan.add('RBL', family, { first: value, last: value }));
      }
    }
  }
  if (rblBlocks.length === 0) return;
  const anchor = rblBlocks[0];
  if (chance(0.4)) {
    // a wider RBL block around the first one: nesting the other way round
    const size = (anchor.last - anchor.first + 1n) * 4n;
    const first = anchor.first - (anchor.first % size);
    keep(plan.add('RBL', family, { first, last: first + size - 1n }, { txt: 'whole allocation of a spam operation' }));
  }
  if (chance(0.6)) {
    const first = anchor.first + randomBigint(random, 1n, (anchor.last - anchor.first) / 2n);
    const last = first + randomBigint(random, 10n, shape.unaligned);
    keep(plan.add('RBL', family, { first, last: last > region.last ? region.last : last }));
  }
  if (chance(0.5)) {
    // two adjacent halves with the same text: one answer over the whole block
    const block = blockIn(family, region, pick(random, shape.rbl));
    if (block !== null) {
      const middle = block.first + (block.last - block.first + 1n) / 2n;
      keep(plan.add('RBL', family, { first: block.first, last: middle - 1n }, { txt: 'adjacent halves, one text' }));
      keep(plan.add('RBL', family, { first: middle, last: block.last }, { txt: 'adjacent halves, one text' }));
    }
  }

  // two overlapping ranges of the same size on one list (and, on QIL, one level): the lower id speaks where they meet
  for (const list of ['RBL', 'QIL'] as const) {
    const first = pointIn(anchor);
    const span = randomBigint(random, 8n, shape.unaligned);
    const level = randomInt(random, 1, 4);
    keep(plan.add(list, family, { first, last: first + span - 1n }, { level }));
    keep(plan.add(list, family, { first: first + span / 2n, last: first + span / 2n + span - 1n }, { level }));
  }

  const qil = plan.add('QIL', family, blockIn(family, region, shape.qil), { level: randomInt(random, 2, 4) });
  if (qil !== null) {
    keep(qil);
    const size = qil.last - qil.first + 1n;
    keep(plan.add('QIL', family, blockIn(family, qil, shape.qil + 2), { level: 1 }));
    const value = pointIn(qil);
    keep(plan.add('QIL', family, { first: value, last: value }, { level: 3 }));
    const wider = qil.first - (qil.first % (size * 2n));
    keep(plan.add('QIL', family, { first: wider, last: wider + size * 2n - 1n }, { level: 4 }));
    // half in, half out of the first QIL block, at a level between
    keep(plan.add('QIL', family, { first: qil.first + size / 2n, last: qil.last + size / 2n }, { level: 2 }));
  }
  keep(plan.add('QIL', family, blockIn(family, anchor, Math.min(bits - 1, pick(random, shape.rbl) + 1))));

  const mml = plan.add('MML', family, blockIn(family, region, pick(random, shape.mml)));
  keep(mml);
  for (let singles = randomInt(random, 1, 2); singles > 0; singles -= 1) {
    const value = pointIn(mml ?? region);
    keep(plan.add('MML', family, { first: value, last: value }));
  }
  const value = pointIn(region);
  keep(plan.add('MML', family, { first: value, last: value }));
  if (chance(0.5)) {
    const first = pointIn(anchor);
    keep(plan.add('MML', family, { first, last: first + randomBigint(random, 1n, shape.unaligned) }));
  }

  // GAL entries inside blocklist ranges: they must punch holes in every blocklist zone
  const blocklisted = inCluster.filter((planned) => planned.list !== 'GAL');
  for (let singles = randomInt(random, 2, 3); singles > 0; singles -= 1) {
    const value = pointIn(pick(random, blocklisted));
    plan.add('GAL', family, { first: value, last: value });
  }
  const host = pick(random, blocklisted.filter((planned) => planned.last - planned.first >= sizeOf(family, 28)));
  if (host !== undefined) plan.add('GAL', family, blockIn(family, host, pick(random, shape.gal)));
  const single = blocklisted.find((planned) => planned.first === planned.last);
  if (single !== undefined && chance(0.5)) plan.add('GAL', family, { first: single.first, last: single.last });
}

/** A whole /8 and a whole /19 on DUL with entries of every list inside. */
function planWidest(plan: Plan, family: Family): void {
  const region = WIDEST[family];
  plan.add('DUL', family, region, { txt: 'the widest block allowed' });
  const nested = plan.add('DUL', family, blockIn(family, region, family === 4 ? 20 : 32), { txt: 'a carrier pool inside it' });
  const rbl = plan.add('RBL', family, blockIn(family, region, family === 4 ? 24 : 48));
  for (const host of [nested, rbl]) {
    if (host === null) continue;
    const value = pointIn(host);
    plan.add('GAL', family, { first: value, last: value });
    plan.add('QIL', family, { first: value, last: value + 3n });
  }
  plan.add('MML', family, blockIn(family, region, family === 4 ? 28 : 64));
}

function planDatabase(): Plan {
  const plan = new Plan();
  planWidest(plan, 4);
  planWidest(plan, 6);
  const firstOctets = [...IPV4_FIRST_OCTETS];
  for (let cluster = 0; cluster < 10; cluster += 1) {
    const octet = firstOctets.splice(randomInt(random, 0, firstOctets.length - 1), 1)[0];
    const first = (BigInt(octet) << 24n) | (BigInt(randomInt(random, 0, 255)) << 16n);
    planCluster(plan, 4, { first, last: first + sizeOf(4, 16) - 1n });
  }
  for (let cluster = 0; cluster < 7; cluster += 1) {
    const first = (IPV6_TOP_GROUPS[cluster] << 112n) | (BigInt(randomInt(random, 0, 0xffff)) << 96n) | (BigInt(randomInt(random, 0, 0xfff)) << 84n);
    planCluster(plan, 6, { first, last: first + sizeOf(6, 44) - 1n });
  }
  return plan;
}

// ---------------------------------------------------------------- state shared by the steps

const servers = new ServerProcesses();
const ports = { rbldnsd: 0, nsd: 0 };
let workspace = '';
let database = '';
let out = '';
let target = '';
let key = '';
let newKey = '';
let keyId = '';
let newKeyId = '';
let settings: Settings;
const listings: OracleListing[] = [];
let firstPublish: PublishResult | null = null;
let secondPublish: PublishResult | null = null;
/** Listings added between the first and the second publish, one per family. */
const addedLater: OracleListing[] = [];

const as = (actor: string, ...args: string[]): string[] => ['--db', database, '--actor', actor, ...args];

/** Create a listing through the core's dispatch table (the CLI's own path, without reopening the database per listing). */
async function addListing(core: Core, planned: Planned): Promise<OracleListing> {
  const result = await core.dispatch('listings.add', {
    range: rangeText(planned.family, planned),
    list: planned.list,
    reason: planned.reason,
    txt: planned.txt ?? undefined,
    level: planned.level ?? undefined,
  }, { actor: 'Alice' });
  if (!result.ok) throw new Error(`listing ${rangeText(planned.family, planned)} on ${planned.list}: ${result.error.message}`);
  const { listing } = result.value;
  assert.equal(listing.range, rangeText(planned.family, planned), 'the listing has the range that was asked for');
  return {
    id: listing.id,
    list: planned.list,
    family: planned.family,
    first: planned.first,
    last: planned.last,
    reason: planned.reason,
    txt: planned.txt,
    level: planned.level,
    status: 'active',
    suppressedUntil: null,
    expiresAt: listing.expiresAt === null ? null : new Date(listing.expiresAt),
  };
}

/** Apply status changes the CLI has no command for yet, straight in the database (listing rows allow status updates). */
function updateDatabase(work: (run: (query: Sql) => void) => void): void {
  const core = createCore({ databasePath: database });
  try {
    core.connection.write.transaction((db) => work((query) => db.run(query)));
  } finally {
    core.close();
  }
}

function currentSerial(folder: string): number {
  return (JSON.parse(readFileSync(join(folder, 'current', 'manifest.json'), 'utf8')) as { serial: number }).serial;
}

async function publish(keyFile: string): Promise<PublishResult> {
  return repdeskJson<PublishResult>(as('Alice', 'publish', '--out', out, '--key', keyFile, '--zone', ZONE));
}

function oracleNow(extra: readonly OracleListing[] = []): PublishOracle {
  return new PublishOracle([...listings, ...extra], settings, new Date());
}

before(async () => {
  requireTools(TOOLS);
  workspace = mkdtempSync(join(tmpdir(), 'repdesk-publish-'));
  // rbldnsd drops to user rbldns: every folder on the way to its data must be world-readable
  chmodSync(workspace, 0o755);
  database = join(workspace, 'repdesk.db');
  out = join(workspace, 'out');
  target = join(workspace, 'dns-host');
  key = join(workspace, 'publisher.key');
  newKey = join(workspace, 'publisher-2027.key');

  const alice = await repdesk(['--db', database, 'investigator', 'add', 'Alice', '--roles', 'investigator,liaison,reviewer,publisher']);
  assert.equal(alice.code, 0, describeRun(alice));
  settings = await repdeskJson<Settings>(['--db', database, 'settings', 'get']);

  const core = createCore({ databasePath: database });
  try {
    for (const planned of planDatabase().listings) listings.push(await addListing(core, planned));
  } finally {
    core.close();
  }

  // status changes: a few of each kind on listings picked at random (nearly every listing overlaps others)
  const order = shuffled(listings.map((listing) => listing.id));
  const byId = new Map(listings.map((listing) => [listing.id, listing]));
  const now = Date.now();
  const qil = order.filter((id) => byId.get(id)?.list === 'QIL');
  const expiredQil = qil.slice(0, 6);
  const others = order.filter((id) => !expiredQil.includes(id));
  const delisted = others.slice(0, 6);
  const suppressed = others.slice(6, 12);
  const lapsed = others.slice(12, 16);
  for (const id of delisted) {
    const run = await repdesk(as('Alice', 'listing', 'delist', String(id), '--why', 'the operator cleaned the host'));
    assert.equal(run.code, 0, describeRun(run));
    (byId.get(id) as OracleListing).status = 'delisted';
  }
  updateDatabase((run) => {
    for (const id of suppressed) {
      const until = new Date(now + 7 * 24 * HOUR);
      run(sql`UPDATE listings SET status = 'suppressed', suppressed_until = ${until.toISOString()} WHERE id = ${id}`);
      Object.assign(byId.get(id) as OracleListing, { status: 'suppressed', suppressedUntil: until });
    }
    for (const id of lapsed) {
      const until = new Date(now - 2 * HOUR);
      run(sql`UPDATE listings SET status = 'suppressed', suppressed_until = ${until.toISOString()} WHERE id = ${id}`);
      Object.assign(byId.get(id) as OracleListing, { status: 'suppressed', suppressedUntil: until });
    }
    for (const id of expiredQil) {
      const expired = new Date(now - HOUR);
      run(sql`UPDATE listings SET expires_at = ${expired.toISOString()} WHERE id = ${id}`);
      (byId.get(id) as OracleListing).expiresAt = expired;
    }
  });
});

after(async () => {
  await servers.stopAll();
  if (workspace !== '') rmSync(workspace, { recursive: true, force: true });
});

// ---------------------------------------------------------------- the steps

test('the seeded database has overlapping IPv4 and IPv6 listings on every list, and listings out of force', () => {
  const now = new Date();
  for (const list of ['RBL', 'DUL', 'QIL', 'MML', 'GAL'] as const) {
    for (const family of [4, 6] as const) {
      const ofList = listings.filter((listing) => listing.list === list && listing.family === family && isInForce(listing, now));
      assert.ok(ofList.length >= 5, `${list} IPv${family}: ${ofList.length} listings in force`);
      if (list === 'GAL') continue;
      const nested = ofList.filter((inner) => ofList.some((outer) => outer !== inner && outer.first <= inner.first && inner.last <= outer.last && outer.txt !== inner.txt));
      assert.ok(nested.length >= 3, `${list} IPv${family}: nested ranges with another text`);
    }
  }
  const qil = listings.filter((listing) => listing.list === 'QIL' && isInForce(listing, now));
  const levelOverlaps = qil.filter((a) => qil.some((b) => a.level !== b.level && a.first <= b.last && b.first <= a.last));
  assert.ok(levelOverlaps.length >= 10, 'QIL entries at different levels overlap');
  const inForce = listings.filter((listing) => isInForce(listing, now));
  const ties = inForce.filter((a) => inForce.some((b) => a.id < b.id && a.list === b.list && a.level === b.level && a.first < b.first && b.first <= a.last && a.last - a.first === b.last - b.first));
  assert.ok(ties.length >= 10, `overlapping ranges of equal size on one list: ${ties.length}`);
  const gal = listings.filter((listing) => listing.list === 'GAL' && isInForce(listing, now));
  const galInside = gal.filter((entry) => listings.some((listing) => listing.list !== 'GAL' && isInForce(listing, now) && listing.first <= entry.first && entry.last <= listing.last));
  assert.ok(galInside.length >= 10, 'GAL entries inside blocklist ranges');
  const dulWithRbl = listings.filter((dul) => dul.list === 'DUL' && dul.family === 4 && dul.last - dul.first === 0xffffn
    && listings.some((rbl) => rbl.list === 'RBL' && dul.first <= rbl.first && rbl.last <= dul.last && rbl.first === rbl.last));
  assert.ok(dulWithRbl.length >= 3, 'DUL /16s with RBL singles inside');
  assert.equal(listings.filter((listing) => listing.status === 'delisted').length, 6);
  assert.equal(listings.filter((listing) => listing.status === 'suppressed' && !isInForce(listing, now)).length, 6);
  assert.equal(listings.filter((listing) => listing.status === 'suppressed' && isInForce(listing, now)).length, 4);
  assert.equal(listings.filter((listing) => listing.list === 'QIL' && listing.expiresAt !== null && listing.expiresAt <= now).length, 6);
  assert.ok(listings.length >= 300, `${listings.length} listings`);
});

test('repdesk keygen and publish: published, serial, safety report, every file in the manifest', async (context) => {
  const generated = await repdeskJson<{ keyId: string; publicKey: string }>(['keygen', '--out', key, '--unencrypted']);
  keyId = generated.keyId;
  assert.equal(generated.publicKey, `${key}.pub`);
  assert.match(keyId, /^[1-9A-F][0-9A-F]{0,15}$/);

  const result = await publish(key);
  firstPublish = result;
  assert.equal(result.published, true, JSON.stringify(result.safety));
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  assert.match(String(result.serial), new RegExp(`^${today}\\d\\d$`));
  assert.equal(result.path, join(out, String(result.serial)));
  assert.equal(readlinkSync(join(out, 'current')), String(result.serial));
  assert.equal(result.keyId, keyId);
  assert.equal(result.zone, ZONE);

  const checks = new Map<string, SafetyCheck>(result.safety.map((check) => [check.name, check]));
  assert.deepEqual([...checks.keys()].sort(), ['change-size', 'gal-conflicts', 'no-whole-space', 'special-space', 'test-points']);
  for (const name of ['test-points', 'no-whole-space', 'special-space', 'change-size']) assert.equal(checks.get(name)?.status, 'pass', `${name}: ${checks.get(name)?.message}`);
  const galConflicts = checks.get('gal-conflicts') as SafetyCheck;
  assert.equal(galConflicts.status, 'warn', galConflicts.message);
  assert.ok(galConflicts.items.length > 0 && galConflicts.items.every((item) => / overlaps GAL /.test(item)), galConflicts.items.join('\n'));

  const now = new Date();
  for (const list of ['RBL', 'DUL', 'QIL', 'MML', 'GAL'] as const) {
    assert.equal(result.listingsInForce[list], listings.filter((listing) => listing.list === list && isInForce(listing, now)).length, `${list} listings in force`);
  }

  const expectedFiles = [
    ...LIST_FILES.flatMap((name) => [`${name}.ip4trie`, `${name}.ip6trie`, `${name}.v4.zone`, `${name}.v6.zone`]),
    'combined.v4.zone',
    'combined.v6.zone',
  ].sort();
  assert.deepEqual(result.files.map((file) => file.path).sort(), expectedFiles);
  for (const file of result.files) {
    const zone: ZoneName = file.zone;
    const isRbldnsd = file.path.endsWith('trie');
    assert.equal(file.format, isRbldnsd ? 'rbldnsd' : 'bind', file.path);
    assert.equal(file.dataset, isRbldnsd ? `ip${file.family}trie` : null, file.path);
    assert.equal(file.path.startsWith(zone.toLowerCase()), true, file.path);
    assert.equal(file.family, /ip4trie|v4\.zone/.test(file.path) ? 4 : 6, file.path);
    assert.equal(file.origin, originOf(zone, file.family), file.path);
    assert.ok(file.entries > 0, file.path);
    const bytes = readFileSync(join(out, 'current', file.path));
    assert.equal(bytes.length, file.size, `${file.path} size`);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), file.sha256, `${file.path} sha256`);
  }
  assert.deepEqual(readdirSync(join(out, 'current')).sort(), [...expectedFiles, 'manifest.json', 'manifest.json.minisig'].sort());

  const manifest = JSON.parse(readFileSync(join(out, 'current', 'manifest.json'), 'utf8')) as {
    serial: number; zone: string; keyId: string; expires: string; previousManifestSha256: string | null;
    lists: Record<string, { origin: string; originV6: string; returnCode: string; kind: string }>; combined: { origin: string; originV6: string; lists: string[] };
  };
  assert.equal(manifest.serial, result.serial);
  assert.equal(manifest.zone, ZONE);
  assert.equal(manifest.keyId, keyId);
  assert.equal(manifest.previousManifestSha256, null);
  assert.ok(Date.parse(manifest.expires) > Date.now() + 24 * HOUR);
  assert.deepEqual(
    Object.fromEntries(Object.entries(manifest.lists).map(([list, entry]) => [list, [entry.origin, entry.originV6, entry.returnCode, entry.kind]])),
    {
      RBL: ['rbl.bl.example', 'rbl.v6.bl.example', '127.0.0.2', 'block'],
      DUL: ['dul.bl.example', 'dul.v6.bl.example', '127.0.0.3', 'block'],
      QIL: ['qil.bl.example', 'qil.v6.bl.example', '127.0.1.L', 'block'],
      MML: ['mml.bl.example', 'mml.v6.bl.example', '127.0.0.4', 'block'],
      GAL: ['gal.bl.example', 'gal.v6.bl.example', '127.0.0.2', 'allow'],
    },
  );
  assert.deepEqual(manifest.combined, { origin: 'bl.example', originV6: 'v6.bl.example', lists: ['RBL', 'DUL', 'QIL', 'MML'] });
  context.diagnostic(`snapshot ${result.serial}: ${result.files.length} files, ${result.files.reduce((sum, file) => sum + file.entries, 0)} entries, ${galConflicts.message}`);
});

test('the stock minisign -V accepts the manifest signature (also requiring the prehashed form with -H)', () => {
  assert.ok(firstPublish?.published, 'the first publish failed');
  const manifest = join(out, 'current', 'manifest.json');
  for (const extra of [[], ['-H']]) {
    const run = runProgram(binary('minisign'), ['-Vm', manifest, '-p', `${key}.pub`, ...extra]);
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.out.join('\n'), new RegExp(`Trusted comment: repdesk snapshot ${firstPublish.serial} zone bl\\.example expires \\d{4}-`));
  }
});

test('repdesk install puts the verified snapshot into TARGET/current', async () => {
  assert.ok(firstPublish?.published, 'the first publish failed');
  const installed = await repdeskJson<{ serial: number; previousSerial: number | null; files: number }>(['install', join(out, 'current'), '--into', target, '--pubkey', `${key}.pub`]);
  assert.deepEqual({ serial: installed.serial, previousSerial: installed.previousSerial, files: installed.files }, { serial: firstPublish.serial, previousSerial: null, files: 22 });
  assert.equal(currentSerial(target), firstPublish.serial);
  for (const name of readdirSync(join(target, 'current'))) {
    assert.deepEqual(readFileSync(join(target, 'current', name)), readFileSync(join(out, 'current', name)), name);
  }
});

/** The rbldnsd command line: every list zone in both families, the combined zones as the four blocklist datasets under one name. */
function rbldnsdZones(): string[] {
  const zones: string[] = [];
  for (const family of [4, 6] as const) {
    const dataset = `ip${family}trie`;
    for (const name of LIST_FILES) zones.push(`${originOf(name.toUpperCase() as ListName, family)}:${dataset}:current/${name}.${dataset}`);
    for (const name of BLOCKLIST_FILES) zones.push(`${originOf('combined', family)}:${dataset}:current/${name}.${dataset}`);
  }
  return zones;
}

function masterZones(): Array<readonly [origin: string, file: string]> {
  return [4, 6].flatMap((family) => ZONES.map((zone) => [originOf(zone, family as Family), `${zone.toLowerCase()}.v${family}.zone`] as const));
}

test('rbldnsd and NSD load the installed files; nsd-checkzone accepts every master-format zone', async () => {
  assert.ok(firstPublish?.published, 'the first publish failed');
  for (const [origin, file] of masterZones()) {
    const run = runProgram(binary('nsd-checkzone'), [origin, join(target, 'current', file)]);
    assert.equal(run.code, 0, `${file}: ${describeRun(run)}`);
  }
  ports.rbldnsd = await freePort();
  ports.nsd = await freePort([ports.rbldnsd]);
  const rbldnsd = servers.start('rbldnsd', 'rbldnsd', ['-n', '-b', `127.0.0.1/${ports.rbldnsd}`, '-c', '1', '-w', target, ...rbldnsdZones()]);
  const nsdDirectory = join(workspace, 'nsd');
  mkdirSync(nsdDirectory);
  const nsd = servers.start('nsd', 'nsd', ['-d', '-c', writeNsdConfig(nsdDirectory, ports.nsd, join(target, 'current'), masterZones())]);
  const origins = [4, 6].flatMap((family) => ZONES.map((zone) => originOf(zone, family as Family)));
  await Promise.all([
    servers.waitForSoa('rbldnsd', ports.rbldnsd, origins, rbldnsd, workspace),
    servers.waitForSoa('nsd', ports.nsd, origins, nsd, workspace),
  ]);
});

const queryValueCache = new Map<Family, bigint[]>();

/** Addresses worth asking about: around every listing's edges, inside, the test points, and random ones (the same for every server). */
function queryValues(family: Family): bigint[] {
  const cached = queryValueCache.get(family);
  if (cached !== undefined) return cached;
  const values = new Set<bigint>([TEST_POINTS[family].listed, TEST_POINTS[family].unlisted]);
  const ofFamily = listings.filter((listing) => listing.family === family);
  for (const listing of ofFamily) {
    for (const value of [listing.first - 1n, listing.first, listing.last, listing.last + 1n, pointIn(listing)]) values.add(value);
  }
  for (let index = 0; index < 100; index += 1) values.add(randomBigint(random, 1n << BigInt(BITS[family] - 3), (1n << BigInt(BITS[family] - 1)) - 1n));
  while (values.size < 2000) values.add(pointIn(pick(random, ofFamily)));
  queryValueCache.set(family, [...values]);
  return [...values];
}

interface Comparison {
  compared: number;
  failures: string[];
}

function compareAnswers(server: 'rbldnsd' | 'nsd', family: Family, values: readonly bigint[], answers: Map<string, Response>, oracle: PublishOracle): Comparison {
  const failures: string[] = [];
  let compared = 0;
  for (const zone of ZONES) {
    const origin = originOf(zone, family);
    for (const value of values) {
      const name = queryName(family, value, origin);
      const expected = server === 'rbldnsd' ? oracle.expectRbldnsd(zone, family, value) : oracle.expectMaster(zone, family, value);
      const a = answers.get(`${name} A`);
      const txt = answers.get(`${name} TXT`);
      const got = { status: a?.status, a: a?.a, txtStatus: txt?.status, txt: txt === undefined ? undefined : [...new Set(txt.txt)] };
      const want = { status: expected.status, a: expected.a, txtStatus: expected.status, txt: expected.txt };
      compared += 2;
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${server} ${origin} ${formatAddress(family, value)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }
  return { compared, failures };
}

test('every answer of rbldnsd and NSD, in every zone and both families, is what the listings say', async (context) => {
  assert.ok(ports.nsd > 0, 'the servers did not start');
  const oracle = oracleNow();
  const jobs = (['rbldnsd', 'nsd'] as const).flatMap((server) =>
    ([4, 6] as const).map(async (family) => {
      const values = queryValues(family);
      const queries = ZONES.flatMap((zone) => values.flatMap((value) => {
        const name = queryName(family, value, originOf(zone, family));
        return [[name, 'A'], [name, 'TXT']] as const;
      }));
      const answers = await dig(ports[server], queries, workspace, `${server}-${family}`);
      return { server, family, addresses: values.length, listed: values.filter((value) => oracle.isListed('combined', family, value)).length, ...compareAnswers(server, family, values, answers, oracle) };
    }),
  );
  const results = await Promise.all(jobs);
  for (const result of results) {
    context.diagnostic(`${result.server} IPv${result.family}: ${result.addresses} addresses (${result.listed} listed in the combined zone) x ${ZONES.length} zones, ${result.compared} answers compared, ${result.failures.length} differ`);
  }
  for (const result of results) {
    assert.ok(result.compared >= 2000 * ZONES.length * 2, `${result.server} IPv${result.family}: only ${result.compared} answers`);
    assert.ok(result.listed >= 1000, `${result.server} IPv${result.family}: only ${result.listed} listed addresses asked`);
    assert.deepEqual(result.failures.slice(0, 12), [], `${result.server} IPv${result.family}: ${result.failures.length} of ${result.compared} answers differ`);
  }
});

test('NSD: names with fewer labels than an address, above listed addresses, are never NXDOMAIN', async (context) => {
  assert.ok(ports.nsd > 0, 'the servers did not start');
  const oracle = oracleNow();
  const probes: Array<{ zone: ZoneName; family: Family; name: string; bits: number; value: bigint }> = [];
  for (const family of [4, 6] as const) {
    const listed = queryValues(family);
    for (const zone of ZONES) {
      const inZone = listed.filter((value) => oracle.isListed(zone, family, value));
      for (let index = 0; index < inZone.length; index += Math.max(1, Math.floor(inZone.length / 40))) {
        const value = inZone[index];
        for (const { name, bits } of intermediateNames(family, value, originOf(zone, family))) probes.push({ zone, family, name, bits, value });
      }
    }
  }
  const answers = await dig(ports.nsd, probes.map(({ name }) => [name, 'A'] as const), workspace, 'intermediate');
  const counts: Record<string, number> = {};
  const failures: string[] = [];
  for (const probe of probes) {
    const response = answers.get(`${probe.name} A`);
    const kind = `${response?.status}/${(response?.a.length ?? 0) > 0 ? 'data' : 'nodata'}`;
    counts[kind] = (counts[kind] ?? 0) + 1;
    // deeper than the wildcard's owner: the wildcard answers; at or above it: an empty non-terminal
    const owner = oracle.ownerBits(probe.zone, probe.family, probe.value);
    const wanted = probe.bits > owner ? 'NOERROR/data' : 'NOERROR/nodata';
    if (kind !== wanted) failures.push(`${probe.name} (answered by a /${owner} name): got ${kind}, want ${wanted}`);
    else if (wanted === 'NOERROR/data') assert.deepEqual(response?.a, oracle.expectMaster(probe.zone, probe.family, probe.value).a, probe.name);
  }
  context.diagnostic(`intermediate names on NSD: ${probes.length} names, ${JSON.stringify(counts)}`);
  assert.ok(probes.length >= 1000, `only ${probes.length} intermediate names`);
  assert.deepEqual(failures.slice(0, 12), [], `${failures.length} of ${probes.length} intermediate names answer wrongly`);
});

function copySnapshot(name: string): string {
  const copy = join(workspace, name);
  cpSync(realpathSync(join(out, 'current')), copy, { recursive: true });
  return copy;
}

function assertRefused(run: Run, message: RegExp): void {
  assert.equal(run.code, 1, describeRun(run));
  assert.match(run.error.join('\n'), message, describeRun(run));
}

test('repdesk verify: a good snapshot passes; a changed zone byte, a changed manifest byte are refused', async () => {
  assert.ok(firstPublish?.published, 'the first publish failed');
  const good = await repdesk(['verify', join(out, 'current'), '--pubkey', `${key}.pub`]);
  assert.equal(good.code, 0, describeRun(good));
  assert.match(good.out.join('\n'), new RegExp(`snapshot ${firstPublish.serial} of bl\\.example: signature by ${keyId} good, 22 files intact`));

  const flipped = copySnapshot('flipped-zone-byte');
  const zoneFile = join(flipped, 'dul.v6.zone');
  const bytes = readFileSync(zoneFile);
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] ^= 0x01;
  writeFileSync(zoneFile, bytes);
  assertRefused(await repdesk(['verify', flipped, '--pubkey', `${key}.pub`]), /dul\.v6\.zone does not match its SHA-256/);

  const changedManifest = copySnapshot('changed-manifest-byte');
  const manifestFile = join(changedManifest, 'manifest.json');
  const text = readFileSync(manifestFile, 'utf8');
  writeFileSync(manifestFile, text.replace('"zone": "bl.example"', '"zone": "bl.exampme"'));
  assert.notEqual(readFileSync(manifestFile, 'utf8'), text);
  assertRefused(await repdesk(['verify', changedManifest, '--pubkey', `${key}.pub`]), /signature verification failed/);
  const stock = runProgram(binary('minisign'), ['-Vm', manifestFile, '-p', `${key}.pub`]);
  assert.notEqual(stock.code, 0, `minisign accepted a changed manifest: ${describeRun(stock)}`);
});

test('a newer snapshot installs, rbldnsd picks it up from TARGET/current, and the older one is refused as a rollback', async (context) => {
  assert.ok(firstPublish?.published, 'the first publish failed');
  const fresh = [
    { family: 4 as const, range: '5.188.10.7', value: 0x05bc0a07n },
    { family: 6 as const, range: '2a0c:5a40::17', value: (0x2a0c5a40n << 96n) | 0x17n },
  ];
  const oracleBefore = oracleNow();
  for (const { family, range, value } of fresh) {
    for (const zone of ZONES) assert.equal(oracleBefore.isListed(zone, family, value), false, `${range} must be new`);
    const { listing } = await repdeskJson<{ listing: ListingView }>(as('Alice', 'listing', 'add', range, '--list', 'RBL', '--reason', 'spam-source', '--txt', 'added between two publishes'));
    addedLater.push({ id: listing.id, list: 'RBL', family, first: value, last: value, reason: 'spam-source', txt: 'added between two publishes', level: null, status: 'active', suppressedUntil: null, expiresAt: null });
  }
  const names = fresh.flatMap(({ family, value }) => (['RBL', 'combined'] as const).map((zone) => ({ zone, family, value, name: queryName(family, value, originOf(zone, family)) })));
  const ask = async (tag: string) => dig(ports.rbldnsd, names.flatMap(({ name }) => [[name, 'A'], [name, 'TXT']] as const), workspace, tag);
  const beforeInstall = await ask('fresh-before');
  for (const { name } of names) assert.equal(beforeInstall.get(`${name} A`)?.status, 'NXDOMAIN', `${name} before the second install`);

  const result = await publish(key);
  secondPublish = result;
  assert.equal(result.published, true);
  assert.ok((result.serial ?? 0) > (firstPublish.serial ?? 0), 'a higher serial');
  assert.deepEqual(result.changes?.RBL, { added: 2, removed: 0, total: firstPublish.listingsInForce.RBL + 2 });
  const manifest = JSON.parse(readFileSync(join(out, 'current', 'manifest.json'), 'utf8')) as { previousManifestSha256: string };
  assert.equal(manifest.previousManifestSha256, createHash('sha256').update(readFileSync(join(out, String(firstPublish.serial), 'manifest.json'))).digest('hex'));

  const installed = await repdesk(['install', join(out, 'current'), '--into', target, '--pubkey', `${key}.pub`]);
  assert.equal(installed.code, 0, describeRun(installed));
  assert.equal(currentSerial(target), result.serial);

  const oracle = oracleNow(addedLater);
  const started = Date.now();
  let answers = await ask('fresh-after');
  while (names.some(({ name }) => answers.get(`${name} A`)?.status !== 'NOERROR') && Date.now() - started < 6000) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
    answers = await ask('fresh-after');
  }
  for (const { zone, family, value, name } of names) {
    const expected = oracle.expectRbldnsd(zone, family, value);
    assert.deepEqual({ status: answers.get(`${name} A`)?.status, a: answers.get(`${name} A`)?.a, txt: answers.get(`${name} TXT`)?.txt }, { status: 'NOERROR', a: expected.a, txt: expected.txt }, name);
  }
  context.diagnostic(`rbldnsd answered the new listings ${Date.now() - started} ms after the install`);

  const rollback = await repdesk(['install', join(out, String(firstPublish.serial)), '--into', target, '--pubkey', `${key}.pub`]);
  assertRefused(rollback, new RegExp(`snapshot ${firstPublish.serial} is not newer than the installed ${result.serial}: refusing a rollback`));
  assert.equal(currentSerial(target), result.serial);
});

/** A copy of the current snapshot with a new serial and expiry, its manifest signed again with the publisher's key. */
function resignedCopy(name: string, serial: number, expires: Date): string {
  const copy = copySnapshot(name);
  const manifestFile = join(copy, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  Object.assign(manifest, { serial, created: new Date(expires.getTime() - 3 * HOUR).toISOString(), expires: expires.toISOString() });
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  writeFileSync(manifestFile, bytes);
  const pair = parseSecretKey(readFileSync(key, 'utf8'), null);
  writeFileSync(join(copy, 'manifest.json.minisig'), sign(pair, bytes, `repdesk snapshot ${serial} zone ${ZONE} expires ${expires.toISOString()}`));
  return copy;
}

test('repdesk install refuses a snapshot whose manifest has expired', async () => {
  assert.ok(secondPublish?.published, 'the second publish failed');
  const serial = (secondPublish.serial ?? 0) + 50;
  const valid = resignedCopy('resigned-valid', serial, new Date(Date.now() + HOUR));
  const control = await repdesk(['install', valid, '--into', join(workspace, 'host-control'), '--pubkey', `${key}.pub`]);
  assert.equal(control.code, 0, `the re-signed copy itself must install: ${describeRun(control)}`);

  const expires = new Date(Date.now() - HOUR);
  const stale = resignedCopy('resigned-expired', serial, expires);
  const minisign = runProgram(binary('minisign'), ['-Vm', join(stale, 'manifest.json'), '-p', `${key}.pub`]);
  assert.equal(minisign.code, 0, `the expired copy is validly signed: ${describeRun(minisign)}`);
  assertRefused(await repdesk(['install', stale, '--into', join(workspace, 'host-stale'), '--pubkey', `${key}.pub`]), new RegExp(`snapshot ${serial} expired at ${expires.toISOString()}`));
  assert.equal(existsSync(join(workspace, 'host-stale', 'current')), false);
  assertRefused(await repdesk(['install', stale, '--into', target, '--pubkey', `${key}.pub`]), /expired/);
  assert.equal(currentSerial(target), secondPublish.serial);
});

test('key rotation: a snapshot signed by a new key verifies with --pubkey OLD --pubkey NEW, and is refused by the old key alone', async () => {
  assert.ok(secondPublish?.published, 'the second publish failed');
  const generated = await repdeskJson<{ keyId: string }>(['keygen', '--out', newKey, '--unencrypted']);
  newKeyId = generated.keyId;
  assert.notEqual(newKeyId, keyId);
  const result = await publish(newKey);
  assert.equal(result.published, true);
  assert.equal(result.keyId, newKeyId);

  const both = ['--pubkey', `${key}.pub`, '--pubkey', `${newKey}.pub`];
  const rotated = await repdesk(['verify', join(out, 'current'), ...both]);
  assert.equal(rotated.code, 0, describeRun(rotated));
  assert.match(rotated.out.join('\n'), new RegExp(`signature by ${newKeyId} good`));
  const older = await repdesk(['verify', join(out, String(secondPublish.serial)), ...both]);
  assert.equal(older.code, 0, describeRun(older));

  assertRefused(await repdesk(['verify', join(out, 'current'), '--pubkey', `${key}.pub`]), new RegExp(`signature was made with key ${newKeyId}, which is not among the trusted keys \\(${keyId}\\)`));
  assertRefused(await repdesk(['verify', join(out, String(secondPublish.serial)), '--pubkey', `${newKey}.pub`]), new RegExp(`made with key ${keyId}`));
  const stock = runProgram(binary('minisign'), ['-Vm', join(out, 'current', 'manifest.json'), '-p', `${newKey}.pub`]);
  assert.equal(stock.code, 0, describeRun(stock));
});

test('crash safety: a publish that dies at any point leaves the previous snapshot current and whole; the next one succeeds', async (context) => {
  assert.ok(newKeyId !== '', 'the rotation step failed');
  const trusted = ['--pubkey', `${key}.pub`, '--pubkey', `${newKey}.pub`];
  const signingKey = readSecretKeyFile(newKey, null);
  for (const failAt of ['prepared', 'files', 'manifest', 'signature', 'rename'] as const) {
    const previous = currentSerial(out);
    const core = createCore({ databasePath: database });
    try {
      const current = readSettings(core.connection.read);
      await assert.rejects(publishSnapshot(core.connection.write, current, new Date(), { out, signer: keySigner(signingKey), actor: 'Alice', zone: ZONE, failAt }), /simulated crash/, failAt);
    } finally {
      core.close();
    }
    assert.equal(readlinkSync(join(out, 'current')), String(previous), `${failAt}: current moved`);
    assert.equal(currentSerial(out), previous, failAt);
    const verified = await repdesk(['verify', join(out, 'current'), ...trusted]);
    assert.equal(verified.code, 0, `${failAt}: ${describeRun(verified)}`);
    // The attempt is rolled back: no folder of it (even one renamed into place but never made current), no record.
    const attempted = join(out, String(previous + 1));
    assert.equal(existsSync(attempted), false, `${failAt}: ${attempted} must not exist`);

    // a real crash leaves its temporary folder behind (the simulated one cleans up after itself)
    const leftover = join(out, `.incoming-${previous + 1}-99999`);
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'rbl.ip4trie'), 'half a zone');

    const next = await publish(newKey);
    assert.equal(next.published, true, failAt);
    assert.ok((next.serial ?? 0) > previous, `${failAt}: serial ${next.serial} after ${previous}`);
    assert.equal(currentSerial(out), next.serial, failAt);
    assert.deepEqual(readdirSync(out).filter((name) => name.startsWith('.')), [], `${failAt}: temporary folders left in ${out}`);
    const afterwards = await repdesk(['verify', join(out, 'current'), ...trusted]);
    assert.equal(afterwards.code, 0, `${failAt}: ${describeRun(afterwards)}`);
    context.diagnostic(`failAt ${failAt}: current stayed ${previous}; the next publish made ${next.serial}`);
  }
});
