/**
 * `GET /api/backup` on the team server, for an admin: a consistent backup of the database made
 * while everyone keeps working (SQLite's backup API, in a worker thread: core/backup/backup.ts, `backupOffThread`),
 * with the history checkpoints it holds and their key, streamed as one download (a POSIX tar
 * archive, shared/remote.ts) and deleted once sent or abandoned. The copy is made in a private
 * folder beside the database (`.backup-download-*`, 0700; one left by a server that died is
 * removed when the next one starts), one backup at a time. Who took it is in the history
 * (`backup.downloaded`). Nothing the client says names a file: there is nothing to name.
 */
import { createReadStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BACKUP_DATABASE_ENTRY, BACKUP_INFO_HEADER, type BackupFigures } from '../../shared/remote.js';
import type { CallContext } from '../core/app.js';
import { backupFiles, backupOffThread } from '../core/backup/backup.js';
import { createLogger } from '../core/log.js';
import type { Answers } from './http.js';

const log = createLogger('backup-download');

const BLOCK = 512;
const FOLDER_PREFIX = '.backup-download-';

/** One file of the archive. */
interface TarEntry {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: Date;
}

/** A ustar header for a regular file (names here are short: no prefix field needed). */
export function tarHeader(entry: Pick<TarEntry, 'name' | 'size' | 'mode' | 'mtime'>): Buffer {
  const header = Buffer.alloc(BLOCK);
  const octal = (offset: number, length: number, value: number) => header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
  header.write(entry.name, 0, 100, 'utf8');
  octal(100, 8, entry.mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, entry.size);
  octal(136, 12, Math.floor(entry.mtime.getTime() / 1000));
  header.write('        ', 148, 8, 'latin1');
  header.write('0', 156, 1, 'latin1');
  header.write('ustar\0', 257, 6, 'latin1');
  header.write('00', 263, 2, 'latin1');
  header.write('repdesk', 265, 32, 'latin1');
  header.write('repdesk', 297, 32, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return header;
}

function paddingOf(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The archive's length: each file's header and padded content, then two empty blocks. */
export function tarLength(entries: readonly Pick<TarEntry, 'size'>[]): number {
  return entries.reduce((total, entry) => total + BLOCK + entry.size + paddingOf(entry.size), 2 * BLOCK);
}

async function* tarStream(entries: readonly TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield tarHeader(entry);
    yield* createReadStream(entry.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
    const padding = paddingOf(entry.size);
    if (padding > 0) yield Buffer.alloc(padding);
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** The team server's backups: one at a time, each made, sent and deleted. */
export class BackupDownloads {
  private isRunning = false;
  private readonly folder: string;

  constructor(private readonly databasePath: string) {
    this.folder = dirname(databasePath);
    // A copy left by a server that stopped during a download holds the whole database: it goes.
    for (const name of readdirSync(this.folder)) {
      if (name.startsWith(FOLDER_PREFIX)) rmSync(join(this.folder, name), { recursive: true, force: true });
    }
  }

  /** Make a backup as `call`'s person and stream it to `response`; `isAdmin`: whether that person may. */
  async send(call: CallContext, isAdmin: boolean, response: ServerResponse, answers: Answers): Promise<void> {
    if (!isAdmin) return answers.error(response, { code: 'forbidden', message: 'only an admin may download a backup of the database' });
    if (this.isRunning) return answers.error(response, { code: 'conflict', message: 'a backup is being made for someone already: try again when it is done' });
    this.isRunning = true;
    const work = mkdtempSync(join(this.folder, FOLDER_PREFIX));
    try {
      const made = await backupOffThread(this.databasePath, join(work, BACKUP_DATABASE_ENTRY), call);
      if (!made.ok) return answers.error(response, made.error, made.error.code === 'busy' ? { 'Retry-After': '2' } : {});
      const files = backupFiles(made.value.path);
      const entries: TarEntry[] = [];
      for (const [path, mode] of [[files.database, 0o600], [files.checkpoints, 0o644], [files.checkpointKey, 0o600]] as const) {
        let size: number;
        let mtime: Date;
        try {
          ({ size, mtime } = statSync(path));
        } catch {
          continue;
        }
        entries.push({ name: basename(path), path, size, mode, mtime });
      }
      const { bytes, schemaVersion, lastEvent, sha256, checkpoints } = made.value;
      const figures: BackupFigures = { bytes, schemaVersion, lastEvent, sha256, checkpoints };
      const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
      answers.head(response, 200, 'application/x-tar', {
        'Content-Length': String(tarLength(entries)),
        'Content-Disposition': `attachment; filename="repdesk-backup-${stamp}.tar"`,
        [BACKUP_INFO_HEADER]: JSON.stringify(figures),
      });
      log.info(`sending a backup to ${call.actor ?? '?'} (${call.client ?? '?'}, ${call.address ?? '?'}): ${bytes} bytes, history up to event ${lastEvent}`);
      try {
        await pipeline(Readable.from(tarStream(entries)), response);
      } catch (error) {
        log.warn(`the backup for ${call.actor ?? '?'} was not sent to its end: ${error instanceof Error ? error.message : String(error)}`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
      this.isRunning = false;
    }
  }
}
