/**
 * The desktop app's main process: one instance, one main window, the menu, native dialogs,
 * dropped files, job notifications and key custody around the same core the CLI and the HTTP
 * server use. Every rule that can be is a pure function in a sibling module, tested without
 * Electron; this file only wires them to Electron's objects.
 */
import { BrowserWindow, Menu, Notification, app, dialog, ipcMain, nativeTheme, safeStorage, screen, session, shell } from 'electron';
import type { IpcMainEvent } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATION_NAMES } from '../../shared/contract.js';
import type { ChangeEvent } from '../../shared/remote.js';
import { DEFAULT_DATABASE_FILE, LOCATION_FILE, databaseLocationProblem, formatLocationFile, resolveDatabaseLocation } from '../core/database-location.js';
import { defaultDataFolder, readOptionalText } from '../core/paths.js';
import { backupFileName, saveBackup } from './backup.js';
import { registerConnectionIpc, registerFileUploads, registerIpc } from './ipc.js';
import { openEmbeddedSide } from './embedded.js';
import { UploadStore } from '../core/io/uploads.js';
import { CHANGE_CHANNEL, CONNECTION_CHANNEL, DROPPED_FILES_CHANNEL, INTENT_CHANNEL, JOB_PROGRESS_CHANNEL, type ImportTarget, type Intent } from '../../shared/desktop.js';
import { CONNECTION_FILE, formatConnectionFile, parseConnectionFile } from './connection-file.js';
import { DesktopConnection, type EmbeddedSide } from './connection.js';
import { importDialogOptions, importsForDroppedFiles, intentsForImports, isPathList, sectionOfUrl, type ImportRequest } from './intents.js';
import { watchJobs, jobNotification } from './jobs.js';
import { generateSigningKey, hasSigningKey, importSigningKeyFile, publicKeyText, signingKeyId, signingKeyProvider, type KeyVault } from './keys.js';
import { copyStreamToLog, createRotatingLog, createShellLogger } from './log.js';
import { buildMenuTemplate, parseTheme, type Theme } from './menu.js';
import { isTrustedSender, lockDownSession, lockDownWebContents } from './security.js';
import { appUrl, formatWindowState, mainWindowOptions, parseWindowState } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD_PATH = join(here, 'preload', 'preload.js');
const RENDERER_INDEX_PATH = join(here, '..', '..', 'renderer', 'index.html');
const APP_URL = appUrl(RENDERER_INDEX_PATH);
const WINDOW_STATE_FILE = 'window-state.json';
const THEME_FILE = 'theme.txt';
const JOB_POLL_MILLISECONDS = 250;
/** Whose uploads the desktop's calls use: the files the shell registered for this app. */

// The CLI and the desktop app open the same database: userData is the core's data folder.
app.setPath('userData', defaultDataFolder());
// Logs under userData/logs on Linux and Windows, ~/Library/Logs/<name> on macOS: recomputed after the line above.
app.setAppLogsPath();
app.enableSandbox();

const externalLinks = { dialog, shell };
let mainWindow: BrowserWindow | null = null;
let connection: DesktopConnection | null = null;
let stopWatchingJobs: (() => void) | null = null;
let databasePath = '';
const filesOpenedBeforeStart: string[] = [];

function userDataFile(name: string): string {
  return join(app.getPath('userData'), name);
}

function showError(title: string, error: unknown): void {
  dialog.showErrorBox(title, error instanceof Error ? error.message : String(error));
}

function rememberWindowState(window: BrowserWindow): void {
  writeFileSync(userDataFile(WINDOW_STATE_FILE), formatWindowState(window.getNormalBounds(), window.isMaximized()));
}

function createMainWindow(): BrowserWindow {
  const state = parseWindowState(
    readOptionalText(userDataFile(WINDOW_STATE_FILE)),
    screen.getAllDisplays().map((display) => display.workArea),
  );
  // electronegativity: AUXCLICK_JS_CHECK, CONTEXT_ISOLATION_JS_CHECK, SANDBOX_JS_CHECK: it reads only literal
  // options; these come from mainWindowOptions (window.ts: contextIsolation, sandbox, Auxclick disabled), and
  // test/unit/electron/window.test.ts asserts each flag and that this is the only window made.
  const window = new BrowserWindow(mainWindowOptions(PRELOAD_PATH, state, OPERATION_NAMES));
  window.once('ready-to-show', () => {
    if (state.isMaximized) window.maximize();
    window.show();
  });
  window.on('close', () => rememberWindowState(window));
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadFile(RENDERER_INDEX_PATH);
  mainWindow = window;
  return window;
}

function focusMainWindow(): BrowserWindow {
  const window = mainWindow ?? createMainWindow();
  if (window.isMinimized()) window.restore();
  window.focus();
  return window;
}

function sendIntent(intent: Intent): void {
  const window = focusMainWindow();
  if (window.webContents.isLoading()) window.webContents.once('did-finish-load', () => window.webContents.send(INTENT_CHANNEL, intent));
  else window.webContents.send(INTENT_CHANNEL, intent);
}

/**
 * A file the person chose or dropped becomes an upload: registered with this computer's core, or
 * streamed to the team server. The page gets its receipt, never its path.
 */
function registerFile(path: string) {
  if (!connection) throw new Error('RepDesk is not started yet');
  return connection.registerFile(path);
}

/** Send to the page, if it is there. */
function sendToPage(channel: string, payload: unknown): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, payload);
}

/** Register the files of each import and send its intent to the page; files that cannot be read are named. */
async function sendImports(requests: readonly ImportRequest[]): Promise<void> {
  const { intents, refused } = await intentsForImports(requests, registerFile);
  for (const intent of intents) sendIntent(intent);
  if (refused.length > 0) dialog.showErrorBox('Files not imported', refused.join('\n'));
}

async function chooseImport(target: ImportTarget): Promise<void> {
  const window = focusMainWindow();
  const chosen = await dialog.showOpenDialog(window, importDialogOptions(target));
  if (!chosen.canceled && chosen.filePaths.length > 0) await sendImports([{ target, paths: chosen.filePaths }]);
}

function routeFiles(paths: readonly string[], pageUrl: string): void {
  const { imports, refused } = importsForDroppedFiles(paths, sectionOfUrl(pageUrl));
  void sendImports(imports);
  if (refused.length > 0) {
    dialog.showErrorBox('Files not imported', `RepDesk imports .eml and .mbox samples, .csv and .txt tables and .json nomination bundles. Not imported:\n${refused.join('\n')}`);
  }
}

function keyVault(): KeyVault {
  return { safeStorage, folder: app.getPath('userData'), platform: process.platform };
}

async function exportPublicKey(): Promise<void> {
  const window = focusMainWindow();
  try {
    const text = publicKeyText(keyVault());
    const chosen = await dialog.showSaveDialog(window, { title: 'Save the public key', defaultPath: 'repdesk.pub', filters: [{ name: 'minisign public key', extensions: ['pub'] }] });
    if (!chosen.canceled && chosen.filePath) writeFileSync(chosen.filePath, text, { mode: 0o644 });
  } catch (error) {
    showError('The public key could not be saved', error);
  }
}

async function importSigningKey(): Promise<void> {
  const window = focusMainWindow();
  const chosen = await dialog.showOpenDialog(window, {
    title: 'Import a minisign secret key',
    filters: [{ name: 'minisign secret key', extensions: ['key'] }, { name: 'All files', extensions: ['*'] }],
    properties: ['openFile'],
  });
  if (chosen.canceled || chosen.filePaths.length === 0) return;
  try {
    const keyId = importSigningKeyFile(keyVault(), chosen.filePaths[0], process.env.REPDESK_KEY_PASSPHRASE ?? null);
    await dialog.showMessageBox(window, {
      type: 'info',
      message: `Signing key ${keyId} imported`,
      detail: 'It is kept encrypted by the operating system’s keychain. You may now delete the key file, after keeping a backup offline.',
    });
  } catch (error) {
    showError('The signing key was not imported', error);
  }
}

async function generateKey(): Promise<void> {
  const window = focusMainWindow();
  const vault = keyVault();
  if (hasSigningKey(vault)) {
    const answer = await dialog.showMessageBox(window, {
      type: 'warning',
      message: 'Replace the stored signing key?',
      detail: 'DNS hosts will refuse snapshots signed with the new key until they trust its public key.',
      buttons: ['Replace', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
    });
    if (answer.response !== 0) return;
  }
  try {
    const keyId = generateSigningKey(vault);
    await dialog.showMessageBox(window, { type: 'info', message: `Signing key ${keyId} generated`, detail: 'Save its public key for the DNS hosts next.' });
    await exportPublicKey();
  } catch (error) {
    showError('No signing key was generated', error);
  }
}

function closeConnection(): void {
  stopWatchingJobs?.();
  stopWatchingJobs = null;
  void connection?.close();
  connection = null;
}

/**
 * File > Database location…: open an existing database, start a new one, or go back to the
 * default; the choice goes to location.json, and the app restarts on it (the core opens its
 * database once, at start).
 */
async function chooseDatabaseLocation(): Promise<void> {
  const window = focusMainWindow();
  const state = connection?.state();
  if (state?.kind === 'team') {
    await dialog.showMessageBox(window, {
      type: 'info',
      message: `RepDesk works with the team server ${state.server}`,
      detail: 'The records are the server’s. The database location is for working on this computer: switch to it first (Switch… in the window’s header).',
    });
    return;
  }
  const running = (await connection?.listJobs())?.find((job) => job.state === 'running');
  if (running) {
    dialog.showErrorBox('The database location cannot change now', `${jobNotification(running).title} (job #${running.id}). RepDesk restarts to open another database: wait until the job has finished, or cancel it.`);
    return;
  }
  const defaultPath = userDataFile(DEFAULT_DATABASE_FILE);
  const overridden = process.env.REPDESK_DB ? `\n\nREPDESK_DB is set (${process.env.REPDESK_DB}): it wins over this choice while it is set.` : '';
  const answer = await dialog.showMessageBox(window, {
    type: 'question',
    title: 'Database location',
    message: 'Which database should RepDesk open?',
    detail: `Now: ${databasePath}\nDefault: ${defaultPath}${overridden}`,
    buttons: ['Open an existing database…', 'Create a new database…', 'Use the default', 'Cancel'],
    defaultId: 0,
    cancelId: 3,
  });
  let chosen: string | null = null;
  if (answer.response === 0) {
    const opened = await dialog.showOpenDialog(window, {
      title: 'Open a RepDesk database',
      defaultPath: dirname(databasePath),
      filters: [{ name: 'RepDesk database', extensions: ['sqlite', 'db'] }, { name: 'All files', extensions: ['*'] }],
      properties: ['openFile'],
    });
    if (opened.canceled || opened.filePaths.length === 0) return;
    chosen = opened.filePaths[0];
  } else if (answer.response === 1) {
    const saved = await dialog.showSaveDialog(window, {
      title: 'Create a RepDesk database',
      defaultPath: join(dirname(databasePath), 'repdesk.sqlite'),
      filters: [{ name: 'RepDesk database', extensions: ['sqlite'] }],
      properties: ['createDirectory'],
    });
    if (saved.canceled || !saved.filePath) return;
    chosen = saved.filePath;
  } else if (answer.response !== 2) {
    return;
  }
  try {
    if (chosen === null) {
      rmSync(userDataFile(LOCATION_FILE), { force: true });
    } else {
      const problem = databaseLocationProblem(chosen);
      if (problem !== null) throw new Error(problem);
      writeFileSync(userDataFile(LOCATION_FILE), formatLocationFile(chosen));
    }
  } catch (error) {
    showError('The database location was not changed', error);
    return;
  }
  await dialog.showMessageBox(window, { type: 'info', message: 'RepDesk restarts to open the database', detail: chosen ?? defaultPath, buttons: ['Restart'] });
  // app.exit skips the window's close event and will-quit: remember the window and close the database first.
  if (!window.isDestroyed()) rememberWindowState(window);
  closeConnection();
  app.relaunch();
  app.exit(0);
}

/** Where the records are, for the About box. */
function describeConnection(): string {
  const state = connection?.state();
  if (state?.kind === 'team') return `Team server: ${state.server}${state.person ? ` (${state.person})` : ''}`;
  return state?.kind === 'embedded' ? `Database: ${state.database}` : 'Not chosen yet: this computer or a team server';
}

function setTheme(theme: Theme): void {
  nativeTheme.themeSource = theme;
  writeFileSync(userDataFile(THEME_FILE), `${theme}\n`);
}

function installMenu(theme: Theme): void {
  const template = buildMenuTemplate({
    isPackaged: app.isPackaged,
    platform: process.platform,
    theme,
    actions: {
      chooseImport: (target) => void chooseImport(target),
      navigate: (section) => sendIntent({ kind: 'navigate', section }),
      importSigningKey: () => void importSigningKey(),
      generateSigningKey: () => void generateKey(),
      exportPublicKey: () => void exportPublicKey(),
      chooseDatabaseLocation: () => void chooseDatabaseLocation(),
      setTheme,
      showAbout: () =>
        void dialog.showMessageBox(focusMainWindow(), {
          type: 'info',
          title: 'About RepDesk',
          message: `RepDesk ${app.getVersion()}`,
          detail: `Electron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}\nData: ${app.getPath('userData')}\n${describeConnection()}`,
        }),
      openDataFolder: () => void shell.openPath(app.getPath('userData')),
      openLogsFolder: () => void shell.openPath(app.getPath('logs')),
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function isFromMainWindow(event: Parameters<typeof isTrustedSender>[0]): boolean {
  return mainWindow !== null && !mainWindow.isDestroyed() && isTrustedSender(event, { webContentsId: mainWindow.webContents.id, appUrl: APP_URL });
}

async function start(): Promise<void> {
  mkdirSync(app.getPath('userData'), { recursive: true });
  const log = createRotatingLog({ folder: app.getPath('logs'), name: 'main', maxBytes: 5 * 1024 * 1024, keep: 5 });
  copyStreamToLog(process.stderr, log);
  const shellLog = createShellLogger(log, 'desktop');
  shellLog.info(`RepDesk ${app.getVersion()} starting, data in ${app.getPath('userData')}`);

  lockDownSession(session.defaultSession);
  const theme = parseTheme(readOptionalText(userDataFile(THEME_FILE)));
  nativeTheme.themeSource = theme;

  const openEmbedded = async (onChange: (change: ChangeEvent) => void): Promise<EmbeddedSide> => {
    const location = resolveDatabaseLocation({
      environmentPath: process.env.REPDESK_DB,
      dataFolder: app.getPath('userData'),
      locationText: readOptionalText(userDataFile(LOCATION_FILE)),
    });
    databasePath = location.path;
    shellLog.info(`database ${databasePath} (${location.source})`);
    if (location.problem !== null) {
      shellLog.warn(location.problem);
      dialog.showErrorBox('The chosen database cannot be opened', `${location.problem}\n\nRepDesk opens the default database, ${location.path}. File > Database location… chooses another.`);
    }
    // Files the person chooses or drops become uploads in a private folder (paths never reach the page).
    return openEmbeddedSide({
      databasePath,
      actor: process.env.REPDESK_ACTOR ?? userInfo().username,
      uploads: UploadStore.open(),
      signingKey: signingKeyProvider(keyVault()),
      snapshotFolder: join(app.getPath('userData'), 'snapshots'),
      onChange,
    });
  };

  // This computer's database, or a team server: as chosen at the first start (the page asks when nothing is chosen yet).
  const opened = await DesktopConnection.start({
    vault: keyVault(),
    userAgent: `RepDesk/${app.getVersion()} (desktop)`,
    readChoice: () => parseConnectionFile(readOptionalText(userDataFile(CONNECTION_FILE))),
    writeChoice: (choice) => writeFileSync(userDataFile(CONNECTION_FILE), formatConnectionFile(choice), { mode: 0o600 }),
    openEmbedded,
    onState: (state) => {
      shellLog.info(`connection: ${state.kind}${state.kind === 'team' ? ` ${state.server} ${state.status}${state.problem ? ` (${state.problem})` : ''}` : ''}`);
      sendToPage(CONNECTION_CHANNEL, state);
    },
    onChange: (change) => sendToPage(CHANGE_CHANNEL, change),
  });
  connection = opened;
  registerIpc(ipcMain, { dispatch: (operation, payload) => opened.dispatch(operation, payload), isTrustedSender: isFromMainWindow });
  registerConnectionIpc(ipcMain, {
    connection: {
      state: () => opened.state(),
      choose: (request) => opened.choose(request),
      refresh: () => opened.refresh(),
      // What is about to be signed is shown in a native dialog the page cannot answer for the person.
      signPrepared: (serial) =>
        opened.signPrepared(serial, async (confirmation) => {
          const answer = await dialog.showMessageBox(focusMainWindow(), { type: 'question', ...confirmation });
          return answer.response === 0;
        }),
      signingKeyId: () => signingKeyId(keyVault()),
      saveBackup: () =>
        saveBackup(opened.backupSource(), async () => {
          const chosen = await dialog.showSaveDialog(focusMainWindow(), { title: 'Save a backup of the database', defaultPath: backupFileName(new Date()), filters: [{ name: 'SQLite database', extensions: ['sqlite'] }] });
          return chosen.canceled || !chosen.filePath ? null : chosen.filePath;
        }),
    },
    isTrustedSender: isFromMainWindow,
  });
  registerFileUploads(ipcMain, { register: registerFile, isTrustedSender: isFromMainWindow });
  ipcMain.on(DROPPED_FILES_CHANNEL, (event: IpcMainEvent, paths: unknown) => {
    if (!isFromMainWindow(event) || !isPathList(paths)) {
      shellLog.warn('dropped-files message refused: untrusted sender or malformed paths');
      return;
    }
    routeFiles(paths, event.senderFrame?.url ?? '');
  });

  stopWatchingJobs = watchJobs({
    list: () => opened.listJobs(),
    intervalMilliseconds: JOB_POLL_MILLISECONDS,
    onProgress: (job) => sendToPage(JOB_PROGRESS_CHANNEL, job),
    onFinished: (job) => {
      if (!Notification.isSupported()) return;
      const notification = new Notification(jobNotification(job));
      notification.on('click', () => focusMainWindow());
      notification.show();
    },
  });

  installMenu(theme);
  createMainWindow();
  if (filesOpenedBeforeStart.length > 0) routeFiles(filesOpenedBeforeStart.splice(0), APP_URL);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    if (!app.isReady()) return;
    focusMainWindow();
    const files = argv.slice(1).filter((value) => !value.startsWith('-') && /\.(eml|mbox|csv|txt|json)$/i.test(value));
    if (files.length > 0) routeFiles(files, mainWindow?.webContents.getURL() ?? '');
  });
  // Every web contents, including any made later, gets the navigation rules before it loads anything.
  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents, externalLinks));
  // macOS: a file dropped on the Dock icon or opened with the app, possibly before it is ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (connection) routeFiles([path], mainWindow?.webContents.getURL() ?? '');
    else filesOpenedBeforeStart.push(path);
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) createMainWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', closeConnection);
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      showError('RepDesk could not start', error);
      app.exit(1);
    });
}
