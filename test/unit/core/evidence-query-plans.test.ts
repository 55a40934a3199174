/**
 * The evidence queries use the indexes they were written for: on a fresh, migrated database,
 * EXPLAIN QUERY PLAN names them (a listing with many samples must not scan the samples table, a
 * delisting import joining threads must not scan the threads). Each plan is of the statement the
 * code runs, imported from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';
import type { Sql } from '../../../main/core/db/sql.js';
import { SAMPLE_BY_SHA256_SQL, listingSampleDaysSql, listingSamplesSql, sampleListingsSql } from '../../../main/core/evidence/samples.js';
import { ispThreadsSql, listingThreadsSql, threadMessagesSql } from '../../../main/core/evidence/threads.js';
import { threadMessageIdsSql } from '../../../main/core/evidence/mail.js';
import { openThreadWithSql } from '../../../main/core/queues/correspondence.js';

const plan = planReader();

const CASES: Array<{ name: string; query: Sql; expected: RegExp[]; forbidden?: RegExp }> = [
  {
    name: "a listing's samples, newest first, keyset-paged",
    query: listingSamplesSql(1, 100, 50),
    expected: [/SEARCH k USING PRIMARY KEY \(listing_id=\? AND sample_id<\?\)/, /SEARCH s USING INTEGER PRIMARY KEY \(rowid=\?\)/],
    forbidden: /TEMP B-TREE|SCAN s\b/,
  },
  {
    name: 'a message already stored (dedupe by SHA-256)',
    query: { text: SAMPLE_BY_SHA256_SQL, values: [Buffer.alloc(32)] },
    expected: [/SEARCH samples USING INDEX sqlite_autoindex_samples_1 \(sha256=\?\)/],
  },
  {
    name: 'the listings a sample is linked to',
    query: sampleListingsSql(1),
    expected: [/SEARCH sample_links USING COVERING INDEX sample_links_by_sample \(sample_id=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: "a listing's samples per day (statistics)",
    query: listingSampleDaysSql(1),
    expected: [/SEARCH k USING PRIMARY KEY \(listing_id=\?\)/, /SEARCH s USING INTEGER PRIMARY KEY \(rowid=\?\)/],
  },
  {
    name: "a listing's threads",
    query: listingThreadsSql(1),
    expected: [/SEARCH t USING INDEX threads_by_listing \(listing_id=\?\)/],
  },
  {
    name: "an ISP's threads",
    query: ispThreadsSql(1),
    expected: [/SEARCH t USING INDEX threads_by_isp \(isp_id=\?\)/],
  },
  {
    name: "a delisting request joins its record's open thread with the same requester",
    query: openThreadWithSql(1, 'ops@isp.example'),
    expected: [/SEARCH threads USING (COVERING )?INDEX threads_by_correspondent \(listing_id=\? AND correspondent=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'what a reply answers: the message ids of its thread, in order',
    query: threadMessageIdsSql(1),
    expected: [/SEARCH thread_messages USING INDEX thread_messages_by_thread \(thread_id=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: "a thread's messages in order",
    query: threadMessagesSql(1),
    expected: [/^SEARCH m USING INDEX thread_messages_by_thread \(thread_id=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
];

for (const item of CASES) {
  test(`query plan: ${item.name}`, () => {
    const detail = plan(item.query.text, [...item.query.values]);
    for (const expected of item.expected) assert.match(detail, expected, detail);
    if (item.forbidden) assert.doesNotMatch(detail, item.forbidden, detail);
  });
}
