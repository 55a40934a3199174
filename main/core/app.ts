/**
 * The application core: opens the database, keeps the address index, and implements every
 * operation of the contract once. Every transport (HTTP, Electron IPC, CLI, tests) calls
 * `dispatch`, which validates the payload against the contract's schema before the core runs.
 */
import type { ApiResult, OperationInput, OperationName, OperationResult } from '../../shared/contract.js';
import { isOperationName, parseInput } from '../../shared/contract.js';
import { openDatabase, type Connection } from './db/connection.js';
import { AppError } from './errors.js';
import { createLogger } from './log.js';
import { ListingIndex } from './lookup/listing-index.js';
import { lookupAddress } from './lookup/lookup.js';
import { addListing, delistListing, getListing, importListingsFile } from './listings/listings.js';
import { historyOf, verifyHistory } from './audit/history.js';
import { addInvestigator, findActor, listInvestigators, updateInvestigator } from './investigators/investigators.js';
import { readSettings, updateSettings } from './settings/settings.js';
import type { MinisignKeyPair } from './publish/minisign.js';
import { previewPublish, publishSnapshot, listSnapshots } from './publish/publish.js';
import { approveRequest, pendingApprovals, snapshotChanges } from './publish/review.js';
import { defaultDataFolder } from './paths.js';
import { join } from 'node:path';
import { JobRunner } from './jobs/jobs.js';
import { addIsp, getIsp, getSubmission, ispRanges, listIsps, updateIsp } from './dul/isps.js';
import { commitSubmission, previewSubmission, revertSubmission } from './dul/submissions.js';
import { ingestTrapHits } from './qil/ingest.js';
import { qilScore } from './qil/score.js';
import { foldDashboard } from './dashboard/counters.js';
import { readDashboard } from './dashboard/dashboard.js';

const log = createLogger('core');

export interface CoreOptions {
  /** Database file (':memory:' for a throw-away one). */
  readonly databasePath: string;
  /** Clock, replaceable in tests. */
  readonly now?: () => Date;
  /** The snapshot-signing key, held by the main process only (CLI: a key file; desktop: safeStorage). */
  readonly signingKey?: () => MinisignKeyPair;
  /** Default snapshot folder when settings name none. */
  readonly snapshotFolder?: string;
}

/** Who is calling: the transport decides (CLI --actor, the server's bound user, the desktop's signed-in user). */
export interface CallContext {
  readonly actor: string | null;
  /** Long operations report progress here; it may throw AppError('cancelled') to stop them (all-or-nothing). */
  readonly onProgress?: (progress: Progress) => void;
}

/** Progress of long work. */
export interface Progress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

type Handler<Name extends OperationName> = (input: OperationInput<Name>, call: CallContext) => OperationResult<Name> | Promise<OperationResult<Name>>;
type HandlerMap = { [Name in OperationName]: Handler<Name> };

export interface Core {
  readonly connection: Connection;
  readonly index: ListingIndex;
  readonly jobs: JobRunner;
  dispatch<Name extends OperationName>(name: Name, payload: unknown, call: CallContext): Promise<ApiResult<OperationResult<Name>>>;
  /**
   * Bring the dashboard's figures up to date now rather than after the answer: a worker thread
   * calls it before handing back its result, so the main thread never folds a big import.
   */
  settle(): void;
  /** Dispatch by an untrusted name (HTTP path, IPC channel). */
  dispatchUnknown(name: string, payload: unknown, call: CallContext): Promise<ApiResult<unknown>>;
  close(): void;
}

export function createCore(options: CoreOptions): Core {
  const connection = openDatabase(options.databasePath);
  const now = options.now ?? (() => new Date());
  const nowText = () => now().toISOString();
  const { read, write } = connection;
  const index = new ListingIndex(read);
  const jobs = new JobRunner({
    databasePath: options.databasePath,
    signingKey: options.signingKey,
    snapshotFolder: options.snapshotFolder,
    onFinished: () => {
      index.refresh();
      scheduleDashboardFold();
    },
  });
  // The dashboard's figures follow each write off the request path: a trigger journals every
  // listing change in the writer's transaction, and the fold (seconds after a million-row
  // import) runs once the answer is out. `dashboard.get` folds whatever is still pending.
  let dashboardFold: NodeJS.Immediate | null = null;
  const settleDashboard = () => {
    if (dashboardFold) clearImmediate(dashboardFold);
    dashboardFold = null;
    try {
      foldDashboard(write);
    } catch (error) {
      // Left pending: the next fold (at the latest, the next dashboard open) retries and reports.
      log.warn(`dashboard figures not updated yet: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const scheduleDashboardFold = () => {
    dashboardFold ??= setImmediate(settleDashboard);
  };
  const afterWrite = <T>(value: T): T => {
    index.refresh();
    scheduleDashboardFold();
    return value;
  };

  const handlers: HandlerMap = {
    'session.whoami': (_input, call) => {
      const actor = findActor(read, call.actor);
      return { actor: actor?.name ?? call.actor, roles: actor?.roles ?? [] };
    },
    lookup: (input) => lookupAddress(read, index, input.ip),
    'listings.add': (input, call) => afterWrite(addListing(write, call.actor, input, readSettings(read), now())),
    'listings.get': (input) => getListing(read, input.id),
    'listings.history': (input) => {
      getListing(read, input.id);
      return historyOf(read, 'listing', input.id);
    },
    'listings.delist': (input, call) => afterWrite(delistListing(write, call.actor, input.id, input.why, now())),
    'listings.importFile': async (input, call) => afterWrite(await importListingsFile(write, call.actor, input, readSettings(read), now(), call.onProgress)),
    'investigators.list': () => listInvestigators(read),
    'investigators.add': (input, call) => addInvestigator(write, call.actor, input, nowText),
    'investigators.update': (input, call) => updateInvestigator(write, call.actor, input, nowText),
    'audit.verify': () => verifyHistory(read),
    'publish.preview': (input, call) => previewPublish(read, call.actor, readSettings(read), now(), input.zone),
    'publish.run': (input, call) => {
      if (!options.signingKey) throw new AppError('forbidden', 'no signing key is loaded in this session (CLI: --key FILE; desktop: Settings > Signing key)');
      const settings = readSettings(read);
      const out = input.out ?? (settings.publish.outDir || (options.snapshotFolder ?? join(defaultDataFolder(), 'snapshots')));
      return publishSnapshot(write, settings, now(), {
        out,
        key: options.signingKey(),
        actor: call.actor,
        zone: input.zone,
        approveLargeChange: input.approveLargeChange,
        onProgress: call.onProgress,
      });
    },
    'snapshots.list': () => listSnapshots(read),
    'snapshots.changes': (input) => snapshotChanges(read, input.serial, input.list, input.kind, input.afterId, input.limit),
    'publish.approvals': () => pendingApprovals(read),
    'publish.approve': (input, call) => approveRequest(write, call.actor, input.id, nowText),
    'jobs.start': (input, call) => {
      // Refuse a payload that fails the operation's own schema now, not in the worker.
      const checked = parseInput(input.operation, input.input);
      if (!checked.ok) throw new AppError(checked.error.code, checked.error.message, checked.error.details);
      return jobs.start(input.operation, checked.value, call.actor);
    },
    'jobs.get': (input) => jobs.get(input.id),
    'jobs.cancel': (input) => jobs.cancel(input.id),
    'jobs.list': () => jobs.list(),
    'qil.ingest': async (input, call) => afterWrite(await ingestTrapHits(write, call.actor, input, readSettings(read), now(), call.onProgress)),
    'qil.score': (input) => qilScore(read, index, input.ip, readSettings(read), now()),
    'isps.list': () => listIsps(read),
    'isps.get': (input) => getIsp(read, input.name),
    'isps.ranges': (input) => ispRanges(read, input.name, input.afterId, input.limit),
    'isps.add': (input, call) => addIsp(write, call.actor, input, nowText),
    'isps.update': (input, call) => updateIsp(write, call.actor, input, nowText),
    'dul.preview': (input, call) => previewSubmission(read, input, readSettings(read), now(), call.onProgress),
    'dul.commit': async (input, call) => afterWrite(await commitSubmission(write, call.actor, input, readSettings(read), now(), call.onProgress)),
    'dul.revert': (input, call) => afterWrite(revertSubmission(write, call.actor, input.id, now())),
    'dul.submission': (input) => getSubmission(read, input.id),
    'dashboard.get': (input) => {
      try {
        foldDashboard(write);
      } catch (error) {
        // Another writer holds the database (a long import): show the figures as of the last fold, marked as behind.
        if (!/^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '')) throw error;
        log.warn('dashboard figures not updated: the database is busy');
      }
      return readDashboard(read, now(), input.period);
    },
    'settings.get': () => readSettings(read),
    'settings.update': (input, call) => updateSettings(write, call.actor, input, nowText),
  };

  async function dispatch<Name extends OperationName>(name: Name, payload: unknown, call: CallContext): Promise<ApiResult<OperationResult<Name>>> {
    const input = parseInput(name, payload);
    if (!input.ok) return input;
    try {
      const handler = handlers[name] as Handler<Name>;
      return { ok: true, value: await handler(input.value, call) };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: error.toApiError() };
      const message = error instanceof Error ? error.message : String(error);
      if (/^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '')) {
        return { ok: false, error: { code: 'conflict', message: `the database is busy (another RepDesk is writing); try again` } };
      }
      log.error(`${name} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
      return { ok: false, error: { code: 'internal', message: `${name} failed: ${message}` } };
    }
  }

  return {
    connection,
    index,
    jobs,
    dispatch,
    dispatchUnknown: (name, payload, call) => {
      if (!isOperationName(name)) return Promise.resolve({ ok: false, error: { code: 'not-found', message: `no operation named ${JSON.stringify(name)}` } });
      return dispatch(name, payload, call);
    },
    settle: settleDashboard,
    close: () => {
      // A core that wrote (the CLI after an import) leaves the figures current for the app.
      if (dashboardFold) settleDashboard();
      void jobs.close();
      connection.close();
    },
  };
}
