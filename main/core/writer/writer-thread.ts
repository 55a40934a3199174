/**
 * The writer thread of a long-running server (browser mode, the desktop app, the team server):
 * one worker thread with a core of its own on the database file, to which every write operation
 * goes, one at a time. The server's event loop never waits for SQLite's lock: a write that meets
 * a database another process holds waits in the writer, at most `writeWaitMs` from the moment it
 * was queued (its place in the queue included), and is then answered `busy` without having
 * changed anything; the transport turns that into 503 with Retry-After. Nothing reaches a client
 * as SQLITE_BUSY.
 */
import { Worker } from 'node:worker_threads';
import type { OperationName } from '../../../shared/contract.js';
import type { ApiResult } from '../../../shared/result.js';
import type { ChangeNotice } from '../../../shared/changes.js';
import type { CallContext } from '../call-context.js';
import { createLogger } from '../log.js';
import type { MinisignKeyPair } from '../snapshot/index.js';
import { coreFileUrl } from '../core-files.js';
import { countWriteAnswered, countWriteQueued } from '../db/write-priority.js';

const log = createLogger('writer');

/** How long a write may wait for the database (queue and lock together) before it is refused as busy. */
export const DEFAULT_WRITE_WAIT_MS = 5000;

/** What the writer's core needs (every field crosses to the worker thread). */
export interface WriterData {
  readonly databasePath: string;
  readonly snapshotFolder: string | null;
  readonly uploadFolder: string | null;
  readonly publishLockWaitMs: number | null;
  readonly checkpointTickMs: number | null;
  /** Whether the writer sends its core's change notices back (a server that pushes them to clients). */
  readonly notifies: boolean;
  /** People's writes waiting and a job's step under way (db/write-priority.ts): a write waits for the step's end here rather than on SQLite's busy handler. */
  readonly writesWaiting: SharedArrayBuffer | null;
}

/** A call as it crosses to the writer: the call's context without its functions. */
export type WriterCall = Omit<CallContext, 'onProgress'>;

export type WriterRequest =
  | { readonly type: 'call'; readonly id: number; readonly name: OperationName; readonly payload: unknown; readonly call: WriterCall; readonly queuedAt: number; readonly deadline: number; readonly signingKey: MinisignKeyPair | null }
  | { readonly type: 'fold'; readonly id: number }
  | { readonly type: 'checkpoint'; readonly id: number; readonly when: string }
  | { readonly type: 'seen'; readonly id: number; readonly sessionId: number; readonly at: string; readonly deadline: number }
  /** Finish what is queued, close the core, and exit. */
  | { readonly type: 'close' };

export type WriterReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly result: ApiResult<unknown> | null }
  /** What a committed write touched (the writer's core's after-write step), sent before the write's answer. */
  | { readonly type: 'change'; readonly notice: ChangeNotice };

/** A refusal for a write that did not get the database in time (nothing was changed). */
export function busyResult(waitedMs: number): ApiResult<never> {
  return {
    ok: false,
    error: { code: 'busy', message: `the database is busy (another writer has held it for over ${(waitedMs / 1000).toFixed(1)} s); nothing was changed: try again` },
  };
}

function callForWriter(call: CallContext): WriterCall {
  return {
    actor: call.actor,
    client: call.client,
    address: call.address ?? null,
    sessionId: call.sessionId,
    localFiles: call.localFiles === true,
    uploadOwner: call.uploadOwner ?? null,
  };
}

export class WriterThread {
  private worker: Worker | null = null;
  private starting: Promise<void> | null = null;
  private readonly pending = new Map<number, (result: ApiResult<unknown> | null) => void>();
  private nextId = 1;
  private isClosed = false;

  private constructor(
    private readonly data: WriterData,
    private readonly writeWaitMs: number,
    private readonly onChange: ((notice: ChangeNotice) => void) | undefined,
    private readonly writesWaiting: SharedArrayBuffer | undefined,
  ) {}

  /**
   * Start the writer; resolves once its core has opened (and migrated) the database. With
   * `onChange` (data.notifies), its change notices are passed on; with `writesWaiting`, the
   * writes sent and not yet answered are counted there (db/write-priority.ts: jobs let them go first).
   */
  static async start(data: WriterData, writeWaitMs = DEFAULT_WRITE_WAIT_MS, onChange?: (notice: ChangeNotice) => void, writesWaiting?: SharedArrayBuffer): Promise<WriterThread> {
    const writer = new WriterThread(data, writeWaitMs, onChange, writesWaiting);
    await writer.ensureStarted();
    return writer;
  }

  /** Writes queued or running now. */
  get queued(): number {
    return this.pending.size;
  }

  private ensureStarted(): Promise<void> {
    if (this.worker) return Promise.resolve();
    this.starting ??= new Promise<void>((resolve, reject) => {
      const worker = new Worker(coreFileUrl('./writer/writer-worker.js'), { workerData: this.data });
      worker.on('message', (reply: WriterReply) => {
        if (reply.type === 'ready') {
          this.worker = worker;
          this.starting = null;
          resolve();
        } else if (reply.type === 'failed') {
          this.starting = null;
          reject(new Error(reply.message));
        } else if (reply.type === 'change') {
          this.onChange?.(reply.notice);
        } else {
          const answer = this.pending.get(reply.id);
          this.pending.delete(reply.id);
          answer?.(reply.result);
        }
      });
      worker.on('error', (error) => log.error(`the writer failed: ${error.stack ?? error.message}`));
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        if (this.starting && !this.isClosed) {
          this.starting = null;
          reject(new Error(`the writer stopped while starting (exit ${code})`));
        }
        // Calls it had not answered end here; the next write starts a new writer.
        for (const [id, answer] of this.pending) {
          this.pending.delete(id);
          answer({ ok: false, error: { code: 'internal', message: 'the writer stopped before answering; whether the change was made is not known: look before trying again' } });
        }
        if (!this.isClosed) log.error(`the writer stopped (exit ${code}); the next write starts another`);
      });
    });
    return this.starting;
  }

  private async send(request: Exclude<WriterRequest, { type: 'close' }>): Promise<ApiResult<unknown> | null> {
    if (this.isClosed) return { ok: false, error: { code: 'internal', message: 'the server is closing' } };
    await this.ensureStarted();
    return new Promise((resolve) => {
      this.pending.set(request.id, resolve);
      this.worker?.postMessage(request);
    });
  }

  /** Run a write operation in the writer. */
  async call(name: OperationName, payload: unknown, call: CallContext, signingKey: MinisignKeyPair | null): Promise<ApiResult<unknown>> {
    const id = this.nextId++;
    const queuedAt = Date.now();
    if (this.writesWaiting) countWriteQueued(this.writesWaiting);
    try {
      const result = await this.send({ type: 'call', id, name, payload, call: callForWriter(call), queuedAt, deadline: queuedAt + this.writeWaitMs, signingKey });
      return result ?? { ok: false, error: { code: 'internal', message: `${name}: no answer from the writer` } };
    } finally {
      if (this.writesWaiting) countWriteAnswered(this.writesWaiting);
    }
  }

  /** Bring the dashboard's figures up to date in the writer (a locked database leaves them pending). */
  async fold(): Promise<void> {
    await this.send({ type: 'fold', id: this.nextId++ });
  }

  /** Sign a history checkpoint in the writer (its core keeps up the database: see upkeep.ts). */
  signCheckpoint(when: string): void {
    void this.send({ type: 'checkpoint', id: this.nextId++, when });
  }

  /** Record a session's last use (not awaited by anyone: a session check never waits for it). */
  markSessionSeen(sessionId: number, at: string): void {
    void this.send({ type: 'seen', id: this.nextId++, sessionId, at, deadline: Date.now() + this.writeWaitMs });
  }

  /** Let the writer finish the writes it has, close its database, and stop (stopped after 10 s in any case). */
  async close(): Promise<void> {
    this.isClosed = true;
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies WriterRequest);
    const timer = setTimeout(() => void worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
