/**
 * A team server's backup received on this computer (`GET /api/backup`, for an admin): the tar
 * archive the server streams (shared/remote.ts) is unpacked as it arrives into FILE (the
 * database) and, when the server sent them, FILE.checkpoints and FILE.checkpoint-key beside it,
 * so that `repdesk --db FILE audit verify` checks the copy's history against its checkpoints. Only
 * those three entries are taken (any other name, a link, a folder: refused), each written beside
 * its final name and renamed into place only once the whole archive arrived and the database's
 * SHA-256 is the one the server announced; nothing existing is overwritten, and a broken download
 * leaves nothing behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import type { ApiResult } from '../../shared/result.js';
import { BACKUP_DATABASE_ENTRY, BACKUP_INFO_HEADER, BACKUP_PATH, type BackupFigures } from '../../shared/remote.js';
import type { RemoteClient } from './remote-client.js';

const BLOCK = 512;
/** How long the server may take to make the copy before it starts sending. */
const MAKING_WAIT_MS = 10 * 60_000;

/** What was received: the files written and the server's figures of the copy. */
export interface ReceivedBackup extends BackupFigures {
  readonly path: string;
  readonly files: readonly string[];
}

class BrokenArchive extends Error {}

/** Reads exactly the bytes asked for from a stream, in order. */
class StreamReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);

  constructor(stream: AsyncIterable<Buffer>) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  /** The next `length` bytes, handed over in pieces as they come. */
  async *take(length: number): AsyncGenerator<Buffer> {
    let left = length;
    while (left > 0) {
      if (this.pending.length === 0) {
        const next = await this.chunks.next();
        if (next.done) throw new BrokenArchive('the download ended before the archive did');
        this.pending = next.value;
      }
      const piece = this.pending.subarray(0, left);
      this.pending = this.pending.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }

  async block(): Promise<Buffer> {
    const pieces: Buffer[] = [];
    for await (const piece of this.take(BLOCK)) pieces.push(piece);
    return Buffer.concat(pieces);
  }
}

/** A ustar header's file: its name, size and type, or null for the end-of-archive block. */
function parseHeader(header: Buffer): { name: string; size: number; type: string } | null {
  if (header.every((byte) => byte === 0)) return null;
  const text = (offset: number, length: number) => header.toString('latin1', offset, offset + length).replace(/\0.*$/s, '').trim();
  let sum = 0;
  for (let index = 0; index < BLOCK; index += 1) sum += index >= 148 && index < 156 ? 32 : header[index];
  if (Number.parseInt(text(148, 8), 8) !== sum) throw new BrokenArchive('an archive header is damaged (its checksum does not match)');
  const size = Number.parseInt(text(124, 12), 8);
  if (!Number.isSafeInteger(size) || size < 0) throw new BrokenArchive('an archive header gives no size');
  return { name: header.toString('utf8', 0, 100).replace(/\0.*$/s, ''), size, type: text(156, 1) || '0' };
}

function figuresOf(response: IncomingMessage): BackupFigures | null {
  const header = response.headers[BACKUP_INFO_HEADER.toLowerCase()];
  try {
    const figures = JSON.parse(String(header)) as BackupFigures;
    return typeof figures.sha256 === 'string' && Number.isSafeInteger(figures.lastEvent) ? figures : null;
  } catch {
    return null;
  }
}

/** Download the server's backup into `targetPath` (a new file) with its checkpoints beside it; `onReceived` hears the bytes so far. */
export async function receiveBackup(client: RemoteClient, targetPath: string, onReceived: (bytes: number, total: number | null) => void = () => undefined): Promise<ApiResult<ReceivedBackup>> {
  const target = resolve(targetPath);
  const finalNames = new Map([
    [BACKUP_DATABASE_ENTRY, target],
    [`${BACKUP_DATABASE_ENTRY}.checkpoints`, `${target}.checkpoints`],
    [`${BACKUP_DATABASE_ENTRY}.checkpoint-key`, `${target}.checkpoint-key`],
  ]);
  if (!existsSync(dirname(target))) return { ok: false, error: { code: 'invalid-input', message: `the folder ${dirname(target)} does not exist` } };
  for (const path of finalNames.values()) {
    if (existsSync(path)) return { ok: false, error: { code: 'conflict', message: `${path} already exists: a backup never overwrites a file; choose a new name` } };
  }
  const opened = await client.download(BACKUP_PATH, MAKING_WAIT_MS);
  if (!opened.ok) {
    // Browser mode (`repdesk serve`), or a RepDesk from before backups over HTTP.
    if (opened.error.code === 'invalid-input' || opened.error.code === 'not-found') {
      return { ok: false, error: { code: opened.error.code, message: `${client.origin} offers no backup download (it answered: ${opened.error.message}): a team server (repdesk server) does` } };
    }
    return opened;
  }
  const response = opened.value;
  const figures = figuresOf(response);
  if (figures === null) {
    response.destroy();
    return { ok: false, error: { code: 'internal', message: `${client.origin} sent a backup without its figures (${BACKUP_INFO_HEADER}): is this a RepDesk team server?` } };
  }
  const total = Number(response.headers['content-length']) || null;
  let received = 0;
  response.on('data', (chunk: Buffer) => onReceived((received += chunk.length), total));

  const written = new Map<string, string>();
  const placed: string[] = [];
  const side = (name: string) => join(dirname(target), `.${basename(target)}.${name.slice(BACKUP_DATABASE_ENTRY.length) || 'database'}.partial-${randomBytes(6).toString('hex')}`);
  try {
    const reader = new StreamReader(response as AsyncIterable<Buffer>);
    let databaseHash: string | null = null;
    for (let header = parseHeader(await reader.block()); header !== null; header = parseHeader(await reader.block())) {
      if (header.type !== '0' || !finalNames.has(header.name) || written.has(header.name)) {
        throw new BrokenArchive(`the archive holds ${JSON.stringify(header.name.slice(0, 80))}, which is not part of a RepDesk backup`);
      }
      const path = side(header.name);
      written.set(header.name, path);
      const file = await fs.open(path, 'wx', header.name.endsWith('.checkpoints') ? 0o644 : 0o600);
      const hash = createHash('sha256');
      try {
        for await (const piece of reader.take(header.size)) {
          hash.update(piece);
          await file.write(piece);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      if (header.name === BACKUP_DATABASE_ENTRY) databaseHash = hash.digest('hex');
      for await (const _padding of reader.take((BLOCK - (header.size % BLOCK)) % BLOCK));
    }
    if (databaseHash === null) throw new BrokenArchive('the archive holds no database');
    if (databaseHash !== figures.sha256) throw new BrokenArchive(`the database received has SHA-256 ${databaseHash}, not the ${figures.sha256} the server made`);
    // The anchors first: a database file under its name is a whole backup.
    const order = [...written.keys()].sort((a, b) => Number(a === BACKUP_DATABASE_ENTRY) - Number(b === BACKUP_DATABASE_ENTRY));
    for (const name of order) {
      const final = finalNames.get(name) as string;
      if (existsSync(final)) throw new BrokenArchive(`${final} appeared while the backup was received: it is left alone`);
      await fs.rename(written.get(name) as string, final);
      written.delete(name);
      placed.push(final);
    }
    return { ok: true, value: { ...figures, path: target, files: placed } };
  } catch (error) {
    response.destroy();
    for (const path of placed) await fs.rm(path, { force: true });
    const message = error instanceof BrokenArchive ? error.message : `the download broke off: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, error: { code: 'internal', message: `${message}; nothing was kept` } };
  } finally {
    for (const path of written.values()) await fs.rm(path, { force: true });
  }
}
