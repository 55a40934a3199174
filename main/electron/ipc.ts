/**
 * Electron IPC from the contract's one dispatch table: one `repdesk:<operation>` channel per
 * operation. Every call is checked at the door: the sender must be the app's own frame, then
 * the payload passes the operation's schema (inside `dispatch`), then the core runs.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { OPERATION_NAMES, type ApiResult } from '../../shared/contract.js';
import type { CallContext, Core } from '../core/app.js';

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
      return options.core.dispatch(operation, payload, options.call());
    });
    return channel;
  });
}
