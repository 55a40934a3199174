/**
 * Signing in to the team server the desktop app is connected to: name, passphrase, and the
 * authenticator's code or a recovery code when the account has a second factor. The call is the
 * contract's `auth.signIn`, relayed by the main process, which keeps the session's token (the
 * page never sees it).
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import type { ConnectionState } from '../../../../shared/desktop.js';
import { SECOND_FACTOR_NEEDED } from '../../../../shared/team.js';
import { useApi } from '../../api.js';
import { serverName } from '../../connection.js';
import { ErrorLine } from '../ErrorLine.js';
import { ConnectionBanner } from './ConnectionBar.js';
import './connection.css';
import '../forms.css';

type TeamState = Extract<ConnectionState, { kind: 'team' }>;

export function SignInScreen({ state, onSwitch }: { state: TeamState; onSwitch(): void }) {
  const api = useApi();
  const [name, setName] = useState(state.person ?? '');
  const [passphrase, setPassphrase] = useState('');
  const [secondFactor, setSecondFactor] = useState('');
  const [needsSecondFactor, setNeedsSecondFactor] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [isBusy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api['auth.signIn']({ name: name.trim(), passphrase, secondFactor: secondFactor.trim() === '' ? undefined : secondFactor.trim() });
      if (result.ok) return;
      if (result.error.details?.includes(SECOND_FACTOR_NEEDED)) {
        setNeedsSecondFactor(true);
        setError({ code: result.error.code, message: 'Your account has a second factor: enter the code your authenticator app shows now, or one of your recovery codes.' });
      } else {
        setError(result.error);
      }
      setPassphrase('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="connection-screen" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to {serverName(state.server)}</h1>
      <p className="connection-note">
        Team server <strong data-testid="sign-in-server">{state.server}</strong>
        {state.pinnedFingerprint && <> (certificate trusted by its fingerprint {state.pinnedFingerprint.slice(0, 23)}…)</>}
      </p>
      {state.status === 'unreachable' ? (
        <ConnectionBanner />
      ) : (
        state.problem && (
          <div className="error" role="alert">
            <p>{state.problem}</p>
          </div>
        )
      )}
      <form className="form-grid" aria-label="Sign in" onSubmit={submit}>
        <label htmlFor="sign-in-name">Name</label>
        <div className="form-field">
          <input id="sign-in-name" type="text" autoComplete="username" required value={name} onChange={(event) => setName(event.target.value)} />
        </div>
        <label htmlFor="sign-in-passphrase">Passphrase</label>
        <div className="form-field">
          <input id="sign-in-passphrase" type="password" autoComplete="current-password" required value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />
        </div>
        <label htmlFor="sign-in-code">Authenticator code</label>
        <div className="form-field">
          <input
            id="sign-in-code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            spellCheck={false}
            required={needsSecondFactor}
            value={secondFactor}
            onChange={(event) => setSecondFactor(event.target.value)}
          />
          <p className="form-hint">If your account has a second factor: the 6 digits your authenticator app shows, or one of your recovery codes.</p>
        </div>
        <div className="form-actions">
          <button type="submit" disabled={isBusy}>
            {isBusy ? 'Signing in…' : 'Sign in'}
          </button>
          <button type="button" onClick={onSwitch} disabled={isBusy}>
            Another server, or this computer…
          </button>
        </div>
        {error && (
          <div className="form-actions">
            <ErrorLine error={error} />
          </div>
        )}
      </form>
      {state.keepingProblem && <p className="connection-note">{state.keepingProblem}.</p>}
      <p className="connection-note">New to the team? Enrol first with the code your admin gave you (it sets your passphrase), then sign in here.</p>
    </main>
  );
}
