/**
 * A file import written in short transactions and invisible until it commits, so a big import
 * never holds SQLite's one write lock for long (people's writes run between its steps) and
 * nobody sees half of it.
 *
 * Ids: the import reserves one block of ids up front, first..last (the table's highest + 1, and
 * as many as the file has distinct entries), and writes its last listing at `last` in the first
 * step, so every listing anyone else adds meanwhile gets an id after the block (each later step
 * takes it out and puts it back after its own rows, so that they are appended). The block is a
 * row of `listing_imports` while the import runs: every read leaves those ids out
 * (rule/unfinished.ts). Its other listings go in address order, the n-th at first + n (an entry
 * found already listed leaves its id unused). Committing is one short transaction: the block's
 * row deleted and one `listings.imported` event for the run first..last, as a one-transaction
 * import records it. A reserved block keeps that one event true; an event per step's run would
 * say the same in a hundred events.
 *
 * Someone listing the same range on the same list while the import runs: theirs wins. They saw
 * nothing listed and were told theirs was made; a step that comes to that range later finds it
 * and skips it, and at commit the import's own copy of a range listed meanwhile is removed
 * (both counted as already listed). Cancelled, failed or killed: the block's listings are
 * deleted, a step at a time, then its row (`removeImport`); a process that died leaves it to the
 * next RepDesk that opens the database (`removeAbandonedImports`, before anything else).
 */
import { addressKeyHex, ipv4KeyHex } from '../../../shared/address.js';
import type { ListName, Reason } from '../../../shared/domain.js';
import type { WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { openHistory } from '../audit/history.js';
import { createLogger } from '../log.js';
import { isOwnerGone, processOwner } from '../jobs/job-records.js';
import { committedSql } from '../rule/unfinished.js';
import { ListingBatch } from './batches.js';
import { listingWriter } from './changes.js';
import type { RangeColumns } from './range-columns.js';
import type { ProgressReporter } from '../jobs/progress.js';

const log = createLogger('import');

/** Listings written per step (one transaction): tens of milliseconds on this kind of machine. */
export const STEP_ROWS = 2048;
/** The page cache while the steps write (KiB): they go through the tables in address order. */
const WRITING_CACHE_KIB = 4096;
/** Entries looked up per statement in the check for ranges listed already. */
const CHECK_ROWS = 8192;
/** Listings deleted per step when an import is removed. */
const REMOVE_STEP_IDS = 16_384;

/** The entries to write, column-wise, and their order (distinct ranges, in address order). */
export interface StagedEntries {
  readonly ranges: RangeColumns;
  readonly prefixes: ArrayLike<number | null>;
  readonly texts: ArrayLike<string | null>;
  /** Positions into the columns, in the order written; no two name the same range. */
  readonly order: ArrayLike<number>;
}

export interface StagedImportOptions {
  readonly actor: { readonly id: number; readonly name: string };
  readonly list: ListName;
  readonly reason: Reason;
  readonly at: string;
  /** The event's details (the event adds count and the id run). */
  readonly details: Readonly<Record<string, unknown>>;
  /** The entry at `index` of the columns is listed already (as `existingId`): not written, or removed at commit. */
  readonly onAlreadyListed: (index: number, existingId: number) => void;
  /** Progress ('checking', then 'writing'); it may throw to cancel. */
  readonly onProgress: ProgressReporter;
  /** Before each step of writing: a server's job waits here while people's writes wait for the database. */
  readonly beforeStep: () => void | Promise<void>;
  /** After each step's transaction, committed or not. */
  readonly afterStep: () => void;
  /** Listings per step (tests make it small). */
  readonly stepRows?: number;
}

/** The block an import reserved. */
interface Reservation {
  readonly importId: number;
  readonly firstId: number;
  readonly lastId: number;
  /** The lowest id a listing made visible after the check for duplicates may have (a block unfinished then, or newer). */
  readonly watchFrom: number;
}

/**
 * Write the entries as one import; answers how many listings it made (0: every entry was
 * already listed, and nothing was recorded). Throws what stopped it, after removing what it wrote.
 */
export async function writeStagedImport(db: WriteDb, entries: StagedEntries, options: StagedImportOptions): Promise<number> {
  const stepRows = options.stepRows ?? STEP_ROWS;
  const { ranges, prefixes, texts, order } = entries;
  const batch = new ListingBatch(listingWriter(db, options.actor.name, options.at), { list: options.list, reason: options.reason, investigatorId: options.actor.id, submissionId: null }, true);

  // Ranges listed already are found first, without holding the write lock; one listed by someone
  // after this point is found at commit (from `watchFrom` on). What is left gets one run of ids.
  const seen = db.get<{ high: number | null; unfinished: number | null }>(
    sql`SELECT (SELECT max(id) FROM listings) AS high, (SELECT min(first_id) FROM listing_imports) AS unfinished`,
  );
  const watchFrom = Math.min((seen?.high ?? 0) + 1, seen?.unfinished ?? Number.MAX_SAFE_INTEGER);
  const kept = new Int32Array(order.length);
  let count = 0;
  if (seen?.high === null || seen?.high === undefined) {
    for (let position = 0; position < order.length; position += 1) kept[position] = order[position];
    count = order.length;
  } else {
    // A statement per chunk of entries, each entry one seek made by SQLite (not one call from here per entry).
    for (let start = 0; start < order.length; start += CHECK_ROWS) {
      options.onProgress({ stage: 'checking', done: start, total: order.length });
      const end = Math.min(order.length, start + CHECK_ROWS);
      const keys: string[] = [];
      for (let position = start; position < end; position += 1) keys.push(rangeKeysHex(ranges, order[position]));
      const listed = new Map<number, number>();
      for (const [position, id] of db.iterateRaw(alreadyListedSql(JSON.stringify(keys), options.list))) {
        if (!listed.has(position as number)) listed.set(position as number, id as number);
      }
      for (let position = start; position < end; position += 1) {
        const index = order[position];
        const duplicate = listed.get(position - start);
        if (duplicate !== undefined) options.onAlreadyListed(index, duplicate);
        else kept[count++] = index;
      }
    }
  }
  if (count === 0) return 0;
  const add = (position: number, id: number) => {
    const index = kept[position];
    const family = ranges.family(index);
    if (family === 4) {
      batch.addIpv4WithId(id, ranges.ipv4First(index), ranges.ipv4Last(index), prefixes[index], texts[index]);
    } else {
      batch.keysOf(family, ranges.first(index), ranges.last(index));
      batch.addWithId(id, family, prefixes[index], texts[index]);
    }
  };

  options.onProgress({ stage: 'writing', done: 0, total: count });
  /** One step: a transaction between `beforeStep` and `afterStep`. */
  const step = async <T>(work: () => T): Promise<T> => {
    await options.beforeStep();
    try {
      return db.transaction(work);
    } finally {
      options.afterStep();
    }
  };
  // The steps write in address order, each page once: a small page cache does, and the process stays small.
  return withPageCache(db, WRITING_CACHE_KIB, async () => {
    // The block, and its last listing at its last id: nobody else's listing can get an id inside it.
    const reservation = await step((): Reservation => {
      const firstId = (db.get<{ high: number | null }>(sql`SELECT max(id) AS high FROM listings`)?.high ?? 0) + 1;
      const lastId = firstId + count - 1;
      const importId = Number(
        db.run(
          sql`INSERT INTO listing_imports (first_id, last_id, actor, owner, owner_pid, started_at)
              VALUES (${firstId}, ${lastId}, ${options.actor.name}, ${processOwner()}, ${process.pid}, ${options.at})`,
        ).lastInsertRowid,
      );
      add(count - 1, lastId);
      batch.flush();
      return { importId, firstId, lastId, watchFrom };
    });
    try {
      for (let position = 0; position < count - 1; ) {
        options.onProgress({ stage: 'writing', done: position, total: count });
        const end = Math.min(count - 1, position + stepRows);
        await step(() => {
          // The block's last listing steps aside while a step writes below it, and comes back after:
          // each row is then appended to the table (and the range index), whose pages are left full.
          // Rows written in front of it split every page on the way: 10% more pages, and each scan
          // of the listings 10% slower. Within the step's transaction, nobody sees it gone.
          db.run(sql`DELETE FROM listings WHERE id = ${reservation.lastId}`);
          for (; position < end; position += 1) add(position, reservation.firstId + position);
          batch.flush();
          add(count - 1, reservation.lastId);
          batch.flush();
        });
      }
      options.onProgress({ stage: 'writing', done: count, total: count });
      return await step(() => commit(db, reservation, count, (id) => kept[id - reservation.firstId], options));
    } catch (error) {
      try {
        await removeImport(db, reservation.importId, options.beforeStep, options.afterStep);
      } catch (removal) {
        log.warn(`the unfinished import's listings (#${reservation.firstId}-#${reservation.lastId}) were not removed now (${removal instanceof Error ? removal.message : String(removal)}); they stay out of sight and go at the next start`);
      }
      throw error;
    }
  });
}

/** The family and both keys of the entry at `index`, in hex: `<family><first key><last key>`. */
function rangeKeysHex(ranges: RangeColumns, index: number): string {
  const family = ranges.family(index);
  if (family === 4) return `4${ipv4KeyHex(ranges.ipv4First(index))}${ipv4KeyHex(ranges.ipv4Last(index))}`;
  return `6${addressKeyHex(6, ranges.first(index))}${addressKeyHex(6, ranges.last(index))}`;
}

/**
 * SQL: the active listings on `list` with the range of each entry of a JSON array of
 * `rangeKeysHex` texts, as (position in the array, listing id). The array is the outer loop
 * (CROSS JOIN): each entry is one seek of the range index (family, first, last).
 */
export function alreadyListedSql(entries: string, list: ListName): Sql {
  return sql`SELECT q.key, l.id FROM json_each(${entries}) q CROSS JOIN listings l
    WHERE l.family = CAST(substr(q.value, 1, 1) AS INTEGER) AND l.first = unhex(substr(q.value, 2, 32)) AND l.last = unhex(substr(q.value, 34, 32))
      AND l.list = ${list} AND l.status = 'active' AND ${committedSql('l')}`;
}

/** Run `work` with this connection's page cache at `kib` KiB, then as it was. */
async function withPageCache<T>(db: WriteDb, kib: number, work: () => Promise<T>): Promise<T> {
  const before = db.get<{ cache_size: number }>({ text: 'PRAGMA cache_size', values: [] })?.cache_size;
  // Numbers only, never input: a negative size is in KiB.
  db.run({ text: `PRAGMA cache_size = -${Math.floor(kib)}`, values: [] });
  try {
    return await work();
  } finally {
    if (before !== undefined) db.run({ text: `PRAGMA cache_size = ${Math.floor(before)}`, values: [] });
  }
}

/** The commit step: ranges listed by others meanwhile win, one event records the run, and the block becomes visible. */
function commit(db: WriteDb, reservation: Reservation, written: number, entryOf: (id: number) => number, options: StagedImportOptions): number {
  const { firstId, lastId, watchFrom } = reservation;
  // Listings made visible since the check for duplicates: after the block, or (rarely) before it
  // in a block unfinished then. Two id ranges, each a seek on the table: never the block itself.
  const overlaps = new Map<number, number>();
  for (const [from, to] of [
    [watchFrom, firstId - 1],
    [lastId + 1, Number.MAX_SAFE_INTEGER],
  ]) {
    if (from > to) continue;
    for (const overlap of db.iterate<{ mine: number; theirs: number }>(
      sql`SELECT mine.id AS mine, theirs.id AS theirs FROM listings theirs
          JOIN listings mine ON mine.family = theirs.family AND mine.first = theirs.first AND mine.last = theirs.last
          WHERE theirs.id BETWEEN ${from} AND ${to} AND theirs.list = ${options.list} AND theirs.status = 'active' AND ${committedSql('theirs')}
            AND mine.id BETWEEN ${firstId} AND ${lastId} AND mine.list = ${options.list}`,
    )) {
      if (!overlaps.has(overlap.mine)) overlaps.set(overlap.mine, overlap.theirs);
    }
  }
  for (const [mine, theirs] of overlaps) {
    db.run(sql`DELETE FROM listings WHERE id = ${mine}`);
    options.onAlreadyListed(entryOf(mine), theirs);
  }
  const count = written - overlaps.size;
  if (count > 0) {
    openHistory(db, () => options.at).append({
      actor: options.actor.name,
      action: 'listings.imported',
      subjectType: 'listing',
      subjectId: firstId,
      subjectLastId: lastId,
      reason: null,
      details: { ...options.details, count, firstId, lastId },
    });
  }
  db.run(sql`DELETE FROM listing_imports WHERE id = ${reservation.importId}`);
  return count;
}

/** Delete a block's listings, a step (one transaction) at a time, then its row: each `next()` runs one step. */
function* removalSteps(db: WriteDb, block: { readonly id: number; readonly first: number; readonly last: number }): Generator<void> {
  for (let from = block.first; from <= block.last; from += REMOVE_STEP_IDS) {
    const to = Math.min(block.last, from + REMOVE_STEP_IDS - 1);
    db.transaction(() => db.run(sql`DELETE FROM listings WHERE id BETWEEN ${from} AND ${to}`));
    yield;
  }
  db.transaction(() => db.run(sql`DELETE FROM listing_imports WHERE id = ${block.id}`));
}

/** Delete an unfinished import's listings, a step at a time (each between `before` and `after`), then its block. */
export async function removeImport(db: WriteDb, importId: number, before: () => void | Promise<void> = () => undefined, after: () => void = () => undefined): Promise<void> {
  const block = db.get<{ id: number; first: number; last: number }>(sql`SELECT id, first_id AS first, last_id AS last FROM listing_imports WHERE id = ${importId}`);
  if (!block) return;
  const steps = removalSteps(db, block);
  for (let isDone = false; !isDone; ) {
    await before();
    try {
      isDone = steps.next().done === true;
    } finally {
      after();
    }
  }
}

/**
 * Remove the imports whose process stopped before they committed (killed, crashed): run when a
 * RepDesk that keeps up the database opens it, before anything else. Answers how many.
 */
export function removeAbandonedImports(db: WriteDb): number {
  const rows = db.all<{ id: number; owner: string; owner_pid: number; first: number; last: number }>(
    sql`SELECT id, owner, owner_pid, first_id AS first, last_id AS last FROM listing_imports`,
  );
  const abandoned = rows.filter((row) => isOwnerGone(row.owner, row.owner_pid));
  for (const block of abandoned) for (const _step of removalSteps(db, block));
  return abandoned.length;
}
