/**
 * A worker thread that brings the dashboard's figures up to date and exits. The core starts it
 * when a background job has finished, so the fold of a million-row import neither blocks the
 * main thread nor adds to the job worker's heap: the job's worker has exited (and its memory is
 * gone) before this one starts.
 */
import { workerData } from 'node:worker_threads';
import { openDatabase } from '../db/connection.js';
import { foldDashboard } from './counters.js';

const connection = openDatabase((workerData as { databasePath: string }).databasePath);
try {
  foldDashboard(connection.write);
} finally {
  connection.close();
}
