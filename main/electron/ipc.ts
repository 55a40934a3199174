/**
 * Electron IPC from the contract's one dispatch table: one `repdesk:<operation>` channel per
 * operation. Every call is checked at the door: the sender must be the app's own frame, then
 * the payload passes the operation's schema (inside `dispatch`), then the core runs.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { OPERATION_NAMES, type ApiResult } from '../../shared/contract.js';
import { UPLOAD_FILE_CHANNEL } from '../../shared/desktop.js';
import type { UploadReceipt } from '../../shared/files.js';
import type { CallContext, Core } from '../core/app.js';
import { AppError } from '../core/errors.js';
import { isPathList } from './intents.js';

/** The IPC channel of an operation. */
export function channelFor(operation: string): string {
  return `repdesk:${operation}`;
}

export interface IpcRegistrationOptions {
  readonly core: Core;
  /** Who the desktop user is. */
  readonly call: () => CallContext;
  /** Whether an event comes from the app's own window and frame (not an iframe, not another origin). */
  readonly isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
}

/** Register a handler for every operation of the contract; returns the channels registered. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, options: IpcRegistrationOptions): string[] {
  return OPERATION_NAMES.map((operation) => {
    const channel = channelFor(operation);
    ipcMain.handle(channel, async (event, payload: unknown): Promise<ApiResult<unknown>> => {
      if (!options.isTrustedSender(event)) {
        return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } };
      }
      // The page never names a local file: its files arrive as uploads the shell registered.
      return options.core.dispatch(operation, payload, { ...options.call(), localFiles: false });
    });
    return channel;
  });
}

export interface FileUploadOptions {
  /** Register a local file as an upload of the desktop's session (the main process's upload store). */
  readonly register: (path: string) => Promise<UploadReceipt>;
  readonly isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
}

/**
 * The channel on which the preload sends the path of a file the person chose in a form (or
 * dropped on one): registered as an upload, answered with its receipt. Only from the app's own
 * frame, and only a path (what the page gets back is the receipt).
 */
export function registerFileUploads(ipcMain: Pick<IpcMain, 'handle'>, options: FileUploadOptions): void {
  ipcMain.handle(UPLOAD_FILE_CHANNEL, async (event, path: unknown): Promise<ApiResult<UploadReceipt>> => {
    if (!options.isTrustedSender(event)) return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } };
    if (typeof path !== 'string' || !isPathList([path])) return { ok: false, error: { code: 'invalid-input', message: 'a file to send is a path' } };
    try {
      return { ok: true, value: await options.register(path) };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: error.toApiError() };
      return { ok: false, error: { code: 'internal', message: `the file could not be sent: ${error instanceof Error ? error.message : String(error)}` } };
    }
  });
}
