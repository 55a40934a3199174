/**
 * Where RepDesk keeps its data by default: the same folder Electron's `userData` is for an app
 * named RepDesk, so the CLI and the desktop app open the same database.
 */
import { readFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { LOCATION_FILE, resolveDatabaseLocation } from './database-location.js';

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

/** The text of a file, or null when it cannot be read (absent). */
export function readOptionalText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The database file: REPDESK_DB, else the one location.json in the data folder names (set by the
 * desktop app), else repdesk.sqlite in the data folder. An unusable location.json is an error
 * here: the CLI must not quietly open another database than the desktop app.
 */
export function defaultDatabasePath(): string {
  const dataFolder = defaultDataFolder();
  const location = resolveDatabaseLocation({ environmentPath: process.env.REPDESK_DB, dataFolder, locationText: readOptionalText(join(dataFolder, LOCATION_FILE)) });
  if (location.problem !== null) throw new Error(`${location.problem} (in ${dataFolder}; fix or delete that file, or set REPDESK_DB)`);
  return location.path;
}
