/**
 * Unkeyed BLAKE2b (RFC 7693) with a chosen output length. node:crypto only offers the 64-byte
 * variant, and BLAKE2b-256 is not a truncation of it (the length is mixed into the state), so
 * minisign's 32-byte secret key checksum needs this. Only ever fed ~74 bytes, hence BigInt
 * simplicity over speed.
 */
const BLAKE2B_IV = new BigUint64Array([
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
]);

const BLAKE2B_SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/** BLAKE2b of `input` with an output of `outputLength` bytes (1..64). */
export function blake2b(input: Buffer, outputLength: number): Buffer {
  const state = new BigUint64Array(BLAKE2B_IV);
  state[0] ^= 0x01010000n ^ BigInt(outputLength);
  const work = new BigUint64Array(16);
  const words = new BigUint64Array(16);
  const block = Buffer.alloc(128);

  const rotateRight = (value: bigint, bits: bigint): bigint => (value >> bits) | (value << (64n - bits));
  const mix = (a: number, b: number, c: number, d: number, x: bigint, y: bigint): void => {
    work[a] = work[a] + work[b] + x;
    work[d] = rotateRight(work[d] ^ work[a], 32n);
    work[c] = work[c] + work[d];
    work[b] = rotateRight(work[b] ^ work[c], 24n);
    work[a] = work[a] + work[b] + y;
    work[d] = rotateRight(work[d] ^ work[a], 16n);
    work[c] = work[c] + work[d];
    work[b] = rotateRight(work[b] ^ work[c], 63n);
  };
  const compress = (counter: bigint, last: boolean): void => {
    for (let index = 0; index < 16; index++) {
      words[index] = block.readBigUInt64LE(index * 8);
    }
    work.set(state, 0);
    work.set(BLAKE2B_IV, 8);
    work[12] ^= counter;
    work[13] ^= counter >> 64n;
    if (last) {
      work[14] = ~work[14];
    }
    for (let round = 0; round < 12; round++) {
      const sigma = BLAKE2B_SIGMA[round % 10];
      mix(0, 4, 8, 12, words[sigma[0]], words[sigma[1]]);
      mix(1, 5, 9, 13, words[sigma[2]], words[sigma[3]]);
      mix(2, 6, 10, 14, words[sigma[4]], words[sigma[5]]);
      mix(3, 7, 11, 15, words[sigma[6]], words[sigma[7]]);
      mix(0, 5, 10, 15, words[sigma[8]], words[sigma[9]]);
      mix(1, 6, 11, 12, words[sigma[10]], words[sigma[11]]);
      mix(2, 7, 8, 13, words[sigma[12]], words[sigma[13]]);
      mix(3, 4, 9, 14, words[sigma[14]], words[sigma[15]]);
    }
    for (let index = 0; index < 8; index++) {
      state[index] ^= work[index] ^ work[index + 8];
    }
  };

  let offset = 0;
  while (input.length - offset > 128) {
    input.copy(block, 0, offset, offset + 128);
    offset += 128;
    compress(BigInt(offset), false);
  }
  block.fill(0);
  input.copy(block, 0, offset);
  compress(BigInt(input.length), true);

  const output = Buffer.alloc(64);
  for (let index = 0; index < 8; index++) {
    output.writeBigUInt64LE(state[index], index * 8);
  }
  return output.subarray(0, outputLength);
}
