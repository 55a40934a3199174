/**
 * The zone writers write address text and owner-name labels straight into their byte buffer.
 * Those bytes must be exactly the text the shared formatters give: IPv6 text as formatAddress
 * writes it (RFC 5952: the first longest run of two or more zero groups as `::`), reversed
 * nibbles as ipv6Labels, IPv4 text and reversed octets as formatAddress and the dotted labels,
 * an address's nibbles as its hex digits.
 * Checked on random addresses with runs of zero groups of every length and place, and on the
 * edges of each space, into a buffer that has to grow for them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddress, maxAddress } from '../../../shared/address.js';
import { ByteOutput } from '../../../main/core/publish/zones/byte-output.js';
import { ipv6Labels, writeIpv4Labels, writeIpv4Text, writeIpv6Labels, writeIpv6Nibbles, writeIpv6Text } from '../../../main/core/publish/zones/names.js';
import { mulberry32, randomBits, randomInt, type Random } from '../support/random.js';

/** What `write` puts into a ByteOutput that holds `filler` bytes and has room for a few more at most (so the write grows it). */
function written(filler: number, write: (out: ByteOutput) => void): string {
  const out = new ByteOutput(() => assert.fail('nothing is flushed'), 64);
  out.buffer = Buffer.alloc(filler + (filler % 4));
  for (let index = 0; index < filler; index += 1) out.byte(0x78);
  write(out);
  assert.ok(out.buffer.subarray(0, filler).every((byte) => byte === 0x78), 'what was there before is kept');
  return out.buffer.toString('latin1', filler, out.length);
}

/** A random IPv6 address whose groups are zero in runs: none, one, several, at the start, the end or inside. */
function ipv6WithZeroRuns(random: Random): bigint {
  let value = 0n;
  for (let group = 0; group < 8; group += 1) {
    const kind = randomInt(random, 0, 3);
    // 0: zero, 1: small (leading zeros dropped), 2-3: any.
    const word = kind === 0 ? 0 : kind === 1 ? randomInt(random, 1, 0xff) : randomInt(random, 0, 0xffff);
    value = (value << 16n) | BigInt(word);
  }
  return value;
}

const IPV6_EDGES = [0n, 1n, maxAddress(6), 1n << 112n, (1n << 112n) | 1n, 0x20010db8000000000000000000000001n, 0xffff7f000002n, 0x2a010000000100000000000000010000n, 0x0001000000000000000000000000ffffn];

test('IPv6 text written into the buffer is formatAddress(6) exactly', () => {
  const random = mulberry32(61);
  const values = [...IPV6_EDGES, ...Array.from({ length: 20_000 }, () => ipv6WithZeroRuns(random)), ...Array.from({ length: 2_000 }, () => randomBits(random, 128))];
  for (const [index, value] of values.entries()) {
    const filler = index % 70;
    assert.equal(written(filler, (out) => writeIpv6Text(out, value)), formatAddress(6, value), `0x${value.toString(16)}`);
  }
});

test('IPv6 reversed-nibble labels written into the buffer are ipv6Labels exactly, for every label count', () => {
  const random = mulberry32(62);
  const values = [...IPV6_EDGES, ...Array.from({ length: 2_000 }, () => ipv6WithZeroRuns(random))];
  for (const [index, value] of values.entries()) {
    for (let nibbles = 1; nibbles <= 32; nibbles += index < IPV6_EDGES.length ? 1 : 7) {
      assert.equal(written(index % 70, (out) => writeIpv6Labels(out, value, nibbles)), ipv6Labels(value, nibbles), `0x${value.toString(16)} ${nibbles}`);
    }
  }
});

test('IPv4 text and reversed-octet labels written into the buffer are the dotted forms exactly', () => {
  const random = mulberry32(63);
  const values = [0, 1, 9, 10, 99, 100, 255, 256, 0x0a000001, 0x7f000002, 0x80000000, 0xfffffffe, 0xffffffff, ...Array.from({ length: 20_000 }, () => Number(randomBits(random, 32)))];
  const column = new Uint32Array(1);
  for (const [index, value] of values.entries()) {
    column[0] = value;
    const text = formatAddress(4, BigInt(value));
    assert.equal(written(index % 70, (out) => writeIpv4Text(out, column, 0)), text);
    const octets = text.split('.');
    for (let count = 1; count <= 4; count += 1) {
      assert.equal(written(index % 70, (out) => writeIpv4Labels(out, column, 0, count)), octets.slice(0, count).reverse().join('.'), `${text} ${count}`);
    }
  }
});

test('IPv6 nibbles are the hex digits of the address, most significant first', () => {
  const random = mulberry32(64);
  const target = new Uint8Array(40).fill(99);
  for (const value of [...IPV6_EDGES, ...Array.from({ length: 5_000 }, () => ipv6WithZeroRuns(random))]) {
    writeIpv6Nibbles(value, target, 5);
    const hex = value.toString(16).padStart(32, '0');
    assert.deepEqual([...target.subarray(5, 37)], [...hex].map((digit) => Number.parseInt(digit, 16)), hex);
    assert.deepEqual([...target.subarray(0, 5), ...target.subarray(37)], [99, 99, 99, 99, 99, 99, 99, 99], 'nothing written outside');
  }
});
