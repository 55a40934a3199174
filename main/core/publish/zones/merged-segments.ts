/**
 * A zone's segments as the master-format writer's name tree sees them: adjacent segments with
 * the same answers are one value, so they are merged, and the names depend only on what each
 * address answers, not on how the input was cut.
 */
import { writeIpv6Nibbles } from './names.js';
import type { Ipv4SegmentColumns, Ipv6SegmentColumns, SegmentColumns } from './types.js';

/**
 * Merged segment i: bounds in firsts4/lasts4 (IPv4) or firsts6/lasts6 (IPv6), the answer set of
 * its first segment, and its content id once looked up (-1 before). Content ids are looked up
 * when first needed: the first answer set with a given content decides the order of its A
 * lines, so lookups keep the order they always had.
 */
export class MergedSegments {
  count = 0;
  readonly firsts4: Uint32Array;
  readonly lasts4: Uint32Array;
  readonly firsts6: bigint[] = [];
  readonly lasts6: bigint[] = [];
  private readonly sets: Uint32Array;
  private readonly ids: Int32Array;
  /**
   * IPv6 (after `fillNibbles`): each segment's first and last as nibbles, and from which nibble
   * on they are all 0 (first) or all f (last), so that placing a segment in a node is lookups,
   * not bigint arithmetic.
   */
  readonly nibbleCount = 32;
  firstNibbles = new Uint8Array(0);
  lastNibbles = new Uint8Array(0);
  firstZerosFrom = new Uint8Array(0);
  lastOnesFrom = new Uint8Array(0);

  /** `idOf(set)`: the content id of answer set `set` (bind-records.ts). */
  constructor(
    columns: SegmentColumns,
    private readonly idOf: (set: number) => number,
  ) {
    this.firsts4 = new Uint32Array(columns.family === 4 ? columns.count : 0);
    this.lasts4 = new Uint32Array(this.firsts4.length);
    this.sets = new Uint32Array(columns.count);
    this.ids = new Int32Array(columns.count);
  }

  /** The content id of merged segment `index`. */
  idAt(index: number): number {
    let id = this.ids[index];
    if (id === -1) this.ids[index] = id = this.idOf(this.sets[index]);
    return id;
  }

  /** Segment `index` (checked, in order) after the ones added before. */
  addIpv4(columns: Ipv4SegmentColumns, index: number): void {
    const top = this.count - 1;
    if (this.extendsTop(columns, index, top >= 0 && this.lasts4[top] + 1 === columns.firsts[index])) {
      this.lasts4[top] = columns.lasts[index];
      return;
    }
    this.firsts4[this.count] = columns.firsts[index];
    this.lasts4[this.count] = columns.lasts[index];
    this.sets[this.count] = columns.sets[index];
    this.count += 1;
  }

  /** Segment `index` (checked, in order) after the ones added before. */
  addIpv6(columns: Ipv6SegmentColumns, index: number): void {
    const top = this.count - 1;
    if (this.extendsTop(columns, index, top >= 0 && this.lasts6[top] + 1n === columns.firsts[index])) {
      this.lasts6[top] = columns.lasts[index];
      return;
    }
    this.firsts6.push(columns.firsts[index]);
    this.lasts6.push(columns.lasts[index]);
    this.sets[this.count] = columns.sets[index];
    this.count += 1;
  }

  /** Whether segment `index` extends the last merged segment (it touches it and answers the same); else its slot's id is set up. */
  private extendsTop(columns: SegmentColumns, index: number, touches: boolean): boolean {
    if (this.count === 0 || !touches) {
      this.ids[this.count] = -1;
      return false;
    }
    const id = this.idAt(this.count - 1);
    const next = this.idOf(columns.sets[index]);
    if (id === next) return true;
    this.ids[this.count] = next;
    return false;
  }

  /** Fill the IPv6 nibble tables, once every segment is added. */
  fillNibbles(): void {
    const { count, nibbleCount } = this;
    this.firstNibbles = new Uint8Array(count * nibbleCount);
    this.lastNibbles = new Uint8Array(count * nibbleCount);
    this.firstZerosFrom = new Uint8Array(count);
    this.lastOnesFrom = new Uint8Array(count);
    for (let index = 0; index < count; index += 1) {
      this.firstZerosFrom[index] = this.fill(this.firsts6[index], this.firstNibbles, index * nibbleCount, 0);
      this.lastOnesFrom[index] = this.fill(this.lasts6[index], this.lastNibbles, index * nibbleCount, 15);
    }
  }

  /** Write `value`'s nibbles at `base`; returns from which nibble on they all equal `filler`. */
  private fill(value: bigint, nibbles: Uint8Array, base: number, filler: number): number {
    writeIpv6Nibbles(value, nibbles, base);
    let from = this.nibbleCount;
    while (from > 0 && nibbles[base + from - 1] === filler) from -= 1;
    return from;
  }
}
