/**
 * Long work off the main thread: an import or a publish runs in a worker thread on its own
 * database connection, reports progress (done / total, rate, ETA) and can be cancelled. The
 * operation's own transaction makes it all-or-nothing: a cancel rolls everything back.
 */
import { Worker } from 'node:worker_threads';
import type { ApiError, ApiResult } from '../../../shared/result.js';
import type { JobOperation, JobView } from '../../../shared/jobs.js';
import { conflict, invalidInput, notFound } from '../errors.js';
import { createLogger } from '../log.js';
import type { MinisignKeyPair } from '../snapshot/index.js';
import type { CallOrigin } from '../call-scope.js';
import type { WriteDb } from '../db/connection.js';
import type { FileAccess } from '../io/files.js';
import { coreFileUrl } from '../core-files.js';
import type { ProgressReporter } from './progress.js';

const log = createLogger('jobs');
const KEPT_JOBS = 50;

/**
 * What a job's worker needs of the core it runs the operation on: its own core on the same
 * database file, made by the factory the core that starts jobs names (`coreModule`), so that
 * jobs/ never imports the core it serves.
 */
export interface JobCoreFactory {
  createCore(options: {
    readonly databasePath: string;
    readonly signingKey?: () => MinisignKeyPair;
    readonly snapshotFolder?: string;
    readonly uploadFolder?: string;
    readonly foldsDashboard?: boolean;
    readonly runsUpkeep?: boolean;
    /** People's writes waiting in a server's writer (db/write-priority.ts): the job's steps let them go first. */
    readonly writesWaiting?: SharedArrayBuffer;
    /** Whether the job's connection reads through a memory map (a job's worker: no). */
    readonly memoryMap?: boolean;
  }): JobCore;
}

/** The call a job's operation runs as: the starting call's origin and file access, reporting its progress to the job. */
export type JobCall = CallOrigin & FileAccess & { readonly onProgress?: ProgressReporter };

/** The part of a core a job's worker uses. */
export interface JobCore {
  readonly connection: { readonly write: WriteDb };
  dispatch(name: JobOperation, payload: unknown, call: JobCall): Promise<ApiResult<unknown>>;
  close(): void;
}

/** What a worker needs to run one operation. */
export interface JobWorkerData {
  /** The module whose export `jobCoreFactory` (a `JobCoreFactory`) makes the worker's core. */
  readonly coreModule: string;
  readonly databasePath: string;
  readonly operation: JobOperation;
  readonly input: unknown;
  /** The call that started the job: the worker runs the operation as that call (actor, client, address, and its file access: its uploads, and for the command line its local paths). */
  readonly call: CallOrigin & FileAccess;
  /** The upload store's folder (null: no upload was ever received). */
  readonly uploadFolder: string | null;
  readonly signingKey: MinisignKeyPair | null;
  readonly snapshotFolder: string | null;
  /** Int32 flag set to 1 to cancel. */
  readonly cancel: SharedArrayBuffer;
  /** People's writes waiting in the server's writer (db/write-priority.ts), or null outside a server. */
  readonly writesWaiting: SharedArrayBuffer | null;
}

/** Messages from a worker. */
export type JobMessage =
  | { readonly type: 'progress'; readonly stage: string; readonly done: number; readonly total: number }
  | { readonly type: 'result'; readonly result: ApiResult<unknown> };

/** A job that ended: its view, and who ran it. */
export interface FinishedJob {
  readonly operation: JobOperation;
  readonly actor: string | null;
  readonly view: JobView;
}

interface Job {
  view: JobView;
  readonly actor: string | null;
  readonly startedMs: number;
  stageStartedMs: number;
  readonly cancel: Int32Array;
  readonly worker: Worker;
}

export interface JobRunnerOptions {
  /** The module a job's worker makes its core with (see `JobWorkerData.coreModule`). */
  readonly coreModule: URL;
  readonly databasePath: string;
  readonly signingKey?: () => MinisignKeyPair;
  readonly snapshotFolder?: string;
  /** The upload store's folder, when it has one. */
  readonly uploadFolder: () => string | null;
  /** People's writes waiting in a server's writer: the jobs' steps let them go first. */
  readonly writesWaiting?: SharedArrayBuffer;
  /** Called when a job ends, whatever its operation and outcome (the core runs what follows a write). */
  readonly onFinished: (job: FinishedJob) => void;
  /** Jobs of a process that stopped before they finished, found when the database was opened (job-records.ts), given ids here. */
  readonly interrupted?: (id: () => number) => JobView[];
}

export class JobRunner {
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  /** Interrupted jobs (failed), read on first use. */
  private past: JobView[] | null = null;

  constructor(private readonly options: JobRunnerOptions) {}

  start(operation: JobOperation, input: unknown, call: CallOrigin & FileAccess): JobView {
    if (this.options.databasePath === ':memory:') throw invalidInput('background jobs need a database file, not :memory:');
    if ([...this.jobs.values()].some((job) => job.view.state === 'running' && job.view.operation === operation)) {
      throw conflict(`a ${operation} job is already running; wait for it or cancel it`);
    }
    const cancel = new SharedArrayBuffer(4);
    const data: JobWorkerData = {
      coreModule: this.options.coreModule.href,
      databasePath: this.options.databasePath,
      operation,
      input,
      call: { actor: call.actor, client: call.client, address: call.address ?? null, localFiles: call.localFiles === true, uploadOwner: call.uploadOwner ?? null },
      uploadFolder: this.options.uploadFolder(),
      signingKey: operation === 'publish.run' && this.options.signingKey ? this.options.signingKey() : null,
      snapshotFolder: this.options.snapshotFolder ?? null,
      cancel,
      writesWaiting: this.options.writesWaiting ?? null,
    };
    const worker = new Worker(coreFileUrl('./jobs/worker.js'), { workerData: data });
    const id = this.nextId;
    this.nextId += 1;
    const now = Date.now();
    const job: Job = {
      // The operation and its (still empty) result belong together; the union cannot see that through a variable.
      view: {
        id,
        operation,
        state: 'running',
        stage: 'starting',
        done: 0,
        total: 0,
        rate: null,
        etaSeconds: null,
        startedAt: new Date(now).toISOString(),
        finishedAt: null,
        result: null,
        error: null,
      } as JobView,
      actor: call.actor,
      startedMs: now,
      stageStartedMs: now,
      cancel: new Int32Array(cancel),
      worker,
    };
    this.jobs.set(id, job);
    worker.on('message', (message: JobMessage) => this.receive(job, message));
    worker.on('error', (error) => this.finish(job, { ok: false, error: { code: 'internal', message: `${operation} failed: ${error.message}` } }));
    worker.on('exit', (code) => {
      if (job.view.state === 'running') this.finish(job, { ok: false, error: { code: 'internal', message: `${operation} stopped unexpectedly (exit ${code})` } });
    });
    this.prune();
    return job.view;
  }

  get(id: number): JobView {
    const job = this.jobs.get(id);
    const past = job ? undefined : this.interrupted().find((view) => view.id === id);
    if (past) return past;
    if (!job) throw notFound(`no job #${id}`);
    return job.view;
  }

  list(): JobView[] {
    return [...[...this.jobs.values()].map((job) => job.view).reverse(), ...this.interrupted()];
  }

  private interrupted(): JobView[] {
    this.past ??= this.options.interrupted?.(() => this.nextId++) ?? [];
    return this.past;
  }

  /** Ask a running job to stop; it rolls back and ends as 'cancelled'. */
  cancel(id: number): JobView {
    const job = this.jobs.get(id);
    if (!job) throw notFound(`no job #${id}`);
    if (job.view.state === 'running') Atomics.store(job.cancel, 0, 1);
    return job.view;
  }

  /** Wait until a job has ended (tests, CLI). */
  async wait(id: number): Promise<JobView> {
    const job = this.jobs.get(id);
    if (!job) throw notFound(`no job #${id}`);
    while (job.view.state === 'running') await new Promise((resolve) => setTimeout(resolve, 20));
    return job.view;
  }

  /** Stop every running job (closing the app). */
  async close(): Promise<void> {
    await Promise.all([...this.jobs.values()].filter((job) => job.view.state === 'running').map((job) => job.worker.terminate()));
  }

  private receive(job: Job, message: JobMessage): void {
    if (message.type === 'result') {
      this.finish(job, message.result);
      return;
    }
    const now = Date.now();
    if (message.stage !== job.view.stage) job.stageStartedMs = now;
    const seconds = (now - job.stageStartedMs) / 1000;
    const rate = seconds > 0.2 && message.done > 0 ? message.done / seconds : null;
    const etaSeconds = rate !== null && message.total > message.done ? (message.total - message.done) / rate : null;
    job.view = { ...job.view, stage: message.stage, done: message.done, total: message.total, rate, etaSeconds };
  }

  private finish(job: Job, result: ApiResult<unknown>): void {
    if (job.view.state !== 'running') return;
    const cancelled = !result.ok && result.error.code === 'cancelled';
    const error: ApiError | null = result.ok ? null : result.error;
    // The worker ran this job's operation through the contract's dispatch: its value is that operation's result.
    job.view = {
      ...job.view,
      state: result.ok ? 'done' : cancelled ? 'cancelled' : 'failed',
      finishedAt: new Date().toISOString(),
      result: result.ok ? result.value : null,
      error,
      etaSeconds: null,
    } as JobView;
    if (error && !cancelled) log.warn(`job #${job.view.id} ${job.view.operation} failed: ${error.message}`);
    this.options.onFinished({ operation: job.view.operation, actor: job.actor, view: job.view });
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((job) => job.view.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, this.jobs.size - KEPT_JOBS))) this.jobs.delete(job.view.id);
  }
}
