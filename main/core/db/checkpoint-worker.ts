/**
 * The thread that copies the write-ahead log back into the database file for a writer that
 * leaves its checkpoints here (db/wal-checkpoints.ts). Its own connection, which never writes:
 * each "checkpoint" message runs one PASSIVE checkpoint (what SQLite's automatic checkpoint
 * runs inside the committing call: it copies what no reader still needs and waits for nobody).
 * On "close" it closes its connection and says so through the state both threads share, which the writer's
 * thread waits on before closing its own (the last connection to close folds in the rest of
 * the log and removes it).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { ThreadState, type CheckpointReport, type CheckpointWorkerData } from './wal-checkpoints.js';

const data = workerData as CheckpointWorkerData;
const state = new Int32Array(data.state);

/** Tell the writer's thread, waiting to close its own connection, that this one is closed. */
function sayClosed(): void {
  Atomics.store(state, 0, ThreadState.Closed);
  Atomics.notify(state, 0);
}

function run(database: Database.Database): void {
  parentPort?.on('message', (message: 'checkpoint' | 'close') => {
    if (message === 'close') {
      try {
        database.close();
      } finally {
        sayClosed();
        parentPort?.close();
      }
      return;
    }
    try {
      const [row] = database.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      parentPort?.postMessage({ log: row.log, checkpointed: row.checkpointed } satisfies CheckpointReport);
    } catch (error) {
      parentPort?.postMessage({ failed: error instanceof Error ? error.message : String(error) });
    }
  });
}

if (Atomics.compareExchange(state, 0, ThreadState.Starting, ThreadState.Open) === ThreadState.Starting) {
  let database: Database.Database;
  try {
    database = new Database(data.databasePath, { fileMustExist: true });
  } catch (error) {
    sayClosed();
    throw error;
  }
  run(database);
} else {
  // The writer closed before this thread got going: nothing was opened, nothing to do.
  parentPort?.close();
}
