/**
 * Custody of the key that signs history checkpoints: an Ed25519 key the database does not
 * hold. Here it is a file beside the database (`<database>.checkpoint-key`, mode 0600, created
 * on first use); the desktop shell may keep it elsewhere later (safeStorage) behind the same
 * interface. Only its public half ever leaves this module: in checkpoints and in manifests.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { invalidInput } from '../errors.js';

export interface CheckpointKeyCustody {
  /** Where the key is kept, for messages. */
  readonly description: string;
  /** The public key (32 bytes) when a key exists; never creates one. */
  existingPublicKey(): Buffer | null;
  /** Sign `message`, creating the key on first use. */
  sign(message: Buffer): { readonly publicKey: Buffer; readonly signature: Buffer };
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** Whether `signature` is an Ed25519 signature of `message` by the raw 32-byte `publicKey`. */
export function verifyWithRawKey(publicKey: Buffer, message: Buffer, signature: Buffer): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** The key in a file of its own (PKCS#8 PEM, mode 0600): refused when others may read it. */
export function fileCheckpointKey(path: string): CheckpointKeyCustody {
  let privateKey: KeyObject | null = null;

  const load = (): KeyObject | null => {
    let text: string;
    try {
      // Checked at every use (cheap), not only when the key is first read.
      const mode = statSync(path).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        throw invalidInput(`the checkpoint key ${path} may be read by others (mode ${mode.toString(8).padStart(4, '0')}): make it private with chmod 600 ${path}`);
      }
      if (privateKey) return privateKey;
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      privateKey = createPrivateKey(text);
    } catch {
      throw invalidInput(`the checkpoint key ${path} is not a private key`);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') throw invalidInput(`the checkpoint key ${path} is not an Ed25519 key`);
    return privateKey;
  };

  const loadOrCreate = (): KeyObject => {
    const existing = load();
    if (existing) return existing;
    const pair = generateKeyPairSync('ed25519');
    try {
      writeFileSync(path, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use that one.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return load() ?? pair.privateKey;
      throw error;
    }
    privateKey = pair.privateKey;
    return privateKey;
  };

  return {
    description: path,
    existingPublicKey: () => {
      const key = load();
      return key ? rawPublicKey(createPublicKey(key)) : null;
    },
    sign: (message) => {
      const key = loadOrCreate();
      return { publicKey: rawPublicKey(createPublicKey(key)), signature: sign(null, message, key) };
    },
  };
}
