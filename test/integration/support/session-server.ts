/**
 * A team-protocol endpoint for sign-in tests, until the team server (`repdesk server`) is on
 * main: `POST /api/<operation>` on 127.0.0.1 over the real core's sessions. Sign-in and
 * enrolment go through without a session (the body says its client); every other call needs
 * `Authorization: Bearer <token>` of a live session and acts as its person, as the team server
 * does. No uploads, no static files: what `repdesk login` / `logout` and a call need.
 */
import { createServer } from 'node:http';
import type { ApiResult } from '../../../shared/result.js';
import { isOperationName, needsSession } from '../../../shared/contract.js';
import type { ClientKind } from '../../../shared/team.js';
import type { Core } from '../../../main/core/app.js';

export async function startSessionServer(core: Core): Promise<{ readonly url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const name = new URL(request.url ?? '/', 'http://server').pathname.replace(/^\/api\//, '');
        const payload = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        let result: ApiResult<unknown>;
        if (!isOperationName(name)) result = { ok: false, error: { code: 'not-found', message: `no operation ${name}` } };
        else if (!needsSession(name)) {
          const { client, ...rest } = payload;
          result = await core.dispatch(name, rest, { actor: null, client: client as ClientKind, address: request.socket.remoteAddress ?? null, localFiles: false });
        } else {
          const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
          const checked = core.authenticate(token);
          result = checked.ok
            ? await core.dispatch(name, payload, { actor: checked.value.person.name, client: checked.value.session.client ?? 'cli', address: request.socket.remoteAddress ?? null, sessionId: checked.value.session.id, localFiles: false })
            : checked;
        }
        // The client reads the answer's body; of the statuses only 503 (busy: try again) changes what it does.
        response.writeHead(result.ok ? 200 : result.error.code === 'busy' ? 503 : result.error.code === 'unauthenticated' ? 401 : 400, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(result));
      })();
    });
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', () => resolvePromise()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}
