/** The worker thread of a background job: its own core on the same database file. */
import { parentPort, workerData } from 'node:worker_threads';
import { createCore } from '../app.js';
import { AppError } from '../errors.js';
import type { JobMessage, JobWorkerData } from './jobs.js';

const data = workerData as JobWorkerData;
const cancel = new Int32Array(data.cancel);
const post = (message: JobMessage) => parentPort?.postMessage(message);

const core = createCore({
  databasePath: data.databasePath,
  signingKey: data.signingKey ? () => data.signingKey as NonNullable<JobWorkerData['signingKey']> : undefined,
  snapshotFolder: data.snapshotFolder ?? undefined,
  uploadFolder: data.uploadFolder ?? undefined,
  // The core that started the job folds the dashboard's figures after it, on a thread of its own.
  foldsDashboard: false,
  // The core that started the job settles unfinished publishes and signs the checkpoints after it.
  runsUpkeep: false,
});
try {
  const result = await core.dispatch(data.operation, data.input, {
    ...data.call,
    onProgress: (progress) => {
      if (Atomics.load(cancel, 0) === 1) throw new AppError('cancelled', `${data.operation} was cancelled; nothing was changed`);
      post({ type: 'progress', ...progress });
    },
  });
  post({ type: 'result', result });
} finally {
  core.close();
}
