/**
 * Key files for the CLI: a minisign-format key pair, the secret key encrypted with a passphrase
 * (minisign's own scrypt scheme, so `minisign -S` can use it too). The desktop shell keeps its
 * key under Electron's safeStorage instead; both end as a MinisignKeyPair in the main process.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { invalidInput } from '../errors.js';
import { MinisignError, encodePublicKey, formatKeyId, generateKeyPair, parsePublicKey, type MinisignKeyPair } from './minisign.js';
import { encodeSecretKey, parseSecretKey } from './minisign-secret-key.js';
import type { TrustedKey } from './manifest.js';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw invalidInput(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code)}`);
  }
}

/** Write FILE (secret, mode 600) and FILE.pub; refuses to overwrite either. Returns the key id. */
export function writeKeyPair(path: string, passphrase: string | null): { keyId: string; publicKeyPath: string } {
  const publicKeyPath = `${path}.pub`;
  for (const target of [path, publicKeyPath]) if (existsSync(target)) throw invalidInput(`${target} already exists: refusing to overwrite a key`);
  const pair = generateKeyPair();
  writeFileSync(path, encodeSecretKey(pair, passphrase), { mode: 0o600, flag: 'wx' });
  writeFileSync(publicKeyPath, encodePublicKey(pair), { mode: 0o644, flag: 'wx' });
  return { keyId: formatKeyId(pair.keyId), publicKeyPath };
}

/** Read a secret key file; a wrong or missing passphrase is named as such. */
export function readSecretKeyFile(path: string, passphrase: string | null): MinisignKeyPair {
  const text = readText(path, 'secret key');
  try {
    return parseSecretKey(text, passphrase);
  } catch (error) {
    if (error instanceof MinisignError) throw invalidInput(`secret key ${path}: ${error.message}`);
    throw error;
  }
}

/** Read one or more public key files (a key list allows rotation). */
export function readPublicKeyFiles(paths: readonly string[]): TrustedKey[] {
  if (paths.length === 0) throw invalidInput('give at least one --pubkey FILE');
  return paths.map((path) => {
    try {
      return parsePublicKey(readText(path, 'public key'));
    } catch (error) {
      if (error instanceof MinisignError) throw invalidInput(`public key ${path}: ${error.message}`);
      throw error;
    }
  });
}
