/** Writing snapshot files: hashed while written, fsynced before they count. */
import { createHash } from 'node:crypto';
import { close, closeSync, fsync, fsyncSync, openSync, writeSync } from 'node:fs';

/** Writes a file in chunks, hashing as it goes; fsyncs before closing. */
export class HashedFile {
  private readonly descriptor: number;
  private readonly hash = createHash('sha256');
  private pending: string[] = [];
  private pendingLength = 0;
  size = 0;

  constructor(readonly path: string) {
    this.descriptor = openSync(path, 'wx', 0o644);
  }

  write = (chunk: string): void => {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength >= 1 << 20) this.flush();
  };

  /** Bytes as they are, after any text written before; `bytes` may be reused once this returns. */
  writeBytes = (bytes: Uint8Array): void => {
    this.flush();
    this.hash.update(bytes);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.descriptor, bytes, offset);
    this.size += bytes.length;
  };

  private flush(): void {
    if (this.pending.length === 0) return;
    const buffer = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    this.hash.update(buffer);
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(this.descriptor, buffer, offset);
    this.size += buffer.length;
  }

  finish(): { sha256: string; size: number } {
    this.flush();
    fsyncSync(this.descriptor);
    closeSync(this.descriptor);
    return { sha256: this.hash.digest('hex'), size: this.size };
  }

  /**
   * The hash and size now, the fsync and close in the thread pool while this thread goes on
   * (waiting for the disk is most of an fsync): the file counts only once `synced` resolves.
   * `synced` is already handled, so a failure nobody waits for (the publish failed before) is
   * not an unhandled rejection; whoever waits for it gets the failure.
   */
  finishInBackground(): { sha256: string; size: number; synced: Promise<void> } {
    this.flush();
    const descriptor = this.descriptor;
    const synced = new Promise<void>((resolvePromise, reject) => {
      fsync(descriptor, (syncError) => {
        close(descriptor, (closeError) => {
          const error = syncError ?? closeError;
          if (error) reject(error);
          else resolvePromise();
        });
      });
    });
    synced.catch(() => undefined);
    return { sha256: this.hash.digest('hex'), size: this.size, synced };
  }
}

/** fsync a folder, so the names in it are on disk too (or a file written before, by its path). */
export function fsyncFolder(path: string): void {
  const descriptor = openSync(path, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
