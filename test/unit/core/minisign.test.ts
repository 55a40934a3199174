import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MinisignError, encodePublicKey, encodeSecretKey, formatKeyId, generateKeyPair, parsePublicKey, parseSecretKey, sign, verify, type MinisignKeyPair } from '../../../main/core/snapshot/index.js';

const MINISIGN = '/usr/bin/minisign';
const MANIFEST = Buffer.from(JSON.stringify({ zone: 'bl.example.net', serial: 2024112801, entries: 41873 }, null, 2) + '\n');

let directory = '';

before(() => {
  directory = mkdtempSync(join(tmpdir(), 'repdesk-minisign-'));
});

after(() => {
  rmSync(directory, { recursive: true, force: true });
});

function path(name: string): string {
  return join(directory, name);
}

/** Runs the real minisign; the password, when one is asked for, comes from stdin (it falls back to fgets when stdin is no tty). */
function minisign(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const environment = { ...process.env };
  delete environment.MINISIGN_PASSWORD;
  const result = spawnSync(MINISIGN, args, { input, encoding: 'utf8', env: environment });
  if (result.error) {
    throw result.error;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeManifest(name: string): string {
  const file = path(name);
  writeFileSync(file, MANIFEST);
  return file;
}

function expectMinisignError(action: () => unknown, pattern: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof MinisignError, `expected MinisignError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

/** Re-encodes one base64 line of a signature after letting `change` alter its bytes. */
function alterLine(signatureText: string, lineIndex: number, change: (bytes: Buffer) => void): string {
  const lines = signatureText.split('\n');
  const bytes = Buffer.from(lines[lineIndex], 'base64');
  change(bytes);
  lines[lineIndex] = bytes.toString('base64');
  return lines.join('\n');
}

/**
 * Encrypts a clear secret key file (ours, which carries a real checksum) with chosen scrypt limits
 * and the N, r, p the test works out by hand from libsodium's pickparams, independently of the
 * module, so both minisign and parseSecretKey are checked against the same arithmetic.
 */
function encryptWithLimits(
  clearKeyText: string,
  passphrase: string,
  limits: { opsLimit: bigint; memoryLimit: bigint },
  parameters: { N: number; r: number; p: number },
): string {
  const body = Buffer.from(clearKeyText.split('\n')[1], 'base64');
  assert.equal(body.length, 158);
  body.write('Sc', 2, 'latin1');
  const salt = randomBytes(32);
  salt.copy(body, 6);
  body.writeBigUInt64LE(limits.opsLimit, 38);
  body.writeBigUInt64LE(limits.memoryLimit, 46);
  const stream = scryptSync(passphrase, salt, 104, { ...parameters, maxmem: 256 * 1024 * 1024 });
  for (let index = 0; index < 104; index++) {
    body[54 + index] ^= stream[index];
  }
  return `untrusted comment: minisign encrypted secret key\n${body.toString('base64')}\n`;
}

function scryptLimits(secretKeyText: string): { kdf: string; opsLimit: bigint; memoryLimit: bigint } {
  const body = Buffer.from(secretKeyText.split('\n')[1], 'base64');
  return { kdf: body.subarray(2, 4).toString('latin1'), opsLimit: body.readBigUInt64LE(38), memoryLimit: body.readBigUInt64LE(46) };
}

test('our key and our signature verify with minisign -V, and with -V -H, which prints our trusted comment', () => {
  const pair = generateKeyPair();
  const manifest = writeManifest('ours.json');
  writeFileSync(path('ours.pub'), encodePublicKey(pair));
  const trustedComment = 'timestamp:1732800000\tfile:manifest.json\tserial:2024112801';
  writeFileSync(`${manifest}.minisig`, sign(pair, MANIFEST, trustedComment));

  for (const extra of [[], ['-H']]) {
    const result = minisign(['-V', ...extra, '-p', path('ours.pub'), '-m', manifest]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Signature and comment signature verified/);
    assert.ok(result.stdout.includes(`Trusted comment: ${trustedComment}\n`), result.stdout);
  }
  const quiet = minisign(['-V', '-Q', '-P', encodePublicKey(pair).split('\n')[1], '-m', manifest]);
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stdout, `${trustedComment}\n`);
});

test('key ids print like minisign: the .pub comment and verify() use its little-endian uppercase hex, without leading zeros', () => {
  assert.equal(formatKeyId(Buffer.from('2811916910bd0700', 'hex')), '7BD1069911128');
  assert.equal(formatKeyId(Buffer.alloc(8)), '0');
  const result = minisign(['-G', '-W', '-p', path('idcheck.pub'), '-s', path('idcheck.key')]);
  assert.equal(result.status, 0, result.stderr);
  const publicKeyText = readFileSync(path('idcheck.pub'), 'utf8');
  const printedId = /minisign public key ([0-9A-F]{1,16})\n/.exec(publicKeyText)?.[1];
  assert.ok(printedId);
  const pair = parseSecretKey(readFileSync(path('idcheck.key'), 'utf8'), null);
  assert.equal(BigInt(`0x${Buffer.from(pair.keyId).reverse().toString('hex')}`), BigInt(`0x${printedId}`));
  assert.equal(formatKeyId(pair.keyId), printedId);
  assert.equal(encodePublicKey(pair), publicKeyText, 'our .pub text is byte-identical to minisign -G output');
  assert.equal(verify(sign(pair, MANIFEST, 'id'), MANIFEST, [parsePublicKey(publicKeyText)]).keyId, printedId);
});

test('a minisign -G -W key pair: we parse it and sign, minisign verifies; minisign signs, our verify accepts', () => {
  const result = minisign(['-G', '-W', '-p', path('theirs.pub'), '-s', path('theirs.key')]);
  assert.equal(result.status, 0, result.stderr);
  const secretKeyText = readFileSync(path('theirs.key'), 'utf8');
  assert.deepEqual(scryptLimits(secretKeyText), { kdf: '\0\0', opsLimit: 0n, memoryLimit: 0n });
  const pair = parseSecretKey(secretKeyText, null);
  const publicKey = parsePublicKey(readFileSync(path('theirs.pub'), 'utf8'));
  assert.ok(publicKey.keyId.equals(pair.keyId));

  const manifest = writeManifest('theirs.json');
  writeFileSync(`${manifest}.minisig`, sign(pair, MANIFEST, 'signed by RepDesk with a minisign key'));
  const verified = minisign(['-V', '-H', '-p', path('theirs.pub'), '-m', manifest]);
  assert.equal(verified.status, 0, verified.stderr);
  assert.match(verified.stdout, /Trusted comment: signed by RepDesk with a minisign key\n/);

  const signed = minisign(['-S', '-s', path('theirs.key'), '-m', manifest, '-t', 'signed by minisign itself']);
  assert.equal(signed.status, 0, signed.stderr);
  const ours = verify(readFileSync(`${manifest}.minisig`, 'utf8'), MANIFEST, [publicKey]);
  assert.equal(ours.trustedComment, 'signed by minisign itself');

  const legacy = minisign(['-S', '-l', '-s', path('theirs.key'), '-x', path('legacy.minisig'), '-m', manifest, '-t', 'legacy form']);
  assert.equal(legacy.status, 0, legacy.stderr);
  const legacyText = readFileSync(path('legacy.minisig'), 'utf8');
  assert.equal(Buffer.from(legacyText.split('\n')[1], 'base64').subarray(0, 2).toString('latin1'), 'Ed');
  assert.equal(verify(legacyText, MANIFEST, [publicKey]).trustedComment, 'legacy form');
});

test('our clear secret key file is usable by minisign -S', () => {
  const pair = generateKeyPair();
  writeFileSync(path('clear.key'), encodeSecretKey(pair, null));
  writeFileSync(path('clear.pub'), encodePublicKey(pair));
  const manifest = writeManifest('clear.json');
  const signed = minisign(['-S', '-s', path('clear.key'), '-p', path('clear.pub'), '-m', manifest, '-t', 'clear key']);
  assert.equal(signed.status, 0, signed.stderr);
  assert.equal(verify(readFileSync(`${manifest}.minisig`, 'utf8'), MANIFEST, [pair]).trustedComment, 'clear key');
});

test('a password-protected key written by minisign -G decrypts with the right passphrase only', () => {
  const generated = minisign(['-G', '-p', path('locked.pub'), '-s', path('locked.key')], 'correct horse\ncorrect horse\n');
  assert.equal(generated.status, 0, generated.stderr);
  const secretKeyText = readFileSync(path('locked.key'), 'utf8');
  const limits = scryptLimits(secretKeyText);
  assert.equal(limits.kdf, 'Sc');
  // Short of memory, minisign halves both limits (and warns); otherwise it uses libsodium's "sensitive" pair.
  if (!generated.stderr.includes('due to limited memory')) {
    assert.deepEqual(limits, { kdf: 'Sc', opsLimit: 33554432n, memoryLimit: 1073741824n });
  }

  expectMinisignError(() => parseSecretKey(secretKeyText, null), /passphrase required/);
  const pair = parseSecretKey(secretKeyText, 'correct horse');
  const manifest = writeManifest('locked.json');
  writeFileSync(`${manifest}.minisig`, sign(pair, MANIFEST, 'from a decrypted minisign key'));
  const verified = minisign(['-V', '-p', path('locked.pub'), '-m', manifest]);
  assert.equal(verified.status, 0, verified.stderr);
});

test('our password-protected key uses minisign default scrypt limits, works in minisign -S, and round-trips', () => {
  const pair = generateKeyPair();
  const secretKeyText = encodeSecretKey(pair, 'our passphrase');
  assert.deepEqual(scryptLimits(secretKeyText), { kdf: 'Sc', opsLimit: 33554432n, memoryLimit: 1073741824n });
  writeFileSync(path('ours-locked.key'), secretKeyText);
  writeFileSync(path('ours-locked.pub'), encodePublicKey(pair));
  const manifest = writeManifest('ours-locked.json');

  const refused = minisign(['-S', '-s', path('ours-locked.key'), '-m', manifest], 'not it\n');
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /Wrong password for that key/);
  const signed = minisign(['-S', '-s', path('ours-locked.key'), '-p', path('ours-locked.pub'), '-m', manifest, '-t', 'our encrypted key'], 'our passphrase\n');
  assert.equal(signed.status, 0, signed.stderr);
  assert.equal(verify(readFileSync(`${manifest}.minisig`, 'utf8'), MANIFEST, [pair]).trustedComment, 'our encrypted key');

  const reread = parseSecretKey(secretKeyText, 'our passphrase');
  assert.ok(reread.keyId.equals(pair.keyId));
  assert.equal(encodePublicKey(reread), encodePublicKey(pair));
  verify(sign(reread, MANIFEST, 'after round trip'), MANIFEST, [pair]);
});

test('scrypt limits other than the default map to N, r, p as libsodium does, for minisign and for us', () => {
  const pair = generateKeyPair();
  const clear = encodeSecretKey(pair, null);
  writeFileSync(path('cheap.pub'), encodePublicKey(pair));
  const cases = [
    // opslimit < memlimit / 32: p = 1, N from opslimit
    { limits: { opsLimit: 262144n, memoryLimit: 16777216n }, parameters: { N: 8192, r: 8, p: 1 } },
    // otherwise: N from memlimit, the remaining work goes to p
    { limits: { opsLimit: 1048576n, memoryLimit: 16777216n }, parameters: { N: 16384, r: 8, p: 2 } },
  ];
  for (const [index, { limits, parameters }] of cases.entries()) {
    const keyFile = path(`cheap-${index}.key`);
    writeFileSync(keyFile, encryptWithLimits(clear, 'cheap', limits, parameters));
    const manifest = writeManifest(`cheap-${index}.json`);
    const signed = minisign(['-S', '-s', keyFile, '-p', path('cheap.pub'), '-m', manifest], 'cheap\n');
    assert.equal(signed.status, 0, `minisign derived other scrypt parameters for case ${index}: ${signed.stderr}`);
    const reread = parseSecretKey(readFileSync(keyFile, 'utf8'), 'cheap');
    assert.equal(encodePublicKey(reread), encodePublicKey(pair));
  }
});

test('a wrong passphrase is refused with a clear error', () => {
  const pair = generateKeyPair();
  const locked = encryptWithLimits(encodeSecretKey(pair, null), 'right', { opsLimit: 262144n, memoryLimit: 16777216n }, { N: 8192, r: 8, p: 1 });
  expectMinisignError(() => parseSecretKey(locked, 'wrong'), /^wrong passphrase/);
  expectMinisignError(() => parseSecretKey(locked, ''), /^wrong passphrase/);
  expectMinisignError(() => parseSecretKey(locked, null), /^passphrase required/);
  assert.ok(parseSecretKey(locked, 'right').keyId.equals(pair.keyId));
});

test('a corrupted clear secret key is caught by its checksum or its embedded public key', () => {
  const pair = generateKeyPair();
  const clear = encodeSecretKey(pair, null);
  const flipSeed = alterLine(clear, 1, (bytes) => {
    bytes[54 + 8] ^= 0x01;
  });
  expectMinisignError(() => parseSecretKey(flipSeed, null), /checksum mismatch/);
  const noChecksum = alterLine(clear, 1, (bytes) => {
    bytes.fill(0, 158 - 32);
    bytes[54 + 8 + 32] ^= 0x01;
  });
  expectMinisignError(() => parseSecretKey(noChecksum, null), /embedded public key does not match/);
});

test('a tampered message is refused', () => {
  const pair = generateKeyPair();
  const signature = sign(pair, MANIFEST, 'serial:1');
  const tampered = Buffer.from(MANIFEST.toString('utf8').replace('41873', '41874'));
  expectMinisignError(() => verify(signature, tampered, [pair]), /^signature verification failed/);
  writeFileSync(path('tampered.json'), tampered);
  writeFileSync(path('tampered.json.minisig'), signature);
  writeFileSync(path('tampered.pub'), encodePublicKey(pair));
  const theirs = minisign(['-V', '-p', path('tampered.pub'), '-m', path('tampered.json')]);
  assert.notEqual(theirs.status, 0);
  assert.match(theirs.stderr, /Signature verification failed/);
});

test('a tampered trusted comment is refused', () => {
  const pair = generateKeyPair();
  const signature = sign(pair, MANIFEST, 'serial:2024112801');
  const tampered = signature.replace('trusted comment: serial:2024112801', 'trusted comment: serial:2024112899');
  expectMinisignError(() => verify(tampered, MANIFEST, [pair]), /^trusted comment signature verification failed/);
  const manifest = writeManifest('comment.json');
  writeFileSync(`${manifest}.minisig`, tampered);
  writeFileSync(path('comment.pub'), encodePublicKey(pair));
  const theirs = minisign(['-V', '-p', path('comment.pub'), '-m', manifest]);
  assert.notEqual(theirs.status, 0);
  assert.match(theirs.stderr, /Comment signature verification failed/);
});

test('a tampered signature or global signature is refused', () => {
  const pair = generateKeyPair();
  const signature = sign(pair, MANIFEST, 'serial:3');
  const badSignature = alterLine(signature, 1, (bytes) => {
    bytes[40] ^= 0x80;
  });
  expectMinisignError(() => verify(badSignature, MANIFEST, [pair]), /^signature verification failed/);
  const badGlobal = alterLine(signature, 3, (bytes) => {
    bytes[5] ^= 0x01;
  });
  expectMinisignError(() => verify(badGlobal, MANIFEST, [pair]), /^trusted comment signature verification failed/);
  const badAlgorithm = alterLine(signature, 1, (bytes) => {
    bytes.write('EX', 0, 'latin1');
  });
  expectMinisignError(() => verify(badAlgorithm, MANIFEST, [pair]), /unsupported signature algorithm "EX"/);
});

test('a signature by an unknown key id is refused, naming that key id', () => {
  const signer = generateKeyPair();
  const trusted = generateKeyPair();
  const signerId = formatKeyId(signer.keyId);
  const trustedId = formatKeyId(trusted.keyId);
  const signature = sign(signer, MANIFEST, 'serial:4');
  expectMinisignError(() => verify(signature, MANIFEST, [trusted]), new RegExp(`key ${signerId}, which is not among the trusted keys \\(${trustedId}\\)`));
  expectMinisignError(() => verify(signature, MANIFEST, []), /not among the trusted keys \(none\)/);
  // Same id but a different public key: the id match alone must not be enough.
  const impostor = { keyId: signer.keyId, publicKey: trusted.publicKey };
  expectMinisignError(() => verify(signature, MANIFEST, [impostor]), /^signature verification failed/);
});

test('malformed base64 and truncated files are refused with specific messages', () => {
  const pair = generateKeyPair();
  const publicKeyText = encodePublicKey(pair);
  const publicKeyLine = publicKeyText.split('\n')[1];
  const secretKeyText = encodeSecretKey(pair, null);
  const signature = sign(pair, MANIFEST, 'serial:5');
  const signatureLines = signature.split('\n');

  assert.equal(parsePublicKey(publicKeyLine).keyId.toString('hex'), pair.keyId.toString('hex'));
  assert.equal(parsePublicKey(publicKeyText.replaceAll('\n', '\r\n')).keyId.toString('hex'), pair.keyId.toString('hex'));
  expectMinisignError(() => parsePublicKey(`${publicKeyLine.slice(0, 10)}*${publicKeyLine.slice(11)}`), /^public key is not valid base64/);
  expectMinisignError(() => parsePublicKey(publicKeyLine.slice(0, 41)), /^public key is not valid base64/);
  expectMinisignError(() => parsePublicKey(publicKeyLine.slice(0, 28)), /^public key decodes to 21 bytes; expected 42/);
  expectMinisignError(() => parsePublicKey(publicKeyText.split('\n')[0]), /^public key file is truncated/);
  expectMinisignError(() => parsePublicKey(''), /^public key file must start with "untrusted comment: "/);
  expectMinisignError(() => parsePublicKey(Buffer.concat([Buffer.from('RS'), Buffer.alloc(40)]).toString('base64')), /unsupported public key algorithm "RS"/);

  expectMinisignError(() => parseSecretKey(secretKeyText.split('\n')[0], null), /^secret key file is truncated/);
  const [secretKeyComment, secretKeyLine] = secretKeyText.split('\n');
  expectMinisignError(() => parseSecretKey(`${secretKeyComment}\n${secretKeyLine.slice(0, 100)}\n`, null), /^secret key decodes to 75 bytes; expected 158/);
  expectMinisignError(() => parseSecretKey(`${secretKeyComment}\n${secretKeyLine.slice(0, 101)}\n`, null), /^secret key is not valid base64/);
  expectMinisignError(() => parseSecretKey(secretKeyText.replace(/^untrusted/, 'trusted'), null), /^secret key file must start/);

  expectMinisignError(() => verify(signatureLines.slice(0, 3).join('\n'), MANIFEST, [pair]), /^signature is truncated: expected 4 lines, found 3/);
  expectMinisignError(() => verify(signatureLines.slice(0, 1).join('\n'), MANIFEST, [pair]), /^signature is truncated/);
  expectMinisignError(
    () => verify([signatureLines[0], `${signatureLines[1].slice(0, -4)}!!!=`, ...signatureLines.slice(2)].join('\n'), MANIFEST, [pair]),
    /^signature is not valid base64/,
  );
  expectMinisignError(
    () => verify([signatureLines[0], signatureLines[1].slice(0, 96), ...signatureLines.slice(2)].join('\n'), MANIFEST, [pair]),
    /^signature decodes to 72 bytes; expected 74/,
  );
  expectMinisignError(
    () => verify([...signatureLines.slice(0, 3), signatureLines[3].slice(0, 44)].join('\n'), MANIFEST, [pair]),
    /^global signature decodes to 33 bytes; expected 64/,
  );
  expectMinisignError(
    () => verify(signature.replace('\ntrusted comment: ', '\ntrusted: '), MANIFEST, [pair]),
    /third line must start with "trusted comment: "/,
  );
  expectMinisignError(() => verify(signature.replace(/^untrusted comment: /, ''), MANIFEST, [pair]), /^signature must start with "untrusted comment: "/);
  assert.equal(verify(signature.replaceAll('\n', '\r\n'), MANIFEST, [pair]).trustedComment, 'serial:5');
});

test('a trusted comment with a line break cannot be signed', () => {
  const pair = generateKeyPair();
  expectMinisignError(() => sign(pair, MANIFEST, 'serial:6\ntrusted comment: forged'), /trusted comment must be a single line/);
  expectMinisignError(() => sign(pair, MANIFEST, 'serial:6\r'), /trusted comment must be a single line/);
  expectMinisignError(() => sign(pair, MANIFEST, 'ok', 'untrusted\nline'), /untrusted comment must be a single line/);
});

test('key rotation: a list of two trusted keys accepts either signer and refuses a third', () => {
  const keys: MinisignKeyPair[] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const trusted = [parsePublicKey(encodePublicKey(keys[0])), parsePublicKey(encodePublicKey(keys[1]))];
  for (const [index, pair] of keys.slice(0, 2).entries()) {
    const result = verify(sign(pair, MANIFEST, `rotation ${index}`), MANIFEST, trusted);
    assert.equal(result.keyId, formatKeyId(pair.keyId));
    assert.equal(result.trustedComment, `rotation ${index}`);
  }
  expectMinisignError(() => verify(sign(keys[2], MANIFEST, 'rotation 2'), MANIFEST, trusted), /not among the trusted keys/);
});
