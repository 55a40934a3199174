/**
 * Publishing-scale timing of the segment sweep: 1,000,000 single IPv4 addresses plus 200,000
 * ranges in nested chains (/16 > /19 > /22 > /25 > /28, chains overlapping one another), all
 * from a fixed seed. Figures are the median of three runs, in milliseconds: the bigint sweep
 * (what IPv6 uses) and the typed-array one publishing uses for IPv4.
 */
import { performance } from 'node:perf_hooks';
import { flatten } from '../../main/core/publish/segments/sweep.js';
import { combine } from '../../main/core/publish/segments/set-operations.js';
import type { Interval } from '../../main/core/publish/segments/types.js';
import { flattenNumbers } from '../../main/core/publish/segments/ipv4.js';
import { publicIpv4, seededRandom } from './generate.js';

const SINGLES = 1_000_000;
const CHAINS = 40_000;
const CHAIN_PREFIXES = [16, 19, 22, 25, 28];
const RUNS = 3;
const LISTS = 5;

/** Listing codes as the publisher would see them: small numbers standing for return codes. */
function generate(seed: number, offset: bigint): Array<Interval<number>> {
  const random = seededRandom(seed);
  const intervals: Array<Interval<number>> = [];
  for (let index = 0; index < SINGLES; index += 1) {
    const address = offset + BigInt(publicIpv4(random));
    intervals.push({ first: address, last: address, value: 2 + Math.floor(random() * 10) });
  }
  for (let chain = 0; chain < CHAINS; chain += 1) {
    const address = publicIpv4(random);
    for (const prefix of CHAIN_PREFIXES) {
      const size = 2 ** (32 - prefix);
      const first = Math.floor(address / size) * size;
      intervals.push({ first: offset + BigInt(first), last: offset + BigInt(first + size - 1), value: 2 + Math.floor(random() * 10) });
    }
  }
  return intervals;
}

function highestCode(covering: readonly number[]): number {
  let highest = covering[0];
  for (let index = 1; index < covering.length; index += 1) if (covering[index] > highest) highest = covering[index];
  return highest;
}

function equalCodes(a: number, b: number): boolean {
  return a === b;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]);
}

function timed(action: () => unknown): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    collect?.();
    const start = performance.now();
    action();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/**
 * Milliseconds for `flattenNumbers` of the 1,200,000 IPv4 intervals in typed arrays, `flatten`
 * of the same intervals as bigints (IPv4, and the same data moved into
 * 2001:db8::/96), and for `combine` of five lists made by flattening every fifth interval
 * (about 1.17 million segments in all).
 */
export function benchSegments(): Record<string, number> {
  const ipv4 = generate(20261128, 0n);
  const ipv6 = generate(20261128, 0x20010db8n << 96n);
  const lists: Array<Array<Interval<number>>> = [];
  for (let list = 0; list < LISTS; list += 1) {
    lists.push(flatten(ipv4.filter((_, index) => index % LISTS === list), highestCode, equalCodes));
  }
  const firsts = Uint32Array.from(ipv4, (interval) => Number(interval.first));
  const lasts = Uint32Array.from(ipv4, (interval) => Number(interval.last));
  const codes = Uint32Array.from(ipv4, (interval) => interval.value);
  const highestNumber = (covering: readonly number[]): number => {
    let highest = codes[covering[0]];
    for (let index = 1; index < covering.length; index += 1) if (codes[covering[index]] > highest) highest = codes[covering[index]];
    return highest;
  };
  return {
    flattenNumbersMs: timed(() => flattenNumbers(ipv4.length, firsts, lasts, highestNumber)),
    flattenMs: timed(() => flatten(ipv4, highestCode, equalCodes)),
    flattenIpv6Ms: timed(() => flatten(ipv6, highestCode, equalCodes)),
    combineMs: timed(() => combine(lists)),
  };
}
