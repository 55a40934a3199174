/**
 * Correspondence: threads per listing (mediation with the ISP, the sender or the requester), per
 * ISP (DUL submissions), per GAL nomination and per delisting request of an unlisted address,
 * holding inbound and outbound mail (raw bytes kept, compressed, with their SHA-256) and internal
 * notes. Replies are drafted from templates with the record's facts in words (templates.ts),
 * built as mail (compose.ts, through mail.ts), stored as outbound messages, exported as .eml and
 * sent through the relay as those same bytes. Resolving a thread records its outcome in the
 * history of what it is about. Listing and delisting threads are written by investigators,
 * liaisons and reviewers (who decide delisting requests), ISP threads by liaisons, nomination
 * threads by reviewers and investigators.
 */
import type { Role } from '../../../shared/domain.js';
import type { RawMessage, ReplyDraft, ReplyTemplate, ThreadDetail, ThreadImportResult, ThreadMessageView, ThreadOutcome, ThreadSummary } from '../../../shared/evidence.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import { AppError, conflict, invalidInput, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { requireAnyRole, type Actor } from '../investigators/investigators.js';
import { findIsp } from '../dul/isps.js';
import { getListing } from '../listings/listings.js';
import { insertThreadMessage, openThread, relayStatus, storeReply, threadingOf } from './mail.js';
import { decompress, parseMessage, type ParsedMessage } from './message.js';
import { readMessages, type MessageSource } from './sources.js';
import { ispFacts, listingFacts, queueFacts, TEMPLATE_TEXT } from './templates.js';
import type { MessageOutcome } from '../../../shared/evidence.js';

interface ThreadRow {
  id: number;
  listing_id: number | null;
  isp_id: number | null;
  nomination_id: number | null;
  delisting_id: number | null;
  isp: string | null;
  subject: string;
  status: 'open' | 'resolved';
  outcome: string | null;
  message_count: number;
  last_at: string | null;
  created_at: string;
  created_by: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

const THREAD_SELECT = sql`SELECT t.id, t.listing_id, t.isp_id, t.nomination_id, t.delisting_id, i.name AS isp, t.subject, t.status, t.outcome, t.created_at, t.resolved_at,
    (SELECT count(*) FROM thread_messages m WHERE m.thread_id = t.id) AS message_count,
    (SELECT max(m.created_at) FROM thread_messages m WHERE m.thread_id = t.id) AS last_at,
    (SELECT name FROM investigators WHERE id = t.created_by) AS created_by,
    (SELECT name FROM investigators WHERE id = t.resolved_by) AS resolved_by
  FROM threads t LEFT JOIN isps i ON i.id = t.isp_id`;

function toSummary(row: ThreadRow): ThreadSummary {
  return {
    id: row.id,
    listingId: row.listing_id,
    isp: row.isp,
    nominationId: row.nomination_id,
    delistingId: row.delisting_id,
    subject: row.subject,
    status: row.status,
    outcome: row.outcome,
    messageCount: row.message_count,
    lastAt: row.last_at ?? row.created_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
  };
}

function findThread(db: ReadDb, id: number): ThreadRow {
  const row = db.get<ThreadRow>(sql`${THREAD_SELECT} WHERE t.id = ${id}`);
  if (!row) throw notFound(`no thread #${id}`);
  return row;
}

type Owned = Pick<ThreadRow, 'listing_id' | 'isp_id' | 'nomination_id' | 'delisting_id'>;

/** Who may write in a thread: see the module comment. */
export function rolesFor(row: Owned): readonly Role[] {
  if (row.isp_id !== null) return ['liaison'];
  if (row.nomination_id !== null) return ['reviewer', 'investigator'];
  return ['investigator', 'liaison', 'reviewer'];
}

/** Where a thread's history events go: what it is about. */
export function subjectOf(row: Owned): { subjectType: 'listing' | 'isp' | 'nomination' | 'delisting'; subjectId: number } {
  if (row.listing_id !== null) return { subjectType: 'listing', subjectId: row.listing_id };
  if (row.isp_id !== null) return { subjectType: 'isp', subjectId: row.isp_id };
  if (row.nomination_id !== null) return { subjectType: 'nomination', subjectId: row.nomination_id };
  return { subjectType: 'delisting', subjectId: row.delisting_id as number };
}

/** The threads of a listing or of an ISP, open ones first, newest first. */
export function listThreads(db: ReadDb, input: { listingId?: number; isp?: string }): ThreadSummary[] {
  if (input.listingId !== undefined) {
    getListing(db, input.listingId);
    return db.all<ThreadRow>(listingThreadsSql(input.listingId)).map(toSummary);
  }
  const isp = findIsp(db, input.isp as string);
  return db.all<ThreadRow>(ispThreadsSql(isp.id)).map(toSummary);
}

interface MessageRow {
  id: number;
  direction: ThreadMessageView['direction'];
  from_address: string | null;
  to_address: string | null;
  subject: string | null;
  sent_at: string | null;
  message_id: string | null;
  body_text: string;
  has_raw: number;
  created_at: string;
  created_by: string;
}

/** A thread with its messages, oldest first, and whether its replies can be sent from here. */
export function getThread(db: ReadDb, id: number, settings: Settings): ThreadDetail {
  const row = findThread(db, id);
  const messages = db
    .all<MessageRow>(threadMessagesSql(id))
    .map(
      (message): ThreadMessageView => ({
        id: message.id,
        direction: message.direction,
        from: message.from_address,
        to: message.to_address,
        subject: message.subject,
        sentAt: message.sent_at,
        messageId: message.message_id,
        text: message.body_text,
        hasRaw: message.has_raw === 1,
        createdAt: message.created_at,
        createdBy: message.created_by,
      }),
    );
  return { ...toSummary(row), messages, relay: relayStatus(settings) };
}

/** Open a thread on a listing or an ISP. */
export function createThread(db: WriteDb, actorName: string | null, input: { listingId?: number; isp?: string; subject: string }, now: Date): ThreadSummary {
  return db.transaction(() => {
    const at = now.toISOString();
    let listingId: number | null = null;
    let ispId: number | null = null;
    if (input.listingId !== undefined) {
      listingId = getListing(db, input.listingId).id;
    } else {
      ispId = findIsp(db, input.isp as string).id;
    }
    const owned = { listing_id: listingId, isp_id: ispId, nomination_id: null, delisting_id: null };
    const actor = requireAnyRole(db, actorName, rolesFor(owned));
    const id = openThread(db, listingId !== null ? { listingId } : { ispId: ispId as number }, input.subject, actor.id, at);
    openHistory(db, () => at).append({ actor: actor.name, action: 'thread.opened', ...subjectOf(owned), details: { thread: id, subject: input.subject } });
    return toSummary(findThread(db, id));
  });
}

function requireOpenThread(db: ReadDb, actorName: string | null, threadId: number): { row: ThreadRow; actor: Actor } {
  const row = findThread(db, threadId);
  const actor = requireAnyRole(db, actorName, rolesFor(row));
  if (row.status === 'resolved') throw conflict(`thread #${threadId} is resolved (${row.outcome}); open a new thread to write more`);
  return { row, actor };
}

/** Write an internal note into a thread. */
export function addNote(db: WriteDb, actorName: string | null, threadId: number, text: string, settings: Settings, now: Date): ThreadDetail {
  return db.transaction(() => {
    const { row, actor } = requireOpenThread(db, actorName, threadId);
    const at = now.toISOString();
    const id = insertThreadMessage(db, threadId, actor.id, at, { direction: 'note', raw: null, from: null, to: null, subject: null, sentAt: null, messageId: null, text });
    openHistory(db, () => at).append({ actor: actor.name, action: 'thread.note', ...subjectOf(row), details: { thread: threadId, message: id } });
    return getThread(db, threadId, settings);
  });
}

/**
 * Import mail (.eml or mbox files, or browser uploads) into a thread as inbound or outbound
 * messages. All or nothing unless `importValid`; a message already in the thread is skipped as a duplicate.
 */
export async function importThreadMessages(
  db: WriteDb,
  actorName: string | null,
  input: { threadId: number; direction: 'inbound' | 'outbound'; sources: readonly MessageSource[]; importValid: boolean },
  settings: Settings,
  now: Date,
): Promise<ThreadImportResult> {
  requireOpenThread(db, actorName, input.threadId);
  const read: Array<{ outcome: MessageOutcome; parsed: ParsedMessage | null }> = [];
  const seen = new Set<string>(
    db.all<{ sha: string }>(sql`SELECT lower(hex(sha256)) AS sha FROM thread_messages WHERE thread_id = ${input.threadId} AND sha256 IS NOT NULL`).map((row) => row.sha),
  );
  await readMessages(input.sources, settings, async (message) => {
    const base = { file: message.file, message: message.number, line: message.line, notes: [], sampleId: null, sourceIp: null, linkedListings: [] };
    const checked = message.bytes === null ? { ok: false as const, problem: message.problem ?? 'not read' } : await parseMessage(message.bytes);
    if (!checked.ok) {
      read.push({ outcome: { ...base, outcome: 'failed', problem: checked.problem, sha256: null, subject: null }, parsed: null });
      return;
    }
    const parsed = checked.value;
    const sha = parsed.sha256.toString('hex');
    const isRepeat = seen.has(sha);
    seen.add(sha);
    read.push({
      outcome: { ...base, outcome: isRepeat ? 'duplicate' : 'imported', problem: null, notes: parsed.notes.filter((note) => !note.startsWith('no Received')), sha256: sha, subject: parsed.subject },
      parsed: isRepeat ? null : parsed,
    });
  });
  const failed = read.filter((item) => item.outcome.outcome === 'failed').length;
  if (failed > 0 && !input.importValid) {
    return { committed: false, added: 0, messages: read.map((item) => (item.outcome.outcome === 'imported' ? { ...item.outcome, outcome: 'skipped' } : item.outcome)) };
  }
  return db.transaction(() => {
    const { row, actor } = requireOpenThread(db, actorName, input.threadId);
    const at = now.toISOString();
    const ids: number[] = [];
    for (const item of read) {
      if (!item.parsed) continue;
      const parsed = item.parsed;
      ids.push(
        insertThreadMessage(db, input.threadId, actor.id, at, {
          direction: input.direction,
          raw: parsed.raw,
          from: parsed.from,
          to: parsed.to,
          subject: parsed.subject,
          sentAt: parsed.sentAt,
          messageId: parsed.messageId,
          text: parsed.text,
        }),
      );
    }
    if (ids.length > 0) {
      openHistory(db, () => at).append({ actor: actor.name, action: 'thread.mail-imported', ...subjectOf(row), details: { thread: input.threadId, direction: input.direction, messages: ids } });
    }
    return { committed: true, added: ids.length, messages: read.map((item) => item.outcome) };
  });
}

/** The facts a template fills in: of the listing, the ISP, or the request the thread is about. */
function recordFacts(db: ReadDb, row: ThreadRow, settings: Settings, now: Date): string[] {
  if (row.listing_id !== null) return listingFacts(db, row.listing_id, settings, now);
  if (row.isp_id !== null) return ispFacts(db, row.isp_id, settings);
  return queueFacts(db, { nominationId: row.nomination_id, delistingId: row.delisting_id }, settings);
}

/** A reply filled from a template for the thread's record, addressed to the latest inbound sender (or the ISP's contact). */
export function draftReply(db: ReadDb, threadId: number, template: ReplyTemplate, settings: Settings, now: Date): ReplyDraft {
  const row = findThread(db, threadId);
  if (template === 'dul-submission-received' && row.isp_id === null) throw invalidInput('the DUL submission template is for ISP threads');
  const latest = db.get<{ from_address: string | null; subject: string | null }>(
    sql`SELECT from_address, subject FROM thread_messages WHERE thread_id = ${threadId} AND direction = 'inbound' ORDER BY id DESC LIMIT 1`,
  );
  let to = latest?.from_address ? (/<([^>]+)>/.exec(latest.from_address)?.[1] ?? latest.from_address.split(',')[0].trim()) : '';
  if (to === '' && row.isp_id !== null) {
    const contacts = JSON.parse(db.get<{ isp_contacts: string }>(sql`SELECT isp_contacts FROM isps WHERE id = ${row.isp_id}`)?.isp_contacts ?? '[]') as string[];
    to = contacts.find((contact) => contact.includes('@')) ?? '';
  }
  const text = TEMPLATE_TEXT[template];
  const reference = row.listing_id !== null ? `record #${row.listing_id}` : row.isp !== null ? `ISP ${row.isp}` : row.subject;
  const subjectBase = latest?.subject ? (/^re:/i.test(latest.subject) ? latest.subject : `Re: ${latest.subject}`) : `${text.subject}: ${reference}`;
  return {
    template,
    from: settings.evidence.replyFrom,
    to,
    subject: subjectBase,
    text: ['Hello,', '', text.opening, '', ...recordFacts(db, row, settings, now), '', text.closing, '', 'Regards,', 'The abuse desk', ''].join('\n'),
    inReplyTo: threadingOf(db, threadId).inReplyTo,
  };
}

/** Save an outbound reply in the thread: built as mail (exportable as .eml, sent as those bytes), answering the latest mail received. */
export function saveReply(db: WriteDb, actorName: string | null, input: { threadId: number; to: string; subject: string; text: string }, settings: Settings, now: Date): ThreadDetail {
  return db.transaction(() => {
    const { row, actor } = requireOpenThread(db, actorName, input.threadId);
    const at = now.toISOString();
    const { id } = storeReply(db, input.threadId, actor.id, { to: input.to, subject: input.subject, text: input.text }, settings, now);
    openHistory(db, () => at).append({ actor: actor.name, action: 'thread.reply', ...subjectOf(row), details: { thread: input.threadId, message: id, to: input.to, subject: input.subject } });
    return getThread(db, input.threadId, settings);
  });
}

/** A thread message's original bytes as .eml. */
export function exportMessage(db: ReadDb, messageId: number): RawMessage {
  const row = db.get<{ raw: Buffer | null; thread_id: number; direction: string }>(sql`SELECT raw, thread_id, direction FROM thread_messages WHERE id = ${messageId}`);
  if (!row) throw notFound(`no thread message #${messageId}`);
  if (!row.raw) throw invalidInput(`message #${messageId} is an internal note, not mail: there is no .eml to export`);
  const raw = decompress(row.raw);
  return { fileName: `thread-${row.thread_id}-${row.direction}-${messageId}.eml`, base64: raw.toString('base64'), size: raw.length };
}

/** Mark a thread resolved with its outcome: a history event on its listing or ISP. */
export function resolveThread(db: WriteDb, actorName: string | null, input: { threadId: number; outcome: ThreadOutcome; why?: string }, now: Date): ThreadSummary {
  return db.transaction(() => {
    const { row, actor } = requireOpenThread(db, actorName, input.threadId);
    const at = now.toISOString();
    db.run(sql`UPDATE threads SET status = 'resolved', outcome = ${input.outcome}, resolved_at = ${at}, resolved_by = ${actor.id} WHERE id = ${input.threadId}`);
    openHistory(db, () => at).append({
      actor: actor.name,
      action: 'thread.resolved',
      ...subjectOf(row),
      reason: input.why ?? null,
      details: { thread: input.threadId, subject: row.subject, outcome: input.outcome },
    });
    return toSummary(findThread(db, input.threadId));
  });
}

/**
 * Send a saved outbound reply through the configured relay (setting evidence.smtp), exactly the
 * bytes stored (and exported), to its To address; the relay's answer goes into the history.
 */
export async function sendReply(db: WriteDb, actorName: string | null, messageId: number, settings: Settings, now: Date): Promise<{ response: string; accepted: readonly string[] }> {
  const row = db.get<{ raw: Buffer | null; thread_id: number; direction: string; to_address: string | null; message_id: string | null }>(
    sql`SELECT raw, thread_id, direction, to_address, message_id FROM thread_messages WHERE id = ${messageId}`,
  );
  if (!row) throw notFound(`no thread message #${messageId}`);
  const thread = findThread(db, row.thread_id);
  requireAnyRole(db, actorName, rolesFor(thread));
  if (row.direction !== 'outbound' || !row.raw || !row.to_address) throw invalidInput(`message #${messageId} is not a saved reply (only outbound mail written here can be sent)`);
  const { host, port, secure } = settings.evidence.smtp;
  if (host === '') throw invalidInput('no mail relay is configured (setting evidence.smtp.host): export the reply as .eml and send it from your mail program');
  // The mail library loads when a reply is sent, not with the core.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({ host, port, secure, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 });
  let info: { response: string; accepted: Array<string | { address: string }> };
  try {
    info = await transport.sendMail({ envelope: { from: settings.evidence.replyFrom, to: [row.to_address] }, raw: decompress(row.raw) });
  } catch (error) {
    throw new AppError('conflict', `the relay ${host}:${port} did not take the reply: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    transport.close();
  }
  const accepted = info.accepted.map((address) => (typeof address === 'string' ? address : address.address));
  db.transaction(() => {
    const actor = requireAnyRole(db, actorName, rolesFor(thread));
    const at = now.toISOString();
    openHistory(db, () => at).append({
      actor: actor.name,
      action: 'thread.sent',
      ...subjectOf(thread),
      details: { thread: thread.id, message: messageId, messageId: row.message_id, to: row.to_address, relay: `${host}:${port}`, response: info.response },
    });
  });
  return { response: info.response, accepted };
}

/** A listing's threads, open ones first, newest first. */
export function listingThreadsSql(listingId: number): Sql {
  return sql`${THREAD_SELECT} WHERE t.listing_id = ${listingId} ORDER BY t.status = 'resolved', t.id DESC`;
}

/** An ISP's threads, open ones first, newest first. */
export function ispThreadsSql(ispId: number): Sql {
  return sql`${THREAD_SELECT} WHERE t.isp_id = ${ispId} ORDER BY t.status = 'resolved', t.id DESC`;
}

/** A thread's messages in order. */
export function threadMessagesSql(threadId: number): Sql {
  return sql`SELECT m.id, m.direction, m.from_address, m.to_address, m.subject, m.sent_at, m.message_id, m.body_text, m.raw IS NOT NULL AS has_raw, m.created_at,
      (SELECT name FROM investigators WHERE id = m.created_by) AS created_by
    FROM thread_messages m WHERE m.thread_id = ${threadId} ORDER BY m.id`;
}
