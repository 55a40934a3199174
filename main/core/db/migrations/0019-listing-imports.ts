/**
 * 0019: a file import writes its listings in short transactions and they stay invisible until it
 * commits (main/core/listings/staged-import.ts). An import in progress reserves one block of ids
 * (first_id..last_id) and is a row here while it runs: every read of listings leaves out the ids
 * of the blocks listed here (main/core/rule/unfinished.ts), so committing is deleting that row.
 * An import cancelled, failed or killed is removed: its rows, and only those, may be deleted
 * (by the process that ran it, or at the next start when that process is gone: owner as in jobs).
 */
export const migration = {
  version: 19,
  name: 'listing-imports',
  sql: `
CREATE TABLE listing_imports (
  id INTEGER PRIMARY KEY,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  actor TEXT NOT NULL,
  -- The process running it: host, pid and that process's start (as jobs.owner).
  owner TEXT NOT NULL,
  owner_pid INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  CHECK (first_id <= last_id)
) STRICT;

DROP TRIGGER listings_are_kept;
CREATE TRIGGER listings_are_kept BEFORE DELETE ON listings
WHEN NOT EXISTS (SELECT 1 FROM listing_imports i WHERE old.id BETWEEN i.first_id AND i.last_id)
BEGIN
  SELECT RAISE(ABORT, 'listings are never deleted; delist instead');
END;

-- The text of a removed (never committed) import's listing leaves the full-text index with it.
CREATE TRIGGER listings_fts_delete AFTER DELETE ON listings WHEN old.txt IS NOT NULL
BEGIN
  DELETE FROM listings_fts WHERE rowid = old.id;
END;
`,
};
