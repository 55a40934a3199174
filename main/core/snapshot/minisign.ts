/**
 * Reads and writes minisign's public key and signature formats (as of minisign 0.11) with
 * node:crypto, so that snapshot manifests signed here verify with the stock `minisign -V`.
 * Secret key files (`minisign -G`) are minisign-secret-key.ts.
 *
 * Binary layouts (all carried as standard base64 on the second line of each file):
 *   public key  "Ed" | key id (8) | Ed25519 public key (32)
 *   signature   "ED" (over BLAKE2b-512 of the message) or "Ed" (over the message) | key id (8) |
 *               Ed25519 signature (64), then a trusted comment line and a global signature line
 *               (Ed25519 over signature || trusted comment).
 */

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as ed25519Sign, verify as ed25519Verify, type KeyObject } from 'node:crypto';

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

// Exported for minisign-secret-key.ts, which shares the layouts' framing.
export const UNTRUSTED_COMMENT_PREFIX = 'untrusted comment: ';
const TRUSTED_COMMENT_PREFIX = 'trusted comment: ';
const DEFAULT_SIGNATURE_COMMENT = 'signature from minisign secret key';

export const SIGNATURE_ALGORITHM = Buffer.from('Ed');
const SIGNATURE_ALGORITHM_PREHASHED = Buffer.from('ED');

export const KEY_ID_BYTES = 8;
export const PUBLIC_KEY_BYTES = 32;
export const SEED_BYTES = 32;
const SIGNATURE_BYTES = 64;
const PUBLIC_KEY_FILE_BYTES = 2 + KEY_ID_BYTES + PUBLIC_KEY_BYTES;
const SIGNATURE_LINE_BYTES = 2 + KEY_ID_BYTES + SIGNATURE_BYTES;

// minisign's TRUSTEDCOMMENTMAXBYTES (8192) counts the prefix and the C string terminator.
const TRUSTED_COMMENT_MAX_BYTES = 8192 - TRUSTED_COMMENT_PREFIX.length - 1;

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
export function splitLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.replace(/\r+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/** Strict base64: Buffer.from(..., 'base64') silently skips junk, which would hide corruption. */
export function decodeBase64(encoded: string, expectedBytes: number, what: string): Buffer {
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

export function printable(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[^\x20-\x7e]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function checkKeyId(keyId: Buffer): void {
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
export function rawPublicKey(publicKey: KeyObject): Buffer {
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519') {
    throw new MinisignError(`expected an Ed25519 public key, got a ${publicKey.asymmetricKeyType ?? 'symmetric'} ${publicKey.type} key`);
  }
  return stripPrefix(publicKey.export({ format: 'der', type: 'spki' }), SPKI_ED25519_PREFIX, PUBLIC_KEY_BYTES);
}

export function rawSeed(privateKey: KeyObject): Buffer {
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

export function privateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function blake2b512(message: Buffer): Buffer {
  return createHash('blake2b512').update(message).digest();
}
