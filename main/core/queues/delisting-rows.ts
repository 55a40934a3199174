/**
 * A delisting request as the database holds it, and the queries about it that more than one
 * place asks (the reviewer's screen, the replies, intake): its listings, the spam samples that
 * concern it, and how often its address came back after a removal. The query-plan tests read
 * these statements from here.
 */
import type { Family } from '../../../shared/address.js';
import type { DelistingStatus } from '../../../shared/queues.js';
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';

/** A row of delisting_requests. */
export interface RequestRow {
  id: number;
  ip: string;
  family: 4 | 6;
  key: Buffer;
  requester: string;
  reason: string;
  source: string;
  received_at: string;
  due_at: string;
  status: DelistingStatus;
  assignee_id: number | null;
  routing: string;
  relist_count: number;
  decision: string | null;
  decided_at: string | null;
  decided_by: number | null;
  decision_reason: string | null;
  reply: string | null;
  until: string | null;
  thread_id: number | null;
}

/** The ids of the listings a request concerns, in id order. */
export function requestListingsSql(requestId: number): Sql {
  return sql`SELECT listing_id FROM delisting_listings WHERE request_id = ${requestId} ORDER BY listing_id`;
}

export function requestListingIds(db: ReadDb, requestId: number): number[] {
  return db.all<{ listing_id: number }>(requestListingsSql(requestId)).map((row) => row.listing_id);
}

/** The spam samples that concern a request: linked to one of its listings, or sent from its address (a condition on samples.id). */
export function requestSamplesWhere(requestId: number, family: Family, key: Buffer): Sql {
  return sql`id IN (
      SELECT sample_id FROM sample_links WHERE listing_id IN (SELECT listing_id FROM delisting_listings WHERE request_id = ${requestId})
      UNION SELECT id FROM samples WHERE source_family = ${family} AND source_key = ${key})`;
}

/** How often an address was removed before (temporarily or for good): its next temporary removal is shorter. */
export function relistCountSql(family: Family, key: Buffer): Sql {
  return sql`SELECT count(*) AS count FROM delisting_requests WHERE family = ${family} AND key = ${key} AND decision IN ('remove-temporarily', 'delist')`;
}
