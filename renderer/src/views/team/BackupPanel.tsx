/**
 * A backup of the team's database, for an admin: the server makes a consistent copy while
 * everyone keeps working. In a browser on a team server it is downloaded (`GET /api/backup`, a
 * tar archive of the database, its signed history checkpoints and their key); in the desktop app
 * the shell asks where to save it (the database file, its checkpoints and their key beside it).
 * Shown only where the client offers one; elsewhere `repdesk backup` does it.
 */
import { useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { SavedBackup } from '../../../../shared/desktop.js';
import { backupSaver, backupUrl, useApi } from '../../api.js';
import { formatCount } from '../../format.js';
import { ErrorLine } from '../ErrorLine.js';

function SaveBackup({ save }: { save: () => Promise<{ ok: true; value: SavedBackup } | { ok: false; error: ApiError }> }) {
  const [isBusy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SavedBackup | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    const result = await save();
    setBusy(false);
    if (result.ok) setSaved(result.value);
    else if (result.error.code !== 'cancelled') setError(result.error);
  };
  return (
    <>
      <button type="button" onClick={() => void run()} disabled={isBusy}>
        {isBusy ? 'Saving the backup…' : 'Save a backup…'}
      </button>
      {saved && (
        <p role="status">
          Saved <code>{saved.path}</code>: {formatCount(saved.bytes)} bytes, history up to event {saved.lastEvent}
          {saved.checkpoints > 0 ? `, ${saved.checkpoints} signed checkpoints and their key beside it` : ''}.
        </p>
      )}
      {error && <ErrorLine error={error} />}
    </>
  );
}

export function BackupPanel() {
  const api = useApi();
  const url = backupUrl(api);
  const save = backupSaver(api);
  if (url === null && save === null) return null;
  return (
    <section aria-labelledby="team-backup-title" className="team-backup">
      <h2 id="team-backup-title">Backup</h2>
      <p>
        A copy of the whole database as it is at one moment, made while everyone keeps working, with the signed history checkpoints it holds and their key.{' '}
        <code>repdesk --db FILE audit verify</code> checks it; <code>repdesk restore</code> on the server (stopped) puts it back.
      </p>
      <p className="muted">It holds everyone&apos;s second-factor secrets and the checkpoint key: keep it as safe as the server itself. Taking it is recorded in the history.</p>
      {url !== null ? (
        <a className="button-link" href={url} download>
          Download a backup
        </a>
      ) : (
        save && <SaveBackup save={save} />
      )}
    </section>
  );
}
