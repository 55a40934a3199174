/** Job progress pushed to the page and the notification when a job ends. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobView } from '../../../shared/contract.js';
import { jobChanges, jobNotification, watchJobs } from '../../../main/electron/jobs.js';

function job(id: number, change: Partial<JobView>): JobView {
  return {
    id,
    operation: 'listings.importFile',
    state: 'running',
    stage: 'reading',
    done: 0,
    total: 100,
    rate: null,
    etaSeconds: null,
    startedAt: '2026-11-28T10:00:00.000Z',
    finishedAt: null,
    result: null,
    error: null,
    ...change,
  };
}

test('moved jobs are reported as progress, unchanged ones are not', () => {
  const previous = new Map([[1, job(1, { done: 10 })], [2, job(2, { done: 5 })]]);
  const { progressed, finished } = jobChanges(previous, [job(1, { done: 20 }), job(2, { done: 5 }), job(3, {})]);
  assert.deepEqual(progressed.map((view) => view.id), [1, 3]);
  assert.deepEqual(finished, []);
});

test('a job that ends is reported finished once, also when it started and ended between two looks', () => {
  const previous = new Map([[1, job(1, {})]]);
  const current = [job(1, { state: 'done' }), job(2, { state: 'failed' })];
  assert.deepEqual(jobChanges(previous, current).finished.map((view) => view.id), [1, 2]);
  assert.deepEqual(jobChanges(new Map(current.map((view) => [view.id, view])), current).finished, []);
});

test('the notification says what happened', () => {
  assert.deepEqual(jobNotification(job(1, { state: 'done', result: { imported: 12345, list: 'RBL', notes: [], notesOmitted: 0 } })), { title: 'Import finished', body: '12,345 entries imported into RBL.' });
  assert.deepEqual(jobNotification(job(1, { state: 'cancelled' })), { title: 'Import cancelled', body: 'Nothing was changed.' });
  assert.deepEqual(jobNotification(job(2, { operation: 'publish.run', state: 'failed', error: { code: 'forbidden', message: 'no signing key' } })), { title: 'Publishing failed', body: 'no signing key' });
  assert.deepEqual(jobNotification(job(2, { operation: 'publish.run', state: 'done', result: { published: true, serial: 2026112801, zone: 'bl.example', needsApproval: false } })), {
    title: 'Publishing finished',
    body: 'Snapshot 2026112801 of bl.example is published.',
  });
  assert.match(jobNotification(job(2, { operation: 'publish.run', state: 'done', result: { published: false, serial: null, zone: 'bl.example', needsApproval: true } })).body, /second publisher/);
});

test('the watcher reports progress and the end of a job, then stops', async () => {
  const views: JobView[][] = [[job(1, { done: 1 })], [job(1, { done: 50 })], [job(1, { state: 'done', done: 100 })]];
  let look = 0;
  const progress: number[] = [];
  const finished: number[] = [];
  const stop = watchJobs({
    list: () => views[Math.min(look++, views.length - 1)],
    onProgress: (view) => progress.push(view.done),
    onFinished: (view) => finished.push(view.id),
    intervalMilliseconds: 5,
  });
  // Three looks 5 ms apart; on a loaded machine timers run late, so wait for the end rather than a fixed time.
  for (let waited = 0; finished.length === 0 && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 30));
  stop();
  assert.deepEqual(progress, [1, 50, 100]);
  assert.deepEqual(finished, [1]);
});
