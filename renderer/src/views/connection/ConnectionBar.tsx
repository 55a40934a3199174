/**
 * In the frame, at all times in the desktop app: where RepDesk works (this computer, or which
 * team server as which person), with signing out and switching; and, while the team server cannot
 * be reached, which server, what failed and when it is tried next. Nothing in browser mode.
 */
import { useState } from 'react';
import { useApi } from '../../api.js';
import { serverName, useConnection } from '../../connection.js';
import './connection.css';

export function ConnectionBar() {
  const connection = useConnection();
  const api = useApi();
  const [signOutProblem, setSignOutProblem] = useState<string | null>(null);
  if (!connection) return null;
  const { state } = connection;
  if (state.kind === 'embedded') {
    return (
      <div className="connection-line" role="group" aria-label="Connection">
        <span>On this computer</span>
        <button type="button" onClick={connection.startSwitch}>
          Connect to a team server…
        </button>
      </div>
    );
  }
  if (state.kind !== 'team') return null;
  const signOut = async () => {
    setSignOutProblem(null);
    const result = await api['auth.signOut']({});
    if (!result.ok) setSignOutProblem(result.error.message);
  };
  return (
    <div className="connection-line" role="group" aria-label="Connection">
      <span title={state.pinnedFingerprint ? `certificate ${state.pinnedFingerprint}` : undefined}>
        Team server <strong data-testid="connection-server">{serverName(state.server)}</strong>
        {state.person && (
          <>
            {' '}
            · <strong data-testid="connection-person">{state.person}</strong>
          </>
        )}
      </span>
      {state.status === 'signed-in' && (
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      )}
      <button type="button" onClick={connection.startSwitch}>
        Switch…
      </button>
      {signOutProblem && (
        <span className="error" role="alert">
          {signOutProblem}
        </span>
      )}
    </div>
  );
}

function timeOf(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** While the team server cannot be reached: which, what failed, when it is tried next, and a retry now. */
export function ConnectionBanner() {
  const connection = useConnection();
  const [isRetrying, setRetrying] = useState(false);
  if (!connection || connection.state.kind !== 'team' || connection.state.status !== 'unreachable') return null;
  const { state, bridge } = connection;
  const retry = async () => {
    setRetrying(true);
    try {
      await bridge.retryConnection();
    } finally {
      setRetrying(false);
    }
  };
  return (
    <div className="connection-banner" role="alert" aria-label="Team server unreachable">
      <p>
        The team server <strong>{state.server}</strong> cannot be reached: {state.problem ?? 'no answer'}.
        {state.retryAt && <> RepDesk tries again at {timeOf(state.retryAt)}.</>} What is on screen may be out of date, and changes cannot be made until it is back.
      </p>
      <button type="button" onClick={() => void retry()} disabled={isRetrying}>
        {isRetrying ? 'Trying…' : 'Try now'}
      </button>
    </div>
  );
}
