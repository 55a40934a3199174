/**
 * Every query that runs on the listings or events tables at scale must use the index it was
 * written for: on a fresh, migrated database, EXPLAIN QUERY PLAN names it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';

const plan = planReader();

const key = Buffer.alloc(16);

const CASES: Array<{ name: string; query: string; values: unknown[]; expected: RegExp; forbidden?: RegExp }> = [
  {
    name: 'a listing by id (lookup results, record view)',
    query: 'SELECT l.id FROM listings l JOIN investigators i ON i.id = l.investigator_id WHERE l.id = ?',
    values: [1],
    expected: /SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)/,
  },
  {
    name: 'the address index loads in address order without sorting',
    query: 'SELECT id, family, hex(first), hex(last) FROM listings ORDER BY family, first',
    values: [],
    expected: /SCAN listings USING COVERING INDEX listings_by_range/,
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'listings added by another process since the last look',
    query: 'SELECT id, family, hex(first), hex(last) FROM listings WHERE id > ? ORDER BY id',
    values: [0],
    expected: /SEARCH listings USING INTEGER PRIMARY KEY \(rowid>\?\)/,
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'an identical active listing on the same list (duplicate check on add and import)',
    query: "SELECT id FROM listings WHERE family = ? AND first = ? AND last = ? AND list = ? AND status = 'active'",
    values: [4, key, key, 'RBL'],
    expected: /SEARCH listings USING INDEX listings_by_range \(family=\? AND first=\? AND last=\?\)/,
  },
  {
    name: "a record's own history events",
    query: 'SELECT id FROM events WHERE subject_type = ? AND subject_id = ? AND subject_last IS NULL ORDER BY id DESC',
    values: ['listing', 1],
    expected: /SEARCH events USING INDEX events_by_subject \(subject_type=\? AND subject_id=\?\)/,
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'batch events (imports) covering a record',
    query: 'SELECT id FROM events WHERE subject_type = ? AND subject_last IS NOT NULL AND subject_id <= ? AND subject_last >= ?',
    values: ['listing', 1, 1],
    expected: /SEARCH events USING (COVERING )?INDEX events_by_batch \(subject_type=\? AND subject_id<\?\)/,
  },
  {
    name: 'the history chain tip when appending',
    query: 'SELECT id, hash FROM events ORDER BY id DESC LIMIT 1',
    values: [],
    expected: /SCAN events/,
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'the last live snapshot (diff base, dashboard, approvals)',
    query: "SELECT serial, in_force, manifest_sha256 FROM snapshots WHERE state = 'live' ORDER BY serial DESC LIMIT 1",
    values: [],
    expected: /SEARCH snapshots USING INDEX snapshots_by_state \(state=\?\)/,
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'the largest serial given out (next serial)',
    query: 'SELECT max(serial) AS serial FROM snapshots',
    values: [],
    expected: /SEARCH snapshots USING COVERING INDEX sqlite_autoindex_snapshots_1/,
  },
  {
    name: 'the largest serial the history names (next serial, abandoned ones too)',
    query: "SELECT max(subject_id) AS serial FROM events WHERE subject_type = 'snapshot'",
    values: [],
    expected: /SEARCH events USING COVERING INDEX events_by_subject \(subject_type=\?\)/,
  },
];

for (const { name, query, values, expected, forbidden } of CASES) {
  test(`query plan: ${name}`, () => {
    const detail = plan(query, values);
    assert.match(detail, expected, detail);
    if (forbidden) assert.doesNotMatch(detail, forbidden, detail);
  });
}
