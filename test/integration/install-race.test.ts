/**
 * `repdesk install` installs what it checked: a file swapped in the source after the check has
 * begun (the race of issue 15 §2: `dul.ip4trie` replaced as the install starts copying, held
 * there deterministically by the test-only REPDESK_TEST_PAUSE_AT hook) makes the install fail
 * naming the file, with TARGET/current unchanged; symlinks in a snapshot, to a file inside it or
 * outside, are refused by name by `verify` and `install`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, repdesk } from './support/cli.js';
import { describeChild, pauseAt, startChild } from './support/processes.js';

describe('install: hashes what it copies, never follows a symlink', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-install-race-'));
  const database = join(folder, 'repdesk.sqlite');
  const key = join(folder, 'repdesk.key');
  const out = join(folder, 'snapshots');
  const target = join(folder, 'dns-host');
  const db = ['--db', database];
  let first = 0;
  let second = 0;

  const must = async (args: readonly string[]) => {
    const run = await repdesk(args);
    assert.equal(run.code, 0, `repdesk ${args.join(' ')}: ${describeRun(run)}`);
    return run;
  };
  const publish = async () => {
    await must([...db, '--actor', 'pat', 'publish', '--out', out, '--key', key]);
    return Number(readlinkSync(join(out, 'current')));
  };
  const installed = () => (existsSync(join(target, 'current')) ? Number(readlinkSync(join(target, 'current'))) : null);

  before(async () => {
    await must(['keygen', '--out', key, '--unencrypted']);
    await must([...db, 'investigator', 'add', 'admin', '--roles', 'investigator,liaison,publisher']);
    await must([...db, '--actor', 'admin', 'investigator', 'add', 'pat', '--roles', 'publisher']);
    await must([...db, '--actor', 'admin', 'listing', 'add', '45.30.0.1', '--list', 'RBL', '--reason', 'spam-source']);
    first = await publish();
    await must(['install', join(out, 'current'), '--into', target, '--pubkey', `${key}.pub`]);
    assert.equal(installed(), first);
    await must([...db, '--actor', 'admin', 'listing', 'add', '45.31.0.0/16', '--list', 'DUL', '--reason', 'dynamic']);
    second = await publish();
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('dul.ip4trie swapped once the install has checked the signature and started copying: refused by name, current unchanged', async () => {
    const source = join(out, String(second));
    const original = readFileSync(join(source, 'dul.ip4trie'));
    const pause = pauseAt('install-copy', join(folder, 'install-pause'));
    const child = startChild(['install', source, '--into', target, '--pubkey', `${key}.pub`], pause.env);
    await pause.reached(child.done);
    // The signature was checked; .incoming-* is in the target: now the swap.
    assert.ok(readdirSync(target).some((name) => name.startsWith('.incoming-')), 'the install is copying');
    writeFileSync(join(source, 'dul.ip4trie'), `${original.toString('utf8')}45.32.0.0/16\n`);
    pause.release();
    const run = await child.done;
    assert.equal(run.code, 1, describeChild(run));
    assert.match(run.error, /^repdesk: dul\.ip4trie is \d+ bytes, the manifest says \d+$/m);
    assert.equal(installed(), first, 'TARGET/current is unchanged');
    assert.deepEqual(readdirSync(target).filter((name) => name.startsWith('.')), [], 'no half-copied folder is left');
    assert.equal(existsSync(join(target, String(second))), false);

    // The same size, other bytes: named by its hash.
    writeFileSync(join(source, 'dul.ip4trie'), original.toString('utf8').replace('45.31.0.0/16', '45.31.0.0/17'));
    const sameSize = await repdesk(['install', source, '--into', target, '--pubkey', `${key}.pub`]);
    assert.equal(sameSize.code, 1, describeRun(sameSize));
    assert.match(sameSize.error[0], /^repdesk: dul\.ip4trie does not match its SHA-256 in the manifest \(the file was changed\)$/);
    assert.equal(installed(), first);

    writeFileSync(join(source, 'dul.ip4trie'), original);
    await must(['install', source, '--into', target, '--pubkey', `${key}.pub`]);
    assert.equal(installed(), second);
    await must(['verify', join(target, 'current'), '--pubkey', `${key}.pub`]);
  });

  test('a symlink in a snapshot, to a file inside it or out of it, is refused by name; nothing is installed', async () => {
    const copy = (name: string) => {
      const path = join(folder, name);
      cpSync(join(out, String(second)), path, { recursive: true });
      return path;
    };
    const targetOf = join(folder, 'dns-host-2');
    const inside = copy('symlink-inside');
    // Same bytes, reached through a link: still refused.
    cpSync(join(inside, 'rbl.ip4trie'), join(folder, 'rbl-outside.ip4trie'));
    rmSync(join(inside, 'rbl.ip4trie'));
    symlinkSync(join(folder, 'rbl-outside.ip4trie'), join(inside, 'rbl.ip4trie'));
    const outward = copy('symlink-passwd');
    rmSync(join(outward, 'gal.ip6trie'));
    symlinkSync('/etc/passwd', join(outward, 'gal.ip6trie'));
    const extra = copy('symlink-extra');
    symlinkSync('/etc/shadow', join(extra, 'evil'));
    const manifestLink = copy('symlink-manifest');
    cpSync(join(manifestLink, 'manifest.json'), join(folder, 'manifest-outside.json'));
    rmSync(join(manifestLink, 'manifest.json'));
    symlinkSync(join(folder, 'manifest-outside.json'), join(manifestLink, 'manifest.json'));
    for (const [snapshot, message] of [
      [inside, /^repdesk: rbl\.ip4trie is a symbolic link: refusing to follow it$/],
      [outward, /^repdesk: gal\.ip6trie is a symbolic link: refusing to follow it$/],
      [extra, /holds files the manifest does not list: evil \(a symbolic link\)$/],
      [manifestLink, /^repdesk: manifest\.json is a symbolic link: refusing to follow it$/],
    ] as const) {
      const verified = await repdesk(['verify', snapshot, '--pubkey', `${key}.pub`]);
      assert.equal(verified.code, 1, describeRun(verified));
      assert.match(verified.error[0], message);
      const install = await repdesk(['install', snapshot, '--into', targetOf, '--pubkey', `${key}.pub`]);
      assert.equal(install.code, 1, describeRun(install));
      assert.match(install.error[0], message);
      assert.equal(existsSync(join(targetOf, 'current')), false, `${snapshot}: nothing installed`);
    }
  });
});
