/**
 * The writer thread (see writer-thread.ts): a core of its own on the database file, running the
 * write operations it is sent one at a time. Before each, the connection's busy wait is set to
 * what is left of that write's time (a write whose time ran out in the queue is refused without
 * running); between writes it is zero, so a fold of the dashboard's figures never holds up the
 * next write: when the database is locked it is left for later.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createCore, type Core } from '../app.js';
import { markSessionSeen } from '../auth/sessions.js';
import { AppError } from '../errors.js';
import { createLogger } from '../log.js';
import type { MinisignKeyPair } from '../snapshot/index.js';
import { busyResult, type WriterData, type WriterReply, type WriterRequest } from './writer-thread.js';
import { waitForStep } from '../db/write-priority.js';

const log = createLogger('writer');
const data = workerData as WriterData;
const post = (reply: WriterReply) => parentPort?.postMessage(reply);
/** The key of the publish being run now: the main process holds it and sends it with that call only. */
let signingKey: MinisignKeyPair | null = null;
let core: Core;
try {
  core = createCore({
    databasePath: data.databasePath,
    snapshotFolder: data.snapshotFolder ?? undefined,
    uploadFolder: data.uploadFolder ?? undefined,
    publishLockWaitMs: data.publishLockWaitMs ?? undefined,
    checkpointTickMs: data.checkpointTickMs ?? undefined,
    onChange: data.notifies ? (notice) => post({ type: 'change', notice }) : undefined,
    // Its dashboard fold's worker lets the writes queued here go first between its steps.
    writesWaiting: data.writesWaiting ?? undefined,
    isServerWriter: true,
    signingKey: () => {
      if (!signingKey) throw new AppError('forbidden', 'no signing key is loaded in this session (CLI: --key FILE; desktop: Settings > Signing key)');
      return signingKey;
    },
  });
  core.connection.setBusyTimeout(0);
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

async function handle(request: WriterRequest): Promise<void> {
  switch (request.type) {
    case 'call': {
      const left = request.deadline - Date.now();
      if (left <= 0) {
        post({ type: 'done', id: request.id, result: busyResult(Date.now() - request.queuedAt) });
        return;
      }
      // A job's step under way ends within tens of milliseconds and says so: waited for here, the write starts at once after it.
      if (data.writesWaiting) waitForStep(data.writesWaiting, left);
      core.connection.setBusyTimeout(Math.max(1, request.deadline - Date.now()));
      signingKey = request.signingKey;
      try {
        const result = await core.dispatch(request.name, request.payload, request.call);
        // Past its time the write was refused at the lock (dispatch says 'busy'): say how long it waited.
        post({ type: 'done', id: request.id, result: !result.ok && result.error.code === 'busy' ? busyResult(Date.now() - request.queuedAt) : result });
      } catch (error) {
        post({ type: 'done', id: request.id, result: { ok: false, error: { code: 'internal', message: `${request.name} failed: ${error instanceof Error ? error.message : String(error)}` } } });
      } finally {
        signingKey = null;
        core.connection.setBusyTimeout(0);
      }
      return;
    }
    case 'fold':
      // A big backlog is folded in steps on a thread of its own: the writes queued here go on.
      core.foldDashboard(true);
      post({ type: 'done', id: request.id, result: null });
      return;
    case 'checkpoint':
      core.signCheckpoint(request.when);
      post({ type: 'done', id: request.id, result: null });
      return;
    case 'seen':
      // Waited for like a write; when the database stays locked past it, the next use records it.
      core.connection.setBusyTimeout(Math.max(0, request.deadline - Date.now()));
      try {
        markSessionSeen(core.connection.write, request.sessionId, request.at);
      } catch (error) {
        log.warn(`a session's last use was not recorded: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        core.connection.setBusyTimeout(0);
      }
      post({ type: 'done', id: request.id, result: null });
      return;
    case 'close':
      core.close();
      parentPort?.close();
      return;
    default: {
      const unreachable: never = request;
      throw new Error(`unknown writer request ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Writes whose work is mostly a passphrase hash (scrypt, a third of a second on a busy machine,
 * in libuv's thread pool) run beside the queue instead of in it: their database work is two short
 * synchronous transactions, before and after the hash, which cannot interleave with another
 * write's, so fifty people signing in at nine do not hold everyone's edits behind 50 hashes.
 */
const BESIDE_THE_QUEUE = new Set<string>(['auth.signIn', 'auth.enrol']);

const logFailure = (error: unknown) => log.error(`writer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);

// One at a time, in the order sent (but for the passphrase checks above).
let queue = Promise.resolve();
const beside = new Set<Promise<void>>();
parentPort?.on('message', (request: WriterRequest) => {
  if (request.type === 'call' && BESIDE_THE_QUEUE.has(request.name)) {
    const running = handle(request).catch(logFailure);
    beside.add(running);
    void running.finally(() => beside.delete(running));
    return;
  }
  // Closing waits for the passphrase checks under way too.
  const before = request.type === 'close' ? () => Promise.allSettled([...beside]) : () => undefined;
  queue = queue.then(before).then(() => handle(request)).catch(logFailure);
});
