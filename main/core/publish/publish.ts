/**
 * Publishing a signed zone snapshot, in four steps, each a function named for it:
 * prepare (read, resolve, diff: prepare.ts) -> approve (safety checks, a second publisher for a
 * large change: approve.ts) -> write the folder (zone files, manifest, signature: write-folder.ts)
 * -> record and switch (record.ts): the snapshot is recorded `prepared` with its serial, its
 * approval and a history event before anything is switched, `<out>/current` moves only after
 * the manifest's hash is recorded, and the row is then marked `live`. What DNS hosts can fetch
 * is always a snapshot the database records; one that never finished is settled at the next
 * start or publish (reconcile.ts). One publish per output folder at a time (folder-lock.ts).
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ListName } from '../../../shared/domain.js';
import type { Settings } from '../../../shared/settings.js';
import type { PublishResult, SnapshotView } from '../../../shared/publishing.js';
import type { ChangeCounts } from '../../../shared/publishing.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { AppError, conflict, invalidInput } from '../errors.js';
import { createLogger } from '../log.js';
import type { HistoryCheckpoints } from '../audit/checkpoints.js';
import { requireActor, type Actor } from '../investigators/investigators.js';
import { approveChange, type ApprovedChange } from './approve.js';
import { reachStep } from './crash-points.js';
import { fsyncFolder } from './files.js';
import { lockFolder, type FolderLock } from './folder-lock.js';
import { currentSerial, incomingFolder, outputFolderError, pruneSnapshots, readCurrentManifest, switchCurrent } from './output-folder.js';
import { lastLiveSnapshot, prepareSnapshot, type PreparedSnapshot } from './prepare.js';
import { reconcileSnapshots } from './reconcile.js';
import { markLive, recordManifest, recordPrepared, settlePrepared, type SnapshotRecord } from './record.js';
import { signerKeyId, type Signer } from './signer.js';
import { writeSnapshotFolder } from './write-folder.js';
import { ZoneWriteError } from './zones.js';
export type { PublishResult };
export { nextSerial, prepareSnapshot, previewPublish, type PreparedSnapshot } from './prepare.js';
export { zoneOrigin } from './write-folder.js';

const log = createLogger('publish');
/** How long a publish waits for another one into the same folder before it is refused. */
export const DEFAULT_LOCK_WAIT_MS = 10_000;
/** How long marking a switched snapshot live keeps trying while another writer holds the database. */
const MARK_LIVE_ATTEMPTS = 6;

/** Progress of long work: what stage, how far. */
export interface PublishProgress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

export interface PublishOptions {
  readonly out: string;
  /** Signs the manifest (see signer.ts); its signature is checked before anything is switched. */
  readonly signer: Signer;
  readonly actor: string | null;
  /** Overrides the settings' base zone. */
  readonly zone?: string;
  /** This actor approves a large change that another publisher prepared (or will publish). */
  readonly approveLargeChange?: boolean;
  readonly onProgress?: (progress: PublishProgress) => void;
  /** Signs the history checkpoint the manifest records (none: a database without a file, ':memory:'). */
  readonly checkpoints?: HistoryCheckpoints | null;
  /** How long to wait for another publish into the same folder (default 10 s). */
  readonly lockWaitMs?: number;
  /** Testing: fail at a named step before the switch, as an error there would (see crash-points.ts). */
  readonly failAt?: 'prepared' | 'files' | 'manifest' | 'signature' | 'rename';
}

function checkedZone(zone: string): string {
  const lower = zone.toLowerCase();
  if (!/^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(lower)) throw invalidInput(`--zone ${JSON.stringify(lower)} is not a domain name`);
  return lower;
}

/** Prepare and approve; under the folder's lock, again if another publish went live meanwhile. */
async function prepareAndApprove(
  db: WriteDb,
  settings: Settings,
  now: Date,
  actor: Actor,
  options: PublishOptions,
  progress: (stage: string, done: number, total: number) => void,
): Promise<{ prepared: PreparedSnapshot; approved: ApprovedChange; lock: FolderLock | null }> {
  let lock: FolderLock | null = null;
  try {
    for (;;) {
      progress('reading and resolving', 0, 1);
      const prepared = prepareSnapshot(db, settings, now);
      const approved = approveChange(db, actor, prepared, settings, options.approveLargeChange ?? false, now);
      if (approved.isBlocked) {
        lock?.release();
        return { prepared, approved, lock: null };
      }
      if (lock) return { prepared, approved, lock };
      try {
        mkdirSync(options.out, { recursive: true, mode: 0o755 });
      } catch (error) {
        throw outputFolderError(error, options.out);
      }
      lock = await lockFolder(options.out, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
      // A publish into this folder killed while we waited is settled now, under the lock.
      reconcileSnapshots(db, { now, lockedOut: options.out, checkpoints: options.checkpoints, by: `publish by ${actor.name}` });
      if ((lastLiveSnapshot(db)?.serial ?? null) === prepared.previousSerial) return { prepared, approved, lock };
      // Another snapshot went live while this one was prepared: prepare again against it.
    }
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** Mark live, waiting out a writer that holds the database for a while (the snapshot is already current). */
function markLiveWaiting(db: WriteDb, serial: number, prepared: PreparedSnapshot, record: SnapshotRecord, actor: Actor, now: Date): void {
  for (let attempt = 1; ; attempt += 1) {
    try {
      markLive(db, serial, prepared, record, actor, now);
      return;
    } catch (error) {
      const isBusy = /^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '');
      if (!isBusy) throw error;
      if (attempt >= MARK_LIVE_ATTEMPTS) {
        throw conflict(
          `snapshot ${serial} is current in ${record.out}, but the database stayed busy (another RepDesk is writing) and it could not be recorded as live; it is recorded at the next start or publish`,
        );
      }
      log.warn(`snapshot ${serial} is current; the database is busy, still trying to record it as live`);
    }
  }
}

/** Roll back a snapshot that failed before the switch: its folder, then (if the database lets us now) its record. */
function rollBack(db: WriteDb, out: string, serial: number, by: string, now: Date, cause: unknown): void {
  rmSync(incomingFolder(out, serial), { recursive: true, force: true });
  if (currentSerial(out) !== serial) rmSync(join(out, String(serial)), { recursive: true, force: true });
  const reason = cause instanceof Error ? cause.message : String(cause);
  try {
    settlePrepared(db, { serial, outcome: 'rolled back', found: `the publish failed before the switch (${reason})`, done: 'rolled it back (removed its folder and its record)' }, by, now);
  } catch (error) {
    log.warn(`snapshot ${serial} is left prepared, to be rolled back at the next start or publish: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Prepare, check, and (when every check passes) write, sign, record and switch to a new snapshot. */
export async function publishSnapshot(db: WriteDb, settings: Settings, now: Date, options: PublishOptions): Promise<PublishResult> {
  const actor = requireActor(db, options.actor, 'publisher');
  const zone = checkedZone(options.zone ?? settings.publish.zone);
  const report = options.onProgress ?? (() => undefined);
  const progress = (stage: string, done: number, total: number) => report({ stage, done, total });
  const keyId = signerKeyId(options.signer);
  // One spelling of the folder (the lock, the records and recovery compare it).
  const out = resolve(options.out);
  // Publishes left unfinished elsewhere since this core opened (a process killed meanwhile) are settled first.
  reconcileSnapshots(db, { now, checkpoints: options.checkpoints, by: `publish by ${actor.name}` });

  const { prepared, approved, lock } = await prepareAndApprove(db, settings, now, actor, { ...options, out }, progress);
  const base = {
    zone,
    listingsInForce: prepared.listingsInForce,
    changes: prepared.changes,
    safety: approved.safety,
    preparedBy: approved.preparedBy.name,
    keyId,
  };
  if (!lock) return { ...base, published: false, serial: null, path: null, files: [], needsApproval: approved.needsApproval, approvedBy: null };

  try {
    const created = Math.floor(now.getTime() / 1000);
    const expires = created + settings.publish.validityHours * 3600;
    const record: Omit<SnapshotRecord, 'path'> = {
      out,
      zone,
      keyId,
      created: new Date(created * 1000).toISOString(),
      expires: new Date(expires * 1000).toISOString(),
      preparedBy: approved.preparedBy,
      approvedBy: approved.approvedBy,
      requestId: approved.requestId,
      safety: approved.safety,
    };
    const { serial, path, anchor } = recordPrepared(db, prepared, record, actor, now);
    const by = `publish by ${actor.name}`;
    let isSwitched = false;
    try {
      const checkpoint = options.checkpoints?.sign(anchor) ?? null;
      reachStep('prepared', options.failAt);
      const incoming = incomingFolder(out, serial);
      rmSync(incoming, { recursive: true, force: true });
      mkdirSync(incoming, { mode: 0o755 });
      const written = await writeSnapshotFolder(
        {
          folder: incoming,
          serial,
          zone,
          settings,
          resolution: prepared.resolution,
          listingsInForce: prepared.listingsInForce,
          created,
          expires,
          previousManifestSha256: readCurrentManifest(out)?.sha256 ?? null,
          preparedBy: approved.preparedBy.name,
          approvedBy: approved.approvedBy?.name ?? null,
          history: anchor,
          checkpoint,
          progress,
          failAt: options.failAt,
        },
        options.signer,
      );
      recordManifest(db, serial, written.manifestSha256, prepared, written.files);
      renameSync(incoming, path);
      fsyncFolder(out);
      reachStep('rename', options.failAt);
      // No progress report from here on: a cancel arriving now must not report "nothing changed".
      switchCurrent(out, serial);
      isSwitched = true;
      reachStep('switch');
      markLiveWaiting(db, serial, prepared, { ...record, path }, actor, now);
      reachStep('commit');
      try {
        options.checkpoints?.signHead();
      } catch (error) {
        // Live and recorded: the next checkpoint (a command's end, the next minutes) covers it.
        log.warn(`snapshot ${serial} is published; no checkpoint after it yet: ${error instanceof Error ? error.message : String(error)}`);
      }
      pruneSnapshots(out, settings.publish.keep);
      return { ...base, published: true, serial, path, files: written.files, needsApproval: false, approvedBy: approved.approvedBy?.name ?? null };
    } catch (error) {
      if (!isSwitched) rollBack(db, out, serial, by, now, error);
      throw error;
    }
  } catch (error) {
    if (error instanceof ZoneWriteError) throw invalidInput(`zone data cannot carry a value: ${error.message}`);
    if (error instanceof AppError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? outputFolderError(error, out) : error;
  } finally {
    lock.release();
  }
}

/** The snapshots published from this database (live ones), newest first. */
export function listSnapshots(db: ReadDb): SnapshotView[] {
  return db
    .all<{ serial: number; created_at: string; expires_at: string; zone: string; path: string; key_id: string; prepared: string; approved: string | null; counts: string }>(
      sql`SELECT s.serial, s.created_at, s.expires_at, s.zone, s.path, s.key_id, p.name AS prepared, a.name AS approved, s.counts
          FROM snapshots s JOIN investigators p ON p.id = s.prepared_by LEFT JOIN investigators a ON a.id = s.approved_by
          WHERE s.state = 'live' ORDER BY s.serial DESC`,
    )
    .map((row) => {
      const counts = JSON.parse(row.counts) as { listingsInForce: Record<ListName, number>; changes: ChangeCounts | null };
      return {
        serial: row.serial,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        zone: row.zone,
        path: row.path,
        keyId: row.key_id,
        preparedBy: row.prepared,
        approvedBy: row.approved,
        listingsInForce: counts.listingsInForce,
        changes: counts.changes,
      };
    });
}
