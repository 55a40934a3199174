/**
 * Browser mode: the contract over HTTP on loopback. `POST /api/<operation>` with a JSON body and
 * `Authorization: Bearer <token>` (a random token made at each start); files arrive first as
 * uploads, `POST /api/upload` with the file as the body (streamed to disk, never held in memory),
 * and operations name them by the id it answers; everything else serves the built renderer.
 * Binds 127.0.0.1 only, and refuses requests whose Host is not this server (DNS rebinding) or
 * whose Origin is another site. A body over its limit is answered 413 at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { promises as fs } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ApiError, ApiResult, ErrorCode } from '../../shared/contract.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH, formatBytes } from '../../shared/files.js';
import type { CallContext, Core } from '../core/app.js';
import { AppError } from '../core/errors.js';
import { createLogger } from '../core/log.js';

const log = createLogger('server');
/** Largest JSON body of an API call (files come as uploads, limited by the setting import.maxFileBytes). */
export const MAX_BODY_BYTES = 1 << 20;
/** After a 413 the rest of the body is read and dropped this long at most before the connection closes. */
const LINGER_MILLISECONDS = 5_000;
/** What a 503 asks a client to wait before it tries again. */
const RETRY_AFTER_SECONDS = 2;

/** The page's Content-Security-Policy: nothing remote, no inline script, no plugins, no framing by others. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  'invalid-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  cancelled: 409,
  'rate-limited': 429,
  busy: 503,
  'too-large': 413,
  internal: 500,
};

export interface ServerOptions {
  readonly core: Core;
  readonly call: CallContext;
  /** 0 picks a free port. */
  readonly port: number;
  /** The built renderer (index.html and assets). */
  readonly staticFolder: string;
  /** Fixed token (tests); by default a random one per start. */
  readonly token?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: string | Buffer, contentType: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Cache-Control': 'no-store', ...extra });
  response.end(body);
}

function sendResult(response: ServerResponse, result: ApiResult<unknown>): void {
  const status = result.ok ? 200 : STATUS_BY_CODE[result.error.code];
  send(response, status, JSON.stringify(result), 'application/json; charset=utf-8', status === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {});
}

function sendError(response: ServerResponse, error: ApiError): void {
  sendResult(response, { ok: false, error });
}

/**
 * The request's body as it arrives. Stopping early leaves the request (and its socket) alone:
 * the answer must go out before the connection closes (see `refuseBody`).
 */
function bodyOf(request: IncomingMessage): AsyncIterable<Buffer> {
  return request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/** A JSON body within MAX_BODY_BYTES, or null as soon as it passes the limit. */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of bodyOf(request)) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The body's declared length when it is over `limit` (refused before reading any of it). */
function declaredOver(request: IncomingMessage, limit: number): boolean {
  const length = Number(request.headers['content-length']);
  return Number.isFinite(length) && length > limit;
}

/**
 * Answer 413 at once, then close the connection once the client has stopped sending: what it
 * still sends is read and dropped (for LINGER_MILLISECONDS at most). Closing a socket with unread
 * data resets it, and a client still sending would then lose the answer instead of reading it.
 */
function refuseBody(request: IncomingMessage, response: ServerResponse, message: string): void {
  const body = JSON.stringify({ ok: false, error: { code: 'too-large', message } });
  response.writeHead(413, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  response.write(body);
  let isDone = false;
  const finish = () => {
    if (isDone) return;
    isDone = true;
    clearTimeout(timer);
    response.end();
  };
  const timer = setTimeout(finish, LINGER_MILLISECONDS);
  request.once('end', finish);
  request.once('close', finish);
  request.resume();
}

function tokensMatch(expected: Buffer, header: string | undefined): boolean {
  const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Start the server on 127.0.0.1. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const staticRoot = resolve(options.staticFolder);
  let port = options.port;
  // Every call over HTTP uses this session's uploads and never names a local path.
  const session: CallContext = { ...options.call, localFiles: false, uploadOwner: `browser:${createHash('sha256').update(token).digest('hex').slice(0, 32)}` };

  /** `POST /api/upload`: the file as the body, its name in the X-File-Name header (URI-encoded). */
  const receiveUpload = async (request: IncomingMessage, response: ServerResponse) => {
    const settings = await options.core.dispatch('settings.get', {}, session);
    if (!settings.ok) {
      sendResult(response, settings);
      return;
    }
    const maxBytes = settings.value.import.maxFileBytes;
    const header = request.headers[UPLOAD_NAME_HEADER];
    let name: string | undefined;
    try {
      name = typeof header === 'string' ? decodeURIComponent(header) : undefined;
    } catch {
      name = undefined;
    }
    const tooLarge = `${name ?? 'the file'} is over the upload limit of ${formatBytes(maxBytes)} (setting import.maxFileBytes)`;
    if (declaredOver(request, maxBytes)) {
      refuseBody(request, response, tooLarge);
      return;
    }
    try {
      const receipt = await options.core.uploads.receive(bodyOf(request), { name, owner: session.uploadOwner as string, maxBytes });
      sendResult(response, { ok: true, value: receipt });
    } catch (error) {
      if (error instanceof AppError && error.code === 'too-large') refuseBody(request, response, error.message);
      else if (error instanceof AppError) sendError(response, error.toApiError());
      else throw error;
    }
  };

  const serveStatic = async (request: IncomingMessage, response: ServerResponse, pathname: string) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'method not allowed', 'text/plain; charset=utf-8', { Allow: 'GET, HEAD' });
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      send(response, 400, 'bad path', 'text/plain; charset=utf-8');
      return;
    }
    const candidate = normalize(join(staticRoot, decoded));
    if (candidate !== staticRoot && !candidate.startsWith(staticRoot + sep)) {
      send(response, 404, 'not found', 'text/plain; charset=utf-8');
      return;
    }
    const file = extname(candidate) ? candidate : join(staticRoot, 'index.html');
    try {
      const body = await fs.readFile(file);
      send(response, 200, body, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      if (extname(candidate)) send(response, 404, 'not found', 'text/plain; charset=utf-8');
      else send(response, 503, `the renderer is not built (no ${join(staticRoot, 'index.html')}); run npm run build`, 'text/plain; charset=utf-8');
    }
  };

  const server = createServer(async (request, response) => {
    try {
      const host = request.headers.host ?? '';
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
        send(response, 421, 'wrong host', 'text/plain; charset=utf-8');
        return;
      }
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
        sendError(response, { code: 'forbidden', message: 'requests from other origins are refused' });
        return;
      }
      const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (!pathname.startsWith('/api/')) {
        await serveStatic(request, response, pathname);
        return;
      }
      if (!tokensMatch(tokenBytes, request.headers.authorization)) {
        sendError(response, { code: 'unauthenticated', message: 'missing or wrong token: open the URL that `repdesk serve` printed' });
        return;
      }
      if (request.method !== 'POST') {
        sendError(response, { code: 'invalid-input', message: 'API calls are POST with a JSON body' });
        return;
      }
      if (pathname === UPLOAD_PATH) {
        await receiveUpload(request, response);
        return;
      }
      const tooLarge = `the request body is over ${formatBytes(MAX_BODY_BYTES)}, the limit of an API call (send files with POST ${UPLOAD_PATH})`;
      if (declaredOver(request, MAX_BODY_BYTES)) {
        refuseBody(request, response, tooLarge);
        return;
      }
      const body = await readBody(request);
      if (body === null) {
        refuseBody(request, response, tooLarge);
        return;
      }
      let payload: unknown = {};
      if (body.length > 0) {
        try {
          payload = JSON.parse(body.toString('utf8'));
        } catch {
          sendError(response, { code: 'invalid-input', message: 'the request body is not valid JSON' });
          return;
        }
      }
      // A browser's call: the history records the client and the address it came from.
      const call: CallContext = { client: 'browser', ...session, address: request.socket.remoteAddress ?? null };
      const result = await options.core.dispatchUnknown(pathname.slice('/api/'.length), payload, call);
      sendResult(response, result);
    } catch (error) {
      log.error(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) sendError(response, { code: 'internal', message: 'internal error' });
      else response.destroy();
    }
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolvePromise());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  port = address.port;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolvePromise) => server.close(() => resolvePromise())),
  };
}
