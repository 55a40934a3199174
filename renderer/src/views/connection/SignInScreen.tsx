/**
 * Signing in to the team server the desktop app is connected to: the one sign-in screen
 * (views/session/SignInScreen.tsx, the browser's too) with the desktop's part: which server (and
 * how its certificate is trusted), the unreachable banner or the session's problem, and switching
 * to another server or to this computer. The calls are the contract's `auth.*`, relayed by the
 * main process, which keeps the session's token (the page never sees it).
 */
import type { ConnectionState } from '../../../../shared/desktop.js';
import { serverName } from '../../connection.js';
import { SignInScreen } from '../session/SignInScreen.js';
import { ConnectionBanner } from './ConnectionBar.js';
import './connection.css';

type TeamState = Extract<ConnectionState, { kind: 'team' }>;

export function DesktopSignIn({ state, onSwitch }: { state: TeamState; onSwitch(): void }) {
  const notice =
    state.status === 'unreachable' ? (
      <ConnectionBanner />
    ) : state.problem ? (
      <div className="error" role="alert">
        <p>{state.problem}</p>
      </div>
    ) : null;
  return (
    <SignInScreen
      // Signed in, the main process says so (a new connection state): nothing to do here.
      onSignedIn={() => undefined}
      reason={null}
      initialName={state.person ?? ''}
      server={{
        name: serverName(state.server),
        about: (
          <>
            Team server <strong data-testid="sign-in-server">{state.server}</strong>
            {state.pinnedFingerprint && <> (certificate trusted by its fingerprint {state.pinnedFingerprint.slice(0, 23)}…)</>}
          </>
        ),
        notice,
        footnote: state.keepingProblem,
        onSwitch,
      }}
    />
  );
}
