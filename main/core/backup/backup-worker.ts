/**
 * A worker thread that makes a backup for a server (`backupOffThread` in backup.ts): it records in the history
 * who asked for it, then copies the database with its checkpoints, off the server's event loop
 * (the copy of every page in one step would hold it for seconds on a large database).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ApiError } from '../../../shared/result.js';
import { openHistory } from '../audit/history.js';
import { runInCall } from '../call-scope.js';
import { AppError } from '../errors.js';
import { backupDatabase, type BackupThreadData, type BackupThreadReply } from './backup.js';
import { openDatabase } from '../db/connection.js';

const data = workerData as BackupThreadData;

function apiErrorOf(error: unknown): ApiError {
  if (error instanceof AppError) return error.toApiError();
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY') return { code: 'busy', message: 'the database is busy (another process holds it): nothing was copied; try again' };
  return { code: 'internal', message: `the backup failed: ${error instanceof Error ? error.message : String(error)}` };
}

async function run(): Promise<BackupThreadReply> {
  try {
    const connection = openDatabase(data.databasePath);
    try {
      // Who took the whole database (with its people's second-factor secrets) is in the history, and in the copy.
      connection.write.transaction((db) =>
        runInCall(data.origin, () =>
          openHistory(db, () => new Date().toISOString()).append({ actor: data.origin.actor ?? '(server)', action: 'backup.downloaded', subjectType: 'database', subjectId: null, details: { client: data.origin.client ?? null } }),
        ),
      );
    } finally {
      connection.close();
    }
    return { ok: true, value: await backupDatabase(data.databasePath, data.target) };
  } catch (error) {
    return { ok: false, error: apiErrorOf(error) };
  }
}

parentPort?.postMessage(await run());
