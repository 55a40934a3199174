/**
 * 0002: published snapshots and large-change approvals. A snapshot row keeps what each list
 * published (the listing ids in force, compactly encoded) so the next publish can diff against
 * it, and the diff itself, so the Publish screen can browse it later.
 */
export const migration = {
  version: 2,
  name: 'snapshots',
  sql: `
CREATE TABLE snapshots (
  id INTEGER PRIMARY KEY,
  serial INTEGER NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  zone TEXT NOT NULL,
  path TEXT NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  key_id TEXT NOT NULL,
  prepared_by INTEGER NOT NULL REFERENCES investigators(id),
  approved_by INTEGER REFERENCES investigators(id),
  counts TEXT NOT NULL,
  report TEXT NOT NULL,
  in_force BLOB NOT NULL,
  diff BLOB NOT NULL
) STRICT;

CREATE TABLE publish_approvals (
  id INTEGER PRIMARY KEY,
  change_digest TEXT NOT NULL,
  requested_by INTEGER NOT NULL REFERENCES investigators(id),
  requested_at TEXT NOT NULL,
  approved_by INTEGER REFERENCES investigators(id),
  approved_at TEXT,
  used_by_serial INTEGER,
  summary TEXT NOT NULL
) STRICT;
`,
};
