/**
 * The team server's gate, its pure parts: which peers may speak to a server behind a proxy,
 * loopback addresses and host names, where the server may listen without TLS, what the proxy's
 * forwarded headers are believed for (and from whom), and the session cookie's attributes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { credentialOf, isAllowedPeer, isLoopbackAddress, isLoopbackHost, namesActor, originOf, sessionCookie } from '../../../main/server/team-gate.js';
import { listenProblem } from '../../../main/server/team-server.js';

function fakeRequest(remoteAddress: string, headers: Record<string, string>, method = 'POST'): IncomingMessage {
  return { socket: { remoteAddress }, headers, method } as unknown as IncomingMessage;
}

test('behind a proxy only the proxy and this machine may connect; without one, anyone', () => {
  assert.equal(isAllowedPeer('81.2.3.4', '81.2.3.4'), true);
  assert.equal(isAllowedPeer('::ffff:81.2.3.4', '81.2.3.4'), true);
  assert.equal(isAllowedPeer('127.0.0.1', '81.2.3.4'), true);
  assert.equal(isAllowedPeer('::1', '81.2.3.4'), true);
  assert.equal(isAllowedPeer('81.2.3.5', '81.2.3.4'), false);
  assert.equal(isAllowedPeer('2a01::5', '81.2.3.4'), false);
  assert.equal(isAllowedPeer(undefined, '81.2.3.4'), false);
  assert.equal(isAllowedPeer('81.2.3.5', null), true);
});

test('loopback addresses and host names', () => {
  for (const address of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(address), true, address);
  for (const address of ['0.0.0.0', '::', '81.2.3.4', '2a01::1', '128.0.0.1']) assert.equal(isLoopbackAddress(address), false, address);
  for (const host of ['127.0.0.1:8443', 'localhost', 'LOCALHOST:80', '[::1]:8443']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['repdesk.example.org', '81.2.3.4:8443', '127.0.0.1.evil.example', '[2a01::1]:443']) assert.equal(isLoopbackHost(host), false, host);
});

test('plain HTTP is allowed on loopback only, unless a proxy is named; a listen address must be an IP address', () => {
  const tls = { cert: Buffer.alloc(0), key: Buffer.alloc(0) };
  assert.equal(listenProblem({ host: '127.0.0.1', tls: null, trustedProxy: null }), null);
  assert.equal(listenProblem({ host: '::1', tls: null, trustedProxy: null }), null);
  assert.match(listenProblem({ host: '0.0.0.0', tls: null, trustedProxy: null }) ?? '', /without TLS/);
  assert.match(listenProblem({ host: '::', tls: null, trustedProxy: null }) ?? '', /without TLS/);
  assert.equal(listenProblem({ host: '0.0.0.0', tls, trustedProxy: null }), null);
  assert.equal(listenProblem({ host: '0.0.0.0', tls: null, trustedProxy: '81.2.3.4' }), null);
  assert.match(listenProblem({ host: '0.0.0.0', tls, trustedProxy: '81.2.3.4' }) ?? '', /do not go together/);
  assert.match(listenProblem({ host: 'localhost', tls: null, trustedProxy: null }) ?? '', /IP address/);
  assert.match(listenProblem({ host: '0.0.0.0', tls: null, trustedProxy: 'proxy.example' }) ?? '', /proxy's IP address/);
});

test("X-Forwarded-* are believed from the proxy only, its last X-Forwarded-For hop being the client", () => {
  const gate = { isTls: false, trustedProxy: '81.2.3.4' };
  const forwarded = { host: 'internal:8080', 'x-forwarded-for': '11.1.1.1, 45.6.7.8', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'repdesk.example.org' };
  assert.deepEqual(originOf(fakeRequest('81.2.3.4', forwarded), gate), { address: '45.6.7.8', origin: 'https://repdesk.example.org', isHttps: true, host: 'repdesk.example.org' });
  assert.deepEqual(originOf(fakeRequest('127.0.0.1', forwarded), gate), { address: '127.0.0.1', origin: 'http://internal:8080', isHttps: false, host: 'internal:8080' });
  assert.ok('error' in originOf(fakeRequest('81.2.3.4', { host: 'x' }), gate));
  assert.ok('error' in originOf(fakeRequest('81.2.3.4', { host: 'x', 'x-forwarded-for': '45.6.7.8', 'x-forwarded-proto': 'gopher' }), gate));
});

test('the session cookie is HttpOnly, SameSite=Strict and Secure except over plain HTTP on loopback', () => {
  const at = '2026-12-08T00:00:00.000Z';
  const loopback = sessionCookie('T', { address: '127.0.0.1', origin: 'http://127.0.0.1:8080', isHttps: false, host: '127.0.0.1:8080' }, at);
  assert.equal(loopback, 'repdesk_session=T; Path=/; HttpOnly; SameSite=Strict; Expires=Tue, 08 Dec 2026 00:00:00 GMT');
  const remote = sessionCookie('T', { address: '45.6.7.8', origin: 'https://repdesk.example.org', isHttps: true, host: 'repdesk.example.org' }, at);
  assert.match(remote, /; HttpOnly; SameSite=Strict; Secure;/);
});

test('credentials: a bearer token, else the cookie; a malformed Authorization is refused; naming an actor is seen', () => {
  assert.deepEqual(credentialOf(fakeRequest('127.0.0.1', { authorization: 'Bearer abc_-1' })), { kind: 'bearer', token: 'abc_-1' });
  assert.deepEqual(credentialOf(fakeRequest('127.0.0.1', { cookie: 'a=1; repdesk_session=xyz; b=2' })), { kind: 'cookie', token: 'xyz' });
  assert.ok('error' in (credentialOf(fakeRequest('127.0.0.1', { authorization: 'Basic eDp5' })) ?? {}));
  assert.equal(credentialOf(fakeRequest('127.0.0.1', {})), null);
  assert.equal(namesActor(fakeRequest('127.0.0.1', {}), { actor: 'Ada' }), true);
  assert.equal(namesActor(fakeRequest('127.0.0.1', {}), { operation: 'listings.bulk', input: { actor: 'Ada' } }), true);
  assert.equal(namesActor(fakeRequest('127.0.0.1', { 'x-repdesk-actor': 'Ada' }), {}), true);
  assert.equal(namesActor(fakeRequest('127.0.0.1', {}), { name: 'Ada' }), false);
});
