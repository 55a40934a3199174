/**
 * The master-format writer now fills a byte buffer, names a node holding one single address
 * directly, and places IPv6 segments by nibble lookups. It must write exactly the bytes the
 * previous writer wrote (test/unit/support/zones-before.ts, kept verbatim): compared here on
 * random segments of both families — dense clusters that make wildcards and mixed nodes,
 * aligned and unaligned blocks, single addresses, the edges of the space, several answers per
 * segment (the combined zone), TXT with and without `$`, empty, quoted, non-ASCII and too long
 * for one string once the address is in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxAddress, type Family } from '../../../shared/address.js';
import type { Segment, ZoneAnswer, ZoneParameters } from '../../../main/core/publish/types.js';
import { writeBindZone, writeBindZoneBytes, writeRbldnsd } from '../../../main/core/publish/zones.js';
import { writeBindZone as writeBindZoneBefore, writeRbldnsd as writeRbldnsdBefore } from '../support/zones-before.js';
import { mulberry32, pick, randomBits, randomInt, type Random } from '../support/random.js';

function parameters(family: Family): ZoneParameters {
  return {
    origin: family === 4 ? 'bl.example' : 'v6.bl.example',
    family,
    serial: 2026112801,
    nameServers: ['ns1.bl.example', 'ns2.bl.example'],
    hostmaster: 'hostmaster.bl.example',
    ttl: 2100,
    refresh: 3600,
    retry: 900,
    expire: 604800,
    negativeTtl: 300,
    created: 1_764_000_000,
    expires: 1_764_100_000,
  };
}

const ANSWERS: ZoneAnswer[] = [
  { a: '127.0.0.2', txt: 'RBL: spam source; see https://bl.example/lookup?ip=$' },
  { a: '127.0.0.3', txt: 'DUL: dynamic range' },
  { a: '127.0.1.2', txt: '' },
  { a: '127.0.0.4', txt: 'MML "quoted" \\ back; $ and $ twice' },
  { a: '127.0.0.2', txt: 'Ünïcödé — listed $ ✓' },
  { a: '127.0.0.2', txt: `${'long text '.repeat(24)}$` },
  { a: '127.0.0.3', txt: 'RBL: spam source; see https://bl.example/lookup?ip=$' },
  // Equal content as another object: the writers must treat it as the same answer.
  { a: '127.0.0.3', txt: 'DUL: dynamic range' },
];

function answersFor(random: Random): ZoneAnswer[] {
  if (random() < 0.75) return [pick(random, ANSWERS)];
  const count = randomInt(random, 2, 3);
  return Array.from({ length: count }, () => pick(random, ANSWERS));
}

/** Sorted, disjoint random segments in a few windows of the space, plus far-apart blocks. */
function randomSegments(random: Random, family: Family, count: number): Segment[] {
  const bits = family === 4 ? 32 : 128;
  const labelBits = family === 4 ? 8 : 4;
  const top = maxAddress(family);
  const bounds: Array<[bigint, bigint]> = [];
  // Dense windows: short ranges and single addresses close together.
  for (let window = 0; window < 4; window += 1) {
    const base = (randomBits(random, bits) >> 16n) << 16n;
    let cursor = base;
    for (let index = 0; index < count / 8; index += 1) {
      cursor += BigInt(randomInt(random, 0, random() < 0.5 ? 2 : 300));
      const length = random() < 0.5 ? 0n : BigInt(randomInt(random, 1, random() < 0.8 ? 20 : 2000));
      if (cursor + length > top) break;
      bounds.push([cursor, cursor + length]);
      cursor += length + 1n;
    }
  }
  // Aligned blocks (wildcards) of random label counts, and unaligned wide ranges.
  for (let index = 0; index < count / 4; index += 1) {
    const hostBits = BigInt(labelBits * randomInt(random, 1, family === 4 ? 3 : 20));
    const first = (randomBits(random, bits) >> hostBits) << hostBits;
    const last = random() < 0.7 ? first + (1n << hostBits) - 1n : first + randomBits(random, Number(hostBits) + 2);
    if (last <= top) bounds.push([first, last]);
  }
  // The edges of the space.
  bounds.push([1n, 1n], [top, top], [top - 300n, top - 2n]);
  bounds.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const segments: Segment[] = [];
  let previousLast = -1n;
  for (const [first, last] of bounds) {
    // Keep them disjoint: drop what overlaps the one before.
    if (first <= previousLast) continue;
    segments.push({ first, last, answers: answersFor(random) });
    previousLast = last;
  }
  return segments;
}

function text(writer: typeof writeBindZone, segments: readonly Segment[], family: Family): { text: string; entries: number } {
  let output = '';
  const { entries } = writer(segments, parameters(family), (chunk) => {
    output += chunk;
  });
  return { text: output, entries };
}

/** What a writer did: its output, or the message it refused the input with. */
function outcome(write: () => { text: string; entries: number }): { text: string; entries: number } | { error: string } {
  try {
    return write();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

for (const family of [4, 6] as const) {
  test(`IPv${family}: the master-format writer writes the same bytes as before, on random segments`, () => {
    for (let seed = 1; seed <= 12; seed += 1) {
      const random = mulberry32(seed * 101 + family);
      const segments = randomSegments(random, family, 1200);
      const before = text(writeBindZoneBefore, segments, family);
      const now = text(writeBindZone, segments, family);
      assert.ok(before.entries > 100, `seed ${seed}: ${before.entries} names`);
      assert.equal(now.entries, before.entries, `seed ${seed}: names`);
      assert.equal(now.text, before.text, `seed ${seed}: zone text`);
      const chunks: Buffer[] = [];
      const written = writeBindZoneBytes(segments, parameters(family), (bytes) => chunks.push(Buffer.from(bytes)));
      assert.equal(written.entries, before.entries);
      assert.ok(Buffer.concat(chunks).equals(Buffer.from(before.text, 'utf8')), `seed ${seed}: bytes`);
    }
  });

  test(`IPv${family}: the rbldnsd writer writes the same text as before, on random segments`, () => {
    for (let seed = 1; seed <= 4; seed += 1) {
      const random = mulberry32(seed * 211 + family);
      const segments = randomSegments(random, family, 1200).map((segment) => ({ ...segment, answers: [segment.answers[0] === ANSWERS[5] ? ANSWERS[0] : segment.answers[0]] }));
      assert.deepEqual(outcome(() => text(writeRbldnsd, segments, family)), outcome(() => text(writeRbldnsdBefore, segments, family)), `seed ${seed}`);
    }
  });
}
