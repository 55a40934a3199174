/**
 * Online backup of a running team server: people keep writing through the server (listings added
 * over HTTP, one after another, throughout) while `repdesk backup --to FILE` runs in another
 * process on the server's database; the copy passes integrity_check and `audit verify`, and holds
 * every listing whose addition was answered before the backup started. The writes go on
 * undisturbed (none refused).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startTeamHarness, type TeamServerHarness } from './support/team-server.js';

const REPDESK = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bin', 'repdesk.js');

let team: TeamServerHarness;

before(async () => {
  team = await startTeamHarness();
});

after(async () => {
  await team.stop();
});

function run(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  const env = { ...process.env };
  delete env.REPDESK_ACTOR;
  delete env.REPDESK_DB;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [REPDESK, ...args], { env });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => resolvePromise({ code, out }));
  });
}

test('repdesk backup copies the running server’s database while people write through the server; the copy verifies and holds what was committed before it began', async () => {
  const answered: { id: number; at: number }[] = [];
  const refused: string[] = [];
  let isWriting = true;
  const writer = (async () => {
    for (let index = 0; isWriting; index += 1) {
      const answer = await team.call<{ listing: { id: number } }>('listings.add', { range: `45.${60 + Math.floor(index / 250)}.${index % 250}.0/24`, list: 'RBL', reason: 'spam-source' }, { token: team.admin.token });
      if (answer.result.ok) answered.push({ id: answer.result.value.listing.id, at: performance.now() });
      else refused.push(`${answer.status} ${answer.result.error.message}`);
    }
  })();
  try {
    while (answered.length < 20) await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
    const copy = join(team.folder, 'backup.sqlite');
    const startedAt = performance.now();
    const backup = await run(['--db', team.databasePath, 'backup', '--to', copy]);
    assert.equal(backup.code, 0, backup.out);
    // Writes go on after the backup too: the server was never held up.
    const countAfter = answered.length;
    while (answered.length < countAfter + 5) await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
    isWriting = false;
    await writer;

    const database = new Database(copy, { readonly: true });
    try {
      assert.equal(database.pragma('integrity_check', { simple: true }), 'ok');
      const ids = new Set((database.prepare('SELECT id FROM listings').all() as { id: number }[]).map((row) => row.id));
      const committedBefore = answered.filter((write) => write.at < startedAt);
      assert.ok(committedBefore.length >= 20);
      for (const write of committedBefore) assert.ok(ids.has(write.id), `listing ${write.id}, answered before the backup began, is in the copy`);
      assert.ok(ids.size < answered.length, 'the copy is of one moment: writes after it are not in it');
    } finally {
      database.close();
    }
    const verify = await run(['--db', copy, 'audit', 'verify']);
    assert.equal(verify.code, 0, verify.out);
    assert.match(verify.out, /intact/);
    assert.deepEqual(refused, []);
  } finally {
    isWriting = false;
    await writer;
  }
});
