/**
 * Writing a snapshot's zone files: each file's segments (or, for the combined zone, the
 * blocklists' zones it is made of) through the format's writer into a file hashed while written
 * and fsynced. A large snapshot is written by two threads at once, this one and a zone worker
 * (zone-worker.ts): both take the next file not yet taken from one shared counter, largest
 * first, so whichever thread is free (the other core may be busy with someone else's work)
 * writes the next file. Same writers, same bytes, whichever thread writes a file.
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

/** A zone file written and hashed: its manifest entry, and its fsync (it counts once `synced` resolves). */
export interface WrittenZoneFile {
  readonly entry: ManifestFile;
  readonly synced: Promise<void>;
}

/** Write `job`'s file into `folder` (which exists): its manifest entry now, its fsync in the background. */
export function writeZoneFile(folder: string, job: ZoneFileJob): WrittenZoneFile {
  const segments = 'segments' in job.content ? job.content.segments : combinedZone({ zones: [...job.content.combinedOf] }, job.family);
  const file = new HashedFile(join(folder, job.path));
  const { entries } = job.format === 'rbldnsd' ? writeRbldnsdColumns(segments, job.parameters, file.writeBytes) : writeBindZoneColumns(segments, job.parameters, file.writeBytes);
  const dataset = job.format === 'rbldnsd' ? (job.family === 4 ? 'ip4trie' : 'ip6trie') : null;
  const { sha256, size, synced } = file.finishInBackground();
  return { entry: { path: job.path, format: job.format, dataset, zone: job.zone, origin: job.parameters.origin, family: job.family, entries, sha256, size }, synced };
}

/**
 * Relative cost of writing one segment, by format and family, measured on the publish bench
 * (a BIND name costs about twice an rbldnsd line; IPv6, written through bigints, several times
 * an IPv4 segment). Only the order of the files depends on it, never their bytes.
 */
const SEGMENT_COST: Record<ZoneFileJob['format'], Record<Family, number>> = { bind: { 4: 2, 6: 8 }, rbldnsd: { 4: 1, 6: 4 } };
/** Combining the blocklists first costs about a third of writing their names again. */
const COMBINE_COST = 1.3;

/** What writing `job` should cost, in units of one rbldnsd IPv4 line. */
export function jobCost(job: ZoneFileJob): number {
  const perSegment = SEGMENT_COST[job.format][job.family];
  if ('segments' in job.content) return job.content.segments.count * perSegment;
  return job.content.combinedOf.reduce((sum, zone) => sum + zone.segments[job.family].count, 0) * perSegment * COMBINE_COST;
}

/** The jobs' indices, the costliest first (ties: in the given order), the order in which threads take them. */
export function claimOrder(jobs: readonly ZoneFileJob[]): Int32Array {
  const costs = jobs.map(jobCost);
  return Int32Array.from(jobs.keys()).sort((a, b) => costs[b] - costs[a] || a - b);
}

/**
 * The files shared between threads: `order` (job indices, costliest first) and, in shared
 * memory, the next position of `order` to take and how many files are written. A thread takes a
 * file with `claimNext` and reports it written with `markWritten`.
 */
export interface SharedClaims {
  readonly order: Int32Array;
  /** [0]: the next position in `order` to take; [1]: files written by every thread so far. */
  readonly counters: Int32Array;
}

export function sharedClaims(jobs: readonly ZoneFileJob[]): SharedClaims {
  return { order: claimOrder(jobs), counters: new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) };
}

/** The index of the next job to write, or -1 when every job is taken. */
export function claimNext(claims: SharedClaims): number {
  const position = Atomics.add(claims.counters, 0, 1);
  return position < claims.order.length ? claims.order[position] : -1;
}

/** No thread takes another job after this (a failure: what is written is thrown away). */
export function stopClaims(claims: SharedClaims): void {
  Atomics.store(claims.counters, 0, claims.order.length);
}

/** Count one more file written; returns how many are written. */
export function markWritten(claims: SharedClaims): number {
  return Atomics.add(claims.counters, 1, 1) + 1;
}

export function writtenCount(claims: SharedClaims): number {
  return Atomics.load(claims.counters, 1);
}

/** What the zone worker answers: the jobs it wrote (index and manifest entry; fsynced), or why it failed. */
export type ZoneWorkerAnswer =
  | { readonly files: ReadonlyArray<readonly [number, ManifestFile]> }
  | { readonly error: { readonly name: string; readonly message: string; readonly code: string | null } };

/** The zone worker's answer as an error here: a refused value stays a ZoneWriteError, a file system error keeps its code. */
function zoneWorkerError(error: { name: string; message: string; code: string | null }): Error {
  const rebuilt = error.name === 'ZoneWriteError' ? new ZoneWriteError(error.message) : new Error(error.message);
  if (error.code !== null) (rebuilt as NodeJS.ErrnoException).code = error.code;
  return rebuilt;
}

/**
 * Start the zone worker on `jobs`, taking them from `claims` beside this thread: the jobs it
 * wrote (index, manifest entry), fsynced, once no job is left to take, and a way to stop it.
 */
export function startZoneWorker(folder: string, jobs: readonly ZoneFileJob[], claims: SharedClaims): { files: Promise<ReadonlyArray<readonly [number, ManifestFile]>>; stop(): Promise<number> } {
  const worker = new Worker(coreFileUrl('./publish/zone-worker.js'), { workerData: { folder, jobs, claims } });
  const files = new Promise<ReadonlyArray<readonly [number, ManifestFile]>>((resolvePromise, reject) => {
    worker.once('message', (message: ZoneWorkerAnswer) => ('files' in message ? resolvePromise(message.files) : reject(zoneWorkerError(message.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the zone worker stopped (exit ${code}) before it wrote its files`)));
  });
  // Awaited only once this thread has no job left; a failure here comes first.
  files.catch(() => undefined);
  return { files, stop: () => worker.terminate() };
}
