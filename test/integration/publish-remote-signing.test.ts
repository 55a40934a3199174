/**
 * Publishing signed on the publisher's computer, end to end against a real server process
 * (`repdesk serve`, which speaks the team server's `POST /api/<operation>` + bearer protocol) and
 * the real minisign 0.11: the server prepares, stock `minisign -S` signs the manifest bytes it
 * answered with the key minisign made, the server checks the signature against the publisher's
 * registered keys and switches; stock `minisign -V` verifies what went live. A signature by an
 * unregistered key, or over another manifest, is refused and nothing switches; a prepared snapshot
 * never committed expires and is rolled back, and one left by a killed server is rolled back when
 * it starts again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PreparedPublish, PublishResult } from '../../shared/publishing.js';
import { describeRun, repdesk, runProgram } from './support/cli.js';
import { startServe, type ServeProcess } from './support/serve.js';

describe('remote signing against a real server process and the real minisign', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-remote-signing-'));
  const database = join(folder, 'repdesk.sqlite');
  const out = join(folder, 'snapshots');
  let server: ServeProcess;

  function minisignKey(name: string): { pub: string; key: string; keyId: string } {
    const pub = join(folder, `${name}.pub`);
    const key = join(folder, `${name}.key`);
    const made = runProgram('minisign', ['-G', '-W', '-p', pub, '-s', key]);
    assert.equal(made.code, 0, describeRun(made));
    return { pub, key, keyId: /minisign public key ([0-9A-F]+)/.exec(readFileSync(pub, 'utf8'))?.[1] ?? '' };
  }

  /** What the publisher's computer does: stock minisign signs the bytes the server answered, with the trusted comment it asks for. */
  function minisignSign(key: string, manifest: string, trustedComment: string, name: string): string {
    const file = join(folder, name);
    writeFileSync(file, Buffer.from(manifest, 'base64'));
    const signed = runProgram('minisign', ['-S', '-s', key, '-m', file, '-x', `${file}.minisig`, '-t', trustedComment]);
    assert.equal(signed.code, 0, describeRun(signed));
    return readFileSync(`${file}.minisig`, 'utf8');
  }

  async function value<T>(name: string, body: unknown): Promise<T> {
    const answer = await server.call(name, body);
    assert.ok(answer.result.ok, `${name}: ${JSON.stringify(answer.result)}\n${server.log()}`);
    assert.equal(answer.status, 200);
    return answer.result.value as T;
  }

  async function refusedWith(name: string, body: unknown, status: number, message: RegExp): Promise<void> {
    const answer = await server.call(name, body);
    assert.equal(answer.result.ok, false, JSON.stringify(answer.result));
    assert.equal(answer.status, status, JSON.stringify(answer.result));
    assert.match(answer.result.ok ? '' : answer.result.error.message, message);
  }

  function snapshotRows(): Array<{ serial: number; state: string }> {
    const db = new Database(database, { readonly: true });
    try {
      return db.prepare('SELECT serial, state FROM snapshots ORDER BY serial').all() as Array<{ serial: number; state: string }>;
    } finally {
      db.close();
    }
  }

  const current = () => (existsSync(join(out, 'current')) ? readlinkSync(join(out, 'current')) : null);
  const leftovers = () => readdirSync(out).filter((name) => name.startsWith('.incoming-'));

  let pia: ReturnType<typeof minisignKey>;
  let stranger: ReturnType<typeof minisignKey>;

  before(async () => {
    pia = minisignKey('pia');
    stranger = minisignKey('stranger');
    for (const args of [
      ['--actor', 'Ada', 'investigator', 'add', 'Ada', '--roles', 'admin,investigator'],
      ['--actor', 'Ada', 'investigator', 'add', 'Pia', '--roles', 'publisher,investigator'],
      ['--actor', 'Ada', 'keys', 'register', pia.pub, '--publisher', 'Pia'],
      ['--actor', 'Ada', 'settings', 'set', 'publish', JSON.stringify({ outDir: out, signWithinSeconds: 5 })],
      ['--actor', 'Pia', 'listing', 'add', '45.20.0.0/24', '--list', 'RBL', '--reason', 'spam-source'],
      ['--actor', 'Pia', 'listing', 'add', '2a02:20::/48', '--list', 'RBL', '--reason', 'spam-source'],
    ]) {
      const run = await repdesk(['--db', database, ...args]);
      assert.equal(run.code, 0, describeRun(run));
    }
    server = await startServe(database, 'Pia');
  });

  after(async () => {
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test('minisign signs what the server prepared; the server switches only then; minisign -V verifies what went live', async () => {
    const prepared = await value<PreparedPublish>('publish.prepare', { keyId: pia.keyId });
    assert.equal(prepared.prepared, true);
    assert.equal(prepared.keyId, pia.keyId);
    assert.equal(current(), null, 'nothing switched before the signature');
    const signature = minisignSign(pia.key, prepared.manifest as string, prepared.trustedComment as string, 'first.json');
    const published = await value<PublishResult>('publish.commit', { serial: prepared.serial, signature });
    assert.equal(published.published, true);
    assert.equal(current(), String(prepared.serial));
    const live = join(out, 'current', 'manifest.json');
    assert.ok(readFileSync(live).equals(Buffer.from(prepared.manifest as string, 'base64')));
    const verified = runProgram('minisign', ['-V', '-p', pia.pub, '-m', live]);
    assert.equal(verified.code, 0, describeRun(verified));
    assert.ok(verified.out.some((line) => line === `Trusted comment: ${prepared.trustedComment}`), describeRun(verified));
    const checked = await repdesk(['verify', join(out, 'current'), '--pubkey', pia.pub]);
    assert.equal(checked.code, 0, describeRun(checked));
    assert.deepEqual(snapshotRows(), [{ serial: prepared.serial, state: 'live' }]);
  });

  test('a signature by an unregistered key, or over another manifest, is refused and nothing switches', async () => {
    const live = current();
    const first = readFileSync(join(out, 'current', 'manifest.json'));
    await value('listings.add', { range: '45.20.1.0/24', list: 'RBL', reason: 'spam-source' });
    const prepared = await value<PreparedPublish>('publish.prepare', { keyId: pia.keyId });
    const byStranger = minisignSign(stranger.key, prepared.manifest as string, prepared.trustedComment as string, 'stranger.json');
    await refusedWith('publish.commit', { serial: prepared.serial, signature: byStranger }, 403, new RegExp(`key ${stranger.keyId}, which is not among the trusted keys \\(${pia.keyId}\\)`));
    const overAnother = minisignSign(pia.key, first.toString('base64'), prepared.trustedComment as string, 'another.json');
    await refusedWith('publish.commit', { serial: prepared.serial, signature: overAnother }, 403, /the message does not match the signature/);
    assert.equal(current(), live, 'nothing switched');
    assert.deepEqual(snapshotRows().map((row) => row.state), ['live', 'prepared'], 'the prepared snapshot still waits for the right signature');
    const right = minisignSign(pia.key, prepared.manifest as string, prepared.trustedComment as string, 'second.json');
    assert.equal((await value<PublishResult>('publish.commit', { serial: prepared.serial, signature: right })).published, true);
    assert.equal(current(), String(prepared.serial));
  });

  test('a prepared snapshot never committed expires and is rolled back; one a killed server left is rolled back at its next start', async () => {
    const live = current();
    await value('listings.add', { range: '45.20.2.0/24', list: 'RBL', reason: 'spam-source' });
    const prepared = await value<PreparedPublish>('publish.prepare', { keyId: pia.keyId });
    assert.equal(leftovers().length, 1, 'its files wait in the output folder');
    const signature = minisignSign(pia.key, prepared.manifest as string, prepared.trustedComment as string, 'late.json');
    // publish.signWithinSeconds is 5 here.
    await new Promise((resolve) => setTimeout(resolve, Date.parse(prepared.signBefore as string) - Date.now() + 1500));
    assert.deepEqual(snapshotRows().map((row) => row.state), ['live', 'live'], 'rolled back when its time ran out, without any call');
    assert.deepEqual(leftovers(), []);
    await refusedWith('publish.commit', { serial: prepared.serial, signature }, 404, /was not signed by Pia before .*; it expired and was rolled back/);
    assert.equal(current(), live);

    const again = await value<PreparedPublish>('publish.prepare', { keyId: pia.keyId });
    assert.deepEqual(snapshotRows().map((row) => row.state), ['live', 'live', 'prepared']);
    await server.kill();
    server = await startServe(database, 'Pia');
    assert.deepEqual(snapshotRows().map((row) => row.state), ['live', 'live'], 'rolled back when the server started again');
    assert.deepEqual(leftovers(), []);
    assert.equal(current(), live);
    const signed = minisignSign(pia.key, again.manifest as string, again.trustedComment as string, 'killed.json');
    await refusedWith('publish.commit', { serial: again.serial, signature: signed }, 404, /no prepared snapshot .* is waiting/);
    const db = new Database(database, { readonly: true });
    try {
      const reasons = (db.prepare("SELECT reason FROM events WHERE action = 'snapshot.reconciled' ORDER BY id").all() as Array<{ reason: string }>).map((row) => row.reason);
      assert.match(reasons[0], new RegExp(`snapshot ${prepared.serial} was not signed by Pia before`));
      assert.match(reasons[1], new RegExp(`snapshot ${again.serial} was never written whole|snapshot ${again.serial} was written`));
    } finally {
      db.close();
    }
  });
});
