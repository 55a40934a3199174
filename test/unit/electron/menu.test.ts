/** The application menu template, as data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate, parseTheme, type MenuActions, type Theme } from '../../../main/electron/menu.js';

function recordingActions() {
  const calls: string[] = [];
  const actions: MenuActions = {
    chooseImport: (target) => calls.push(`import:${target}`),
    navigate: (section) => calls.push(`navigate:${section}`),
    importSigningKey: () => calls.push('import-key'),
    generateSigningKey: () => calls.push('generate-key'),
    exportPublicKey: () => calls.push('export-public-key'),
    chooseDatabaseLocation: () => calls.push('database-location'),
    setTheme: (theme: Theme) => calls.push(`theme:${theme}`),
    showAbout: () => calls.push('about'),
    openDataFolder: () => calls.push('data-folder'),
    openLogsFolder: () => calls.push('logs-folder'),
  };
  return { calls, actions };
}

function flatten(items: readonly MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function itemById(items: readonly MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  const item = flatten(items).find((candidate) => candidate.id === id);
  assert.ok(item, `no menu item ${id}`);
  return item;
}

function click(item: MenuItemConstructorOptions): void {
  assert.ok(item.click, `${item.id} has no click`);
  (item.click as () => void)();
}

test('File, Edit, View, Window and Help, in that order (macOS adds the app menu first)', () => {
  const { actions } = recordingActions();
  assert.deepEqual(buildMenuTemplate({ isPackaged: true, platform: 'linux', theme: 'system', actions }).map((item) => item.id), ['file', 'edit', 'view', 'window', 'help']);
  assert.deepEqual(buildMenuTemplate({ isPackaged: true, platform: 'darwin', theme: 'system', actions }).map((item) => item.id), ['app', 'file', 'edit', 'view', 'window', 'help']);
});

test('the File imports open the chooser of their kind; Publish and Settings send the user there; the key and database items call theirs', () => {
  const { calls, actions } = recordingActions();
  const template = buildMenuTemplate({ isPackaged: true, platform: 'linux', theme: 'system', actions });
  for (const id of ['import-samples', 'import-dul', 'import-nominations', 'import-listings', 'publish', 'settings', 'import-signing-key', 'generate-signing-key', 'export-public-key', 'database-location']) click(itemById(template, id));
  assert.deepEqual(calls, ['import:samples', 'import:dul', 'import:nominations', 'import:listings', 'navigate:publish', 'navigate:settings', 'import-key', 'generate-key', 'export-public-key', 'database-location']);
});

test('View has zoom and the theme, with the current theme checked', () => {
  const { calls, actions } = recordingActions();
  const template = buildMenuTemplate({ isPackaged: true, platform: 'linux', theme: 'dark', actions });
  assert.equal(itemById(template, 'zoom-in').role, 'zoomIn');
  assert.equal(itemById(template, 'zoom-out').role, 'zoomOut');
  assert.equal(itemById(template, 'zoom-reset').role, 'resetZoom');
  assert.deepEqual(['theme-system', 'theme-light', 'theme-dark'].map((id) => itemById(template, id).checked), [false, false, true]);
  click(itemById(template, 'theme-light'));
  assert.deepEqual(calls, ['theme:light']);
});

test('developer tools and reload are in development builds only', () => {
  const { actions } = recordingActions();
  const roles = (isPackaged: boolean) => flatten(buildMenuTemplate({ isPackaged, platform: 'win32', theme: 'system', actions })).map((item) => item.role);
  assert.ok(!roles(true).includes('toggleDevTools'));
  assert.ok(!roles(true).includes('reload') && !roles(true).includes('forceReload'));
  assert.ok(roles(false).includes('toggleDevTools'));
});

test('Help has about, the data folder and the logs', () => {
  const { calls, actions } = recordingActions();
  const template = buildMenuTemplate({ isPackaged: true, platform: 'linux', theme: 'system', actions });
  for (const id of ['about', 'open-data-folder', 'open-logs']) click(itemById(template, id));
  assert.deepEqual(calls, ['about', 'data-folder', 'logs-folder']);
});

test('the remembered theme is read back, anything else follows the system', () => {
  assert.equal(parseTheme('dark\n'), 'dark');
  assert.equal(parseTheme('light'), 'light');
  assert.equal(parseTheme('purple'), 'system');
  assert.equal(parseTheme(null), 'system');
});
