/**
 * The desktop app's way in: until the person has chosen how RepDesk works, the choice; on a team
 * server without a session, signing in; otherwise the app, remounted whenever the server or the
 * person changes (nothing of one person's view stays for the next). Browser mode has no
 * connection to choose and goes straight to the app.
 */
import { Fragment, useEffect, useState, type ReactNode } from 'react';
import type { ConnectionState, DesktopBridge } from '../../../../shared/desktop.js';
import { ConnectionContext } from '../../connection.js';
import { ConnectionChoice } from './ConnectionChoice.js';
import { DesktopSignIn } from './SignInScreen.js';

function keyOf(state: ConnectionState): string {
  if (state.kind === 'team') return `team ${state.server} ${state.person ?? ''}`;
  return state.kind === 'embedded' ? `embedded ${state.database}` : 'choosing';
}

export function DesktopGate({ bridge, children }: { bridge: DesktopBridge | null; children: ReactNode }) {
  const [state, setState] = useState<ConnectionState | null>(null);
  const [isSwitching, setSwitching] = useState(false);
  useEffect(() => {
    if (!bridge) return undefined;
    let isCurrent = true;
    const stop = bridge.onConnection((next) => {
      if (isCurrent) setState(next);
    });
    void bridge.connectionState().then((first) => {
      if (isCurrent) setState((known) => known ?? first);
    });
    return () => {
      isCurrent = false;
      stop();
    };
  }, [bridge]);

  if (!bridge) return <>{children}</>;
  if (state === null) return <p aria-live="polite">Starting…</p>;
  if (state.kind === 'choosing' || isSwitching) {
    return <ConnectionChoice bridge={bridge} state={state} onCancel={state.kind === 'choosing' ? null : () => setSwitching(false)} />;
  }
  // Without a session (no roles: never signed in, signed out, or ended) the server is signed in to first, reachable or not (the screen says why not).
  if (state.kind === 'team' && state.status === 'connecting') return <p aria-live="polite">Connecting to {state.server}…</p>;
  const control = { state, bridge, startSwitch: () => setSwitching(true) };
  if (state.kind === 'team' && (state.status === 'signed-out' || state.roles.length === 0)) {
    return (
      <ConnectionContext.Provider value={control}>
        <DesktopSignIn state={state} onSwitch={() => setSwitching(true)} />
      </ConnectionContext.Provider>
    );
  }
  return (
    <ConnectionContext.Provider value={control}>
      <Fragment key={keyOf(state)}>{children}</Fragment>
    </ConnectionContext.Provider>
  );
}
