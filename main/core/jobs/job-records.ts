/**
 * Background jobs as the database keeps them: a job's worker records it when it starts (which
 * operation, for whom, in which process) and when it ends. A job still recorded as running whose
 * process is gone (killed, crashed) was interrupted: the core that keeps up the database finds it
 * when it opens, marks it so and records it in the history, and the app lists it as failed for a
 * day. Its operation ran in one transaction, so nothing of it was kept.
 */
import { hostname } from 'node:os';
import type { JobOperation, JobView } from '../../../shared/jobs.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { openHistory } from '../audit/history.js';
import type { CallOrigin } from '../call-scope.js';
import { isRunning } from '../processes.js';

/** How long an interrupted job stays in the jobs list after it was found. */
const SHOWN_FOR_MS = 24 * 60 * 60 * 1000;

/** This process, as the jobs it runs name it: host, pid and when it started. */
export function processOwner(): string {
  // Worked out once: the start time from two clocks may round to another millisecond later on.
  owner ??= `${hostname()}:${process.pid}:${Math.round(Date.now() - process.uptime() * 1000)}`;
  return owner;
}
let owner: string | undefined;

/**
 * Whether the process a record names (`processOwner()` and its pid) has stopped: one on this
 * computer that is not running, or whose pid this process now has (reused). Not this process,
 * and not a process on another computer (which cannot be asked).
 */
export function isOwnerGone(owner: string, ownerPid: number): boolean {
  return owner !== processOwner() && owner.startsWith(`${hostname()}:`) && (ownerPid === process.pid || !isRunning(ownerPid));
}

/** Record a job starting; answers its record's id. */
export function recordJobStart(db: WriteDb, operation: JobOperation, call: CallOrigin, at: string): number {
  const result = db.run(
    sql`INSERT INTO jobs (operation, actor, client, address, owner, owner_pid, started_at, state)
        VALUES (${operation}, ${call.actor}, ${call.client ?? null}, ${call.address ?? null}, ${processOwner()}, ${process.pid}, ${at}, 'running')`,
  );
  return Number(result.lastInsertRowid);
}

/** Record how a job ended. */
export function recordJobEnd(db: WriteDb, id: number, state: 'done' | 'failed' | 'cancelled', error: string | null, at: string): void {
  db.run(sql`UPDATE jobs SET state = ${state}, finished_at = ${at}, error = ${error} WHERE id = ${id} AND state = 'running'`);
}

/** What an interrupted job's error says. */
export const INTERRUPTED_MESSAGE = 'the RepDesk process running this job stopped before it finished (killed, crashed or shut down); nothing of it was kept: run it again';

/**
 * Mark the jobs whose process is gone as interrupted, each with a history event; answers how many.
 * A job of a process still running (this one, or another on this computer) is left alone.
 */
export function settleInterruptedJobs(db: WriteDb, now: Date): number {
  const rows = db.all<{ id: number; operation: string; actor: string | null; client: string | null; address: string | null; owner: string; owner_pid: number; started_at: string }>(
    sql`SELECT id, operation, actor, client, address, owner, owner_pid, started_at FROM jobs WHERE state = 'running'`,
  );
  const gone = rows.filter((row) => isOwnerGone(row.owner, row.owner_pid));
  if (gone.length === 0) return 0;
  const at = now.toISOString();
  db.transaction(() => {
    const history = openHistory(db, () => at);
    for (const row of gone) {
      if (db.run(sql`UPDATE jobs SET state = 'interrupted', finished_at = ${at}, error = ${INTERRUPTED_MESSAGE} WHERE id = ${row.id} AND state = 'running'`).changes !== 1) continue;
      history.append({
        actor: row.actor ?? '(server)',
        action: 'job.interrupted',
        subjectType: 'job',
        subjectId: row.id,
        details: { operation: row.operation, startedAt: row.started_at, client: row.client, address: row.address },
      });
    }
  });
  return gone.length;
}

/** The jobs found interrupted within the last day, as the jobs list shows them (failed, with why), newest first. */
export function interruptedJobViews(db: ReadDb, now: Date, id: (recordId: number) => number): JobView[] {
  const since = new Date(now.getTime() - SHOWN_FOR_MS).toISOString();
  const rows = db.all<{ id: number; operation: JobOperation; started_at: string; finished_at: string; error: string }>(
    sql`SELECT id, operation, started_at, finished_at, error FROM jobs WHERE state = 'interrupted' AND finished_at >= ${since} ORDER BY id DESC`,
  );
  return rows.map(
    (row) =>
      ({
        id: id(row.id),
        operation: row.operation,
        state: 'failed',
        stage: 'interrupted',
        done: 0,
        total: 0,
        rate: null,
        etaSeconds: null,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        result: null,
        error: { code: 'internal', message: row.error },
      }) as JobView,
  );
}
