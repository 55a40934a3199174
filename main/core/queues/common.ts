/**
 * What both review queues share: the checks every intake cell passes (addresses, host names,
 * spreadsheet-formula cells), dates, and the listings in force that cover an address. Their
 * queue mechanics (status, assignee, due time, age, filters, summary) are in queue.ts, the
 * replies they draft in replies.ts, who may act in investigators/ (requireAnyRole).
 */
import { addressKey, formatAddress, parseAddress, parseRange, type Family } from '../../../shared/address.js';
import type { ListingView } from '../../../shared/listings.js';
import type { Standing } from '../../../shared/domain.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { findListing, toListingView } from '../listings/listings.js';
import { PublicationRule } from '../rule/answers.js';
import type { ListingIndex } from '../lookup/listing-index.js';

/** A single address (not a range), with its storage key. */
export interface SingleAddress {
  readonly ip: string;
  readonly family: Family;
  readonly value: bigint;
  readonly key: Buffer;
}

export function parseSingleAddress(text: string): { ok: true; value: SingleAddress } | { ok: false; error: string } {
  if (/[/-]/.test(text.trim())) return { ok: false, error: `${JSON.stringify(text)}: give one IP address, not a range` };
  const parsed = parseAddress(text);
  if (!parsed.ok) return parsed;
  const { family, value } = parsed.value;
  return { ok: true, value: { ip: formatAddress(family, value), family, value, key: Buffer.from(addressKey(family, value)) } };
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** A fully qualified domain name: at least two labels, letters/digits/hyphens, a trailing dot allowed. */
export function checkHostName(text: string, what: string): string | null {
  const name = text.trim().replace(/\.$/, '');
  if (name.length > 253) return `${what} ${JSON.stringify(text)} is longer than 253 characters`;
  const labels = name.split('.');
  if (labels.length < 2) return `${what} ${JSON.stringify(text)} is not a fully qualified domain name (it needs a dot)`;
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) return `${what} ${JSON.stringify(text)} has an invalid label ${JSON.stringify(bad)} (letters, digits and inner hyphens only)`;
  if (/^\d+$/.test(labels[labels.length - 1])) return `${what} ${JSON.stringify(text)} ends in a number: an address, not a domain name`;
  return null;
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first): refused, so
 * a request exported back to the team's spreadsheets cannot carry one (CSV injection).
 */
export function formulaProblem(value: string, what: string): string | null {
  return /^[=+\-@\t\r]/.test(value) ? `${what} starts with ${JSON.stringify(value[0])}: cells that a spreadsheet would run as a formula are refused` : null;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Free text from outside: no control characters, no formula start. */
export function textProblem(value: string, what: string): string | null {
  if (CONTROL.test(value)) return `${what} contains control characters`;
  return formulaProblem(value, what);
}

/** When a request was received: a date or date-time not in the future; `now` when absent. */
export function parseReceived(text: string | undefined, now: Date): { ok: true; value: string } | { ok: false; error: string } {
  if (text === undefined || text.trim() === '') return { ok: true, value: now.toISOString() };
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    return { ok: false, error: `received ${JSON.stringify(text)} is not a date (YYYY-MM-DD or an ISO date-time)` };
  }
  const date = new Date(/T| /.test(trimmed) && !/(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? `${trimmed.replace(' ', 'T')}Z` : trimmed);
  if (Number.isNaN(date.getTime())) return { ok: false, error: `received ${JSON.stringify(text)} is not a valid date` };
  if (date.getTime() > now.getTime() + 60_000) return { ok: false, error: `received ${JSON.stringify(text)} is in the future` };
  return { ok: true, value: date.toISOString() };
}

/** A listing covering an address, as the queues show it, with what the one rule makes of it now. */
export interface CoveringListing extends ListingView {
  readonly standing: Standing;
}

/**
 * Listings in force at `now` whose published part contains the address (the one rule
 * publishing applies: a DUL range's ISP exclusions are cut out, a range waiting for its DUL
 * submission's effective date does not count), most specific first; with
 * `isIncludingSuppressed`, also those removed for now that will return by themselves.
 */
export function coveringListings(db: ReadDb, index: ListingIndex, address: SingleAddress, now: Date, isIncludingSuppressed = false): CoveringListing[] {
  const rule = new PublicationRule(db, now);
  const covering: CoveringListing[] = [];
  for (const id of index.find(address.family, address.value)) {
    const row = findListing(db, id);
    if (!row) continue;
    const standing = rule.standing(row);
    const isCounted = standing === 'active' || (isIncludingSuppressed && standing === 'suppressed');
    if (isCounted && rule.coversAt(row, address.family, address.value, standing === 'suppressed')) covering.push({ ...toListingView(db, row), standing });
  }
  return covering
    .map((listing) => ({ listing, size: rangeSize(listing) }))
    .sort((a, b) => (a.size < b.size ? -1 : a.size > b.size ? 1 : b.listing.id - a.listing.id))
    .map(({ listing }) => listing);
}

function rangeSize(listing: ListingView): bigint {
  const parsed = parseRange(listing.range);
  return parsed.ok ? parsed.value.last - parsed.value.first + 1n : 1n;
}

/** The caller-facing name of an investigator id. */
export function nameOf(db: ReadDb, id: number | null): string | null {
  if (id === null) return null;
  return db.get<{ name: string }>(sql`SELECT name FROM investigators WHERE id = ${id}`)?.name ?? `#${id}`;
}
