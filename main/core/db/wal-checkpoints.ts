/**
 * Checkpoints off the writer's path. In WAL mode SQLite copies the log back into the database
 * file in the call that commits once the log holds 1,000 pages: after a million-row write that
 * call then also copies the whole log (2 s of a 10 s DUL revert), and the next write, a person's
 * or a server's queue, waits for it. A writer that runs for a while (the app, a server's writer,
 * a command) turns that off and hands the copy to a thread of its own
 * (db/checkpoint-worker.ts); the thread's PASSIVE checkpoint is the one SQLite would have run,
 * and it waits for no one. It is asked after a commit once 1,000 rows have changed since it was
 * last asked, or the log file has grown by 1,000 pages (a few large rows). Closing waits for it,
 * so a closed database is one file again, as before. If the thread cannot run, the writer
 * checkpoints in its commits again.
 *
 * Nothing here opens the `-shm` file to read the log's length: POSIX releases every lock a
 * process holds on a file when any of its descriptors for that file is closed, and SQLite's
 * shared lock there is what stops another process from resetting (truncating) the file under
 * this one's mapping of it.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { coreFileUrl } from '../core-files.js';
import { createLogger } from '../log.js';

const log = createLogger('db');

/** Rows changed since the thread was last asked past which a commit asks it again. */
export const CHECKPOINT_AFTER_CHANGES = 1000;
/** Growth of the log file since the thread was last asked past which a commit asks it again (SQLite's own mark: 1,000 pages of 4 KiB). */
export const CHECKPOINT_AFTER_BYTES = 1000 * 4096;
/** How long closing waits for a checkpoint under way before it leaves the rest to SQLite. */
const CLOSE_WAIT_MS = 120_000;

/** What the writer gives the checkpoint thread. */
export interface CheckpointWorkerData {
  readonly databasePath: string;
  /** One Int32 the two threads share: a ThreadState. */
  readonly state: SharedArrayBuffer;
}

/**
 * The thread's connection, as both threads see it. The thread claims Starting -> Open before it
 * opens the database; a writer closing first claims Starting -> Cancelled, and then the thread
 * never opens it. So the writer waits only for a connection that is, or is being, opened.
 */
export const ThreadState = { Starting: 0, Closed: 1, Open: 2, Cancelled: 3 } as const;

/** A checkpoint's outcome: pages in the log, and how many of them are now in the database file. */
export interface CheckpointReport {
  readonly log: number;
  readonly checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** Called if the thread cannot run: the writer takes its checkpoints back. */
  readonly fallBack: () => void;
  /** The thread's script (tests name one that fails). */
  readonly workerUrl?: URL;
}

export class WalCheckpointer {
  private worker: Worker | null = null;
  private state: Int32Array | null = null;
  private isAsked = false;
  private isAskedAgain = false;
  private hasFailed = false;
  /** Closed: a checkpoint's answer arriving after close() starts nothing (no new thread on a closed connection). */
  private isClosed = false;
  /** The connection's total_changes() and the log file's size when the thread was last asked. */
  private changesAsked = 0;
  private logBytesAsked = 0;
  private changesNow = 0;

  constructor(
    private readonly databasePath: string,
    private readonly options: WalCheckpointerOptions,
  ) {}

  private logBytes(): number {
    try {
      return statSync(`${this.databasePath}-wal`).size;
    } catch {
      return 0;
    }
  }

  /** After a commit (`totalChanges`: the connection's total_changes()): ask the thread for a checkpoint when enough was written since it was last asked. */
  afterCommit(totalChanges: number): void {
    this.changesNow = totalChanges;
    if (this.hasFailed || this.isClosed) return;
    if (this.isAsked) {
      this.isAskedAgain = true;
      return;
    }
    const logBytes = this.logBytes();
    if (totalChanges - this.changesAsked < CHECKPOINT_AFTER_CHANGES && logBytes - this.logBytesAsked < CHECKPOINT_AFTER_BYTES) return;
    const worker = this.worker ?? this.start();
    if (!worker) return;
    this.changesAsked = totalChanges;
    this.logBytesAsked = logBytes;
    this.isAsked = true;
    worker.postMessage('checkpoint');
  }

  private start(): Worker | null {
    const state = new SharedArrayBuffer(4);
    try {
      const worker = new Worker(this.options.workerUrl ?? coreFileUrl('./db/checkpoint-worker.js'), {
        workerData: { databasePath: this.databasePath, state } satisfies CheckpointWorkerData,
      });
      worker.on('message', (report: CheckpointReport | { failed: string }) => {
        this.isAsked = false;
        if ('failed' in report) log.warn(`checkpoint not done (${report.failed}); the next commit asks again`);
        if (this.isAskedAgain) {
          this.isAskedAgain = false;
          this.afterCommit(this.changesNow);
        }
      });
      worker.on('error', (error) => this.fail(error));
      // A thread waiting for work does not keep a process alive; closing the connection ends it.
      worker.unref();
      this.worker = worker;
      this.state = new Int32Array(state);
      return worker;
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  private fail(error: unknown): void {
    if (this.hasFailed || this.isClosed) return;
    this.hasFailed = true;
    log.warn(`the checkpoint thread stopped (${error instanceof Error ? error.message : String(error)}); the writer checkpoints as it commits again`);
    const worker = this.worker;
    this.worker = null;
    this.state = null;
    this.isAsked = false;
    if (worker) void worker.terminate();
    this.options.fallBack();
  }

  /** Before the writer's connection closes: the thread closes its own first, after any checkpoint under way. */
  close(): void {
    const { worker, state } = this;
    this.isClosed = true;
    this.worker = null;
    this.state = null;
    if (!worker || !state) return;
    // A thread that has not opened its connection yet never will; one that has is asked to close it.
    if (Atomics.compareExchange(state, 0, ThreadState.Starting, ThreadState.Cancelled) === ThreadState.Open) {
      worker.postMessage('close');
      if (Atomics.wait(state, 0, ThreadState.Open, CLOSE_WAIT_MS) === 'timed-out') {
        log.warn('the checkpoint thread did not close in time; the database closes without it');
      }
    }
    void worker.terminate();
  }
}
