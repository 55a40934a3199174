/**
 * The replies drafted in a correspondence thread: an opening and a closing per template around the
 * facts of what the thread is about (its listing, its ISP, the nomination or delisting request),
 * all in the reader's words: dates in words with their time zone, a TXT's `$` as the address, the
 * state of a listing as what it means (listed, removed until a date and back by itself then,
 * delisted since a date).
 */
import { REASON_LABELS, type Standing } from '../../../shared/domain.js';
import type { ListingView } from '../../../shared/listings.js';
import type { ReplyTemplate } from '../../../shared/evidence.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { notFound } from '../errors.js';
import { findListing, toListingView } from '../listings/listings.js';
import { InForceAt } from '../rule/in-force.js';
import { counted, dateInWords, txtInWords } from './wording.js';

export const TEMPLATE_TEXT: Record<ReplyTemplate, { subject: string; opening: string; closing: string }> = {
  'delisting-granted': {
    subject: 'Delisting granted',
    opening: 'Thank you for your request. The listing below is removed; the change reaches our DNS servers with the next zone publication.',
    closing: 'If spam comes from this address again, it can be listed again. Please keep the mail server secured.',
  },
  'delisting-denied': {
    subject: 'Delisting request denied',
    opening: 'Thank you for your request. After review, the listing below stays in place: we still hold recent evidence of spam from this address.',
    closing: 'Once the source of the spam is found and stopped, reply to this message saying what was done, and we will review the listing again.',
  },
  'needs-information': {
    subject: 'More information needed',
    opening: 'Thank you for your message. Before we can decide on the record below, we need more information:',
    closing: 'Please tell us who operates the address, what sends mail from it, and what was changed to stop the spam. Reply to this message; the record number helps us find it.',
  },
  'dul-submission-received': {
    subject: 'DUL submission received',
    opening: 'Thank you for your dynamic-range (DUL) submission. We have received it and recorded it as follows:',
    closing: 'The ranges are published with the next zone publication. Send a new submission to replace this one whenever your address plan changes.',
  },
};

/**
 * What a listing's state means for the reader: its standing by the one rule publishing applies
 * (an entry past its expiry is expired, whatever is stored), not the stored status.
 */
export function statusInWords(listing: ListingView, standing: Standing, timeZone: string): string {
  switch (standing) {
    case 'active':
      return listing.expiresAt ? `listed until ${dateInWords(listing.expiresAt, timeZone)}` : 'listed';
    case 'suppressed':
      return listing.suppressedUntil
        ? `removed until ${dateInWords(listing.suppressedUntil, timeZone)}; it returns to the list by itself then`
        : 'removed for now';
    case 'delisted':
      return `delisted since ${dateInWords(listing.updatedAt, timeZone, true)}`;
    case 'expired':
      return `expired on ${dateInWords(listing.expiresAt ?? listing.updatedAt, timeZone, true)}`;
    case 'pending':
      return 'not in effect yet: its DUL submission takes effect later';
    default: {
      const unknown: never = standing;
      return String(unknown);
    }
  }
}

/** The facts of a listing at `now`, line by line, as a reply shows them. */
export function listingFacts(db: ReadDb, listingId: number, settings: Settings, now: Date): string[] {
  const timeZone = settings.evidence.replyTimeZone;
  const row = findListing(db, listingId);
  if (!row) throw notFound(`no listing #${listingId}`);
  const listing = toListingView(db, row);
  const standing = new InForceAt(db, now).standing(row);
  const samples = db.get<{ count: number; last: string | null }>(sql`SELECT count(*) AS count, max(coalesce(s.sent_at, s.imported_at)) AS last
    FROM sample_links k JOIN samples s ON s.id = k.sample_id WHERE k.listing_id = ${listing.id}`);
  return [
    `Record:       #${listing.id}`,
    `Address:      ${listing.range}`,
    `List:         ${listing.list}`,
    `Reason:       ${REASON_LABELS[listing.reason]}${listing.txt ? ` ("${txtInWords(listing.txt, listing.range)}")` : ''}`,
    `Listed since: ${dateInWords(listing.createdAt, timeZone, true)}`,
    `Status:       ${statusInWords(listing, standing, timeZone)}`,
    `Spam samples: ${samples?.count ? samples.count.toLocaleString('en-GB') : 'none'}${samples?.last ? `, the latest received ${dateInWords(samples.last, timeZone)}` : ''}`,
  ];
}

/** The facts of an ISP (its ASNs and latest submission), line by line. */
export function ispFacts(db: ReadDb, ispId: number, settings: Settings): string[] {
  const isp = db.get<{ name: string; asns: string }>(sql`SELECT name, asns FROM isps WHERE id = ${ispId}`) as { name: string; asns: string };
  const submission = db.get<{ id: number; received_at: string; added: number; removed: number; unchanged: number }>(
    sql`SELECT id, received_at, added, removed, unchanged FROM dul_submissions WHERE isp_id = ${ispId} AND reverted_at IS NULL ORDER BY id DESC LIMIT 1`,
  );
  const asns = (JSON.parse(isp.asns) as number[]).map((asn) => `AS${asn}`).join(', ');
  return [
    `ISP:          ${isp.name}${asns ? ` (${asns})` : ''}`,
    submission
      ? `Submission:   #${submission.id}, received ${dateInWords(submission.received_at, settings.evidence.replyTimeZone)}: ${counted(submission.added, 'range')} added, ${submission.removed.toLocaleString('en-GB')} removed, ${submission.unchanged.toLocaleString('en-GB')} unchanged`
      : 'Submission:   none recorded yet',
  ];
}

/** The facts of a delisting request or a nomination a thread is about. */
export function queueFacts(db: ReadDb, owner: { nominationId: number | null; delistingId: number | null }, settings: Settings): string[] {
  const timeZone = settings.evidence.replyTimeZone;
  if (owner.delistingId !== null) {
    const request = db.get<{ ip: string; received_at: string }>(sql`SELECT ip, received_at FROM delisting_requests WHERE id = ${owner.delistingId}`);
    return request ? [`Request:      #${owner.delistingId}, received ${dateInWords(request.received_at, timeZone)}`, `Address:      ${request.ip}`] : [];
  }
  const nomination = db.get<{ received_at: string }>(sql`SELECT received_at FROM nominations WHERE id = ${owner.nominationId}`);
  const ips = db.all<{ ip: string }>(sql`SELECT ip FROM nomination_mtas WHERE nomination_id = ${owner.nominationId} ORDER BY position`).map((row) => row.ip);
  return nomination ? [`Nomination:   #${owner.nominationId}, received ${dateInWords(nomination.received_at, timeZone)}`, `Addresses:    ${ips.join(', ')}`] : [];
}
