/**
 * The application core: opens the database, keeps the address index, and implements every
 * operation of the contract once. Every transport (HTTP, Electron IPC, CLI, tests) calls
 * `dispatch`, which validates the payload against the contract's schema before the core runs.
 */
import type { OperationName, OperationResult } from '../../shared/contract.js';
import type { ApiResult } from '../../shared/result.js';
import { isOperationName, isWriteOperation, parseInput } from '../../shared/contract.js';
import type { FileRef } from '../../shared/files.js';
import type { Settings } from '../../shared/settings.js';
import { TOPICS_OF, type ChangeNotice } from '../../shared/changes.js';
import { openDatabase, type Connection } from './db/connection.js';
import { AppError } from './errors.js';
import { createLogger } from './log.js';
import { runInCall } from './call-scope.js';
import type { CallContext, Handler, HandlerContext, HandlerMap } from './call-context.js';
import { ListingIndex } from './lookup/listing-index.js';
import { collectAnchors } from './audit/anchors.js';
import type { CheckpointKeyCustody } from './audit/checkpoint-key.js';
import { lookupAddress, lookupAddresses } from './lookup/lookup.js';
import { addListing, delistListing, getListing, importListingsFile } from './listings/listings.js';
import { historyOf, verifyHistory } from './audit/history.js';
import { addInvestigator, listInvestigators, updateInvestigator } from './investigators/investigators.js';
import { authHandlers } from './auth/handlers.js';
import { authenticate, markSessionSeen, type AuthenticatedSession } from './auth/sessions.js';
import { readSettings, updateSettings } from './settings/settings.js';
import { keySigner, type MinisignKeyPair } from './snapshot/index.js';
import { previewPublish, publishSnapshot } from './publish/publish.js';
import { RemoteSigning } from './publish/remote-signing.js';
import { approveRequest, pendingApprovals } from './publish/approve.js';
import { listSnapshots, snapshotChanges } from './publish/review.js';
import { defaultDataFolder } from './paths.js';
import { join } from 'node:path';
import { JobRunner, type JobCoreFactory } from './jobs/jobs.js';
import { interruptedJobViews } from './jobs/job-records.js';
import { addIsp, getIsp, getSubmission, ispRanges, listIsps, updateIsp } from './dul/isps.js';
import { commitSubmission, revertSubmission } from './dul/submissions.js';
import { previewSubmission } from './dul/submission-preview.js';
import { readPreviewItems } from './dul/preview-spool.js';
import { ingestTrapHits } from './qil/ingest.js';
import { qilScore } from './qil/score.js';
import { queryListings } from './workbench/query.js';
import { recordView, relatedListings } from './workbench/record.js';
import { checkNewListing } from './workbench/check.js';
import { previewListingsImport } from './listings/import-preview.js';
import { editListing, runBulkAction } from './workbench/edits.js';
import { exportListingsCsv } from './workbench/csv.js';
import { deleteView, listViews, saveView } from './workbench/views.js';
import { searchText } from './workbench/search.js';
import { foldDashboard } from './dashboard/counters.js';
import { FoldSchedule } from './dashboard/fold-schedule.js';
import { evidenceHandlers } from './evidence/handlers.js';
import { queueHandlers } from './queues/handlers.js';
import { startUpkeep } from './upkeep.js';
import { readDashboard } from './dashboard/dashboard.js';
import { resolveFile, resolveLocalFolder, uploadsIn, type InputFile } from './io/files.js';
import { UploadStore } from './io/uploads.js';
import { coreFileUrl } from './core-files.js';
import { beginStep, endStep, letWritesGoFirst } from './db/write-priority.js';

const log = createLogger('core');

export interface CoreOptions {
  /** Database file (':memory:' for a throw-away one). */
  readonly databasePath: string;
  /** Open the file only if it exists (a missing one is an error, not a new database): the command line's detached fold. */
  readonly databaseMustExist?: boolean;
  /** Clock, replaceable in tests. */
  readonly now?: () => Date;
  /** The snapshot-signing key, held by the main process only (CLI: a key file; desktop: safeStorage). */
  readonly signingKey?: () => MinisignKeyPair;
  /** Default snapshot folder when settings name none. */
  readonly snapshotFolder?: string;
  /**
   * Whether this core folds the dashboard's figures after its writes (default true). A job's
   * worker does not: the core that started the job folds on a thread of its own after it.
   */
  readonly foldsDashboard?: boolean;
  /**
   * Whether this core keeps up the database (default true: every core that opens it for
   * writing): settles publishes that did not finish when it opens, and signs history
   * checkpoints every few minutes, after a job it started, and when it closes. A job's worker
   * does not: the core that started the job does.
   */
  readonly runsUpkeep?: boolean;
  /** Keeps the key that signs history checkpoints (default: `<database>.checkpoint-key`, mode 0600). */
  readonly checkpointKey?: CheckpointKeyCustody;
  /** How long a publish waits for another one into the same output folder before it is refused (default 10 s). */
  readonly publishLockWaitMs?: number;
  /** How often the core looks whether a checkpoint is due (default a minute; tests shorten it). */
  readonly checkpointTickMs?: number;
  /**
   * The upload store's folder, shared by every thread of a server (its writer, the jobs' workers).
   * Without it the core's store makes a folder of its own only if a file arrives.
   */
  readonly uploadFolder?: string;
  /**
   * A server's reader: the connection is opened read-only (a write through it fails loudly: the
   * contract says which operations write, and those go to the writer thread), the dashboard is
   * not folded here, and the address index is built off the event loop. See writer/threaded-core.ts.
   */
  readonly readOnly?: boolean;
  /** A reader's session checks hand their one write (a session's last use) here. */
  readonly markSessionSeen?: (sessionId: number, at: string) => void;
  /**
   * Where the address index answers from (default `memory`: built on first use and kept up, for
   * a process that lives). `database`: bounded index probes per question and nothing loaded, for
   * a process that asks a few questions and exits (the command line).
   */
  readonly addressIndex?: 'memory' | 'database';
  /** Read the database through a memory map (default true; a job's worker goes without: see db/connection.ts). */
  readonly memoryMap?: boolean;
  /** Called when a background job this core started has ended (a reader: its writer signs the checkpoint the job's writes call for and folds the dashboard's figures). */
  readonly afterJob?: () => void;
  /** Told after every committed write what it touched (the team server pushes these to open views). */
  readonly onChange?: (notice: ChangeNotice) => void;
  /**
   * People's writes waiting in a server's writer thread (db/write-priority.ts): the jobs this core
   * starts and its dashboard fold's worker are given it and let them go first between their
   * steps, and so does this core's own import unless it is that writer (`isServerWriter`: its
   * queue already runs one write at a time).
   */
  readonly writesWaiting?: SharedArrayBuffer;
  /** This core is a server's writer thread's (writer/writer-worker.ts). */
  readonly isServerWriter?: boolean;
}

export type { CallContext } from './call-context.js';

export interface Core {
  readonly connection: Connection;
  readonly index: ListingIndex;
  readonly jobs: JobRunner;
  /** Files sent over HTTP, and files the desktop shell registered, waiting for the import that uses them. */
  readonly uploads: UploadStore;
  dispatch<Name extends OperationName>(name: Name, payload: unknown, call: CallContext): Promise<ApiResult<OperationResult<Name>>>;
  /** Dispatch by an untrusted name (HTTP path, IPC channel). */
  dispatchUnknown(name: string, payload: unknown, call: CallContext): Promise<ApiResult<unknown>>;
  /**
   * The person a session token belongs to, with their current roles, or a refusal saying why (for
   * a transport, before dispatch). `touch: false` checks without counting it as a use (a server
   * checking an open event stream: a page left open still reaches its idle lifetime).
   */
  authenticate(token: string, options?: { readonly touch?: boolean }): ApiResult<AuthenticatedSession>;
  /**
   * Bring the dashboard's figures up to date now (a failure leaves them pending and is logged).
   * `isInSteps`: a big backlog (a million-row import) is folded on a worker thread in short steps
   * instead (a server's writer, whose queue must not wait for it).
   */
  foldDashboard(isInSteps?: boolean): void;
  /** Sign a history checkpoint now if the history moved since the last one (a failure is logged). */
  signCheckpoint(when: string): void;
  close(): void;
}

export function createCore(options: CoreOptions): Core {
  const connection = openDatabase(options.databasePath, {
    readonly: options.readOnly === true,
    mustExist: options.databaseMustExist === true,
    // The core that keeps the database up copies the log back on a thread of its own; a job's worker, which ends with its job, in its commits.
    checkpoints: options.runsUpkeep === false ? 'in-commits' : 'thread',
    memoryMap: options.memoryMap,
  });
  const now = options.now ?? (() => new Date());
  const nowText = () => now().toISOString();
  const { read, write } = connection;
  const index = new ListingIndex(read, { source: options.addressIndex, ...(options.readOnly ? { databasePath: options.databasePath } : {}) });
  const uploads = options.uploadFolder ? UploadStore.at(options.uploadFolder) : UploadStore.lazy();
  const fileOf = (ref: FileRef, call: CallContext, what?: string): InputFile => resolveFile(uploads, ref, call, what);
  const jobs = new JobRunner({
    coreModule: coreFileUrl('./app.js'),
    databasePath: options.databasePath,
    signingKey: options.signingKey,
    snapshotFolder: options.snapshotFolder,
    uploadFolder: () => uploads.folder,
    writesWaiting: options.writesWaiting,
    interrupted: (id) => (options.databasePath === ':memory:' ? [] : interruptedJobViews(read, now(), id)),
    onFinished: (job) => {
      if (isWriteOperation(job.operation)) afterWrite(job.operation, job.actor, job.view.state === 'done' ? 'done' : 'failed', true);
      upkeep.signCheckpoint('after a job');
      options.afterJob?.();
    },
  });
  // The dashboard's figures follow each write off the request path (dashboard/fold-schedule.ts).
  const folds = new FoldSchedule({ databasePath: options.databasePath, read, write, now, foldsDashboard: options.foldsDashboard !== false, writesWaiting: options.writesWaiting });
  const upkeep = startUpkeep(read, write, {
    databasePath: options.databasePath,
    now,
    snapshotFolder: options.snapshotFolder,
    isRunning: options.runsUpkeep !== false,
    checkpointKey: options.checkpointKey,
    checkpointTickMs: options.checkpointTickMs,
  });

  /**
   * What follows every write, in one place for every operation the contract declares a write
   * (and for a background job's when it ends): the address index takes in new listings, the
   * dashboard's figures are folded (off the request path; after a job, on a thread of its own),
   * and a change notice says what the write touched. Both are cheap when nothing changed, so
   * they also run after a write that failed and rolled back.
   */
  const afterWrite = (operation: OperationName, actor: string | null, outcome: 'done' | 'failed', isJob: boolean) => {
    index.refresh();
    // A server's reader leaves the fold to its writer (afterJob): one fold worker, not two splitting the same work.
    if (isJob && options.foldsDashboard !== false) folds.offThread();
    else folds.schedule();
    const topics = TOPICS_OF[operation];
    if (outcome === 'done' && topics.length > 0) options.onChange?.({ operation, actor, at: nowText(), topics });
  };

  /** Around each step of a long write (an import): people's writes waiting in the server's writer go first, and one arriving meanwhile is told when the step ends. */
  const stepCounter = options.isServerWriter ? undefined : options.writesWaiting;
  const steps = {
    beforeStep: () => {
      if (!stepCounter) return;
      letWritesGoFirst(stepCounter);
      beginStep(stepCounter);
    },
    afterStep: () => {
      if (stepCounter) endStep(stepCounter);
    },
  };

  /** Where this core publishes: the setting, else the folder it was given, else the data folder's. */
  const publishFolder = (settings: Settings) => settings.publish.outDir || (options.snapshotFolder ?? join(defaultDataFolder(), 'snapshots'));
  const remoteSigning = new RemoteSigning(write, now);
  /** What a publish takes from the call and this core, whoever signs. */
  const publishOptions = (settings: Settings, input: { zone?: string; approveLargeChange?: boolean }, call: CallContext) => ({
    out: publishFolder(settings),
    checkpoints: upkeep.checkpoints,
    lockWaitMs: options.publishLockWaitMs,
    actor: call.actor,
    zone: input.zone,
    approveLargeChange: input.approveLargeChange,
    onProgress: call.onProgress,
  });

  const context: HandlerContext = { read, write, index, now, fileOf };
  const handlers: HandlerMap = {
    ...authHandlers(connection, now),
    ...evidenceHandlers(context),
    lookup: (input) => lookupAddress(read, index, input.ip, readSettings(read), now()),
    'lookup.bulk': (input) => lookupAddresses(read, index, input.ips, readSettings(read), now()),
    'listings.add': (input, call) => addListing(write, call.actor, input, readSettings(read), now()),
    'listings.check': (input) => checkNewListing(read, index, input, readSettings(read), now()),
    'listings.get': (input) => getListing(read, input.id),
    'listings.history': (input) => {
      getListing(read, input.id);
      return historyOf(read, 'listing', input.id);
    },
    'listings.delist': (input, call) => delistListing(write, call.actor, input.id, input.why, now()),
    'listings.importFile': (input, call) =>
      importListingsFile(write, call.actor, { ...input, file: fileOf(input.file, call) }, readSettings(read), now(), call.onProgress, steps),
    'listings.importPreview': (input, call) => previewListingsImport(read, index, { ...input, file: fileOf(input.file, call) }, readSettings(read), now(), call.onProgress),
    'investigators.list': () => listInvestigators(read),
    'investigators.add': (input, call) => addInvestigator(write, call.actor, input, nowText),
    'investigators.update': (input, call) => updateInvestigator(write, call.actor, input, nowText),
    'audit.verify': async (input, call) => {
      // A snapshot folder is named on the command line only; public keys may be uploads too.
      const snapshot = input.snapshot && resolveLocalFolder(input.snapshot, call, 'the snapshot');
      const pubkeys = input.pubkeys?.map((ref) => fileOf(ref, call, 'a public key').path);
      const { anchors, problems } = await collectAnchors(read, { snapshot, pubkeys }, { checkpointFile: upkeep.checkpointFile, outFolders: upkeep.outputFolders() });
      return verifyHistory(read, anchors, problems);
    },
    'publish.preview': (input, call) => previewPublish(read, call.actor, readSettings(read), now(), input.zone),
    'publish.run': (input, call) => {
      if (input.out !== undefined && call.localFiles !== true) {
        throw new AppError('forbidden', 'publish.run: "out" names a folder on the server, which only the command line may do; the setting publish.outDir decides where the app publishes');
      }
      if (!options.signingKey) throw new AppError('forbidden', 'no signing key is loaded in this session (CLI: --key FILE; desktop: Settings > Signing key)');
      const settings = readSettings(read);
      return publishSnapshot(write, settings, now(), { ...publishOptions(settings, input, call), out: input.out ?? publishFolder(settings), signer: keySigner(options.signingKey()) });
    },
    'publish.prepare': (input, call) => {
      const settings = readSettings(read);
      return remoteSigning.prepare(settings, { ...publishOptions(settings, input, call), keyId: input.keyId });
    },
    'publish.commit': (input, call) => remoteSigning.commit(call.actor, input.serial, input.signature, readSettings(read)),
    'publish.abandon': (input, call) => remoteSigning.abandon(call.actor, input.serial),
    'snapshots.list': () => listSnapshots(read),
    'snapshots.changes': (input) => snapshotChanges(read, input.serial, input.list, input.kind, input.afterId, input.limit),
    'publish.approvals': () => pendingApprovals(read),
    'publish.approve': (input, call) => approveRequest(write, call.actor, input.id, nowText),
    'jobs.start': (input, call) => {
      // Refuse a payload that fails the operation's own schema now, not in the worker.
      const checked = parseInput(input.operation, input.input);
      if (!checked.ok) throw new AppError(checked.error.code, checked.error.message, checked.error.details);
      return jobs.start(input.operation, checked.value, call);
    },
    'jobs.get': (input) => jobs.get(input.id),
    'jobs.cancel': (input) => jobs.cancel(input.id),
    'jobs.list': () => jobs.list(),
    'qil.ingest': (input, call) => ingestTrapHits(write, call.actor, { file: fileOf(input.file, call) }, readSettings(read), now(), call.onProgress),
    'qil.score': (input) => qilScore(read, index, input.ip, readSettings(read), now()),
    'isps.list': () => listIsps(read),
    'isps.get': (input) => getIsp(read, input.name),
    'isps.ranges': (input) => ispRanges(read, input.name, input.afterId, input.limit),
    'isps.add': (input, call) => addIsp(write, call.actor, input, nowText),
    'isps.update': (input, call) => updateIsp(write, call.actor, input, nowText),
    'dul.preview': (input, call) => previewSubmission(read, input, fileOf(input.file, call), readSettings(read), now(), call.onProgress),
    'dul.previewItems': (input) => readPreviewItems(input.spool, input.list, input.offset, input.limit),
    'dul.commit': (input, call) => commitSubmission(write, call.actor, input, fileOf(input.file, call), readSettings(read), now(), call.onProgress),
    'dul.revert': (input, call) => revertSubmission(write, call.actor, input.id, now()),
    'dul.submission': (input) => getSubmission(read, input.id),
    'listings.query': (input) => queryListings(read, index, input, now()),
    'listings.record': (input) => recordView(read, index, input.id, readSettings(read), now()),
    'listings.related': (input) => relatedListings(read, index, input.id),
    'listings.edit': (input, call) => editListing(write, call.actor, input, readSettings(read), now()),
    'listings.bulk': (input, call) => runBulkAction(write, index, call.actor, input, now(), call.onProgress),
    'listings.export': (input, call) => exportListingsCsv(read, index, input.target, input.sort, now(), call.onProgress),
    'views.list': (_input, call) => listViews(read, call.actor),
    'views.save': (input, call) => saveView(write, call.actor, input, nowText),
    'views.delete': (input, call) => deleteView(write, call.actor, input.name, nowText),
    'search.text': (input) => searchText(read, input.q, input.limit),
    ...queueHandlers(context),
    'dashboard.get': (input) => {
      // A server's reader never folds (it cannot write): its writer thread folds, see threaded-core.ts.
      if (!options.readOnly) {
        try {
          foldDashboard(write, now());
        } catch (error) {
          // Another writer holds the database (a long import): show the figures as of the last fold, marked as behind.
          if (!/^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '')) throw error;
          log.warn('dashboard figures not updated: the database is busy');
        }
      }
      return readDashboard(read, now(), input.period);
    },
    'settings.get': () => readSettings(read),
    'settings.update': (input, call) => {
      // Where snapshots are written is a folder on the server: a client may leave it as it is, not name another.
      const outDir = (input.publish as { outDir?: unknown } | undefined)?.outDir;
      if (outDir !== undefined && outDir !== readSettings(read).publish.outDir && call.localFiles !== true) {
        throw new AppError('forbidden', "publish.outDir names a folder on the server, which only the command line may set (repdesk settings set publish '{\"outDir\": ...}' on the server's computer)");
      }
      return updateSettings(write, call.actor, input, nowText);
    },
  };

  async function dispatch<Name extends OperationName>(name: Name, payload: unknown, call: CallContext): Promise<ApiResult<OperationResult<Name>>> {
    const input = parseInput(name, payload);
    if (!input.ok) return input;
    const isWrite = isWriteOperation(name);
    try {
      const handler = handlers[name] as Handler<Name>;
      // The call is ambient while the handler runs: the history records its client and address.
      const value = await runInCall(call, () => handler(input.value, call));
      // An import that wrote has used its uploads; a preview (a read) leaves them for the commit.
      if (isWrite) for (const id of uploadsIn(input.value)) uploads.consume(id);
      if (isWrite) afterWrite(name, call.actor, 'done', false);
      return { ok: true, value };
    } catch (error) {
      if (isWrite) afterWrite(name, call.actor, 'failed', false);
      if (error instanceof AppError) return { ok: false, error: error.toApiError() };
      const message = error instanceof Error ? error.message : String(error);
      if (/^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '')) {
        return { ok: false, error: { code: 'busy', message: 'the database is busy (another RepDesk is writing); nothing was changed: try again' } };
      }
      log.error(`${name} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
      return { ok: false, error: { code: 'internal', message: `${name} failed: ${message}` } };
    }
  }

  return {
    connection,
    index,
    jobs,
    uploads,
    dispatch,
    authenticate: (token, check) => {
      try {
        const markSeen =
          check?.touch === false ? () => undefined : options.readOnly ? (options.markSessionSeen ?? (() => undefined)) : (id: number, at: string) => markSessionSeen(write, id, at);
        return { ok: true, value: authenticate(read, token, readSettings(read), now(), markSeen) };
      } catch (error) {
        if (error instanceof AppError) return { ok: false, error: error.toApiError() };
        throw error;
      }
    },
    dispatchUnknown: (name, payload, call) => {
      if (!isOperationName(name)) return Promise.resolve({ ok: false, error: { code: 'not-found', message: `no operation named ${JSON.stringify(name)}` } });
      return dispatch(name, payload, call);
    },
    foldDashboard: (isInSteps = false) => (isInSteps ? folds.inSteps() : folds.settle()),
    signCheckpoint: (when) => upkeep.signCheckpoint(when),
    close: () => {
      index.close();
      folds.close();
      void jobs.close();
      remoteSigning.close();
      upkeep.close();
      uploads.close();
      connection.close();
    },
  };
}

/** The factory a background job's worker makes its own core with (jobs/worker.ts loads it from this module by name). */
export const jobCoreFactory: JobCoreFactory = { createCore };
