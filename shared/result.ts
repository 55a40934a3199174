/** How every operation's answer crosses a boundary (IPC, HTTP, a job's worker): a value or an error, as data. */

/**
 * Errors cross every boundary as data, never as thrown exceptions. `busy`: the database stayed
 * locked by another writer past the wait the server allows, and the write was not made (HTTP 503
 * with Retry-After): try again. `too-large`: a body or an upload over its limit (HTTP 413).
 */
export type ErrorCode = 'invalid-input' | 'not-found' | 'forbidden' | 'conflict' | 'cancelled' | 'unauthenticated' | 'rate-limited' | 'busy' | 'too-large' | 'internal';

export interface ApiError {
  readonly code: ErrorCode;
  readonly message: string;
  /** Per-item problems, e.g. import lines: `line 12: "10.1": an IPv4 address needs exactly four decimal octets`. */
  readonly details?: readonly string[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };
