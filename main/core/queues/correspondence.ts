/**
 * The review queues' mail lives in correspondence threads. A delisting request opens, or joins,
 * the thread of its record (the listing it was routed for; its open thread with the same
 * requester is joined), or, for an unlisted address, a thread of its own; the request as received
 * goes in as the requester's mail, and every reply drafted for it goes in as outbound mail (see
 * evidence/mail.ts: what is stored is what is exported and sent). A nomination's replies go into a
 * thread of its own with the nominee. Called inside the caller's transaction; the caller writes
 * the history.
 */
import type { Settings } from '../../../shared/settings.js';
import type { WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { notFound } from '../errors.js';
import type { Actor } from '../investigators/investigators.js';
import { insertThreadMessage, mailAddressOf, openThread, storeReply } from '../evidence/mail.js';

export interface RequestThread {
  readonly threadId: number;
  /** The thread was opened for this request (false: it joined its record's open thread with the same requester). */
  readonly isOpened: boolean;
}

/** The thread a request about `listingId` goes into: that record's open thread with the same requester, or a new one. */
export function threadForListing(db: WriteDb, listingId: number, ip: string, requester: string, actor: Actor, now: Date): RequestThread {
  const correspondent = requester.trim().toLowerCase();
  const joined = db.get<{ id: number }>(openThreadWithSql(listingId, correspondent));
  if (joined) return { threadId: joined.id, isOpened: false };
  return { threadId: openThread(db, { listingId }, `Delisting request for ${ip} from ${requester}`, actor.id, now.toISOString(), correspondent), isOpened: true };
}

/** The request as received, as the requester's mail in its thread. */
export function fileRequesterMail(
  db: WriteDb,
  threadId: number,
  request: { readonly ip: string; readonly requester: string; readonly reason: string; readonly receivedAt: string },
  actor: Actor,
  settings: Settings,
  now: Date,
): void {
  insertThreadMessage(db, threadId, actor.id, now.toISOString(), {
    direction: 'inbound',
    raw: null,
    from: request.requester,
    to: settings.evidence.replyFrom,
    subject: `Delisting request for ${request.ip}`,
    sentAt: request.receivedAt,
    messageId: null,
    text: request.reason,
  });
}

/**
 * File a stored delisting request's mail (see the module comment): into its record's thread
 * (`listingId`), or, for an unlisted address (null), a thread of its own; the request keeps it.
 */
export function fileDelistingRequest(
  db: WriteDb,
  request: { readonly id: number; readonly ip: string; readonly requester: string; readonly reason: string; readonly receivedAt: string },
  listingId: number | null,
  actor: Actor,
  settings: Settings,
  now: Date,
): RequestThread {
  const filed =
    listingId !== null
      ? threadForListing(db, listingId, request.ip, request.requester, actor, now)
      : { threadId: openThread(db, { delistingId: request.id }, `Delisting request for ${request.ip} from ${request.requester}`, actor.id, now.toISOString(), request.requester), isOpened: true };
  fileRequesterMail(db, filed.threadId, request, actor, settings, now);
  db.run(sql`UPDATE delisting_requests SET thread_id = ${filed.threadId} WHERE id = ${request.id}`);
  return filed;
}

/** Store the reply to a delisting request in its thread (filing the request first when it has none, as requests made before threads did). */
export function replyToDelisting(
  db: WriteDb,
  requestId: number,
  actor: Actor,
  reply: { readonly subject: string; readonly text: string },
  settings: Settings,
  now: Date,
): { threadId: number; messageId: number; isMail: boolean } {
  const row = db.get<{ id: number; ip: string; requester: string; reason: string; received_at: string; thread_id: number | null; listing_id: number | null }>(
    sql`SELECT r.id, r.ip, r.requester, r.reason, r.received_at, r.thread_id,
      (SELECT min(listing_id) FROM delisting_listings WHERE request_id = r.id) AS listing_id FROM delisting_requests r WHERE r.id = ${requestId}`,
  );
  if (!row) throw notFound(`no delisting request #${requestId}`);
  const threadId =
    row.thread_id ?? fileDelistingRequest(db, { id: row.id, ip: row.ip, requester: row.requester, reason: row.reason, receivedAt: row.received_at }, row.listing_id, actor, settings, now).threadId;
  const to = mailAddressOf(row.requester);
  const stored = storeReply(db, threadId, actor.id, { to, ...reply }, settings, now);
  return { threadId, messageId: stored.id, isMail: to !== null };
}

/** Store the reply to a nomination in its thread with the nominee, opened with the first reply. */
export function replyToNomination(
  db: WriteDb,
  nominationId: number,
  actor: Actor,
  reply: { readonly subject: string; readonly text: string },
  settings: Settings,
  now: Date,
): { threadId: number; messageId: number; isMail: boolean } {
  const row = db.get<{ contact_email: string; thread_id: number | null }>(sql`SELECT contact_email, thread_id FROM nominations WHERE id = ${nominationId}`);
  if (!row) throw notFound(`no nomination #${nominationId}`);
  let threadId = row.thread_id;
  if (threadId === null) {
    threadId = openThread(db, { nominationId }, `GAL nomination #${nominationId}`, actor.id, now.toISOString(), row.contact_email);
    db.run(sql`UPDATE nominations SET thread_id = ${threadId} WHERE id = ${nominationId}`);
  }
  const to = mailAddressOf(row.contact_email);
  const stored = storeReply(db, threadId, actor.id, { to, ...reply }, settings, now);
  return { threadId, messageId: stored.id, isMail: to !== null };
}

/** A record's latest open thread with this correspondent (a delisting request joins it). */
export function openThreadWithSql(listingId: number, correspondent: string): Sql {
  return sql`SELECT id FROM threads WHERE listing_id = ${listingId} AND correspondent = ${correspondent} AND status = 'open' ORDER BY id DESC LIMIT 1`;
}
