/**
 * 0007: review queues. GAL nominations (their MTAs and HELO strings, the investigation aids
 * computed when opened, the decision and the GAL listings it made) and delisting requests (the
 * listings each concerns, routing, SLA due time, decision and the removal's end). Requests are
 * kept: decisions change their status; the history log has every step.
 */
export const migration = {
  version: 7,
  name: 'queues',
  sql: `
CREATE TABLE nominations (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL DEFAULT 'new',
  assignee_id INTEGER REFERENCES investigators(id),
  contact_email TEXT NOT NULL,
  contact_first TEXT NOT NULL,
  contact_last TEXT NOT NULL,
  source TEXT NOT NULL,
  received_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES investigators(id),
  updated_at TEXT NOT NULL,
  decision TEXT,
  decided_at TEXT,
  decided_by INTEGER REFERENCES investigators(id),
  decision_reason TEXT,
  reply TEXT,
  -- JSON: per MTA, each investigation aid with its result and when it ran.
  aids TEXT,
  aids_at TEXT
) STRICT;

CREATE INDEX nominations_by_status ON nominations (status, id);
CREATE INDEX nominations_by_assignee ON nominations (assignee_id, status);

CREATE TABLE nomination_mtas (
  id INTEGER PRIMARY KEY,
  nomination_id INTEGER NOT NULL REFERENCES nominations(id),
  position INTEGER NOT NULL,
  ip TEXT NOT NULL,
  family INTEGER NOT NULL,
  key BLOB NOT NULL CHECK (length(key) = 16),
  fqdn TEXT NOT NULL,
  domain TEXT NOT NULL,
  company TEXT NOT NULL,
  country TEXT NOT NULL,
  company_type TEXT NOT NULL,
  outcome TEXT,
  gal_listing_id INTEGER REFERENCES listings(id),
  UNIQUE (nomination_id, family, key)
) STRICT;

CREATE INDEX nomination_mtas_by_nomination ON nomination_mtas (nomination_id, position);
CREATE INDEX nomination_mtas_by_gal ON nomination_mtas (gal_listing_id) WHERE gal_listing_id IS NOT NULL;

CREATE TABLE nomination_helos (
  nomination_id INTEGER NOT NULL REFERENCES nominations(id),
  position INTEGER NOT NULL,
  helo TEXT NOT NULL,
  PRIMARY KEY (nomination_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE delisting_requests (
  id INTEGER PRIMARY KEY,
  ip TEXT NOT NULL,
  family INTEGER NOT NULL,
  key BLOB NOT NULL CHECK (length(key) = 16),
  requester TEXT NOT NULL,
  reason TEXT NOT NULL,
  source TEXT NOT NULL,
  received_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  status TEXT NOT NULL,
  assignee_id INTEGER REFERENCES investigators(id),
  routing TEXT NOT NULL,
  relist_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES investigators(id),
  updated_at TEXT NOT NULL,
  decision TEXT,
  decided_at TEXT,
  decided_by INTEGER REFERENCES investigators(id),
  decision_reason TEXT,
  reply TEXT,
  until TEXT
) STRICT;

CREATE INDEX delisting_by_status ON delisting_requests (status, id);
CREATE INDEX delisting_by_address ON delisting_requests (family, key, id);
CREATE INDEX delisting_by_assignee ON delisting_requests (assignee_id, status);

-- The listings covering the request's IP when it arrived.
CREATE TABLE delisting_listings (
  request_id INTEGER NOT NULL REFERENCES delisting_requests(id),
  listing_id INTEGER NOT NULL REFERENCES listings(id),
  PRIMARY KEY (request_id, listing_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX delisting_listings_by_listing ON delisting_listings (listing_id, request_id);
`,
};
