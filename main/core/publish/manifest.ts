/**
 * The snapshot manifest (`manifest.json`, signed as `manifest.json.minisig`) and the consuming
 * side: `verify` checks the signature against trusted keys and every file's size and SHA-256;
 * `install` also refuses a rollback (a serial not newer than the installed one) and an expired
 * snapshot, then swaps the files in atomically.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { ListName } from '../../../shared/domain.js';
import type { ManifestFile } from '../../../shared/publishing.js';
import { MinisignError, verify as verifySignature } from './minisign.js';
import type { KeyObject } from 'node:crypto';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.json.minisig';

export type { ManifestFile };

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
}

export interface TrustedKey {
  readonly keyId: Buffer;
  readonly publicKey: KeyObject;
}

/** Why a snapshot was refused; `message` names the first problem. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export interface VerifiedSnapshot {
  readonly folder: string;
  readonly manifest: Manifest;
  readonly keyId: string;
  readonly trustedComment: string;
}

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
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
    if (!isSafeFileName(file.path)) throw new SnapshotError(`${MANIFEST_FILE}: file name ${JSON.stringify(file.path)} is not allowed`);
    if (!/^[0-9a-f]{64}$/.test(file.sha256) || !Number.isSafeInteger(file.size)) throw new SnapshotError(`${MANIFEST_FILE}: bad hash or size for ${file.path}`);
  }
  return manifest;
}

/**
 * Check a snapshot folder: the manifest's signature by one of the trusted keys, then every
 * listed file's size and SHA-256, and that nothing unlisted sits beside them.
 */
export async function verifySnapshot(folder: string, trustedKeys: readonly TrustedKey[]): Promise<VerifiedSnapshot> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new SnapshotError(`${folder} is not a snapshot folder`);
  const manifestPath = join(folder, MANIFEST_FILE);
  const signaturePath = join(folder, SIGNATURE_FILE);
  if (!existsSync(manifestPath)) throw new SnapshotError(`${folder} has no ${MANIFEST_FILE}`);
  if (!existsSync(signaturePath)) throw new SnapshotError(`${folder} has no ${SIGNATURE_FILE}`);
  const manifestBytes = readFileSync(manifestPath);
  let signed: { keyId: string; trustedComment: string };
  try {
    signed = verifySignature(readFileSync(signaturePath, 'utf8'), manifestBytes, [...trustedKeys]);
  } catch (error) {
    if (error instanceof MinisignError) throw new SnapshotError(`${MANIFEST_FILE}: ${error.message}`);
    throw error;
  }
  const manifest = parseManifest(manifestBytes);
  if (manifest.keyId !== signed.keyId) throw new SnapshotError(`${MANIFEST_FILE} names key ${manifest.keyId} but was signed by ${signed.keyId}`);
  if (!signed.trustedComment.includes(`snapshot ${manifest.serial} `)) {
    throw new SnapshotError(`the signature's trusted comment (${signed.trustedComment}) is not for serial ${manifest.serial}`);
  }
  for (const file of manifest.files) {
    const path = join(folder, file.path);
    if (!existsSync(path)) throw new SnapshotError(`${file.path} is missing`);
    const size = statSync(path).size;
    if (size !== file.size) throw new SnapshotError(`${file.path} is ${size} bytes, the manifest says ${file.size}`);
    const hash = await sha256OfFile(path);
    if (hash !== file.sha256) throw new SnapshotError(`${file.path} does not match its SHA-256 in the manifest (the file was changed)`);
  }
  const listed = new Set([MANIFEST_FILE, SIGNATURE_FILE, ...manifest.files.map((file) => file.path)]);
  const extra = readdirSync(folder).filter((name) => !listed.has(name));
  if (extra.length > 0) throw new SnapshotError(`${folder} holds files the manifest does not list: ${extra.slice(0, 5).join(', ')}`);
  return { folder, manifest, keyId: signed.keyId, trustedComment: signed.trustedComment };
}

/** The manifest installed in a target folder (its `current`), or null. */
export function installedManifest(target: string): Manifest | null {
  const path = join(target, 'current', MANIFEST_FILE);
  if (!existsSync(path)) return null;
  return parseManifest(readFileSync(path));
}

function fsyncPath(path: string): void {
  const descriptor = openSync(path, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

export interface InstallResult {
  readonly serial: number;
  readonly previousSerial: number | null;
  readonly path: string;
  readonly files: number;
}

/**
 * Verify, refuse rollback and expiry, then copy the snapshot into `<target>/<serial>/` and switch
 * `<target>/current` to it in one rename. DNS servers read their files through `current/`; every
 * file gets an mtime newer than the one it replaces, because rbldnsd reloads on mtime and size.
 */
export async function installSnapshot(source: string, target: string, trustedKeys: readonly TrustedKey[], now: Date, keep = 3): Promise<InstallResult> {
  const verified = await verifySnapshot(source, trustedKeys);
  const { manifest } = verified;
  if (Date.parse(manifest.expires) <= now.getTime()) {
    throw new SnapshotError(`snapshot ${manifest.serial} expired at ${manifest.expires}: refusing to install stale data`);
  }
  mkdirSync(target, { recursive: true, mode: 0o755 });
  const installed = installedManifest(target);
  if (installed && manifest.serial <= installed.serial) {
    throw new SnapshotError(`snapshot ${manifest.serial} is not newer than the installed ${installed.serial}: refusing a rollback`);
  }
  const final = join(target, String(manifest.serial));
  if (existsSync(final) && realpathSync(final) !== realpathSync(source)) rmSync(final, { recursive: true, force: true });
  const staging = join(target, `.incoming-${manifest.serial}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o755 });
  try {
    const previousFolder = installed ? join(target, String(installed.serial)) : null;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    for (const name of [MANIFEST_FILE, SIGNATURE_FILE, ...manifest.files.map((file) => file.path)]) {
      const destination = join(staging, name);
      copyFileSync(join(source, name), destination);
      const descriptor = openSync(destination, 'r+');
      fsyncSync(descriptor);
      closeSync(descriptor);
      let mtime = nowSeconds;
      const before = previousFolder ? join(previousFolder, name) : null;
      if (before && existsSync(before)) mtime = Math.max(mtime, Math.floor(statSync(before).mtimeMs / 1000) + 1);
      utimesSync(destination, mtime, mtime);
    }
    fsyncPath(staging);
    renameSync(staging, final);
    const pointer = join(target, `.current-${process.pid}`);
    rmSync(pointer, { force: true });
    symlinkSync(String(manifest.serial), pointer);
    renameSync(pointer, join(target, 'current'));
    fsyncPath(target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  // Keep a few older installs for a manual rollback by an operator.
  const current = readlinkSync(join(target, 'current'));
  const serials = readdirSync(target)
    .filter((name) => /^\d+$/.test(name) && lstatSync(join(target, name)).isDirectory())
    .sort((a, b) => Number(b) - Number(a));
  for (const name of serials.slice(keep)) if (name !== current) rmSync(join(target, name), { recursive: true, force: true });
  return { serial: manifest.serial, previousSerial: installed?.serial ?? null, path: final, files: manifest.files.length };
}
