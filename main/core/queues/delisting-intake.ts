/**
 * Delisting request intake: the form, and a JSON or CSV file of requests. Each request is
 * checked, routed to the investigator who assigned the covering listing (a reviewer when that
 * person is no longer active) and filed with its correspondence; a request for an unlisted IP
 * closes itself with a drafted answer. delisting.ts shows and decides requests.
 */
import { basename, extname } from 'node:path';
import { DELISTING_CSV_COLUMNS, type DelistingAddInput, type DelistingView, type ImportResult } from '../../../shared/queues.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, invalidInput } from '../errors.js';
import { openHistory, type HistoryWriter } from '../audit/history.js';
import { requireAnyRole, type Actor } from '../investigators/investigators.js';
import { readJsonFile, readRecordBatches } from '../io/records.js';
import type { InputFile } from '../io/files.js';
import { quoteCell } from '../../../shared/files.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { coveringListings, nameOf, parseReceived, parseSingleAddress, textProblem, type SingleAddress } from './common.js';
import { getDelistingRequest } from './delisting.js';
import { relistCountSql } from './delisting-rows.js';
import { DELISTING_QUEUE, dueAt } from './queue.js';
import { fileDelistingRequest, fileRequesterMail, replyToDelisting, threadForListing } from './correspondence.js';
import { withMessagesIndexedAtEnd } from '../evidence/mail.js';
import { delistingFacts, delistingReplyText, delistingSubject } from './replies.js';
import type { ProgressReporter } from '../jobs/progress.js';

const MAX_PROBLEMS = 50;

const INTAKE_ROLES = ['investigator', 'liaison', 'reviewer'] as const;

const PROGRESS_EVERY = 4096;

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
  const due = dueAt(DELISTING_QUEUE, request.receivedAt, settings);
  const relistCount =
    db.get<{ count: number }>(
      relistCountSql(request.address.family, request.address.key),
    )?.count ?? 0;
  const filed = { ip: request.address.ip, requester: request.requester, reason: request.reason, receivedAt: request.receivedAt };
  if (covering.length === 0) {
    const id = Number(
      db.run(sql`INSERT INTO delisting_requests (ip, family, key, requester, reason, source, received_at, due_at, status, routing, relist_count, created_at, created_by, updated_at, decision, decided_at)
        VALUES (${request.address.ip}, ${request.address.family}, ${request.address.key}, ${request.requester}, ${request.reason}, ${source}, ${request.receivedAt}, ${due},
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
      VALUES (${request.address.ip}, ${request.address.family}, ${request.address.key}, ${request.requester}, ${request.reason}, ${source}, ${request.receivedAt}, ${due},
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
