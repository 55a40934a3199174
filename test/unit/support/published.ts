/**
 * Publishing's column-wise forms as objects, for assertions: the listings read as
 * `PublishedListing`s by id, and a zone's segments as `Segment`s.
 */
import type { Family } from '../../../shared/address.js';
import type { ReadDb } from '../../../main/core/db/connection.js';
import { publishedListings, readListingsInForce, type PublishedListing } from '../../../main/core/rule/listings-in-force.js';
import type { ResolvedZone } from '../../../main/core/publish/resolve/resolve.js';
import type { SegmentColumns } from '../../../main/core/publish/zones/types.js';
import type { Segment } from './zone-text.js';

export function readListings(db: ReadDb, now: Date): PublishedListing[] {
  return publishedListings(readListingsInForce(db, now));
}

export function zoneSegments(zone: ResolvedZone | undefined, family: Family): Segment[] {
  if (zone === undefined) throw new Error('no such zone');
  return segmentsOf(zone.segments[family]);
}

/** The segments of `columns` as objects. */
export function segmentsOf(columns: SegmentColumns): Segment[] {
  const segments: Segment[] = [];
  for (let index = 0; index < columns.count; index += 1) {
    segments.push({ first: BigInt(columns.firsts[index]), last: BigInt(columns.lasts[index]), answers: columns.answerSets[columns.sets[index]] });
  }
  return segments;
}
