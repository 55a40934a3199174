/**
 * The database connection, typed by what a caller may do with it: functions that only read
 * take a `ReadDb`; only code holding a `WriteDb` can change anything. SQLite through
 * better-sqlite3 with WAL and foreign keys on; migrations run when the file is opened.
 */
import Database from 'better-sqlite3';
import { createLogger } from '../log.js';
import type { Sql } from './sql.js';
import { migrate } from './migrate.js';
import { WalCheckpointer } from './wal-checkpoints.js';

const log = createLogger('db');
const SLOW_QUERY_MS = 40;
/**
 * Statements kept prepared per connection, the oldest dropped first past this many. Preparing one
 * costs 20-90 µs (the dashboard's fold of one change prepared three raw ones on every call, 0.15 ms
 * of a 1 ms call, before raw ones were kept); some texts are built for one call (the imports in
 * progress they leave out), so the number kept is bounded.
 */
const STATEMENTS_KEPT = 500;

/** Read-only access: query helpers over the tagged `sql` template. */
export interface ReadDb {
  get<Row>(query: Sql): Row | undefined;
  all<Row>(query: Sql): Row[];
  iterate<Row>(query: Sql): IterableIterator<Row>;
  /** Rows as arrays of column values, for bulk reads that must not allocate an object per row. */
  iterateRaw(query: Sql): IterableIterator<unknown[]>;
  /** The first column of every row, as one array (a million ids: 8 bytes each, no row objects). */
  column<Value>(query: Sql): Value[];
  /** Run `work` inside one read transaction, so every query in it sees the same snapshot. */
  snapshot<T>(work: (db: ReadDb) => T): T;
  /** SQLite's data_version: changes when another connection commits. */
  dataVersion(): number;
  /**
   * Run `work` with this connection's memory map off: a read of the whole table (publishing)
   * then goes through the page cache, and the file's pages do not stay in the process's RSS;
   * the page cache it filled is released after. Outside a transaction only (SQLite keeps the
   * map while a page of it is in use).
   */
  withoutMemoryMap<T>(work: () => T): T;
}

/** Read-write access. */
export interface WriteDb extends ReadDb {
  run(query: Sql): Database.RunResult;
  /** A cached prepared statement for hot loops (bulk import); the text must have no values in it. */
  prepare(text: string): Database.Statement;
  /** Run `work` in a BEGIN IMMEDIATE transaction: all of it commits, or none. */
  transaction<T>(work: (db: WriteDb) => T): T;
}

export interface Connection {
  readonly read: ReadDb;
  readonly write: WriteDb;
  readonly path: string;
  /** How long a statement waits for another connection's lock before SQLITE_BUSY (a server's writer bounds it per call). */
  setBusyTimeout(milliseconds: number): void;
  close(): void;
}

/** How long a connection waits for another's lock unless told otherwise. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  readonly readonly?: boolean;
  readonly mustExist?: boolean;
  /**
   * Where the write-ahead log is copied back into the database file: in the commits that fill it
   * (SQLite's default), or on a thread of its own (`thread`, for a writer that runs for a while:
   * see db/wal-checkpoints.ts). A read-only or in-memory database has no log to copy.
   */
  readonly checkpoints?: 'in-commits' | 'thread';
  /** The checkpoint thread's script (tests name one that fails). */
  readonly checkpointWorkerUrl?: URL;
  /** Read the file through a memory map (default true; false for a connection that serves one bulk job). */
  readonly memoryMap?: boolean;
}

/** Statements prepared once per text and kept (up to STATEMENTS_KEPT, the oldest dropped first). */
function keptStatements(prepare: (text: string) => Database.Statement): (text: string) => Database.Statement {
  const kept = new Map<string, Database.Statement>();
  return (text) => {
    const found = kept.get(text);
    // A loop inside a loop over the same text gets a statement of its own for the inner one.
    if (found && !found.busy) return found;
    const prepared = prepare(text);
    if (found) return prepared;
    if (kept.size >= STATEMENTS_KEPT) kept.delete(kept.keys().next().value as string);
    kept.set(text, prepared);
    return prepared;
  };
}

/**
 * Open (creating if needed) and migrate the database at `path` (':memory:' for a throw-away one).
 * `readonly` and `mustExist` open an existing file only: a missing one is an error, not a new database.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Connection {
  const database = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly === true || options.mustExist === true });
  try {
    database.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    if (!options.readonly) {
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
    }
    database.pragma('foreign_keys = ON');
    // Bulk imports insert into several indexes at once: a larger page cache (32 MB) keeps them off the disk.
    database.pragma('cache_size = -32768');
    // Record reads by id (lookups) through a memory map skip a copy and a system call per page.
    // A connection for one bulk job goes without: the pages it reads through the map stay in the
    // process's RSS (up to the map's 256 MB) until it ends, beside the job's own arrays (a DUL
    // commit of a million ranges: 700 MB peak with the map, 520 MB without).
    database.pragma(options.memoryMap === false ? 'mmap_size = 0' : 'mmap_size = 268435456');
    if (!options.readonly) migrate(database);
  } catch (error) {
    // A refused (newer, or not a database) file must not stay open: the handle would keep it locked.
    database.close();
    throw error;
  }
  const checkpointer =
    options.checkpoints === 'thread' && !options.readonly && path !== ':memory:'
      ? new WalCheckpointer(path, { fallBack: () => database.pragma('wal_autocheckpoint = 1000'), workerUrl: options.checkpointWorkerUrl })
      : null;
  if (checkpointer) database.pragma('wal_autocheckpoint = 0');
  const totalChanges = database.prepare('SELECT total_changes()').pluck();
  /** After a write outside a transaction, or a transaction's commit: the log may want copying. */
  const committed = () => {
    if (checkpointer && !database.inTransaction) checkpointer.afterCommit(totalChanges.get() as number);
  };
  // Asked on every lookup: a prepared statement, not db.pragma(), which prepares each time.
  const dataVersion = database.prepare('PRAGMA data_version').pluck();

  const statement = keptStatements((text) => database.prepare(text));
  // Raw statements (rows as arrays) and plucked ones (one column) are kept apart: callers read the others as objects.
  const rawStatement = keptStatements((text) => database.prepare(text).raw(true));
  const columnStatement = keptStatements((text) => database.prepare(text).pluck(true));

  const timed = <T>(query: Sql, work: () => T): T => {
    const started = performance.now();
    const result = work();
    const elapsed = performance.now() - started;
    if (elapsed > SLOW_QUERY_MS) log.warn(`slow query (${elapsed.toFixed(0)} ms): ${query.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    return result;
  };

  const write: WriteDb = {
    get: <Row>(query: Sql) => timed(query, () => statement(query.text).get(...query.values) as Row | undefined),
    all: <Row>(query: Sql) => timed(query, () => statement(query.text).all(...query.values) as Row[]),
    iterate: <Row>(query: Sql) => statement(query.text).iterate(...query.values) as IterableIterator<Row>,
    iterateRaw: (query: Sql) => rawStatement(query.text).iterate(...query.values) as IterableIterator<unknown[]>,
    column: <Value>(query: Sql) => timed(query, () => columnStatement(query.text).all(...query.values) as Value[]),
    snapshot: <T>(work: (db: ReadDb) => T) => (database.inTransaction ? work(write) : database.transaction(() => work(write)).deferred()),
    dataVersion: () => dataVersion.get() as number,
    withoutMemoryMap: <T>(work: () => T) => {
      if (database.inTransaction) return work();
      const size = database.pragma('mmap_size', { simple: true }) as number;
      // Setting 0 unmaps the file (and the pages read through the map leave the RSS with it).
      database.pragma('mmap_size = 0');
      try {
        return work();
      } finally {
        database.pragma(`mmap_size = ${size}`);
        // The read went through the page cache (32 MB): what is needed next is read again.
        database.pragma('shrink_memory');
      }
    },
    run: (query: Sql) => {
      const result = timed(query, () => statement(query.text).run(...query.values));
      committed();
      return result;
    },
    prepare: (text: string) => statement(text),
    transaction: <T>(work: (db: WriteDb) => T) => {
      try {
        return database.transaction(() => work(write)).immediate();
      } finally {
        committed();
      }
    },
  };
  return {
    read: write,
    write,
    path,
    setBusyTimeout: (milliseconds) => {
      database.pragma(`busy_timeout = ${Math.max(0, Math.floor(milliseconds))}`);
    },
    close: () => {
      // The checkpoint thread closes its connection first: this one, the last, folds in the rest of the log.
      checkpointer?.close();
      database.close();
    },
  };
}
