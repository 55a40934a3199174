/**
 * Writes the combined zone's master files it is given (publish gives it the IPv4 one) on a second
 * thread while the main thread writes every list's files: the combined zone is the largest file of
 * a snapshot, and a publish otherwise uses one core of two. The segments arrive as typed arrays
 * (combined-job.ts).
 */
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Family } from '../../../shared/address.js';
import type { ManifestFile } from '../../../shared/publishing.js';
import { unpackSegments, type CombinedZoneJob, type CombinedZoneResult } from './combined-job.js';
import { HashedFile } from './files.js';
import { combineBlocklists } from './resolve.js';
import { writeBindZoneBytes, ZoneWriteError } from './zones.js';

const job = workerData as CombinedZoneJob;
try {
  const files: ManifestFile[] = [];
  for (const { parameters, blocklists } of job.families) {
    const family: Family = parameters.family;
    const path = `combined.v${family}.zone`;
    const file = new HashedFile(join(job.folder, path));
    // Nothing keeps the unpacked lists once they are combined: the writer runs without them.
    const { entries } = writeBindZoneBytes(combineBlocklists(blocklists.map((packed) => unpackSegments(packed, job.answers))), parameters, file.writeBytes);
    files.push({ path, format: 'bind', dataset: null, zone: 'combined', origin: parameters.origin, family, entries, ...file.finish() });
  }
  parentPort?.postMessage({ ok: true, files } satisfies CombinedZoneResult);
} catch (error) {
  parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error), isZoneWriteError: error instanceof ZoneWriteError } satisfies CombinedZoneResult);
}
