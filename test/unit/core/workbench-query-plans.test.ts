/**
 * Every filter and sort of the listings table is answered through an index on a million rows:
 * on a fresh, migrated database, EXPLAIN QUERY PLAN of the very SQL the query builder writes
 * never scans the listings table without an index, and the common ones need no sort step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';
import { compileFilter, ftsQuery, pageSql, textMatchSql } from '../../../main/core/workbench/query.js';
import { openDatabase } from '../../../main/core/db/connection.js';
import { ListingIndex } from '../../../main/core/lookup/listing-index.js';
import { sql } from '../../../main/core/db/sql.js';
import { readTerms } from '../../../main/core/rule/in-force.js';
import { SORT_COLUMNS, type ListingFilter, type ListingSort, type PageCursor } from '../../../shared/workbench.js';

const plan = planReader();
// A second connection to compile filters (names must resolve): an investigator and an ISP exist.
const connection = openDatabase(':memory:');
connection.write.run(sql`INSERT INTO investigators (name, roles, created_at) VALUES ('Alice', 'investigator', '2026-01-01')`);
connection.write.run(sql`INSERT INTO isps (name, created_at, updated_at) VALUES ('Example Net', '2026-01-01', '2026-01-01')`);
const index = new ListingIndex(connection.read);

function planOf(filter: ListingFilter, sort: ListingSort, after: PageCursor | null = null): string {
  const compiled = compileFilter(connection.read, index, filter, readTerms(connection.read, '2026-11-28T12:00:00.000Z'));
  const query = pageSql(compiled.where, sort, after, 201);
  return plan(query.text, [...query.values]);
}

/** A scan of the listings table itself, not through an index (the FTS tables' own scans are their index lookups). */
const NO_BARE_SCAN = /SCAN (l|listings)(?= \||$)/;

const CURSORS: Record<(typeof SORT_COLUMNS)[number], PageCursor> = {
  changed: { key: ['2026-11-01T00:00:00.000Z'], id: 5 },
  created: { key: [], id: 5 },
  range: { key: [4, '00000000000000000000FFFFC0000200', '00000000000000000000FFFFC00002FF'], id: 5 },
  expires: { key: ['2026-11-01T00:00:00.000Z'], id: 5 },
  id: { key: [], id: 5 },
};

for (const column of SORT_COLUMNS) {
  for (const descending of [false, true]) {
    test(`sort by ${column} ${descending ? 'descending' : 'ascending'}: first and next pages walk an index with no sort step`, () => {
      for (const after of [null, CURSORS[column]]) {
        const text = planOf({}, { column, descending }, after);
        // The first page by id walks the rowid b-tree itself (LIMIT stops it); a next page seeks.
        const isRowidOrder = column === 'id' || column === 'created';
        if (isRowidOrder && !after) assert.match(text, /^SCAN l \|/, text);
        else assert.doesNotMatch(text, NO_BARE_SCAN, text);
        if (isRowidOrder && after) assert.match(text, /SEARCH l USING INTEGER PRIMARY KEY \(rowid[<>]\?\)/, text);
        assert.doesNotMatch(text, /USE TEMP B-TREE FOR ORDER BY/, text);
        if (after && !isRowidOrder) assert.match(text, /SEARCH l USING INDEX/, `the keyset seeks into the index: ${text}`);
      }
    });
  }
}

const EQUALITY: Array<[string, ListingFilter, RegExp]> = [
  ['a smaller list', { list: 'GAL' }, /SEARCH l USING INDEX listings_by_list \(list=\?/],
  ['list RBL (most rows)', { list: 'RBL' }, /SCAN l USING INDEX listings_by_updated/],
  ['a rare status', { status: 'delisted' }, /SEARCH l USING INDEX listings_by_status \(status=\?/],
  ['status active (most rows)', { status: 'active' }, /SCAN l USING INDEX listings_by_updated/],
  ['status suppressed (removed until a date still ahead)', { status: 'suppressed' }, /SEARCH l USING INDEX listings_by_status \(status=\?/],
  ['status expired (past its expiry, whatever is stored: walks the sort)', { status: 'expired' }, /SCAN l USING INDEX listings_by_updated/],
  ['investigator (walks the sort)', { investigator: 'Alice' }, /SCAN l USING INDEX listings_by_updated/],
  ['changed range', { changedFrom: '2026-11-01', changedTo: '2026-11-02' }, /SEARCH l USING INDEX listings_by_updated \(updated_at>\? AND updated_at<\?\)/],
];
for (const [name, filter, expected] of EQUALITY) {
  test(`filter by ${name} with the default sort (last change) seeks its index and needs no sort step`, () => {
    const text = planOf(filter, { column: 'changed', descending: true });
    assert.match(text, expected, text);
    assert.doesNotMatch(text, /TEMP B-TREE FOR ORDER BY/, text);
  });
}

const SELECTIVE: Array<[string, ListingFilter, RegExp]> = [
  ['contains IP', { ip: '192.0.2.1' }, /SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)/],
  ['overlaps CIDR', { cidr: '192.0.2.0/24' }, /MULTI-INDEX OR|INDEX listings_by_range \(family=\? AND first>\? AND first<\?\)/],
  ['ISP', { isp: 'Example Net' }, /SEARCH l USING INDEX listings_by_submission \(submission_id=\?\)/],
  ['reason (no index of its own: walks the sort)', { reason: 'open-relay' }, /SCAN l USING INDEX listings_by_updated/],
  ['created range (no index of its own: walks the sort)', { createdFrom: '2026-11-01', createdTo: '2026-11-02' }, /SCAN l USING INDEX listings_by_updated/],
  ['free text', { q: 'spam' }, /SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)/],
];
for (const [name, filter, expected] of SELECTIVE) {
  for (const column of SORT_COLUMNS) {
    test(`filter by ${name}, sorted by ${column}: found through an index, never a scan of the listings`, () => {
      const text = planOf(filter, { column, descending: true });
      if (column !== 'id' && column !== 'created') assert.doesNotMatch(text, NO_BARE_SCAN, text);
      const isSelective = name === 'free text' || name === 'contains IP' || name === 'overlaps CIDR' || name === 'ISP';
      if ((isSelective && column === 'id') || (!isSelective && column === 'changed')) assert.match(text, expected, text);
    });
  }
}

test('free text reaches listings, samples and correspondence through their FTS indexes', () => {
  const matching = textMatchSql(ftsQuery('spam'));
  const text = plan(matching.text, [...matching.values]);
  assert.match(text, /SCAN listings_fts VIRTUAL TABLE INDEX/, text);
  assert.match(text, /SCAN samples_fts VIRTUAL TABLE INDEX/, text);
  assert.match(text, /SCAN thread_messages_fts VIRTUAL TABLE INDEX/, text);
  assert.match(text, /SEARCH sl USING (COVERING )?INDEX sample_links_by_sample/, text);
  assert.match(text, /SEARCH t USING INTEGER PRIMARY KEY/, text);
});

test('the sample count of a row is a search of the sample links, not a scan', () => {
  const text = planOf({}, { column: 'changed', descending: true });
  assert.match(text, /SEARCH s USING PRIMARY KEY \(listing_id=\?\)/, text);
});
