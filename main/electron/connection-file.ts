/**
 * How the desktop app works, chosen at its first start and changeable later: on this computer
 * (embedded: the core opens the database here) or as a client of a team server. The choice is
 * kept in `connection.json` in the data folder, beside `location.json`: the server's address,
 * the certificate the person trusted for it (a self-signed server; PEM, checked by fingerprint)
 * and the person last signed in there (shown, never trusted: the server says who a session is).
 * The session token is not here: it is kept with safeStorage (session-vault.ts).
 */
import { X509Certificate } from 'node:crypto';
import { parseServerAddress } from '../client/server-address.js';

/** The file in the data folder that keeps the choice. */
export const CONNECTION_FILE = 'connection.json';

export type ConnectionChoice =
  | { readonly mode: 'embedded' }
  | {
      readonly mode: 'team';
      /** The server's origin, `https://host[:port]`. */
      readonly server: string;
      /** A certificate the person trusted after comparing its fingerprint (PEM); null: the system's authorities. */
      readonly certificate: string | null;
      /** Who signed in there last, to offer their name again. */
      readonly person: string | null;
    };

/** The choice in `connection.json`: none yet (first start), the choice, or the problem with the file. */
export function parseConnectionFile(text: string | null): { choice: ConnectionChoice | null; problem: string | null } {
  if (text === null) return { choice: null, problem: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { choice: null, problem: `${CONNECTION_FILE} is not JSON` };
  }
  if (typeof value !== 'object' || value === null) return { choice: null, problem: `${CONNECTION_FILE} holds no choice` };
  const record = value as Record<string, unknown>;
  if (record.mode === 'embedded') return { choice: { mode: 'embedded' }, problem: null };
  if (record.mode !== 'team') return { choice: null, problem: `${CONNECTION_FILE}: mode is "embedded" or "team"` };
  if (typeof record.server !== 'string') return { choice: null, problem: `${CONNECTION_FILE}: no server address` };
  const address = parseServerAddress(record.server);
  if (address.problem !== null) return { choice: null, problem: `${CONNECTION_FILE}: ${address.problem}` };
  let certificate: string | null = null;
  if (record.certificate !== undefined && record.certificate !== null) {
    if (typeof record.certificate !== 'string') return { choice: null, problem: `${CONNECTION_FILE}: the trusted certificate is not PEM text` };
    try {
      new X509Certificate(record.certificate);
    } catch {
      return { choice: null, problem: `${CONNECTION_FILE}: the trusted certificate is not a certificate` };
    }
    certificate = record.certificate;
  }
  const person = typeof record.person === 'string' && record.person.trim() !== '' ? record.person : null;
  return { choice: { mode: 'team', server: address.origin, certificate, person }, problem: null };
}

export function formatConnectionFile(choice: ConnectionChoice): string {
  return `${JSON.stringify(choice, null, 2)}\n`;
}
