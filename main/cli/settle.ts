/**
 * What follows a command that opened the database, before the process exits: the dashboard's
 * figures are brought up to date. After a large import that fold takes seconds (about 5 s for a
 * million listings), which nobody should wait for at the prompt or in a cron job: it then runs in
 * a process of its own, started detached (`repdesk dashboard`, which folds what is pending), while
 * this one exits. It folds in steps of one short transaction each, so a command run meanwhile
 * waits at most for one step; and any reader of the figures folds what is still pending itself.
 * Loaded only when a command opened the core.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Core } from '../core/app.js';
import { unfoldedListings } from '../core/dashboard/counters.js';
import { createLogger } from '../core/log.js';
import { coreFileUrl } from '../core/core-files.js';

const log = createLogger('cli');

/** New listings from which the fold runs in a process of its own rather than before exit. */
export const BACKGROUND_FOLD_LISTINGS = 100_000;

/** bin/repdesk.js, beside dist/. */
const BIN = fileURLToPath(coreFileUrl('../../../bin/repdesk.js'));

/** The detached fold's command: `repdesk dashboard` on an existing database only (it may have been removed since). */
export function detachedFoldArgs(databasePath: string): string[] {
  return [BIN, '--db', databasePath, 'dashboard', '--existing', '--json'];
}

/**
 * Fold now when it is quick; otherwise start the fold in a detached process and return. A command
 * that changed nothing (a lookup, a record, a dry run) leaves the fold to the writers and to the
 * next reader of the figures: it neither waits for the write lock nor starts a second fold beside
 * the one a big import started moments ago (the lookups the cli bench times right after an
 * import each spawned one).
 */
export function settleDashboard(core: Core, databasePath: string): void {
  if (!changedAnything(core)) return;
  if (databasePath !== ':memory:' && unfoldedListings(core.connection.read) >= BACKGROUND_FOLD_LISTINGS) {
    const child = spawn(process.execPath, detachedFoldArgs(databasePath), {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, REPDESK_LOG_LEVEL: 'error' },
    });
    child.on('error', (error) => log.warn(`the dashboard's figures will be folded when next opened (${error.message})`));
    child.unref();
    return;
  }
  core.foldDashboard();
}

/** Whether this process's connection inserted, changed or deleted any row since it was opened. */
function changedAnything(core: Core): boolean {
  const row = core.connection.read.get<{ changes: number }>({ text: 'SELECT total_changes() AS changes', values: [] });
  return (row?.changes ?? 1) > 0;
}
