/**
 * 0005: evidence and correspondence. A spam sample is stored once by the SHA-256 of its raw
 * bytes (kept compressed) and linked to any number of listings. A correspondence thread belongs
 * to a listing or to an ISP; its messages are inbound or outbound mail (raw bytes kept like
 * samples) or internal notes. Both are searchable through FTS5 tables kept in step by triggers.
 */
export const migration = {
  version: 5,
  name: 'evidence',
  sql: `
CREATE TABLE samples (
  id INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32),
  -- The original message, deflate-compressed (zlib); size is the uncompressed length.
  raw BLOB NOT NULL,
  size INTEGER NOT NULL,
  subject TEXT,
  from_address TEXT,
  sent_at TEXT,
  message_id TEXT,
  -- The connecting address of the first untrusted hop (16-byte key like listings), or NULL.
  source_family INTEGER,
  source_key BLOB CHECK (source_key IS NULL OR length(source_key) = 16),
  source_ip TEXT,
  -- JSON: the Received chain, newest first, each hop with its parsed address, and the chosen hop.
  received TEXT NOT NULL DEFAULT '[]',
  body_text TEXT,
  imported_at TEXT NOT NULL,
  imported_by INTEGER NOT NULL REFERENCES investigators(id)
) STRICT;

CREATE INDEX samples_by_source ON samples (source_family, source_key);
CREATE INDEX samples_by_imported ON samples (imported_at);

CREATE TABLE sample_links (
  listing_id INTEGER NOT NULL REFERENCES listings(id),
  sample_id INTEGER NOT NULL REFERENCES samples(id),
  linked_at TEXT NOT NULL,
  linked_by INTEGER NOT NULL REFERENCES investigators(id),
  PRIMARY KEY (listing_id, sample_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX sample_links_by_sample ON sample_links (sample_id, listing_id);

CREATE VIRTUAL TABLE samples_fts USING fts5 (subject, body_text, content='samples', content_rowid='id');

CREATE TRIGGER samples_fts_insert AFTER INSERT ON samples
BEGIN
  INSERT INTO samples_fts (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;

CREATE TRIGGER samples_are_kept BEFORE DELETE ON samples
BEGIN
  SELECT RAISE(ABORT, 'samples are evidence and are never deleted');
END;

CREATE TABLE threads (
  id INTEGER PRIMARY KEY,
  -- A thread is about one listing or one ISP.
  listing_id INTEGER REFERENCES listings(id),
  isp_id INTEGER REFERENCES isps(id),
  subject TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  outcome TEXT,
  created_at TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES investigators(id),
  resolved_at TEXT,
  resolved_by INTEGER REFERENCES investigators(id),
  CHECK ((listing_id IS NULL) <> (isp_id IS NULL))
) STRICT;

CREATE INDEX threads_by_listing ON threads (listing_id, id) WHERE listing_id IS NOT NULL;
CREATE INDEX threads_by_isp ON threads (isp_id, id) WHERE isp_id IS NOT NULL;

CREATE TABLE thread_messages (
  id INTEGER PRIMARY KEY,
  thread_id INTEGER NOT NULL REFERENCES threads(id),
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')),
  -- For mail: the raw bytes (deflate-compressed) and their SHA-256; NULL for a note.
  raw BLOB,
  sha256 BLOB CHECK (sha256 IS NULL OR length(sha256) = 32),
  from_address TEXT,
  to_address TEXT,
  subject TEXT,
  sent_at TEXT,
  message_id TEXT,
  body_text TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES investigators(id)
) STRICT;

CREATE INDEX thread_messages_by_thread ON thread_messages (thread_id, id);

CREATE VIRTUAL TABLE thread_messages_fts USING fts5 (subject, body_text, content='thread_messages', content_rowid='id');

CREATE TRIGGER thread_messages_fts_insert AFTER INSERT ON thread_messages
BEGIN
  INSERT INTO thread_messages_fts (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;

CREATE TRIGGER thread_messages_are_kept BEFORE DELETE ON thread_messages
BEGIN
  SELECT RAISE(ABORT, 'correspondence is never deleted');
END;
`,
};
