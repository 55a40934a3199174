/**
 * Recovery of publishes that did not finish (a kill, a power loss, a database that stayed busy):
 * every `prepared` snapshot is settled against its output folder. When `current` points at it
 * and its manifest is the one recorded, it is live on the DNS hosts' side: it is marked live.
 * Otherwise it never was: its folder goes, its row goes and its approval is released. Leftover
 * `.incoming-*` and `.current-*` go too. Runs when a core opens the database for writing and at
 * the start of every publish; a folder whose publish lock another living process holds is
 * left alone (that publish is still running).
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { createLogger } from '../log.js';
import type { HistoryCheckpoints } from '../audit/checkpoints.js';
import { LOCK_FILE, tryLockFolder } from './folder-lock.js';
import { currentSerial, leftoversIn, manifestSha256, reachStep, removeLeftovers, switchCurrent } from '../snapshot/index.js';
import { settlePrepared, type Reconciliation } from './record.js';

const log = createLogger('publish');

export interface ReconcileOptions {
  readonly now: Date;
  /** An output folder whose publish lock the caller holds already (a publish in progress). */
  readonly lockedOut?: string;
  /** Further output folders to clear of leftovers (the configured one, the last publish's). */
  readonly folders?: readonly string[];
  /** Signs a checkpoint after the history changed. */
  readonly checkpoints?: HistoryCheckpoints | null;
  /** Who settles, for the history: "start-up" or "publish by NAME". */
  readonly by: string;
}

interface PreparedRow {
  serial: number;
  path: string;
  manifest_sha256: string;
}

/** What to do with one prepared snapshot, judged from its folder. */
function judge(row: PreparedRow, out: string): Reconciliation {
  const current = currentSerial(out);
  const written = manifestSha256(out, row.serial);
  if (current === row.serial && written !== null && row.manifest_sha256 !== '' && written === row.manifest_sha256) {
    return { serial: row.serial, outcome: 'finished', found: `${out}/current points at snapshot ${row.serial} and its manifest is the one recorded`, done: 'marked it live' };
  }
  let found: string;
  if (current === row.serial) found = `${out}/current points at snapshot ${row.serial}, but its manifest ${written === null ? 'is missing' : 'is not the one recorded'}`;
  else if (written !== null) found = `snapshot ${row.serial} was written to ${row.path} but ${out}/current never pointed at it`;
  else found = `snapshot ${row.serial} was never written whole (${out}/current points at ${current ?? 'nothing'})`;
  return { serial: row.serial, outcome: 'rolled back', found, done: 'rolled it back (removed its folder and its record)' };
}

/** Put `current` back on the newest live snapshot still in `out` (or remove it), after the one it pointed at is rolled back. */
function restoreCurrent(db: WriteDb, out: string): void {
  const lives = db.all<{ serial: number; path: string }>(sql`SELECT serial, path FROM snapshots WHERE state = 'live' ORDER BY serial DESC LIMIT 50`);
  const previous = lives.find((row) => dirname(row.path) === out && existsSync(join(row.path, 'manifest.json')));
  if (previous) switchCurrent(out, previous.serial);
  else rmSync(join(out, 'current'), { force: true });
}

/** The snapshots recorded `prepared` into `out`, read now. */
function preparedIn(db: WriteDb, out: string): PreparedRow[] {
  return db
    .all<PreparedRow>(sql`SELECT serial, path, manifest_sha256 FROM snapshots WHERE state = 'prepared' ORDER BY serial`)
    .filter((row) => resolve(dirname(row.path)) === out);
}

/**
 * Settle the prepared snapshots of `out`, with its lock held (or the folder gone). The rows are
 * read here, under the lock, never before it: a publish that held the lock meanwhile may have
 * finished, and judging its row as it was before (no manifest recorded yet) would roll back a
 * snapshot that is live.
 */
function settleFolder(db: WriteDb, out: string, options: ReconcileOptions): Reconciliation[] {
  const settled: Reconciliation[] = [];
  for (const row of preparedIn(db, out)) {
    const reconciliation = judge(row, out);
    try {
      if (reconciliation.outcome === 'rolled back') {
        if (currentSerial(out) === row.serial) restoreCurrent(db, out);
        rmSync(row.path, { recursive: true, force: true });
      }
      if (settlePrepared(db, reconciliation, options.by, options.now)) {
        log.warn(`recovered an unfinished publish: ${reconciliation.found}; ${reconciliation.done}`);
        settled.push(reconciliation);
      }
    } catch (error) {
      // The database busy (another writer): left prepared, for the next start or publish.
      log.warn(`snapshot ${row.serial} in ${out} is still to be recovered: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const removed = removeLeftovers(out);
  if (removed.length > 0) log.warn(`removed what killed publishes left in ${out}: ${removed.join(', ')}`);
  return settled;
}

/** Settle every prepared snapshot whose output folder is free, and clear those folders of leftovers. */
export function reconcileSnapshots(db: WriteDb, options: ReconcileOptions): Reconciliation[] {
  const rows = db.all<PreparedRow>(sql`SELECT serial, path, manifest_sha256 FROM snapshots WHERE state = 'prepared' ORDER BY serial`);
  const lockedOut = options.lockedOut === undefined ? null : resolve(options.lockedOut);
  const folders = new Set<string>([...rows.map((row) => dirname(row.path)), ...(options.folders ?? []), ...(lockedOut ? [lockedOut] : [])].map((folder) => resolve(folder)));
  const settled: Reconciliation[] = [];
  for (const out of folders) {
    if (out === lockedOut) {
      settled.push(...settleFolder(db, out, options));
      continue;
    }
    const mine = rows.filter((row) => resolve(dirname(row.path)) === out);
    // Nothing to settle or clear (no record, no leftover, no lock a killed publish left): the folder is not touched at all.
    if (mine.length === 0 && leftoversIn(out).length === 0 && !existsSync(join(out, LOCK_FILE))) continue;
    if (!existsSync(out)) {
      // Nothing on disk (the folder is gone): nothing can be live from it, and nobody can be writing there.
      settled.push(...settleFolder(db, out, options));
      continue;
    }
    // Tests hold a process here, between the read above and the lock, to run a publish to its end meanwhile.
    if (mine.length > 0) reachStep('reconcile');
    let attempt;
    try {
      attempt = tryLockFolder(out);
    } catch (error) {
      log.warn(`cannot check ${out} for unfinished publishes: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (!('lock' in attempt)) continue; // a publish is running there
    try {
      settled.push(...settleFolder(db, out, options));
    } finally {
      attempt.lock.release();
    }
  }
  if (settled.length > 0) options.checkpoints?.signHead();
  return settled;
}
