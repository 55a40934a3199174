/**
 * A worker thread that writes some of a large snapshot's zone files (the combined zone) while
 * the main thread writes the others: the writing is most of a publish's time, and the combined
 * zone is made from the blocklists' zones, which it gets as a copy. It answers `{ files }` (the
 * manifest entries, in the order given) or `{ error }` and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeZoneFile, type ZoneFileJob } from './zone-files.js';

const data = workerData as { readonly folder: string; readonly jobs: readonly ZoneFileJob[] };

try {
  parentPort?.postMessage({ files: data.jobs.map((job) => writeZoneFile(data.folder, job)) });
} catch (error) {
  const { name, message, code } = error as NodeJS.ErrnoException;
  parentPort?.postMessage({ error: { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : String(error), code: code ?? null } });
}
