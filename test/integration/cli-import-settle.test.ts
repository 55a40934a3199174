/**
 * The dashboard's fold after a command: a small change is folded before `repdesk` exits; after a
 * large import (100,000 listings or more) the command exits as soon as the import is committed
 * and the fold runs in a detached process of its own, which brings the figures up to date with
 * no other command run; that detached fold opens an existing database only, so a database (or
 * its folder) removed before it starts is not created again. A command that changed nothing
 * leaves the fold alone. The real `bin/repdesk.js` in child processes, the figures read straight
 * from the database file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { formatAddress } from '../../shared/address.js';
import { BACKGROUND_FOLD_LISTINGS, detachedFoldArgs } from '../../main/cli/settle.js';
import { runProgram, type Run } from './support/cli.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/repdesk.js');

let folder: string;
let databasePath: string;

function repdeskProcess(args: readonly string[]): Run {
  return runProgram(process.execPath, [BIN, '--db', databasePath, ...args], { env: { REPDESK_LOG_LEVEL: 'error' } });
}

/** What the figures have taken in, and what there is, read from the file by another connection. */
function foldState(): { folded: number; newest: number } {
  const database = new Database(databasePath, { readonly: true });
  try {
    return database.prepare('SELECT (SELECT folded_max_id FROM dashboard_state WHERE id = 1) AS folded, (SELECT max(id) FROM listings) AS newest').get() as { folded: number; newest: number };
  } finally {
    database.close();
  }
}

/** A file of `count` distinct public IPv4 addresses from 45.0.0.0 on. */
function addressFile(name: string, count: number, offset: number): string {
  const path = join(folder, name);
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) lines.push(formatAddress(4, BigInt(0x2d000000 + offset + index * 3)));
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-settle-'));
  databasePath = join(folder, 'repdesk.sqlite');
  assert.equal(repdeskProcess(['investigator', 'add', 'Ana', '--roles', 'investigator']).code, 0);
});

after(async () => {
  // The detached fold may still hold the file for a moment after the last assertion.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      rmSync(folder, { recursive: true, force: true });
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 200));
    }
  }
});

describe("repdesk settles the dashboard's figures", () => {
  test('a small import is folded before the command exits', () => {
    const run = repdeskProcess(['--actor', 'Ana', 'import', addressFile('small.txt', 10, 0), '--list', 'RBL', '--reason', 'spam-source']);
    assert.equal(run.code, 0, run.error.join('\n'));
    assert.deepEqual(foldState(), { folded: 10, newest: 10 });
  });

  test('after a large import the command exits at once and a process of its own folds the figures', async () => {
    const count = BACKGROUND_FOLD_LISTINGS + 5_000;
    const run = repdeskProcess(['--actor', 'Ana', 'import', addressFile('large.txt', count, 100), '--list', 'RBL', '--reason', 'spam-source']);
    assert.equal(run.code, 0, run.error.join('\n'));
    assert.match(run.out.join('\n'), new RegExp(`imported ${count} entries`));
    const atExit = foldState();
    assert.equal(atExit.newest, 10 + count);
    assert.ok(atExit.folded < atExit.newest, `the import waited for the fold: ${JSON.stringify(atExit)}`);
    // Nothing else runs; the detached process takes the new listings in.
    const deadline = Date.now() + 120_000;
    let state = atExit;
    while (state.folded < state.newest && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 250));
      state = foldState();
    }
    assert.deepEqual(state, { folded: 10 + count, newest: 10 + count });
    const dashboard = repdeskProcess(['dashboard', '--json']);
    assert.equal(dashboard.code, 0, dashboard.error.join('\n'));
    const rbl = (JSON.parse(dashboard.out.join('\n')) as { lists: Array<{ list: string; active: number; ipv4Addresses: string }> }).lists.find((list) => list.list === 'RBL');
    assert.equal(rbl?.active, 10 + count);
    assert.equal(rbl?.ipv4Addresses, String(10 + count));
  });
});

describe('a command that changes nothing', () => {
  test('leaves the fold alone: no fold of its own, no detached one, and it never waits for the write lock', async () => {
    const { folded, newest } = foldState();
    assert.equal(folded, newest, 'the previous test leaves everything folded');
    const other = new Database(databasePath);
    try {
      // What a big import that has just committed leaves: more than BACKGROUND_FOLD_LISTINGS
      // listings the figures have not taken in (made here by moving the fold's mark back; put
      // back at the end), while another process holds the write lock.
      other.prepare('UPDATE dashboard_state SET folded_max_id = 10 WHERE id = 1').run();
      assert.ok(newest - 10 >= BACKGROUND_FOLD_LISTINGS);
      other.exec('BEGIN IMMEDIATE');
      const lookup = repdeskProcess(['lookup', formatAddress(4, BigInt(0x2d000000 + 100))]);
      other.exec('COMMIT');
      assert.equal(lookup.code, 0, lookup.error.join('\n'));
      assert.match(lookup.out.join('\n'), /listed/);
      assert.deepEqual(lookup.error, [], 'no note that the figures could not be folded');
      // A detached fold would take the lock now that it is free.
      await new Promise((done) => setTimeout(done, 3_000));
      assert.deepEqual(foldState(), { folded: 10, newest });
    } finally {
      other.prepare('UPDATE dashboard_state SET folded_max_id = ? WHERE id = 1').run(newest);
      other.close();
    }
  });
});

test('the detached fold on a database removed meanwhile creates nothing: neither the file nor its folder', () => {
  const gone = join(folder, 'removed', 'repdesk.sqlite');
  for (const missing of [gone, join(folder, 'removed-too.sqlite')]) {
    const run = runProgram(process.execPath, detachedFoldArgs(missing), { env: { REPDESK_LOG_LEVEL: 'error' } });
    assert.equal(run.code, 1, run.out.join('\n'));
    assert.ok(run.error.join('\n').includes(`there is no database ${missing}; nothing was created`), run.error.join('\n'));
    assert.equal(existsSync(missing), false, `${missing} was created`);
  }
  assert.equal(existsSync(join(folder, 'removed')), false, 'its folder was created');
  // The same command on a database that is there folds and prints the figures.
  mkdirSync(join(folder, 'kept'));
  const kept = join(folder, 'kept', 'repdesk.sqlite');
  assert.equal(runProgram(process.execPath, [BIN, '--db', kept, 'investigator', 'add', 'Bo', '--roles', 'investigator'], { env: { REPDESK_LOG_LEVEL: 'error' } }).code, 0);
  const run = runProgram(process.execPath, detachedFoldArgs(kept), { env: { REPDESK_LOG_LEVEL: 'error' } });
  assert.equal(run.code, 0, run.error.join('\n'));
  assert.ok(Array.isArray((JSON.parse(run.out.join('\n')) as { lists: unknown[] }).lists));
});
