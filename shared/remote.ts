/**
 * What the team server's clients (the desktop's main process, the command line) and the server
 * agree on beyond the contract: the event stream of change notices. No run-time dependency.
 */

/** `GET` here: Server-Sent Events, `event: change` with `data: {"topics": [...], ...}`, and a `: ping` comment every 20 s. */
export const EVENTS_PATH = '/api/events';
/** The event name of a change notice on the stream. */
export const CHANGE_EVENT = 'change';

/**
 * `GET` here (an admin): a consistent backup of the team's database made while everyone keeps
 * working, as a download: a POSIX tar archive of `BACKUP_DATABASE_ENTRY` (the database) and, when
 * the server has them, `<it>.checkpoints` (the signed history checkpoints the copy holds) and
 * `<it>.checkpoint-key` (the key that signed them, mode 0600). `BACKUP_INFO_HEADER` carries the
 * copy's figures as JSON (`bytes`, `schemaVersion`, `lastEvent`, `sha256`, `checkpoints`).
 */
export const BACKUP_PATH = '/api/backup';
/** The database's name in a backup archive. */
export const BACKUP_DATABASE_ENTRY = 'repdesk.sqlite';
/** The answer header with the backup's figures. */
export const BACKUP_INFO_HEADER = 'X-RepDesk-Backup';

/** The figures of a backup: its size, schema, the last history event it holds, its SHA-256, the checkpoints beside it. */
export interface BackupFigures {
  readonly bytes: number;
  readonly schemaVersion: number;
  readonly lastEvent: number;
  readonly sha256: string;
  readonly checkpoints: number;
}


/** A change notice as the stream carries it: the topics that changed (and, for some, the ids). */
export interface ChangeEvent {
  readonly topics: readonly string[];
  readonly ids?: Readonly<Record<string, readonly (string | number)[]>>;
  readonly [field: string]: unknown;
}

/** The change notice in an event's data, or null when the data is not one. */
export function parseChangeEvent(data: string): ChangeEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const topics = (value as { topics?: unknown }).topics;
  if (!Array.isArray(topics) || !topics.every((topic) => typeof topic === 'string')) return null;
  return value as ChangeEvent;
}

/** A server's certificate as a person is shown it before trusting it (a self-signed server). */
export interface ServerCertificateView {
  /** SHA-256 of the certificate, colon-separated hex, as `openssl x509 -fingerprint -sha256` prints it. */
  readonly fingerprint: string;
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** The names the certificate is valid for (subjectAltName), as it lists them. */
  readonly names: string;
}
