/** The dashboard's view of both queues: open requests by age bucket and by assignee, and how many are overdue. */
import { AGE_BUCKET_HOURS, AGE_BUCKETS, OPEN_DELISTING_STATUSES, OPEN_NOMINATION_STATUSES, type AgeBucket, type QueueSummary, type QueuesSummary } from '../../../shared/queues.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { findActor } from '../investigators/investigators.js';

/** The age bucket of a request received `hours` ago. */
export function ageBucket(hours: number): AgeBucket {
  return AGE_BUCKETS.find((bucket) => hours < AGE_BUCKET_HOURS[bucket][1]) ?? 'over-7-days';
}

function summarise(db: ReadDb, table: 'nominations' | 'delisting_requests', open: readonly string[], me: number | null, now: Date): QueueSummary {
  const rows = db.all<{ received_at: string; due_at: string; assignee_id: number | null; name: string | null }>(
    table === 'nominations'
      ? sql`SELECT q.received_at, q.due_at, q.assignee_id, i.name FROM nominations q LEFT JOIN investigators i ON i.id = q.assignee_id
            WHERE q.status IN (SELECT value FROM json_each(${JSON.stringify(open)}))`
      : sql`SELECT q.received_at, q.due_at, q.assignee_id, i.name FROM delisting_requests q LEFT JOIN investigators i ON i.id = q.assignee_id
            WHERE q.status IN (SELECT value FROM json_each(${JSON.stringify(open)}))`,
  );
  const at = now.toISOString();
  const ages = new Map<AgeBucket, number>(AGE_BUCKETS.map((bucket) => [bucket, 0]));
  const people = new Map<number | null, { assignee: string | null; isMe: boolean; count: number }>();
  let overdue = 0;
  for (const row of rows) {
    const bucket = ageBucket((now.getTime() - new Date(row.received_at).getTime()) / 3_600_000);
    ages.set(bucket, (ages.get(bucket) ?? 0) + 1);
    if (row.due_at < at) overdue += 1;
    const entry = people.get(row.assignee_id) ?? { assignee: row.name, isMe: row.assignee_id !== null && row.assignee_id === me, count: 0 };
    entry.count += 1;
    people.set(row.assignee_id, entry);
  }
  const byAssignee = [...people.values()].sort(
    (a, b) => Number(b.isMe) - Number(a.isMe) || b.count - a.count || (a.assignee ?? '\uffff').localeCompare(b.assignee ?? '\uffff'),
  );
  return { open: rows.length, overdue, byAge: AGE_BUCKETS.map((bucket) => ({ bucket, count: ages.get(bucket) ?? 0 })), byAssignee };
}

export function queuesSummary(db: ReadDb, actorName: string | null, now: Date): QueuesSummary {
  const actor = findActor(db, actorName);
  return db.snapshot((snapshot) => ({
    me: actor?.name ?? null,
    nominations: summarise(snapshot, 'nominations', OPEN_NOMINATION_STATUSES, actor?.id ?? null, now),
    delisting: summarise(snapshot, 'delisting_requests', OPEN_DELISTING_STATUSES, actor?.id ?? null, now),
  }));
}
