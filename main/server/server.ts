/**
 * Browser mode: the contract over HTTP on loopback. `POST /api/<operation>` with a JSON body and
 * `Authorization: Bearer <token>` (a random token made at each start); files arrive first as
 * uploads, `POST /api/upload` with the file as the body (streamed to disk, never held in memory),
 * and operations name them by the id it answers; everything else serves the built renderer.
 * Binds 127.0.0.1 only, and refuses requests whose Host is not this server (DNS rebinding) or
 * whose Origin is another site. A body over its limit is answered 413 at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { UPLOAD_PATH } from '../../shared/files.js';
import type { CallContext, Core } from '../core/app.js';
import { createLogger } from '../core/log.js';
import { Answers } from './http.js';

export { MAX_BODY_BYTES } from './http.js';

const log = createLogger('server');
const answers = new Answers();

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
  let port = options.port;
  // Every call over HTTP uses this session's uploads and never names a local path.
  const session: CallContext = { ...options.call, localFiles: false, uploadOwner: `browser:${createHash('sha256').update(token).digest('hex').slice(0, 32)}` };

  const server = createServer(async (request, response) => {
    try {
      const host = request.headers.host ?? '';
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
        answers.send(response, 421, 'wrong host', 'text/plain; charset=utf-8');
        return;
      }
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
        answers.error(response, { code: 'forbidden', message: 'requests from other origins are refused' });
        return;
      }
      const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (!pathname.startsWith('/api/')) {
        await answers.staticFile(options.staticFolder, request, response, pathname);
        return;
      }
      if (!tokensMatch(tokenBytes, request.headers.authorization)) {
        answers.error(response, { code: 'unauthenticated', message: 'missing or wrong token: open the URL that `repdesk serve` printed' });
        return;
      }
      if (request.method !== 'POST') {
        answers.error(response, { code: 'invalid-input', message: 'API calls are POST with a JSON body' });
        return;
      }
      if (pathname === UPLOAD_PATH) {
        await answers.upload(options.core, session, request, response);
        return;
      }
      const body = await answers.jsonBody(request, response);
      if (body === null) return;
      // A browser's call: the history records the client and the address it came from.
      const call: CallContext = { client: 'browser', ...session, address: request.socket.remoteAddress ?? null };
      answers.result(response, await options.core.dispatchUnknown(pathname.slice('/api/'.length), body.payload, call));
    } catch (error) {
      log.error(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) answers.error(response, { code: 'internal', message: 'internal error' });
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
