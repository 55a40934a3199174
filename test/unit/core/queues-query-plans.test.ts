/**
 * The review queues' queries use the indexes they were written for: a queue page by status,
 * by assignee and status, the relist count by address (once per imported request), a request's
 * listings and samples, the samples from an address, a nomination's MTAs, and the dashboard's
 * open requests. Each plan is of the statement the code runs (imported from it), so a change
 * to a query is checked here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';
import { openDatabase } from '../../../main/core/db/connection.js';
import { sql, type Sql } from '../../../main/core/db/sql.js';
import { DELISTING_QUEUE, NOMINATION_QUEUE, openItemsSql, queuePageSql } from '../../../main/core/queues/queue.js';
import { relistCountSql, requestListingsSql, requestSamplesWhere } from '../../../main/core/queues/delisting-rows.js';
import { nominationMtasSql } from '../../../main/core/queues/nomination-rows.js';
import { samplesFromSql } from '../../../main/core/queues/aids.js';
import type { QueueFilter } from '../../../shared/queues.js';

const plan = planReader();
// A second connection to build the statements (an assignee filter looks its person up).
const connection = openDatabase(':memory:');
connection.write.run(sql`INSERT INTO investigators (name, roles, created_at) VALUES ('Alice', 'reviewer', '2026-01-01')`);
const now = new Date('2026-11-28T12:00:00.000Z');
const key = Buffer.alloc(16);
const address = { ip: '45.1.2.3', family: 4 as const, value: 0n, key };
const page = (filter: Partial<QueueFilter>) => ({ afterId: 0, limit: 200, ...filter });

for (const { name, query, expected } of [
  {
    name: 'an open queue page (keyset by id) searches by status',
    query: queuePageSql(connection.read, DELISTING_QUEUE, page({ status: 'open' }), null, now).page,
    expected: /^SEARCH delisting_requests USING INDEX delisting_by_status \(status=\? AND id>\?\)/,
  },
  {
    name: "one assignee's open requests search by assignee and status",
    query: queuePageSql(connection.read, DELISTING_QUEUE, page({ status: 'open', assignee: 'Alice' }), null, now).page,
    expected: /^SEARCH delisting_requests USING INDEX delisting_by_assignee \(assignee_id=\? AND status=\?/,
  },
  {
    name: 'the open nominations search by status',
    query: queuePageSql(connection.read, NOMINATION_QUEUE, page({ status: 'open' }), null, now).page,
    expected: /^SEARCH nominations USING INDEX nominations_by_status \(status=\? AND id>\?\)/,
  },
  {
    name: 'the relist count of an address',
    query: relistCountSql(4, key),
    expected: /^SEARCH delisting_requests USING INDEX delisting_by_address \(family=\? AND key=\?\)$/,
  },
  {
    name: "a request's listings",
    query: requestListingsSql(1),
    expected: /^SEARCH delisting_listings USING PRIMARY KEY \(request_id=\?\)$/,
  },
  {
    name: "a request's samples: linked to its listings, or sent from its address",
    query: sql`SELECT id FROM samples WHERE ${requestSamplesWhere(1, 4, key)} ORDER BY id DESC LIMIT 50`,
    expected: /SEARCH delisting_listings USING PRIMARY KEY \(request_id=\?\).*SEARCH samples USING COVERING INDEX samples_by_source \(source_family=\? AND source_key=\?\)/,
  },
  {
    name: 'the spam samples from an address',
    query: samplesFromSql(address),
    expected: /^SEARCH samples USING COVERING INDEX samples_by_source \(source_family=\? AND source_key=\?\)$/,
  },
  {
    name: "a nomination's MTAs in order",
    query: nominationMtasSql(1),
    expected: /^SEARCH nomination_mtas USING INDEX nomination_mtas_by_nomination \(nomination_id=\?\)$/,
  },
  {
    name: "the dashboard's open requests",
    query: openItemsSql(DELISTING_QUEUE),
    expected: /^SEARCH q USING INDEX delisting_by_status \(status=\?\)/,
  },
] satisfies Array<{ name: string; query: Sql; expected: RegExp }>) {
  test(name, () => {
    const detail = plan(query.text, [...query.values]);
    assert.match(detail, expected, detail);
  });
}
