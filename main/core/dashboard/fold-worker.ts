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

try {
  const connection = openDatabase(data.databasePath);
  try {
    // The time of the core that started it (a test's clock is not the real one).
    foldDashboard(connection.write, new Date(data.now));
  } finally {
    connection.close();
  }
} catch (error) {
  parentPort?.postMessage({ failed: error instanceof Error ? error.message : String(error) });
}
