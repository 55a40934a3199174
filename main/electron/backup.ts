/**
 * A backup saved from the desktop app (File menu's page: the Team page's "Save a backup…"): on a
 * team server the server makes a consistent copy and this app downloads it (an admin's; the
 * server refuses anyone else), on this computer the app copies its own database with SQLite's
 * online backup; either way with the history checkpoints the copy holds and their key beside it
 * (FILE.checkpoints, FILE.checkpoint-key), so `repdesk --db FILE audit verify` checks it. Where
 * it goes the person says in a native save dialog: the page never names a path.
 */
import type { ApiResult } from '../../shared/result.js';
import type { SavedBackup } from '../../shared/desktop.js';
import { receiveBackup } from '../client/backup-download.js';
import { ServerUnreachable } from '../client/transport.js';
import { backupDatabase } from '../core/backup/backup.js';
import { AppError } from '../core/errors.js';
import type { BackupSource } from './connection.js';

/** The name the save dialog offers: the day, so backups of several days sort by name. */
export function backupFileName(now: Date): string {
  return `repdesk-backup-${now.toISOString().slice(0, 10)}.sqlite`;
}

/** Take a backup from `source` into the file `chooseTarget` answers (null: the person declined). */
export async function saveBackup(source: BackupSource, chooseTarget: () => Promise<string | null>): Promise<ApiResult<SavedBackup>> {
  if (source.kind === 'none') return { ok: false, error: { code: 'unauthenticated', message: source.problem } };
  const target = await chooseTarget();
  if (target === null) return { ok: false, error: { code: 'cancelled', message: 'no backup was saved' } };
  try {
    if (source.kind === 'team') {
      const received = await receiveBackup(source.client, target);
      if (!received.ok) return received;
      const { path, bytes, schemaVersion, lastEvent, sha256, checkpoints } = received.value;
      return { ok: true, value: { path, bytes, schemaVersion, lastEvent, sha256, checkpoints } };
    }
    return { ok: true, value: await backupDatabase(source.database, target) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toApiError() };
    if (error instanceof ServerUnreachable) return { ok: false, error: { code: 'internal', message: error.message } };
    throw error;
  }
}
