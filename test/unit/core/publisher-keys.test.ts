/**
 * The publisher key registry at the core: admins register minisign public keys for publishers
 * (several, for a rotation) and revoke them, each in the history; a signature over manifest bytes
 * is accepted only from a registered, unrevoked key of that publisher, over exactly those bytes.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPublisherSignature } from '../../../main/core/auth/publisher-keys.js';
import { encodePublicKey, formatKeyId, generateKeyPair, sign, type MinisignKeyPair } from '../../../main/core/snapshot/index.js';
import { teamCore, type TeamCore } from '../support/team.js';
import { ok, refused } from '../support/results.js';

describe('publisher keys', () => {
  let team: TeamCore;
  let first: MinisignKeyPair;
  let second: MinisignKeyPair;
  const manifest = Buffer.from('{"serial":2026112801,"files":[]}\n');

  beforeEach(async () => {
    team = await teamCore();
    await ok(team.core.dispatch('investigators.add', { name: 'Pia', roles: ['publisher'] }, team.admin));
    await ok(team.core.dispatch('investigators.add', { name: 'Ivo', roles: ['investigator'] }, team.admin));
    first = generateKeyPair();
    second = generateKeyPair();
  });

  afterEach(() => team.close());

  const check = (publisher: string, bytes: Buffer, signature: string) => verifyPublisherSignature(team.core.connection.read, publisher, bytes, signature);
  const register = (pair: MinisignKeyPair, publisher = 'Pia') => team.core.dispatch('keys.register', { publisher, publicKey: encodePublicKey(pair) }, team.admin);

  test('a registered key verifies its signatures; a second key for a rotation too; revoking one stops it alone', async () => {
    const registered = await ok(register(first));
    assert.equal(registered.keyId, formatKeyId(first.keyId));
    assert.equal(registered.publisher, 'Pia');
    assert.equal(registered.revokedAt, null);
    assert.match(registered.publicKey, /^RW[A-Za-z0-9+/]{54}$/, 'the key line as minisign -P takes it');
    assert.deepEqual(check('pia', manifest, sign(first, manifest, 'serial 2026112801')), { keyId: formatKeyId(first.keyId), trustedComment: 'serial 2026112801' });
    await ok(register(second));
    assert.equal(check('Pia', manifest, sign(second, manifest, 'rotated')).keyId, formatKeyId(second.keyId));
    assert.equal(check('Pia', manifest, sign(first, manifest, 'old key still in force')).keyId, formatKeyId(first.keyId));
    const revoked = await ok(team.core.dispatch('keys.revoke', { keyId: formatKeyId(first.keyId).toLowerCase() }, team.admin));
    assert.equal(revoked.revokedBy, 'Ada');
    assert.throws(() => check('Pia', manifest, sign(first, manifest, 'after revocation')), /refused: signature was made with key .* not among the trusted keys/);
    assert.equal(check('Pia', manifest, sign(second, manifest, 'still good')).keyId, formatKeyId(second.keyId));
    const listed = await ok(team.core.dispatch('keys.list', {}, { actor: 'Ivo' }));
    assert.deepEqual(listed.map((key) => [key.keyId, key.revokedAt === null]), [
      [formatKeyId(second.keyId), true],
      [formatKeyId(first.keyId), false],
    ]);
    const events = team.tables('events').events as { actor: string; action: string; details: string }[];
    assert.deepEqual(
      events.filter((event) => event.action.startsWith('publisher-key.')).map((event) => [event.actor, event.action, JSON.parse(event.details).keyId]),
      [
        ['Ada', 'publisher-key.registered', formatKeyId(first.keyId)],
        ['Ada', 'publisher-key.registered', formatKeyId(second.keyId)],
        ['Ada', 'publisher-key.revoked', formatKeyId(first.keyId)],
      ],
    );
  });

  test('a signature by an unregistered key, by another publisher\'s key, over other bytes, or malformed is refused', async () => {
    await ok(team.core.dispatch('investigators.add', { name: 'Quinn', roles: ['publisher'] }, team.admin));
    await ok(register(first));
    await ok(register(second, 'Quinn'));
    const stranger = generateKeyPair();
    assert.throws(() => check('Pia', manifest, sign(stranger, manifest, 'x')), (error: Error & { code?: string }) => error.name === 'AppError' && /not among the trusted keys/.test(error.message));
    assert.throws(() => check('Pia', manifest, sign(second, manifest, "Quinn's key")), /not among the trusted keys/);
    assert.throws(() => check('Pia', Buffer.from('{"serial":2026112802,"files":[]}\n'), sign(first, manifest, 'x')), /the message does not match the signature/);
    const good = sign(first, manifest, 'serial 1');
    const lines = good.split('\n');
    assert.throws(() => check('Pia', manifest, [lines[0], lines[1], 'trusted comment: serial 2', lines[3], ''].join('\n')), /trusted comment was altered/);
    assert.throws(() => check('Pia', manifest, 'not a signature'), /refused: signature must start with/);
    assert.throws(() => check('Ivo', manifest, good), /"Ivo" is not an active publisher/);
    assert.throws(() => check('Nobody', manifest, good), /is not an active publisher/);
    await ok(team.core.dispatch('investigators.update', { name: 'Pia', active: false }, team.admin));
    assert.throws(() => check('Pia', manifest, good), /is not an active publisher/);
  });

  test('register and revoke: admins only, a publisher only, a real minisign key only, once; nothing changed when refused', async () => {
    await ok(register(first));
    const before = team.tables('publisher_keys', 'events');
    await refused(team.core.dispatch('keys.register', { publisher: 'Pia', publicKey: encodePublicKey(second) }, { actor: 'Pia' }), 'forbidden', /admin role/);
    await refused(register(second, 'Ivo'), 'conflict', /Ivo does not have the publisher role/);
    await refused(register(second, 'Nobody'), 'not-found', /no active investigator/);
    await refused(register(first), 'conflict', /already registered to Pia/);
    await refused(team.core.dispatch('keys.register', { publisher: 'Pia', publicKey: 'untrusted comment: x\nnot base64 at all\n' }, team.admin), 'invalid-input', /not a minisign public key/);
    await refused(team.core.dispatch('keys.register', { publisher: 'Pia', publicKey: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n' }, team.admin), 'invalid-input', /not a minisign public key/);
    await refused(team.core.dispatch('keys.revoke', { keyId: formatKeyId(first.keyId) }, { actor: 'Pia' }), 'forbidden', /admin role/);
    await refused(team.core.dispatch('keys.revoke', { keyId: 'ABCDEF' }, team.admin), 'not-found', /no registered key/);
    await refused(team.core.dispatch('keys.revoke', { keyId: 'xyz' }, team.admin), 'invalid-input', /16 hex digits/);
    assert.deepEqual(team.tables('publisher_keys', 'events'), before);
    await ok(team.core.dispatch('keys.revoke', { keyId: formatKeyId(first.keyId) }, team.admin));
    await refused(team.core.dispatch('keys.revoke', { keyId: formatKeyId(first.keyId) }, team.admin), 'conflict', /already revoked/);
    await refused(register(first), 'conflict', /was revoked at .* not taken back/);
    // The bare base64 line (what minisign -P takes) registers too.
    const line = encodePublicKey(second).split('\n')[1];
    assert.equal((await ok(team.core.dispatch('keys.register', { publisher: 'Pia', publicKey: line }, team.admin))).publicKey, line);
  });
});
