/**
 * Deterministic (seeded) bench data: 1,000,000 single IPv4 addresses plus 200,000 ranges
 * (IPv4 CIDRs, IPv4 a-b ranges and IPv6 prefixes) that overlap them and each other.
 * Written under test/bench/data/ (git-ignored) and reused when already there.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatAddress } from '../../shared/address.js';
import { specialRangeOverlapping } from '../../shared/special-ranges.js';

/** The tests' seeded PRNG (mulberry32), under the name the bench uses. */
export { mulberry32 as seededRandom } from '../unit/support/random.js';
import { mulberry32 as seededRandom } from '../unit/support/random.js';

/** Where generated files live (outside git). */
export function benchDataFolder(): string {
  // Compiled to dist/test/bench: the data folder is the source tree's test/bench/data.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'bench', 'data');
}

/** A public-looking IPv4 address: first octet 11-223 outside 127 (no private, loopback or multicast blocks), and never in special-purpose space. */
export function publicIpv4(random: () => number): number {
  for (;;) {
    const value = Math.floor(random() * 0x100000000) >>> 0;
    const first = value >>> 24;
    if (first < 11 || first >= 224 || first === 127 || first === 100 || first === 169 || first === 172 || first === 192 || first === 198) continue;
    if (isSpecial(4, BigInt(value), BigInt(value))) continue;
    return value;
  }
}

/** A public IPv4 network of the given prefix length (its first address), none of it in special-purpose space. */
export function publicIpv4Network(random: () => number, prefix: number): number {
  for (;;) {
    const network = ((publicIpv4(random) >>> (32 - prefix)) << (32 - prefix)) >>> 0;
    if (!isSpecial(4, BigInt(network), BigInt(network) + (1n << BigInt(32 - prefix)) - 1n)) return network;
  }
}

/** Whether a range touches special-purpose space, which imports refuse. */
function isSpecial(family: 4 | 6, first: bigint, last: bigint): boolean {
  return specialRangeOverlapping({ family, first, last }) !== null;
}

export interface BenchFileCounts {
  readonly singles: number;
  readonly ranges: number;
}

/** Write (once) the listing-import file and return its path. */
export async function listingImportFile(counts: BenchFileCounts = { singles: 1_000_000, ranges: 200_000 }, seed = 20261128): Promise<string> {
  const folder = benchDataFolder();
  mkdirSync(folder, { recursive: true });
  // v2: no line touches special-purpose space (imports refuse it).
  const path = join(folder, `listings-v2-${counts.singles}-${counts.ranges}-${seed}.txt`);
  if (existsSync(path)) return path;
  const random = seededRandom(seed);
  const temporary = `${path}.partial`;
  const stream = createWriteStream(temporary);
  let buffer = '';
  const flush = async () => {
    if (!stream.write(buffer)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    buffer = '';
  };
  const seen = new Set<number>();
  for (let index = 0; index < counts.singles; index += 1) {
    let value = publicIpv4(random);
    while (seen.has(value)) value = publicIpv4(random);
    seen.add(value);
    buffer += `${formatAddress(4, BigInt(value))}\n`;
    if (buffer.length > 1 << 16) await flush();
  }
  for (let index = 0; index < counts.ranges; index += 1) {
    const kind = random();
    if (kind < 0.7) {
      const prefix = 16 + Math.floor(random() * 13);
      buffer += `${formatAddress(4, BigInt(publicIpv4Network(random, prefix)))}/${prefix}\n`;
    } else if (kind < 0.9) {
      const start = publicIpv4(random);
      const end = Math.min(start + 1 + Math.floor(random() * 5000), 0xdfffffff);
      if (isSpecial(4, BigInt(start), BigInt(end))) index -= 1;
      else buffer += `${formatAddress(4, BigInt(start))}-${formatAddress(4, BigInt(end))}\n`;
    } else {
      const prefix = [32, 40, 48, 56, 64, 96, 128][Math.floor(random() * 7)];
      let value = 0x2001n;
      for (let word = 0; word < 7; word += 1) value = (value << 16n) | BigInt(Math.floor(random() * 0x10000));
      const host = BigInt(128 - prefix);
      const network = (value >> host) << host;
      if (isSpecial(6, network, network | ((1n << host) - 1n))) index -= 1;
      else buffer += `${formatAddress(6, network)}/${prefix}\n`;
    }
    if (buffer.length > 1 << 16) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  renameSync(temporary, path);
  return path;
}
