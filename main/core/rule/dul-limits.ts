/**
 * The ISP's limits at publish time. Valid-until is stamped on each DUL listing's expires_at
 * (publishing already leaves expired listings out); exclusions are applied here: the
 * exclusions of an ISP's submissions that still have listings in force are cut out of that
 * ISP's DUL ranges, so an excluded block inside a listed range is not in the DUL zone.
 */
import { mergeRanges, readAddressKeyHex, subtractRanges, type AddressRange, type Family } from '../../../shared/address.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';

/** What publishing reads of a DUL listing: enough to cut exclusions out of it. */
export interface LimitedListing {
  readonly id: number;
  readonly list: string;
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
}

/** Sorted, disjoint holes of one ISP and family. */
export type Holes = AddressRange[];

/** The exclusions in force, per ISP and family (empty when no submission in force has any). */
export function readExclusions(db: ReadDb, submissionsInForce: ReadonlySet<number>): Map<string, Holes> {
  const byIsp = new Map<string, AddressRange[]>();
  if (submissionsInForce.size === 0) return byIsp;
  for (const [submission, isp, first, last] of db.iterateRaw(
    sql`SELECT e.submission_id, s.isp_id, hex(e.first), hex(e.last) FROM dul_exclusions e JOIN dul_submissions s ON s.id = e.submission_id WHERE s.reverted_at IS NULL`,
  )) {
    if (!submissionsInForce.has(submission as number)) continue;
    const start = readAddressKeyHex(first as string);
    const key = `${isp as number}/${start.family}`;
    let ranges = byIsp.get(key);
    if (!ranges) byIsp.set(key, (ranges = []));
    ranges.push({ family: start.family, first: start.value, last: readAddressKeyHex(last as string).value });
  }
  return new Map([...byIsp].map(([key, ranges]) => [key, mergeRanges(ranges)]));
}

/** The ISP of each submission. */
export function readSubmissionIsps(db: ReadDb): Map<number, number> {
  return new Map(db.all<{ id: number; isp_id: number }>(sql`SELECT id, isp_id FROM dul_submissions`).map((row) => [row.id, row.isp_id]));
}

/** Holes overlapping [first, last]: binary search in sorted disjoint holes. */
function overlapping(holes: Holes, first: bigint, last: bigint): Holes {
  let low = 0;
  let high = holes.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (holes[middle].last < first) low = middle + 1;
    else high = middle;
  }
  const found: AddressRange[] = [];
  for (let index = low; index < holes.length && holes[index].first <= last; index += 1) found.push(holes[index]);
  return found;
}

/**
 * Cut the exclusions out of the DUL listings: a listing with a hole becomes its remaining
 * pieces (same id, in address order); one wholly excluded disappears. Other listings pass as
 * they are. `submissionOf` maps DUL listing ids to their submission.
 */
export function applyExclusions<T extends LimitedListing>(
  listings: readonly T[],
  submissionOf: ReadonlyMap<number, number>,
  ispOf: ReadonlyMap<number, number>,
  exclusions: ReadonlyMap<string, Holes>,
): T[] {
  if (exclusions.size === 0) return listings as T[];
  const result: T[] = [];
  for (const listing of listings) {
    const submission = listing.list === 'DUL' ? submissionOf.get(listing.id) : undefined;
    const holes = submission === undefined ? undefined : exclusions.get(`${ispOf.get(submission)}/${listing.family}`);
    const pieces = holes ? excludedPieces(holes, listing.family, listing.first, listing.last) : null;
    if (pieces === null) {
      result.push(listing);
      continue;
    }
    for (const piece of pieces) result.push({ ...listing, first: piece.first, last: piece.last });
  }
  return result;
}

/** What is left of first..last once `holes` (one ISP's, sorted and disjoint) are cut out; null when no hole meets it. */
export function excludedPieces(holes: Holes, family: Family, first: bigint, last: bigint): AddressRange[] | null {
  const hits = overlapping(holes, first, last);
  return hits.length === 0 ? null : subtractRanges({ family, first, last }, hits);
}
