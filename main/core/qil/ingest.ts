/**
 * Trap-hit ingestion: a CSV log (timestamp, source IP, count, optional trap id) becomes
 * observations, each source's score is brought up to date, and its QIL listings (one per level
 * it reached) are created or extended, all in one transaction. All or nothing: a bad line is
 * reported with its number and nothing is written. Idempotent: an observation is keyed by
 * (source, time, trap, count), so a file ingested twice changes nothing the second time.
 */
import { QIL_LEVELS } from '../../../shared/domain.js';
import { basename } from 'node:path';
import { formatAddress, parseAddress, writeAddressKey, writeIpv4Key, type Family } from '../../../shared/address.js';
import type { QilIngestSummary } from '../../../shared/qil.js';
import { specialRangeOverlapping } from '../../../shared/special-ranges.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { committedSql } from '../rule/unfinished.js';
import { DEFERRABLE_LISTING_INDEXES, withDeferredIndexes } from '../db/bulk-indexes.js';
import { invalidInput } from '../errors.js';
import { ListingBatch } from '../listings/batches.js';
import { extend, listingWriter } from '../listings/changes.js';
import type { ListingRow } from '../rule/listing-row.js';
import { requireActor } from '../investigators/investigators.js';
import { readRecordBatches } from '../io/records.js';
import { quoteCell } from '../../../shared/files.js';
import type { InputFile } from '../io/files.js';
import { RangeIndex } from '../lookup/range-index.js';
import { applyHit, lastExpiry, listingAt, senderRating, type SourceState } from './policy.js';
import type { ProgressReporter } from '../jobs/progress.js';

/** A source's scoring state by its 16-byte address key (once per source in an ingest). */
export const SOURCE_STATE_SQL = 'SELECT * FROM qil_sources WHERE source = ?';
/** A source's trap hits in time order (replayed on a re-ingest, drawn as the score chart), without a sort. */
export const SOURCE_HITS_SQL = 'SELECT at, count FROM qil_observations WHERE source = ? ORDER BY at, trap, count';

const MAX_REPORTED_PROBLEMS = 50;
const MAX_REPORTED_NOTES = 20;
const PROGRESS_EVERY = 65_536;
/** Trap clocks drift; a hit further ahead of this machine's clock than this is refused. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const MAX_COUNT = 1_000_000;
const TRAP_PATTERN = /^[A-Za-z0-9._:@/+-]{1,100}$/;
const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const UNIX_PATTERN = /^\d{9,11}$/;

/** One source's hits from the file, in file order. */
interface FileSource {
  readonly family: Family;
  readonly value: bigint;
  readonly ats: number[];
  readonly counts: number[];
  readonly traps: string[];
}

/** A timestamp as Unix milliseconds: ISO 8601 with a zone (Z or an offset), or Unix seconds. */
export function parseTrapTime(text: string): number | null {
  if (UNIX_PATTERN.test(text)) return Number(text) * 1000;
  if (!ISO_PATTERN.test(text)) return null;
  const time = Date.parse(text.replace(' ', 'T'));
  return Number.isNaN(time) ? null : time;
}

/** In-force GAL and MML entries, for the sender rating. */
function membershipIndex(db: ReadDb): { index: RangeIndex; lists: Map<number, 'GAL' | 'MML'> } {
  const index = new RangeIndex();
  const lists = new Map<number, 'GAL' | 'MML'>();
  const loader = index.startLoad();
  for (const [id, list, family, first, last] of db.iterateRaw(
    sql`SELECT id, list, family, hex(first), hex(last) FROM listings l WHERE list IN ('GAL', 'MML') AND status = 'active' AND ${committedSql('l')} ORDER BY family, first`,
  )) {
    const mask = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    loader.push(family as Family, BigInt(`0x${first as string}`) & mask, BigInt(`0x${last as string}`) & mask, id as number);
    lists.set(id as number, list as 'GAL' | 'MML');
  }
  loader.finish();
  return { index, lists };
}

interface StoredSource {
  score: number;
  score_at: number;
  first_seen: number;
  last_hit: number;
  hits: number;
  expires1: number;
  expires2: number;
  expires3: number;
  expires4: number;
  listing1: number | null;
  listing2: number | null;
  listing3: number | null;
  listing4: number | null;
}

function stateOf(row: StoredSource): SourceState {
  return {
    score: row.score,
    scoreAt: row.score_at,
    firstSeen: row.first_seen,
    lastHit: row.last_hit,
    hits: row.hits,
    expiries: [row.expires1, row.expires2, row.expires3, row.expires4],
  };
}

/**
 * Ingest a trap-hit log. Runs as `actorName`, who needs the investigator role. New listings
 * get one batch history event; every extended listing gets its own.
 */
export async function ingestTrapHits(
  db: WriteDb,
  actorName: string | null,
  input: { file: InputFile },
  settings: Settings,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
): Promise<QilIngestSummary> {
  requireActor(db, actorName, 'investigator');
  const policy = settings.qil;
  const nowMs = now.getTime();
  const sources = new Map<number | string, FileSource>();
  const sourcesByText = new Map<string, FileSource>();
  const problems: string[] = [];
  let problemCount = 0;
  const notes: string[] = [];
  let noteCount = 0;
  let lines = 0;
  const report = (line: number, message: string) => {
    problemCount += 1;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(`line ${line}: ${message}`);
  };
  const note = (message: string) => {
    noteCount += 1;
    if (notes.length < MAX_REPORTED_NOTES) notes.push(message);
  };

  onProgress({ stage: 'reading', done: 0, total: 0 });
  for await (const batch of readRecordBatches(input.file, { maxBytes: settings.import.maxFileBytes, format: 'csv' })) {
    for (const record of batch) {
      if (record.line % PROGRESS_EVERY === 0) onProgress({ stage: 'reading', done: record.line, total: 0 });
      const [timeText, sourceText, countText, trapText = ''] = record.fields;
      if (record.line === 1 && timeText.toLowerCase() === 'timestamp') continue;
      if (record.fields.length < 3 || record.fields.length > 4) {
        report(record.line, `expected "timestamp,source,count[,trap]", found ${record.fields.length} field${record.fields.length === 1 ? '' : 's'}`);
        continue;
      }
      const at = parseTrapTime(timeText);
      if (at === null) {
        report(record.line, `${quoteCell(timeText)} is not a timestamp (ISO 8601 with Z or an offset, e.g. 2026-11-28T17:00:00Z, or Unix seconds)`);
        continue;
      }
      if (at > nowMs + FUTURE_TOLERANCE_MS) {
        report(record.line, `${timeText} is in the future`);
        continue;
      }
      if (!/^\d{1,7}$/.test(countText) || Number(countText) < 1 || Number(countText) > MAX_COUNT) {
        report(record.line, `count ${quoteCell(countText)} must be a whole number from 1 to ${MAX_COUNT}`);
        continue;
      }
      if (trapText !== '' && !TRAP_PATTERN.test(trapText)) {
        report(record.line, `trap id ${quoteCell(trapText)} has characters other than letters, digits and . _ : @ / + -, or is over 100 long`);
        continue;
      }
      // Each source recurs in a log (ten hits each in the benchmark): its text is parsed once.
      let source = sourcesByText.get(sourceText);
      if (!source) {
        const parsed = parseAddress(sourceText);
        if (!parsed.ok) {
          report(record.line, parsed.error);
          continue;
        }
        const { family, value } = parsed.value;
        const key = family === 4 ? Number(value) : value.toString(16);
        source = sources.get(key);
        if (!source) {
          const special = specialRangeOverlapping({ family, first: value, last: value });
          if (special) {
            note(`line ${record.line}: ${formatAddress(family, value)} is in ${special.text} (${special.name}); its hits are not scored`);
            continue;
          }
          source = { family, value, ats: [], counts: [], traps: [] };
          sources.set(key, source);
        }
        sourcesByText.set(sourceText, source);
      }
      source.ats.push(at);
      source.counts.push(Number(countText));
      source.traps.push(trapText);
      lines += 1;
    }
  }
  if (problemCount > 0) {
    const more = problemCount > problems.length ? ` (showing the first ${problems.length})` : '';
    throw invalidInput(`${basename(input.file.name)}: ${problemCount} bad line${problemCount === 1 ? '' : 's'}${more}; nothing was ingested`, problems);
  }
  if (lines === 0 && sources.size === 0 && noteCount === 0) throw invalidInput(`${basename(input.file.name)} has no trap hits; nothing was ingested`);

  const ordered = [...sources.values()].sort((a, b) => a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const { index: members, lists: memberLists } = membershipIndex(db);
  const at = now.toISOString();
  // Up to four listings per source (one per level reached): the deferred indexes are rebuilt after.
  const summary = db.transaction(() =>
    withDeferredIndexes(db, DEFERRABLE_LISTING_INDEXES, ordered.length, () => {
    const actor = requireActor(db, actorName, 'investigator');
    const insertObservation = db.prepare('INSERT OR IGNORE INTO qil_observations (source, at, trap, count, ingested_at) VALUES (?, ?, ?, ?, ?)');
    const readSource = db.prepare(SOURCE_STATE_SQL);
    const readObservations = db.prepare(SOURCE_HITS_SQL);
    const writeSource = db.prepare(
      `INSERT OR REPLACE INTO qil_sources (source, family, score, score_at, first_seen, last_hit, hits, expires1, expires2, expires3, expires4, listing1, listing2, listing3, listing4)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const readListingStatus = db.prepare('SELECT status, expires_at FROM listings WHERE id = ?');
    const writer = listingWriter(db, actor.name, at);
    const { history } = writer;
    // New listings go in by the batch: their ids are known as they are added, but their rows are
    // in only after the batch's next INSERT. The sources' rows, which name them, are written once
    // the batch is finished: a row naming a listing not inserted yet would need deferred foreign
    // keys, and SQLite then looks for qil_sources rows (four unindexed columns) at every listing
    // inserted: quadratic (20,000 trap hits took 37 s instead of 1 s).
    const sourceRows: unknown[][] = [];
    const batch = new ListingBatch(writer, { list: 'QIL', reason: 'spam-source', investigatorId: actor.id, submissionId: null });
    let observations = 0;
    let repeated = 0;
    let extended = 0;
    let position = 0;
    const key = Buffer.alloc(16);
    for (const source of ordered) {
      position += 1;
      if (position % 4096 === 0) onProgress({ stage: 'scoring', done: position, total: ordered.length });
      if (source.family === 4) writeIpv4Key(Number(source.value), key, 0);
      else writeAddressKey(source.family, source.value, key, 0);
      const fresh: number[] = [];
      // In key order, so the observations' B-tree grows at one place.
      const order = source.ats.map((_, hit) => hit).sort((a, b) => source.ats[a] - source.ats[b] || (source.traps[a] < source.traps[b] ? -1 : source.traps[a] > source.traps[b] ? 1 : source.counts[a] - source.counts[b]));
      for (const hit of order) {
        if (insertObservation.run(key, source.ats[hit], source.traps[hit], source.counts[hit], nowMs).changes === 1) fresh.push(hit);
        else repeated += 1;
      }
      if (fresh.length === 0) continue;
      observations += fresh.length;
      const stored = readSource.get(key) as StoredSource | undefined;
      const before = stored ? stateOf(stored) : null;
      const memberIds = members.search(source.family, source.value);
      const membership = memberIds.length === 0 ? null : memberIds.some((id) => memberLists.get(id) === 'GAL') ? 'GAL' : 'MML';
      let state: SourceState | null = before;
      const earliest = Math.min(...fresh.map((hit) => source.ats[hit]));
      if (before !== null && earliest < before.lastHit) {
        // An older hit arrived late: replay the source's whole history in time order.
        state = null;
        for (const row of readObservations.all(key) as Array<{ at: number; count: number }>) {
          state = applyHit(state, { at: row.at, count: row.count }, senderRating(state, row.at, membership, policy), policy);
        }
      } else {
        for (const hit of fresh) {
          const time = source.ats[hit];
          state = applyHit(state, { at: time, count: source.counts[hit] }, senderRating(state, time, membership, policy), policy);
        }
      }
      if (state === null) continue;
      const listingIds: Array<number | null> = [stored?.listing1 ?? null, stored?.listing2 ?? null, stored?.listing3 ?? null, stored?.listing4 ?? null];
      const prefix = source.family === 4 ? 32 : 128;
      for (const level of QIL_LEVELS) {
        const expiry = state.expiries[level - 1];
        const previousExpiry = before?.expiries[level - 1] ?? 0;
        if (expiry === previousExpiry || expiry <= nowMs) continue;
        const expiresAt = new Date(expiry).toISOString();
        const listingId = listingIds[level - 1];
        const listing = listingId === null ? undefined : (readListingStatus.get(listingId) as { status: string; expires_at: string } | undefined);
        if (listingId !== null && listing !== undefined && listing.status !== 'delisted') {
          const problem = extend(
            writer,
            { id: listingId, list: 'QIL', status: listing.status as ListingRow['status'], expires_at: listing.expires_at },
            expiresAt,
            { why: null, details: { level, relisted: listing.status !== 'active' || Date.parse(listing.expires_at) <= nowMs, score: Math.round(state.score * 100) / 100 } },
            { action: 'qil.extended', isReinstating: true, mayMoveEarlier: true },
          );
          if (problem !== null) throw new Error(`QIL listing #${listingId} could not be extended: ${problem}`);
          extended += 1;
        } else {
          batch.keysOf(source.family, source.value, source.value);
          listingIds[level - 1] = batch.add(source.family, prefix, null, level, expiresAt);
        }
      }
      sourceRows.push([Buffer.from(key), source.family, state.score, state.scoreAt, state.firstSeen, state.lastHit, state.hits, ...state.expiries, ...listingIds]);
    }
    const source = basename(input.file.name);
    // One event for every listing this ingest created (one contiguous run of ids), and each record's history shows it.
    const created = batch.finish('qil.listed', { why: null, details: { source } }).count;
    for (const row of sourceRows) writeSource.run(row);
    if (observations > 0) {
      history.append({
        actor: actor.name,
        action: 'qil.ingested',
        subjectType: 'qil',
        subjectId: null,
        details: { source, observations, repeated, created, extended },
      });
    }
    return { observations, repeated, created, extended };
  }),
  );
  return { ...summary, sources: sources.size, notes, notesOmitted: noteCount - notes.length };
}

/** A source's current scoring state and listings, or null when it has no trap hits. */
export function readSourceState(db: ReadDb, family: Family, value: bigint): { state: SourceState; listingIds: Array<number | null> } | null {
  const key = Buffer.alloc(16);
  writeAddressKey(family, value, key, 0);
  const row = db.get<StoredSource>({ text: SOURCE_STATE_SQL, values: [key] });
  if (!row) return null;
  return { state: stateOf(row), listingIds: [row.listing1, row.listing2, row.listing3, row.listing4] };
}

/** L and its expiry now, for a summary line. */
export function currentListing(state: SourceState, time: number): { level: number | null; expiresAt: string | null; lapsesAt: string | null } {
  const listing = listingAt(state, time);
  const last = lastExpiry(state);
  return {
    level: listing?.level ?? null,
    expiresAt: listing ? new Date(listing.expiresAt).toISOString() : null,
    lapsesAt: last > time ? new Date(last).toISOString() : null,
  };
}
