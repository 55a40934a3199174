/**
 * The one rule for whether a listing is in force (published) at a time T, and what it is when it
 * is not. In force: active, or suppressed until a date now past; not past its expiry (a QIL
 * entry's, or a DUL range's valid-until); and not from a DUL submission whose effective date is
 * still ahead, while the listings such a pending replace took out of the ISP's set stay in force
 * until that date. Where it is in force, the ISP's exclusions are cut out of a DUL range
 * (exclusions.ts) and, per address, the most specific listing answers on each list (QIL: the
 * least level), GAL winning over every blocklist (answers.ts).
 *
 * Two forms of the same rule: `standingOf` for one listing (the record, the listings table, the
 * queues, the dashboard's fold), and the SQL conditions for many (publishing's read, the table's
 * status filter). test/unit/core/in-force.test.ts holds the two to each other on random rows.
 * Listings of an import still in progress are left out of both (unfinished.ts): the SQL forms
 * say so, and the rows `standingOf` is given were read through the same filter.
 */
import type { Standing } from '../../../shared/domain.js';
import type { ListingStatus } from '../../../shared/domain.js';
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { committedSql } from './unfinished.js';

/** The DUL submissions that matter at a time: few, usually none. */
export interface InForceTerms {
  /** The time, ISO 8601. */
  readonly at: string;
  /** Submissions (made by `at`) whose effective date is after `at`: their listings are not in force yet. */
  readonly waiting: ReadonlySet<number>;
  /** Of those, the ones not reverted by `at`: the listings they replaced stay in force until their date. */
  readonly replacing: ReadonlySet<number>;
}

/** The terms at `at` (a submission made or reverted later counts as it was then). */
export function readTerms(db: ReadDb, at: string): InForceTerms {
  const rows = db.all<{ id: number; reverted_at: string | null }>(
    sql`SELECT id, reverted_at FROM dul_submissions WHERE effective_at > ${at} AND created_at <= ${at}`,
  );
  return {
    at,
    waiting: new Set(rows.map((row) => row.id)),
    replacing: new Set(rows.filter((row) => row.reverted_at === null || row.reverted_at > at).map((row) => row.id)),
  };
}

/** What the rule reads of a listing. */
export interface RuleFields {
  readonly status: ListingStatus;
  readonly suppressedUntil: string | null;
  readonly expiresAt: string | null;
  readonly submissionId: number | null;
}

/** Whether a pending replace (one of `terms.replacing`) took this listing out of its ISP's set. */
export type ReplacedByPending = (listingId: number) => boolean;

/** `ReplacedByPending` from the database: asked only when some replace is pending. */
export function replacedByPending(db: ReadDb, terms: InForceTerms): ReplacedByPending {
  if (terms.replacing.size === 0) return () => false;
  const submissions = JSON.stringify([...terms.replacing]);
  return (listingId) =>
    db.get(sql`SELECT 1 FROM dul_replaced WHERE submission_id IN (SELECT value FROM json_each(${submissions})) AND listing_id = ${listingId}`) !== undefined;
}

/** Whether the listing's own status puts it in the zone at `at` (before expiry and DUL dates). */
function isStatusInForce(fields: RuleFields, at: string): boolean {
  return fields.status === 'active' || (fields.status === 'suppressed' && fields.suppressedUntil !== null && fields.suppressedUntil <= at);
}

function isExpired(fields: RuleFields, at: string): boolean {
  return fields.expiresAt !== null && fields.expiresAt <= at;
}

/** Whether listing `id` is in force under `terms`. */
export function isInForce(id: number, fields: RuleFields, terms: InForceTerms, isReplaced: ReplacedByPending): boolean {
  if (isExpired(fields, terms.at)) return false;
  if (fields.submissionId !== null && terms.waiting.has(fields.submissionId)) return false;
  return isStatusInForce(fields, terms.at) || isReplaced(id);
}

/**
 * What the rule makes of a listing at `terms.at`: `active` (in force, published), `pending` (a
 * DUL range waiting for its submission's effective date), `suppressed` (removed until a date still
 * ahead), `expired` (its expiry has passed, whatever the stored status says), `delisted`.
 */
export function standingOf(id: number, fields: RuleFields, terms: InForceTerms, isReplaced: ReplacedByPending): Standing {
  if (isInForce(id, fields, terms, isReplaced)) return 'active';
  if (fields.status === 'delisted') return 'delisted';
  if (fields.status === 'expired' || isExpired(fields, terms.at)) return 'expired';
  if (fields.status === 'suppressed') return 'suppressed';
  return 'pending';
}

function column(alias: string, name: string, isUnary = false): Sql {
  return { text: `${isUnary ? '+' : ''}${alias === '' ? '' : `${alias}.`}${name}`, values: [] };
}

/** The id list of a set, for `IN (SELECT value FROM json_each(?))`. */
function idList(ids: ReadonlySet<number>): string {
  return JSON.stringify([...ids]);
}

/**
 * SQL: "in force at `terms.at`" for the listings table under `alias` ('' for none). With
 * `isUnaryStatus`, `+status` keeps the planner on the caller's order (publishing reads by id)
 * rather than the status index.
 */
export function inForceSql(terms: InForceTerms, alias = '', isUnaryStatus = false): Sql {
  const status = column(alias, 'status', isUnaryStatus);
  const until = column(alias, 'suppressed_until');
  const expires = column(alias, 'expires_at');
  const own = sql`(${status} = 'active' OR (${status} = 'suppressed' AND ${until} IS NOT NULL AND ${until} <= ${terms.at}))`;
  const live = sql`(${expires} IS NULL OR ${expires} > ${terms.at})`;
  // A listing of an import still in progress is in force nowhere (unfinished.ts).
  const committed = committedSql(alias);
  if (terms.waiting.size === 0) return sql`${own} AND ${live} AND ${committed}`;
  const id = column(alias, 'id');
  const submission = column(alias, 'submission_id');
  const replaced =
    terms.replacing.size === 0
      ? sql`0`
      : sql`EXISTS (SELECT 1 FROM dul_replaced r WHERE r.submission_id IN (SELECT value FROM json_each(${idList(terms.replacing)})) AND r.listing_id = ${id})`;
  return sql`(${own} OR ${replaced}) AND ${live} AND (${submission} IS NULL OR ${submission} NOT IN (SELECT value FROM json_each(${idList(terms.waiting)}))) AND ${committed}`;
}

/**
 * SQL: the listings whose standing at `terms.at` is `standing` (the listings table's status
 * filter). Each form repeats what the partial indexes need to be usable (`status <> 'active'`
 * for the rare statuses) and stays exact: rows are counted in one standing only. An import's
 * listings have no standing until it commits: `committed` leaves them out (`committedSql`, or
 * `committedNowSql` for a statement built in the snapshot that runs it).
 */
export function standingSql(standing: Standing, terms: InForceTerms, committed: Sql, alias = 'l', isUnaryStatus = false): Sql {
  return sql`${committed} AND (${standingOnly(standing, terms, alias, isUnaryStatus)})`;
}

function standingOnly(standing: Standing, terms: InForceTerms, alias: string, isUnaryStatus: boolean): Sql {
  const status = column(alias, 'status', isUnaryStatus);
  const expires = column(alias, 'expires_at');
  const inForce = inForceSql(terms, alias, isUnaryStatus);
  const expired = sql`${expires} IS NOT NULL AND ${expires} <= ${terms.at}`;
  // The partial status index holds the rows that are not 'active': said so it can be used.
  const rare = isUnaryStatus ? sql`1` : sql`${column(alias, 'status')} <> 'active'`;
  switch (standing) {
    case 'active':
      return inForce;
    case 'delisted':
      return terms.replacing.size === 0 ? sql`${status} = 'delisted' AND ${rare}` : sql`${status} = 'delisted' AND ${rare} AND NOT (${inForce})`;
    case 'expired':
      return sql`${status} <> 'delisted' AND (${status} = 'expired' OR (${expired})) AND NOT (${inForce})`;
    case 'suppressed':
      return sql`${status} = 'suppressed' AND ${rare} AND NOT (${expired}) AND NOT (${inForce})`;
    case 'pending':
      if (terms.waiting.size === 0) return sql`0`;
      return sql`${status} <> 'delisted' AND ${status} <> 'expired' AND NOT (${expired}) AND NOT (${status} = 'suppressed' AND ${rare}) AND NOT (${inForce})`;
    default: {
      const unknown: never = standing;
      throw new Error(`unknown standing ${String(unknown)}`);
    }
  }
}

/** The stored fields of a listing the rule reads, as rows carry them. */
export interface RuleRow {
  readonly id: number;
  readonly status: ListingStatus;
  readonly suppressed_until: string | null;
  readonly expires_at: string | null;
  readonly submission_id: number | null;
}

/**
 * The rule at one time for many listings: the terms are read at the first listing that needs
 * them (a lookup that finds nothing reads nothing), a pending replace looked up per listing.
 */
export class InForceAt {
  private read: { readonly terms: InForceTerms; readonly isReplaced: ReplacedByPending } | null = null;

  constructor(
    private readonly db: ReadDb,
    private readonly now: Date,
  ) {}

  get terms(): InForceTerms {
    return this.loaded().terms;
  }

  /** What the rule makes of a listing at this time. */
  standing(row: RuleRow): Standing {
    const { terms, isReplaced } = this.loaded();
    return standingOf(row.id, { status: row.status, suppressedUntil: row.suppressed_until, expiresAt: row.expires_at, submissionId: row.submission_id }, terms, isReplaced);
  }

  private loaded(): { readonly terms: InForceTerms; readonly isReplaced: ReplacedByPending } {
    if (this.read === null) {
      const terms = readTerms(this.db, this.now.toISOString());
      this.read = { terms, isReplaced: replacedByPending(this.db, terms) };
    }
    return this.read;
  }
}
