/**
 * Lookup answers what the published zones answer. On random datasets made through the core's
 * own operations (overlapping IPv4 and IPv6 listings on every list; QIL entries at every level,
 * some expired; suppressions that have ended and that run on; delistings; GAL entries over
 * blocklisted space; ISPs' DUL submissions with exclusions, valid-until dates (whole and per
 * line) that have passed and that are ahead, effective dates ahead (a pending replace keeps the
 * old set in force), an addition and a revert), a snapshot is published; then for 10,000
 * addresses per dataset (every listing's, exclusion's and range's edges and their neighbours,
 * random addresses, the RFC 5782 test points) the answer Lookup gives on each list equals the
 * answer read back from that list's published rbldnsd file, and its combined answer equals what
 * rbldnsd serves for the combined zone (the four blocklists' files under one name).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddress, formatRange, parseRange, type AddressRange, type Family } from '../../../shared/address.js';
import { LISTS, type ListName } from '../../../shared/domain.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { generateKeyPair } from '../../../main/core/snapshot/index.js';
import { RbldnsdData } from '../support/rbldnsd-data.js';
import { mulberry32, pick, randomBigint, randomInt, type Random } from '../support/random.js';
import { ok } from '../support/results.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
/** Lookup and publishing happen a day after the data was made: some expiries, removals and effective dates have passed. */
const T = T0 + 24 * HOUR;
const ADDRESSES = 10_000;

const REGION: Record<Family, AddressRange> = {
  4: { family: 4, first: 0x2d0a0000n, last: 0x2d0affffn }, // 45.10.0.0/16
  6: { family: 6, first: 0x2a0104f8aa0000000000000000000000n, last: 0x2a0104f8aaffffffffffffffffffffffn }, // 2a01:4f8:aa00::/40
};
const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** A random aligned block of the region with a prefix in [shortest, longest]. */
function randomBlock(random: Random, family: Family, shortest: number, longest: number): AddressRange {
  const prefix = randomInt(random, shortest, longest);
  const size = 1n << BigInt(BITS[family] - prefix);
  const region = REGION[family];
  const first = ((randomBigint(random, region.first, region.last) - region.first) / size) * size + region.first;
  return { family, first, last: first + size - 1n };
}

/** A random block, or now and then an a-b range of up to a few thousand addresses. */
function randomRange(random: Random, family: Family, shortest: number, longest: number): AddressRange {
  if (random() < 0.75) return randomBlock(random, family, shortest, longest);
  const region = REGION[family];
  const first = randomBigint(random, region.first, region.last - 5000n);
  return { family, first, last: first + BigInt(randomInt(random, 0, 4000)) };
}

const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

describe('Lookup answers what the published rbldnsd files answer', () => {
  let folder: string;
  let core: Core;
  let now = T0;
  const key = generateKeyPair();

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-published-answers-'));
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  /** Every range the dataset made (listings, submissions, exclusions): their edges are where answers change. */
  async function makeDataset(seed: number, databasePath: string): Promise<AddressRange[]> {
    const random = mulberry32(seed);
    now = T0;
    core = createCore({ databasePath, now: () => new Date(now), signingKey: () => key });
    const admin = { actor: 'admin', localFiles: true };
    await ok(core.dispatch('investigators.add', { name: 'admin', roles: ['investigator', 'liaison', 'reviewer', 'publisher'] }, { actor: null }));
    const edges: AddressRange[] = [];
    const ids: number[] = [];
    const add = async (list: ListName, range: AddressRange, extra: { txt?: string; level?: number; expires?: string } = {}) => {
      const reason = { RBL: 'spam-source', DUL: 'dynamic', QIL: 'botnet', MML: 'marketing', GAL: 'approved' } as const;
      const result = await core.dispatch('listings.add', { range: formatRange(range), list, reason: reason[list], ...extra }, admin);
      if (!result.ok) {
        assert.equal(result.error.code, 'conflict', result.error.message); // the same range twice on a list
        return;
      }
      ids.push(result.value.listing.id);
      edges.push(range);
    };
    for (const family of [4, 6] as const) {
      const [shortest, longest] = family === 4 ? [18, 32] : [44, 128];
      for (let index = 0; index < 45; index += 1) {
        await add('RBL', randomRange(random, family, shortest, longest), random() < 0.5 ? { txt: pick(random, ['snowshoe', 'see $ for details', 'open relay at $']) } : {});
      }
      for (let index = 0; index < 15; index += 1) await add('MML', randomRange(random, family, shortest + 2, longest));
      for (let index = 0; index < 25; index += 1) {
        await add('QIL', randomRange(random, family, family === 4 ? 26 : 120, longest), { level: randomInt(random, 1, 4), expires: at(randomInt(random, 1, 48)) });
      }
      for (let index = 0; index < 10; index += 1) await add('DUL', randomRange(random, family, shortest, longest - 4));
      for (let index = 0; index < 8; index += 1) await add('GAL', randomBlock(random, family, family === 4 ? 27 : 116, longest));
    }
    // Removals: some end before the lookup, some after; some delistings.
    for (const id of ids) {
      const roll = random();
      if (roll < 0.1) await core.dispatch('listings.edit', { action: 'suppress', id, why: 'temporary removal', until: at(randomInt(random, 1, 48)) }, admin);
      else if (roll < 0.15) await core.dispatch('listings.edit', { action: 'delist', id, why: 'cleaned up' }, admin);
    }
    // ISPs' DUL submissions: replace, a later replace (effective before or after the lookup), an addition, a revert.
    for (const isp of ['Alpha Net', 'Beta Telecom', 'Gamma Cable']) {
      await ok(core.dispatch('isps.add', { name: isp, country: 'DE' }, admin));
      for (let round = 0; round < 3; round += 1) {
        now = T0 + round * HOUR;
        const ranges: AddressRange[] = [];
        const lines: string[] = [];
        for (let index = 0; index < randomInt(random, 3, 8); index += 1) {
          const family = random() < 0.6 ? 4 : 6;
          const range = family === 4 ? randomBlock(random, 4, 20, 28) : randomBlock(random, 6, 44, 64);
          if (ranges.some((other) => other.family === range.family && other.first === range.first && other.last === range.last)) continue;
          ranges.push(range);
          lines.push(random() < 0.2 ? `${formatRange(range)},,${at(randomInt(random, 2, 48))}` : formatRange(range));
        }
        const exclude: string[] = [];
        for (const range of ranges) {
          if (random() < 0.4) {
            const bits = BITS[range.family];
            const prefix = bits - (range.last - range.first + 1n).toString(2).length + 1;
            const inner = randomInt(random, Math.min(bits, prefix + 1), Math.min(bits, prefix + 6));
            const size = 1n << BigInt(bits - inner);
            const first = range.first + ((randomBigint(random, 0n, range.last - range.first) / size) * size);
            exclude.push(formatRange({ family: range.family, first, last: first + size - 1n }));
            edges.push({ family: range.family, first, last: first + size - 1n });
          }
        }
        const path = join(folder, `${isp}-${seed}-${round}.csv`);
        writeFileSync(path, `${lines.join('\n')}\n`);
        const mode = round === 2 && (isp === 'Alpha Net' || random() < 0.5) ? 'add' : 'replace';
        // The first ISP's second submission takes effect after the lookup: its ranges wait, the set it replaces stays.
        const effectiveHours = isp === 'Alpha Net' && round === 1 ? 30 : round > 0 && random() < 0.5 ? randomInt(random, 2, 40) : null;
        const effective = effectiveHours === null ? undefined : at(effectiveHours);
        const validHours = random() < 0.3 ? randomInt(random, 42, 60) : random() < 0.2 ? randomInt(random, 3, 20) : null;
        const validUntil = validHours === null || (effectiveHours !== null && validHours <= effectiveHours) ? undefined : at(validHours);
        const committed = await ok(core.dispatch('dul.commit', { file: { path }, isp, mode, exclude, effective, validUntil }, admin));
        edges.push(...ranges);
        if (round === 2 && isp !== 'Alpha Net' && random() < 0.4) await ok(core.dispatch('dul.revert', { id: committed.submission.id }, admin));
      }
    }
    now = T;
    return edges;
  }

  /** Addresses where answers change (every edge and its neighbours), random ones, and the test points: `ADDRESSES` of them. */
  function addressesToCheck(seed: number, edges: readonly AddressRange[]): Array<{ family: Family; value: bigint }> {
    const random = mulberry32(seed + 1000);
    const chosen = new Map<string, { family: Family; value: bigint }>();
    const put = (family: Family, value: bigint) => {
      if (value < 0n || value >= 1n << BigInt(BITS[family])) return;
      chosen.set(`${family}/${value}`, { family, value });
    };
    put(4, 0x7f000002n);
    put(4, 0x7f000001n);
    for (const range of edges) for (const value of [range.first - 1n, range.first, range.last, range.last + 1n]) put(range.family, value);
    assert.ok(chosen.size < ADDRESSES, `${chosen.size} edge addresses leave room for random ones`);
    while (chosen.size < ADDRESSES) {
      const family = random() < 0.6 ? 4 : 6;
      put(family, randomBigint(random, REGION[family].first, REGION[family].last));
    }
    return [...chosen.values()];
  }

  for (const seed of [11, 12]) {
    test(`seed ${seed}: ${ADDRESSES.toLocaleString('en')} addresses, every list and the combined zone`, async () => {
      const databasePath = join(folder, `repdesk-${seed}.sqlite`);
      const edges = await makeDataset(seed, databasePath);
      try {
        await ok(core.dispatch('investigators.add', { name: 'pat', roles: ['publisher'] }, { actor: 'admin' }));
        const published = await ok(core.dispatch('publish.run', { out: join(folder, `out-${seed}`) }, { actor: 'pat', localFiles: true }));
        assert.equal(published.published, true, JSON.stringify(published.safety));
        const files = new Map<string, RbldnsdData>();
        for (const list of LISTS) {
          for (const family of [4, 6] as const) {
            files.set(`${list}/${family}`, new RbldnsdData(readFileSync(join(published.path as string, `${list.toLowerCase()}.ip${family}trie`), 'utf8'), family));
          }
        }
        const seen = { listed: 0, excluded: 0, pending: 0, allowed: 0, outranked: 0, expired: 0 };
        const addresses = addressesToCheck(seed, edges);
        for (const { family, value } of addresses) {
          const ip = formatAddress(family, value);
          const result = await ok(core.dispatch('lookup', { ip }, { actor: 'admin' }));
          const combined: string[] = [];
          for (const list of LISTS) {
            const fromFile = (files.get(`${list}/${family}`) as RbldnsdData).answer(value);
            const answer = result.answers.lists.find((entry) => entry.list === list)?.answer ?? null;
            assert.deepEqual(answer === null ? null : { a: answer.a, txt: answer.txt }, fromFile, `${ip} on ${list}`);
            if (list !== 'GAL' && fromFile !== null) combined.push(`${fromFile.a} ${fromFile.txt}`);
            if (fromFile !== null) seen.listed += 1;
          }
          assert.deepEqual(result.answers.combined.map((answer) => `${answer.a} ${answer.txt}`).sort(), combined.sort(), `${ip} in the combined zone`);
          for (const listing of result.listings) {
            if (listing.role === 'excluded') seen.excluded += 1;
            if (listing.role === 'allowed') seen.allowed += 1;
            if (listing.role === 'outranked') seen.outranked += 1;
            if (listing.standing === 'pending') seen.pending += 1;
            if (listing.standing === 'expired') seen.expired += 1;
          }
        }
        // The data reached every case the rule has (else the comparison proves less than it claims).
        for (const [name, count] of Object.entries(seen)) assert.ok(count > 0, `some address shows a listing ${name} (${JSON.stringify(seen)})`);
      } finally {
        core.close();
      }
    });
  }
});

test('the rbldnsd reader answers by the longest prefix and honours exclusions', () => {
  const data = new RbldnsdData(
    ['$SOA 2100 ns1.bl.example hostmaster.bl.example 1 3600 900 604800 300', ':127.0.0.2:wide $', '45.10.0.0/16', ':127.0.0.3:narrow', '45.10.3.0/24', '!45.10.3.128/25', ''].join('\n'),
    4,
  );
  const value = (text: string) => {
    const parsed = parseRange(text);
    assert.ok(parsed.ok);
    return parsed.value.first;
  };
  assert.deepEqual(data.answer(value('45.10.9.9')), { a: '127.0.0.2', txt: 'wide 45.10.9.9' });
  assert.deepEqual(data.answer(value('45.10.3.1')), { a: '127.0.0.3', txt: 'narrow' });
  assert.equal(data.answer(value('45.10.3.200')), null);
  assert.equal(data.answer(value('45.11.0.0')), null);
});
