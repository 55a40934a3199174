/**
 * A backup of the team's database, for an admin on a team server: the server makes a consistent
 * copy while everyone keeps working and the browser downloads it (`GET /api/backup`, a tar
 * archive of the database, its signed history checkpoints and their key). Shown only where the
 * client offers it (a browser on a team server); elsewhere `repdesk backup` does it.
 */
import { backupUrl, useApi } from '../../api.js';

export function BackupPanel() {
  const url = backupUrl(useApi());
  if (url === null) return null;
  return (
    <section aria-labelledby="team-backup-title" className="team-backup">
      <h2 id="team-backup-title">Backup</h2>
      <p>
        A copy of the whole database as it is at one moment, made by the server while everyone keeps working, with the signed history checkpoints it holds and
        their key: a <code>.tar</code> archive. Unpacked, <code>repdesk --db repdesk.sqlite audit verify</code> checks it; <code>repdesk restore</code> on the
        server (stopped) puts it back.
      </p>
      <p className="muted">It holds everyone&apos;s second-factor secrets and the checkpoint key: keep it as safe as the server itself. Taking it is recorded in the history.</p>
      <a className="button-link" href={url} download>
        Download a backup
      </a>
    </section>
  );
}
