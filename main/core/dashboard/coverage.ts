/**
 * The union arithmetic of the dashboard, written once: how many units a set of possibly
 * overlapping ranges covers, kept as disjoint segments with their cover depth so that ranges
 * can be taken out again (a delisting) without rereading every other range.
 *
 * Units: an IPv4 address (a number: exact, and sorted natively), or an IPv6 /64 (a bigint:
 * the top 64 bits of the address). A /16 covers 65,536 units; an IPv6 /48 covers 65,536 /64s
 * and a single IPv6 address one.
 */
import type { AddressRange, Family } from '../../../shared/address.js';

/** A maximal run of units covered by exactly `depth` ranges. */
export interface Segment<K> {
  readonly first: K;
  readonly last: K;
  readonly depth: number;
}

/** A range entering (delta +1) or leaving (delta -1) a scope; several of each may be batched. */
export interface Delta<K> {
  readonly first: K;
  readonly last: K;
  readonly delta: number;
}

/** Arithmetic on one family's units. */
export interface UnitArithmetic<K extends number | bigint> {
  readonly family: Family;
  next(key: K): K;
  previous(key: K): K;
  sortKeys(keys: K[]): K[];
  /** Units in [first, last] summed over segments. */
  total(segments: readonly Segment<K>[]): bigint;
}

export const IPV4_UNITS: UnitArithmetic<number> = {
  family: 4,
  next: (key) => key + 1,
  previous: (key) => key - 1,
  sortKeys: (keys) => Array.from(Float64Array.from(keys).sort()),
  total: (segments) => {
    // At most 2^32 per disjoint set: exact in a double.
    let sum = 0;
    for (const segment of segments) sum += segment.last - segment.first + 1;
    return BigInt(sum);
  },
};

export const IPV6_UNITS: UnitArithmetic<bigint> = {
  family: 6,
  next: (key) => key + 1n,
  previous: (key) => key - 1n,
  sortKeys: (keys) => keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  total: (segments) => {
    let sum = 0n;
    for (const segment of segments) sum += segment.last - segment.first + 1n;
    return sum;
  },
};

/** The units of an address range: IPv4 addresses, or the IPv6 /64s it touches. */
export function unitsOfRange(range: AddressRange): { family: 4; first: number; last: number } | { family: 6; first: bigint; last: bigint } {
  if (range.family === 4) return { family: 4, first: Number(range.first), last: Number(range.last) };
  return { family: 6, first: range.first >> 64n, last: range.last >> 64n };
}

/**
 * Apply deltas to disjoint segments. `segments` must include every stored segment that
 * overlaps any delta (others may be left out: they are unchanged); the result replaces exactly
 * the segments passed in. Adjacent pieces of equal depth are merged. Throws if a range leaves
 * more often than it entered (the stored figures and the listings disagree).
 *
 * A sweep over five sorted streams of boundaries (segment starts and ends, entering starts and
 * ends, leaving starts and ends): each is sorted natively (IPv4 as a Float64Array), which is
 * what keeps a million-range batch to a second instead of a map of every boundary.
 */
export function applyDeltas<K extends number | bigint>(
  units: UnitArithmetic<K>,
  segments: readonly Segment<K>[],
  deltas: readonly Delta<K>[],
): { segments: Segment<K>[]; before: bigint; after: bigint } {
  const ordered = isSortedByFirst(segments) ? segments : [...segments].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const enterStarts: K[] = [];
  const enterEnds: K[] = [];
  const leaveStarts: K[] = [];
  const leaveEnds: K[] = [];
  for (const delta of deltas) {
    if (delta.delta === 1) {
      enterStarts.push(delta.first);
      enterEnds.push(units.next(delta.last));
    } else if (delta.delta === -1) {
      leaveStarts.push(delta.first);
      leaveEnds.push(units.next(delta.last));
    } else throw new Error(`a coverage delta is +1 or -1, not ${delta.delta}`);
  }
  const streams = [units.sortKeys(enterStarts), units.sortKeys(enterEnds), units.sortKeys(leaveStarts), units.sortKeys(leaveEnds)];
  const streamWeights = [1, -1, -1, 1];
  const positions = [0, 0, 0, 0];
  let segmentStart = 0;
  let segmentEnd = 0;
  const result: Array<{ first: K; last: K; depth: number }> = [];
  let depth = 0;
  let start: K | null = null;
  for (;;) {
    // The next boundary: the least head of the six streams.
    let key: K | null = null;
    if (segmentStart < ordered.length) key = ordered[segmentStart].first;
    if (segmentEnd < ordered.length) {
      const end = units.next(ordered[segmentEnd].last);
      if (key === null || end < key) key = end;
    }
    for (let stream = 0; stream < 4; stream += 1) {
      const head = streams[stream][positions[stream]];
      if (head !== undefined && (key === null || head < key)) key = head;
    }
    if (key === null) break;
    let weight = 0;
    while (segmentStart < ordered.length && ordered[segmentStart].first === key) weight += ordered[segmentStart++].depth;
    while (segmentEnd < ordered.length && units.next(ordered[segmentEnd].last) === key) weight -= ordered[segmentEnd++].depth;
    for (let stream = 0; stream < 4; stream += 1) {
      const keys = streams[stream];
      while (positions[stream] < keys.length && keys[positions[stream]] === key) {
        positions[stream] += 1;
        weight += streamWeights[stream];
      }
    }
    if (weight === 0) continue;
    if (depth > 0 && start !== null) {
      const last = units.previous(key);
      const previous = result[result.length - 1];
      if (previous && previous.depth === depth && units.next(previous.last) === start) previous.last = last;
      else result.push({ first: start, last, depth });
    }
    depth += weight;
    if (depth < 0) throw new Error(`coverage depth fell below zero at unit ${String(key)} (family ${units.family}): a range left that had not entered`);
    start = key;
  }
  if (depth !== 0) throw new Error(`coverage depth ended at ${depth} (family ${units.family})`);
  return { segments: result, before: units.total(ordered), after: units.total(result) };
}

function isSortedByFirst<K extends number | bigint>(segments: readonly Segment<K>[]): boolean {
  for (let index = 1; index < segments.length; index += 1) if (segments[index - 1].first >= segments[index].first) return false;
  return true;
}

/** Units covered by the union of ranges of one family (overlaps counted once). */
export function unionUnits<K extends number | bigint>(units: UnitArithmetic<K>, ranges: ReadonlyArray<{ first: K; last: K }>): bigint {
  return applyDeltas(units, [], ranges.map((range) => ({ first: range.first, last: range.last, delta: 1 }))).after;
}

/** Addresses (IPv4) and /64s (IPv6) covered by the union of address ranges of both families. */
export function coveredUnits(ranges: readonly AddressRange[]): { ipv4: bigint; ipv6: bigint } {
  const v4: Array<{ first: number; last: number }> = [];
  const v6: Array<{ first: bigint; last: bigint }> = [];
  for (const range of ranges) {
    const unit = unitsOfRange(range);
    if (unit.family === 4) v4.push(unit);
    else v6.push(unit);
  }
  return { ipv4: unionUnits(IPV4_UNITS, v4), ipv6: unionUnits(IPV6_UNITS, v6) };
}
