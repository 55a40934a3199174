/** Open sessions with their kind, client and address, each of which can be ended at once (an admin's: everyone's; anyone's: their own). */
import { useState } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { describeOrigin } from '../../../../shared/team.js';
import { useApi } from '../../api.js';
import { formatTime } from '../../format.js';
import { useOperation } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { ConfirmButton } from './Confirm.js';

export function SessionsPanel({ revision, onChanged, title }: { revision: number; onChanged: () => void; title: string }) {
  const api = useApi();
  const sessions = useOperation(() => api['team.sessions']({}), `sessions:${revision}`);
  const [error, setError] = useState<ApiError | null>(null);
  const end = (id: number) => {
    setError(null);
    api['team.endSession']({ id }).then((result) => {
      if (!result.ok) setError(result.error);
      else onChanged();
    });
  };
  return (
    <section aria-labelledby="team-sessions-title">
      <h2 id="team-sessions-title">{title}</h2>
      {sessions.state === 'loading' && <p aria-live="polite">Loading sessions…</p>}
      {sessions.state === 'failed' && <ErrorLine error={sessions.error} />}
      {error && <ErrorLine error={error} />}
      {sessions.state === 'done' && sessions.value.length === 0 && <p className="muted">No open sessions: nobody is signed in to a team server on this database.</p>}
      {sessions.state === 'done' && sessions.value.length > 0 && (
        <div className="table-scroll">
          <table className="team-sessions">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Person</th>
                <th scope="col">Kind</th>
                <th scope="col">From</th>
                <th scope="col">Since</th>
                <th scope="col">Last used</th>
                <th scope="col">Ends by</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {sessions.value.map((session) => (
                <tr key={session.id}>
                  <td>{session.id}</td>
                  <th scope="row">{session.person}</th>
                  <td>{session.kind === 'cookie' ? 'browser cookie' : 'bearer token'}</td>
                  <td>{describeOrigin(session) || 'unknown'}</td>
                  <td>{formatTime(session.createdAt)}</td>
                  <td>{formatTime(session.lastSeenAt)}</td>
                  <td>{formatTime(session.idleExpiresAt)}</td>
                  <td>
                    <ConfirmButton
                      label={session.isCurrent ? 'Sign out' : 'End'}
                      question={`End ${session.person}'s session #${session.id}? Its next call is refused.`}
                      confirmLabel="End it"
                      onConfirm={() => end(session.id)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
