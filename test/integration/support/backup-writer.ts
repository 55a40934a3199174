/**
 * A worker thread that keeps adding listings to a database, one committed write after another,
 * until told to stop: the "others keep writing" of the backup test. `state` is an Int32Array
 * over shared memory: [0] = 1 asks it to stop, [1] = how many writes it has committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createCore } from '../../../main/core/app.js';

const { databasePath, state } = workerData as { databasePath: string; state: SharedArrayBuffer };
const flags = new Int32Array(state);
const core = createCore({ databasePath, foldsDashboard: false });
try {
  for (let count = 0; Atomics.load(flags, 0) === 0; ) {
    const range = `81.${200 + ((count >> 16) & 31)}.${(count >> 8) & 255}.${count & 255}`;
    const result = await core.dispatch('listings.add', { range, list: 'RBL', reason: 'spam-source', why: 'written during a backup' }, { actor: 'Ada', client: 'cli' });
    if (!result.ok) {
      parentPort?.postMessage({ error: `${result.error.code}: ${result.error.message}` });
      break;
    }
    count += 1;
    Atomics.store(flags, 1, count);
  }
} finally {
  core.close();
  parentPort?.postMessage({ done: Atomics.load(flags, 1) });
}
