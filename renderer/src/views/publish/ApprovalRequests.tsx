/**
 * Large changes waiting for a second publisher. The one who asked waits; any other publisher
 * may approve; once approved, either of the two publishes it.
 */
import { useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { isOneOf, LISTS } from '../../../../shared/domain.js';
import type { PendingApproval } from '../../../../shared/publishing.js';
import { useApi } from '../../api.js';
import { formatCount, formatTime } from '../../format.js';
import type { Reloadable } from '../../useOperation.js';
import { ListBadge } from '../ListBadge.js';
import './publish.css';

function isChange(value: unknown): value is { added: number; removed: number } {
  return typeof value === 'object' && value !== null && 'added' in value && 'removed' in value && typeof value.added === 'number' && typeof value.removed === 'number';
}

/** The request's summary: per list +added −removed, or the totals when it is the first snapshot. */
function RequestSummary({ summary }: { summary: PendingApproval['summary'] }) {
  const parts = Object.entries(summary).flatMap(([list, value]) => {
    if (!isOneOf(LISTS, list)) return [];
    if (isChange(value)) {
      if (value.added === 0 && value.removed === 0) return [];
      return [{ list, text: `+${formatCount(value.added)} −${formatCount(value.removed)}` }];
    }
    return typeof value === 'number' ? [{ list, text: `${formatCount(value)} (first snapshot)` }] : [];
  });
  if (parts.length === 0) return <span className="muted">no per-list changes recorded</span>;
  return (
    <ul className="request-summary">
      {parts.map((part) => (
        <li key={part.list}>
          <ListBadge list={part.list} /> {part.text}
        </li>
      ))}
    </ul>
  );
}

function RequestAction({ request, actor, isPublisher, onApproved }: { request: PendingApproval; actor: string | null; isPublisher: boolean; onApproved: () => void }) {
  const api = useApi();
  const [isApproving, setIsApproving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  if (request.approvedBy !== null) {
    return (
      <p className="request-state">
        Approved by <strong>{request.approvedBy}</strong>
        {request.approvedAt && <> at {formatTime(request.approvedAt)}</>}: ready to publish.
      </p>
    );
  }
  if (request.requestedBy === actor) return <p className="request-state muted">Waiting for a second publisher.</p>;
  if (!isPublisher) return <p className="request-state muted">Waiting for a second publisher (you do not have the publisher role).</p>;

  const approve = () => {
    setIsApproving(true);
    setError(null);
    api['publish.approve']({ id: request.id }).then((result) => {
      setIsApproving(false);
      if (result.ok) onApproved();
      else setError(result.error);
    });
  };
  return (
    <div className="request-state">
      <button type="button" onClick={approve} disabled={isApproving} aria-describedby={`request-${request.id}-title`}>
        {isApproving ? 'Approving…' : 'Approve'}
      </button>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
    </div>
  );
}

export function ApprovalRequests({
  approvals,
  actor,
  isPublisher,
  onApproved,
}: {
  approvals: Reloadable<readonly PendingApproval[]>;
  actor: string | null;
  isPublisher: boolean;
  onApproved: () => void;
}) {
  const { loaded } = approvals;
  return (
    <section className="panel" aria-labelledby="approvals-title">
      <div className="panel-heading">
        <h2 id="approvals-title">Second approval</h2>
      </div>
      {loaded.state === 'loading' && <p className="muted">Loading the requests…</p>}
      {loaded.state === 'failed' && (
        <p className="error" role="alert">
          {loaded.error.message}
        </p>
      )}
      {loaded.state === 'done' && loaded.value.length === 0 && <p className="muted">No large change is waiting for a second publisher.</p>}
      {loaded.state === 'done' && loaded.value.length > 0 && (
        <ul className="requests" aria-label="Requests for a second approval">
          {loaded.value.map((request) => (
            <li key={request.id} className="request" data-request={request.id}>
              <div>
                <p id={`request-${request.id}-title`} className="request-title">
                  Request #{request.id} by <strong>{request.requestedBy}</strong>, {formatTime(request.requestedAt)}
                </p>
                <RequestSummary summary={request.summary} />
              </div>
              <RequestAction request={request} actor={actor} isPublisher={isPublisher} onApproved={onApproved} />
            </li>
          ))}
        </ul>
      )}
      {loaded.state === 'done' && loaded.value.length > 0 && (
        <p className="muted">
          An approval covers the change asked for while the data moves on by no more than the change-size limits; once another
          snapshot is published, a request is outdated.
        </p>
      )}
    </section>
  );
}
