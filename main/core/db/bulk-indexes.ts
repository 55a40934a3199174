/**
 * Bulk inserts and the listings' secondary indexes. Keeping an index on a timestamp up to date
 * row by row costs a million-row import about 7 µs a row (measured: 1.2M listings 8.7 s without
 * `listings_by_updated`, 16.8 s with it), while building the same index afresh over the whole
 * table takes about 0.45 µs a row (0.53 s for 1.2M). So a large insert drops those indexes inside
 * its transaction and builds them again from their own stored definitions before it commits:
 * the same indexes, all or nothing, and no reader ever sees the table without them (WAL readers
 * see the last commit).
 */
import { sql } from './sql.js';
import type { WriteDb } from './connection.js';

/** Listings indexes cheaper to rebuild than to maintain during a large insert. */
export const DEFERRABLE_LISTING_INDEXES = ['listings_by_updated', 'listings_by_list', 'listings_by_expiry', 'listings_active_by_expiry'] as const;
export type DeferrableIndex = (typeof DEFERRABLE_LISTING_INDEXES)[number];

/** Rows a bulk insert needs before rebuilding pays: fewer than this are inserted row by row. */
export const MIN_DEFERRED_ROWS = 20_000;
/** Maintaining costs ~7 µs a new row, rebuilding ~0.45 µs a row of the whole table: about 1:15. */
const REBUILD_COST_RATIO = 15;

/**
 * Run `work` (which inserts about `rows` listings) inside the caller's transaction, with the named
 * indexes dropped first and rebuilt after when that is cheaper; otherwise just run it.
 */
export function withDeferredIndexes<T>(db: WriteDb, names: readonly DeferrableIndex[], rows: number, work: () => T): T {
  if (rows < MIN_DEFERRED_ROWS) return work();
  const existing = db.get<{ high: number | null }>(sql`SELECT max(id) AS high FROM listings`)?.high ?? 0;
  if (rows * REBUILD_COST_RATIO < existing + rows) return work();
  const definitions: string[] = [];
  for (const name of names) {
    const row = db.get<{ sql: string | null }>(sql`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ${name}`);
    if (!row?.sql) continue;
    definitions.push(row.sql);
    // The name comes from the fixed list above, never from input.
    db.run({ text: `DROP INDEX ${name}`, values: [] });
  }
  const result = work();
  for (const definition of definitions) db.run({ text: definition, values: [] });
  return result;
}
