/**
 * A stand-in for the team server that records every request that reached it (`requests`) and
 * what each call without a session said it was (`clients`): kept for the client's certificate
 * tests (test/unit/client/remote-client.test.ts), which show that nothing, and no token, reaches a
 * server before its certificate is trusted, or one showing another certificate; a real server
 * cannot be made to tell what never reached it. Everything else is tested against the real team
 * server (startTeamServer, `repdesk server`). The real core on a real database, served over HTTP
 * or HTTPS on 127.0.0.1 as the protocol says (POST /api/<operation> with a bearer session,
 * sign-in without one, POST /api/upload, GET /api/events); no Origin checks, cookies or limits.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { isOperationName, needsSession } from '../../../shared/contract.js';
import type { ApiResult } from '../../../shared/result.js';
import { UPLOAD_NAME_HEADER, UPLOAD_PATH } from '../../../shared/files.js';
import { EVENTS_PATH, type ChangeEvent } from '../../../shared/remote.js';
import type { ClientKind } from '../../../shared/team.js';
import type { CallContext, Core } from '../../../main/core/app.js';

export interface TeamServerDouble {
  readonly origin: string;
  readonly port: number;
  /** Push a change notice to every open event stream. */
  notify(change: ChangeEvent): void;
  /** How many event streams are open. */
  streams(): number;
  /** Every request line seen, in order (`POST /api/lookup`). */
  readonly requests: string[];
  /** The client each call without a session said it was (in its body). */
  readonly clients: (string | undefined)[];
  close(): Promise<void>;
}

const STATUS: Record<string, number> = { 'invalid-input': 400, unauthenticated: 401, forbidden: 403, 'not-found': 404, conflict: 409, 'too-large': 413, internal: 500, busy: 503 };

function sendJson(response: ServerResponse, result: ApiResult<unknown>): void {
  const status = result.ok ? 200 : (STATUS[result.error.code] ?? 500);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(result));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

/** Serve `core` on 127.0.0.1 (HTTPS with `tls`), on `port` (0: a free one). */
export async function startTeamServerDouble(core: Core, options: { tls?: { cert: string; key: string }; port?: number } = {}): Promise<TeamServerDouble> {
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const clients: (string | undefined)[] = [];

  const sessionCall = (request: IncomingMessage): CallContext | ApiResult<never> => {
    const header = /^Bearer ([A-Za-z0-9_-]+)$/.exec(request.headers.authorization ?? '');
    if (!header) return { ok: false, error: { code: 'unauthenticated', message: 'no session: sign in' } };
    const authenticated = core.authenticate(header[1]);
    if (!authenticated.ok) return authenticated;
    const session = authenticated.value.session;
    return { actor: authenticated.value.person.name, client: session.client ?? undefined, address: request.socket.remoteAddress ?? null, sessionId: session.id, localFiles: false, uploadOwner: `session:${session.id}` };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(`${request.method} ${path}`);
    if (path === EVENTS_PATH && request.method === 'GET') {
      const call = sessionCall(request);
      if ('ok' in call) return sendJson(response, call);
      response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      response.write(': welcome\n\n');
      streams.add(response);
      request.once('close', () => streams.delete(response));
      return;
    }
    if (!path.startsWith('/api/') || request.method !== 'POST') {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
      return;
    }
    if (path === UPLOAD_PATH) {
      const call = sessionCall(request);
      if ('ok' in call) return sendJson(response, call);
      const header = request.headers[UPLOAD_NAME_HEADER];
      const receipt = await core.uploads.receive(request as AsyncIterable<Buffer>, { name: typeof header === 'string' ? decodeURIComponent(header) : undefined, owner: call.uploadOwner as string, maxBytes: 1 << 30 });
      return sendJson(response, { ok: true, value: receipt });
    }
    const operation = path.slice('/api/'.length);
    const payload = await readJson(request);
    if (isOperationName(operation) && !needsSession(operation)) {
      // As the protocol says: signing in (and enrolling) names the client in the body, beside the operation's input.
      const { client, ...input } = payload as { client?: ClientKind };
      clients.push(client);
      return sendJson(response, await core.dispatchUnknown(operation, input, { actor: null, client, address: request.socket.remoteAddress ?? null, localFiles: false }));
    }
    const call = sessionCall(request);
    if ('ok' in call) return sendJson(response, call);
    sendJson(response, await core.dispatchUnknown(operation, payload, call));
  };

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, { ok: false, error: { code: 'internal', message: String(error) } });
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createHttpServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    clients,
    notify(change) {
      for (const stream of streams) stream.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`);
    },
    streams: () => streams.size,
    close() {
      for (const stream of streams) stream.end();
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
