/**
 * What both servers share (browser mode, server.ts, and the team server, team-server.ts): the
 * page's security headers, answers in the contract's shape with the status of their error code,
 * bounded JSON bodies (413 at once past the limit, answered before the connection closes), file
 * uploads streamed into the core's upload store, and the built renderer as static files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promises as fs } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ApiError, ApiResult, ErrorCode } from '../../shared/result.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH, formatBytes } from '../../shared/files.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security.js';
import type { CallContext, Core } from '../core/app.js';
import { AppError } from '../core/errors.js';

/** Largest JSON body of an API call (files come as uploads, limited by the setting import.maxFileBytes). */
export const MAX_BODY_BYTES = 1 << 20;
/** After a 413 the rest of the body is read and dropped this long at most before the connection closes. */
const LINGER_MILLISECONDS = 5_000;
/** What a 503 asks a client to wait before it tries again. */
const RETRY_AFTER_SECONDS = 2;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
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

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
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

/**
 * Headers every answer of a server carries on top of the body's own: the security headers, and
 * (the team server under TLS) Strict-Transport-Security. A server's handlers get one of these.
 */
export class Answers {
  constructor(private readonly headers: Readonly<Record<string, string>> = SECURITY_HEADERS) {}

  send(response: ServerResponse, status: number, body: string | Buffer, contentType: string, extra: Record<string, string | string[]> = {}): void {
    this.head(response, status, contentType, extra);
    response.end(body);
  }

  /** Start an answer whose body the caller streams (a download). */
  head(response: ServerResponse, status: number, contentType: string, extra: Record<string, string | string[]> = {}): void {
    response.writeHead(status, { ...this.headers, 'Content-Type': contentType, 'Cache-Control': 'no-store', ...extra });
  }

  result(response: ServerResponse, result: ApiResult<unknown>, extra: Record<string, string | string[]> = {}): void {
    const status = result.ok ? 200 : STATUS_BY_CODE[result.error.code];
    const retry: Record<string, string> = status === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {};
    this.send(response, status, JSON.stringify(result), 'application/json; charset=utf-8', { ...retry, ...extra });
  }

  error(response: ServerResponse, error: ApiError, extra: Record<string, string | string[]> = {}): void {
    this.result(response, { ok: false, error }, extra);
  }

  /**
   * Answer 413 at once, then close the connection once the client has stopped sending: what it
   * still sends is read and dropped (for LINGER_MILLISECONDS at most). Closing a socket with unread
   * data resets it, and a client still sending would then lose the answer instead of reading it.
   */
  refuseBody(request: IncomingMessage, response: ServerResponse, message: string): void {
    const body = JSON.stringify({ ok: false, error: { code: 'too-large', message } });
    response.writeHead(413, {
      ...this.headers,
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

  /**
   * An API call's JSON body (at most MAX_BODY_BYTES; `{}` when empty), or null when it was refused
   * (too large: 413; not JSON: 400) and the answer has gone out.
   */
  async jsonBody(request: IncomingMessage, response: ServerResponse): Promise<{ payload: unknown } | null> {
    const tooLarge = `the request body is over ${formatBytes(MAX_BODY_BYTES)}, the limit of an API call (send files with POST ${UPLOAD_PATH})`;
    if (declaredOver(request, MAX_BODY_BYTES)) {
      this.refuseBody(request, response, tooLarge);
      return null;
    }
    const body = await readBody(request);
    if (body === null) {
      this.refuseBody(request, response, tooLarge);
      return null;
    }
    if (body.length === 0) return { payload: {} };
    try {
      return { payload: JSON.parse(body.toString('utf8')) };
    } catch {
      this.error(response, { code: 'invalid-input', message: 'the request body is not valid JSON' });
      return null;
    }
  }

  /** `POST /api/upload`: the file as the body, its name in the X-File-Name header (URI-encoded), into the store as the call's upload. */
  async upload(core: Core, call: CallContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const settings = await core.dispatch('settings.get', {}, call);
    if (!settings.ok) {
      this.result(response, settings);
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
      this.refuseBody(request, response, tooLarge);
      return;
    }
    try {
      const receipt = await core.uploads.receive(bodyOf(request), { name, owner: call.uploadOwner as string, maxBytes });
      this.result(response, { ok: true, value: receipt });
    } catch (error) {
      if (error instanceof AppError && error.code === 'too-large') this.refuseBody(request, response, error.message);
      else if (error instanceof AppError) this.error(response, error.toApiError());
      else throw error;
    }
  }

  /** The built renderer: a file under `staticFolder`, and index.html for any path without an extension (the app's routes). */
  async staticFile(staticFolder: string, request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    const staticRoot = resolve(staticFolder);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      this.send(response, 405, 'method not allowed', 'text/plain; charset=utf-8', { Allow: 'GET, HEAD' });
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      this.send(response, 400, 'bad path', 'text/plain; charset=utf-8');
      return;
    }
    const candidate = normalize(join(staticRoot, decoded));
    if (candidate !== staticRoot && !candidate.startsWith(staticRoot + sep)) {
      this.send(response, 404, 'not found', 'text/plain; charset=utf-8');
      return;
    }
    const file = extname(candidate) ? candidate : join(staticRoot, 'index.html');
    try {
      const body = await fs.readFile(file);
      this.send(response, 200, body, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {
      if (extname(candidate)) this.send(response, 404, 'not found', 'text/plain; charset=utf-8');
      else this.send(response, 503, `the renderer is not built (no ${join(staticRoot, 'index.html')}); run npm run build`, 'text/plain; charset=utf-8');
    }
  }
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
