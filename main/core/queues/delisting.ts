/**
 * Delisting requests once filed (delisting-intake.ts takes them in and routes them): the
 * reviewer's screen (samples, history, prior requests, relist count) and the decision: temporary
 * removal until a date (the listing is suppressed, and publishing brings it back by itself after
 * that date), permanent delisting, deny, or needs information. Each decision leaves events on the
 * request and on every listing it concerns. An IP that came back after an earlier removal is a
 * repeat offender: its next temporary removal is shorter (setting queues.repeatOffenderFactor).
 */
import {
  type ConcernedListing,
  type DelistingDecision,
  type DelistingDecisionInput,
  type DelistingStatus,
  type DelistingSummaryView,
  type DelistingView,
  type QueueFilter,
  type QueuePage,
} from '../../../shared/queues.js';
import { ROLES } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, forbidden, invalidInput, notFound } from '../errors.js';
import { historyOf, openHistory } from '../audit/history.js';
import { findListing, toListingView } from '../listings/listings.js';
import { InForceAt } from '../rule/in-force.js';
import { delist, listingWriter, suppress } from '../listings/changes.js';
import { nameOf } from './common.js';
import { requireAnyRole } from '../investigators/investigators.js';
import { requestListingIds, requestSamplesWhere, type RequestRow } from './delisting-rows.js';
import { DELISTING_QUEUE, isOpen, queuePage, queueTiming } from './queue.js';
import { replyToDelisting } from './correspondence.js';
import { draftDelistingReply } from './replies.js';
import type { MailDraft } from '../../../shared/evidence.js';
import { mailText } from '../evidence/compose.js';

function findRequest(db: ReadDb, id: number): RequestRow {
  const row = db.get<RequestRow>(sql`SELECT * FROM delisting_requests WHERE id = ${id}`);
  if (!row) throw notFound(`no delisting request #${id}`);
  return row;
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
    ...queueTiming(DELISTING_QUEUE, row, now),
    listingIds: requestListingIds(db, row.id),
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
    sql`SELECT id, subject, from_address, sent_at, source_ip FROM samples WHERE ${requestSamplesWhere(id, row.family, row.key)} ORDER BY id DESC LIMIT 50`,
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
  return queuePage<RequestRow, DelistingSummaryView>(db, DELISTING_QUEUE, filter, actorName, now, (row) => toSummary(db, row, now));
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
    if (!isOpen(DELISTING_QUEUE, row.status)) throw conflict(`delisting request #${row.id} is already ${row.status}`);
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
    for (const listingId of requestListingIds(db, row.id)) {
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
