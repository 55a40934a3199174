/**
 * A real team server for tests: a database whose first admin (Ada) enrolled through the real
 * operations, the server's core (writer thread, change notices) and `startTeamServer` on
 * 127.0.0.1, and a client that speaks to it over real HTTP(S) with full control of the headers
 * (bearer token, cookie, Origin, X-Forwarded-For), as a desktop, a CLI, a browser or an attacker
 * would.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { ApiResult } from '../../../shared/result.js';
import type { Role } from '../../../shared/domain.js';
import type { ChangeNotice } from '../../../shared/changes.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { openThreadedCore, type ThreadedCore } from '../../../main/core/writer/threaded-core.js';
import { ChangeStreams } from '../../../main/server/events.js';
import { startTeamServer, type RunningTeamServer, type TeamServerOptions } from '../../../main/server/team-server.js';
import { SESSION_COOKIE } from '../../../main/server/team-gate.js';
import { secretOf } from '../../unit/support/team.js';
import { ok } from '../../unit/support/results.js';
import { totp } from '../../../main/core/auth/totp.js';

export const ADMIN = 'Ada';
export const ADMIN_PASSPHRASE = 'ada keeps seven lanterns by the quay';

export interface Answer<T = unknown> {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly result: ApiResult<T>;
}

export interface RequestOptions {
  readonly token?: string;
  /** The browser's session cookie value. */
  readonly cookie?: string;
  /** Origin header; `true`: this server's own origin. */
  readonly origin?: string | true;
  readonly headers?: Record<string, string>;
  readonly method?: string;
  /** A raw body instead of the JSON of `body`. */
  readonly raw?: Buffer | string;
}

export interface PersonSession {
  readonly name: string;
  readonly passphrase: string;
  readonly token: string;
  readonly secret: Buffer | null;
  /** Recovery codes not used yet (with a second factor). */
  readonly recoveryCodes?: readonly string[];
}

export interface TeamServerHarness {
  readonly folder: string;
  readonly databasePath: string;
  /** The running server (a new one after `bounce`). */
  readonly server: RunningTeamServer;
  /** Stop the HTTP server (the core stays) and start it again on the same port after `downMs`. */
  bounce(downMs: number): Promise<void>;
  readonly core: ThreadedCore;
  readonly notices: ChangeNotice[];
  readonly origin: string;
  /** The admin's bearer session (client cli). */
  readonly admin: PersonSession;
  call<T = unknown>(name: string, body?: unknown, options?: RequestOptions): Promise<Answer<T>>;
  /** Invite (as the admin, over HTTP) and enrol a person; signs them in as `client` (default cli). */
  person(name: string, roles: readonly Role[], options?: { secondFactor?: boolean; client?: 'cli' | 'desktop' }): Promise<PersonSession>;
  /** Rows of tables (read from the file, as another process would). */
  rows<T = Record<string, unknown>>(query: string, ...parameters: unknown[]): T[];
  stop(): Promise<void>;
}

const STATIC_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../renderer');

/** One HTTP(S) request with exactly the headers given. */
export function request<T = unknown>(baseUrl: string, path: string, body: unknown, options: RequestOptions & { ca?: Buffer } = {}): Promise<Answer<T>> {
  const url = new URL(path, baseUrl);
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const headers: Record<string, string> = { ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}) };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers.Cookie = `${SESSION_COOKIE}=${options.cookie}`;
  if (options.origin !== undefined) headers.Origin = options.origin === true ? url.origin : options.origin;
  Object.assign(headers, options.headers ?? {});
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const outgoing = send(url, { method: options.method ?? 'POST', headers, agent: false, ...(options.ca ? { ca: options.ca } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let result: ApiResult<T>;
        try {
          result = JSON.parse(text) as ApiResult<T>;
        } catch {
          result = { ok: false, error: { code: 'internal', message: `not JSON: ${text.slice(0, 200)}` } };
        }
        resolvePromise({ status: response.statusCode ?? 0, headers: response.headers, text, result });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

export function value<T>(answer: Answer<T>): T {
  if (!answer.result.ok) assert.fail(`${answer.status} ${answer.result.error.code}: ${answer.result.error.message}`);
  return answer.result.value;
}

/** The session cookie's value in a Set-Cookie answer, and the whole header. */
export function setCookieOf(answer: Answer): { value: string; header: string } | null {
  const header = (answer.headers['set-cookie'] ?? []).find((line) => line.startsWith(`${SESSION_COOKIE}=`));
  if (!header) return null;
  return { value: header.slice(SESSION_COOKIE.length + 1).split(';')[0], header };
}

/** The team server's HTTP side as `repdesk server` runs it, on a core of the test's. */
export interface ServedTeam {
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serve `core` with the real team server (startTeamServer) on 127.0.0.1, `port` (0: a free one),
 * over TLS with `tls` (PEM); its change notices go to `changes` (a core made with `onChange`
 * publishing there).
 */
export async function serveTeam(core: Core, changes: ChangeStreams, options: { tls?: { cert: string; key: string } | null; port?: number } = {}): Promise<ServedTeam> {
  const tls = options.tls ? { cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key) } : null;
  const running = await startTeamServer({ core, changes, host: '127.0.0.1', port: options.port ?? 0, tls, trustedProxy: null, staticFolder: STATIC_FOLDER });
  return { origin: new URL(running.url).origin, port: running.port, close: () => running.close() };
}

/** A database with the first admin enrolled (passphrase only), made through the core as the command line would. */
export async function bootstrapTeam(databasePath: string): Promise<void> {
  const core = createCore({ databasePath });
  try {
    await ok(core.dispatch('investigators.add', { name: ADMIN, roles: ['investigator', 'reviewer', 'publisher', 'liaison'] }, { actor: null, client: 'cli' }));
    const invitation = await ok(core.dispatch('team.invite', { name: ADMIN }, { actor: ADMIN, client: 'cli' }));
    await ok(core.dispatch('auth.enrol', { code: invitation.code, passphrase: ADMIN_PASSPHRASE }, { actor: null, client: 'cli' }));
  } finally {
    core.close();
  }
}

export async function startTeamHarness(
  overrides: Partial<Pick<TeamServerOptions, 'tls' | 'trustedProxy'>> & {
    ca?: Buffer;
    folder?: string;
    /** Headers every call sends unless it says otherwise (a proxy's X-Forwarded-For). */
    headers?: Record<string, string>;
  } = {},
): Promise<TeamServerHarness> {
  const folder = overrides.folder ?? mkdtempSync(join(tmpdir(), 'repdesk-team-server-'));
  const databasePath = join(folder, 'repdesk.sqlite');
  if (!overrides.folder) await bootstrapTeam(databasePath);
  const notices: ChangeNotice[] = [];
  let changes = new ChangeStreams();
  const core = await openThreadedCore({
    databasePath,
    snapshotFolder: join(folder, 'snapshots'),
    uploadParent: join(folder, 'uploads'),
    onChange: (notice) => {
      notices.push(notice);
      changes.publish(notice);
    },
  });
  const start = (port: number) => startTeamServer({ core, changes, host: '127.0.0.1', port, tls: overrides.tls ?? null, trustedProxy: overrides.trustedProxy ?? null, staticFolder: STATIC_FOLDER });
  let server = await start(0);
  const baseUrl = server.url;
  const call = <T>(name: string, body: unknown = {}, options: RequestOptions = {}) =>
    request<T>(baseUrl, `/api/${name}`, body, { ...options, headers: { ...overrides.headers, ...options.headers }, ca: overrides.ca });
  const stop = async () => {
    await server.close();
    core.close();
    await core.closed();
    if (!overrides.folder) rmSync(folder, { recursive: true, force: true });
  };
  const signIn = async (name: string, passphrase: string, client: 'cli' | 'desktop', secondFactor: string | null) => {
    const answer = await call<{ token: string }>('auth.signIn', { name, passphrase, client, ...(secondFactor ? { secondFactor } : {}) });
    return value(answer).token;
  };
  let admin: PersonSession;
  try {
    admin = { name: ADMIN, passphrase: ADMIN_PASSPHRASE, secret: null, token: await signIn(ADMIN, ADMIN_PASSPHRASE, 'cli', null) };
  } catch (error) {
    await stop();
    throw error;
  }
  const harness: TeamServerHarness = {
    folder,
    databasePath,
    get server() {
      return server;
    },
    async bounce(downMs) {
      await server.close();
      await new Promise((resolvePromise) => setTimeout(resolvePromise, downMs));
      changes = new ChangeStreams();
      server = await start(server.port);
    },
    core,
    notices,
    origin: new URL(baseUrl).origin,
    admin,
    call,
    async person(name, roles, options = {}) {
      const invitation = value(await call<{ code: string }>('team.invite', { name, roles }, { token: admin.token }));
      const start = value(await call<{ otpauthUri: string }>('auth.enrolStart', { code: invitation.code, client: 'cli' }));
      const passphrase = `${name.toLowerCase()} rides a purple tandem at dawn`;
      const secret = options.secondFactor ? secretOf(start.otpauthUri) : null;
      const enrolled = value(await call<{ recoveryCodes: string[] | null }>('auth.enrol', { code: invitation.code, passphrase, client: 'cli', ...(secret ? { totpCode: totp(secret, Date.now()) } : {}) }));
      // Enrolling used this 30-second step's code: the first sign-in uses a recovery code instead of waiting for the next.
      const recoveryCodes = enrolled.recoveryCodes ?? [];
      return { name, passphrase, secret, recoveryCodes: recoveryCodes.slice(1), token: await signIn(name, passphrase, options.client ?? 'cli', recoveryCodes[0] ?? null) };
    },
    rows<T>(query: string, ...parameters: unknown[]) {
      const database = new Database(databasePath, { readonly: true });
      try {
        return database.prepare(query).all(...parameters) as T[];
      } finally {
        database.close();
      }
    },
    stop,
  };
  return harness;
}

/** An open event stream (`GET /api/events` with a bearer token): the frames received so far, and its end. */
export interface EventStream {
  readonly response: IncomingMessage;
  readonly frames: string[];
  readonly ended: Promise<void>;
  /** The first frame (received or to come) that matches. */
  next(match: RegExp): Promise<string>;
  close(): void;
}

/** Open the change notices' stream of the server at `baseUrl` as the holder of `token`. */
export function openEvents(baseUrl: string, token: string): Promise<EventStream> {
  return new Promise((resolvePromise, reject) => {
    const outgoing = httpRequest(new URL('/api/events', baseUrl), { method: 'GET', headers: { Authorization: `Bearer ${token}` } }, (response) => {
      const frames: string[] = [];
      const waiting: { match: RegExp; resolve: (frame: string) => void }[] = [];
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          frames.push(frame);
          for (const waiter of [...waiting]) {
            if (waiter.match.test(frame)) {
              waiting.splice(waiting.indexOf(waiter), 1);
              waiter.resolve(frame);
            }
          }
          end = buffer.indexOf('\n\n');
        }
      });
      const ended = new Promise<void>((resolveEnd) => response.on('end', () => resolveEnd()));
      const next = (match: RegExp) => {
        const found = frames.find((frame) => match.test(frame));
        return found ? Promise.resolve(found) : new Promise<string>((resolveFrame) => waiting.push({ match, resolve: resolveFrame }));
      };
      resolvePromise({ response, frames, ended, next, close: () => response.destroy() });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
