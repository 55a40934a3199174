/**
 * Backup and restore of the database file.
 *
 * A backup is SQLite's online backup API (better-sqlite3's `backup()`) from a read-only connection
 * of its own, copying every page in one step: one read transaction, so the copy is the database
 * exactly as some commit left it, while other connections (the app, a server, a job) keep writing
 * under WAL. It is written beside the target and renamed into place, so a half-written file never
 * carries the target's name. The signed history checkpoints it can be checked against go beside
 * it with their key, as they go with a database a restore keeps aside.
 *
 * A restore refuses a file that is not an SQLite database, not a RepDesk database, from a newer
 * RepDesk, failing `PRAGMA integrity_check`, or whose history chain is broken, and refuses while
 * the database is open elsewhere. It copies the file beside the database, brings it to this
 * schema, records the restore in its history, then swaps it in with one rename; the database it
 * replaces is kept aside under a new name (a hard link made before the rename), never lost, with
 * the signed history checkpoints that vouch for it.
 */
import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import type { ApiResult } from '../../../shared/result.js';
import type { BackupFigures } from '../../../shared/remote.js';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, copyFileSync, existsSync, linkSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { conflict, invalidInput } from '../errors.js';
import { openHistory, verifyHistory } from '../audit/history.js';
import { checkpointPaths, parseCheckpoint } from '../audit/checkpoints.js';
import { fsyncFolder } from '../snapshot/index.js';
import { runInCall, type CallOrigin } from '../call-scope.js';
import { coreFileUrl } from '../core-files.js';
import { openDatabase } from '../db/connection.js';
import { SCHEMA_VERSION } from '../db/migrate.js';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Tables every RepDesk database has had since its first schema. */
const REPDESK_TABLES = ['investigators', 'listings', 'events', 'settings'];
/** Most integrity problems named in a refusal. */
const PROBLEMS_SHOWN = 5;

/**
 * A backup made: where, its size, schema, the history's last event in the copy (everything
 * committed up to it is in the backup), its SHA-256, and how many signed history checkpoints were
 * copied beside it (`<path>.checkpoints`, those up to its last event, with a copy of the key that
 * signed them, `<path>.checkpoint-key`, 0600: `audit verify` of the copy checks its history
 * against them; 0 when the database had none).
 */
export interface BackupResult extends BackupFigures {
  readonly path: string;
}

export interface RestoreResult {
  readonly path: string;
  /** Where the database that was replaced now is (null: there was none). */
  readonly keptAside: string | null;
  /** The backup's schema version, and the one it was brought to. */
  readonly fromSchemaVersion: number;
  readonly schemaVersion: number;
  readonly events: number;
  readonly listings: number;
}

function sha256Of(path: string): string {
  const hash = createHash('sha256');
  const descriptor = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (let read = readSync(descriptor, buffer); read > 0; read = readSync(descriptor, buffer)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(descriptor);
  }
  return hash.digest('hex');
}

/** A name beside `path` for work in progress, never the final name. */
function sideName(path: string, what: string): string {
  return join(dirname(path), `.${basename(path)}.${what}-${randomBytes(6).toString('hex')}`);
}

/**
 * Copy the history checkpoints of the database at `sourcePath` that a copy holding events up to
 * `lastEvent` can be checked against (complete lines only: one being appended meanwhile is left
 * out; a later checkpoint would say the copy's history was cut back), and the key that signed
 * them, beside `target`. Answers how many checkpoints went.
 */
function copyAnchors(sourcePath: string, target: string, lastEvent: number): number {
  const source = checkpointPaths(sourcePath);
  const copy = checkpointPaths(target);
  let text: string;
  try {
    text = readFileSync(source.file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const lines = text.split('\n').slice(0, -1);
  const kept = lines.filter((line) => {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(line);
    } catch {
      // An unreadable line is kept as it is: audit verify names it in the copy as in the database.
    }
    const checkpoint = parseCheckpoint(parsed);
    return checkpoint === null ? line.trim() !== '' : checkpoint.event <= lastEvent;
  });
  writeFileSync(copy.file, kept.length === 0 ? '' : `${kept.join('\n')}\n`, { flag: 'wx', mode: 0o644 });
  try {
    if (existsSync(source.key)) {
      copyFileSync(source.key, copy.key, constants.COPYFILE_EXCL);
      chmodSync(copy.key, 0o600);
    }
  } catch (error) {
    rmSync(copy.file, { force: true });
    throw error;
  }
  return kept.length;
}

/** The files a backup at `target` is made of: the database copy and its anchors beside it. */
export function backupFiles(target: string): { readonly database: string; readonly checkpoints: string; readonly checkpointKey: string } {
  const anchors = checkpointPaths(target);
  return { database: target, checkpoints: anchors.file, checkpointKey: anchors.key };
}

/** Copy the database at `sourcePath` into `targetPath` (a new file), consistently, while others keep writing, with its checkpoints beside it. */
export async function backupDatabase(sourcePath: string, targetPath: string): Promise<BackupResult> {
  const target = resolve(targetPath);
  if (resolve(sourcePath) === target) throw invalidInput('the backup must go to another file than the database');
  for (const path of Object.values(backupFiles(target))) {
    if (existsSync(path)) throw conflict(`${path} already exists: a backup never overwrites a file; choose a new name`);
  }
  if (!existsSync(dirname(target))) throw invalidInput(`the folder ${dirname(target)} does not exist`);
  if (!existsSync(sourcePath)) throw invalidInput(`there is no database at ${sourcePath}`);
  const source = new Database(sourcePath, { readonly: true, fileMustExist: true });
  const partial = sideName(target, 'partial');
  try {
    // Every page in one step: one read transaction, so the copy is one consistent state. Smaller
    // steps would restart from the beginning each time another connection commits.
    await source.backup(partial, { progress: () => 0x7fffffff });
    const copy = new Database(partial, { fileMustExist: true });
    let schemaVersion: number;
    let lastEvent: number;
    try {
      // The copy carries the source's WAL mode; out of it, the file alone is the whole database
      // (no -wal or -shm beside it to lose when it is moved). RepDesk turns WAL on when it opens it.
      copy.pragma('journal_mode = DELETE');
      schemaVersion = copy.pragma('user_version', { simple: true }) as number;
      lastEvent = (copy.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
    } finally {
      copy.close();
    }
    if (existsSync(target)) throw conflict(`${target} appeared while the backup was written: it is left alone`);
    const checkpoints = copyAnchors(sourcePath, target, lastEvent);
    try {
      renameSync(partial, target);
    } catch (error) {
      rmSync(checkpointPaths(target).file, { force: true });
      rmSync(checkpointPaths(target).key, { force: true });
      throw error;
    }
    fsyncFolder(dirname(target));
    return { path: target, bytes: statSync(target).size, schemaVersion, lastEvent, sha256: sha256Of(target), checkpoints };
  } catch (error) {
    rmSync(partial, { force: true });
    if (/^SQLITE_/.test((error as { code?: string }).code ?? '')) throw invalidInput(`cannot back up ${sourcePath}: ${(error as Error).message}`);
    throw error;
  } finally {
    source.close();
  }
}

/** Why a file cannot be restored, or its schema version when it is a sound RepDesk database this build can open. */
function restoreProblem(file: string): { problem: string } | { schemaVersion: number } {
  let header = Buffer.alloc(0);
  try {
    const descriptor = openSync(file, 'r');
    try {
      header = Buffer.alloc(SQLITE_HEADER.length);
      header = header.subarray(0, readSync(descriptor, header));
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : `it cannot be read (${String(code)})` };
  }
  if (!header.equals(SQLITE_HEADER)) return { problem: 'it is not an SQLite database' };
  let database: Database.Database;
  try {
    database = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return { problem: `it cannot be opened as a database (${(error as Error).message})` };
  }
  try {
    const version = database.pragma('user_version', { simple: true }) as number;
    const tables = new Set((database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name));
    const missing = REPDESK_TABLES.filter((table) => !tables.has(table));
    if (version === 0 || missing.length > 0) return { problem: `it is not a RepDesk database (${version === 0 ? 'no schema version' : `no ${missing.join(', ')} table`})` };
    if (version > SCHEMA_VERSION) return { problem: `it is from a newer RepDesk (schema version ${version}; this one understands up to ${SCHEMA_VERSION}): restore it with that version` };
    // A row may hold several lines ("*** in database main ***" then the page's problem): one message, one line.
    const problems = (database.prepare('PRAGMA integrity_check').pluck().all() as string[])
      .flatMap((row) => row.split('\n'))
      .map((line) => line.trim())
      .filter((line) => line !== '' && line !== 'ok' && !/^\*\*\* in database \w+ \*\*\*$/.test(line));
    if (problems.length > 0) {
      return { problem: `it fails SQLite's integrity check: ${problems.slice(0, PROBLEMS_SHOWN).join('; ')}${problems.length > PROBLEMS_SHOWN ? `; and ${problems.length - PROBLEMS_SHOWN} more` : ''}` };
    }
    return { schemaVersion: version };
  } catch (error) {
    return { problem: `it fails SQLite's integrity check (${(error as Error).message})` };
  } finally {
    database.close();
  }
}

/**
 * Hold the database at `path` for the swap: no other connection may have it open (the switch
 * out of WAL needs that, and it folds the WAL into the file), and an exclusive lock keeps others
 * out until the swap is done. Returns the release, or null when there is no database there.
 */
function holdForSwap(path: string): (() => void) | null {
  if (!existsSync(path)) return null;
  const database = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    database.pragma('journal_mode = DELETE');
    if ((database.pragma('journal_mode', { simple: true }) as string) !== 'delete') throw new Error('still in WAL mode');
    database.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    database.close();
    throw conflict(`the database ${path} is in use (${(error as Error).message}): close RepDesk (the app, the server, running commands) and try again`);
  }
  return () => {
    database.exec('ROLLBACK');
    database.close();
  };
}

/** Replace the database at `databasePath` with the backup `file`; the replaced one is kept aside. */
export function restoreDatabase(file: string, databasePath: string, origin: CallOrigin, now: Date): RestoreResult {
  const source = resolve(file);
  const target = resolve(databasePath);
  if (source === target) throw invalidInput('that is the database itself: restore from a backup file');
  const checked = restoreProblem(source);
  if ('problem' in checked) throw invalidInput(`cannot restore ${source}: ${checked.problem}; nothing was changed`);
  if (!existsSync(dirname(target))) throw invalidInput(`the folder ${dirname(target)} does not exist`);

  const incoming = sideName(target, 'restoring');
  try {
    // A byte copy through SQLite (the backup's own WAL, if any, included), brought to this
    // schema and checked: the history must hold, and the restore goes into it.
    const backup = new Database(source, { readonly: true, fileMustExist: true });
    try {
      backup.prepare('VACUUM INTO ?').run(incoming);
    } finally {
      backup.close();
    }
    const connection = openDatabase(incoming);
    let events: number;
    let listings: number;
    try {
      const report = verifyHistory(connection.read);
      if (!report.ok) throw invalidInput(`cannot restore ${source}: its history is broken at event ${report.firstBroken?.id} (${report.firstBroken?.problem}); nothing was changed`);
      connection.write.transaction((db) => {
        runInCall(origin, () =>
          openHistory(db, () => now.toISOString()).append({
            actor: origin.actor ?? '(restore)',
            action: 'database.restored',
            subjectType: 'database',
            subjectId: null,
            details: { from: source, sha256: sha256Of(source), schemaVersion: checked.schemaVersion, restoredAt: target },
          }),
        );
      });
      events = report.events + 1;
      listings = (connection.read.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM listings', values: [] }) as { count: number }).count;
    } finally {
      // Closing the last connection folds its WAL into the file: the file alone is the database.
      connection.close();
    }

    const release = holdForSwap(target);
    let keptAside: string | null = null;
    const asideName = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    try {
      if (release) {
        keptAside = asideName;
        try {
          linkSync(target, keptAside);
        } catch {
          // A file system without hard links: a copy, made while the lock keeps the file still.
          copyFileSync(target, keptAside);
        }
      }
      // The signed history checkpoints beside the database vouch for the history it replaces:
      // they go aside with it (and keep vouching for it there); the restored one starts anew.
      // The key that signed them stays (the restored database's checkpoints are signed with it
      // too) and a copy goes with them, so the database kept aside still verifies against them.
      const current = checkpointPaths(target);
      const aside = checkpointPaths(asideName);
      if (existsSync(current.file)) {
        if (existsSync(current.key)) copyFileSync(current.key, aside.key, constants.COPYFILE_EXCL);
        renameSync(current.file, aside.file);
      }
      renameSync(incoming, target);
      fsyncFolder(dirname(target));
    } finally {
      release?.();
    }
    return { path: target, keptAside, fromSchemaVersion: checked.schemaVersion, schemaVersion: SCHEMA_VERSION, events, listings };
  } finally {
    rmSync(incoming, { force: true });
    rmSync(`${incoming}-wal`, { force: true });
    rmSync(`${incoming}-shm`, { force: true });
  }
}

/**
 * A backup made for a server, in a worker thread of its own (backup-worker.ts): the history first
 * records who asked for it (event `backup.downloaded`, with the call's client and address), then
 * the database is copied with its checkpoints (`backupDatabase`) into `target`, while the server
 * keeps answering and writing.
 */
export interface BackupThreadData {
  readonly databasePath: string;
  readonly target: string;
  readonly origin: CallOrigin;
}

export type BackupThreadReply = ApiResult<BackupResult>;

/** Back up the database at `databasePath` into `target` (a new file) off this thread, recorded as `origin`'s. */
export function backupOffThread(databasePath: string, target: string, origin: CallOrigin): Promise<BackupThreadReply> {
  const data: BackupThreadData = { databasePath, target, origin: { actor: origin.actor, client: origin.client, address: origin.address ?? null } };
  const worker = new Worker(coreFileUrl('./backup/backup-worker.js'), { workerData: data });
  return new Promise((resolve) => {
    let reply: BackupThreadReply | null = null;
    worker.once('message', (message: BackupThreadReply) => (reply = message));
    worker.once('error', (error) => (reply = { ok: false, error: { code: 'internal', message: `the backup failed: ${error.message}` } }));
    worker.once('exit', () => resolve(reply ?? { ok: false, error: { code: 'internal', message: 'the backup stopped before it finished' } }));
  });
}
