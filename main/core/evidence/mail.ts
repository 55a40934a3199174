/**
 * Correspondence threads as the threads screens and the review queues share them: a thread
 * belongs to exactly one listing, ISP, GAL nomination or delisting request; mail goes in as
 * inbound or outbound messages (raw bytes kept compressed, with their SHA-256) or as internal
 * notes. A reply is composed here (compose.ts) with its threading headers (In-Reply-To the
 * latest mail received, References every message id of the thread) and stored: those stored
 * bytes are what is exported as .eml and what the relay is given.
 */
import { randomBytes } from 'node:crypto';
import type { RelayStatus, ThreadDirection } from '../../../shared/evidence.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { composeMail, mailText } from './compose.js';
import { compress, messageHash } from './message.js';

/** What a thread is about: one of these, never two. */
export type ThreadOwner = { readonly listingId: number } | { readonly ispId: number } | { readonly nominationId: number } | { readonly delistingId: number };

/** Open a thread (the caller writes the history event); `correspondent`: who outside the team it is with, when it is opened for them. */
export function openThread(db: WriteDb, owner: ThreadOwner, subject: string, actorId: number, at: string, correspondent: string | null = null): number {
  const listingId = 'listingId' in owner ? owner.listingId : null;
  const ispId = 'ispId' in owner ? owner.ispId : null;
  const nominationId = 'nominationId' in owner ? owner.nominationId : null;
  const delistingId = 'delistingId' in owner ? owner.delistingId : null;
  return Number(
    db.run(sql`INSERT INTO threads (listing_id, isp_id, nomination_id, delisting_id, subject, correspondent, created_at, created_by)
      VALUES (${listingId}, ${ispId}, ${nominationId}, ${delistingId}, ${subject}, ${correspondent?.trim().toLowerCase() ?? null}, ${at}, ${actorId})`).lastInsertRowid,
  );
}

export interface ThreadMessageInput {
  readonly direction: ThreadDirection;
  readonly raw: Buffer | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly subject: string | null;
  readonly sentAt: string | null;
  readonly messageId: string | null;
  readonly text: string;
}

/** Messages a batch stores before indexing them at the end pays. */
const MIN_MESSAGES_INDEXED_AT_END = 1000;

/**
 * Run `work`, which stores many messages (a queue import filing each request's mail), inside the
 * caller's transaction with the full-text index of messages filled once at the end instead of by
 * the insert trigger row by row: one INSERT ... SELECT indexes the same text at about a third of
 * the cost (measured: 110,000 messages 2.6 s CPU by the trigger, 1.0 s at once, 0.4 s unindexed).
 * The trigger stands aside while `messages_indexed_at_end` holds a row (migration 0020), which is
 * written and deleted in the same transaction: no reader ever sees it, a failure leaves nothing,
 * and the schema does not change (a change would make every connection prepare every statement
 * again).
 */
export function withMessagesIndexedAtEnd<T>(db: WriteDb, messages: number, work: () => T): T {
  if (messages < MIN_MESSAGES_INDEXED_AT_END) return work();
  const before = db.get<{ high: number | null }>(sql`SELECT max(id) AS high FROM thread_messages`)?.high ?? 0;
  db.run(sql`INSERT INTO messages_indexed_at_end (id) VALUES (1)`);
  try {
    return work();
  } finally {
    // Also after a failure the caller may catch: what was stored is indexed, and the trigger is back.
    db.run(sql`INSERT INTO thread_messages_fts (rowid, subject, body_text) SELECT id, subject, body_text FROM thread_messages WHERE id > ${before} ORDER BY id`);
    db.run(sql`DELETE FROM messages_indexed_at_end`);
  }
}

/** Store one message (mail or note) in a thread; returns its id. */
export function insertThreadMessage(db: WriteDb, threadId: number, actorId: number, at: string, message: ThreadMessageInput): number {
  return Number(
    db.run(sql`INSERT INTO thread_messages (thread_id, direction, raw, sha256, from_address, to_address, subject, sent_at, message_id, body_text, created_at, created_by)
      VALUES (${threadId}, ${message.direction}, ${message.raw ? compress(message.raw) : null}, ${message.raw ? messageHash(message.raw) : null}, ${message.from}, ${message.to},
        ${message.subject}, ${message.sentAt}, ${message.messageId}, ${message.text}, ${at}, ${actorId})`).lastInsertRowid,
  );
}

/** A message id must look like `<left@right>` to go into a header; an imported message may carry anything. */
function asMessageId(id: string | null): string | null {
  if (id === null) return null;
  const bracketed = id.startsWith('<') ? id : `<${id}>`;
  return /^<[^<>\s]+@[^<>\s]+>$/.test(bracketed) ? bracketed : null;
}

/** What a reply in this thread answers: the latest mail received, and every message id of the thread in order (at most 20, the latest kept). */
export function threadingOf(db: ReadDb, threadId: number): { inReplyTo: string | null; references: string[] } {
  const rows = db.all<{ direction: ThreadDirection; message_id: string | null }>(
    threadMessageIdsSql(threadId),
  );
  const ids = rows.map((row) => ({ ...row, id: asMessageId(row.message_id) })).filter((row): row is typeof row & { id: string } => row.id !== null);
  const inbound = ids.filter((row) => row.direction === 'inbound');
  const references = [...new Set(ids.map((row) => row.id))].slice(-20);
  return { inReplyTo: inbound.length > 0 ? inbound[inbound.length - 1].id : null, references };
}

/** The subject a reply carries: `Re:` the mail it answers, else the given one. */
export function replySubject(db: ReadDb, threadId: number, fallback: string): string {
  const latest = db.get<{ subject: string | null }>(
    sql`SELECT subject FROM thread_messages WHERE thread_id = ${threadId} AND direction = 'inbound' AND subject IS NOT NULL ORDER BY id DESC LIMIT 1`,
  );
  if (!latest?.subject) return fallback;
  return /^re:/i.test(latest.subject) ? latest.subject : `Re: ${latest.subject}`;
}

/** A new message id in the domain replies come from. */
export function newMessageId(settings: Settings): string {
  return `<${randomBytes(12).toString('hex')}@${settings.evidence.replyFrom.split('@')[1]}>`;
}

/** The mail address in a contact as people write it (`Name <a@b.example>`, `a@b.example`), or null when there is none. */
export function mailAddressOf(contact: string): string | null {
  const bracketed = /<([^<>\s@]+@[^<>\s@]+)>/.exec(contact)?.[1];
  const address = bracketed ?? contact.trim();
  return /^[\x21-\x3b\x3d\x3f-\x7e]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(address) && !/[(),;:<>"[\]\\]/.test(address) ? address : null;
}

export interface ReplyInput {
  /** The recipient's mail address; null when the contact given is none (the reply is then kept as a note to send some other way). */
  readonly to: string | null;
  readonly subject: string;
  readonly text: string;
}

/**
 * Store a reply in a thread: composed as mail (see the module comment) when it has a recipient,
 * else kept as an internal note that says it could not go out as mail. Returns the message's id.
 */
export function storeReply(db: WriteDb, threadId: number, actorId: number, reply: ReplyInput, settings: Settings, now: Date): { id: number; messageId: string | null } {
  const at = now.toISOString();
  if (reply.to === null) {
    const text = `Reply to send by other means (the contact given is not a mail address):\n\n${reply.text}`;
    return { id: insertThreadMessage(db, threadId, actorId, at, { direction: 'note', raw: null, from: null, to: null, subject: reply.subject, sentAt: null, messageId: null, text }), messageId: null };
  }
  const messageId = newMessageId(settings);
  const { inReplyTo, references } = threadingOf(db, threadId);
  const raw = composeMail({ from: settings.evidence.replyFrom, to: reply.to, subject: reply.subject, text: reply.text, date: now, messageId, inReplyTo, references });
  const id = insertThreadMessage(db, threadId, actorId, at, {
    direction: 'outbound',
    raw,
    from: settings.evidence.replyFrom,
    to: reply.to,
    subject: reply.subject,
    sentAt: at,
    messageId,
    text: mailText(reply.text),
  });
  return { id, messageId };
}

/** Whether replies can be sent from RepDesk, and through what, or why not: said before anyone clicks. */
export function relayStatus(settings: Settings): RelayStatus {
  const { host, port, secure } = settings.evidence.smtp;
  if (host === '') {
    return { isConfigured: false, text: 'No mail relay is configured (setting evidence.smtp.host), so RepDesk cannot send: export the .eml and send it from your mail program.' };
  }
  return { isConfigured: true, text: `Sent through the relay ${host}:${port} (${secure ? 'TLS' : 'STARTTLS when the relay offers it'}), from ${settings.evidence.replyFrom}.` };
}

/** The message ids of a thread's messages in order (what a reply answers). */
export function threadMessageIdsSql(threadId: number): Sql {
  return sql`SELECT direction, message_id FROM thread_messages WHERE thread_id = ${threadId} AND message_id IS NOT NULL ORDER BY id`;
}
