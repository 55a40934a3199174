/**
 * Keeps the in-memory range index in step with the listings table: built from the table at
 * start, topped up with new listings after this process writes, and after another process
 * (a CLI import while the app runs) commits, which SQLite's data_version reveals.
 *
 * A server's index (`databasePath` given) is never built on its event loop: a worker thread reads
 * the table and builds the arrays, and hands them over (transferred, not copied) to replace the
 * index in one step; lookups meanwhile answer from the index as it was, and find the listings it
 * does not hold yet (a million-row import a job committed) by span probes in SQLite until the
 * rebuild is in, a few seconds later.
 *
 * A process that asks a few questions and exits (the command line: `source: 'database'`) builds
 * nothing: each question is a few bounded index probes in SQLite (span-lookup.ts), which answer
 * the same ids as the in-memory index. Only when it asks so many that the probes would cost more
 * than loading the table (a bulk lookup of thousands of addresses on a million listings) does it
 * build the in-memory index once and answer the rest from there; and then of the ranges only:
 * single addresses (span 0, most listings of a real feed, found only by an equal address) stay
 * in SQLite, a bulk lookup's singles found in one statement, one seek an address
 * (`findMany`): for 100,000 addresses that is cheaper than loading a million singles.
 */
import { Worker } from 'node:worker_threads';
import type { Family } from '../../../shared/address.js';
import type { ReadDb } from '../db/connection.js';
import { joinSql, sql, type Sql } from '../db/sql.js';
import { committedSql, unfinishedBlocks, type UnfinishedBlock } from '../rule/unfinished.js';
import { createLogger } from '../log.js';
import { RangeIndex, type RangeIndexState } from './range-index.js';
import { SpanLookup } from './span-lookup.js';
import { readAllRanges } from './range-reader.js';
import { coreFileUrl } from '../core-files.js';

const log = createLogger('index');
const INCREMENTAL_LIMIT = 4096;
/**
 * A database-backed index builds the in-memory one once its probes (one index seek per span
 * present, a question) reach the listings it would load divided by this: a seek from JavaScript
 * costs about as much as loading 16 rows (measured on a million listings), so a process never
 * spends much more than twice the cheaper way.
 */
const ROWS_PER_SEEK = 16;
const MIN_SEEKS_BEFORE_LOADING = 4096;
/**
 * How often a lookup asks SQLite whether another process committed: asking costs a read
 * transaction (~2 µs, as much as the search itself), and a CLI import finishing 100 ms before a
 * lookup in the app is not a case anyone can tell apart. This process's own writes refresh at once.
 */
export const FRESHNESS_MS = 100;

/** What a worker thread built: the index's arrays, the newest listing id they hold and the blocks of unfinished imports left out. */
export interface BuiltIndex {
  readonly state: RangeIndexState;
  readonly maxId: number;
  readonly skipped: UnfinishedBlock[];
  readonly milliseconds: number;
}

export interface ListingIndexOptions {
  /**
   * Where answers come from: `memory` (the default: an index built from the table on first use,
   * for a process that lives and asks many questions) or `database` (index probes per question,
   * nothing loaded: a process that asks a few and exits).
   */
  readonly source?: 'memory' | 'database';
  /** Build and rebuild in a worker thread reading this database file (a server: its event loop never runs a build). */
  readonly databasePath?: string;
}

export class ListingIndex {
  private readonly ranges = new RangeIndex();
  private maxId = 0;
  /** Blocks of ids up to maxId left out because their import had not committed (rule/unfinished.ts): read once it has. */
  private skipped: UnfinishedBlock[] = [];
  private dataVersion = -1;
  private isBuilt = false;
  private checkedAt = 0;
  private rebuilding: { readonly worker: Worker; readonly done: Promise<void> } | null = null;
  private rebuildAgain = false;
  private isClosed = false;
  private probes: SpanLookup | null;
  /**
   * While a rebuild runs for listings another connection committed (a job's import), the ids the
   * in-memory index does not hold yet (a condition on `l.id`): lookups find those by span probes
   * in SQLite meanwhile, so nothing committed is missed for the seconds a rebuild takes.
   */
  private unindexed: { readonly ids: Sql; readonly probes: SpanLookup } | null = null;
  private seeks = 0;
  private seekBudget: number | null = null;
  /** Set once a database-backed index has stopped probing: the in-memory index holds the ranges, and singles are found in SQLite by this. */
  private singles: SpanLookup | null = null;

  /** The index is built on first use: commands that never look anything up never pay for it. */
  constructor(
    private readonly db: ReadDb,
    private readonly options: ListingIndexOptions = {},
  ) {
    this.probes = options.source === 'database' ? new SpanLookup(db) : null;
  }

  get size(): number {
    this.ensureBuilt();
    return this.ranges.size;
  }

  get levels(): { v4: number; v6: number } {
    this.ensureBuilt();
    return this.ranges.levels;
  }

  private ensureBuilt(): void {
    if (!this.isBuilt) this.reload();
  }

  /** Rebuild from the table. */
  reload(): void {
    this.isBuilt = true;
    const started = performance.now();
    this.dataVersion = this.db.dataVersion();
    const { v4, v6, maxId, skipped } = readAllRanges(this.db, { isRangesOnly: this.singles !== null });
    const loader = this.ranges.startLoad(v4.ids.length);
    for (let position = 0; position < v4.ids.length; position += 1) loader.push(4, v4.firsts[position], v4.lasts[position], v4.ids[position]);
    for (let position = 0; position < v6.ids.length; position += 1) loader.push(6, v6.firsts[position], v6.lasts[position], v6.ids[position]);
    loader.finish();
    this.maxId = maxId;
    this.skipped = skipped;
    log.info(`index built: ${this.ranges.size} ${this.singles ? 'ranges (single addresses are found in SQLite)' : 'ranges'} in ${(performance.now() - started).toFixed(0)} ms`);
  }

  /** The newest listing id the index holds. */
  get builtMaxId(): number {
    return this.maxId;
  }

  /** The unfinished imports' blocks the index left out. */
  get builtSkipped(): UnfinishedBlock[] {
    return this.skipped;
  }

  /**
   * Build the index now: off the event loop when it has a database file to give a worker (then
   * resolved once the worker's index is in), else here.
   */
  async load(): Promise<void> {
    if (this.options.databasePath === undefined) {
      this.reload();
      return;
    }
    await this.rebuildOffThread();
  }

  /** Rebuild in a worker thread and take its arrays; one at a time, once more if asked meanwhile. */
  private rebuildOffThread(): Promise<void> {
    if (this.rebuilding) {
      this.rebuildAgain = true;
      return this.rebuilding.done;
    }
    // Commits after this point are taken in by the refresh that follows the rebuild.
    const version = this.db.dataVersion();
    const worker = new Worker(coreFileUrl('./lookup/index-worker.js'), { workerData: { databasePath: this.options.databasePath } });
    const done = new Promise<void>((resolve) => {
      worker.once('message', (built: BuiltIndex) => {
        if (this.isClosed) return;
        this.ranges.restore(built.state);
        this.unindexed = null;
        this.maxId = built.maxId;
        this.skipped = built.skipped;
        this.dataVersion = version;
        this.isBuilt = true;
        log.info(`index built off the event loop: ${this.ranges.size} ranges in ${built.milliseconds.toFixed(0)} ms`);
      });
      worker.once('error', (error) => log.error(`the index could not be rebuilt: ${error.message}`));
      worker.once('exit', () => {
        this.rebuilding = null;
        if (this.isClosed) {
          resolve();
          return;
        }
        if (this.rebuildAgain) {
          this.rebuildAgain = false;
          void this.rebuildOffThread().then(resolve);
          return;
        }
        this.refresh();
        resolve();
      });
    });
    this.rebuilding = { worker, done };
    return done;
  }

  /** Stop a rebuild under way (the core is closing). */
  close(): void {
    this.isClosed = true;
    void this.rebuilding?.worker.terminate();
  }

  /** Take in listings committed since the last look (by anyone). */
  refresh(): void {
    this.probes?.forget();
    if (!this.isBuilt || this.rebuilding) return;
    this.dataVersion = this.db.dataVersion();
    this.db.snapshot((snapshot) => {
      // Ids are given in order and never reused: the newest id says how many are new (a count would scan them),
      // less the blocks of imports still in progress, plus those of imports that committed since the last look.
      const newest = snapshot.get<{ max: number | null }>(sql`SELECT max(id) AS max FROM listings`)?.max ?? 0;
      const unfinished = unfinishedBlocks(snapshot);
      const isUnfinished = (block: UnfinishedBlock) => unfinished.some((candidate) => candidate.importId === block.importId);
      const finished = this.skipped.filter((block) => !isUnfinished(block));
      const size = (block: UnfinishedBlock) => block.lastId - block.firstId + 1;
      const pending =
        Math.max(0, newest - this.maxId) -
        unfinished.filter((block) => block.firstId > this.maxId).reduce((sum, block) => sum + size(block), 0) +
        finished.reduce((sum, block) => sum + size(block), 0);
      if (pending <= 0 && newest <= this.maxId) return;
      if (pending > INCREMENTAL_LIMIT) {
        if (this.options.databasePath === undefined) {
          this.reload();
          return;
        }
        const ids = [sql`l.id > ${this.maxId}`, ...finished.map((block) => sql`l.id BETWEEN ${block.firstId} AND ${block.lastId}`)];
        this.unindexed = { ids: sql`(${joinSql(ids, ' OR ')})`, probes: this.unindexed?.probes ?? new SpanLookup(this.db) };
        void this.rebuildOffThread();
        return;
      }
      const add = (query: Sql) => {
        for (const [id, family, first, last] of snapshot.iterateRaw(query)) {
          const firstValue = BigInt(`0x${first as string}`);
          const lastValue = BigInt(`0x${last as string}`);
          const mask = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
          this.ranges.add(family as Family, firstValue & mask, lastValue & mask, id as number);
        }
      };
      const held = this.singles ? sql`span > 0` : sql`1`;
      for (const block of finished) add(sql`SELECT id, family, hex(first), hex(last) FROM listings l WHERE id BETWEEN ${block.firstId} AND ${block.lastId} AND ${held} AND ${committedSql('l')}`);
      add(newListingsSql(this.maxId, held));
      this.maxId = Math.max(this.maxId, newest);
      this.skipped = unfinished;
    });
  }

  /**
   * Ids of the listings containing each address (a bulk lookup), as `find` answers one: a
   * database-backed index builds the in-memory one first if answering them all by probes would
   * cost more than that.
   */
  findMany(questions: ReadonlyArray<{ readonly family: Family; readonly value: bigint }>): number[][] {
    if (this.probes && this.isProbingTooDear(questions.length * Math.max(this.probes.spanCount(4), this.probes.spanCount(6)))) this.stopProbing();
    if (this.probes) return questions.map((question) => this.find(question.family, question.value));
    const found = questions.map((question) => this.findInMemory(question.family, question.value));
    if (this.singles) this.singles.findSingles(questions).forEach((ids, position) => found[position].push(...ids));
    return found;
  }

  private isProbingTooDear(moreSeeks: number): boolean {
    this.seekBudget ??= Math.max(MIN_SEEKS_BEFORE_LOADING, (this.db.get<{ max: number | null }>(sql`SELECT max(id) AS max FROM listings`)?.max ?? 0) / ROWS_PER_SEEK);
    return this.seeks + moreSeeks > this.seekBudget;
  }

  private stopProbing(): void {
    this.singles = this.probes;
    this.probes = null;
    log.info(`many questions: an in-memory index of the ranges answers from now on, single addresses a seek each in SQLite (${this.seeks} index seeks so far)`);
  }

  /** Ids of listings whose range contains the address. */
  find(family: Family, value: bigint): number[] {
    if (this.probes) {
      const seeks = this.probes.spanCount(family);
      if (!this.isProbingTooDear(seeks)) {
        this.seeks += seeks;
        return this.probes.find(family, value);
      }
      this.stopProbing();
    }
    const found = this.findInMemory(family, value);
    if (this.singles) found.push(...this.singles.findSingles([{ family, value }])[0]);
    return found;
  }

  /** What the in-memory index holds for the address (built first if need be, and brought up to date). */
  private findInMemory(family: Family, value: bigint): number[] {
    this.ensureBuilt();
    const now = performance.now();
    if (now - this.checkedAt > FRESHNESS_MS) {
      this.checkedAt = now;
      if (this.db.dataVersion() !== this.dataVersion) this.refresh();
    }
    const found = this.ranges.search(family, value);
    if (this.unindexed === null) return found;
    const missing = this.unindexed.probes.find(family, value, this.unindexed.ids).filter((id) => !found.includes(id));
    return missing.length === 0 ? found : [...found, ...missing];
  }

  /** The raw index, for the in-process throughput benchmark. */
  get rangeIndex(): RangeIndex {
    this.ensureBuilt();
    return this.ranges;
  }
}

/** The committed listings after id `afterId` that `held` keeps, in id order: what another process added since the index last looked. */
export function newListingsSql(afterId: number, held: Sql): Sql {
  return sql`SELECT id, family, hex(first), hex(last) FROM listings l WHERE id > ${afterId} AND ${held} AND ${committedSql('l')} ORDER BY id`;
}
