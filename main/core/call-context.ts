/**
 * What the core's handlers are: one function per operation of the contract, called with the
 * operation's checked input and the call's context. app.ts builds the map; capabilities that
 * contribute their own part of it (auth/handlers.ts) are typed by it without importing app.ts.
 */
import type { OperationInput, OperationName, OperationResult } from '../../shared/contract.js';
import type { CallOrigin } from './call-scope.js';
import type { FileAccess } from './io/files.js';
import type { ProgressReporter } from './jobs/progress.js';

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
