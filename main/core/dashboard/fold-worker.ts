/**
 * A worker thread that brings the dashboard's figures up to date and exits. The core starts it
 * when a background job has finished, so the fold of a million-row import neither blocks the
 * main thread nor adds to the job worker's heap: the job's worker has exited (and its memory is
 * gone) before this one starts. A failure (another writer holding the database past the busy
 * timeout) is reported to the core and leaves the changes pending for the next fold.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/connection.js';
import { foldDashboard } from './counters.js';

const data = workerData as { readonly databasePath: string; readonly now: string };
/** New listings folded per step here (one short transaction each), and the pause after each. */
const WORKER_CHUNK_IDS = 32_768;
const PAUSE_MS = 50;

try {
  const connection = openDatabase(data.databasePath);
  try {
    // The time of the core that started it (a test's clock is not the real one). Smaller steps
    // with a pause between them: a server's writes waiting for the database (people at work
    // after a big import) get it between two steps, not after the whole fold.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    foldDashboard(connection.write, new Date(data.now), WORKER_CHUNK_IDS, () => Atomics.wait(pause, 0, 0, PAUSE_MS));
  } finally {
    connection.close();
  }
} catch (error) {
  parentPort?.postMessage({ failed: error instanceof Error ? error.message : String(error) });
}
