/**
 * What the core's handlers are: one function per operation of the contract, called with the
 * operation's checked input and the call's context. app.ts builds the map; capabilities that
 * contribute their own part of it (auth/, evidence/ and queues/handlers.ts) are typed by it
 * without importing app.ts.
 */
import type { OperationInput, OperationName, OperationResult } from '../../shared/contract.js';
import type { FileRef } from '../../shared/files.js';
import type { CallOrigin } from './call-scope.js';
import type { ReadDb, WriteDb } from './db/connection.js';
import type { FileAccess, InputFile } from './io/files.js';
import type { ProgressReporter } from './jobs/progress.js';
import type { ListingIndex } from './lookup/listing-index.js';

/**
 * Who is calling and through what, and which files they may name: the transport decides (CLI
 * --actor and local paths; the server's bound user and that session's uploads; the desktop's
 * signed-in user and the files the shell registered; `client` and `address`, which every history
 * event records). A client over HTTP or IPC never has `localFiles`.
 */
export interface CallContext extends CallOrigin, FileAccess {
  /** The session the call was authenticated by (team mode); absent in embedded mode. */
  readonly sessionId?: number;
  /** Long operations report progress here; it may throw AppError('cancelled') to stop them (all-or-nothing). */
  readonly onProgress?: ProgressReporter;
}

/** The core's implementation of one operation. */
export type Handler<Name extends OperationName> = (input: OperationInput<Name>, call: CallContext) => OperationResult<Name> | Promise<OperationResult<Name>>;
/** The core's implementation of every operation (capabilities contribute their own parts of it). */
export type HandlerMap = { [Name in OperationName]: Handler<Name> };

/** What a capability's part of the handler map works with: the core's connection, its address index, its clock, and the files a call names. */
export interface HandlerContext {
  readonly read: ReadDb;
  readonly write: WriteDb;
  readonly index: ListingIndex;
  readonly now: () => Date;
  /** The file a call names: one of its uploads, a file the desktop shell registered, or a path where the call may name one (`what` says which file in a refusal). */
  fileOf(ref: FileRef, call: CallContext, what?: string): InputFile;
}
