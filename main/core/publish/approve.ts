/**
 * The second step of a publish: the safety checks, and for a large change the approval of a
 * second publisher. A request is recorded (or approved) here; it is marked used only in the
 * transaction that records the snapshot, and released again if that snapshot is rolled back.
 */
import { LISTS } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { SafetyCheck } from '../../../shared/publishing.js';
import type { WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import type { Actor } from '../investigators/investigators.js';
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
