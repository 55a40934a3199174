/**
 * The dashboard's queries use the keys they were written for: opening it reads a few rows of
 * the materialised tables, and a fold touches only the chunks and journal rows it needs, with a
 * million listings as with ten. Each plan is of the statement the code runs, imported from the
 * module that runs it, so a change to a query is checked here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';
import type { Sql } from '../../../main/core/db/sql.js';
import { CHUNKS_WITHIN_SQL, CHUNK_AT_OR_BEFORE_SQL } from '../../../main/core/dashboard/scope-store.js';
import { chunkEndSql, clockChangesSql, clockMovedSql, journalledChangesSql, newListingsSql } from '../../../main/core/dashboard/counters.js';
import { dailyRowsSql, inForceWithExpirySql, snapshotEventSql, unpublishedEventsSql } from '../../../main/core/dashboard/dashboard.js';

const plan = planReader();
const FROM = '2026-11-28T00:00:00.000Z';
const TO = '2026-11-29T00:00:00.000Z';
const [expiries, suppressionEnds, dulDates] = clockChangesSql(FROM, TO);

for (const { name, query, expected } of [
  {
    name: 'the chunk at or before a unit (the one earlier chunk that can reach into a change)',
    query: { text: CHUNK_AT_OR_BEFORE_SQL, values: ['list:RBL', 4, 5] },
    expected: [/^SEARCH dashboard_segments USING PRIMARY KEY \(scope=\? AND family=\? AND first<\?\)$/],
  },
  {
    name: 'the chunks starting inside a changed range',
    query: { text: CHUNKS_WITHIN_SQL, values: ['list:RBL', 4, 5, 9] },
    expected: [/^SEARCH dashboard_segments USING PRIMARY KEY \(scope=\? AND family=\? AND first>\? AND first<\?\)$/],
  },
  {
    name: "the id that ends a fold step's chunk: a rowid range",
    query: chunkEndSql(1, 4096),
    expected: [/^SEARCH listings USING (COVERING INDEX \w+ \(rowid>\?\)|INTEGER PRIMARY KEY \(rowid>\?\))$/],
  },
  {
    name: 'listings new since the last fold: a rowid range',
    query: newListingsSql(1, 2),
    expected: [/^SEARCH listings USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)$/],
  },
  {
    name: 'journalled status changes joined to their listings by rowid',
    query: journalledChangesSql(1, 2),
    expected: [/^SEARCH j USING INTEGER PRIMARY KEY \(rowid<\?\) \| SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)$/],
  },
  {
    name: 'active listings whose expiry is still ahead: a range of the partial expiry index, covering',
    query: inForceWithExpirySql(FROM),
    expected: [/^SEARCH listings USING COVERING INDEX listings_active_by_expiry \(expires_at>\?\) \| USE TEMP B-TREE FOR GROUP BY$/],
  },
  {
    name: 'the daily rollup of a period',
    query: dailyRowsSql('2026-01-01'),
    expected: [/^SEARCH dashboard_daily USING PRIMARY KEY \(day>\?\)$/],
  },
  {
    name: 'the publish event of the latest snapshot',
    query: snapshotEventSql(1),
    expected: [/^SEARCH events USING (COVERING )?INDEX events_by_subject \(subject_type=\? AND subject_id=\?\)$/],
  },
  {
    name: 'listing events after a publish: a rowid range, stopped at the cap',
    query: unpublishedEventsSql(1),
    expected: [/^SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)$/],
  },
  {
    name: 'listings whose expiry fell between two folds: a range of the expiry index',
    query: expiries,
    expected: [/^SEARCH listings USING (COVERING )?INDEX listings_(active_)?by_expiry \(expires_at>\? AND expires_at<\?\)$/],
  },
  {
    name: 'listings whose removal ended between two folds: a range of the suppression-end index',
    query: suppressionEnds,
    expected: [/^SEARCH listings USING COVERING INDEX listings_by_suppression_end \(suppressed_until>\? AND suppressed_until<\?\)$/],
  },
  {
    name: 'DUL submissions that took effect or were reverted between two folds: two index ranges',
    query: dulDates,
    expected: [/MULTI-INDEX OR[^]*INDEX dul_submissions_by_effective \(effective_at>\? AND effective_at<\?\)[^]*INDEX dul_submissions_by_revert \(reverted_at>\? AND reverted_at<\?\)/],
  },
  {
    name: 'the listings the clock moved between two folds: each part a range of its index, the listings then by rowid',
    query: clockMovedSql(FROM, TO, 2),
    expected: [
      /SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)/,
      /INDEX listings_(active_)?by_expiry \(expires_at>\? AND expires_at<\?\)/,
      /INDEX listings_by_suppression_end \(suppressed_until>\? AND suppressed_until<\?\)/,
      /SEARCH listings USING (COVERING )?INDEX listings_by_submission \(submission_id=\?\)/,
      /INDEX dul_submissions_by_effective \(effective_at>\? AND effective_at<\?\)/,
      /SEARCH dul_replaced USING (COVERING )?(PRIMARY KEY|INDEX \w+) \(submission_id=\?\)/,
    ],
  },
] satisfies Array<{ name: string; query: Sql; expected: RegExp[] }>) {
  test(name, () => {
    const detail = plan(query.text, [...query.values]);
    for (const pattern of expected) assert.match(detail, pattern, detail);
  });
}
