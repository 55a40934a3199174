/**
 * Correspondence: threads per listing (mediation with the ISP, the sender or the requester) or
 * per ISP (DUL submissions), holding inbound and outbound mail (raw bytes kept, compressed, with
 * their SHA-256) and internal notes. Replies are drafted from templates with the record's facts
 * filled in, built as real MIME by nodemailer's MailComposer, stored as outbound messages and
 * exported as .eml. Resolving a thread records its outcome in the history of its listing or ISP.
 * Listing threads need the investigator role, ISP threads the liaison role.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { createTransport } from 'nodemailer';
import { randomBytes } from 'node:crypto';
import type { Role } from '../../../shared/domain.js';
import { REASON_LABELS } from '../../../shared/domain.js';
import type { RawMessage, ReplyDraft, ReplyTemplate, ThreadDetail, ThreadImportResult, ThreadMessageView, ThreadOutcome, ThreadSummary } from '../../../shared/evidence.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { AppError, conflict, invalidInput, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { requireActor } from '../investigators/investigators.js';
import { findIsp } from '../dul/isps.js';
import { getListing } from '../listings/listings.js';
import { compress, decompress, messageHash, parseMessage, type ParsedMessage } from './message.js';
import { readMessages, type MessageSource } from './sources.js';
import type { MessageOutcome } from '../../../shared/evidence.js';

interface ThreadRow {
  id: number;
  listing_id: number | null;
  isp_id: number | null;
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

const THREAD_SELECT = sql`SELECT t.id, t.listing_id, t.isp_id, i.name AS isp, t.subject, t.status, t.outcome, t.created_at, t.resolved_at,
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

function roleFor(row: { listing_id: number | null }): Role {
  return row.listing_id !== null ? 'investigator' : 'liaison';
}

/** Where a thread's history events go: its listing, or its ISP. */
function subjectOf(row: { listing_id: number | null; isp_id: number | null }): { subjectType: 'listing' | 'isp'; subjectId: number } {
  return row.listing_id !== null ? { subjectType: 'listing', subjectId: row.listing_id } : { subjectType: 'isp', subjectId: row.isp_id as number };
}

/** The threads of a listing or of an ISP, open ones first, newest first. */
export function listThreads(db: ReadDb, input: { listingId?: number; isp?: string }): ThreadSummary[] {
  if (input.listingId !== undefined) {
    getListing(db, input.listingId);
    return db.all<ThreadRow>(sql`${THREAD_SELECT} WHERE t.listing_id = ${input.listingId} ORDER BY t.status = 'resolved', t.id DESC`).map(toSummary);
  }
  const isp = findIsp(db, input.isp as string);
  return db.all<ThreadRow>(sql`${THREAD_SELECT} WHERE t.isp_id = ${isp.id} ORDER BY t.status = 'resolved', t.id DESC`).map(toSummary);
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

/** A thread with its messages, oldest first. */
export function getThread(db: ReadDb, id: number): ThreadDetail {
  const row = findThread(db, id);
  const messages = db
    .all<MessageRow>(sql`SELECT m.id, m.direction, m.from_address, m.to_address, m.subject, m.sent_at, m.message_id, m.body_text, m.raw IS NOT NULL AS has_raw, m.created_at,
        (SELECT name FROM investigators WHERE id = m.created_by) AS created_by
      FROM thread_messages m WHERE m.thread_id = ${id} ORDER BY m.id`)
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
  return { ...toSummary(row), messages };
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
    const actor = requireActor(db, actorName, roleFor({ listing_id: listingId }));
    const id = Number(
      db.run(sql`INSERT INTO threads (listing_id, isp_id, subject, created_at, created_by) VALUES (${listingId}, ${ispId}, ${input.subject}, ${at}, ${actor.id})`).lastInsertRowid,
    );
    openHistory(db, () => at).append({ actor: actor.name, action: 'thread.opened', ...subjectOf({ listing_id: listingId, isp_id: ispId }), details: { thread: id, subject: input.subject } });
    return toSummary(findThread(db, id));
  });
}

function requireOpenThread(db: ReadDb, actorName: string | null, threadId: number): { row: ThreadRow; actor: { id: number; name: string } } {
  const row = findThread(db, threadId);
  const actor = requireActor(db, actorName, roleFor(row));
  if (row.status === 'resolved') throw conflict(`thread #${threadId} is resolved (${row.outcome}); open a new thread to write more`);
  return { row, actor };
}

function insertMessage(
  db: WriteDb,
  threadId: number,
  actorId: number,
  at: string,
  message: { direction: ThreadMessageView['direction']; raw: Buffer | null; from: string | null; to: string | null; subject: string | null; sentAt: string | null; messageId: string | null; text: string },
): number {
  return Number(
    db.run(sql`INSERT INTO thread_messages (thread_id, direction, raw, sha256, from_address, to_address, subject, sent_at, message_id, body_text, created_at, created_by)
      VALUES (${threadId}, ${message.direction}, ${message.raw ? compress(message.raw) : null}, ${message.raw ? messageHash(message.raw) : null}, ${message.from}, ${message.to},
        ${message.subject}, ${message.sentAt}, ${message.messageId}, ${message.text}, ${at}, ${actorId})`).lastInsertRowid,
  );
}

/** Write an internal note into a thread. */
export function addNote(db: WriteDb, actorName: string | null, threadId: number, text: string, now: Date): ThreadDetail {
  return db.transaction(() => {
    const { row, actor } = requireOpenThread(db, actorName, threadId);
    const at = now.toISOString();
    const id = insertMessage(db, threadId, actor.id, at, { direction: 'note', raw: null, from: null, to: null, subject: null, sentAt: null, messageId: null, text });
    openHistory(db, () => at).append({ actor: actor.name, action: 'thread.note', ...subjectOf(row), details: { thread: threadId, message: id } });
    return getThread(db, threadId);
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
        insertMessage(db, input.threadId, actor.id, at, {
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

/** The facts a template fills in. */
function recordFacts(db: ReadDb, row: ThreadRow): string[] {
  if (row.listing_id !== null) {
    const listing = getListing(db, row.listing_id);
    const samples = db.get<{ count: number; last: string | null }>(sql`SELECT count(*) AS count, max(coalesce(s.sent_at, s.imported_at)) AS last
      FROM sample_links k JOIN samples s ON s.id = k.sample_id WHERE k.listing_id = ${listing.id}`);
    return [
      `Record:       #${listing.id}`,
      `Address:      ${listing.range}`,
      `List:         ${listing.list}`,
      `Reason:       ${REASON_LABELS[listing.reason]}${listing.txt ? ` (${listing.txt})` : ''}`,
      `Listed since: ${listing.createdAt.slice(0, 10)}`,
      `Status:       ${listing.status}${listing.status === 'delisted' ? ` (since ${listing.updatedAt.slice(0, 10)})` : ''}`,
      `Spam samples: ${samples?.count ?? 0}${samples?.last ? `, the latest from ${samples.last.slice(0, 10)}` : ''}`,
    ];
  }
  const isp = db.get<{ name: string; asns: string }>(sql`SELECT name, asns FROM isps WHERE id = ${row.isp_id}`) as { name: string; asns: string };
  const submission = db.get<{ id: number; received_at: string; added: number; removed: number; unchanged: number }>(
    sql`SELECT id, received_at, added, removed, unchanged FROM dul_submissions WHERE isp_id = ${row.isp_id} AND reverted_at IS NULL ORDER BY id DESC LIMIT 1`,
  );
  const asns = (JSON.parse(isp.asns) as number[]).map((asn) => `AS${asn}`).join(', ');
  return [
    `ISP:          ${isp.name}${asns ? ` (${asns})` : ''}`,
    submission
      ? `Submission:   #${submission.id}, received ${submission.received_at.slice(0, 10)}: ${submission.added} ranges added, ${submission.removed} removed, ${submission.unchanged} unchanged`
      : 'Submission:   none recorded yet',
  ];
}

const TEMPLATE_TEXT: Record<ReplyTemplate, { subject: string; opening: string; closing: string }> = {
  'delisting-granted': {
    subject: 'Delisting granted',
    opening: 'Thank you for your request. The listing below has been removed; the change reaches our DNS servers with the next zone publication, usually within the hour.',
    closing: 'If spam from this address resumes, it may be listed again. Please keep the mail server secured.',
  },
  'delisting-denied': {
    subject: 'Delisting request denied',
    opening: 'Thank you for your request. After review, the listing below stays in place: we still hold recent evidence of spam from this address.',
    closing: 'Once the source of the spam is found and stopped, reply to this message with what was done and we will review the listing again.',
  },
  'needs-information': {
    subject: 'More information needed',
    opening: 'Thank you for your message. Before we can decide on the record below, we need more information:',
    closing: 'Please tell us who operates the address, what sends mail from it, and what was changed to stop the spam. Reply to this message; the record number helps us find it.',
  },
  'dul-submission-received': {
    subject: 'DUL submission received',
    opening: 'Thank you for your dynamic-range (DUL) submission. We have received it and recorded it as follows:',
    closing: 'The ranges are published with the next zone publication. Send a new submission to replace this one whenever your address plan changes.',
  },
};

/** A reply filled from a template for the thread's record, addressed to the latest inbound sender (or the ISP's contact). */
export function draftReply(db: ReadDb, threadId: number, template: ReplyTemplate, settings: Settings): ReplyDraft {
  const row = findThread(db, threadId);
  if (template === 'dul-submission-received' && row.isp_id === null) throw invalidInput('the DUL submission template is for ISP threads');
  const latest = db.get<{ from_address: string | null; subject: string | null; message_id: string | null }>(
    sql`SELECT from_address, subject, message_id FROM thread_messages WHERE thread_id = ${threadId} AND direction = 'inbound' ORDER BY id DESC LIMIT 1`,
  );
  let to = latest?.from_address ? (/<([^>]+)>/.exec(latest.from_address)?.[1] ?? latest.from_address.split(',')[0].trim()) : '';
  if (to === '' && row.isp_id !== null) {
    const contacts = JSON.parse(db.get<{ isp_contacts: string }>(sql`SELECT isp_contacts FROM isps WHERE id = ${row.isp_id}`)?.isp_contacts ?? '[]') as string[];
    to = contacts.find((contact) => contact.includes('@')) ?? '';
  }
  const text = TEMPLATE_TEXT[template];
  const reference = row.listing_id !== null ? `record #${row.listing_id}` : `ISP ${row.isp}`;
  const subjectBase = latest?.subject ? (/^re:/i.test(latest.subject) ? latest.subject : `Re: ${latest.subject}`) : `${text.subject}: ${reference}`;
  return {
    template,
    from: settings.evidence.replyFrom,
    to,
    subject: subjectBase,
    text: ['Hello,', '', text.opening, '', ...recordFacts(db, row), '', text.closing, '', 'Regards,', 'The abuse desk', ''].join('\n'),
    inReplyTo: latest?.message_id ?? null,
  };
}

async function composeMessage(options: { from: string; to: string; subject: string; text: string; inReplyTo: string | null; date: Date; messageId: string }): Promise<Buffer> {
  const composer = new MailComposer({
    from: options.from,
    to: options.to,
    subject: options.subject,
    // One line ending in the whole message (the headers are CRLF), so the .eml and what SMTP sends are the same bytes.
    text: options.text.replace(/\r?\n/g, '\r\n'),
    date: options.date,
    messageId: options.messageId,
    inReplyTo: options.inReplyTo ?? undefined,
    references: options.inReplyTo ?? undefined,
  });
  return composer.compile().build();
}

/** Save an outbound reply in the thread (built as a real MIME message, exportable as .eml). */
export async function saveReply(
  db: WriteDb,
  actorName: string | null,
  input: { threadId: number; to: string; subject: string; text: string; inReplyTo?: string | null },
  settings: Settings,
  now: Date,
): Promise<ThreadDetail> {
  requireOpenThread(db, actorName, input.threadId);
  const domain = settings.evidence.replyFrom.split('@')[1];
  const messageId = `<${randomBytes(12).toString('hex')}@${domain}>`;
  const raw = await composeMessage({ from: settings.evidence.replyFrom, to: input.to, subject: input.subject, text: input.text, inReplyTo: input.inReplyTo ?? null, date: now, messageId });
  return db.transaction(() => {
    const { row, actor } = requireOpenThread(db, actorName, input.threadId);
    const at = now.toISOString();
    const id = insertMessage(db, input.threadId, actor.id, at, {
      direction: 'outbound',
      raw,
      from: settings.evidence.replyFrom,
      to: input.to,
      subject: input.subject,
      sentAt: at,
      messageId,
      text: input.text,
    });
    openHistory(db, () => at).append({ actor: actor.name, action: 'thread.reply', ...subjectOf(row), details: { thread: input.threadId, message: id, to: input.to, subject: input.subject } });
    return getThread(db, input.threadId);
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
  requireActor(db, actorName, roleFor(thread));
  if (row.direction !== 'outbound' || !row.raw || !row.to_address) throw invalidInput(`message #${messageId} is not a saved reply (only outbound mail written here can be sent)`);
  const { host, port, secure } = settings.evidence.smtp;
  if (host === '') throw invalidInput('no mail relay is configured (setting evidence.smtp.host): export the reply as .eml and send it from your mail program');
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
    const actor = requireActor(db, actorName, roleFor(thread));
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
