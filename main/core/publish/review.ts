/**
 * What the Publish screen browses besides the preview: large-change requests waiting for a
 * second publisher, and what each published snapshot added and removed, listing by listing.
 */
import type { ListingView } from '../../../shared/listings.js';
import type { ListName } from '../../../shared/domain.js';
import type { PendingApproval } from '../../../shared/publishing.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { requireActor } from '../investigators/investigators.js';
import { listingReader } from '../listings/listings.js';
import { decodeIdSets } from './id-sets.js';

/**
 * The snapshot new requests compare with: the last live one (0: none yet; one still being
 * published is not a base). A request made against an older one is outdated: the change it
 * asked for can no longer be published as it was.
 */
function currentBase(db: ReadDb): number {
  return db.get<{ serial: number | null }>(sql`SELECT max(serial) AS serial FROM snapshots WHERE state = 'live'`)?.serial ?? 0;
}

/**
 * Requests for a large change that no second publisher has approved yet (or approved but not yet
 * published), leaving out the outdated ones (another snapshot was published since they were made).
 */
export function pendingApprovals(db: ReadDb): PendingApproval[] {
  return db
    .all<{ id: number; requested: string; requested_at: string; approved: string | null; approved_at: string | null; summary: string }>(
      sql`SELECT a.id, r.name AS requested, a.requested_at, p.name AS approved, a.approved_at, a.summary
          FROM publish_approvals a JOIN investigators r ON r.id = a.requested_by LEFT JOIN investigators p ON p.id = a.approved_by
          WHERE a.used_by_serial IS NULL AND (a.base_serial IS NULL OR a.base_serial = ${currentBase(db)}) ORDER BY a.id DESC`,
    )
    .map((row) => ({
      id: row.id,
      requestedBy: row.requested,
      requestedAt: row.requested_at,
      approvedBy: row.approved,
      approvedAt: row.approved_at,
      summary: JSON.parse(row.summary) as Record<string, unknown>,
    }));
}

/** A second publisher approves another publisher's request; the requester's next publish of the same content goes out. */
export function approveRequest(db: WriteDb, actorName: string | null, id: number, now: () => string): PendingApproval {
  return db.transaction(() => {
    const actor = requireActor(db, actorName, 'publisher');
    const row = db.get<{ requested_by: number; approved_by: number | null; used_by_serial: number | null; base_serial: number | null }>(
      sql`SELECT requested_by, approved_by, used_by_serial, base_serial FROM publish_approvals WHERE id = ${id}`,
    );
    if (!row) throw notFound(`no approval request #${id}`);
    if (row.used_by_serial !== null) throw conflict(`request #${id} was already published as snapshot ${row.used_by_serial}`);
    const base = currentBase(db);
    if (row.base_serial !== null && row.base_serial !== base) {
      throw conflict(`request #${id} is outdated: snapshot ${base} was published after it was made; the change must be prepared (published) again`);
    }
    if (row.requested_by === actor.id) throw forbidden('a large change needs a second publisher: you cannot approve your own request');
    if (row.approved_by !== null) throw conflict(`request #${id} is already approved`);
    db.run(sql`UPDATE publish_approvals SET approved_by = ${actor.id}, approved_at = ${now()} WHERE id = ${id}`);
    openHistory(db, now).append({ actor: actor.name, action: 'publish.approved', subjectType: 'publish-request', subjectId: id, details: {} });
    const approved = pendingApprovals(db).find((approval) => approval.id === id);
    if (!approved) throw notFound(`no approval request #${id}`);
    return approved;
  });
}

/** One page of the listings a snapshot added or removed on a list, in id order after `afterId`. */
export function snapshotChanges(db: ReadDb, serial: number, list: ListName, kind: 'added' | 'removed', afterId: number, limit: number): { total: number; listings: ListingView[] } {
  const row = db.get<{ diff: Buffer }>(sql`SELECT diff FROM snapshots WHERE serial = ${serial} AND state = 'live'`);
  if (!row) throw notFound(`no snapshot ${serial}`);
  const ids = decodeIdSets(row.diff)[`${list}${kind === 'added' ? '+' : '-'}`] ?? [];
  let start = 0;
  let end = ids.length;
  while (start < end) {
    const middle = (start + end) >>> 1;
    if (ids[middle] <= afterId) start = middle + 1;
    else end = middle;
  }
  const read = listingReader(db);
  const listings = ids
    .slice(start, start + limit)
    .map(read)
    .filter((listing): listing is ListingView => listing !== undefined);
  return { total: ids.length, listings };
}
