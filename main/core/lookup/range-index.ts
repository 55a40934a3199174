/**
 * The in-memory address index: which listings contain an address, for overlapping and nested
 * ranges. Ranges are split into levels in which no two ranges overlap (greedy interval
 * colouring by start, which uses as few levels as the deepest nesting); a query is one binary
 * search per level. Additions go to a small overlay scanned linearly and are merged in when it
 * grows. Listings are never deleted and their ranges never change, so there is no removal.
 *
 * (`WHERE first <= ? ORDER BY first DESC LIMIT k` is wrong for nested ranges: never use it
 * for containment.)
 */
import type { Family } from '../../../shared/address.js';

const OVERLAY_LIMIT = 4096;

type Key = number | bigint;

type KeyArray<K extends Key> = K extends number ? Uint32Array : K[];

interface SortedRanges<K extends Key> {
  firsts: KeyArray<K>;
  lasts: KeyArray<K>;
  ids: Uint32Array;
  /**
   * IPv4 levels only: buckets[h] is the first position whose start is >= h << 16, so a query
   * searches a handful of entries next to each other instead of the whole level (fewer cache
   * misses: the difference between ~1 and ~3 million queries a second).
   */
  buckets?: Uint32Array;
}

const BUCKET_SHIFT = 16;
const BUCKETED_LEVEL_SIZE = 4096;

function bucketsOf(firsts: Uint32Array): Uint32Array {
  const count = 2 ** (32 - BUCKET_SHIFT);
  const buckets = new Uint32Array(count + 1);
  let position = 0;
  for (let bucket = 0; bucket <= count; bucket += 1) {
    const start = bucket * 2 ** BUCKET_SHIFT;
    while (position < firsts.length && firsts[position] < start) position += 1;
    buckets[bucket] = position;
  }
  return buckets;
}

/** Assign each range (in start order) to the lowest-numbered level whose previous range ended before it starts. */
function assignLevels<K extends Key>(count: number, firstAt: (index: number) => K, lastAt: (index: number) => K): { levelOf: Int32Array; levels: number } {
  const levelOf = new Int32Array(count);
  // Min-heap of [level end, level number], ordered by end.
  const heapEnds: K[] = [];
  const heapLevels: number[] = [];
  let levels = 0;
  const swap = (a: number, b: number) => {
    [heapEnds[a], heapEnds[b]] = [heapEnds[b], heapEnds[a]];
    [heapLevels[a], heapLevels[b]] = [heapLevels[b], heapLevels[a]];
  };
  const siftDown = (start: number) => {
    let index = start;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heapEnds.length && heapEnds[left] < heapEnds[smallest]) smallest = left;
      if (right < heapEnds.length && heapEnds[right] < heapEnds[smallest]) smallest = right;
      if (smallest === index) return;
      swap(index, smallest);
      index = smallest;
    }
  };
  const siftUp = (start: number) => {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heapEnds[parent] <= heapEnds[index]) return;
      swap(index, parent);
      index = parent;
    }
  };
  for (let index = 0; index < count; index += 1) {
    const first = firstAt(index);
    if (heapEnds.length > 0 && heapEnds[0] < first) {
      levelOf[index] = heapLevels[0];
      heapEnds[0] = lastAt(index);
      siftDown(0);
    } else {
      levelOf[index] = levels;
      heapEnds.push(lastAt(index));
      heapLevels.push(levels);
      siftUp(heapEnds.length - 1);
      levels += 1;
    }
  }
  return { levelOf, levels };
}

/** A family's built arrays, as a worker thread hands them over (typed arrays transferred, not copied). */
interface FamilyState<K extends Key> {
  readonly all: SortedRanges<K>;
  readonly levels: Array<SortedRanges<K>>;
}

/** The whole index's built arrays (see `RangeIndex.state`). */
export interface RangeIndexState {
  readonly v4: FamilyState<number>;
  readonly v6: FamilyState<bigint>;
}

/** One family's index. IPv4 keys are plain numbers (exact below 2^53); IPv6 keys are bigint. */
class FamilyIndex<K extends Key> {
  private all: SortedRanges<K>;
  private levels: Array<SortedRanges<K>> = [];
  private overlayFirsts: K[] = [];
  private overlayLasts: K[] = [];
  private overlayIds: number[] = [];

  constructor(private readonly makeKeys: (length: number) => KeyArray<K>) {
    this.all = { firsts: makeKeys(0), lasts: makeKeys(0), ids: new Uint32Array(0) };
  }

  get size(): number {
    return this.all.ids.length + this.overlayIds.length;
  }

  get levelCount(): number {
    return this.levels.length;
  }

  /** Replace the contents with ranges already sorted by first address. */
  load(firsts: KeyArray<K>, lasts: KeyArray<K>, ids: Uint32Array): void {
    this.all = { firsts, lasts, ids };
    this.overlayFirsts = [];
    this.overlayLasts = [];
    this.overlayIds = [];
    this.buildLevels();
  }

  add(first: K, last: K, id: number): void {
    this.overlayFirsts.push(first);
    this.overlayLasts.push(last);
    this.overlayIds.push(id);
    if (this.overlayIds.length > OVERLAY_LIMIT) this.mergeOverlay();
  }

  /** The built arrays (no overlay), to hand to another thread: `FamilyIndex.restore` takes them as they are. */
  state(): FamilyState<K> {
    if (this.overlayIds.length > 0) this.mergeOverlay();
    return { all: this.all, levels: this.levels };
  }

  /** Take the arrays another thread built (see `state`). */
  restore(state: FamilyState<K>): void {
    this.all = state.all;
    this.levels = state.levels;
    this.overlayFirsts = [];
    this.overlayLasts = [];
    this.overlayIds = [];
  }

  /** Ids of every range containing `value`, appended to `into`. */
  search(value: K, into: number[]): void {
    for (const level of this.levels) {
      const firsts = level.firsts;
      let low = 0;
      let high = firsts.length - 1;
      if (level.buckets) {
        const bucket = (value as number) >>> BUCKET_SHIFT;
        low = Math.max(level.buckets[bucket] - 1, 0);
        high = level.buckets[bucket + 1] - 1;
      }
      let found = -1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        if (firsts[middle] <= value) {
          found = middle;
          low = middle + 1;
        } else {
          high = middle - 1;
        }
      }
      if (found !== -1 && level.lasts[found] >= value) into.push(level.ids[found]);
    }
    for (let index = 0; index < this.overlayIds.length; index += 1) {
      if (this.overlayFirsts[index] <= value && value <= this.overlayLasts[index]) into.push(this.overlayIds[index]);
    }
  }

  /**
   * The range overlapping [first, last] with the highest start (the highest id among equal
   * starts), or null. In a level no two ranges overlap, so the one starting last at or before
   * `last` is the level's only candidate: one binary search per level, the overlay scanned.
   */
  findOverlap(first: K, last: K): { first: K; last: K; id: number } | null {
    let bestFirst = first;
    let bestLast = last;
    let bestId = -1;
    const take = (candidateFirst: K, candidateLast: K, id: number) => {
      if (candidateLast < first || candidateFirst > last) return;
      if (bestId === -1 || candidateFirst > bestFirst || (candidateFirst === bestFirst && id > bestId)) {
        bestFirst = candidateFirst;
        bestLast = candidateLast;
        bestId = id;
      }
    };
    for (const level of this.levels) {
      const firsts = level.firsts;
      let low = 0;
      let high = firsts.length - 1;
      if (level.buckets) {
        const bucket = (last as number) >>> BUCKET_SHIFT;
        low = Math.max(level.buckets[bucket] - 1, 0);
        high = level.buckets[bucket + 1] - 1;
      }
      let at = -1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        if (firsts[middle] <= last) {
          at = middle;
          low = middle + 1;
        } else high = middle - 1;
      }
      if (at !== -1) take(firsts[at] as K, level.lasts[at] as K, level.ids[at]);
    }
    for (let index = 0; index < this.overlayIds.length; index += 1) take(this.overlayFirsts[index], this.overlayLasts[index], this.overlayIds[index]);
    return bestId === -1 ? null : { first: bestFirst, last: bestLast, id: bestId };
  }

  private mergeOverlay(): void {
    const order = this.overlayIds.map((_, index) => index);
    order.sort((a, b) => (this.overlayFirsts[a] < this.overlayFirsts[b] ? -1 : this.overlayFirsts[a] > this.overlayFirsts[b] ? 1 : 0));
    const total = this.all.ids.length + order.length;
    const firsts = this.makeKeys(total);
    const lasts = this.makeKeys(total);
    const ids = new Uint32Array(total);
    let baseIndex = 0;
    let overlayIndex = 0;
    for (let index = 0; index < total; index += 1) {
      const takeBase =
        overlayIndex >= order.length ||
        (baseIndex < this.all.ids.length && (this.all.firsts[baseIndex] as K) <= this.overlayFirsts[order[overlayIndex]]);
      if (takeBase) {
        firsts[index] = this.all.firsts[baseIndex] as K;
        lasts[index] = this.all.lasts[baseIndex] as K;
        ids[index] = this.all.ids[baseIndex];
        baseIndex += 1;
      } else {
        const source = order[overlayIndex];
        firsts[index] = this.overlayFirsts[source];
        lasts[index] = this.overlayLasts[source];
        ids[index] = this.overlayIds[source];
        overlayIndex += 1;
      }
    }
    this.load(firsts, lasts, ids);
  }

  private buildLevels(): void {
    const { firsts, lasts, ids } = this.all;
    const count = ids.length;
    const { levelOf, levels } = assignLevels(count, (index) => firsts[index] as K, (index) => lasts[index] as K);
    const sizes = new Int32Array(levels);
    for (let index = 0; index < count; index += 1) sizes[levelOf[index]] += 1;
    this.levels = Array.from(sizes, (size) => ({ firsts: this.makeKeys(size), lasts: this.makeKeys(size), ids: new Uint32Array(size) }));
    const fill = new Int32Array(levels);
    for (let index = 0; index < count; index += 1) {
      const levelNumber = levelOf[index];
      const level = this.levels[levelNumber];
      const position = fill[levelNumber];
      level.firsts[position] = firsts[index] as K;
      level.lasts[position] = lasts[index] as K;
      level.ids[position] = ids[index];
      fill[levelNumber] = position + 1;
    }
    for (const level of this.levels) {
      if (level.firsts instanceof Uint32Array && level.firsts.length >= BUCKETED_LEVEL_SIZE) level.buckets = bucketsOf(level.firsts);
    }
  }
}

/** Growable buffers for loading ranges in first-address order. */
export interface RangeLoader {
  push(family: Family, first: bigint | number, last: bigint | number, id: number): void;
  finish(): void;
}

/** The index over both families. */
export class RangeIndex {
  private readonly v4 = new FamilyIndex<number>((length) => new Uint32Array(length));
  private readonly v6 = new FamilyIndex<bigint>((length) => new Array<bigint>(length).fill(0n));

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** The number of levels (the deepest nesting) per family, for diagnostics. */
  get levels(): { v4: number; v6: number } {
    return { v4: this.v4.levelCount, v6: this.v6.levelCount };
  }

  /**
   * Replace the whole index. Ranges must be pushed sorted by (family, first); IPv4 values as
   * numbers or bigints within the IPv4 space.
   */
  startLoad(expected = 0): RangeLoader {
    let v4Firsts = new Uint32Array(Math.max(expected, 16));
    let v4Lasts = new Uint32Array(v4Firsts.length);
    let v4Ids = new Uint32Array(v4Firsts.length);
    let v4Count = 0;
    const v6Firsts: bigint[] = [];
    const v6Lasts: bigint[] = [];
    const v6Ids: number[] = [];
    let previousV4 = -1;
    let previousV6 = -1n;
    const grow = (array: Uint32Array) => {
      const bigger = new Uint32Array(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    return {
      push: (family, first, last, id) => {
        if (family === 4) {
          const firstNumber = Number(first);
          if (firstNumber < previousV4) throw new Error('ranges must be loaded in address order');
          previousV4 = firstNumber;
          if (v4Count === v4Firsts.length) {
            v4Firsts = grow(v4Firsts);
            v4Lasts = grow(v4Lasts);
            v4Ids = grow(v4Ids);
          }
          v4Firsts[v4Count] = firstNumber;
          v4Lasts[v4Count] = Number(last);
          v4Ids[v4Count] = id;
          v4Count += 1;
        } else {
          const firstBig = BigInt(first);
          if (firstBig < previousV6) throw new Error('ranges must be loaded in address order');
          previousV6 = firstBig;
          v6Firsts.push(firstBig);
          v6Lasts.push(BigInt(last));
          v6Ids.push(id);
        }
      },
      finish: () => {
        this.v4.load(v4Firsts.subarray(0, v4Count), v4Lasts.subarray(0, v4Count), v4Ids.subarray(0, v4Count));
        this.v6.load(v6Firsts, v6Lasts, Uint32Array.from(v6Ids));
      },
    };
  }

  /**
   * The built index as plain data, to post to another thread, and the buffers to transfer with it
   * (the IPv4 arrays move without a copy; IPv6 keys are bigints, copied).
   */
  state(): { state: RangeIndexState; transfer: ArrayBuffer[] } {
    const state = { v4: this.v4.state(), v6: this.v6.state() };
    const buffers = new Set<ArrayBuffer>();
    for (const family of [state.v4, state.v6]) {
      for (const sorted of [family.all, ...family.levels]) {
        for (const array of [sorted.firsts, sorted.lasts, sorted.ids, sorted.buckets]) if (array instanceof Uint32Array) buffers.add(array.buffer as ArrayBuffer);
      }
    }
    return { state, transfer: [...buffers] };
  }

  /** Replace the whole index with one another thread built (see `state`). */
  restore(state: RangeIndexState): void {
    this.v4.restore(state.v4);
    this.v6.restore(state.v6);
  }

  add(family: Family, first: bigint, last: bigint, id: number): void {
    if (family === 4) this.v4.add(Number(first), Number(last), id);
    else this.v6.add(first, last, id);
  }

  /** Ids of every range containing the address, in no particular order. */
  search(family: Family, value: bigint): number[] {
    const ids: number[] = [];
    if (family === 4) this.v4.search(Number(value), ids);
    else this.v6.search(value, ids);
    return ids;
  }

  /**
   * The range overlapping [first, last] (one family) with the highest start, the highest id
   * among equal starts, or null: a DUL submission's preview names what each of its ranges overlaps.
   */
  findOverlap(family: Family, first: bigint, last: bigint): { id: number; first: bigint; last: bigint } | null {
    if (family === 4) {
      const hit = this.v4.findOverlap(Number(first), Number(last));
      return hit && { id: hit.id, first: BigInt(hit.first), last: BigInt(hit.last) };
    }
    return this.v6.findOverlap(first, last);
  }

  /** IPv4 fast path without bigint: ids containing `value` (0..2^32-1) appended to `into`. */
  searchV4(value: number, into: number[]): void {
    this.v4.search(value, into);
  }
}
