/**
 * The `dashboard.get` operation: every figure comes from the materialised tables of migration
 * 0006 (brought up to date first), the snapshots table and a few indexed look-ups, so opening
 * the dashboard costs the same with a million listings as with ten.
 */
import type { DashboardCountry, DashboardInvestigator, DashboardList, DashboardPeriod, DashboardPublishing, DashboardSeries, DashboardView, WindowChange } from '../../../shared/dashboard.js';
import { PERIOD_DAYS, UNPUBLISHED_CAP } from '../../../shared/dashboard.js';
import { LISTS, isOneOf, type ListName } from '../../../shared/domain.js';
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { hasPendingChanges } from './counters.js';
import { PUBLISHED_CHANGE_ACTIONS } from '../listings/changes.js';
import { openRequestsByInvestigator } from './requests.js';

/** A snapshot expiring within this many hours is flagged as about to expire. */
export const EXPIRING_WITHIN_HOURS = 24;
const DAY_MS = 86_400_000;

/** The UTC day `offset` days from `day` (YYYY-MM-DD). */
export function addDays(day: string, offset: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + offset * DAY_MS).toISOString().slice(0, 10);
}

interface Totals {
  entries: number;
  units: bigint;
}

function totalsByScope(db: ReadDb): Map<string, { 4: Totals; 6: Totals }> {
  const totals = new Map<string, { 4: Totals; 6: Totals }>();
  for (const row of db.all<{ scope: string; family: 4 | 6; entries: number; units: string }>(sql`SELECT scope, family, entries, units FROM dashboard_totals`)) {
    let entry = totals.get(row.scope);
    if (!entry) totals.set(row.scope, (entry = { 4: { entries: 0, units: 0n }, 6: { entries: 0, units: 0n } }));
    entry[row.family] = { entries: row.entries, units: BigInt(row.units) };
  }
  return totals;
}

function dailyRows(db: ReadDb, from: string): Array<{ day: string; list: string; listed: number; delisted: number }> {
  return db.all(dailyRowsSql(from));
}

/** Active entries with an expiry still ahead, per list: a range of the expiry index over the unexpired ones only. */
function inForceWithExpiry(db: ReadDb, now: Date): Map<string, number> {
  const rows = db.all<{ list: string; count: number }>(inForceWithExpirySql(now.toISOString()));
  return new Map(rows.map((row) => [row.list, row.count]));
}

function listsOf(totals: Map<string, { 4: Totals; 6: Totals }>, daily: ReturnType<typeof dailyRows>, today: string, inForce: Map<string, number>): DashboardList[] {
  const windows = { day: today, week: addDays(today, -6), month: addDays(today, -29) };
  return LISTS.map((list) => {
    const figures = totals.get(`list:${list}`) ?? { 4: { entries: 0, units: 0n }, 6: { entries: 0, units: 0n } };
    const expiring = totals.get(`expiring:${list}`);
    const withExpiry = expiring ? expiring[4].entries + expiring[6].entries : 0;
    const change = (from: string): WindowChange => {
      let listed = 0;
      let delisted = 0;
      for (const row of daily) {
        if (row.list !== list || row.day < from || row.day > today) continue;
        listed += row.listed;
        delisted += row.delisted;
      }
      return { from, listed, delisted };
    };
    return {
      list,
      active: figures[4].entries + figures[6].entries,
      lapsed: Math.max(0, withExpiry - (inForce.get(list) ?? 0)),
      activeIpv4: figures[4].entries,
      activeIpv6: figures[6].entries,
      ipv4Addresses: figures[4].units.toString(),
      ipv6Slash64s: figures[6].units.toString(),
      change: { day: change(windows.day), week: change(windows.week), month: change(windows.month) },
    };
  });
}

function seriesOf(daily: ReturnType<typeof dailyRows>, today: string, period: DashboardPeriod): DashboardSeries {
  const count = PERIOD_DAYS[period];
  const first = addDays(today, -(count - 1));
  const days = Array.from({ length: count }, (_, index) => addDays(first, index));
  const position = new Map(days.map((day, index) => [day, index]));
  const empty = () => Object.fromEntries(LISTS.map((list) => [list, new Array<number>(count).fill(0)])) as Record<ListName, number[]>;
  const listed = empty();
  const delisted = empty();
  for (const row of daily) {
    const at = position.get(row.day);
    if (at === undefined || !isOneOf(LISTS, row.list)) continue;
    listed[row.list][at] += row.listed;
    delisted[row.list][at] += row.delisted;
  }
  return { period, days, listed, delisted };
}

/**
 * The listings changed since event `since` (the last publish), per list, each once: the events
 * of changes that can alter what is published name a listing or a run of them (a batch), whose
 * union is counted per list.
 */
function unpublishedListings(db: ReadDb, since: number): { total: number; byList: Record<ListName, number>; isCapped: boolean; since: string | null } {
  const events = db.all<{ action: string; subject_id: number; subject_last: number | null; at: string }>(
    unpublishedEventsSql(since),
  );
  const isCapped = events.length > UNPUBLISHED_CAP;
  const runs = new Map<ListName, Array<{ first: number; last: number }>>();
  const listOf = new Map<number, ListName | null>();
  let first: string | null = null;
  for (const event of events.slice(0, UNPUBLISHED_CAP)) {
    if (!PUBLISHED_CHANGE_ACTIONS.has(event.action)) continue;
    let list = listOf.get(event.subject_id);
    if (list === undefined) {
      list = db.get<{ list: ListName }>(sql`SELECT list FROM listings WHERE id = ${event.subject_id}`)?.list ?? null;
      listOf.set(event.subject_id, list);
    }
    if (list === null) continue;
    first ??= event.at;
    let forList = runs.get(list);
    if (!forList) runs.set(list, (forList = []));
    forList.push({ first: event.subject_id, last: event.subject_last ?? event.subject_id });
  }
  const byList = Object.fromEntries(LISTS.map((list) => [list, unionSize(runs.get(list) ?? [])])) as Record<ListName, number>;
  return { total: LISTS.reduce((sum, list) => sum + byList[list], 0), byList, isCapped, since: first };
}

/** How many integers the union of inclusive runs covers. */
function unionSize(runs: Array<{ first: number; last: number }>): number {
  runs.sort((a, b) => a.first - b.first);
  let count = 0;
  let reached = -Infinity;
  for (const run of runs) {
    const start = Math.max(run.first, reached + 1);
    if (run.last >= start) count += run.last - start + 1;
    reached = Math.max(reached, run.last);
  }
  return count;
}

function publishingOf(db: ReadDb, now: Date): DashboardPublishing {
  const latest = db.get<{ serial: number; created_at: string; expires_at: string; prepared: string; approved: string | null; counts: string }>(
    sql`SELECT s.serial, s.created_at, s.expires_at, p.name AS prepared, a.name AS approved, s.counts
        FROM snapshots s JOIN investigators p ON p.id = s.prepared_by LEFT JOIN investigators a ON a.id = s.approved_by
        WHERE s.state = 'live' ORDER BY s.serial DESC LIMIT 1`,
  );
  // Listing events after the publish event (or since the beginning): a rowid range stopped at
  // the cap. The unary + keeps SQLite off events_by_subject, which would visit every listing event ever.
  const since = latest ? (db.get<{ id: number | null }>(snapshotEventSql(latest.serial))?.id ?? 0) : 0;
  const unpublished = unpublishedListings(db, since);
  const expires = latest ? Date.parse(latest.expires_at) : 0;
  return {
    latest: latest
      ? {
          serial: latest.serial,
          createdAt: latest.created_at,
          expiresAt: latest.expires_at,
          preparedBy: latest.prepared,
          approvedBy: latest.approved,
          listingsInForce: (JSON.parse(latest.counts) as { listingsInForce: Record<ListName, number> }).listingsInForce,
          isExpired: expires <= now.getTime(),
          isExpiringSoon: expires > now.getTime() && expires - now.getTime() <= EXPIRING_WITHIN_HOURS * 3_600_000,
        }
      : null,
    expiringWithinHours: EXPIRING_WITHIN_HOURS,
    unpublishedChanges: unpublished.total,
    unpublishedByList: unpublished.byList,
    isUnpublishedCapped: unpublished.isCapped,
    unpublishedSince: unpublished.since,
  };
}

function investigatorsOf(db: ReadDb, totals: Map<string, { 4: Totals; 6: Totals }>): DashboardInvestigator[] {
  const requests = openRequestsByInvestigator(db);
  const people = db.all<{ id: number; name: string; active: number }>(sql`SELECT id, name, active FROM investigators ORDER BY name COLLATE NOCASE`);
  const rows = people.map((person) => {
    const byList: Partial<Record<ListName, number>> = {};
    let assigned = 0;
    for (const list of LISTS) {
      const figures = totals.get(`investigator:${person.id}:${list}`);
      const count = figures ? figures[4].entries + figures[6].entries : 0;
      if (count > 0) byList[list] = count;
      assigned += count;
    }
    return { name: person.name, isActive: person.active === 1, assigned, byList, openRequests: requests.get(person.id) ?? 0 };
  });
  // Whoever holds listings or requests, and every active member; most loaded first.
  return rows.filter((row) => row.isActive || row.assigned > 0 || row.openRequests > 0).sort((a, b) => b.assigned - a.assigned || a.name.localeCompare(b.name));
}

function countriesOf(db: ReadDb, totals: Map<string, { 4: Totals; 6: Totals }>): DashboardCountry[] {
  const byCountry = new Map<string, { entries: number; isps: DashboardCountry['isps'][number][] }>();
  for (const isp of db.all<{ id: number; name: string; country: string | null }>(sql`SELECT id, name, country FROM isps`)) {
    const figures = totals.get(`isp:${isp.id}`);
    if (!figures || figures[4].entries + figures[6].entries === 0) continue;
    const country = isp.country === null ? '' : isp.country.trim().toUpperCase();
    let entry = byCountry.get(country);
    if (!entry) byCountry.set(country, (entry = { entries: 0, isps: [] }));
    const entries = figures[4].entries + figures[6].entries;
    entry.entries += entries;
    entry.isps.push({ name: isp.name, entries, ipv4Addresses: figures[4].units.toString(), ipv6Slash64s: figures[6].units.toString() });
  }
  // A country's addresses are the union of its ISPs' ranges (kept by the fold): a range two of them claim counts once.
  return [...byCountry]
    .map(([country, entry]) => {
      const union = totals.get(`country:${country}`) ?? { 4: { entries: 0, units: 0n }, 6: { entries: 0, units: 0n } };
      return {
        country: country === '' ? null : country,
        entries: entry.entries,
        ipv4Addresses: union[4].units.toString(),
        ipv6Slash64s: union[6].units.toString(),
        isps: entry.isps.sort((a, b) => b.entries - a.entries || a.name.localeCompare(b.name)),
      };
    })
    .sort((a, b) => (BigInt(b.ipv4Addresses) > BigInt(a.ipv4Addresses) ? 1 : BigInt(b.ipv4Addresses) < BigInt(a.ipv4Addresses) ? -1 : b.entries - a.entries));
}

/** The dashboard as of `now`, read in one snapshot. Call `foldDashboard` first so the figures are current. */
export function readDashboard(db: ReadDb, now: Date, period: DashboardPeriod): DashboardView {
  const isBehind = hasPendingChanges(db, now);
  const today = now.toISOString().slice(0, 10);
  return db.snapshot((snapshot) => {
    const totals = totalsByScope(snapshot);
    const earliest = addDays(today, -(Math.max(PERIOD_DAYS[period], 30) - 1));
    const daily = dailyRows(snapshot, earliest);
    return {
      generatedAt: now.toISOString(),
      today,
      isBehind,
      lists: listsOf(totals, daily, today, inForceWithExpiry(snapshot, now)),
      series: seriesOf(daily, today, period),
      publishing: publishingOf(snapshot, now),
      investigators: investigatorsOf(snapshot, totals),
      countries: countriesOf(snapshot, totals),
    };
  });
}

/** The daily rollup from a day on. */
export function dailyRowsSql(from: string): Sql {
  return sql`SELECT day, list, listed, delisted FROM dashboard_daily WHERE day >= ${from} ORDER BY day`;
}

/** Active listings whose expiry is still ahead at `at`, per list: a range of the partial expiry index, covering. */
export function inForceWithExpirySql(at: string): Sql {
  return sql`SELECT list, count(*) AS count FROM listings INDEXED BY listings_active_by_expiry WHERE expires_at > ${at} AND status = 'active' GROUP BY list`;
}

/** The history event of a snapshot (its publish). */
export function snapshotEventSql(serial: number): Sql {
  return sql`SELECT max(id) AS id FROM events WHERE subject_type = 'snapshot' AND subject_id = ${serial}`;
}

/** The listing events after event `since`, stopped one past the cap. */
export function unpublishedEventsSql(since: number): Sql {
  return sql`SELECT action, subject_id, subject_last, at FROM events WHERE id > ${since} AND +subject_type = 'listing' ORDER BY id LIMIT ${UNPUBLISHED_CAP + 1}`;
}
