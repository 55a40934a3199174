/**
 * Electron IPC from the contract's one dispatch table: one `repdesk:<operation>` channel per
 * operation. Every call is checked at the door: the sender must be the app's own frame, then
 * the payload passes the operation's schema (inside the core's `dispatch`, on this computer or
 * on the team server the main process relays it to), then the core runs.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { OPERATION_NAMES } from '../../shared/contract.js';
import type { ApiResult } from '../../shared/result.js';
import {
  CONNECTION_CHOOSE_CHANNEL,
  CONNECTION_RETRY_CHANNEL,
  CONNECTION_STATE_CHANNEL,
  SIGN_PREPARED_CHANNEL,
  SIGNING_KEY_CHANNEL,
  SAVE_BACKUP_CHANNEL,
  type SavedBackup,
  UPLOAD_FILE_CHANNEL,
  type ConnectionAnswer,
  type ConnectionRequest,
  type ConnectionState,
} from '../../shared/desktop.js';
import type { UploadReceipt } from '../../shared/files.js';
import type { CallContext, Core } from '../core/app.js';
import { AppError } from '../core/errors.js';
import { isPathList } from './intents.js';

/** The IPC channel of an operation. */
export function channelFor(operation: string): string {
  return `repdesk:${operation}`;
}

/** Where the page's calls go: this computer's core, or the team server (connection.ts). */
export type Dispatch = (operation: string, payload: unknown) => Promise<ApiResult<unknown>>;

export interface IpcRegistrationOptions {
  readonly dispatch: Dispatch;
  /** Whether an event comes from the app's own window and frame (not an iframe, not another origin). */
  readonly isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
}

/**
 * The page's calls to this computer's core, as the desktop user. The page never names a local
 * file, whatever the call context says: its files arrive as uploads the shell registered.
 */
export function embeddedDispatch(core: Pick<Core, 'dispatchUnknown'>, call: () => CallContext): Dispatch {
  return (operation, payload) => core.dispatchUnknown(operation, payload, { ...call(), localFiles: false });
}

/** Register a handler for every operation of the contract; returns the channels registered. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, options: IpcRegistrationOptions): string[] {
  return OPERATION_NAMES.map((operation) => {
    const channel = channelFor(operation);
    ipcMain.handle(channel, async (event, payload: unknown): Promise<ApiResult<unknown>> => {
      if (!options.isTrustedSender(event)) {
        return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } };
      }
      return options.dispatch(operation, payload);
    });
    return channel;
  });
}

export interface ConnectionIpcOptions {
  readonly connection: {
    state(): ConnectionState;
    choose(request: ConnectionRequest): Promise<ConnectionAnswer>;
    refresh(): Promise<ConnectionState>;
    signPrepared(serial: number): Promise<ApiResult<unknown>>;
    /** The id of the signing key kept in the app, or null. */
    signingKeyId(): string | null;
    /** A backup of the database, saved where the person chooses (the shell asks). */
    saveBackup(): Promise<ApiResult<SavedBackup>>;
  };
  readonly isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
}

const UNTRUSTED_ANSWER: ConnectionAnswer = { ok: false, problem: 'IPC from an untrusted frame is refused', certificate: null };

/** A choice as the page sends it, checked (anything else is refused before it is acted on). */
export function parseConnectionRequest(value: unknown): ConnectionRequest | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (record.mode === 'embedded' && keys.length === 1) return { mode: 'embedded' };
  if (record.mode !== 'team' || typeof record.server !== 'string' || record.server.length > 2048) return null;
  if (!keys.every((key) => key === 'mode' || key === 'server' || key === 'trustFingerprint')) return null;
  if (record.trustFingerprint === undefined) return { mode: 'team', server: record.server };
  if (typeof record.trustFingerprint !== 'string' || !/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(record.trustFingerprint)) return null;
  return { mode: 'team', server: record.server, trustFingerprint: record.trustFingerprint };
}

/** The page's calls about the connection: its state, the person's choice, trying the server again now, signing a prepared snapshot, saving a backup. */
export function registerConnectionIpc(ipcMain: Pick<IpcMain, 'handle'>, options: ConnectionIpcOptions): void {
  ipcMain.handle(CONNECTION_STATE_CHANNEL, (event) => {
    if (!options.isTrustedSender(event)) return { kind: 'choosing', problem: 'IPC from an untrusted frame is refused' } satisfies ConnectionState;
    return options.connection.state();
  });
  ipcMain.handle(CONNECTION_CHOOSE_CHANNEL, async (event, request: unknown): Promise<ConnectionAnswer> => {
    if (!options.isTrustedSender(event)) return UNTRUSTED_ANSWER;
    const parsed = parseConnectionRequest(request);
    if (parsed === null) return { ok: false, problem: 'a choice is {"mode": "embedded"} or {"mode": "team", "server": URL, "trustFingerprint"?: SHA-256}', certificate: null };
    try {
      return await options.connection.choose(parsed);
    } catch (error) {
      return { ok: false, problem: error instanceof Error ? error.message : String(error), certificate: null };
    }
  });
  ipcMain.handle(CONNECTION_RETRY_CHANNEL, async (event) => {
    if (!options.isTrustedSender(event)) return { kind: 'choosing', problem: 'IPC from an untrusted frame is refused' } satisfies ConnectionState;
    return options.connection.refresh();
  });
  ipcMain.handle(SIGN_PREPARED_CHANNEL, async (event, serial: unknown): Promise<ApiResult<unknown>> => {
    if (!options.isTrustedSender(event)) return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } };
    if (typeof serial !== 'number' || !Number.isSafeInteger(serial) || serial <= 0) return { ok: false, error: { code: 'invalid-input', message: 'a snapshot to sign is named by its serial, a positive whole number' } };
    return options.connection.signPrepared(serial);
  });
  ipcMain.handle(SIGNING_KEY_CHANNEL, (event): string | null => (options.isTrustedSender(event) ? options.connection.signingKeyId() : null));
  // The page asks; where the backup goes the person says in the shell's dialog (the page names no path).
  ipcMain.handle(SAVE_BACKUP_CHANNEL, async (event): Promise<ApiResult<SavedBackup>> => {
    if (!options.isTrustedSender(event)) return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame is refused' } };
    return options.connection.saveBackup();
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
