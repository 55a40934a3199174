/**
 * The publisher's output folder: `<out>/<serial>/` per snapshot, `<out>/current` (a symlink
 * switched by one rename), `.incoming-<serial>-<pid>` while a snapshot is written,
 * `.current-<pid>` while the pointer is switched, and `.publish.lock` while a publish runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { forbidden, invalidInput } from '../errors.js';
import { fsyncFolder } from './files.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';

/** The folder a snapshot is written in before it is renamed to its serial. */
export function incomingFolder(out: string, serial: number): string {
  return join(out, `.incoming-${serial}-${process.pid}`);
}

/** The serial `<out>/current` points at, or null. */
export function currentSerial(out: string): number | null {
  try {
    const target = readlinkSync(join(out, 'current'));
    return /^\d+$/.test(target) ? Number(target) : null;
  } catch {
    return null;
  }
}

/** The manifest `<out>/current` holds: its serial and SHA-256 (the next one links to it). */
export function readCurrentManifest(out: string): { serial: number; sha256: string } | null {
  const path = join(out, 'current', MANIFEST_FILE);
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
  return { serial: manifest.serial, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The SHA-256 of `<out>/<serial>/manifest.json`, or null when there is none. */
export function manifestSha256(out: string, serial: number): string | null {
  try {
    return createHash('sha256').update(readFileSync(join(out, String(serial), MANIFEST_FILE))).digest('hex');
  } catch {
    return null;
  }
}

/** Point `<out>/current` at `<out>/<serial>` in one rename. */
export function switchCurrent(out: string, serial: number): void {
  const pointer = join(out, `.current-${process.pid}`);
  rmSync(pointer, { force: true });
  symlinkSync(String(serial), pointer);
  renameSync(pointer, join(out, 'current'));
  fsyncFolder(out);
}

/** What killed publishes left in `out` (`.incoming-*`, `.current-*`); none when it cannot be read. */
export function leftoversIn(out: string): string[] {
  try {
    return readdirSync(out).filter((entry) => entry.startsWith('.incoming-') || entry.startsWith('.current-'));
  } catch {
    return [];
  }
}

/** Remove what killed publishes left behind; only under the folder's lock. Returns the names removed. */
export function removeLeftovers(out: string): string[] {
  const leftovers = leftoversIn(out);
  for (const entry of leftovers) rmSync(join(out, entry), { recursive: true, force: true });
  return leftovers;
}

/** Remove snapshot folders beyond the newest `keep` (never the current one), and leftovers of crashed runs. */
export function pruneSnapshots(out: string, keep: number): void {
  const current = currentSerial(out);
  removeLeftovers(out);
  const serials = readdirSync(out)
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(b) - Number(a));
  for (const entry of serials.slice(keep)) if (Number(entry) !== current) rmSync(join(out, entry), { recursive: true, force: true });
}

/** A clear refusal for the output folder that cannot be written (else the error as it is). */
export function outputFolderError(error: unknown, out: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return forbidden(`cannot write into ${out}: permission denied`);
  if (code === 'EROFS') return forbidden(`cannot write into ${out}: read-only file system`);
  if (code === 'ENOTDIR' || code === 'EEXIST') return invalidInput(`cannot write into ${out}: it, or a folder above it, is a file, not a folder`);
  return error;
}
