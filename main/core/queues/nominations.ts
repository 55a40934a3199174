/**
 * GAL nominations once received (nomination-intake.ts takes them in): a nomination as the
 * queue and the reviewer see it, the investigation aids computed when it is opened, and the
 * reviewer's decision. Approval makes GAL listings linked back to the nomination; an IP on a
 * blocklist must first be resolved by the reviewer (delist the blocking listings, or refuse that IP).
 */
import {
  type MtaAids,
  type NominationDecisionInput,
  type NominationMtaView,
  type NominationStatus,
  type NominationSummaryView,
  type NominationView,
  type QueueFilter,
  type QueuePage,
} from '../../../shared/queues.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { committedSql } from '../rule/unfinished.js';
import { AppError, conflict, invalidInput, notFound } from '../errors.js';
import { historyOf, openHistory } from '../audit/history.js';
import { requireActor, requireAnyRole } from '../investigators/investigators.js';
import { addListing, findListing } from '../listings/listings.js';
import { delist, listingWriter } from '../listings/changes.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { computeAids } from './aids.js';
import { nominationMtaRows, type MtaRow } from './nomination-rows.js';
import { NOMINATION_QUEUE, isOpen, queuePage, queueTiming } from './queue.js';
import { replyToNomination } from './correspondence.js';
import { draftNominationReply } from './replies.js';
import { mailText } from '../evidence/compose.js';
import { coveringListings, nameOf, parseSingleAddress } from './common.js';

interface NominationRow {
  id: number;
  status: NominationStatus;
  assignee_id: number | null;
  contact_email: string;
  contact_first: string;
  contact_last: string;
  source: string;
  received_at: string;
  due_at: string;
  decision: string | null;
  decided_at: string | null;
  decided_by: number | null;
  decision_reason: string | null;
  reply: string | null;
  aids: string | null;
  aids_at: string | null;
  thread_id: number | null;
}

function toMtaView(row: MtaRow): NominationMtaView {
  return { ip: row.ip, fqdn: row.fqdn, domain: row.domain, company: row.company, country: row.country, companyType: row.company_type, outcome: row.outcome, galListingId: row.gal_listing_id };
}

function toSummary(db: ReadDb, row: NominationRow, now: Date): NominationSummaryView {
  const mtas = nominationMtaRows(db, row.id);
  const galListingIds = mtas.flatMap((mta) => (mta.gal_listing_id === null ? [] : [mta.gal_listing_id]));
  const checked = row.aids === null ? [] : (JSON.parse(row.aids) as MtaAids[]);
  return {
    id: row.id,
    status: row.status,
    assignee: nameOf(db, row.assignee_id),
    contact: { email: row.contact_email, firstName: row.contact_first, lastName: row.contact_last },
    ips: mtas.map((mta) => mta.ip),
    mtaCount: mtas.length,
    ...queueTiming(NOMINATION_QUEUE, row, now),
    galListingIds,
    listingIds: [...new Set([...galListingIds, ...checked.flatMap((aids) => aids.listed.listings.map((listing) => listing.id))])].sort((a, b) => a - b),
  };
}

function findNomination(db: ReadDb, id: number): NominationRow {
  const row = db.get<NominationRow>(sql`SELECT * FROM nominations WHERE id = ${id}`);
  if (!row) throw notFound(`no nomination #${id}`);
  return row;
}

export function getNomination(db: ReadDb, id: number, _settings: Settings, now: Date): NominationView {
  const row = findNomination(db, id);
  const summary = toSummary(db, row, now);
  const helos = db.all<{ helo: string }>(sql`SELECT helo FROM nomination_helos WHERE nomination_id = ${id} ORDER BY position`).map((helo) => helo.helo);
  return {
    ...summary,
    source: row.source,
    mtas: nominationMtaRows(db, id).map(toMtaView),
    helos,
    aids: row.aids === null ? null : (JSON.parse(row.aids) as MtaAids[]),
    aidsAt: row.aids_at,
    decision:
      row.decision === null || row.decided_at === null
        ? null
        : { kind: row.decision, at: row.decided_at, by: nameOf(db, row.decided_by) ?? '', why: row.decision_reason ?? '', reply: row.reply ?? '' },
    history: historyOf(db, 'nomination', id),
    threadId: row.thread_id,
  };
}

export function listNominations(db: ReadDb, filter: QueueFilter, actorName: string | null, now: Date): QueuePage<NominationSummaryView> {
  return queuePage<NominationRow, NominationSummaryView>(db, NOMINATION_QUEUE, filter, actorName, now, (row) => toSummary(db, row, now));
}

/**
 * Open a nomination: compute and store its investigation aids (any signed-in investigator may;
 * the checks only read). A reviewer opening a new one takes it: it becomes investigating, theirs.
 */
export async function openNomination(
  db: WriteDb,
  index: ListingIndex,
  actorName: string | null,
  id: number,
  settings: Settings,
  now: () => Date,
): Promise<NominationView> {
  const actor = requireAnyRole(db, actorName, ['investigator', 'reviewer', 'liaison', 'publisher']);
  const row = findNomination(db, id);
  const mtas = nominationMtaRows(db, id).map(toMtaView);
  const helos = db.all<{ helo: string }>(sql`SELECT helo FROM nomination_helos WHERE nomination_id = ${id} ORDER BY position`).map((helo) => helo.helo);
  const aids = isOpen(NOMINATION_QUEUE, row.status) ? await computeAids(db, index, mtas, helos, settings, now) : null;
  db.transaction(() => {
    const at = now().toISOString();
    const current = findNomination(db, id);
    const takes = current.status === 'new' && actor.roles.includes('reviewer');
    if (aids !== null) db.run(sql`UPDATE nominations SET aids = ${JSON.stringify(aids)}, aids_at = ${at}, updated_at = ${at} WHERE id = ${id}`);
    if (takes) db.run(sql`UPDATE nominations SET status = 'investigating', assignee_id = coalesce(assignee_id, ${actor.id}), updated_at = ${at} WHERE id = ${id}`);
    if (aids !== null || takes) {
      openHistory(db, () => at).append({
        actor: actor.name,
        action: 'nomination.opened',
        subjectType: 'nomination',
        subjectId: id,
        details: { aidsComputed: aids !== null, ...(takes ? { status: 'investigating', assignee: actor.name } : {}) },
      });
    }
  });
  return getNomination(db, id, settings, now());
}

/**
 * Decide a nomination (reviewers only; the reason is required). Approve: a GAL listing for
 * each approved IP (an active GAL listing of that exact address is linked instead), refused if
 * any approved IP sits on a blocklist without the reviewer's resolution (delist or refuse).
 */
export function decideNomination(db: WriteDb, index: ListingIndex, actorName: string | null, input: NominationDecisionInput, settings: Settings, now: Date): NominationView {
  db.transaction(() => {
    const actor = requireActor(db, actorName, 'reviewer');
    const row = findNomination(db, input.id);
    if (!isOpen(NOMINATION_QUEUE, row.status)) throw conflict(`nomination #${row.id} is already ${row.status}`);
    const at = now.toISOString();
    const mtas = nominationMtaRows(db, row.id);
    const values = { ips: mtas.map((mta) => mta.ip).join(', ') };
    // Drafted before anything changes, from the same choice the preview was drafted from.
    const draft = draftNominationReply(db, index, { id: row.id, decision: input.decision, ips: input.ips, conflicts: input.conflicts }, settings, now);
    const history = () => openHistory(db, () => at);
    let reply: string;
    let status: NominationStatus;
    const details: Record<string, unknown> = {};
    if (input.decision === 'approve') {
      const chosen = new Set<string>();
      for (const text of input.ips ?? mtas.map((mta) => mta.ip)) {
        const parsed = parseSingleAddress(text);
        const ip = parsed.ok ? parsed.value.ip : text;
        if (!mtas.some((mta) => mta.ip === ip)) throw invalidInput(`${text} is not one of nomination #${row.id}'s MTAs (${values.ips})`);
        chosen.add(ip);
      }
      const resolutions = new Map<string, 'delist' | 'refuse'>();
      for (const [text, resolution] of Object.entries(input.conflicts ?? {})) {
        const parsed = parseSingleAddress(text);
        resolutions.set(parsed.ok ? parsed.value.ip : text, resolution);
      }
      const unresolved: string[] = [];
      const blocking = new Map<string, ReturnType<typeof coveringListings>>();
      for (const mta of mtas) {
        if (!chosen.has(mta.ip)) continue;
        const parsed = parseSingleAddress(mta.ip);
        if (!parsed.ok) continue;
        // A listing removed for now returns by itself: it is as much a conflict as one in force.
        const listings = coveringListings(db, index, parsed.value, now, true).filter((listing) => listing.list !== 'GAL');
        blocking.set(mta.ip, listings);
        if (listings.length > 0 && !resolutions.has(mta.ip)) {
          unresolved.push(`${mta.ip}: on ${listings.map((listing) => `${listing.list} #${listing.id} ${listing.range} (${listing.reason}, by ${listing.investigator})`).join('; ')}: delist or refuse`);
        }
      }
      if (unresolved.length > 0) {
        throw new AppError('conflict', `${unresolved.length} IP${unresolved.length === 1 ? ' is' : 's are'} on a blocklist: resolve each conflict (delist or refuse) before approving`, unresolved);
      }
      const approved: string[] = [];
      const refused: string[] = [];
      const delisted: number[] = [];
      for (const mta of mtas) {
        const listings = blocking.get(mta.ip) ?? [];
        if (!chosen.has(mta.ip) || (listings.length > 0 && resolutions.get(mta.ip) === 'refuse')) {
          refused.push(mta.ip);
          db.run(sql`UPDATE nomination_mtas SET outcome = 'refused' WHERE nomination_id = ${row.id} AND family = ${mta.family} AND key = ${mta.key}`);
          continue;
        }
        for (const listing of listings) {
          const listingRow = findListing(db, listing.id);
          if (!listingRow) throw notFound(`no listing #${listing.id}`);
          const problem = delist(listingWriter(db, actor.name, at, history()), listingRow, { why: `GAL nomination #${row.id} approved ${mta.ip}: ${input.why}`, details: { nomination: row.id } });
          if (problem !== null) throw conflict(problem);
          delisted.push(listing.id);
        }
        const existing = db.get<{ id: number }>(sql`SELECT id FROM listings l WHERE list = 'GAL' AND status = 'active' AND family = ${mta.family} AND first = ${mta.key} AND last = ${mta.key} AND ${committedSql('l')}`);
        const galId = existing?.id ?? addListing(db, actor.name, { range: mta.ip, list: 'GAL', reason: 'approved', why: `GAL nomination #${row.id}: ${input.why}` }, settings, now).listing.id;
        history().append({ actor: actor.name, action: 'listing.nomination-linked', subjectType: 'listing', subjectId: galId, details: { nomination: row.id, ip: mta.ip, fqdn: mta.fqdn } });
        db.run(sql`UPDATE nomination_mtas SET outcome = 'approved', gal_listing_id = ${galId} WHERE nomination_id = ${row.id} AND family = ${mta.family} AND key = ${mta.key}`);
        approved.push(mta.ip);
      }
      if (approved.length === 0) throw invalidInput('no IP is left to approve: reject the nomination instead');
      reply = mailText(input.reply ?? draft.text);
      status = 'approved';
      Object.assign(details, { approved, refused, delisted });
    } else {
      if (input.ips !== undefined || input.conflicts !== undefined) throw invalidInput('ips and conflicts apply to an approval only');
      reply = mailText(input.reply ?? draft.text);
      status = input.decision === 'reject' ? 'rejected' : 'needs-information';
    }
    db.run(sql`UPDATE nominations SET status = ${status}, assignee_id = coalesce(assignee_id, ${actor.id}), decision = ${input.decision}, decided_at = ${at},
      decided_by = ${actor.id}, decision_reason = ${input.why}, reply = ${reply}, updated_at = ${at} WHERE id = ${row.id}`);
    const sent = replyToNomination(db, row.id, actor, { subject: input.replySubject ?? draft.subject, text: reply }, settings, now);
    history().append({
      actor: actor.name,
      action: `nomination.${input.decision}`,
      subjectType: 'nomination',
      subjectId: row.id,
      reason: input.why,
      details: { status, reply, ...details, thread: sent.threadId, message: sent.messageId },
    });
  });
  return getNomination(db, input.id, settings, now);
}

