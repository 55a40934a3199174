/**
 * People's writes go before a job's next step (main/core/db/write-priority.ts): a job's thread
 * waits while writes are counted, and goes on when the last is answered (or after its bound);
 * the writer thread waits while a step is announced, and is woken when it ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { beginStep, countWriteAnswered, countWriteQueued, endStep, writesWaitingCounter } from '../../../main/core/db/write-priority.js';

const PRIORITY = new URL('../../../main/core/db/write-priority.js', import.meta.url).href;

/** Run `call` (a function of db/write-priority.ts, with the counter and a bound) on a worker thread; resolves when it returns. */
function onAThread(call: 'letWritesGoFirst' | 'waitForStep', counter: SharedArrayBuffer, maxMs: number): Promise<void> {
  const code = `import { workerData, parentPort } from 'node:worker_threads';
    const priority = await import(workerData.module);
    parentPort.postMessage('waiting');
    priority[workerData.call](workerData.counter, workerData.maxMs);
    parentPort.postMessage('done');`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { module: PRIORITY, call, counter, maxMs } });
  return new Promise((resolve, reject) => {
    worker.on('message', (message) => {
      if (message === 'done') resolve();
    });
    worker.on('error', reject);
  });
}

async function isStillWaiting(done: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([done.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);
}

test("a job's step waits while people's writes are queued, and goes on when the last is answered", async () => {
  const counter = writesWaitingCounter();
  countWriteQueued(counter);
  countWriteQueued(counter);
  const done = onAThread('letWritesGoFirst', counter, 60_000);
  assert.equal(await isStillWaiting(done, 300), true, 'waits while two writes are queued');
  countWriteAnswered(counter);
  assert.equal(await isStillWaiting(done, 300), true, 'and while one is');
  countWriteAnswered(counter);
  await done;
});

test('a steady stream of writes slows a job but never stops it: the wait has a bound', async () => {
  const counter = writesWaitingCounter();
  countWriteQueued(counter);
  await onAThread('letWritesGoFirst', counter, 50);
});

test('a write waits while a step is announced and starts when it ends', async () => {
  const counter = writesWaitingCounter();
  await onAThread('waitForStep', counter, 60_000);
  beginStep(counter);
  const done = onAThread('waitForStep', counter, 60_000);
  assert.equal(await isStillWaiting(done, 300), true);
  endStep(counter);
  await done;
});
