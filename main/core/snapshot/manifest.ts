/**
 * The snapshot manifest (`manifest.json`, signed as `manifest.json.minisig`): its format, the
 * parse that refuses a malformed one, and the manifest a DNS host has installed. Checking a
 * snapshot folder against it is verify.ts; installing one is install.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { ListName } from '../../../shared/domain.js';
import type { ManifestFile } from '../../../shared/publishing.js';
import { SnapshotError } from './read-files.js';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.json.minisig';

export type { ManifestFile };

/**
 * A signed checkpoint of the history (audit/checkpoints.ts makes them) as a manifest carries it:
 * the event, its hash, when it was signed, the checkpoint key's public half and the signature.
 */
export interface SignedCheckpoint {
  readonly event: number;
  /** The event's hash, hex. */
  readonly hash: string;
  /** When it was signed (ISO 8601). */
  readonly at: string;
  /** The checkpoint key's public half (32 bytes, base64). */
  readonly key: string;
  /** Ed25519 over the checkpoint message (64 bytes, base64). */
  readonly signature: string;
}

export interface Manifest {
  readonly format: 'repdesk-snapshot/1';
  readonly serial: number;
  readonly zone: string;
  readonly created: string;
  readonly expires: string;
  readonly previousManifestSha256: string | null;
  readonly keyId: string;
  readonly preparedBy: string;
  readonly approvedBy: string | null;
  readonly lists: Record<ListName, { origin: string; originV6: string; returnCode: string; listings: number; kind: 'block' | 'allow' }>;
  readonly combined: { origin: string; originV6: string; lists: readonly ListName[] };
  readonly files: readonly ManifestFile[];
  /**
   * The history's last event when the snapshot was made, and its hash (hex): an anchor for
   * `audit verify`. Absent in snapshots made before it was recorded.
   */
  readonly history?: { readonly event: number; readonly hash: string } | null;
  /**
   * The signed history checkpoint of that event (the checkpoint key's public half included), as
   * it was appended to the checkpoint file beside the database: `audit verify` expects to find
   * it there. Absent in snapshots made before checkpoints, null from a database without a file.
   */
  readonly checkpoint?: SignedCheckpoint | null;
}

export interface TrustedKey {
  readonly keyId: Buffer;
  readonly publicKey: KeyObject;
}

function isSafeFileName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(name) && basename(name) === name;
}

/** The manifest in `bytes`, or a SnapshotError naming what is wrong with it. */
export function parseManifest(bytes: Buffer): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
  } catch {
    throw new SnapshotError(`${MANIFEST_FILE} is not valid JSON`);
  }
  if (manifest.format !== 'repdesk-snapshot/1') throw new SnapshotError(`${MANIFEST_FILE}: unknown format ${JSON.stringify(manifest.format)}`);
  if (!Number.isSafeInteger(manifest.serial) || manifest.serial <= 0) throw new SnapshotError(`${MANIFEST_FILE}: bad serial`);
  if (Number.isNaN(Date.parse(manifest.expires))) throw new SnapshotError(`${MANIFEST_FILE}: bad expiry`);
  if (!Array.isArray(manifest.files) || manifest.files.length === 0) throw new SnapshotError(`${MANIFEST_FILE} lists no files`);
  for (const file of manifest.files) {
    if (!isSafeFileName(file.path) || file.path === MANIFEST_FILE || file.path === SIGNATURE_FILE) throw new SnapshotError(`${MANIFEST_FILE}: file name ${JSON.stringify(file.path)} is not allowed`);
    if (!/^[0-9a-f]{64}$/.test(file.sha256) || !Number.isSafeInteger(file.size)) throw new SnapshotError(`${MANIFEST_FILE}: bad hash or size for ${file.path}`);
  }
  if (new Set(manifest.files.map((file) => file.path)).size !== manifest.files.length) throw new SnapshotError(`${MANIFEST_FILE} lists a file twice`);
  return manifest;
}

/** The manifest installed in a target folder (its `current`), or null. */
export function installedManifest(target: string): Manifest | null {
  const path = join(target, 'current', MANIFEST_FILE);
  if (!existsSync(path)) return null;
  return parseManifest(readFileSync(path));
}
