import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRange } from '../../../shared/address.js';
import type { Ipv4SegmentColumns, Ipv6SegmentColumns, SegmentColumns, ZoneAnswer, ZoneParameters } from '../../../main/core/publish/zones/types.js';
import { ZoneWriteError } from '../../../main/core/publish/zones/checks.js';
import { queryName, reverseName } from '../../../main/core/publish/zones/names.js';
import { txtRdata } from '../../../main/core/publish/zones/txt.js';
import { writeBindZoneColumns } from '../../../main/core/publish/zones/bind.js';
import { writeRbldnsdColumns } from '../../../main/core/publish/zones/rbldnsd.js';
import { columnsOf, writeBindZone, writeRbldnsd, type Segment } from '../support/zone-text.js';

const CREATED = Date.UTC(2026, 10, 28, 12, 0, 0) / 1000;
const EXPIRES = Date.UTC(2026, 10, 29, 12, 30, 5) / 1000;

function parameters(family: 4 | 6, origin = family === 4 ? 'rbl.bl.example' : 'rbl6.bl.example'): ZoneParameters {
  return {
    origin,
    family,
    serial: 2026112801,
    nameServers: ['ns1.bl.example', 'ns2.bl.example'],
    hostmaster: 'hostmaster.bl.example',
    ttl: 2100,
    refresh: 3600,
    retry: 900,
    expire: 604800,
    negativeTtl: 300,
    created: CREATED,
    expires: EXPIRES,
  };
}

const LISTED: ZoneAnswer = { a: '127.0.0.2', txt: 'Listed $' };
const DYNAMIC: ZoneAnswer = { a: '127.0.0.3', txt: 'Dynamic range, see https://bl.example/q?$' };

function segment(text: string, answers: readonly ZoneAnswer[] = [LISTED]): Segment {
  const parsed = parseRange(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return { first: parsed.value.first, last: parsed.value.last, answers };
}

function bind(family: 4 | 6, segments: readonly Segment[]): { text: string; entries: number } {
  let text = '';
  const { entries } = writeBindZone(segments, parameters(family), (chunk) => { text += chunk; });
  return { text, entries };
}

function rbldnsd(family: 4 | 6, segments: readonly Segment[]): { text: string; entries: number } {
  let text = '';
  const { entries } = writeRbldnsd(segments, parameters(family), (chunk) => { text += chunk; });
  return { text, entries };
}

const BIND4_HEADER =
  '$ORIGIN rbl.bl.example.\n' +
  '$TTL 2100\n' +
  '@\tSOA\tns1.bl.example. hostmaster.bl.example. 2026112801 3600 900 604800 300\n' +
  '\tNS\tns1.bl.example.\n' +
  '\tNS\tns2.bl.example.\n';

const RBLDNSD_HEADER =
  '$SOA 2100 ns1.bl.example hostmaster.bl.example 2026112801 3600 900 604800 300\n' +
  '$NS 2100 ns1.bl.example ns2.bl.example\n' +
  '$TTL 2100\n' +
  '$TIMESTAMP 0 20261129123005\n';

function body(text: string, header: string): string {
  assert.ok(text.startsWith(header), `header:\n${text.slice(0, 400)}`);
  return text.slice(header.length);
}

test('a /32 is its exact name, with the address in place of $', () => {
  const { text, entries } = bind(4, [segment('192.0.2.1')]);
  assert.equal(text, `${BIND4_HEADER}1.2.0.192\tA\t127.0.0.2\n\tTXT\t"Listed 192.0.2.1"\n`);
  assert.equal(entries, 1);
});

test('a /24 is one wildcard, and $ becomes the block followed by (range)', () => {
  const { text, entries } = bind(4, [segment('192.0.2.0/24')]);
  assert.equal(body(text, BIND4_HEADER), '*.2.0.192\tA\t127.0.0.2\n\tTXT\t"Listed 192.0.2.0/24 (range)"\n');
  assert.equal(entries, 1);
});

test('a /23 is expanded to the two /24 wildcards, each with its own block in the TXT', () => {
  const { text, entries } = bind(4, [segment('198.51.100.0/23')]);
  assert.equal(
    body(text, BIND4_HEADER),
    '*.100.51.198\tA\t127.0.0.2\n\tTXT\t"Listed 198.51.100.0/24 (range)"\n' +
      '*.101.51.198\tA\t127.0.0.2\n\tTXT\t"Listed 198.51.101.0/24 (range)"\n',
  );
  assert.equal(entries, 2);
});

test('a /8 and a /16 are wildcards one and two labels deep', () => {
  const { text } = bind(4, [segment('10.0.0.0/8'), segment('172.16.0.0/16')]);
  assert.equal(
    body(text, BIND4_HEADER),
    '*.10\tA\t127.0.0.2\n\tTXT\t"Listed 10.0.0.0/8 (range)"\n' +
      '*.16.172\tA\t127.0.0.2\n\tTXT\t"Listed 172.16.0.0/16 (range)"\n',
  );
});

test('a /25 is enumerated as 128 exact names, each with its own address', () => {
  const { text, entries } = bind(4, [segment('203.0.113.128/25')]);
  const lines = body(text, BIND4_HEADER).split('\n').filter((line) => line !== '');
  assert.equal(entries, 128);
  assert.equal(lines.length, 256);
  assert.deepEqual(lines.slice(0, 4), ['128.113.0.203\tA\t127.0.0.2', '\tTXT\t"Listed 203.0.113.128"', '129.113.0.203\tA\t127.0.0.2', '\tTXT\t"Listed 203.0.113.129"']);
  assert.deepEqual(lines.slice(-2), ['255.113.0.203\tA\t127.0.0.2', '\tTXT\t"Listed 203.0.113.255"']);
  assert.ok(!text.includes('*'));
});

test('an unaligned range is cut into blocks, each written at its own label boundary', () => {
  // 192.0.2.254 - 192.0.4.255 = .2.254/31, 192.0.3.0/24, 192.0.4.0/24
  const { text, entries } = bind(4, [segment('192.0.2.254-192.0.4.255')]);
  assert.equal(
    body(text, BIND4_HEADER),
    '254.2.0.192\tA\t127.0.0.2\n\tTXT\t"Listed 192.0.2.254"\n' +
      '255.2.0.192\tA\t127.0.0.2\n\tTXT\t"Listed 192.0.2.255"\n' +
      '*.3.0.192\tA\t127.0.0.2\n\tTXT\t"Listed 192.0.3.0/24 (range)"\n' +
      '*.4.0.192\tA\t127.0.0.2\n\tTXT\t"Listed 192.0.4.0/24 (range)"\n',
  );
  assert.equal(entries, 4);
});

test('an IPv6 /64 is one nibble wildcard, a /128 the exact name with the RFC 5952 address', () => {
  const { text, entries } = bind(6, [segment('2001:db8:1:2::/64'), segment('2001:db8:1:3::1')]);
  assert.equal(
    text,
    '$ORIGIN rbl6.bl.example.\n$TTL 2100\n@\tSOA\tns1.bl.example. hostmaster.bl.example. 2026112801 3600 900 604800 300\n\tNS\tns1.bl.example.\n\tNS\tns2.bl.example.\n' +
      '*.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2\tA\t127.0.0.2\n\tTXT\t"Listed 2001:db8:1:2::/64 (range)"\n' +
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2\tA\t127.0.0.2\n\tTXT\t"Listed 2001:db8:1:3::1"\n',
  );
  assert.equal(entries, 2);
});

test('an IPv6 /62 is expanded to four /64 wildcards, a /127 to two exact names', () => {
  const { text, entries } = bind(6, [segment('2001:db8:0:4::/62'), segment('2001:db8:ff::/127')]);
  const owners = text.split('\n').filter((line) => /^[*0-9a-f]/.test(line)).map((line) => line.split('\t')[0]);
  assert.deepEqual(owners, [
    '*.4.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2',
    '*.5.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2',
    '*.6.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2',
    '*.7.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2',
    '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.f.f.0.0.8.b.d.0.1.0.0.2',
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.f.f.0.0.8.b.d.0.1.0.0.2',
  ]);
  assert.equal(entries, 6);
  assert.ok(text.includes('\tTXT\t"Listed 2001:db8:0:6::/64 (range)"\n'));
  assert.ok(text.includes('\tTXT\t"Listed 2001:db8:ff::1"\n'));
});

test('an unaligned IPv6 prefix (/66) expands to the 4 wildcards of the /68s inside it', () => {
  const { text, entries } = bind(6, [segment('2001:db8::4000:0:0:0/66')]);
  assert.equal(entries, 4);
  for (const nibble of ['4', '5', '6', '7']) {
    assert.ok(text.includes(`*.${nibble}.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2\tA\t127.0.0.2\n`), nibble);
  }
  assert.ok(text.includes(`"Listed 2001:db8:0:0:7000::/68 (range)"`));
});

test('TXT is quoted per RFC 1035: quote, backslash, control and non-ASCII bytes escaped', () => {
  assert.equal(txtRdata('say "hi" \\ é;(x)\ttab'), '"say \\"hi\\" \\\\ \\195\\169;(x)\\009tab"');
  const { text } = bind(4, [segment('192.0.2.7', [{ a: '127.0.0.2', txt: 'a "quoted" $ and \\ é' }])]);
  assert.equal(body(text, BIND4_HEADER), '7.2.0.192\tA\t127.0.0.2\n\tTXT\t"a \\"quoted\\" 192.0.2.7 and \\\\ \\195\\169"\n');
});

test('TXT over 255 bytes is split into character-strings of at most 255 bytes, also after substitution', () => {
  assert.equal(txtRdata('x'.repeat(255)), `"${'x'.repeat(255)}"`);
  assert.equal(txtRdata('x'.repeat(600)), `"${'x'.repeat(255)}" "${'x'.repeat(255)}" "${'x'.repeat(90)}"`);
  // 250 bytes of template plus the 9-byte address: 258 bytes, two strings
  const { text } = bind(4, [segment('10.0.0.1', [{ a: '127.0.0.2', txt: `${'y'.repeat(250)}$` }])]);
  assert.equal(body(text, BIND4_HEADER), `1.0.0.10\tA\t127.0.0.2\n\tTXT\t"${'y'.repeat(250)}10.0." "0.1"\n`);
  // a multi-byte character is escaped byte by byte, and the split counts bytes, not characters
  const split = txtRdata(`${'z'.repeat(254)}é`);
  assert.equal(split, `"${'z'.repeat(254)}\\195" "\\169"`);
});

test('several answers: every A and every TXT on each name, duplicates written once; an empty TXT gives no TXT record', () => {
  const answers = [LISTED, DYNAMIC, { a: '127.0.0.2', txt: '' }];
  const { text } = bind(4, [segment('192.0.2.0/24', answers), segment('192.0.3.9', answers)]);
  assert.equal(
    body(text, BIND4_HEADER),
    '*.2.0.192\tA\t127.0.0.2\n\tA\t127.0.0.3\n' +
      '\tTXT\t"Listed 192.0.2.0/24 (range)"\n\tTXT\t"Dynamic range, see https://bl.example/q?192.0.2.0/24 (range)"\n' +
      '9.3.0.192\tA\t127.0.0.2\n\tA\t127.0.0.3\n' +
      '\tTXT\t"Listed 192.0.3.9"\n\tTXT\t"Dynamic range, see https://bl.example/q?192.0.3.9"\n',
  );
  const none = bind(4, [segment('192.0.2.1', [{ a: '127.0.0.4', txt: '' }])]);
  assert.equal(body(none.text, BIND4_HEADER), '1.2.0.192\tA\t127.0.0.4\n');
});

test('/0 is refused by both writers', () => {
  assert.throws(() => bind(4, [segment('0.0.0.0/0')]), (error: unknown) => error instanceof ZoneWriteError && /\/0/.test(error.message));
  assert.throws(() => bind(6, [segment('::/0')]), ZoneWriteError);
  assert.throws(() => rbldnsd(4, [segment('0.0.0.0/0')]), ZoneWriteError);
  // /1 is allowed: 128 wildcards one label deep
  assert.equal(bind(4, [segment('0.0.0.0/1')]).entries, 128);
});

test('overlapping, unsorted, out-of-family and answerless input is refused', () => {
  const overlapping = [segment('192.0.2.0/24'), segment('192.0.2.99')];
  assert.throws(() => bind(4, overlapping), /sorted and disjoint: 192\.0\.2\.99/);
  assert.throws(() => rbldnsd(4, overlapping), /sorted and disjoint/);
  assert.throws(() => bind(4, [segment('192.0.2.9'), segment('192.0.2.1')]), /sorted and disjoint/);
  assert.throws(() => bind(4, [segment('192.0.2.1'), segment('192.0.2.1')]), /sorted and disjoint/);
  assert.throws(() => bind(4, [segment('192.0.2.1', [])]), /no answers/);
  // adjacent is fine
  assert.equal(bind(4, [segment('192.0.2.1'), segment('192.0.2.2')]).entries, 2);
});

test('a malformed segment is a ZoneWriteError naming it, from both writers and both families', () => {
  const v4 = (firsts: number[], lasts: number[]): Ipv4SegmentColumns => ({ family: 4, count: firsts.length, firsts: Uint32Array.from(firsts), lasts: Uint32Array.from(lasts), sets: new Uint32Array(firsts.length), answerSets: [[LISTED]] });
  const v6 = (firsts: unknown[], lasts: unknown[]): Ipv6SegmentColumns =>
    ({ family: 6, count: firsts.length, firsts: firsts as bigint[], lasts: lasts as bigint[], sets: new Uint32Array(firsts.length), answerSets: [[LISTED]] });
  for (const writer of [writeBindZoneColumns, writeRbldnsdColumns]) {
    const refuses = (columns: SegmentColumns, text: string) =>
      assert.throws(
        () => writer(columns, parameters(columns.family), () => {}),
        (error: unknown) => error instanceof ZoneWriteError && error.message === `segment ${text} is not a range of IPv${columns.family} addresses`,
        `${writer.name} IPv${columns.family} ${text}`,
      );
    refuses(v4([0xc0000201, 0xc0000205], [0xc0000201, 0xc0000204]), '3221225989..3221225988');
    const low = 0x20010db8000000000000000000000001n;
    refuses(v6([low, low + 1n], [low, 1n << 128n]), '42540766411282592856903984951653826562..340282366920938463463374607431768211456');
    refuses(v6([low, 5], [low, 6]), '5..6');
    refuses(v6([low, low + 5n], [low, low + 4n]), `${low + 5n}..${low + 4n}`);
  }
});

test('the column writers: the columns must be of the zone\'s family, and only the first `count` entries are segments', () => {
  const columns4 = columnsOf(4, [segment('192.0.2.0/24'), segment('192.0.3.1'), segment('198.51.100.7')]) as Ipv4SegmentColumns;
  const columns6 = columnsOf(6, [segment('2001:db8::/48')]);
  const write = (writer: typeof writeBindZoneColumns, columns: SegmentColumns, family: 4 | 6): string => {
    const chunks: Buffer[] = [];
    writer(columns, parameters(family), (bytes) => chunks.push(Buffer.from(bytes)));
    return Buffer.concat(chunks).toString('utf8');
  };
  for (const writer of [writeBindZoneColumns, writeRbldnsdColumns]) {
    assert.throws(() => write(writer, columns4, 6), (error: unknown) => error instanceof ZoneWriteError && /IPv4 but the zone is IPv6/.test(error.message));
    assert.throws(() => write(writer, columns6, 4), (error: unknown) => error instanceof ZoneWriteError && /IPv6 but the zone is IPv4/.test(error.message));
    assert.throws(() => write(writer, { ...columns4, count: 4 }, 4), (error: unknown) => error instanceof ZoneWriteError && /count 4 does not fit/.test(error.message));
    assert.throws(() => write(writer, { ...columns4, count: 1.5 }, 4), ZoneWriteError);
    assert.throws(
      () => write(writer, { ...columns4, sets: Uint32Array.of(0, 7, 0) }, 4),
      (error: unknown) => error instanceof ZoneWriteError && error.message === 'segment 192.0.3.1 answers set 7, which the columns do not have',
    );
    // Two segments of three: the third is not written, whatever it holds.
    const firstTwo = write(writer, { ...columns4, count: 2 }, 4);
    const shortened = { ...columns4, count: 2, lasts: Uint32Array.of(columns4.lasts[0], columns4.lasts[1], 0) };
    assert.equal(write(writer, shortened, 4), firstTwo);
    assert.ok(firstTwo.includes('192.0.3.1') || firstTwo.includes('1.3.0.192'), firstTwo);
    assert.ok(!firstTwo.includes('198.51.100.7') && !firstTwo.includes('7.100.51.198'), firstTwo);
  }
  assert.equal(write(writeRbldnsdColumns, columns4, 4), rbldnsd(4, [segment('192.0.2.0/24'), segment('192.0.3.1'), segment('198.51.100.7')]).text);
});

test('bad parameters and A values are refused', () => {
  assert.throws(() => writeBindZone([], { ...parameters(4), origin: 'bl.example.' }, () => {}), /origin/);
  assert.throws(() => writeBindZone([], { ...parameters(4), nameServers: [] }, () => {}), /name server/);
  assert.throws(() => writeRbldnsd([], { ...parameters(4), expires: CREATED }, () => {}), /expires/);
  assert.throws(() => bind(4, [segment('192.0.2.1', [{ a: '127.0.0.02', txt: 'x' }])]), /A value/);
  assert.throws(() => bind(4, [segment('192.0.2.1', [{ a: '::1', txt: 'x' }])]), /A value/);
});

test('"/16 minus a /32 with another value" is three names: the /16 wildcard, the /24 wildcard, the hole', () => {
  const other: ZoneAnswer = { a: '127.0.0.3', txt: 'other $' };
  const { text, entries } = bind(4, [segment('192.0.0.0-192.0.2.98'), segment('192.0.2.99', [other]), segment('192.0.2.100-192.0.255.255')]);
  // 192.0.2.0/24 has a name below it (the hole), which shadows *.0.192 for all of 192.0.2.x
  // (RFC 4592): so that /24 carries its own wildcard for the rest of it.
  assert.equal(
    body(text, BIND4_HEADER),
    '*.0.192\tA\t127.0.0.2\n\tTXT\t"Listed 192.0.0.0/16 (range)"\n' +
      '*.2.0.192\tA\t127.0.0.2\n\tTXT\t"Listed 192.0.2.0/24 (range)"\n' +
      '99.2.0.192\tA\t127.0.0.3\n\tTXT\t"other 192.0.2.99"\n',
  );
  assert.equal(entries, 3);
});

test('a node with an uncovered child gets no wildcard; the covered children are named one by one', () => {
  // 192.0.2.0/25 covered, the upper half not: a wildcard at 2.0.192 would answer for the upper half.
  const { text, entries } = bind(4, [segment('192.0.2.0/25')]);
  assert.equal(entries, 128);
  assert.ok(!text.includes('*.2.0.192'));
  assert.ok(text.includes('0.2.0.192\tA\t127.0.0.2\n') && text.includes('127.2.0.192\tA\t127.0.0.2\n') && !text.includes('\n128.2.0.192'));
});

test('the wildcard takes the value most children have; adjacent segments with the same answers count as one', () => {
  const other: ZoneAnswer = { a: '127.0.0.3', txt: 'other $' };
  // Three /26 of `other` and one /26 of the default, cut into two adjacent segments of the same answers.
  const { text, entries } = bind(4, [segment('192.0.2.0-192.0.2.191', [other]), segment('192.0.2.192-192.0.2.200'), segment('192.0.2.201-192.0.2.255')]);
  assert.ok(text.includes('*.2.0.192\tA\t127.0.0.3\n\tTXT\t"other 192.0.2.0/24 (range)"\n'), text);
  assert.equal(entries, 1 + 64);
});

test('rbldnsd: header with $TIMESTAMP, CIDR-only entries, a value line only when the value changes', () => {
  const { text, entries } = rbldnsd(4, [
    segment('192.0.2.1-192.0.2.6'),
    segment('192.0.2.9'),
    segment('198.51.100.0/23', [DYNAMIC]),
    segment('203.0.113.7'),
  ]);
  assert.equal(
    text,
    `${RBLDNSD_HEADER}:127.0.0.2:Listed $\n192.0.2.1/32\n192.0.2.2/31\n192.0.2.4/31\n192.0.2.6/32\n192.0.2.9/32\n` +
      ':127.0.0.3:Dynamic range, see https://bl.example/q?$\n198.51.100.0/23\n' +
      ':127.0.0.2:Listed $\n203.0.113.7/32\n',
  );
  assert.equal(entries, 7);
});

test('rbldnsd: IPv6 entries in compressed notation, prefixes not on nibble boundaries kept as they are', () => {
  const { text, entries } = rbldnsd(6, [segment('2001:db8::1'), segment('2001:db8:0:4::/62'), segment('2001:db8:1::-2001:db8:1::2')]);
  assert.equal(body(text, RBLDNSD_HEADER), ':127.0.0.2:Listed $\n2001:db8::1/128\n2001:db8:0:4::/62\n2001:db8:1::/127\n2001:db8:1::2/128\n');
  assert.equal(entries, 4);
});

test('rbldnsd: several answers in one segment are refused (one dataset per list)', () => {
  assert.throws(() => rbldnsd(4, [segment('192.0.2.1', [LISTED, DYNAMIC])]), /one per dataset/);
});

test('rbldnsd: TXT it would change or cannot carry is refused', () => {
  const refuse = (txt: string, pattern: RegExp): void => {
    assert.throws(() => rbldnsd(4, [segment('192.0.2.1', [{ a: '127.0.0.2', txt }])]), pattern, JSON.stringify(txt));
  };
  refuse('line\nbreak', /control character/);
  refuse('tab\there', /control character/);
  refuse(' leading', /blank/);
  refuse('trailing ', /blank/);
  refuse('cost $1', /variable/);
  refuse('$$', /variable/);
  refuse('$=base', /variable/);
  refuse(`${'x'.repeat(241)}$`, /256 bytes/);
  // fits: 240 + 15 (longest IPv4 text)
  assert.equal(rbldnsd(4, [segment('192.0.2.1', [{ a: '127.0.0.2', txt: `${'x'.repeat(240)}$` }])]).entries, 1);
  // IPv6 addresses are longer: 216 + 39 = 255 fits, 217 does not
  assert.equal(rbldnsd(6, [segment('2001:db8::1', [{ a: '127.0.0.2', txt: `${'x'.repeat(216)}$` }])]).entries, 1);
  assert.throws(() => rbldnsd(6, [segment('2001:db8::1', [{ a: '127.0.0.2', txt: `${'x'.repeat(217)}$` }])]), /256 bytes/);
  // quotes, backslashes, '#', ':' and UTF-8 are carried as they are
  const { text } = rbldnsd(4, [segment('192.0.2.1', [{ a: '127.0.0.2', txt: '#1 "q" \\ a:b é $' }])]);
  assert.ok(text.endsWith(':127.0.0.2:#1 "q" \\ a:b é $\n192.0.2.1/32\n'));
  // an empty TXT is the trailing-colon form: no TXT record
  assert.ok(rbldnsd(4, [segment('192.0.2.1', [{ a: '127.0.0.4', txt: '' }])]).text.endsWith(':127.0.0.4:\n192.0.2.1/32\n'));
});

test('writers stream in chunks of about 64 KiB that join to the whole file', () => {
  const segments: Segment[] = [];
  for (let value = 0x0a000000n; value < 0x0a000000n + 20000n; value += 2n) segments.push({ first: value, last: value, answers: [LISTED] });
  for (const writer of [writeBindZone, writeRbldnsd]) {
    const chunks: string[] = [];
    const { entries } = writer(segments, parameters(4), (chunk) => { chunks.push(chunk); });
    assert.equal(entries, 10000);
    assert.ok(chunks.length > 2, `${chunks.length} chunks`);
    for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.length >= 65536 && chunk.length < 65536 + 200, String(chunk.length));
    let whole = '';
    writer(segments, parameters(4), (chunk) => { whole += chunk; });
    assert.equal(chunks.join(''), whole);
  }
});

test('reverseName and queryName', () => {
  assert.equal(reverseName(4, 0xc0000201n), '1.2.0.192');
  assert.equal(reverseName(4, 0n), '0.0.0.0');
  assert.equal(reverseName(4, 0xffffffffn), '255.255.255.255');
  assert.equal(queryName(4, 0x7f000002n, 'rbl.bl.example'), '2.0.0.127.rbl.bl.example');
  assert.equal(reverseName(6, 0x20010db8000000000000000000000001n), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2');
  assert.throws(() => reverseName(4, 1n << 32n), ZoneWriteError);
});
