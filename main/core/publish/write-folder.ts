/**
 * The third step of a publish: write every zone file in both formats into the snapshot's
 * temporary folder, then the manifest, then (once it is signed, here or on the publisher's own
 * computer, and checked) its signature. Nothing here touches the database.
 */
import { join } from 'node:path';
import { LISTS, type ListName } from '../../../shared/domain.js';
import type { Family } from '../../../shared/address.js';
import type { Settings } from '../../../shared/settings.js';
import type { Checkpoint } from '../audit/checkpoints.js';
import type { HistoryAnchor } from '../audit/history.js';
import { invalidInput } from '../errors.js';
import { reachStep, HashedFile, fsyncFolder, MANIFEST_FILE, SIGNATURE_FILE, MinisignError, verify as verifySignature, signerKeyId, type Manifest, type ManifestFile, type Signer } from '../snapshot/index.js';
import { BLOCKLISTS, listReturnCode } from '../rule/answers.js';
import type { Resolution } from './resolve/resolve.js';
import { claimNext, markWritten, sharedClaims, startZoneWorker, stopClaims, writeZoneFile, writtenCount, type ZoneFileJob } from './zone-files.js';
import type { ZoneParameters } from './zones/types.js';
import type { ProgressReporter } from '../jobs/progress.js';

/** Zone origins: lists as <list>.<zone> (IPv4) and <list>.v6.<zone> (IPv6); combined as <zone> and v6.<zone>. */
export function zoneOrigin(zone: string, name: ListName | 'combined', family: Family): string {
  const prefix = name === 'combined' ? '' : `${name.toLowerCase()}.`;
  return family === 4 ? `${prefix}${zone}` : `${prefix}v6.${zone}`;
}

export interface SnapshotContent {
  readonly folder: string;
  readonly serial: number;
  readonly zone: string;
  readonly settings: Settings;
  readonly resolution: Resolution;
  readonly listingsInForce: Record<ListName, number>;
  /** Seconds since the epoch. */
  readonly created: number;
  readonly expires: number;
  readonly previousManifestSha256: string | null;
  readonly preparedBy: string;
  readonly approvedBy: string | null;
  /** The history's event that recorded this snapshot, and the signed checkpoint of it (null without a checkpoint file). */
  readonly history: HistoryAnchor;
  readonly checkpoint: Checkpoint | null;
  readonly progress: ProgressReporter;
  readonly failAt?: string;
  /** From how many segments the zone files are written on two threads (default ZONE_WORKER_FROM_SEGMENTS). */
  readonly zoneWorkerFromSegments?: number;
}

export interface WrittenSnapshot {
  readonly files: ManifestFile[];
  readonly manifest: Manifest;
  readonly manifestSha256: string;
}

/** A publish with at least this many segments in its lists writes its zone files on a worker thread beside the main one. */
export const ZONE_WORKER_FROM_SEGMENTS = 100_000;

/** Every zone file of the snapshot, in the manifest's order: per list rbldnsd and BIND for each family, then the combined zones. */
export function zoneFileJobs(content: SnapshotContent): ZoneFileJob[] {
  const { settings, resolution, zone, serial } = content;
  const parametersFor = (name: ListName | 'combined', family: Family): ZoneParameters => ({
    origin: zoneOrigin(zone, name, family),
    family,
    serial,
    nameServers: settings.publish.nameServers,
    hostmaster: settings.publish.hostmaster,
    ttl: settings.publish.ttl,
    refresh: settings.publish.refresh,
    retry: settings.publish.retry,
    expire: settings.publish.expire,
    negativeTtl: settings.publish.negativeTtl,
    created: content.created,
    expires: content.expires,
  });
  const lists = resolution.zones.filter((resolved) => resolved.name !== 'combined');
  const jobs: ZoneFileJob[] = [];
  for (const resolved of lists) {
    const base = resolved.name.toLowerCase();
    for (const family of [4, 6] as const) {
      const parameters = parametersFor(resolved.name, family);
      const segments = resolved.segments[family];
      // rbldnsd serves the combined zone as the per-list datasets under one name: no file of its own.
      jobs.push({ path: `${base}.${family === 4 ? 'ip4trie' : 'ip6trie'}`, format: 'rbldnsd', zone: resolved.name, family, parameters, content: { segments } });
      jobs.push({ path: `${base}.v${family}.zone`, format: 'bind', zone: resolved.name, family, parameters, content: { segments } });
    }
  }
  // The combined zone is made of the blocklists' zones by the thread that writes it (they are final by then).
  const blocklists = lists.filter((resolved) => (BLOCKLISTS as readonly string[]).includes(resolved.name));
  for (const family of [4, 6] as const) {
    jobs.push({ path: `combined.v${family}.zone`, format: 'bind', zone: 'combined', family, parameters: parametersFor('combined', family), content: { combinedOf: blocklists } });
  }
  return jobs;
}

/** How a progress report names a file: `rbl IPv4 (rbldnsd)`, `the combined zone IPv6 (BIND)`. */
function fileLabel(job: ZoneFileJob): string {
  return `${job.zone === 'combined' ? 'the combined zone' : job.zone.toLowerCase()} IPv${job.family} (${job.format === 'rbldnsd' ? 'rbldnsd' : 'BIND'})`;
}

/**
 * Write the zone files of every list (both families, both formats) and the combined zones. A
 * large publish writes them on two threads, this one and a worker, each taking the next file
 * not yet taken (zone-files.ts); the worker is stopped before this returns or throws, so nothing
 * writes into the folder after. Progress names each file this thread starts, with the count
 * both threads have written.
 */
async function writeZoneFiles(content: SnapshotContent): Promise<ManifestFile[]> {
  const { folder, progress } = content;
  const jobs = zoneFileJobs(content);
  const segmentCount = content.resolution.zones.reduce((sum, resolved) => sum + resolved.segments[4].count + resolved.segments[6].count, 0);
  const isWorthAWorker = segmentCount >= (content.zoneWorkerFromSegments ?? ZONE_WORKER_FROM_SEGMENTS);
  const claims = sharedClaims(jobs);
  const worker = isWorthAWorker ? startZoneWorker(folder, jobs, claims) : null;
  try {
    const written = new Array<ManifestFile | undefined>(jobs.length);
    const syncs: Array<Promise<void>> = [];
    const total = jobs.length;
    let isFirst = true;
    for (let job = claimNext(claims); job !== -1; job = claimNext(claims)) {
      progress({ stage: `writing ${fileLabel(jobs[job])}`, done: writtenCount(claims), total });
      const file = writeZoneFile(folder, jobs[job]);
      written[job] = file.entry;
      syncs.push(file.synced);
      markWritten(claims);
      if (isFirst) reachStep('writing', content.failAt);
      isFirst = false;
    }
    if (worker) {
      progress({ stage: 'writing the last files (on the other thread)', done: writtenCount(claims), total });
      for (const [job, file] of await worker.files) written[job] = file;
    }
    // Each file's fsync ran in the thread pool while the next was written; all are on disk before the manifest.
    await Promise.all(syncs);
    progress({ stage: 'signing', done: total, total });
    return written.map((file, job) => {
      if (file === undefined) throw new Error(`zone file ${jobs[job].path} was not written`);
      return file;
    });
  } catch (error) {
    stopClaims(claims);
    throw error;
  } finally {
    await worker?.stop();
  }
}

function manifestOf(content: SnapshotContent, files: ManifestFile[], keyId: string): Manifest {
  const { zone, settings } = content;
  return {
    format: 'repdesk-snapshot/1',
    serial: content.serial,
    zone,
    created: new Date(content.created * 1000).toISOString(),
    expires: new Date(content.expires * 1000).toISOString(),
    previousManifestSha256: content.previousManifestSha256,
    keyId,
    preparedBy: content.preparedBy,
    approvedBy: content.approvedBy,
    lists: Object.fromEntries(
      LISTS.map((list) => [
        list,
        {
          origin: zoneOrigin(zone, list, 4),
          originV6: zoneOrigin(zone, list, 6),
          returnCode: listReturnCode(settings, list),
          listings: content.listingsInForce[list],
          kind: list === 'GAL' ? 'allow' : 'block',
        },
      ]),
    ) as Manifest['lists'],
    combined: { origin: zoneOrigin(zone, 'combined', 4), originV6: zoneOrigin(zone, 'combined', 6), lists: BLOCKLISTS },
    files,
    history: content.history,
    checkpoint: content.checkpoint,
  };
}

/** The snapshot written but not yet signed: its manifest's exact bytes and what its signature's comments must say. */
export interface UnsignedSnapshot extends WrittenSnapshot {
  readonly manifestBytes: Buffer;
  readonly trustedComment: string;
  readonly untrustedComment: string;
}

/**
 * Write the zone files and the manifest (naming `keyId`, the key that is to sign it) into
 * `content.folder`, which exists and is empty. The signature comes after, from wherever the key
 * is: this process (`signWithKey`) or, in team mode, the publisher's own computer.
 */
export async function writeUnsignedSnapshot(content: SnapshotContent, keyId: string): Promise<UnsignedSnapshot> {
  const files = await writeZoneFiles(content);
  reachStep('files', content.failAt);
  const manifest = manifestOf(content, files, keyId);
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const manifestFile = new HashedFile(join(content.folder, MANIFEST_FILE));
  manifestFile.writeBytes(manifestBytes);
  const manifestSha256 = manifestFile.finish().sha256;
  fsyncFolder(content.folder);
  reachStep('manifest', content.failAt);
  return {
    files,
    manifest,
    manifestSha256,
    manifestBytes,
    trustedComment: `repdesk snapshot ${content.serial} zone ${content.zone} expires ${manifest.expires}`,
    untrustedComment: `RepDesk snapshot ${content.serial} signed by key ${keyId}`,
  };
}

/** Sign the manifest with a signer of this process, and check the signature against the signer's public key before it counts. */
export async function signWithKey(unsigned: UnsignedSnapshot, signer: Signer): Promise<string> {
  const signature = await signer.sign(unsigned.manifestBytes, unsigned.trustedComment, unsigned.untrustedComment);
  try {
    verifySignature(signature, unsigned.manifestBytes, [{ keyId: signer.keyId, publicKey: signer.publicKey }]);
  } catch (error) {
    if (error instanceof MinisignError) throw invalidInput(`the signature of snapshot ${unsigned.manifest.serial} does not verify with key ${signerKeyId(signer)}: ${error.message}`);
    throw error;
  }
  return signature;
}

/** Write the manifest's signature (already checked) beside it. */
export function writeSignatureFile(folder: string, signature: string, failAt?: string): void {
  const signatureFile = new HashedFile(join(folder, SIGNATURE_FILE));
  signatureFile.write(signature);
  signatureFile.finish();
  fsyncFolder(folder);
  reachStep('signature', failAt);
}
