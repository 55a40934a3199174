/**
 * minisign's secret key files (`minisign -G`), read and written with node:crypto: with a
 * passphrase the key is scrypt-encrypted exactly as minisign does it, so keys made by either
 * side work in the other.
 *
 * Layout (base64 on the second line):
 *   "Ed" | kdf "Sc" or 00 00 | checksum "B2" | salt (32) | opslimit (u64 LE) | memlimit (u64 LE) |
 *   [key id (8) | seed (32) + public key (32) | checksum (32)]
 * where the bracketed part is XORed with scrypt output when a passphrase is set.
 */
import { createPublicKey, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { blake2b } from './blake2b.js';
import {
  KEY_ID_BYTES,
  MinisignError,
  PUBLIC_KEY_BYTES,
  SEED_BYTES,
  SIGNATURE_ALGORITHM,
  UNTRUSTED_COMMENT_PREFIX,
  checkKeyId,
  decodeBase64,
  printable,
  privateKeyFromSeed,
  rawPublicKey,
  rawSeed,
  splitLines,
  type MinisignKeyPair,
} from './minisign.js';

const DEFAULT_SECRET_KEY_COMMENT = 'minisign encrypted secret key';
const KDF_SCRYPT = Buffer.from('Sc');
const KDF_NONE = Buffer.from([0, 0]);
const CHECKSUM_ALGORITHM = Buffer.from('B2');
const SALT_BYTES = 32;
const CHECKSUM_BYTES = 32;
// key id + libsodium's 64-byte secret key (seed || public key) + checksum: the part scrypt output masks.
const SECRET_PART_BYTES = KEY_ID_BYTES + SEED_BYTES + PUBLIC_KEY_BYTES + CHECKSUM_BYTES;
const SECRET_KEY_FILE_BYTES = 2 + 2 + 2 + SALT_BYTES + 8 + 8 + SECRET_PART_BYTES;

// libsodium crypto_pwhash_scryptsalsa208sha256_{OPS,MEM}LIMIT_SENSITIVE: what `minisign -G` uses.
const SCRYPT_OPS_LIMIT = 33554432n;
const SCRYPT_MEMORY_LIMIT = 1073741824n;

/**
 * The text of a minisign secret key file. With a passphrase the key is scrypt-encrypted exactly
 * as `minisign -G` does it (same cost), so `minisign -S` can use it; with null it is stored in
 * clear like `minisign -G -W`.
 */
export function encodeSecretKey(pair: MinisignKeyPair, passphrase: string | null): string {
  checkKeyId(pair.keyId);
  const seed = rawSeed(pair.privateKey);
  const publicKey = rawPublicKey(pair.publicKey);
  if (!rawPublicKey(createPublicKey(pair.privateKey)).equals(publicKey)) {
    throw new MinisignError('the public key does not belong to the private key');
  }
  const secretPart = Buffer.alloc(SECRET_PART_BYTES);
  pair.keyId.copy(secretPart, 0);
  seed.copy(secretPart, KEY_ID_BYTES);
  publicKey.copy(secretPart, KEY_ID_BYTES + SEED_BYTES);
  // `minisign -G -W` leaves the checksum zeroed; we fill it so a corrupted clear key is caught on read.
  secretChecksum(secretPart).copy(secretPart, SECRET_PART_BYTES - CHECKSUM_BYTES);

  const salt = Buffer.alloc(SALT_BYTES);
  const opsLimit = Buffer.alloc(8);
  const memoryLimit = Buffer.alloc(8);
  let kdf = KDF_NONE;
  if (passphrase !== null) {
    kdf = KDF_SCRYPT;
    randomBytes(SALT_BYTES).copy(salt);
    opsLimit.writeBigUInt64LE(SCRYPT_OPS_LIMIT);
    memoryLimit.writeBigUInt64LE(SCRYPT_MEMORY_LIMIT);
    xorInPlace(secretPart, scryptStream(passphrase, salt, SCRYPT_OPS_LIMIT, SCRYPT_MEMORY_LIMIT));
  }
  const body = Buffer.concat([SIGNATURE_ALGORITHM, kdf, CHECKSUM_ALGORITHM, salt, opsLimit, memoryLimit, secretPart]);
  return `${UNTRUSTED_COMMENT_PREFIX}${DEFAULT_SECRET_KEY_COMMENT}\n${body.toString('base64')}\n`;
}

/**
 * Reads a minisign secret key file, encrypted (needs the passphrase) or written with `-W` (the
 * passphrase is ignored). Uses whatever scrypt cost the file records.
 */
export function parseSecretKey(text: string, passphrase: string | null): MinisignKeyPair {
  const lines = splitLines(text);
  if (lines.length === 0 || !lines[0].startsWith(UNTRUSTED_COMMENT_PREFIX)) {
    throw new MinisignError(`secret key file must start with "${UNTRUSTED_COMMENT_PREFIX}"`);
  }
  if (lines.length < 2) {
    throw new MinisignError('secret key file is truncated: the base64 key line is missing');
  }
  if (lines.length > 2) {
    throw new MinisignError('secret key file has unexpected lines after the key');
  }
  const body = decodeBase64(lines[1], SECRET_KEY_FILE_BYTES, 'secret key');
  let offset = 0;
  const take = (length: number): Buffer => {
    const part = body.subarray(offset, offset + length);
    offset += length;
    return part;
  };
  const signatureAlgorithm = take(2);
  const kdf = take(2);
  const checksumAlgorithm = take(2);
  const salt = take(SALT_BYTES);
  const opsLimit = take(8).readBigUInt64LE();
  const memoryLimit = take(8).readBigUInt64LE();
  const secretPart = Buffer.from(take(SECRET_PART_BYTES));

  if (!signatureAlgorithm.equals(SIGNATURE_ALGORITHM)) {
    throw new MinisignError(`unsupported secret key algorithm "${printable(signatureAlgorithm)}" (expected "Ed")`);
  }
  if (!checksumAlgorithm.equals(CHECKSUM_ALGORITHM)) {
    throw new MinisignError(`unsupported secret key checksum "${printable(checksumAlgorithm)}" (expected "B2")`);
  }
  const encrypted = kdf.equals(KDF_SCRYPT);
  if (!encrypted && !kdf.equals(KDF_NONE)) {
    throw new MinisignError(`unsupported key derivation function "${printable(kdf)}" (expected "Sc" or none)`);
  }
  if (encrypted) {
    if (passphrase === null) {
      throw new MinisignError('passphrase required: the secret key is encrypted');
    }
    xorInPlace(secretPart, scryptStream(passphrase, salt, opsLimit, memoryLimit));
  }

  const storedChecksum = secretPart.subarray(SECRET_PART_BYTES - CHECKSUM_BYTES);
  // `minisign -G -W` writes an all-zero checksum, and minisign never checks it on clear keys.
  const checksumPresent = encrypted || storedChecksum.some((byte) => byte !== 0);
  if (checksumPresent && !timingSafeEqual(storedChecksum, secretChecksum(secretPart))) {
    throw new MinisignError(encrypted ? 'wrong passphrase for this secret key' : 'secret key checksum mismatch: the key file is corrupted');
  }

  const keyId = Buffer.from(secretPart.subarray(0, KEY_ID_BYTES));
  const privateKey = privateKeyFromSeed(secretPart.subarray(KEY_ID_BYTES, KEY_ID_BYTES + SEED_BYTES));
  const publicKey = createPublicKey(privateKey);
  const storedPublicKey = secretPart.subarray(KEY_ID_BYTES + SEED_BYTES, KEY_ID_BYTES + SEED_BYTES + PUBLIC_KEY_BYTES);
  if (!rawPublicKey(publicKey).equals(storedPublicKey)) {
    throw new MinisignError('secret key is inconsistent: its embedded public key does not match its seed');
  }
  secretPart.fill(0);
  return { keyId, publicKey, privateKey };
}

function xorInPlace(target: Buffer, mask: Buffer): void {
  for (let index = 0; index < target.length; index++) {
    target[index] ^= mask[index];
  }
}

/** BLAKE2b-256 over algorithm || key id || secret key: minisign's secret key checksum ("B2"). */
function secretChecksum(secretPart: Buffer): Buffer {
  return blake2b(Buffer.concat([SIGNATURE_ALGORITHM, secretPart.subarray(0, KEY_ID_BYTES + SEED_BYTES + PUBLIC_KEY_BYTES)]), CHECKSUM_BYTES);
}

/**
 * libsodium crypto_pwhash_scryptsalsa208sha256: turns (opslimit, memlimit) into scrypt's N, r, p
 * the way its pickparams() does, then runs plain scrypt for the 104-byte mask.
 */
function scryptStream(passphrase: string, salt: Buffer, opsLimit: bigint, memoryLimit: bigint): Buffer {
  const { logN, r, p } = scryptParameters(opsLimit, memoryLimit);
  if (p < 1n || logN > 40n) {
    throw new MinisignError(`unusable scrypt limits in secret key (opslimit ${opsLimit}, memlimit ${memoryLimit})`);
  }
  const N = 2 ** Number(logN);
  // OpenSSL's scrypt needs 128·r·(N + p + 2) bytes; node refuses anything above maxmem (32 MiB by default).
  const maxmem = 128 * Number(r) * (N + Number(p) + 2) + 1024 * 1024;
  try {
    return scryptSync(Buffer.from(passphrase, 'utf8'), salt, SECRET_PART_BYTES, { N, r: Number(r), p: Number(p), maxmem });
  } catch (error) {
    throw new MinisignError(`scrypt key derivation failed (N=2^${logN}, r=${r}, p=${p}): ${(error as Error).message}`);
  }
}

/** Direct transcription of libsodium's pickparams() (pwhash_scryptsalsa208sha256.c). */
function scryptParameters(opsLimit: bigint, memoryLimit: bigint): { logN: bigint; r: bigint; p: bigint } {
  const ops = opsLimit < 32768n ? 32768n : opsLimit;
  const r = 8n;
  const smallestLogN = (maxN: bigint): bigint => {
    let logN = 1n;
    for (; logN < 63n; logN++) {
      if (1n << logN > maxN / 2n) {
        break;
      }
    }
    return logN;
  };
  if (ops < memoryLimit / 32n) {
    return { logN: smallestLogN(ops / (r * 4n)), r, p: 1n };
  }
  const logN = smallestLogN(memoryLimit / (r * 128n));
  let maxrp = ops / 4n / (1n << logN);
  if (maxrp > 0x3fffffffn) {
    maxrp = 0x3fffffffn;
  }
  return { logN, r, p: maxrp / r };
}
