/**
 * The snapshot manifest (`manifest.json`, signed as `manifest.json.minisig`) and the check a
 * consumer runs on a snapshot folder: the signature against trusted keys, then every file's
 * size and SHA-256, nothing unlisted, and no symlink anywhere (snapshot-files.ts). Installing
 * is install.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ListName } from '../../../shared/domain.js';
import type { ManifestFile } from '../../../shared/publishing.js';
import type { Checkpoint } from '../audit/checkpoints.js';
import { MinisignError, verify as verifySignature } from './minisign.js';
import { SnapshotError, checkNothingUnlisted, readChunks, readRegularFile, resolveSnapshotFolder } from './snapshot-files.js';
import type { KeyObject } from 'node:crypto';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.json.minisig';
const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
const SIGNATURE_MAX_BYTES = 4096;

export type { ManifestFile };
export { SnapshotError };
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
  readonly checkpoint?: Checkpoint | null;
}

export interface TrustedKey {
  readonly keyId: Buffer;
  readonly publicKey: KeyObject;
}

export interface VerifiedSnapshot {
  readonly folder: string;
  readonly manifest: Manifest;
  readonly keyId: string;
  readonly trustedComment: string;
}

function isSafeFileName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(name) && basename(name) === name;
}

function parseManifest(bytes: Buffer): Manifest {
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

/** A manifest read once and checked against its signature: the bytes checked are the bytes kept. */
export interface SignedManifest {
  readonly manifest: Manifest;
  readonly manifestBytes: Buffer;
  readonly signatureText: string;
  readonly keyId: string;
  readonly trustedComment: string;
}

/** Read `manifest.json` and its signature from `folder` (a resolved snapshot folder) and check the signature by one of the trusted keys. */
export async function readSignedManifest(folder: string, trustedKeys: readonly TrustedKey[]): Promise<SignedManifest> {
  const read = async (name: string, maxBytes: number): Promise<Buffer> => {
    try {
      return await readRegularFile(folder, name, maxBytes);
    } catch (error) {
      if (error instanceof SnapshotError && error.message === `${name} is missing`) throw new SnapshotError(`${folder} has no ${name}`);
      throw error;
    }
  };
  const manifestBytes = await read(MANIFEST_FILE, MANIFEST_MAX_BYTES);
  const signatureText = (await read(SIGNATURE_FILE, SIGNATURE_MAX_BYTES)).toString('utf8');
  let signed: { keyId: string; trustedComment: string };
  try {
    signed = verifySignature(signatureText, manifestBytes, [...trustedKeys]);
  } catch (error) {
    if (error instanceof MinisignError) throw new SnapshotError(`${MANIFEST_FILE}: ${error.message}`);
    throw error;
  }
  const manifest = parseManifest(manifestBytes);
  if (manifest.keyId !== signed.keyId) throw new SnapshotError(`${MANIFEST_FILE} names key ${manifest.keyId} but was signed by ${signed.keyId}`);
  if (!signed.trustedComment.includes(`snapshot ${manifest.serial} `)) {
    throw new SnapshotError(`the signature's trusted comment (${signed.trustedComment}) is not for serial ${manifest.serial}`);
  }
  return { manifest, manifestBytes, signatureText, keyId: signed.keyId, trustedComment: signed.trustedComment };
}

/** Every file the manifest lists (listed order), then that nothing else is there. */
export async function checkSnapshotFiles(folder: string, manifest: Manifest): Promise<void> {
  for (const file of manifest.files) {
    const hash = createHash('sha256');
    const size = await readChunks(folder, file.path, (chunk) => hash.update(chunk));
    if (size !== file.size) throw new SnapshotError(`${file.path} is ${size} bytes, the manifest says ${file.size}`);
    if (hash.digest('hex') !== file.sha256) throw new SnapshotError(`${file.path} does not match its SHA-256 in the manifest (the file was changed)`);
  }
  checkNothingUnlisted(folder, new Set([MANIFEST_FILE, SIGNATURE_FILE, ...manifest.files.map((file) => file.path)]));
}

/**
 * Check a snapshot folder: the manifest's signature by one of the trusted keys, then every
 * listed file's size and SHA-256, and that nothing unlisted (and no symlink) sits beside them.
 */
export async function verifySnapshot(folder: string, trustedKeys: readonly TrustedKey[]): Promise<VerifiedSnapshot> {
  const root = resolveSnapshotFolder(folder);
  const signed = await readSignedManifest(root, trustedKeys);
  await checkSnapshotFiles(root, signed.manifest);
  return { folder, manifest: signed.manifest, keyId: signed.keyId, trustedComment: signed.trustedComment };
}

/** The manifest installed in a target folder (its `current`), or null. */
export function installedManifest(target: string): Manifest | null {
  const path = join(target, 'current', MANIFEST_FILE);
  if (!existsSync(path)) return null;
  return parseManifest(readFileSync(path));
}
