/**
 * The evidence queries use the indexes they were written for: on a fresh, migrated database,
 * EXPLAIN QUERY PLAN names them (a listing with many samples must not scan the samples table, a
 * delisting import joining threads must not scan the threads).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';

const plan = planReader();

const CASES: Array<{ name: string; query: string; values: unknown[]; expected: RegExp[]; forbidden?: RegExp }> = [
  {
    name: "a listing's samples, newest first, keyset-paged",
    query: `SELECT s.id, s.subject FROM sample_links k JOIN samples s ON s.id = k.sample_id
            WHERE k.listing_id = ? AND k.sample_id < ? ORDER BY k.sample_id DESC LIMIT ?`,
    values: [1, 100, 50],
    expected: [/SEARCH k USING PRIMARY KEY \(listing_id=\? AND sample_id<\?\)/, /SEARCH s USING INTEGER PRIMARY KEY \(rowid=\?\)/],
    forbidden: /TEMP B-TREE|SCAN s\b/,
  },
  {
    name: 'a message already stored (dedupe by SHA-256)',
    query: 'SELECT id, source_ip, subject FROM samples WHERE sha256 = ?',
    values: [Buffer.alloc(32)],
    expected: [/SEARCH samples USING INDEX sqlite_autoindex_samples_1 \(sha256=\?\)/],
  },
  {
    name: 'the listings a sample is linked to',
    query: 'SELECT listing_id FROM sample_links WHERE sample_id = ? ORDER BY listing_id',
    values: [1],
    expected: [/SEARCH sample_links USING COVERING INDEX sample_links_by_sample \(sample_id=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: "a listing's samples per day (statistics)",
    query: `SELECT substr(coalesce(s.sent_at, s.imported_at), 1, 10) AS day, count(*) FROM sample_links k JOIN samples s ON s.id = k.sample_id
            WHERE k.listing_id = ? GROUP BY day`,
    values: [1],
    expected: [/SEARCH k USING PRIMARY KEY \(listing_id=\?\)/, /SEARCH s USING INTEGER PRIMARY KEY \(rowid=\?\)/],
  },
  {
    name: "a listing's threads",
    query: "SELECT id FROM threads WHERE listing_id = ? ORDER BY status = 'resolved', id DESC",
    values: [1],
    expected: [/SEARCH threads USING INDEX threads_by_listing \(listing_id=\?\)/],
  },
  {
    name: "an ISP's threads",
    query: "SELECT id FROM threads WHERE isp_id = ? ORDER BY status = 'resolved', id DESC",
    values: [1],
    expected: [/SEARCH threads USING INDEX threads_by_isp \(isp_id=\?\)/],
  },
  {
    name: "a delisting request joins its record's open thread with the same requester",
    query: "SELECT id FROM threads WHERE listing_id = ? AND correspondent = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
    values: [1, 'ops@isp.example'],
    expected: [/SEARCH threads USING (COVERING )?INDEX threads_by_correspondent \(listing_id=\? AND correspondent=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: 'what a reply answers: the message ids of its thread, in order',
    query: 'SELECT direction, message_id FROM thread_messages WHERE thread_id = ? AND message_id IS NOT NULL ORDER BY id',
    values: [1],
    expected: [/SEARCH thread_messages USING INDEX thread_messages_by_thread \(thread_id=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
  {
    name: "a thread's messages in order",
    query: 'SELECT id, body_text FROM thread_messages WHERE thread_id = ? ORDER BY id',
    values: [1],
    expected: [/SEARCH thread_messages USING INDEX thread_messages_by_thread \(thread_id=\?\)/],
    forbidden: /TEMP B-TREE/,
  },
];

for (const item of CASES) {
  test(`query plan: ${item.name}`, () => {
    const detail = plan(item.query, item.values);
    for (const expected of item.expected) assert.match(detail, expected);
    if (item.forbidden) assert.doesNotMatch(detail, item.forbidden);
  });
}
