/**
 * The command line against a server process: with `--server URL` and a saved login, every
 * command goes over `POST /api/<operation>` with the bearer token. Files are streamed to the
 * server as uploads and imports run there as jobs, their progress on stderr (listings, QIL hits,
 * a DUL submission, spam samples, mail into a thread, a nomination bundle with its CSVs,
 * delisting requests); the
 * commands that work on this computer's database say so; --actor is refused; `publish` has the
 * server prepare, signs here and the server switches (stock minisign -V verifies), and is
 * abandoned when not confirmed; a server that vanished is named, with bounded retries.
 *
 * The server is `repdesk serve` (it speaks the same protocol; a login there is its start token,
 * saved as `repdesk login` saves one): one process acting as one person keeps these many cases
 * quick. cli-team-server.test.ts runs login, an import and a publish against `repdesk server`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { ImportSummary, ListingView } from '../../shared/listings.js';
import type { ImportResult, NominationView } from '../../shared/queues.js';
import { runCli } from '../../main/cli/main.js';
import { saveLogin } from '../../main/cli/remote/logins.js';
import { spamMessage } from '../unit/support/mail.js';
import { describeRun, repdesk, runProgram, type Run } from './support/cli.js';
import { startServe, type ServeProcess } from './support/serve.js';

/** dist/test/integration -> the package root's bin/repdesk.js. */
const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bin', 'repdesk.js');

describe('the command line against a server', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-remote-'));
  const database = join(folder, 'repdesk.sqlite');
  const out = join(folder, 'snapshots');
  const savedConfig = process.env.XDG_CONFIG_HOME;
  let server: ServeProcess;
  let url: string;

  const file = (name: string, content: string | Buffer): string => {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  };
  /** `repdesk --server URL ARGS` in this process. */
  const remote = (...args: string[]): Promise<Run> => repdesk(['--server', url, ...args]);
  /** The same with answers for the questions it asks (as a person at a terminal would give them). */
  const remoteAnswering = async (answers: string[], ...args: string[]): Promise<Run & { questions: string[] }> => {
    const run = { out: [] as string[], error: [] as string[], questions: [] as string[] };
    const code = await runCli(['--server', url, ...args], {
      out: (line) => run.out.push(...line.split('\n')),
      error: (line) => run.error.push(...line.split('\n')),
      prompt: async (question) => {
        run.questions.push(question);
        return answers.shift() ?? '';
      },
    });
    return { ...run, code };
  };

  const listingCount = (): number => {
    const db = new Database(database, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS count FROM listings').get() as { count: number }).count;
    } finally {
      db.close();
    }
  };

  before(async () => {
    // Saved logins go into a config folder of this test's own.
    process.env.XDG_CONFIG_HOME = join(folder, 'config');
    for (const args of [
      ['--actor', 'Ada', 'investigator', 'add', 'Ada', '--roles', 'admin,investigator'],
      ['--actor', 'Ada', 'investigator', 'add', 'Pia', '--roles', 'publisher,investigator,liaison,reviewer'],
      ['--actor', 'Ada', 'settings', 'set', 'publish', JSON.stringify({ outDir: out })],
      ['keygen', '--out', join(folder, 'pia.key'), '--unencrypted'],
      ['--actor', 'Ada', 'keys', 'register', join(folder, 'pia.key.pub'), '--publisher', 'Pia'],
    ]) {
      const run = await repdesk(['--db', database, ...args]);
      assert.equal(run.code, 0, describeRun(run));
    }
    server = await startServe(database, 'Pia');
    url = `http://127.0.0.1:${server.port}`;
    saveLogin({ server: url, person: 'Pia', token: server.token, ca: null, savedAt: new Date().toISOString() });
  });

  after(async () => {
    await server?.stop();
    if (savedConfig === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = savedConfig;
    rmSync(folder, { recursive: true, force: true });
  });

  test('an import streams the file to the server and runs there as a job, its progress on stderr', async () => {
    const lines = Array.from({ length: 30_000 }, (_, index) => `45.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
    const list = file('list.txt', `${lines.join('\n')}\n`);
    const run = await remote('import', list, '--list', 'RBL', '--reason', 'spam-source');
    assert.equal(run.code, 0, describeRun(run));
    assert.deepEqual(run.out, ['imported 30000 entries onto RBL']);
    assert.ok(run.error.some((line) => line.startsWith(`sent ${list} (`)), describeRun(run));
    assert.ok(run.error.some((line) => /^(starting|reading|writing)/.test(line)), `the job's progress is shown: ${describeRun(run)}`);
    const shown = await remote('listing', 'show', '300', '--json');
    assert.equal(shown.code, 0, describeRun(shown));
    assert.equal((JSON.parse(shown.out.join('\n')) as ListingView).range, '45.0.1.43');
    // A broken file is refused by the server with its line, nothing imported.
    const bad = await remote('import', file('bad.txt', '45.99.0.1\n45.99.0.300\n'), '--list', 'RBL', '--reason', 'spam-source');
    assert.equal(bad.code, 1);
    assert.match(bad.error.join('\n'), /line 2: "45\.99\.0\.300"/);
    const json = await remote('import', file('more.txt', '45.98.0.0/24\n'), '--list', 'RBL', '--reason', 'spam-source', '--json');
    assert.equal((JSON.parse(json.out.join('\n')) as ImportSummary).imported, 1, describeRun(json));
  });

  test('every command that takes a file works against the server', async () => {
    const now = Date.now();
    const hits = file('hits.csv', `timestamp,source,count,trap\n${new Date(now - 60_000).toISOString()},11.40.0.1,1,trap-1\n`);
    const ingested = await remote('qil', 'ingest', hits);
    assert.equal(ingested.code, 0, describeRun(ingested));
    assert.match(ingested.out.join('\n'), /^ingested 1 new trap hit line .* 1 QIL listing created/);

    assert.equal((await remote('isp', 'add', 'Example Net')).code, 0);
    const dul = await remote('dul', 'import', file('dul.txt', '81.10.0.0/24\n81.10.1.0/24\n'), '--isp', 'Example Net');
    assert.equal(dul.code, 0, describeRun(dul));
    assert.match(dul.out.join('\n'), /2/);

    const sample = file('sample.eml', spamMessage({ source: '23.45.67.89' }));
    const samples = await remote('samples', 'import', sample);
    assert.equal(samples.code, 0, describeRun(samples));
    assert.match(samples.out.join('\n'), /23\.45\.67\.89/);

    const thread = await remote('threads', 'create', '--listing', '300', '--subject', 'Delisting request', '--json');
    assert.equal(thread.code, 0, describeRun(thread));
    const request = file('request.eml', 'From: noc@isp.example\r\nSubject: Delist us\r\nMessage-ID: <r@isp.example>\r\n\r\nPlease delist.\r\n');
    const threadImport = await remote('threads', 'import', String((JSON.parse(thread.out.join('\n')) as { id: number }).id), request, '--json');
    assert.equal(threadImport.code, 0, describeRun(threadImport));
    assert.equal((JSON.parse(threadImport.out.join('\n')) as { added: number }).added, 1);

    writeFileSync(join(folder, 'mtas.csv'), 'ip,fqdn,email_domain,company,country,company_type\n82.0.2.25,mail.good.example,good.example,Good Mail,NL,ESP\n');
    writeFileSync(join(folder, 'helos.csv'), 'helo\nmail.good.example\n');
    const bundle = file('bundle.json', JSON.stringify({ contact: { email: 'pat@good.example', firstName: 'Pat', lastName: 'Doe' }, mtas: 'mtas.csv', helos: 'helos.csv' }));
    const nomination = await remote('nominations', 'import', bundle, '--json');
    assert.equal(nomination.code, 0, describeRun(nomination));
    assert.deepEqual((JSON.parse(nomination.out.join('\n')) as NominationView).ips, ['82.0.2.25'], 'the CSVs the bundle names went with it');

    const requests = file('requests.csv', 'ip,requester,reason,received\n45.0.1.43,owner@isp.example,fixed,\n');
    const delisting = await remote('delisting', 'import', requests, '--json');
    assert.equal(delisting.code, 0, describeRun(delisting));
    assert.equal((JSON.parse(delisting.out.join('\n')) as ImportResult).created.length, 1);

    const missing = await remote('qil', 'ingest', join(folder, 'absent.csv'));
    assert.equal(missing.code, 1);
    assert.match(missing.error[0], /absent\.csv cannot be read: ENOENT/);
  });

  test('a restore is refused with a server selected, a backup from browser mode too; --actor is refused; verify runs here', async () => {
    // A backup is downloaded from a team server; browser mode offers none.
    const backup = await remote('backup', '--to', join(folder, 'copy.sqlite'));
    assert.equal(backup.code, 1);
    assert.match(backup.error[0], new RegExp(`${url.replace(/\/$/, '')} offers no backup download .*a team server \\(repdesk server\\) does`));
    assert.equal(existsSync(join(folder, 'copy.sqlite')), false);
    const restore = await remote('restore', join(folder, 'copy.sqlite'));
    assert.equal(restore.code, 1);
    assert.match(restore.error[0], /replaces the database file on the computer that holds it/);
    const actor = await remote('--actor', 'Ada', 'listing', 'show', '1');
    assert.equal(actor.code, 2);
    assert.match(actor.error[0], /you act as the person logged in \(Pia\): unset --actor/);
    const both = await repdesk(['--server', url, '--db', database, 'listing', 'show', '1']);
    assert.equal(both.code, 2);
    assert.match(both.error[0], /--server and --db name two places/);
    const plain = await repdesk(['--server', 'http://repdesk.example:8080', 'listing', 'show', '1']);
    assert.equal(plain.code, 2);
    assert.match(plain.error[0], /plain http is refused for repdesk\.example/);
  });

  test('publish: the server prepares, this computer signs after showing what it signs, the server switches', async () => {
    const key = join(folder, 'pia.key');
    // No terminal and no --yes: nothing is signed, the prepared snapshot is abandoned at once.
    const unconfirmed = await remote('publish', '--key', key);
    assert.equal(unconfirmed.code, 1);
    assert.match(unconfirmed.error.join('\n'), /no terminal to confirm the signature at: give --yes .*; snapshot \d+ was abandoned/);
    assert.equal(existsSync(join(out, 'current')), false);
    // Declined at the prompt.
    const declined = await remoteAnswering(['n'], 'publish', '--key', key);
    assert.equal(declined.code, 1, describeRun(declined));
    assert.match(declined.questions[0], /^Sign snapshot \d+ with key [0-9A-F]+ and publish it on http:\/\/127\.0\.0\.1:\d+\? \[y\/N\] $/);
    assert.ok(declined.error.some((line) => /^listings in force: RBL \d+, DUL \d+, QIL \d+, MML \d+, GAL \d+$/.test(line)), describeRun(declined));
    assert.ok(declined.error.some((line) => /PASS\s+test-points/.test(line)), 'the safety report is shown');
    assert.match(declined.error.at(-1) ?? '', /not signed: snapshot \d+ was abandoned and nothing was published/);
    assert.equal(existsSync(join(out, 'current')), false);
    // Confirmed.
    const confirmed = await remoteAnswering(['y'], 'publish', '--key', key);
    assert.equal(confirmed.code, 0, describeRun(confirmed));
    const serial = /^published snapshot (\d+) of bl\.example/.exec(confirmed.out[0])?.[1];
    assert.ok(serial, describeRun(confirmed));
    assert.equal(readlinkSync(join(out, 'current')), serial);
    const verified = runProgram('minisign', ['-V', '-p', `${key}.pub`, '-m', join(out, 'current', 'manifest.json')]);
    assert.equal(verified.code, 0, describeRun(verified));
    // verify needs no database: it runs on this computer with a server selected.
    const checked = await remote('verify', join(out, 'current'), '--pubkey', `${key}.pub`);
    assert.equal(checked.code, 0, describeRun(checked));
    // --yes skips the question; --out has no place here.
    assert.equal((await remote('publish', '--key', key, '--out', out)).code, 2);
    await remote('listing', 'add', '45.97.0.0/24', '--list', 'RBL', '--reason', 'spam-source');
    const again = await remote('publish', '--key', key, '--yes', '--json');
    assert.equal(again.code, 0, describeRun(again));
    assert.equal(JSON.parse(again.out.join('\n')).published, true);
    assert.ok(Number(readlinkSync(join(out, 'current'))) > Number(serial));
  });

  test('Ctrl-C during an import asks the server to cancel the job: rolled back, nothing imported', async () => {
    const lines = Array.from({ length: 600_000 }, (_, index) => `47.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
    const big = file('big.txt', `${lines.join('\n')}\n`);
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('REPDESK_')) env[name] = value;
    const before = listingCount();
    const child = spawn(process.execPath, [BIN, '--server', url, 'import', big, '--list', 'RBL', '--reason', 'spam-source'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let error = '';
    const ended = new Promise<number | null>((resolvePromise) => child.on('close', (code) => resolvePromise(code)));
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`the job never started: ${error}`)), 60_000);
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        error += chunk;
        if (/^(starting|reading|writing)/m.test(error)) {
          clearTimeout(timer);
          resolvePromise();
        }
      });
    });
    child.kill('SIGINT');
    const code = await ended;
    assert.equal(code, 1, error);
    assert.match(error, new RegExp(`cancelling job #\\d+ on ${url}`));
    assert.match(error, /repdesk: .*cancel/i);
    assert.equal(listingCount(), before, 'nothing imported');
  });

  test('a server that vanished is named, and reads are tried again a bounded number of times', async () => {
    await server.stop();
    const started = Date.now();
    const run = await remote('listing', 'show', '1');
    assert.equal(run.code, 1);
    const retries = run.error.filter((line) => line.includes('trying again in'));
    assert.equal(retries.length, 4, describeRun(run));
    assert.match(retries[0], new RegExp(`the RepDesk server ${url}: nothing answers there \\(connection refused; is the server running\\?\\); trying again in 0\\.5 s`));
    assert.match(run.error.at(-1) ?? '', new RegExp(`cannot reach the RepDesk server ${url}: nothing answers there \\(connection refused; is the server running\\?\\) \\(tried 5 times\\)`));
    assert.ok(Date.now() - started < 30_000);
    // A write that never reached the server is tried again as well, and fails the same way.
    const write = await remote('listing', 'add', '45.96.0.1', '--list', 'RBL', '--reason', 'spam-source');
    assert.equal(write.code, 1);
    assert.match(write.error.at(-1) ?? '', /connection refused; is the server running\?\) \(tried 5 times\)/);
  });
});
