/**
 * Listings of an import that has not committed yet are nobody's business: an import writes its
 * rows in short transactions (listings/staged-import.ts) inside one block of ids it reserved, and
 * while it runs that block is a row of `listing_imports`. Every read of listings (the in-force
 * rule, lookups, the listings table and its counts, the record, publishing, the dashboard's fold,
 * the address index, the checks for duplicates) leaves those ids out through `committedSql`, or
 * reads the blocks with `unfinishedBlocks` where it keeps its own place by id (the index, the
 * fold). Committing deletes the block's row, so it is O(1) for every reader.
 */
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';

/**
 * SQL: the listing under `alias` ('' for none) belongs to no import still in progress. Nearly
 * always the table is empty: the first test (not correlated) is then evaluated once per
 * statement and the second never, so it costs a scan nothing.
 */
export function committedSql(alias = 'l'): Sql {
  const id = alias === '' ? 'id' : `${alias}.id`;
  return {
    text: `(NOT EXISTS (SELECT 1 FROM listing_imports) OR NOT EXISTS (SELECT 1 FROM listing_imports unfinished WHERE ${id} BETWEEN unfinished.first_id AND unfinished.last_id))`,
    values: [],
  };
}

/**
 * `committedSql` for a statement built for one call (the listings table's page and count): the
 * blocks in progress are read here, in `db`'s snapshot, which must be the one that runs the
 * statement, and only they are spelt out. With no import in progress (nearly always) the
 * statement has no test per row at all; the general form's costs about 1 ms per 100,000 rows
 * counted.
 */
export function committedNowSql(db: ReadDb, alias = 'l'): Sql {
  const blocks = unfinishedBlocks(db);
  if (blocks.length === 0) return { text: '1', values: [] };
  const id = alias === '' ? 'id' : `${alias}.id`;
  return { text: `(${blocks.map(() => `${id} NOT BETWEEN ? AND ?`).join(' AND ')})`, values: blocks.flatMap((block) => [block.firstId, block.lastId]) };
}

/** The id block of an import in progress. */
export interface UnfinishedBlock {
  readonly importId: number;
  readonly firstId: number;
  readonly lastId: number;
}

/** The blocks of the imports in progress, by first id (read in the caller's snapshot when it reads listings by id after). */
export function unfinishedBlocks(db: ReadDb): UnfinishedBlock[] {
  return db.all<UnfinishedBlock>(sql`SELECT id AS importId, first_id AS firstId, last_id AS lastId FROM listing_imports ORDER BY first_id`);
}

/** Whether `id` lies in one of `blocks`. */
export function isInBlocks(blocks: readonly UnfinishedBlock[], id: number): boolean {
  return blocks.some((block) => id >= block.firstId && id <= block.lastId);
}
