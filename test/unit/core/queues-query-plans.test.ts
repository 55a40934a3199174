/**
 * The review queues' queries use the indexes they were written for: a queue page by status,
 * by assignee and status, the relist count by address (once per imported request), a request's
 * listings, the samples from an address, and the dashboard's open requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';

const plan = planReader();
const key = Buffer.alloc(16);
const open = JSON.stringify(['new', 'needs-information']);

for (const { name, query, values, expected } of [
  {
    name: 'an open queue page (keyset by id) searches by status',
    query: 'SELECT * FROM delisting_requests WHERE 1 = 1 AND status IN (SELECT value FROM json_each(?)) AND id > ? ORDER BY id LIMIT ?',
    values: [open, 0, 200],
    expected: /^SEARCH delisting_requests USING INDEX delisting_by_status \(status=\? AND id>\?\)/,
  },
  {
    name: "one assignee's open requests search by assignee and status",
    query: 'SELECT * FROM delisting_requests WHERE 1 = 1 AND status IN (SELECT value FROM json_each(?)) AND assignee_id = ? AND id > ? ORDER BY id LIMIT ?',
    values: [open, 1, 0, 200],
    expected: /^SEARCH delisting_requests USING INDEX delisting_by_assignee \(assignee_id=\? AND status=\?/,
  },
  {
    name: 'the open nominations search by status',
    query: 'SELECT * FROM nominations WHERE 1 = 1 AND status IN (SELECT value FROM json_each(?)) AND id > ? ORDER BY id LIMIT ?',
    values: [open, 0, 200],
    expected: /^SEARCH nominations USING INDEX nominations_by_status \(status=\? AND id>\?\)/,
  },
  {
    name: 'the relist count of an address',
    query: "SELECT count(*) AS count FROM delisting_requests WHERE family = ? AND key = ? AND decision IN ('remove-temporarily', 'delist')",
    values: [4, key],
    expected: /^SEARCH delisting_requests USING INDEX delisting_by_address \(family=\? AND key=\?\)$/,
  },
  {
    name: "a request's listings",
    query: 'SELECT listing_id FROM delisting_listings WHERE request_id = ? ORDER BY listing_id',
    values: [1],
    expected: /^SEARCH delisting_listings USING PRIMARY KEY \(request_id=\?\)$/,
  },
  {
    name: 'the spam samples from an address',
    query: 'SELECT id FROM samples WHERE source_family = ? AND source_key = ? ORDER BY id DESC LIMIT 20',
    values: [4, key],
    expected: /^SEARCH samples USING COVERING INDEX samples_by_source \(source_family=\? AND source_key=\?\)$/,
  },
  {
    name: "a nomination's MTAs in order",
    query: 'SELECT ip FROM nomination_mtas WHERE nomination_id = ? ORDER BY position',
    values: [1],
    expected: /^SEARCH nomination_mtas USING INDEX nomination_mtas_by_nomination \(nomination_id=\?\)$/,
  },
  {
    name: "the dashboard's open requests",
    query:
      'SELECT q.received_at, q.due_at, q.assignee_id, i.name FROM delisting_requests q LEFT JOIN investigators i ON i.id = q.assignee_id WHERE q.status IN (SELECT value FROM json_each(?))',
    values: [open],
    expected: /^SEARCH q USING INDEX delisting_by_status \(status=\?\)/,
  },
]) {
  test(name, () => {
    const detail = plan(query, values);
    assert.match(detail, expected, detail);
  });
}
