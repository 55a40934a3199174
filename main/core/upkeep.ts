/**
 * What every core that opens the database for writing keeps up besides its operations: history
 * checkpoints (signed by a key the database does not hold, appended to a file beside it: every
 * few minutes while something writes, and when the core closes) and the settling of publishes
 * that did not finish (when it opens). See audit/checkpoints.ts and publish/reconcile.ts.
 */
import { dirname, resolve } from 'node:path';
import type { ReadDb, WriteDb } from './db/connection.js';
import { sql } from './db/sql.js';
import { createLogger } from './log.js';
import { readSettings } from './settings/settings.js';
import { CheckpointFile, HistoryCheckpoints, checkpointPaths } from './audit/checkpoints.js';
import { fileCheckpointKey, type CheckpointKeyCustody } from './audit/checkpoint-key.js';
import { reconcileSnapshots } from './publish/reconcile.js';
import { settleInterruptedJobs } from './jobs/job-records.js';
import { removeAbandonedImports } from './listings/staged-import.js';

const log = createLogger('core');

export interface UpkeepOptions {
  readonly databasePath: string;
  readonly now: () => Date;
  /** The default output folder when the settings name none. */
  readonly snapshotFolder?: string;
  /** False for a job's worker: only the checkpoints a publish signs itself (see CoreOptions.runsUpkeep). */
  readonly isRunning: boolean;
  readonly checkpointKey?: CheckpointKeyCustody;
  readonly checkpointTickMs?: number;
}

export interface Upkeep {
  /** Null for a database without a file (':memory:'). */
  readonly checkpoints: HistoryCheckpoints | null;
  readonly checkpointFile: CheckpointFile | null;
  /** Output folders to look after besides those of recorded snapshots: the configured one and the last publish's. */
  outputFolders(): string[];
  /** Sign a checkpoint of the history's head now if it moved since the last one (a failure is logged). */
  signCheckpoint(when: string): void;
  /** Stop the timer and sign a checkpoint of what was written. */
  close(): void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function startUpkeep(read: ReadDb, write: WriteDb, options: UpkeepOptions): Upkeep {
  const paths = options.databasePath === ':memory:' ? null : checkpointPaths(resolve(options.databasePath));
  const checkpointFile = paths ? new CheckpointFile(paths.file, options.checkpointKey ?? fileCheckpointKey(paths.key)) : null;
  const checkpoints = checkpointFile ? new HistoryCheckpoints(read, checkpointFile, options.now) : null;
  const outputFolders = (): string[] => {
    const configured = readSettings(read).publish.outDir || options.snapshotFolder;
    const last = read.get<{ path: string }>(sql`SELECT path FROM snapshots WHERE state = 'live' ORDER BY serial DESC LIMIT 1`);
    return [...(configured ? [configured] : []), ...(last ? [dirname(last.path)] : [])];
  };
  const signCheckpoint = (when: string) => {
    if (!options.isRunning) return;
    try {
      checkpoints?.signHead();
    } catch (error) {
      log.warn(`no history checkpoint signed ${when}: ${message(error)}`);
    }
  };
  if (options.isRunning) {
    // Before anything else: listings of imports whose process stopped before committing go (nobody ever saw them).
    try {
      const removed = removeAbandonedImports(write);
      if (removed > 0) log.warn(`${removed} import${removed === 1 ? '' : 's'} left unfinished when RepDesk last stopped ${removed === 1 ? 'was' : 'were'} removed (nothing of ${removed === 1 ? 'it' : 'them'} had been committed)`);
    } catch (error) {
      log.warn(`unfinished imports not checked at start: ${message(error)}`);
    }
    try {
      reconcileSnapshots(write, { now: options.now(), folders: outputFolders(), checkpoints, by: 'start-up' });
    } catch (error) {
      log.warn(`unfinished publishes not checked at start: ${message(error)}`);
    }
    try {
      const interrupted = settleInterruptedJobs(write, options.now());
      if (interrupted > 0) log.warn(`${interrupted} background job${interrupted === 1 ? ' was' : 's were'} interrupted when RepDesk last stopped; reported failed (nothing of them was kept)`);
    } catch (error) {
      log.warn(`interrupted jobs not checked at start: ${message(error)}`);
    }
  }
  const tick = () => {
    try {
      checkpoints?.tick(readSettings(read).audit.checkpointMinutes);
    } catch (error) {
      log.warn(`no history checkpoint signed: ${message(error)}`);
    }
  };
  const timer = checkpoints && options.isRunning ? setInterval(tick, options.checkpointTickMs ?? 60_000) : null;
  timer?.unref();
  return {
    checkpoints,
    checkpointFile,
    outputFolders,
    signCheckpoint,
    close: () => {
      if (timer) clearInterval(timer);
      // A command that wrote ends with its writes under a signed checkpoint.
      signCheckpoint('when closing');
    },
  };
}
