/**
 * Precedence within one list: where listings of a list overlap, the rule's order decides which
 * answers (rule/answers.ts `answersBefore`: on QIL the least level, then the smaller range, then
 * the lower id), applied per elementary segment by the sweep. IPv4 on typed arrays
 * (segments/ipv4.ts), IPv6 on objects with bigint bounds (segments/sweep.ts).
 */
import { LISTS, type ListName } from '../../../../shared/domain.js';
import { DEFAULT_PRECEDENCE_LEVEL, answersBefore } from '../../rule/answers.js';
import { REASONS, type Ipv4Listings, type PublishedListing } from '../../rule/listings-in-force.js';
import { flatten } from '../segments/sweep.js';
import type { Interval } from '../segments/types.js';
import { flattenNumbers, type NumberSegments } from '../segments/ipv4.js';
import type { Ipv6SegmentColumns, ZoneAnswer } from '../zones/types.js';
import type { AnswerRegistry } from './answers.js';

/** The IPv4 rows of one list, gathered: their row numbers and bounds side by side. */
export interface Ipv4Items {
  readonly count: number;
  readonly rows: Uint32Array;
  readonly firsts: Uint32Array;
  readonly lasts: Uint32Array;
}

export function ipv4Items(listings: Ipv4Listings, list: ListName): Ipv4Items {
  const listIndex = LISTS.indexOf(list);
  let count = 0;
  for (let row = 0; row < listings.count; row += 1) if (listings.lists[row] === listIndex) count += 1;
  const rows = new Uint32Array(count);
  const firsts = new Uint32Array(count);
  const lasts = new Uint32Array(count);
  let item = 0;
  for (let row = 0; row < listings.count; row += 1) {
    if (listings.lists[row] !== listIndex) continue;
    rows[item] = row;
    firsts[item] = listings.firsts[row];
    lasts[item] = listings.lasts[row];
    item += 1;
  }
  return { count, rows, firsts, lasts };
}

/** One list's IPv4 listings swept into segments whose values are answer numbers. */
export function resolveIpv4List(listings: Ipv4Listings, items: Ipv4Items, list: ListName, registry: AnswerRegistry): NumberSegments {
  const { rows, firsts, lasts } = items;
  const answers = new Int32Array(items.count).fill(-1);
  const answerOf = (item: number): number => {
    let id = answers[item];
    if (id < 0) {
      const row = rows[item];
      const level = listings.levels[row];
      id = registry.forListing(list, REASONS[listings.reasons[row]], level === 0 ? null : level, listings.txts.get(row) ?? null);
      answers[item] = id;
    }
    return id;
  };
  // The rule's precedence (sizes compared only where listings overlap).
  const levelOf = (item: number): number => listings.levels[rows[item]] || DEFAULT_PRECEDENCE_LEVEL;
  const isQil = list === 'QIL';
  return flattenNumbers(items.count, firsts, lasts, (covering) => {
    let best = covering[0];
    for (let index = 1; index < covering.length; index += 1) {
      const candidate = covering[index];
      if (answersBefore(isQil, levelOf(candidate), lasts[candidate] - firsts[candidate], listings.ids[rows[candidate]], levelOf(best), lasts[best] - firsts[best], listings.ids[rows[best]])) {
        best = candidate;
      }
    }
    return answerOf(best);
  });
}

/** An IPv6 listing as the sweep's input interval, and that interval's value itself. */
export interface Candidate extends Interval<Candidate> {
  readonly listing: PublishedListing;
  /** This listing's answer number, once known (-1 before). */
  answer: number;
}

export function candidateOf(listing: PublishedListing): Candidate {
  const candidate: Candidate = { first: listing.first, last: listing.last, value: null as unknown as Candidate, listing, answer: -1 };
  candidate.value = candidate;
  return candidate;
}

function ipv6Resolver(list: ListName, registry: AnswerRegistry): (covering: readonly Candidate[]) => number {
  const answerOf = (candidate: Candidate): number => {
    if (candidate.answer < 0) {
      const { reason, level, txt } = candidate.listing;
      candidate.answer = registry.forListing(list, reason, level, txt);
    }
    return candidate.answer;
  };
  const isQil = list === 'QIL';
  const levelOf = (candidate: Candidate): number => candidate.listing.level ?? DEFAULT_PRECEDENCE_LEVEL;
  return (covering) => {
    let best = covering[0];
    for (let index = 1; index < covering.length; index += 1) {
      const candidate = covering[index];
      if (answersBefore(isQil, levelOf(candidate), candidate.last - candidate.first, candidate.listing.id, levelOf(best), best.last - best.first, best.listing.id)) best = candidate;
    }
    return answerOf(best);
  };
}

const sameNumber = (a: number, b: number): boolean => a === b;

/** One list's IPv6 listings swept into segments whose values are answer numbers. */
export function resolveIpv6List(candidates: readonly Candidate[], list: ListName, registry: AnswerRegistry): Array<Interval<number>> {
  return flatten(candidates, ipv6Resolver(list, registry), sameNumber);
}

/** IPv6 segments (values: answer set numbers) column-wise. */
export function ipv6Columns(segments: ReadonlyArray<Interval<number>>, answerSets: ReadonlyArray<readonly ZoneAnswer[]>): Ipv6SegmentColumns {
  // Plain loops: Uint32Array.from with a mapping function goes through the iterator protocol, several times slower.
  const count = segments.length;
  const firsts = new Array<bigint>(count);
  const lasts = new Array<bigint>(count);
  const sets = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) {
    const segment = segments[index];
    firsts[index] = segment.first;
    lasts[index] = segment.last;
    sets[index] = segment.value;
  }
  return { family: 6, count, firsts, lasts, sets, answerSets };
}
