/**
 * When a core folds the dashboard's figures: off the request path after each write (a trigger
 * journals every listing change in the writer's transaction, and the fold runs once the answer
 * is out), small folds on the spot, big ones (a million-row import committed, or after a
 * background job) on a worker thread of their own in short steps, so a server's writer never
 * holds its queue for them. `dashboard.get` folds whatever is still pending.
 */
import { Worker } from 'node:worker_threads';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { coreFileUrl } from '../core-files.js';
import { createLogger } from '../log.js';
import { foldDashboard, unfoldedListings } from './counters.js';
import type { FoldWorkerData } from './fold-worker.js';

const log = createLogger('core');
/** New listings a fold after a write takes in on the spot; more are folded on a worker thread in steps. */
const IN_PLACE_FOLD_LISTINGS = 32_768;

export interface FoldScheduleOptions {
  readonly databasePath: string;
  readonly read: ReadDb;
  readonly write: WriteDb;
  readonly now: () => Date;
  /** Whether this core folds after its writes (a job's worker does not: the core that started the job folds after it). */
  readonly foldsDashboard: boolean;
  /** People's writes waiting in a server's writer (db/write-priority.ts): the fold worker's steps let them go first. */
  readonly writesWaiting?: SharedArrayBuffer;
}

export class FoldSchedule {
  private pending: NodeJS.Immediate | null = null;
  private worker: Worker | null = null;
  private foldAgain = false;
  private isClosed = false;

  constructor(private readonly options: FoldScheduleOptions) {}

  /** Fold now, here (a failure leaves the figures pending and is logged). */
  settle(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = null;
    try {
      foldDashboard(this.options.write, this.options.now());
    } catch (error) {
      // Left pending: the next fold (at the latest, the next dashboard open) retries and reports.
      log.warn(`dashboard figures not updated yet: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Fold now: here when it is small, else on a worker thread in short steps. */
  inSteps(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = null;
    if (this.options.databasePath !== ':memory:' && unfoldedListings(this.options.read) > IN_PLACE_FOLD_LISTINGS) this.offThread();
    else this.settle();
  }

  /** Fold once the current answer is out (after a write). */
  schedule(): void {
    if (!this.options.foldsDashboard) return;
    this.pending ??= setImmediate(() => this.inSteps());
  }

  /**
   * Fold on a worker thread of its own (after a background job, usually a big import, once the
   * job's worker has exited): one at a time, and again if more jobs ended meanwhile.
   */
  offThread(): void {
    if (this.options.databasePath === ':memory:') return this.schedule();
    if (this.isClosed) return;
    if (this.worker) {
      this.foldAgain = true;
      return;
    }
    const worker = new Worker(coreFileUrl('./dashboard/fold-worker.js'), {
      workerData: { databasePath: this.options.databasePath, now: this.options.now().toISOString(), writesWaiting: this.options.writesWaiting ?? null } satisfies FoldWorkerData,
    });
    this.worker = worker;
    worker.on('message', (message: { failed?: string }) => {
      if (message.failed) log.warn(`dashboard figures not updated yet (${message.failed}); the next fold catches up`);
    });
    worker.on('error', (error) => log.warn(`dashboard fold worker failed: ${String(error)}`));
    worker.on('exit', () => {
      this.worker = null;
      if (this.foldAgain && !this.isClosed) {
        this.foldAgain = false;
        this.offThread();
      }
    });
  }

  /** Stop the worker; a fold still pending runs now (a core that wrote, the CLI after an import, leaves the figures current for the app). */
  close(): void {
    this.isClosed = true;
    void this.worker?.terminate();
    if (this.pending) this.settle();
  }
}
