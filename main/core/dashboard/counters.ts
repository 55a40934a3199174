/**
 * The dashboard's materialised figures (tables of migration 0006), brought up to date by a
 * fold: listings new since the last fold, and the status changes the journal trigger recorded
 * for older ones, become +1/-1 deltas per scope, applied to the stored segments with the one
 * union arithmetic (coverage.ts), to the totals and to the daily rollup, in one transaction.
 *
 * Scopes: `list:<LIST>` and `isp:<id>` keep segments (addresses covered, overlaps once);
 * `investigator:<id>:<LIST>` keeps only the count of active listings assigned, and
 * `expiring:<LIST>` the count of active listings that carry an expiry (their expiry may change,
 * never whether they have one).
 */
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { createLogger } from '../log.js';
import { LISTS } from '../../../shared/domain.js';
import { applyDeltas, IPV4_UNITS, IPV6_UNITS, type Delta, type Segment, type UnitArithmetic } from './coverage.js';

const log = createLogger('dashboard');

/** Above this many deltas for one scope, its segments are read and rewritten whole. */
const WHOLE_SCOPE_DELTAS = 512;
/** Segments per stored chunk. */
const CHUNK_SEGMENTS = 512;
const SIGNED_OFFSET = 1n << 63n;

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

/** Whether listings changed since the last fold (three index look-ups). */
export function hasPendingChanges(db: ReadDb): boolean {
  const state = pending(db);
  return state.maxId > state.foldedMaxId || state.journalMaxId > 0;
}

/** New listings folded per step (one transaction each). */
const FOLD_CHUNK_IDS = 131_072;

/** Bring the dashboard figures up to date with the listings table. Cheap when nothing changed. */
export function foldDashboard(db: WriteDb, chunkIds = FOLD_CHUNK_IDS): FoldReport {
  if (!hasPendingChanges(db)) return { listings: 0, journal: 0, milliseconds: 0 };
  const started = performance.now();
  // New listings are folded a chunk of ids per transaction, so a million-row import is folded
  // in steps whose memory stays bounded (each step is consistent on its own: folded_max_id moves
  // with it, and a listing not yet folded is read later with its status then).
  const counts = { listings: 0, journal: 0 };
  do {
    const step = db.transaction(() => foldInTransaction(db, chunkIds));
    counts.listings += step.listings;
    counts.journal += step.journal;
  } while (hasPendingChanges(db));
  const report = { ...counts, milliseconds: performance.now() - started };
  if (report.milliseconds > 200) log.info(`dashboard figures folded: ${counts.listings} new listings, ${counts.journal} status changes in ${report.milliseconds.toFixed(0)} ms`);
  return report;
}

/** Collects deltas per scope without building a key string per listing. */
class PendingWork {
  private readonly lists = new Map<string, ScopeWork>();
  private readonly isps = new Map<number, ScopeWork>();
  /** investigator id * 16 + list index * 2 + (IPv6 ? 1 : 0) -> entries */
  private readonly investigators = new Map<number, number>();
  /** list index * 2 + (IPv6 ? 1 : 0) -> entries with an expiry */
  private readonly expiring = new Map<number, number>();

  private work(map: Map<string | number, ScopeWork>, key: string | number, scope: string, family: 4 | 6, hasSegments: boolean): ScopeWork {
    let entry = map.get(key);
    if (!entry) map.set(key, (entry = { scope, family, hasSegments, entries: 0, deltas: [] }));
    return entry;
  }

  add(list: string, family: 4 | 6, firstHex: string, lastHex: string, investigator: number, isp: number | undefined, hasExpiry: boolean, delta: number): void {
    const listWork = this.work(this.lists as Map<string | number, ScopeWork>, family === 4 ? list : `${list}6`, `list:${list}`, family, true);
    const ispWork = isp === undefined ? null : this.work(this.isps as Map<string | number, ScopeWork>, family === 4 ? isp : -isp, `isp:${isp}`, family, true);
    const investigatorKey = investigator * 16 + LISTS.indexOf(list as (typeof LISTS)[number]) * 2 + (family === 6 ? 1 : 0);
    this.investigators.set(investigatorKey, (this.investigators.get(investigatorKey) ?? 0) + delta);
    if (hasExpiry) {
      const expiringKey = investigatorKey % 16;
      this.expiring.set(expiringKey, (this.expiring.get(expiringKey) ?? 0) + delta);
    }
    let unit: Delta<number> | Delta<bigint>;
    if (family === 4) unit = { first: parseInt(firstHex.slice(24), 16), last: parseInt(lastHex.slice(24), 16), delta };
    else unit = { first: BigInt(`0x${firstHex.slice(0, 16)}`), last: BigInt(`0x${lastHex.slice(0, 16)}`), delta };
    for (const work of ispWork ? [listWork, ispWork] : [listWork]) {
      work.entries += delta;
      (work.deltas as Array<typeof unit>).push(unit);
    }
  }

  *all(): Iterable<ScopeWork> {
    yield* this.lists.values();
    yield* this.isps.values();
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

function foldInTransaction(db: WriteDb, chunkIds: number): { listings: number; journal: number } {
  const state = pending(db);
  const work = new PendingWork();
  const daily = new Map<string, { day: string; list: string; listed: number; delisted: number }>();
  const countDay = (day: string, list: string, kind: 'listed' | 'delisted') => {
    const key = `${day}|${list}`;
    let entry = daily.get(key);
    if (!entry) daily.set(key, (entry = { day, list, listed: 0, delisted: 0 }));
    entry[kind] += 1;
  };
  // Submissions are few: their ISPs are looked up here rather than joined into every row.
  const ispOf = new Map<number, number>(db.all<{ id: number; isp: number }>(sql`SELECT id, isp_id AS isp FROM dul_submissions`).map((row) => [row.id, row.isp]));

  let listings = 0;
  // The id that ends this step's chunk (ids may be sparse: counted, not added).
  const chunkEnd = db.get<{ id: number }>(sql`SELECT id FROM listings WHERE id > ${state.foldedMaxId} ORDER BY id LIMIT 1 OFFSET ${chunkIds - 1}`)?.id;
  const upTo = Math.min(state.maxId, chunkEnd ?? state.maxId);
  if (upTo > state.foldedMaxId) {
    for (const [list, family, first, last, status, investigator, submission, createdDay, updatedDay, hasExpiry] of db.iterateRaw(
      sql`SELECT list, family, hex(first), hex(last), status, investigator_id, submission_id, substr(created_at, 1, 10), substr(updated_at, 1, 10), expires_at IS NOT NULL
          FROM listings WHERE id > ${state.foldedMaxId} AND id <= ${upTo}`,
    )) {
      listings += 1;
      countDay(createdDay as string, list as string, 'listed');
      const isp = submission === null ? undefined : ispOf.get(submission as number);
      if (status === 'active') work.add(list as string, family as 4 | 6, first as string, last as string, investigator as number, isp, hasExpiry === 1, 1);
      else countDay(updatedDay as string, list as string, 'delisted');
    }
  }
  let journal = 0;
  if (state.journalMaxId > 0) {
    for (const [delta, day, list, family, first, last, investigator, submission, hasExpiry] of db.iterateRaw(
      sql`SELECT j.delta, substr(j.at, 1, 10), l.list, l.family, hex(l.first), hex(l.last), l.investigator_id, l.submission_id, l.expires_at IS NOT NULL
          FROM dashboard_journal j JOIN listings l ON l.id = j.listing_id
          WHERE j.id <= ${state.journalMaxId} AND j.listing_id <= ${state.foldedMaxId} ORDER BY j.id`,
    )) {
      journal += 1;
      countDay(day as string, list as string, (delta as number) > 0 ? 'listed' : 'delisted');
      const isp = submission === null ? undefined : ispOf.get(submission as number);
      work.add(list as string, family as 4 | 6, first as string, last as string, investigator as number, isp, hasExpiry === 1, delta as number);
    }
    db.run(sql`DELETE FROM dashboard_journal WHERE id <= ${state.journalMaxId}`);
  }

  for (const entry of work.all()) {
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
  db.run(sql`UPDATE dashboard_state SET folded_max_id = ${upTo} WHERE id = 1`);
  return { listings, journal };
}

/** Stored chunk keys: IPv4 as is; IPv6 /64 indexes shifted into signed 64-bit. */
function toStored(key: number | bigint): number | bigint {
  return typeof key === 'bigint' ? key - SIGNED_OFFSET : key;
}

function fromStored<K extends number | bigint>(units: UnitArithmetic<K>, value: number | bigint): K {
  return (units.family === 6 ? BigInt(value) + SIGNED_OFFSET : Number(value)) as K;
}

/** A chunk's segments as (first, last, depth) little-endian unsigned triples: 32-bit for IPv4, 64-bit for IPv6. */
function encodeChunk<K extends number | bigint>(units: UnitArithmetic<K>, segments: readonly Segment<K>[], from: number, to: number): Buffer {
  if (units.family === 4) {
    const buffer = Buffer.allocUnsafe((to - from) * 12);
    for (let index = from, offset = 0; index < to; index += 1, offset += 12) {
      const segment = segments[index] as Segment<number>;
      buffer.writeUInt32LE(segment.first, offset);
      buffer.writeUInt32LE(segment.last, offset + 4);
      buffer.writeUInt32LE(segment.depth, offset + 8);
    }
    return buffer;
  }
  const buffer = Buffer.allocUnsafe((to - from) * 24);
  for (let index = from, offset = 0; index < to; index += 1, offset += 24) {
    const segment = segments[index] as Segment<bigint>;
    buffer.writeBigUInt64LE(segment.first, offset);
    buffer.writeBigUInt64LE(segment.last, offset + 8);
    buffer.writeBigUInt64LE(BigInt(segment.depth), offset + 16);
  }
  return buffer;
}

function decodeChunk<K extends number | bigint>(units: UnitArithmetic<K>, blob: Buffer, into: Array<Segment<K>>): void {
  if (units.family === 4) {
    for (let offset = 0; offset < blob.length; offset += 12) {
      into.push({ first: blob.readUInt32LE(offset) as K, last: blob.readUInt32LE(offset + 4) as K, depth: blob.readUInt32LE(offset + 8) });
    }
    return;
  }
  for (let offset = 0; offset < blob.length; offset += 24) {
    into.push({ first: blob.readBigUInt64LE(offset) as K, last: blob.readBigUInt64LE(offset + 8) as K, depth: Number(blob.readBigUInt64LE(offset + 16)) });
  }
}

interface StoredChunk {
  first: number | bigint;
  last: number | bigint;
  segments: Buffer;
}

/** Apply one scope's deltas to its stored segments; returns the change in units covered. */
function applyScope<K extends number | bigint>(db: WriteDb, scope: string, units: UnitArithmetic<K>, deltas: Array<Delta<K>>): bigint {
  const family = units.family;
  const select = (text: string) => {
    const statement = db.prepare(text);
    // IPv6 chunk keys use all 64 bits: read them as BigInt. Statements are cached per text, so each text keeps one mode.
    return family === 6 ? statement.safeIntegers(true) : statement;
  };
  const suffix = family === 6 ? ' /* v6 */' : '';
  const chunks = new Map<string, StoredChunk>();
  if (deltas.length > WHOLE_SCOPE_DELTAS) {
    for (const row of select(`SELECT first, last, segments FROM dashboard_segments WHERE scope = ? AND family = ?${suffix}`).iterate(scope, family)) {
      chunks.set(String((row as StoredChunk).first), row as StoredChunk);
    }
    db.run(sql`DELETE FROM dashboard_segments WHERE scope = ${scope} AND family = ${family}`);
  } else {
    const predecessor = select(`SELECT first, last, segments FROM dashboard_segments WHERE scope = ? AND family = ? AND first <= ? ORDER BY first DESC LIMIT 1${suffix}`);
    const within = select(`SELECT first, last, segments FROM dashboard_segments WHERE scope = ? AND family = ? AND first > ? AND first <= ?${suffix}`);
    for (const delta of deltas) {
      // Chunks cover disjoint runs, so the one starting at or before the delta is the only earlier one that can reach into it.
      const before = predecessor.get(scope, family, toStored(delta.first)) as StoredChunk | undefined;
      if (before && fromStored(units, before.last) >= delta.first) chunks.set(String(before.first), before);
      for (const row of within.iterate(scope, family, toStored(delta.first), toStored(delta.last))) chunks.set(String((row as StoredChunk).first), row as StoredChunk);
    }
    const remove = db.prepare('DELETE FROM dashboard_segments WHERE scope = ? AND family = ? AND first = ?');
    for (const chunk of chunks.values()) remove.run(scope, family, chunk.first);
  }
  const loaded: Array<Segment<K>> = [];
  const ordered = [...chunks.values()].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (const chunk of ordered) decodeChunk(units, chunk.segments, loaded);
  const result = applyDeltas(units, loaded, deltas);
  const insert = db.prepare('INSERT INTO dashboard_segments (scope, family, first, last, segments) VALUES (?, ?, ?, ?, ?)');
  for (let from = 0; from < result.segments.length; from += CHUNK_SEGMENTS) {
    const to = Math.min(result.segments.length, from + CHUNK_SEGMENTS);
    insert.run(scope, family, toStored(result.segments[from].first), toStored(result.segments[to - 1].last), encodeChunk(units, result.segments, from, to));
  }
  return result.after - result.before;
}
