/**
 * The upload store: files streamed into a private folder, hashed as they arrive, refused past
 * their limit with nothing left behind, kept for the session that sent them, expired, consumed,
 * and cleaned up after processes that stopped; local files the desktop shell registers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadStore, uploadName } from '../../../main/core/io/uploads.js';
import { resolveFile, resolveLocalFolder, uploadsIn } from '../../../main/core/io/files.js';
import { AppError } from '../../../main/core/errors.js';

const parent = mkdtempSync(join(tmpdir(), 'repdesk-uploads-test-'));
after(() => rmSync(parent, { recursive: true, force: true }));

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

function refusal(work: () => unknown, code: string, message: RegExp): void {
  assert.throws(work, (error: unknown) => error instanceof AppError && error.code === code && message.test(error.message));
}

test('a file streams into a private folder: 0700, the file 0600, its size and SHA-256 in the receipt, its id not guessable', async () => {
  const store = UploadStore.open({ parent });
  const folder = store.folder as string;
  assert.equal(statSync(folder).mode & 0o777, 0o700);
  const receipt = await store.receive(chunks('11.0.0.1\n', '11.0.0.2\n'), { name: 'ranges.txt', owner: 'a', maxBytes: 1000 });
  assert.match(receipt.upload, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(receipt.size, 18);
  assert.equal(receipt.sha256, createHash('sha256').update('11.0.0.1\n11.0.0.2\n').digest('hex'));
  assert.equal(receipt.name, 'ranges.txt');
  const stored = store.resolve(receipt.upload, 'a');
  assert.equal(readFileSync(stored.path, 'utf8'), '11.0.0.1\n11.0.0.2\n');
  assert.equal(statSync(stored.path).mode & 0o777, 0o600);
  assert.equal(statSync(join(folder, `${receipt.upload}.json`)).mode & 0o777, 0o600);
  const other = await store.receive(chunks('x'), { name: 'ranges.txt', owner: 'a', maxBytes: 1000 });
  assert.notEqual(other.upload, receipt.upload);
  store.close();
  assert.equal(existsSync(folder), false);
});

test('past its limit an upload is refused (too-large) and nothing of it stays', async () => {
  const store = UploadStore.open({ parent });
  await assert.rejects(
    store.receive(chunks('a'.repeat(600), 'b'.repeat(600)), { name: 'big.csv', owner: 'a', maxBytes: 1000 }),
    (error: unknown) => error instanceof AppError && error.code === 'too-large' && /big\.csv is over the upload limit of 1000 bytes \(setting import\.maxFileBytes\)/.test(error.message),
  );
  assert.deepEqual(readdirSync(store.folder as string), []);
  store.close();
});

test('an upload belongs to its session, expires after its lifetime (deleted when asked for, or swept), and is deleted once consumed', async () => {
  const store = UploadStore.open({ parent, lifetimeMs: 60_000 });
  const sent = new Date('2026-11-28T10:00:00Z');
  const receipt = await store.receive(chunks('data'), { name: 'a.csv', owner: 'session-a', maxBytes: 100, now: sent });
  assert.equal(receipt.expiresAt, '2026-11-28T10:01:00.000Z');
  // Another session's upload is refused exactly as an unknown one.
  refusal(() => store.resolve(receipt.upload, 'session-b', sent), 'invalid-input', /^no upload /);
  refusal(() => store.resolve(receipt.upload, null, sent), 'invalid-input', /^no upload /);
  refusal(() => store.resolve('A'.repeat(32), 'session-a', sent), 'invalid-input', /^no upload /);
  refusal(() => store.resolve('../../etc/passwd', 'session-a', sent), 'invalid-input', /^no upload /);
  assert.equal(store.resolve(receipt.upload, 'session-a', sent).name, 'a.csv');
  refusal(() => store.resolve(receipt.upload, 'session-a', new Date('2026-11-28T10:01:00Z')), 'invalid-input', /has expired/);
  assert.deepEqual(readdirSync(store.folder as string), [], 'an expired upload is deleted when it is asked for');

  const kept = await store.receive(chunks('data'), { name: 'b.csv', owner: 'session-a', maxBytes: 100, now: sent });
  const late = await store.receive(chunks('data'), { name: 'c.csv', owner: 'session-a', maxBytes: 100, now: new Date('2026-11-28T10:00:30Z') });
  assert.equal(store.sweep(new Date('2026-11-28T10:01:10Z')), 1);
  refusal(() => store.resolve(kept.upload, 'session-a'), 'invalid-input', /^no upload /);
  store.consume(late.upload);
  assert.deepEqual(readdirSync(store.folder as string), []);
  store.close();
});

test('a local file the desktop shell registers is read where it is and survives being consumed', async () => {
  const store = UploadStore.open({ parent });
  const file = join(parent, 'chosen.mbox');
  writeFileSync(file, 'From a@b Mon Nov 23 10:00:00 2026\nSubject: x\n\nbody\n');
  const receipt = await store.register(file, { owner: 'desktop' });
  assert.equal(receipt.name, 'chosen.mbox');
  assert.equal(receipt.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
  const stored = store.resolve(receipt.upload, 'desktop');
  assert.deepEqual({ path: stored.path, local: stored.local }, { path: file, local: file });
  store.consume(receipt.upload);
  assert.ok(existsSync(file));
  await assert.rejects(store.register(parent, { owner: 'desktop' }), /is not a file/);
  await assert.rejects(store.register(join(parent, 'gone.eml'), { owner: 'desktop' }), /gone\.eml: cannot be read \(ENOENT\)/);
  store.close();
});

test('a new store removes the upload folders of RepDesk processes no longer running, and leaves running ones', () => {
  const stale = join(parent, 'repdesk-uploads-999999999-abcdef');
  mkdirSync(stale);
  writeFileSync(join(stale, 'left-behind'), 'x');
  const running = join(parent, `repdesk-uploads-${process.ppid}-abcdef`);
  mkdirSync(running);
  const store = UploadStore.open({ parent });
  assert.equal(existsSync(stale), false);
  assert.equal(existsSync(running), true);
  store.close();
});

test('names a client gives are reduced to plain names', () => {
  assert.equal(uploadName('../../etc/passwd'), 'passwd');
  assert.equal(uploadName('C:\\Users\\me\\ranges.csv'), 'ranges.csv');
  assert.equal(uploadName('a\nb.csv'), 'ab.csv');
  assert.equal(uploadName(undefined), 'upload');
  assert.equal(uploadName('..'), 'upload');
  assert.equal(uploadName('x'.repeat(300)).length, 255);
});

test('file references: an upload of the caller\'s session; a path only for a caller that may name local files; ids found in any input', async () => {
  const store = UploadStore.open({ parent });
  const receipt = await store.receive(chunks('11.0.0.1\n'), { name: 'r.txt', owner: 's', maxBytes: 100 });
  const resolved = resolveFile(store, { upload: receipt.upload }, { uploadOwner: 's' });
  assert.deepEqual({ name: resolved.name, folder: resolved.folder }, { name: 'r.txt', folder: null });
  refusal(() => resolveFile(store, { path: '/etc/passwd' }, { uploadOwner: 's' }), 'forbidden', /the file names a file on the server by its path, which only the command line may do/);
  refusal(() => resolveFile(store, { path: '/etc/passwd' }, { localFiles: false }, 'the bundle'), 'forbidden', /^the bundle names a file/);
  assert.deepEqual(resolveFile(store, { path: '/etc/hostname' }, { localFiles: true }), { path: '/etc/hostname', name: '/etc/hostname', folder: '/etc' });
  refusal(() => resolveLocalFolder({ upload: receipt.upload }, { localFiles: true }, 'the snapshot'), 'forbidden', /a folder on this computer/);
  refusal(() => resolveLocalFolder({ path: '/srv/snapshots/1' }, {}, 'the snapshot'), 'forbidden', /only the command line/);
  assert.deepEqual(uploadsIn({ bundle: { upload: receipt.upload }, files: { 'm.csv': { upload: 'B'.repeat(32) } }, list: 'RBL', other: { path: '/x' } }), [receipt.upload, 'B'.repeat(32)]);
  assert.deepEqual(uploadsIn({ files: [{ upload: 'C'.repeat(32) }, { upload: 'short' }] }), ['C'.repeat(32)]);
  store.close();
});
