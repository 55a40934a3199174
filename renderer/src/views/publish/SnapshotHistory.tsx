/** The snapshots published from this database, newest first; one can be selected to see its changes. */
import { LISTS } from '../../../../shared/domain.js';
import type { SnapshotView } from '../../../../shared/publishing.js';
import { formatCount, formatTime, isPast } from '../../format.js';
import type { Reloadable } from '../../useOperation.js';
import './publish.css';
import { ChangeCountHeaders } from './ChangeCountHeaders.js';

/** Totals over every list; a first snapshot added everything it holds. */
export function snapshotTotals(snapshot: SnapshotView): { inForce: number; added: number; removed: number } {
  let inForce = 0;
  let added = 0;
  let removed = 0;
  for (const list of LISTS) {
    inForce += snapshot.listingsInForce[list];
    added += snapshot.changes ? snapshot.changes[list].added : snapshot.listingsInForce[list];
    removed += snapshot.changes ? snapshot.changes[list].removed : 0;
  }
  return { inForce, added, removed };
}

function SnapshotRow({ snapshot, isSelected, onSelect }: { snapshot: SnapshotView; isSelected: boolean; onSelect: () => void }) {
  const totals = snapshotTotals(snapshot);
  const isExpired = isPast(snapshot.expiresAt);
  return (
    <tr className={isSelected ? 'selected' : undefined} data-serial={snapshot.serial}>
      <td className="column-serial">
        <button type="button" className="link-button" aria-pressed={isSelected} onClick={onSelect} title="Show what this snapshot added and removed">
          {snapshot.serial}
        </button>
      </td>
      <td className="column-created">
        <time dateTime={snapshot.createdAt}>{formatTime(snapshot.createdAt)}</time>
      </td>
      <td className="column-expires">
        <time dateTime={snapshot.expiresAt}>{formatTime(snapshot.expiresAt)}</time>
        {isExpired && <span className="tag tag-expired">expired</span>}
      </td>
      <td className="column-zone">
        <code>{snapshot.zone}</code>
      </td>
      <td className="column-prepared">{snapshot.preparedBy}</td>
      <td className="column-approved">{snapshot.approvedBy ?? <span className="muted">—</span>}</td>
      <td className="number column-in-force">{formatCount(totals.inForce)}</td>
      <td className="number column-added">+{formatCount(totals.added)}</td>
      <td className="number column-removed">{snapshot.changes === null ? <span className="muted">first</span> : `−${formatCount(totals.removed)}`}</td>
    </tr>
  );
}

export function SnapshotHistory({
  snapshots,
  selectedSerial,
  onSelect,
}: {
  snapshots: Reloadable<readonly SnapshotView[]>;
  selectedSerial: number | null;
  onSelect: (serial: number) => void;
}) {
  const { loaded } = snapshots;
  return (
    <section className="panel" aria-labelledby="history-title">
      <div className="panel-heading">
        <h2 id="history-title">History of snapshots</h2>
      </div>
      {loaded.state === 'loading' && <p className="muted">Loading the history…</p>}
      {loaded.state === 'failed' && (
        <p className="error" role="alert">
          {loaded.error.message}
        </p>
      )}
      {loaded.state === 'done' && loaded.value.length === 0 && <p className="muted">Nothing has been published from this database yet.</p>}
      {loaded.state === 'done' && loaded.value.length > 0 && (
        <div className="table-scroll">
          <table className="snapshots">
            <caption>Select a serial to see what that snapshot added and removed.</caption>
            <thead>
              <tr>
                <th scope="col">Serial</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Zone</th>
                <th scope="col">Prepared by</th>
                <th scope="col">Approved by</th>
                <ChangeCountHeaders />
              </tr>
            </thead>
            <tbody>
              {loaded.value.map((snapshot) => (
                <SnapshotRow key={snapshot.serial} snapshot={snapshot} isSelected={snapshot.serial === selectedSerial} onSelect={() => onSelect(snapshot.serial)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
