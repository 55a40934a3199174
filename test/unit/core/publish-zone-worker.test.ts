/**
 * A large publish writes the combined zones on a worker thread while the main thread writes the
 * lists' files. The worker must write exactly the bytes the main thread would: here the same
 * snapshot is written both ways (the worker forced on, and off) from random overlapping listings
 * of every list in both families, and every file compared byte for byte; and a value the writer
 * refuses in the worker comes back as the ZoneWriteError the main thread would have thrown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LISTS, REASONS_BY_LIST, type ListName } from '../../../shared/domain.js';
import { defaultSettings } from '../../../shared/settings.js';
import type { PublishedListing } from '../../../main/core/rule/listings-in-force.js';
import { resolveZones } from '../../../main/core/publish/resolve/resolve.js';
import { writeUnsignedSnapshot, zoneFileJobs, zoneOrigin, type SnapshotContent } from '../../../main/core/publish/write-folder.js';
import { claimNext, claimOrder, jobCost, sharedClaims, startZoneWorker, writeZoneFile } from '../../../main/core/publish/zone-files.js';
import { ZoneWriteError } from '../../../main/core/publish/zones/checks.js';
import { mulberry32, pick, randomInt } from '../support/random.js';

const CREATED = Date.UTC(2026, 11, 7, 12) / 1000;

/** Overlapping random listings on every list: IPv4 in 45.0.0.0/8 and 81.0.0.0/8, IPv6 in 2a01::/16. */
function randomListings(seed: number, count: number): PublishedListing[] {
  const random = mulberry32(seed);
  const listings: PublishedListing[] = [];
  for (let id = 1; id <= count; id += 1) {
    const list = pick(random, LISTS);
    const isV6 = random() < 0.2;
    const hostBits = pick(random, [0, 0, 0, 2, 8, 12]);
    let first: bigint;
    if (isV6) first = ((0x2a01n << 112n) | (BigInt(randomInt(random, 0, 0xffff)) << 80n) | BigInt(randomInt(random, 0, 0xffffff))) >> BigInt(hostBits) << BigInt(hostBits);
    else first = BigInt(((pick(random, [45, 81]) << 24) | randomInt(random, 0, 0x3ffff)) >>> 0) >> BigInt(hostBits) << BigInt(hostBits);
    const last = first + (1n << BigInt(hostBits)) - 1n;
    listings.push({
      id,
      list,
      family: isV6 ? 6 : 4,
      first,
      last,
      reason: pick(random, REASONS_BY_LIST[list as ListName]),
      txt: random() < 0.1 ? `case ${id}: listed $` : null,
      level: list === 'QIL' ? randomInt(random, 1, 4) : null,
    });
  }
  return listings;
}

/** Every file of a folder with its bytes. */
function filesOf(folder: string): Map<string, Buffer> {
  return new Map(readdirSync(folder).sort().map((name) => [name, readFileSync(join(folder, name))]));
}

/** A snapshot's content from random listings, into `folder`. */
function snapshotContent(folder: string, zoneWorkerFromSegments: number, stages: string[]): SnapshotContent {
  const settings = defaultSettings();
  const resolution = resolveZones(randomListings(11, 6000), settings);
  return {
    folder,
    serial: 2026120701,
    zone: 'bl.example',
    settings,
    resolution,
    listingsInForce: Object.fromEntries(LISTS.map((list) => [list, resolution.inForce[list].length])) as Record<ListName, number>,
    created: CREATED,
    expires: CREATED + 72 * 3600,
    previousManifestSha256: null,
    preparedBy: 'pat',
    approvedBy: null,
    history: { event: 7, hash: 'ab'.repeat(32) },
    checkpoint: null,
    progress: ({ stage }) => stages.push(stage),
    zoneWorkerFromSegments,
  };
}

test('the zone files written on two threads are byte for byte those the main thread alone writes, and the manifest is the same', async () => {
  const root = mkdtempSync(join(tmpdir(), 'repdesk-zone-worker-'));
  try {
    const write = async (name: string, zoneWorkerFromSegments: number) => {
      const folder = join(root, name);
      mkdirSync(folder);
      const stages: string[] = [];
      const unsigned = await writeUnsignedSnapshot(snapshotContent(folder, zoneWorkerFromSegments, stages), 'ABCDEF0123456789');
      return { folder, unsigned, stages };
    };
    const onMain = await write('main', Number.POSITIVE_INFINITY);
    const withWorker = await write('worker', 0);
    const expected = filesOf(onMain.folder);
    assert.equal(expected.size, 23, 'every list in both formats and families, the combined zones, the manifest');
    const combined = expected.get('combined.v4.zone')?.toString('utf8') ?? '';
    assert.ok(combined.startsWith(`$ORIGIN ${zoneOrigin('bl.example', 'combined', 4)}.`) && combined.split('\n').length > 1000, 'the combined zone holds the listings');
    const actual = filesOf(withWorker.folder);
    assert.deepEqual([...actual.keys()], [...expected.keys()]);
    for (const [name, bytes] of expected) assert.ok(actual.get(name)?.equals(bytes), `${name} is the same`);
    assert.deepEqual(withWorker.unsigned.files, onMain.unsigned.files);
    // Alone, the main thread names every file as it starts it, costliest first, then signs.
    assert.equal(onMain.stages.length, 23);
    assert.equal(new Set(onMain.stages.slice(0, -1).filter((stage) => /^writing .+ IPv[46] \((BIND|rbldnsd)\)$/.test(stage))).size, 22, onMain.stages.join(' | '));
    assert.equal(onMain.stages.at(-1), 'signing');
    // With the worker, the files it took are not named here, and the last stage waits for it.
    assert.equal(withWorker.stages.at(-1), 'signing');
    assert.ok(withWorker.stages.slice(0, -1).every((stage) => /^writing /.test(stage)), withWorker.stages.join(' | '));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('files are taken costliest first, and those the worker writes while the main thread writes another are the same bytes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'repdesk-zone-worker-'));
  try {
    const alone = join(root, 'alone');
    const shared = join(root, 'shared');
    mkdirSync(alone);
    mkdirSync(shared);
    await writeUnsignedSnapshot(snapshotContent(alone, Number.POSITIVE_INFINITY, []), 'ABCDEF0123456789');
    const jobs = zoneFileJobs(snapshotContent(shared, 0, []));
    const order = [...claimOrder(jobs)];
    assert.deepEqual([...order].sort((a, b) => a - b), [...jobs.keys()], 'every file once');
    for (let position = 1; position < order.length; position += 1) assert.ok(jobCost(jobs[order[position - 1]]) >= jobCost(jobs[order[position]]), `${jobs[order[position]].path} after a costlier file`);
    // This thread takes the first file before the worker starts: the worker writes all the others meanwhile.
    const claims = sharedClaims(jobs);
    const mine = claimNext(claims);
    const worker = startZoneWorker(shared, jobs, claims);
    try {
      const own = writeZoneFile(shared, jobs[mine]);
      await own.synced;
      const theirs = await worker.files;
      assert.equal(claimNext(claims), -1, 'nothing left once the worker is done');
      assert.equal(theirs.length, jobs.length - 1);
      assert.deepEqual(new Set(theirs.map(([job]) => job)), new Set(order.slice(1)));
      const entries = new Map([[mine, own.entry], ...theirs]);
      for (const [job, entry] of entries) assert.equal(entry.path, jobs[job].path);
    } finally {
      await worker.stop();
    }
    const expected = filesOf(alone);
    expected.delete('manifest.json');
    const actual = filesOf(shared);
    assert.deepEqual([...actual.keys()], [...expected.keys()]);
    for (const [name, bytes] of expected) assert.ok(actual.get(name)?.equals(bytes), `${name} is the same`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a value the writer refuses on the worker thread is the ZoneWriteError it is on the main thread, and no file is taken after it', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-zone-worker-'));
  try {
    const zones = resolveZones(randomListings(12, 50), { ...defaultSettings(), returnCodes: { ...defaultSettings().returnCodes, RBL: '127.0.0.02' } }).zones;
    const parameters = {
      origin: 'bl.example',
      family: 4 as const,
      serial: 2026120701,
      nameServers: ['ns1.bl.example'],
      hostmaster: 'hostmaster.bl.example',
      ttl: 2100,
      refresh: 3600,
      retry: 900,
      expire: 604800,
      negativeTtl: 300,
      created: CREATED,
      expires: CREATED + 3600,
    };
    const combinedOf = zones.filter((zone) => zone.name !== 'GAL');
    const jobs = [
      { path: 'combined.v4.zone', format: 'bind' as const, zone: 'combined' as const, family: 4 as const, parameters, content: { combinedOf } },
      { path: 'rbl.v4.zone', format: 'bind' as const, zone: 'RBL' as const, family: 4 as const, parameters, content: { segments: zones[0].segments[4] } },
    ];
    const claims = sharedClaims(jobs);
    const worker = startZoneWorker(folder, jobs, claims);
    try {
      await assert.rejects(worker.files, (error: unknown) => error instanceof ZoneWriteError && /A value "127\.0\.0\.02" is not an IPv4 address/.test(error.message));
      assert.equal(claimNext(claims), -1, 'the claims are stopped');
    } finally {
      await worker.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
