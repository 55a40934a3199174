/**
 * Reads and writes minisign's key and signature formats (as of minisign 0.11) with node:crypto, so
 * that snapshot manifests signed here verify with the stock `minisign -V`, and keys made by
 * `minisign -G` can be used here.
 *
 * Binary layouts (all carried as standard base64 on the second line of each file):
 *   public key  "Ed" | key id (8) | Ed25519 public key (32)
 *   secret key  "Ed" | kdf "Sc" or 00 00 | checksum "B2" | salt (32) | opslimit (u64 LE) |
 *               memlimit (u64 LE) | [key id (8) | seed (32) + public key (32) | checksum (32)]
 *               where the bracketed part is XORed with scrypt output when a passphrase is set
 *   signature   "ED" (over BLAKE2b-512 of the message) or "Ed" (over the message) | key id (8) |
 *               Ed25519 signature (64), then a trusted comment line and a global signature line
 *               (Ed25519 over signature || trusted comment).
 */

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  sign as ed25519Sign,
  timingSafeEqual,
  verify as ed25519Verify,
  type KeyObject,
} from 'node:crypto';

/** Thrown for every malformed input and every failed check, with a message naming the problem. */
export class MinisignError extends Error {
  override name = 'MinisignError';
}

/** An Ed25519 key pair together with the random 8-byte id minisign stamps into keys and signatures. */
export interface MinisignKeyPair {
  keyId: Buffer;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const UNTRUSTED_COMMENT_PREFIX = 'untrusted comment: ';
const TRUSTED_COMMENT_PREFIX = 'trusted comment: ';
const DEFAULT_SECRET_KEY_COMMENT = 'minisign encrypted secret key';
const DEFAULT_SIGNATURE_COMMENT = 'signature from minisign secret key';

const SIGNATURE_ALGORITHM = Buffer.from('Ed');
const SIGNATURE_ALGORITHM_PREHASHED = Buffer.from('ED');
const KDF_SCRYPT = Buffer.from('Sc');
const KDF_NONE = Buffer.from([0, 0]);
const CHECKSUM_ALGORITHM = Buffer.from('B2');

const KEY_ID_BYTES = 8;
const PUBLIC_KEY_BYTES = 32;
const SEED_BYTES = 32;
const SIGNATURE_BYTES = 64;
const SALT_BYTES = 32;
const CHECKSUM_BYTES = 32;
const PUBLIC_KEY_FILE_BYTES = 2 + KEY_ID_BYTES + PUBLIC_KEY_BYTES;
const SIGNATURE_LINE_BYTES = 2 + KEY_ID_BYTES + SIGNATURE_BYTES;
// key id + libsodium's 64-byte secret key (seed || public key) + checksum: the part scrypt output masks.
const SECRET_PART_BYTES = KEY_ID_BYTES + SEED_BYTES + PUBLIC_KEY_BYTES + CHECKSUM_BYTES;
const SECRET_KEY_FILE_BYTES = 2 + 2 + 2 + SALT_BYTES + 8 + 8 + SECRET_PART_BYTES;

// minisign's TRUSTEDCOMMENTMAXBYTES (8192) counts the prefix and the C string terminator.
const TRUSTED_COMMENT_MAX_BYTES = 8192 - TRUSTED_COMMENT_PREFIX.length - 1;

// libsodium crypto_pwhash_scryptsalsa208sha256_{OPS,MEM}LIMIT_SENSITIVE: what `minisign -G` uses.
const SCRYPT_OPS_LIMIT = 33554432n;
const SCRYPT_MEMORY_LIMIT = 1073741824n;

// The fixed DER framing around raw Ed25519 keys in PKCS#8 and SPKI (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Makes a fresh Ed25519 key pair with a random key id, as `minisign -G` does. */
export function generateKeyPair(): MinisignKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { keyId: randomBytes(KEY_ID_BYTES), publicKey, privateKey };
}

/**
 * The key id as minisign prints it: the 8 bytes read as a little-endian 64-bit number, in
 * uppercase hex, so ids in our errors and files match `minisign` output.
 */
export function formatKeyId(keyId: Buffer): string {
  // minisign prints the number with "%" PRIX64: no leading zeros.
  return Buffer.from(keyId).reverse().toString('hex').toUpperCase().replace(/^0+(?=.)/, '');
}

/** The text of a minisign `.pub` file: the untrusted comment line and the base64 key line. */
export function encodePublicKey(pair: { keyId: Buffer; publicKey: KeyObject }, comment?: string): string {
  checkKeyId(pair.keyId);
  const commentText = comment ?? `minisign public key ${formatKeyId(pair.keyId)}`;
  checkSingleLine(commentText, 'untrusted comment');
  const body = Buffer.concat([SIGNATURE_ALGORITHM, pair.keyId, rawPublicKey(pair.publicKey)]);
  return `${UNTRUSTED_COMMENT_PREFIX}${commentText}\n${body.toString('base64')}\n`;
}

/**
 * Reads a minisign public key from a `.pub` file's text, or from the bare base64 line that
 * `minisign -P` takes.
 */
export function parsePublicKey(text: string): { keyId: Buffer; publicKey: KeyObject } {
  const lines = splitLines(text);
  let encoded: string | undefined;
  if (lines.length === 1 && !lines[0].startsWith(UNTRUSTED_COMMENT_PREFIX)) {
    encoded = lines[0];
  } else {
    if (lines.length === 0 || !lines[0].startsWith(UNTRUSTED_COMMENT_PREFIX)) {
      throw new MinisignError(`public key file must start with "${UNTRUSTED_COMMENT_PREFIX}"`);
    }
    if (lines.length < 2) {
      throw new MinisignError('public key file is truncated: the base64 key line is missing');
    }
    if (lines.length > 2) {
      throw new MinisignError('public key file has unexpected lines after the key');
    }
    encoded = lines[1];
  }
  const body = decodeBase64(encoded, PUBLIC_KEY_FILE_BYTES, 'public key');
  if (!body.subarray(0, 2).equals(SIGNATURE_ALGORITHM)) {
    throw new MinisignError(`unsupported public key algorithm "${printable(body.subarray(0, 2))}" (expected "Ed")`);
  }
  return {
    keyId: Buffer.from(body.subarray(2, 2 + KEY_ID_BYTES)),
    publicKey: publicKeyFromRaw(body.subarray(2 + KEY_ID_BYTES)),
  };
}

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

/**
 * Signs a message in minisign's prehashed form ("ED", what `minisign -S` makes by default) and
 * returns the 4-line `.minisig` text. The trusted comment is covered by the global signature.
 */
export function sign(pair: MinisignKeyPair, message: Buffer, trustedComment: string, untrustedComment?: string): string {
  checkKeyId(pair.keyId);
  checkSingleLine(trustedComment, 'trusted comment');
  const trustedCommentBytes = Buffer.from(trustedComment, 'utf8');
  if (trustedCommentBytes.length > TRUSTED_COMMENT_MAX_BYTES) {
    throw new MinisignError(`trusted comment is ${trustedCommentBytes.length} bytes; minisign reads at most ${TRUSTED_COMMENT_MAX_BYTES}`);
  }
  const untrustedCommentText = untrustedComment ?? DEFAULT_SIGNATURE_COMMENT;
  checkSingleLine(untrustedCommentText, 'untrusted comment');

  const signature = ed25519Sign(null, blake2b512(message), pair.privateKey);
  const globalSignature = ed25519Sign(null, Buffer.concat([signature, trustedCommentBytes]), pair.privateKey);
  const signatureLine = Buffer.concat([SIGNATURE_ALGORITHM_PREHASHED, pair.keyId, signature]).toString('base64');
  return (
    `${UNTRUSTED_COMMENT_PREFIX}${untrustedCommentText}\n` +
    `${signatureLine}\n` +
    `${TRUSTED_COMMENT_PREFIX}${trustedComment}\n` +
    `${globalSignature.toString('base64')}\n`
  );
}

/**
 * Checks a `.minisig` text against a message and a set of trusted keys (several, so a key can be
 * rotated without breaking older signatures). Accepts the prehashed "ED" and legacy "Ed" forms.
 * Returns the signing key id (uppercase hex, as minisign prints it) and the verified trusted comment.
 */
export function verify(
  signatureText: string,
  message: Buffer,
  trustedKeys: Array<{ keyId: Buffer; publicKey: KeyObject }>,
): { keyId: string; trustedComment: string } {
  const lines = splitLines(signatureText);
  if (lines.length === 0 || !lines[0].startsWith(UNTRUSTED_COMMENT_PREFIX)) {
    throw new MinisignError(`signature must start with "${UNTRUSTED_COMMENT_PREFIX}"`);
  }
  if (lines.length < 4) {
    throw new MinisignError(`signature is truncated: expected 4 lines, found ${lines.length}`);
  }
  if (lines.length > 4) {
    throw new MinisignError('signature has unexpected lines after the global signature');
  }
  const signatureLine = decodeBase64(lines[1], SIGNATURE_LINE_BYTES, 'signature');
  if (!lines[2].startsWith(TRUSTED_COMMENT_PREFIX)) {
    throw new MinisignError(`signature's third line must start with "${TRUSTED_COMMENT_PREFIX}"`);
  }
  const trustedComment = lines[2].slice(TRUSTED_COMMENT_PREFIX.length);
  const globalSignature = decodeBase64(lines[3], SIGNATURE_BYTES, 'global signature');

  const algorithm = signatureLine.subarray(0, 2);
  const prehashed = algorithm.equals(SIGNATURE_ALGORITHM_PREHASHED);
  if (!prehashed && !algorithm.equals(SIGNATURE_ALGORITHM)) {
    throw new MinisignError(`unsupported signature algorithm "${printable(algorithm)}" (expected "ED" or "Ed")`);
  }
  const keyId = signatureLine.subarray(2, 2 + KEY_ID_BYTES);
  const signature = signatureLine.subarray(2 + KEY_ID_BYTES);

  const key = trustedKeys.find((candidate) => candidate.keyId.equals(keyId));
  if (key === undefined) {
    const trusted = trustedKeys.map((candidate) => formatKeyId(candidate.keyId)).join(', ') || 'none';
    throw new MinisignError(`signature was made with key ${formatKeyId(keyId)}, which is not among the trusted keys (${trusted})`);
  }
  const signedData = prehashed ? blake2b512(message) : message;
  if (!ed25519Verify(null, signedData, key.publicKey, signature)) {
    throw new MinisignError('signature verification failed: the message does not match the signature');
  }
  const trustedCommentBytes = Buffer.from(trustedComment, 'utf8');
  if (!ed25519Verify(null, Buffer.concat([signature, trustedCommentBytes]), key.publicKey, globalSignature)) {
    throw new MinisignError('trusted comment signature verification failed: the trusted comment was altered');
  }
  return { keyId: formatKeyId(keyId), trustedComment };
}

/** Lines as minisign's fgets+trim sees them: CR/LF stripped, trailing blank lines dropped. */
function splitLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.replace(/\r+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/** Strict base64: Buffer.from(..., 'base64') silently skips junk, which would hide corruption. */
function decodeBase64(encoded: string, expectedBytes: number, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new MinisignError(`${what} is not valid base64`);
  }
  const decoded = Buffer.from(encoded, 'base64');
  if (decoded.toString('base64') !== encoded) {
    throw new MinisignError(`${what} is not valid base64`);
  }
  if (decoded.length !== expectedBytes) {
    throw new MinisignError(`${what} decodes to ${decoded.length} bytes; expected ${expectedBytes}`);
  }
  return decoded;
}

function printable(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[^\x20-\x7e]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function checkKeyId(keyId: Buffer): void {
  if (keyId.length !== KEY_ID_BYTES) {
    throw new MinisignError(`key id must be ${KEY_ID_BYTES} bytes, got ${keyId.length}`);
  }
}

function checkSingleLine(text: string, what: string): void {
  if (/[\r\n]/.test(text)) {
    throw new MinisignError(`${what} must be a single line (no CR or LF)`);
  }
}

/**
 * Raw key bytes come from the DER encodings, never from JWK export: node 20 can deadlock in
 * JWK export of an Ed25519 key made by generateKeyPairSync (it holds the key's mutex while
 * allocating, and a GC during that runs the key-generation job's destructor, which takes the same
 * mutex). DER export does not hold the lock.
 */
function rawPublicKey(publicKey: KeyObject): Buffer {
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519') {
    throw new MinisignError(`expected an Ed25519 public key, got a ${publicKey.asymmetricKeyType ?? 'symmetric'} ${publicKey.type} key`);
  }
  return stripPrefix(publicKey.export({ format: 'der', type: 'spki' }), SPKI_ED25519_PREFIX, PUBLIC_KEY_BYTES);
}

function rawSeed(privateKey: KeyObject): Buffer {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new MinisignError(`expected an Ed25519 private key, got a ${privateKey.asymmetricKeyType ?? 'symmetric'} ${privateKey.type} key`);
  }
  return stripPrefix(privateKey.export({ format: 'der', type: 'pkcs8' }), PKCS8_ED25519_PREFIX, SEED_BYTES);
}

function stripPrefix(der: Buffer, prefix: Buffer, keyBytes: number): Buffer {
  if (der.length !== prefix.length + keyBytes || !der.subarray(0, prefix.length).equals(prefix)) {
    throw new MinisignError('unexpected DER encoding of an Ed25519 key');
  }
  return Buffer.from(der.subarray(prefix.length));
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

function privateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
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

function blake2b512(message: Buffer): Buffer {
  return createHash('blake2b512').update(message).digest();
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

const BLAKE2B_IV = new BigUint64Array([
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
]);

const BLAKE2B_SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/**
 * Unkeyed BLAKE2b (RFC 7693) with a chosen output length. node:crypto only offers the 64-byte
 * variant, and BLAKE2b-256 is not a truncation of it (the length is mixed into the state), so the
 * 32-byte secret key checksum needs this. Only ever fed ~74 bytes, hence BigInt simplicity over speed.
 */
function blake2b(input: Buffer, outputLength: number): Buffer {
  const state = new BigUint64Array(BLAKE2B_IV);
  state[0] ^= 0x01010000n ^ BigInt(outputLength);
  const work = new BigUint64Array(16);
  const words = new BigUint64Array(16);
  const block = Buffer.alloc(128);

  const rotateRight = (value: bigint, bits: bigint): bigint => (value >> bits) | (value << (64n - bits));
  const mix = (a: number, b: number, c: number, d: number, x: bigint, y: bigint): void => {
    work[a] = work[a] + work[b] + x;
    work[d] = rotateRight(work[d] ^ work[a], 32n);
    work[c] = work[c] + work[d];
    work[b] = rotateRight(work[b] ^ work[c], 24n);
    work[a] = work[a] + work[b] + y;
    work[d] = rotateRight(work[d] ^ work[a], 16n);
    work[c] = work[c] + work[d];
    work[b] = rotateRight(work[b] ^ work[c], 63n);
  };
  const compress = (counter: bigint, last: boolean): void => {
    for (let index = 0; index < 16; index++) {
      words[index] = block.readBigUInt64LE(index * 8);
    }
    work.set(state, 0);
    work.set(BLAKE2B_IV, 8);
    work[12] ^= counter;
    work[13] ^= counter >> 64n;
    if (last) {
      work[14] = ~work[14];
    }
    for (let round = 0; round < 12; round++) {
      const sigma = BLAKE2B_SIGMA[round % 10];
      mix(0, 4, 8, 12, words[sigma[0]], words[sigma[1]]);
      mix(1, 5, 9, 13, words[sigma[2]], words[sigma[3]]);
      mix(2, 6, 10, 14, words[sigma[4]], words[sigma[5]]);
      mix(3, 7, 11, 15, words[sigma[6]], words[sigma[7]]);
      mix(0, 5, 10, 15, words[sigma[8]], words[sigma[9]]);
      mix(1, 6, 11, 12, words[sigma[10]], words[sigma[11]]);
      mix(2, 7, 8, 13, words[sigma[12]], words[sigma[13]]);
      mix(3, 4, 9, 14, words[sigma[14]], words[sigma[15]]);
    }
    for (let index = 0; index < 8; index++) {
      state[index] ^= work[index] ^ work[index + 8];
    }
  };

  let offset = 0;
  while (input.length - offset > 128) {
    input.copy(block, 0, offset, offset + 128);
    offset += 128;
    compress(BigInt(offset), false);
  }
  block.fill(0);
  input.copy(block, 0, offset);
  compress(BigInt(input.length), true);

  const output = Buffer.alloc(64);
  for (let index = 0; index < 8; index++) {
    output.writeBigUInt64LE(state[index], index * 8);
  }
  return output.subarray(0, outputLength);
}
