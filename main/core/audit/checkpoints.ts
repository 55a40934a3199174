/**
 * Signed checkpoints of the history: "event N had hash H at time T", signed by the checkpoint
 * key (which the database does not hold) and appended, one JSON line each, to a file beside
 * the database (`<database>.checkpoints`). One is signed at every publish (and recorded in the
 * snapshot's signed manifest), when a command that wrote ends, and at least every
 * `audit.checkpointMinutes` while something writes. The chain links every event to the one
 * before, so a checkpoint that still holds vouches for every event up to it; cutting or
 * rewriting events a checkpoint covers is found by `audit verify`.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { ReadDb } from '../db/connection.js';
import { historyHead, type HistoryAnchor } from './history.js';
import { verifyWithRawKey, type CheckpointKeyCustody } from './checkpoint-key.js';
import type { SignedCheckpoint } from '../snapshot/index.js';

const FORMAT = 'repdesk-history-checkpoint/1';
/** The tail read to find the newest checkpoint (a line is about 300 bytes). */
const TAIL_BYTES = 16 * 1024;

/** One signed checkpoint, as a line of the checkpoint file and in a snapshot manifest (whose format defines it: snapshot/manifest.ts). */
export type Checkpoint = SignedCheckpoint;

/** The files beside a database: its checkpoints and the key that signs them. */
export function checkpointPaths(databasePath: string): { readonly file: string; readonly key: string } {
  return { file: `${databasePath}.checkpoints`, key: `${databasePath}.checkpoint-key` };
}

/** The bytes a checkpoint's signature covers. */
export function checkpointMessage(checkpoint: Pick<Checkpoint, 'event' | 'hash' | 'at'>): Buffer {
  return Buffer.from(`${FORMAT}\nevent ${checkpoint.event}\nhash ${checkpoint.hash}\nat ${checkpoint.at}\n`, 'utf8');
}

/** Whether the checkpoint is signed by the key it names (whether that key is trusted is the caller's question). */
export function isSignedByItsKey(checkpoint: Checkpoint): boolean {
  return verifyWithRawKey(Buffer.from(checkpoint.key, 'base64'), checkpointMessage(checkpoint), Buffer.from(checkpoint.signature, 'base64'));
}

/** A short name for a checkpoint key in messages: the first 16 hex digits of its SHA-256. */
export function keyFingerprint(key: string | Buffer): string {
  return createHash('sha256')
    .update(typeof key === 'string' ? Buffer.from(key, 'base64') : key)
    .digest('hex')
    .slice(0, 16);
}

/** A checkpoint read from untrusted text (a file line, a manifest), or null when it is not one. */
export function parseCheckpoint(value: unknown): Checkpoint | null {
  if (typeof value !== 'object' || value === null) return null;
  const { event, hash, at, key, signature } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(event) || (event as number) < 1) return null;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return null;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return null;
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(key)) return null;
  if (typeof signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(signature)) return null;
  return { event: event as number, hash, at, key, signature };
}

/** What the checkpoint file holds: every readable checkpoint with its line number, and the lines that are not one. */
export interface CheckpointFileContents {
  readonly exists: boolean;
  readonly checkpoints: ReadonlyArray<Checkpoint & { readonly line: number }>;
  readonly unreadableLines: readonly number[];
}

/** The checkpoint file of one database, signing with `custody`. */
export class CheckpointFile {
  constructor(
    readonly path: string,
    readonly custody: CheckpointKeyCustody,
  ) {}

  /** Sign a checkpoint of `anchor` at `at` and append it (fsynced before this returns). */
  append(anchor: HistoryAnchor, at: string): Checkpoint {
    const { publicKey, signature } = this.custody.sign(checkpointMessage({ ...anchor, at }));
    const checkpoint: Checkpoint = { event: anchor.event, hash: anchor.hash, at, key: publicKey.toString('base64'), signature: signature.toString('base64') };
    const descriptor = openSync(this.path, 'a+', 0o644);
    try {
      // A line cut short by a power loss must not swallow this one.
      const size = fstatSync(descriptor).size;
      const last = Buffer.alloc(1);
      const isTorn = size > 0 && readSync(descriptor, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
      // One write of one short line: appends from several processes do not interleave.
      const line = Buffer.from(`${isTorn ? '\n' : ''}${JSON.stringify(checkpoint)}\n`, 'utf8');
      let offset = 0;
      while (offset < line.length) offset += writeSync(descriptor, line, offset);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    return checkpoint;
  }

  /** The newest event a checkpoint in the file covers (0: none), from the file's tail. */
  lastEvent(): number {
    let descriptor: number;
    try {
      descriptor = openSync(this.path, 'r');
    } catch {
      return 0;
    }
    try {
      const size = fstatSync(descriptor).size;
      const length = Math.min(size, TAIL_BYTES);
      const tail = Buffer.alloc(length);
      readSync(descriptor, tail, 0, length, size - length);
      let newest = 0;
      for (const text of tail.toString('utf8').split('\n')) {
        const checkpoint = parseLine(text);
        if (checkpoint) newest = Math.max(newest, checkpoint.event);
      }
      return newest;
    } finally {
      closeSync(descriptor);
    }
  }

  /** Every line of the file. */
  readAll(): CheckpointFileContents {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, checkpoints: [], unreadableLines: [] };
      throw error;
    }
    const checkpoints: Array<Checkpoint & { line: number }> = [];
    const unreadableLines: number[] = [];
    text.split('\n').forEach((line, index) => {
      if (line === '') return;
      const checkpoint = parseLine(line);
      if (checkpoint) checkpoints.push({ ...checkpoint, line: index + 1 });
      else unreadableLines.push(index + 1);
    });
    return { exists: true, checkpoints, unreadableLines };
  }
}

function parseLine(text: string): Checkpoint | null {
  try {
    return parseCheckpoint(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * Signs checkpoints of the history's head for one core: on demand (a publish, a command's end)
 * and every `minutes` while the head moves.
 */
export class HistoryCheckpoints {
  private lastSignedMs: number;

  constructor(
    private readonly db: ReadDb,
    readonly file: CheckpointFile,
    private readonly now: () => Date,
  ) {
    this.lastSignedMs = now().getTime();
  }

  /** Sign the head if it is past every checkpoint in the file; null when there is nothing new. */
  signHead(): Checkpoint | null {
    const head = historyHead(this.db);
    if (!head || head.event <= this.file.lastEvent()) return null;
    return this.sign(head);
  }

  /** Sign a checkpoint of exactly `anchor` (a publish: the event that prepared the snapshot). */
  sign(anchor: HistoryAnchor): Checkpoint {
    const at = this.now();
    this.lastSignedMs = at.getTime();
    return this.file.append(anchor, at.toISOString());
  }

  /** Called periodically: signs the head once `minutes` have passed since the last checkpoint. */
  tick(minutes: number): Checkpoint | null {
    if (this.now().getTime() - this.lastSignedMs < minutes * 60_000) return null;
    return this.signHead();
  }
}
