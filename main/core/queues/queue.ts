/**
 * The review queues' one engine: what GAL nominations and delisting requests share as queues.
 * Their statuses (and which of them are open), the assignee, when an item is due (computed here
 * and nowhere else: received + the queue's hours from the settings), its age and whether it is
 * overdue, the filters of a queue page, and the dashboard's summary of a queue. Each queue
 * (nominations.ts, delisting.ts) keeps only what is its own: intake, checks, decisions, replies.
 */
import {
  AGE_BUCKET_HOURS,
  AGE_BUCKETS,
  DELISTING_STATUSES,
  NOMINATION_STATUSES,
  OPEN_DELISTING_STATUSES,
  OPEN_NOMINATION_STATUSES,
  type AgeBucket,
  type QueueFilter,
  type QueuePage,
  type QueueSummary,
} from '../../../shared/queues.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { identifier, joinSql, sql, type Sql } from '../db/sql.js';
import { invalidInput } from '../errors.js';

const HOUR_MS = 3_600_000;
const QUEUE_TABLES = ['nominations', 'delisting_requests'] as const;

/** One queue: its table, its statuses and which of them are open, and how long an item may wait. */
export interface Queue {
  readonly table: (typeof QUEUE_TABLES)[number];
  readonly statuses: readonly string[];
  readonly open: readonly string[];
  /** Hours from receipt until an item is due (a setting of its own per queue). */
  readonly dueHours: (settings: Settings) => number;
}

export const NOMINATION_QUEUE: Queue = {
  table: 'nominations',
  statuses: NOMINATION_STATUSES,
  open: OPEN_NOMINATION_STATUSES,
  dueHours: (settings) => settings.queues.nominationDueHours,
};

export const DELISTING_QUEUE: Queue = {
  table: 'delisting_requests',
  statuses: DELISTING_STATUSES,
  open: OPEN_DELISTING_STATUSES,
  dueHours: (settings) => settings.queues.delistingDueHours,
};

/** The columns every queue's table has and the engine reads. */
export interface QueueRow {
  readonly id: number;
  readonly status: string;
  readonly assignee_id: number | null;
  readonly received_at: string;
  readonly due_at: string;
}

/** When an item received at `receivedAt` is due: the one place a queue's due time is computed. */
export function dueAt(queue: Queue, receivedAt: string, settings: Settings): string {
  return new Date(new Date(receivedAt).getTime() + queue.dueHours(settings) * HOUR_MS).toISOString();
}

/** Hours since `receivedAt`, to a tenth. */
export function ageHours(receivedAt: string, now: Date): number {
  return Math.max(0, Math.round(((now.getTime() - new Date(receivedAt).getTime()) / HOUR_MS) * 10) / 10);
}

/** The age bucket of an item received `hours` ago (the summary's and the filter's buckets). */
export function ageBucket(hours: number): AgeBucket {
  return AGE_BUCKETS.find((bucket) => hours < AGE_BUCKET_HOURS[bucket][1]) ?? 'over-7-days';
}

/** Whether an item in `status` is still open (undecided) in its queue. */
export function isOpen(queue: Queue, status: string): boolean {
  return queue.open.includes(status);
}

/** An item's place in its queue as every view shows it: received, due, age, and overdue (open and past due). */
export function queueTiming(queue: Queue, row: QueueRow, now: Date): { receivedAt: string; dueAt: string; ageHours: number; isOverdue: boolean } {
  return {
    receivedAt: row.received_at,
    dueAt: row.due_at,
    ageHours: ageHours(row.received_at, now),
    isOverdue: isOpen(queue, row.status) && row.due_at < now.toISOString(),
  };
}

/** The queue's open statuses, as a condition on its table (or on its table as `q`). */
function openOnly(queue: Queue, isAliased = false): Sql {
  const open = JSON.stringify(queue.open);
  return isAliased ? sql`q.status IN (SELECT value FROM json_each(${open}))` : sql`status IN (SELECT value FROM json_each(${open}))`;
}

/** The filters of a queue page (status or `open`, assignee, `me` or `none`, overdue or an age bucket), shared by the page and its count. */
export function queueWhere(db: ReadDb, queue: Queue, filter: QueueFilter, actorName: string | null, now: Date): Sql {
  const clauses: Sql[] = [sql`1 = 1`];
  if (filter.status !== undefined && filter.status !== '') {
    if (filter.status === 'open') clauses.push(openOnly(queue));
    else if (!queue.statuses.includes(filter.status)) throw invalidInput(`status ${JSON.stringify(filter.status)} is not one of open, ${queue.statuses.join(', ')}`);
    else clauses.push(sql`status = ${filter.status}`);
  }
  if (filter.assignee !== undefined && filter.assignee !== '') {
    if (filter.assignee === 'none') clauses.push(sql`assignee_id IS NULL`);
    else {
      const name = filter.assignee === 'me' ? actorName : filter.assignee;
      if (!name) throw invalidInput('assignee "me" needs a signed-in investigator');
      const person = db.get<{ id: number }>(sql`SELECT id FROM investigators WHERE name = ${name}`);
      if (!person) throw invalidInput(`no investigator named ${JSON.stringify(name)}`);
      clauses.push(sql`assignee_id = ${person.id}`);
    }
  }
  if (filter.age === 'overdue') clauses.push(sql`due_at < ${now.toISOString()} AND ${openOnly(queue)}`);
  else if (filter.age !== undefined) {
    // The same buckets as the summary: received more than `from` and at most `to` hours ago.
    const [from, to] = AGE_BUCKET_HOURS[filter.age];
    const at = (hours: number) => new Date(now.getTime() - hours * HOUR_MS).toISOString();
    clauses.push(sql`received_at <= ${at(from)} AND ${openOnly(queue)}`);
    if (Number.isFinite(to)) clauses.push(sql`received_at > ${at(to)}`);
  }
  return joinSql(clauses, ' AND ');
}

/** The statements of a queue page: how many match the filter, and the page after `filter.afterId` (keyset by id). */
export function queuePageSql(db: ReadDb, queue: Queue, filter: QueueFilter, actorName: string | null, now: Date): { count: Sql; page: Sql } {
  const where = queueWhere(db, queue, filter, actorName, now);
  const table = identifier(queue.table, QUEUE_TABLES);
  return {
    count: sql`SELECT count(*) AS count FROM ${table} WHERE ${where}`,
    page: sql`SELECT * FROM ${table} WHERE ${where} AND id > ${filter.afterId} ORDER BY id LIMIT ${filter.limit}`,
  };
}

/** A page of a queue, each row shown by the queue's own `toView`. */
export function queuePage<Row extends QueueRow, View>(db: ReadDb, queue: Queue, filter: QueueFilter, actorName: string | null, now: Date, toView: (row: Row) => View): QueuePage<View> {
  const statements = queuePageSql(db, queue, filter, actorName, now);
  const total = db.get<{ count: number }>(statements.count)?.count ?? 0;
  return { total, items: db.all<Row>(statements.page).map(toView) };
}

/** The open items of a queue with their assignee's name: what the summary counts. */
export function openItemsSql(queue: Queue): Sql {
  return sql`SELECT q.received_at, q.due_at, q.assignee_id, i.name FROM ${identifier(queue.table, QUEUE_TABLES)} q LEFT JOIN investigators i ON i.id = q.assignee_id
    WHERE ${openOnly(queue, true)}`;
}

/** A queue's open items by age bucket and by assignee (the caller's first), and how many are overdue. */
export function summariseQueue(db: ReadDb, queue: Queue, me: number | null, now: Date): QueueSummary {
  const rows = db.all<{ received_at: string; due_at: string; assignee_id: number | null; name: string | null }>(openItemsSql(queue));
  const at = now.toISOString();
  const ages = new Map<AgeBucket, number>(AGE_BUCKETS.map((bucket) => [bucket, 0]));
  const people = new Map<number | null, { assignee: string | null; isMe: boolean; count: number }>();
  let overdue = 0;
  for (const row of rows) {
    const bucket = ageBucket((now.getTime() - new Date(row.received_at).getTime()) / HOUR_MS);
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
