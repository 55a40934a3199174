/**
 * The publisher key registry with the real minisign 0.11: keys made by `minisign -G` are
 * registered with `repdesk keys register`, signatures made by `minisign -S` over a manifest are
 * accepted from the registered publisher, and refused when made by an unregistered or revoked
 * key or over other bytes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublisherKeyView } from '../../shared/team.js';
import { createCore } from '../../main/core/app.js';
import { verifyPublisherSignature } from '../../main/core/auth/publisher-keys.js';
import { describeRun, repdesk, repdeskJson, runProgram } from './support/cli.js';

describe('publisher keys with the real minisign', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-keys-minisign-'));
  const database = join(folder, 'repdesk.sqlite');
  const admin = ['--db', database, '--actor', 'Ada'];
  const manifest = join(folder, 'manifest.json');

  /** A key pair made by minisign itself (-W: no password), and its id as minisign prints it. */
  function minisignKey(name: string): { pub: string; key: string; keyId: string } {
    const pub = join(folder, `${name}.pub`);
    const key = join(folder, `${name}.key`);
    const made = runProgram('minisign', ['-G', '-W', '-p', pub, '-s', key]);
    assert.equal(made.code, 0, describeRun(made));
    const keyId = /minisign public key ([0-9A-F]+)/.exec(readFileSync(pub, 'utf8'))?.[1] ?? '';
    return { pub, key, keyId };
  }

  function minisignSign(key: string, file: string): string {
    const signed = runProgram('minisign', ['-S', '-s', key, '-m', file, '-x', `${file}.minisig`, '-t', 'serial 2026112801']);
    assert.equal(signed.code, 0, describeRun(signed));
    return readFileSync(`${file}.minisig`, 'utf8');
  }

  function checkSignature(bytes: Buffer, signature: string): string {
    const core = createCore({ databasePath: database });
    try {
      return verifyPublisherSignature(core.connection.read, 'Pia', bytes, signature).keyId;
    } finally {
      core.close();
    }
  }

  before(async () => {
    for (const args of [
      ['investigator', 'add', 'Ada', '--roles', 'investigator'],
      ['--actor', 'Ada', 'investigator', 'add', 'Pia', '--roles', 'publisher'],
    ]) {
      const run = await repdesk(['--db', database, ...args]);
      assert.equal(run.code, 0, describeRun(run));
    }
    writeFileSync(manifest, JSON.stringify({ serial: 2026112801, zone: 'bl.example', files: [] }, null, 2));
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('register minisign keys, verify minisign signatures, rotate, revoke', async () => {
    const old = minisignKey('old');
    const next = minisignKey('next');
    const stranger = minisignKey('stranger');
    const registered = await repdesk([...admin, 'keys', 'register', old.pub, '--publisher', 'Pia']);
    assert.deepEqual(registered.out, [`registered key ${old.keyId} for Pia`], describeRun(registered));
    const bytes = readFileSync(manifest);
    assert.equal(checkSignature(bytes, minisignSign(old.key, manifest)), old.keyId);
    assert.throws(() => checkSignature(bytes, minisignSign(stranger.key, manifest)), new RegExp(`key ${stranger.keyId}, which is not among the trusted keys \\(${old.keyId}\\)`));
    assert.throws(() => checkSignature(Buffer.concat([bytes, Buffer.from(' ')]), minisignSign(old.key, manifest)), /does not match the signature/);
    // Rotation: the next key alongside, then the old one revoked.
    await repdeskJson<PublisherKeyView>([...admin, 'keys', 'register', next.pub, '--publisher', 'Pia']);
    assert.equal(checkSignature(bytes, minisignSign(next.key, manifest)), next.keyId);
    const revoked = await repdesk([...admin, 'keys', 'revoke', old.keyId]);
    assert.deepEqual(revoked.out, [`revoked key ${old.keyId} of Pia`]);
    assert.throws(() => checkSignature(bytes, minisignSign(old.key, manifest)), /not among the trusted keys/);
    assert.equal(checkSignature(bytes, minisignSign(next.key, manifest)), next.keyId);
    const listed = await repdesk([...admin, 'keys', 'list']);
    assert.equal(listed.out.length, 2);
    const [keyId, publisher, state, registeredWhen, keyLine] = listed.out[0].split('\t');
    assert.deepEqual([keyId, publisher, state, keyLine], [next.keyId, 'Pia', 'in force', readFileSync(next.pub, 'utf8').split('\n')[1]]);
    assert.match(registeredWhen, /^registered \d{4}-.* by Ada$/);
    assert.deepEqual(listed.out[1].split('\t').slice(0, 2), [old.keyId, 'Pia']);
    assert.match(listed.out[1].split('\t')[2], /^REVOKED .* by Ada$/);
    // What a registered key line is: exactly what minisign -P takes.
    const line = listed.out[0].split('\t')[4];
    const verified = runProgram('minisign', ['-V', '-P', line, '-m', manifest]);
    assert.equal(verified.code, 0, describeRun(verified));
    const missing = await repdesk([...admin, 'keys', 'register', join(folder, 'absent.pub'), '--publisher', 'Pia']);
    assert.equal(missing.code, 1);
    assert.match(missing.error[0], /cannot read the public key file .*absent\.pub: ENOENT/);
    const secret = await repdesk([...admin, 'keys', 'register', next.key, '--publisher', 'Pia']);
    assert.equal(secret.code, 1);
    assert.match(secret.error[0], /not a minisign public key/);
  });
});
