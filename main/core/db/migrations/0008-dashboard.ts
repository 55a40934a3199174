/**
 * 0008: the dashboard's materialised figures. Counting the addresses a million overlapping
 * ranges cover cannot be redone on every open, so the union of each list's (and each ISP's)
 * active ranges is kept as disjoint segments with their cover depth, with totals beside it,
 * and listings and delistings are rolled up per day.
 *
 * The figures are brought up to date by main/core/dashboard/counters.ts ("folding"): listings
 * with an id above `folded_max_id` are new to it, and every status change of an older listing
 * into or out of 'active' is journalled by the trigger below in the writer's own transaction,
 * whichever code made it. So no write path can be missed, and a fold after a crash still finds
 * everything that committed.
 */
export const migration = {
  version: 8,
  name: 'dashboard',
  sql: `
-- The union of a scope's active ranges as disjoint segments (a run of units and how many
-- ranges cover it), in chunks of up to 512 segments: a million-range import writes a few
-- thousand rows, and one listing's change rewrites one chunk. Units: an IPv4 address, or an
-- IPv6 /64. A chunk's key is its first unit and it records its last; for IPv6 both hold the
-- /64 index minus 2^63, so that 64-bit unsigned values keep their order in SQLite's signed
-- integers. The blob holds (first, last, depth) per segment: 32-bit (IPv4) or 64-bit (IPv6)
-- unsigned little-endian numbers.
CREATE TABLE dashboard_segments (
  scope TEXT NOT NULL,
  family INTEGER NOT NULL,
  first INTEGER NOT NULL,
  last INTEGER NOT NULL,
  segments BLOB NOT NULL,
  PRIMARY KEY (scope, family, first)
) STRICT, WITHOUT ROWID;

-- Per scope (list:RBL, isp:7, investigator:3:RBL) and family: active listings, and units
-- covered by their union (decimal text: IPv6 /64 counts pass 2^63).
CREATE TABLE dashboard_totals (
  scope TEXT NOT NULL,
  family INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  units TEXT NOT NULL,
  PRIMARY KEY (scope, family)
) STRICT, WITHOUT ROWID;

-- Per UTC day and list: listings that became active (created or relisted) and that left 'active'.
CREATE TABLE dashboard_daily (
  day TEXT NOT NULL,
  list TEXT NOT NULL,
  listed INTEGER NOT NULL DEFAULT 0,
  delisted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, list)
) STRICT, WITHOUT ROWID;

CREATE TABLE dashboard_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  folded_max_id INTEGER NOT NULL
) STRICT;

INSERT INTO dashboard_state (id, folded_max_id) VALUES (1, 0);

CREATE TABLE dashboard_journal (
  id INTEGER PRIMARY KEY,
  listing_id INTEGER NOT NULL,
  delta INTEGER NOT NULL,
  at TEXT NOT NULL
) STRICT;

CREATE TRIGGER listings_dashboard_journal AFTER UPDATE OF status ON listings
WHEN (old.status = 'active') <> (new.status = 'active')
BEGIN
  INSERT INTO dashboard_journal (listing_id, delta, at) VALUES (new.id, CASE WHEN new.status = 'active' THEN 1 ELSE -1 END, new.updated_at);
END;

-- Active listings with an expiry (QIL, DUL with a valid-until) by time: how many are still in
-- force is a range count over the unexpired ones; the lapsed ones (still marked active) are the
-- rest of the active-with-expiry count the fold keeps.
CREATE INDEX listings_active_by_expiry ON listings (expires_at, list) WHERE expires_at IS NOT NULL AND status = 'active';
`,
};
