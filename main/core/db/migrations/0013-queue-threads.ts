/**
 * 0013: the review queues' mail lives in correspondence threads. A thread may now belong to a GAL
 * nomination or a delisting request as well as to a listing or an ISP (exactly one of the four),
 * so the threads table is rebuilt with the two new owners (its CHECK cannot be altered in place;
 * applied with foreign keys off and checked before it commits). A delisting request and a
 * nomination keep the thread their mail is in: a request's is its record's (the listing it was
 * routed for; the record's open thread with the same requester is joined) or, for an unlisted
 * address, its own; a nomination's is its own. A thread keeps who outside the team it is with.
 */
export const migration = {
  version: 13,
  name: 'queue-threads',
  rebuildsTables: true,
  sql: `
CREATE TABLE threads_rebuilt (
  id INTEGER PRIMARY KEY,
  listing_id INTEGER REFERENCES listings(id),
  isp_id INTEGER REFERENCES isps(id),
  nomination_id INTEGER REFERENCES nominations(id),
  delisting_id INTEGER REFERENCES delisting_requests(id),
  subject TEXT NOT NULL,
  -- Who outside the team the thread is with, lowercased, when it was opened for them (a delisting requester, a nominee).
  correspondent TEXT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  outcome TEXT,
  created_at TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES investigators(id),
  resolved_at TEXT,
  resolved_by INTEGER REFERENCES investigators(id),
  CHECK ((listing_id IS NOT NULL) + (isp_id IS NOT NULL) + (nomination_id IS NOT NULL) + (delisting_id IS NOT NULL) = 1)
) STRICT;

INSERT INTO threads_rebuilt (id, listing_id, isp_id, subject, status, outcome, created_at, created_by, resolved_at, resolved_by)
  SELECT id, listing_id, isp_id, subject, status, outcome, created_at, created_by, resolved_at, resolved_by FROM threads;
DROP TABLE threads;
ALTER TABLE threads_rebuilt RENAME TO threads;

CREATE INDEX threads_by_listing ON threads (listing_id, id) WHERE listing_id IS NOT NULL;
CREATE INDEX threads_by_isp ON threads (isp_id, id) WHERE isp_id IS NOT NULL;
CREATE INDEX threads_by_nomination ON threads (nomination_id, id) WHERE nomination_id IS NOT NULL;
CREATE INDEX threads_by_delisting ON threads (delisting_id, id) WHERE delisting_id IS NOT NULL;
-- A delisting request joins its record's open thread with the same requester.
CREATE INDEX threads_by_correspondent ON threads (listing_id, correspondent, id) WHERE correspondent IS NOT NULL AND status = 'open';

ALTER TABLE delisting_requests ADD COLUMN thread_id INTEGER REFERENCES threads(id);
ALTER TABLE nominations ADD COLUMN thread_id INTEGER REFERENCES threads(id);
`,
};
