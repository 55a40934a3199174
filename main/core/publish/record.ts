/**
 * The database's side of a publish: a snapshot is recorded `prepared` (serial reserved,
 * approval used, history event) before anything is switched, its manifest's hash is recorded
 * before `current` moves, and it is marked `live` after. A prepared snapshot that never went
 * live is removed again, its approval released, with an event saying so.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChangeCounts, SafetyCheck } from '../../../shared/publishing.js';
import type { ListName } from '../../../shared/domain.js';
import type { WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict } from '../errors.js';
import { historyHead, openHistory, type HistoryAnchor } from '../audit/history.js';
import type { Actor } from '../investigators/investigators.js';
import { readCurrentManifest, type ManifestFile } from '../snapshot/index.js';
import { lastLiveSnapshot, nextSerial, type PreparedSnapshot } from './prepare.js';

export interface SnapshotRecord {
  readonly out: string;
  readonly path: string;
  readonly zone: string;
  readonly keyId: string;
  readonly created: string;
  readonly expires: string;
  readonly preparedBy: Actor;
  readonly approvedBy: Actor | null;
  readonly requestId: number | null;
  readonly safety: readonly SafetyCheck[];
}

/** What a snapshot's record keeps of its preparation once its files are written (not the resolved zones). */
export type SnapshotCounts = Pick<PreparedSnapshot, 'listingsInForce' | 'changes'>;

/** What the history says about a snapshot (details of its events). */
function eventDetails(serial: number, record: SnapshotRecord, listingsInForce: Record<ListName, number>, changes: ChangeCounts | null): Record<string, unknown> {
  return { serial, zone: record.zone, path: record.path, keyId: record.keyId, approvedBy: record.approvedBy?.name ?? null, listingsInForce, changes };
}

/** The largest serial a snapshot row holds. */
export const LARGEST_SERIAL_SQL = sql`SELECT max(serial) AS serial FROM snapshots`;
/** The largest serial the history names (abandoned snapshots too). */
export const LARGEST_EVENT_SERIAL_SQL = sql`SELECT max(subject_id) AS serial FROM events WHERE subject_type = 'snapshot'`;

/** The largest serial ever given out: live or prepared rows, and serials the history names (abandoned ones too). */
function largestSerialGiven(db: WriteDb): number {
  const rows = db.get<{ serial: number | null }>(LARGEST_SERIAL_SQL)?.serial ?? 0;
  const events = db.get<{ serial: number | null }>(LARGEST_EVENT_SERIAL_SQL)?.serial ?? 0;
  return Math.max(rows, events);
}

/**
 * One write transaction before anything is switched: check that nothing moved since the
 * snapshot was prepared, reserve a serial above every one given out before (and above the
 * output folder's current one, and past any folder of that name), insert the row as
 * `prepared`, mark the approval used and append `snapshot.prepared`. Returns the serial and
 * the history's head (the prepared event).
 */
export function recordPrepared(db: WriteDb, prepared: PreparedSnapshot, record: Omit<SnapshotRecord, 'path'>, actor: Actor, now: Date): { serial: number; path: string; anchor: HistoryAnchor } {
  return db.transaction(() => {
    const inProgress = db.get<{ serial: number; path: string }>(sql`SELECT serial, path FROM snapshots WHERE state = 'prepared' LIMIT 1`);
    if (inProgress) throw conflict(`snapshot ${inProgress.serial} is being published (${inProgress.path}); try again when it has finished`);
    const last = lastLiveSnapshot(db)?.serial ?? null;
    if (last !== prepared.previousSerial) throw conflict(`snapshot ${last} was published while this one was being prepared; publish again (nothing was written)`);
    if (record.requestId !== null) {
      const request = db.get<{ used_by_serial: number | null }>(sql`SELECT used_by_serial FROM publish_approvals WHERE id = ${record.requestId}`);
      if (request?.used_by_serial !== null) throw conflict(`approval request #${record.requestId} was used by snapshot ${request?.used_by_serial} meanwhile; publish again`);
    }
    const previous = Math.max(last ?? 0, largestSerialGiven(db), readCurrentManifest(record.out)?.serial ?? 0);
    let serial = nextSerial(previous === 0 ? null : previous, now);
    // A folder already there (put there by hand, or another database's) is never overwritten: go past it.
    while (existsSync(join(record.out, String(serial)))) serial += 1;
    const path = join(record.out, String(serial));
    db.run(sql`INSERT INTO snapshots (serial, created_at, expires_at, zone, path, manifest_sha256, key_id, prepared_by, approved_by, counts, report, in_force, diff, state)
      VALUES (${serial}, ${record.created}, ${record.expires}, ${record.zone}, ${path}, '', ${record.keyId}, ${record.preparedBy.id}, ${record.approvedBy?.id ?? null},
              ${JSON.stringify({ listingsInForce: prepared.listingsInForce, changes: prepared.changes, files: [] })},
              ${JSON.stringify(record.safety)}, ${prepared.inForceBlob}, ${prepared.diffBlob}, 'prepared')`);
    if (record.requestId !== null) db.run(sql`UPDATE publish_approvals SET used_by_serial = ${serial} WHERE id = ${record.requestId}`);
    openHistory(db, () => now.toISOString()).append({
      actor: actor.name,
      action: 'snapshot.prepared',
      subjectType: 'snapshot',
      subjectId: serial,
      details: eventDetails(serial, { ...record, path }, prepared.listingsInForce, prepared.changes),
    });
    return { serial, path, anchor: historyHead(db) as HistoryAnchor };
  });
}

/** Record the written manifest's hash and the files' entry counts (still `prepared`): what start-up recovery checks `current` against. */
export function recordManifest(db: WriteDb, serial: number, manifestSha256: string, prepared: SnapshotCounts, files: readonly ManifestFile[]): void {
  db.transaction(() => {
    const counts = JSON.stringify({ listingsInForce: prepared.listingsInForce, changes: prepared.changes, files: files.map(({ path, entries }) => ({ path, entries })) });
    const changed = db.run(sql`UPDATE snapshots SET manifest_sha256 = ${manifestSha256}, counts = ${counts} WHERE serial = ${serial} AND state = 'prepared'`).changes;
    if (changed !== 1) throw conflict(`snapshot ${serial} is no longer recorded as being published (another RepDesk rolled it back); nothing was switched`);
  });
}

/** Mark the snapshot live (after `current` points at it) and append `snapshot.published`. */
export function markLive(db: WriteDb, serial: number, prepared: SnapshotCounts, record: SnapshotRecord, actor: Actor, now: Date): void {
  db.transaction(() => {
    const changed = db.run(sql`UPDATE snapshots SET state = 'live' WHERE serial = ${serial} AND state = 'prepared'`).changes;
    if (changed !== 1) throw conflict(`snapshot ${serial} is no longer recorded as being published`);
    openHistory(db, () => now.toISOString()).append({
      actor: actor.name,
      action: 'snapshot.published',
      subjectType: 'snapshot',
      subjectId: serial,
      details: eventDetails(serial, record, prepared.listingsInForce, prepared.changes),
    });
  });
}

/** What was found about a prepared snapshot and what was done with it, for the log and the history. */
export interface Reconciliation {
  readonly serial: number;
  readonly outcome: 'finished' | 'rolled back';
  readonly found: string;
  readonly done: string;
}

/**
 * Settle a prepared snapshot: finish it (mark it live) or roll it back (remove the row, release
 * its approval). One transaction with a `snapshot.reconciled` event naming what was found and
 * done. The event's actor is the snapshot's preparer (it is their publish); `by` names who settled it.
 */
export function settlePrepared(db: WriteDb, reconciliation: Reconciliation, by: string, now: Date): boolean {
  return db.transaction(() => {
    const row = db.get<{ preparer: string }>(
      sql`SELECT p.name AS preparer FROM snapshots s JOIN investigators p ON p.id = s.prepared_by WHERE s.serial = ${reconciliation.serial} AND s.state = 'prepared'`,
    );
    if (!row) return false;
    let released: number | null = null;
    if (reconciliation.outcome === 'finished') {
      db.run(sql`UPDATE snapshots SET state = 'live' WHERE serial = ${reconciliation.serial}`);
    } else {
      released = db.get<{ id: number }>(sql`SELECT id FROM publish_approvals WHERE used_by_serial = ${reconciliation.serial}`)?.id ?? null;
      db.run(sql`UPDATE publish_approvals SET used_by_serial = NULL WHERE used_by_serial = ${reconciliation.serial}`);
      db.run(sql`DELETE FROM snapshots WHERE serial = ${reconciliation.serial}`);
    }
    openHistory(db, () => now.toISOString()).append({
      actor: row.preparer,
      action: 'snapshot.reconciled',
      subjectType: 'snapshot',
      subjectId: reconciliation.serial,
      reason: `${reconciliation.found}; ${reconciliation.done}${released !== null ? `; approval request #${released} released` : ''}`,
      details: { serial: reconciliation.serial, outcome: reconciliation.outcome, found: reconciliation.found, done: reconciliation.done, approvalReleased: released, by },
    });
    return true;
  });
}
