/**
 * The application menu as a template (data): File (imports, publish, the signing key, the
 * database location), Edit, View (zoom, theme; developer tools only in development), Help
 * (about, data folder, logs).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { ImportTarget, IntentSection } from '../../shared/desktop.js';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** The remembered theme from its file's text ('system' when absent or unreadable). */
export function parseTheme(text: string | null): Theme {
  const value = text?.trim();
  return THEMES.find((theme) => theme === value) ?? 'system';
}

/** What the menu's items do; main.ts binds them to dialogs, the window and the shell. */
export interface MenuActions {
  chooseImport(target: ImportTarget): void;
  navigate(section: IntentSection): void;
  importSigningKey(): void;
  generateSigningKey(): void;
  exportPublicKey(): void;
  chooseDatabaseLocation(): void;
  setTheme(theme: Theme): void;
  showAbout(): void;
  openDataFolder(): void;
  openLogsFolder(): void;
}

export interface MenuOptions {
  readonly isPackaged: boolean;
  readonly platform: NodeJS.Platform;
  readonly theme: Theme;
  readonly actions: MenuActions;
}

/** The menu template; item ids name what each item does. */
export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { actions } = options;
  const isMac = options.platform === 'darwin';
  const themeItem = (theme: Theme, label: string): MenuItemConstructorOptions => ({
    id: `theme-${theme}`,
    label,
    type: 'radio',
    checked: options.theme === theme,
    click: () => actions.setTheme(theme),
  });
  const developerItems: MenuItemConstructorOptions[] = options.isPackaged
    ? []
    : [{ type: 'separator' }, { id: 'reload', role: 'reload' }, { id: 'toggle-devtools', role: 'toggleDevTools' }];

  const template: MenuItemConstructorOptions[] = [
    {
      id: 'file',
      label: '&File',
      submenu: [
        { id: 'import-samples', label: 'Import spam samples…', accelerator: 'CmdOrCtrl+Shift+M', click: () => actions.chooseImport('samples') },
        { id: 'import-dul', label: 'Import DUL file…', accelerator: 'CmdOrCtrl+Shift+D', click: () => actions.chooseImport('dul') },
        { id: 'import-nominations', label: 'Import nomination bundle…', accelerator: 'CmdOrCtrl+Shift+N', click: () => actions.chooseImport('nominations') },
        { id: 'import-listings', label: 'Import listings…', click: () => actions.chooseImport('listings') },
        { type: 'separator' },
        { id: 'publish', label: 'Publish…', accelerator: 'CmdOrCtrl+Shift+P', click: () => actions.navigate('publish') },
        { type: 'separator' },
        { id: 'import-signing-key', label: 'Import signing key…', click: () => actions.importSigningKey() },
        { id: 'generate-signing-key', label: 'Generate signing key…', click: () => actions.generateSigningKey() },
        { id: 'export-public-key', label: 'Save public key…', click: () => actions.exportPublicKey() },
        { id: 'settings', label: 'Settings', accelerator: 'CmdOrCtrl+,', click: () => actions.navigate('settings') },
        { id: 'database-location', label: 'Database location…', click: () => actions.chooseDatabaseLocation() },
        { type: 'separator' },
        isMac ? { id: 'close', role: 'close' } : { id: 'quit', role: 'quit' },
      ],
    },
    { id: 'edit', role: 'editMenu' },
    {
      id: 'view',
      label: '&View',
      submenu: [
        { id: 'zoom-reset', role: 'resetZoom' },
        { id: 'zoom-in', role: 'zoomIn' },
        { id: 'zoom-out', role: 'zoomOut' },
        { type: 'separator' },
        { id: 'theme', label: 'Theme', submenu: [themeItem('system', 'Follow the system'), themeItem('light', 'Light'), themeItem('dark', 'Dark')] },
        { type: 'separator' },
        { id: 'fullscreen', role: 'togglefullscreen' },
        ...developerItems,
      ],
    },
    { id: 'window', role: 'windowMenu' },
    {
      id: 'help',
      role: 'help',
      submenu: [
        { id: 'about', label: 'About RepDesk', click: () => actions.showAbout() },
        { id: 'open-data-folder', label: 'Open the data folder', click: () => actions.openDataFolder() },
        { id: 'open-logs', label: 'Open the logs folder', click: () => actions.openLogsFolder() },
      ],
    },
  ];
  return isMac ? [{ id: 'app', role: 'appMenu' }, ...template] : template;
}
