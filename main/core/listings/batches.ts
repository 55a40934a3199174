/**
 * The batch forms of a listing's changes, for bulk work at import speed: many new listings in
 * one contiguous id run (a file import, a DUL submission, QIL ingestion), many delistings (a DUL
 * replace or revert) and restored copies (a DUL revert). Each writes one history event per
 * contiguous run of ids, in the caller's transaction (see changes.ts for the single changes).
 */
import { writeAddressKey, writeIpv4Key, type Family } from '../../../shared/address.js';
import type { ListName, Reason } from '../../../shared/domain.js';
import type { Statement } from 'better-sqlite3';
import { sql, type Sql } from '../db/sql.js';
import type { ChangeNote, ListingWriter } from './changes.js';
import { spanOfIpv4, spanOfKeys } from '../db/span.js';

/**
 * Rows per INSERT statement, and the values each row binds: what differs from row to row is
 * bound per row, what the whole batch shares (list, reason, investigator, time, submission) once
 * per statement by name (binding it again in every row cost a million-row import about 0.9 s).
 */
const INSERT_ROWS = 512;
const INSERT_COLUMNS = '(list, family, first, last, span, prefix, reason, investigator_id, txt, level, expires_at, created_at, updated_at, submission_id)';
const INSERT_ROW = '(:list, ?, ?, ?, ?, ?, :reason, :investigatorId, ?, ?, ?, :at, :at, :submissionId)';
/**
 * The same with the ids given (a staged import writes into the block of ids it reserved): the
 * rows of one statement take consecutive ids from :base, and a file import sets no QIL level and
 * no expiry, so a row binds 6 values instead of 9.
 */
const INSERT_COLUMNS_WITH_ID = `(id, ${INSERT_COLUMNS.slice(1)}`;
const insertRowWithId = (row: number) => `(:base + ${row}, :list, ?, ?, ?, ?, ?, :reason, :investigatorId, ?, NULL, NULL, :at, :at, :submissionId)`;

/** What every listing of one batch shares. */
export interface BatchCommon {
  readonly list: ListName;
  readonly reason: Reason;
  readonly investigatorId: number;
  /** The DUL submission the listings come from, or null. */
  readonly submissionId: number | null;
}

/** The run of ids a batch created. */
export interface CreatedRun {
  readonly count: number;
  readonly firstId: number;
  readonly lastId: number;
}

/**
 * New listings inserted by INSERT statements of up to 512 rows: one call into SQLite per batch
 * rather than per row (1.2M rows: 8.9 s -> 8.4 s for an import). One writer in one transaction
 * gives them the ids after the table's highest, in the order added: `add` returns the id a row
 * gets, and each statement checks it did. With `withIds`, the caller gives each row its id
 * (`addWithId`: a staged import's reserved block) and may write over several transactions,
 * flushing before each commits.
 */
export class ListingBatch {
  /** The pending rows' values, written in place (not pushed: the array is made once); `pending` rows of them. */
  private readonly values: unknown[];
  private pending = 0;
  /** Keys of the pending rows: views into one buffer, made once and written again once the rows are inserted (SQLite copies what it is given). */
  private readonly keys = Buffer.alloc(INSERT_ROWS * 32);
  private readonly firstKeys = Array.from({ length: INSERT_ROWS }, (_, row) => this.keys.subarray(row * 32, row * 32 + 16));
  private readonly lastKeys = Array.from({ length: INSERT_ROWS }, (_, row) => this.keys.subarray(row * 32 + 16, row * 32 + 32));
  private readonly fullInsert: Statement;
  private readonly shared: { list: ListName; reason: Reason; investigatorId: number; at: string; submissionId: number | null; base?: number };
  private readonly firstId: number;
  private readonly fields: number;
  private count = 0;
  /** A batch `withIds`: the id of the first pending row (the others follow it). */
  private pendingFirstId = 0;

  constructor(
    private readonly writer: ListingWriter,
    private readonly common: BatchCommon,
    private readonly withIds = false,
  ) {
    this.fields = withIds ? 6 : 8;
    this.values = new Array<unknown>(INSERT_ROWS * this.fields).fill(null);
    this.fullInsert = this.insertOf(INSERT_ROWS);
    this.shared = { list: common.list, reason: common.reason, investigatorId: common.investigatorId, at: writer.at, submissionId: common.submissionId, ...(withIds ? { base: 0 } : {}) };
    this.firstId = (writer.db.get<{ high: number | null }>(sql`SELECT max(id) AS high FROM listings`)?.high ?? 0) + 1;
  }

  /** The id the next row added gets. */
  get nextId(): number {
    return this.firstId + this.count + this.pending;
  }

  /**
   * Write the next row's storage keys and return them (to look for a duplicate before `add`);
   * they stay valid until the next call.
   */
  keysOf(family: Family, first: bigint, last: bigint): { readonly first: Buffer; readonly last: Buffer } {
    if (family === 4) return this.keysOfIpv4(Number(first), Number(last));
    const row = this.pending;
    writeAddressKey(family, first, this.firstKeys[row], 0);
    writeAddressKey(family, last, this.lastKeys[row], 0);
    return { first: this.firstKeys[row], last: this.lastKeys[row] };
  }

  /** `keysOf` an IPv4 range given as numbers. */
  keysOfIpv4(first: number, last: number): { readonly first: Buffer; readonly last: Buffer } {
    const row = this.pending;
    writeIpv4Key(first, this.firstKeys[row], 0);
    writeIpv4Key(last, this.lastKeys[row], 0);
    return { first: this.firstKeys[row], last: this.lastKeys[row] };
  }

  /** Add a listing whose keys `keysOf` has just written; returns the id it gets. */
  add(family: Family, prefix: number | null, txt: string | null, level: number | null, expiresAt: string | null): number {
    const id = this.nextId;
    const row = this.pending;
    const firstKey = this.firstKeys[row];
    const lastKey = this.lastKeys[row];
    if (this.withIds) throw new Error('this batch takes the ids its caller gives (addWithId)');
    const values = this.values;
    const at = row * 8;
    values[at] = family;
    values[at + 1] = firstKey;
    values[at + 2] = lastKey;
    values[at + 3] = spanOfKeys(firstKey, lastKey);
    values[at + 4] = prefix;
    values[at + 5] = txt;
    values[at + 6] = level;
    values[at + 7] = expiresAt;
    this.pending = row + 1;
    if (this.pending === INSERT_ROWS) this.flush();
    return id;
  }

  /** Add a listing whose keys `keysOf` has just written, with the id it is to have (a batch `withIds`). */
  addWithId(id: number, family: Family, prefix: number | null, txt: string | null): void {
    const row = this.pending;
    this.pushWithId(id, family, this.firstKeys[row], this.lastKeys[row], spanOfKeys(this.firstKeys[row], this.lastKeys[row]), prefix, txt);
  }

  /** `addWithId` for an IPv4 range given as numbers: its keys written here. */
  addIpv4WithId(id: number, first: number, last: number, prefix: number | null, txt: string | null): void {
    const row = this.pending;
    writeIpv4Key(first, this.firstKeys[row], 0);
    writeIpv4Key(last, this.lastKeys[row], 0);
    this.pushWithId(id, 4, this.firstKeys[row], this.lastKeys[row], spanOfIpv4(first, last), prefix, txt);
  }

  private pushWithId(id: number, family: Family, firstKey: Buffer, lastKey: Buffer, span: number, prefix: number | null, txt: string | null): void {
    if (!this.withIds) throw new Error('this batch gives the ids itself (add)');
    const row = this.pending;
    // One statement writes consecutive ids (a staged import's run): a caller that jumps flushes first.
    if (row > 0 && id !== this.pendingFirstId + row) throw new Error(`listing id ${id} does not follow #${this.pendingFirstId + row - 1}: flush before another run`);
    if (row === 0) this.pendingFirstId = id;
    const values = this.values;
    const at = row * 6;
    values[at] = family;
    values[at + 1] = firstKey;
    values[at + 2] = lastKey;
    values[at + 3] = span;
    values[at + 4] = prefix;
    values[at + 5] = txt;
    this.pending = row + 1;
    if (this.pending === INSERT_ROWS) this.flush();
  }

  /** Rows inserted so far. */
  get inserted(): number {
    return this.count;
  }

  /** Insert what is pending and record the run in one event (none when nothing was added). */
  finish(action: string, note: ChangeNote): CreatedRun {
    this.flush();
    const run = { count: this.count, firstId: this.firstId, lastId: this.firstId + this.count - 1 };
    if (run.count > 0) {
      this.writer.history.append({
        actor: this.writer.actor,
        action,
        subjectType: 'listing',
        subjectId: run.firstId,
        subjectLastId: run.lastId,
        reason: note.why,
        details: { ...note.details, count: run.count, firstId: run.firstId, lastId: run.lastId },
      });
    }
    return run;
  }

  /** Insert what is pending (a batch `withIds` does before each of its transactions commits). */
  flush(): void {
    const rows = this.pending;
    if (rows === 0) return;
    if (this.withIds) this.shared.base = this.pendingFirstId;
    const [statement, values] = rows === INSERT_ROWS ? [this.fullInsert, this.values] : [this.insertOf(rows), this.values.slice(0, rows * this.fields)];
    const lastId = Number(statement.run(values, this.shared).lastInsertRowid);
    const expected = this.withIds ? this.pendingFirstId + rows - 1 : this.firstId + this.count + rows - 1;
    if (lastId !== expected) throw new Error(`new listing ids are not contiguous (${lastId}, expected ${expected})`);
    this.count += rows;
    this.pending = 0;
  }

  private insertOf(rows: number): Statement {
    const values = Array.from({ length: rows }, (_, row) => (this.withIds ? insertRowWithId(row) : INSERT_ROW));
    return this.writer.db.prepare(`INSERT INTO listings ${this.withIds ? INSERT_COLUMNS_WITH_ID : INSERT_COLUMNS} VALUES ${values.join(', ')}`);
  }
}

/**
 * Contiguous runs of the ids `selection` picks that are not delisted yet. The ids are read as one
 * plain array (8 bytes an id) and walked in order: for a million ids about half the time of
 * SQLite's own grouping, whose window and GROUP BY sort them twice.
 */
function runsOf(writer: ListingWriter, selection: Sql): Array<{ first: number; last: number }> {
  const ids = writer.db.column<number>(sql`SELECT id FROM listings WHERE id IN (${selection}) AND status <> 'delisted' ORDER BY id`);
  const runs: Array<{ first: number; last: number }> = [];
  let first = 0;
  for (let index = 0; index < ids.length; index += 1) {
    const id = ids[index];
    if (index === 0 || id !== ids[index - 1] + 1) first = id;
    if (index === ids.length - 1 || ids[index + 1] !== id + 1) runs.push({ first, last: id });
  }
  return runs;
}

/**
 * Delist every listing `selection` (a SELECT of listing ids) picks that is not delisted yet:
 * one statement, and one `listings.delisted` event per contiguous run of ids. Returns how many.
 */
export function delistMany(writer: ListingWriter, selection: Sql, note: ChangeNote): number {
  const runs = runsOf(writer, selection);
  const changed = writer.db.run(delistManySql(selection, writer.at)).changes;
  for (const run of runs) {
    writer.history.append({
      actor: writer.actor,
      action: 'listings.delisted',
      subjectType: 'listing',
      subjectId: run.first,
      subjectLastId: run.last === run.first ? undefined : run.last,
      reason: note.why,
      details: note.details ?? {},
    });
  }
  return changed;
}

/**
 * New listings copying the ones `selection` picks (same range, list, reason, investigator, TXT,
 * level, expiry and DUL submission), active, in the order of the originals' ids: one statement, so their ids are
 * one contiguous run and one `listings.restored` event records it. Returns the run.
 */
export function restoreCopies(writer: ListingWriter, selection: Sql, note: ChangeNote): CreatedRun {
  const { db, at } = writer;
  const restored = db.run(restoreCopiesSql(selection, at));
  const count = restored.changes;
  const lastId = Number(restored.lastInsertRowid);
  const run = { count, firstId: lastId - count + 1, lastId };
  if (count > 0) {
    writer.history.append({
      actor: writer.actor,
      action: 'listings.restored',
      subjectType: 'listing',
      subjectId: run.firstId,
      subjectLastId: run.lastId,
      reason: note.why,
      details: { ...note.details, count, firstId: run.firstId, lastId: run.lastId },
    });
  }
  return run;
}

/** The statement that delists what `selection` picks and is not delisted yet. */
export function delistManySql(selection: Sql, at: string): Sql {
  return sql`UPDATE listings SET status = 'delisted', suppressed_until = NULL, updated_at = ${at}
    WHERE id IN (${selection}) AND status <> 'delisted'`;
}

/**
 * The statement that inserts active copies of what `selection` picks, in the order of their ids.
 * An import and a DUL commit create their listings in address order, so id order is address
 * order within each of them, and the copies reach the range indexes in a few ascending runs
 * without a sort of the whole set first (for a million listings that sort was half a second of a
 * DUL revert).
 */
export function restoreCopiesSql(selection: Sql, at: string): Sql {
  return sql`INSERT INTO listings ${{ text: INSERT_COLUMNS, values: [] }}
    SELECT l.list, l.family, l.first, l.last, l.span, l.prefix, l.reason, l.investigator_id, l.txt, l.level, l.expires_at, ${at}, ${at}, l.submission_id
    FROM listings l WHERE l.id IN (${selection}) ORDER BY l.id`;
}
