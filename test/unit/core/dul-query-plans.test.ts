/**
 * The DUL queries that run against a million-row listings table use the indexes they were
 * written for: on a fresh, migrated database, EXPLAIN QUERY PLAN names them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';

const plan = planReader();

const CASES: Array<{ name: string; query: string; values: unknown[]; expected: RegExp[]; forbidden?: RegExp }> = [
  {
    name: "an ISP's current set in address order (preview diff)",
    query: `SELECT l.id, l.family, hex(l.first), hex(l.last) FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active'
            WHERE s.isp_id = ? ORDER BY l.family, l.first, l.last`,
    values: [1],
    expected: [/SEARCH s USING COVERING INDEX dul_submissions_by_isp \(isp_id=\?\)/, /SEARCH l USING INDEX listings_by_submission \(submission_id=\? AND status=\?\)/],
    forbidden: /SCAN (l|listings)\b/,
  },
  {
    name: "an ISP's active range count",
    query: "SELECT count(*) FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active' WHERE s.isp_id = ?",
    values: [1],
    expected: [/SEARCH s USING COVERING INDEX dul_submissions_by_isp \(isp_id=\?\)/, /SEARCH l USING COVERING INDEX listings_by_submission \(submission_id=\? AND status=\?\)/],
  },
  {
    name: "a submission's active listings (revert, submission view)",
    query: "SELECT id FROM listings WHERE submission_id = ? AND status = 'active' ORDER BY id",
    values: [1],
    expected: [/SEARCH listings USING COVERING INDEX listings_by_submission \(submission_id=\? AND status=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'the listings a replace delisted (revert)',
    query: 'SELECT l.id FROM dul_replaced r JOIN listings l ON l.id = r.listing_id WHERE r.submission_id = ? ORDER BY l.family, l.first, l.last',
    values: [1],
    expected: [/SEARCH r USING PRIMARY KEY \(submission_id=\?\)/, /SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)/],
  },
  {
    name: "a later submission of the same ISP still in force (revert order)",
    query: 'SELECT id FROM dul_submissions WHERE isp_id = ? AND id > ? AND reverted_at IS NULL ORDER BY id LIMIT 1',
    values: [1, 1],
    expected: [/SEARCH dul_submissions USING INDEX dul_submissions_by_isp \(isp_id=\? AND id>\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: "a replace's delisted set, taken in one statement",
    query: `SELECT 1, l.id FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active' WHERE s.isp_id = ? AND s.id <> ?`,
    values: [1, 2],
    expected: [/SEARCH s USING COVERING INDEX dul_submissions_by_isp \(isp_id=\?\)/, /SEARCH l USING COVERING INDEX listings_by_submission \(submission_id=\? AND status=\?\)/],
  },
  {
    name: 'policy notes carried to the restored listings (revert)',
    query: `SELECT n.id, note.note FROM dul_replaced r JOIN dul_range_notes note ON note.listing_id = r.listing_id JOIN listings o ON o.id = r.listing_id
            JOIN listings n ON n.family = o.family AND n.first = o.first AND n.last = o.last AND n.id BETWEEN ? AND ? WHERE r.submission_id = ?`,
    values: [1, 2, 1],
    expected: [/SEARCH r USING PRIMARY KEY \(submission_id=\?\)/, /SEARCH n USING (COVERING )?INDEX listings_by_range \(family=\? AND first=\? AND last=\?/],
    forbidden: /SCAN (n|o|listings)\b/,
  },
  {
    name: "a submission's exclusions",
    query: 'SELECT hex(first), hex(last) FROM dul_exclusions WHERE submission_id = ? ORDER BY family, first',
    values: [1],
    expected: [/SEARCH dul_exclusions USING INDEX dul_exclusions_by_submission \(submission_id=\?\)/],
  },
  {
    name: "an ISP's active ranges, keyset-paged (ISP page)",
    query: `SELECT l.id FROM dul_submissions s CROSS JOIN listings l ON l.submission_id = s.id AND l.status = 'active'
            WHERE s.isp_id = ? AND l.id > ? ORDER BY l.id LIMIT 100`,
    values: [1, 0],
    expected: [/SEARCH s USING COVERING INDEX dul_submissions_by_isp \(isp_id=\?\)/, /SEARCH l USING COVERING INDEX listings_by_submission \(submission_id=\? AND status=\? AND rowid>\?\)/],
  },
  {
    name: 'active DUL, GAL and RBL listings outside the ISP (preview overlaps): one pass over the table, no index-driven random reads',
    query: `SELECT id, list, family, hex(first), hex(last), submission_id FROM listings WHERE +status = 'active' AND +list IN ('DUL', 'GAL', 'RBL')
        AND (submission_id IS NULL OR submission_id NOT IN (SELECT id FROM dul_submissions WHERE isp_id = ?))`,
    values: [1],
    expected: [/SCAN listings/],
    forbidden: /listings_by_(status|list)/,
  },
  {
    name: 'the listings in force at publish time, a keyset chunk: in id order, no sort, no status index',
    query: `SELECT id FROM listings WHERE id > ? AND (+status = 'active' OR (+status = 'suppressed' AND suppressed_until <= ?))
      AND (expires_at IS NULL OR expires_at > ?) ORDER BY id LIMIT 8192`,
    values: [0, '2026-11-28', '2026-11-28'],
    expected: [/SEARCH listings USING INTEGER PRIMARY KEY \(rowid>\?\)/],
    forbidden: /TEMP B-TREE|MULTI-INDEX|listings_by_status/,
  },
  {
    name: 'the same chunk while a DUL submission effective later is pending: a replaced listing sought by key',
    query: `SELECT id FROM listings WHERE id > ? AND (+status = 'active' OR (+status = 'suppressed' AND suppressed_until <= ?)
      OR EXISTS (SELECT 1 FROM dul_replaced r WHERE r.submission_id IN (SELECT value FROM json_each(?)) AND r.listing_id = listings.id))
      AND (expires_at IS NULL OR expires_at > ?) AND (submission_id IS NULL OR submission_id NOT IN (SELECT value FROM json_each(?))) ORDER BY id LIMIT 8192`,
    values: [0, '2026-11-28', '[2]', '2026-11-28', '[2]'],
    expected: [/SEARCH listings USING INTEGER PRIMARY KEY \(rowid>\?\)/, /SEARCH r USING (COVERING )?(PRIMARY KEY|INDEX \w+) \(submission_id=\? AND listing_id=\?\)/],
    forbidden: /TEMP B-TREE|MULTI-INDEX|listings_by_status|SCAN (r|dul_replaced)\b/,
  },
];

for (const { name, query, values, expected, forbidden } of CASES) {
  test(`query plan: ${name}`, () => {
    const detail = plan(query, values);
    for (const pattern of expected) assert.match(detail, pattern, detail);
    if (forbidden) assert.doesNotMatch(detail, forbidden, detail);
  });
}
