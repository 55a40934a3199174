/**
 * Master-format zones (NSD, Knot, BIND): `$ORIGIN`, `$TTL`, SOA, NS, then owner names in reverse
 * notation (octets for IPv4, nibbles for IPv6), each with the A and TXT of every answer of its
 * segment. An empty TXT gives no TXT record.
 *
 * Names are chosen on the label tree so that RFC 4592 answers exactly the segments (checked
 * against NSD 4.6 and Knot 3.2: test/integration/zones-real-dns.test.ts). A wildcard is shadowed
 * by any name below its parent; at each node, a wildcard carries the value most of its children
 * have, and only the children that differ get names of their own (a wildcard, or the exact name
 * at the last label). A child with a name shadows the wildcard above it, which is why such a
 * child gets its own wildcard for the rest of its space; a node with any uncovered child has no
 * wildcard (it would answer there). So a /16 with one other address inside is three names, not
 * the 256 + 255 that expanding the pieces would take. `$` in a TXT becomes the address on an
 * exact name, and `<owner's block> (range)` on a wildcard, whose answer does not say which
 * address was asked.
 */
import { familyBits, type Family } from '../../../../shared/address.js';
import { recordTable, writeRecordLines, type RecordSet } from './bind-records.js';
import { ByteOutput, FILE_CHUNK_BYTES, type ByteSink } from './byte-output.js';
import { checkColumns, checkIpv4Segment, checkIpv6Segment, checkParameters } from './checks.js';
import { MergedSegments } from './merged-segments.js';
import { ADDRESS, DOT, writeIpv4Labels, writeIpv4Text, writeIpv6Labels, writeIpv6Text } from './names.js';
import type { SegmentColumns, ZoneParameters, ZoneWriteResult } from './types.js';

const LABEL_BITS: Record<Family, number> = { 4: 8, 6: 4 };
const STAR = 0x2a;
const SLASH = 0x2f;
const RANGE_NOTE = Buffer.from(' (range)', 'latin1');
/** Addresses per child of a node at each level (IPv4). */
const CHILD_SIZES_V4 = [2 ** 24, 2 ** 16, 2 ** 8, 1];

/** IPv4 works on plain numbers (exact below 2^53), IPv6 on bigint: a node's first address is whichever its family uses. */
type Address = number | bigint;

/**
 * Writes a master-format zone for the first `columns.count` segments, of the zone's family (see
 * the module comment), to `sink` in chunks that end on a record. Besides the output buffer it
 * allocates typed arrays (a few per segment count, a few per answer set) and, for IPv4, no
 * bigint and no object per segment. Returns the number of owner names.
 */
export function writeBindZoneColumns(columns: SegmentColumns, parameters: ZoneParameters, sink: ByteSink, chunkBytes = FILE_CHUNK_BYTES): ZoneWriteResult {
  checkParameters(parameters);
  checkColumns(columns, parameters.family);
  const { idOf, records } = recordTable(columns.answerSets);
  const merged = new MergedSegments(columns, idOf);
  if (columns.family === 4) {
    for (let index = 0; index < columns.count; index += 1) {
      checkIpv4Segment(columns, index);
      merged.addIpv4(columns, index);
    }
  } else {
    let previousLast = -1n;
    for (let index = 0; index < columns.count; index += 1) {
      checkIpv6Segment(columns, index, previousLast);
      previousLast = columns.lasts[index];
      merged.addIpv6(columns, index);
    }
  }
  const output = new ByteOutput(sink, chunkBytes);
  output.text(
    `$ORIGIN ${parameters.origin}.\n` +
    `$TTL ${parameters.ttl}\n` +
    `@\tSOA\t${parameters.nameServers[0]}. ${parameters.hostmaster}. ${parameters.serial} ${parameters.refresh} ${parameters.retry} ${parameters.expire} ${parameters.negativeTtl}\n` +
    parameters.nameServers.map((nameServer) => `\tNS\t${nameServer}.\n`).join(''),
  );
  const tree = new NameTree(parameters.family, merged, records, columns.answerSets.length, output);
  tree.write();
  output.flush();
  return { entries: tree.entries };
}

/**
 * The label tree walk: each node's children cut into runs, the node's wildcard chosen, and the
 * names written, depth first. One instance writes one zone.
 */
class NameTree {
  entries = 0;
  private readonly bits: number;
  private readonly labelBits: number;
  private readonly depth: number;
  private readonly childCount: number;
  /** The text that replaces `$` in the TXT of the name being written; never flushed. */
  private readonly substitution = new ByteOutput(() => undefined, 64);
  /** Where one segment falls among a node's children (see `placeSegment`); one reused object. */
  private readonly place = { childLow: 0, childHigh: 0, isLowAligned: false, isHighAligned: false };
  /**
   * A node's children as runs: children from..to that one merged segment covers whole (its
   * content id), or one child that segments cover in part or several of them do (id -1, with the
   * merged segments segmentFrom..segmentTo-1 to place below it). A node has at most childCount
   * runs; each level has its own slots, as a node's runs outlive its children's.
   */
  private readonly runFroms: Int32Array;
  private readonly runTos: Int32Array;
  private readonly runIds: Int32Array;
  private readonly runSegmentFroms: Int32Array;
  private readonly runSegmentTos: Int32Array;
  /** How many children of a node each content id covers whole, while choosing its wildcard (then 0 again). */
  private readonly childrenOf: Int32Array;
  // The node being cut into runs (one at a time: its children are visited only after).
  private runEnd = 0;
  private covered = 0;
  private mixedChild = -1;
  private mixedFrom = 0;
  private mixedLast = 0;

  constructor(
    private readonly family: Family,
    private readonly merged: MergedSegments,
    private readonly records: readonly RecordSet[],
    answerSetCount: number,
    private readonly output: ByteOutput,
  ) {
    this.bits = familyBits(family);
    this.labelBits = LABEL_BITS[family];
    this.depth = this.bits / this.labelBits;
    this.childCount = 2 ** this.labelBits;
    const slots = this.depth * this.childCount;
    this.runFroms = new Int32Array(slots);
    this.runTos = new Int32Array(slots);
    this.runIds = new Int32Array(slots);
    this.runSegmentFroms = new Int32Array(slots);
    this.runSegmentTos = new Int32Array(slots);
    this.childrenOf = new Int32Array(answerSetCount);
    if (family === 6) merged.fillNibbles();
  }

  write(): void {
    if (this.merged.count > 0) this.emitNode(0, this.family === 4 ? 0 : 0n, 0, this.merged.count);
  }

  /**
   * Names the block of `labelCount` labels that starts at `first6` (IPv6) or at ADDRESS[0]
   * (IPv4, set by the caller: see names.ts) with `lines`: the exact name of an address, whose
   * `$` is the address, or a wildcard for the whole block, whose `$` is `<block> (range)`.
   * Records of the common shapes (RecordSet.pieces) are their bytes between the `$`s, with the
   * address or block written in between.
   */
  private emitName(first6: bigint, labelCount: number, lines: RecordSet): void {
    const { output } = this;
    const isWildcard = labelCount < this.depth;
    if (isWildcard) {
      output.byte(STAR);
      output.byte(DOT);
    }
    if (this.family === 4) writeIpv4Labels(output, ADDRESS, 0, labelCount);
    else writeIpv6Labels(output, first6, labelCount);
    const { pieces } = lines;
    if (pieces !== null) {
      output.whole(pieces[0]);
      for (let piece = 1; piece < pieces.length; piece += 1) {
        this.writeSubstitution(output, first6, labelCount, isWildcard);
        output.whole(pieces[piece]);
      }
    } else {
      const { substitution } = this;
      substitution.length = 0;
      this.writeSubstitution(substitution, first6, labelCount, isWildcard);
      writeRecordLines(output, lines, substitution);
    }
    this.entries += 1;
    output.endRecord();
  }

  /** What `$` stands for on the name of the block: the address, or `<block>/<prefix> (range)` on a wildcard. */
  private writeSubstitution(out: ByteOutput, first6: bigint, labelCount: number, isWildcard: boolean): void {
    if (this.family === 4) writeIpv4Text(out, ADDRESS, 0);
    else writeIpv6Text(out, first6);
    if (isWildcard) {
      out.byte(SLASH);
      out.decimal(labelCount * this.labelBits);
      out.whole(RANGE_NOTE);
    }
  }

  private childAddress(nodeFirst: Address, child: number, level: number): Address {
    return this.family === 4
      ? (nodeFirst as number) + child * CHILD_SIZES_V4[level]
      : (nodeFirst as bigint) + (BigInt(child) << BigInt(this.bits - (level + 1) * this.labelBits));
  }

  /** Where merged segment `index` falls among the children of the node at `level` (into `place`); `nodeLast`: the node's last address, for IPv6. */
  private placeSegment(index: number, level: number, nodeFirst: Address, nodeLast: bigint): void {
    const { merged, place } = this;
    if (this.family === 4) {
      const childSize = CHILD_SIZES_V4[level];
      const node = nodeFirst as number;
      const low = Math.max(merged.firsts4[index], node);
      const high = Math.min(merged.lasts4[index], node + childSize * this.childCount - 1);
      // `| 0`: the floor of a small non-negative number, stored as a small integer (never boxed).
      place.childLow = ((low - node) / childSize) | 0;
      place.childHigh = ((high - node) / childSize) | 0;
      place.isLowAligned = low === node + place.childLow * childSize;
      place.isHighAligned = high === node + (place.childHigh + 1) * childSize - 1;
      return;
    }
    // A bound outside the node is clipped to the node's edge: child 0 or 15, aligned.
    const nibbleCount = merged.nibbleCount;
    if (merged.firsts6[index] > (nodeFirst as bigint)) {
      place.childLow = merged.firstNibbles[index * nibbleCount + level];
      place.isLowAligned = merged.firstZerosFrom[index] <= level + 1;
    } else {
      place.childLow = 0;
      place.isLowAligned = true;
    }
    if (merged.lasts6[index] < nodeLast) {
      place.childHigh = merged.lastNibbles[index * nibbleCount + level];
      place.isHighAligned = merged.lastOnesFrom[index] <= level + 1;
    } else {
      place.childHigh = this.childCount - 1;
      place.isHighAligned = true;
    }
  }

  private addRun(from: number, to: number, id: number, segmentFrom: number, segmentTo: number): void {
    const run = this.runEnd;
    this.runFroms[run] = from;
    this.runTos[run] = to;
    this.runIds[run] = id;
    this.runSegmentFroms[run] = segmentFrom;
    this.runSegmentTos[run] = segmentTo;
    this.runEnd = run + 1;
  }

  private closeMixed(): void {
    if (this.mixedChild !== -1) this.addRun(this.mixedChild, this.mixedChild, -1, this.mixedFrom, this.mixedLast + 1);
    this.mixedChild = -1;
  }

  private markMixed(child: number, segmentIndex: number): void {
    if (this.mixedChild === child) {
      this.mixedLast = segmentIndex;
      return;
    }
    this.closeMixed();
    this.mixedChild = child;
    this.mixedFrom = segmentIndex;
    this.mixedLast = segmentIndex;
    this.covered += 1;
  }

  /** Cut the children of the node at `level` starting at `nodeFirst` into runs (merged segments from..to-1 meet it); returns where its runs end. */
  private cutIntoRuns(level: number, nodeFirst: Address, from: number, to: number): number {
    this.runEnd = level * this.childCount;
    this.covered = 0;
    this.mixedChild = -1;
    const nodeLast = this.family === 4 ? 0n : (nodeFirst as bigint) + (1n << BigInt(this.bits - level * this.labelBits)) - 1n;
    for (let index = from; index < to; index += 1) {
      this.placeSegment(index, level, nodeFirst, nodeLast);
      const { childLow, childHigh, isLowAligned, isHighAligned } = this.place;
      let fullFrom = childLow;
      let fullTo = childHigh;
      if (!isLowAligned) {
        this.markMixed(childLow, index);
        fullFrom += 1;
      }
      if (childHigh > childLow || isLowAligned) {
        if (!isHighAligned) fullTo -= 1;
        if (fullFrom <= fullTo) {
          this.closeMixed();
          this.addRun(fullFrom, fullTo, this.merged.idAt(index), index, index + 1);
          this.covered += fullTo - fullFrom + 1;
        }
        if (!isHighAligned) this.markMixed(childHigh, index);
      }
    }
    this.closeMixed();
    return this.runEnd;
  }

  /**
   * The wildcard value of a node whose runs are runStart..runStop-1: the one most uniform
   * children have (ties: the one met first), and only if every child is covered (a wildcard
   * would answer for an uncovered child too). -1 for none.
   */
  private chooseWildcard(level: number, runStart: number, runStop: number): number {
    if (level === 0 || this.covered !== this.childCount) return -1;
    const { runIds, runFroms, runTos, childrenOf } = this;
    for (let run = runStart; run < runStop; run += 1) if (runIds[run] !== -1) childrenOf[runIds[run]] += runTos[run] - runFroms[run] + 1;
    let wildcard = -1;
    let best = 0;
    for (let run = runStart; run < runStop; run += 1) {
      const id = runIds[run];
      if (id !== -1 && childrenOf[id] > best) {
        best = childrenOf[id];
        wildcard = id;
      }
    }
    for (let run = runStart; run < runStop; run += 1) if (runIds[run] !== -1) childrenOf[runIds[run]] = 0;
    return wildcard;
  }

  /** The node at `level` labels starting at `nodeFirst`; merged segments from..to-1 meet it. */
  private emitNode(level: number, nodeFirst: Address, from: number, to: number): void {
    const runStart = level * this.childCount;
    const runStop = this.cutIntoRuns(level, nodeFirst, from, to);
    const wildcard = this.chooseWildcard(level, runStart, runStop);
    const isV4 = this.family === 4;
    if (wildcard !== -1) {
      if (isV4) ADDRESS[0] = nodeFirst as number;
      this.emitName(isV4 ? 0n : (nodeFirst as bigint), level, this.records[wildcard]);
    }
    for (let run = runStart; run < runStop; run += 1) {
      const id = this.runIds[run];
      if (id === -1) {
        this.emitMixedChild(level, nodeFirst, run);
      } else if (id !== wildcard) {
        // A whole child: a wildcard for its block, or the exact name at the last label.
        for (let child = this.runFroms[run]; child <= this.runTos[run]; child += 1) {
          if (isV4) ADDRESS[0] = (nodeFirst as number) + child * CHILD_SIZES_V4[level];
          this.emitName(isV4 ? 0n : (this.childAddress(nodeFirst, child, level) as bigint), level + 1, this.records[id]);
        }
      }
    }
  }

  /**
   * A child only partly covered, or by several values: it gets names below it. If its only
   * segment is one aligned block of whole labels (an address, an IPv6 /48 or /64, an IPv4 /24
   * in a /16), every level above the block would name nothing (no child is whole but the
   * block's own, so no wildcard) and the block gets one name: skip the descent and name it
   * (for IPv4 without the child's address: a number a call would box, per segment).
   */
  private emitMixedChild(level: number, nodeFirst: Address, run: number): void {
    const { merged } = this;
    const segmentFrom = this.runSegmentFroms[run];
    const labels = this.runSegmentTos[run] - segmentFrom === 1 ? this.blockLabels(segmentFrom) : -1;
    if (labels === -1) {
      this.emitNode(level + 1, this.childAddress(nodeFirst, this.runFroms[run], level), segmentFrom, this.runSegmentTos[run]);
    } else if (this.family === 4) {
      ADDRESS[0] = merged.firsts4[segmentFrom];
      this.emitName(0n, labels, this.records[merged.idAt(segmentFrom)]);
    } else {
      this.emitName(merged.firsts6[segmentFrom], labels, this.records[merged.idAt(segmentFrom)]);
    }
  }

  /**
   * The label count of merged segment `index` when it is exactly the block of an owner name
   * (all its addresses share their first labels, the rest run from all 0 to all 1 bits): the
   * depth for one address. -1 when it is not such a block. (A block inside a mixed child is
   * smaller than the child, so it lies inside it.)
   */
  private blockLabels(index: number): number {
    const { merged } = this;
    if (this.family === 4) {
      const first = merged.firsts4[index];
      const size = merged.lasts4[index] - first + 1;
      for (let labels = this.depth; labels >= 1; labels -= 1) {
        const blockSize = CHILD_SIZES_V4[labels - 1];
        if (size === blockSize) return first % blockSize === 0 ? labels : -1;
      }
      return -1;
    }
    const labels = Math.max(merged.firstZerosFrom[index], merged.lastOnesFrom[index]);
    const base = index * merged.nibbleCount;
    for (let nibble = 0; nibble < labels; nibble += 1) if (merged.firstNibbles[base + nibble] !== merged.lastNibbles[base + nibble]) return -1;
    return labels;
  }
}
