/**
 * Key custody with a fake safeStorage: the secret key is on disk only encrypted, is read back for
 * signing, and is refused where the operating system offers no real protection.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../main/core/app.js';
import { AppError } from '../../../main/core/errors.js';
import { writeKeyPair, formatKeyId, parsePublicKey, sign, verify } from '../../../main/core/snapshot/index.js';
import { SIGNING_KEY_FILE, generateSigningKey, hasSigningKey, importSigningKeyFile, publicKeyText, readSigningKey, signingKeyProvider, type KeyVault } from '../../../main/electron/keys.js';

const folder = mkdtempSync(join(tmpdir(), 'repdesk-keys-'));
after(() => rmSync(folder, { recursive: true, force: true }));

// A stand-in for the OS keychain: reversible, but nothing of the plain text survives in the bytes.
const MASK = 0x5a;
function fakeSafeStorage(options: { isAvailable: boolean; backend: 'basic_text' | 'gnome_libsecret' }) {
  return {
    isEncryptionAvailable: () => options.isAvailable,
    getSelectedStorageBackend: () => options.backend,
    encryptString: (text: string) => Buffer.from(Buffer.from(text, 'utf8').map((byte) => byte ^ MASK)),
    decryptString: (encrypted: Buffer) => Buffer.from(encrypted.map((byte) => byte ^ MASK)).toString('utf8'),
  };
}

function vault(name: string, options: { isAvailable: boolean; backend: 'basic_text' | 'gnome_libsecret' } = { isAvailable: true, backend: 'gnome_libsecret' }, platform: NodeJS.Platform = 'linux'): KeyVault {
  const vaultFolder = mkdtempSync(join(folder, `${name}-`));
  return { safeStorage: fakeSafeStorage(options), folder: vaultFolder, platform };
}

function clearKeyFile(name: string): { path: string; secretLine: string } {
  const path = join(folder, `${name}.key`);
  writeKeyPair(path, null);
  return { path, secretLine: readFileSync(path, 'utf8').split('\n')[1] };
}

test('an imported key is stored only encrypted, owner-only, and signs what its public key verifies', () => {
  const keys = vault('import');
  const { path, secretLine } = clearKeyFile('import');
  const keyId = importSigningKeyFile(keys, path, null);
  assert.equal(hasSigningKey(keys), true);
  const stored = readFileSync(join(keys.folder, SIGNING_KEY_FILE));
  assert.ok(!stored.includes(secretLine) && !stored.includes('secret key'), 'the key file holds the key in clear');
  if (process.platform !== 'win32') assert.equal(statSync(join(keys.folder, SIGNING_KEY_FILE)).mode & 0o777, 0o600);

  const pair = readSigningKey(keys);
  const trusted = parsePublicKey(readFileSync(`${path}.pub`, 'utf8'));
  const message = Buffer.from('manifest');
  assert.equal(verify(sign(pair, message, 'serial 1'), message, [trusted]).keyId, keyId);
  const exported = parsePublicKey(publicKeyText(keys));
  assert.ok(exported.keyId.equals(trusted.keyId) && exported.publicKey.equals(trusted.publicKey));
});

test('a generated key replaces the stored one', () => {
  const keys = vault('generate');
  const first = generateSigningKey(keys);
  const second = generateSigningKey(keys);
  assert.notEqual(first, second);
  assert.equal(formatKeyId(readSigningKey(keys).keyId), second);
});

test('no key is stored where safeStorage is unavailable, or is only the clear-text fallback on Linux', () => {
  const { path } = clearKeyFile('refused');
  const unavailable = vault('unavailable', { isAvailable: false, backend: 'gnome_libsecret' });
  assert.throws(() => importSigningKeyFile(unavailable, path, null), (error: unknown) => error instanceof AppError && error.code === 'forbidden');
  const basicText = vault('basic', { isAvailable: true, backend: 'basic_text' });
  assert.throws(() => importSigningKeyFile(basicText, path, null), /secret service/);
  assert.equal(hasSigningKey(unavailable) || hasSigningKey(basicText), false);
  const mac = vault('mac', { isAvailable: true, backend: 'basic_text' }, 'darwin');
  assert.match(importSigningKeyFile(mac, path, null), /^[1-9A-F][0-9A-F]{0,15}$/);
});

test('an encrypted key without its passphrase is refused with the way to give one', () => {
  const { path } = clearKeyFile('encrypted');
  const lines = readFileSync(path, 'utf8').split('\n');
  const body = Buffer.from(lines[1], 'base64');
  body.write('Sc', 2, 'latin1');
  writeFileSync(path, `${lines[0]}\n${body.toString('base64')}\n`);
  assert.throws(() => importSigningKeyFile(vault('encrypted'), path, null), /REPDESK_KEY_PASSPHRASE/);
});

test('the core refuses to publish with a clear message when no key is stored', async () => {
  const keys = vault('core');
  const core = createCore({ databasePath: join(keys.folder, 'core.sqlite'), signingKey: signingKeyProvider(keys) });
  try {
    const result = await core.dispatch('publish.run', {}, { actor: null });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error.code === 'forbidden' && /no signing key is stored/.test(result.error.message), JSON.stringify(result));
  } finally {
    core.close();
  }
});
