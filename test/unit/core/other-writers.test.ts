/**
 * Another process's writes as change notices (main/core/changes/): events this process appended
 * are announced between its threads and never reported as another's; events that nobody here
 * announced (written by another connection, as another process would) become one notice per look
 * with the topics their actions touched, after being held two looks; a run announced for a
 * transaction that rolled back (its ids then used by another process) does not hide the other
 * process's events; and every action the core appends has a kind with known topics.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { CHANGE_TOPICS, type ChangeNotice } from '../../../shared/changes.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { openDatabase, type Connection } from '../../../main/core/db/connection.js';
import { TOPICS_OF_ACTION_KIND, actionKind, topicsOfActions } from '../../../main/core/changes/history-topics.js';
import { watchOtherWriters, type OtherWritersWatch } from '../../../main/core/changes/other-writers.js';
import { hearOwnEvents, noteAppended } from '../../../main/core/changes/own-events.js';
import { PUBLISHED_CHANGE_ACTIONS } from '../../../main/core/listings/changes.js';
import { ok } from '../support/results.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const NEVER = 3_600_000;

let folder: string;
let databasePath: string;
let core: Core;
let reader: Connection;
let other: Database.Database;
let watch: OtherWritersWatch;
let notices: ChangeNotice[];

/** The newest event id this process's announcements have named so far (heard as the watcher hears them). */
let heard = 0;
let stopHearing: () => void = () => undefined;

/** Wait until this process's announcements of what it appended have arrived (a message between threads: a moment, longer under load). */
async function settle(upTo?: number): Promise<void> {
  const newest = upTo ?? (other.prepare('SELECT max(id) AS id FROM events').get() as { id: number }).id;
  const deadline = Date.now() + 10_000;
  while (heard < newest) {
    assert.ok(Date.now() < deadline, `no announcement of event ${newest} within 10 s`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
  }
}

/** An event written by another connection, as another process's RepDesk would (not announced here). */
function writeElsewhere(actor: string, action: string, hash: Buffer = randomBytes(32)): number {
  const tip = other.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number };
  const id = tip.id + 1;
  other
    .prepare('INSERT INTO events (id, at, actor, action, subject_type, subject_id, subject_last, reason, details, client, address, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, NULL, ?, ?)')
    .run(id, new Date().toISOString(), actor, action, 'listing', 1, '{}', 'cli', randomBytes(32), hash);
  return id;
}

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-other-writers-'));
  databasePath = join(folder, 'repdesk.sqlite');
  core = createCore({ databasePath });
  await ok(core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] }, { actor: null }));
  reader = openDatabase(databasePath, { readonly: true });
  other = new Database(databasePath);
  notices = [];
  watch = watchOtherWriters(reader.read, (notice) => notices.push(notice), NEVER);
  heard = 0;
  stopHearing = hearOwnEvents((runs) => {
    for (const run of runs) heard = Math.max(heard, run.last);
  });
});

afterEach(() => {
  stopHearing();
  watch.close();
  other.close();
  reader.close();
  core.close();
  rmSync(folder, { recursive: true, force: true });
});

test("this process's own writes are never reported as another process's", async () => {
  await ok(core.dispatch('listings.add', { range: '81.50.0.0/24', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' }));
  await ok(core.dispatch('settings.update', { qil: { defaultExpiryHours: 30 } }, { actor: 'Ana' }));
  await settle();
  watch.look();
  watch.look();
  watch.look();
  assert.deepEqual(notices, []);
});

test("another process's events are held one look, then given as one notice with their topics and their person", async () => {
  writeElsewhere('Ana', 'listing.created');
  writeElsewhere('Ana', 'settings.changed');
  watch.look();
  watch.look();
  assert.deepEqual(notices, [], 'held for two looks: an announcement may still be on its way');
  watch.look();
  assert.equal(notices.length, 1);
  assert.deepEqual({ ...(notices[0] as ChangeNotice), at: null }, { operation: null, actor: 'Ana', at: null, topics: ['listings', 'settings'] });
  watch.look();
  assert.equal(notices.length, 1, 'each event is reported once');

  writeElsewhere('Ana', 'thread.note');
  writeElsewhere('Ben', 'view.saved');
  watch.look();
  watch.look();
  watch.look();
  assert.deepEqual({ ...(notices[1] as ChangeNotice), at: null }, { operation: null, actor: null, at: null, topics: ['threads', 'saved-views'] });
});

test("own and another process's events interleaved: only the other's are reported", async () => {
  writeElsewhere('Ana', 'isp.created');
  await ok(core.dispatch('listings.add', { range: '81.51.0.0/24', list: 'RBL', reason: 'spam-source' }, { actor: 'Ana' }));
  await settle();
  watch.look();
  watch.look();
  watch.look();
  assert.deepEqual(notices.map((notice) => notice.topics), [['isps']]);
});

test("a run announced for a transaction that rolled back does not hide another process's event with the same id", async () => {
  const next = (other.prepare('SELECT max(id) AS id FROM events').get() as { id: number }).id + 1;
  noteAppended(next, randomBytes(32));
  await settle(next);
  writeElsewhere('Ana', 'nomination.received');
  watch.look();
  watch.look();
  watch.look();
  assert.deepEqual(notices.map((notice) => notice.topics), [['listings', 'nominations']]);
});

test('an action of a kind this RepDesk does not know touches every topic', () => {
  assert.deepEqual(topicsOfActions(['gadget.polished']), [...CHANGE_TOPICS]);
  assert.deepEqual(topicsOfActions(['job.interrupted']), []);
});

function sourceFiles(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const child = join(path, name);
    return statSync(child).isDirectory() ? sourceFiles(child) : child.endsWith('.ts') ? [child] : [];
  });
}

test('every history action the core appends is of a kind with known topics', () => {
  const kinds = new Set<string>([...PUBLISHED_CHANGE_ACTIONS].map(actionKind));
  for (const file of sourceFiles(join(ROOT, 'main', 'core'))) {
    const text = readFileSync(file, 'utf8');
    // `action: 'thread.note'`, `action: \`nomination.${...}\``, `action: x ? 'auth.signed-out' : 'session.ended'`, `record('auth.locked', ...)`
    for (const [, expression] of text.matchAll(/\baction: ([^,\n}]+)/g)) for (const [, kind] of expression.matchAll(/['`]([a-z][a-z-]*)\.[a-z$]/g)) kinds.add(kind);
    for (const [, kind] of text.matchAll(/\brecord\('([a-z][a-z-]*)\./g)) kinds.add(kind);
  }
  assert.ok(kinds.size >= 15 && kinds.has('auth') && kinds.has('session'), `the scan found the core's actions: ${[...kinds].join(', ')}`);
  const unknown = [...kinds].filter((kind) => !(kind in TOPICS_OF_ACTION_KIND));
  assert.deepEqual(unknown, [], 'a kind of action with no topics would make every view refresh: add it to TOPICS_OF_ACTION_KIND');
});
