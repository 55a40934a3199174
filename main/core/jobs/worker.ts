/** The worker thread of a background job: its own core on the same database file. */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { createLogger } from '../log.js';
import type { JobCoreFactory, JobMessage, JobWorkerData } from './jobs.js';
import { recordJobEnd, recordJobStart } from './job-records.js';

const log = createLogger('jobs');

const data = workerData as JobWorkerData;
const cancel = new Int32Array(data.cancel);
const post = (message: JobMessage) => parentPort?.postMessage(message);

// The core is the one the starting core named: this module never imports it (jobs.ts, JobCoreFactory).
const { jobCoreFactory } = (await import(data.coreModule)) as { jobCoreFactory: JobCoreFactory };
const core = jobCoreFactory.createCore({
  databasePath: data.databasePath,
  signingKey: data.signingKey ? () => data.signingKey as NonNullable<JobWorkerData['signingKey']> : undefined,
  snapshotFolder: data.snapshotFolder ?? undefined,
  uploadFolder: data.uploadFolder ?? undefined,
  // A server's job lets people's writes go first between its steps.
  writesWaiting: data.writesWaiting ?? undefined,
  // The core that started the job folds the dashboard's figures after it, on a thread of its own.
  foldsDashboard: false,
  // The core that started the job settles unfinished publishes and signs the checkpoints after it.
  runsUpkeep: false,
  // One bulk job: the pages it reads through a memory map would stay in the process's RSS until it ends.
  memoryMap: false,
});
// Recorded while it runs: if this process dies first, the next start reports the job failed (job-records.ts).
let recordId: number | null = null;
try {
  recordId = recordJobStart(core.connection.write, data.operation, data.call, new Date().toISOString());
} catch (error) {
  log.warn(`job ${data.operation} not recorded: ${error instanceof Error ? error.message : String(error)}`);
}
try {
  const result = await core.dispatch(data.operation, data.input, {
    ...data.call,
    onProgress: (progress) => {
      if (Atomics.load(cancel, 0) === 1) throw new AppError('cancelled', `${data.operation} was cancelled; nothing was changed`);
      post({ type: 'progress', ...progress });
    },
  });
  if (recordId !== null) {
    try {
      recordJobEnd(core.connection.write, recordId, result.ok ? 'done' : result.error.code === 'cancelled' ? 'cancelled' : 'failed', result.ok ? null : result.error.message, new Date().toISOString());
    } catch (error) {
      log.warn(`the end of job ${data.operation} not recorded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  post({ type: 'result', result });
} finally {
  core.close();
}
