/**
 * 0006: the investigator's workbench. Indexes for the listings table's filters and sorts (each
 * sort is its column then the id, so keyset pages walk an index with no sort step; an equality
 * filter on list, status, reason or investigator leads the index of the default "last change"
 * sort), full text over the TXT and notes of listings, and saved views per investigator.
 */
export const migration = {
  version: 6,
  name: 'workbench',
  sql: `
CREATE INDEX listings_by_updated ON listings (updated_at);
CREATE INDEX listings_by_created ON listings (created_at);
CREATE INDEX listings_by_expiry ON listings (coalesce(expires_at, ''));
CREATE INDEX listings_by_list ON listings (list, updated_at);
-- Only the statuses that are few: most listings are active (a filter on that walks the sort's own
-- index), and an index over active rows would tempt the planner away from the DUL queries'
-- listings_by_submission (submission_id, status).
CREATE INDEX listings_by_status ON listings (status, updated_at) WHERE status <> 'active';
-- The status sort, over an expression: no filter on status can pick it by mistake.
CREATE INDEX listings_by_status_sort ON listings ((status || ''), updated_at);
CREATE INDEX listings_by_reason ON listings (reason, updated_at);
CREATE INDEX listings_by_investigator ON listings (investigator_id, updated_at);

-- Full text over a listing's TXT and its notes (the ISP's note on a DUL range), rowid = listing
-- id. Only listings with some text have a row, so a million bare imports cost nothing here.
CREATE VIRTUAL TABLE listings_fts USING fts5 (txt, notes);

INSERT INTO listings_fts (rowid, txt, notes)
  SELECT l.id, l.txt, n.note FROM listings l LEFT JOIN dul_range_notes n ON n.listing_id = l.id
  WHERE l.txt IS NOT NULL OR n.note IS NOT NULL;

CREATE TRIGGER listings_fts_insert AFTER INSERT ON listings WHEN new.txt IS NOT NULL
BEGIN
  INSERT INTO listings_fts (rowid, txt, notes) VALUES (new.id, new.txt, NULL);
END;

CREATE TRIGGER listings_fts_update AFTER UPDATE OF txt ON listings WHEN new.txt IS NOT old.txt
BEGIN
  DELETE FROM listings_fts WHERE rowid = new.id;
  INSERT INTO listings_fts (rowid, txt, notes)
    SELECT new.id, new.txt, (SELECT note FROM dul_range_notes WHERE listing_id = new.id)
    WHERE new.txt IS NOT NULL OR EXISTS (SELECT 1 FROM dul_range_notes WHERE listing_id = new.id);
END;

CREATE TRIGGER listings_fts_note AFTER INSERT ON dul_range_notes
BEGIN
  DELETE FROM listings_fts WHERE rowid = new.listing_id;
  INSERT INTO listings_fts (rowid, txt, notes) VALUES (new.listing_id, (SELECT txt FROM listings WHERE id = new.listing_id), new.note);
END;

CREATE TABLE saved_views (
  investigator_id INTEGER NOT NULL REFERENCES investigators(id),
  name TEXT NOT NULL COLLATE NOCASE,
  query TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (investigator_id, name)
) STRICT, WITHOUT ROWID;
`,
};
