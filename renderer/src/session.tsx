/**
 * Who is signed in, for the whole page. On a team server (a client that `signsIn`) the page shows
 * the sign-in screen while nobody is: at the start, after signing out, and as soon as any call is
 * refused for want of a session (ended by an admin, the person deactivated or their roles changed,
 * expired); changes to sessions and people make it look again. A server that cannot be reached
 * (its event stream broke) is named at the top until it is back. Elsewhere (the desktop app, browser
 * mode for one person) the transport says who acts and the page is always shown.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { needsSession, type ApiClient, type OperationName } from '../../shared/contract.js';
import type { ApiError, ApiResult } from '../../shared/result.js';
import type { Role } from '../../shared/domain.js';
import { SIGN_IN_NEEDED, type SessionView } from '../../shared/team.js';
import { ApiContext, reachability, signsIn, useApi } from './api.js';
import { useChanges } from './changes.js';
import { SignInScreen } from './views/session/SignInScreen.js';

export type Who = { readonly actor: string | null; readonly roles: readonly Role[]; readonly session: SessionView | null };

type State = { kind: 'checking' } | { kind: 'known'; who: Who } | { kind: 'failed'; error: ApiError } | { kind: 'signed-out'; reason: string | null };

export interface SessionState {
  readonly state: State;
  /** Whether the page signs people in (a team server's browser). */
  readonly signsIn: boolean;
  /** Ask the server who is signed in again. */
  recheck(): void;
  /** End this session on the server and show the sign-in screen. */
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionGate');
  return session;
}

/** Whether a refusal is the team server's for want of a session (browser mode's missing token is not). */
function needsSignIn(error: ApiError): boolean {
  return error.code === 'unauthenticated' && (error.details ?? []).includes(SIGN_IN_NEEDED);
}

/** The client as the views get it: a refusal for want of a session (team server) sends the page to the sign-in screen. */
function watchedClient(client: ApiClient, onSignedOut: (error: ApiError) => void): ApiClient {
  return new Proxy(client, {
    get(target, name, receiver) {
      const member: unknown = Reflect.get(target, name, receiver);
      if (typeof name !== 'string' || typeof member !== 'function' || !(name in target) || name === 'onChange' || name === 'uploadFile') return member;
      return async (input: unknown) => {
        const result = (await (member as (input: unknown) => Promise<ApiResult<unknown>>).call(target, input)) as ApiResult<unknown>;
        if (!result.ok && needsSignIn(result.error) && needsSession(name as OperationName)) onSignedOut(result.error);
        return result;
      };
    },
  });
}

export function SessionGate({ children }: { children: ReactNode }) {
  const api = useApi();
  const isTeam = signsIn(api);
  const [state, setState] = useState<State>({ kind: 'checking' });
  const [revision, setRevision] = useState(0);
  const recheck = useCallback(() => setRevision((count) => count + 1), []);
  useEffect(() => {
    let isCurrent = true;
    void api['session.whoami']({}).then((result) => {
      if (!isCurrent) return;
      if (result.ok) setState({ kind: 'known', who: result.value });
      else if (isTeam && needsSignIn(result.error)) {
        // Keep what the screen already says (signed out); a session that ended while the page was open says why.
        setState((previous) => (previous.kind === 'signed-out' ? previous : { kind: 'signed-out', reason: previous.kind === 'known' ? result.error.message : null }));
      }
      else setState({ kind: 'failed', error: result.error });
    });
    return () => {
      isCurrent = false;
    };
  }, [api, isTeam, revision]);
  useChanges(['sessions', 'investigators'], recheck);
  const client = useMemo(
    () => (isTeam ? watchedClient(api, (error) => setState((previous) => (previous.kind === 'signed-out' ? previous : { kind: 'signed-out', reason: error.message }))) : api),
    [api, isTeam],
  );
  // A server that vanished is said so at once, and the stream keeps trying; open views refresh when it is back.
  const [isReachable, setIsReachable] = useState(true);
  const watch = reachability(api);
  useEffect(() => {
    const stop = watch?.(setIsReachable);
    return typeof stop === 'function' ? stop : undefined;
  }, [watch]);
  const signOut = useCallback(async () => {
    const result = await api['auth.signOut']({});
    setState({ kind: 'signed-out', reason: result.ok ? 'You signed out.' : result.error.message });
  }, [api]);
  const session = useMemo<SessionState>(() => ({ state, signsIn: isTeam, recheck, signOut }), [state, isTeam, recheck, signOut]);

  if (isTeam && state.kind === 'checking') return <p aria-live="polite">Connecting…</p>;
  if (isTeam && state.kind === 'signed-out') {
    return (
      <SessionContext.Provider value={session}>
        <SignInScreen reason={state.reason} onSignedIn={recheck} />
      </SessionContext.Provider>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      {!isReachable && (
        <p className="server-unreachable" role="alert">
          The team server cannot be reached: trying again… What you see may be out of date, and changes you make now fail.
        </p>
      )}
      <ApiContext.Provider value={client}>{children}</ApiContext.Provider>
    </SessionContext.Provider>
  );
}
