/**
 * Online backup over HTTP: the real `repdesk server` in its own process; people keep adding
 * listings through it while an admin's `repdesk backup --to FILE` (logged in to the server, in a
 * process of its own) has the server make a copy and downloads it. The copy opens, passes
 * integrity_check and `audit verify` against the signed checkpoints that came with it (their key
 * beside it, 0600), holds every listing answered before the backup started and the history event
 * naming who took it; the writes went on undisturbed; nothing is left on the server. The archive
 * is a standard tar (GNU tar lists and unpacks it, the database's SHA-256 as announced); a person
 * without the admin role, no session and a POST are refused; an existing FILE is never overwritten.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { BACKUP_INFO_HEADER, type BackupFigures } from '../../shared/remote.js';
import { describeRun, runProgram } from './support/cli.js';
import { describeChild, runChild, startChild } from './support/processes.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { ADMIN, ADMIN_PASSPHRASE, request, value } from './support/team-server.js';

let folder: string;
let data: string;
let databasePath: string;
let config: string;
let server: ServerProcess;
let token: string;

/** How many backups the server's history records. */
function backupsRecorded(): number {
  const database = new Database(databasePath, { readonly: true });
  try {
    return (database.prepare("SELECT count(*) AS count FROM events WHERE action = 'backup.downloaded'").get() as { count: number }).count;
  } finally {
    database.close();
  }
}
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const pause = (milliseconds: number) => new Promise((resolvePromise) => setTimeout(resolvePromise, milliseconds));
/** The logged-in command line's environment (its login file in the test's own config folder). */
const loggedIn = () => ({ XDG_CONFIG_HOME: config });

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-backup-download-'));
  data = join(folder, 'data');
  config = join(folder, 'config');
  mkdirSync(data, { mode: 0o700 });
  databasePath = join(data, 'repdesk.sqlite');
  // The first admin, on the server's computer, as the README says (the commands sign history checkpoints as they end).
  const invited = runChild(['--db', databasePath, 'investigator', 'invite', ADMIN, '--roles', 'investigator,publisher']);
  assert.equal(invited.code, 0, describeChild(invited));
  const code = /enrolment code: (\S+)/.exec(invited.out)?.[1] ?? '';
  writeFileSync(join(folder, 'ada.pass'), `${ADMIN_PASSPHRASE}\n`);
  const enrolled = runChild(['--db', databasePath, 'enrol', code, '--passphrase-file', join(folder, 'ada.pass')]);
  assert.equal(enrolled.code, 0, describeChild(enrolled));
  server = await startServerProcess(data);
  const login = runChild(['login', '--server', server.url, '--name', ADMIN, '--passphrase-file', join(folder, 'ada.pass')], loggedIn());
  assert.equal(login.code, 0, describeChild(login));
  token = value(await request<{ token: string }>(server.url, '/api/auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' })).token;
});

after(async () => {
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

test("an admin's repdesk backup --server downloads a copy made while people write; it verifies against its checkpoints and holds all committed before", async () => {
  const answered: number[] = [];
  const refused: string[] = [];
  let isWriting = true;
  const writer = (async () => {
    for (let index = 0; isWriting; index += 1) {
      const answer = await request<{ listing: { id: number } }>(server.url, '/api/listings.add', { range: `45.${70 + Math.floor(index / 250)}.${index % 250}.0/24`, list: 'RBL', reason: 'spam-source' }, { token });
      if (answer.result.ok) answered.push(answer.result.value.listing.id);
      else refused.push(`${answer.status} ${answer.result.error.message}`);
    }
  })();
  const copy = join(folder, 'team-backup.sqlite');
  let run;
  let answeredBefore: number[];
  let answeredDuring: number;
  try {
    while (answered.length < 20) await pause(10);
    answeredBefore = [...answered];
    const child = startChild(['backup', '--to', copy, '--json'], loggedIn());
    run = await child.done;
    answeredDuring = answered.length - answeredBefore.length;
    const countAfter = answered.length;
    while (answered.length < countAfter + 5) await pause(10);
  } finally {
    isWriting = false;
    await writer;
  }
  assert.equal(run.code, 0, `${describeChild(run)}\nserver: ${server.output()}`);
  assert.deepEqual(refused, [], 'no write was refused while the backup was made and sent');
  assert.ok(answeredDuring > 0, 'people kept writing while the backup was made and sent');
  const figures = JSON.parse(run.out) as BackupFigures & { path: string; files: string[] };
  assert.equal(figures.path, copy);
  assert.deepEqual(figures.files.sort(), [copy, `${copy}.checkpoint-key`, `${copy}.checkpoints`]);
  assert.equal(figures.sha256, sha256(copy));
  assert.ok(figures.checkpoints >= 1, 'the signed checkpoints came with it');
  assert.equal(statSync(`${copy}.checkpoint-key`).mode & 0o777, 0o600);
  assert.equal(statSync(copy).mode & 0o777, 0o600);

  const database = new Database(copy, { readonly: true });
  try {
    assert.equal(database.pragma('integrity_check', { simple: true }), 'ok');
    const ids = new Set((database.prepare('SELECT id FROM listings').all() as { id: number }[]).map((row) => row.id));
    assert.deepEqual(answeredBefore.filter((id) => !ids.has(id)), [], 'every listing answered before the backup began is in it');
    assert.equal((database.prepare('SELECT max(id) AS id FROM events').get() as { id: number }).id, figures.lastEvent);
    const taken = database.prepare("SELECT actor, client, address FROM events WHERE action = 'backup.downloaded'").all();
    assert.deepEqual(taken, [{ actor: ADMIN, client: 'cli', address: '127.0.0.1' }], 'who took it is in the history, and in the copy');
  } finally {
    database.close();
  }
  const verify = runChild(['--db', copy, 'audit', 'verify']);
  assert.equal(verify.code, 0, describeChild(verify));
  assert.match(verify.out, /checkpoint/i, 'checked against its checkpoints');
  assert.deepEqual(readdirSync(data).filter((name) => name.startsWith('.backup-download-')), [], 'the server kept nothing of it');

  // Never over an existing file: refused before anything is asked of the server.
  const again = runChild(['backup', '--to', copy], loggedIn());
  assert.equal(again.code, 1);
  assert.match(again.error, /already exists: a backup never overwrites a file/);
});

test('the archive is a standard tar whose database is the one announced', async () => {
  const archive = join(folder, 'download.tar');
  const figures = await new Promise<BackupFigures>((resolvePromise, reject) => {
    get(new URL('/api/backup', server.url), { headers: { Authorization: `Bearer ${token}` } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`status ${response.statusCode}`));
      assert.match(String(response.headers['content-disposition']), /^attachment; filename="repdesk-backup-[0-9TZ-]+\.tar"$/);
      assert.equal(response.headers['content-type'], 'application/x-tar');
      const announced = JSON.parse(String(response.headers[BACKUP_INFO_HEADER.toLowerCase()])) as BackupFigures;
      pipeline(response, createWriteStream(archive)).then(() => resolvePromise(announced), reject);
    }).on('error', reject);
  });
  const listed = runProgram('tar', ['-tvf', archive]);
  assert.equal(listed.code, 0, describeRun(listed));
  assert.deepEqual(listed.out.map((line) => line.split(/\s+/).at(-1)).sort(), ['repdesk.sqlite', 'repdesk.sqlite.checkpoint-key', 'repdesk.sqlite.checkpoints']);
  assert.match(listed.out.find((line) => line.endsWith('repdesk.sqlite.checkpoint-key')) ?? '', /^-rw-------/);
  const unpacked = join(folder, 'unpacked');
  mkdirSync(unpacked);
  const extracted = runProgram('tar', ['-xf', archive, '-C', unpacked]);
  assert.equal(extracted.code, 0, describeRun(extracted));
  assert.equal(sha256(join(unpacked, 'repdesk.sqlite')), figures.sha256);
  const verify = runChild(['--db', join(unpacked, 'repdesk.sqlite'), 'audit', 'verify']);
  assert.equal(verify.code, 0, describeChild(verify));
});

test('a person without the admin role, no session, and anything but GET are refused, and nothing is made', async () => {
  const invitation = value(await request<{ code: string }>(server.url, '/api/team.invite', { name: 'Iris', roles: ['investigator'] }, { token }));
  const passphrase = 'iris counts the herons on the weir';
  value(await request(server.url, '/api/auth.enrol', { code: invitation.code, passphrase, client: 'cli' }));
  const iris = value(await request<{ token: string }>(server.url, '/api/auth.signIn', { name: 'Iris', passphrase, client: 'cli' })).token;
  const recordedBefore = backupsRecorded();
  const notAdmin = await request(server.url, '/api/backup', undefined, { method: 'GET', token: iris });
  assert.equal(notAdmin.status, 403);
  assert.match(notAdmin.text, /only an admin may download a backup/);
  assert.equal((await request(server.url, '/api/backup', undefined, { method: 'GET' })).status, 401);
  assert.equal((await request(server.url, '/api/backup', {}, { token })).status, 400);
  assert.equal(backupsRecorded(), recordedBefore, 'no backup was made for them');
});
