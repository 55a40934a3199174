/**
 * Seeded randomness for property tests: mulberry32, so a failing case can be replayed from its
 * seed. Every helper takes the generator, never Math.random.
 */

/** A generator of floats in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny, fast 32-bit PRNG (good enough for test data, not for secrets). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] (inclusive), for ranges that fit a double exactly. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A uniformly random unsigned integer of `bits` bits. */
export function randomBits(random: Random, bits: number): bigint {
  let value = 0n;
  let remaining = bits;
  while (remaining > 0) {
    const take = Math.min(remaining, 32);
    const chunk = BigInt(Math.floor(random() * 2 ** 32)) & ((1n << BigInt(take)) - 1n);
    value = (value << BigInt(take)) | chunk;
    remaining -= take;
  }
  return value;
}

/** A bigint in [min, max] (inclusive). */
export function randomBigint(random: Random, min: bigint, max: bigint): bigint {
  const span = max - min + 1n;
  const bits = span.toString(2).length + 16;
  return min + (randomBits(random, bits) % span);
}

/** One element of a non-empty array. */
export function pick<T>(random: Random, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)];
}

/** Random bytes (for binary-junk files). */
export function randomBytes(random: Random, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) bytes[index] = Math.floor(random() * 256);
  return bytes;
}
