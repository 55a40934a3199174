/**
 * Where the desktop app's calls go: the core on this computer (embedded), or a team server over
 * HTTPS, as the person chose at the first start (and may change at any time). The page's calls
 * arrive here unchanged from IPC; in team mode they go to the server with the session's token,
 * which the main process alone holds (kept with safeStorage): signing in takes the token out of
 * the answer before the page sees it, signing out forgets it. A server that cannot be reached is
 * shown as such (which server, what failed) and tried again with growing pauses; a session the
 * server refuses is forgotten and the person is asked to sign in again. Plain module: the
 * Electron wiring is in main.ts, and the tests drive this with a real server and fakes.
 */
import { isOperationName, needsSession } from '../../shared/contract.js';
import type { ApiResult } from '../../shared/result.js';
import type { JobView } from '../../shared/jobs.js';
import type { ConnectionAnswer, ConnectionRequest, ConnectionState } from '../../shared/desktop.js';
import type { Role } from '../../shared/domain.js';
import type { UploadReceipt } from '../../shared/files.js';
import { CHANGE_TOPICS } from '../../shared/changes.js';
import { CHANGE_EVENT, parseChangeEvent, type ChangeEvent } from '../../shared/remote.js';
import type { SessionView, SignInResult } from '../../shared/team.js';
import { AppError } from '../core/errors.js';
import { followEvents } from '../client/events.js';
import type { RemoteClient } from '../client/remote-client.js';
import { ServerUnreachable, fingerprintOf } from '../client/transport.js';
import type { ConnectionChoice } from './connection-file.js';
import type { signingConfirmation } from './publish-signing.js';
import { forgetSessionToken, sessionKeepingProblem, storeSessionToken, type SessionVault } from './session-vault.js';
import { checkServer, probeServer } from './server-choice.js';
import { DEFAULT_RETRY_DELAYS_MS, NOBODY, PROBE_TIMEOUT_MS, REMOTE_JOB_POLL_MS, failure, openTeamSide, unreachableResult, type TeamSide } from './team-side.js';

/** Where a backup of the database comes from: a team server's client, this computer's database file, or nowhere now. */
export type BackupSource =
  | { readonly kind: 'team'; readonly client: RemoteClient; readonly server: string }
  | { readonly kind: 'embedded'; readonly database: string }
  | { readonly kind: 'none'; readonly problem: string };

/** This computer's side: the core opened on the database here. */
export interface EmbeddedSide {
  readonly database: string;
  dispatch(operation: string, payload: unknown): Promise<ApiResult<unknown>>;
  registerFile(path: string): Promise<UploadReceipt>;
  listJobs(): readonly JobView[];
  close(): void;
}

export interface DesktopConnectionOptions {
  readonly vault: SessionVault;
  /** `RepDesk/<version> (desktop)`. */
  readonly userAgent: string;
  /** The choice kept (connection.json), and where a new one is kept. */
  readonly readChoice: () => { choice: ConnectionChoice | null; problem: string | null };
  readonly writeChoice: (choice: ConnectionChoice) => void;
  /** Open the core on this computer's database; `onChange` takes the notice of each write to it, this app's and other processes'. */
  readonly openEmbedded: (onChange: (change: ChangeEvent) => void) => Promise<EmbeddedSide>;
  readonly onState: (state: ConnectionState) => void;
  readonly onChange: (change: ChangeEvent) => void;
  /** The pauses before trying an unreachable server again; the last repeats. */
  readonly retryDelaysMs?: readonly number[];
  readonly now?: () => Date;
}

export class DesktopConnection {
  private choice: ConnectionChoice | null = null;
  private embedded: EmbeddedSide | null = null;
  private team: TeamSide | null = null;
  private choosingProblem: string | null = null;
  private isClosed = false;
  private readonly now: () => Date;

  /** The database here tells the page of its writes (as a team server's event stream does) while it is the one in use. */
  private readonly embeddedChange = (change: ChangeEvent): void => {
    if (this.embedded !== null && !this.isClosed) this.options.onChange(change);
  };

  private constructor(private readonly options: DesktopConnectionOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Start as the kept choice says: the database here, the server, or the first-start choice. A
   * server is looked at (is it there, is the kept session still good?) after the start, so that
   * the window opens at once even when the server takes long to answer; `checked` settles then.
   */
  static async start(options: DesktopConnectionOptions): Promise<DesktopConnection> {
    const connection = new DesktopConnection(options);
    const kept = options.readChoice();
    connection.choosingProblem = kept.problem;
    if (kept.choice?.mode === 'embedded') {
      connection.embedded = await options.openEmbedded(connection.embeddedChange);
      connection.choice = kept.choice;
    } else if (kept.choice?.mode === 'team') {
      connection.choice = kept.choice;
      const team = connection.teamSide(kept.choice.server, kept.choice.certificate, kept.choice.person);
      team.status = 'connecting';
      connection.team = team;
      connection.checked = connection.refresh().then(() => undefined);
    }
    return connection;
  }

  /** Settles once the first look at the kept server is done (at once without one). */
  checked: Promise<void> = Promise.resolve();

  state(): ConnectionState {
    if (this.embedded) return { kind: 'embedded', database: this.embedded.database };
    const team = this.team;
    if (!team) return { kind: 'choosing', problem: this.choosingProblem };
    return {
      kind: 'team',
      server: team.server,
      status: team.status,
      person: team.person,
      roles: team.roles,
      problem: team.problem,
      retryAt: team.retryAt?.toISOString() ?? null,
      keepingProblem: team.keepingProblem,
      pinnedFingerprint: team.certificate === null ? null : fingerprintOf(team.certificate),
    };
  }

  private emit(): void {
    if (!this.isClosed) this.options.onState(this.state());
  }

  private teamSide(server: string, certificate: string | null, person: string | null): TeamSide {
    return openTeamSide(server, certificate, person, this.options.vault, this.options.userAgent);
  }

  /** Every call of the page, as IPC hands it over. */
  async dispatch(operation: string, payload: unknown): Promise<ApiResult<unknown>> {
    if (this.embedded) return this.embedded.dispatch(operation, payload);
    const team = this.team;
    if (!team) {
      if (operation === 'session.whoami') return { ok: true, value: NOBODY };
      return failure('unauthenticated', 'choose first how RepDesk works: on this computer, or with a team server');
    }
    if (operation === 'auth.signIn') return this.signIn(team, payload);
    if (operation === 'auth.signOut') return this.signOut(team);
    if (team.token === null && isOperationName(operation) && needsSession(operation)) {
      if (operation === 'session.whoami') return { ok: true, value: NOBODY };
      return failure('unauthenticated', `not signed in to ${team.server}: sign in first`);
    }
    let result: ApiResult<unknown>;
    try {
      result = await team.client.call(operation, payload);
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      this.unreachable(team, error);
      return unreachableResult(error);
    }
    if (!result.ok && result.error.code === 'unauthenticated' && team.token !== null) this.sessionEnded(team, result.error.message);
    else if (team.status === 'unreachable') this.reached(team);
    team.prepared.take(operation, result);
    if (operation === 'jobs.start' && result.ok) team.ownJobs.add((result.value as JobView).id);
    return result;
  }

  /**
   * Team mode's publish: sign a snapshot the server prepared (and this app relayed) with the key
   * kept here, once the person confirmed what it is (`confirm`: a native dialog), and send the
   * signature back. The page names the serial only.
   */
  async signPrepared(serial: number, confirm: (confirmation: ReturnType<typeof signingConfirmation>) => Promise<boolean>): Promise<ApiResult<unknown>> {
    const team = this.team;
    if (!team || team.status !== 'signed-in') return failure('unauthenticated', 'a prepared snapshot is signed here for a team server you are signed in to');
    return team.prepared.signAndCommit(serial, { vault: this.options.vault, server: team.server, confirm, call: (operation, input) => this.dispatch(operation, input) });
  }

  private async signIn(team: TeamSide, payload: unknown): Promise<ApiResult<unknown>> {
    // A new sign-in replaces the session: the old token is not sent with it.
    const previous = team.token;
    team.token = null;
    let result: ApiResult<unknown>;
    try {
      result = await team.client.call('auth.signIn', payload);
    } catch (error) {
      team.token = previous;
      if (!(error instanceof ServerUnreachable)) throw error;
      this.unreachable(team, error);
      return unreachableResult(error);
    }
    if (!result.ok) {
      team.token = previous;
      return result;
    }
    const signedIn = result.value as SignInResult;
    if (typeof signedIn?.token !== 'string' || signedIn.token === '') {
      team.token = previous;
      return failure('internal', `${team.server} signed you in but gave no session token for a desktop app`);
    }
    team.token = signedIn.token;
    team.person = signedIn.session.person;
    team.roles = signedIn.roles;
    team.status = 'signed-in';
    team.problem = null;
    team.keepingProblem = sessionKeepingProblem(this.options.vault);
    if (team.keepingProblem === null) storeSessionToken(this.options.vault, team.server, signedIn.token);
    this.keepChoice({ mode: 'team', server: team.server, certificate: team.certificate, person: team.person });
    this.startEvents(team);
    this.emit();
    // The token stays in the main process: the page learns who signed in, never with what.
    return { ok: true, value: { ...signedIn, token: '' } };
  }

  private async signOut(team: TeamSide): Promise<ApiResult<unknown>> {
    if (team.token === null) return failure('unauthenticated', `not signed in to ${team.server}`);
    let result: ApiResult<unknown>;
    try {
      result = await team.client.call('auth.signOut', {});
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      result = failure('internal', `signed out on this computer, but ${team.server} could not be told (${error.reason}): the session there ends by itself after its idle time`);
    }
    this.endSession(team, null);
    this.emit();
    return result as ApiResult<SessionView>;
  }

  private endSession(team: TeamSide, problem: string | null): void {
    team.token = null;
    team.roles = [];
    team.status = 'signed-out';
    team.problem = problem;
    team.jobs = [];
    team.ownJobs.clear();
    team.stopEvents?.();
    team.stopEvents = null;
    forgetSessionToken(this.options.vault);
  }

  private sessionEnded(team: TeamSide, message: string): void {
    this.endSession(team, `your session on ${team.server} ended (${message}): sign in again`);
    this.emit();
  }

  private unreachable(team: TeamSide, error: ServerUnreachable): void {
    if (team.retryTimer) clearTimeout(team.retryTimer);
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const delay = delays[Math.min(team.failures, delays.length - 1)];
    team.failures += 1;
    team.status = 'unreachable';
    team.problem = error.reason;
    team.retryAt = new Date(this.now().getTime() + delay);
    team.retryTimer = setTimeout(() => void this.refresh(), delay);
    this.emit();
  }

  private reached(team: TeamSide): void {
    if (team.retryTimer) clearTimeout(team.retryTimer);
    team.retryTimer = null;
    team.failures = 0;
    team.retryAt = null;
    team.problem = null;
    team.status = team.token === null ? 'signed-out' : 'signed-in';
    if (team.token !== null && team.stopEvents === null) this.startEvents(team);
    this.emit();
  }

  /** Look at the server now: is it there, and is the kept session still good (who, with which roles)? */
  async refresh(): Promise<ConnectionState> {
    const team = this.team;
    if (!team || this.isClosed) return this.state();
    if (team.retryTimer) clearTimeout(team.retryTimer);
    team.retryTimer = null;
    let result: ApiResult<unknown>;
    try {
      result = await team.client.call('session.whoami', {}, PROBE_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      if (this.team === team) this.unreachable(team, error);
      return this.state();
    }
    if (this.team !== team) return this.state();
    if (team.token !== null) {
      const who = result.ok ? (result.value as { actor: string | null; roles: readonly Role[] }) : null;
      if (!who || who.actor === null) {
        this.endSession(team, `your session on ${team.server} ended${result.ok ? '' : ` (${result.error.message})`}: sign in again`);
        team.failures = 0;
        team.retryAt = null;
        this.emit();
        return this.state();
      }
      team.person = who.actor;
      team.roles = who.roles;
    }
    this.reached(team);
    return this.state();
  }

  private startEvents(team: TeamSide): void {
    team.stopEvents?.();
    let wasBroken = false;
    const follower = followEvents({
      wire: team.wire,
      headers: () => team.client.headers(),
      onEvent: (event) => {
        if (event.event !== CHANGE_EVENT) return;
        const change = parseChangeEvent(event.data);
        if (change) this.options.onChange(change);
      },
      onState: (stream) => {
        if (this.team !== team) return;
        if (stream.kind === 'broken') wasBroken = true;
        if (stream.kind === 'open' && wasBroken) {
          // Notices sent while the stream was cut are lost: the open views refresh everything.
          wasBroken = false;
          this.options.onChange({ operation: null, actor: null, at: this.now().toISOString(), topics: CHANGE_TOPICS });
        }
        if (stream.kind === 'refused') this.sessionEnded(team, stream.error.message);
        else if (stream.kind === 'broken' && team.status === 'signed-in') this.unreachable(team, new ServerUnreachable(team.server, stream.reason, null));
        else if (stream.kind === 'open' && team.status === 'unreachable') void this.refresh();
      },
    });
    team.stopEvents = () => follower.stop();
  }

  /** The person's choice (first start, switching server, back to this computer). */
  async choose(request: ConnectionRequest): Promise<ConnectionAnswer> {
    if (request.mode === 'embedded') {
      if (this.embedded) return { ok: true, state: this.state() };
      const running = this.runningJob();
      if (running) return { ok: false, problem: running, certificate: null };
      const embedded = await this.options.openEmbedded(this.embeddedChange);
      await this.leaveTeam();
      this.embedded = embedded;
      this.keepChoice({ mode: 'embedded' });
      this.emit();
      return { ok: true, state: this.state() };
    }
    const checked = await checkServer(request);
    if (!checked.ok) return checked;
    const { origin, certificate } = checked;
    const running = this.runningJob();
    if (running) return { ok: false, problem: running, certificate: null };
    const previousPerson = this.choice?.mode === 'team' && this.choice.server === origin ? this.choice.person : null;
    const side = this.teamSide(origin, certificate, previousPerson);
    const refusal = await probeServer(side);
    if (refusal) return refusal;
    if (this.team?.server !== origin || this.team.certificate !== certificate) {
      await this.leaveTeam();
      this.embedded?.close();
      this.embedded = null;
      this.team = side;
      this.keepChoice({ mode: 'team', server: origin, certificate, person: previousPerson });
      await this.refresh();
    } else {
      side.wire.close();
    }
    this.emit();
    return { ok: true, state: this.state() };
  }

  /** Leave the team server: sign out there (best effort) and forget the session. */
  private async leaveTeam(): Promise<void> {
    const team = this.team;
    if (!team) return;
    this.team = null;
    if (team.retryTimer) clearTimeout(team.retryTimer);
    if (team.token !== null) {
      try {
        await team.client.call('auth.signOut', {}, PROBE_TIMEOUT_MS);
      } catch {
        // Unreachable: the session there ends by itself after its idle time.
      }
    }
    this.endSession(team, null);
    team.wire.close();
  }

  private keepChoice(choice: ConnectionChoice): void {
    this.choice = choice;
    this.choosingProblem = null;
    this.options.writeChoice(choice);
  }

  /** A running job of this computer's core (switching would stop it), in words; null when none runs. */
  private runningJob(): string | null {
    const running = this.embedded?.listJobs().find((job) => job.state === 'running');
    return running ? `job #${running.id} (${running.operation}) is running on this computer: wait until it has finished, or cancel it, then switch` : null;
  }

  /** Where a backup comes from now (backup.ts): the team server signed in to, this computer's database, or why none. */
  backupSource(): BackupSource {
    if (this.embedded) return { kind: 'embedded', database: this.embedded.database };
    const team = this.team;
    if (!team || team.token === null) return { kind: 'none', problem: team ? `sign in to ${team.server} first (its admins take backups of its database)` : 'choose first how RepDesk works' };
    return { kind: 'team', client: team.client, server: team.server };
  }

  /** A file the person chose or dropped: registered here, or streamed to the server as an upload. */
  async registerFile(path: string): Promise<UploadReceipt> {
    if (this.embedded) return this.embedded.registerFile(path);
    const team = this.team;
    if (!team) throw new AppError('unauthenticated', 'choose first how RepDesk works: on this computer, or with a team server');
    if (team.token === null) throw new AppError('unauthenticated', `not signed in to ${team.server}: sign in first`);
    let result: ApiResult<UploadReceipt>;
    try {
      result = await team.client.upload(path);
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      this.unreachable(team, error);
      throw new AppError('internal', unreachableResult(error).error.message);
    }
    if (!result.ok) {
      if (result.error.code === 'unauthenticated') this.sessionEnded(team, result.error.message);
      throw new AppError(result.error.code, result.error.message);
    }
    return result.value;
  }

  /**
   * The jobs to show progress of: this computer's, or on a team server the ones started from
   * this app (the server runs everyone's), asked for at most once a second and only while one of
   * them may be running.
   */
  async listJobs(): Promise<readonly JobView[]> {
    if (this.embedded) return this.embedded.listJobs();
    const team = this.team;
    if (!team || team.status !== 'signed-in') return [];
    const now = Date.now();
    const mayRun = team.jobs.some((job) => job.state === 'running') || [...team.ownJobs].some((id) => !team.jobs.some((job) => job.id === id));
    if (!mayRun || now - team.lastJobPollAt < REMOTE_JOB_POLL_MS) return team.jobs;
    team.lastJobPollAt = now;
    try {
      const result = await team.client.call('jobs.list', {});
      if (result.ok) team.jobs = (result.value as readonly JobView[]).filter((job) => team.ownJobs.has(job.id));
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      this.unreachable(team, error);
    }
    return team.jobs;
  }

  /** Stop following the server and close this computer's core. */
  async close(): Promise<void> {
    this.isClosed = true;
    const team = this.team;
    if (team) {
      if (team.retryTimer) clearTimeout(team.retryTimer);
      team.stopEvents?.();
      team.wire.close();
    }
    this.embedded?.close();
    this.embedded = null;
  }
}
