/**
 * rbldnsd data (ip4trie / ip6trie): `$SOA`, `$NS`, `$TTL`, `$TIMESTAMP`, then one CIDR a line,
 * each run of lines preceded by its `:A:TXT` value line. Streamed to a sink in chunks.
 *
 * Facts this relies on, checked against rbldnsd 1.0~20210120 (test/integration/zones-real-dns.test.ts):
 * - rbldnsd ignores (with only a log warning) a CIDR with host bits set, so every entry is a
 *   clean block from rangeToCidrs.
 * - rbldnsd answers one value per dataset (longest prefix); a combined zone is served as one
 *   dataset per list, repeating the zone name on the command line
 *   (`bl.example:ip4trie:rbl bl.example:ip4trie:dul`); the `zone:type:file1,file2` form merges
 *   the files into ONE dataset and answers only one of the values.
 * - TXT templates: `$` is the queried address, `$$` a literal `$`, `$0`..`$9` a substitution
 *   variable (kept literally when undefined), leading and trailing blanks of the line are
 *   dropped, templates over 255 bytes are truncated, lines over ~510 bytes are cut.
 * - `$TIMESTAMP created expires` (UTC, yyyymmddhhmmss): after `expires` rbldnsd answers SERVFAIL
 *   for the zone (checked every -c interval); a `created` in the future makes it refuse the data
 *   (at start-up it exits), so we write `0` (no check) there.
 */
import { rangeToCidrs, type Family } from '../../../../shared/address.js';
import { ByteOutput, FILE_CHUNK_BYTES, type ByteSink } from './byte-output.js';
import { ZoneWriteError, canonicalA, checkColumns, checkIpv4Segment, checkIpv6Segment, checkParameters, describeRange } from './checks.js';
import { ADDRESS, writeIpv4Text, writeIpv6Text } from './names.js';
import { hasControlCharacter, utf8Length } from './txt.js';
import type { Ipv4SegmentColumns, Ipv6SegmentColumns, SegmentColumns, ZoneAnswer, ZoneParameters, ZoneWriteResult } from './types.js';

/** rbldnsd truncates a TXT template to 255 bytes and its answer to 255 bytes after substitution. */
const RBLDNSD_TXT_BYTES = 255;
const LONGEST_ADDRESS_TEXT: Record<Family, number> = { 4: 15, 6: 39 };
const RBLDNSD_UNSAFE_DOLLAR = /\$[0-9$=]/;
const SLASH = 0x2f;
const NEWLINE = 0x0a;
const HOST_PREFIX_LINE = Buffer.from('/32\n', 'latin1');

function utcStamp(seconds: number): string {
  const date = new Date(seconds * 1000);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${String(date.getUTCFullYear()).padStart(4, '0')}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
}

/** The `:A:TXT` value of an rbldnsd entry, or a ZoneWriteError saying why rbldnsd cannot carry it. */
export function rbldnsdValue(answer: ZoneAnswer, family: Family): string {
  const a = canonicalA(answer);
  const txt = answer.txt;
  if (typeof txt !== 'string') throw new ZoneWriteError(`TXT of ${a} is not text`);
  if (hasControlCharacter(txt)) throw new ZoneWriteError(`TXT ${JSON.stringify(txt)} contains a control character (newline, tab...), which rbldnsd data cannot carry`);
  if (txt !== txt.trim()) throw new ZoneWriteError(`TXT ${JSON.stringify(txt)} starts or ends with a blank, which rbldnsd drops`);
  if (RBLDNSD_UNSAFE_DOLLAR.test(txt)) {
    throw new ZoneWriteError(`TXT ${JSON.stringify(txt)}: rbldnsd reads '$' followed by a digit, '$' or '=' as a variable, not as the address`);
  }
  const substitutions = txt.split('$').length - 1;
  const longest = utf8Length(txt) - substitutions + substitutions * LONGEST_ADDRESS_TEXT[family];
  if (longest > RBLDNSD_TXT_BYTES) {
    throw new ZoneWriteError(`TXT ${JSON.stringify(txt.slice(0, 40))}... can reach ${longest} bytes with the address substituted; rbldnsd truncates TXT at ${RBLDNSD_TXT_BYTES}`);
  }
  return `:${a}:${txt}`;
}

/**
 * The value lines of one file by number: one per distinct `:A:TXT` text (answers of equal
 * content are one value), found once per answer set and checked once per answer object.
 */
class ValueLines {
  private readonly valueOfSet: Int32Array;
  private readonly valueOfAnswer = new Map<ZoneAnswer, number>();
  private readonly valueOfText = new Map<string, number>();
  readonly lines: Buffer[] = [];

  constructor(private readonly columns: SegmentColumns) {
    this.valueOfSet = new Int32Array(columns.answerSets.length).fill(-1);
  }

  /** The value number of segment `index`; refused unless its answer set holds exactly one answer. */
  of(index: number): number {
    const { columns } = this;
    const set = columns.sets[index];
    const known = this.valueOfSet[set];
    if (known !== -1) return known;
    const answers = columns.answerSets[set];
    if (answers.length !== 1) {
      const range = describeRange(columns.family, BigInt(columns.firsts[index]), BigInt(columns.lasts[index]));
      throw new ZoneWriteError(`segment ${range} has ${answers.length} answers; rbldnsd data carries one per dataset (serve one file per list under the same zone)`);
    }
    const answer = answers[0];
    let value = this.valueOfAnswer.get(answer);
    if (value === undefined) {
      const text = rbldnsdValue(answer, columns.family);
      value = this.valueOfText.get(text);
      if (value === undefined) {
        value = this.lines.length;
        this.valueOfText.set(text, value);
        this.lines.push(Buffer.from(`${text}\n`, 'utf8'));
      }
      this.valueOfAnswer.set(answer, value);
    }
    this.valueOfSet[set] = value;
    return value;
  }
}

/**
 * Writes rbldnsd ip4trie (family 4) or ip6trie (family 6) data for the first `columns.count`
 * segments, of the zone's family (no object per segment and, for IPv4, no bigint): `$SOA`, `$NS`,
 * `$TTL`, `$TIMESTAMP created expires` (rbldnsd stops serving the zone after `expires`), then one
 * CIDR a line, each preceded by a `:A:TXT` default line whenever the value changes. A segment
 * must have exactly one answer: a combined zone is served in rbldnsd as one dataset per list
 * under the same zone name. The bytes go to `sink` in chunks that end on a line. Returns the
 * number of CIDR lines.
 */
export function writeRbldnsdColumns(columns: SegmentColumns, parameters: ZoneParameters, sink: ByteSink, chunkBytes = FILE_CHUNK_BYTES): ZoneWriteResult {
  checkParameters(parameters);
  checkColumns(columns, parameters.family);
  const output = new ByteOutput(sink, chunkBytes);
  output.text(
    `$SOA ${parameters.ttl} ${parameters.nameServers[0]} ${parameters.hostmaster} ${parameters.serial} ${parameters.refresh} ${parameters.retry} ${parameters.expire} ${parameters.negativeTtl}\n` +
    `$NS ${parameters.ttl} ${parameters.nameServers.join(' ')}\n` +
    `$TTL ${parameters.ttl}\n` +
    // Creation time 0: rbldnsd refuses data "created in the future" and exits at start-up, so a
    // DNS host whose clock lags the publisher's would stop answering. The manifest keeps the time.
    `$TIMESTAMP 0 ${utcStamp(parameters.expires)}\n`,
  );
  const values = new ValueLines(columns);
  const entries = columns.family === 4 ? writeIpv4Entries(output, columns, values) : writeIpv6Entries(output, columns, values);
  output.flush();
  return { entries };
}

/** The IPv4 lines: a value line where the value changes, then the segment's CIDRs. Returns the CIDR lines. */
function writeIpv4Entries(output: ByteOutput, columns: Ipv4SegmentColumns, values: ValueLines): number {
  const { firsts, lasts, count } = columns;
  let entries = 0;
  let currentValue = -1;
  for (let index = 0; index < count; index += 1) {
    checkIpv4Segment(columns, index);
    const value = values.of(index);
    if (value !== currentValue) {
      output.bytes(values.lines[value]);
      currentValue = value;
    }
    if (firsts[index] === lasts[index]) {
      writeIpv4Text(output, firsts, index);
      output.bytes(HOST_PREFIX_LINE);
      entries += 1;
    } else {
      entries += writeIpv4Cidrs(output, columns, index);
    }
    output.endRecord();
  }
  return entries;
}

/** The IPv6 lines, as `writeIpv4Entries` (few: bigints and rangeToCidrs are fine here). */
function writeIpv6Entries(output: ByteOutput, columns: Ipv6SegmentColumns, values: ValueLines): number {
  const { firsts, lasts, count } = columns;
  let entries = 0;
  let currentValue = -1;
  let previousLast = -1n;
  for (let index = 0; index < count; index += 1) {
    checkIpv6Segment(columns, index, previousLast);
    const first = firsts[index];
    const last = lasts[index];
    previousLast = last;
    const value = values.of(index);
    if (value !== currentValue) {
      output.bytes(values.lines[value]);
      currentValue = value;
    }
    for (const block of rangeToCidrs({ family: 6, first, last })) {
      writeIpv6Text(output, block.first);
      output.byte(SLASH);
      output.decimal(block.prefix);
      output.byte(NEWLINE);
      entries += 1;
    }
    output.endRecord();
  }
  return entries;
}

/**
 * The CIDR lines (`a.b.c.d/p`) of IPv4 segment `index` (not /0), as rangeToCidrs cuts it: at
 * each start, the largest aligned block that does not run past the last address. Returns the lines.
 */
function writeIpv4Cidrs(output: ByteOutput, columns: Ipv4SegmentColumns, index: number): number {
  const last = columns.lasts[index];
  let lines = 0;
  let start = columns.firsts[index];
  while (start <= last) {
    // The lowest set bit of `start` (2^32 for 0), then halved until the block fits.
    let size = start === 0 ? 2 ** 32 : (start & -start) >>> 0;
    while (start + size - 1 > last) size /= 2;
    ADDRESS[0] = start;
    writeIpv4Text(output, ADDRESS, 0);
    output.byte(SLASH);
    output.decimal(Math.clz32(size) + 1);
    output.byte(NEWLINE);
    lines += 1;
    start += size;
  }
  return lines;
}
