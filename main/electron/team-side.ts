/**
 * The desktop app's side of a team server (connection.ts holds one while the person works with
 * a server): the wire and client, the session's token (kept with safeStorage), the status shown,
 * the retry timer, the event stream and this app's jobs; and the answers a call gets when the
 * server cannot be reached or nobody is signed in.
 */
import type { ApiError } from '../../shared/result.js';
import type { JobView } from '../../shared/jobs.js';
import type { ConnectionStatus } from '../../shared/desktop.js';
import type { Role } from '../../shared/domain.js';
import { RemoteClient } from '../client/remote-client.js';
import { ServerWire, type ServerTrust, type ServerUnreachable } from '../client/transport.js';
import { PreparedSnapshots } from './publish-signing.js';
import { readSessionToken, sessionKeepingProblem, type SessionVault } from './session-vault.js';

/** The pauses before trying an unreachable server again (the last repeats), unless the options say otherwise. */
export const DEFAULT_RETRY_DELAYS_MS = [2_000, 5_000, 10_000, 30_000];
/** How long the first look at a server (and each retry) waits for it. */
export const PROBE_TIMEOUT_MS = 10_000;
/** While a job of this person may be running on the server, its list is asked for at most this often. */
export const REMOTE_JOB_POLL_MS = 1_000;

export interface TeamSide {
  readonly server: string;
  readonly certificate: string | null;
  readonly wire: ServerWire;
  readonly client: RemoteClient;
  token: string | null;
  status: ConnectionStatus;
  person: string | null;
  roles: readonly Role[];
  problem: string | null;
  retryAt: Date | null;
  retryTimer: NodeJS.Timeout | null;
  failures: number;
  keepingProblem: string | null;
  stopEvents: (() => void) | null;
  /** The jobs started from this app (a server runs everyone's: only these are shown and notified here). */
  readonly ownJobs: Set<number>;
  jobs: readonly JobView[];
  lastJobPollAt: number;
  /** Snapshots the server prepared for this person to sign here (team mode's publish). */
  readonly prepared: PreparedSnapshots;
}

/** A side for `server`, trusting `certificate` (pinned) or the system's authorities, with the session kept for it, signed out until looked at. */
export function openTeamSide(server: string, certificate: string | null, person: string | null, vault: SessionVault, userAgent: string): TeamSide {
  const trust: ServerTrust = certificate === null ? { kind: 'system' } : { kind: 'pinned', pem: certificate };
  const wire = new ServerWire(server, trust);
  const side: TeamSide = {
    server,
    certificate,
    wire,
    client: new RemoteClient({ wire, client: 'desktop', token: () => side.token, userAgent }),
    token: readSessionToken(vault, server),
    status: 'signed-out',
    person,
    roles: [],
    problem: null,
    retryAt: null,
    retryTimer: null,
    failures: 0,
    keepingProblem: sessionKeepingProblem(vault),
    stopEvents: null,
    ownJobs: new Set(),
    jobs: [],
    lastJobPollAt: 0,
    prepared: new PreparedSnapshots(),
  };
  return side;
}

/** What session.whoami answers when nobody is signed in. */
export const NOBODY = { actor: null, roles: [] as Role[], session: null };

/** A refusal in the contract's shape. */
export function failure(code: ApiError['code'], message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}

/** What a call gets when the server could not be reached. */
export function unreachableResult(error: ServerUnreachable): { ok: false; error: ApiError } {
  return failure('internal', `${error.message}. RepDesk tries again by itself; a change you made just now may not have reached it: look once it is back.`);
}
