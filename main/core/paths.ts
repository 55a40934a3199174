/**
 * Where RepDesk keeps its data by default: the same folder Electron's `userData` is for an app
 * named RepDesk, so the CLI and the desktop app open the same database.
 */
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export function defaultDataFolder(): string {
  const home = homedir();
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'RepDesk');
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'RepDesk');
    default:
      return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'RepDesk');
  }
}

/** The database file: REPDESK_DB, else repdesk.sqlite in the data folder. */
export function defaultDatabasePath(): string {
  return process.env.REPDESK_DB ?? join(defaultDataFolder(), 'repdesk.sqlite');
}
