/**
 * 0006: the investigator's workbench. Indexes for the listings table's filters and sorts (each
 * sort is its column then the id, so keyset pages walk an index with no sort step; an equality
 * filter on a smaller list or a status other than active leads the index of the default "last
 * change" sort),
 * full text over the TXT and notes of listings, and saved views per investigator. Every index on
 * listings slows a bulk import (about +50-100% per index measured here), so there are few:
 * "created" sorts by id (ids are given in creation order); reason, investigator and date filters
 * walk the sort's index.
 */
export const migration = {
  version: 6,
  name: 'workbench',
  sql: `
CREATE INDEX listings_by_updated ON listings (updated_at);
-- Partial indexes cost a bulk import nothing for the rows they leave out. Most listings are RBL
-- and active: a filter on those walks the sort's own index. An index over active rows would also
-- tempt the planner away from the DUL queries' listings_by_submission (submission_id, status).
CREATE INDEX listings_by_list ON listings (list, updated_at) WHERE list <> 'RBL';
CREATE INDEX listings_by_status ON listings (status, updated_at) WHERE status <> 'active';
-- Only QIL (and DUL with a valid-until) listings expire; the expiry sort shows those.
CREATE INDEX listings_by_expiry ON listings (expires_at) WHERE expires_at IS NOT NULL;

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
