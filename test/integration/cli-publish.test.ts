/**
 * `repdesk keygen`, `publish`, `verify` and `install` through runCli: exit codes (0 ok, 1 failed,
 * 2 wrong usage), messages, and that a refused publish writes nothing. Encrypted keys use
 * minisign's scrypt cost (1 GiB, seconds per operation): only four such operations here.
 */
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { runCli } from '../../main/cli/main.js';
import { formatKeyId, parsePublicKey, parseSecretKey } from '../../main/core/snapshot/index.js';

const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
/** dist/test/integration -> the package root. */
const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bin', 'repdesk.js');

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly error: string[];
}

/** Run the CLI in this process with the given environment overrides (restored after). */
async function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const names = ['REPDESK_DB', 'REPDESK_ACTOR', 'REPDESK_KEY_PASSPHRASE', ...Object.keys(env)];
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
  const out: string[] = [];
  const error: string[] = [];
  try {
    const code = await runCli(args, { out: (line) => out.push(...line.split('\n')), error: (line) => error.push(...line.split('\n')) });
    return { code, out, error };
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Run the CLI in this process as at a terminal: each question asked is answered with the next of `answers`. */
async function cliAnswering(answers: string[], args: readonly string[]): Promise<Run & { questions: string[] }> {
  const out: string[] = [];
  const error: string[] = [];
  const questions: string[] = [];
  const code = await runCli(args, {
    out: (line) => out.push(...line.split('\n')),
    error: (line) => error.push(...line.split('\n')),
    prompt: async (question) => {
      questions.push(question);
      return answers.shift() ?? '';
    },
  });
  return { code, out, error, questions };
}

/** Run the real `bin/repdesk.js` in a child process as another user (root's permissions do not bite). */
function spawnAs(uid: number, args: readonly string[]): Run {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('REPDESK_')) env[name] = value;
  env.REPDESK_LOG_LEVEL = 'error';
  env.XDG_CONFIG_HOME = join(tmpdir(), 'repdesk-cli-no-default-db');
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000, uid, gid: uid });
  if (result.error) throw result.error;
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  return { code: result.status ?? -1, out: lines(result.stdout), error: lines(result.stderr) };
}

function assertCode(run: Run, code: number, message?: RegExp): void {
  assert.equal(run.code, code, `exit code; stdout: ${run.out.join('\n')}; stderr: ${run.error.join('\n')}`);
  if (message) {
    assert.match(run.error[0] ?? '', /^repdesk: /);
    assert.match(run.error[0], message);
  }
}

describe('repdesk keygen / publish / verify / install', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-publish-'));
  const database = join(folder, 'repdesk.sqlite');
  const db = ['--db', database];
  const keys = join(folder, 'keys');
  const passphraseFile = join(folder, 'passphrase');
  const wrongPassphraseFile = join(folder, 'wrong-passphrase');
  const encryptedKey = join(keys, 'encrypted.key');
  const envKey = join(keys, 'env.key');
  const clearKey = join(keys, 'clear.key');
  const out = join(folder, 'snapshots');

  function snapshotRows(): number {
    const handle = new Database(database, { readonly: true });
    try {
      return (handle.prepare('SELECT count(*) AS count FROM snapshots').get() as { count: number }).count;
    } finally {
      handle.close();
    }
  }

  before(async () => {
    mkdirSync(keys);
    writeFileSync(passphraseFile, 'correct horse battery staple\n');
    writeFileSync(wrongPassphraseFile, 'wrong horse\n');
    for (const args of [
      ['investigator', 'add', 'admin', '--roles', 'investigator'],
      ['--actor', 'admin', 'investigator', 'add', 'pat', '--roles', 'publisher'],
      ['--actor', 'admin', 'listing', 'add', '45.10.0.1', '--list', 'RBL', '--reason', 'spam-source'],
      ['--actor', 'admin', 'listing', 'add', '2a01:4f8::/32', '--list', 'RBL', '--reason', 'open-relay'],
    ]) {
      const run = await cli([...db, ...args]);
      assert.equal(run.code, 0, run.error.join('\n'));
    }
  });

  after(() => {
    try {
      chmodSync(join(folder, 'locked'), 0o755);
    } catch {
      // not created
    }
    rmSync(folder, { recursive: true, force: true });
  });

  describe('keygen', () => {
    test('--passphrase-file: an encrypted secret key (mode 600) and a public key; --json shape', async () => {
      const run = await cli(['keygen', '--out', encryptedKey, '--passphrase-file', passphraseFile, '--json']);
      assertCode(run, 0);
      const result = JSON.parse(run.out.join('\n')) as { keyId: string; secretKey: string; publicKey: string };
      assert.deepEqual(Object.keys(result).sort(), ['keyId', 'publicKey', 'secretKey']);
      assert.match(result.keyId, /^[1-9A-F][0-9A-F]{0,15}$/);
      assert.equal(result.secretKey, encryptedKey);
      assert.equal(result.publicKey, `${encryptedKey}.pub`);
      assert.equal(statSync(encryptedKey).mode & 0o777, 0o600);
      assert.match(readFileSync(`${encryptedKey}.pub`, 'utf8'), /^untrusted comment: .*\n[A-Za-z0-9+/=]{56}\n$/);
      // Encrypted: without a passphrase it does not open (this fails before any scrypt work).
      assert.throws(() => parseSecretKey(readFileSync(encryptedKey, 'utf8'), null), /passphrase required/);
    });

    test('REPDESK_KEY_PASSPHRASE: an encrypted key too', async () => {
      const run = await cli(['keygen', '--out', envKey], { REPDESK_KEY_PASSPHRASE: 'from the environment' });
      assertCode(run, 0);
      assert.match(run.out[0], new RegExp(`^key [1-9A-F][0-9A-F]{0,15}: secret key ${envKey.replace(/[.]/g, '\\.')}, public key ${envKey.replace(/[.]/g, '\\.')}\\.pub$`));
      assert.throws(() => parseSecretKey(readFileSync(envKey, 'utf8'), null), /passphrase required/);
    });

    test('--unencrypted: a clear key that opens without a passphrase', async () => {
      const run = await cli(['keygen', '--out', clearKey, '--unencrypted']);
      assertCode(run, 0);
      const pair = parseSecretKey(readFileSync(clearKey, 'utf8'), null);
      assert.equal(pair.keyId.length, 8);
    });

    test('no passphrase and no --unencrypted: exit 2, nothing written', async () => {
      const path = join(keys, 'none.key');
      const run = await cli(['keygen', '--out', path]);
      assertCode(run, 2, /--passphrase-file FILE or REPDESK_KEY_PASSPHRASE .* or --unencrypted/);
      assert.match(run.error[1], /^Usage: repdesk keygen/);
      assert.equal(existsSync(path), false);
      assert.equal(existsSync(`${path}.pub`), false);
    });

    test('missing --out: exit 2; an unreadable passphrase file: exit 1', async () => {
      assertCode(await cli(['keygen', '--unencrypted']), 2, /--out is required/);
      const path = join(keys, 'nopass.key');
      assertCode(await cli(['keygen', '--out', path, '--passphrase-file', join(folder, 'no-such-file')]), 1, /cannot read the passphrase file .*no-such-file: ENOENT/);
      assert.equal(existsSync(path), false);
    });

    test('refuses to overwrite an existing key (secret or public): exit 1, files untouched', async () => {
      const secret = readFileSync(clearKey);
      const publicKey = readFileSync(`${clearKey}.pub`);
      assertCode(await cli(['keygen', '--out', clearKey, '--unencrypted']), 1, /already exists: refusing to overwrite a key/);
      assert.deepEqual(readFileSync(clearKey), secret);
      assert.deepEqual(readFileSync(`${clearKey}.pub`), publicKey);
      // Only the .pub is there: still refused, and no secret key is written beside it.
      const orphan = join(keys, 'orphan.key');
      writeFileSync(`${orphan}.pub`, 'x');
      assertCode(await cli(['keygen', '--out', orphan, '--unencrypted']), 1, /orphan\.key\.pub already exists/);
      assert.equal(existsSync(orphan), false);
    });
  });

  describe('publish', () => {
    test('with the encrypted key and the right passphrase: published; --json output shape', async () => {
      const run = await cli([...db, '--actor', 'pat', 'publish', '--out', out, '--key', encryptedKey, '--passphrase-file', passphraseFile, '--json']);
      assertCode(run, 0);
      const result = JSON.parse(run.out.join('\n')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(result).sort(), [
        'approvedBy',
        'changes',
        'files',
        'keyId',
        'listingsInForce',
        'needsApproval',
        'path',
        'preparedBy',
        'published',
        'safety',
        'serial',
        'zone',
      ]);
      assert.equal(result.published, true);
      assert.equal(typeof result.serial, 'number');
      assert.match(String(result.serial), /^\d{8}\d{2}$/);
      assert.equal(result.path, join(out, String(result.serial)));
      assert.equal(result.zone, 'bl.example');
      assert.equal(result.preparedBy, 'pat');
      assert.equal(result.approvedBy, null);
      assert.equal(result.needsApproval, false);
      assert.equal(result.changes, null);
      assert.deepEqual(result.listingsInForce, { RBL: 2, DUL: 0, QIL: 0, MML: 0, GAL: 0 });
      assert.equal(result.keyId, formatKeyId(parsePublicKey(readFileSync(`${encryptedKey}.pub`, 'utf8')).keyId), 'the key id is the one of the key pair');
      const safety = result.safety as Array<{ name: string; status: string; message: string; items: string[] }>;
      assert.deepEqual(safety.map((check) => [check.name, check.status]), [
        ['test-points', 'pass'],
        ['no-whole-space', 'pass'],
        ['special-space', 'pass'],
        ['gal-conflicts', 'pass'],
        ['change-size', 'pass'],
      ]);
      const files = result.files as Array<Record<string, unknown>>;
      assert.equal(files.length, 22);
      assert.deepEqual(Object.keys(files[0]).sort(), ['dataset', 'entries', 'family', 'format', 'origin', 'path', 'sha256', 'size', 'zone']);
      assert.ok(existsSync(join(out, 'current', 'manifest.json')));
      assert.equal(snapshotRows(), 1);
    });

    test('the text output names the snapshot and every check', async () => {
      const run = await cli([...db, '--actor', 'pat', 'publish', '--out', out, '--key', clearKey]);
      assertCode(run, 0);
      assert.match(run.out[0], /^published snapshot \d{10} of bl\.example at .* \(key [1-9A-F][0-9A-F]{0,15}\)$/);
      for (const name of ['test-points', 'no-whole-space', 'special-space', 'gal-conflicts', 'change-size']) {
        assert.ok(run.out.some((line) => line.includes(`PASS`) && line.includes(`${name}:`)), name);
      }
      assert.equal(snapshotRows(), 2);
    });

    test('a wrong passphrase: exit 1 naming the passphrase problem, nothing written', async () => {
      const target = join(folder, 'never');
      const run = await cli([...db, '--actor', 'pat', 'publish', '--out', target, '--key', encryptedKey, '--passphrase-file', wrongPassphraseFile]);
      assertCode(run, 1, /secret key .*encrypted\.key: wrong passphrase/);
      assert.equal(run.error.length, 1);
      assert.equal(existsSync(target), false);
      assert.equal(snapshotRows(), 2);
    });

    test('an encrypted key and no passphrase at all: exit 1, "passphrase required"', async () => {
      const target = join(folder, 'never');
      assertCode(await cli([...db, '--actor', 'pat', 'publish', '--out', target, '--key', envKey]), 1, /passphrase required/);
      assert.equal(existsSync(target), false);
    });

    test('a missing key file: exit 1 naming it', async () => {
      assertCode(await cli([...db, '--actor', 'pat', 'publish', '--out', out, '--key', join(keys, 'nope.key')]), 1, /secret key .*nope\.key: no such file/);
    });

    test('missing --out or --key: exit 2 with the usage', async () => {
      // Global options after the command words (see the report: before them, the usage line is not found).
      const noOut = await cli(['publish', '--key', clearKey, ...db, '--actor', 'pat']);
      assertCode(noOut, 2, /--out is required/);
      assert.match(noOut.error[1], /^Usage: repdesk publish --out DIR --key FILE/);
      assertCode(await cli([...db, '--actor', 'pat', 'publish', '--out', out]), 2, /--key is required/);
      assertCode(await cli([...db, '--actor', 'pat', 'publish', '--out', out, '--key', clearKey, '--bogus']), 2, /bogus/);
    });

    test('a non-publisher: exit 1, nothing written', async () => {
      const target = join(folder, 'never');
      assertCode(await cli([...db, '--actor', 'admin', 'publish', '--out', target, '--key', clearKey]), 1, /does not have the publisher role/);
      assertCode(await cli([...db, 'publish', '--out', target, '--key', clearKey]), 1, /needs the publisher role/);
      assert.equal(existsSync(target), false);
      assert.equal(snapshotRows(), 2);
    });

    test('an unwritable --out (under a regular file; and, when not root, under a read-only folder): exit 1, clear message', async () => {
      const file = join(folder, 'a-file');
      writeFileSync(file, 'not a folder');
      const run = await cli([...db, '--actor', 'pat', 'publish', '--out', join(file, 'sub'), '--key', clearKey]);
      assertCode(run, 1, /cannot write into .*a-file\/sub: it, or a folder above it, is a file, not a folder/);
      assert.equal(run.error.length, 1);
      // --out naming the file itself.
      assertCode(await cli([...db, '--actor', 'pat', 'publish', '--out', file, '--key', clearKey]), 1, /cannot write into .*a-file: .*is a file, not a folder/);
      assert.equal(snapshotRows(), 2);
      assert.equal(readFileSync(file, 'utf8'), 'not a folder');

      const locked = join(folder, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      if (!IS_ROOT) {
        const lockedRun = await cli([...db, '--actor', 'pat', 'publish', '--out', join(locked, 'snapshots'), '--key', clearKey]);
        assertCode(lockedRun, 1, /cannot write into .*locked\/snapshots: permission denied/);
        assert.deepEqual(readdirSync(locked), []);
        assert.equal(snapshotRows(), 2);
      }
    });

    test('an unwritable --out, as a user without the permission: exit 1, "permission denied"', async (context) => {
      if (!IS_ROOT) {
        context.skip('covered in-process by the test above when not root');
        return;
      }
      const probe = spawnAs(NOBODY, ['--help']);
      if (probe.code !== 0) {
        context.skip(`running as root and the CLI cannot run as uid ${NOBODY}: ${probe.error.join(' ')}`);
        return;
      }
      chmodSync(folder, 0o755);
      const shared = join(folder, 'shared');
      mkdirSync(shared, { mode: 0o777 });
      chmodSync(shared, 0o777);
      const sharedDb = join(shared, 'db.sqlite');
      const key = join(shared, 'clear.key');
      writeFileSync(key, readFileSync(clearKey), { mode: 0o644 });
      chmodSync(key, 0o644);
      assertCode(spawnAs(NOBODY, ['investigator', 'add', 'pat', '--roles', 'publisher', '--db', sharedDb]), 0);
      const refusedRun = spawnAs(NOBODY, ['publish', '--out', join(folder, 'locked', 'snapshots'), '--key', key, '--db', sharedDb, '--actor', 'pat']);
      assertCode(refusedRun, 1, /cannot write into .*locked\/snapshots: permission denied/);
      assert.equal(refusedRun.error.length, 1, refusedRun.error.join('\n'));
      assert.deepEqual(readdirSync(join(folder, 'locked')), []);
      // The control: the same publish into a folder nobody may write works (the refusal was the permission).
      const control = spawnAs(NOBODY, ['publish', '--out', join(shared, 'snapshots'), '--key', key, '--db', sharedDb, '--actor', 'pat']);
      assertCode(control, 0);
    });

    test('at a terminal it shows what the next snapshot holds and asks first: no answer or no publishes nothing, yes publishes, --yes does not ask', async () => {
      const publish = [...db, '--actor', 'pat', 'publish', '--out', out, '--key', clearKey];
      const before = snapshotRows();
      for (const answer of ['n', '']) {
        const declined = await cliAnswering([answer], publish);
        assertCode(declined, 1);
        assert.match(declined.error.at(-1) ?? '', /^repdesk: not published: not confirmed \(nothing was written\)/);
        assert.equal(declined.questions.length, 1);
        assert.match(declined.questions[0], /^Sign it with key [0-9A-F]+ and publish it\? \[y\/N\] $/);
        assert.ok(declined.error.some((line) => /^the next snapshot of bl\.example, after snapshot .*, into /.test(line)), declined.error.join('\n'));
        assert.ok(declined.error.includes('listings in force: RBL 2, DUL 0, QIL 0, MML 0, GAL 0'), declined.error.join('\n'));
        assert.ok(declined.error.includes('safety checks:'));
        assert.equal(snapshotRows(), before, 'nothing published');
      }
      const confirmed = await cliAnswering(['y'], publish);
      assertCode(confirmed, 0);
      assert.equal(confirmed.questions.length, 1);
      assert.equal(snapshotRows(), before + 1);
      const unasked = await cliAnswering([], [...publish, '--yes']);
      assertCode(unasked, 0);
      assert.deepEqual(unasked.questions, [], '--yes: not asked');
      assert.equal(snapshotRows(), before + 2);
    });
  });

  describe('verify', () => {
    test('a good snapshot: exit 0 (text and --json)', async () => {
      const run = await cli(['verify', join(out, 'current'), '--pubkey', `${encryptedKey}.pub`, '--pubkey', `${clearKey}.pub`]);
      assertCode(run, 0);
      assert.match(run.out[0], /^snapshot \d{10} of bl\.example: signature by [1-9A-F][0-9A-F]{0,15} good, 22 files intact, expires \d{4}-/);
      const json = await cli(['verify', join(out, 'current'), '--pubkey', `${clearKey}.pub`, '--json']);
      assertCode(json, 0);
      const result = JSON.parse(json.out.join('\n')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(result).sort(), ['expires', 'files', 'keyId', 'ok', 'serial', 'zone']);
      assert.equal(result.ok, true);
      assert.equal(result.files, 22);
    });

    test('signed by another key than the trusted one: exit 1', async () => {
      // current was signed with the clear key; only the encrypted one's public key is trusted.
      assertCode(await cli(['verify', join(out, 'current'), '--pubkey', `${encryptedKey}.pub`]), 1, /manifest\.json: /);
    });

    test('a missing public key file: exit 1 naming it', async () => {
      const missing = join(keys, 'missing.pub');
      const run = await cli(['verify', join(out, 'current'), '--pubkey', missing]);
      assertCode(run, 1, /public key .*missing\.pub: no such file/);
    });

    test('no --pubkey: exit 1', async () => {
      assertCode(await cli(['verify', join(out, 'current')]), 1, /--pubkey/);
    });

    test('no folder argument: exit 2', async () => {
      assertCode(await cli(['verify', '--pubkey', `${clearKey}.pub`]), 2, /missing argument/);
    });

    test('a tampered snapshot: exit 1', async () => {
      const current = readdirSync(out).filter((name) => /^\d+$/.test(name)).sort().at(-1) as string;
      const copy = join(folder, 'tampered');
      mkdirSync(copy);
      for (const name of readdirSync(join(out, current))) writeFileSync(join(copy, name), readFileSync(join(out, current, name)));
      writeFileSync(join(copy, 'rbl.ip4trie'), `${readFileSync(join(copy, 'rbl.ip4trie'), 'utf8')}1.1.1.1/32\n`);
      assertCode(await cli(['verify', copy, '--pubkey', `${clearKey}.pub`]), 1, /rbl\.ip4trie is \d+ bytes, the manifest says/);
    });
  });

  describe('audit verify against a signed snapshot', () => {
    test('--snapshot DIR --pubkey FILE: the history holds the event the snapshot recorded (exit 0); without --pubkey exit 1', async () => {
      const manifest = JSON.parse(readFileSync(join(out, 'current', 'manifest.json'), 'utf8')) as { serial: number; history: { event: number }; checkpoint: { event: number; at: string } };
      assert.equal(manifest.checkpoint.event, manifest.history.event);
      const run = await cli([...db, 'audit', 'verify', '--snapshot', join(out, 'current'), '--pubkey', `${clearKey}.pub`]);
      assertCode(run, 0);
      const event = manifest.history.event;
      const signed = `\\(signed ${manifest.checkpoint.at.replace(/\./g, '\\.')}\\)`;
      assert.match(
        run.out[0],
        new RegExp(
          `^history intact: \\d+ events, chain verified; holds event \\d+ as checkpoint file \\(newest of \\d+\\) recorded it \\(signed \\S+\\); ` +
            `event ${event} as snapshot \\d+ recorded it ${signed}; event ${event} as signed snapshot ${manifest.serial} recorded it ${signed}$`,
        ),
      );
      const json = await cli([...db, 'audit', 'verify', '--snapshot', join(out, 'current'), '--pubkey', `${clearKey}.pub`, '--json']);
      assertCode(json, 0);
      assert.deepEqual((JSON.parse(json.out.join('\n')) as { anchors: unknown[] }).anchors.at(-1), { source: `signed snapshot ${manifest.serial}`, event, signedAt: manifest.checkpoint.at });
      assertCode(await cli([...db, 'audit', 'verify', '--snapshot', join(out, 'current')]), 1, /needs --pubkey FILE/);
    });
  });

  describe('install', () => {
    test('without --into: exit 2', async () => {
      const run = await cli(['install', join(out, 'current'), '--pubkey', `${clearKey}.pub`]);
      assertCode(run, 2, /--into is required/);
      assert.match(run.error[1], /^Usage: repdesk install DIR --into TARGET/);
    });

    test('installs, then refuses the same serial again (exit 1)', async () => {
      const target = join(folder, 'dns');
      const run = await cli(['install', join(out, 'current'), '--into', target, '--pubkey', `${clearKey}.pub`, '--json']);
      assertCode(run, 0);
      const result = JSON.parse(run.out.join('\n')) as { serial: number; previousSerial: number | null; path: string; files: number };
      assert.equal(result.previousSerial, null);
      assert.equal(result.files, 22);
      assert.equal(result.path, join(target, String(result.serial)));
      assert.ok(existsSync(join(target, 'current', 'manifest.json')));
      assertCode(await cli(['install', join(out, 'current'), '--into', target, '--pubkey', `${clearKey}.pub`]), 1, /refusing a rollback/);
    });

    test('a missing public key file: exit 1, nothing installed', async () => {
      const target = join(folder, 'dns-2');
      assertCode(await cli(['install', join(out, 'current'), '--into', target, '--pubkey', join(keys, 'missing.pub')]), 1, /missing\.pub: no such file/);
      assert.equal(existsSync(join(target, 'current')), false);
    });
  });

  test('--help for keygen, publish, verify and install: exit 0 with the usage', async () => {
    for (const command of ['keygen', 'publish', 'verify', 'install']) {
      const run = await cli([command, '--help']);
      assertCode(run, 0);
      assert.match(run.out[0], new RegExp(`^Usage: repdesk ${command} `));
      assert.deepEqual(run.error, []);
    }
  });
});
