/**
 * The second step of a publish: the safety checks, and for a large change the approval of a
 * second publisher, all of it here: a request is recorded when a publish meets a large change,
 * approved by another publisher (in that publisher's own publish, or from the Publish screen),
 * listed while it waits, and used by the publish that goes out with it. It is marked used only in
 * the transaction that records the snapshot, and released again if that snapshot is rolled back.
 */
import { LISTS } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { PendingApproval, SafetyCheck } from '../../../shared/publishing.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { requireActor, type Actor } from '../investigators/investigators.js';
import { decodeIdSets, diffSorted } from './id-sets.js';
import type { PreparedSnapshot } from './prepare.js';
import { runSafetyChecks } from './safety.js';

interface ApprovalRow {
  id: number;
  change_digest: string;
  requested_by: number;
  approved_by: number | null;
  base_serial: number | null;
  in_force: Buffer | null;
}

/** The outcome of the checks: what is reported, and who prepared and approved the change. */
export interface ApprovedChange {
  readonly safety: readonly SafetyCheck[];
  /** A check failed or an approval is missing: nothing may be written. */
  readonly isBlocked: boolean;
  readonly needsApproval: boolean;
  /** The publisher of record: with an approval, the one who asked for it. */
  readonly preparedBy: Actor;
  readonly approvedBy: Actor | null;
  /** The approval request this publish uses, if any. */
  readonly requestId: number | null;
}

/**
 * Whether request `row` covers the change `prepared` would publish: made for exactly this
 * content, or for content that differs from this by no more than the change-size thresholds on
 * every list (what is allowed without an approval anyway) and compared with the same snapshot.
 */
function covers(row: ApprovalRow, prepared: PreparedSnapshot, settings: Settings): boolean {
  if (row.change_digest === prepared.changeDigest) return true;
  if (row.in_force === null || row.base_serial !== (prepared.previousSerial ?? 0)) return false;
  const asked = decodeIdSets(row.in_force);
  const { maxAddedPerList, maxRemovedPerList } = settings.publish;
  return LISTS.every((list) => {
    const drift = diffSorted(asked[list] ?? [], prepared.resolution.inForce[list]);
    return drift.added.length <= maxAddedPerList && drift.removed.length <= maxRemovedPerList;
  });
}

/**
 * Approval of a large change: by two different publishers, for this change (see `covers`). The
 * one who asked is the preparer of record, whichever of the two runs the publish that uses it.
 */
function resolveApproval(
  db: WriteDb,
  actor: Actor,
  prepared: PreparedSnapshot,
  settings: Settings,
  isApproving: boolean,
  summary: string,
  now: string,
): { approved: boolean; approvedBy: Actor | null; preparedBy: Actor | null; requestId: number | null } {
  const rows = db
    .all<ApprovalRow>(sql`SELECT id, change_digest, requested_by, approved_by, base_serial, in_force FROM publish_approvals WHERE used_by_serial IS NULL ORDER BY id`)
    .filter((row) => covers(row, prepared, settings))
    // A request for exactly this content first.
    .sort((a, b) => Number(b.change_digest === prepared.changeDigest) - Number(a.change_digest === prepared.changeDigest));
  const person = (id: number | null): Actor | null => {
    const row = db.get<{ id: number; name: string }>(sql`SELECT id, name FROM investigators WHERE id = ${id}`);
    return row ? { id: row.id, name: row.name, roles: [] } : null;
  };
  const complete = rows.find((row) => row.approved_by !== null && (row.requested_by === actor.id || row.approved_by === actor.id));
  if (complete) {
    return { approved: true, approvedBy: person(complete.approved_by), preparedBy: person(complete.requested_by), requestId: complete.id };
  }
  if (isApproving) {
    const byOther = rows.find((row) => row.requested_by !== actor.id && row.approved_by === null);
    if (byOther) {
      db.run(sql`UPDATE publish_approvals SET approved_by = ${actor.id}, approved_at = ${now} WHERE id = ${byOther.id}`);
      return { approved: true, approvedBy: actor, preparedBy: person(byOther.requested_by), requestId: byOther.id };
    }
  }
  if (!rows.some((row) => row.requested_by === actor.id)) {
    db.run(sql`INSERT INTO publish_approvals (change_digest, requested_by, requested_at, summary, base_serial, in_force)
      VALUES (${prepared.changeDigest}, ${actor.id}, ${now}, ${summary}, ${prepared.previousSerial ?? 0}, ${prepared.inForceBlob})`);
  }
  return { approved: false, approvedBy: null, preparedBy: null, requestId: null };
}

/** Run the safety checks; a large change needs (and may here receive) a second publisher's approval. */
export function approveChange(db: WriteDb, actor: Actor, prepared: PreparedSnapshot, settings: Settings, isApproving: boolean, now: Date): ApprovedChange {
  let safety = runSafetyChecks(prepared.resolution, settings, prepared.changes, false);
  let approval = { approved: false, approvedBy: null as Actor | null, preparedBy: null as Actor | null, requestId: null as number | null };
  if (safety.some((check) => check.status === 'needs-approval')) {
    const summary = JSON.stringify(prepared.changes ?? prepared.listingsInForce);
    approval = db.transaction(() => resolveApproval(db, actor, prepared, settings, isApproving, summary, now.toISOString()));
    safety = runSafetyChecks(prepared.resolution, settings, prepared.changes, approval.approved);
  }
  const needsApproval = safety.some((check) => check.status === 'needs-approval');
  return {
    safety,
    isBlocked: needsApproval || safety.some((check) => check.status === 'fail'),
    needsApproval,
    preparedBy: approval.preparedBy ?? actor,
    approvedBy: approval.approvedBy,
    requestId: approval.requestId,
  };
}

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
