/**
 * The command line's client of a team server, against HTTP servers on 127.0.0.1 that misbehave
 * on purpose: a busy answer (the server's write waited too long; nothing changed) is tried
 * again with a backoff, for a write too; a connection cut after a read was sent is tried again, after
 * a write was sent it is not (it may have been done), and the message says so; an upload streams
 * the file (the server counts the bytes as they arrive) and names a file it cannot read; a
 * self-signed certificate (made by openssl, as for a trial server) is refused until its file is
 * given as the CA to trust.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerClient } from '../../../main/cli/remote/client.js';
import type { RemoteTarget } from '../../../main/cli/command.js';

let server: Server | null = null;

async function serve(handler: (request: IncomingMessage, response: ServerResponse, count: number) => void): Promise<RemoteTarget> {
  let count = 0;
  server = createServer((request, response) => {
    count += 1;
    handler(request, response, count);
  });
  await new Promise<void>((resolvePromise) => server?.listen(0, '127.0.0.1', () => resolvePromise()));
  const address = server.address() as { port: number };
  return { server: `http://127.0.0.1:${address.port}`, ca: null, token: 'the-token', person: 'Pia', chosenBy: '--server' };
}

const answer = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolvePromise) => (server ? server.close(() => resolvePromise()) : resolvePromise()));
  server = null;
});

describe('remote client', () => {
  test('a busy answer (503) is tried again with a backoff, a write too; the bearer token goes with each call', async () => {
    const seen: string[] = [];
    const target = await serve((request, response, count) => {
      seen.push(`${request.url} ${request.headers.authorization}`);
      if (count < 3) answer(response, 503, { ok: false, error: { code: 'busy', message: 'the database is busy; nothing was changed' } }, { 'Retry-After': '1' });
      else answer(response, 200, { ok: true, value: { listing: { id: 7 } } });
    });
    const notices: string[] = [];
    const result = await new ServerClient(target, (line) => notices.push(line)).call('listings.add', { range: '45.1.2.3', list: 'RBL', reason: 'spam-source' });
    assert.deepEqual(result, { ok: true, value: { listing: { id: 7 } } });
    assert.deepEqual(seen, Array(3).fill('/api/listings.add Bearer the-token'));
    assert.match(notices[0], /the database is busy; nothing was changed; trying again in 0\.5 s/);
  });

  test('a connection cut after a read was sent is tried again; after a write it is not, and the message says it may have been done', async () => {
    const target = await serve((request, response, count) => {
      if (count === 1 || request.url === '/api/listings.delist') request.socket.destroy();
      else answer(response, 200, { ok: true, value: { id: 1 } });
    });
    const read = await new ServerClient(target).call('listings.get', { id: 1 });
    assert.deepEqual(read, { ok: true, value: { id: 1 } });
    await assert.rejects(new ServerClient(target).call('listings.delist', { id: 1, why: 'fixed' }), (error: Error) => {
      assert.match(error.message, new RegExp(`the RepDesk server ${target.server} stopped answering during listings\\.delist \\(the connection was cut\\): it may or may not have been done; look before trying again`));
      return true;
    });
  });

  test('a refusal for want of a session says how to log in; something that is not RepDesk is named', async () => {
    const target = await serve((request, response) => {
      if (request.url === '/api/lookup') answer(response, 401, { ok: false, error: { code: 'unauthenticated', message: 'the session has ended' } });
      else {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end('<html>a proxy page</html>');
      }
    });
    const refused = await new ServerClient(target).call('lookup', { ip: '45.1.2.3' });
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error.message, new RegExp(`the session has ended \\(the session with ${target.server} has ended: repdesk login --server ${target.server}\\)`));
    const notRepDesk = await new ServerClient(target).call('listings.get', { id: 1 });
    assert.match(notRepDesk.ok ? '' : notRepDesk.error.message, /answered 200 \(text\/html\), not a RepDesk answer: is this the team server's address\?/);
  });

  test('an upload streams the file with its name, and a file that cannot be read is named', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'repdesk-remote-client-'));
    try {
      const path = join(folder, 'big list.txt');
      writeFileSync(path, Buffer.alloc(3 * 1024 * 1024, 0x31));
      let received = 0;
      let chunks = 0;
      const target = await serve((request, response) => {
        request.on('data', (chunk: Buffer) => {
          received += chunk.length;
          chunks += 1;
        });
        request.on('end', () =>
          answer(response, 200, { ok: true, value: { upload: 'x'.repeat(32), name: decodeURIComponent(String(request.headers['x-file-name'])), size: received, sha256: '', expiresAt: '' } }),
        );
      });
      const progress: number[] = [];
      const receipt = await new ServerClient(target).upload(path, (bytes) => progress.push(bytes));
      assert.equal(receipt.name, 'big list.txt');
      assert.equal(receipt.size, 3 * 1024 * 1024);
      assert.ok(chunks > 1 && progress.length > 1, 'sent in pieces as it is read');
      assert.equal(progress.at(-1), 3 * 1024 * 1024);
      await assert.rejects(new ServerClient(target).upload(join(folder, 'absent.txt')), /absent\.txt cannot be read: ENOENT/);
      await assert.rejects(new ServerClient(target).upload(folder), /is not a file/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a self-signed certificate is refused, naming --ca; trusted once its file is given', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'repdesk-remote-tls-'));
    try {
      const cert = join(folder, 'cert.pem');
      const key = join(folder, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      const tls = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_request, response) => answer(response, 200, { ok: true, value: { ip: '45.1.2.3' } }));
      server = tls as unknown as Server;
      await new Promise<void>((resolvePromise) => tls.listen(0, '127.0.0.1', () => resolvePromise()));
      const target: RemoteTarget = { server: `https://127.0.0.1:${(tls.address() as { port: number }).port}`, ca: null, token: 't', person: null, chosenBy: '--server' };
      await assert.rejects(new ServerClient(target).call('lookup', { ip: '45.1.2.3' }), /cannot reach the RepDesk server https:\/\/127\.0\.0\.1:\d+: its certificate is self-signed, and not one this computer trusts \(give the CA file with --ca FILE or REPDESK_CA\)/);
      assert.deepEqual(await new ServerClient({ ...target, ca: cert }).call('lookup', { ip: '45.1.2.3' }), { ok: true, value: { ip: '45.1.2.3' } });
      assert.throws(() => new ServerClient({ ...target, ca: join(folder, 'absent.pem') }), /cannot read the CA file .*absent\.pem: ENOENT/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
