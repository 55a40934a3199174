/**
 * 0001: the team, reputation records (listings), the hash-chained history and settings.
 * Listing ranges never change and listings are never deleted (status changes instead):
 * the in-memory address index relies on it, and the triggers below enforce it.
 */
export const migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE investigators (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  roles TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE listings (
  id INTEGER PRIMARY KEY,
  list TEXT NOT NULL,
  family INTEGER NOT NULL,
  first BLOB NOT NULL,
  last BLOB NOT NULL,
  prefix INTEGER,
  reason TEXT NOT NULL,
  investigator_id INTEGER NOT NULL REFERENCES investigators(id),
  status TEXT NOT NULL DEFAULT 'active',
  suppressed_until TEXT,
  txt TEXT,
  level INTEGER,
  expires_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- Only structural checks: the enumerations (list, status, family, level) are validated by the
  -- contract's schemas before any write, and each IN-list CHECK costs about a microsecond per
  -- row, which a million-row import pays in full.
  CHECK (length(first) = 16 AND length(last) = 16 AND first <= last),
  CHECK ((list = 'QIL') = (level IS NOT NULL))
) STRICT;

CREATE INDEX listings_by_range ON listings (family, first, last);

CREATE TRIGGER listings_range_is_fixed BEFORE UPDATE OF list, family, first, last ON listings
BEGIN
  SELECT RAISE(ABORT, 'a listing keeps its list and range; delist it and create a new one');
END;

CREATE TRIGGER listings_are_kept BEFORE DELETE ON listings
BEGIN
  SELECT RAISE(ABORT, 'listings are never deleted; delist instead');
END;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id INTEGER,
  -- A batch event (an import) covers the subjects subject_id..subject_last; NULL for one subject.
  subject_last INTEGER,
  reason TEXT,
  details TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
) STRICT;

CREATE INDEX events_by_subject ON events (subject_type, subject_id, id);
CREATE INDEX events_by_batch ON events (subject_type, subject_id, subject_last) WHERE subject_last IS NOT NULL;

CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'history is append-only: events cannot be changed');
END;

CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'history is append-only: events cannot be deleted');
END;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`,
};
