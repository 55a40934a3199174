/**
 * Reading a snapshot folder without trusting it: every file is opened with O_NOFOLLOW and must
 * be a regular file, so a symlink inside a snapshot (to a file in it or out of it) is refused by
 * name instead of followed. Only the folder given by the operator is resolved, once.
 */
import { constants, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** Why a snapshot was refused; `message` names the first problem. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

const CHUNK_BYTES = 1 << 20;

/** The snapshot folder as a real path (the operator's `current` symlink resolved), refused when it is not a folder. */
export function resolveSnapshotFolder(folder: string): string {
  try {
    const real = realpathSync(folder);
    if (statSync(real).isDirectory()) return real;
  } catch {
    // named below
  }
  throw new SnapshotError(`${folder} is not a snapshot folder`);
}

/** Open `name` in `folder` for reading: a regular file, never through a symlink. */
export async function openRegularFile(folder: string, name: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(join(folder, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new SnapshotError(`${name} is a symbolic link: refusing to follow it`);
    if (code === 'ENOENT') throw new SnapshotError(`${name} is missing`);
    throw new SnapshotError(`${name} cannot be read: ${code ?? String(error)}`);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new SnapshotError(`${name} is not a regular file`);
  }
  return { handle, size: stat.size };
}

/** The whole of a small file (a manifest, a signature), refused past `maxBytes`. */
export async function readRegularFile(folder: string, name: string, maxBytes: number): Promise<Buffer> {
  const { handle, size } = await openRegularFile(folder, name);
  try {
    if (size > maxBytes) throw new SnapshotError(`${name} is ${size} bytes, more than a snapshot's ${name} may be (${maxBytes})`);
    const bytes = Buffer.alloc(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    if (offset !== size) throw new SnapshotError(`${name} changed while it was read`);
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Read a file once, chunk by chunk, handing each chunk to `onChunk` (hash it, copy it). Returns the bytes read. */
export async function readChunks(folder: string, name: string, onChunk: (chunk: Buffer) => void): Promise<number> {
  const { handle } = await openRegularFile(folder, name);
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return total;
      onChunk(buffer.subarray(0, bytesRead));
      total += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Refuse names in the folder that the manifest does not list; a symlink among them is named as one. */
export function checkNothingUnlisted(folder: string, listed: ReadonlySet<string>): void {
  const extra = readdirSync(folder).filter((name) => !listed.has(name));
  if (extra.length === 0) return;
  const named = extra.slice(0, 5).map((name) => (lstatSync(join(folder, name)).isSymbolicLink() ? `${name} (a symbolic link)` : name));
  throw new SnapshotError(`${folder} holds files the manifest does not list: ${named.join(', ')}`);
}
