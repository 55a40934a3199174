import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressKey,
  addressKeyHex,
  cidrLast,
  cidrToRange,
  exactPrefix,
  formatAddress,
  formatRange,
  ipv4Number,
  maxAddress,
  mergeRanges,
  parseAddress,
  parseRange,
  rangeToCidrs,
  readAddressKey,
  subtractRanges,
  type AddressRange,
  type Family,
  type ParsedRange,
} from '../../../shared/address.js';
import { isSpecialIpv4, SPECIAL_RANGES, specialRangeOverlapping } from '../../../shared/special-ranges.js';
import { mulberry32, randomBigint, randomBits, randomInt, type Random } from '../support/random.js';

function parsedRange(text: string): ParsedRange {
  const parsed = parseRange(text);
  if (!parsed.ok) assert.fail(`${text} should parse, got: ${parsed.error}`);
  return parsed.value;
}

function rangeError(text: string): string {
  const parsed = parseRange(text);
  if (parsed.ok) assert.fail(`${JSON.stringify(text)} should be refused, parsed as ${formatRange(parsed.value)}`);
  return parsed.error;
}

const V4 = (text: string): bigint => {
  const parsed = parseAddress(text);
  if (!parsed.ok || parsed.value.family !== 4) assert.fail(`${text} is not IPv4`);
  return parsed.value.value;
};

describe('parseRange: the forms of the service manual', () => {
  test('a single IPv4 address is a /32', () => {
    const range = parsedRange('123.123.123.123');
    assert.deepEqual(
      { family: range.family, first: range.first, last: range.last, prefix: range.prefix, notes: range.notes },
      { family: 4, first: 0x7b7b7b7bn, last: 0x7b7b7b7bn, prefix: 32, notes: [] },
    );
  });

  test('an a-b range keeps its ends; it is not one block so has no prefix', () => {
    const range = parsedRange('123.123.123.123-223.223.223.223');
    assert.equal(range.family, 4);
    assert.equal(range.first, 0x7b7b7b7bn);
    assert.equal(range.last, 0xdfdfdfdfn);
    assert.equal(range.prefix, null);
    assert.deepEqual(range.notes, []);
    assert.equal(formatRange(range), '123.123.123.123-223.223.223.223');
  });

  test('an a-b range that is exactly one block gets its prefix', () => {
    const range = parsedRange('10.0.0.0-10.0.0.255');
    assert.equal(range.prefix, 24);
    assert.equal(formatRange(range), '10.0.0.0/24');
  });

  test('a CIDR with host bits is normalised to its network, with a note', () => {
    const range = parsedRange('123.123.123.123/24');
    assert.equal(range.first, 0x7b7b7b00n);
    assert.equal(range.last, 0x7b7b7bffn);
    assert.equal(range.prefix, 24);
    assert.equal(range.notes.length, 1);
    assert.match(range.notes[0], /host bits/);
    assert.match(range.notes[0], /123\.123\.123\.0\/24/);
  });

  test('a clean CIDR has no note', () => {
    const range = parsedRange('123.123.123.0/24');
    assert.deepEqual(range.notes, []);
    assert.equal(formatRange(range), '123.123.123.0/24');
  });

  test('the three IPv6 spellings of the manual are the same address', () => {
    const forms = ['2001:0db7:85a3:0000:0000:8a2e:0370:7334', '2001:db7:85a3:0:0:8a2e:370:7334', '2001:db7:85a3::8a2e:370:7334'];
    const ranges = forms.map(parsedRange);
    for (const range of ranges) {
      assert.equal(range.family, 6);
      assert.equal(range.first, 0x20010db785a3000000008a2e03707334n);
      assert.equal(range.last, range.first);
      assert.equal(range.prefix, 128);
    }
    assert.equal(formatRange(ranges[0]), '2001:db7:85a3::8a2e:370:7334');
  });

  test('IPv6 CIDR and range', () => {
    const block = parsedRange('2001:db8::/32');
    assert.equal(block.first, 0x20010db8n << 96n);
    assert.equal(block.last, (0x20010db8n << 96n) | ((1n << 96n) - 1n));
    assert.equal(block.prefix, 32);
    const span = parsedRange('2001:db8::1-2001:db8::ff');
    assert.equal(span.last - span.first, 0xfen);
    assert.equal(parsedRange('::/0').last, maxAddress(6));
    assert.equal(parsedRange('0.0.0.0/0').last, maxAddress(4));
  });

  test('::ffff:a.b.c.d is the IPv4 address, with a note', () => {
    const range = parsedRange('::ffff:192.0.2.1');
    assert.equal(range.family, 4);
    assert.equal(range.first, V4('192.0.2.1'));
    assert.equal(range.prefix, 32);
    assert.equal(range.notes.length, 1);
    assert.match(range.notes[0], /IPv4-mapped/);
    assert.match(range.notes[0], /192\.0\.2\.1/);
    const address = parseAddress('::FFFF:c000:0201');
    assert.ok(address.ok && address.value.family === 4 && address.value.value === V4('192.0.2.1'));
  });

  test('::ffff:192.0.2.0/120 is 192.0.2.0/24', () => {
    const range = parsedRange('::ffff:192.0.2.0/120');
    assert.equal(range.family, 4);
    assert.equal(range.prefix, 24);
    assert.equal(formatRange(range), '192.0.2.0/24');
    assert.match(rangeError('::ffff:192.0.2.0/95'), /between 96 and 128/);
  });

  test('an IPv4-mapped block is read as the IPv4 block it stands for, and the note names that whole block', () => {
    const whole = parsedRange('::ffff:0:0/96');
    assert.equal(formatRange(whole), '0.0.0.0/0');
    assert.deepEqual(whole.notes, ['::ffff:0:0/96 is the IPv4-mapped form of 0.0.0.0/0; read as that IPv4 block']);
    const block = parsedRange('::ffff:11.2.3.4/112');
    assert.equal(formatRange(block), '11.2.0.0/16');
    assert.deepEqual(block.notes, ['::ffff:11.2.3.4/112 is the IPv4-mapped form of 11.2.0.0/16; read as that IPv4 block', '::ffff:11.2.3.4/112 has host bits set; normalised to 11.2.0.0/16']);
  });
});

describe('parseRange: refusals name the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['010.0.0.1', /octet "010" has a leading zero.*octal/],
    ['10.0.0.01', /leading zero/],
    ['10.1', /exactly four decimal octets/],
    ['10.1.2', /exactly four decimal octets/],
    ['0x0a.0.0.1', /hexadecimal/],
    ['10.0.0.0x1', /hexadecimal/],
    ['167772161', /bare number/],
    ['256.0.0.1', /over 255/],
    ['10.0.0.2-10.0.0.1', /start 10\.0\.0\.2 is after the end 10\.0\.0\.1/],
    ['2001:db8::2-2001:db8::1', /after the end/],
    ['10.0.0.1-2001:db8::1', /mixes IPv4 and IPv6/],
    ['2001:db8::1-10.0.0.1', /mixes IPv6 and IPv4/],
    ['fe80::1%eth0', /zone id/],
    ['fe80::1%eth0/64', /zone id/],
    ['10.0.0.0/33', /prefix \/33 is out of range for IPv4 \(0-32\)/],
    ['2001:db8::/129', /prefix \/129 is out of range for IPv6 \(0-128\)/],
    ['10.0.0.0/-1', /prefix "-1" is not a number/],
    ['10.0.0.0/08', /prefix "08" has a leading zero/],
    ['10.0.0.0/', /prefix "" is not a number/],
    ['10.0.0.0/24x', /prefix "24x" is not a number/],
    ['1.2.3.4x', /"1\.2\.3\.4x" is not an IP address/],
    ['1.2.3.4 5', /"1\.2\.3\.4 5" is not an IP address/],
    ['1.2.3.4/24/8', /more than one '\/'/],
    ['1.2.3.4-1.2.3.5-1.2.3.6', /exactly one '-'/],
    ['1.2.3.4-', /empty address/],
    ['2001:db8::12345', /more than four hex digits/],
    ['2001:db8:::1', /not a valid IPv6 address/],
    ['::ffff:010.0.0.1', /embedded IPv4 part.*leading zero/],
    ['', /empty/],
    ['   ', /empty/],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} is refused: ${expected.source}`, () => {
      assert.match(rangeError(input), expected);
    });
  }

  test('a long input is quoted shortened in the message', () => {
    const error = rangeError(`${'1'.repeat(200)}.0.0.1`);
    assert.ok(error.length < 200, error);
    assert.match(error, /\.\.\./);
  });
});

describe('formatAddress: RFC 5952 text', () => {
  const cases: Array<[bigint, string]> = [
    [0x20010db8000000000000000000000001n, '2001:db8::1'],
    [0n, '::'],
    [1n, '::1'],
    [0x20010db8000000010001000100010001n, '2001:db8:0:1:1:1:1:1'],
    [0x20010db8000000000001000000000001n, '2001:db8::1:0:0:1'],
    [0x20010000000000010000000000000001n, '2001:0:0:1::1'],
    [0x20010db8000000000000000100000000n, '2001:db8::1:0:0'],
    [0x20010db800000000000000000000000an, '2001:db8::a'],
    [0xfe800000000000000000000000000000n, 'fe80::'],
    [0x00010000000000000000000000000000n, '1::'],
    [0xabcd00000000000000000000000000ffn, 'abcd::ff'],
    [0x20010db8aaaabbbbccccddddeeeeffffn, '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff'],
  ];
  for (const [value, text] of cases) {
    test(`${value.toString(16)} -> ${text}`, () => {
      assert.equal(formatAddress(6, value), text);
      const back = parseAddress(text);
      assert.ok(back.ok && back.value.value === value && back.value.family === 6);
    });
  }

  test('a single zero group is not compressed; the longest run wins; the first of equal runs wins', () => {
    assert.equal(formatAddress(6, 0x20010db8000000010001000100010001n), '2001:db8:0:1:1:1:1:1');
    assert.equal(formatAddress(6, 0x00010000000100000000000000010000n), '1:0:1::1:0');
    assert.equal(formatAddress(6, 0x00010000000000010000000000010001n), '1::1:0:0:1:1');
  });

  test('IPv4 dotted quad at both ends', () => {
    assert.equal(formatAddress(4, 0n), '0.0.0.0');
    assert.equal(formatAddress(4, 0xffffffffn), '255.255.255.255');
    assert.equal(formatAddress(4, 0x0a000001n), '10.0.0.1');
  });

  test('property: format then parse is the identity, and the text is canonical', () => {
    const random = mulberry32(5952);
    for (let index = 0; index < 3000; index += 1) {
      // Values with many zero groups exercise the compression rules.
      let value = 0n;
      for (let group = 0; group < 8; group += 1) value = (value << 16n) | (random() < 0.5 ? 0n : BigInt(randomInt(random, 0, 0xffff)));
      if (value >> 32n === 0xffffn) continue; // the IPv4-mapped block parses as IPv4
      const text = formatAddress(6, value);
      const back = parseAddress(text);
      assert.ok(back.ok && back.value.family === 6 && back.value.value === value, `${value.toString(16)} -> ${text}`);
      assert.equal(text, text.toLowerCase());
      assert.doesNotMatch(text, /(^|:)0[0-9a-f]/, `no leading zeros in ${text}`);
      assert.ok((text.match(/::/g) ?? []).length <= 1, text);
      // `::` never stands for a single group.
      if (text.includes('::')) assert.ok(text.split(':').filter((part) => part !== '').length <= 6, text);
    }
  });
});

/** Minimal CIDR count by the binary trie: a node inside the range is one block, a node outside none, else its children. */
function minimalBlockCount(range: AddressRange): number {
  const bits = range.family === 4 ? 32 : 128;
  const count = (low: bigint, high: bigint, depth: number): number => {
    if (high < range.first || low > range.last) return 0;
    if (range.first <= low && high <= range.last) return 1;
    const half = 1n << BigInt(bits - depth - 1);
    return count(low, low + half - 1n, depth + 1) + count(low + half, high, depth + 1);
  };
  return count(0n, maxAddress(range.family), 0);
}

function randomRange(random: Random, family: Family): AddressRange {
  const max = maxAddress(family);
  const bits = family === 4 ? 32 : 128;
  const shape = random();
  let first: bigint;
  let last: bigint;
  if (shape < 0.25) {
    // Small range anywhere.
    first = randomBigint(random, 0n, max);
    last = first + BigInt(randomInt(random, 0, 5000));
  } else if (shape < 0.5) {
    // Random ends over a random span width.
    const width = randomBits(random, randomInt(random, 1, bits));
    first = randomBigint(random, 0n, max);
    last = first + width;
  } else if (shape < 0.65) {
    // Touching the bottom or the top of the space.
    const width = randomBits(random, randomInt(random, 0, bits));
    if (random() < 0.5) {
      first = 0n;
      last = width;
    } else {
      first = max - width;
      last = max;
    }
  } else if (shape < 0.8) {
    // An aligned block, off by a little at either end.
    const prefix = randomInt(random, 0, bits);
    const size = 1n << BigInt(bits - prefix);
    first = (randomBigint(random, 0n, max) / size) * size;
    last = first + size - 1n;
    if (random() < 0.5 && first > 0n) first -= BigInt(randomInt(random, 0, 3));
    if (random() < 0.5) last += BigInt(randomInt(random, 0, 3));
  } else {
    // Fully random ends.
    first = randomBigint(random, 0n, max);
    last = randomBigint(random, 0n, max);
    if (first > last) [first, last] = [last, first];
  }
  if (last > max) last = max;
  if (first > last) first = last;
  return { family, first, last };
}

describe('rangeToCidrs', () => {
  test('known decompositions', () => {
    const text = (input: string) => rangeToCidrs(parsedRange(input)).map((cidr) => `${formatAddress(cidr.family, cidr.first)}/${cidr.prefix}`);
    assert.deepEqual(text('10.0.0.0/8'), ['10.0.0.0/8']);
    assert.deepEqual(text('10.0.0.1-10.0.0.6'), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
    assert.deepEqual(text('0.0.0.0-255.255.255.255'), ['0.0.0.0/0']);
    assert.deepEqual(text('0.0.0.1-255.255.255.255').length, 32);
    assert.deepEqual(text('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), ['::/0']);
    assert.deepEqual(text('::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe').length, 254);
    assert.deepEqual(text('123.123.123.123-223.223.223.223').length, minimalBlockCount(parsedRange('123.123.123.123-223.223.223.223')));
  });

  for (const family of [4, 6] as const) {
    test(`property (IPv${family}): exact cover, aligned, in order, minimal; merges back to the range`, () => {
      const random = mulberry32(family === 4 ? 0x4444 : 0x6666);
      const bits = family === 4 ? 32 : 128;
      for (let index = 0; index < 1500; index += 1) {
        const range = randomRange(random, family);
        const blocks = rangeToCidrs(range);
        const label = `${formatAddress(family, range.first)}-${formatAddress(family, range.last)}`;
        assert.ok(blocks.length > 0, label);
        let cursor = range.first;
        for (const block of blocks) {
          assert.equal(block.family, family);
          assert.ok(block.prefix >= 0 && block.prefix <= bits, `${label}: prefix ${block.prefix}`);
          const size = 1n << BigInt(bits - block.prefix);
          assert.equal(block.first % size, 0n, `${label}: block ${formatAddress(family, block.first)}/${block.prefix} is not aligned`);
          assert.equal(block.first, cursor, `${label}: gap or overlap at ${formatAddress(family, cursor)}`);
          assert.equal(cidrLast(block), block.first + size - 1n);
          cursor = cidrLast(block) + 1n;
        }
        assert.equal(cursor, range.last + 1n, `${label}: the blocks end at ${formatAddress(family, cursor - 1n)}`);
        assert.equal(blocks.length, minimalBlockCount(range), `${label}: not minimal`);
        // Round trip: the blocks merge back to exactly the range, in any order.
        const shuffled = blocks.map(cidrToRange).sort(() => random() - 0.5);
        assert.deepEqual(mergeRanges(shuffled), [range]);
        // Exactly one block iff exactPrefix says so.
        assert.equal(exactPrefix(range), blocks.length === 1 ? blocks[0].prefix : null, label);
      }
    });
  }
});

describe('mergeRanges and subtractRanges', () => {
  test('mergeRanges joins overlapping and adjacent ranges, keeps families apart', () => {
    const merged = mergeRanges([
      { family: 6, first: 5n, last: 9n },
      { family: 4, first: 10n, last: 20n },
      { family: 4, first: 21n, last: 25n },
      { family: 4, first: 12n, last: 14n },
      { family: 4, first: 27n, last: 30n },
      { family: 6, first: 10n, last: 11n },
    ]);
    assert.deepEqual(merged, [
      { family: 4, first: 10n, last: 25n },
      { family: 4, first: 27n, last: 30n },
      { family: 6, first: 5n, last: 11n },
    ]);
  });

  for (const family of [4, 6] as const) {
    test(`subtractRanges (IPv${family}) equals a brute-force set difference`, () => {
      const random = mulberry32(family * 1009);
      const max = maxAddress(family);
      const window = 64;
      for (let round = 0; round < 2000; round += 1) {
        // A window of 64 addresses somewhere, often at the very bottom or top of the space.
        const where = random();
        const base = where < 0.2 ? 0n : where < 0.4 ? max - BigInt(window - 1) : randomBigint(random, 0n, max - BigInt(window - 1));
        const at = (offset: number) => base + BigInt(offset);
        const startOffset = randomInt(random, 0, window - 1);
        const range: AddressRange = { family, first: at(startOffset), last: at(randomInt(random, startOffset, window - 1)) };
        const holes: AddressRange[] = [];
        for (let count = randomInt(random, 0, 6); count > 0; count -= 1) {
          const holeStart = randomInt(random, 0, window - 1);
          holes.push({ family, first: at(holeStart), last: at(randomInt(random, holeStart, Math.min(window - 1, holeStart + 20))) });
        }
        if (random() < 0.2) holes.push({ family: family === 4 ? 6 : 4, first: range.first, last: range.last }); // other family: ignored
        const isInHole = (value: bigint) => holes.some((hole) => hole.family === family && hole.first <= value && value <= hole.last);
        const expected: AddressRange[] = [];
        for (let value = range.first; value <= range.last; value += 1n) {
          if (isInHole(value)) continue;
          const previous = expected[expected.length - 1];
          if (previous && previous.last + 1n === value) expected[expected.length - 1] = { ...previous, last: value };
          else expected.push({ family, first: value, last: value });
        }
        assert.deepEqual(subtractRanges(range, holes), expected, `round ${round}`);
      }
    });
  }
});

describe('storage keys', () => {
  /** One number line for both families: IPv4 at its IPv4-mapped place. */
  const unified = (family: Family, value: bigint) => (family === 4 ? (0xffffn << 32n) | value : value);

  function randomAddress(random: Random): { family: Family; value: bigint } {
    const roll = random();
    if (roll < 0.4) return { family: 4, value: randomBits(random, 32) };
    if (roll < 0.45) return { family: 4, value: random() < 0.5 ? 0n : 0xffffffffn };
    if (roll < 0.5) return { family: 6, value: random() < 0.5 ? 0n : maxAddress(6) };
    // IPv6 near the mapped block on either side, and anywhere.
    if (roll < 0.65) return { family: 6, value: (0xffffn << 32n) - 1n - randomBits(random, 20) };
    if (roll < 0.8) return { family: 6, value: (0x10000n << 32n) + randomBits(random, 20) };
    let value = randomBits(random, 128);
    if (value >> 32n === 0xffffn) value ^= 1n << 100n;
    return { family: 6, value };
  }

  test('known keys', () => {
    assert.equal(Buffer.from(addressKey(4, 0x0a000001n)).toString('hex'), '00000000000000000000ffff0a000001');
    assert.equal(Buffer.from(addressKey(6, 1n)).toString('hex'), '00000000000000000000000000000001');
    assert.equal(Buffer.from(addressKey(6, maxAddress(6))).toString('hex'), 'f'.repeat(32));
    assert.equal(addressKeyHex(4, 0x0a000001n), '00000000000000000000FFFF0A000001');
  });

  test('property: memcmp order of keys equals numeric order across both families; keys read back', () => {
    const random = mulberry32(1616);
    const addresses = Array.from({ length: 4000 }, () => randomAddress(random));
    for (const { family, value } of addresses) {
      const key = addressKey(family, value);
      assert.equal(key.length, 16);
      assert.deepEqual(readAddressKey(key), { family, value });
      assert.equal(addressKeyHex(family, value), Buffer.from(key).toString('hex').toUpperCase());
      // Reading at an offset inside a bigger buffer.
      const padded = new Uint8Array(20);
      padded.set(key, 3);
      assert.deepEqual(readAddressKey(padded, 3), { family, value });
    }
    const byKey = [...addresses].sort((a, b) => Buffer.compare(Buffer.from(addressKey(a.family, a.value)), Buffer.from(addressKey(b.family, b.value))));
    const byNumber = [...addresses].sort((a, b) => {
      const left = unified(a.family, a.value);
      const right = unified(b.family, b.value);
      return left < right ? -1 : left > right ? 1 : 0;
    });
    assert.deepEqual(byKey, byNumber);
    // Every IPv4 key lies between ::fffe:ffff:ffff and ::1:0:0:0, i.e. the family sorts together.
    const low = Buffer.from(addressKey(6, (0xffffn << 32n) - 1n));
    const high = Buffer.from(addressKey(6, 0x10000n << 32n));
    for (const { family, value } of addresses) {
      if (family !== 4) continue;
      const key = Buffer.from(addressKey(4, value));
      assert.ok(Buffer.compare(low, key) < 0 && Buffer.compare(key, high) < 0);
    }
  });
});

describe('the IPv4 fast paths of imports and bulk lookups agree with the general ones', () => {
  let seed = 11;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

  test('ipv4Number reads exactly the plain dotted quads parseAddress accepts, to the same value', () => {
    const pieces = ['0', '00', '1', '01', '7', '10', '99', '100', '199', '255', '256', '300', '999', '1000', '', 'a', '-1', '1e2'];
    let accepted = 0;
    for (let round = 0; round < 20_000; round += 1) {
      const text = Array.from({ length: pick([3, 4, 4, 4, 5]) }, () => pick(pieces)).join(pick(['.', '.', '.', ',', '..']));
      const fast = ipv4Number(text);
      const parsed = parseAddress(text);
      if (fast !== -1) {
        accepted += 1;
        assert.ok(parsed.ok && parsed.value.family === 4 && parsed.value.value === BigInt(fast), text);
      } else {
        assert.ok(!parsed.ok, `${text} is an address the fast path refused`);
      }
    }
    assert.ok(accepted > 250, `only ${accepted} plain addresses met`);
  });

  test('isSpecialIpv4 is specialRangeOverlapping on IPv4 numbers: random ranges and every special block edge', () => {
    const edges = SPECIAL_RANGES.filter((special) => special.family === 4).flatMap((special) => [Number(special.first), Number(special.last)]);
    const near = (value: number) => Math.min(2 ** 32 - 1, Math.max(0, value + pick([-1, 0, 1, -256, 256])));
    for (let round = 0; round < 20_000; round += 1) {
      const first = round % 2 === 0 ? Math.floor(random() * 2 ** 32) : near(pick(edges));
      const last = Math.min(2 ** 32 - 1, first + pick([0, 0, 1, 255, 65_535, Math.floor(random() * 2 ** 26)]));
      const expected = specialRangeOverlapping({ family: 4, first: BigInt(first), last: BigInt(last) }) !== null;
      assert.equal(isSpecialIpv4(first, last), expected, `${formatAddress(4, BigInt(first))}-${formatAddress(4, BigInt(last))}`);
    }
  });
});
