/**
 * The desktop's signing step of a team publish: a manifest the server prepared is signed with the
 * key kept with (a fake) safeStorage, and the stock minisign verifies it with the trusted comment
 * the server asked for; bytes that are not the ones the server hashed, a manifest for another
 * key, or nothing prepared are refused; the confirmation says what will go live.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, publicKeyText, type KeyVault } from '../../../main/electron/keys.js';
import { signPreparedManifest, signingConfirmation } from '../../../main/electron/publish-signing.js';
import type { PreparedPublish } from '../../../shared/publishing.js';
import { fakeVault } from '../support/safe-storage.js';

const folder = mkdtempSync(join(tmpdir(), 'repdesk-publish-signing-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const vault: KeyVault = fakeVault(folder);
const keyId = generateSigningKey(vault);
const manifest = Buffer.from(`${JSON.stringify({ serial: 42, zone: 'bl.example', files: [{ path: 'rbl.ip4trie', sha256: 'ab'.repeat(32) }] }, null, 2)}\n`);

function prepared(overrides: Partial<PreparedPublish> = {}): PreparedPublish {
  return {
    prepared: true,
    serial: 42,
    zone: 'bl.example',
    previousSerial: 41,
    listingsInForce: { RBL: 1200, DUL: 30, QIL: 5, MML: 0, GAL: 2 },
    changes: { RBL: { added: 12, removed: 3, total: 1200 }, DUL: { added: 0, removed: 0, total: 30 }, QIL: { added: 5, removed: 1, total: 5 }, MML: { added: 0, removed: 0, total: 0 }, GAL: { added: 0, removed: 0, total: 2 } },
    safety: [{ name: 'change-size', status: 'warn', message: 'RBL grows by 1%', items: [] }],
    keyId,
    files: [],
    needsApproval: false,
    preparedBy: 'Ana',
    approvedBy: null,
    manifest: manifest.toString('base64'),
    manifestSha256: createHash('sha256').update(manifest).digest('hex'),
    trustedComment: 'repdesk snapshot 42 of bl.example, expires 2026-12-14T12:00:00Z',
    untrustedComment: 'signature from the RepDesk desktop app',
    signBefore: '2026-12-07T12:10:00.000Z',
    ...overrides,
  };
}

test('the prepared manifest is signed with the key kept here, and the stock minisign verifies it with the trusted comment asked for', () => {
  const signature = signPreparedManifest(vault, prepared());
  writeFileSync(join(folder, 'manifest.json'), manifest);
  writeFileSync(join(folder, 'manifest.json.minisig'), signature);
  writeFileSync(join(folder, 'repdesk.pub'), publicKeyText(vault));
  const output = execFileSync('minisign', ['-V', '-H', '-p', join(folder, 'repdesk.pub'), '-m', join(folder, 'manifest.json')], { encoding: 'utf8' });
  assert.match(output, /Signature and comment signature verified/);
  assert.match(output, /Trusted comment: repdesk snapshot 42 of bl\.example, expires 2026-12-14T12:00:00Z/);
});

test('bytes other than those the server hashed, a manifest for another key, or nothing prepared are refused and nothing is signed', () => {
  const tampered = Buffer.from(manifest.toString().replace('"serial": 42', '"serial": 43'));
  assert.throws(() => signPreparedManifest(vault, prepared({ manifest: tampered.toString('base64') })), /do not match the hash the server gave.*nothing was signed/);
  assert.throws(() => signPreparedManifest(vault, prepared({ keyId: '1234ABCD' })), /prepared for key 1234ABCD, but the key kept here is .*nothing was signed/);
  assert.throws(() => signPreparedManifest(vault, prepared({ prepared: false, manifest: null })), /nothing was prepared to sign/);
  const empty: KeyVault = { ...vault, folder: mkdtempSync(join(folder, 'empty-')) };
  assert.throws(() => signPreparedManifest(empty, prepared()), /no signing key is stored in this app/);
});

test('the confirmation names the snapshot, the key, each list with its change against the last snapshot, the warnings and the manifest hash', () => {
  const confirmation = signingConfirmation(prepared(), 'https://repdesk.example.net');
  assert.equal(confirmation.message, `Sign snapshot 42 of bl.example with key ${keyId}?`);
  assert.match(confirmation.detail, /Prepared by https:\/\/repdesk\.example\.net; the change against snapshot 41:/);
  assert.match(confirmation.detail, /RBL: 1,200 in force \(\+12, -3\)\nDUL: 30 in force \(\+0, -0\)\nQIL: 5 in force \(\+5, -1\)\nMML: 0 in force \(\+0, -0\)\nGAL: 2 in force \(\+0, -0\)/);
  assert.match(confirmation.detail, /Warning: RBL grows by 1%/);
  assert.match(confirmation.detail, new RegExp(`Manifest SHA-256 ${prepared().manifestSha256}`));
  assert.deepEqual([confirmation.buttons, confirmation.defaultId, confirmation.cancelId], [['Sign and publish', 'Cancel'], 1, 1]);
  assert.match(signingConfirmation(prepared({ previousSerial: null }), 'https://repdesk.example.net').detail, /the first snapshot \(nothing published before\)/);
});
