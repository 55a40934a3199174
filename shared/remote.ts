/**
 * What the team server's clients (the desktop's main process, the command line) and the server
 * agree on beyond the contract: the event stream of change notices. No run-time dependency.
 */

/** `GET` here: Server-Sent Events, `event: change` with `data: {"topics": [...], ...}`, and a `: ping` comment every 20 s. */
export const EVENTS_PATH = '/api/events';
/** The event name of a change notice on the stream. */
export const CHANGE_EVENT = 'change';


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
