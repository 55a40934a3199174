/**
 * 0003: the dynamic reputation list (QIL): trap-hit observations and per-source scores.
 * A source's QIL record is up to four listings, one per aggressiveness level it reached, each
 * with its own expiry: the zone answers the least level still in force, so when the short
 * level-1 listing lapses the address falls back to level 2, then 3, then 4, with no rewrite.
 */
export const migration = {
  version: 3,
  name: 'qil',
  sql: `
-- One row per trap hit as read from a log. The key is what makes ingestion idempotent: the
-- same line ingested twice is the same observation. It also orders a source's hits by time
-- for replays and the score chart; WITHOUT ROWID keeps it to one B-tree (a million hits per
-- ingest). Times (the hit's, and when it was ingested) are Unix milliseconds.
CREATE TABLE qil_observations (
  source BLOB NOT NULL,
  at INTEGER NOT NULL,
  trap TEXT NOT NULL,
  count INTEGER NOT NULL,
  ingested_at INTEGER NOT NULL,
  CHECK (length(source) = 16 AND count > 0),
  PRIMARY KEY (source, at, trap, count)
) STRICT, WITHOUT ROWID;

-- The scoring state of each source after its latest observation, and its listing per level.
CREATE TABLE qil_sources (
  source BLOB PRIMARY KEY,
  family INTEGER NOT NULL,
  score REAL NOT NULL,
  score_at INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_hit INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  expires1 INTEGER NOT NULL,
  expires2 INTEGER NOT NULL,
  expires3 INTEGER NOT NULL,
  expires4 INTEGER NOT NULL,
  listing1 INTEGER REFERENCES listings(id),
  listing2 INTEGER REFERENCES listings(id),
  listing3 INTEGER REFERENCES listings(id),
  listing4 INTEGER REFERENCES listings(id),
  CHECK (length(source) = 16)
) STRICT, WITHOUT ROWID;
`,
};
