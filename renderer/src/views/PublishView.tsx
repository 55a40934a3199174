/**
 * Publish: what changed since the last snapshot, the safety checks, the second approval of a
 * large change, signing and publishing as a background job (the desktop on a team server: the
 * server prepares and this app signs), and the history of snapshots.
 */
import { useCallback, useState } from 'react';
import { useApi } from '../api.js';
import { useConnection } from '../connection.js';
import { useOperation, useReloadable } from '../useOperation.js';
import { ApprovalRequests } from './publish/ApprovalRequests.js';
import { ChangesPreview } from './publish/ChangesPreview.js';
import { PublishAction } from './publish/PublishAction.js';
import { SafetyReport } from './publish/SafetyReport.js';
import { SnapshotChanges } from './publish/SnapshotChanges.js';
import { SnapshotHistory } from './publish/SnapshotHistory.js';
import { TeamPublishAction } from './publish/TeamPublishAction.js';
import './publish/publish.css';

export function PublishView() {
  const api = useApi();
  const connection = useConnection();
  const whoami = useOperation(() => api['session.whoami']({}), 'whoami');
  const preview = useReloadable(() => api['publish.preview']({}));
  const approvals = useReloadable(() => api['publish.approvals']({}));
  const snapshots = useReloadable(() => api['snapshots.list']({}));
  const [selectedSerial, setSelectedSerial] = useState<number | null>(null);

  const actor = whoami.state === 'done' ? whoami.value.actor : null;
  const isPublisher = whoami.state === 'done' && whoami.value.roles.includes('publisher');
  const { reload: reloadPreview } = preview;
  const { reload: reloadApprovals } = approvals;
  const { reload: reloadSnapshots } = snapshots;
  // A publish or an approval changes all three: what is pending, what was published, what is next.
  const refreshAll = useCallback(() => {
    reloadPreview();
    reloadApprovals();
    reloadSnapshots();
  }, [reloadPreview, reloadApprovals, reloadSnapshots]);

  const selected = snapshots.loaded.state === 'done' ? snapshots.loaded.value.find((snapshot) => snapshot.serial === selectedSerial) : undefined;
  return (
    <section aria-labelledby="view-title" className="publish">
      <h1 id="view-title">Publish</h1>
      <div className="publish-columns">
        <ChangesPreview preview={preview} />
        <SafetyReport checks={preview.loaded.state === 'done' ? preview.loaded.value.safety : null} />
      </div>
      <ApprovalRequests approvals={approvals} actor={actor} isPublisher={isPublisher} onApproved={refreshAll} />
      {connection?.state.kind === 'team' ? (
        // The desktop on a team server: the server prepares, this app signs with the key kept here.
        <TeamPublishAction bridge={connection.bridge} server={connection.state.server} actor={actor} roles={whoami.state === 'done' ? whoami.value.roles : []} onFinished={refreshAll} />
      ) : (
        <PublishAction
          actor={actor}
          roles={whoami.state === 'done' ? whoami.value.roles : []}
          preview={preview.loaded.state === 'done' ? preview.loaded.value : null}
          onFinished={refreshAll}
        />
      )}
      <SnapshotHistory snapshots={snapshots} selectedSerial={selectedSerial} onSelect={(serial) => setSelectedSerial(serial === selectedSerial ? null : serial)} />
      {selected && <SnapshotChanges key={selected.serial} snapshot={selected} onClose={() => setSelectedSerial(null)} />}
    </section>
  );
}
