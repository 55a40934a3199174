import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { runCli } from '../../main/cli/main.js';
import { mulberry32, randomBytes } from '../unit/support/random.js';
import { LISTS } from '../../shared/domain.js';

/** dist/test/integration -> the package root. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(ROOT, 'bin', 'repdesk.js');
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly error: string[];
}

/** Run the CLI in this process, with optional environment overrides (restored after). */
async function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const saved = new Map<string, string | undefined>();
  for (const name of ['REPDESK_DB', 'REPDESK_ACTOR', ...Object.keys(env)]) saved.set(name, process.env[name]);
  delete process.env.REPDESK_DB;
  delete process.env.REPDESK_ACTOR;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
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

/** Run the real `bin/repdesk.js` in a child process. */
function spawnCli(args: readonly string[], options: { env?: Record<string, string>; uid?: number } = {}): Run {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('REPDESK_')) env[name] = value;
  env.REPDESK_LOG_LEVEL = 'error';
  env.XDG_CONFIG_HOME = join(tmpdir(), 'repdesk-cli-no-default-db'); // never the real data folder
  Object.assign(env, options.env ?? {});
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  if (result.error) throw result.error;
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  return { code: result.status ?? -1, out: lines(result.stdout), error: lines(result.stderr) };
}

function assertOneLineError(run: Run, message: RegExp): void {
  assert.equal(run.code, 1, `exit code; stderr: ${run.error.join('\n')}`);
  assert.ok(run.error.length >= 1, 'an error line');
  assert.match(run.error[0], /^repdesk: /);
  assert.match(run.error[0], message);
}

function assertUsage(run: Run, message: RegExp): void {
  assert.equal(run.code, 2, `exit code; stderr: ${run.error.join('\n')}`);
  assert.match(run.error[0], /^repdesk: /);
  assert.match(run.error[0], message);
  assert.match(run.error[1] ?? '', /^Usage: repdesk|Run "repdesk --help"/);
  assert.equal(run.error.length, 2);
}

describe('repdesk CLI', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-'));
  const database = join(folder, 'repdesk.sqlite');
  const files = join(folder, 'files');
  mkdirSync(files);
  const db = ['--db', database];
  const asIvan = [...db, '--actor', 'ivan'];

  function counts(): { listings: number; events: number; investigators: number } {
    const handle = new Database(database, { readonly: true });
    try {
      const count = (table: string) => (handle.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number }).count;
      return { listings: count('listings'), events: count('events'), investigators: count('investigators') };
    } finally {
      handle.close();
    }
  }

  /** Run a command that must fail, and check that it changed nothing. */
  async function refusedImport(name: string, content: string | Uint8Array | null, message: RegExp, extra: readonly string[] = []): Promise<Run> {
    const path = join(files, name);
    if (content !== null) writeFileSync(path, content);
    const before = counts();
    const run = await cli(['import', path, '--list', 'RBL', '--reason', 'spam-source', ...extra, ...asIvan]);
    assertOneLineError(run, message);
    assert.deepEqual(counts(), before, 'a refused import changed the database');
    return run;
  }

  before(async () => {
    for (const args of [
      ['investigator', 'add', 'admin', '--roles', 'investigator'],
      ['--actor', 'admin', 'investigator', 'add', 'ivan', '--roles', 'investigator'],
      ['--actor', 'admin', 'investigator', 'add', 'lia', '--roles', 'liaison'],
    ]) {
      const run = await cli([...db, ...args]);
      assert.equal(run.code, 0, run.error.join('\n'));
    }
  });

  after(() => {
    try {
      chmodSync(join(folder, 'locked'), 0o700);
    } catch {
      // not created
    }
    rmSync(folder, { recursive: true, force: true });
  });

  describe('exit codes of the real binary', () => {
    test('0 on success, with the output on stdout only', () => {
      const run = spawnCli(['lookup', '82.0.2.1', ...db]);
      assert.equal(run.code, 0, run.error.join('\n'));
      assert.deepEqual(run.out, ['82.0.2.1: not listed']);
      assert.deepEqual(run.error, []);
    });

    test('1 with a one-line error on a failed operation', () => {
      const run = spawnCli(['lookup', '82.0.2', ...db]);
      assertOneLineError(run, /"82\.0\.2": an IPv4 address needs exactly four decimal octets/);
      assert.equal(run.error.length, 1);
      assert.deepEqual(run.out, []);
      const forbidden = spawnCli(['listing', 'add', '82.0.2.1', '--list', 'RBL', '--reason', 'spam-source', ...db, '--actor', 'mallory']);
      assertOneLineError(forbidden, /"mallory" is not a known investigator/);
      assert.equal(forbidden.error.length, 1);
    });

    test('2 on wrong usage, with the usage line', () => {
      assertUsage(spawnCli(['frobnicate', ...db]), /unknown command "frobnicate"/);
      assertUsage(spawnCli(['lookup', ...db]), /missing argument/);
      assertUsage(spawnCli(['lookup', '82.0.2.1', '--colour', ...db]), /--colour/);
      assertUsage(spawnCli(['listing', 'add', '82.0.2.1', '--reason', 'spam-source', ...asIvan]), /--list is required/);
      assertUsage(spawnCli(['listing', 'add', '82.0.2.1', '--list', 'QIL', '--reason', 'botnet', '--level', 'high', ...asIvan]), /--level must be a whole number/);
      assertUsage(spawnCli(['listing', 'delist', 'seven', '--why', 'x', ...asIvan]), /ID must be a whole number/);
      assertUsage(spawnCli(['settings', 'set', 'qil', '{bad json', ...db, '--actor', 'admin']), /must be JSON/);
      const bare = spawnCli([]);
      assert.equal(bare.code, 2);
      assert.match(bare.out.join('\n'), /^Usage: repdesk/);
    });

    test('--help lists the commands, and --help works on every one of them without opening a database', () => {
      const fresh = join(folder, 'never-created.sqlite');
      const general = spawnCli(['--help'], { env: { REPDESK_DB: fresh } });
      assert.equal(general.code, 0);
      const commandsAt = general.out.indexOf('Commands:');
      assert.ok(commandsAt > 0, general.out.join('\n'));
      const names: string[] = [];
      for (const line of general.out.slice(commandsAt + 1)) {
        const match = /^ {2}(\S+(?: \S+)?) {2,}\S/.exec(line);
        if (!match) break;
        names.push(match[1]);
      }
      for (const expected of ['lookup', 'listing add', 'listing delist', 'listing show', 'import', 'audit verify', 'investigator add', 'settings set']) {
        assert.ok(names.includes(expected), `${expected} is listed: ${names.join(', ')}`);
      }
      for (const name of names) {
        const run = spawnCli([...name.split(' '), '--help'], { env: { REPDESK_DB: fresh } });
        assert.equal(run.code, 0, `${name} --help: ${run.error.join('\n')}`);
        assert.match(run.out[0], new RegExp(`^Usage: repdesk ${name}`), `${name} --help`);
        assert.ok(run.out.length >= 3, `${name} --help has a summary`);
        assert.deepEqual(run.error, []);
      }
      assert.equal(spawnCli(['-h', 'import'], { env: { REPDESK_DB: fresh } }).code, 0);
      assert.equal(existsSync(fresh), false, '--help must not create the database');
    });
  });

  describe('environment defaults', () => {
    test('REPDESK_DB and REPDESK_ACTOR stand in for --db and --actor; the options win', async () => {
      const viaEnv = spawnCli(['listing', 'add', '93.0.113.0/24', '--list', 'RBL', '--reason', 'open-relay', '--json'], { env: { REPDESK_DB: database, REPDESK_ACTOR: 'ivan' } });
      assert.equal(viaEnv.code, 0, viaEnv.error.join('\n'));
      const created = JSON.parse(viaEnv.out.join('\n')) as { listing: { id: number; investigator: string; range: string } };
      assert.equal(created.listing.investigator, 'ivan');
      assert.equal(created.listing.range, '93.0.113.0/24');

      // --actor beats REPDESK_ACTOR (lia has no investigator role: refused, so the option was used).
      const override = spawnCli(['listing', 'add', '93.0.114.0/24', '--list', 'RBL', '--reason', 'open-relay', '--actor', 'lia'], { env: { REPDESK_DB: database, REPDESK_ACTOR: 'ivan' } });
      assertOneLineError(override, /lia does not have the investigator role/);

      // --db beats REPDESK_DB: the other file has never heard of ivan.
      const other = join(folder, 'other.sqlite');
      const otherDb = spawnCli(['lookup', '93.0.113.1', '--db', other], { env: { REPDESK_DB: database } });
      assert.deepEqual(otherDb.out, ['93.0.113.1: not listed']);

      // In-process, the same defaults.
      const inProcess = await cli(['lookup', '93.0.113.1'], { REPDESK_DB: database });
      assert.equal(inProcess.code, 0);
      assert.match(inProcess.out[0], /93\.0\.113\.1: 1 listing/);
      const whoami = await cli(['listing', 'delist', String(created.listing.id), '--why', 'relay closed'], { REPDESK_DB: database, REPDESK_ACTOR: 'ivan' });
      assert.equal(whoami.code, 0, whoami.error.join('\n'));
      assert.match(whoami.out[0], /^delisted #\d+ RBL 93\.0\.113\.0\/24 delisted open-relay \(by ivan\)$/);
    });
  });

  describe('lookup', () => {
    test('--json has the documented shape', async () => {
      const dul = await cli(['listing', 'add', '88.51.0.0/16', '--list', 'DUL', '--reason', 'dynamic', ...db, '--actor', 'lia']);
      assert.equal(dul.code, 0, dul.error.join('\n'));
      const rbl = await cli(['listing', 'add', '88.51.100.0/24', '--list', 'rbl', '--reason', 'spam-source', '--txt', 'Spam source, see $', ...asIvan]);
      assert.equal(rbl.code, 0, rbl.error.join('\n'));
      assert.match(rbl.out[0], /^created #\d+ RBL 88\.51\.100\.0\/24 active spam-source \(by ivan\)$/);
      const run = await cli(['lookup', '::ffff:88.51.100.20', '--json', ...db]);
      assert.equal(run.code, 0);
      const result = JSON.parse(run.out.join('\n')) as Record<string, unknown> & { listings: Array<Record<string, unknown>> };
      assert.equal(result.ip, '88.51.100.20');
      assert.equal(result.family, 4);
      assert.ok(Array.isArray(result.notes) && (result.notes as string[]).some((note) => /IPv4-mapped/.test(note)));
      assert.equal(result.listings.length, 2);
      for (const listing of result.listings) {
        for (const key of ['id', 'list', 'range', 'status', 'reason', 'investigator', 'txt', 'level', 'expiresAt', 'createdAt']) assert.ok(key in listing, `listing has ${key}`);
        assert.equal(typeof listing.id, 'number');
      }
      assert.deepEqual(result.listings.map((listing) => [listing.list, listing.range, listing.status, listing.reason, listing.txt]), [
        ['DUL', '88.51.0.0/16', 'active', 'dynamic', null],
        ['RBL', '88.51.100.0/24', 'active', 'spam-source', 'Spam source, see $'],
      ]);
      const text = await cli(['lookup', '88.51.100.20', ...db]);
      assert.deepEqual(text.out.slice(0, 1), ['88.51.100.20: 2 listings']);
      const none = await cli(['lookup', '2001:db7::1', '--json', ...db]);
      assert.deepEqual(JSON.parse(none.out.join('\n')), {
        ip: '2001:db7::1',
        family: 6,
        notes: [],
        listings: [],
        answers: { lists: LISTS.map((list) => ({ list, answer: null, listingId: null, allowedBy: null })), combined: [] },
      });
    });
  });

  describe('bad input is refused with a clear message and changes nothing', () => {
    test('bad IP, unknown list, unknown reason on listing add', async () => {
      const before = counts();
      assertOneLineError(await cli(['listing', 'add', '10.1', '--list', 'RBL', '--reason', 'spam-source', ...asIvan]), /"10\.1": an IPv4 address needs exactly four decimal octets/);
      assertOneLineError(await cli(['listing', 'add', '010.0.0.1', '--list', 'RBL', '--reason', 'spam-source', ...asIvan]), /leading zero/);
      assertOneLineError(await cli(['listing', 'add', '10.0.0.1', '--list', 'XBL', '--reason', 'spam-source', ...asIvan]), /list:.*RBL/);
      assertOneLineError(await cli(['listing', 'add', '10.0.0.1', '--list', 'RBL', '--reason', 'spammy', ...asIvan]), /reason:.*spam-source/);
      assertOneLineError(await cli(['listing', 'add', '11.0.0.1', '--list', 'RBL', '--reason', 'dynamic', ...asIvan]), /does not belong on RBL/);
      assertOneLineError(await cli(['listing', 'add', '10.0.0.1', '--list', 'RBL', '--reason', 'spam-source', ...asIvan]), /10\.0\.0\.1 overlaps 10\.0\.0\.0\/8, private \(RFC 1918\): reserved or private space is never listed/);
      assertOneLineError(await cli(['listing', 'add', '::ffff:0:0/96', '--list', 'RBL', '--reason', 'spam-source', ...asIvan]), /0\.0\.0\.0\/0 overlaps 0\.0\.0\.0\/8/);
      assertOneLineError(await cli(['import', join(files, 'whatever.txt'), '--list', 'XBL', '--reason', 'spam-source', ...asIvan]), /list/);
      assertOneLineError(await cli(['import', join(files, 'whatever.txt'), '--list', 'RBL', '--reason', 'spammy', ...asIvan]), /reason/);
      assert.deepEqual(counts(), before);
    });

    test('a missing file, an empty file, a file of only comments, a folder', async () => {
      await refusedImport('missing.txt', null, /missing\.txt: no such file/);
      await refusedImport('empty.txt', '', /empty\.txt is empty: nothing to import/);
      await refusedImport('comments.txt', '# exported 2026-11-28\n\n   # nothing yet\n\n', /comments\.txt has no entries \(only blank or comment lines\); nothing was imported/);
      await refusedImport('comments.csv', '# range,txt\r\n# "quoted", comment\r\n', /comments\.csv has no entries/);
      mkdirSync(join(files, 'a-folder'));
      await refusedImport('a-folder', null, /a-folder is a folder, not a file/);
    });

    test('a 1 GB (sparse) file is refused by its size, without being read', async () => {
      const path = join(files, 'huge.txt');
      closeSync(openSync(path, 'w'));
      truncateSync(path, 1024 ** 3);
      const started = performance.now();
      // All NUL bytes: had it been read, the message would be about binary content.
      const run = await refusedImport('huge.txt', null, /huge\.txt is 1\.0 GiB, over the import limit of 256\.0 MiB \(setting import\.maxFileBytes\)/);
      assert.doesNotMatch(run.error.join('\n'), /binary/);
      assert.ok(performance.now() - started < 2000, 'refused without reading');
      rmSync(path);
    });

    test('the size limit is the setting', async () => {
      const set = await cli(['settings', 'set', 'import', '{"maxFileBytes":100}', ...db, '--actor', 'admin']);
      assert.equal(set.code, 0, set.error.join('\n'));
      try {
        await refusedImport('just-over.txt', `${'82.0.2.10\n'.repeat(10)}x`, /just-over\.txt is 101 bytes, over the import limit of 100 bytes/);
      } finally {
        assert.equal((await cli(['settings', 'set', 'import', '{"maxFileBytes":268435456}', ...db, '--actor', 'admin'])).code, 0);
      }
    });

    test('binary junk, a spreadsheet, a gzip, non-UTF-8 text', async () => {
      const junk = randomBytes(mulberry32(7), 4096);
      junk[0] = 0x31; // not a known signature
      junk[1000] = 0;
      await refusedImport('junk.bin', junk, /junk\.bin is a binary file \(NUL byte at offset \d+\), not text/);
      await refusedImport('list.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('[Content_Types].xml')]), /list\.xlsx is a ZIP archive \(an \.xlsx\/\.ods spreadsheet\?\); save it as CSV first, not a text file/);
      await refusedImport('renamed.csv', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('xl/worksheets')]), /ZIP archive/);
      await refusedImport('old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), /legacy Office document/);
      await refusedImport('list.txt.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00]), /gzip archive; decompress it first/);
      await refusedImport('latin1.txt', Buffer.from('82.0.2.1\n82.0.2.2 caf\xe9\n', 'latin1'), /latin1\.txt is not UTF-8 text \(invalid byte sequence near offset \d+\); save it as UTF-8/);
      await refusedImport('latin1.csv', Buffer.from('range,txt\n82.0.2.1,caf\xe9\n', 'latin1'), /not UTF-8 text/);
      await refusedImport('truncated.txt', Buffer.from([...Buffer.from('82.0.2.1 \n'), 0xe2, 0x82]), /not UTF-8 text/);
    });

    test('a CSV with one bad line among good ones: reported with its line number; nothing imported', async () => {
      const good = Array.from({ length: 30 }, (_, index) => `82.0.2.${index + 1},"bad host ${index}"`);
      good.splice(17, 0, '82.0.2.300,"typo"');
      const run = await refusedImport('one-bad.csv', `range,txt\n${good.join('\n')}\n`, /one-bad\.csv: 1 bad line; nothing was imported/);
      assert.deepEqual(run.error.slice(1), ['  line 19: "82.0.2.300": octet "300" is over 255']);
      const text = await refusedImport('one-bad.txt', '# header\n82.0.2.1\n\n82.0.2.2/33\n2001:db7::1\n', /one-bad\.txt: 1 bad line/);
      assert.deepEqual(text.error.slice(1), ['  line 4: "82.0.2.2/33": prefix /33 is out of range for IPv4 (0-32)']);
      const many = Array.from({ length: 80 }, (_, index) => `bad-${index}`).join('\n');
      const capped = await refusedImport('many-bad.txt', many, /80 bad lines \(showing the first 50\); nothing was imported/);
      assert.equal(capped.error.length, 51);
    });

    test('a CSV with quotes and embedded newlines keeps its records and line numbers', async () => {
      // The TXT is one line of text (it is published in DNS TXT records): a newline inside it is refused,
      // at the line where its record starts, and the lines after it keep their numbers.
      const content = 'range,txt\r\n82.0.2.10,"spam, from\r\na botnet"\r\n82.0.2.11,fine\r\n82.0.2.x,bad\r\n';
      const run = await refusedImport('multiline.csv', content, /multiline\.csv: 2 bad lines; nothing was imported/);
      assert.deepEqual(run.error.slice(1), ['  line 2: the TXT reason must be one line of printable text', '  line 5: "82.0.2.x" is not an IP address']);
    });

    test('a CSV with a stray quote mid-file fails with a message (it used to hang, and the CLI exited 13 silently)', async () => {
      const lines = ['range,txt', ...Array.from({ length: 20 }, (_, index) => `82.0.2.${index},ok`), '82.0.2.99,ab"c"d', '82.0.2.100,ok'];
      await refusedImport('stray-quote.csv', `${lines.join('\n')}\n`, /stray-quote\.csv: not valid CSV: Invalid Opening Quote: a quote is found on field 1 at line 22/);
      const spawned = spawnCli(['import', join(files, 'stray-quote.csv'), '--list', 'RBL', '--reason', 'spam-source', ...asIvan]);
      assertOneLineError(spawned, /not valid CSV/);
    });

    test('a multi-megabyte CSV: a quoted CRLF across the 1 MiB read boundary, and line numbers after it', async () => {
      const chunk = 1 << 20;
      let content = 'range,txt\r\n';
      let line = 1;
      let index = 0;
      const filler = () => {
        index += 1;
        line += 1;
        content += `11.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255},"${'x'.repeat(60 + (index % 37))}"\r\n`;
      };
      while (content.length < chunk - 200) filler();
      // A record whose quoted TXT has a CRLF with the CR as the last byte of the first read.
      const start = '11.250.0.1,"part one';
      content += `${start}${'y'.repeat(chunk - 1 - content.length - start.length)}`;
      assert.equal(content.length, chunk - 1);
      content += '\r\npart two"\r\n';
      line += 1;
      const multiLine = line;
      line += 1;
      while (content.length < 2.5 * chunk) filler();
      line += 1;
      content += '11.251.0.999,"typo"\r\n';
      const typoLine = line;
      while (content.length < 3 * chunk) filler();
      const run = await refusedImport('big.csv', content, /big\.csv: 2 bad lines; nothing was imported/);
      assert.deepEqual(run.error.slice(1), [
        `  line ${multiLine}: the TXT reason must be one line of printable text`,
        `  line ${typoLine}: "11.251.0.999": octet "999" is over 255`,
      ]);
    });

    test('an unreadable file or folder: permission denied', async (context) => {
      const locked = join(folder, 'locked');
      mkdirSync(locked);
      const inside = join(locked, 'list.txt');
      writeFileSync(inside, '82.0.2.50\n');
      const unreadable = join(files, 'unreadable.txt');
      writeFileSync(unreadable, '82.0.2.51\n');
      chmodSync(unreadable, 0o000);
      chmodSync(locked, 0o000);
      try {
        if (!IS_ROOT) {
          await refusedImport('unreadable.txt', null, /unreadable\.txt: permission denied/);
          const before = counts();
          assertOneLineError(await cli(['import', inside, '--list', 'RBL', '--reason', 'spam-source', ...asIvan]), /locked\/list\.txt: permission denied/);
          assert.deepEqual(counts(), before);
          return;
        }
        // Root reads anything, so chmod cannot stop this process: run the real binary as nobody.
        const probe = spawnCli(['--help'], { uid: NOBODY });
        if (probe.code !== 0) {
          context.skip(`running as root and the CLI cannot run as uid ${NOBODY}: ${probe.error.join(' ')}`);
          return;
        }
        const shared = join(folder, 'shared');
        mkdirSync(shared, { mode: 0o777 });
        chmodSync(shared, 0o777);
        chmodSync(folder, 0o755);
        chmodSync(files, 0o755);
        const sharedDb = join(shared, 'repdesk.sqlite');
        assert.equal(spawnCli(['investigator', 'add', 'ivan', '--roles', 'investigator', '--db', sharedDb], { uid: NOBODY }).code, 0);
        const count = () => {
          const handle = new Database(sharedDb, { readonly: true });
          try {
            return (handle.prepare('SELECT (SELECT count(*) FROM listings) || \'/\' || (SELECT count(*) FROM events) AS value').get() as { value: string }).value;
          } finally {
            handle.close();
          }
        };
        const before = count();
        const file = spawnCli(['import', unreadable, '--list', 'RBL', '--reason', 'spam-source', '--db', sharedDb, '--actor', 'ivan'], { uid: NOBODY });
        assertOneLineError(file, /unreadable\.txt: permission denied/);
        const folderRun = spawnCli(['import', inside, '--list', 'RBL', '--reason', 'spam-source', '--db', sharedDb, '--actor', 'ivan'], { uid: NOBODY });
        assertOneLineError(folderRun, /locked\/list\.txt: permission denied/);
        assert.equal(count(), before);
        // The control: the same import as root reads the file (so the refusal above was the permission).
        chmodSync(unreadable, 0o644);
        const readable = spawnCli(['import', unreadable, '--list', 'RBL', '--reason', 'spam-source', '--db', sharedDb, '--actor', 'ivan'], { uid: NOBODY });
        assert.equal(readable.code, 0, readable.error.join('\n'));
      } finally {
        chmodSync(locked, 0o700);
        chmodSync(unreadable, 0o644);
      }
    });
  });

  describe('good imports', () => {
    test('CRLF line endings and a UTF-8 BOM import fine, with notes; a quoted TXT keeps its comma', async () => {
      const before = counts();
      const path = join(files, 'windows.csv');
      writeFileSync(path, '\ufeffrange,txt\r\n"82.0.2.128/25","Open proxy, see https://lookup.example/ip/$"\r\n# a comment with a "quote", and a comma\r\n11.20.30.40/24,\r\n2001:db7:1::/48,IPv6 spam source\r\n');
      const run = await cli(['import', path, '--list', 'RBL', '--reason', 'open-proxy', '--txt', 'Default TXT', '--json', ...asIvan]);
      assert.equal(run.code, 0, run.error.join('\n'));
      const summary = JSON.parse(run.out.join('\n')) as { imported: number; list: string; notes: string[] };
      assert.equal(summary.imported, 3);
      assert.equal(summary.list, 'RBL');
      assert.deepEqual(summary.notes, ['line 4: 11.20.30.40/24 has host bits set; normalised to 11.20.30.0/24']);
      // One history event for the import as a whole; every record's history shows it.
      assert.deepEqual(counts(), { ...before, listings: before.listings + 3, events: before.events + 1 });
      const lookups = await Promise.all(['82.0.2.200', '11.20.30.1', '2001:db7:1::5'].map((ip) => cli(['lookup', ip, '--json', ...db])));
      const txts = lookups.map((lookup) => (JSON.parse(lookup.out.join('\n')) as { listings: Array<{ list: string; txt: string | null }> }).listings.find((listing) => listing.list === 'RBL')?.txt);
      assert.deepEqual(txts, ['Open proxy, see https://lookup.example/ip/$', 'Default TXT', 'IPv6 spam source']);
      const imported = (JSON.parse(lookups[2].out.join('\n')) as { listings: Array<{ id: number; list: string }> }).listings.find((listing) => listing.list === 'RBL');
      const record = await cli(['listing', 'show', String(imported?.id), '--json', ...db]);
      const history = (JSON.parse(record.out.join('\n')) as { history: Array<{ action: string; actor: string; details: { source: string; count: number } }> }).history;
      assert.deepEqual(history.map((event) => [event.action, event.details.source, event.details.count]), [['listings.imported', 'windows.csv', 3]]);

      const text = join(files, 'windows.txt');
      writeFileSync(text, '\ufeff82.0.2.60\r\n\r\n# comment\r\n82.0.2.61-82.0.2.62\r\n82.0.2.60\r\n');
      const plain = await cli(['import', text, '--list', 'RBL', '--reason', 'spam-source', ...asIvan]);
      assert.equal(plain.code, 0, plain.error.join('\n'));
      assert.equal(plain.out[plain.out.length - 1], 'imported 2 entries onto RBL');
      assert.ok(plain.out.some((line) => /^note: line 5: 82\.0\.2\.60 /.test(line)), plain.out.join('\n'));
      // Importing the same file again adds nothing and says why.
      const again = await cli(['import', text, '--list', 'RBL', '--reason', 'spam-source', ...asIvan]);
      assert.equal(again.code, 0);
      assert.equal(again.out[again.out.length - 1], 'imported 0 entries onto RBL');
      // The chain is intact after all of it.
      const audit = await cli(['audit', 'verify', ...db]);
      assert.equal(audit.code, 0);
      // Each command that wrote ended by signing a checkpoint of the history into the file beside the database.
      assert.match(audit.out[0], /^history intact: \d+ events, chain verified; holds event \d+ as checkpoint file \(newest of \d+\) recorded it \(signed \S+\)$/);
    });

    test('audit verify exits 1 naming the broken event', async () => {
      const copy = join(folder, 'tampered.sqlite');
      const source = new Database(database);
      await source.backup(copy);
      source.close();
      const raw = new Database(copy);
      raw.exec("DROP TRIGGER events_are_append_only_update; UPDATE events SET actor = 'mallory' WHERE id = 2;");
      raw.close();
      const run = spawnCli(['audit', 'verify', '--db', copy]);
      assertOneLineError(run, /history is broken at event 2: its content does not match its hash/);
      const json = await cli(['audit', 'verify', '--json', '--db', copy]);
      assert.equal(json.code, 1);
      assert.equal((JSON.parse(json.out.join('\n')) as { firstBroken: { id: number } }).firstBroken.id, 2);
    });

    test('a database from a newer RepDesk: exit 1 with a clear message', () => {
      const newer = join(folder, 'newer.sqlite');
      const raw = new Database(newer);
      raw.pragma('user_version = 999');
      raw.close();
      const run = spawnCli(['lookup', '82.0.2.1', '--db', newer]);
      assertOneLineError(run, /cannot open the database .*newer\.sqlite: this database has schema version 999, newer than this RepDesk understands/);
    });
  });
});
