/**
 * The DUL queries that run against a million-row listings table use the indexes they were
 * written for: on a fresh, migrated database, EXPLAIN QUERY PLAN names them. Each plan is of the
 * statement the code runs, imported from the module that runs it, so a change to a query is
 * checked here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';
import type { Sql } from '../../../main/core/db/sql.js';
import { activeRangeCountSql, exclusionsSql, ispRangesSql } from '../../../main/core/dul/isps.js';
import { currentSetSql, overlapCandidatesSql } from '../../../main/core/dul/submission-preview.js';
import { laterSubmissionSql, replacedListingsSql, replacedSetSql, restoredNotesSql, submissionListingsSql } from '../../../main/core/dul/submissions.js';
import { delistManySql, restoreCopiesSql } from '../../../main/core/listings/batches.js';
import { inForceChunkSql } from '../../../main/core/rule/listings-in-force.js';
import { inForceSql } from '../../../main/core/rule/in-force.js';

const plan = planReader();
const AT = '2026-11-28T00:00:00.000Z';

const CASES: Array<{ name: string; query: Sql; expected: RegExp[]; forbidden?: RegExp }> = [
  {
    name: "an ISP's current set in address order (preview diff)",
    query: currentSetSql(1),
    expected: [/SEARCH s USING COVERING INDEX dul_submissions_by_isp \(isp_id=\?\)/, /SEARCH l USING INDEX listings_by_submission \(submission_id=\? AND status=\?\)/],
    forbidden: /SCAN (l|listings)\b/,
  },
  {
    name: "an ISP's active range count",
    query: activeRangeCountSql(1),
    expected: [/SEARCH s USING COVERING INDEX dul_submissions_by_isp \(isp_id=\?\)/, /SEARCH l USING COVERING INDEX listings_by_submission \(submission_id=\? AND status=\?\)/],
  },
  {
    name: "a revert delists the submission's active listings: by the submission index, then by rowid",
    query: delistManySql(submissionListingsSql(1), AT),
    expected: [/SEARCH listings USING COVERING INDEX listings_by_submission \(submission_id=\? AND status=\?\)/, /SEARCH listings USING INTEGER PRIMARY KEY \(rowid=\?\)/],
    forbidden: /SCAN listings\b/,
  },
  {
    name: 'a revert restores copies of the listings the replace delisted: by the replaced key, then by rowid',
    query: restoreCopiesSql(replacedListingsSql(1), AT),
    // (The foreign keys' checks of the child tables, planned with any INSERT into listings, run only while a violation is pending.)
    expected: [/SEARCH dul_replaced USING (COVERING )?(PRIMARY KEY|INDEX \w+) \(submission_id=\?\)/, /SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)/],
    // In the order of the ids, as the replaced key gives them: no sort of a million copies.
    forbidden: /SCAN l\b|TEMP B-TREE/,
  },
  {
    name: 'a replace delists what it replaced: by the replaced key, then by rowid',
    query: delistManySql(replacedListingsSql(1), AT),
    expected: [/SEARCH dul_replaced USING (COVERING )?(PRIMARY KEY|INDEX \w+) \(submission_id=\?\)/, /SEARCH listings USING INTEGER PRIMARY KEY \(rowid=\?\)/],
    forbidden: /SCAN (listings|dul_replaced)\b/,
  },
  {
    name: 'a later submission of the same ISP still in force (revert order)',
    query: laterSubmissionSql(1, 1),
    expected: [/SEARCH dul_submissions USING INDEX dul_submissions_by_isp \(isp_id=\? AND id>\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: "a replace's delisted set, taken in one statement",
    query: replacedSetSql(2, 1),
    expected: [/SEARCH s USING COVERING INDEX dul_submissions_by_isp \(isp_id=\?\)/, /SEARCH l USING COVERING INDEX listings_by_submission \(submission_id=\? AND status=\?\)/],
  },
  {
    name: 'policy notes carried to the restored listings (revert)',
    query: restoredNotesSql(1, 1, 2),
    expected: [/SEARCH r USING PRIMARY KEY \(submission_id=\?\)/, /SEARCH n USING (COVERING )?INDEX listings_by_range \(family=\? AND first=\? AND last=\?/],
    forbidden: /SCAN (n|o|listings)\b/,
  },
  {
    name: "a submission's exclusions",
    query: exclusionsSql(1),
    expected: [/SEARCH dul_exclusions USING INDEX dul_exclusions_by_submission \(submission_id=\?\)/],
  },
  {
    name: "an ISP's active ranges with their notes, keyset-paged (ISP page)",
    query: ispRangesSql(1, 0, 100),
    expected: [
      /SEARCH s USING COVERING INDEX dul_submissions_by_isp \(isp_id=\?\)/,
      /SEARCH l USING INDEX listings_by_submission \(submission_id=\? AND status=\? AND rowid>\?\)/,
      /SEARCH n USING INTEGER PRIMARY KEY \(rowid=\?\) LEFT-JOIN/,
    ],
    forbidden: /SCAN (l|n|listings)\b/,
  },
  {
    name: 'active DUL, GAL and RBL listings outside the ISP (preview overlaps): one pass over the table, no index-driven random reads',
    query: overlapCandidatesSql(1),
    expected: [/SCAN l\b/],
    forbidden: /listings_by_(status|list)/,
  },
  {
    name: 'the listings in force at publish time, a keyset chunk: in id order, no sort, no status index',
    query: inForceChunkSql(0, inForceSql({ at: AT, waiting: new Set(), replacing: new Set() }, '', true)),
    expected: [/SEARCH listings USING INTEGER PRIMARY KEY \(rowid>\?\)/],
    forbidden: /TEMP B-TREE|MULTI-INDEX|listings_by_status/,
  },
  {
    name: 'the same chunk while a DUL submission effective later is pending: a replaced listing sought by key',
    query: inForceChunkSql(0, inForceSql({ at: AT, waiting: new Set([2]), replacing: new Set([2]) }, '', true)),
    expected: [/SEARCH listings USING INTEGER PRIMARY KEY \(rowid>\?\)/, /SEARCH r USING (COVERING )?(PRIMARY KEY|INDEX \w+) \(submission_id=\? AND listing_id=\?\)/],
    forbidden: /TEMP B-TREE|MULTI-INDEX|listings_by_status|SCAN (r|dul_replaced)\b/,
  },
];

for (const { name, query, expected, forbidden } of CASES) {
  test(`query plan: ${name}`, () => {
    const detail = plan(query.text, [...query.values]);
    for (const pattern of expected) assert.match(detail, pattern, detail);
    if (forbidden) assert.doesNotMatch(detail, forbidden, detail);
  });
}
