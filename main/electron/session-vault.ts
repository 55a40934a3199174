/**
 * Custody of the team-server session token in the desktop app: kept in the data folder
 * encrypted with Electron's safeStorage, bound to the server it was given by (a token is never
 * sent to another server), read by the main process only, never sent to the page. Where
 * safeStorage would keep it in clear (Linux without a secret service), it is refused, as the
 * signing key is: the person then signs in at each start and the token lives in memory only.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forbidden } from '../core/errors.js';
import { encryptionProblem, type KeyVault } from './keys.js';

/** The encrypted token's file name in the data folder. */
export const SESSION_TOKEN_FILE = 'session-token.safestorage';

/** The same custody as the signing key's: safeStorage, the data folder, the platform. */
export type SessionVault = KeyVault;

function tokenPath(vault: SessionVault): string {
  return join(vault.folder, SESSION_TOKEN_FILE);
}

/** Why the token cannot be kept across restarts here, or null when it can. */
export function sessionKeepingProblem(vault: SessionVault): string | null {
  const problem = encryptionProblem(vault);
  if (problem === 'unavailable') return 'the operating system offers no encrypted storage to this app, so the session is not kept: sign in again at the next start';
  if (problem === 'in-clear') return 'no secret service (GNOME Keyring, KWallet) is running, so the session could only be kept in clear: it is not kept (sign in again at the next start)';
  return null;
}

/** Keep a server's session token encrypted (owner-only file, replaced in one rename); throws where it cannot be kept protected. */
export function storeSessionToken(vault: SessionVault, server: string, token: string): void {
  const problem = sessionKeepingProblem(vault);
  if (problem !== null) throw forbidden(problem);
  const encrypted = vault.safeStorage.encryptString(JSON.stringify({ server, token }));
  const target = tokenPath(vault);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, encrypted, { mode: 0o600 });
  renameSync(temporary, target);
}

/** The token kept for this server, or null: none kept, kept for another server, or no longer readable (then forgotten). */
export function readSessionToken(vault: SessionVault, server: string): string | null {
  if (!existsSync(tokenPath(vault))) return null;
  if (sessionKeepingProblem(vault) !== null) return null;
  try {
    const kept = JSON.parse(vault.safeStorage.decryptString(readFileSync(tokenPath(vault)))) as { server?: unknown; token?: unknown };
    if (kept.server === server && typeof kept.token === 'string' && /^[A-Za-z0-9_-]+$/.test(kept.token)) return kept.token;
    return null;
  } catch {
    // Another user's keychain, or a damaged file: the person signs in again.
    forgetSessionToken(vault);
    return null;
  }
}

/** Delete the kept token (sign-out, a refused session, another server). */
export function forgetSessionToken(vault: SessionVault): void {
  rmSync(tokenPath(vault), { force: true });
}
