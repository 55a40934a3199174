/**
 * 0004: the ISP registry and DUL range submissions with the ISP's limits. Each DUL listing
 * links to the submission that created it; a replace remembers the listings it delisted, so a
 * revert restores the ISP's previous set exactly. Exclusions are stored as ranges (16-byte
 * keys, like listings) and subtracted from the ISP's DUL ranges at publish time; valid-until is
 * stamped on each listing's expires_at, which publishing already honours.
 */
export const migration = {
  version: 4,
  name: 'dul',
  sql: `
CREATE TABLE isps (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  country TEXT,
  -- JSON arrays: ASNs (numbers), liaison-side and ISP-side contacts (strings).
  asns TEXT NOT NULL DEFAULT '[]',
  liaison_contacts TEXT NOT NULL DEFAULT '[]',
  isp_contacts TEXT NOT NULL DEFAULT '[]',
  notes TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE dul_submissions (
  id INTEGER PRIMARY KEY,
  isp_id INTEGER NOT NULL REFERENCES isps(id),
  mode TEXT NOT NULL CHECK (mode IN ('replace', 'add')),
  source TEXT NOT NULL,
  submitted_by TEXT,
  received_at TEXT NOT NULL,
  effective_at TEXT,
  valid_until TEXT,
  policy_notes TEXT,
  investigator_id INTEGER NOT NULL REFERENCES investigators(id),
  added INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  unchanged INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  reverted_at TEXT,
  reverted_by INTEGER REFERENCES investigators(id)
) STRICT;

CREATE INDEX dul_submissions_by_isp ON dul_submissions (isp_id, id);

CREATE TABLE dul_exclusions (
  submission_id INTEGER NOT NULL REFERENCES dul_submissions(id),
  family INTEGER NOT NULL,
  first BLOB NOT NULL,
  last BLOB NOT NULL,
  CHECK (length(first) = 16 AND length(last) = 16 AND first <= last)
) STRICT;

CREATE INDEX dul_exclusions_by_submission ON dul_exclusions (submission_id);

-- The listings a replace delisted: what a revert brings back.
CREATE TABLE dul_replaced (
  submission_id INTEGER NOT NULL REFERENCES dul_submissions(id),
  listing_id INTEGER NOT NULL REFERENCES listings(id),
  PRIMARY KEY (submission_id, listing_id)
) STRICT, WITHOUT ROWID;

-- The ISP's free-text policy note on one submitted range (the CSV's second column).
CREATE TABLE dul_range_notes (
  listing_id INTEGER PRIMARY KEY REFERENCES listings(id),
  note TEXT NOT NULL
) STRICT;

ALTER TABLE listings ADD COLUMN submission_id INTEGER REFERENCES dul_submissions(id);

CREATE INDEX listings_by_submission ON listings (submission_id, status) WHERE submission_id IS NOT NULL;
`,
};
