/**
 * The team server (`repdesk server`): the contract at `POST /api/<operation>` and the UI, for many
 * people at once, on the same core and dispatch table as browser mode and the desktop. Every call
 * is a signed-in person's: a bearer token (desktop, CLI) or the browser's session cookie, checked
 * by the core on every request (team-gate.ts); the history records the person, the client the
 * session was made by, and the address the call came from. Signing in, enrolling and opening an
 * enrolment code are the only calls without a session. `GET /api/events` streams change notices
 * (events.ts); `GET /api/backup` gives an admin a backup of the database (backup-download.ts). It speaks TLS itself (`--tls-cert`/`--tls-key`), or plain HTTP on loopback, or
 * behind a TLS proxy whose forwarded headers it believes (`--behind-proxy`): plain HTTP on any
 * other address is refused before anything listens.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { BACKUP_PATH, EVENTS_PATH } from '../../shared/remote.js';
import { isOperationName, needsSession, type OperationName } from '../../shared/contract.js';
import type { ApiError } from '../../shared/result.js';
import { UPLOAD_PATH } from '../../shared/files.js';
import { CLIENTS, SIGN_IN_NEEDED, type ClientKind, type SignInResult } from '../../shared/team.js';
import type { CallContext, Core } from '../core/app.js';
import { createLogger } from '../core/log.js';
import { BackupDownloads } from './backup-download.js';
import type { ChangeStreams } from './events.js';
import { Answers, SECURITY_HEADERS } from './http.js';
import { authenticatedCall, checkBrowserOrigin, clearedCookie, isAllowedPeer, isLoopbackAddress, isLoopbackHost, namesActor, normaliseAddress, originOf, sessionCookie, type RequestOrigin } from './team-gate.js';

const log = createLogger('team-server');

/** How long closing waits for calls being answered before it closes their connections. */
const CLOSE_GRACE_MS = 2_000;

/** Strict-Transport-Security under TLS: browsers keep to HTTPS for a year. */
export const HSTS = 'max-age=31536000';

export interface TeamServerOptions {
  /** A server's core (openThreadedCore), whose change notices go to `changes`. */
  readonly core: Core;
  readonly changes: ChangeStreams;
  /** The address to listen on (an IPv4 or IPv6 address) and the port (0 picks a free one). */
  readonly host: string;
  readonly port: number;
  /** The certificate chain and key (PEM) to speak TLS with; null: plain HTTP (loopback, or behind the proxy). */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | null;
  /** The TLS proxy in front (`--behind-proxy ADDRESS`): its X-Forwarded-For/-Proto/-Host are believed, nobody else's. */
  readonly trustedProxy: string | null;
  /** The built renderer. */
  readonly staticFolder: string;
}

export interface RunningTeamServer {
  /** The URL people open (the address it listens on; behind a proxy, the proxy's is theirs). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Why the server must not listen as asked, or null: an address that is not an IP address, or plain
 * HTTP on an address others can reach (passphrases and session tokens would cross the network in
 * clear) without a TLS proxy in front.
 */
export function listenProblem(options: Pick<TeamServerOptions, 'host' | 'tls' | 'trustedProxy'>): string | null {
  if (isIP(options.host) === 0) return `--listen needs an IP address and a port (e.g. 127.0.0.1:8443 or [::]:8443), not ${JSON.stringify(options.host)}`;
  if (options.trustedProxy !== null && isIP(options.trustedProxy) === 0) return `--behind-proxy needs the proxy's IP address, not ${JSON.stringify(options.trustedProxy)}`;
  if (options.tls !== null && options.trustedProxy !== null) return '--tls-cert/--tls-key and --behind-proxy do not go together: either this server speaks TLS, or the proxy in front does';
  if (options.tls === null && options.trustedProxy === null && !isLoopbackAddress(options.host)) {
    return `refusing to listen on ${options.host} without TLS: passphrases and session tokens would cross the network in clear. Give --tls-cert FILE --tls-key FILE, or --behind-proxy PROXY_ADDRESS when a TLS proxy in front forwards to this server, or listen on 127.0.0.1`;
  }
  return null;
}

/** The `client` a no-session call (sign-in, enrolment) says it is, taken out of its body; browsers are known by their Origin. */
function clientOf(request: IncomingMessage, payload: unknown): { client: ClientKind | undefined; payload: unknown } | { error: ApiError } {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || !('client' in payload)) {
    return { client: request.headers.origin !== undefined ? 'browser' : undefined, payload };
  }
  const { client, ...rest } = payload as { client: unknown };
  if (typeof client !== 'string' || !(CLIENTS as readonly string[]).includes(client) || client === 'server') {
    return { error: { code: 'invalid-input', message: 'client: browser, desktop or cli' } };
  }
  return { client: client as ClientKind, payload: rest };
}

export async function startTeamServer(options: TeamServerOptions): Promise<RunningTeamServer> {
  const problem = listenProblem(options);
  if (problem) throw new Error(problem);
  const { core, changes } = options;
  const plainAnswers = new Answers(SECURITY_HEADERS);
  const tlsAnswers = new Answers({ ...SECURITY_HEADERS, 'Strict-Transport-Security': HSTS });
  const gate = { isTls: options.tls !== null, trustedProxy: options.trustedProxy === null ? null : normaliseAddress(options.trustedProxy) };
  const isLoopbackOnly = isLoopbackAddress(options.host) && gate.trustedProxy === null;
  const backups = new BackupDownloads(core.connection.path);

  /** A call without a session: signing in, opening an enrolment code, enrolling. */
  const callWithoutSession = async (name: OperationName, request: IncomingMessage, response: ServerResponse, origin: RequestOrigin, payload: unknown, answers: Answers) => {
    // A browser's page signs in from this server's page only (no signing in to someone's account from another site).
    if (request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined) {
      const refused = checkBrowserOrigin(request, origin);
      if (refused) return answers.error(response, refused);
    }
    const said = clientOf(request, payload);
    if ('error' in said) return answers.error(response, said.error);
    if (name === 'auth.signIn' && said.client === undefined) return answers.error(response, { code: 'invalid-input', message: 'auth.signIn: say which client signs in: "client": "browser", "desktop" or "cli"' });
    const call: CallContext = { actor: null, client: said.client, address: origin.address, localFiles: false };
    const result = await core.dispatch(name, said.payload, call);
    if (name !== 'auth.signIn' || !result.ok || said.client !== 'browser') return answers.result(response, result);
    // A browser gets its session as an HttpOnly cookie; the token is not in the body for the page to see.
    const { token, ...withoutToken } = result.value as SignInResult;
    answers.result(response, { ok: true, value: withoutToken }, { 'Set-Cookie': sessionCookie(token, origin, withoutToken.session.expiresAt) });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!isAllowedPeer(request.socket.remoteAddress, gate.trustedProxy)) {
      return plainAnswers.error(response, { code: 'forbidden', message: 'this server is reached through its TLS proxy: connect there' });
    }
    const origin = originOf(request, gate);
    if ('error' in origin) return plainAnswers.error(response, origin.error);
    const answers = origin.isHttps ? tlsAnswers : plainAnswers;
    // On loopback, a page on another name that resolves here (DNS rebinding) is not this server's.
    if (isLoopbackOnly && !isLoopbackHost(origin.host)) return answers.send(response, 421, 'wrong host', 'text/plain; charset=utf-8');
    const pathname = new URL(request.url ?? '/', 'http://server').pathname;
    if (!pathname.startsWith('/api/')) return answers.staticFile(options.staticFolder, request, response, pathname);

    if (pathname === EVENTS_PATH) {
      if (request.method !== 'GET') return answers.error(response, { code: 'invalid-input', message: `${EVENTS_PATH} is GET (an event stream)` });
      const checked = authenticatedCall(core, request, origin);
      if ('error' in checked) return refuseCall(answers, response, checked.error, checked.credential?.kind === 'cookie' ? origin : null);
      const token = checked.credential.token;
      return changes.open(response, checked.call.sessionId as number, () => core.authenticate(token, { touch: false }).ok, origin.isHttps ? { 'Strict-Transport-Security': HSTS } : {});
    }
    if (pathname === BACKUP_PATH) {
      if (request.method !== 'GET') return answers.error(response, { code: 'invalid-input', message: `${BACKUP_PATH} is GET (a download)` });
      const checked = authenticatedCall(core, request, origin);
      if ('error' in checked) return refuseCall(answers, response, checked.error, checked.credential?.kind === 'cookie' ? origin : null);
      return backups.send(checked.call, checked.roles.includes('admin'), response, answers);
    }
    if (request.method !== 'POST') return answers.error(response, { code: 'invalid-input', message: 'API calls are POST with a JSON body' });
    if (request.headers['x-repdesk-actor'] !== undefined) return refuseActor(answers, response);

    if (pathname === UPLOAD_PATH) {
      const checked = authenticatedCall(core, request, origin);
      if ('error' in checked) return refuseCall(answers, response, checked.error, checked.credential?.kind === 'cookie' ? origin : null, request);
      return answers.upload(core, checked.call, request, response);
    }

    const name = pathname.slice('/api/'.length);
    // Who may call is settled before the body is read: a caller without a session sends no megabyte.
    const isOperation = isOperationName(name);
    const checked = isOperation && !needsSession(name) ? null : authenticatedCall(core, request, origin);
    if (checked !== null && 'error' in checked) return refuseCall(answers, response, checked.error, checked.credential?.kind === 'cookie' ? origin : null, request);
    const body = await answers.jsonBody(request, response);
    if (body === null) return;
    if (namesActor(request, body.payload)) return refuseActor(answers, response);
    if (!isOperation) return answers.error(response, { code: 'not-found', message: `no operation named ${JSON.stringify(name.slice(0, 100))}` });
    if (checked === null) return callWithoutSession(name, request, response, origin, body.payload, answers);

    const result = await core.dispatch(name, body.payload, checked.call);
    const isCookieSignOut = name === 'auth.signOut' && result.ok && checked.credential.kind === 'cookie';
    answers.result(response, result, isCookieSignOut ? { 'Set-Cookie': clearedCookie(origin) } : {});
  };

  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' })
    : createHttpServer();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      log.error(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) plainAnswers.error(response, { code: 'internal', message: 'internal error' });
      else response.destroy();
    });
  });
  // A TLS handshake that fails (a plain-HTTP client, an untrusted certificate) is that client's problem, logged once.
  server.on('tlsClientError', (error: Error) => log.info(`a TLS handshake failed: ${error.message}`));

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolvePromise());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}/`,
    port: address.port,
    close: async () => {
      changes.close();
      await new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeIdleConnections();
        // Calls still being answered get a moment; then every connection goes.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
    },
  };
}

/** A refused call; a browser whose cookie no longer lets it in is told to forget it. The rest of an unread body is dropped. */
function refuseCall(answers: Answers, response: ServerResponse, error: ApiError, cookieOrigin: RequestOrigin | null, request?: IncomingMessage): void {
  const isSessionMissing = error.code === 'unauthenticated';
  const clear: Record<string, string> = cookieOrigin !== null && isSessionMissing ? { 'Set-Cookie': clearedCookie(cookieOrigin) } : {};
  request?.resume();
  answers.error(response, isSessionMissing ? { ...error, details: [...(error.details ?? []), SIGN_IN_NEEDED] } : error, clear);
}

function refuseActor(answers: Answers, response: ServerResponse): void {
  answers.error(response, { code: 'forbidden', message: 'the team server acts as the signed-in person: a request may not name an actor' });
}
