/**
 * The preload of the main window. It exposes exactly one object to the page, `window.repdesk`:
 * one function per contract operation (each an `ipcRenderer.invoke` on `repdesk:<operation>`),
 * plus subscriptions to job progress, the shell's intents, change notices and the connection
 * (this computer or a team server: its state, the person's choice, a retry), signing a snapshot the
 * team server prepared (by its serial: the main process signs what it relayed) and the id of the key
 * kept for it, and `uploadFile` for a file the
 * person chose in a form (its path goes to the main process, which registers it as an upload;
 * the page gets the receipt, never the path). The page never gets `ipcRenderer`, an IPC event or
 * anything of Node.
 *
 * A sandboxed preload runs as a plain script whose `require` knows only Electron's renderer
 * modules, so this file is CommonJS (this folder's package.json) and imports nothing of the
 * project at run time: the operation names arrive from the main process as a command-line
 * argument (`webPreferences.additionalArguments`), and the channel names are checked against
 * shared/desktop.ts's constants by their literal types.
 */
import type { ContextBridge, IpcRenderer, IpcRendererEvent, WebUtils } from 'electron';
import type { ApiClient } from '../../../shared/contract.js';
import type { ApiResult } from '../../../shared/result.js';
import type { JobView } from '../../../shared/jobs.js';
import type {
  ConnectionRequest,
  ConnectionState,
  DesktopBridge,
  Intent,
  CHANGE_CHANNEL as ChangeChannel,
  CONNECTION_CHANNEL as ConnectionChannel,
  CONNECTION_CHOOSE_CHANNEL as ConnectionChooseChannel,
  CONNECTION_RETRY_CHANNEL as ConnectionRetryChannel,
  CONNECTION_STATE_CHANNEL as ConnectionStateChannel,
  DROPPED_FILES_CHANNEL as DroppedFilesChannel,
  SIGN_PREPARED_CHANNEL as SignPreparedChannel,
  SIGNING_KEY_CHANNEL as SigningKeyChannel,
  SAVE_BACKUP_CHANNEL as SaveBackupChannel,
  SavedBackup,
  INTENT_CHANNEL as IntentChannel,
  JOB_PROGRESS_CHANNEL as JobProgressChannel,
  OPERATIONS_ARGUMENT as OperationsArgument,
  UPLOAD_FILE_CHANNEL as UploadFileChannel,
} from '../../../shared/desktop.js';
import type { UploadReceipt } from '../../../shared/files.js';
import type { ChangeEvent } from '../../../shared/remote.js';
// A CommonJS file under verbatimModuleSyntax imports a run-time module only this way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');

const INTENT_CHANNEL: typeof IntentChannel = 'repdesk:intent';
const JOB_PROGRESS_CHANNEL: typeof JobProgressChannel = 'repdesk:job-progress';
const DROPPED_FILES_CHANNEL: typeof DroppedFilesChannel = 'repdesk:dropped-files';
const UPLOAD_FILE_CHANNEL: typeof UploadFileChannel = 'repdesk:upload-file';
const OPERATIONS_ARGUMENT: typeof OperationsArgument = '--repdesk-operations=';
const CHANGE_CHANNEL: typeof ChangeChannel = 'repdesk:change';
const CONNECTION_CHANNEL: typeof ConnectionChannel = 'repdesk:connection';
const CONNECTION_STATE_CHANNEL: typeof ConnectionStateChannel = 'repdesk:connection-state';
const CONNECTION_CHOOSE_CHANNEL: typeof ConnectionChooseChannel = 'repdesk:connection-choose';
const CONNECTION_RETRY_CHANNEL: typeof ConnectionRetryChannel = 'repdesk:connection-retry';
const SIGN_PREPARED_CHANNEL: typeof SignPreparedChannel = 'repdesk:sign-prepared';
const SIGNING_KEY_CHANNEL: typeof SigningKeyChannel = 'repdesk:signing-key';
const SAVE_BACKUP_CHANNEL: typeof SaveBackupChannel = 'repdesk:save-backup';

type RendererIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener' | 'send'>;

/** The operation names the main process passed in `argv`; none when the argument is missing. */
function operationNamesFrom(argv: readonly string[]): string[] {
  const argument = argv.find((value) => value.startsWith(OPERATIONS_ARGUMENT));
  if (!argument) return [];
  return argument
    .slice(OPERATIONS_ARGUMENT.length)
    .split(',')
    .filter((name) => /^[A-Za-z][A-Za-z.]*$/.test(name));
}

/** Subscribe to a main-process channel, passing the page only the payload, never the event. */
function subscribe<Payload>(ipcRenderer: RendererIpc, channel: string, listener: (payload: Payload) => void): () => void {
  const receive = (_event: IpcRendererEvent, payload: Payload) => listener(payload);
  ipcRenderer.on(channel, receive);
  return () => {
    ipcRenderer.removeListener(channel, receive);
  };
}

/**
 * The bridge object. Intents that arrive before the page listens (the shell may send one as soon
 * as the page has loaded) are kept, in order, for the first listener; the page moves itself to
 * the intent's section (shared/desktop.ts, intentHash).
 */
function createDesktopBridge(ipcRenderer: RendererIpc, operationNames: readonly string[], webUtils: Pick<WebUtils, 'getPathForFile'>): DesktopBridge {
  const operations: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of operationNames) operations[name] = (input: unknown) => ipcRenderer.invoke(`repdesk:${name}`, input ?? {});

  const intentListeners = new Set<(intent: Intent) => void>();
  const pendingIntents: Intent[] = [];
  ipcRenderer.on(INTENT_CHANNEL, (_event: IpcRendererEvent, intent: Intent) => {
    if (intentListeners.size === 0) {
      pendingIntents.push(intent);
      return;
    }
    for (const listener of intentListeners) listener(intent);
  });

  const bridge = {
    // The main process sends the operation names of the same contract the handlers are registered from.
    ...(operations as unknown as ApiClient),
    onJobProgress: (listener: (job: JobView) => void) => subscribe(ipcRenderer, JOB_PROGRESS_CHANNEL, listener),
    onIntent: (listener: (intent: Intent) => void) => {
      intentListeners.add(listener);
      for (const intent of pendingIntents.splice(0)) listener(intent);
      return () => {
        intentListeners.delete(listener);
      };
    },
    uploadFile: async (file: unknown): Promise<ApiResult<UploadReceipt>> => {
      let path = '';
      try {
        path = webUtils.getPathForFile(file as Parameters<WebUtils['getPathForFile']>[0]);
      } catch {
        path = '';
      }
      // A File made by the page (not chosen by the person) has no path: nothing to register.
      if (path === '') return { ok: false, error: { code: 'invalid-input', message: 'only a file chosen or dropped from this computer can be sent' } };
      return (await ipcRenderer.invoke(UPLOAD_FILE_CHANNEL, path)) as ApiResult<UploadReceipt>;
    },
    onChange: (listener: (change: ChangeEvent) => void) => subscribe(ipcRenderer, CHANGE_CHANNEL, listener),
    connectionState: () => ipcRenderer.invoke(CONNECTION_STATE_CHANNEL) as Promise<ConnectionState>,
    chooseConnection: (request: ConnectionRequest) => ipcRenderer.invoke(CONNECTION_CHOOSE_CHANNEL, request) as ReturnType<DesktopBridge['chooseConnection']>,
    retryConnection: () => ipcRenderer.invoke(CONNECTION_RETRY_CHANNEL) as Promise<ConnectionState>,
    onConnection: (listener: (state: ConnectionState) => void) => subscribe(ipcRenderer, CONNECTION_CHANNEL, listener),
    signPreparedSnapshot: (serial: number) => ipcRenderer.invoke(SIGN_PREPARED_CHANNEL, serial) as Promise<ApiResult<unknown>>,
    signingKeyId: () => ipcRenderer.invoke(SIGNING_KEY_CHANNEL) as Promise<string | null>,
    saveBackup: () => ipcRenderer.invoke(SAVE_BACKUP_CHANNEL) as Promise<ApiResult<SavedBackup>>,
  } satisfies DesktopBridge;
  return bridge;
}

interface DroppedFileEvent {
  readonly defaultPrevented: boolean;
  preventDefault(): void;
  readonly dataTransfer: { readonly files: ArrayLike<unknown> } | null;
}

interface DropTarget {
  addEventListener(type: 'dragover' | 'drop', listener: (event: DroppedFileEvent) => void): void;
}

/**
 * Files dropped on the window: their paths go to the main process, which routes them to the
 * right import. A drop a screen handled itself (it called preventDefault) is left alone.
 */
function forwardDroppedFiles(target: DropTarget, ipcRenderer: RendererIpc, webUtils: Pick<WebUtils, 'getPathForFile'>): void {
  target.addEventListener('dragover', (event) => event.preventDefault());
  target.addEventListener('drop', (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    const files = Array.from(event.dataTransfer?.files ?? []);
    const paths = files.map((file) => webUtils.getPathForFile(file as Parameters<WebUtils['getPathForFile']>[0])).filter((path) => path.length > 0);
    if (paths.length > 0) ipcRenderer.send(DROPPED_FILES_CHANNEL, paths);
  });
}

interface PreloadGlobals {
  readonly argv: readonly string[];
  readonly window: DropTarget;
}

/** Expose the bridge as `window.repdesk` and forward dropped files. */
function installPreload(modules: { contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>; ipcRenderer: RendererIpc; webUtils: Pick<WebUtils, 'getPathForFile'> }, globals: PreloadGlobals): void {
  const bridge = createDesktopBridge(modules.ipcRenderer, operationNamesFrom(globals.argv), modules.webUtils);
  modules.contextBridge.exposeInMainWorld('repdesk', bridge);
  forwardDroppedFiles(globals.window, modules.ipcRenderer, modules.webUtils);
}

installPreload(electron, { argv: process.argv, window: (globalThis as unknown as { window: PreloadGlobals['window'] }).window });

export = { createDesktopBridge, operationNamesFrom, forwardDroppedFiles, installPreload };
