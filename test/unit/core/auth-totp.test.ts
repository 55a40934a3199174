/**
 * The second factor's arithmetic against the standards' own test vectors: RFC 4648 (base32),
 * RFC 4226 (HOTP) and RFC 6238 (TOTP, appendix B), then the acceptance window and replay rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totp, totpStep } from '../../../main/core/auth/totp.js';
import { isRecoveryCodeShaped, newEnrolmentCode, newRecoveryCode, newSessionToken, isSessionTokenShaped, normaliseCode } from '../../../main/core/auth/secrets.js';

test('base32 matches RFC 4648 section 10 (without padding, as otpauth URIs carry it)', () => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  for (const [input, expected] of vectors) {
    assert.equal(base32Encode(Buffer.from(input)), expected, input);
    assert.equal(base32Decode(expected).toString(), input, expected);
  }
  assert.equal(base32Decode('mzxw6ytboi======').toString(), 'foobar');
  assert.throws(() => base32Decode('MZXW1'), /"1" is not a base32 character/);
});

test('HOTP matches RFC 4226 appendix D', () => {
  const secret = Buffer.from('12345678901234567890');
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  assert.deepEqual(expected.map((_code, counter) => hotp(secret, counter)), expected);
});

test('TOTP matches RFC 6238 appendix B for SHA-1 (what we use), SHA-256 and SHA-512', () => {
  const seconds = [59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000];
  const vectors = {
    sha1: { secret: '12345678901234567890', codes: ['94287082', '07081804', '14050471', '89005924', '69279037', '65353130'] },
    sha256: { secret: '12345678901234567890123456789012', codes: ['46119246', '68084774', '67062674', '91819424', '90698825', '77737706'] },
    sha512: { secret: '1234567890123456789012345678901234567890123456789012345678901234', codes: ['90693936', '25091201', '99943326', '93441116', '38618901', '47863826'] },
  } as const;
  for (const [algorithm, { secret, codes }] of Object.entries(vectors) as [keyof typeof vectors, (typeof vectors)[keyof typeof vectors]][]) {
    assert.deepEqual(
      seconds.map((time) => totp(Buffer.from(secret), time * 1000, 8, algorithm)),
      codes,
      algorithm,
    );
  }
  // Six digits, as authenticator apps show them: the last six of the eight.
  assert.equal(totp(Buffer.from('12345678901234567890'), 59_000), '287082');
});

test('a code is accepted for its step and one step either side, never twice, never further off', () => {
  const secret = Buffer.from('0123456789abcdefghij');
  const at = 1_750_000_000_000;
  const step = totpStep(at);
  const codeAt = (offsetSteps: number) => totp(secret, at + offsetSteps * 30_000);
  assert.equal(matchTotp(secret, codeAt(0), at, null), step);
  assert.equal(matchTotp(secret, codeAt(-1), at, null), step - 1);
  assert.equal(matchTotp(secret, codeAt(1), at, null), step + 1);
  assert.equal(matchTotp(secret, codeAt(-2), at, null), null);
  assert.equal(matchTotp(secret, codeAt(2), at, null), null);
  // Replay: once a step was accepted, neither it nor an earlier one is accepted again.
  assert.equal(matchTotp(secret, codeAt(0), at, step), null);
  assert.equal(matchTotp(secret, codeAt(-1), at, step), null);
  assert.equal(matchTotp(secret, codeAt(1), at, step), step + 1);
  for (const junk of ['', '12345', '1234567', 'abcdef', ' 123456', '12 456']) assert.equal(matchTotp(secret, junk, at, null), null, JSON.stringify(junk));
});

test('the otpauth URI names the issuer, the person and the parameters authenticator apps need', () => {
  const uri = new URL(otpauthUri(Buffer.from('12345678901234567890'), 'Ana Souza', 'RepDesk'));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), '/RepDesk:Ana Souza');
  assert.deepEqual(Object.fromEntries(uri.searchParams), { secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', issuer: 'RepDesk', algorithm: 'SHA1', digits: '6', period: '30' });
});

test('tokens and codes: long, random, and told apart by their shape', () => {
  const tokens = new Set(Array.from({ length: 100 }, () => newSessionToken()));
  assert.equal(tokens.size, 100);
  for (const token of tokens) assert.ok(isSessionTokenShaped(token) && Buffer.from(token, 'base64url').length === 32, token);
  const enrolment = newEnrolmentCode();
  assert.match(enrolment, /^[a-z2-7]{5}(-[a-z2-7]{1,5}){6}$/);
  assert.equal(normaliseCode(enrolment).length, 32);
  const recovery = newRecoveryCode();
  assert.ok(isRecoveryCodeShaped(recovery) && isRecoveryCodeShaped(recovery.toUpperCase().replace(/-/g, ' ')));
  assert.ok(!isRecoveryCodeShaped('123456'));
});
