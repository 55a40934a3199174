/**
 * The master-format writer now fills a byte buffer, names a node holding one single address
 * directly, and places IPv6 segments by nibble lookups. It must write exactly the bytes the
 * previous writer wrote (test/unit/support/zones-before.ts, kept verbatim): compared here on
 * random segments of both families — dense clusters that make wildcards and mixed nodes,
 * aligned and unaligned blocks, single addresses, the edges of the space, several answers per
 * segment (the combined zone), TXT with and without `$`, empty, quoted, non-ASCII and too long
 * for one string once the address is in. The column writers are compared too, on columns that
 * store equal answers under several set indices (the same array, copies, fresh answer objects,
 * another order), hold sets no segment uses and arrays longer than `count`; and with one fault
 * put in, they must refuse it with the message the previous writers gave.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxAddress, type Family } from '../../../shared/address.js';
import type { SegmentColumns, ZoneAnswer, ZoneParameters } from '../../../main/core/publish/zones/types.js';
import { segmentsOf } from '../support/published.js';
import { writeBindZoneColumns } from '../../../main/core/publish/zones/bind.js';
import { writeRbldnsdColumns } from '../../../main/core/publish/zones/rbldnsd.js';
import { columnsOf, writeBindZone, writeRbldnsd, type Segment } from '../support/zone-text.js';
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
      const written = writeBindZoneColumns(columnsOf(family, segments), parameters(family), (bytes) => chunks.push(Buffer.from(bytes)));
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

/** What a column writer wrote, in small chunks (so records cross chunk ends often). */
function columnsText(writer: typeof writeBindZoneColumns, columns: SegmentColumns, family: Family): { text: string; entries: number } {
  const chunks: Buffer[] = [];
  const { entries } = writer(columns, parameters(family), (bytes) => chunks.push(Buffer.from(bytes)), 4096);
  return { text: Buffer.concat(chunks).toString('utf8'), entries };
}

/** Columns of the given bounds and per-segment answers, arrays `spare` entries longer than `count` (filled with junk). */
function makeColumns(family: Family, firsts: readonly bigint[], lasts: readonly bigint[], sets: Uint32Array, answerSets: ReadonlyArray<readonly ZoneAnswer[]>, spare: number): SegmentColumns {
  const count = firsts.length;
  const junkFirsts = Array.from({ length: spare }, (_, index) => (index % 2 === 0 ? maxAddress(family) : 0n));
  const allSets = new Uint32Array(count + spare).fill(0xffffffff);
  allSets.set(sets.subarray(0, count));
  if (family === 4) {
    return {
      family, count, sets: allSets, answerSets,
      firsts: Uint32Array.from([...firsts, ...junkFirsts], Number),
      lasts: Uint32Array.from([...lasts, ...junkFirsts.map(() => 0n)], Number),
    };
  }
  return { family, count, sets: allSets, answerSets, firsts: [...firsts, ...junkFirsts], lasts: [...lasts, ...junkFirsts.map(() => 0n)] };
}

/**
 * `segments` as columns whose answer sets repeat one another: a segment keeps a shared set or
 * gets a set of its own holding the same array again, a copy of it, copies of its answer
 * objects or its answers in reverse order (equal content; the order of A lines follows the
 * first array met, as it always did). Two sets no segment uses: one empty, one not publishable.
 */
function scatteredColumns(random: Random, family: Family, segments: readonly Segment[]): SegmentColumns {
  const plain = columnsOf(family, segments);
  const unused: Array<readonly ZoneAnswer[]> = [[], [{ a: 'not an address', txt: 'never written' }]];
  const answerSets: Array<readonly ZoneAnswer[]> = [...unused, ...plain.answerSets];
  const sets = new Uint32Array(segments.length);
  for (let index = 0; index < segments.length; index += 1) {
    const answers = segments[index].answers;
    const variant = randomInt(random, 0, 4);
    if (variant === 0) {
      sets[index] = plain.sets[index] + unused.length;
      continue;
    }
    sets[index] = answerSets.length;
    if (variant === 1) answerSets.push(answers);
    else if (variant === 2) answerSets.push([...answers]);
    else if (variant === 3) answerSets.push(answers.map((answer) => ({ ...answer })));
    else answerSets.push([...answers].reverse());
  }
  return makeColumns(family, segments.map((segment) => segment.first), segments.map((segment) => segment.last), sets, answerSets, 3);
}

/** Segments with one answer each, as rbldnsd takes them. */
function singleAnswerSegments(random: Random, family: Family): Segment[] {
  return randomSegments(random, family, 1200).map((segment) => ({ ...segment, answers: [segment.answers[0] === ANSWERS[5] ? ANSWERS[0] : segment.answers[0]] }));
}

for (const family of [4, 6] as const) {
  test(`IPv${family}: the column writers write the same bytes as before, with equal answers under several set indices`, () => {
    for (let seed = 1; seed <= 8; seed += 1) {
      const random = mulberry32(seed * 307 + family);
      const columns = scatteredColumns(random, family, randomSegments(random, family, 1200));
      assert.ok(new Set(columns.sets.subarray(0, columns.count)).size > columns.answerSets.length / 2, 'most sets are used');
      const before = text(writeBindZoneBefore, segmentsOf(columns), family);
      const now = columnsText(writeBindZoneColumns, columns, family);
      assert.ok(before.entries > 100, `seed ${seed}: ${before.entries} names`);
      assert.equal(now.entries, before.entries, `seed ${seed}: names`);
      assert.equal(now.text, before.text, `seed ${seed}: zone text`);

      const single = scatteredColumns(random, family, singleAnswerSegments(random, family));
      const rbldnsdBefore = text(writeRbldnsdBefore, segmentsOf(single), family);
      const rbldnsdNow = columnsText(writeRbldnsdColumns, single, family);
      assert.ok(rbldnsdBefore.entries > 100, `seed ${seed}: ${rbldnsdBefore.entries} lines`);
      assert.deepEqual(rbldnsdNow, rbldnsdBefore, `seed ${seed}: rbldnsd text`);
    }
  });

  test(`IPv${family}: the column writers refuse a fault with the message the previous writers gave`, () => {
    const top = maxAddress(family);
    const faults: Array<{ name: string; isRbldnsdOnly?: boolean; put: (firsts: bigint[], lasts: bigint[], sets: Uint32Array, answerSets: Array<readonly ZoneAnswer[]>, at: number) => void }> = [
      { name: 'overlap', put: (firsts, lasts, _sets, _answerSets, at) => { firsts[at] = lasts[at - 1]; } },
      { name: 'repeat', put: (firsts, lasts, _sets, _answerSets, at) => { firsts[at] = firsts[at - 1]; lasts[at] = lasts[at - 1]; } },
      { name: 'reversed bounds', put: (firsts, lasts, _sets, _answerSets, at) => { lasts[at] = firsts[at] - 1n; } },
      { name: 'no answers', put: (_firsts, _lasts, sets, answerSets, at) => { sets[at] = answerSets.push([]) - 1; } },
      { name: 'bad A', put: (_firsts, _lasts, sets, answerSets, at) => { sets[at] = answerSets.push([{ a: '127.0.0.02', txt: 'x' }]) - 1; } },
      { name: 'A 0.0.0.0', put: (_firsts, _lasts, sets, answerSets, at) => { sets[at] = answerSets.push([{ ...ANSWERS[1], a: '0.0.0.0' }]) - 1; } },
      { name: 'two answers', isRbldnsdOnly: true, put: (_firsts, _lasts, sets, answerSets, at) => { sets[at] = answerSets.push([ANSWERS[0], ANSWERS[1]]) - 1; } },
      { name: 'TXT rbldnsd reads as a variable', isRbldnsdOnly: true, put: (_firsts, _lasts, sets, answerSets, at) => { sets[at] = answerSets.push([{ a: '127.0.0.2', txt: 'costs $5' }]) - 1; } },
      { name: '/0', put: (firsts, lasts, _sets, _answerSets, at) => { firsts.splice(0, at + 1, 0n); lasts.splice(0, at + 1, top); firsts.length = lasts.length = 1; } },
    ];
    for (const fault of faults) {
      for (let seed = 1; seed <= 3; seed += 1) {
        const random = mulberry32(seed * 401 + family);
        const segments = singleAnswerSegments(random, family);
        const plain = columnsOf(family, segments);
        const firsts = segments.map((segment) => segment.first);
        const lasts = segments.map((segment) => segment.last);
        const sets = Uint32Array.from(plain.sets);
        const answerSets = [...plain.answerSets];
        const at = randomInt(random, 1, segments.length - 1);
        fault.put(firsts, lasts, sets, answerSets, at);
        const columns = makeColumns(family, firsts, lasts, sets.subarray(0, firsts.length), answerSets, 2);
        const faulty = segmentsOf(columns);
        for (const [writer, before] of [[writeBindZoneColumns, writeBindZoneBefore], [writeRbldnsdColumns, writeRbldnsdBefore]] as const) {
          const now = outcome(() => columnsText(writer, columns, family));
          const isRefused = writer === writeRbldnsdColumns || fault.isRbldnsdOnly !== true;
          assert.equal('error' in now, isRefused, `${fault.name}, seed ${seed}: ${writer.name} ${isRefused ? 'refuses' : 'writes'} it`);
          assert.deepEqual(now, outcome(() => text(before, faulty, family)), `${fault.name}, seed ${seed}, ${writer.name}`);
        }
      }
    }
  });
}
