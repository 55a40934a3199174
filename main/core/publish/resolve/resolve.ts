/**
 * From the listings in force (rule/listings-in-force.ts) to what the zones answer: per list, the
 * rule's precedence among overlapping listings (precedence.ts) with their answers (answers.ts),
 * GAL winning over every blocklist with each conflict reported (gal.ts), the RFC 5782 test
 * points added; then the combined zone (combined.ts). Pure computation: nothing here reads or
 * writes. Every zone ends as `SegmentColumns`, whose values index one registry of answers per
 * resolution.
 */
import { LISTS, type ListName } from '../../../../shared/domain.js';
import type { Settings } from '../../../../shared/settings.js';
import { TEST_POINTS, TEST_POINT_TXT, returnCode } from '../../rule/answers.js';
import { listingsInForce, type ListingsInForce, type PublishedListing } from '../../rule/listings-in-force.js';
import type { Interval } from '../segments/types.js';
import { withNumberPoint } from '../segments/ipv4.js';
import { AnswerRegistry } from './answers.js';
import { combinedIpv4, combinedIpv6 } from './combined.js';
import { GalConflicts } from './gal.js';
import { candidateOf, ipv4Items, ipv6Columns, resolveIpv4List, resolveIpv6List, type Candidate } from './precedence.js';
import type { ResolvedZone, Resolution } from './types.js';

export type { GalConflict, ResolvedZone, Resolution } from './types.js';
export { combinedZone } from './combined.js';

/** Insert a single-address segment into sorted disjoint segments, unless one covers it already. */
function withPoint(segments: Array<Interval<number>>, value: bigint, answer: number): Array<Interval<number>> {
  let at = 0;
  let high = segments.length;
  while (at < high) {
    const middle = (at + high) >>> 1;
    if (segments[middle].first > value) high = middle;
    else at = middle + 1;
  }
  const before = segments[at - 1];
  if (before && before.last >= value) return segments; // already covered: the safety check reports it
  return [...segments.slice(0, at), { first: value, last: value, value: answer }, ...segments.slice(at)];
}

/** The listing ids in force per list, ascending, each once (pieces of one listing share its id). */
function idsInForce(listings: ListingsInForce): Record<ListName, number[]> {
  const { v4 } = listings;
  const counts = new Array<number>(LISTS.length).fill(0);
  for (let row = 0; row < v4.count; row += 1) counts[v4.lists[row]] += 1;
  const v4Ids = counts.map((count) => new Float64Array(count));
  const filled = new Array<number>(LISTS.length).fill(0);
  for (let row = 0; row < v4.count; row += 1) v4Ids[v4.lists[row]][filled[v4.lists[row]]++] = v4.ids[row];
  const v6Ids = LISTS.map((): number[] => []);
  for (const listing of listings.v6) v6Ids[LISTS.indexOf(listing.list)].push(listing.id);
  return Object.fromEntries(LISTS.map((list, index) => [list, mergedIds(v4Ids[index], Float64Array.from(v6Ids[index]))])) as Record<ListName, number[]>;
}

/**
 * The ids of both families in ascending order, each once. Read from the database the rows come
 * by id, so each family's ids are sorted already and are merged; given one by one (tests, small
 * callers) they may not be, and are sorted first.
 */
function mergedIds(v4: Float64Array, v6: Float64Array): number[] {
  const a = isAscending(v4) ? v4 : v4.sort();
  const b = isAscending(v6) ? v6 : v6.sort();
  const merged: number[] = [];
  let last = Number.NaN;
  let left = 0;
  let right = 0;
  while (left < a.length || right < b.length) {
    const id = right >= b.length || (left < a.length && a[left] <= b[right]) ? a[left++] : b[right++];
    if (id !== last) merged.push(id);
    last = id;
  }
  return merged;
}

function isAscending(ids: Float64Array): boolean {
  for (let index = 1; index < ids.length; index += 1) if (ids[index] < ids[index - 1]) return false;
  return true;
}

/** Resolve the listings in force into every zone's segments. */
export function resolveZones(
  given: ListingsInForce | readonly PublishedListing[],
  settings: Settings,
  options: { readonly withCombined?: boolean } = {},
): Resolution {
  const listings = Array.isArray(given) ? listingsInForce(given as readonly PublishedListing[]) : (given as ListingsInForce);
  const registry = new AnswerRegistry(settings);
  const conflicts = new GalConflicts();
  const v6ByList = new Map<ListName, Candidate[]>(LISTS.map((list) => [list, []]));
  for (const listing of listings.v6) (v6ByList.get(listing.list) as Candidate[]).push(candidateOf(listing));
  const gal4 = ipv4Items(listings.v4, 'GAL');
  const gal6 = v6ByList.get('GAL') as Candidate[];

  const zones: ResolvedZone[] = LISTS.map((list) => {
    const testPoint = registry.of(returnCode(settings, list, 1), TEST_POINT_TXT);
    let v4 = resolveIpv4List(listings.v4, list === 'GAL' ? gal4 : ipv4Items(listings.v4, list), list, registry);
    if (list !== 'GAL') v4 = conflicts.withoutGalIpv4(list, v4, gal4);
    v4 = withNumberPoint(v4, Number(TEST_POINTS[4].listed), testPoint);
    let v6 = resolveIpv6List(v6ByList.get(list) as Candidate[], list, registry);
    if (list !== 'GAL') v6 = conflicts.withoutGalIpv6(list, v6, gal6);
    v6 = withPoint(v6, TEST_POINTS[6].listed, testPoint);
    return {
      name: list,
      segments: {
        4: { family: 4, count: v4.count, firsts: v4.firsts, lasts: v4.lasts, sets: v4.values, answerSets: registry.singles },
        6: ipv6Columns(v6, registry.singles),
      },
    };
  });
  const resolution: Resolution = { inForce: idsInForce(listings), zones, galConflicts: conflicts.named, galConflictCount: conflicts.count };
  if (options.withCombined ?? true) zones.push({ name: 'combined', segments: { 4: combinedIpv4(resolution), 6: combinedIpv6(resolution) } });
  return resolution;
}
