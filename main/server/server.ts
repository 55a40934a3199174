/**
 * Browser mode: the contract over HTTP on loopback. `POST /api/<operation>` with a JSON body and
 * `Authorization: Bearer <token>` (a random token made at each start); everything else serves
 * the built renderer. Binds 127.0.0.1 only, and refuses requests whose Host is not this server
 * (DNS rebinding) or whose Origin is another site.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { promises as fs } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ApiError, ApiResult, ErrorCode } from '../../shared/contract.js';
import type { CallContext, Core } from '../core/app.js';
import { createLogger } from '../core/log.js';

const log = createLogger('server');
const MAX_BODY_BYTES = 1 << 20;

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
  send(response, status, JSON.stringify(result), 'application/json; charset=utf-8');
}

function sendError(response: ServerResponse, error: ApiError): void {
  sendResult(response, { ok: false, error });
}

async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
      const body = await readBody(request);
      if (body === null) {
        sendError(response, { code: 'invalid-input', message: `request body over ${MAX_BODY_BYTES} bytes` });
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
      const call: CallContext = { client: 'browser', ...options.call, address: request.socket.remoteAddress ?? null };
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
