/**
 * The core of a long-running server (browser mode, the desktop app's main process, the team
 * server): the same `Core`, but its event loop never waits for the database. Reads run here on a
 * read-only connection (in WAL mode a reader never waits for a writer, and a write that the
 * contract calls a read fails loudly instead of waiting); write operations go to the writer
 * thread, with a bounded wait (writer-thread.ts); the address index is built and rebuilt off the
 * event loop; the dashboard's figures are folded in the writer; with `onChange`, other processes'
 * writes are noticed too (changes/other-writers.ts). Embedded use (the CLI, tests)
 * keeps `createCore`: one connection, simple and fast.
 */
import { isOperationName, isWriteOperation, type OperationName, type OperationResult } from '../../../shared/contract.js';
import type { ApiResult } from '../../../shared/result.js';
import { createCore, type CallContext, type Core, type CoreOptions } from '../app.js';
import { watchOtherWriters } from '../changes/other-writers.js';
import { UploadStore } from '../io/uploads.js';
import { createLogger } from '../log.js';
import type { MinisignKeyPair } from '../snapshot/index.js';
import { WriterThread } from './writer-thread.js';
import { writesWaitingCounter } from '../db/write-priority.js';

const log = createLogger('core');
/** How long opening the dashboard waits for its figures to be folded before showing them as they are. */
const DASHBOARD_FOLD_WAIT_MS = 1000;

export interface ThreadedCoreOptions extends CoreOptions {
  /** How long a write may wait for the database before it is refused as busy (default 5 s). */
  readonly writeWaitMs?: number;
  /** Where the server's private upload folder is made (default: the system temp folder); ignored with `uploadFolder`. */
  readonly uploadParent?: string;
}

function signingKeyNow(options: ThreadedCoreOptions): MinisignKeyPair | null {
  if (!options.signingKey) return null;
  try {
    return options.signingKey();
  } catch (error) {
    // No key stored (the desktop's safeStorage): the writer answers as a core without a key does.
    log.warn(`no signing key: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/** A server's core; `close` starts closing, `closed` resolves once the writer has finished and stopped. */
export interface ThreadedCore extends Core {
  closed(): Promise<void>;
}

/** Open the database for a server: the writer first (it migrates), then the reader and its index (built in a worker). */
export async function openThreadedCore(options: ThreadedCoreOptions): Promise<ThreadedCore> {
  if (options.databasePath === ':memory:') throw new Error('a server needs a database file, not :memory:');
  if (options.now) throw new Error('a server runs on the real clock: its writer thread cannot share a test clock');
  if (options.checkpointKey) throw new Error("a server's writer thread keeps the checkpoint key beside the database: it cannot take another custody");
  // One upload folder for the reader (which receives), the writer and the jobs' workers (which import).
  const ownUploads = options.uploadFolder === undefined ? UploadStore.open({ parent: options.uploadParent }) : null;
  const uploadFolder = options.uploadFolder ?? (ownUploads?.folder as string);
  // People's writes waiting in the writer: the jobs' steps let them go first (db/write-priority.ts).
  const writesWaiting = options.writesWaiting ?? writesWaitingCounter();
  const writer = await WriterThread.start(
    {
      databasePath: options.databasePath,
      snapshotFolder: options.snapshotFolder ?? null,
      uploadFolder,
      publishLockWaitMs: options.publishLockWaitMs ?? null,
      checkpointTickMs: options.checkpointTickMs ?? null,
      notifies: options.onChange !== undefined,
      writesWaiting,
    },
    options.writeWaitMs,
    options.onChange,
    writesWaiting,
  );
  let reader: Core;
  try {
    // The writer's core keeps up the database (unfinished publishes settled at start, history checkpoints); the reader cannot write.
    reader = createCore({
      ...options,
      uploadFolder,
      writesWaiting,
      readOnly: true,
      foldsDashboard: false,
      runsUpkeep: false,
      markSessionSeen: (id, at) => writer.markSessionSeen(id, at),
      afterJob: () => {
        writer.signCheckpoint('after a job');
        // A big job's listings are folded on the writer's fold worker, in steps that let people's writes go first.
        void writer.fold();
      },
    });
    await reader.index.load();
  } catch (error) {
    await writer.close();
    ownUploads?.close();
    throw error;
  }

  // A server that passes on change notices passes on other processes' writes too (a command on its data folder).
  const otherWriters = options.onChange ? watchOtherWriters(reader.connection.read, options.onChange) : null;
  let closing: Promise<void> | null = null;

  async function dispatch<Name extends OperationName>(name: Name, payload: unknown, call: CallContext): Promise<ApiResult<OperationResult<Name>>> {
    if (name === 'dashboard.get') {
      // Folded in the writer first, when it is free; a busy writer (or database) leaves the figures as they are.
      if (writer.queued === 0) await Promise.race([writer.fold(), new Promise((resolve) => setTimeout(resolve, DASHBOARD_FOLD_WAIT_MS))]);
      return reader.dispatch(name, payload, call);
    }
    if (!isWriteOperation(name)) return reader.dispatch(name, payload, call);
    if (name === 'listings.importFile') return (await importAsJob(payload, call)) as ApiResult<OperationResult<Name>>;
    const result = await writer.call(name, payload, call, name === 'publish.run' ? signingKeyNow(options) : null);
    // This thread's index takes in what the write listed (a few ids at once; many in a worker).
    if (result.ok) reader.index.refresh();
    return result as ApiResult<OperationResult<Name>>;
  }

  /**
   * An import sent as one call rather than as a job (an API client, a script) runs as a job all the
   * same, and the call answers when it ends: in the writer thread it would hold every person's
   * write behind it for its whole length (503 after the bounded wait), while a job's worker writes
   * in short steps that let them go first (db/write-priority.ts). It shows in the jobs list like any other.
   */
  async function importAsJob(payload: unknown, call: CallContext): Promise<ApiResult<unknown>> {
    const input = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
    const started = await reader.dispatch('jobs.start', { operation: 'listings.importFile', input }, call);
    if (!started.ok) return started;
    const ended = await reader.jobs.wait(started.value.id);
    if (ended.state === 'done') return { ok: true, value: ended.result };
    return { ok: false, error: ended.error ?? { code: 'internal', message: `the import ended ${ended.state}` } };
  }

  return {
    connection: reader.connection,
    index: reader.index,
    jobs: reader.jobs,
    uploads: reader.uploads,
    dispatch,
    dispatchUnknown: (name, payload, call) => {
      if (!isOperationName(name)) return Promise.resolve({ ok: false, error: { code: 'not-found', message: `no operation named ${JSON.stringify(name)}` } });
      return dispatch(name, payload, call);
    },
    authenticate: (token, check) => reader.authenticate(token, check),
    foldDashboard: () => void writer.fold(),
    signCheckpoint: (when) => writer.signCheckpoint(when),
    close: () => {
      closing ??= (async () => {
        otherWriters?.close();
        reader.close();
        await writer.close();
        ownUploads?.close();
      })();
    },
    closed: () => closing ?? Promise.resolve(),
  };
}
