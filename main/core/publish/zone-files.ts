/**
 * Writing one zone file of a snapshot: its segments (or, for the combined zone, the blocklists'
 * zones it is made of) through the format's writer into a file hashed while written and fsynced.
 * The same on the main thread and in the zone worker (zone-worker.ts), which writes some of a
 * large snapshot's files beside it.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Family } from '../../../shared/address.js';
import type { ListName } from '../../../shared/domain.js';
import { coreFileUrl } from '../core-files.js';
import { HashedFile, type ManifestFile } from '../snapshot/index.js';
import { combinedZone } from './resolve/combined.js';
import type { ResolvedZone } from './resolve/types.js';
import { writeBindZoneColumns } from './zones/bind.js';
import { writeRbldnsdColumns } from './zones/rbldnsd.js';
import { ZoneWriteError } from './zones/checks.js';
import type { SegmentColumns, ZoneParameters } from './zones/types.js';

/** One file to write. */
export interface ZoneFileJob {
  readonly path: string;
  readonly format: 'rbldnsd' | 'bind';
  readonly zone: ListName | 'combined';
  readonly family: Family;
  readonly parameters: ZoneParameters;
  /** The zone's segments; for the combined zone, the blocklists' zones it is combined from (when it is written). */
  readonly content: { readonly segments: SegmentColumns } | { readonly combinedOf: readonly ResolvedZone[] };
}

/** Write `job`'s file into `folder` (which exists); returns its manifest entry. */
export function writeZoneFile(folder: string, job: ZoneFileJob): ManifestFile {
  const segments = 'segments' in job.content ? job.content.segments : combinedZone({ zones: [...job.content.combinedOf] }, job.family);
  const file = new HashedFile(join(folder, job.path));
  const { entries } = job.format === 'rbldnsd' ? writeRbldnsdColumns(segments, job.parameters, file.writeBytes) : writeBindZoneColumns(segments, job.parameters, file.writeBytes);
  const dataset = job.format === 'rbldnsd' ? (job.family === 4 ? 'ip4trie' : 'ip6trie') : null;
  return { path: job.path, format: job.format, dataset, zone: job.zone, origin: job.parameters.origin, family: job.family, entries, ...file.finish() };
}

/** The zone worker's answer as an error here: a refused value stays a ZoneWriteError, a file system error keeps its code. */
function zoneWorkerError(error: { name: string; message: string; code: string | null }): Error {
  const rebuilt = error.name === 'ZoneWriteError' ? new ZoneWriteError(error.message) : new Error(error.message);
  if (error.code !== null) (rebuilt as NodeJS.ErrnoException).code = error.code;
  return rebuilt;
}

/** Start the zone worker on `jobs`: their manifest entries once written, and a way to stop it. */
export function startZoneWorker(folder: string, jobs: readonly ZoneFileJob[]): { files: Promise<ManifestFile[]>; stop(): Promise<number> } {
  const worker = new Worker(coreFileUrl('./publish/zone-worker.js'), { workerData: { folder, jobs } });
  const files = new Promise<ManifestFile[]>((resolvePromise, reject) => {
    worker.once('message', (message: { files: ManifestFile[] } | { error: { name: string; message: string; code: string | null } }) =>
      'files' in message ? resolvePromise(message.files) : reject(zoneWorkerError(message.error)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the zone worker stopped (exit ${code}) before it wrote its files`)));
  });
  // Awaited only once the main thread's own files are written; a failure there comes first.
  files.catch(() => undefined);
  return { files, stop: () => worker.terminate() };
}
