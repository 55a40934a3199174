/**
 * Writes by another process on the team server's database reach the signed-in clients as change
 * notices, as the server's own do: the real `repdesk server` in a process of its own, an event
 * stream open as a signed-in person, and `repdesk --db` commands run on the server's data folder
 * (a cron job, an admin on the server's computer) in processes of their own. Each of their writes
 * is noticed (operation null, the topics its history events touched, the person who made it)
 * within a few seconds; the server's own writes are noticed once, not a second time as if
 * another process had made them; and what the command wrote is what the server then answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeChild, runChild } from './support/processes.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { ADMIN, ADMIN_PASSPHRASE, bootstrapTeam, openEvents, request, value, type EventStream } from './support/team-server.js';

let folder: string;
let databasePath: string;
let server: ServerProcess;
let token: string;
let stream: EventStream;

interface Notice {
  readonly topics: string[];
  readonly operation: string | null;
  readonly actor: string | null;
}

const noticesIn = (frames: readonly string[]): Notice[] =>
  frames.filter((frame) => frame.startsWith('event: change\n')).map((frame) => JSON.parse(frame.split('\n')[1].slice('data: '.length)) as Notice);

const pause = (milliseconds: number) => new Promise((resolvePromise) => setTimeout(resolvePromise, milliseconds));

/** The first notice from another process (operation null) after `from` frames, waiting up to 10 s. */
async function otherProcessNotice(from: number): Promise<Notice> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = noticesIn(stream.frames.slice(from)).find((notice) => notice.operation === null);
    if (found) return found;
    assert.ok(Date.now() < deadline, `no notice of the other process's write within 10 s; frames: ${stream.frames.slice(from).join(' | ')}\nserver: ${server.output()}`);
    await pause(50);
  }
}

/** `repdesk --db <the server's database> --actor Ada ARGS` in a process of its own. */
function command(args: readonly string[]): void {
  const run = runChild(['--db', databasePath, '--actor', ADMIN, ...args]);
  assert.equal(run.code, 0, describeChild(run));
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-other-writers-'));
  const data = join(folder, 'data');
  mkdirSync(data, { mode: 0o700 });
  databasePath = join(data, 'repdesk.sqlite');
  await bootstrapTeam(databasePath);
  server = await startServerProcess(data);
  token = value(await request<{ token: string }>(server.url, '/api/auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' })).token;
  stream = await openEvents(server.url, token);
  await stream.next(/^retry: /);
});

after(async () => {
  stream?.close();
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

test("a listing added by a command on the server's database is pushed to open streams, and the server answers it", async () => {
  const from = stream.frames.length;
  command(['listing', 'add', '81.40.0.0/24', '--list', 'RBL', '--reason', 'spam-source']);
  const notice = await otherProcessNotice(from);
  assert.deepEqual(notice, { ...notice, operation: null, actor: ADMIN });
  assert.deepEqual(notice.topics, ['listings']);
  const answer = value(await request<{ listings: { range: string }[] }>(server.url, '/api/lookup', { ip: '81.40.0.9' }, { token }));
  assert.deepEqual(answer.listings.map((listing) => listing.range), ['81.40.0.0/24']);
});

test('each kind of write by another process names its own topics (settings, people)', async () => {
  let from = stream.frames.length;
  command(['settings', 'set', 'qil', '{"defaultExpiryHours": 36}']);
  assert.deepEqual((await otherProcessNotice(from)).topics, ['settings']);
  from = stream.frames.length;
  command(['investigator', 'add', 'Ines', '--roles', 'investigator']);
  assert.deepEqual((await otherProcessNotice(from)).topics, ['investigators', 'sessions']);
});

test("the server's own writes are noticed once, never again as another process's", async () => {
  const from = stream.frames.length;
  value(await request(server.url, '/api/listings.add', { range: '81.41.0.0/24', list: 'RBL', reason: 'spam-source' }, { token }));
  await stream.next(/"operation":"listings\.add"/);
  // Several looks for other processes' writes (every half second) pass meanwhile.
  await pause(2_500);
  const notices = noticesIn(stream.frames.slice(from));
  assert.deepEqual(notices.map((notice) => notice.operation), ['listings.add']);
});
