/**
 * Where the database file is: `REPDESK_DB`, else the path in `location.json` in the data folder
 * (the desktop's File > Database location… writes it), else `repdesk.sqlite` in the data folder.
 * The choice cannot be a setting: settings live inside the database it locates.
 */
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** The file in the data folder that names the database's location. */
export const LOCATION_FILE = 'location.json';
/** The database file's name in the data folder when nothing points elsewhere. */
export const DEFAULT_DATABASE_FILE = 'repdesk.sqlite';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** What the checks need of the file system; tests substitute it. */
export interface LocationFileSystem {
  /** 'file', 'folder', 'other' (a device, a socket...), or null when nothing is there. */
  kindOf(path: string): 'file' | 'folder' | 'other' | null;
  isWritableFolder(path: string): boolean;
  /** Up to the first `length` bytes of a file. */
  readStart(path: string, length: number): Buffer;
}

/** The real file system. */
export const NODE_FILE_SYSTEM: LocationFileSystem = {
  kindOf(path) {
    try {
      const stats = statSync(path);
      return stats.isFile() ? 'file' : stats.isDirectory() ? 'folder' : 'other';
    } catch {
      return null;
    }
  },
  isWritableFolder(path) {
    try {
      accessSync(path, constants.W_OK | constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  readStart(path, length) {
    const descriptor = openSync(path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const read = readSync(descriptor, buffer, 0, length, 0);
      return buffer.subarray(0, read);
    } finally {
      closeSync(descriptor);
    }
  },
};

/**
 * Why a path cannot hold the database, or null when it can: it must be absolute, in an existing
 * folder the user may write to (SQLite writes its journal beside the file), and be either
 * nothing yet (a new database) or an SQLite database, never a folder or another kind of file.
 */
export function databaseLocationProblem(path: string, fileSystem: LocationFileSystem = NODE_FILE_SYSTEM): string | null {
  if (!isAbsolute(path)) return `${path} is not an absolute path`;
  const folder = dirname(path);
  if (fileSystem.kindOf(folder) !== 'folder') return `the folder ${folder} does not exist`;
  if (!fileSystem.isWritableFolder(folder)) return `the folder ${folder} is not writable`;
  const kind = fileSystem.kindOf(path);
  if (kind === null) return null;
  if (kind === 'folder') return `${path} is a folder; choose a database file in it, or a new file name`;
  if (kind !== 'file') return `${path} is not a regular file`;
  let start: Buffer;
  try {
    start = fileSystem.readStart(path, SQLITE_HEADER.length);
  } catch (error) {
    return `${path} cannot be read (${error instanceof Error ? error.message : String(error)})`;
  }
  // An empty file is what SQLite itself makes of a new database before its first write.
  if (start.length === 0 || start.equals(SQLITE_HEADER)) return null;
  return `${path} is not an SQLite database`;
}

/** The location file's text naming a database path. */
export function formatLocationFile(databasePath: string): string {
  return `${JSON.stringify({ databasePath }, null, 2)}\n`;
}

/** The database path a location file's text names, or why it names none. */
export function parseLocationFile(text: string): { path: string } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `${LOCATION_FILE} is not JSON` };
  }
  const path = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).databasePath : undefined;
  if (typeof path !== 'string' || path.length === 0) return { problem: `${LOCATION_FILE} has no "databasePath" string` };
  return { path };
}

export interface DatabaseLocation {
  readonly path: string;
  readonly source: 'REPDESK_DB' | 'location file' | 'default';
  /** Why the location file was not followed (the default is used then); null when nothing was wrong. */
  readonly problem: string | null;
}

export interface DatabaseLocationInputs {
  /** REPDESK_DB's value, if set. */
  readonly environmentPath: string | undefined;
  readonly dataFolder: string;
  /** The location file's text; null when there is none. */
  readonly locationText: string | null;
  readonly fileSystem?: LocationFileSystem;
}

/** Where the database is, and why: REPDESK_DB wins, then a usable location file, then the default. */
export function resolveDatabaseLocation(inputs: DatabaseLocationInputs): DatabaseLocation {
  if (inputs.environmentPath) return { path: inputs.environmentPath, source: 'REPDESK_DB', problem: null };
  const fallback = join(inputs.dataFolder, DEFAULT_DATABASE_FILE);
  if (inputs.locationText === null) return { path: fallback, source: 'default', problem: null };
  const parsed = parseLocationFile(inputs.locationText);
  if ('problem' in parsed) return { path: fallback, source: 'default', problem: parsed.problem };
  const problem = databaseLocationProblem(parsed.path, inputs.fileSystem);
  if (problem !== null) return { path: fallback, source: 'default', problem: `${LOCATION_FILE} names an unusable database: ${problem}` };
  return { path: parsed.path, source: 'location file', problem: null };
}
