/**
 * The zone writers against the real servers: rbldnsd loads the rbldnsd data, NSD and Knot load
 * the master-format zones, and thousands of answers are compared with a brute-force lookup over
 * the input segments. Needs rbldnsd, nsd, knot, knot-dnssecutils (kzonecheck) and
 * bind9-dnsutils (dig); a missing one fails the run with the package to install.
 */
import { mulberry32 } from '../unit/support/random.js';
import { masterOwnerPrefix, type OwnerCache, type RunAt } from './support/master-owner.js';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddress, formatCidr, maxAddress, rangeToCidrs, type Family } from '../../shared/address.js';
import type { ZoneAnswer, ZoneParameters } from '../../main/core/publish/zones/types.js';
import { queryName } from '../../main/core/publish/zones/names.js';
import { writeBindZone, writeRbldnsd, type Segment } from '../unit/support/zone-text.js';
import { binary, dig, freePort, intermediateNames, requireTools, ServerProcesses, writeKnotConfig, writeNsdConfig, type Tool } from './support/dns.js';

const TOOLS: readonly Tool[] = [
  ['rbldnsd', 'rbldnsd'],
  ['nsd', 'nsd'],
  ['nsd-checkzone', 'nsd'],
  ['knotd', 'knot'],
  ['kzonecheck', 'knot-dnssecutils'],
  ['dig', 'bind9-dnsutils'],
];
const ORIGIN4 = 'rbl.repdesk.test';
const ORIGIN6 = 'rbl6.repdesk.test';
const EXPIRING = 'expiring.repdesk.test';
const WITH_ENTS = 'ents.repdesk.test';

// ---------------------------------------------------------------- seeded data

const random = mulberry32(20261128);
const integer = (below: number): number => Math.floor(random() * below);
function randomBits(bits: number): bigint {
  let value = 0n;
  for (let done = 0; done < bits; done += 16) value = (value << 16n) | BigInt(integer(65536));
  return value & ((1n << BigInt(bits)) - 1n);
}
const pick = <T>(items: readonly T[]): T => items[integer(items.length)];

const RBL: ZoneAnswer = { a: '127.0.0.2', txt: 'Listed: see https://bl.example/q?ip=$' };
const DUL: ZoneAnswer = { a: '127.0.0.3', txt: 'Dynamic "range" \\ é; $ (ISP)' };
const MML: ZoneAnswer = { a: '127.0.0.4', txt: '#marketing $ and $ again' };
const QIL: ZoneAnswer = { a: '127.0.1.2', txt: '' };
/** One rbldnsd dataset (file) per list, as the combined zone is served there. */
const LISTS: readonly ZoneAnswer[] = [RBL, DUL, MML, QIL];
const ANSWER_CHOICES: ReadonlyArray<readonly ZoneAnswer[]> = [
  [RBL], [RBL], [RBL], [RBL], [RBL], [RBL], [DUL], [MML], [QIL], [RBL, DUL], [MML, QIL],
];
const LONG_TXT: ZoneAnswer = { a: '127.0.0.2', txt: `${'Long reason, '.repeat(45)}address $ end` };

interface Candidate { first: bigint; last: bigint }

/** Sorted, disjoint segments: candidates that overlap an earlier kept one are dropped. */
function resolve(candidates: Candidate[], fixed: Segment[]): Segment[] {
  const all = [...fixed.map((segment) => ({ ...segment, fixed: true })), ...candidates.map((candidate) => ({ ...candidate, answers: pick(ANSWER_CHOICES), fixed: false }))];
  all.sort((a, b) => (a.fixed === b.fixed ? 0 : a.fixed ? -1 : 1));
  const kept: Segment[] = [];
  for (const segment of all) {
    if (kept.some((other) => other.first <= segment.last && segment.first <= other.last)) continue;
    kept.push({ first: segment.first, last: segment.last, answers: segment.answers });
  }
  return kept.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
}

function aligned(base: bigint, prefix: number, bits: number, within: number): Candidate {
  const size = 1n << BigInt(bits - prefix);
  const offset = (randomBits(bits - within) / size) * size;
  const first = base + offset;
  return { first, last: first + size - 1n };
}

function clusterCandidates(family: Family, base: bigint, clusterBits: number): Candidate[] {
  const bits = family === 4 ? 32 : 128;
  const within = bits - clusterBits;
  const list: Candidate[] = [];
  let previous: Candidate | null = null;
  for (let index = 0; index < 9; index += 1) {
    const shape = integer(6);
    let candidate: Candidate;
    if (shape === 0) {
      const value = base + randomBits(clusterBits);
      candidate = { first: value, last: value };
    } else if (shape === 1) {
      const prefix = family === 4 ? pick([17, 20, 23, 24, 25, 26, 28, 30, 31]) : pick([within + 4, within + 8, 64, 124, 126, 127, 128]);
      candidate = aligned(base, Math.max(prefix, within), bits, within);
    } else if (shape === 2 && previous !== null && previous.last < base + (1n << BigInt(clusterBits)) - 1000n) {
      const first: bigint = previous.last + 1n;
      candidate = { first, last: first + randomBits(family === 4 ? 9 : 20) };
    } else if (shape === 3 && family === 6) {
      // an unaligned nibble range: from one nibble value to another at a random depth
      const depth = pick([48, 60, 64, 100, 120]);
      const unit = 1n << BigInt(bits - depth);
      const start = base + (randomBits(clusterBits) / unit) * unit + BigInt(1 + integer(3)) * (unit >> 4n);
      candidate = { first: start, last: start + BigInt(2 + integer(9)) * (unit >> 4n) - 1n };
    } else {
      const first = base + randomBits(clusterBits - 2);
      candidate = { first, last: first + randomBits(family === 4 ? 11 : 70) };
    }
    list.push(candidate);
    previous = candidate;
  }
  return list;
}

function ipv4(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv4Segments(): Segment[] {
  const fixed: Segment[] = [
    // "/16 minus a /32 with another value"
    { first: ipv4('192.0.0.0'), last: ipv4('192.0.2.98'), answers: [RBL] },
    { first: ipv4('192.0.2.99'), last: ipv4('192.0.2.99'), answers: [DUL] },
    { first: ipv4('192.0.2.100'), last: ipv4('192.0.255.255'), answers: [RBL] },
    { first: ipv4('10.0.0.0'), last: ipv4('10.255.255.255'), answers: [RBL, DUL] },
    { first: ipv4('100.64.0.0'), last: ipv4('100.127.255.255'), answers: [MML] },
    { first: ipv4('172.16.0.0'), last: ipv4('172.16.255.255'), answers: [QIL] },
    // test points
    { first: ipv4('127.0.0.2'), last: ipv4('127.0.0.2'), answers: [RBL] },
  ];
  const candidates: Candidate[] = [];
  for (let cluster = 0; cluster < 32; cluster += 1) {
    candidates.push(...clusterCandidates(4, BigInt(1 + integer(223)) << 24n | BigInt(integer(256)) << 16n, 16));
  }
  for (let cluster = 0; cluster < 8; cluster += 1) {
    candidates.push(...clusterCandidates(4, BigInt(1 + integer(223)) << 24n | BigInt(integer(256)) << 16n | BigInt(integer(256)) << 8n, 8));
  }
  return resolve(candidates, fixed);
}

function ipv6Segments(): Segment[] {
  const documentation = 0x20010db8n << 96n;
  const fixed: Segment[] = [
    { first: documentation | (0xffffn << 80n), last: documentation | (0xffffn << 80n) | ((1n << 80n) - 1n), answers: [RBL] },
    { first: 0xffff7f000002n, last: 0xffff7f000002n, answers: [RBL] },
  ];
  const candidates: Candidate[] = [];
  for (let cluster = 0; cluster < 14; cluster += 1) candidates.push(...clusterCandidates(6, documentation | (BigInt(integer(65535)) << 80n), 80));
  for (let cluster = 0; cluster < 6; cluster += 1) candidates.push(...clusterCandidates(6, (0x2a00n + BigInt(integer(256))) << 112n | randomBits(48) << 64n, 64));
  for (let cluster = 0; cluster < 4; cluster += 1) candidates.push(...clusterCandidates(6, (0x2600n + BigInt(integer(256))) << 112n | randomBits(16) << 96n, 96));
  for (let cluster = 0; cluster < 3; cluster += 1) {
    // /48s and a /47 side by side
    const base = (0x2c0fn << 112n) | (BigInt(integer(65536)) << 96n);
    candidates.push({ first: base, last: base + (1n << 80n) - 1n }, { first: base + (2n << 80n), last: base + (4n << 80n) - 1n });
  }
  return resolve(candidates, fixed);
}

// ---------------------------------------------------------------- the oracle

function find(segments: readonly Segment[], value: bigint): Segment | null {
  let low = 0;
  let high = segments.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const segment = segments[middle];
    if (value < segment.first) high = middle - 1;
    else if (value > segment.last) low = middle + 1;
    else return segment;
  }
  return null;
}

/** Bits of the owner name that answers `value` in the master-format zone: full width for an exact name, else its wildcard's block. */
/** The maximal runs of equal answers, gaps included, as the master-owner reference reads them. */
function runFinder(segments: readonly Segment[]): RunAt {
  const key = (segment: Segment) => {
    const a = [...new Set(segment.answers.map((answer) => answer.a))].sort();
    const txt = [...new Set(segment.answers.map((answer) => answer.txt).filter((text) => text !== ''))].sort();
    return JSON.stringify([a, txt]);
  };
  const runs: Array<{ first: bigint; last: bigint; key: string }> = [];
  for (const segment of segments) {
    const previous = runs[runs.length - 1];
    if (previous && previous.last + 1n === segment.first && previous.key === key(segment)) previous.last = segment.last;
    else runs.push({ first: segment.first, last: segment.last, key: key(segment) });
  }
  return (value) => {
    let low = 0;
    let high = runs.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (runs[middle].last < value) low = middle + 1;
      else if (runs[middle].first > value) high = middle - 1;
      else return runs[middle];
    }
    // A gap: from the end of the run before to the start of the run after.
    const before = runs[high];
    const after = runs[low];
    return { first: before ? before.last + 1n : 0n, last: after ? after.first - 1n : (1n << 128n) - 1n, key: null };
  };
}

const ownerCaches = new WeakMap<readonly Segment[], { runAt: RunAt; cache: OwnerCache }>();

function nameLevel(family: Family, segments: readonly Segment[], value: bigint): number {
  let entry = ownerCaches.get(segments);
  if (!entry) ownerCaches.set(segments, (entry = { runAt: runFinder(segments), cache: new Map() }));
  const owner = masterOwnerPrefix(family, value, entry.runAt, entry.cache);
  if (owner === null) throw new Error('value not listed');
  return owner;
}

interface Expected { status: 'NOERROR' | 'NXDOMAIN'; a: string[]; txt: string[] }

function latin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function answerSet(answers: readonly ZoneAnswer[], substitution: string): { a: string[]; txt: string[] } {
  const a = [...new Set(answers.map((answer) => answer.a))].sort();
  const txt = [...new Set(answers.filter((answer) => answer.txt !== '').map((answer) => latin1(answer.txt.split('$').join(substitution))))].sort();
  return { a, txt };
}

/** What rbldnsd must answer: `$` is always the queried address. */
function expectRbldnsd(family: Family, segments: readonly Segment[], value: bigint): Expected {
  const segment = find(segments, value);
  if (segment === null) return { status: 'NXDOMAIN', a: [], txt: [] };
  return { status: 'NOERROR', ...answerSet(segment.answers, formatAddress(family, value)) };
}

/** What NSD / Knot must answer: `$` is the address on an exact name, the wildcard's block on a wildcard. */
function expectMaster(family: Family, segments: readonly Segment[], value: bigint): Expected {
  const segment = find(segments, value);
  if (segment === null) return { status: 'NXDOMAIN', a: [], txt: [] };
  const bits = family === 4 ? 32 : 128;
  const level = nameLevel(family, segments, value);
  const substitution = level === bits
    ? formatAddress(family, value)
    : `${formatCidr({ family, first: (value >> BigInt(bits - level)) << BigInt(bits - level), prefix: level })} (range)`;
  return { status: 'NOERROR', ...answerSet(segment.answers, substitution) };
}

function queryValues(family: Family, segments: readonly Segment[]): bigint[] {
  const values = new Set<bigint>();
  const top = maxAddress(family);
  for (const segment of segments) {
    values.add(segment.first);
    values.add(segment.last);
    if (segment.first > 0n) values.add(segment.first - 1n);
    if (segment.last < top) values.add(segment.last + 1n);
    const size = segment.last - segment.first + 1n;
    values.add(segment.first + (randomBits(family === 4 ? 32 : 128) % size));
  }
  for (let index = 0; index < 300; index += 1) values.add(randomBits(family === 4 ? 32 : 128));
  return [...values];
}

// ---------------------------------------------------------------- servers

let workspace = '';
const servers = new ServerProcesses();
const ports = { rbldnsd: 0, nsd: 0, knot: 0 };
const NOW = Math.floor(Date.now() / 1000);
let segments4: Segment[] = [];
let segments6: Segment[] = [];
let master4: Segment[] = [];

function parametersFor(family: Family, origin: string, created = NOW - 60, expires = NOW + 3600): ZoneParameters {
  return {
    origin, family, serial: 2026112801, nameServers: ['ns1.repdesk.test', 'ns2.repdesk.test'], hostmaster: 'hostmaster.repdesk.test',
    ttl: 2100, refresh: 3600, retry: 900, expire: 604800, negativeTtl: 300, created, expires,
  };
}

function writeFile(path: string, writer: typeof writeBindZone, segments: readonly Segment[], parameters: ZoneParameters): number {
  const chunks: string[] = [];
  const { entries } = writer(segments, parameters, (chunk) => { chunks.push(chunk); });
  writeFileSync(path, chunks.join(''));
  chmodSync(path, 0o644);
  return entries;
}

before(async () => {
  requireTools(TOOLS);
  workspace = mkdtempSync(join(tmpdir(), 'repdesk-zones-'));
  chmodSync(workspace, 0o755);
  segments4 = ipv4Segments();
  segments6 = ipv6Segments();
  master4 = [...segments4, { first: ipv4('203.0.113.16'), last: ipv4('203.0.113.31'), answers: [LONG_TXT] }].sort((a, b) => (a.first < b.first ? -1 : 1));
  assert.ok(!segments4.some((segment) => segment.first <= ipv4('203.0.113.31') && ipv4('203.0.113.16') <= segment.last), 'long-TXT block collides');
  ports.rbldnsd = await freePort();
  ports.nsd = await freePort([ports.rbldnsd]);
  ports.knot = await freePort([ports.rbldnsd, ports.nsd]);

  // rbldnsd: one dataset (file) per list, the zone name repeated
  const rbldnsdDirectory = join(workspace, 'rbldnsd');
  mkdirSync(rbldnsdDirectory);
  const rbldnsdArgs = ['-n', '-b', `127.0.0.1/${ports.rbldnsd}`, '-c', '1', '-w', rbldnsdDirectory];
  for (const [family, segments, origin] of [[4, segments4, ORIGIN4], [6, segments6, ORIGIN6]] as const) {
    LISTS.forEach((list, index) => {
      const ofList = segments.filter((segment) => segment.answers.includes(list)).map((segment) => ({ ...segment, answers: [list] }));
      const file = `list${index}.v${family}`;
      writeFile(join(rbldnsdDirectory, file), writeRbldnsd, ofList, parametersFor(family, origin));
      rbldnsdArgs.push(`${origin}:ip${family}trie:${file}`);
    });
  }
  writeFile(join(rbldnsdDirectory, 'expiring.v4'), writeRbldnsd, segments4.filter((segment) => segment.answers.length === 1), parametersFor(4, EXPIRING, NOW - 60, Math.floor(Date.now() / 1000) + 3));
  rbldnsdArgs.push(`${EXPIRING}:ip4trie:expiring.v4`);
  // the intermediate names of the first listed /16 cluster, as a generic dataset next to the data
  const entNames = intermediateNames(4, segments4[0].first, WITH_ENTS).map(({ name }) => `${name.slice(0, -(WITH_ENTS.length + 1))} MX 0 .\n`);
  writeFileSync(join(rbldnsdDirectory, 'ents.generic'), entNames.join(''));
  chmodSync(join(rbldnsdDirectory, 'ents.generic'), 0o644);
  rbldnsdArgs.push(`${WITH_ENTS}:ip4trie:list0.v4`, `${WITH_ENTS}:generic:ents.generic`);
  chmodSync(rbldnsdDirectory, 0o755);
  const rbldnsd = servers.start('rbldnsd', 'rbldnsd', rbldnsdArgs);

  // master format for NSD and Knot
  const zoneDirectory = join(workspace, 'zones');
  mkdirSync(zoneDirectory);
  writeFile(join(zoneDirectory, 'v4.zone'), writeBindZone, master4, parametersFor(4, ORIGIN4));
  writeFile(join(zoneDirectory, 'v6.zone'), writeBindZone, segments6, parametersFor(6, ORIGIN6));
  const zones = [[ORIGIN4, 'v4.zone'], [ORIGIN6, 'v6.zone']] as const;

  const nsdDirectory = join(workspace, 'nsd');
  mkdirSync(nsdDirectory);
  const nsdConfig = writeNsdConfig(nsdDirectory, ports.nsd, zoneDirectory, zones);
  const nsd = servers.start('nsd', 'nsd', ['-d', '-c', nsdConfig]);

  const knotDirectory = join(workspace, 'knot');
  mkdirSync(knotDirectory);
  const knotConfig = writeKnotConfig(knotDirectory, ports.knot, zoneDirectory, zones);
  const knot = servers.start('knot', 'knotd', ['-c', knotConfig]);

  await Promise.all([
    servers.waitForSoa('rbldnsd', ports.rbldnsd, [ORIGIN4, ORIGIN6], rbldnsd, workspace),
    servers.waitForSoa('nsd', ports.nsd, [ORIGIN4, ORIGIN6], nsd, workspace),
    servers.waitForSoa('knot', ports.knot, [ORIGIN4, ORIGIN6], knot, workspace),
  ]);
});

after(async () => {
  await servers.stopAll();
  if (workspace !== '') rmSync(workspace, { recursive: true, force: true });
});

// ---------------------------------------------------------------- the tests

interface Comparison { compared: number; failures: string[] }

async function compare(server: keyof typeof ports, family: Family, segments: readonly Segment[], expect: typeof expectRbldnsd): Promise<Comparison> {
  const origin = family === 4 ? ORIGIN4 : ORIGIN6;
  const values = queryValues(family, segments);
  const queries = values.flatMap((value) => [[queryName(family, value, origin), 'A'], [queryName(family, value, origin), 'TXT']] as const);
  const answers = await dig(ports[server], queries, workspace, `${server}-${family}`);
  const failures: string[] = [];
  for (const value of values) {
    const expected = expect(family, segments, value);
    const name = queryName(family, value, origin);
    const a = answers.get(`${name} A`);
    const txt = answers.get(`${name} TXT`);
    const got = { status: a?.status, a: a?.a, txt: txt?.txt, txtStatus: txt?.status };
    const want = { status: expected.status, a: expected.a, txt: expected.txt, txtStatus: expected.status };
    if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${formatAddress(family, value)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  return { compared: values.length * 2, failures };
}

for (const [server, expect] of [['rbldnsd', expectRbldnsd], ['nsd', expectMaster], ['knot', expectMaster]] as const) {
  for (const family of [4, 6] as const) {
    test(`${server} answers every IPv${family} query as the input segments say (A and TXT sets, $ substituted)`, async (context) => {
      const segments = family === 4 ? (server === 'rbldnsd' ? segments4 : master4) : segments6;
      const { compared, failures } = await compare(server, family, segments, expect);
      assert.ok(compared > 1500, `only ${compared} queries`);
      assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${compared} answers differ`);
      context.diagnostic(`${server} IPv${family}: ${compared} answers compared over ${segments.length} segments, ${failures.length} differ`);
    });
  }
}

test('the generated data has the shapes this test is meant to cover', () => {
  const sizes4 = segments4.map((segment) => segment.last - segment.first + 1n);
  assert.ok(sizes4.filter((size) => size === 1n).length >= 20, 'single IPv4 addresses');
  assert.ok(segments4.filter((segment) => rangeToCidrs({ family: 4, ...segment }).length > 1).length >= 20, 'unaligned IPv4 ranges');
  assert.ok(segments4.some((segment, index) => index > 0 && segment.first === segments4[index - 1].last + 1n), 'adjacent segments');
  assert.ok(segments4.filter((segment) => segment.answers.length === 2).length >= 5, 'segments with two answers');
  const prefixes6 = new Set(segments6.flatMap((segment) => rangeToCidrs({ family: 6, ...segment }).map((block) => block.prefix)));
  for (const prefix of [48, 64, 127, 128]) assert.ok(prefixes6.has(prefix), `IPv6 /${prefix}`);
  assert.ok([...prefixes6].some((prefix) => prefix % 4 !== 0), 'IPv6 prefixes off the nibble boundary');
});

test('"/16 minus a /32 with another value": the rest of 192.0.2.x answers, 192.0.2.99 answers its own value', async () => {
  const values = Array.from({ length: 256 }, (_, index) => ipv4('192.0.2.0') + BigInt(index));
  for (const server of ['rbldnsd', 'nsd', 'knot'] as const) {
    const answers = await dig(ports[server], values.flatMap((value) => [[queryName(4, value, ORIGIN4), 'A'], [queryName(4, value, ORIGIN4), 'TXT']] as const), workspace, `hole-${server}`);
    for (const value of values) {
      const a = answers.get(`${queryName(4, value, ORIGIN4)} A`);
      const txt = answers.get(`${queryName(4, value, ORIGIN4)} TXT`);
      const address = formatAddress(4, value);
      // rbldnsd substitutes every address; in master format the rest of the /24 is one wildcard
      // (its TXT names the block) beside the exact name of the hole.
      const rest = server === 'rbldnsd' ? address : '192.0.2.0/24 (range)';
      const expectedText = address === '192.0.2.99' ? `Dynamic "range" \\ é; ${address} (ISP)` : `Listed: see https://bl.example/q?ip=${rest}`;
      assert.deepEqual(a?.a, [address === '192.0.2.99' ? '127.0.0.3' : '127.0.0.2'], `${server} ${address} A`);
      assert.deepEqual(txt?.txt, [latin1(expectedText)], `${server} ${address} TXT`);
    }
  }
});

test('names with fewer labels than an address: NSD and Knot never say NXDOMAIN where names exist below; rbldnsd does', async (context) => {
  const probes: Array<{ family: Family; name: string; bits: number; segment: Segment; value: bigint }> = [];
  for (const [family, segments, origin] of [[4, master4, ORIGIN4], [6, segments6, ORIGIN6]] as const) {
    for (let index = 0; index < segments.length; index += Math.max(1, Math.floor(segments.length / 60))) {
      const segment = segments[index];
      for (const { name, bits } of intermediateNames(family, segment.first, origin)) probes.push({ family, name, bits, segment, value: segment.first });
    }
  }
  const queries = probes.flatMap(({ name }) => [[name, 'A'], [name, 'TXT']] as const);
  const counts: Record<string, Record<string, number>> = {};
  for (const server of ['nsd', 'knot', 'rbldnsd'] as const) {
    const answers = await dig(ports[server], queries, workspace, `ent-${server}`);
    counts[server] = {};
    for (const probe of probes) {
      const a = answers.get(`${probe.name} A`);
      assert.ok(a !== undefined, `${server}: no answer for ${probe.name}`);
      const kind = `${a.status}/${a.a.length > 0 ? 'data' : 'nodata'}`;
      counts[server][kind] = (counts[server][kind] ?? 0) + 1;
      if (server === 'rbldnsd') {
        assert.equal(kind, 'NXDOMAIN/nodata', `rbldnsd ${probe.name}`);
        continue;
      }
      // deeper than the wildcard's owner: the wildcard answers; at or above it: an empty non-terminal
      const level = nameLevel(probe.family, probe.family === 4 ? master4 : segments6, probe.value);
      const wanted = probe.bits > level ? 'NOERROR/data' : 'NOERROR/nodata';
      assert.equal(kind, wanted, `${server} ${probe.name} (name level /${level})`);
      if (wanted === 'NOERROR/data') assert.deepEqual(a.a, expectMaster(probe.family, probe.family === 4 ? master4 : segments6, probe.value).a);
    }
  }
  context.diagnostic(`intermediate names (${probes.length} names, A): ${JSON.stringify(counts)}`);
});

test('rbldnsd: a generic dataset listing the intermediate names turns their NXDOMAIN into NODATA', async () => {
  const names = intermediateNames(4, segments4[0].first, WITH_ENTS);
  const answers = await dig(ports.rbldnsd, [...names.map(({ name }) => [name, 'A'] as const), [queryName(4, segments4[0].first, WITH_ENTS), 'A']], workspace, 'generic');
  for (const { name } of names) {
    const response = answers.get(`${name} A`);
    assert.equal(response?.status, 'NOERROR', name);
    assert.deepEqual(response?.a, [], name);
  }
  assert.deepEqual(answers.get(`${queryName(4, segments4[0].first, WITH_ENTS)} A`)?.a, expectRbldnsd(4, segments4.map((segment) => ({ ...segment, answers: segment.answers.filter((answer) => answer === RBL) })).filter((segment) => segment.answers.length > 0), segments4[0].first).a);
});

test('rbldnsd: $TIMESTAMP expires stops the zone (SERVFAIL) while the other zones keep answering', async () => {
  const listed = segments4.find((segment) => segment.answers.length === 1)!;
  const name = queryName(4, listed.first, EXPIRING);
  // the data expires 3 s after it was written; rbldnsd checks it every second (-c 1)
  let response = (await dig(ports.rbldnsd, [[name, 'A']], workspace, 'expiring')).get(`${name} A`);
  const deadline = Date.now() + 10000;
  while (response?.status === 'NOERROR' && Date.now() < deadline) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 500));
    response = (await dig(ports.rbldnsd, [[name, 'A']], workspace, 'expiring')).get(`${name} A`);
  }
  assert.equal(response?.status, 'SERVFAIL', servers.logs.rbldnsd);
  assert.match(servers.logs.rbldnsd, new RegExp(`zone ${EXPIRING.replace(/\./g, '\\.')}: zone data expired`));
  const other = (await dig(ports.rbldnsd, [[queryName(4, listed.first, ORIGIN4), 'A']], workspace, 'still')).get(`${queryName(4, listed.first, ORIGIN4)} A`);
  assert.equal(other?.status, 'NOERROR');
});

test('rbldnsd: data written with a creation time ahead of the host clock still loads (no created check)', async () => {
  const directory = join(workspace, 'future');
  mkdirSync(directory);
  chmodSync(directory, 0o755);
  const now = Math.floor(Date.now() / 1000);
  writeFile(join(directory, 'future.v4'), writeRbldnsd, [{ first: 1n, last: 1n, answers: [RBL] }], parametersFor(4, ORIGIN4, now + 3600, now + 7200));
  const port = await freePort(Object.values(ports));
  const result = spawnSync(binary('rbldnsd'), ['-n', '-q', '-b', `127.0.0.1/${port}`, '-w', directory, `${ORIGIN4}:ip4trie:future.v4`], { encoding: 'utf8', timeout: 2000 });
  // rbldnsd loads the data and runs until the timeout stops it, instead of refusing it and exiting.
  assert.equal((result.error as NodeJS.ErrnoException | undefined)?.code, 'ETIMEDOUT', `rbldnsd exited: ${result.stderr}${result.stdout}`);
  assert.match(`${result.stderr}${result.stdout}`, /ents=1 .*\n.*zones reloaded/);
  assert.doesNotMatch(`${result.stderr}${result.stdout}`, /in the future/);
});

test('nsd-checkzone and kzonecheck accept the generated master files', () => {
  for (const [origin, file] of [[ORIGIN4, 'v4.zone'], [ORIGIN6, 'v6.zone']] as const) {
    const path = join(workspace, 'zones', file);
    const nsd = spawnSync(binary('nsd-checkzone'), [origin, path], { encoding: 'utf8' });
    assert.equal(nsd.status, 0, `nsd-checkzone ${file}: ${nsd.stdout}${nsd.stderr}`);
    const knot = spawnSync(binary('kzonecheck'), ['-o', origin, path], { encoding: 'utf8' });
    assert.equal(knot.status, 0, `kzonecheck ${file}: ${knot.stdout}${knot.stderr}`);
  }
});
