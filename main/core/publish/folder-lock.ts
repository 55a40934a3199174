/**
 * One publish per output folder: a lock file (`.publish.lock`) naming the process that holds it
 * (host, pid and the process's start time). It survives a kill; a lock whose process is gone
 * (or whose pid now belongs to a process started later) is stale and taken over. Locks of
 * another host are never judged stale: their holder cannot be checked from here.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { conflict } from '../errors.js';

export const LOCK_FILE = '.publish.lock';

interface LockOwner {
  readonly pid: number;
  /** The process's start time in clock ticks since boot (Linux /proc), or null where unknown. */
  readonly started: number | null;
  readonly host: string;
  readonly at: string;
}

export interface FolderLock {
  readonly path: string;
  release(): void;
}

/** A process's start time (field 22 of /proc/PID/stat), or null where there is no /proc. */
function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isSafeInteger(value) ? value : null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const started = processStart(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isSafeInteger(owner.pid) && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** What holds the lock, for messages. */
function describeOwner(owner: LockOwner | null, path: string): string {
  if (!owner) return `${path} exists and cannot be read; remove it if no publish is running`;
  return `process ${owner.pid} on ${owner.host}, since ${owner.at}`;
}

export type LockAttempt = { readonly lock: FolderLock } | { readonly heldBy: string };

/** Take the folder's lock now, or say who holds it. A stale lock is taken over. */
export function tryLockFolder(folder: string): LockAttempt {
  const path = join(folder, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, started: processStart(process.pid), host: hostname(), at: new Date().toISOString() };
  const text = JSON.stringify(owner);
  // Written whole under a private name, then linked: the lock never exists half-written.
  const temporary = join(folder, `${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  writeFileSync(temporary, text, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        linkSync(temporary, path);
        return { lock: { path, release: () => releaseIf(path, text) } };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readOwner(path);
      if (!holder || holder.host !== owner.host || isAlive(holder)) return { heldBy: describeOwner(holder, path) };
      // Stale: move it aside (only one contender succeeds), then try again.
      const aside = join(folder, `${LOCK_FILE}.stale-${process.pid}`);
      try {
        renameSync(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        continue;
      }
      const moved = readOwner(aside);
      if (moved && (moved.pid !== holder.pid || moved.at !== holder.at)) {
        // Another process took the stale lock over between our read and our rename: put its lock back.
        try {
          linkSync(aside, path);
        } catch {
          // a third one holds it now; ours stays aside
        }
      }
      rmSync(aside, { force: true });
    }
    return { heldBy: describeOwner(readOwner(path), path) };
  } finally {
    rmSync(temporary, { force: true });
  }
}

function releaseIf(path: string, text: string): void {
  try {
    if (readFileSync(path, 'utf8') === text) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}

/** Take the folder's lock, waiting up to `waitMs` for another publish to finish; refused after that. */
export async function lockFolder(folder: string, waitMs: number): Promise<FolderLock> {
  const started = Date.now();
  for (;;) {
    const attempt = tryLockFolder(folder);
    if ('lock' in attempt) return attempt.lock;
    if (Date.now() - started >= waitMs) {
      throw conflict(`another publish into ${folder} is running (${attempt.heldBy}); try again when it has finished`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(10, waitMs / 20))));
  }
}
