/**
 * A worker thread that writes a large snapshot's zone files beside the main thread: both take
 * the next file from the shared claims (zone-files.ts) until none is left. It gets the zones as
 * a copy, answers `{ files }` (the jobs it wrote, by index, with their manifest entries, once
 * their fsyncs are done) or
 * `{ error }` (and then stops the claims, so the main thread takes no further file), and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ManifestFile } from '../snapshot/index.js';
import { claimNext, markWritten, stopClaims, writeZoneFile, type SharedClaims, type ZoneFileJob, type ZoneWorkerAnswer } from './zone-files.js';

const data = workerData as { readonly folder: string; readonly jobs: readonly ZoneFileJob[]; readonly claims: SharedClaims };

function answer(message: ZoneWorkerAnswer): void {
  parentPort?.postMessage(message);
}

try {
  const files: Array<readonly [number, ManifestFile]> = [];
  const syncs: Array<Promise<void>> = [];
  for (let job = claimNext(data.claims); job !== -1; job = claimNext(data.claims)) {
    const written = writeZoneFile(data.folder, data.jobs[job]);
    files.push([job, written.entry]);
    syncs.push(written.synced);
    markWritten(data.claims);
  }
  await Promise.all(syncs);
  answer({ files });
} catch (error) {
  stopClaims(data.claims);
  const { name, message, code } = error as NodeJS.ErrnoException;
  answer({ error: { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : String(error), code: code ?? null } });
}
