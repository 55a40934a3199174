/**
 * 0016: the dashboard counts what the one rule says is in force (main/core/rule/), not the
 * stored status. A listing's part in the figures depends on its status, suppression end, expiry
 * and investigator, and on the clock: the journal now records, for every change of any of these,
 * what they were before (the fold compares the rule then and now), and the fold also takes in
 * the listings whose expiry or suppression end, or whose DUL submission's effective date or
 * revert, fell between its last run and now (found by the indexes below), with no history event.
 * Countries keep their own union of their ISPs' ranges (a range two ISPs of one country claim
 * counts once), remembering the country each ISP was folded under. The figures are counted anew
 * by the next fold.
 */
export const migration = {
  version: 16,
  name: 'dashboard-rule',
  sql: `
DROP TRIGGER listings_dashboard_journal;
DROP TABLE dashboard_journal;

CREATE TABLE dashboard_journal (
  id INTEGER PRIMARY KEY,
  listing_id INTEGER NOT NULL,
  at TEXT NOT NULL,
  old_status TEXT NOT NULL,
  old_suppressed_until TEXT,
  old_expires_at TEXT,
  old_investigator_id INTEGER NOT NULL,
  new_status TEXT NOT NULL
) STRICT;

CREATE TRIGGER listings_dashboard_journal AFTER UPDATE OF status, suppressed_until, expires_at, investigator_id ON listings
WHEN old.status IS NOT new.status OR old.suppressed_until IS NOT new.suppressed_until OR old.expires_at IS NOT new.expires_at
  OR old.investigator_id IS NOT new.investigator_id
BEGIN
  INSERT INTO dashboard_journal (listing_id, at, old_status, old_suppressed_until, old_expires_at, old_investigator_id, new_status)
  VALUES (new.id, new.updated_at, old.status, old.suppressed_until, old.expires_at, old.investigator_id, new.status);
END;

-- The time the figures count for: the rule's T at the last fold (NULL: nothing folded yet).
ALTER TABLE dashboard_state ADD COLUMN folded_at TEXT;

-- The country each ISP's ranges were last folded under (an ISP's country can change).
CREATE TABLE dashboard_isp_countries (
  isp_id INTEGER PRIMARY KEY,
  country TEXT NOT NULL
) STRICT;

-- Suppressions end by the clock, and DUL submissions take effect by it: the fold finds what
-- ended or began since it last ran.
CREATE INDEX listings_by_suppression_end ON listings (suppressed_until) WHERE suppressed_until IS NOT NULL;
CREATE INDEX dul_submissions_by_effective ON dul_submissions (effective_at) WHERE effective_at IS NOT NULL;
CREATE INDEX dul_submissions_by_revert ON dul_submissions (reverted_at) WHERE reverted_at IS NOT NULL;

DELETE FROM dashboard_segments;
DELETE FROM dashboard_totals;
DELETE FROM dashboard_daily;
UPDATE dashboard_state SET folded_max_id = 0, folded_at = NULL;
`,
};
