/**
 * Publishing a signed zone snapshot, step by step, each step a function named for it:
 * prepare (read, resolve, diff: prepare.ts) -> approve (safety checks, a second publisher for a
 * large change: approve.ts) -> write the folder (recorded `prepared` with its serial, its
 * approval and a history event first: record.ts; then the zone files and the manifest in a
 * temporary folder: write-folder.ts) -> sign (here, or on the publisher's computer in team mode:
 * remote-signing.ts) -> switch it in atomically and record it live (the manifest's hash recorded,
 * the folder renamed to its serial, `<out>/current` moved in one rename, the row marked `live`).
 * What DNS hosts can fetch is always a snapshot the database records; one that never finished is
 * settled at the next start or publish (reconcile.ts). One publish per output folder at a time
 * (folder-lock.ts).
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Settings } from '../../../shared/settings.js';
import type { PublishResult } from '../../../shared/publishing.js';
import type { WriteDb } from '../db/connection.js';
import { AppError, conflict, invalidInput } from '../errors.js';
import { createLogger } from '../log.js';
import type { HistoryCheckpoints } from '../audit/checkpoints.js';
import { requireActor, type Actor } from '../investigators/investigators.js';
import { approveChange, type ApprovedChange } from './approve.js';
import { reachStep, fsyncFolder, currentSerial, incomingFolder, outputFolderError, pruneSnapshots, readCurrentManifest, switchCurrent, signerKeyId, type Signer } from '../snapshot/index.js';
import { lockFolder, type FolderLock } from './folder-lock.js';
import { lastLiveSnapshot, prepareSnapshot, type PreparedSnapshot } from './prepare.js';
import { reconcileSnapshots } from './reconcile.js';
import { markLive, recordManifest, recordPrepared, settlePrepared, type SnapshotCounts, type SnapshotRecord } from './record.js';
import { signWithKey, writeSignatureFile, writeUnsignedSnapshot, type UnsignedSnapshot } from './write-folder.js';
import { ZoneWriteError } from './zones/checks.js';
import type { ProgressReporter } from '../jobs/progress.js';
export type { PublishResult };
export { nextSerial, prepareSnapshot, previewPublish, type PreparedSnapshot } from './prepare.js';
export { zoneOrigin } from './write-folder.js';

const log = createLogger('publish');
/** How long a publish waits for another one into the same folder before it is refused. */
export const DEFAULT_LOCK_WAIT_MS = 10_000;
/** How long marking a switched snapshot live keeps trying while another writer holds the database. */
const MARK_LIVE_ATTEMPTS = 6;

export interface PublishOptions {
  readonly out: string;
  /** Signs the manifest (see signer.ts); its signature is checked before anything is switched. */
  readonly signer: Signer;
  readonly actor: string | null;
  /** Overrides the settings' base zone. */
  readonly zone?: string;
  /** This actor approves a large change that another publisher prepared (or will publish). */
  readonly approveLargeChange?: boolean;
  readonly onProgress?: ProgressReporter;
  /** Signs the history checkpoint the manifest records (none: a database without a file, ':memory:'). */
  readonly checkpoints?: HistoryCheckpoints | null;
  /** How long to wait for another publish into the same folder (default 10 s). */
  readonly lockWaitMs?: number;
  /** Testing: fail at a named step before the switch, as an error there would (see crash-points.ts). */
  readonly failAt?: 'prepared' | 'writing' | 'files' | 'manifest' | 'signature' | 'rename';
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
  options: Pick<PublishOptions, 'out' | 'approveLargeChange' | 'lockWaitMs' | 'checkpoints'>,
  progress: ProgressReporter,
): Promise<{ prepared: PreparedSnapshot; approved: ApprovedChange; lock: FolderLock | null }> {
  let lock: FolderLock | null = null;
  try {
    for (;;) {
      progress({ stage: 'reading and resolving', done: 0, total: 1 });
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
function markLiveWaiting(db: WriteDb, serial: number, prepared: SnapshotCounts, record: SnapshotRecord, actor: Actor, now: Date): void {
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

/** Why a publish failed, as the history's reconciliation records it. */
function failedBeforeSwitch(cause: unknown): string {
  return `the publish failed before the switch (${cause instanceof Error ? cause.message : String(cause)})`;
}

/** Roll back a snapshot that never switched (`found`: why): its folder, then (if the database lets us now) its record. */
function rollBack(db: WriteDb, out: string, serial: number, by: string, now: Date, found: string): void {
  rmSync(incomingFolder(out, serial), { recursive: true, force: true });
  if (currentSerial(out) !== serial) rmSync(join(out, String(serial)), { recursive: true, force: true });
  try {
    settlePrepared(db, { serial, outcome: 'rolled back', found, done: 'rolled it back (removed its folder and its record)' }, by, now);
  } catch (error) {
    log.warn(`snapshot ${serial} is left prepared, to be rolled back at the next start or publish: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** What a publish attempt reports whether or not it went live. */
type PublishBase = Omit<PublishResult, 'published' | 'serial' | 'path' | 'files' | 'needsApproval' | 'approvedBy'>;

/**
 * A snapshot recorded `prepared`, its zone files and manifest written into its temporary folder,
 * the output folder's lock held: all that is missing is the manifest's signature. A local
 * publish signs at once; in team mode it waits for the publisher's computer (remote-signing.ts).
 */
export interface StagedSnapshot {
  readonly out: string;
  readonly serial: number;
  readonly path: string;
  readonly incoming: string;
  readonly lock: FolderLock;
  /** Who runs the publish (the preparer of record may be another publisher, with an approval). */
  readonly actor: Actor;
  readonly record: SnapshotRecord;
  /** The last live snapshot the change is counted against (null: the first). */
  readonly previousSerial: number | null;
  readonly counts: SnapshotCounts;
  readonly base: PublishBase;
  readonly unsigned: UnsignedSnapshot;
  readonly checkpoints: HistoryCheckpoints | null;
}

/** What staging needs besides what a publish takes: the key that is to sign (its id goes into the manifest). */
export interface StageOptions extends Omit<PublishOptions, 'signer'> {
  readonly keyId: string;
}

/** Staged, or refused by a safety check or a missing approval (nothing written). */
export type Staging = { readonly staged: StagedSnapshot } | { readonly blocked: PublishResult; readonly previousSerial: number | null };

/**
 * Prepare and check a snapshot and, when every check passes, record it `prepared` and write its
 * zone files and manifest, holding the output folder's lock. On failure nothing stays: the
 * folder and the record are rolled back and the lock released.
 */
export async function stageSnapshot(db: WriteDb, settings: Settings, now: Date, options: StageOptions): Promise<Staging> {
  const actor = requireActor(db, options.actor, 'publisher');
  const zone = checkedZone(options.zone ?? settings.publish.zone);
  const progress: ProgressReporter = options.onProgress ?? (() => undefined);
  // One spelling of the folder (the lock, the records and recovery compare it).
  const out = resolve(options.out);
  const checkpoints = options.checkpoints ?? null;
  // Publishes left unfinished elsewhere since this core opened (a process killed meanwhile) are settled first.
  reconcileSnapshots(db, { now, checkpoints, by: `publish by ${actor.name}` });

  const { prepared, approved, lock } = await prepareAndApprove(db, settings, now, actor, { ...options, out }, progress);
  const base: PublishBase = {
    zone,
    listingsInForce: prepared.listingsInForce,
    changes: prepared.changes,
    safety: approved.safety,
    preparedBy: approved.preparedBy.name,
    keyId: options.keyId,
  };
  if (!lock) {
    return { blocked: { ...base, published: false, serial: null, path: null, files: [], needsApproval: approved.needsApproval, approvedBy: null }, previousSerial: prepared.previousSerial };
  }

  try {
    return { staged: await recordAndWrite(db, settings, now, { out, zone, keyId: options.keyId, actor, prepared, approved, lock, base, checkpoints, progress, failAt: options.failAt }) };
  } catch (error) {
    lock.release();
    throw publishError(error, out);
  }
}

/** What `recordAndWrite` needs: a prepared, approved snapshot, and the output folder's lock held. */
interface Approved {
  readonly out: string;
  readonly zone: string;
  readonly keyId: string;
  readonly actor: Actor;
  readonly prepared: PreparedSnapshot;
  readonly approved: ApprovedChange;
  readonly lock: FolderLock;
  readonly base: PublishBase;
  readonly checkpoints: HistoryCheckpoints | null;
  readonly progress: ProgressReporter;
  readonly failAt?: PublishOptions['failAt'];
}

/**
 * Record the snapshot `prepared` (its serial reserved, its approval used, `snapshot.prepared` in
 * the history), then write its zone files and manifest into its temporary folder. On failure
 * the folder and the record are rolled back (the caller releases the lock).
 */
async function recordAndWrite(db: WriteDb, settings: Settings, now: Date, approved: Approved): Promise<StagedSnapshot> {
  const { out, zone, keyId, actor, prepared, checkpoints } = approved;
  const created = Math.floor(now.getTime() / 1000);
  const expires = created + settings.publish.validityHours * 3600;
  const recorded: Omit<SnapshotRecord, 'path'> = {
    out,
    zone,
    keyId,
    created: new Date(created * 1000).toISOString(),
    expires: new Date(expires * 1000).toISOString(),
    preparedBy: approved.approved.preparedBy,
    approvedBy: approved.approved.approvedBy,
    requestId: approved.approved.requestId,
    safety: approved.approved.safety,
  };
  const reserved = recordPrepared(db, prepared, recorded, actor, now);
  const { serial } = reserved;
  try {
    const checkpoint = checkpoints?.sign(reserved.anchor) ?? null;
    reachStep('prepared', approved.failAt);
    const incoming = incomingFolder(out, serial);
    rmSync(incoming, { recursive: true, force: true });
    mkdirSync(incoming, { mode: 0o755 });
    const unsigned = await writeUnsignedSnapshot(
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
        preparedBy: recorded.preparedBy.name,
        approvedBy: recorded.approvedBy?.name ?? null,
        history: reserved.anchor,
        checkpoint,
        progress: approved.progress,
        failAt: approved.failAt,
      },
      keyId,
    );
    const counts: SnapshotCounts = { listingsInForce: prepared.listingsInForce, changes: prepared.changes };
    const record = { ...recorded, path: reserved.path };
    return { out, serial, path: reserved.path, incoming, lock: approved.lock, actor, record, previousSerial: prepared.previousSerial, counts, base: approved.base, unsigned, checkpoints };
  } catch (error) {
    rollBack(db, out, serial, `publish by ${actor.name}`, now, failedBeforeSwitch(error));
    throw error;
  }
}

/** Errors of writing a snapshot as the caller should see them. */
function publishError(error: unknown, out: string): unknown {
  if (error instanceof ZoneWriteError) return invalidInput(`zone data cannot carry a value: ${error.message}`);
  if (error instanceof AppError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? outputFolderError(error, out) : error;
}

/**
 * Give a staged snapshot its signature (checked by the caller) and make it live: the signature
 * file, the manifest's hash recorded, the rename to its serial, `<out>/current` switched, the record marked live. A failure
 * before the switch rolls it back. The folder's lock is released either way.
 */
export function finishSnapshot(db: WriteDb, staged: StagedSnapshot, signature: string, now: Date, settings: Settings, failAt?: PublishOptions['failAt']): PublishResult {
  const { out, serial, path, actor } = staged;
  let isSwitched = false;
  try {
    writeSignatureFile(staged.incoming, signature, failAt);
    // What start-up recovery compares `current` with, recorded before it can switch.
    recordManifest(db, serial, staged.unsigned.manifestSha256, staged.counts, staged.unsigned.files);
    switchIn(staged, failAt);
    isSwitched = true;
    markLiveWaiting(db, serial, staged.counts, staged.record, actor, now);
    reachStep('commit');
    try {
      staged.checkpoints?.signHead();
    } catch (error) {
      // Live and recorded: the next checkpoint (a command's end, the next minutes) covers it.
      log.warn(`snapshot ${serial} is published; no checkpoint after it yet: ${error instanceof Error ? error.message : String(error)}`);
    }
    pruneSnapshots(out, settings.publish.keep);
    return { ...staged.base, published: true, serial, path, files: staged.unsigned.files, needsApproval: false, approvedBy: staged.record.approvedBy?.name ?? null };
  } catch (error) {
    if (!isSwitched) rollBack(db, out, serial, `publish by ${actor.name}`, now, failedBeforeSwitch(error));
    throw publishError(error, out);
  } finally {
    staged.lock.release();
  }
}

/**
 * Rename the signed folder to its serial and point `<out>/current` at it in one rename. No
 * progress report from here on: a cancel arriving now must not report "nothing changed".
 */
function switchIn(staged: StagedSnapshot, failAt?: PublishOptions['failAt']): void {
  renameSync(staged.incoming, staged.path);
  fsyncFolder(staged.out);
  reachStep('rename', failAt);
  switchCurrent(staged.out, staged.serial);
  reachStep('switch');
}

/** Roll a staged snapshot back (never signed: abandoned, expired, its signing failed) and release its folder's lock; `found` says why. */
export function abandonSnapshot(db: WriteDb, staged: StagedSnapshot, by: string, now: Date, found: string): void {
  try {
    rollBack(db, staged.out, staged.serial, by, now, found);
  } finally {
    staged.lock.release();
  }
}

/** Prepare, check, and (when every check passes) write, sign, record and switch to a new snapshot. */
export async function publishSnapshot(db: WriteDb, settings: Settings, now: Date, options: PublishOptions): Promise<PublishResult> {
  // prepare -> approve -> write the folder
  const staging = await stageSnapshot(db, settings, now, { ...options, keyId: signerKeyId(options.signer) });
  if ('blocked' in staging) return staging.blocked;
  const signature = await signHere(db, staging.staged, options.signer, now);
  // -> switch it in atomically -> record it live
  return finishSnapshot(db, staging.staged, signature, now, settings, options.failAt);
}

/** Sign a staged snapshot with a key of this process; a failure rolls it back. */
async function signHere(db: WriteDb, staged: StagedSnapshot, signer: Signer, now: Date): Promise<string> {
  try {
    return await signWithKey(staged.unsigned, signer);
  } catch (error) {
    abandonSnapshot(db, staged, `publish by ${staged.actor.name}`, now, failedBeforeSwitch(error));
    throw error;
  }
}
