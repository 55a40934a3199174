/**
 * The random secrets people and clients are given (session tokens, enrolment codes, recovery
 * codes) and how they are kept: only a SHA-256 of each is stored. They are long random values,
 * not chosen by people, so a fast hash is enough: nothing is gained by guessing at the hash that
 * guessing at the API would not give, and both are out of reach.
 */
import { createHash, randomBytes } from 'node:crypto';
import { base32Encode } from './totp.js';

/** Session tokens: 32 random bytes, base64url (43 characters). */
export const SESSION_TOKEN_BYTES = 32;
const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What is stored for a secret: its SHA-256. */
export function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function newSessionToken(): string {
  return randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
}

export function isSessionTokenShaped(token: string): boolean {
  return SESSION_TOKEN_PATTERN.test(token);
}

/** Base32 in groups of five, lowercase: easy to read aloud and to type. */
function grouped(bytes: number): string {
  const text = base32Encode(randomBytes(bytes)).toLowerCase();
  return text.match(/.{1,5}/g)?.join('-') ?? text;
}

/** An enrolment code: 20 random bytes (160 bits), e.g. `k3j5q-...` (32 characters in 7 groups). */
export function newEnrolmentCode(): string {
  return grouped(20);
}

/** A recovery code: 10 random bytes (80 bits), `xxxxx-xxxxx-xxxxx-x`. */
export function newRecoveryCode(): string {
  return grouped(10);
}

/** A code as typed back: lowercase, without spaces or dashes, so `ABCDE FGHIJ` and `abcde-fghij` are the same code. */
export function normaliseCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** Whether a second-factor entry is a recovery code (the authenticator's codes are 6 digits). */
export function isRecoveryCodeShaped(entry: string): boolean {
  return /^[a-z2-7]{16}$/.test(normaliseCode(entry));
}
