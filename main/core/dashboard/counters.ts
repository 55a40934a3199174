/**
 * The dashboard's materialised figures (migrations 0008, 0016), brought up to date by a fold:
 * they count what the one rule (main/core/rule/) says is in force at the fold's time T. A fold
 * takes in three kinds of change since the last one (at F):
 * - listings new since then, counted if in force at T;
 * - listings the journal trigger saw change (status, suppression end, expiry, investigator):
 *   counted out as they were at F (the journal keeps their fields then), in as they are at T;
 * - listings whose expiry or suppression end, or whose DUL submission's effective date or revert,
 *   lies between F and T: the clock moved them, with no write and no history event; counted out
 *   as the rule saw them at F, in as it sees them at T.
 * Each becomes +1/-1 deltas per scope, applied to the stored segments with the one union
 * arithmetic (coverage.ts), to the totals and to the daily rollup, in one transaction per step.
 *
 * Scopes: `list:<LIST>`, `isp:<id>` and `country:<CC>` (the union of its ISPs' ranges: a range
 * two of them claim counts once) keep segments (addresses covered, overlaps once), all of listings
 * in force; `investigator:<id>:<LIST>` keeps the count in force assigned to each person (so it
 * follows reassignment); `expiring:<LIST>` counts the listings stored active that carry an expiry
 * (the dashboard's "lapsed" are those of them past it). The daily rollup counts the changes people
 * made: listings that became active (created or relisted) and that left 'active'.
 */
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { createLogger } from '../log.js';
import { LISTS, type ListingStatus } from '../../../shared/domain.js';
import { IPV4_UNITS, IPV6_UNITS, type Delta } from './coverage.js';
import { applyScope, readScopeSegments } from './scope-store.js';
import { isInForce, readTerms, replacedByPending, type InForceTerms, type ReplacedByPending, type RuleFields } from '../rule/in-force.js';

const log = createLogger('dashboard');

/** One scope and family's pending change. */
interface ScopeWork {
  readonly scope: string;
  readonly family: 4 | 6;
  readonly hasSegments: boolean;
  entries: number;
  readonly deltas: Array<Delta<number>> | Array<Delta<bigint>>;
}

/** What a fold did, for the log and the bench. */
export interface FoldReport {
  readonly listings: number;
  readonly journal: number;
  /** Listings the clock moved into or out of force (expiry, suppression end, DUL dates). */
  readonly clock: number;
  readonly milliseconds: number;
}

interface Pending {
  readonly foldedMaxId: number;
  readonly foldedAt: string | null;
  readonly maxId: number;
  readonly journalMaxId: number;
}

/**
 * What is left to fold. New listings are folded up to the first block of an import still in
 * progress (rule/unfinished.ts): the fold keeps its place by id, so what comes after that block
 * waits until the import has committed or been removed.
 */
function pending(db: ReadDb): Pending {
  const row = db.get<{ folded: number; foldedAt: string | null; max: number | null; journal: number | null }>(
    sql`SELECT (SELECT folded_max_id FROM dashboard_state WHERE id = 1) AS folded, (SELECT folded_at FROM dashboard_state WHERE id = 1) AS foldedAt,
      coalesce((SELECT min(first_id) - 1 FROM listing_imports), (SELECT max(id) FROM listings)) AS max, (SELECT max(id) FROM dashboard_journal) AS journal`,
  );
  return { foldedMaxId: row?.folded ?? 0, foldedAt: row?.foldedAt ?? null, maxId: row?.max ?? 0, journalMaxId: row?.journal ?? 0 };
}

/** The span of time between the last fold and now, in either order (a test's clock may go back). */
function spanBetween(foldedAt: string, at: string): { from: string; to: string } | null {
  if (foldedAt === at) return null;
  return foldedAt < at ? { from: foldedAt, to: at } : { from: at, to: foldedAt };
}

/** Whether the clock moved anything into or out of force between `from` (excluded) and `to` (included): index look-ups. */
function hasClockChanges(db: ReadDb, from: string, to: string): boolean {
  return clockChangesSql(from, to).some((query) => db.get(query) !== undefined);
}

/** Whether an ISP's country is not the one its ranges were folded under (few ISPs: a small scan). */
function hasCountryChanges(db: ReadDb): boolean {
  return (
    db.get(sql`SELECT 1 FROM isps i LEFT JOIN dashboard_isp_countries c ON c.isp_id = i.id
      WHERE c.country IS NOT upper(trim(coalesce(i.country, ''))) LIMIT 1`) !== undefined
  );
}

/** Whether the figures lag the listings at `now`: new listings, journalled changes, an ISP's new country, or the clock moved something. */
export function hasPendingChanges(db: ReadDb, now: Date): boolean {
  const state = pending(db);
  if (state.maxId > state.foldedMaxId || state.journalMaxId > 0 || hasCountryChanges(db)) return true;
  const span = state.foldedAt === null ? null : spanBetween(state.foldedAt, now.toISOString());
  return span !== null && hasClockChanges(db, span.from, span.to);
}

/** How many listings are newer than the figures: a fold's work grows with it (about 5 µs a listing). */
export function unfoldedListings(db: ReadDb): number {
  const state = pending(db);
  return Math.max(0, state.maxId - state.foldedMaxId);
}

/** New listings folded per step (one transaction each). */
const FOLD_CHUNK_IDS = 131_072;

/**
 * Bring the dashboard figures up to date with the listings table at `now`. Cheap when nothing
 * changed. `between` runs after each step but the last (a worker thread pauses there, so that
 * writes waiting for the database get it between two steps instead of after the whole fold).
 */
export function foldDashboard(db: WriteDb, now: Date, chunkIds = FOLD_CHUNK_IDS, between?: () => void): FoldReport {
  if (!hasPendingChanges(db, now)) return { listings: 0, journal: 0, clock: 0, milliseconds: 0 };
  const started = performance.now();
  // New listings are folded a chunk of ids per transaction, so a million-row import is folded
  // in steps whose memory stays bounded (each step is consistent on its own: folded_max_id and
  // folded_at move with it, and a listing not yet folded is read later as it is then).
  const counts = { listings: 0, journal: 0, clock: 0 };
  for (let isFirst = true; isFirst || hasPendingChanges(db, now); isFirst = false) {
    if (!isFirst) between?.();
    const step = db.transaction(() => foldInTransaction(db, chunkIds, now));
    counts.listings += step.listings;
    counts.journal += step.journal;
    counts.clock += step.clock;
  }
  const report = { ...counts, milliseconds: performance.now() - started };
  if (report.milliseconds > 200) {
    log.info(`dashboard figures folded: ${counts.listings} new listings, ${counts.journal} changes, ${counts.clock} moved by the clock in ${report.milliseconds.toFixed(0)} ms`);
  }
  return report;
}

/** A listing as a fold counts it. */
interface Counted {
  readonly list: string;
  readonly family: 4 | 6;
  readonly firstHex: string;
  readonly lastHex: string;
  readonly investigator: number;
  readonly submission: number | null;
}

/** The country key of a registry value: trimmed, upper case; '' for none. */
function countryKey(country: string | null): string {
  return country === null ? '' : country.trim().toUpperCase();
}

/** Collects deltas per scope without building a key string per listing. */
class PendingWork {
  private readonly lists = new Map<string, ScopeWork>();
  private readonly isps = new Map<number, ScopeWork>();
  private readonly countries = new Map<string, ScopeWork>();
  /** investigator id * 16 + list index * 2 + (IPv6 ? 1 : 0) -> entries */
  private readonly investigators = new Map<number, number>();
  /** list index * 2 + (IPv6 ? 1 : 0) -> entries with an expiry */
  private readonly expiring = new Map<number, number>();

  constructor(
    private readonly ispOf: ReadonlyMap<number, number>,
    private readonly countryOf: ReadonlyMap<number, string>,
  ) {}

  private work<K>(map: Map<K, ScopeWork>, key: K, scope: string, family: 4 | 6, hasSegments: boolean): ScopeWork {
    let entry = map.get(key);
    if (!entry) map.set(key, (entry = { scope, family, hasSegments, entries: 0, deltas: [] }));
    return entry;
  }

  /** A listing entering (+1) or leaving (-1) force, in every scope it counts in. */
  inForce(listing: Counted, delta: number): void {
    const { list, family } = listing;
    const scopes = [this.work(this.lists, family === 4 ? list : `${list}6`, `list:${list}`, family, true)];
    const isp = listing.submission === null ? undefined : this.ispOf.get(listing.submission);
    if (isp !== undefined) {
      scopes.push(this.work(this.isps, family === 4 ? isp : -isp, `isp:${isp}`, family, true));
      const country = this.countryOf.get(isp) ?? '';
      scopes.push(this.work(this.countries, `${family}/${country}`, `country:${country}`, family, true));
    }
    const investigatorKey = listing.investigator * 16 + LISTS.indexOf(list as (typeof LISTS)[number]) * 2 + (family === 6 ? 1 : 0);
    this.investigators.set(investigatorKey, (this.investigators.get(investigatorKey) ?? 0) + delta);
    let unit: Delta<number> | Delta<bigint>;
    if (family === 4) unit = { first: parseInt(listing.firstHex.slice(24), 16), last: parseInt(listing.lastHex.slice(24), 16), delta };
    else unit = { first: BigInt(`0x${listing.firstHex.slice(0, 16)}`), last: BigInt(`0x${listing.lastHex.slice(0, 16)}`), delta };
    for (const work of scopes) {
      work.entries += delta;
      (work.deltas as Array<typeof unit>).push(unit);
    }
  }

  /** A listing stored active with an expiry arriving (+1) or going (-1). */
  expiringEntry(list: string, family: 4 | 6, delta: number): void {
    const key = LISTS.indexOf(list as (typeof LISTS)[number]) * 2 + (family === 6 ? 1 : 0);
    this.expiring.set(key, (this.expiring.get(key) ?? 0) + delta);
  }

  /** Raw deltas for one country scope (an ISP's ranges moving between countries). */
  countryDeltas<K extends number | bigint>(country: string, family: 4 | 6, deltas: ReadonlyArray<Delta<K>>, entries: number): void {
    const work = this.work(this.countries, `${family}/${country}`, `country:${country}`, family, true);
    work.entries += entries;
    (work.deltas as Array<Delta<K>>).push(...deltas);
  }

  *all(): Iterable<ScopeWork> {
    yield* this.lists.values();
    yield* this.isps.values();
    yield* this.countries.values();
    for (const [key, entries] of this.investigators) {
      const investigator = Math.floor(key / 16);
      const list = LISTS[Math.floor((key % 16) / 2)];
      yield { scope: `investigator:${investigator}:${list}`, family: key % 2 === 1 ? 6 : 4, hasSegments: false, entries, deltas: [] };
    }
    for (const [key, entries] of this.expiring) {
      yield { scope: `expiring:${LISTS[Math.floor(key / 2)]}`, family: key % 2 === 1 ? 6 : 4, hasSegments: false, entries, deltas: [] };
    }
  }
}

/** The rule at one time, with the pending-replace look-up it needs. */
interface RuleAt {
  readonly terms: InForceTerms;
  readonly isReplaced: ReplacedByPending;
}

function ruleAt(db: ReadDb, at: string): RuleAt {
  const terms = readTerms(db, at);
  return { terms, isReplaced: replacedByPending(db, terms) };
}

function inForceUnder(rule: RuleAt | null, id: number, fields: RuleFields): boolean {
  return rule !== null && isInForce(id, fields, rule.terms, rule.isReplaced);
}

/**
 * Move the ranges of ISPs whose country changed since they were folded from the old country's
 * scope to the new one's (the ISP's own segments, depth by depth), and remember the countries.
 */
function followCountries(db: WriteDb, work: PendingWork, current: Map<number, string>): void {
  const folded = new Map(db.all<{ isp_id: number; country: string }>(sql`SELECT isp_id, country FROM dashboard_isp_countries`).map((row) => [row.isp_id, row.country]));
  for (const isp of db.all<{ id: number; country: string | null }>(sql`SELECT id, country FROM isps`)) {
    const country = countryKey(isp.country);
    current.set(isp.id, country);
    const before = folded.get(isp.id);
    if (before === country) continue;
    if (before !== undefined) {
      for (const units of [IPV4_UNITS, IPV6_UNITS] as const) {
        const entries = db.get<{ entries: number }>(sql`SELECT entries FROM dashboard_totals WHERE scope = ${`isp:${isp.id}`} AND family = ${units.family}`)?.entries ?? 0;
        const leaving: Array<Delta<number | bigint>> = [];
        const arriving: Array<Delta<number | bigint>> = [];
        for (const segment of readScopeSegments<number | bigint>(db, `isp:${isp.id}`, units as typeof IPV4_UNITS & typeof IPV6_UNITS)) {
          for (let depth = 0; depth < segment.depth; depth += 1) {
            leaving.push({ first: segment.first, last: segment.last, delta: -1 });
            arriving.push({ first: segment.first, last: segment.last, delta: 1 });
          }
        }
        work.countryDeltas(before, units.family, leaving, -entries);
        work.countryDeltas(country, units.family, arriving, entries);
      }
    }
    db.run(sql`INSERT INTO dashboard_isp_countries (isp_id, country) VALUES (${isp.id}, ${country}) ON CONFLICT (isp_id) DO UPDATE SET country = excluded.country`);
  }
}

interface Step {
  listings: number;
  journal: number;
  clock: number;
}

function foldInTransaction(db: WriteDb, chunkIds: number, now: Date): Step {
  const state = pending(db);
  const at = now.toISOString();
  // The rule when the figures were last folded, and now.
  const before = state.foldedAt === null ? null : ruleAt(db, state.foldedAt);
  const after = ruleAt(db, at);
  const daily = new Map<string, { day: string; list: string; listed: number; delisted: number }>();
  const countDay = (day: string, list: string, kind: 'listed' | 'delisted') => {
    const key = `${day}|${list}`;
    let entry = daily.get(key);
    if (!entry) daily.set(key, (entry = { day, list, listed: 0, delisted: 0 }));
    entry[kind] += 1;
  };
  // Submissions are few: their ISPs are looked up here rather than joined into every row.
  const ispOf = new Map<number, number>(db.all<{ id: number; isp: number }>(sql`SELECT id, isp_id AS isp FROM dul_submissions`).map((row) => [row.id, row.isp]));
  const countries = new Map<number, string>();
  const work = new PendingWork(ispOf, countries);
  followCountries(db, work, countries);
  const step: Step = { listings: 0, journal: 0, clock: 0 };

  // Changes written since the last fold: as they were then, against as they are now.
  const journalled = new Set<number>();
  if (state.journalMaxId > 0) {
    const first = new Map<number, { status: ListingStatus; suppressedUntil: string | null; expiresAt: string | null; investigator: number }>();
    const current = new Map<number, Counted & { status: ListingStatus; suppressedUntil: string | null; expiresAt: string | null }>();
    for (const [listingId, day, oldStatus, oldUntil, oldExpires, oldInvestigator, newStatus, list, family, firstHex, lastHex, investigator, submission, status, until, expires] of db.iterateRaw(
      journalledChangesSql(state.journalMaxId, state.foldedMaxId),
    )) {
      step.journal += 1;
      const id = listingId as number;
      const wasActive = oldStatus === 'active';
      if (wasActive !== (newStatus === 'active')) countDay(day as string, list as string, wasActive ? 'delisted' : 'listed');
      if (!first.has(id)) {
        first.set(id, { status: oldStatus as ListingStatus, suppressedUntil: oldUntil as string | null, expiresAt: oldExpires as string | null, investigator: oldInvestigator as number });
        current.set(id, {
          list: list as string,
          family: family as 4 | 6,
          firstHex: firstHex as string,
          lastHex: lastHex as string,
          investigator: investigator as number,
          submission: submission as number | null,
          status: status as ListingStatus,
          suppressedUntil: until as string | null,
          expiresAt: expires as string | null,
        });
      }
    }
    for (const [id, then] of first) {
      journalled.add(id);
      const latest = current.get(id) as NonNullable<ReturnType<typeof current.get>>;
      if (inForceUnder(before, id, { status: then.status, suppressedUntil: then.suppressedUntil, expiresAt: then.expiresAt, submissionId: latest.submission })) {
        work.inForce({ ...latest, investigator: then.investigator }, -1);
      }
      if (inForceUnder(after, id, { status: latest.status, suppressedUntil: latest.suppressedUntil, expiresAt: latest.expiresAt, submissionId: latest.submission })) work.inForce(latest, 1);
      const wasExpiring = then.status === 'active' && then.expiresAt !== null;
      const isExpiring = latest.status === 'active' && latest.expiresAt !== null;
      if (wasExpiring !== isExpiring) work.expiringEntry(latest.list, latest.family, isExpiring ? 1 : -1);
    }
    db.run(sql`DELETE FROM dashboard_journal WHERE id <= ${state.journalMaxId}`);
  }

  // What the clock moved since the last fold, with no write: expiries, ends of suppressions, DUL dates.
  const span = state.foldedAt === null ? null : spanBetween(state.foldedAt, at);
  if (span !== null && before !== null) {
    for (const [id, list, family, firstHex, lastHex, investigator, submission, status, until, expires] of db.iterateRaw(clockMovedSql(span.from, span.to, state.foldedMaxId))) {
      if (journalled.has(id as number)) continue;
      const fields: RuleFields = { status: status as ListingStatus, suppressedUntil: until as string | null, expiresAt: expires as string | null, submissionId: submission as number | null };
      const was = inForceUnder(before, id as number, fields);
      const is = inForceUnder(after, id as number, fields);
      if (was === is) continue;
      step.clock += 1;
      work.inForce(
        { list: list as string, family: family as 4 | 6, firstHex: firstHex as string, lastHex: lastHex as string, investigator: investigator as number, submission: submission as number | null },
        is ? 1 : -1,
      );
    }
  }

  // Listings new since the last fold, a chunk of ids at a time: counted if in force now.
  // The id that ends this step's chunk (ids may be sparse: counted, not added).
  const chunkEnd = db.get<{ id: number }>(chunkEndSql(state.foldedMaxId, chunkIds))?.id;
  const upTo = Math.min(state.maxId, chunkEnd ?? state.maxId);
  if (upTo > state.foldedMaxId) {
    for (const [id, list, family, first, last, status, until, expires, investigator, submission, createdDay, updatedDay] of db.iterateRaw(
      newListingsSql(state.foldedMaxId, upTo),
    )) {
      step.listings += 1;
      countDay(createdDay as string, list as string, 'listed');
      if (status !== 'active') countDay(updatedDay as string, list as string, 'delisted');
      else if (expires !== null) work.expiringEntry(list as string, family as 4 | 6, 1);
      const fields: RuleFields = { status: status as ListingStatus, suppressedUntil: until as string | null, expiresAt: expires as string | null, submissionId: submission as number | null };
      if (inForceUnder(after, id as number, fields)) {
        work.inForce({ list: list as string, family: family as 4 | 6, firstHex: first as string, lastHex: last as string, investigator: investigator as number, submission: submission as number | null }, 1);
      }
    }
  }

  for (const entry of work.all()) {
    let unitsChange = 0n;
    if (entry.hasSegments && entry.deltas.length > 0) {
      unitsChange = entry.family === 4 ? applyScope(db, entry.scope, IPV4_UNITS, entry.deltas as Array<Delta<number>>) : applyScope(db, entry.scope, IPV6_UNITS, entry.deltas as Array<Delta<bigint>>);
    }
    const stored = db.get<{ entries: number; units: string }>(sql`SELECT entries, units FROM dashboard_totals WHERE scope = ${entry.scope} AND family = ${entry.family}`);
    const entries = (stored?.entries ?? 0) + entry.entries;
    const units = BigInt(stored?.units ?? '0') + unitsChange;
    if (entries < 0 || units < 0n) throw new Error(`dashboard figures for ${entry.scope} (IPv${entry.family}) fell below zero`);
    db.run(sql`INSERT INTO dashboard_totals (scope, family, entries, units) VALUES (${entry.scope}, ${entry.family}, ${entries}, ${units.toString()})
      ON CONFLICT (scope, family) DO UPDATE SET entries = excluded.entries, units = excluded.units`);
  }
  const upsertDay = db.prepare(`INSERT INTO dashboard_daily (day, list, listed, delisted) VALUES (?, ?, ?, ?)
    ON CONFLICT (day, list) DO UPDATE SET listed = listed + excluded.listed, delisted = delisted + excluded.delisted`);
  for (const entry of daily.values()) upsertDay.run(entry.day, entry.list, entry.listed, entry.delisted);
  db.run(sql`UPDATE dashboard_state SET folded_max_id = ${Math.max(upTo, state.foldedMaxId)}, folded_at = ${at} WHERE id = 1`);
  return step;
}

/** Whether the clock moved anything between `from` (excluded) and `to`: expiries, ends of suppressions, DUL dates, one probe each. */
export function clockChangesSql(from: string, to: string): Sql[] {
  return [
    sql`SELECT 1 FROM listings WHERE expires_at > ${from} AND expires_at <= ${to} LIMIT 1`,
    sql`SELECT 1 FROM listings WHERE suppressed_until > ${from} AND suppressed_until <= ${to} LIMIT 1`,
    sql`SELECT 1 FROM dul_submissions WHERE (effective_at > ${from} AND effective_at <= ${to}) OR (reverted_at > ${from} AND reverted_at <= ${to}) LIMIT 1`,
  ];
}

/** The listings (up to `foldedMaxId`) the clock may have moved into or out of force between `from` and `to`. */
export function clockMovedSql(from: string, to: string, foldedMaxId: number): Sql {
  const moved = sql`SELECT id FROM listings WHERE expires_at > ${from} AND expires_at <= ${to}
      UNION SELECT id FROM listings WHERE suppressed_until > ${from} AND suppressed_until <= ${to}
      UNION SELECT id FROM listings WHERE submission_id IN (SELECT id FROM dul_submissions WHERE effective_at > ${from} AND effective_at <= ${to})
      UNION SELECT listing_id FROM dul_replaced WHERE submission_id IN
        (SELECT id FROM dul_submissions WHERE (effective_at > ${from} AND effective_at <= ${to}) OR (reverted_at > ${from} AND reverted_at <= ${to}))`;
  return sql`SELECT l.id, l.list, l.family, hex(l.first), hex(l.last), l.investigator_id, l.submission_id, l.status, l.suppressed_until, l.expires_at
          FROM listings l WHERE l.id IN (${moved}) AND l.id <= ${foldedMaxId}`;
}

/** The journalled changes of folded listings (as they were, and the listing as it is now), in the order they were written. */
export function journalledChangesSql(journalMaxId: number, foldedMaxId: number): Sql {
  return sql`SELECT j.listing_id, substr(j.at, 1, 10), j.old_status, j.old_suppressed_until, j.old_expires_at, j.old_investigator_id, j.new_status,
            l.list, l.family, hex(l.first), hex(l.last), l.investigator_id, l.submission_id, l.status, l.suppressed_until, l.expires_at
          FROM dashboard_journal j JOIN listings l ON l.id = j.listing_id
          WHERE j.id <= ${journalMaxId} AND j.listing_id <= ${foldedMaxId} ORDER BY j.id`;
}

/** The id that ends a step's chunk of `chunkIds` listings after `foldedMaxId`. */
export function chunkEndSql(foldedMaxId: number, chunkIds: number): Sql {
  return sql`SELECT id FROM listings WHERE id > ${foldedMaxId} ORDER BY id LIMIT 1 OFFSET ${chunkIds - 1}`;
}

/** The listings new since the last fold, up to `upTo`. */
export function newListingsSql(foldedMaxId: number, upTo: number): Sql {
  return sql`SELECT id, list, family, hex(first), hex(last), status, suppressed_until, expires_at, investigator_id, submission_id, substr(created_at, 1, 10), substr(updated_at, 1, 10)
          FROM listings WHERE id > ${foldedMaxId} AND id <= ${upTo}`;
}
