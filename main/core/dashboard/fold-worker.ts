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
import { beginStep, endStep, letWritesGoFirst } from '../db/write-priority.js';

/** What the core gives the fold's worker. */
export interface FoldWorkerData {
  readonly databasePath: string;
  /** The core's time (a test's clock is not the real one). */
  readonly now: string;
  /** People's writes waiting in a server's writer (db/write-priority.ts): they go first between two steps. */
  readonly writesWaiting: SharedArrayBuffer | null;
}

const data = workerData as FoldWorkerData;
/** New listings folded per step here (one short transaction each), and the pause after each. */
const WORKER_CHUNK_IDS = 4096;
const PAUSE_MS = 50;

try {
  const connection = openDatabase(data.databasePath);
  try {
    // The time of the core that started it (a test's clock is not the real one). Smaller steps
    // with a pause between them: a server's writes waiting for the database (people at work
    // after a big import) get it between two steps, not after the whole fold.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    // In a server, each step is announced to its writer like an import's (db/write-priority.ts).
    const counter = data.writesWaiting;
    const begin = () => {
      if (!counter) return;
      letWritesGoFirst(counter);
      beginStep(counter);
    };
    begin();
    try {
      foldDashboard(connection.write, new Date(data.now), WORKER_CHUNK_IDS, () => {
        if (counter) endStep(counter);
        Atomics.wait(pause, 0, 0, PAUSE_MS);
        begin();
      });
    } finally {
      if (counter) endStep(counter);
    }
  } finally {
    connection.close();
  }
} catch (error) {
  parentPort?.postMessage({ failed: error instanceof Error ? error.message : String(error) });
}
