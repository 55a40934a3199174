/**
 * The reputation record: its header (range with CIDR decomposition and size, the answer a mail
 * server gets, evidence counts, the DUL submission) and the listings related to it.
 */
import { formatCidr, formatAddress, formatRange, rangeSize, rangeToCidrs, readAddressKeyHex, writeAddressKey, type AddressRange } from '../../../shared/address.js';
import type { Settings } from '../../../shared/settings.js';
import type { RecordView, RelatedListing, RelatedView } from '../../../shared/workbench.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { notFound } from '../errors.js';
import { findListing, getListing, notPublishedBecause, type ListingRow } from '../listings/listings.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { answerText, returnCode } from '../publish/resolve.js';

const MAX_CIDRS_SHOWN = 64;
const MAX_RELATED = 500;

function rangeOf(row: Pick<ListingRow, 'first' | 'last'>): AddressRange {
  const first = readAddressKeyHex(row.first);
  return { family: first.family, first: first.value, last: readAddressKeyHex(row.last).value };
}

export function recordView(db: ReadDb, id: number, settings: Settings, now: Date): RecordView {
  return db.snapshot((snapshot) => {
    const row = findListing(snapshot, id);
    if (!row) throw notFound(`no listing #${id}`);
    const listing = getListing(snapshot, id);
    const range = rangeOf(row);
    const cidrs = rangeToCidrs(range);
    const at = now.toISOString();
    const extra = snapshot.get<{ submission_id: number | null; isp: string | null; samples: number; threads: number }>(
      sql`SELECT l.submission_id, (SELECT i.name FROM dul_submissions s JOIN isps i ON i.id = s.isp_id WHERE s.id = l.submission_id) AS isp,
        (SELECT count(*) FROM sample_links WHERE listing_id = l.id) AS samples,
        (SELECT count(*) FROM threads WHERE listing_id = l.id) AS threads
        FROM listings l WHERE l.id = ${id}`,
    );
    const queriedAddress = formatAddress(range.family, range.first);
    const notPublished = notPublishedBecause(row.status, row.suppressed_until, row.expires_at, at);
    return {
      id,
      list: listing.list,
      range: listing.range,
      family: listing.family,
      cidrs: cidrs.slice(0, MAX_CIDRS_SHOWN).map(formatCidr),
      cidrsOmitted: Math.max(0, cidrs.length - MAX_CIDRS_SHOWN),
      addressCount: rangeSize(range).toString(),
      status: listing.status,
      suppressedUntil: listing.suppressedUntil,
      reason: listing.reason,
      investigator: listing.investigator,
      txt: listing.txt,
      level: listing.level,
      expiresAt: listing.expiresAt,
      createdAt: listing.createdAt,
      updatedAt: listing.updatedAt,
      // The publish code's own answer, with '$' standing for the queried address as rbldnsd substitutes it.
      answer: { a: returnCode(settings, listing.list, listing.level), txt: answerText(settings, listing).split('$').join(queriedAddress), queriedAddress },
      isPublished: notPublished === null,
      notPublished,
      submissionId: extra?.submission_id ?? null,
      isp: extra?.isp ?? null,
      samples: extra?.samples ?? 0,
      threads: extra?.threads ?? 0,
    };
  });
}

function keyBuffer(family: 4 | 6, value: bigint): Buffer {
  const key = Buffer.alloc(16);
  writeAddressKey(family, value, key, 0);
  return key;
}

/**
 * Listings on any list overlapping a range (all but `excludeId`), in address order, each with
 * how it relates to the range; at most `limit` (and whether there were more).
 */
export function listingsOverlapping(db: ReadDb, index: ListingIndex, range: AddressRange, excludeId: number | null, limit: number): { listings: RelatedListing[]; isTruncated: boolean } {
  // Overlapping = containing the first address (the index) or starting inside the range (SQL on the range index).
  const containing = index.find(range.family, range.first);
  const rows = db.all<{ id: number; list: RelatedListing['list']; first: string; last: string; status: RelatedListing['status']; reason: RelatedListing['reason'] }>(
    sql`SELECT id, list, hex(first) AS first, hex(last) AS last, status, reason FROM listings
      WHERE id <> ${excludeId ?? 0} AND (id IN (SELECT value FROM json_each(${JSON.stringify(containing)}))
        OR (family = ${range.family} AND first BETWEEN ${keyBuffer(range.family, range.first)} AND ${keyBuffer(range.family, range.last)}))
      ORDER BY family, first, last, id LIMIT ${limit + 1}`,
  );
  const listings = rows.slice(0, limit).map((other): RelatedListing => {
    const otherRange = rangeOf(other);
    const relation =
      otherRange.first === range.first && otherRange.last === range.last
        ? 'same'
        : otherRange.first <= range.first && otherRange.last >= range.last
          ? 'contains'
          : otherRange.first >= range.first && otherRange.last <= range.last
            ? 'inside'
            : 'overlaps';
    return { id: other.id, list: other.list, range: formatRange(otherRange), status: other.status, reason: other.reason, relation };
  });
  return { listings, isTruncated: rows.length > limit };
}

/** Listings on any list that overlap the record's range, and the GAL entries inside it. */
export function relatedListings(db: ReadDb, index: ListingIndex, id: number): RelatedView {
  const row = findListing(db, id);
  if (!row) throw notFound(`no listing #${id}`);
  const { listings: overlapping, isTruncated } = listingsOverlapping(db, index, rangeOf(row), id, MAX_RELATED);
  return { overlapping, galInside: overlapping.filter((other) => other.list === 'GAL' && (other.relation === 'inside' || other.relation === 'same')), isTruncated };
}
