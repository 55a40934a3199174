/**
 * The investigator's workbench: the listings table (filters, sorts, keyset pages), bulk actions,
 * saved views, the reputation record and full-text search. Schemas and result types; the filter
 * is also what the `#/listings/<URLSearchParams>` route carries.
 */
import { z } from './zod.js';
import { FILTER_KEYS, SORT_COLUMNS } from './vocabulary.js';
import { LISTS, REASONS, STANDINGS, type ListName, type ListingStatus, type Reason, type Standing } from './domain.js';
import type { ListAnswer, RoleAtAddress } from './published.js';

const dateSchema = z.iso.date().or(z.iso.datetime({ offset: true }));

/** Every filter of the listings table; the keys are the route's URLSearchParams keys. */
export const listingFilterSchema = z
  .object({
    list: z.enum(LISTS).optional(),
    /** The standing now (the one rule: an entry past its expiry is expired, not active). */
    status: z.enum(STANDINGS).optional(),
    reason: z.enum(REASONS).optional(),
    investigator: z.string().trim().min(1).max(100).optional(),
    isp: z.string().trim().min(1).max(200).optional(),
    /** Listings whose range contains this address. */
    ip: z.string().trim().min(1).max(100).optional(),
    /** Listings whose range overlaps this range (CIDR, address or a-b). */
    cidr: z.string().trim().min(1).max(200).optional(),
    createdFrom: dateSchema.optional(),
    createdTo: dateSchema.optional(),
    changedFrom: dateSchema.optional(),
    changedTo: dateSchema.optional(),
    /** Free text over TXT, notes and the listing's evidence (samples, correspondence). */
    q: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type ListingFilter = z.infer<typeof listingFilterSchema>;

export { FILTER_KEYS };
export type FilterKey = (typeof FILTER_KEYS)[number];

export { SORT_COLUMNS };
export type SortColumn = (typeof SORT_COLUMNS)[number];

export const sortSchema = z.object({ column: z.enum(SORT_COLUMNS), descending: z.boolean() }).strict();
export type ListingSort = z.infer<typeof sortSchema>;
export const DEFAULT_SORT: ListingSort = { column: 'changed', descending: true };

/** Where the next page starts: the last row's sort key and id (opaque to the renderer). */
export const cursorSchema = z.object({ key: z.array(z.union([z.string(), z.number(), z.null()])).max(4), id: z.number().int().nonnegative() }).strict();
export type PageCursor = z.infer<typeof cursorSchema>;

export const listingQuerySchema = z
  .object({
    filter: listingFilterSchema.default({}),
    sort: sortSchema.default(DEFAULT_SORT),
    after: cursorSchema.nullable().default(null),
    limit: z.number().int().min(1).max(1000).default(200),
    /** Count the matching rows (up to COUNT_CAP); asked for the first page only. */
    withCount: z.boolean().default(false),
  })
  .strict();

/** Counting stops here: "more than 100,000" is all a person needs to know. */
export const COUNT_CAP = 100_000;

/** One row of the listings table. */
export interface ListingTableRow {
  readonly id: number;
  readonly list: ListName;
  readonly range: string;
  readonly family: 4 | 6;
  readonly status: ListingStatus;
  readonly suppressedUntil: string | null;
  readonly reason: Reason;
  readonly investigator: string;
  readonly txt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string | null;
  readonly level: number | null;
  readonly isp: string | null;
  readonly samples: number;
  /** What the one rule makes of it now: `active` is in force (the next snapshot publishes it). */
  readonly standing: Standing;
}

export interface ListingPage {
  readonly rows: readonly ListingTableRow[];
  /** The cursor of the next page; null after the last. */
  readonly next: PageCursor | null;
  /** Matching rows (capped at COUNT_CAP, then `isCountCapped`); null when not asked. */
  readonly total: number | null;
  readonly isCountCapped: boolean;
  /** Core time of the query, milliseconds. */
  readonly elapsedMs: number;
  /** Normalisation notes of the address filters (e.g. host bits cleared). */
  readonly notes: readonly string[];
}

/** What a bulk action applies to: chosen ids, or every row matching a filter. */
export const bulkTargetSchema = z.union([
  z.object({ ids: z.array(z.number().int().positive()).min(1).max(1_000_000) }).strict(),
  z.object({ filter: listingFilterSchema }).strict(),
]);
export type BulkTarget = z.infer<typeof bulkTargetSchema>;

const whySchema = z.string().trim().min(1, 'a reason is required').max(2000);

export const bulkActionSchema = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('delist'), target: bulkTargetSchema, why: whySchema }).strict(),
    z.object({ action: z.literal('suppress'), target: bulkTargetSchema, why: whySchema, until: dateSchema }).strict(),
    z.object({ action: z.literal('extend'), target: bulkTargetSchema, why: whySchema, expires: dateSchema }).strict(),
    z.object({ action: z.literal('reassign'), target: bulkTargetSchema, why: whySchema, investigator: z.string().trim().min(1).max(100) }).strict(),
  ]);
export type BulkAction = z.infer<typeof bulkActionSchema>;

export interface BulkResult {
  readonly action: BulkAction['action'];
  /** Records changed (one history event each) and records left as they were, with why. */
  readonly changed: number;
  readonly skipped: number;
  readonly skippedReasons: readonly string[];
}

export const exportSchema = z.object({ target: bulkTargetSchema, sort: sortSchema.default(DEFAULT_SORT) }).strict();

export interface CsvExport {
  readonly csv: string;
  readonly rows: number;
}

/** A record edit. Each needs a reason, and appends one history event (change-list: one on each record). */
export const listingEditSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('change-list'), id: z.number().int().positive(), why: whySchema, list: z.enum(LISTS), reason: z.enum(REASONS) }).strict(),
  z.object({ action: z.literal('reason'), id: z.number().int().positive(), why: whySchema, reason: z.enum(REASONS) }).strict(),
  z.object({ action: z.literal('txt'), id: z.number().int().positive(), why: whySchema, txt: z.string().max(1000) }).strict(),
  z.object({ action: z.literal('delist'), id: z.number().int().positive(), why: whySchema }).strict(),
  z.object({ action: z.literal('suppress'), id: z.number().int().positive(), why: whySchema, until: dateSchema }).strict(),
  z.object({ action: z.literal('relist'), id: z.number().int().positive(), why: whySchema, expires: dateSchema.optional() }).strict(),
  z.object({ action: z.literal('reassign'), id: z.number().int().positive(), why: whySchema, investigator: z.string().trim().min(1).max(100) }).strict(),
]);
export type ListingEdit = z.infer<typeof listingEditSchema>;

export interface EditResult {
  /** The record after the edit; for change-list, the new listing (the old one is delisted). */
  readonly id: number;
  readonly replaced: number | null;
}

/** The reputation record's header. */
export interface RecordView {
  readonly id: number;
  readonly list: ListName;
  readonly range: string;
  readonly family: 4 | 6;
  /** The range as CIDRs (one item for a CIDR), and the number of addresses it covers (decimal text: IPv6 counts exceed 2^53). */
  readonly cidrs: readonly string[];
  readonly cidrsOmitted: number;
  readonly addressCount: string;
  readonly status: ListingStatus;
  readonly suppressedUntil: string | null;
  readonly reason: Reason;
  readonly investigator: string;
  readonly txt: string | null;
  readonly level: number | null;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** What the one rule makes of it now (`active`: in force). */
  readonly standing: Standing;
  /** In force, and some of its range is published (its ISP's exclusions may cover the rest, or all of it). */
  readonly isPublished: boolean;
  /**
   * Why the next snapshot leaves it out (null when it is in): delisted; expired (its expiry has
   * passed, even while the stored status still says active); removed (suppressed until a date
   * still ahead); pending (a DUL range whose submission takes effect later); excluded (its ISP's
   * exclusions cover the whole range).
   */
  readonly notPublished: 'delisted' | 'expired' | 'removed' | 'pending' | 'excluded' | null;
  /** Until when it stays out, where that is known: the end of a removal, a DUL submission's effective date. */
  readonly notPublishedUntil: string | null;
  /** Its ISP's exclusions cut out of the range (a DUL range in force), at most 64. */
  readonly excluded: readonly string[];
  /**
   * What a mail server sees on this listing's list for `queriedAddress` (the first published
   * address of the range, else its first address): the zone's answer, whichever listing gives
   * it, and this listing's part there. `ownAnswer` is the answer this listing gives where it
   * speaks (`$` rendered with `queriedAddress`).
   */
  readonly queriedAddress: string;
  readonly atAddress: ListAnswer;
  readonly role: RoleAtAddress;
  readonly ownAnswer: { readonly a: string; readonly txt: string };
  readonly submissionId: number | null;
  readonly isp: string | null;
  readonly samples: number;
  readonly threads: number;
}

export interface RelatedListing {
  readonly id: number;
  readonly list: ListName;
  readonly range: string;
  readonly status: ListingStatus;
  readonly reason: Reason;
  /** How it meets this record's range. */
  readonly relation: 'contains' | 'inside' | 'same' | 'overlaps';
}

export interface RelatedView {
  readonly overlapping: readonly RelatedListing[];
  /** GAL entries inside this range (a subset of overlapping, listed apart for the reviewer). */
  readonly galInside: readonly RelatedListing[];
  readonly isTruncated: boolean;
}

/** A saved, named filter of one investigator. `query` is the route's URLSearchParams text. */
export interface SavedView {
  readonly name: string;
  readonly query: string;
  readonly updatedAt: string;
}

export const savedViewSchema = z
  .object({
    name: z.string().trim().min(1, 'a view needs a name').max(100),
    query: z.string().max(2000),
  })
  .strict();

export interface TextHit {
  readonly kind: 'listing' | 'sample' | 'message';
  /** The listing, sample or message id. */
  readonly id: number;
  /** The listings the hit belongs to. */
  readonly listingIds: readonly number[];
  /** A short excerpt with the match in [brackets]. */
  readonly snippet: string;
}

export const textSearchSchema = z.object({ q: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(100).default(20) }).strict();

/** The route's URLSearchParams text of a filter (keys in a fixed order, empty values left out). */
export function filterToQuery(filter: Partial<Record<FilterKey, string>>): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  return params.toString();
}

/** The filter a route's URLSearchParams text names; unknown keys are ignored. */
export function queryToFilter(query: string): Partial<Record<FilterKey, string>> {
  const params = new URLSearchParams(query);
  const filter: Partial<Record<FilterKey, string>> = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null && value !== '') filter[key] = value;
  }
  return filter;
}
