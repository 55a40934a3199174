/**
 * `install` on a DNS host: what is installed is what was checked. The manifest and its
 * signature are read once and checked; every file is then read once, hashed while it is copied
 * into the target, and compared with the signed manifest (size and SHA-256); symlinks are
 * refused by name, never followed. The copy in the target is verified again (signature over the
 * copied manifest, every copied file) before `TARGET/current` is switched to it in one rename.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { reachStep } from './crash-points.js';
import { fsyncFolder } from './files.js';
import { MANIFEST_FILE, SIGNATURE_FILE, installedManifest, type ManifestFile, type TrustedKey } from './manifest.js';
import { checkSnapshotFiles, readSignedManifest } from './verify.js';
import { SnapshotError, checkNothingUnlisted, readChunks, resolveSnapshotFolder } from './read-files.js';

export interface InstallResult {
  readonly serial: number;
  readonly previousSerial: number | null;
  readonly path: string;
  readonly files: number;
}

/** Copy one listed file from the source into `destination`, hashing the bytes copied; refused unless they are the signed ones. */
async function copyChecked(source: string, file: ManifestFile, destination: string): Promise<void> {
  const descriptor = openSync(destination, 'wx', 0o644);
  const hash = createHash('sha256');
  try {
    const size = await readChunks(source, file.path, (chunk) => {
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) offset += writeSync(descriptor, chunk, offset);
    });
    if (size !== file.size) throw new SnapshotError(`${file.path} is ${size} bytes, the manifest says ${file.size}`);
    if (hash.digest('hex') !== file.sha256) throw new SnapshotError(`${file.path} does not match its SHA-256 in the manifest (the file was changed)`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Check, refuse rollback and expiry, copy the snapshot into `<target>/<serial>/` as described
 * above, and switch `<target>/current` to it in one rename. DNS servers read their files through
 * `current/`; every file gets an mtime newer than the one it replaces, because rbldnsd reloads on
 * mtime and size.
 */
export async function installSnapshot(source: string, target: string, trustedKeys: readonly TrustedKey[], now: Date, keep = 3): Promise<InstallResult> {
  const root = resolveSnapshotFolder(source);
  const signed = await readSignedManifest(root, trustedKeys);
  const { manifest } = signed;
  if (Date.parse(manifest.expires) <= now.getTime()) {
    throw new SnapshotError(`snapshot ${manifest.serial} expired at ${manifest.expires}: refusing to install stale data`);
  }
  const listed = new Set([MANIFEST_FILE, SIGNATURE_FILE, ...manifest.files.map((file) => file.path)]);
  checkNothingUnlisted(root, listed);
  mkdirSync(target, { recursive: true, mode: 0o755 });
  const installed = installedManifest(target);
  if (installed && manifest.serial <= installed.serial) {
    throw new SnapshotError(`snapshot ${manifest.serial} is not newer than the installed ${installed.serial}: refusing a rollback`);
  }
  const final = join(target, String(manifest.serial));
  if (existsSync(final) && realpathSync(final) !== root) rmSync(final, { recursive: true, force: true });
  const staging = join(target, `.incoming-${manifest.serial}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o755 });
  try {
    // The manifest and signature as checked, from memory: never read from the source again.
    writeFileSync(join(staging, MANIFEST_FILE), signed.manifestBytes, { mode: 0o644, flag: 'wx' });
    writeFileSync(join(staging, SIGNATURE_FILE), signed.signatureText, { mode: 0o644, flag: 'wx' });
    reachStep('install-copy');
    for (const file of manifest.files) await copyChecked(root, file, join(staging, file.path));
    // The copy itself, before anything points at it.
    await checkSnapshotFiles(staging, (await readSignedManifest(staging, trustedKeys)).manifest);
    const previousFolder = installed ? join(target, String(installed.serial)) : null;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    for (const name of listed) {
      let mtime = nowSeconds;
      const before = previousFolder ? join(previousFolder, name) : null;
      if (before && existsSync(before)) mtime = Math.max(mtime, Math.floor(statSync(before).mtimeMs / 1000) + 1);
      utimesSync(join(staging, name), mtime, mtime);
    }
    for (const name of [MANIFEST_FILE, SIGNATURE_FILE]) fsyncFolder(join(staging, name));
    fsyncFolder(staging);
    renameSync(staging, final);
    const pointer = join(target, `.current-${process.pid}`);
    rmSync(pointer, { force: true });
    symlinkSync(String(manifest.serial), pointer);
    renameSync(pointer, join(target, 'current'));
    fsyncFolder(target);
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
