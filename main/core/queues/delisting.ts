/**
 * Delisting requests: intake (the form, and a JSON or CSV file of requests), routing to the
 * investigator who assigned the covering listing (a reviewer when that person is no longer
 * active; unlisted IPs close themselves with a drafted answer), the reviewer's screen (samples,
 * history, prior requests, relist count) and the decision: temporary removal until a date (the
 * listing is suppressed, and publishing brings it back by itself after that date), permanent
 * delisting, deny, or needs information. Each decision leaves events on the request and on
 * every listing it concerns. An IP that came back after an earlier removal is a repeat
 * offender: its next temporary removal is shorter (setting queues.repeatOffenderFactor).
 */
import { basename, extname } from 'node:path';
import {
  DELISTING_CSV_COLUMNS,
  DELISTING_STATUSES,
  OPEN_DELISTING_STATUSES,
  type ConcernedListing,
  type DelistingAddInput,
  type DelistingDecision,
  type DelistingDecisionInput,
  type DelistingStatus,
  type DelistingSummaryView,
  type DelistingView,
  type ImportResult,
  type QueueFilter,
  type QueuePage,
} from '../../../shared/queues.js';
import { ROLES } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, forbidden, invalidInput, notFound } from '../errors.js';
import { historyOf, openHistory, type HistoryWriter } from '../audit/history.js';
import type { Actor } from '../investigators/investigators.js';
import { readJsonFile, readRecordBatches } from '../io/records.js';
import type { InputFile } from '../io/files.js';
import { quoteCell } from '../../../shared/files.js';
import { findListing, toListingView } from '../listings/listings.js';
import { InForceAt } from '../rule/in-force.js';
import { delist, listingWriter, suppress } from '../listings/changes.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import {
  addHours,
  ageHours,
  coveringListings,
  nameOf,
  parseReceived,
  parseSingleAddress,
  requireAnyRole,
  textProblem,
  type SingleAddress,
} from './common.js';
import { queueWhere } from './nominations.js';
import { fileDelistingRequest, fileRequesterMail, replyToDelisting, threadForListing } from './correspondence.js';
import { withMessagesIndexedAtEnd } from '../evidence/mail.js';
import { delistingFacts, delistingReplyText, delistingSubject, draftDelistingReply } from './replies.js';
import type { MailDraft } from '../../../shared/evidence.js';
import { mailText } from '../evidence/compose.js';
import type { ProgressReporter } from '../jobs/progress.js';

const MAX_PROBLEMS = 50;
const INTAKE_ROLES = ['investigator', 'liaison', 'reviewer'] as const;
const PROGRESS_EVERY = 4096;

interface RequestRow {
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

interface CheckedRequest {
  readonly address: SingleAddress;
  readonly requester: string;
  readonly reason: string;
  readonly receivedAt: string;
}

function checkRequest(input: DelistingAddInput, now: Date, report: (message: string) => void): CheckedRequest | null {
  let isGood = true;
  const fail = (message: string | null) => {
    if (message === null) return;
    report(message);
    isGood = false;
  };
  const parsed = parseSingleAddress(input.ip);
  if (!parsed.ok) fail(`ip: ${parsed.error}`);
  const requester = input.requester.trim();
  const reason = input.reason.trim();
  if (requester === '') fail('the requester contact is empty');
  else if (requester.length > 254) fail('the requester contact is over 254 characters');
  else fail(textProblem(requester, 'the requester contact'));
  if (reason === '') fail('the reason is empty');
  else if (reason.length > 2000) fail('the reason is over 2000 characters');
  else fail(textProblem(reason, 'the reason'));
  const received = parseReceived(input.received, now);
  if (!received.ok) fail(received.error);
  if (!isGood || !parsed.ok || !received.ok) return null;
  return { address: parsed.value, requester, reason, receivedAt: received.value };
}

/**
 * The investigator who assigned the most specific covering listing decides (the service's rule:
 * who assigned the reputation answers requests to change it); when that person is no longer
 * active, the reviewer with the fewest open requests.
 */
function route(db: WriteDb, covering: ReturnType<typeof coveringListings>): { assigneeId: number | null; routing: string } {
  const listing = covering[0];
  const person = db.get<{ id: number; active: number }>(sql`SELECT id, active FROM investigators WHERE name = ${listing.investigator}`);
  const what = `${listing.list} #${listing.id} ${listing.range}`;
  if (person?.active === 1) return { assigneeId: person.id, routing: `routed to ${listing.investigator}, who assigned ${what}` };
  const reviewer = db.get<{ id: number; name: string }>(sql`SELECT i.id, i.name FROM investigators i
    WHERE i.active = 1 AND (',' || i.roles || ',') LIKE '%,reviewer,%'
    ORDER BY (SELECT count(*) FROM delisting_requests r WHERE r.assignee_id = i.id AND r.status IN ('new', 'needs-information')), i.name LIMIT 1`);
  if (!reviewer) return { assigneeId: null, routing: `${listing.investigator}, who assigned ${what}, is no longer active and there is no active reviewer: unassigned` };
  return { assigneeId: reviewer.id, routing: `${listing.investigator}, who assigned ${what}, is no longer active: routed to reviewer ${reviewer.name}` };
}

/**
 * Store one checked request inside the caller's transaction; returns its id, whether it closed
 * itself and the listings it concerns. Without `history` (a file import) the caller writes one
 * batch event for all requests instead of one each.
 */
function storeRequest(
  db: WriteDb,
  index: ListingIndex,
  actor: Actor,
  request: CheckedRequest,
  source: string,
  settings: Settings,
  now: Date,
  history: HistoryWriter | null,
): { id: number; isClosed: boolean; listingIds: readonly number[]; isThreadOpened: boolean } {
  const at = now.toISOString();
  const covering = coveringListings(db, index, request.address, now).filter((listing) => listing.list !== 'GAL');
  const dueAt = addHours(request.receivedAt, settings.queues.delistingDueHours);
  const relistCount =
    db.get<{ count: number }>(
      sql`SELECT count(*) AS count FROM delisting_requests WHERE family = ${request.address.family} AND key = ${request.address.key} AND decision IN ('remove-temporarily', 'delist')`,
    )?.count ?? 0;
  const filed = { ip: request.address.ip, requester: request.requester, reason: request.reason, receivedAt: request.receivedAt };
  if (covering.length === 0) {
    const id = Number(
      db.run(sql`INSERT INTO delisting_requests (ip, family, key, requester, reason, source, received_at, due_at, status, routing, relist_count, created_at, created_by, updated_at, decision, decided_at)
        VALUES (${request.address.ip}, ${request.address.family}, ${request.address.key}, ${request.requester}, ${request.reason}, ${source}, ${request.receivedAt}, ${dueAt},
          'closed-unlisted', 'not listed: closed with a drafted answer', ${relistCount}, ${at}, ${actor.id}, ${at}, 'closed-unlisted', ${at})`).lastInsertRowid,
    );
    // The request and its answer go into a thread of its own, the answer as mail ready to export or send.
    const { threadId } = fileDelistingRequest(db, { id, ...filed }, null, actor, settings, now);
    const reply = delistingReplyText('unlisted', delistingFacts(db, id, null, now), settings);
    const sent = replyToDelisting(db, id, actor, { subject: delistingSubject(db, threadId, request.address.ip), text: reply }, settings, now);
    db.run(sql`UPDATE delisting_requests SET reply = ${reply} WHERE id = ${id}`);
    history?.append({
      actor: actor.name,
      action: 'delisting.received',
      subjectType: 'delisting',
      subjectId: id,
      details: { ip: request.address.ip, source, status: 'closed-unlisted', reply, thread: threadId, message: sent.messageId },
    });
    return { id, isClosed: true, listingIds: [], isThreadOpened: true };
  }
  const { assigneeId, routing } = route(db, covering);
  // The requester's mail goes into the record's thread (the listing it was routed for).
  const { threadId, isOpened } = threadForListing(db, covering[0].id, request.address.ip, request.requester, actor, now);
  const id = Number(
    db.run(sql`INSERT INTO delisting_requests (ip, family, key, requester, reason, source, received_at, due_at, status, assignee_id, routing, relist_count, created_at, created_by, updated_at, thread_id)
      VALUES (${request.address.ip}, ${request.address.family}, ${request.address.key}, ${request.requester}, ${request.reason}, ${source}, ${request.receivedAt}, ${dueAt},
        'new', ${assigneeId}, ${routing}, ${relistCount}, ${at}, ${actor.id}, ${at}, ${threadId})`).lastInsertRowid,
  );
  const link = db.prepare('INSERT INTO delisting_listings (request_id, listing_id) VALUES (?, ?)');
  for (const listing of covering) link.run(id, listing.id);
  const listingIds = covering.map((listing) => listing.id);
  fileRequesterMail(db, threadId, filed, actor, settings, now);
  if (history) {
    history.append({
      actor: actor.name,
      action: 'delisting.received',
      subjectType: 'delisting',
      subjectId: id,
      details: { ip: request.address.ip, source, listings: listingIds, assignee: nameOf(db, assigneeId), routing, relistCount, thread: threadId },
    });
    if (isOpened) history.append({ actor: actor.name, action: 'thread.opened', subjectType: 'listing', subjectId: covering[0].id, details: { thread: threadId, request: id } });
    for (const listingId of listingIds) {
      history.append({ actor: actor.name, action: 'listing.delisting-requested', subjectType: 'listing', subjectId: listingId, details: { requests: [id], ip: request.address.ip } });
    }
  }
  return { id, isClosed: false, listingIds, isThreadOpened: isOpened };
}

/** An open request already standing for the same IP from the same requester (a resent mail). */
function openDuplicate(db: ReadDb, request: CheckedRequest): number | null {
  const row = db.get<{ id: number }>(sql`SELECT id FROM delisting_requests WHERE family = ${request.address.family} AND key = ${request.address.key}
    AND status IN ('new', 'needs-information') AND lower(requester) = ${request.requester.toLowerCase()} ORDER BY id LIMIT 1`);
  return row?.id ?? null;
}

/** The in-app form: one request. */
export function addDelistingRequest(db: WriteDb, index: ListingIndex, actorName: string | null, input: DelistingAddInput, settings: Settings, now: Date): DelistingView {
  const problems: string[] = [];
  const checked = checkRequest(input, now, (message) => problems.push(message));
  requireAnyRole(db, actorName, INTAKE_ROLES);
  if (!checked) throw invalidInput(`the request: ${problems.join('; ')}; nothing was stored`, problems);
  const duplicate = openDuplicate(db, checked);
  if (duplicate !== null) throw conflict(`request #${duplicate} from ${checked.requester} for ${checked.address.ip} is still open: add to it rather than opening another`);
  const { id } = db.transaction(() => {
    const actor = requireAnyRole(db, actorName, INTAKE_ROLES);
    return storeRequest(db, index, actor, checked, 'form', settings, now, openHistory(db, () => now.toISOString()));
  });
  return getDelistingRequest(db, id, settings, now);
}

async function readRequestsFile(input: InputFile, settings: Settings, report: (where: string, message: string) => void): Promise<Array<{ where: string; input: DelistingAddInput }>> {
  const file = basename(input.name);
  const rows: Array<{ where: string; input: DelistingAddInput }> = [];
  if (extname(input.name).toLowerCase() === '.json') {
    const value = await readJsonFile(input, settings.import.maxFileBytes);
    const list = Array.isArray(value) ? value : (value as { requests?: unknown } | null)?.requests;
    if (!Array.isArray(list)) throw invalidInput(`${file}: expected a JSON list of requests (or {"requests": [...]}), each with ${DELISTING_CSV_COLUMNS.join(', ')}`);
    list.forEach((entry: unknown, position) => {
      const where = `${file} entry ${position + 1}`;
      const record = entry as Record<string, unknown> | null;
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        report(where, `a request is an object with ${DELISTING_CSV_COLUMNS.join(', ')}`);
        return;
      }
      const extra = Object.keys(record).filter((key) => !(DELISTING_CSV_COLUMNS as readonly string[]).includes(key));
      const wrong = (['ip', 'requester', 'reason'] as const).filter((key) => typeof record[key] !== 'string');
      if (extra.length > 0) report(where, `unexpected key${extra.length === 1 ? '' : 's'} ${extra.map(quoteCell).join(', ')}`);
      if (wrong.length > 0) report(where, `missing or not text: ${wrong.join(', ')}`);
      if (record.received !== undefined && typeof record.received !== 'string') report(where, 'received is a date in text (YYYY-MM-DD or ISO)');
      if (extra.length > 0 || wrong.length > 0) return;
      rows.push({ where, input: { ip: record.ip as string, requester: record.requester as string, reason: record.reason as string, received: record.received as string | undefined } });
    });
    return rows;
  }
  let isHeader = true;
  const template = DELISTING_CSV_COLUMNS.join(',');
  for await (const batch of readRecordBatches(input, { maxBytes: settings.import.maxFileBytes, format: 'csv' })) {
    for (const record of batch) {
      if (isHeader) {
        isHeader = false;
        const given = record.fields.map((field) => field.trim().toLowerCase());
        const missing = DELISTING_CSV_COLUMNS.filter((column) => !given.includes(column));
        const extra = given.filter((column) => !(DELISTING_CSV_COLUMNS as readonly string[]).includes(column));
        if (missing.length > 0 || extra.length > 0) {
          throw invalidInput(
            `${file}: line 1: the header ${[missing.length > 0 ? `misses ${missing.join(', ')}` : '', extra.length > 0 ? `has unexpected ${extra.map(quoteCell).join(', ')}` : ''].filter(Boolean).join(' and ')} (expected: ${template})`,
          );
        }
        if (given.join(',') !== template) throw invalidInput(`${file}: line 1: the columns are in the wrong order: found ${given.join(',')}, expected ${template}`);
        continue;
      }
      const where = `${file} line ${record.line}`;
      if (record.fields.length !== DELISTING_CSV_COLUMNS.length) {
        report(where, `${record.fields.length} cells where the header has ${DELISTING_CSV_COLUMNS.length} (${template})`);
        continue;
      }
      const [ip, requester, reason, received] = record.fields;
      rows.push({ where, input: { ip, requester, reason, received } });
    }
  }
  if (isHeader) throw invalidInput(`${file} has no header line (expected: ${template})`);
  return rows;
}

/**
 * `repdesk delisting import FILE`: JSON (a list of {ip, requester, reason, received}) or CSV
 * with the header ip,requester,reason,received. All or nothing: every bad row is named, and a
 * duplicate (the same IP from the same requester twice in the file) is one of them.
 */
export async function importDelistingRequests(
  db: WriteDb,
  index: ListingIndex,
  actorName: string | null,
  input: InputFile,
  settings: Settings,
  now: Date,
  onProgress: ProgressReporter = () => undefined,
): Promise<ImportResult> {
  requireAnyRole(db, actorName, INTAKE_ROLES);
  const problems: string[] = [];
  let problemCount = 0;
  // A row may have several problems (a bad address and a date in the future): rows are what the count names.
  const badRows = new Set<string>();
  const report = (where: string, message: string) => {
    problemCount += 1;
    badRows.add(where);
    if (problems.length < MAX_PROBLEMS) problems.push(`${where}: ${message}`);
  };
  onProgress({ stage: 'reading', done: 0, total: 0 });
  const rows = await readRequestsFile(input, settings, report);
  const checked: CheckedRequest[] = [];
  const seen = new Map<string, string>();
  for (const [position, row] of rows.entries()) {
    if (position % PROGRESS_EVERY === 0) onProgress({ stage: 'checking', done: position, total: rows.length });
    const request = checkRequest(row.input, now, (message) => report(row.where, message));
    if (!request) continue;
    const identity = `${request.address.ip}\n${request.requester.toLowerCase()}`;
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      report(row.where, `${request.address.ip} from ${request.requester} is a duplicate of ${earlier}`);
      continue;
    }
    seen.set(identity, row.where);
    const open = openDuplicate(db, request);
    if (open !== null) {
      report(row.where, `${request.address.ip} from ${request.requester} is already open as request #${open}`);
      continue;
    }
    checked.push(request);
  }
  const file = basename(input.name);
  if (problemCount > 0) {
    const rows = `${badRows.size} bad row${badRows.size === 1 ? '' : 's'}`;
    const count = problemCount > badRows.size ? ` (${problemCount} problems)` : '';
    const more = problemCount > problems.length ? ` (showing the first ${problems.length} problems)` : '';
    throw invalidInput(`${file}: ${rows}${count}${more}; nothing was imported`, problems);
  }
  if (checked.length === 0) throw invalidInput(`${file} has no requests; nothing was imported`);
  // Each request files its mail into a thread (and a closed one its drafted answer): the messages' full-text index is filled once at the end.
  return db.transaction(() =>
    withMessagesIndexedAtEnd(db, checked.length, () => {
      const actor = requireAnyRole(db, actorName, INTAKE_ROLES);
      const created: number[] = [];
      const requestsOf = new Map<number, number[]>();
      let closed = 0;
      let threads = 0;
      checked.forEach((request, position) => {
        if (position % PROGRESS_EVERY === 0) onProgress({ stage: 'writing', done: position, total: checked.length });
        const stored = storeRequest(db, index, actor, request, `import: ${file}`, settings, now, null);
        created.push(stored.id);
        if (stored.isClosed) closed += 1;
        if (stored.isThreadOpened) threads += 1;
        for (const listingId of stored.listingIds) {
          const ids = requestsOf.get(listingId) ?? [];
          ids.push(stored.id);
          requestsOf.set(listingId, ids);
        }
      });
      onProgress({ stage: 'writing', done: checked.length, total: checked.length });
      // One event for the import (the new requests' ids are the contiguous run first..last: one
      // transaction, one writer), and one per listing concerned, naming its requests.
      const firstId = created[0];
      const lastId = created[created.length - 1];
      if (lastId - firstId + 1 !== created.length) throw new Error(`import ids are not contiguous (${firstId}..${lastId} for ${created.length})`);
      const history = openHistory(db, () => now.toISOString());
      history.append({ actor: actor.name, action: 'delisting.imported', subjectType: 'delisting', subjectId: firstId, subjectLastId: lastId, details: { source: file, count: created.length, closed, threadsOpened: threads } });
      for (const [listingId, ids] of requestsOf) {
        history.append({ actor: actor.name, action: 'listing.delisting-requested', subjectType: 'listing', subjectId: listingId, details: { requests: ids.length > 100 ? { count: ids.length, first: ids[0], last: ids[ids.length - 1] } : ids } });
      }
      return { created, closed, notes: closed > 0 ? [`${closed} request${closed === 1 ? '' : 's'} for unlisted IPs closed with a drafted answer`] : [] };
    }),
  );
}

function findRequest(db: ReadDb, id: number): RequestRow {
  const row = db.get<RequestRow>(sql`SELECT * FROM delisting_requests WHERE id = ${id}`);
  if (!row) throw notFound(`no delisting request #${id}`);
  return row;
}

function listingIdsOf(db: ReadDb, id: number): number[] {
  return db.all<{ listing_id: number }>(sql`SELECT listing_id FROM delisting_listings WHERE request_id = ${id} ORDER BY listing_id`).map((row) => row.listing_id);
}

function isOpen(status: DelistingStatus): boolean {
  return OPEN_DELISTING_STATUSES.includes(status);
}

function toSummary(db: ReadDb, row: RequestRow, now: Date): DelistingSummaryView {
  return {
    id: row.id,
    ip: row.ip,
    requester: row.requester,
    reason: row.reason,
    status: row.status,
    assignee: nameOf(db, row.assignee_id),
    routing: row.routing,
    receivedAt: row.received_at,
    dueAt: row.due_at,
    ageHours: ageHours(row.received_at, now),
    isOverdue: isOpen(row.status) && row.due_at < now.toISOString(),
    listingIds: listingIdsOf(db, row.id),
    relistCount: row.relist_count,
    isRepeatOffender: row.relist_count > 0,
    until: row.until,
  };
}

/** The longest temporary removal for a request, in days: shorter for each earlier removal the IP came back from. */
export function allowedRemovalDays(relistCount: number, settings: Settings): number {
  return settings.queues.temporaryRemovalDays * settings.queues.repeatOffenderFactor ** relistCount;
}

export function getDelistingRequest(db: ReadDb, id: number, settings: Settings, now: Date): DelistingView {
  const row = findRequest(db, id);
  const summary = toSummary(db, row, now);
  const rule = new InForceAt(db, now);
  const listings: ConcernedListing[] = summary.listingIds.map((listingId) => {
    const row = findListing(db, listingId);
    if (!row) throw notFound(`no listing #${listingId}`);
    const standing = rule.standing(row);
    return { ...toListingView(db, row), standing, isInZone: standing === 'active' };
  });
  const samples = db.all<{ id: number; subject: string | null; from_address: string | null; sent_at: string | null; source_ip: string | null }>(
    sql`SELECT id, subject, from_address, sent_at, source_ip FROM samples WHERE id IN (
          SELECT sample_id FROM sample_links WHERE listing_id IN (SELECT listing_id FROM delisting_listings WHERE request_id = ${id})
          UNION SELECT id FROM samples WHERE source_family = ${row.family} AND source_key = ${row.key})
        ORDER BY id DESC LIMIT 50`,
  );
  const prior = db.all<RequestRow>(sql`SELECT * FROM delisting_requests WHERE family = ${row.family} AND key = ${row.key} AND id != ${id} ORDER BY id DESC LIMIT 50`);
  return {
    ...summary,
    source: row.source,
    listings,
    samples: samples.map((sample) => ({ id: sample.id, subject: sample.subject, from: sample.from_address, sentAt: sample.sent_at, sourceIp: sample.source_ip })),
    listingHistory: summary.listingIds
      .flatMap((listingId) => historyOf(db, 'listing', listingId).map((event) => ({ ...event, listingId })))
      .sort((a, b) => b.id - a.id),
    history: historyOf(db, 'delisting', id),
    priorRequests: prior.map((request) => toSummary(db, request, now)),
    allowedRemovalDays: allowedRemovalDays(row.relist_count, settings),
    latestUntil: new Date(now.getTime() + allowedRemovalDays(row.relist_count, settings) * 86_400_000).toISOString(),
    decision:
      row.decision === null || row.decided_at === null
        ? null
        : { kind: row.decision, at: row.decided_at, by: nameOf(db, row.decided_by) ?? 'RepDesk', why: row.decision_reason ?? '', reply: row.reply ?? '' },
    threadId: row.thread_id,
  };
}

export function listDelistingRequests(db: ReadDb, filter: QueueFilter, actorName: string | null, now: Date): QueuePage<DelistingSummaryView> {
  const where = queueWhere(db, filter, actorName, now, DELISTING_STATUSES, OPEN_DELISTING_STATUSES);
  const total = db.get<{ count: number }>(sql`SELECT count(*) AS count FROM delisting_requests WHERE ${where}`)?.count ?? 0;
  const rows = db.all<RequestRow>(sql`SELECT * FROM delisting_requests WHERE ${where} AND id > ${filter.afterId} ORDER BY id LIMIT ${filter.limit}`);
  return { total, items: rows.map((row) => toSummary(db, row, now)) };
}

function parseUntil(text: string, now: Date): Date {
  const trimmed = text.trim();
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(date.getTime())) throw invalidInput(`until ${JSON.stringify(text)} is not a date (YYYY-MM-DD or an ISO date-time)`);
  if (date.getTime() <= now.getTime()) throw invalidInput(`until ${text} is not in the future`);
  return date;
}

const STATUS_AFTER: Record<DelistingDecision, DelistingStatus> = {
  'remove-temporarily': 'removed-temporarily',
  delist: 'delisted',
  deny: 'denied',
  'needs-information': 'needs-information',
};

/**
 * When a temporary removal ends: the date asked for (a day means its start, UTC), or by default
 * the latest the request allows; refused past that (shorter for a repeat offender).
 */
function removalEnd(row: Pick<RequestRow, 'relist_count'>, until: string | undefined, settings: Settings, now: Date): string {
  const allowedDays = allowedRemovalDays(row.relist_count, settings);
  const latest = new Date(now.getTime() + allowedDays * 86_400_000);
  const chosen = until === undefined ? latest : parseUntil(until, now);
  if (chosen.getTime() > latest.getTime() + 60_000) {
    const why = row.relist_count > 0 ? `a repeat offender (back after ${row.relist_count} earlier removal${row.relist_count === 1 ? '' : 's'}) may be removed for at most` : 'a temporary removal lasts at most';
    throw invalidInput(`until ${until}: ${why} ${formatDays(allowedDays)} (until ${latest.toISOString()}; settings queues.temporaryRemovalDays, queues.repeatOffenderFactor)`);
  }
  return chosen.toISOString();
}

/** The reply a decision would send, as the decision would store it: To, Subject and text (the reason is not in it). */
export function draftDelistingDecision(db: ReadDb, input: { id: number; decision: DelistingDecision; until?: string }, settings: Settings, now: Date): MailDraft {
  const row = findRequest(db, input.id);
  if (input.decision !== 'remove-temporarily' && input.until !== undefined) throw invalidInput('until applies to a temporary removal only');
  const until = input.decision === 'remove-temporarily' ? removalEnd(row, input.until, settings, now) : null;
  return draftDelistingReply(db, { id: row.id, decision: input.decision, until }, settings, now);
}

/**
 * Decide a request: only the assigned investigator or a reviewer may, and only while it is open.
 * The reason is required and stays in the history; the reply (the drafted one unless given) goes
 * into the request's thread as mail to the requester.
 */
export function decideDelistingRequest(db: WriteDb, actorName: string | null, input: DelistingDecisionInput, settings: Settings, now: Date): DelistingView {
  db.transaction(() => {
    // Whoever assigned the listing decides, whatever their role (a liaison assigns DUL listings); else a reviewer.
    const actor = requireAnyRole(db, actorName, ROLES);
    const row = findRequest(db, input.id);
    const isReviewer = actor.roles.includes('reviewer');
    if (!isReviewer && row.assignee_id !== actor.id) {
      throw forbidden(`only the assigned investigator (${nameOf(db, row.assignee_id) ?? 'nobody'}) or a reviewer decides delisting request #${row.id}; ${actor.name} is neither`);
    }
    if (!isOpen(row.status)) throw conflict(`delisting request #${row.id} is already ${row.status}`);
    if (input.decision !== 'remove-temporarily' && input.until !== undefined) throw invalidInput('until applies to a temporary removal only');
    const at = now.toISOString();
    const history = openHistory(db, () => at);
    const until = input.decision === 'remove-temporarily' ? removalEnd(row, input.until, settings, now) : null;
    // Drafted before anything changes, from the same facts the preview showed.
    const draft = draftDelistingReply(db, { id: row.id, decision: input.decision, until }, settings, now);
    const reply = mailText(input.reply ?? draft.text);
    const changed: number[] = [];
    const writer = listingWriter(db, actor.name, at, history);
    const rule = new InForceAt(db, now);
    for (const listingId of listingIdsOf(db, row.id)) {
      const listing = findListing(db, listingId);
      if (!listing) throw notFound(`no listing #${listingId}`);
      const note = { why: input.why, details: { request: row.id, decision: input.decision } };
      let problem: string | null = 'unchanged';
      if (input.decision === 'remove-temporarily' && rule.standing(listing) === 'active') problem = suppress(writer, listing, until as string, note);
      else if (input.decision === 'delist' && listing.status !== 'delisted') problem = delist(writer, listing, note);
      if (problem === null) {
        changed.push(listingId);
      } else {
        history.append({ actor: actor.name, action: `listing.delisting-${input.decision}`, subjectType: 'listing', subjectId: listingId, reason: input.why, details: { ...note.details, from: listing.status } });
      }
    }
    const status = STATUS_AFTER[input.decision];
    db.run(sql`UPDATE delisting_requests SET status = ${status}, assignee_id = coalesce(assignee_id, ${actor.id}), decision = ${input.decision}, decided_at = ${at},
      decided_by = ${actor.id}, decision_reason = ${input.why}, reply = ${reply}, until = ${until}, updated_at = ${at} WHERE id = ${row.id}`);
    const sent = replyToDelisting(db, row.id, actor, { subject: input.replySubject ?? draft.subject, text: reply }, settings, now);
    history.append({
      actor: actor.name,
      action: `delisting.${input.decision}`,
      subjectType: 'delisting',
      subjectId: row.id,
      reason: input.why,
      details: { status, until, reply, listings: changed, thread: sent.threadId, message: sent.messageId },
    });
  });
  return getDelistingRequest(db, input.id, settings, now);
}

function formatDays(days: number): string {
  return Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : `${days.toFixed(1)} days`;
}
