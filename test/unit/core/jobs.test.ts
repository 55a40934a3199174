import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddress } from '../../../shared/address.js';
import type { JobView } from '../../../shared/jobs.js';
import type { PublishResult } from '../../../shared/publishing.js';
import { createCore } from '../../../main/core/app.js';
import { generateKeyPair } from '../../../main/core/snapshot/index.js';
import { ok } from '../support/results.js';

const folder = mkdtempSync(join(tmpdir(), 'repdesk-jobs-'));
const key = generateKeyPair();
const core = createCore({ databasePath: join(folder, 'jobs.sqlite'), signingKey: () => key, snapshotFolder: join(folder, 'snapshots') });
// The core first (after hooks run in the order they are declared): the dashboard fold it starts
// after the last job opens the database from a worker thread, and removing the folder under it
// failed now and then (ENOTEMPTY) when that worker started late on a loaded machine.
after(() => {
  core.close();
  rmSync(folder, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});
const alice = { actor: 'Alice', localFiles: true };

function listingCount(): number {
  return core.connection.read.get<{ count: number }>({ text: 'SELECT count(*) AS count FROM listings', values: [] })?.count ?? -1;
}

function bigFile(name: string, count: number, offset: number): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) lines.push(formatAddress(4, BigInt(0x0b000000 + offset + index)));
  const path = join(folder, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('an import runs as a job with progress, and its result is the import summary', async () => {
  await ok(core.dispatch('investigators.add', { name: 'Alice', roles: ['investigator', 'publisher'] }, { actor: null }));
  const path = bigFile('ok.txt', 200_000, 0);
  const started = await ok(core.dispatch('jobs.start', { operation: 'listings.importFile', input: { file: { path }, list: 'RBL', reason: 'spam-source' } }, alice));
  assert.equal(started.state, 'running');
  const seen: JobView[] = [];
  let view = started;
  while (view.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 5));
    view = await ok(core.dispatch('jobs.get', { id: started.id }, alice));
    seen.push(view);
  }
  assert.equal(view.state, 'done', JSON.stringify(view.error));
  assert.deepEqual((view.result as { imported: number }).imported, 200_000);
  assert.ok(seen.some((progress) => progress.stage === 'writing' && progress.total === 200_000 && progress.done > 0), 'writing progress was reported');
  assert.equal(listingCount(), 200_000);
  // The main connection's index took in what the worker wrote.
  const found = await ok(core.dispatch('lookup', { ip: formatAddress(4, BigInt(0x0b000000 + 12345)) }, alice));
  assert.equal(found.listings.length, 1);
});

test('a cancelled import ends as cancelled and changes nothing', async () => {
  const before = listingCount();
  const path = bigFile('cancel.txt', 400_000, 1_000_000);
  const started = await ok(core.dispatch('jobs.start', { operation: 'listings.importFile', input: { file: { path }, list: 'RBL', reason: 'spam-source' } }, alice));
  let view = started;
  while (view.state === 'running' && view.done === 0) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    view = await ok(core.dispatch('jobs.get', { id: started.id }, alice));
  }
  await ok(core.dispatch('jobs.cancel', { id: started.id }, alice));
  view = await core.jobs.wait(started.id);
  assert.equal(view.state, 'cancelled');
  assert.equal(view.error?.code, 'cancelled');
  assert.equal(listingCount(), before);
});

test('a payload that fails the operation schema is refused before any worker starts', async () => {
  const refused = await core.dispatch('jobs.start', { operation: 'listings.importFile', input: { file: { path: '/x' }, list: 'NOPE', reason: 'spam-source' } }, alice);
  assert.ok(!refused.ok && refused.error.code === 'invalid-input' && /list/.test(refused.error.message));
  assert.equal((await ok(core.dispatch('jobs.list', {}, alice))).length, 2);
});

test('a publish runs as a job with stages, signed with the key the main process holds', async () => {
  const started = await ok(core.dispatch('jobs.start', { operation: 'publish.run', input: {} }, alice));
  const view = await core.jobs.wait(started.id);
  assert.equal(view.state, 'done', JSON.stringify(view.error));
  const result = view.result as PublishResult;
  assert.equal(result.published, true);
  assert.equal(result.listingsInForce.RBL, 200_000);
  assert.ok(result.path?.startsWith(join(folder, 'snapshots')));
  assert.equal((await ok(core.dispatch('snapshots.list', {}, alice)))[0].serial, result.serial);
});
