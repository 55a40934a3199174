/**
 * The client side of the contract over HTTP(S): server addresses, the event-stream reader, calls
 * and streamed uploads against a real `repdesk serve` process on 127.0.0.1, change notices from
 * the real team server, and certificate trust (system, a pinned self-signed certificate, another
 * certificate in its place) against an HTTPS stand-in with an openssl-made certificate that
 * records what reached it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createCore, type Core } from '../../../main/core/app.js';
import { EventStreamParser, followEvents, type EventStreamState, type StreamEvent } from '../../../main/client/events.js';
import { RemoteClient } from '../../../main/client/remote-client.js';
import { parseServerAddress } from '../../../main/client/server-address.js';
import { ServerUnreachable, ServerWire, fingerprintOf, inspectCertificate } from '../../../main/client/transport.js';
import { selfSignedCertificate, type TestCertificate } from '../support/certificates.js';
import { startTeamServerDouble, type TeamServerDouble } from '../support/team-server-double.js';
import { startTeamHarness } from '../../integration/support/team-server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const folder = mkdtempSync(join(tmpdir(), 'repdesk-remote-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('a server address is an https origin; plain http only on loopback; anything else is refused with the reason', () => {
  assert.deepEqual(parseServerAddress('repdesk.example.net'), { origin: 'https://repdesk.example.net', problem: null });
  assert.deepEqual(parseServerAddress(' https://repdesk.example.net:8443/ '), { origin: 'https://repdesk.example.net:8443', problem: null });
  assert.deepEqual(parseServerAddress('http://127.0.0.1:8080'), { origin: 'http://127.0.0.1:8080', problem: null });
  assert.deepEqual(parseServerAddress('http://[::1]:8080'), { origin: 'http://[::1]:8080', problem: null });
  const problems: [string, RegExp][] = [
    ['', /no server address/],
    ['http://repdesk.example.net', /plain http is refused for repdesk\.example\.net.*https:\/\/repdesk\.example\.net/],
    ['ftp://repdesk.example.net', /over https, not ftp/],
    ['https://ana:secret@repdesk.example.net', /no name or password/],
    ['https://repdesk.example.net/api/lookup', /no path \(\/api\/lookup\)/],
    ['https://repdesk.example.net/?a=1', /no \?query/],
    ['https://exa mple.net', /is not a server address/],
  ];
  for (const [text, problem] of problems) {
    const parsed = parseServerAddress(text);
    assert.equal(parsed.origin, null, text);
    assert.match(parsed.problem ?? '', problem, text);
  }
});

test('the event-stream reader joins events across chunks, skips pings, and takes LF, CRLF and CR line ends', () => {
  const parser = new EventStreamParser();
  const stream = ': ping\n\nevent: change\ndata: {"topics":\ndata: ["listings"]}\r\n\r\nevent: change\rdata: {"topics":["queues"]}\r\rdata: plain\n\n';
  const events: StreamEvent[] = [];
  // Fed in three-byte pieces: every boundary (inside CRLF too) is crossed.
  for (let start = 0; start < stream.length; start += 3) events.push(...parser.push(stream.slice(start, start + 3)));
  assert.deepEqual(events, [
    { event: 'change', data: '{"topics":\n["listings"]}' },
    { event: 'change', data: '{"topics":["queues"]}' },
    { event: 'message', data: 'plain' },
  ]);
});

// A real `repdesk serve` (browser mode) process: the contract over HTTP on loopback with its token.
let serveProcess: ChildProcess;
let serveOrigin = '';
let serveToken = '';
before(async () => {
  serveProcess = spawn(process.execPath, [join(ROOT, 'bin/repdesk.js'), 'serve', '--port', '0'], {
    env: { ...process.env, REPDESK_DB: join(folder, 'serve.sqlite'), REPDESK_ACTOR: 'Ana', REPDESK_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  serveProcess.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`repdesk serve printed no URL in 60 s: ${output}`)), 60_000);
    serveProcess.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+)\/#token=([A-Za-z0-9_-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        serveOrigin = match[1];
        serveToken = match[2];
        resolvePromise();
      }
    });
    serveProcess.once('exit', (code) => reject(new Error(`repdesk serve ended (${code}): ${output}`)));
  });
});
after(async () => {
  serveProcess.kill('SIGTERM');
  await new Promise((resolvePromise) => serveProcess.once('exit', resolvePromise));
});

function clientOf(origin: string, token: string | null, wire = new ServerWire(origin, { kind: 'system' })): RemoteClient {
  return new RemoteClient({ wire, client: 'desktop', token: () => token, userAgent: 'RepDesk/test (desktop)' });
}

test('calls reach a real server with the token and come back as the contract says; without it they are refused', async () => {
  const client = clientOf(serveOrigin, serveToken);
  const added = await client.call('investigators.add', { name: 'Ana', roles: ['investigator'] });
  assert.ok(added.ok, JSON.stringify(added));
  const listing = await client.call('listings.add', { range: '45.12.0.0/24', list: 'RBL', reason: 'spam-source' });
  assert.ok(listing.ok, JSON.stringify(listing));
  const lookup = await client.call('lookup', { ip: '45.12.0.7' });
  assert.ok(lookup.ok && JSON.stringify(lookup.value).includes('45.12.0.0/24'), JSON.stringify(lookup));
  const refusedInput = await client.call('listings.add', { range: '45.12.0.0/24', list: 'XYZ', reason: 'spam-source' });
  assert.equal(!refusedInput.ok && refusedInput.error.code, 'invalid-input');
  const anonymous = await clientOf(serveOrigin, null).call('lookup', { ip: '45.12.0.7' });
  assert.equal(!anonymous.ok && anonymous.error.code, 'unauthenticated');
});

test('a file is streamed to the server as an upload (its hash and size as sent), and an import then reads it there', async () => {
  const path = join(folder, 'spam sources.txt');
  const lines = Array.from({ length: 40_000 }, (_, index) => `81.${Math.floor(index / 250)}.${index % 250}.1`);
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path, text);
  const client = clientOf(serveOrigin, serveToken);
  const progress: number[] = [];
  const sent = await client.upload(path, undefined, (bytes) => progress.push(bytes));
  assert.ok(sent.ok, JSON.stringify(sent));
  assert.equal(sent.value.name, 'spam sources.txt');
  assert.equal(sent.value.size, Buffer.byteLength(text));
  assert.equal(sent.value.sha256, createHash('sha256').update(text).digest('hex'));
  assert.equal(progress.at(-1), Buffer.byteLength(text));
  const imported = await client.call('listings.importFile', { file: { upload: sent.value.upload }, list: 'RBL', reason: 'spam-source' });
  assert.ok(imported.ok, JSON.stringify(imported));
  assert.equal((imported.value as { imported: number }).imported, 40_000);
  const missing = await client.upload(join(folder, 'no such file.txt'));
  assert.ok(!missing.ok && /no such file\.txt cannot be read/.test(missing.error.message), JSON.stringify(missing));
});

test('a server that is not there, or is not RepDesk, is named with what failed', async () => {
  const closed = createServer();
  await new Promise<void>((resolvePromise) => closed.listen(0, '127.0.0.1', resolvePromise));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolvePromise) => closed.close(resolvePromise));
  await assert.rejects(clientOf(`http://127.0.0.1:${port}`, null).call('lookup', { ip: '45.12.0.7' }), (error: unknown) => {
    assert.ok(error instanceof ServerUnreachable);
    assert.equal(error.origin, `http://127.0.0.1:${port}`);
    assert.match(error.message, new RegExp(`the team server http://127.0.0.1:${port} cannot be reached: nothing answers there \\(connection refused; is the server running\\?\\)`));
    return true;
  });

  const other: Server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<html>a router page</html>');
  });
  await new Promise<void>((resolvePromise) => other.listen(0, '127.0.0.1', resolvePromise));
  try {
    const origin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const answer = await clientOf(origin, null).call('lookup', { ip: '45.12.0.7' });
    assert.ok(!answer.ok && answer.error.code === 'internal', JSON.stringify(answer));
    assert.match(answer.error.message, /answered 200 \(text\/html\), not a RepDesk answer: is this the team server's address\?/);
  } finally {
    await new Promise((resolvePromise) => other.close(resolvePromise));
  }
});

// Certificate trust against the stand-in: what it records (every request that reached it) is how
// these tests show that nothing, and no token, was sent before the certificate was trusted; a real
// server cannot be made to tell what never reached it.
let tlsCore: Core;
let tlsServer: TeamServerDouble;
let certificate: TestCertificate;
before(async () => {
  certificate = selfSignedCertificate(folder, 'repdesk-trial');
  tlsCore = createCore({ databasePath: join(folder, 'tls.sqlite') });
  tlsServer = await startTeamServerDouble(tlsCore, { tls: { cert: certificate.cert, key: certificate.key } });
});
after(async () => {
  await tlsServer.close();
  tlsCore.close();
});

test('a self-signed certificate is shown with the fingerprint openssl prints, and is not trusted by default', async () => {
  const inspection = await inspectCertificate(tlsServer.origin);
  assert.equal(inspection.isTrusted, false);
  assert.match(inspection.problem ?? '', /self-signed/);
  assert.equal(inspection.certificate.fingerprint, certificate.fingerprint);
  assert.equal(fingerprintOf(inspection.pem), certificate.fingerprint);
  assert.match(inspection.certificate.subject, /CN=repdesk-trial/);
  assert.match(inspection.certificate.names, /IP Address:127\.0\.0\.1/);
  await assert.rejects(clientOf(tlsServer.origin, null).call('session.whoami', {}), (error: unknown) => error instanceof ServerUnreachable && /self-signed/.test(error.reason));
  // Nothing was sent: the refusal came before any request.
  assert.deepEqual(tlsServer.requests, []);
});

test('once trusted (pinned), that certificate is accepted, and another one in its place is refused before anything is sent', async () => {
  const pinned = new ServerWire(tlsServer.origin, { kind: 'pinned', pem: certificate.cert });
  const answer = await clientOf(tlsServer.origin, null, pinned).call('session.whoami', {});
  assert.ok(!answer.ok && answer.error.code === 'unauthenticated', JSON.stringify(answer));
  assert.deepEqual(tlsServer.requests, ['POST /api/session.whoami']);
  assert.deepEqual(tlsServer.clients, []);
  pinned.close();
  const asCa = new ServerWire(tlsServer.origin, { kind: 'ca', pem: certificate.cert });
  assert.equal((await clientOf(tlsServer.origin, null, asCa).call('session.whoami', {})).ok, false);
  asCa.close();

  const impostor = selfSignedCertificate(folder, 'impostor');
  const elsewhere = await startTeamServerDouble(tlsCore, { tls: { cert: impostor.cert, key: impostor.key } });
  try {
    const inspection = await inspectCertificate(elsewhere.origin, { kind: 'pinned', pem: certificate.cert });
    assert.equal(inspection.isTrusted, false);
    const wire = new ServerWire(elsewhere.origin, { kind: 'pinned', pem: certificate.cert });
    await assert.rejects(clientOf(elsewhere.origin, 'a-token-that-must-not-leak', wire).call('session.whoami', {}), (error: unknown) => {
      assert.ok(error instanceof ServerUnreachable, String(error));
      assert.match(error.reason, /not one this computer trusts|different certificate/);
      return true;
    });
    wire.close();
    assert.deepEqual(elsewhere.requests, [], 'the token went to a server showing another certificate');
  } finally {
    await elsewhere.close();
  }
});

test('change notices of the real team server are followed, the stream is opened again after the server went away, and a refused stream is not retried', async () => {
  const team = await startTeamHarness();
  const wire = new ServerWire(team.origin, { kind: 'system' });
  const states: EventStreamState[] = [];
  const events: StreamEvent[] = [];
  try {
    // Without a session the server refuses the stream: it is not tried again.
    const refused = followEvents({ wire, headers: () => ({}), onEvent: (event) => events.push(event), onState: (state) => states.push(state), retryDelaysMs: [50] });
    await waitFor(() => states.length > 0);
    assert.equal(states[0].kind, 'refused');
    refused.stop();

    const ana = await team.person('Ana', ['investigator'], { client: 'desktop' });
    states.length = 0;
    const follower = followEvents({ wire, headers: () => ({ Authorization: `Bearer ${ana.token}` }), onEvent: (event) => events.push(event), onState: (state) => states.push(state), retryDelaysMs: [100] });
    try {
      await waitFor(() => states.some((state) => state.kind === 'open'));
      const added = await team.call('listings.add', { range: '45.41.0.0/24', list: 'RBL', reason: 'spam-source' }, { token: team.admin.token });
      assert.equal(added.status, 200, added.text);
      await waitFor(() => events.length === 1);
      assert.equal(events[0].event, 'change');
      assert.deepEqual(JSON.parse(events[0].data), { ...JSON.parse(events[0].data), topics: ['listings'], operation: 'listings.add', actor: 'Ada' });
      // The server goes away (its streams end with it) and comes back on the same address: the stream opens again by itself.
      const bounced = team.bounce(300);
      await waitFor(() => states.some((state) => state.kind === 'broken'));
      await bounced;
      states.length = 0;
      await waitFor(() => states.some((state) => state.kind === 'open'), 5_000);
      await team.call('investigators.add', { name: 'Ines', roles: ['investigator'] }, { token: team.admin.token });
      await waitFor(() => events.length === 2);
      assert.deepEqual(JSON.parse(events[1].data).topics, ['investigators']);
      assert.equal(states.at(-1)?.kind, 'open');
    } finally {
      follower.stop();
    }
  } finally {
    wire.close();
    await team.stop();
  }
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
  }
}
