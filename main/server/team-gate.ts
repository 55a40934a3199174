/**
 * Who a team server's request comes from: the client's address (the socket's, or, from the
 * configured proxy only, the last hop of X-Forwarded-For), the origin the browser sees (scheme and
 * host, X-Forwarded-Proto/-Host from that proxy only), and the signed-in person behind it: a
 * bearer token (desktop, CLI) or the session cookie (browsers, with the Origin check). The call's
 * actor, client and address come from the session and the socket, never from the request's body.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { ApiError } from '../../shared/result.js';
import type { Role } from '../../shared/domain.js';
import type { CallContext, Core } from '../core/app.js';

/** The browser's session cookie (HttpOnly: the page never reads it). */
export const SESSION_COOKIE = 'repdesk_session';
/** A request naming who acts: refused, the session says who acts. */
export const ACTOR_HEADER = 'x-repdesk-actor';

export interface GateOptions {
  /** Whether the server speaks TLS itself. */
  readonly isTls: boolean;
  /** The proxy whose X-Forwarded-For/-Proto/-Host are believed (`--behind-proxy`), normalised; null: none. */
  readonly trustedProxy: string | null;
}

/** Where a request came from, as the server believes it. */
export interface RequestOrigin {
  /** The client's address: the socket's, or the one the trusted proxy names. */
  readonly address: string | null;
  /** The scheme and host the client used (`https://repdesk.example:8443`), for the Origin check and the cookie's Secure flag. */
  readonly origin: string;
  readonly isHttps: boolean;
  readonly host: string;
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) as `1.2.3.4`; anything else as it is. */
export function normaliseAddress(address: string | undefined | null): string | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address.toLowerCase();
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function refusal(code: ApiError['code'], message: string): { error: ApiError } {
  return { error: { code, message } };
}

/** The request's origin as the server believes it, or a refusal when the proxy's word is unusable. */
export function originOf(request: IncomingMessage, options: GateOptions): RequestOrigin | { error: ApiError } {
  const socketAddress = normaliseAddress(request.socket.remoteAddress);
  const host = header(request, 'host') ?? '';
  if (options.trustedProxy !== null && socketAddress === options.trustedProxy) {
    // The proxy appends the address it saw last; anything before it is the client's own claim.
    const hops = (header(request, 'x-forwarded-for') ?? '').split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
    const client = normaliseAddress(hops.at(-1));
    if (client === null || isIP(client) === 0) return refusal('invalid-input', 'the proxy did not name the client (X-Forwarded-For with its address)');
    const proto = (header(request, 'x-forwarded-proto') ?? 'http').split(',')[0].trim().toLowerCase();
    if (proto !== 'http' && proto !== 'https') return refusal('invalid-input', `the proxy named an unknown scheme (X-Forwarded-Proto: ${proto.slice(0, 20)})`);
    const forwardedHost = header(request, 'x-forwarded-host')?.split(',')[0].trim() || host;
    return { address: client, origin: `${proto}://${forwardedHost}`, isHttps: proto === 'https', host: forwardedHost };
  }
  const scheme = options.isTls ? 'https' : 'http';
  return { address: socketAddress, origin: `${scheme}://${host}`, isHttps: options.isTls, host };
}

/** Whether an address is this machine's own (127.0.0.0/8, ::1, and ::ffff:127.x). */
export function isLoopbackAddress(address: string): boolean {
  const normalised = normaliseAddress(address) ?? '';
  return normalised === '::1' || /^127(\.\d{1,3}){3}$/.test(normalised);
}

/**
 * Whether a peer may speak to the server at all: behind a TLS proxy (the server then speaks plain
 * HTTP) only the proxy and this machine may; otherwise anyone (TLS, or loopback only).
 */
export function isAllowedPeer(socketAddress: string | undefined, trustedProxy: string | null): boolean {
  if (trustedProxy === null) return true;
  const peer = normaliseAddress(socketAddress);
  return peer === trustedProxy || isLoopbackAddress(peer ?? '');
}

/** Whether a host name is this machine (`127.0.0.1:8080`, `localhost`, `[::1]:8080`): plain HTTP is allowed there only. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** A session cookie's `Set-Cookie`: HttpOnly, SameSite=Strict, whole site; Secure unless the client uses plain HTTP on loopback. */
export function sessionCookie(token: string, origin: RequestOrigin, expiresAt: string): string {
  const secure = origin.isHttps || !isLoopbackHost(origin.host) ? '; Secure' : '';
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure}; Expires=${new Date(expiresAt).toUTCString()}`;
}

/** The `Set-Cookie` that removes the session cookie (sign-out, or a cookie the server no longer honours). */
export function clearedCookie(origin: RequestOrigin): string {
  const secure = origin.isHttps || !isLoopbackHost(origin.host) ? '; Secure' : '';
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict${secure}; Max-Age=0`;
}

/** How the request presents its session: a bearer token, the browser's cookie, or nothing. */
export type Credential = { readonly kind: 'bearer' | 'cookie'; readonly token: string } | null;

export function credentialOf(request: IncomingMessage): Credential | { error: ApiError } {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(authorization);
    if (!match) return refusal('unauthenticated', 'the Authorization header is not "Bearer <session token>": sign in');
    return { kind: 'bearer', token: match[1] };
  }
  for (const part of (header(request, 'cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return { kind: 'cookie', token: value.join('=') };
  }
  return null;
}

/**
 * A browser's request carrying the cookie must come from this server's own page: its Origin (a
 * browser sends one with every POST) must be this server's, and Sec-Fetch-Site, when sent, must
 * say same-origin. SameSite=Strict already keeps the cookie off other sites' requests; this holds
 * even where it would not.
 */
export function checkBrowserOrigin(request: IncomingMessage, origin: RequestOrigin): ApiError | null {
  const sent = header(request, 'origin');
  const site = header(request, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { code: 'forbidden', message: 'requests from other sites are refused' };
  if (sent === undefined) {
    return request.method === 'GET' ? null : { code: 'forbidden', message: 'a request with the session cookie must say its Origin (this server\'s page sends it)' };
  }
  return sent === origin.origin ? null : { code: 'forbidden', message: 'requests from other origins are refused' };
}

/** The signed-in person's call, or a refusal: no credential, a session the core refuses (saying why), a token used the wrong way. */
export function authenticatedCall(
  core: Core,
  request: IncomingMessage,
  origin: RequestOrigin,
): { call: CallContext; credential: NonNullable<Credential>; roles: readonly Role[] } | { error: ApiError; credential: Credential } {
  const credential = credentialOf(request);
  if (credential !== null && 'error' in credential) return { error: credential.error, credential: null };
  if (credential === null) return { error: { code: 'unauthenticated', message: 'sign in first (no session)' }, credential };
  if (credential.kind === 'cookie') {
    const refused = checkBrowserOrigin(request, origin);
    if (refused) return { error: refused, credential };
  }
  const checked = core.authenticate(credential.token);
  if (!checked.ok) return { error: checked.error, credential };
  const { person, session } = checked.value;
  // A browser's token never leaves its HttpOnly cookie, and a bearer token is never a cookie: the other way round, it was taken from where it lives.
  if ((session.kind === 'cookie') !== (credential.kind === 'cookie')) {
    return { error: { code: 'unauthenticated', message: `this session is a ${session.kind === 'cookie' ? "browser's (its cookie)" : 'bearer token'} and cannot be used as a ${credential.kind}: sign in` }, credential };
  }
  return {
    credential,
    roles: person.roles,
    call: {
      actor: person.name,
      client: session.client ?? (session.kind === 'cookie' ? 'browser' : 'cli'),
      address: origin.address,
      sessionId: session.id,
      localFiles: false,
      uploadOwner: `session:${session.id}`,
    },
  };
}

/** Whether a request names who acts (a header, or `actor` in its body, or in a job's input): the team server refuses it. */
export function namesActor(request: IncomingMessage, payload: unknown): boolean {
  if (header(request, ACTOR_HEADER) !== undefined) return true;
  const hasActor = (value: unknown) => typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'actor');
  return hasActor(payload) || (typeof payload === 'object' && payload !== null && hasActor((payload as { input?: unknown }).input));
}
