/**
 * The reputation record: its header (range with CIDR decomposition and size, the answer a mail
 * server gets, evidence counts, the DUL submission) and the listings related to it.
 */
import { formatCidr, formatAddress, formatRange, rangeSize, rangeToCidrs, readAddressKeyHex, writeAddressKey, type AddressRange } from '../../../shared/address.js';
import type { Settings } from '../../../shared/settings.js';
import type { RecordView, RelatedListing, RelatedView } from '../../../shared/workbench.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { committedSql } from '../rule/unfinished.js';
import { notFound } from '../errors.js';
import { findListing, getListing } from '../listings/listings.js';
import type { ListingRow } from '../rule/listing-row.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { PublicationRule } from '../rule/answers.js';

const MAX_CIDRS_SHOWN = 64;
const MAX_RELATED = 500;

function rangeOf(row: Pick<ListingRow, 'first' | 'last'>): AddressRange {
  const first = readAddressKeyHex(row.first);
  return { family: first.family, first: first.value, last: readAddressKeyHex(row.last).value };
}

const MAX_EXCLUDED_SHOWN = 64;

export function recordView(db: ReadDb, index: ListingIndex, id: number, settings: Settings, now: Date): RecordView {
  return db.snapshot((snapshot) => {
    const row = findListing(snapshot, id);
    if (!row) throw notFound(`no listing #${id}`);
    const listing = getListing(snapshot, id);
    const range = rangeOf(row);
    const cidrs = rangeToCidrs(range);
    const extra = snapshot.get<{ isp: string | null; effective_at: string | null; samples: number; threads: number }>(
      sql`SELECT (SELECT i.name FROM dul_submissions s JOIN isps i ON i.id = s.isp_id WHERE s.id = l.submission_id) AS isp,
        (SELECT s.effective_at FROM dul_submissions s WHERE s.id = l.submission_id) AS effective_at,
        (SELECT count(*) FROM sample_links WHERE listing_id = l.id) AS samples,
        (SELECT count(*) FROM threads WHERE listing_id = l.id) AS threads
        FROM listings l WHERE l.id = ${id} AND ${committedSql('l')}`,
    );
    // The one rule: its standing now, the parts of its range published, and what its list's zone
    // answers at the first of them (which may be a more specific listing's answer).
    const rule = new PublicationRule(snapshot, now);
    const standing = rule.standing(row);
    const pieces = rule.publishedPieces(row, standing);
    const queried = pieces.length > 0 ? pieces[0].first : range.first;
    const queriedAddress = formatAddress(range.family, queried);
    const containing = index
      .find(range.family, queried)
      .map((other) => (other === id ? row : findListing(snapshot, other)))
      .filter((other): other is ListingRow => other !== undefined);
    if (!containing.includes(row)) containing.push(row);
    const { answers, roles } = rule.answersAt(settings, range.family, queried, containing);
    const excluded = standing === 'active' && row.list === 'DUL' && row.submission_id !== null ? excludedParts(range, pieces) : [];
    const notPublished: RecordView['notPublished'] =
      standing === 'active' ? (pieces.length === 0 ? 'excluded' : null) : standing === 'suppressed' ? 'removed' : standing;
    const own = rule.answerOf(settings, row, queriedAddress);
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
      standing,
      isPublished: notPublished === null,
      notPublished,
      notPublishedUntil: notPublished === 'removed' ? row.suppressed_until : notPublished === 'pending' ? (extra?.effective_at ?? null) : null,
      excluded: excluded.slice(0, MAX_EXCLUDED_SHOWN).map(formatRange),
      queriedAddress,
      atAddress: answers.lists.find((answer) => answer.list === row.list) as RecordView['atAddress'],
      role: roles.get(id) ?? 'not-in-force',
      ownAnswer: { a: own.a, txt: own.txt },
      submissionId: row.submission_id,
      isp: extra?.isp ?? null,
      samples: extra?.samples ?? 0,
      threads: extra?.threads ?? 0,
    };
  });
}

/** The parts of `range` that are not among its published `pieces` (sorted, disjoint, inside it). */
function excludedParts(range: AddressRange, pieces: readonly AddressRange[]): AddressRange[] {
  const parts: AddressRange[] = [];
  let next = range.first;
  for (const piece of pieces) {
    if (piece.first > next) parts.push({ family: range.family, first: next, last: piece.first - 1n });
    next = piece.last + 1n;
  }
  if (next <= range.last) parts.push({ family: range.family, first: next, last: range.last });
  return parts;
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
    sql`SELECT id, list, hex(first) AS first, hex(last) AS last, status, reason FROM listings l
      WHERE id <> ${excludeId ?? 0} AND ${committedSql('l')} AND (id IN (SELECT value FROM json_each(${JSON.stringify(containing)}))
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
