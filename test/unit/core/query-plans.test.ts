/**
 * Every query that runs on the listings or events tables at scale must use the index it was
 * written for: on a fresh, migrated database, EXPLAIN QUERY PLAN names it. Each plan is of the
 * statement the code runs, imported from the module that runs it, so a change to a query is
 * checked here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';
import { sql, type Sql } from '../../../main/core/db/sql.js';
import { FIND_LISTING_SQL } from '../../../main/core/listings/listings.js';
import { rangeChunkSql } from '../../../main/core/lookup/range-reader.js';
import { newListingsSql } from '../../../main/core/lookup/listing-index.js';
import { activeDuplicateSql } from '../../../main/core/listings/changes.js';
import { CHAIN_TIP_SQL, historyOfSql } from '../../../main/core/audit/history.js';
import { LAST_LIVE_SNAPSHOT_SQL } from '../../../main/core/publish/prepare.js';
import { LARGEST_EVENT_SERIAL_SQL, LARGEST_SERIAL_SQL } from '../../../main/core/publish/record.js';

const plan = planReader();

const key = Buffer.alloc(16);

const CASES: Array<{ name: string; query: Sql; expected: RegExp[]; forbidden?: RegExp }> = [
  {
    name: 'a listing by id (lookup results, record view)',
    query: { text: FIND_LISTING_SQL, values: [1] },
    expected: [/SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)/],
    forbidden: /SCAN l\b/,
  },
  {
    name: 'the address index reads a chunk of ranges at a time, in id order without sorting',
    query: rangeChunkSql(0, sql`1`),
    expected: [/SEARCH l USING INTEGER PRIMARY KEY \(rowid>\?\)/],
    forbidden: /TEMP B-TREE|SCAN l\b/,
  },
  {
    name: 'listings added by another process since the last look (all, or the ranges only)',
    query: newListingsSql(0, sql`1`),
    expected: [/SEARCH l USING INTEGER PRIMARY KEY \(rowid>\?\)/],
    forbidden: /TEMP B-TREE|SCAN l\b/,
  },
  {
    name: 'listings added since the last look, the ranges only (single addresses are found in SQLite)',
    query: newListingsSql(0, sql`span > 0`),
    expected: [/SEARCH l USING INTEGER PRIMARY KEY \(rowid>\?\)/],
    forbidden: /TEMP B-TREE|SCAN l\b/,
  },
  {
    name: 'an identical active listing on the same list (duplicate check on add and edit)',
    query: activeDuplicateSql(4, key, key, 'RBL', 0),
    expected: [/SEARCH l USING INDEX listings_by_range \(family=\? AND first=\? AND last=\?\)/],
  },
  {
    name: "a record's history: its own events, and batch events (imports) covering it",
    query: historyOfSql('listing', 1),
    expected: [
      /SEARCH events USING INDEX events_by_subject \(subject_type=\? AND subject_id=\?\)/,
      /SEARCH events USING (COVERING )?INDEX events_by_batch \(subject_type=\? AND subject_id<\?\)/,
    ],
    forbidden: /SCAN events\b/,
  },
  {
    name: 'the history chain tip when appending',
    query: CHAIN_TIP_SQL,
    expected: [/SCAN events/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'the last live snapshot (diff base)',
    query: LAST_LIVE_SNAPSHOT_SQL,
    expected: [/SEARCH snapshots USING INDEX snapshots_by_state \(state=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'the largest serial given out (next serial)',
    query: LARGEST_SERIAL_SQL,
    expected: [/SEARCH snapshots USING COVERING INDEX sqlite_autoindex_snapshots_1/],
  },
  {
    name: 'the largest serial the history names (next serial, abandoned ones too)',
    query: LARGEST_EVENT_SERIAL_SQL,
    expected: [/SEARCH events USING COVERING INDEX events_by_subject \(subject_type=\?\)/],
  },
];

for (const { name, query, expected, forbidden } of CASES) {
  test(`query plan: ${name}`, () => {
    const detail = plan(query.text, [...query.values]);
    for (const pattern of expected) assert.match(detail, pattern, detail);
    if (forbidden) assert.doesNotMatch(detail, forbidden, detail);
  });
}
