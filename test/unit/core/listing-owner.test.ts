/**
 * One owner of a listing's life, and one place for what follows a write: no code outside
 * main/core/listings/ writes a listing; every write operation declares what it touches and a
 * read touches nothing; and the writes that once skipped the after-write step (a bulk action, a
 * delisting decision) now leave the dashboard folded and send their change notice.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATION_NAMES, isWriteOperation } from '../../../shared/contract.js';
import { TOPICS_OF, type ChangeNotice } from '../../../shared/changes.js';
import { createCore, type Core } from '../../../main/core/app.js';
import { hasPendingChanges } from '../../../main/core/dashboard/counters.js';
import { ok } from '../support/results.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') || name.endsWith('.tsx') ? [path] : [];
  });
}

test('only main/core/listings/ writes listings (no UPDATE or INSERT of listings anywhere else)', () => {
  const writers = /\b(UPDATE\s+listings\s+SET|INSERT\s+(OR\s+\w+\s+)?INTO\s+listings\s*[(\s])/i;
  const offenders: string[] = [];
  for (const file of sourceFiles(join(ROOT, 'main'))) {
    const path = relative(ROOT, file);
    if (path.startsWith(join('main', 'core', 'listings'))) continue;
    // Migrations define the schema (triggers and the full-text index fill), not a listing's life.
    if (path.startsWith(join('main', 'core', 'db', 'migrations'))) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (writers.test(line)) offenders.push(`${path}:${index + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, []);
  // The check itself finds what it looks for.
  assert.ok(sourceFiles(join(ROOT, 'main', 'core', 'listings')).some((file) => writers.test(readFileSync(file, 'utf8'))));
});

test('every write operation names what it touches, and no read names anything', () => {
  for (const name of OPERATION_NAMES) {
    assert.equal(TOPICS_OF[name].length > 0, isWriteOperation(name), `${name}: ${isWriteOperation(name) ? 'a write with no topics' : 'a read with topics'}`);
  }
});

describe('what follows a write', () => {
  let folder: string;
  let core: Core;
  let notices: ChangeNotice[];
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-after-write-'));
    notices = [];
    core = createCore({ databasePath: join(folder, 'repdesk.sqlite'), now: () => new Date(now), onChange: (notice) => notices.push(notice) });
    await ok(core.dispatch('investigators.add', { name: 'ana', roles: ['investigator', 'reviewer'] }, { actor: null }));
    await ok(core.dispatch('investigators.add', { name: 'bo', roles: ['investigator'] }, { actor: 'ana' }));
  });

  afterEach(() => {
    core.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The fold scheduled after a write runs once the answer is out. */
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  test('a bulk action run in the request folds the dashboard and sends its notice', async () => {
    const ids: number[] = [];
    for (const range of ['11.0.0.1', '11.0.0.2', '11.0.0.3']) {
      ids.push((await ok(core.dispatch('listings.add', { range, list: 'RBL', reason: 'spam-source' }, { actor: 'ana' }))).listing.id);
    }
    await settled();
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), false);
    notices.length = 0;
    const result = await ok(core.dispatch('listings.bulk', { action: 'reassign', investigator: 'bo', why: 'holiday cover', target: { ids } }, { actor: 'ana' }));
    assert.equal(result.changed, 3);
    assert.deepEqual(notices.map((notice) => [notice.operation, notice.actor, notice.topics]), [['listings.bulk', 'ana', ['listings']]]);
    await settled();
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), false, 'nothing is left to fold');
  });

  test('a delisting decision folds the dashboard and sends its notice', async () => {
    await ok(core.dispatch('listings.add', { range: '23.1.2.0/24', list: 'RBL', reason: 'spam-source' }, { actor: 'bo' }));
    const request = await ok(core.dispatch('delisting.add', { ip: '23.1.2.9', requester: 'postmaster@23-1-2.example', reason: 'fixed' }, { actor: 'ana' }));
    await settled();
    notices.length = 0;
    await ok(core.dispatch('delisting.decide', { id: request.id, decision: 'delist', why: 'cleaned up' }, { actor: 'bo' }));
    assert.deepEqual(notices.map((notice) => notice.operation), ['delisting.decide']);
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), true, 'the status change is journalled');
    await settled();
    assert.equal(hasPendingChanges(core.connection.read, new Date(now)), false, 'and folded right after the answer');
  });

  test('a refused write sends no notice', async () => {
    notices.length = 0;
    const result = await core.dispatch('listings.delist', { id: 99, why: 'no such listing' }, { actor: 'ana' });
    assert.equal(result.ok, false);
    assert.deepEqual(notices, []);
  });
});
