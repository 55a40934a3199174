/**
 * 0011: people who sign in. The accounts are the investigators; beside them: their passphrase
 * (an scrypt hash with its salt and parameters) and second factor (a TOTP secret, the last time
 * step accepted, one-time recovery codes kept as hashes), enrolment codes (hashes, with their
 * expiry), sessions (token hashes, kind, client, address, lifetimes, how they ended), and the
 * failed sign-ins and locks that throttle guessing (kept here so a restart does not reset them).
 */
export const migration = {
  version: 11,
  name: 'people',
  sql: `
CREATE TABLE credentials (
  investigator_id INTEGER PRIMARY KEY REFERENCES investigators(id),
  kdf TEXT NOT NULL,
  kdf_parameters TEXT NOT NULL,
  salt BLOB NOT NULL,
  hash BLOB NOT NULL,
  totp_secret BLOB,
  totp_last_step INTEGER,
  set_at TEXT NOT NULL,
  last_sign_in_at TEXT
) STRICT;

CREATE TABLE recovery_codes (
  id INTEGER PRIMARY KEY,
  investigator_id INTEGER NOT NULL REFERENCES investigators(id),
  code_hash BLOB NOT NULL UNIQUE,
  used_at TEXT
) STRICT;

CREATE INDEX recovery_codes_by_person ON recovery_codes (investigator_id);

CREATE TABLE enrolments (
  id INTEGER PRIMARY KEY,
  investigator_id INTEGER NOT NULL REFERENCES investigators(id),
  code_hash BLOB NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  -- The second factor offered while the person enrols; it becomes theirs when the code is used.
  totp_secret BLOB,
  used_at TEXT,
  -- A newer invitation replaces an unused one.
  voided_at TEXT
) STRICT;

CREATE INDEX enrolments_by_person ON enrolments (investigator_id);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  investigator_id INTEGER NOT NULL REFERENCES investigators(id),
  kind TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer')),
  client TEXT,
  address TEXT,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ended_at TEXT,
  end_reason TEXT
) STRICT;

CREATE INDEX sessions_open_by_person ON sessions (investigator_id, id) WHERE ended_at IS NULL;
CREATE INDEX sessions_open_by_expiry ON sessions (expires_at) WHERE ended_at IS NULL;

CREATE TABLE sign_in_failures (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  name TEXT NOT NULL COLLATE NOCASE,
  address TEXT NOT NULL
) STRICT;

CREATE INDEX sign_in_failures_by_name ON sign_in_failures (name, at);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, at);

CREATE TABLE sign_in_locks (
  name TEXT PRIMARY KEY COLLATE NOCASE,
  locked_until TEXT NOT NULL
) STRICT;
`,
};
