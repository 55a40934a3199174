/**
 * The dashboard's queries use the keys they were written for: opening it reads a few rows of
 * the materialised tables, and a fold touches only the chunks and journal rows it needs, with a
 * million listings as with ten.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';

const plan = planReader();

for (const { name, query, values, expected } of [
  {
    name: 'the chunk at or before a unit (the one earlier chunk that can reach into a change)',
    query: 'SELECT first, last, segments FROM dashboard_segments WHERE scope = ? AND family = ? AND first <= ? ORDER BY first DESC LIMIT 1',
    values: ['list:RBL', 4, 5],
    expected: /^SEARCH dashboard_segments USING PRIMARY KEY \(scope=\? AND family=\? AND first<\?\)$/,
  },
  {
    name: 'the chunks starting inside a changed range',
    query: 'SELECT first, last, segments FROM dashboard_segments WHERE scope = ? AND family = ? AND first > ? AND first <= ?',
    values: ['list:RBL', 4, 5, 9],
    expected: /^SEARCH dashboard_segments USING PRIMARY KEY \(scope=\? AND family=\? AND first>\? AND first<\?\)$/,
  },
  {
    name: 'listings new since the last fold: a rowid range',
    query: 'SELECT list, family, hex(first), hex(last), status FROM listings WHERE id > ? AND id <= ?',
    values: [1, 2],
    expected: /^SEARCH listings USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)$/,
  },
  {
    name: 'journalled status changes joined to their listings by rowid',
    query: 'SELECT j.old_status, l.list FROM dashboard_journal j JOIN listings l ON l.id = j.listing_id WHERE j.id <= ? AND j.listing_id <= ? ORDER BY j.id',
    values: [1, 2],
    expected: /^SEARCH j USING INTEGER PRIMARY KEY \(rowid<\?\) \| SEARCH l USING INTEGER PRIMARY KEY \(rowid=\?\)$/,
  },
  {
    name: 'active listings whose expiry is still ahead: a range of the partial expiry index, covering',
    query: "SELECT list, count(*) AS count FROM listings INDEXED BY listings_active_by_expiry WHERE expires_at > ? AND status = 'active' GROUP BY list",
    values: ['2026-11-28T00:00:00.000Z'],
    expected: /^SEARCH listings USING COVERING INDEX listings_active_by_expiry \(expires_at>\?\) \| USE TEMP B-TREE FOR GROUP BY$/,
  },
  {
    name: 'the daily rollup of a period',
    query: 'SELECT day, list, listed, delisted FROM dashboard_daily WHERE day >= ? ORDER BY day',
    values: ['2026-01-01'],
    expected: /^SEARCH dashboard_daily USING PRIMARY KEY \(day>\?\)$/,
  },
  {
    name: 'the publish event of the latest snapshot',
    query: "SELECT max(id) AS id FROM events WHERE subject_type = 'snapshot' AND subject_id = ?",
    values: [1],
    expected: /^SEARCH events USING (COVERING )?INDEX events_by_subject \(subject_type=\? AND subject_id=\?\)$/,
  },
  {
    name: 'listing events after a publish: a rowid range, stopped at the cap',
    query: "SELECT action, subject_id, subject_last, at FROM events WHERE id > ? AND +subject_type = 'listing' ORDER BY id LIMIT 100001",
    values: [1],
    expected: /^SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)$/,
  },
  {
    name: 'listings whose expiry fell between two folds: a range of the expiry index',
    query: 'SELECT 1 FROM listings WHERE expires_at > ? AND expires_at <= ? LIMIT 1',
    values: ['2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    expected: /^SEARCH listings USING (COVERING )?INDEX listings_(active_)?by_expiry \(expires_at>\? AND expires_at<\?\)$/,
  },
  {
    name: 'listings whose removal ended between two folds: a range of the suppression-end index',
    query: 'SELECT 1 FROM listings WHERE suppressed_until > ? AND suppressed_until <= ? LIMIT 1',
    values: ['2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    expected: /^SEARCH listings USING COVERING INDEX listings_by_suppression_end \(suppressed_until>\? AND suppressed_until<\?\)$/,
  },
  {
    name: 'DUL submissions that took effect or were reverted between two folds: two index ranges',
    query: 'SELECT 1 FROM dul_submissions WHERE (effective_at > ? AND effective_at <= ?) OR (reverted_at > ? AND reverted_at <= ?) LIMIT 1',
    values: ['2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z', '2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    expected: /MULTI-INDEX OR[^]*INDEX dul_submissions_by_effective \(effective_at>\? AND effective_at<\?\)[^]*INDEX dul_submissions_by_revert \(reverted_at>\? AND reverted_at<\?\)/,
  },
  {
    name: 'the listings of a submission that took effect: the submission index',
    query: 'SELECT id FROM listings WHERE submission_id IN (SELECT id FROM dul_submissions WHERE effective_at > ? AND effective_at <= ?)',
    values: ['2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    expected: /SEARCH listings USING (COVERING )?INDEX listings_by_submission \(submission_id=\?\)/,
  },
]) {
  test(name, () => {
    const detail = plan(query, values);
    assert.match(detail, expected, detail);
  });
}
