/**
 * The dashboard's materialised figures (tables of migration 0006), brought up to date by a
 * fold: listings new since the last fold, and the status changes the journal trigger recorded
 * for older ones, become +1/-1 deltas per scope, applied to the stored segments with the one
 * union arithmetic (coverage.ts), to the totals and to the daily rollup, in one transaction.
 *
 * Scopes: `list:<LIST>` and `isp:<id>` keep segments (addresses covered, overlaps once);
 * `investigator:<id>:<LIST>` keeps only the count of active listings assigned.
 */
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { createLogger } from '../log.js';
import { applyDeltas, IPV4_UNITS, IPV6_UNITS, type Delta, type Segment, type UnitArithmetic } from './coverage.js';

const log = createLogger('dashboard');

/** Above this many deltas for one scope, its segments are read and rewritten whole. */
const WHOLE_SCOPE_DELTAS = 512;
const SIGNED_OFFSET = 1n << 63n;

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
  readonly milliseconds: number;
}

interface Pending {
  readonly foldedMaxId: number;
  readonly maxId: number;
  readonly journalMaxId: number;
}

function pending(db: ReadDb): Pending {
  const row = db.get<{ folded: number; max: number | null; journal: number | null }>(
    sql`SELECT (SELECT folded_max_id FROM dashboard_state WHERE id = 1) AS folded, (SELECT max(id) FROM listings) AS max, (SELECT max(id) FROM dashboard_journal) AS journal`,
  );
  return { foldedMaxId: row?.folded ?? 0, maxId: row?.max ?? 0, journalMaxId: row?.journal ?? 0 };
}

/** Whether listings changed since the last fold (two index look-ups). */
export function hasPendingChanges(db: ReadDb): boolean {
  const state = pending(db);
  return state.maxId > state.foldedMaxId || state.journalMaxId > 0;
}

/** Bring the dashboard figures up to date with the listings table. Cheap when nothing changed. */
export function foldDashboard(db: WriteDb): FoldReport {
  if (!hasPendingChanges(db)) return { listings: 0, journal: 0, milliseconds: 0 };
  const started = performance.now();
  const counts = db.transaction(() => foldInTransaction(db));
  const report = { ...counts, milliseconds: performance.now() - started };
  if (report.milliseconds > 200) log.info(`dashboard figures folded: ${counts.listings} new listings, ${counts.journal} status changes in ${report.milliseconds.toFixed(0)} ms`);
  return report;
}

function foldInTransaction(db: WriteDb): { listings: number; journal: number } {
  const state = pending(db);
  const work = new Map<string, ScopeWork>();
  const daily = new Map<string, { day: string; list: string; listed: number; delisted: number }>();
  const countDay = (day: string, list: string, kind: 'listed' | 'delisted') => {
    const key = `${day}|${list}`;
    let entry = daily.get(key);
    if (!entry) daily.set(key, (entry = { day, list, listed: 0, delisted: 0 }));
    entry[kind] += 1;
  };
  const addDelta = (list: string, family: 4 | 6, firstHex: string, lastHex: string, investigator: number, isp: number | null, delta: number) => {
    const scopes: Array<[string, boolean]> = [
      [`list:${list}`, true],
      [`investigator:${investigator}:${list}`, false],
    ];
    if (isp !== null) scopes.push([`isp:${isp}`, true]);
    for (const [scope, hasSegments] of scopes) {
      const key = `${scope}|${family}`;
      let entry = work.get(key);
      if (!entry) work.set(key, (entry = { scope, family, hasSegments, entries: 0, deltas: [] }));
      entry.entries += delta;
      if (!hasSegments) continue;
      if (family === 4) (entry.deltas as Array<Delta<number>>).push({ first: parseInt(firstHex.slice(24), 16), last: parseInt(lastHex.slice(24), 16), delta });
      else (entry.deltas as Array<Delta<bigint>>).push({ first: BigInt(`0x${firstHex.slice(0, 16)}`), last: BigInt(`0x${lastHex.slice(0, 16)}`), delta });
    }
  };

  let listings = 0;
  if (state.maxId > state.foldedMaxId) {
    for (const [list, family, first, last, status, investigator, isp, createdDay, updatedDay] of db.iterateRaw(
      sql`SELECT l.list, l.family, hex(l.first), hex(l.last), l.status, l.investigator_id, s.isp_id, substr(l.created_at, 1, 10), substr(l.updated_at, 1, 10)
          FROM listings l LEFT JOIN dul_submissions s ON s.id = l.submission_id WHERE l.id > ${state.foldedMaxId} AND l.id <= ${state.maxId}`,
    )) {
      listings += 1;
      countDay(createdDay as string, list as string, 'listed');
      if (status === 'active') addDelta(list as string, family as 4 | 6, first as string, last as string, investigator as number, isp as number | null, 1);
      else countDay(updatedDay as string, list as string, 'delisted');
    }
  }
  let journal = 0;
  if (state.journalMaxId > 0) {
    for (const [delta, day, list, family, first, last, investigator, isp] of db.iterateRaw(
      sql`SELECT j.delta, substr(j.at, 1, 10), l.list, l.family, hex(l.first), hex(l.last), l.investigator_id, s.isp_id
          FROM dashboard_journal j JOIN listings l ON l.id = j.listing_id LEFT JOIN dul_submissions s ON s.id = l.submission_id
          WHERE j.id <= ${state.journalMaxId} AND j.listing_id <= ${state.foldedMaxId} ORDER BY j.id`,
    )) {
      journal += 1;
      countDay(day as string, list as string, (delta as number) > 0 ? 'listed' : 'delisted');
      addDelta(list as string, family as 4 | 6, first as string, last as string, investigator as number, isp as number | null, delta as number);
    }
    db.run(sql`DELETE FROM dashboard_journal WHERE id <= ${state.journalMaxId}`);
  }

  for (const entry of work.values()) {
    let unitsChange = 0n;
    if (entry.hasSegments && entry.deltas.length > 0) {
      unitsChange = entry.family === 4 ? applyScope(db, entry.scope, IPV4_UNITS, entry.deltas as Array<Delta<number>>) : applyScope(db, entry.scope, IPV6_UNITS, entry.deltas as Array<Delta<bigint>>);
    }
    const current = db.get<{ entries: number; units: string }>(sql`SELECT entries, units FROM dashboard_totals WHERE scope = ${entry.scope} AND family = ${entry.family}`);
    const entries = (current?.entries ?? 0) + entry.entries;
    const units = BigInt(current?.units ?? '0') + unitsChange;
    if (entries < 0 || units < 0n) throw new Error(`dashboard figures for ${entry.scope} (IPv${entry.family}) fell below zero`);
    db.run(sql`INSERT INTO dashboard_totals (scope, family, entries, units) VALUES (${entry.scope}, ${entry.family}, ${entries}, ${units.toString()})
      ON CONFLICT (scope, family) DO UPDATE SET entries = excluded.entries, units = excluded.units`);
  }
  const upsertDay = db.prepare(`INSERT INTO dashboard_daily (day, list, listed, delisted) VALUES (?, ?, ?, ?)
    ON CONFLICT (day, list) DO UPDATE SET listed = listed + excluded.listed, delisted = delisted + excluded.delisted`);
  for (const entry of daily.values()) upsertDay.run(entry.day, entry.list, entry.listed, entry.delisted);
  db.run(sql`UPDATE dashboard_state SET folded_max_id = ${state.maxId} WHERE id = 1`);
  return { listings, journal };
}

/** Stored segment keys: IPv4 as is; IPv6 /64 indexes shifted into signed 64-bit. */
function toStored<K extends number | bigint>(key: K): number | bigint {
  return typeof key === 'bigint' ? key - SIGNED_OFFSET : key;
}

function fromStored<K extends number | bigint>(units: UnitArithmetic<K>, value: number | bigint): K {
  return (units.family === 6 ? BigInt(value) + SIGNED_OFFSET : Number(value)) as K;
}

/** Apply one scope's deltas to its stored segments; returns the change in units covered. */
function applyScope<K extends number | bigint>(db: WriteDb, scope: string, units: UnitArithmetic<K>, deltas: Array<Delta<K>>): bigint {
  const family = units.family;
  const select = (text: string) => {
    const statement = db.prepare(text);
    // IPv6 keys use all 64 bits: read them as BigInt. Statements are cached per text, so each text keeps one mode.
    return family === 6 ? statement.safeIntegers(true) : statement;
  };
  const suffix = family === 6 ? ' /* v6 */' : '';
  const loaded = new Map<string, Segment<K>>();
  const take = (row: { first: number | bigint; last: number | bigint; depth: number | bigint }) => {
    const segment = { first: fromStored(units, row.first), last: fromStored(units, row.last), depth: Number(row.depth) };
    loaded.set(String(segment.first), segment);
  };
  if (deltas.length > WHOLE_SCOPE_DELTAS) {
    for (const row of select(`SELECT first, last, depth FROM dashboard_segments WHERE scope = ? AND family = ?${suffix}`).iterate(scope, family)) take(row as never);
    db.run(sql`DELETE FROM dashboard_segments WHERE scope = ${scope} AND family = ${family}`);
  } else {
    const predecessor = select(`SELECT first, last, depth FROM dashboard_segments WHERE scope = ? AND family = ? AND first <= ? ORDER BY first DESC LIMIT 1${suffix}`);
    const within = select(`SELECT first, last, depth FROM dashboard_segments WHERE scope = ? AND family = ? AND first > ? AND first <= ?${suffix}`);
    for (const delta of deltas) {
      // Stored segments are disjoint, so the one starting at or before the delta is the only earlier one that can reach into it.
      const before = predecessor.get(scope, family, toStored(delta.first)) as { first: number | bigint; last: number | bigint; depth: number } | undefined;
      if (before && fromStored(units, before.last) >= delta.first) take(before);
      for (const row of within.iterate(scope, family, toStored(delta.first), toStored(delta.last))) take(row as never);
    }
    const remove = db.prepare('DELETE FROM dashboard_segments WHERE scope = ? AND family = ? AND first = ?');
    for (const segment of loaded.values()) remove.run(scope, family, toStored(segment.first));
  }
  const result = applyDeltas(units, [...loaded.values()], deltas);
  const insert = db.prepare('INSERT INTO dashboard_segments (scope, family, first, last, depth) VALUES (?, ?, ?, ?, ?)');
  for (const segment of result.segments) insert.run(scope, family, toStored(segment.first), toStored(segment.last), segment.depth);
  return result.after - result.before;
}
