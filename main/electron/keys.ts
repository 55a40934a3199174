/**
 * Custody of the snapshot-signing key in the desktop app. The secret key is kept in the
 * user-data folder encrypted with Electron's safeStorage (the OS keychain, DPAPI or the desktop's
 * secret service), decrypted in the main process only at the moment of signing, and never sent
 * to the page.
 */
import type { SafeStorage } from 'electron';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, forbidden } from '../core/errors.js';
import { encodePublicKey, encodeSecretKey, formatKeyId, generateKeyPair, parseSecretKey, readSecretKeyFile, type MinisignKeyPair } from '../core/snapshot/index.js';

/** The encrypted key's file name in the user-data folder. */
export const SIGNING_KEY_FILE = 'signing-key.safestorage';

export interface KeyVault {
  readonly safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;
  /** The user-data folder. */
  readonly folder: string;
  readonly platform: NodeJS.Platform;
}

function keyPath(vault: KeyVault): string {
  return join(vault.folder, SIGNING_KEY_FILE);
}

/**
 * Refuse to store or read a key when safeStorage cannot protect it. On Linux without a secret
 * service Electron falls back to 'basic_text', a fixed password in its own source: that is no
 * protection, so the key is refused there (the CLI's passphrase-encrypted key file is the way).
 */
export function checkEncryptionUsable(vault: KeyVault): void {
  const problem = encryptionProblem(vault);
  if (problem === 'unavailable') {
    throw forbidden('the operating system offers no encrypted storage to this app, so it cannot keep a signing key (use the CLI: repdesk publish --key FILE)');
  }
  if (problem === 'in-clear') {
    throw forbidden('no secret service (GNOME Keyring, KWallet) is running, so the signing key could only be stored in clear: refused (start one, or use the CLI with a passphrase-protected key)');
  }
}

/** Why safeStorage cannot protect a secret here: none offered, or only in clear; null when it can. */
export function encryptionProblem(vault: KeyVault): 'unavailable' | 'in-clear' | null {
  if (!vault.safeStorage.isEncryptionAvailable()) return 'unavailable';
  // On Linux without a secret service Electron falls back to 'basic_text', a fixed password in its own source.
  if (vault.platform === 'linux' && vault.safeStorage.getSelectedStorageBackend() === 'basic_text') return 'in-clear';
  return null;
}

/** Whether a signing key has been stored. */
export function hasSigningKey(vault: KeyVault): boolean {
  return existsSync(keyPath(vault));
}

/** Encrypt a key pair with safeStorage and store it (owner-only file, replaced in one rename). Returns the key id. */
export function storeSigningKey(vault: KeyVault, pair: MinisignKeyPair): string {
  checkEncryptionUsable(vault);
  const encrypted = vault.safeStorage.encryptString(encodeSecretKey(pair, null));
  const target = keyPath(vault);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, encrypted, { mode: 0o600 });
  renameSync(temporary, target);
  return formatKeyId(pair.keyId);
}

/** Decrypt the stored key pair; for the moment of signing only, never to be kept or sent to the page. */
export function readSigningKey(vault: KeyVault): MinisignKeyPair {
  if (!hasSigningKey(vault)) throw forbidden('no signing key is stored in this app: File > Import signing key… or Generate signing key…');
  checkEncryptionUsable(vault);
  let text: string;
  try {
    text = vault.safeStorage.decryptString(readFileSync(keyPath(vault)));
  } catch (error) {
    throw forbidden(`the stored signing key cannot be decrypted by this user's keychain (${error instanceof Error ? error.message : String(error)}); import it again`);
  }
  return parseSecretKey(text, null);
}

/** What createCore takes as `signingKey`: reads and decrypts the key at each signing. */
export function signingKeyProvider(vault: KeyVault): () => MinisignKeyPair {
  return () => readSigningKey(vault);
}

/**
 * Import a minisign secret key file (`minisign -G -W`, `repdesk keygen --unencrypted`, or one
 * encrypted with the given passphrase) into safeStorage. Returns the key id.
 */
export function importSigningKeyFile(vault: KeyVault, path: string, passphrase: string | null): string {
  checkEncryptionUsable(vault);
  let pair: MinisignKeyPair;
  try {
    pair = readSecretKeyFile(path, passphrase);
  } catch (error) {
    if (error instanceof AppError && /passphrase/i.test(error.message) && passphrase === null) {
      throw forbidden(`${error.message} (the desktop app imports keys without a passphrase, or with REPDESK_KEY_PASSPHRASE set when it starts)`);
    }
    throw error;
  }
  return storeSigningKey(vault, pair);
}

/** Make a new key pair and store it; returns its id. */
export function generateSigningKey(vault: KeyVault): string {
  return storeSigningKey(vault, generateKeyPair());
}

/** The stored key's id as minisign prints it, or null when no key is stored (or it cannot be read here). */
export function signingKeyId(vault: KeyVault): string | null {
  if (!hasSigningKey(vault)) return null;
  try {
    return formatKeyId(readSigningKey(vault).keyId);
  } catch {
    return null;
  }
}

/** The stored key's public half, in minisign's public key file format (for DNS hosts). */
export function publicKeyText(vault: KeyVault): string {
  return encodePublicKey(readSigningKey(vault));
}
