/**
 * Passphrases: the rules a new one must meet (a minimum length, not on a list of common
 * passwords), and how they are kept: only a memory-hard scrypt hash (node:crypto) with its salt
 * and its parameters stored beside it, so the cost can be raised later without losing old
 * hashes. Comparisons run in constant time. Hashing runs on libuv's thread pool, not on the
 * caller's thread, so a server keeps answering while a sign-in is checked. A passphrase is never
 * logged, stored or echoed: only the rules' messages leave this module.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { invalidInput } from '../errors.js';
import { isCommonPassword } from './common-passwords.js';

/** scrypt's cost: N = 2^15, r = 8, p = 1 takes 32 MiB and 0.3 s per hash on this project's build machine (2 shared cores). */
export interface ScryptParameters {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

export const SCRYPT_PARAMETERS: ScryptParameters = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };
const SALT_BYTES = 16;

/** A stored passphrase hash. */
export interface PassphraseHash {
  readonly kdf: 'scrypt';
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function runScrypt(passphrase: string, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  // 128 * N * r bytes, and room to spare; without maxmem node refuses anything over 32 MiB.
  const options: ScryptOptions = { N: parameters.N, r: parameters.r, p: parameters.p, maxmem: 256 * parameters.N * parameters.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, parameters.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassphrase(passphrase: string, parameters: ScryptParameters = SCRYPT_PARAMETERS): Promise<PassphraseHash> {
  const salt = randomBytes(SALT_BYTES);
  return { kdf: 'scrypt', parameters, salt, hash: await runScrypt(passphrase, salt, parameters) };
}

/** Whether `passphrase` is the one `stored` was made from (constant-time comparison of the hashes). */
export async function verifyPassphrase(passphrase: string, stored: PassphraseHash): Promise<boolean> {
  const computed = await runScrypt(passphrase, stored.salt, stored.parameters);
  return computed.length === stored.hash.length && timingSafeEqual(computed, stored.hash);
}

let decoy: Promise<PassphraseHash> | null = null;

/**
 * Spend the time a real check takes when there is nothing to check against (an unknown name, a
 * person who never enrolled), so the answer's timing does not tell which names exist.
 */
export async function spendPassphraseCheck(passphrase: string): Promise<false> {
  decoy ??= hashPassphrase(randomBytes(16).toString('hex'));
  await verifyPassphrase(passphrase, await decoy);
  return false;
}

/** Refuse a new passphrase that is too short, is a common password, or is the person's own name. */
export function checkNewPassphrase(passphrase: string, context: { readonly name: string; readonly minLength: number }): void {
  const length = [...passphrase.normalize('NFC')].length;
  if (length < context.minLength) throw invalidInput(`the passphrase is too short: at least ${context.minLength} characters (it has ${length}); a few unrelated words make a good one`);
  if (passphrase.trim().length === 0) throw invalidInput('the passphrase is only spaces');
  const folded = passphrase.normalize('NFC').toLowerCase();
  if (isCommonPassword(folded)) throw invalidInput('the passphrase is on the list of common passwords that attackers try first: choose another');
  if (folded.replace(/[^\p{L}\p{N}]/gu, '') === context.name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')) {
    throw invalidInput('the passphrase is your name: choose another');
  }
}
