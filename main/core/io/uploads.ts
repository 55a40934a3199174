/**
 * Uploads: files a client sent over HTTP (streamed to disk as they arrive, never held whole in
 * memory), and files the desktop shell registered for what the person chose in a dialog or
 * dropped on the window (the main process is trusted: it registers the local path, nothing is
 * copied). Each upload lives in the store's private folder (0700, files 0600) as `<id>`, with
 * `<id>.json` beside it (name, size, SHA-256, owner, expiry and, for a registered file, the path
 * it stands for), so every thread of the process (the writer, a job's worker) resolves an id
 * from the folder alone. An upload belongs to the session that sent it, expires after a day, and
 * is deleted once an import consumed it, when it expires, and when a new store starts (the
 * folders of RepDesk processes no longer running).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { UPLOAD_ID_PATTERN, formatBytes, plainFileNameProblem, type UploadReceipt } from '../../../shared/files.js';
import { AppError, invalidInput } from '../errors.js';
import { createLogger } from '../log.js';
import { isRunning } from '../processes.js';

const log = createLogger('uploads');
const FOLDER_PREFIX = 'repdesk-uploads-';
/** How long an upload waits for the import that uses it. */
export const UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 10 * 60 * 1000;

interface UploadRecord {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly owner: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** A registered local file: its path (never deleted by the store). Null: the bytes are in the store. */
  readonly local: string | null;
}

/** An upload as an import reads it. */
export interface StoredUpload {
  readonly id: string;
  /** Where its bytes are: the store's file, or the registered local file. */
  readonly path: string;
  readonly name: string;
  readonly size: number;
  /** The registered local file's path, or null for bytes sent over HTTP. */
  readonly local: string | null;
}

/** An upload refused for its size (HTTP 413). */
export function tooLarge(message: string): AppError {
  return new AppError('too-large', message);
}

/** The name a client gave a file, reduced to a plain name fit for messages (no folders, no control characters). */
export function uploadName(given: string | undefined): string {
  const name = basename((given ?? '').replace(/\\/g, '/'))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 255);
  return name === '' || plainFileNameProblem(name) !== null ? 'upload' : name;
}

/** Remove the upload folders of RepDesk processes that are no longer running (left by a crash or a kill). */
function removeStaleFolders(parent: string): void {
  const uid = process.getuid?.();
  for (const name of readdirSync(parent)) {
    const match = /^repdesk-uploads-(\d+)-/.exec(name);
    if (!match || Number(match[1]) === process.pid || isRunning(Number(match[1]))) continue;
    const path = join(parent, name);
    try {
      if (uid !== undefined && statSync(path).uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
      log.info(`removed the uploads of a stopped RepDesk (${path})`);
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

export class UploadStore {
  private lastSweep = 0;

  private constructor(
    private folderPath: string | null,
    private readonly parent: string,
    private readonly lifetimeMs: number,
    /** Whether this store made its folder (and removes it when closed); another thread's store only uses it. */
    private readonly ownsFolder: boolean,
  ) {}

  /**
   * A store with a private folder of its own, made now under `parent` (the system temp folder),
   * after removing the folders that stopped RepDesk processes left there. Servers and the desktop
   * shell open one at start.
   */
  static open(options: { parent?: string; lifetimeMs?: number } = {}): UploadStore {
    const store = new UploadStore(null, options.parent ?? tmpdir(), options.lifetimeMs ?? UPLOAD_LIFETIME_MS, true);
    store.ensureFolder();
    return store;
  }

  /** The store of another thread of this process (the writer, a job's worker): the same folder. */
  static at(folder: string, lifetimeMs = UPLOAD_LIFETIME_MS): UploadStore {
    return new UploadStore(folder, tmpdir(), lifetimeMs, false);
  }

  /** A store whose folder is made only when a file arrives (the command line never makes one). */
  static lazy(): UploadStore {
    return new UploadStore(null, tmpdir(), UPLOAD_LIFETIME_MS, true);
  }

  /** The private folder, or null before the first upload of a lazy store. */
  get folder(): string | null {
    return this.folderPath;
  }

  private ensureFolder(): string {
    if (this.folderPath !== null) return this.folderPath;
    mkdirSync(this.parent, { recursive: true });
    removeStaleFolders(this.parent);
    // mkdtemp makes the folder 0700 with a name nobody could have made first.
    this.folderPath = mkdtempSync(join(this.parent, `${FOLDER_PREFIX}${process.pid}-`));
    return this.folderPath;
  }

  private newId(): string {
    return randomBytes(24).toString('base64url');
  }

  private writeRecord(folder: string, id: string, record: UploadRecord): void {
    const temporary = join(folder, `${id}.json.part`);
    const descriptor = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(descriptor, JSON.stringify(record));
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, join(folder, `${id}.json`));
  }

  private receipt(id: string, record: UploadRecord): UploadReceipt {
    return { upload: id, name: record.name, size: record.size, sha256: record.sha256, expiresAt: record.expiresAt };
  }

  /**
   * Stream a file into the store, hashing it as it arrives. Past `maxBytes` the partial file is
   * deleted and the upload refused ('too-large'); the rest of the body is not read.
   */
  async receive(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { name: string | undefined; owner: string; maxBytes: number; now?: Date }): Promise<UploadReceipt> {
    const folder = this.ensureFolder();
    this.sweepNow(options.now);
    const id = this.newId();
    const name = uploadName(options.name);
    const partial = join(folder, `${id}.part`);
    const handle = await open(partial, 'wx', 0o600);
    const hash = createHash('sha256');
    let size = 0;
    let isKept = false;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > options.maxBytes) throw tooLarge(`${name} is over the upload limit of ${formatBytes(options.maxBytes)} (setting import.maxFileBytes)`);
        hash.update(chunk);
        let offset = 0;
        while (offset < chunk.length) offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
      }
      await handle.close();
      const now = options.now ?? new Date();
      const record: UploadRecord = {
        name,
        size,
        sha256: hash.digest('hex'),
        owner: options.owner,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + this.lifetimeMs).toISOString(),
        local: null,
      };
      renameSync(partial, join(folder, id));
      this.writeRecord(folder, id, record);
      isKept = true;
      return this.receipt(id, record);
    } finally {
      if (!isKept) {
        await handle.close().catch(() => undefined);
        rmSync(partial, { force: true });
        rmSync(join(folder, id), { force: true });
      }
    }
  }

  /**
   * Register a local file the trusted desktop shell names (chosen in a native dialog or dropped
   * on the window): the store keeps its path, hashes it, and never deletes it.
   */
  async register(path: string, options: { owner: string; now?: Date }): Promise<UploadReceipt> {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw invalidInput(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if (!info.isFile()) throw invalidInput(`${path} is not a file`);
    const hash = createHash('sha256');
    const handle = await open(path, 'r');
    try {
      for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    } finally {
      await handle.close().catch(() => undefined);
    }
    const folder = this.ensureFolder();
    this.sweepNow(options.now);
    const id = this.newId();
    const now = options.now ?? new Date();
    const record: UploadRecord = {
      name: uploadName(basename(path)),
      size: info.size,
      sha256: hash.digest('hex'),
      owner: options.owner,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.lifetimeMs).toISOString(),
      local: path,
    };
    this.writeRecord(folder, id, record);
    return this.receipt(id, record);
  }

  private readRecord(id: string): UploadRecord | null {
    if (this.folderPath === null || !UPLOAD_ID_PATTERN.test(id)) return null;
    try {
      return JSON.parse(readFileSync(join(this.folderPath, `${id}.json`), 'utf8')) as UploadRecord;
    } catch {
      return null;
    }
  }

  /** The upload `id` of `owner`; refused when unknown, another session's, or expired (which deletes it). */
  resolve(id: string, owner: string | null | undefined, now = new Date()): StoredUpload {
    const record = this.readRecord(id);
    // Another session's upload is refused exactly as an unknown one: its existence is not told.
    if (record === null || owner === null || owner === undefined || record.owner !== owner) {
      throw invalidInput(`no upload ${id} (an upload is kept for a day, until an import uses it, and only for the session that sent it): send the file again`);
    }
    if (Date.parse(record.expiresAt) <= now.getTime()) {
      this.consume(id);
      throw invalidInput(`upload ${id} (${record.name}) has expired: send the file again`);
    }
    return { id, path: record.local ?? join(this.folderPath as string, id), name: record.name, size: record.size, local: record.local };
  }

  /** An import used the upload: delete it (a registered local file only loses its registration). */
  consume(id: string): void {
    if (this.folderPath === null || !UPLOAD_ID_PATTERN.test(id)) return;
    rmSync(join(this.folderPath, `${id}.json`), { force: true });
    rmSync(join(this.folderPath, id), { force: true });
  }

  /** Delete every expired upload. */
  sweep(now = new Date()): number {
    if (this.folderPath === null) return 0;
    let removed = 0;
    for (const name of readdirSync(this.folderPath)) {
      const match = /^([A-Za-z0-9_-]{32})\.json$/.exec(name);
      if (!match) continue;
      const record = this.readRecord(match[1]);
      if (record !== null && Date.parse(record.expiresAt) > now.getTime()) continue;
      this.consume(match[1]);
      removed += 1;
    }
    return removed;
  }

  private sweepNow(now = new Date()): void {
    if (now.getTime() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now.getTime();
    this.sweep(now);
  }

  /** Remove the folder and everything in it, when this store made it (the server or the desktop app is closing). */
  close(): void {
    if (this.ownsFolder && this.folderPath !== null) rmSync(this.folderPath, { recursive: true, force: true });
  }
}
