/**
 * The full lists of a submission preview, browsable page by page. A preview keeps the first
 * items of each list in its result; every item is also written, one JSON line each, to a spool
 * folder of its own (mode 0700 under the system temp folder), with a checkpoint of the byte
 * offset every PAGE_CHECKPOINT items, so any page of a million-item list is read with one seek.
 * Spools older than a day are removed when a new one is made.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { PREVIEW_LISTS, type PreviewList, type RangeOverlap } from '../../../shared/dul.js';
import { invalidInput, notFound } from '../errors.js';

const PAGE_CHECKPOINT = 1000;
const MAX_AGE_MS = 24 * 60 * 60 * 1000;
const BUFFER_SIZE = 1 << 20;
const SPOOL_ID = /^[0-9a-f]{32}$/;

/** Where preview spools live; REPDESK_PREVIEW_DIR overrides it (tests). */
export function spoolRoot(): string {
  return process.env.REPDESK_PREVIEW_DIR ?? join(tmpdir(), 'repdesk-previews');
}

/** Appends JSON lines to one list's file through a large buffer, noting checkpoints. */
class ListWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  private used = 0;
  private written = 0;
  private count = 0;
  readonly checkpoints: number[] = [];

  constructor(path: string) {
    this.fd = openSync(path, 'w', 0o600);
  }

  add(item: unknown): void {
    if (this.count % PAGE_CHECKPOINT === 0) this.checkpoints.push(this.written + this.used);
    this.count += 1;
    const line = `${JSON.stringify(item)}\n`;
    const length = Buffer.byteLength(line);
    if (this.used + length > BUFFER_SIZE) this.flush();
    if (length > BUFFER_SIZE) {
      writeSync(this.fd, line);
      this.written += length;
      return;
    }
    this.used += this.buffer.write(line, this.used);
  }

  private flush(): void {
    let offset = 0;
    while (offset < this.used) offset += writeSync(this.fd, this.buffer, offset, this.used - offset);
    this.written += this.used;
    this.used = 0;
  }

  close(): { count: number; checkpoints: number[] } {
    this.flush();
    closeSync(this.fd);
    return { count: this.count, checkpoints: this.checkpoints };
  }
}

/** The spool of one preview being computed. */
export class PreviewSpool {
  readonly id: string;
  private readonly folder: string;
  private readonly writers = new Map<PreviewList, ListWriter>();

  constructor() {
    const root = spoolRoot();
    mkdirSync(root, { recursive: true, mode: 0o700 });
    removeOldSpools(root);
    this.id = randomBytes(16).toString('hex');
    this.folder = join(root, this.id);
    mkdirSync(this.folder, { mode: 0o700 });
  }

  /** The item sink of one list. */
  sink(list: PreviewList): (item: unknown) => void {
    let writer = this.writers.get(list);
    if (!writer) this.writers.set(list, (writer = new ListWriter(join(this.folder, `${list}.jsonl`))));
    const target = writer;
    return (item) => target.add(item);
  }

  /** Close every list; the index makes the spool readable. */
  finish(): void {
    const index: Record<string, { count: number; checkpoints: number[] }> = {};
    for (const list of PREVIEW_LISTS) index[list] = this.writers.get(list)?.close() ?? { count: 0, checkpoints: [] };
    writeFileSync(join(this.folder, 'index.json'), JSON.stringify(index), { mode: 0o600 });
  }

  /** Give up on an unfinished preview (cancelled or failed). */
  discard(): void {
    for (const writer of this.writers.values()) {
      try {
        writer.close();
      } catch {
        // Already closed.
      }
    }
    rmSync(this.folder, { recursive: true, force: true });
  }
}

function removeOldSpools(root: string): void {
  const cutoff = Date.now() - MAX_AGE_MS;
  for (const name of readdirSync(root)) {
    if (!SPOOL_ID.test(name)) continue;
    const path = join(root, name);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

/** One page of a preview's list: items offset..offset+limit-1 and the list's total. */
export function readPreviewItems(id: string, list: PreviewList, offset: number, limit: number): { total: number; items: Array<string | RangeOverlap> } {
  if (!SPOOL_ID.test(id)) throw invalidInput(`${JSON.stringify(id)} is not a preview id`);
  const folder = join(spoolRoot(), id);
  let index: Record<string, { count: number; checkpoints: number[] }>;
  try {
    index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8')) as typeof index;
  } catch {
    throw notFound(`preview ${id} is gone (previews are kept for a day): run the preview again`);
  }
  const entry = index[list];
  if (offset >= entry.count) return { total: entry.count, items: [] };
  const checkpoint = Math.floor(offset / PAGE_CHECKPOINT);
  let skip = offset - checkpoint * PAGE_CHECKPOINT;
  let position = entry.checkpoints[checkpoint];
  const items: Array<string | RangeOverlap> = [];
  const fd = openSync(join(folder, `${list}.jsonl`), 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 16);
    const decoder = new StringDecoder('utf8');
    let pending = '';
    while (items.length < limit) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      position += read;
      const lines = (pending + decoder.write(chunk.subarray(0, read))).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (skip > 0) {
          skip -= 1;
          continue;
        }
        items.push(JSON.parse(line) as string | RangeOverlap);
        if (items.length === limit) break;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (offset + items.length > entry.count) throw invalidInput(`preview ${id} is damaged`);
  return { total: entry.count, items };
}

export { PAGE_CHECKPOINT };
