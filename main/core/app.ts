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
import { createListingFromSample, getSample, importSamples, linkSample, listSamples, rawSample, sampleStats, uploadedSources } from './evidence/samples.js';
import { addNote, createThread, draftReply, exportMessage, getThread, importThreadMessages, listThreads, resolveThread, saveReply, sendReply } from './evidence/threads.js';

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
    onFinished: () => index.refresh(),
  });
  const afterWrite = <T>(value: T): T => {
    index.refresh();
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
    'listings.delist': (input, call) => delistListing(write, call.actor, input.id, input.why, now()),
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
    'samples.import': async (input, call) =>
      importSamples(write, index, call.actor, { sources: input.paths.map((path) => ({ kind: 'path', path })), listingId: input.listingId, importValid: input.importValid }, readSettings(read), now(), call.onProgress),
    'samples.upload': async (input, call) =>
      importSamples(write, index, call.actor, { sources: uploadedSources(input.files), listingId: input.listingId, importValid: input.importValid }, readSettings(read), now()),
    'samples.list': (input) => listSamples(read, input.listingId, input.afterId, input.limit),
    'samples.get': (input) => getSample(read, index, input.id),
    'samples.raw': (input) => rawSample(read, input.id),
    'samples.link': (input, call) => linkSample(write, call.actor, input.sampleId, input.listingId, now()),
    'samples.createListing': (input, call) => afterWrite(createListingFromSample(write, call.actor, input, readSettings(read), now())),
    'samples.stats': (input) => sampleStats(read, input.listingId),
    'threads.list': (input) => listThreads(read, input),
    'threads.get': (input) => getThread(read, input.id),
    'threads.create': (input, call) => createThread(write, call.actor, input, now()),
    'threads.import': (input, call) =>
      importThreadMessages(
        write,
        call.actor,
        { threadId: input.threadId, direction: input.direction, sources: [...(input.paths ?? []).map((path) => ({ kind: 'path' as const, path })), ...uploadedSources(input.files ?? [])], importValid: input.importValid },
        readSettings(read),
        now(),
      ),
    'threads.note': (input, call) => addNote(write, call.actor, input.threadId, input.text, now()),
    'threads.draft': (input) => draftReply(read, input.threadId, input.template, readSettings(read)),
    'threads.reply': (input, call) => saveReply(write, call.actor, input, readSettings(read), now()),
    'threads.export': (input) => exportMessage(read, input.id),
    'threads.send': (input, call) => sendReply(write, call.actor, input.id, readSettings(read), now()),
    'threads.resolve': (input, call) => resolveThread(write, call.actor, input, now()),
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
    close: () => {
      void jobs.close();
      connection.close();
    },
  };
}
