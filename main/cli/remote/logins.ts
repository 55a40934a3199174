/**
 * Which team server the command line talks to, and the sessions it keeps: one file per server
 * in the user's config folder (`$XDG_CONFIG_HOME/repdesk/logins/`, else `~/.config/repdesk/`),
 * mode 0600 in a 0700 folder, holding the server's address, the person, the bearer token and the
 * CA file trusted for it. A file others could read is refused, not used. Loaded at every start
 * (the server is chosen before the command runs), so it uses nothing but node:fs.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseServerAddress } from '../../client/server-address.js';
import { CommandError, UsageError, type RemoteTarget, type Values } from '../command.js';

/** A saved login, as its file holds it. */
export interface SavedLogin {
  readonly server: string;
  readonly person: string;
  readonly token: string;
  readonly ca: string | null;
  readonly savedAt: string;
}

/** `$XDG_CONFIG_HOME/repdesk`, else `~/.config/repdesk`. */
export function configFolder(): string {
  const base = process.env.XDG_CONFIG_HOME && process.env.XDG_CONFIG_HOME !== '' ? process.env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'repdesk');
}

function loginsFolder(): string {
  return join(configFolder(), 'logins');
}

/** The file of a server's login: named by a hash of its address (addresses hold characters file names should not). */
export function loginFile(server: string): string {
  return join(loginsFolder(), `${createHash('sha256').update(server).digest('hex').slice(0, 32)}.json`);
}

/** A server address as the CLI keeps it: its origin (https; plain http only to this computer, where a token never crosses a network). */
export function normaliseServer(text: string, from: string): string {
  const parsed = parseServerAddress(text);
  if (parsed.problem !== null) throw new UsageError(`${from}: ${parsed.problem}`);
  return parsed.origin;
}

/** Read a login file; refused when others may read it (the token would not be private). */
export function readLogin(server: string): SavedLogin | null {
  const path = loginFile(server);
  if (!existsSync(path)) return null;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new CommandError(`${path} (the login to ${server}) may be read by others (mode ${mode.toString(8)}): it is not used; remove it and log in again`);
  }
  try {
    const login = JSON.parse(readFileSync(path, 'utf8')) as SavedLogin;
    if (typeof login.token !== 'string' || login.server !== server) throw new Error('not a login');
    return login;
  } catch {
    throw new CommandError(`${path} (the login to ${server}) cannot be read: remove it and log in again`);
  }
}

/** The most recently saved login (the default server once someone logged in), or null. */
function newestLogin(): SavedLogin | null {
  const folder = loginsFolder();
  if (!existsSync(folder)) return null;
  let newest: { login: SavedLogin; at: number } | null = null;
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.json')) continue;
    try {
      const login = JSON.parse(readFileSync(join(folder, name), 'utf8')) as SavedLogin;
      const at = Date.parse(login.savedAt);
      if (typeof login.server === 'string' && Number.isFinite(at) && (newest === null || at > newest.at)) newest = { login, at };
    } catch {
      // an unreadable file is named when its server is used
    }
  }
  return newest && readLogin(newest.login.server);
}

/** Save a login (0600, written whole then renamed into place). */
export function saveLogin(login: SavedLogin): string {
  const folder = loginsFolder();
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const path = loginFile(login.server);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
  return path;
}

/** Remove a server's login file; whether there was one. */
export function removeLogin(server: string): boolean {
  const path = loginFile(server);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  return true;
}

/**
 * The server this run talks to: `--server URL` or REPDESK_SERVER, else (unless a database is
 * named with `--db` / REPDESK_DB) the most recent saved login; null: the database on this
 * computer, as always. `--ca FILE` / REPDESK_CA trust a certificate for it.
 */
export function selectServer(values: Values): RemoteTarget | null {
  const flag = typeof values.server === 'string' ? values.server : null;
  const fromEnvironment = process.env.REPDESK_SERVER && process.env.REPDESK_SERVER !== '' ? process.env.REPDESK_SERVER : null;
  const caText = typeof values.ca === 'string' ? values.ca : process.env.REPDESK_CA && process.env.REPDESK_CA !== '' ? process.env.REPDESK_CA : null;
  if (flag !== null && typeof values.db === 'string') throw new UsageError('--server and --db name two places to work on: give one');
  let chosen: { server: string; chosenBy: RemoteTarget['chosenBy'] } | null = null;
  if (flag !== null) chosen = { server: normaliseServer(flag, '--server'), chosenBy: '--server' };
  else if (fromEnvironment !== null && typeof values.db !== 'string') chosen = { server: normaliseServer(fromEnvironment, 'REPDESK_SERVER'), chosenBy: 'REPDESK_SERVER' };
  if (chosen === null) {
    if (typeof values.db === 'string' || (process.env.REPDESK_DB ?? '') !== '') {
      if (caText !== null && typeof values.ca === 'string') throw new UsageError('--ca is for a server (--server URL): a database on this computer needs none');
      return null;
    }
    const saved = newestLogin();
    if (saved === null) {
      if (typeof values.ca === 'string') throw new UsageError('--ca is for a server: give --server URL too');
      return null;
    }
    return { server: saved.server, ca: caText === null ? saved.ca : resolve(caText), token: saved.token, person: saved.person, chosenBy: 'a saved login' };
  }
  const saved = readLogin(chosen.server);
  return { ...chosen, ca: caText === null ? (saved?.ca ?? null) : resolve(caText), token: saved?.token ?? null, person: saved?.person ?? null };
}
